# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the VM harness scripts (sourced, not run).
#
# Kernel names used everywhere: stock-6.1, stock-6.12 (Debian's own images
# and headers), stock-latest (the newest linux-image-amd64 of Debian 13's
# trixie-backports, with its headers in a Debian 13 chroot: chroot.sh),
# debug-6.12 and kcsan-6.12 (built from linux-source-6.12
# by build-kernel.sh; kcsan-6.12 only for make test-kcsan), all x86_64;
# arm64-6.12 (built from linux-source-6.12 for arm64: KUnit, lockdep,
# kmemleak) and stock-6.12-arm64 (Debian's arm64 image and headers), booted
# with qemu-system-aarch64.
# kernel_paths NAME sets, for that kernel:
#   KIMAGE   bootable image
#   KMODDIR  its lib/modules/<version> directory (modules.dep, media modules)
#   KVER     its version string
#   KDIR     the tree out-of-tree modules are built against
#   KDEBUG   1 for the debug kernels (KUnit, kmemleak, panic_on_warn)
#   KARCH    x86_64 or arm64 (the VM, the test programs, ARCH= for Kbuild)

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
vmdir=$top/tests/vm
cache=${CAMGATE_CACHE:-$HOME/.cache/camgate}

# Every kernel name, and the ones make test runs by default, the longest
# VM first (debug-6.12 takes about three times what a stock x86_64 one
# does): with two VMs at a time, the short ones then fill in around it.
kernel_list="stock-6.1 stock-6.12 stock-latest debug-6.12 kcsan-6.12 arm64-6.12 stock-6.12-arm64"
default_kernels="debug-6.12 arm64-6.12 stock-latest stock-6.12 stock-6.1 stock-6.12-arm64"

log() { echo "camgate: $*" >&2; }
die() { log "error: $*"; exit 1; }

# The Debian archive the host's apt uses (its first "debian" URI, one-line
# or deb822 sources), for the trixie chroot and index of stock-latest.
debian_mirror() {
	local m
	m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources 2>/dev/null |
		sed -E -n -e 's#^deb (\[[^]]*\] )?(https?://[^ ]*/debian/?) .*#\2#p' \
			   -e 's#^URIs: *(https?://[^ ]*/debian/?) *$#\1#p' | head -n 1)
	echo "${m:-http://deb.debian.org/debian}"
}

kernel_paths() {
	local name=$1 dir
	# One fetch or build per cache entry at a time: concurrent runs
	# (CI and a developer, or two worktrees) wait for each other.
	mkdir -p "$cache"
	KARCH=x86_64
	case "$name" in
	stock-6.1 | stock-6.12 | stock-latest | stock-6.12-arm64)
		dir=$(flock "$cache/.lock-$name" "$vmdir/stock-kernel.sh" "$name")
		KIMAGE=$dir/vmlinuz
		KDEBUG=0
		[ "$name" != stock-6.12-arm64 ] || KARCH=arm64
		;;
	debug-6.12)
		# build-kernel.sh answers from its cache when the kernel is built.
		dir=$(flock "$cache/.lock-debug" "$vmdir/build-kernel.sh" debug)
		KIMAGE=$dir/bzImage
		dir=$dir/mods
		KDEBUG=1
		;;
	kcsan-6.12)
		# KCSAN without KASAN and kmemleak: no kmemleak scan expected.
		dir=$(flock "$cache/.lock-kcsan" "$vmdir/build-kernel.sh" kcsan)
		KIMAGE=$dir/bzImage
		dir=$dir/mods
		KDEBUG=0
		;;
	arm64-6.12)
		dir=$(flock "$cache/.lock-arm64" "$vmdir/build-kernel.sh" arm64)
		KIMAGE=$dir/Image
		dir=$dir/mods
		KDEBUG=1
		KARCH=arm64
		;;
	*) die "unknown kernel '$name' ($kernel_list)" ;;
	esac
	KMODDIR=$(echo "$dir"/lib/modules/*)
	[ -f "$KMODDIR/modules.dep" ] || die "$name: no modules.dep under $dir/lib/modules"
	KVER=${KMODDIR##*/}
	# The stock cache dir and the debug modules dir both carry a "build"
	# link to the tree to build against (headers package / O= tree).
	KDIR=$(readlink -f "$KMODDIR/build")
	[ -f "$KDIR/Makefile" ] || die "$name: no kernel build tree at $KMODDIR/build"
	[ -f "$KIMAGE" ] || die "$name: no kernel image at $KIMAGE"
}
