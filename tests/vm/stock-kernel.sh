#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch a stock Debian kernel image package into the cache, without
# installing it on the host (the host's boot setup is not ours to touch).
#
#   stock-kernel.sh stock-6.1 | stock-6.12
#
# Prints a directory holding vmlinuz and lib/modules/<version>/, whose
# "build" link points at the matching installed headers (the KDIR).  The
# cache is keyed by package version, so a security update of the headers
# fetches the matching image once and nothing else.
set -euo pipefail

name=${1:?usage: stock-kernel.sh stock-6.1|stock-6.12}
cache=${CAMGATE_CACHE:-$HOME/.cache/camgate}
log() { echo "camgate: $*" >&2; }

# The image must match the installed headers exactly, so take the release
# from the headers' meta package (what deps.sh installed).
case "$name" in
stock-6.1) meta=linux-headers-amd64 ;;
stock-6.12) meta=linux-headers-6.12-amd64 ;;
*) log "unknown stock kernel '$name'"; exit 1 ;;
esac
hdrpkg=$(dpkg-query -W -f='${Depends}' "$meta" | grep -o 'linux-headers-[^ ,]*-amd64' | head -1)
[ -n "$hdrpkg" ] || { log "$meta is not installed (run tests/deps.sh)"; exit 1; }
kver=${hdrpkg#linux-headers-}
kdir=/usr/src/$hdrpkg
imgpkg=linux-image-$kver
pkgver=$(dpkg-query -W -f='${Version}' "$hdrpkg")
out=$cache/stock/$imgpkg-$pkgver

if [ ! -f "$out/.done" ]; then
	command -v depmod >/dev/null || PATH=$PATH:/sbin:/usr/sbin
	log "$name: fetching $imgpkg $pkgver"
	rm -rf "$out" && mkdir -p "$out/deb"
	# apt-get download writes into the current directory; the cache is
	# not the _apt user's to write, so do not drop to it.
	(cd "$out/deb" && apt-get download -q -o APT::Sandbox::User=root "$imgpkg=$pkgver" >&2)
	dpkg-deb -x "$out"/deb/*.deb "$out"
	rm -rf "$out/deb"
	cp "$out/boot/vmlinuz-$kver" "$out/vmlinuz"
	# The package ships no modules.dep: its postinst runs depmod.
	depmod -b "$out" "$kver"
	ln -sfn "$kdir" "$out/lib/modules/$kver/build"
	touch "$out/.done"
fi
echo "$out"
