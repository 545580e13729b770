#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boot Debian's stock 6.1 kernel in qemu with vivid and camgate,
# make uid 1000 the camera's owner, stream frames as uid 1000 and try the
# same as uid 1001.  Ends with one line: PASS (the owner streamed, the
# other user was denied) or FAIL.  The console is kept in
# build/logs/console-demo.log.
set -uo pipefail
. "$(dirname "$0")/vm/lib.sh"

k=stock-6.1
logs=$top/build/logs
mkdir -p "$logs"

log "installing missing packages (apt-get), if any"
"$top/tests/deps.sh" || die "cannot install the packages the demo needs"
kernel_paths "$k"
src=$("$vmdir/build-module.sh" "$k" "$KDIR") || exit 1
log "building the VM's helper programs"
"$vmdir/build-tests.sh" >/dev/null || exit 1
initrd=$top/build/demo/initramfs.cpio.gz
mkdir -p "${initrd%/*}"
EXTRA_TESTS= "$vmdir/mkinitramfs.sh" "$k" "$KMODDIR" "$src" "$initrd" || exit 1
console=$logs/console-demo.log
log "booting Debian's $KVER kernel in qemu (TCG: about a minute)"
"$vmdir/run-vm.sh" demo-$k "$KIMAGE" "$initrd" "$console" camgatevm.mode=demo
echo
sed -n '/^camgate-demo-begin/,/^camgate-demo-end/p' "$console" | tr -d '\r' |
	grep -v '^camgate-demo-\(begin\|end\)'
grep -q '^camgate-demo: PASS' "$console" || {
	grep -q '^camgate-demo:' "$console" ||
		echo "camgate-demo: FAIL: the VM did not get to the demo (console: $console)"
	exit 1
}
