#!/usr/bin/env bash
# Scale from the command line: --shard K/N parts joined by setol merge give the single run's
# report byte for byte; a missing, duplicated, foreign or incomplete part is exit 2 with no
# output; --max-memory skips (with a status row) a layer that cannot fit.
# Usage: scale_test.sh SETOL_BINARY DATA_DIR [MPIRUN]   (MPIRUN: also compare mpirun -n 3 runs)
set -u
setol=$1
data=$2
mpirun=${3:-}
source "$(dirname "$0")/check.sh"
mlp=$data/corpus/mlp3-mnist10k-bs32-lr0.01/model.safetensors
gnubg=$data/corpus/gnubg-nets-1.07/model.h5
cnn=$data/corpus/cnn-fashion-bs64-lr0.01/model.safetensors
mkdir -p "$tmp/single" "$tmp/merged" "$tmp/parts"

# --- One model, unpooled convolution slices and the randomized ESDs (many rows, varied costs),
# split in 3: the merged JSON, CSV and table are the single run's, byte for byte.
opts=(--no-pool --randomize --mp-fit -q)
for f in json csv table; do
  (cd "$tmp/single" && "$setol" analyze "$cnn" "${opts[@]}" --format $f -o "report.$f")
done
for k in 1 2 3; do
  "$setol" analyze "$cnn" "${opts[@]}" --shard $k/3 -o "$tmp/parts/part-$k.jsonl"
  check "shard $k/3 exit 0" test $? -eq 0
done
rows() { grep -c '"layer_id"' "$1"; }
total=$(( $(rows "$tmp/parts/part-1.jsonl") + $(rows "$tmp/parts/part-2.jsonl") + $(rows "$tmp/parts/part-3.jsonl") ))
check "the parts hold every row once" test "$total" -eq "$(grep -c '"layer_id"' "$tmp/single/report.json")"
check "every part has rows" test "$(rows "$tmp/parts/part-2.jsonl")" -gt 0 -a "$(rows "$tmp/parts/part-3.jsonl")" -gt 0
for f in json csv table; do
  (cd "$tmp/merged" && "$setol" merge "$tmp/parts/part-3.jsonl" "$tmp/parts/part-1.jsonl" "$tmp/parts/part-2.jsonl" \
     --format $f -o "report.$f")
  check "merge --format $f exit 0" test $? -eq 0
  check "merged $f = single run's" cmp -s "$tmp/single/report.$f" "$tmp/merged/report.$f"
done

# --- Several inputs in two formats, split in 2: the same, with the models table.
(cd "$tmp/single" && "$setol" analyze "$mlp" "$gnubg" "$cnn" -q --mp-fit -o batch.json)
for k in 1 2; do "$setol" analyze "$mlp" "$gnubg" "$cnn" -q --mp-fit --shard $k/2 -o "$tmp/parts/b-$k.jsonl"; done
(cd "$tmp/merged" && "$setol" merge "$tmp/parts/b-2.jsonl" "$tmp/parts/b-1.jsonl" -o batch.json)
check "merged batch = single run's" cmp -s "$tmp/single/batch.json" "$tmp/merged/batch.json"

# --- Parts and merged reports follow docs/report.schema.json.
src=$(cd "$(dirname "$0")/.." && pwd)
python3 "$src/tests/tools/validate_reports.py" "$src/docs/report.schema.json" "$tmp/parts"/part-*.jsonl \
  "$tmp/parts"/b-*.jsonl "$tmp/merged/report.json" "$tmp/merged/batch.json" >"$tmp/schema.out"
check "parts and merged reports follow the schema" test $? -eq 0

# --- The split is the same on every node: a part computed again is the same bytes (but its header).
"$setol" analyze "$cnn" "${opts[@]}" --shard 2/3 -o "$tmp/parts/again-2.jsonl"
check "a shard is deterministic" cmp -s <(tail -n +2 "$tmp/parts/part-2.jsonl" | sort) <(tail -n +2 "$tmp/parts/again-2.jsonl" | sort)

# --- Sets that do not make a run: exit 2, one line naming the problem, no output file.
bad_merge() {  # NAME PATTERN PARTS...
  local name=$1 pattern=$2
  shift 2
  local err
  err=$("$setol" merge "$@" -o "$tmp/merged/bad.json" 2>&1 >/dev/null)
  local rc=$?
  check "$name: exit 2" test $rc -eq 2
  check "$name: one line saying '$pattern'" bash -c '[ "$(printf "%s\n" "$1" | wc -l)" -eq 1 ] && printf "%s" "$1" | grep -q -- "$2"' _ "$err" "$pattern"
  check "$name: no output" test ! -e "$tmp/merged/bad.json"
}
p=$tmp/parts
bad_merge "a part missing" "part 2/3 is missing" "$p/part-1.jsonl" "$p/part-3.jsonl"
bad_merge "a part twice" "is also" "$p/part-1.jsonl" "$p/part-2.jsonl" "$p/again-2.jsonl" "$p/part-3.jsonl"
"$setol" analyze "$cnn" --no-pool --mp-fit -q --shard 2/3 -o "$p/other-2.jsonl"
bad_merge "a part of another run" "option randomize differs" "$p/part-1.jsonl" "$p/other-2.jsonl" "$p/part-3.jsonl"
head -n 3 "$p/part-2.jsonl" > "$p/cut-2.jsonl"
bad_merge "an unfinished part" "incomplete" "$p/part-1.jsonl" "$p/cut-2.jsonl" "$p/part-3.jsonl"
bad_merge "a plain report" "not a --shard part" "$tmp/single/report.json"
"$setol" analyze "$cnn" --shard 4/3 -q --format jsonl >/dev/null 2>&1
check "--shard 4/3 is a usage error" test $? -eq 2
"$setol" analyze "$cnn" --shard 1/2 -q --format json >/dev/null 2>&1
check "--shard needs jsonl" test $? -eq 2

# --- --max-memory: a layer whose working set (tensor + float64 Gram + panel) exceeds the budget is a
# skipped row naming both sizes; the others are computed; a bad size is a usage error.
"$setol" analyze "$mlp" --max-memory 2M -q --format csv > "$tmp/budget.csv"
check "--max-memory run exit 0" test $? -eq 0
python3 - "$tmp/budget.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
# mlp3: 300x784, 100x300, 10x100 float32. The first needs 300*784*4 + 8*300^2 + 8*300*784 bytes
# = 3542400 bytes (3.4 MiB) > 2 MiB; the others fit.
st = [r["status"] for r in rows]
ok = st[0] == "skipped: needs 3.4 MiB, budget 2.0 MiB"
ok = ok and all(s == "success" for s in st[1:]) and rows[0]["alpha"] == ""
print(st)
sys.exit(0 if ok else 1)
PY
check "a layer over --max-memory is skipped, the others computed" test $? -eq 0
"$setol" analyze "$mlp" --max-memory 12X -q --format csv >/dev/null 2>&1
check "--max-memory 12X is a usage error" test $? -eq 2

# --- MPI (when built with it): mpirun -n 3 writes the single run's report, for one model and for
# several inputs, in JSON and JSONL.
if [ -n "$mpirun" ]; then
  mpi=("$mpirun" --allow-run-as-root --oversubscribe -n 3)
  (cd "$tmp/merged" && "${mpi[@]}" "$setol" analyze "$cnn" "${opts[@]}" --format json -o report.json)
  check "mpirun -n 3 exit 0" test $? -eq 0
  check "mpirun -n 3 report = single run's" cmp -s "$tmp/single/report.json" "$tmp/merged/report.json"
  (cd "$tmp/merged" && "${mpi[@]}" "$setol" analyze "$mlp" "$gnubg" "$cnn" -q --mp-fit -o batch.json)
  check "mpirun -n 3 batch = single run's" cmp -s "$tmp/single/batch.json" "$tmp/merged/batch.json"
fi
finish
