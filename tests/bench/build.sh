#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build make bench's VM program (static, like the test programs) into
# build/bench/bin/ and print that directory.
set -euo pipefail
. "$(dirname "$0")/../vm/lib.sh"

out=$top/build/bench/bin
blog=$top/build/logs/bench-build.log
mkdir -p "$out" "${blog%/*}"
if ! gcc -static -O2 -Wall -Wextra -o "$out/cgbench" "$top/tests/bench/cgbench.c" >"$blog" 2>&1 ||
   grep -q 'warning:' "$blog"; then
	cat "$blog" >&2
	die "cannot build tests/bench/cgbench.c without warnings (log: $blog)"
fi
echo "$out"
