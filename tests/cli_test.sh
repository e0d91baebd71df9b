#!/usr/bin/env bash
# Command-line behaviour: exit codes, one-line errors naming the file, no partial output
# files, report formats, --fail-on, --dump-esd. Usage: cli_test.sh SETOL_BINARY DATA_DIR
set -u
setol=$1
data=$2
source "$(dirname "$0")/check.sh"
model=$data/corpus/mlp3-mnist10k-bs32-lr0.01/model.safetensors

# Bad input: exit 2, one line on stderr naming the file, no output file left behind.
bad_input() {  # bad_input LABEL FILE
  local label=$1 file=$2
  "$setol" analyze "$file" -o "$tmp/out.json" 2>"$tmp/err"
  local rc=$?
  check "$label: exit 2 (got $rc)" test "$rc" -eq 2
  check "$label: one stderr line" test "$(wc -l <"$tmp/err")" -eq 1
  check "$label: names the file" grep -qF "$file" "$tmp/err"
  check "$label: no output file" test ! -e "$tmp/out.json"
  check "$label: no temp file" test -z "$(ls -A "$tmp" | grep -v '^err$' | grep -v -e '^bad' -e '^esd' || true)"
}
head -c 100000 "$model" >"$tmp/bad_trunc.safetensors"
bad_input "truncated safetensors" "$tmp/bad_trunc.safetensors"
npy=$data/corpus/mlp3-mnist10k-bs32-lr0.01/npy/fc2.weight.npy
head -c 5000 "$npy" >"$tmp/bad_trunc.npy"
bad_input "truncated npy" "$tmp/bad_trunc.npy"
sed 's/(100, 300)/(100, 999)/' "$npy" >"$tmp/bad_lying.npy"
bad_input "lying npy header" "$tmp/bad_lying.npy"
h5=$data/corpus/mlp3-mnist10k-bs32-lr0.01/model.h5
head -c $(($(stat -c %s "$h5") / 2)) "$h5" >"$tmp/bad_trunc.h5"
bad_input "truncated h5" "$tmp/bad_trunc.h5"
bad_input "missing file" "$tmp/bad_nonexistent.safetensors"
printf 'garbage' >"$tmp/bad_garbage.bin"
bad_input "unknown format" "$tmp/bad_garbage.bin"

# Not regular files: a FIFO is refused at once (opening it would block), a symlink loop gets
# our own message; names with control characters stay on one line.
mkfifo "$tmp/bad_fifo.safetensors"
timeout 10 "$setol" analyze "$tmp/bad_fifo.safetensors" -o "$tmp/out.json" 2>"$tmp/err"
check "FIFO: exit 2 without blocking (got $?)" test "$(cat "$tmp/err" | grep -c 'not a regular file')" -eq 1
rm -f "$tmp/bad_fifo.safetensors"
ln -s "$tmp/bad_loop2" "$tmp/bad_loop1"
ln -s "$tmp/bad_loop1" "$tmp/bad_loop2"
"$setol" analyze "$tmp/bad_loop1" 2>"$tmp/err"
check "symlink loop: exit 2" test $? -eq 2
check "symlink loop: one line, our message" test "$(wc -l <"$tmp/err")" -eq 1 -a -n "$(grep 'setol: error:.*cannot access' "$tmp/err")"
rm -f "$tmp/bad_loop1" "$tmp/bad_loop2"
bad_nl="$tmp/bad_new
line.safetensors"
printf 'garbage' >"$bad_nl"
"$setol" analyze "$bad_nl" 2>"$tmp/err"
check "newline in a file name: one stderr line" test "$(wc -l <"$tmp/err")" -eq 1
rm -f "$bad_nl"

# Usage errors exit 2.
"$setol" analyze "$model" --no-such-option >/dev/null 2>&1
check "unknown option exits 2" test $? -eq 2
"$setol" analyze "$model" --fail-on 'nosuchcolumn>3' >/dev/null 2>&1
check "bad --fail-on exits 2" test $? -eq 2
SETOL_HDF5_TIMEOUT=soon "$setol" analyze "$h5" -o "$tmp/out.json" 2>"$tmp/err"
check "bad SETOL_HDF5_TIMEOUT exits 2" test $? -eq 2
check "bad SETOL_HDF5_TIMEOUT: one line naming the variable" test "$(grep -c 'SETOL_HDF5_TIMEOUT must be' "$tmp/err")" -eq 1 -a "$(wc -l <"$tmp/err")" -eq 1
check "bad SETOL_HDF5_TIMEOUT: no output file" test ! -e "$tmp/out.json"
for bad in 0 0.0004 1e3 -1 inf; do
  SETOL_HDF5_TIMEOUT=$bad "$setol" analyze "$h5" -o "$tmp/out.json" 2>"$tmp/err"
  check "SETOL_HDF5_TIMEOUT=$bad exits 2 naming the variable" test $? -eq 2 -a "$(grep -c 'SETOL_HDF5_TIMEOUT must be' "$tmp/err")" -eq 1
done
for good in 30 2.5; do
  SETOL_HDF5_TIMEOUT=$good "$setol" analyze "$h5" -o "$tmp/out.json" 2>"$tmp/err"
  check "SETOL_HDF5_TIMEOUT=$good reads the file" test $? -eq 0 -a -s "$tmp/out.json"
  rm -f "$tmp/out.json"
done
"$setol" --version | grep -q '^setol [0-9]'
check "--version" test $? -eq 0
"$setol" analyze --help | grep -q -- '--min-evals'
check "--help" test $? -eq 0

# Reports.
"$setol" analyze "$model" --format json -o "$tmp/r.json"
check "json exit 0" test $? -eq 0
check "json has schema_version" grep -q '"schema_version": 1' "$tmp/r.json"
check "json has summary" grep -q '"summary"' "$tmp/r.json"
check "json names fc3" grep -q '"name": "fc3.weight"' "$tmp/r.json"
"$setol" analyze "$model" -o "$tmp/r.csv"
check "csv from extension" test "$(head -c 18 "$tmp/r.csv")" = "layer_id,name,laye"
check "csv rows" test "$(wc -l <"$tmp/r.csv")" -eq 4
"$setol" analyze "$model" --format jsonl >"$tmp/r.jsonl"
check "jsonl lines = header + layers + summary" test "$(wc -l <"$tmp/r.jsonl")" -eq 5
check "jsonl first line is the run header" grep -q '"schema_version"' <(head -n 1 "$tmp/r.jsonl")
check "jsonl last line is the summary" grep -q '"summary"' <(tail -n 1 "$tmp/r.jsonl")
"$setol" analyze "$model" --format table | grep -q 'under-trained'
check "table shows warnings" test $? -eq 0
"$setol" describe "$model" --format table | grep -q 'fc1.weight'
check "describe" test $? -eq 0

# --fail-on gates CI: fc3 has alpha 8.08 in WeightWatcher's output for this model.
"$setol" analyze "$model" -q --fail-on 'alpha>6' >/dev/null 2>"$tmp/err"
check "fail-on matched exits 1" test $? -eq 1
check "fail-on names the layer" grep -q 'fc3.weight' "$tmp/err"
"$setol" analyze "$model" -q --fail-on 'alpha>100' >/dev/null
check "fail-on not matched exits 0" test $? -eq 0

# --dump-esd writes ascending float64 eigenvalues per layer.
"$setol" analyze "$model" -q --dump-esd "$tmp/esd" >/dev/null
check "dump-esd files" test -s "$tmp/esd/0.npy" -a -s "$tmp/esd/1.npy" -a -s "$tmp/esd/2.npy"
check "dump-esd size (fc3: 10 evals)" test "$(stat -c %s "$tmp/esd/2.npy")" -eq $((128 + 80))

# Diagnostics: same seed and thread count -> byte-identical JSON; another seed differs.
# (BLAS blocking depends on the thread count, which moves results in the last bits.)
for t in 1 2; do
  "$setol" analyze "$model" -q --randomize --mp-fit --detx --seed 3 --threads $t >"$tmp/a.json"
  "$setol" analyze "$model" -q --randomize --mp-fit --detx --seed 3 --threads $t >"$tmp/b.json"
  check "same seed, $t threads: byte-identical JSON" cmp -s "$tmp/a.json" "$tmp/b.json"
done
"$setol" analyze "$model" -q --randomize --mp-fit --detx --seed 4 --threads 2 >"$tmp/c.json"
check "other seed, other randomized values" test "$(grep -c max_rand_eval "$tmp/a.json")" -eq 3 -a -n "$(diff <(grep max_rand_eval "$tmp/a.json") <(grep max_rand_eval "$tmp/c.json"))"
check "seed recorded" grep -q '"seed": 3' "$tmp/a.json"
check "trap flag column" grep -q '"correlation_trap": false' "$tmp/a.json"
"$setol" analyze "$model" -q --randomize --dump-esd "$tmp/esd2" >/dev/null
check "dump-esd rand file (fc3: 5 replicas x 10)" test "$(stat -c %s "$tmp/esd2/2.rand.npy")" -eq $((128 + 400))
"$setol" analyze "$model" -q --fit TPL --fix-fingers clip_xmax >/dev/null 2>&1
check "TPL + clip_xmax is a usage error" test $? -eq 2

"$setol" analyze "$model" -q --fail-on 'name>3' >/dev/null 2>&1
check "fail-on a text column is a usage error" test $? -eq 2
"$setol" >/dev/null 2>&1
check "no command exits 2" test $? -eq 2

# describe CSV: names with commas and quotes are quoted (RFC 4180) and read back whole.
# A safetensors file written by hand: 8-byte little-endian header length, JSON header, data.
header='{"w,\"x\"":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}'
len=${#header}
{
  printf "$(printf '\\x%02x' $((len & 255)) $((len >> 8 & 255)) 0 0 0 0 0 0)"
  printf '%s' "$header"
  head -c 16 /dev/zero
} >"$tmp/quoted.safetensors"
"$setol" describe "$tmp/quoted.safetensors" --format csv >"$tmp/d.csv"
check "describe csv exit 0" test $? -eq 0
check "describe csv quotes a name with comma and quote" grep -qF '0,"w,""x""","(2, 2)",F32,dense' "$tmp/d.csv"

# PyTorch checkpoints: the same table as the safetensors file; a pickle that calls os.system
# is refused by name with exit 2, one line, and runs nothing.
formats=$data/formats/gnubg-nets-1.07
gnubg=$data/corpus/gnubg-nets-1.07/model.safetensors
"$setol" analyze "$gnubg" --format csv | cut -d, -f2- >"$tmp/st.csv"
for f in pytorch_model.bin model_legacy.pt sharded-bin weights.npz; do
  "$setol" analyze "$formats/$f" --format csv | cut -d, -f2- | sort >"$tmp/pt.csv"
  check "$f: same rows as safetensors" cmp -s <(sort "$tmp/st.csv") "$tmp/pt.csv"
done
printf '\x80\x02cposix\nsystem\nX\x14\x00\x00\x00touch /tmp/setol_pwn\x85R.' >"$tmp/evil.pt"
rm -f /tmp/setol_pwn
"$setol" analyze "$tmp/evil.pt" -o "$tmp/evil.json" 2>"$tmp/err"
check "hostile pickle: exit 2" test $? -eq 2
check "hostile pickle: one line naming file and global" test "$(wc -l <"$tmp/err")" -eq 1 -a -n "$(grep -F "$tmp/evil.pt" "$tmp/err" | grep -F posix.system)"
check "hostile pickle: nothing ran" test ! -e /tmp/setol_pwn
check "hostile pickle: no output file" test ! -e "$tmp/evil.json"

# The man page is generated next to the binary, from the same declarations as --help.
man_page=$(dirname "$setol")/setol.1
check "man page generated" test -s "$man_page"
plain=$(sed 's/\\-/-/g; s/\\&//g; s/\\f[BIR]//g' "$man_page")  # roff escapes removed
for opt in min-evals fail-on randomize dump-esd no-pool; do
  check "man page documents --$opt" grep -q -- "--$opt" <<<"$plain"
done
check "man page documents SETOL_HDF5_TIMEOUT" grep -q "^SETOL_HDF5_TIMEOUT$" <<<"$plain"
for f in json jsonl csv table; do
  check "man page lists format $f" grep -qx "$f" <<<"$plain"
done

# Every report written above conforms to docs/report.schema.json.
src=$(cd "$(dirname "$0")/.." && pwd)
python3 "$src/tests/tools/validate_reports.py" "$src/docs/report.schema.json" "$tmp/r.json" "$tmp/r.jsonl" \
  "$tmp/a.json" "$tmp/c.json" >"$tmp/schema.out"
check "reports conform to the schema ($(tail -n 1 "$tmp/schema.out"))" test $? -eq 0

finish
