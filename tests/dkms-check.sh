#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make test: build camgate with DKMS, as a board does, for each kernel
# whose headers are given (default: the stock Debian x86_64 headers).
#
#   tests/dkms-check.sh [HEADERS_DIR...]
#
# dkms add + build from what make dkms-install copies (dkms.conf, Kbuild,
# module/, include/ and the KUnit sources), in private dkms, source and
# install trees under a temporary directory: the host's /var/lib/dkms is not
# touched.  No -Werror (dkms.conf's MAKE has none, as on a board).  One
# "ok|not ok host dkms build <kernel>" line per kernel.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
hdrs=("$@")
[ ${#hdrs[@]} -gt 0 ] || hdrs=(/usr/src/linux-headers-6.1.*-amd64 /usr/src/linux-headers-6.12.*-amd64)
command -v dkms >/dev/null || PATH=$PATH:/usr/sbin:/sbin
command -v dkms >/dev/null || { echo "not ok host dkms build # dkms is not installed"; exit 1; }

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src=$work/src/camgate-$ver
mkdir -p "$src/tests" "$work/tree" "$work/install"
# The same files as make dkms-install.
cp -r "$top/dkms.conf" "$top/Kbuild" "$top/module" "$top/include" "$src/"
cp "$top"/tests/*_kunit.c "$top"/tests/*.h "$src/tests/"
trees=(--dkmstree "$work/tree" --sourcetree "$work/src" --installtree "$work/install")
log=$top/build/logs/dkms.log
mkdir -p "${log%/*}"
: >"$log"

rc=0
if ! dkms add -m camgate -v "$ver" "${trees[@]}" >>"$log" 2>&1; then
	echo "not ok host dkms add camgate/$ver"
	sed 's/^/# /' "$log" | tail -n 5
	exit 1
fi
for h in "${hdrs[@]}"; do
	kver=${h##*/linux-headers-}
	name="host dkms build $kver"
	[ -f "$h/.config" ] || { echo "not ok $name # no kernel headers at $h"; rc=1; continue; }
	arch=$(sed -n 's/^CONFIG_ARM64=y/aarch64/p; s/^CONFIG_X86_64=y/x86_64/p' "$h/.config" | head -n 1)
	# dkms may compress the module it keeps (camgate.ko.xz).
	if dkms build -m camgate -v "$ver" -k "$kver" -a "$arch" --kernelsourcedir "$h" \
		"${trees[@]}" >>"$log" 2>&1 &&
	   compgen -G "$work/tree/camgate/$ver/$kver/$arch/module/camgate.ko*" >/dev/null; then
		echo "ok $name"
	else
		echo "not ok $name"
		grep -E 'error|Error|BUILD_EXCLUSIVE' "$log" | tail -n 5 | sed 's/^/# /'
		rc=1
	fi
done

# A kernel without an option camgate needs (CONFIG_KPROBES here): DKMS
# skips it (BUILD_EXCLUSIVE_CONFIG), and a plain make stops with one line
# naming the option.  The kernel is the first one's headers with that
# option taken out of .config and autoconf.h, in a tree of symlinks.
h=${hdrs[0]}
kver=${h##*/linux-headers-}
fake=$work/headers-nokprobes
mkdir -p "$fake"
for e in "$h"/* "$h"/.[!.]*; do ln -s "$e" "$fake/${e##*/}"; done
rm "$fake/.config" "$fake/include"
mkdir -p "$fake/include"
for e in "$h"/include/*; do ln -s "$e" "$fake/include/${e##*/}"; done
rm "$fake/include/generated"
cp -r "$h/include/generated" "$fake/include/generated"
grep -v '^CONFIG_KPROBES=' "$h/.config" >"$fake/.config"
sed -i '/^#define CONFIG_KPROBES 1$/d' "$fake/include/generated/autoconf.h"
name="host dkms skips a kernel without CONFIG_KPROBES"
# A tree of its own: the real kernel of that version was built above.
xtrees=(--dkmstree "$work/xtree" --sourcetree "$work/src" --installtree "$work/install")
mkdir -p "$work/xtree"
dkms add -m camgate -v "$ver" "${xtrees[@]}" >>"$log" 2>&1
dkms build -m camgate -v "$ver" -k "$kver" -a "$arch" --kernelsourcedir "$fake" \
	"${xtrees[@]}" >"$work/excl.log" 2>&1
excl=$?
cat "$work/excl.log" >>"$log"
# dkms exits 77 for "excluded by BUILD_EXCLUSIVE", and builds nothing.
if [ $excl = 77 ] && grep -q 'BUILD_EXCLUSIVE' "$work/excl.log"; then
	echo "ok $name"
else
	echo "not ok $name"
	echo "# dkms build exited $excl"
	rc=1
fi
name="host make names the missing CONFIG_KPROBES in one line"
mkdir -p "$work/plain"
cp -r "$top/Kbuild" "$top/module" "$top/include" "$work/plain/"
if make -C "$fake" M="$work/plain" modules >"$work/plain.log" 2>&1; then
	echo "not ok $name"
	echo "# the build succeeded without CONFIG_KPROBES"
	rc=1
elif grep -q 'error: #error "camgate needs CONFIG_KPROBES' "$work/plain.log"; then
	echo "ok $name"
else
	echo "not ok $name"
	grep -m 3 'error' "$work/plain.log" | sed 's/^/# /'
	rc=1
fi
exit $rc
