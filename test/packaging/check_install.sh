#!/usr/bin/env bash
# Checks that msrp-asio can be consumed the two documented ways:
#  1. installed (meson install --destdir) and found with pkg-config msrp-asio,
#     as static and as shared libraries;
#  2. as a meson subproject, with dependency('msrp-asio').
# For each install: its headers are include/'s; msrp-asio.pc requires
# nothing but OpenSSL (no nlohmann_json: no installed header includes it),
# and a consumer builds with a pkg-config search path that holds only the
# install and OpenSSL's .pc files; every example/*.cpp compiles against the
# install (the kind of BUILD_DIR; for the other kind a consumer and one
# example), and one example runs from it over 127.0.0.1.
#
# Usage: check_install.sh [--one-kind] [BUILD_DIR]
#   BUILD_DIR  a configured build dir to install from (CI: build); without
#              one, a temporary one is configured with tests and benchmarks off.
#   The other library kind (shared for a static BUILD_DIR, static for a
#   shared one) is built in a temporary dir with tests and benchmarks off,
#   unless --one-kind is given.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
jobs=${MSRP_JOBS:-$(nproc)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

one_kind=false
if [[ ${1:-} == --one-kind ]]; then
    one_kind=true
    shift
fi
build=${1:-}
if [[ -z $build ]]; then
    build=$tmp/build
    meson setup "$build" "$root" -Dtests=false -Dbench=false >/dev/null
fi
ninja -C "$build" -j "$jobs" >/dev/null

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# The library kind a build dir was configured with: static, shared or both.
library_kind() {
    meson introspect --buildoptions "$1" |
        python3 -c 'import json, sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "default_library"))'
}

# A directory with the .pc files of OpenSSL and of what it requires, and
# nothing else: the pkg-config search path of a system without nlohmann_json.
deps_pc=$tmp/pc-deps
mkdir -p "$deps_pc"
pending=(openssl)
while [[ ${#pending[@]} -gt 0 ]]; do
    name=${pending[0]}
    pending=("${pending[@]:1}")
    [[ -e $deps_pc/$name.pc ]] && continue
    cp "$(pkg-config --variable=pcfiledir "$name")/$name.pc" "$deps_pc/"
    mapfile -t -O "${#pending[@]}" pending < <(
        pkg-config --print-requires --print-requires-private "$name" | awk '{print $1}')
done

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

# check_installed BUILD_DIR KIND EXAMPLES...: installs BUILD_DIR (libraries
# of KIND) into a DESTDIR, builds the consumer and EXAMPLES (example/ file
# names) with pkg-config, runs the consumer and the server example.
check_installed() {
    local from=$1 kind=$2
    shift 2
    local dest=$tmp/dest-$kind out=$tmp/out-$kind
    echo "== $kind libraries: install into a DESTDIR, build a consumer and examples with pkg-config"
    mkdir -p "$out"
    meson install -C "$from" --destdir "$dest" --no-rebuild --quiet
    local pc
    pc=$(find "$dest" -name msrp-asio.pc -print -quit)
    [[ -n $pc ]] || fail "msrp-asio.pc was not installed"
    local incdir libdir
    incdir=$(dirname "$(find "$dest" -type d -path '*/include/msrp' -print -quit)")
    diff <(cd "$root/include" && find msrp -type f | sort) \
         <(cd "$incdir" && find msrp -type f | sort) ||
        fail "installed headers differ from include/"
    libdir=$(dirname "$(find "$dest" -name 'libmsrp-asio.*' -print -quit)")
    case $kind in
        static) [[ -e $libdir/libmsrp-asio.a && ! -e $libdir/libmsrp-asio.so ]] ||
                    fail "a static build installed $(ls "$libdir")" ;;
        shared) [[ -e $libdir/libmsrp-asio.so && ! -e $libdir/libmsrp-asio.a ]] ||
                    fail "a shared build installed $(ls "$libdir")" ;;
    esac

    # The .pc as if installed with prefix=$dest/<prefix> (a sysroot would
    # also move OpenSSL's /usr paths into $dest), on a search path of it and
    # OpenSSL only: a Requires of anything else fails here.
    local pcdir=$tmp/pc-$kind
    mkdir -p "$pcdir"
    sed "s|^prefix=|prefix=$dest|" "$pc" > "$pcdir/msrp-asio.pc"
    pc_install() {
        env -u PKG_CONFIG_PATH -u PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR="$pcdir:$deps_pc" pkg-config "$@"
    }
    local requires
    requires=$(env PKG_CONFIG_PATH="$pcdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}" \
        pkg-config --print-requires --print-requires-private msrp-asio | tr '\n' ' ')
    echo "pkg-config --print-requires --print-requires-private: $requires"
    if grep -qi nlohmann <<<"$requires"; then
        fail "msrp-asio.pc requires nlohmann_json, which no installed header includes"
    fi
    ! pc_install --exists nlohmann_json || fail "nlohmann_json.pc is on the restricted search path"
    local cflags libs
    if ! cflags=$(pc_install --cflags msrp-asio) || ! libs=$(pc_install --libs msrp-asio); then
        fail "pkg-config msrp-asio needs more than the install and OpenSSL"
    fi
    echo "pkg-config --cflags: $cflags"
    echo "pkg-config --libs:   $libs"

    # shellcheck disable=SC2086  # the flags are words
    c++ $cflags "$tmp/consumer.cpp" -o "$out/consumer" $libs
    # Each example as an application would build it (exit 255 stops xargs).
    # shellcheck disable=SC2016  # $1... are the inner shell's
    printf '%s\n' "$@" | xargs -P "$jobs" -I{} sh -c \
        'c++ $1 "$2/example/$3" -o "$4/$(basename "$3" .cpp)" $5 ||
         { echo "FAIL: example/$3 does not build against the install" >&2; exit 255; }' \
        sh "$cflags" "$root" {} "$out" "$libs"
    echo "built consumer and $# examples: $*"

    # A shared build's libraries come from the install, not the build dir;
    # a static build's are in the programs.
    local run_env=(env)
    if [[ $kind == shared ]]; then
        run_env=(env "LD_LIBRARY_PATH=$libdir")
        "${run_env[@]}" ldd "$out/consumer" | grep libmsrp
        if "${run_env[@]}" ldd "$out/consumer" | grep libmsrp | grep -qv "=> $libdir/"; then
            fail "the consumer does not load msrp-asio's libraries from the install"
        fi
    elif ldd "$out/consumer" | grep -q libmsrp; then
        fail "a consumer of the static install loads a shared libmsrp"
    fi
    "${run_env[@]}" "$out/consumer"
    if ! timeout 120 "${run_env[@]}" "$out/server" --self-test 4 > "$out/server.log" 2>&1; then
        cat "$out/server.log" >&2
        fail "example/server.cpp built against the install: its self-test failed"
    fi
    tail -n 1 "$out/server.log"
}

given_kind=$(library_kind "$build")
mapfile -t examples < <(cd "$root/example" && ls -- *.cpp)
case $given_kind in
    static|shared) check_installed "$build" "$given_kind" "${examples[@]}" ;;
    *) fail "$build has default_library=$given_kind; give a static or a shared build dir" ;;
esac
if ! $one_kind; then
    other_kind=shared
    [[ $given_kind == shared ]] && other_kind=static
    other=$tmp/build-$other_kind
    echo "== configure and build a $other_kind build (tests and benchmarks off)"
    meson setup "$other" "$root" -Ddefault_library=$other_kind -Dtests=false -Dbench=false >/dev/null
    ninja -C "$other" -j "$jobs" >/dev/null
    check_installed "$other" "$other_kind" server.cpp
fi

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

echo "PASS: installed ($given_kind$($one_kind || echo " and $other_kind")) and subproject consumers build and run"
