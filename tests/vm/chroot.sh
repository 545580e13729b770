#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A Debian 13 (trixie) chroot to build camgate for a trixie-backports kernel.
#
#   chroot.sh HEADERS-PACKAGE VERSION     e.g. linux-headers-7.3.4+deb13-amd64 7.3.4-1~bpo13+1
#
# Prints the chroot's directory on stdout.  The 7.x headers' build tools
# (linux-kbuild-7.x) are linked against Debian 13's libc, and their
# Makefile includes /usr/src/linux-headers-*-common by absolute path: the
# module is built inside the chroot (build-module.sh), with Debian 13's gcc.
# The chroot is made once with debootstrap from the Debian mirror the host
# uses, then apt inside it (its own sources: trixie and trixie-backports,
# the host's apt configuration is not touched) installs the build tools and
# that headers package with its linux-kbuild.  Cached under
# $CAMGATE_CACHE/chroot/trixie-<key>, the key a hash of the headers
# package, its version, the mirror and this script; built into a .tmp
# directory and renamed when complete, under a lock, so that concurrent
# runs wait for one build and never see half a chroot.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

hdrpkg=${1:?usage: chroot.sh HEADERS-PACKAGE VERSION}
pkgver=${2:?usage: chroot.sh HEADERS-PACKAGE VERSION}
suite=trixie
mirror=$(debian_mirror)
# pahole: BTF of the module (kbuild runs it when the tree has
# CONFIG_DEBUG_INFO_BTF_MODULES).  dkms: tests/dkms-check.sh builds the
# tree with it here.  Sparse (C=2, tests/check.sh) is added below.
tools=(gcc make libc6-dev libelf-dev libssl-dev bc bison flex kmod pahole dkms)
key=$( { echo "$hdrpkg=$pkgver $mirror ${tools[*]}"; cat "$0"; } | sha256sum | cut -c1-16)
out=$cache/chroot/$suite-$key

mkdir -p "$cache/chroot"
exec 9>"$out.lock"
flock 9
if [ -f "$out/.done" ]; then
	echo "$out"
	exit 0
fi

command -v debootstrap >/dev/null || PATH=$PATH:/usr/sbin:/sbin
command -v debootstrap >/dev/null || die "debootstrap is not installed (tests/deps.sh)"
tmp=$out.tmp
rm -rf --one-file-system "$tmp"
log "chroot: debootstrap $suite from $mirror (cold: about a minute)"
start=$(date +%s)
debootstrap --variant=minbase "$suite" "$tmp" "$mirror" >"$out.log" 2>&1 ||
	{ tail -n 20 "$out.log" >&2; die "chroot: debootstrap failed (full log: $out.log)"; }

cat >"$tmp/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-backports main
EOF
cp /etc/resolv.conf "$tmp/etc/resolv.conf"
# With /proc, in a mount namespace of its own: the mount goes away with
# the command, however it ends.
inchroot() {
	unshare --mount --propagation private \
		sh -c 'mount -t proc proc "$1/proc" && exec chroot "$@"' sh "$tmp" \
		/usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@"
}
log "chroot: installing ${tools[*]} $hdrpkg=$pkgver"
{
	inchroot apt-get -q update &&
	inchroot apt-get -q install -y --no-install-recommends "${tools[@]}" "$hdrpkg=$pkgver" &&
	inchroot apt-get clean
} >>"$out.log" 2>&1 || { tail -n 20 "$out.log" >&2; die "chroot: apt-get failed (full log: $out.log)"; }
[ -f "$tmp/usr/src/$hdrpkg/Makefile" ] || die "chroot: $hdrpkg installed no /usr/src/$hdrpkg"

# Sparse for tests/check.sh (C=2).  Since 6.15 the kernel's headers use
# __typeof_unqual__ under __CHECKER__, and its Makefile runs
# scripts/checker-valid.sh, which prints 1 only for a sparse that parses
# it; otherwise kbuild turns C=1/C=2 off with a make $(warning) line (no
# "warning:" in it).  Two things are missing here:
#  - Debian 13's sparse (0.6.4) is too old: take sid's (0.6.5~rc1 in
#    December 2026; it needs only libc), with an apt configuration of its
#    own for that one download (the chroot's sources stay trixie's; as
#    on the host, an expired Valid-Until of sid's Release is not an
#    error: the signature still is), unpacked as /usr/bin/sparse;
#  - Debian's headers and linux-kbuild do not ship checker-valid.sh: take
#    the kernel's own from linux-source-<x.y> of the headers' version.
# Neither is fatal: without them the chroot still builds camgate, and
# tests/check.sh fails stock-latest, saying that sparse did not run.
sparse_ok=1
{
	echo "deb $mirror sid main" >"$tmp/etc/apt/sid.list"
	sid=(-o Dir::Etc::sourcelist=/etc/apt/sid.list -o Dir::Etc::sourceparts=/etc/apt/sid.list.d \
	     -o Dir::State::Lists=/var/lib/apt/sid-lists -o Dir::Cache=/var/cache/apt-sid
	     -o APT::Sandbox::User=root -o Acquire::Check-Valid-Until=false)
	mkdir -p "$tmp/etc/apt/sid.list.d" "$tmp/var/lib/apt/sid-lists/partial" "$tmp/var/cache/apt-sid/archives/partial" \
		"$tmp/tmp/sparse"
	inchroot apt-get -q "${sid[@]}" update &&
	inchroot sh -c 'cd /tmp/sparse && exec apt-get -q "$@" download sparse' sh "${sid[@]}" &&
	dpkg-deb -x "$tmp"/tmp/sparse/sparse_*.deb "$tmp/tmp/sparse/x" &&
	install -m 755 "$tmp/tmp/sparse/x/usr/bin/sparse" "$tmp/usr/bin/sparse" &&
	inchroot sparse --version
} >>"$out.log" 2>&1 || { sparse_ok=0; log "chroot: warning: no sid sparse (log: $out.log)"; }
rm -rf "$tmp/tmp/sparse" "$tmp/etc/apt/sid.list" "$tmp/etc/apt/sid.list.d" "$tmp/var/lib/apt/sid-lists" "$tmp/var/cache/apt-sid"
srcpkg=linux-source-$(echo "${hdrpkg#linux-headers-}" | cut -d. -f1,2)
# The headers' scripts link is relative: ../../lib/linux-kbuild-*/scripts.
kbuild=$(readlink -f "$tmp/usr/src/$hdrpkg/scripts")
log "chroot: scripts/checker-valid.sh from $srcpkg=$pkgver"
mkdir -p "$tmp/tmp/src"
{
	inchroot sh -c 'cd /tmp/src && exec apt-get -q -o APT::Sandbox::User=root download "$1"' \
		sh "$srcpkg=$pkgver" &&
	# The last tar stops at the file: the others die of SIGPIPE.
	{ dpkg-deb --fsys-tarfile "$tmp"/tmp/src/"$srcpkg"_*.deb |
		tar -xO --wildcards "*usr/src/$srcpkg.tar.xz" | xz -dc |
		tar -xO --occurrence=1 --wildcards "*/scripts/checker-valid.sh" \
			>"$tmp/tmp/src/checker-valid.sh" || true; } &&
	[ -s "$tmp/tmp/src/checker-valid.sh" ] &&
	install -m 755 "$tmp/tmp/src/checker-valid.sh" "$kbuild/checker-valid.sh"
} >>"$out.log" 2>&1 || { sparse_ok=0; log "chroot: warning: no checker-valid.sh (log: $out.log)"; }
rm -rf "$tmp/tmp/src"
# apt-get download made its caches again (90 MB).
inchroot apt-get clean >>"$out.log" 2>&1 || true
[ $sparse_ok = 1 ] || log "chroot: C=2 will not run in this chroot: delete $out to try again"
# build-module.sh knows a chroot by this file.
echo "$hdrpkg=$pkgver" >"$tmp/.camgate-chroot"
touch "$tmp/.done"
mv -T "$tmp" "$out"
log "chroot: ready in $(($(date +%s) - start)) s at $out"
echo "$out"
