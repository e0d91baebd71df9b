#!/usr/bin/env bash
# The HTML report in a real browser (headless Chromium): it renders (the screenshot is not blank),
# its script runs to the end without an error (the page marks <body data-ready="1">, and
# window.onerror would mark data-js-error), and the browser logs no console error. A page with a
# deliberate script error must be caught by the same checks. Skipped (exit 77) without chromium.
# Usage: html_test.sh SETOL_BINARY PNG_INFO_BINARY DATA_DIR
set -u
setol=$1
png_info=$2
data=$3
source "$(dirname "$0")/check.sh"
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then echo "chromium not installed: skipped"; exit 77; fi
run_browser() {  # run_browser FILE MODE(screenshot|dom) OUT
  local flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --enable-logging=stderr --v=0
               --user-data-dir="$tmp/profile" --window-size=1280,1400)
  if [ "$2" = screenshot ]; then
    timeout 90 "$browser" "${flags[@]}" --screenshot="$3" "file://$1" >/dev/null 2>"$3.log"
  else
    timeout 90 "$browser" "${flags[@]}" --dump-dom "file://$1" >"$3" 2>"$3.log"
  fi
}
page_ok() {  # page_ok DOM LOG: data-ready set, no script error, no console error
  grep -q '<body[^>]*data-ready="1"' "$1" && ! grep -q '<body[^>]*data-js-error' "$1" &&
    ! grep -E 'CONSOLE|Uncaught' "$2" | grep -qiv 'favicon'
}

model=$data/corpus/cnn-fashion-bs64-lr0.01/model.safetensors
"$setol" analyze "$model" --mp-fit --randomize --setol --htmp -q --html "$tmp/report.html" -o "$tmp/report.json"
check "html written" test -s "$tmp/report.html"
check "html is self-contained (no src/href to fetch)" test -z "$(grep -oiE '(src|href)="(https?:)?//' "$tmp/report.html")"
run_browser "$tmp/report.html" screenshot "$tmp/shot.png"
read -r w h inked < <("$png_info" "$tmp/shot.png")
check "screenshot decodes at 1280x1400 (got ${w:-?}x${h:-?})" test "${w:-0}" -eq 1280 -a "${h:-0}" -eq 1400
check "screenshot is not blank (${inked:-0} inked pixels)" test "${inked:-0}" -gt 50000
run_browser "$tmp/report.html" dom "$tmp/dom.html"
page_ok "$tmp/dom.html" "$tmp/dom.html.log"
check "script ran to the end, no console error" test $? -eq 0
check "every analyzed layer has its figures inline" test "$(grep -o 'data-kind="esd"' "$tmp/dom.html" | wc -l)" -eq 3

# The checks catch a broken page.
sed 's|document.body.setAttribute(.data-ready., .1.);|undefinedFunction();|' "$tmp/report.html" >"$tmp/broken.html"
run_browser "$tmp/broken.html" dom "$tmp/broken-dom.html"
page_ok "$tmp/broken-dom.html" "$tmp/broken-dom.html.log"
check "a script error is detected" test $? -ne 0

# Several inputs: the models table and the checkpoint figure.
"$setol" analyze "$model" "$data/corpus/mlp3-mnist10k-bs32-lr0.01/model.safetensors" -q --html "$tmp/batch.html" \
  --format csv >/dev/null
run_browser "$tmp/batch.html" dom "$tmp/batch-dom.html"
page_ok "$tmp/batch-dom.html" "$tmp/batch-dom.html.log"
check "batch report: renders without error" test $? -eq 0
check "batch report: checkpoint figure" grep -q 'data-kind="alpha-checkpoints"' "$tmp/batch-dom.html"
# A comparison page.
"$setol" compare "$data/corpus/mlp3-mnist10k-bs32-lr0.01/model.safetensors" \
  "$data/formats/mlp3-fp8/fp8_e4m3_blockscale.safetensors" -q --html "$tmp/compare.html" --format csv >/dev/null
run_browser "$tmp/compare.html" dom "$tmp/compare-dom.html"
page_ok "$tmp/compare-dom.html" "$tmp/compare-dom.html.log"
check "compare report: renders without error" test $? -eq 0
check "compare report: both ESDs of every layer" test "$(grep -o 'data-kind="compare-esd"' "$tmp/compare-dom.html" | wc -l)" -eq 3
finish
