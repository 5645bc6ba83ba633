#!/usr/bin/env bash
# scripts/zig-cross.sh darwin [--check] x64|arm64, by the name
# scripts/build-codecs.sh's darwin lines call it (their text is in the darwin
# codecs' cache key: renaming the call there would rebuild them).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ ${1:-} == --check ]]; then exec bash "$here/zig-cross.sh" --check darwin "${2:-}"; fi
exec bash "$here/zig-cross.sh" darwin "$@"
