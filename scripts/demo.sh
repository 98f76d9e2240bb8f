#!/usr/bin/env bash
# Installs what is missing, builds the `msrp` tool and runs `msrp demo`:
# Alice and Bob chat over MSRP on 127.0.0.1 in one process (CPIM-wrapped
# messages, is-composing, delivery reports). Arguments go to `msrp demo`
# (--json, --log text|json).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=${MSRP_JOBS:-$(nproc)}

scripts/setup-deps.sh

if [[ ! -f build/meson-private/coredata.dat ]]; then
    meson setup build
fi
ninja -C build -j "$jobs" tools/msrp
exec build/tools/msrp demo "$@"
