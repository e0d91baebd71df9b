#!/usr/bin/env bash
# Figures from the command line: analyze --plot writes every kind as SVG and PNG, `setol plot`
# redraws the same bytes from the saved report and --dump-esd folder (one input and several),
# every SVG is well-formed XML, every PNG decodes at 640x480, and the progress line appears only
# on a terminal. Usage: figures_test.sh SETOL_BINARY PNG_INFO_BINARY DATA_DIR
set -u
setol=$1
png_info=$2
data=$3
source "$(dirname "$0")/check.sh"
mlp=$data/corpus/mlp3-mnist10k-bs32-lr0.01/model.safetensors
cnn=$data/corpus/cnn-fashion-bs64-lr0.01/model.safetensors

"$setol" analyze "$mlp" --mp-fit --randomize --detx --setol --htmp -q --plot "$tmp/a" --plot-format both \
  --html "$tmp/a.html" --dump-esd "$tmp/esd" -o "$tmp/r.json"
check "analyze --plot: exit 0" test $? -eq 0
for k in esd esd-lin ks rand erg; do
  check "layer figure $k (3 layers, svg and png)" test "$(ls "$tmp/a" | grep -c "\.$k\.\(svg\|png\)$")" -eq 6
done
for k in alpha alpha-hist funnel; do check "model figure $k" test -s "$tmp/a/model.$k.svg" -a -s "$tmp/a/model.$k.png"; done
"$setol" plot "$tmp/r.json" --esd "$tmp/esd" -o "$tmp/b" --plot-format both --html "$tmp/b.html"
check "setol plot: exit 0" test $? -eq 0
check "setol plot: the same files, byte for byte" diff -r "$tmp/a" "$tmp/b"
check "setol plot: the same HTML" cmp -s "$tmp/a.html" "$tmp/b.html"

python3 - "$tmp/a" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
files = glob.glob(sys.argv[1] + "/*.svg")
for f in files:
    root = ET.parse(f).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg", f
sys.exit(0 if len(files) == 18 else 1)
PY
check "every SVG parses as XML" test $? -eq 0
bad=0
for p in "$tmp"/a/*.png; do
  [ "$("$png_info" "$p" | cut -d' ' -f1-2)" = "640 480" ] || bad=$((bad + 1))
done
check "every PNG decodes at 640x480" test "$bad" -eq 0

# Several inputs (a JSONL report this time): figures per input in DIR/<k>, the checkpoint figure.
"$setol" analyze "$mlp" "$cnn" -q --plot "$tmp/c" --dump-esd "$tmp/esd2" --format jsonl -o "$tmp/r2.jsonl"
# Natural order: corpus/cnn-... is input 0 (its conv1 is skipped: too few eigenvalues), mlp3 input 1.
check "batch: per-input folders" test -s "$tmp/c/0/1_conv2.weight.esd.svg" -a -s "$tmp/c/1/2_fc3.weight.esd.svg"
check "batch: alpha across inputs" test -s "$tmp/c/model.alpha-checkpoints.svg"
"$setol" plot "$tmp/r2.jsonl" --esd "$tmp/esd2" -o "$tmp/d"
check "batch: setol plot from JSONL gives the same bytes" diff -r "$tmp/c" "$tmp/d"
"$setol" plot "$tmp/r.json" --esd "$tmp/nowhere" -o "$tmp/e" 2>"$tmp/err"
check "plot without the eigenvalues: exit 2 naming the file" test $? -eq 2 -a -n "$(grep nowhere "$tmp/err")"

# A report or eigenvalue file read back is input: a row without layer_id or an eigenvalue that is
# not finite is exit 2 naming the file; absurd numbers in the rows and missing fields (edited by
# hand) still draw, with no undefined conversion or read of a missing key (the ASan+UBSan run
# prints any "runtime error" on stderr).
python3 - "$tmp" <<'PY'
import json, struct, sys
t = sys.argv[1]
r = json.load(open(t + "/r.json"))
bad = json.loads(json.dumps(r))
del bad["layers"][0]["layer_id"]
json.dump(bad, open(t + "/no-id.json", "w"))
for row in r["layers"]:
    row.update({"N": 1e300, "num_spikes": 1e300, "alpha": 1e300})
del r["tool"], r["inputs"][0]["tensors"], r["layers"][1]["stable_rank"]  # fields only the HTML shows
json.dump(r, open(t + "/absurd.json", "w"))
header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }"
header += " " * (127 - 10 - len(header)) + "\n"
with open(t + "/inf.npy", "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + struct.pack("<2d", 1.0, float("inf")))
PY
"$setol" plot "$tmp/no-id.json" --esd "$tmp/esd" -o "$tmp/f" 2>"$tmp/err"
check "plot of a row without layer_id: exit 2" test $? -eq 2
check "plot of a row without layer_id: one line naming the file and the row" \
  bash -c '[ "$(wc -l < "$1")" -eq 1 ] && grep -q "no-id.json: not a setol analyze report: layer row 1: \"layer_id\" is not an integer" "$1"' _ "$tmp/err"
check "plot of a row without layer_id: no figures" test ! -e "$tmp/f"
"$setol" plot "$tmp/absurd.json" --esd "$tmp/esd" -o "$tmp/g" --html "$tmp/g.html" 2>"$tmp/err"
check "plot of absurd numbers and missing fields: exit 0, nothing on stderr" test $? -eq 0 -a ! -s "$tmp/err"
check "plot of absurd numbers: the spectra still drawn" test -s "$tmp/g/0_fc1.weight.esd.svg"
check "plot of missing fields: the HTML report written" grep -q "1e+300" "$tmp/g.html"
cp -r "$tmp/esd" "$tmp/esd-inf" && cp "$tmp/inf.npy" "$tmp/esd-inf/0.npy"
"$setol" plot "$tmp/r.json" --esd "$tmp/esd-inf" -o "$tmp/h" 2>"$tmp/err"
check "plot of an infinite eigenvalue: exit 2 naming the file" \
  bash -c '[ $0 -eq 2 ] && grep -q "esd-inf/0.npy: holds an eigenvalue that is not a finite number" "$1"' $? "$tmp/err"

# Progress: on a terminal (script(1) gives the command one), not otherwise, not with --quiet.
script -qfec "$setol analyze $cnn --format csv -o $tmp/p.csv" /dev/null >"$tmp/tty.out" 2>&1
check "progress on a terminal: layers, elapsed, ETA" grep -q '\[[0-9]*/4\] .*elapsed .*ETA' "$tmp/tty.out"
check "progress line erased at the end" grep -q $'\r\x1b\[K' "$tmp/tty.out"
script -qfec "$setol analyze $cnn --format csv -q -o $tmp/p.csv" /dev/null >"$tmp/tty-q.out" 2>&1
check "--quiet: nothing" test ! -s "$tmp/tty-q.out"
"$setol" analyze "$cnn" --format csv -o "$tmp/p.csv" 2>"$tmp/notty.err"
check "not a terminal: nothing on stderr" test ! -s "$tmp/notty.err"
finish
