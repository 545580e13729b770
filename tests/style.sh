#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make style: checkpatch --strict over camgate's kernel sources, using the
# checkpatch.pl of Debian's linux-source-6.12 (unpacked into the cache).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${CAMGATE_CACHE:-$HOME/.cache/camgate}
cp=$(ls "$cache"/src/linux-source-6.12-*/scripts/checkpatch.pl 2>/dev/null | head -n 1 || true)
if [ -z "$cp" ]; then
	tarball=/usr/src/linux-source-6.12.tar.xz
	[ -f "$tarball" ] || { echo "camgate: install linux-source-6.12 for checkpatch" >&2; exit 1; }
	mkdir -p "$cache/src/checkpatch"
	tar -xf "$tarball" -C "$cache/src/checkpatch" --strip-components=1 \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	cp=$cache/src/checkpatch/scripts/checkpatch.pl
fi
cd "$top"
# LINUX_VERSION_CODE: an out-of-tree module must test the version it is
# built against; those tests live only in module/compat.h.
"$cp" --no-tree --strict --terse --show-types \
	--ignore FILE_PATH_CHANGES,LINUX_VERSION_CODE,CONSTANT_COMPARISON \
	-f module/*.c module/*.h include/uapi/linux/*.h tests/*_kunit.c tests/*.h \
	tests/*_probe.c
