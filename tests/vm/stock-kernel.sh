#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch a stock Debian kernel image package into the cache, without
# installing it on the host (the host's boot setup is not ours to touch).
#
#   stock-kernel.sh stock-6.1 | stock-6.12 | stock-6.12-arm64 | stock-latest
#
# Prints a directory holding vmlinuz and lib/modules/<version>/, whose
# "build" link points at the matching installed headers (the KDIR).  For
# stock-6.12-arm64 the arm64 headers package is unpacked there too (not
# installed: deps.sh only enables the arm64 architecture in apt); its
# scripts are the host's linux-kbuild of the same version (Debian's
# headers are made for cross builds: their Makefile sets CROSS_COMPILE).  The
# cache is keyed by package version, so a security update of the headers
# fetches the matching image once and nothing else.
#
# stock-latest is the newest linux-image-amd64 of Debian 13's
# trixie-backports (7.3.4 in December 2026), resolved when the cache is
# filled: its index is read with an apt configuration of its own under
# $CAMGATE_CACHE/apt/trixie (the host's apt sources are not touched), the
# image and the packages it pins to its version (linux-binary-*,
# linux-modules-*, linux-base-*) are downloaded, and the choice is recorded
# in $CAMGATE_CACHE/stock/stock-latest: warm runs read that record and need
# no network.  Delete the record to move to a newer backports kernel.  Its
# headers are installed in a Debian 13 chroot (chroot.sh), where the build
# link points.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=${1:?usage: stock-kernel.sh stock-6.1|stock-6.12|stock-6.12-arm64|stock-latest}
command -v depmod >/dev/null || PATH=$PATH:/sbin:/usr/sbin

# apt-get or apt-cache on trixie and trixie-backports, with sources, lists
# and caches of their own (no _apt sandbox: the cache is root's).
trixie_apt() {
	local cmd=$1 d=$cache/apt/trixie

	shift
	"$cmd" -q -o APT::Sandbox::User=root -o Acquire::Languages=none \
		-o Dir::Etc::sourcelist="$d/sources.list" \
		-o Dir::Etc::sourceparts="$d/sources.list.d" \
		-o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache" "$@"
}

# Resolve trixie-backports' linux-image-amd64: prints "<image package>
# <version>", e.g. "linux-image-7.3.4+deb13-amd64 7.3.4-1~bpo13+1".
resolve_latest() {
	local d=$cache/apt/trixie mirror metaver

	mirror=$(debian_mirror)
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/sources.list.d"
	printf 'deb [arch=amd64] %s %s main\n' "$mirror" trixie "$mirror" trixie-backports \
		>"$d/sources.list"
	log "stock-latest: reading trixie-backports' index from $mirror"
	trixie_apt apt-get update >&2 || die "stock-latest: apt-get update failed"
	metaver=$(trixie_apt apt-cache madison linux-image-amd64 |
		  awk -F' [|] ' '$3 ~ / trixie-backports\// { print $2; exit }')
	[ -n "$metaver" ] || die "stock-latest: no linux-image-amd64 in trixie-backports"
	# The meta package depends on linux-image-<kver> (= <version>).
	trixie_apt apt-cache show "linux-image-amd64=$metaver" |
		sed -n 's/^Depends:.*\(linux-image-[^ ,]*\) (= \([^)]*\)).*/\1 \2/p' | head -n 1
}

# The image package and every package it pins to its own version,
# transitively (the kernel in linux-binary-*, linux-modules-*,
# linux-base-*), one a line.
image_closure() {
	local pkgver=$1 p dep todo=("$2") seen=" "

	while [ ${#todo[@]} -gt 0 ]; do
		p=${todo[0]}
		todo=("${todo[@]:1}")
		case "$seen" in *" $p "*) continue ;; esac
		seen+="$p "
		echo "$p"
		while read -r dep; do
			todo+=("$dep")
		done < <(trixie_apt apt-cache show "$p=$pkgver" | sed -n 's/^Depends: //p' |
			 tr ',|' '\n\n' | awk -v v="$pkgver" '$2 == "(=" && $3 == v ")" { print $1 }')
	done
}

# stock_latest: fetch (once) trixie-backports' newest amd64 image, make
# the chroot with its headers; prints the image's cache directory.
stock_latest() {
	local rec=$cache/stock/stock-latest imgpkg= pkgver= kver hdrpkg out root deb f
	local pkgs=()

	mkdir -p "$cache/stock"
	[ ! -f "$rec" ] || read -r imgpkg pkgver <"$rec"
	if [ -z "$pkgver" ]; then
		read -r imgpkg pkgver < <(resolve_latest)
		[ -n "${pkgver:-}" ] || die "stock-latest: linux-image-amd64 names no image"
	fi
	kver=${imgpkg#linux-image-}
	hdrpkg=linux-headers-$kver
	out=$cache/stock/$imgpkg-$pkgver
	if [ ! -f "$out/.done" ]; then
		[ -f "$cache/apt/trixie/sources.list" ] ||
			die "stock-latest: no trixie index: delete $rec and run again"
		mapfile -t pkgs < <(image_closure "$pkgver" "$imgpkg")
		log "stock-latest: fetching ${pkgs[*]} $pkgver (trixie-backports)"
		rm -rf "$out" && mkdir -p "$out/deb"
		(cd "$out/deb" && trixie_apt apt-get download "${pkgs[@]/%/=$pkgver}" >&2)
		for deb in "$out"/deb/*.deb; do dpkg-deb -x "$deb" "$out"; done
		rm -rf "$out/deb"
		# Debian 13's packages install under /usr/lib/modules (merged
		# /usr), the kernel as /usr/lib/modules/<kver>/vmlinuz; the
		# harness and depmod -b look under lib/modules.
		[ -e "$out/lib" ] || ln -s usr/lib "$out/lib"
		for f in "$out/boot/vmlinuz-$kver" "$out/lib/modules/$kver/vmlinuz" ""; do
			[ -z "$f" ] || [ ! -f "$f" ] || break
		done
		[ -n "$f" ] || die "stock-latest: no vmlinuz for $kver in ${pkgs[*]}"
		cp "$f" "$out/vmlinuz"
		depmod -b "$out" "$kver"
		touch "$out/.done"
	fi
	# The headers, in the chroot camgate is built in.
	root=$("$vmdir/chroot.sh" "$hdrpkg" "$pkgver")
	ln -sfn "$root/usr/src/$hdrpkg" "$out/lib/modules/$kver/build"
	echo "$imgpkg $pkgver" >"$rec"
	echo "$out"
}

if [ "$name" = stock-latest ]; then
	stock_latest
	exit 0
fi

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
