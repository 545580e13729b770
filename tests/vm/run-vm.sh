#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot one test VM and save its console.
#
#   run-vm.sh NAME KERNEL_IMAGE INITRAMFS LOG [KERNEL_ARGS...]
#
# The VM powers off by itself (init ends with reboot -f and qemu runs with
# -no-reboot); a hard timeout (VM_TIMEOUT seconds) stops a hung one.
# VM_QEMU_OPTS: more qemu options (make bench's instruction-count profile).
# Exit status: 0 when qemu exited by itself, 124 on timeout.
# Progress: init's "camgate-vm:" lines are echoed to stderr as they come.
set -euo pipefail

name=${1:?usage: run-vm.sh NAME KERNEL_IMAGE INITRAMFS LOG [ARGS...]}
image=${2:?}
initrd=${3:?}
log=${4:?}
shift 4

# TCG runs the debug kernel (KASAN, lockdep, kmemleak) several times slower.
# loglevel=5 puts KERN_WARNING and worse on the console (WARN, lockdep,
# KASAN, UBSAN reports) but not camgate's per-denial notices.
args=(panic=-1 oops=panic loglevel=5)
case "$name" in
debug*) mem=4G; limit=${VM_TIMEOUT:-3600}
	# A program may take longer there (lifetime's 100 load cycles).
	args+=(panic_on_warn=1 kasan.fault=panic camgatevm.timeout=900) ;;
kcsan*) mem=4G; limit=${VM_TIMEOUT:-3600} ;;	# every KCSAN report, no panic
arm64-*) mem=4G; limit=${VM_TIMEOUT:-3600}; args+=(panic_on_warn=1 camgatevm.timeout=900) ;;
*) mem=2G; limit=${VM_TIMEOUT:-1200} ;;
esac
# arm64: qemu's virt machine (GIC, PL011 UART at ttyAMA0), any CPU feature
# TCG has (pointer authentication, BTI, 32-bit EL0); pauth-impdef swaps
# the architected QARMA for a cheaper hash, which matters under TCG.
case "$name" in
*arm64*) qemu=(qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on); args+=(console=ttyAMA0)
   # Debian's arm64 GStreamer and ffmpeg, with their libraries, as a
   # read-only /usr, for the uvc-apps suite (which skips without it).
   if apps=$("$(dirname "$0")/arm64-userland.sh" apps); then
	qemu+=(-virtfs "local,path=$apps/usr,mount_tag=camgate-usr,security_model=none,readonly=on")
   else
	echo "camgate: $name: no arm64 GStreamer and ffmpeg to share (arm64-userland.sh apps failed)" >&2
   fi ;;
*) qemu=(qemu-system-x86_64 -cpu max); args+=(console=ttyS0)
   # The host's /usr, read-only, for the uvc-apps suite's GStreamer and
   # ffmpeg (the same Debian 12 userland as the initramfs's libraries);
   # init mounts it on /host/usr.
   qemu+=(-virtfs local,path=/usr,mount_tag=camgate-usr,security_model=none,readonly=on) ;;
esac
args+=("$@")

mkdir -p "$(dirname "$log")"
rc=0
timeout -k 10 "$limit" \
	"${qemu[@]}" -accel tcg -m "$mem" -smp 2 \
		-nographic -no-reboot -nodefaults -serial stdio \
		-kernel "$image" -initrd "$initrd" -append "${args[*]}" ${VM_QEMU_OPTS:-} \
		</dev/null 2>&1 | tee "$log" |
	{ grep --line-buffered -a '^camgate-vm:' | sed -u "s/^camgate-vm:/camgate: $name:/" >&2 || true; } ||
	rc=${PIPESTATUS[0]}
exit "$rc"
