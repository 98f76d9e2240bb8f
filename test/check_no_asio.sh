#!/usr/bin/env bash
# Fails when the sans-IO cores (lib/protocol, include/msrp/protocol, the
# session core lib/session/core and the headers it reads) include Asio or
# OpenSSL. Usage: check_no_asio.sh <source root>
set -euo pipefail
root=${1:-$(dirname "$0")/..}
# Asio, OpenSSL, or the internal headers that bring Asio in.
pattern='^[[:space:]]*#[[:space:]]*include[[:space:]]*([<"](asio|openssl)|".*(coroutine_helpers|wake_signal)\.hpp")'
status=0
for dir in lib/protocol include/msrp/protocol lib/session/core \
    include/msrp/session/session_options.hpp include/msrp/session/message_report.hpp \
    include/msrp/session/session_stats.hpp \
    lib/detail/ascii.hpp lib/detail/text_checks.hpp lib/detail/text_checks.cpp; do
    if [[ ! -e $root/$dir ]]; then
        echo "missing directory: $root/$dir" >&2
        status=1
        continue
    fi
    matches=$(find "$root/$dir" -type f -exec grep -nHE "$pattern" {} + || true)
    if [[ -n $matches ]]; then
        printf '%s\n' "$matches"
        status=1
    fi
done
if [[ $status -ne 0 ]]; then
    echo "FAIL: the sans-IO cores must not include Asio or OpenSSL (STYLE.md §2)" >&2
else
    echo "OK: the protocol and session cores include neither Asio nor OpenSSL"
fi
exit $status
