#!/usr/bin/env bash
# Installs what is missing, builds the msrp-parse tool and runs it on a few
# of the shared test vectors: each chunk is printed as one JSON object.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=${MSRP_JOBS:-$(nproc)}
vectors=${MSRP_VECTORS_DIR:-$root/../shared/vectors}

scripts/setup-deps.sh

if [[ ! -f build/meson-private/coredata.dat ]]; then
    meson setup build
fi
ninja -C build -j "$jobs" tools/msrp-parse
parse=build/tools/msrp-parse

if [[ ! -d $vectors ]]; then
    echo "test vectors not found at $vectors (set MSRP_VECTORS_DIR)" >&2
    exit 1
fi

show() {
    echo
    echo "\$ msrp-parse $*"
}

for v in rfc4975-s4-fig2-send.msrp valid-edge/edge09-msrps-relay-path.msrp \
         rfc4975-s11.6-fig17-report.msrp valid-edge/edge20-binary-body.msrp; do
    show "$v"
    "$parse" "$vectors/$v"
done

# Several chunks in one stream, read from stdin.
show "< rfc4975-s4-fig2-send.msrp + rfc4975-s4-fig2-200ok.msrp"
cat "$vectors/rfc4975-s4-fig2-send.msrp" "$vectors/rfc4975-s4-fig2-200ok.msrp" | "$parse"

# A malformed chunk: the error, its code and the MSRP status to answer with.
show "invalid/inv22-end-line-wrong-tid.msrp"
status=0
"$parse" "$vectors/invalid/inv22-end-line-wrong-tid.msrp" || status=$?
echo "(exit status $status)"
