#!/usr/bin/env bash
# offloop under Bun and Deno (their registry builds, fetched and cached by
# scripts/node-dist.sh), with this checkout's build and compiled lib/:
# test/runtimes/smoke.mjs (kernels, image files) and the CLI (gray on a
# folder with --json: exit 0 and the output; a usage error: exit 2).
# A runtime that cannot be fetched is SKIPPED, saying so.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "runtime-smoke: $*"; }
work=$(mktemp -d "${TMPDIR:-/tmp}/offloop-runtimes-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/in"
cp test/fixtures/images/jpeg/ycc-420-base-61x37.jpg "$work/in/a.jpg"
failed=0
for runtime in bun deno; do
  case $runtime in
    bun) dir=$(bash scripts/node-dist.sh @oven/bun-linux-x64@1) && exe=("$dir/bin/bun") ;;
    deno) dir=$(bash scripts/node-dist.sh @deno/linux-x64-glibc@2) && exe=("$dir/deno" run -A) ;;
  esac || { say "SKIPPED $runtime: its registry package could not be had"; continue; }
  start=$SECONDS
  "${exe[@]}" test/runtimes/smoke.mjs "$work" || failed=1
  status=0
  "${exe[@]}" dist/cjs/cli/main.js gray "$work/in" -o "$work/out-$runtime" --json >"$work/$runtime.json" || status=$?
  if [[ $status -eq 0 && -s $work/out-$runtime/a.jpg ]] && grep -q '"processed":1' "$work/$runtime.json"; then
    say "$runtime: CLI gray --json: exit 0, the output written"
  else
    say "FAILED $runtime: CLI gray exited $status: $(tail -c 400 "$work/$runtime.json")"
    failed=1
  fi
  status=0
  "${exe[@]}" dist/cjs/cli/main.js gray "$work/in" --no-such-flag >/dev/null 2>&1 || status=$?
  [[ $status -eq 2 ]] && say "$runtime: CLI usage error: exit 2" || { say "FAILED $runtime: CLI usage error exited $status"; failed=1; }
  say "$runtime: $((SECONDS - start)) s"
done
[[ $failed == 0 ]] || { say "FAILED"; exit 1; }
say "ok"
