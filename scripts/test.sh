#!/usr/bin/env bash
# Installs what is missing, builds `build` (GCC, ccache when present) and
# runs every test (benchmarks excluded: `meson test -C build --benchmark`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=${MSRP_JOBS:-$(nproc)}

scripts/setup-deps.sh

if [[ -f build/meson-private/coredata.dat ]]; then
    meson setup --reconfigure build
else
    meson setup build
fi
ninja -C build -j "$jobs"
meson test -C build --print-errorlogs --num-processes "$jobs"
