#!/usr/bin/env bash
# Installs the Debian 12 packages msrp-asio needs to build, test and fuzz.
# As root it installs what is missing; otherwise it prints the command to run.
set -euo pipefail

packages=(
    meson ninja-build pkg-config g++ clang libclang-rt-14-dev llvm ccache
    libasio-dev libssl-dev catch2 nlohmann-json3-dev tshark python3
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed'; then
        missing+=("$p")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

# tshark's postinst asks whether non-root users may capture: answer no, quietly.
preseed='wireshark-common wireshark-common/install-setuid boolean false'

if [[ $(id -u) -ne 0 ]]; then
    echo "missing packages: ${missing[*]}" >&2
    echo "install them with:" >&2
    echo "  echo '$preseed' | sudo debconf-set-selections && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi

echo "installing: ${missing[*]}"
echo "$preseed" | debconf-set-selections
export DEBIAN_FRONTEND=noninteractive

install() {
    apt-get install -y --no-install-recommends "${missing[@]}"
}

# Refresh the package lists only when there are none or the install fails.
if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
    apt-get update
    install
elif ! install; then
    apt-get update
    install
fi
