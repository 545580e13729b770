#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: build camgate with W=1 and sparse (C=2) against each kernel
# tree given (default: both stock Debian header trees).  Prints one TAP-ish
# line per tree ("ok|not ok host check <tree>") and fails on any warning.
# An arm64 tree (CONFIG_ARM64=y) is built the way the README says, with
# make ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- from the top Makefile,
# so camgatectl is cross-built too; both must come out as AArch64 ELF.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kdirs=("$@")
[ ${#kdirs[@]} -gt 0 ] || kdirs=(/usr/src/linux-headers-6.1.*-amd64 /usr/src/linux-headers-6.12.*-amd64)
command -v sparse >/dev/null || { echo "camgate: sparse is not installed (apt-get install sparse)" >&2; exit 1; }

rc=0
for kdir in "${kdirs[@]}"; do
	[ -d "$kdir" ] || { echo "not ok host check $kdir # missing"; rc=1; continue; }
	name=$(basename "$kdir")
	# The arm64 test kernel's O= tree is .../kernels/arm64-<key>/build.
	[ "$name" != build ] || name=$(basename "$(dirname "$kdir")")
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
	else
		make -C "$kdir" M="$work" CAMGATE_WERROR=1 W=1 C=2 modules >"$log" 2>&1 || ok=0
	fi
	if [ $ok = 1 ] && ! grep -E 'warning:|error:' "$log" >/dev/null; then
		echo "ok host check $name"
	else
		echo "not ok host check $name"
		grep -E 'warning:|error:' "$log" | sed 's/^/# /' | head -20
		rc=1
	fi
	rm -rf "$work"
done
exit $rc
