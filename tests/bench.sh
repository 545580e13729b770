#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: camgate's cost on the capture path and on fd passing.
#
#   KERNELS="stock-6.1 stock-6.12 stock-latest"   which kernels (default: these three)
#   BENCH_ROUNDS=N                   rounds per mode (default 6)
#   BENCH_ICOUNT=1                   the profile: qemu -icount shift=0,sleep=off -smp 1, so that
#                                    every "ns" is one guest instruction
#                                    (deterministic; 1 round is enough)
#
# For each kernel: camgate built against its headers, an initramfs whose
# /init is tests/bench/init, one VM boot.  In the VM every metric is
# measured without camgate (not loaded) and with it (loaded, the owner
# holding a capability), in alternating rounds (ABBA, insmod/rmmod between
# rounds); tests/bench/report.awk prints the medians, one line a metric,
#   bench: <kernel> <metric> base=<value> camgate=<value> ratio=<camgate/base>
# then a table.  The whole report is also kept in build/bench.txt, the
# consoles in build/logs/console-bench-<kernel>.log.  No timing is a
# failure: the exit status is non-zero only when a VM did not finish.
set -uo pipefail
. "$(dirname "$0")/vm/lib.sh"

kernels=${KERNELS:-stock-6.1 stock-6.12 stock-latest}
rounds=${BENCH_ROUNDS:-6}
icount=
[ "${BENCH_ICOUNT:-0}" = 0 ] || icount=-icount
logs=$top/build/logs
report=$top/build/bench$icount.txt
mkdir -p "$logs"
: >"$report"
t0=$(date +%s)
rc=0

for k in $kernels; do
	case "$k" in stock-6.1 | stock-6.12 | stock-latest) ;;
	*) die "KERNELS: unknown kernel '$k' (stock-6.1, stock-6.12, stock-latest)" ;;
	esac
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a positive number"

"$top/tests/deps.sh" || die "cannot install the packages the bench needs"
tdir=$("$vmdir/build-tests.sh") || die "cannot build the VM helpers (runas)"
bdir=$("$top/tests/bench/build.sh") || exit 1

for k in $kernels; do
	kt0=$(date +%s)
	log "=== bench $k"
	kernel_paths "$k" || { rc=1; continue; }
	src=$("$vmdir/build-module.sh" "$k" "$KDIR") || { rc=1; continue; }
	ko=$src/camgate.ko
	# Text: every executable section of the .ko; the per-file state's
	# size from its debug info.
	text=$(size -A "$ko" | awk '$1 ~ /^\.(text|init\.text|exit\.text|text\..*|noinstr\.text)$/ {
		s += $2; l = l (l ? ", " : "") $1 " " $2 } END { print s "|" l }')
	cfsize=$(pahole -C camgate_file "$ko" 2>/dev/null | sed -n 's/.*size: \([0-9]*\),.*/\1/p' | head -n 1)
	initrd=$top/build/bench-$k/initramfs.cpio.gz
	mkdir -p "${initrd%/*}"
	CAMGATE_VM_INIT=$top/tests/bench/init CAMGATE_BENCH=$bdir EXTRA_TESTS= \
		"$vmdir/mkinitramfs.sh" "$k" "$KMODDIR" "$src" "$initrd" || { rc=1; continue; }
	console=$logs/console-bench$icount-$k.log
	# no_timer_check: on a loaded host, TCG can be too slow for the
	# kernel's IO-APIC timer check, which then panics at boot.
	log "$k: booting the bench VM, $rounds rounds (console: $console)"
	VM_QEMU_OPTS=${icount:+-icount shift=0,sleep=off -smp 1} \
		"$vmdir/run-vm.sh" "bench-$k" "$KIMAGE" "$initrd" "$console" "camgatevm.rounds=$rounds" \
		no_timer_check
	awk -v kernel="$k" -v kver="$KVER" -v ko_text="${text%%|*}" -v ko_sections="${text#*|}" \
		-v icount="$icount" \
		-v cf_size="${cfsize:-?}" -f "$top/tests/bench/report.awk" "$console" |
		tee -a "$report"
	[ "${PIPESTATUS[0]}" = 0 ] || rc=1
	echo | tee -a "$report"
	log "$k: done in $(($(date +%s) - kt0)) s"
done
log "make bench finished in $(($(date +%s) - t0)) s; report in $report"
exit $rc
