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
# --- Damaged parts (a report read back is input like a model file): every field merge and
# --resume use is checked for presence and type before use, so each defect is exit 2 and one line
# naming the part and the defect, never a JSON library message or a read of a missing key.
"$setol" analyze "$mlp" -q --shard 1/1 -o "$p/one.jsonl"
python3 - "$p/one.jsonl" "$p" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
def damaged(name, change):
    ls = json.loads(json.dumps(lines))
    change(ls)
    with open("%s/dmg-%s.jsonl" % (sys.argv[2], name), "w") as f:
        f.write("".join(json.dumps(l) + "\n" for l in ls))
damaged("no-inputs", lambda ls: ls[0].pop("inputs"))
damaged("options", lambda ls: ls[0].__setitem__("options", 5))
damaged("command", lambda ls: ls[0].__setitem__("command", 5))
damaged("input", lambda ls: ls[0]["inputs"].__setitem__(0, 5))
damaged("input-bytes", lambda ls: ls[0]["inputs"][0].__setitem__("bytes", "12"))
damaged("shard-index", lambda ls: ls[0]["shard"].__setitem__("index", "1"))
damaged("layer-id", lambda ls: ls[1].__setitem__("layer_id", "0"))
damaged("layer-id-huge", lambda ls: ls[1].__setitem__("layer_id", 1e300))
damaged("slice-id", lambda ls: ls[1].__setitem__("slice_id", 1.5))
damaged("name", lambda ls: ls[1].__setitem__("name", 7))
damaged("array", lambda ls: ls[1].__setitem__("shape", ["a"]))
damaged("models", lambda ls: ls[-1].__setitem__("models", [5]))
PY
check "a part to damage" test -s "$p/dmg-name.jsonl"
bad_merge "part without inputs" 'dmg-no-inputs.jsonl: not a --shard part: line 1: the header.s "inputs" is not an array' "$p/dmg-no-inputs.jsonl"
bad_merge "options not an object" 'dmg-options.jsonl: .*"options" is not an object' "$p/dmg-options.jsonl"
bad_merge "command not a string" 'dmg-command.jsonl: .*not a setol analyze JSONL report' "$p/dmg-command.jsonl"
bad_merge "input not an object" 'dmg-input.jsonl: .*input 1: not an object' "$p/dmg-input.jsonl"
bad_merge "input bytes a string" 'dmg-input-bytes.jsonl: .*input 1: "bytes" is not an integer' "$p/dmg-input-bytes.jsonl"
bad_merge "shard index a string" 'dmg-shard-index.jsonl: .*shard: "index" is not an integer' "$p/dmg-shard-index.jsonl"
bad_merge "layer_id a string" 'dmg-layer-id.jsonl: .*line 2: "layer_id" is not an integer' "$p/dmg-layer-id.jsonl"
bad_merge "layer_id 1e300" 'dmg-layer-id-huge.jsonl: .*"layer_id" is not an integer' "$p/dmg-layer-id-huge.jsonl"
bad_merge "slice_id 1.5" 'dmg-slice-id.jsonl: .*"slice_id" is not an integer' "$p/dmg-slice-id.jsonl"
bad_merge "name a number" 'dmg-name.jsonl: .*line 2: "name" is not a string' "$p/dmg-name.jsonl"
bad_merge "an array of strings" 'dmg-array.jsonl: .*"shape" is not a list of integers' "$p/dmg-array.jsonl"
bad_merge "models not objects" 'dmg-models.jsonl: .*an entry of "models" is not an object' "$p/dmg-models.jsonl"
"$setol" merge "$p/one.jsonl" -o "$tmp/merged/one.json"
check "the undamaged part merges" test $? -eq 0
# --resume reads the report it continues in the same way.
head -n 2 "$p/dmg-input.jsonl" > "$tmp/resume.jsonl"
err=$("$setol" analyze "$mlp" -q --format jsonl -o "$tmp/resume.jsonl" --resume 2>&1)
check "--resume of a damaged report: exit 2" test $? -eq 2
check "--resume of a damaged report: one line naming it" bash -c '[ "$(printf "%s\n" "$1" | wc -l)" -eq 1 ] && printf "%s" "$1" | grep -q "resume.jsonl: --resume: line 1: input 1: not an object"' _ "$err"
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
