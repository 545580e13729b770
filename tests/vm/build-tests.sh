#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the integration test programs (static: the initramfs has no libc)
# and the VM helpers runas and uvcdev into build/tests/ (build/tests-arm64/ for
# arm64, cross-compiled with aarch64-linux-gnu-gcc, plus cg32 for armhf).  An empty
# tests/integration/ is fine.  Prints the output directory.
#
#   build-tests.sh [ARCH]        ARCH = x86_64 (default) | arm64
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=${1:-x86_64}
case "$arch" in
x86_64) out=$top/build/tests tlog=$top/build/logs/tests-build.log cc=(gcc) ;;
arm64) out=$top/build/tests-arm64 tlog=$top/build/logs/tests-build-arm64.log cc=(aarch64-linux-gnu-gcc) ;;
*) die "unknown architecture '$arch'" ;;
esac
cc+=(-static -O2 -Wall -Wextra)
rm -rf "$out" && mkdir -p "$out/bin" "${tlog%/*}"
: >"$tlog"

"${cc[@]}" -o "$out/runas" "$vmdir/runas.c" 2>>"$tlog" || { cat "$tlog" >&2; die "cannot build runas"; }
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
"${cc[@]}" -I"$top/include/uapi" -DCAMGATE_VERSION="\"$ver\"" -o "$out/camgatectl" \
	"$top/tools/camgatectl.c" 2>>"$tlog" ||
	{ cat "$tlog" >&2; die "cannot build tools/camgatectl"; }
# uvcdev: the USB/IP camera the uvc suite streams from (the VM's init
# starts it).
"${cc[@]}" -o "$out/uvcdev" "$vmdir/uvcdev.c" 2>>"$tlog" || { cat "$tlog" >&2; die "cannot build uvcdev"; }
# arm64: cg32, the AArch32 program ioctls.c makes its 32-bit calls with.
if [ "$arch" = arm64 ]; then
	arm-linux-gnueabihf-gcc -static -O2 -Wall -Wextra -o "$out/cg32" "$vmdir/cg32.c" 2>>"$tlog" ||
		{ cat "$tlog" >&2; die "cannot build cg32 (apt-get install gcc-arm-linux-gnueabihf)"; }
fi

for c in "$top"/tests/integration/*.c; do
	[ -e "$c" ] || continue
	prog=$(basename "$c" .c)
	if ! "${cc[@]}" -I"$top/include" -o "$out/bin/$prog" "$c" >>"$tlog" 2>&1; then
		cat "$tlog" >&2
		die "cannot build tests/integration/$prog.c (log: $tlog)"
	fi
done
for s in "$top"/tests/integration/*.sh; do
	[ -e "$s" ] || continue
	install -m 0755 "$s" "$out/bin/"
done
# Warnings are not errors for gcc here, but they are for us.
if grep -q 'warning:' "$tlog"; then
	cat "$tlog" >&2
	die "warnings building the test programs (log: $tlog)"
fi
echo "$out"
