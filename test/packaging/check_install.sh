#!/usr/bin/env bash
# Checks that msrp-asio can be consumed the two documented ways:
#  1. installed (meson install --destdir) and found with pkg-config msrp-asio;
#  2. as a meson subproject, with dependency('msrp-asio').
# Usage: check_install.sh [BUILD_DIR]  (a configured build dir to install from;
# without one, a temporary one is configured with tests and benchmarks off).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
jobs=${MSRP_JOBS:-$(nproc)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

build=${1:-}
if [[ -z $build ]]; then
    build=$tmp/build
    meson setup "$build" "$root" -Dtests=false -Dbench=false >/dev/null
fi
ninja -C "$build" -j "$jobs" >/dev/null

cat > "$tmp/consumer.cpp" <<'CPP'
#include <msrp/connect/connector.hpp>
#include <msrp/protocol/chunk_reader.hpp>
#include <msrp/protocol/error.hpp>
#include <msrp/transport/tls.hpp>

#include <asio/io_context.hpp>

#include <cstdio>
#include <string_view>

int main() {
    constexpr std::string_view wire =
        "MSRP a786hjs2 SEND\r\n"
        "To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n"
        "From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n"
        "Message-ID: 87652491\r\n"
        "Byte-Range: 1-25/25\r\n"
        "Content-Type: text/plain\r\n"
        "\r\n"
        "Hey Bob, are you there?\r\n"
        "-------a786hjs2$\r\n";
    msrp::Chunk chunk;
    if (auto ec = msrp::parse_chunk(wire, chunk)) {
        std::printf("parse_chunk failed: %s\n", ec.message().c_str());
        return 1;
    }
    if (chunk.transaction_id != "a786hjs2" || chunk.method != "SEND" ||
        chunk.data != "Hey Bob, are you there?") {
        std::printf("parsed the wrong chunk\n");
        return 1;
    }
    // The coroutine layers link too (Asio's compiled part, OpenSSL).
    asio::io_context ctx{1};
    auto connector = msrp::get_connector(ctx.get_executor(), std::nullopt);
    const auto fp = msrp::tls::fingerprint(msrp::tls::default_credentials().certificate_pem);
    if (!connector || fp.rfind("sha-256 ", 0) != 0) {
        std::printf("transport layer unusable\n");
        return 1;
    }
    std::printf("ok: %s %s, %zu body bytes\n", chunk.transaction_id.c_str(),
                chunk.method.c_str(), chunk.data.size());
    return 0;
}
CPP

echo "== install into a DESTDIR, build a consumer with pkg-config"
dest=$tmp/dest
meson install -C "$build" --destdir "$dest" --no-rebuild --quiet
pc=$(find "$dest" -name msrp-asio.pc -print -quit)
if [[ -z $pc ]]; then
    echo "FAIL: msrp-asio.pc was not installed" >&2
    exit 1
fi
incdir=$(dirname "$(find "$dest" -type d -path '*/include/msrp' -print -quit)")
diff <(cd "$root/include" && find msrp -type f | sort) \
     <(cd "$incdir" && find msrp -type f | sort) ||
    { echo "FAIL: installed headers differ from include/" >&2; exit 1; }
PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_PATH
cflags=$(pkg-config --cflags msrp-asio)
libs=$(pkg-config --libs msrp-asio)
echo "pkg-config --cflags: $cflags"
echo "pkg-config --libs:   $libs"
# shellcheck disable=SC2086  # the flags are words
c++ $cflags "$tmp/consumer.cpp" -o "$tmp/consumer-pc" $libs
"$tmp/consumer-pc"
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_PATH

echo "== use msrp-asio as a meson subproject"
proj=$tmp/subproject-consumer
mkdir -p "$proj/subprojects"
ln -s "$root" "$proj/subprojects/msrp-asio"
cp "$tmp/consumer.cpp" "$proj/"
cat > "$proj/meson.build" <<'MESON'
project('msrp-consumer', 'cpp', default_options: ['cpp_std=c++20'])
msrp = dependency('msrp-asio', fallback: 'msrp-asio')
assert(dependency('msrp-protocol').found())
test('consumer', executable('consumer', 'consumer.cpp', dependencies: msrp))
MESON
meson setup "$proj/build" "$proj" --buildtype=debug >/dev/null
ninja -C "$proj/build" -j "$jobs" >/dev/null
"$proj/build/consumer"

echo "PASS: installed and subproject consumers build and run"
