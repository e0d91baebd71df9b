#!/usr/bin/env bash
# Several inputs, aggregate --fail-on gates, --resume, interrupts, compare and LoRA from the
# command line, and every report written here validated against docs/report.schema.json.
# Usage: batch_test.sh SETOL_BINARY DATA_DIR SOURCE_DIR
set -u
setol=$1
data=$2
src=$3
source "$(dirname "$0")/check.sh"
mlp=$data/corpus/mlp3-mnist10k-bs32-lr0.01/model.safetensors
gnubg=$data/corpus/gnubg-nets-1.07/model.h5   # another model, another format (Keras HDF5)
cnn=$data/corpus/cnn-fashion-bs64-lr0.01/model.safetensors
reports=$tmp/reports
mkdir -p "$reports"

# --- Several inputs: the rows of `analyze A B C` are the rows of each run alone (every column),
# and each input's summary is its single run's summary.
"$setol" analyze "$mlp" "$gnubg" "$cnn" --format json --threads 2 -o "$reports/batch.json"
check "batch exit 0" test $? -eq 0
for m in "$mlp" "$gnubg" "$cnn"; do
  "$setol" analyze "$m" --format json --threads 1 -o "$reports/single-$(basename "$(dirname "$m")").json"
done
python3 - "$reports" "$mlp" "$gnubg" "$cnn" <<'PY'
import json, os, sys
d = sys.argv[1]
batch = json.load(open(os.path.join(d, "batch.json")))
ok = True
for path in sys.argv[2:]:
    single = json.load(open(os.path.join(d, "single-" + os.path.basename(os.path.dirname(path)) + ".json")))
    rows = [dict((c, v) for c, v in r.items() if c != "model") for r in batch["layers"] if r["model"] == path]
    if sorted(rows, key=lambda r: r["layer_id"]) != single["layers"] or not rows:
        print("rows differ for", path); ok = False
    m = [m for m in batch["models"] if m["model"] == path][0]
    if m["summary"] != single["summary"] or m["status"] != "ok":
        print("summary differs for", path); ok = False
    if [i for i in batch["inputs"] if i["path"] == path][0]["format"] != single["inputs"][0]["format"]:
        print("format differs for", path); ok = False
sys.exit(0 if ok else 1)
PY
check "batch rows and summaries equal single runs (mixed formats)" test $? -eq 0

# Natural order: checkpoint-9 before checkpoint-10, whatever order the shell gives.
mkdir -p "$tmp/run/checkpoint-9" "$tmp/run/checkpoint-10"
cp "$mlp" "$tmp/run/checkpoint-9/model.safetensors"
cp "$mlp" "$tmp/run/checkpoint-10/model.safetensors"
"$setol" analyze "$tmp/run/checkpoint-10" "$tmp/run/checkpoint-9" --summary --format csv -o "$reports/models.csv"
check "models table: header" grep -q '^model,format,status,num_layers,' "$reports/models.csv"
check "models table: natural order" test "$(sed -n 2p "$reports/models.csv" | cut -d, -f1)" = "$tmp/run/checkpoint-9"
check "models table: two rows" test "$(wc -l <"$reports/models.csv")" -eq 3
"$setol" analyze "$tmp/run/checkpoint-10" "$tmp/run/checkpoint-9" --given-order --summary --format csv >"$tmp/given.csv"
check "--given-order keeps the order" test "$(sed -n 2p "$tmp/given.csv" | cut -d, -f1)" = "$tmp/run/checkpoint-10"

# One bad input does not sink the others: a model row with its error; exit 2, or 0 with --keep-going.
printf 'garbage' >"$tmp/bad.safetensors"
"$setol" analyze "$mlp" "$tmp/bad.safetensors" --format json -o "$reports/with-bad.json" 2>"$tmp/err"
check "bad input in a batch: exit 2" test $? -eq 2
check "bad input in a batch: report written" test -s "$reports/with-bad.json"
check "bad input in a batch: its model row" grep -q '"status": "error: ' "$reports/with-bad.json"
check "bad input in a batch: the good one analyzed" grep -q '"name": "fc3.weight"' "$reports/with-bad.json"
"$setol" analyze "$mlp" "$tmp/bad.safetensors" --keep-going -q --format csv >/dev/null 2>&1
check "--keep-going: exit 0" test $? -eq 0
"$setol" analyze "$mlp" "$mlp" --format csv >/dev/null 2>"$tmp/err"
check "an input given twice is a usage error" test $? -eq 2

# --- Gates. mlp3 bs32-lr0.01: alpha 4.80, 2.79, 8.08 (WeightWatcher's values), mean 5.22;
# cnn-fashion: mean alpha 3.10 (its three analyzed layers).
"$setol" analyze "$mlp" -q --fail-on 'mean(alpha)>5' --format csv -o "$tmp/g.csv" 2>"$tmp/err"
check "mean(alpha)>5 trips: exit 1" test $? -eq 1
check "gate line names model, rule and value" grep -q "^setol: --fail-on: $mlp: 'mean(alpha)>5': mean(alpha) = 5.22" "$tmp/err"
check "gate: the report is still written" test -s "$tmp/g.csv"
"$setol" analyze "$mlp" -q --fail-on 'mean(alpha)>5.3' --format csv >/dev/null 2>&1
check "mean(alpha)>5.3 does not trip" test $? -eq 0
"$setol" analyze "$mlp" -q --fail-on 'count(warning=="under-trained")>=1,max(D)>1' --format csv >/dev/null 2>"$tmp/err"
check "count(warning==...) trips, max(D)>1 does not" test "$(wc -l <"$tmp/err")" -eq 1
# Natural order puts corpus/cnn-... first: delta = last - first = 5.22 - 3.10 = 2.12.
"$setol" analyze "$mlp" "$cnn" -q --fail-on 'delta(mean(alpha))>2' --format csv >/dev/null 2>"$tmp/err"
check "delta(...) across inputs trips: exit 1" test $? -eq 1
check "delta(...) across inputs: one line naming both" grep -q "^setol: --fail-on: $mlp vs $cnn: 'delta(mean(alpha))>2': delta(mean(alpha)) = 2.12" "$tmp/err"
"$setol" analyze "$mlp" "$cnn" -q --fail-on 'delta(mean(alpha))>2.2' --format csv >/dev/null 2>&1
check "delta(...) > 2.2 does not trip" test $? -eq 0
"$setol" analyze "$mlp" -q --fail-on 'mean(rand_distance)>0' -o "$tmp/never.json" 2>"$tmp/err"
check "a column not computed is a usage error" test $? -eq 2
check "usage error: no report" test ! -e "$tmp/never.json"
"$setol" analyze "$mlp" -q --fail-on 'delta(mean(alpha))>0' --format csv >/dev/null 2>&1
check "delta() with one input is a usage error" test $? -eq 2

# --- Resume: interrupt after 2 layers, resume, and compare with an uninterrupted run.
"$setol" analyze "$mlp" "$cnn" --format jsonl -o "$reports/full.jsonl" --threads 1 -q
SETOL_TEST_INTERRUPT_AFTER=2 "$setol" analyze "$mlp" "$cnn" --format jsonl -o "$reports/run.jsonl" --threads 1 -q
check "interrupted run exits 143" test $? -eq 143
check "interrupted run keeps header + 2 layers" test "$(wc -l <"$reports/run.jsonl")" -eq 3
printf '{"layer_id": 7, "na' >>"$reports/run.jsonl"   # a line cut short by the interruption
"$setol" analyze "$mlp" "$cnn" --format jsonl -o "$reports/run.jsonl" --threads 2 -q --resume --mp-fit 2>"$tmp/err"
check "resume with other options: exit 2" test $? -eq 2
check "resume with other options: says which" grep -q 'option mp_fit differs' "$tmp/err"
"$setol" analyze "$mlp" "$cnn" --format jsonl -o "$reports/run.jsonl" --threads 2 -q --resume
check "resume: exit 0" test $? -eq 0
cmp_runs() {
  python3 - "$1" "$2" <<'PY'
import json, sys
def load(p):
    lines = [json.loads(l) for l in open(p)]
    header, rows, last = lines[0], lines[1:-1], lines[-1]
    for k in ("threads", "output"): header["options"].pop(k, None)  # how and where it ran
    return header, sorted(json.dumps(r, sort_keys=True) for r in rows), last
a, b = load(sys.argv[1]), load(sys.argv[2])
sys.exit(0 if a == b else 1)
PY
}
cmp_runs "$reports/full.jsonl" "$reports/run.jsonl"
check "resumed report equals the uninterrupted one" test $? -eq 0
"$setol" analyze "$mlp" "$cnn" --format jsonl -o "$reports/run.jsonl" -q --resume 2>/dev/null
check "resume of a complete report: exit 0" test $? -eq 0
touch -d '2001-01-01' "$tmp/run/checkpoint-9/model.safetensors"
"$setol" analyze "$tmp/run/checkpoint-9" --format jsonl -o "$tmp/t.jsonl" -q
touch "$tmp/run/checkpoint-9/model.safetensors"
"$setol" analyze "$tmp/run/checkpoint-9" --format jsonl -o "$tmp/t.jsonl" -q --resume 2>"$tmp/err"
check "resume after the input changed: exit 2" test $? -eq 2
check "resume after the input changed: says so" grep -q 'has changed since' "$tmp/err"
"$setol" analyze "$mlp" --format json -o "$tmp/x.json" --resume 2>/dev/null
check "--resume without jsonl -o: usage error" test $? -eq 2

# SIGTERM during a JSON report: no report and no temporary file left.
mkdir -p "$tmp/sig"
SETOL_TEST_INTERRUPT_AFTER=1 "$setol" analyze "$mlp" --format json -o "$tmp/sig/r.json" --threads 1 -q
check "SIGTERM: exit 143" test $? -eq 143
check "SIGTERM: nothing left in the output folder" test -z "$(ls -A "$tmp/sig")"

# --- compare from the command line: itself, and across formats.
"$setol" compare "$mlp" "$mlp" --format json -o "$reports/self.json"
check "compare: exit 0" test $? -eq 0
python3 - "$reports/self.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
roles = [i["role"] for i in r["inputs"]]
deltas = [v for row in r["layers"] for k, v in row.items() if k.startswith("delta_")]
ok = roles == ["base", "other"] and len(deltas) > 60 and all(v == 0 for v in deltas) and all(row["cka"] == 1 for row in r["layers"])
sys.exit(0 if ok else 1)
PY
check "compare with itself: every delta 0, cka 1, roles recorded" test $? -eq 0
"$setol" compare "$mlp" "$data/formats/mlp3-fp8/fp8_e4m3_blockscale.safetensors" --format jsonl -o "$reports/fp8.jsonl"
check "compare across dtypes (FP8 against float32)" test "$(wc -l <"$reports/fp8.jsonl")" -eq 5
"$setol" compare "$mlp" "$tmp/bad.safetensors" --format json -o "$tmp/c.json" 2>"$tmp/err"
check "compare with a bad input: exit 2, no report" test $? -eq 2 -a ! -e "$tmp/c.json"

for f in csv table; do
  "$setol" compare "$mlp" "$data/corpus/mlp3-mnist10k-bs32-lr0.01/model.h5" --format $f >"$tmp/cmp.$f" 2>"$tmp/err"
  check "compare --format $f: exit 0" test $? -eq 0
  check "compare --format $f: Keras names matched by position, with a warning" grep -q 'matched by position' "$tmp/err"
done
check "compare csv: header and 3 rows" test "$(wc -l <"$tmp/cmp.csv")" -eq 4
check "compare csv: first columns" grep -q '^name,base_layer_id,other_layer_id,layer_type,N,M,status,' "$tmp/cmp.csv"
check "compare table: summary" grep -q 'mean cka               1.0000' "$tmp/cmp.table"

# --- Every other kind of report, then the schema check of all of them.
"$setol" analyze "$mlp" --format json --mp-fit --randomize --detx --setol --htmp -o "$reports/all.json"
"$setol" analyze "$cnn" --format jsonl --no-pool --fit TPL -o "$reports/slices.jsonl" -q
"$setol" analyze "$mlp" --format json --fix-fingers clip_xmax -o "$reports/clip.json"
"$setol" analyze "$mlp" "$gnubg" --format jsonl --summary -o "$reports/models.jsonl" -q
"$setol" describe "$mlp" --format json -o "$reports/describe.json"
"$setol" describe "$gnubg" --format jsonl -o "$reports/describe.jsonl"
"$setol" compare "$cnn" "$cnn" --no-pool --format json --mp-fit -o "$reports/compare-slices.json"
python3 "$src/tests/tools/validate_reports.py" "$src/docs/report.schema.json" "$reports"/*.json "$reports"/*.jsonl >"$tmp/schema.out"
check "every report conforms to docs/report.schema.json ($(tail -n 1 "$tmp/schema.out"))" test $? -eq 0
grep -v "documents checked" "$tmp/schema.out" | head -5
# The schema is not vacuous: a row with a misspelt column or a string alpha is rejected.
printf '{"layer_id": 0, "name": "x", "status": "success", "alpah": 1}\n' >"$tmp/bad1.jsonl"
printf '{"layer_id": 0, "name": "x", "status": "success", "alpha": "4"}\n' >"$tmp/bad2.jsonl"
for b in bad1 bad2; do
  python3 "$src/tests/tools/validate_reports.py" "$src/docs/report.schema.json" "$tmp/$b.jsonl" >/dev/null
  check "schema rejects $b" test $? -eq 1
done

finish
