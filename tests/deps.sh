#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install, with apt-get, whatever the tests and the demo need and is missing.
# Quiet and offline when everything is already there.  Kernel images are
# not installed on the host: tests/vm/stock-kernel.sh fetches them into the
# cache, for the VMs only.
set -euo pipefail

pkgs=(qemu-system-x86 busybox-static v4l-utils sparse build-essential bc bison flex
      libelf-dev libssl-dev cpio xz-utils zstd kmod linux-headers-amd64
      linux-headers-6.12-amd64 linux-source-6.12 dwarves python3 rsync udev)

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

[ "$(id -u)" = 0 ] || { echo "camgate: missing packages: ${missing[*]} (run as root to install them)" >&2; exit 1; }
echo "camgate: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
