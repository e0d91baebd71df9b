#!/usr/bin/env bash
# Replays the stored corpus of each harness, then fuzzes it for a bounded time.
#   tests/fuzz/run.sh BUILD_DIR SECONDS [HARNESS...]
# BUILD_DIR: a -DSETOL_FUZZ=ON build (tests/fuzz/README.md). SECONDS: fuzzing time per harness
# (0: replay only). HARNESS: names without the fuzz_ prefix (default: every harness in SMOKE).
# FUZZ_RUNS=N (CI): a fixed random seed (FUZZ_SEED, default 1) and at most N executions per
# harness, so that a smoke run is the same sequence of inputs on every machine; SECONDS then only
# caps the time.
# Any finding (crash, sanitizer report, leak, timeout, out-of-memory) exits non-zero; its
# input is left in $FUZZ_ARTIFACTS (default: a temporary folder) to be added to
# tests/fuzz/regressions/<harness>/.
# A campaign (docs/reliability.md): FUZZ_KEEP=DIR keeps each harness's new inputs in
# DIR/<harness>/corpus and its logs in DIR/<harness>/logs instead of a temporary folder, so that
# a later run resumes from that corpus. FUZZ_JOBS=N fuzzes each harness in N workers at once that
# share the corpus (libFuzzer reads back what the others wrote, its -reload=1 default), with seeds
# FUZZ_SEED, FUZZ_SEED+1, ... under FUZZ_RUNS, each worker running FUZZ_RUNS inputs; the
# harness's executions are the sum of its workers', printed at the end; a worker's finding stops
# the others. SIGINT or SIGTERM stops the workers, which print their final figures; a run so
# stopped exits 130 unless it found something (1).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$1"; seconds="$2"; shift 2
# libhdf5 runs in a contained child process (src/io/contained_process.hpp), so its own crashes
# on corrupted files are InputErrors and the HDF5 harnesses are fuzzed like the others.
SMOKE=(npy safetensors st_index pt_index pytorch npz zip gguf onnx hdf5 keras jsonl_parts)
# Harnesses with an open finding (its input in tests/fuzz/open-findings/, docs/reliability.md):
# by default they are replayed but not fuzzed, so that CI fails on new findings, not on these.
OPEN=()
harnesses=("$@"); explicit=$#; if [ ${#harnesses[@]} -eq 0 ]; then harnesses=("${SMOKE[@]}"); fi
artifacts="${FUZZ_ARTIFACTS:-$(mktemp -d)}"
mkdir -p "$artifacts"
# Each input is written to a file: on tmpfs that costs no disk I/O.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi
asan_options="detect_leaks=1:abort_on_error=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$here/../lsan.supp"
status=0
workers=()      # the running fuzzers, stopped by SIGINT/SIGTERM
interrupted=0
trap 'interrupted=1; [ ${#workers[@]} -eq 0 ] || kill -TERM "${workers[@]}" 2>/dev/null || true' INT TERM
# report_finding LOG: the end of a fuzzer's LOG, then, where its run did not symbolize stacks, a
# replay of the input it saved (libFuzzer's "Test unit written to FILE") that does.
report_finding() {
  tail -60 "$1"
  local unit
  unit="$(sed -n 's/.*Test unit written to //p' "$1" | tail -1)"
  if [ "$symbolized" -eq 0 ] && [ -n "$unit" ] && [ -f "$unit" ]; then
    echo "== fuzz_$h: $unit again, with symbolized stacks"
    ASAN_OPTIONS="$ASAN_OPTIONS:symbolize=1" "$bin" "${bounds[@]}" "$unit" 2>&1 | tail -60 || true
  fi
}
# -rss_limit_mb / -malloc_limit_mb: a file of a few KB must never need 1 GiB; -timeout: 5 s.
bounds=(-rss_limit_mb=1024 -malloc_limit_mb=1024 -timeout=5)
# left_inputs: how many inputs of harness $h the artifact folder holds.
left_inputs() { find "$artifacts" -maxdepth 1 -type f -name "$h-*" | wc -l; }
jobs_n="${FUZZ_JOBS:-1}"
case "$jobs_n" in ''|*[!0-9]*|0) echo "run.sh: FUZZ_JOBS must be a positive integer" >&2; exit 2 ;; esac
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
for h in "${harnesses[@]}"; do
  [ "$interrupted" -eq 0 ] || break
  bin="$build/tests/fuzz/fuzz_$h"
  export ASAN_OPTIONS="$asan_options"
  # The HDF5 harnesses fork a new contained libhdf5 child whenever the last one ended (about one
  # input in eight makes libhdf5 loop until its deadline), and a fork copies the page tables of
  # all the harness has mapped, most of it ASan's 256 MB quarantine of freed memory. An 8 MB
  # quarantine made them about 1.4x faster when every input had its own child
  # (docs/reliability.md); freed memory is reused sooner, so a use after more than 8 MB of later
  # frees goes unseen there. About one input in ten crashes libhdf5 in its child, whose ASan then
  # starts llvm-symbolizer for a report nobody reads (its stderr is /dev/null): symbolize=0
  # took a fifth off their CPU time (docs/reliability.md). A finding is replayed with symbols.
  symbolized=1
  case "$h" in
    hdf5|keras) export ASAN_OPTIONS="$asan_options:quarantine_size_mb=8:symbolize=0"; symbolized=0 ;;
  esac
  inputs=()
  for d in "$here/seeds/$h" "$here/regressions/$h"; do [ -d "$d" ] && inputs+=("$d"); done
  if [ -n "${FUZZ_KEEP:-}" ]; then
    work="$FUZZ_KEEP/$h"; logs="$work/logs"
  else
    work="$(mktemp -d)"; logs="$work"
  fi
  mkdir -p "$work/corpus" "$logs"  # the corpus holds new inputs; the logs stay outside it
  common=("${bounds[@]}" -artifact_prefix="$artifacts/$h-" -dict="$here/dicts/$h.dict"
          -print_final_stats=1)
  left_before="$(left_inputs)"; found=0
  echo "== fuzz_$h: replay ${inputs[*]}"
  if ! "$bin" "${common[@]}" -runs=0 "${inputs[@]}" > "$logs/replay-$stamp.log" 2>&1; then
    report_finding "$logs/replay-$stamp.log"; echo "fuzz_$h: replay FAILED"; status=1; continue
  fi
  skip=0
  for o in "${OPEN[@]}"; do [ "$explicit" -eq 0 ] && [ "$o" = "$h" ] && skip=1; done
  if [ "$skip" -eq 1 ]; then
    echo "== fuzz_$h: not fuzzed (open finding in tests/fuzz/open-findings/$h)"
  elif [ "$seconds" -gt 0 ]; then
    pids=(); wlogs=(); total=0
    for ((j = 0; j < jobs_n; j++)); do
      limits=(-max_total_time="$seconds")
      if [ -n "${FUZZ_RUNS:-}" ]; then
        limits+=(-runs="$FUZZ_RUNS" -seed="$(( ${FUZZ_SEED:-1} + j ))")
      fi
      wlogs+=("$logs/fuzz-$stamp-$j.log")
      echo "== fuzz_$h: ${limits[*]}"
      "$bin" "${common[@]}" "${limits[@]}" "$work/corpus" "${inputs[@]}" > "${wlogs[$j]}" 2>&1 &
      pids+=($!); workers+=($!)
    done
    # Each worker as it ends; the first finding stops the others. libFuzzer exits 72 (its
    # -interrupt_exit_code) when stopped by the signal we sent.
    rcs=(); stopping=0
    while [ ${#workers[@]} -gt 0 ]; do
      ended=""; rc=0
      wait -n -p ended "${workers[@]}" || rc=$?
      [ -n "${ended:-}" ] || continue  # a trapped signal ended the wait (and unset ended)
      for j in "${!pids[@]}"; do [ "${pids[$j]}" = "$ended" ] && rcs[j]=$rc; done
      left=(); for p in "${workers[@]}"; do [ "$p" = "$ended" ] || left+=("$p"); done
      workers=("${left[@]}")
      if [ "$rc" -ne 0 ] && [ "$rc" -ne 72 ] && [ "$stopping" -eq 0 ] && [ ${#workers[@]} -gt 0 ]; then
        stopping=1; kill -TERM "${workers[@]}" 2>/dev/null || true
        echo "== fuzz_$h: a worker found something; the others are stopped"
      fi
    done
    for j in "${!pids[@]}"; do
      rc="${rcs[$j]}"
      if [ "$rc" -ne 0 ] && ! { [ "$rc" -eq 72 ] && [ $((interrupted + stopping)) -gt 0 ]; }; then
        report_finding "${wlogs[$j]}"; echo "fuzz_$h: FINDING (input in $artifacts)"; status=1; found=1
      else
        grep -E "stat::number_of_executed_units|cov:" "${wlogs[$j]}" | tail -2
      fi
      n="$(sed -n 's/^stat::number_of_executed_units: *//p' "${wlogs[$j]}")"
      total=$(( total + ${n:-0} ))
    done
    [ "$jobs_n" -eq 1 ] || echo "== fuzz_$h: $total executions in $jobs_n workers"
  fi
  # A contained child that ran one of libFuzzer's handlers left an input behind without failing
  # the harness, in the replay or the fuzzing: the only sign of findings 10 and 12
  # (docs/reliability.md).
  strays=$(( $(left_inputs) - left_before ))
  if [ "$found" -eq 0 ] && [ "$strays" -gt 0 ]; then
    echo "fuzz_$h: FINDING: $strays inputs left in $artifacts though no run failed"; status=1
  fi
  [ -n "${FUZZ_KEEP:-}" ] || rm -rf "$work"
done
if [ "$status" -eq 0 ] && [ "$interrupted" -eq 1 ]; then echo "run.sh: interrupted"; exit 130; fi
exit $status
