#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: build camgate with W=1 and sparse (C=2) against each kernel
# tree given (default: both stock Debian header trees).  Prints one TAP-ish
# line per tree ("ok|not ok host check <tree>") and fails on any warning.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kdirs=("$@")
[ ${#kdirs[@]} -gt 0 ] || kdirs=(/usr/src/linux-headers-6.1.*-amd64 /usr/src/linux-headers-6.12.*-amd64)
command -v sparse >/dev/null || { echo "camgate: sparse is not installed (apt-get install sparse)" >&2; exit 1; }

rc=0
for kdir in "${kdirs[@]}"; do
	[ -d "$kdir" ] || { echo "not ok host check $kdir # missing"; rc=1; continue; }
	name=$(basename "$kdir")
	work=$(mktemp -d)
	cp -r "$top/Kbuild" "$top/module" "$top/include" "$top/tests" "$work/"
	log=$top/build/logs/check-$name.log
	mkdir -p "$(dirname "$log")"
	if make -C "$kdir" M="$work" W=1 C=2 modules >"$log" 2>&1 &&
	   ! grep -E 'warning:|error:' "$log" >/dev/null; then
		echo "ok host check $name"
	else
		echo "not ok host check $name"
		grep -E 'warning:|error:' "$log" | sed 's/^/# /' | head -20
		rc=1
	fi
	rm -rf "$work"
done
exit $rc
