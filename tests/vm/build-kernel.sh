#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (or reuse from the cache) a test kernel from Debian's linux-source-6.12.
#
#   build-kernel.sh FLAVOUR      FLAVOUR = debug | kcsan (x86_64) | arm64
#
# Prints the kernel's cache directory on stdout.  It holds the bootable
# image (bzImage on x86_64, Image on arm64, cross-built with
# aarch64-linux-gnu-), the O= build tree (KDIR for out-of-tree modules)
# and mods/ (modules_install).
# The cache key covers the source package version, the config fragments and
# this script, so editing any of them rebuilds; nothing else does.
set -euo pipefail

flavour=${1:?flavour}
here=$(cd "$(dirname "$0")" && pwd)
cache=${CAMGATE_CACHE:-$HOME/.cache/camgate}
tarball=/usr/src/linux-source-6.12.tar.xz
jobs=${JOBS:-$(nproc)}

log() { echo "camgate: $*" >&2; }

[ -f "$tarball" ] || { log "missing $tarball (apt-get install linux-source-6.12)"; exit 1; }
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
# The arch's fragment, then the flavour's (arm64 has one for both).
case "$flavour" in
arm64)
	arch=arm64 cross=aarch64-linux-gnu- target=Image image=arch/arm64/boot/Image
	frags=("$here/config/base.config" "$here/config/arm64.config")
	;;
*)
	arch=x86_64 cross= target=bzImage image=arch/x86/boot/bzImage
	frags=("$here/config/base.config" "$here/config/x86.config" "$here/config/$flavour.config")
	;;
esac
# Fixes to the source the test kernels need (tests/vm/patches/*.patch, in
# order): bugs the harness's own transport hits, never camgate's paths.
patches=("$here"/patches/*.patch)
[ -e "${patches[0]}" ] || patches=()
key=$( { echo "$srcver"; cat "${frags[@]}" "${patches[@]}" "$0"; } | sha256sum | cut -c1-16)
out=$cache/kernels/$flavour-$key

if [ -f "$out/.done" ]; then
	log "kernel $flavour: cached at $out"
	echo "$out"
	exit 0
fi

src=$cache/src/linux-source-6.12-$srcver
# The source tree is shared by every flavour (O= builds never write into
# it): unpack it once, under its own lock, and publish it complete.
mkdir -p "${src%/*}"
(
	flock 9
	if [ ! -f "$src/.done" ]; then
		log "unpacking linux-source-6.12 $srcver"
		rm -rf "$src" "$src.tmp" && mkdir -p "$src.tmp"
		tar -xf "$tarball" -C "$src.tmp" --strip-components=1
		touch "$src.tmp/.done"
		mv -T "$src.tmp" "$src"
	fi
	# Each patch once (a tree unpacked before it came gets it now).
	for p in "${patches[@]}"; do
		patch -d "$src" -p1 -R --dry-run -s -f <"$p" >/dev/null 2>&1 && continue
		log "applying ${p##*/} to linux-source-6.12"
		patch -d "$src" -p1 -N -s <"$p" || { log "cannot apply $p"; exit 1; }
	done
) 9>"$src.lock" || exit 1
[ -f "$src/.done" ] || { log "cannot unpack $tarball into $src"; exit 1; }

# The newest finished build of this flavour from the same source under an
# earlier key (the fragments changed) seeds this one: Kbuild then rebuilds
# only what the change reaches (fixdep records which objects read which
# option, and each object's command line), minutes instead of a cold build.
# CAMGATE_KERNEL_COLD=1 builds from nothing.
seed=
if [ -z "${CAMGATE_KERNEL_COLD:-}" ]; then
	for d in "$cache/kernels/$flavour"-*; do
		[ "$d" != "$out" ] && [ -f "$d/.done" ] && [ -d "$d/build" ] || continue
		[ "$(readlink "$d/build/source")" = "$src" ] || continue
		if [ -z "$seed" ] || [ "$d/.done" -nt "$seed/.done" ]; then
			seed=$d
		fi
	done
fi

rm -rf "$out"
mkdir -p "$out"
if [ -n "$seed" ]; then
	log "kernel $flavour: starting from the build in $seed (CAMGATE_KERNEL_COLD=1: from nothing)"
	cp -a "$seed/build" "$out/build"
else
	mkdir -p "$out/build"
fi
log "kernel $flavour ($arch): configuring (allnoconfig + ${frags[*]##*/})"
make -s -C "$src" O="$out/build" ARCH=$arch CROSS_COMPILE=$cross allnoconfig >/dev/null
KCONFIG_CONFIG="$out/build/.config" "$src/scripts/kconfig/merge_config.sh" -m -O "$out/build" \
	"$out/build/.config" "${frags[@]}" >/dev/null
make -s -C "$src" O="$out/build" ARCH=$arch CROSS_COMPILE=$cross olddefconfig >/dev/null

# Every option the fragments ask for must have survived olddefconfig.
missing=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=*) ;; *) continue ;; esac
	opt=${line%%=*}
	val=${line#*=}
	if [ "$val" = n ]; then
		grep -q "^$opt=" "$out/build/.config" && { log "config: $opt should be unset"; missing=1; }
	else
		grep -qx "$line" "$out/build/.config" || { log "config: $line did not stick"; missing=1; }
	fi
done < <(cat "${frags[@]}")
[ $missing = 0 ] || { log "config fragments do not apply to $srcver"; exit 1; }

if [ -n "$seed" ]; then
	log "kernel $flavour: rebuilding what changed, with $jobs jobs"
else
	log "kernel $flavour: building with $jobs jobs (cold build: about 25 minutes on 2 cores)"
fi
start=$(date +%s)
# Progress: one line per 500 objects instead of minutes of silence.
make -C "$src" O="$out/build" ARCH=$arch CROSS_COMPILE=$cross -j"$jobs" $target modules 2>&1 |
	awk '/^  CC /{n++; if (n % 500 == 0) { printf "camgate:   %d objects compiled\n", n > "/dev/stderr" } }
	     /error:|Error [0-9]/{print > "/dev/stderr"}'
[ "${PIPESTATUS[0]}" = 0 ] || { log "kernel build failed"; exit 1; }
make -s -C "$src" O="$out/build" ARCH=$arch CROSS_COMPILE=$cross INSTALL_MOD_PATH="$out/mods" modules_install >/dev/null
cp "$out/build/$image" "$out/${image##*/}"
touch "$out/.done"
log "kernel $flavour: built in $(( $(date +%s) - start )) s"
echo "$out"
