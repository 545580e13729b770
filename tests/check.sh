#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: build camgate with W=1 and sparse (C=2) against each kernel
# tree given (default: both stock Debian x86_64 header trees, and
# stock-latest unless KERNELS leaves it out).  Prints one TAP-ish line per
# tree ("ok|not ok host check <tree>") and fails on any warning, and when
# sparse did not run (no CHECK line: a kernel whose Makefile finds the
# checker missing or too old turns C=2 off with one make line).
# An arm64 tree (CONFIG_ARM64=y) is built the way the README says, with
# make ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- from the top Makefile,
# so camgatectl is cross-built too; both must come out as AArch64 ELF.
# stock-latest (an argument may name it so) has its headers in the Debian
# 13 chroot of tests/vm/chroot.sh, made (once, flock'd) if missing: it is
# built there, with the chroot's gcc and sparse, as build-module.sh does.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/vm/lib.sh"
kdirs=("$@")
if [ ${#kdirs[@]} = 0 ]; then
	kdirs=(/usr/src/linux-headers-6.1.*-amd64 /usr/src/linux-headers-6.12.*-amd64)
	case " ${KERNELS:-$default_kernels} " in *" stock-latest "*) kdirs+=(stock-latest) ;; esac
fi
command -v sparse >/dev/null || { echo "camgate: sparse is not installed (apt-get install sparse)" >&2; exit 1; }

rc=0
for kdir in "${kdirs[@]}"; do
	name=
	if [ "$kdir" = stock-latest ]; then
		name=$kdir
		# kernel_paths fetches the kernel and makes the chroot if
		# they are not cached yet.
		kdir=$(kernel_paths stock-latest && echo "$KDIR") ||
			{ echo "not ok host check $name # no kernel tree (see above)"; rc=1; continue; }
	fi
	[ -d "$kdir" ] || { echo "not ok host check $kdir # missing"; rc=1; continue; }
	[ -n "$name" ] || name=$(basename "$kdir")
	# The arm64 test kernel's O= tree is .../kernels/arm64-<key>/build.
	[ "$name" != build ] || name=$(basename "$(dirname "$kdir")")
	# A tree inside a chroot of chroot.sh.
	root=${kdir%/usr/src/*}
	[ "$root" != "$kdir" ] && [ -f "$root/.camgate-chroot" ] || root=
	work=$(mktemp -d)
	cp -r "$top/Makefile" "$top/dkms.conf" "$top/Kbuild" "$top/module" "$top/include" \
		"$top/tests" "$top/tools" "$work/"
	rm -f "$work/tools/camgatectl"
	log=$top/build/logs/check-$name.log
	mkdir -p "$(dirname "$log")"
	ok=1
	if grep -qs '^CONFIG_ARM64=y' "$kdir/.config"; then
		command -v aarch64-linux-gnu-gcc >/dev/null ||
			{ echo "not ok host check $name # no aarch64-linux-gnu-gcc"; rc=1; continue; }
		make -C "$work" KDIR="$kdir" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
			CAMGATE_WERROR=1 W=1 C=2 all >"$log" 2>&1 || ok=0
		for f in camgate.ko tools/camgatectl; do
			aarch64-linux-gnu-readelf -h "$work/$f" 2>/dev/null | grep -q 'Machine:.*AArch64' ||
				{ echo "error: $f is not an AArch64 ELF file" >>"$log"; ok=0; }
		done
	elif [ -n "$root" ]; then
		# The copy bind-mounted at /mnt/camgate, /proc mounted, in a
		# mount namespace of its own (as build-module.sh).
		mkdir -p "$root/mnt/camgate"
		unshare --mount --propagation private \
			sh -c 'mount --bind "$1" "$2/mnt/camgate" && mount -t proc proc "$2/proc" &&
			       r=$2 && shift 2 && exec chroot "$r" "$@"' sh "$work" "$root" \
			/usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
			make -C "${kdir#"$root"}" M=/mnt/camgate CAMGATE_WERROR=1 W=1 C=2 modules \
			>"$log" 2>&1 || ok=0
	else
		make -C "$kdir" M="$work" CAMGATE_WERROR=1 W=1 C=2 modules >"$log" 2>&1 || ok=0
	fi
	# C=2 checks every file: no CHECK line means sparse did not run.
	checked=$(grep -c '^ *CHECK ' "$log" || true)
	if [ $ok = 1 ] && [ "$checked" -gt 0 ] && ! grep -E 'warning:|error:' "$log" >/dev/null; then
		echo "ok host check $name"
	else
		echo "not ok host check $name"
		grep -E 'warning:|error:' "$log" | sed 's/^/# /' | head -20 || true
		[ "$checked" -gt 0 ] || echo "# sparse did not run (C=2): $(grep -m 1 -E \
			'not available or not up to date|checker' "$log" || echo "no CHECK line in $log")"
		rc=1
	fi
	rm -rf "$work"
done
exit $rc
