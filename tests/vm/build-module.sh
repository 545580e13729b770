#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build camgate (and camgate_kunit when KDIR has CONFIG_KUNIT) for one kernel.
#
#   build-module.sh NAME KDIR [ARCH]      ARCH = x86_64 (default) | arm64
#
# arm64 is cross-built (ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-);
# stock-latest is built in its Debian 13 chroot (chroot.sh).
# The sources are mirrored into build/NAME/src so that the three kernels'
# objects never meet in the work tree; rsync keeps the mirror's mtimes,
# so a warm rebuild compiles only what changed.  Prints the src directory.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=${1:?usage: build-module.sh NAME KDIR}
kdir=${2:?usage: build-module.sh NAME KDIR}
src=$top/build/$name/src
mlog=$top/build/logs/module-$name.log
kbuild=()
case "${3:-x86_64}" in
x86_64) ;;
arm64) kbuild=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-) ;;
*) die "unknown architecture '$3'" ;;
esac

[ -f "$top/Kbuild" ] && compgen -G "$top/module/*.c" >/dev/null ||
	die "no module sources yet (Kbuild, module/*.c)"
mkdir -p "$src" "${mlog%/*}"
# Build products are excluded, hence protected from --delete.
(cd "$top" && rsync -aR --delete --exclude='*.o' --exclude='*.ko' --exclude='.*' \
	--exclude='*.mod' --exclude='*.mod.c' --exclude=Module.symvers --exclude=modules.order \
	Kbuild dkms.conf module include tests/*_kunit.c tests/*_probe.c tests/*.h "$src/")

make=(make -C "$kdir" M="$src")
# A tree inside a chroot of chroot.sh (stock-latest: the headers' tools
# need Debian 13's libc, their Makefile includes /usr/src/... by absolute
# path) is built in that chroot, with the mirror bind-mounted at
# /mnt/camgate and /proc (objtool reads it) mounted, in a mount namespace
# of the build's own: both mounts go away with it, however it ends, and
# concurrent builds do not see each other's.
root=${kdir%/usr/src/*}
if [ "$root" != "$kdir" ] && [ -f "$root/.camgate-chroot" ]; then
	mkdir -p "$root/mnt/camgate"
	make=(unshare --mount --propagation private
	      sh -c 'mount --bind "$1" "$2/mnt/camgate" && mount -t proc proc "$2/proc" &&
		     r=$2 && shift 2 && exec chroot "$r" "$@"' sh "$src" "$root"
	      /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8
	      make -C "${kdir#"$root"}" M=/mnt/camgate)
	log "$name: building camgate against ${kdir#"$root"} in the chroot $root"
else
	log "$name: building camgate against $kdir"
fi
# CAMGATE_TEST=1: the test-only modules too (camgate_delay.ko, and on
# x86_64 camgate_icall.ko).
if ! "${make[@]}" "${kbuild[@]}" CAMGATE_TEST=1 W=1 -j"$(nproc)" modules >"$mlog" 2>&1; then
	tail -n 30 "$mlog" >&2
	die "$name: module build failed (full log: $mlog)"
fi
[ -f "$src/camgate.ko" ] || die "$name: make succeeded but produced no camgate.ko"
if grep -E 'warning:' "$mlog" >&2; then
	die "$name: warnings building camgate with W=1 (full log: $mlog)"
fi
echo "$src"
