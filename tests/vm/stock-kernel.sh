#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch a stock Debian kernel image package into the cache, without
# installing it on the host (the host's boot setup is not ours to touch).
#
#   stock-kernel.sh stock-6.1 | stock-6.12 | stock-6.12-arm64
#
# Prints a directory holding vmlinuz and lib/modules/<version>/, whose
# "build" link points at the matching installed headers (the KDIR).  For
# stock-6.12-arm64 the arm64 headers package is unpacked there too (not
# installed: deps.sh only enables the arm64 architecture in apt); its
# scripts are the host's linux-kbuild of the same version (Debian's
# headers are made for cross builds: their Makefile sets CROSS_COMPILE).  The
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
stock-6.12 | stock-6.12-arm64) meta=linux-headers-6.12-amd64 ;;
*) log "unknown stock kernel '$name'"; exit 1 ;;
esac
hdrpkg=$(dpkg-query -W -f='${Depends}' "$meta" | grep -o 'linux-headers-[^ ,]*-amd64' | head -1)
[ -n "$hdrpkg" ] || { log "$meta is not installed (run tests/deps.sh)"; exit 1; }
pkgver=$(dpkg-query -W -f='${Version}' "$hdrpkg")
arch=
if [ "$name" = stock-6.12-arm64 ]; then
	# The same release as the amd64 headers, so that the installed
	# linux-kbuild (their scripts) matches.
	arch=:arm64
	hdrpkg=${hdrpkg%-amd64}-arm64
fi
kver=${hdrpkg#linux-headers-}
kdir=/usr/src/$hdrpkg
imgpkg=linux-image-$kver
out=$cache/stock/$imgpkg-$pkgver
[ -z "$arch" ] || kdir=$out/usr/src/$hdrpkg

if [ ! -f "$out/.done" ]; then
	command -v depmod >/dev/null || PATH=$PATH:/sbin:/usr/sbin
	log "$name: fetching $imgpkg $pkgver"
	rm -rf "$out" && mkdir -p "$out/deb"
	# apt-get download writes into the current directory; the cache is
	# not the _apt user's to write, so do not drop to it.
	pkgs=("$imgpkg$arch=$pkgver")
	[ -z "$arch" ] || pkgs+=("$hdrpkg$arch=$pkgver")
	(cd "$out/deb" && apt-get download -q -o APT::Sandbox::User=root "${pkgs[@]}" >&2)
	for d in "$out"/deb/*.deb; do dpkg-deb -x "$d" "$out"; done
	rm -rf "$out/deb"
	if [ -n "$arch" ]; then
		# The headers' scripts and tools links are relative
		# (../../lib/linux-kbuild-*): point them at the host's.
		kb=$(readlink "$kdir/scripts")
		kb=${kb#../../lib/}
		kb=${kb%/scripts}
		[ -d "/usr/lib/$kb" ] || { log "$name: /usr/lib/$kb missing (install ${kb%%/*})"; exit 1; }
		mkdir -p "$out/usr/lib"
		ln -sfn "/usr/lib/$kb" "$out/usr/lib/$kb"
	fi
	cp "$out/boot/vmlinuz-$kver" "$out/vmlinuz"
	# The package ships no modules.dep: its postinst runs depmod.
	depmod -b "$out" "$kver"
	ln -sfn "$kdir" "$out/lib/modules/$kver/build"
	touch "$out/.done"
fi
echo "$out"
