#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# How long each suite took in the VMs, slowest first, from their consoles
# (the "time=Ns" of each camgate-tap-end line):
#
#   tests/vm/suite-times.sh [build/logs/console-KERNEL.log ...]
#
# For keeping make test within its time budget (README, "Time").
[ $# -gt 0 ] || set -- "$(dirname "$0")"/../../build/logs/console-*.log
awk '/^camgate-tap-end .* time=[0-9]+s/ {
	k = FILENAME; sub(/.*console-/, "", k); sub(/\.log$/, "", k)
	t = $NF; sub(/^time=/, "", t); sub(/s$/, "", t)
	printf "%6d s  %-18s %s\n", t, k, $2
	total[k] += t
}
END { for (k in total) printf "%6d s  %-18s (all suites)\n", total[k], k }' "$@" | sort -rn
