#!/usr/bin/env bash
# Performance benchmark: builds setol in Release, generates the synthetic inputs, times
# whole-process runs with hyperfine, measures the bare LAPACK reference with its own small
# program, runs the kernel micro-benchmarks, and prints one table of figures and ratios.
#   bench/run.sh CORPUS_DIR        (a folder of <model>/model.safetensors; WeightWatcher's figures are
#                                   those of docs/performance.md's reference tables)
# Needs: hyperfine, /usr/bin/time (Debian packages). Takes ~10 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:?usage: bench/run.sh CORPUS_DIR}
work=${SETOL_BENCH_DIR:-/tmp/setol-bench}
mkdir -p "$work"
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DSETOL_BUILD_TESTS=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" >/dev/null
setol=build-bench/apps/setol
gen=build-bench/bench/setol_bench_inputs
bare=build-bench/bench/setol_bare_eig

[ -f "$work/w1024x4096.npy" ] || "$gen" layer 1024 4096 "$work/w1024x4096.npy" 1024
[ -f "$work/w4096x4096.npy" ] || "$gen" layer 4096 4096 "$work/w4096x4096.npy" 4096
[ -f "$work/w4096x11008.npy" ] || "$gen" layer 4096 11008 "$work/w4096x11008.npy" 11008
[ -f "$work/llm.safetensors" ] || "$gen" llm "$work/llm.safetensors" 8 2048 5632
[ -f "$work/llm.bin" ] || "$gen" llm-torch "$work/llm.bin" 8 2048 5632
[ -f "$work/llm.gguf" ] || "$gen" llm-gguf "$work/llm.gguf" 8 2048 5632

mean() {  # mean wall seconds of a command over N runs (hyperfine)
  local runs=$1
  shift
  hyperfine --style none --warmup 1 --runs "$runs" --export-json "$work/h.json" "$@" >/dev/null 2>&1
  python3 -c "import json;print('%.3f' % json.load(open('$work/h.json'))['results'][0]['mean'])"
}
peak_kb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem/{print $2}') GiB"
echo
echo "| case | bare dsyrk+dsyevd s | setol s | setol / bare | WeightWatcher s | WW / setol | setol f32 s | f64 / f32 | peak RSS MiB | RSS target MiB |"
echo "|---|---|---|---|---|---|---|---|---|---|"
declare -A ww=([w4096x4096]=15.3 [w4096x11008]=26.6)
for f in w1024x4096 w4096x4096 w4096x11008; do
  runs=3
  b=$(mean $runs "$bare $work/$f.npy 2")
  s=$(mean $runs "$setol analyze $work/$f.npy -q -o $work/out.json")
  s32=$(mean $runs "$setol analyze $work/$f.npy -q -o $work/out.json --precision f32")
  rss=$(peak_kb "$setol" analyze "$work/$f.npy" -q -o "$work/out.json")
  dims=${f#w}; m=${dims%x*}; n=${dims#*x}; lo=$((m < n ? m : n))
  target=$(python3 -c "print('%.0f' % (1.5 * ($m*$n*4 + 8*$lo*$lo) / 2**20))")
  w=${ww[$f]:-}
  python3 -c "
b,s,s32,rss,w=$b,$s,$s32,$rss,'$w'
print('| %s | %.2f | %.2f | %.2f | %s | %s | %.2f | %.2f | %.0f | %s |' % ('$f', b, s, s/b, w or '-', ('%.1f' % (float(w)/s)) if w else '-', s32, s/s32, rss/1024, '$target'))"
done
echo
echo "LLM-shaped checkpoint (8 blocks: q,k,v,o 2048x2048; gate, up 5632x2048; down 2048x5632; bf16, $(du -m "$work/llm.safetensors" | cut -f1) MB):"
# One process on 1 and 2 threads, and (when OpenMPI is installed) mpirun -n 2 with one thread
# a rank, side by side; then a --max-memory that admits one big layer at a time.
mpi_cmd=""
if command -v mpirun >/dev/null && command -v mpicc >/dev/null; then  # Debian: openmpi-bin, libopenmpi-dev
  cmake -S . -B build-bench-mpi -DCMAKE_BUILD_TYPE=Release -DSETOL_MPI=ON -DSETOL_BUILD_TESTS=OFF -DSETOL_BUILD_BENCH=OFF >/dev/null
  cmake --build build-bench-mpi -j"$(nproc)" --target setol_cli >/dev/null
  mpi_cmd="mpirun --allow-run-as-root -n 2 build-bench-mpi/apps/setol analyze $work/llm.safetensors -q -o $work/out.json"
fi
t1=$(mean 2 "$setol analyze $work/llm.safetensors -q -o $work/out.json --threads 1")
t2=$(mean 2 "$setol analyze $work/llm.safetensors -q -o $work/out.json --threads 2")
tm=0; [ -n "$mpi_cmd" ] && tm=$(mean 2 "$mpi_cmd")
rss=$(peak_kb "$setol" analyze "$work/llm.safetensors" -q -o "$work/out.json" --threads 2)
rss1=$(peak_kb "$setol" analyze "$work/llm.safetensors" -q -o "$work/out.json" --threads 2 --max-memory 100M)
# In flight: tensor (bf16) + float64 Gram + one 16 MiB panel; the largest is 5632x2048.
python3 -c "
t1,t2,tm=$t1,$t2,$tm
one=(2048*5632*2 + 8*2048*2048 + 16*2**20)/2**20
print('threads 1: %.2f s, threads 2: %.2f s, speed-up %.2f, parallel efficiency %.0f%%' % (t1, t2, t1/t2, 100*t1/t2/2))
if tm: print('mpirun -n 2 (one thread a rank): %.2f s, speed-up %.2f, parallel efficiency %.0f%%' % (tm, t1/tm, 100*t1/tm/2))
print('peak RSS, 2 layers in flight: %.0f MiB (target 2 x 1.25 x %.0f MiB + floor)' % ($rss/1024, one))
print('peak RSS, --max-memory 100M (one big layer at a time): %.0f MiB (target 1.25 x %.0f MiB + floor)' % ($rss1/1024, one))"
echo
echo "The same checkpoint as a PyTorch .bin (bf16, torch.save zip) and as GGUF Q8_0, against safetensors (2 threads):"
echo "| file | MB | wall s | / safetensors | peak RSS MiB | / safetensors |"
echo "|---|---|---|---|---|---|"
declare -A wall rss
for f in llm.safetensors llm.bin llm.gguf; do
  wall[$f]=$(mean 2 "$setol analyze $work/$f -q -o $work/out.json --threads 2")
  rss[$f]=$(peak_kb "$setol" analyze "$work/$f" -q -o "$work/out.json" --threads 2)
done
for f in llm.safetensors llm.bin llm.gguf; do
  python3 -c "print('| $f | %d | %.2f | %.2f | %.0f | %.2f |' % ($(du -m "$work/$f" | cut -f1), ${wall[$f]}, ${wall[$f]}/${wall[llm.safetensors]}, ${rss[$f]}/1024, ${rss[$f]}/${rss[llm.safetensors]}))"
done
echo
if [ -d "$corpus" ]; then
  # The machine is shared and its speed drifts: each model is timed beside the bare reference
  # (setol_bare_eig on 1024x4096, 0.12 s on 2026-11-23 when WeightWatcher was timed), and the
  # last column rescales setol's time to that machine speed.
  echo "| corpus model | setol s (median of 5) | WeightWatcher process s | WW / setol | bare 1024x4096 s | WW / setol, normalised |"
  echo "|---|---|---|---|---|---|"
  declare -A wwc=([cnn-fashion-bs64-lr0.01]=2.58 [cnn-fashion-bs64-lr0.01-ep1]=3.05 [faceres-deep-mobilenetv1]=3.59
    [gnubg-nets-1.07]=2.82 [mlp3-mnist10k-bs1-lr0.01]=2.56 [mlp3-mnist10k-bs16-lr0.01]=2.75 [mlp3-mnist10k-bs2-lr0.01]=2.62
    [mlp3-mnist10k-bs32-lr0.01]=2.51 [mlp3-mnist10k-bs32-lr0.04]=2.55 [mlp3-mnist10k-bs32-lr0.16]=2.46
    [mlp3-mnist10k-bs32-lr0.32]=2.39 [mlp3-mnist10k-bs32-lr0.64]=2.48 [mlp3-mnist10k-bs32-lr1]=2.42
    [mlp3-mnist10k-bs32-lr1.28]=2.48 [mlp3-mnist10k-bs4-lr0.01]=2.65 [mlp3-mnist10k-bs8-lr0.01]=2.64
    [mlp3-mnist10k-init]=2.61 [ppocrv4-rec-svtr]=2.81 [silero-vad-v5]=2.55)
  for d in "$corpus"/*/; do
    m=$(basename "$d")
    [ -f "$d/model.safetensors" ] || continue
    hyperfine --style none --warmup 1 --runs 5 --export-json "$work/h.json" \
      "$setol analyze $d/model.safetensors -q -o $work/out.json" "$bare $work/w1024x4096.npy 2" >/dev/null 2>&1
    python3 -c "
import json; r=json.load(open('$work/h.json'))['results']; med=lambda x: sorted(x['times'])[len(x['times'])//2]
t, b = med(r[0]), med(r[1]); w=${wwc[$m]:-0}; tn = t * 0.12 / b
print('| $m | %.3f | %s | %s | %.3f | %s |' % (t, w or '-', ('%.0f' % (w/t)) if w else '-', b, ('%.1f' % (w/tn)) if w else '-'))"
  done
fi
echo
echo "Kernels (Google Benchmark):"
build-bench/bench/setol_bench_kernels --benchmark_filter='PowerLaw|DetX|MpFit|Htmp|Randomize/4096|Eig_dsyevd|Svd_dgesdd/4096|Gram/4096/11008/16' 2>/dev/null |
  grep -E '^BM_'
