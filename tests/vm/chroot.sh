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
# CONFIG_DEBUG_INFO_BTF_MODULES).  No sparse: Debian's 7.x headers lack
# scripts/checker-valid.sh, so kbuild turns C=1/C=2 off by itself there.
tools=(gcc make libc6-dev libelf-dev libssl-dev bc bison flex kmod pahole)
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
# build-module.sh knows a chroot by this file.
echo "$hdrpkg=$pkgver" >"$tmp/.camgate-chroot"
touch "$tmp/.done"
mv -T "$tmp" "$out"
log "chroot: ready in $(($(date +%s) - start)) s at $out"
echo "$out"
