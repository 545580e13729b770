#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make test: build camgate with DKMS, as a board does, for each kernel
# whose headers are given (default: every stock kernel's: Debian 12's
# x86_64 6.1 and 6.12, and, unless KERNELS leaves them out, the arm64 6.12
# headers and stock-latest's; those two are fetched (and stock-latest's
# Debian 13 chroot made, tests/vm/chroot.sh) if not cached yet).
#
#   tests/dkms-check.sh [HEADERS_DIR | stock-latest | stock-6.12-arm64 ...]
#
# dkms add + build from what make dkms-install copies (dkms.conf, Kbuild,
# module/, include/ and the KUnit sources), in private dkms, source and
# install trees under a temporary directory: the host's /var/lib/dkms is not
# touched.  No -Werror (dkms.conf's MAKE has none, as on a board).  One
# "ok|not ok host dkms build <kernel>" line per kernel.  An arm64 tree is
# cross-built (dkms build -a aarch64, with ARCH=arm64
# CROSS_COMPILE=aarch64-linux-gnu- in the environment, which Debian's arm64
# headers also set themselves).  stock-latest's headers need Debian 13's
# tools: Debian 13's dkms builds it inside the chroot, its trees in the
# same temporary directory bind-mounted at /mnt/camgate.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/vm/lib.sh"
hdrs=("$@")
if [ ${#hdrs[@]} = 0 ]; then
	hdrs=(/usr/src/linux-headers-6.1.*-amd64 /usr/src/linux-headers-6.12.*-amd64)
	case " ${KERNELS:-$default_kernels} " in
	*" stock-6.12-arm64 "* | *" arm64 "*) hdrs+=(stock-6.12-arm64) ;;
	esac
	case " ${KERNELS:-$default_kernels} " in *" stock-latest "*) hdrs+=(stock-latest) ;; esac
fi
command -v dkms >/dev/null || PATH=$PATH:/usr/sbin:/sbin
command -v dkms >/dev/null || { echo "not ok host dkms build # dkms is not installed"; exit 1; }

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src=$work/src/camgate-$ver
mkdir -p "$src/tests" "$work/tree" "$work/install"
# The same files as make dkms-install.
cp -r "$top/dkms.conf" "$top/Kbuild" "$top/module" "$top/include" "$src/"
cp "$top"/tests/*_kunit.c "$top"/tests/*.h "$src/tests/"
trees=(--dkmstree "$work/tree" --sourcetree "$work/src" --installtree "$work/install")
log=$top/build/logs/dkms.log
mkdir -p "${log%/*}"
: >"$log"

# in_chroot ROOT CMD...: CMD in the chroot, $work at /mnt/camgate, /proc
# mounted, in a mount namespace of its own (as build-module.sh).
in_chroot() {
	local root=$1
	shift
	mkdir -p "$root/mnt/camgate"
	unshare --mount --propagation private \
		sh -c 'mount --bind "$1" "$2/mnt/camgate" && mount -t proc proc "$2/proc" &&
		       r=$2 && shift 2 && exec chroot "$r" "$@"' sh "$work" "$root" \
		/usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 "$@"
}
ctrees=(--dkmstree /mnt/camgate/ctree --sourcetree /mnt/camgate/src
	--installtree /mnt/camgate/cinstall)
chroot_added=

rc=0
if ! dkms add -m camgate -v "$ver" "${trees[@]}" >>"$log" 2>&1; then
	echo "not ok host dkms add camgate/$ver"
	sed 's/^/# /' "$log" | tail -n 5
	exit 1
fi
first=
for h in "${hdrs[@]}"; do
	croot=
	case "$h" in
	stock-latest | stock-6.12-arm64)
		# kernel_paths fetches the kernel (and makes stock-latest's
		# chroot) if they are not cached yet.
		if ! kd=$(kernel_paths "$h" && echo "$KDIR"); then
			echo "not ok host dkms build $h # no headers (see above)"
			rc=1
			continue
		fi
		h=$kd
		;;
	esac
	kver=${h##*/linux-headers-}
	name="host dkms build $kver"
	[ -f "$h/.config" ] || { echo "not ok $name # no kernel headers at $h"; rc=1; continue; }
	arch=$(sed -n 's/^CONFIG_ARM64=y/aarch64/p; s/^CONFIG_X86_64=y/x86_64/p' "$h/.config" | head -n 1)
	croot=${h%/usr/src/*}
	[ "$croot" != "$h" ] && [ -f "$croot/.camgate-chroot" ] || croot=
	if [ -n "$croot" ]; then
		mkdir -p "$work/ctree" "$work/cinstall"
		dk=(in_chroot "$croot" dkms)
		t=("${ctrees[@]}")
		ksrc=${h#"$croot"}
		built=$work/ctree
		if [ -z "$chroot_added" ]; then
			"${dk[@]}" add -m camgate -v "$ver" "${t[@]}" >>"$log" 2>&1 && chroot_added=1
		fi
	else
		dk=(dkms)
		t=("${trees[@]}")
		ksrc=$h
		built=$work/tree
		[ -n "$first" ] || [ "$arch" != x86_64 ] || first=$h
	fi
	# The cross compiler for an arm64 tree that does not name it itself,
	# and the cross strip for dkms's "strip -g" of the module.
	xenv=()
	if [ "$arch" = aarch64 ]; then
		mkdir -p "$work/xbin"
		ln -sf "$(command -v aarch64-linux-gnu-strip)" "$work/xbin/strip"
		xenv=(env ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- PATH="$work/xbin:$PATH")
	fi
	# dkms may compress the module it keeps (camgate.ko.xz).
	ok=0
	if [ -n "$croot" ] && [ -z "$chroot_added" ]; then
		echo "# dkms add failed in $croot" >>"$log"
	elif "${xenv[@]}" "${dk[@]}" build -m camgate -v "$ver" -k "$kver" -a "$arch" \
		--kernelsourcedir "$ksrc" "${t[@]}" >>"$log" 2>&1 &&
	     ko=$(compgen -G "$built/camgate/$ver/$kver/$arch/module/camgate.ko*"); then
		# The module kept is for the kernel's architecture.
		case "$ko" in
		*.xz) xz -dc "$ko" ;;
		*.zst) zstd -qdc "$ko" ;;
		*) cat "$ko" ;;
		esac >"$work/camgate.ko"
		machine=$(LC_ALL=C readelf -h "$work/camgate.ko" 2>/dev/null | sed -n 's/^ *Machine: *//p')
		case "$arch:$machine" in
		x86_64:*X86-64 | aarch64:AArch64) ok=1 ;;
		*) echo "# $ko: machine '$machine', not $arch" | tee -a "$log" ;;
		esac
	fi
	if [ $ok = 1 ]; then
		echo "ok $name"
	else
		echo "not ok $name"
		grep -E 'error|Error|BUILD_EXCLUSIVE' "$log" | tail -n 5 | sed 's/^/# /'
		rc=1
	fi
done

# A kernel without an option camgate needs (CONFIG_KPROBES here): DKMS
# skips it (BUILD_EXCLUSIVE_CONFIG), and a plain make stops with one line
# naming the option.  The kernel is the first one's headers with that
# option taken out of .config and autoconf.h, in a tree of symlinks.
if [ -z "$first" ]; then
	echo "# no x86_64 headers on the host: the CONFIG_KPROBES cases are not run"
	exit $rc
fi
h=$first
kver=${h##*/linux-headers-}
arch=x86_64
fake=$work/headers-nokprobes
mkdir -p "$fake"
for e in "$h"/* "$h"/.[!.]*; do ln -s "$e" "$fake/${e##*/}"; done
rm "$fake/.config" "$fake/include"
mkdir -p "$fake/include"
for e in "$h"/include/*; do ln -s "$e" "$fake/include/${e##*/}"; done
rm "$fake/include/generated"
cp -r "$h/include/generated" "$fake/include/generated"
grep -v '^CONFIG_KPROBES=' "$h/.config" >"$fake/.config"
sed -i '/^#define CONFIG_KPROBES 1$/d' "$fake/include/generated/autoconf.h"
name="host dkms skips a kernel without CONFIG_KPROBES"
# A tree of its own: the real kernel of that version was built above.
xtrees=(--dkmstree "$work/xtree" --sourcetree "$work/src" --installtree "$work/install")
mkdir -p "$work/xtree"
dkms add -m camgate -v "$ver" "${xtrees[@]}" >>"$log" 2>&1
dkms build -m camgate -v "$ver" -k "$kver" -a "$arch" --kernelsourcedir "$fake" \
	"${xtrees[@]}" >"$work/excl.log" 2>&1
excl=$?
cat "$work/excl.log" >>"$log"
# dkms exits 77 for "excluded by BUILD_EXCLUSIVE", and builds nothing.
if [ $excl = 77 ] && grep -q 'BUILD_EXCLUSIVE' "$work/excl.log"; then
	echo "ok $name"
else
	echo "not ok $name"
	echo "# dkms build exited $excl"
	rc=1
fi
name="host make names the missing CONFIG_KPROBES in one line"
mkdir -p "$work/plain"
cp -r "$top/Kbuild" "$top/module" "$top/include" "$work/plain/"
if make -C "$fake" M="$work/plain" modules >"$work/plain.log" 2>&1; then
	echo "not ok $name"
	echo "# the build succeeded without CONFIG_KPROBES"
	rc=1
elif grep -q 'error: #error "camgate needs CONFIG_KPROBES' "$work/plain.log"; then
	echo "ok $name"
else
	echo "not ok $name"
	grep -m 3 'error' "$work/plain.log" | sed 's/^/# /'
	rc=1
fi
exit $rc
