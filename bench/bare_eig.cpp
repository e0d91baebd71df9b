// The bare reference: the least work an exact dense ESD needs. Reads a float32 .npy,
// widens it to double, forms the Gram matrix with one BLAS dsyrk and takes its eigenvalues
// with LAPACK dsyevd (values only). Prints the seconds of the two kernels.
//   setol_bare_eig FILE.npy [THREADS]
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "setol/model_reader.hpp"

extern "C" {
void dsyrk_(const char*, const char*, const int*, const int*, const double*, const double*, const int*, const double*,
            double*, const int*);
void dsyevd_(const char*, const char*, const int*, double*, const int*, double*, double*, const int*, int*,
             const int*, int*);
void openblas_set_num_threads(int);
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  openblas_set_num_threads(argc > 2 ? std::stoi(argv[2]) : 2);
  auto model = setol::open_model(argv[1]);
  const auto t = model->load(0);
  const auto& s = t.info().shape;
  const int rows = static_cast<int>(s[0]), cols = static_cast<int>(s[1]);
  const auto t0 = std::chrono::steady_clock::now();
  // Row-major rows x cols read as column-major cols x rows: A (m = cols... ) -> use the min side.
  std::vector<double> a(static_cast<std::size_t>(rows) * cols);
  const float* f = reinterpret_cast<const float*>(t.bytes());
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = f[i];
  // Column-major view: cols x rows matrix B = W^T. Gram of the min side.
  const bool wide = cols > rows;  // W is rows x cols
  const int m = wide ? rows : cols, k = wide ? cols : rows;
  std::vector<double> x(static_cast<std::size_t>(m) * m);
  const double one = 1, zero = 0;
  // B (cols x rows, ld cols): B^T B = W W^T (rows x rows) if wide; B B^T = W^T W (cols x cols) otherwise.
  dsyrk_("L", wide ? "T" : "N", &m, &k, &one, a.data(), &cols, &zero, x.data(), &m);
  const auto t1 = std::chrono::steady_clock::now();
  std::vector<double> w(static_cast<std::size_t>(m));
  int info = 0, lwork = -1, liwork = -1, iwq = 0;
  double wq = 0;
  dsyevd_("N", "L", &m, x.data(), &m, w.data(), &wq, &lwork, &iwq, &liwork, &info);
  lwork = static_cast<int>(wq) + 1;
  liwork = iwq;
  std::vector<double> work(static_cast<std::size_t>(lwork));
  std::vector<int> iwork(static_cast<std::size_t>(liwork));
  dsyevd_("N", "L", &m, x.data(), &m, w.data(), work.data(), &lwork, iwork.data(), &liwork, &info);
  const auto t2 = std::chrono::steady_clock::now();
  std::printf("gram_s %.3f eig_s %.3f total_s %.3f lambda_max %.6g\n", std::chrono::duration<double>(t1 - t0).count(),
              std::chrono::duration<double>(t2 - t1).count(), std::chrono::duration<double>(t2 - t0).count(), w.back());
  return info;
}
