#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make test: the whole camgate suite.
#
#   KERNELS="debug-6.12 arm64-6.12 stock-latest stock-6.12 stock-6.1 stock-6.12-arm64"
#                                              which kernels (default: these six,
#                                              default_kernels in vm/lib.sh;
#                                              KERNELS=arm64 means both arm64 ones)
#   EXTRA_TESTS=DIR                            your own test programs, run in each VM
#   VM_TIMEOUT=SECONDS                         hard limit per VM
#   TESTS="race fuzz"                          run only these suites in the VMs
#   VM_JOBS=N                                  VMs at once (default: CPU count)
#
# kcsan-6.12 (the debug source with KCSAN instead of KASAN) is a kernel name
# too, never run by default: make test-kcsan.
#
# Steps: install what is missing (tests/deps.sh), W=1 + sparse builds
# against both stock kernels' headers (and each arm64 tree, once it is
# fetched or built), the integration test programs,
# then for each kernel: camgate (and camgate_kunit on the debug kernel),
# an initramfs, one VM boot (VM_JOBS of them at once).  Every test prints one line on stdout,
#   ok|not ok <kernel> <suite> <case>
# and the run ends with "N passed, N failed[, N skipped]".  Progress goes
# to stderr; logs stay in build/logs/.  Exit status 1 if anything failed.
set -uo pipefail
. "$(dirname "$0")/vm/lib.sh"

# stock-6.12-arm64 adds about 3 minutes (no kernel build), arm64-6.12 about
# 4 minutes warm and 9 more cold (its cross build).
kernels=${KERNELS:-$default_kernels}
# KERNELS=arm64: both arm64 kernels.
kernels=$(for k in $kernels; do [ "$k" = arm64 ] && echo arm64-6.12 stock-6.12-arm64 || echo "$k"; done)
kernels=$(echo $kernels)
logs=$top/build/logs
results=$top/build/results.txt
mkdir -p "$logs"
: >"$results"
t0=$(date +%s)
# Progress lines say when they happened (seconds since the start): the
# time budget (README, "Time").
log() { printf 'camgate: %4d s  %s\n' "$(($(date +%s) - t0))" "$*" >&2; }

# Every result line goes to stdout and to build/results.txt.
result() { echo "$*" | tee -a "$results"; }
step_ok() { result "ok $1"; }
step_fail() { result "not ok $1"; shift; for l in "$@"; do result "# $l"; done; }

for k in $kernels; do
	case " $kernel_list " in
	*" $k "*) ;;
	*) die "KERNELS: unknown kernel '$k' ($kernel_list)" ;;
	esac
done
if [ -n "${EXTRA_TESTS:-}" ]; then
	[ -d "$EXTRA_TESTS" ] || die "EXTRA_TESTS=$EXTRA_TESTS is not a directory"
	EXTRA_TESTS=$(cd "$EXTRA_TESTS" && pwd)
	export EXTRA_TESTS
fi

log "installing missing packages (apt-get), if any"
"$top/tests/deps.sh" || die "cannot install the packages the tests need"

# host_check NAME [KDIR...]: tests/check.sh (W=1 + sparse) on those trees
# (default: the stock headers); it prints "ok|not ok host check <tree>"
# and "# " diagnostics, and a failure with no line of its own gets one.
host_check() {
	local name=$1 out=$logs/check-$1.out rc
	shift
	"$top/tests/check.sh" "$@" >"$out" 2>&1
	rc=$?
	tee -a "$results" <"$out" | grep -E '^(not )?ok |^#'
	if [ $rc != 0 ] && ! grep -q '^not ok ' "$out"; then
		step_fail "host check $name W=1+sparse" "tests/check.sh failed: $(tail -n 1 "$out")"
	fi
}

log "building the integration test programs"
declare -A tdirs=()
if tdirs[x86_64]=$("$vmdir/build-tests.sh"); then
	step_ok "host build test-programs"
else
	step_fail "host build test-programs" "see $logs/tests-build.log"
	tdirs[x86_64]=
fi
# The same programs for arm64 (cross-compiled), if an arm64 kernel runs.
case " $kernels " in
*arm64*)
	if tdirs[arm64]=$("$vmdir/build-tests.sh" arm64); then
		step_ok "host build test-programs-arm64"
	else
		step_fail "host build test-programs-arm64" "see $logs/tests-build-arm64.log"
		tdirs[arm64]=
	fi
	;;
esac

# camgatectl's options, names, UTF-8 and apply on a fake sysfs tree; the
# Debian packages built, linted, installed (DKMS builds the module for
# each stock header tree), booted in a VM from what they installed, purged.
# (Here, before the VMs: that VM has a time limit, and must not wait for
# CPU time behind them.)
log "camgatectl on a fake sysfs tree (tests/camgatectl-host.sh)"
"$top/tests/camgatectl-host.sh" | tee -a "$results"
log "the Debian packages, and a VM booted from them (tests/deb-check.sh)"
"$top/tests/deb-check.sh" --vm | tee -a "$results"

# The host's compile-only checks run in the background, at the lowest
# priority, in the CPU time the VMs leave, instead of holding back the
# first VM by about 4 minutes; the VMs' timing (v4l2-compliance's waits)
# stays as it was.  Their results go to build/host/results and come out
# before the summary.
mkdir -p "$top/build/host"
(
	results=$top/build/host/results
	: >"$results"
	renice -n 19 -p "$BASHPID" >/dev/null
	log "W=1 + sparse builds against the stock kernels' headers"
	host_check stock

	log "dkms add + build for the stock kernels' headers (tests/dkms-check.sh)"
	"$top/tests/dkms-check.sh" | tee -a "$results"

	log "the test kernels' ABI options against Debian's (tests/abi-check.sh)"
	"$top/tests/abi-check.sh" | tee -a "$results"

	log "checkpatch --strict (make style)"
	if "$top/tests/style.sh" >"$logs/style.log" 2>&1; then
		step_ok "host style checkpatch"
	else
		step_fail "host style checkpatch" "see $logs/style.log"
	fi

	# make bench is not run here (its figures are timings): only built.
	if "$top/tests/bench/build.sh" >/dev/null; then
		step_ok "host build bench"
	else
		step_fail "host build bench" "see $logs/bench-build.log"
	fi
	log "host checks done"
) >/dev/null &
host_pid=$!

# Each kernel: its builds (here, one kernel after the other), then its VM
# in the background.  A TCG VM keeps about one host CPU busy, so up to
# VM_JOBS of them run at once (default: the host's CPU count), while the
# next kernel's module and initramfs are built.  A kernel's result lines
# go to build/<kernel>/results until its VM is done, then to stdout and
# build/results.txt in one piece.
vm_jobs=${VM_JOBS:-$(nproc)}
[ "$vm_jobs" -ge 1 ] 2>/dev/null || die "VM_JOBS=$vm_jobs is not a number >= 1"
declare -A vm_kernel=() vm_t0=() vm_boot=()

# reap: wait for one VM job to end (its "done" file), print its results.
reap() {
	local pid k
	while :; do
		for pid in "${!vm_kernel[@]}"; do
			k=${vm_kernel[$pid]}
			[ -e "$top/build/$k/done" ] || ! kill -0 "$pid" 2>/dev/null && break 2
		done
		sleep 2
	done
	wait "$pid"
	unset "vm_kernel[$pid]"
	tee -a "$results" <"$top/build/$k/results"
	log "$k: done in $(($(date +%s) - ${vm_t0[$k]})) s (its VM: $(($(date +%s) - ${vm_boot[$k]})) s)"
}

# vm_job KERNEL IBT CONSOLE INITRD CALLTARGETS...: one VM, its results.
vm_job() {
	local k=$1 ibt=$2 console=$3 initrd=$4 vmrc
	shift 4
	log "$k: booting the VM (console: $console)"
	"$vmdir/run-vm.sh" "$k" "$KIMAGE" "$initrd" "$console" "$@" \
		${TESTS:+"camgatevm.tests=$(echo $TESTS | tr ' ' ,)"}
	vmrc=$?
	[ $vmrc = 124 ] && log "$k: the VM hit its time limit"
	awk -v kernel="$k" -v debug="$KDEBUG" -f "$vmdir/parse.awk" "$console"
	[ -z "$ibt" ] || "$top/tests/ibt-seal.py" "$k" "$KIMAGE" "$console"
	: >"$top/build/$k/done"
}

for k in $kernels; do
	kt0=$(date +%s)
	log "=== $k"
	mkdir -p "$top/build/$k"
	if ! kernel_paths "$k"; then
		step_fail "$k build kernel" "the kernel could not be fetched or built (see above)"
		continue
	fi
	# The arm64 trees are fetched or built only here: their W=1 + sparse
	# cross build (module and camgatectl) is checked here too.
	[ "$KARCH" != arm64 ] || host_check "$k" "$KDIR"
	if ! src=$("$vmdir/build-module.sh" "$k" "$KDIR" "$KARCH"); then
		step_fail "$k build camgate.ko" "see $logs/module-$k.log"
		continue
	fi
	step_ok "$k build camgate.ko"
	# Debian's x86_64 kernels: would camgate trap on a CPU with IBT?  The
	# VM records where camgate's indirect calls land, at the call sites
	# found in this camgate.ko, where the kernel seals functions.
	ibt=
	case "$k" in stock-*) [ "$KARCH" != x86_64 ] || ibt=1 ;; esac
	calltargets=()
	rm -f "$src/icall-sites"
	if [ -n "$ibt" ] && "$top/tests/ibt-seal.py" --sealed "$KIMAGE"; then
		if "$top/tests/ibt-seal.py" --sites "$src/camgate.ko" >"$src/icall-sites.tmp"; then
			mv "$src/icall-sites.tmp" "$src/icall-sites"
			calltargets=(camgatevm.calltargets=1)
		else
			step_fail "$k ibt-seal camgate.ko's indirect call sites can be probed"
		fi
	fi
	if [ -z "${tdirs[$KARCH]:-}" ]; then
		step_fail "$k vm skipped" "no test programs to run"
		continue
	fi
	initrd=$top/build/$k/initramfs.cpio.gz
	if ! "$vmdir/mkinitramfs.sh" "$k" "$KMODDIR" "$src" "$initrd" "$KARCH"; then
		step_fail "$k build initramfs" "see the messages above"
		continue
	fi
	while [ ${#vm_kernel[@]} -ge "$vm_jobs" ]; do
		reap
	done
	rm -f "$top/build/$k/done"
	vm_boot[$k]=$(date +%s)
	vm_job "$k" "$ibt" "$logs/console-$k.log" "$initrd" "${calltargets[@]}" \
		>"$top/build/$k/results" &
	vm_kernel[$!]=$k
	vm_t0[$k]=$kt0
done
while [ ${#vm_kernel[@]} -gt 0 ]; do
	reap
done
wait "$host_pid"
tee -a "$results" <"$top/build/host/results"

passed=$(grep -c '^ok ' "$results" | tr -d ' ')
skipped=$(grep -c '^ok .* # SKIP ' "$results" | tr -d ' ')
failed=$(grep -c '^not ok ' "$results" | tr -d ' ')
passed=$((passed - skipped))
log "finished in $(($(date +%s) - t0)) s; results in $results, logs in $logs/"
if [ "$failed" -gt 0 ]; then
	log "failed:"
	grep '^not ok ' "$results" | sed 's/^/camgate:   /' >&2
fi
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" = 0 ]
