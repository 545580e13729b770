#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Do the test kernels look like Debian's to user space?
#
#   tests/abi-check.sh [FLAVOUR...]    FLAVOUR = debug | kcsan | arm64
#                                      (or debug-6.12 ...; default: debug arm64)
#
# For each flavour, compares every option listed in
# tests/vm/config/abi-options.txt (the options that shape the system call
# and ioctl ABI or the paths camgate guards) between the test kernel's
# .config and Debian's config of the same version (that of
# linux-source-6.12) and architecture, and prints one TAP-ish line:
#
#   ok host abi-options debug-6.12
#   not ok host abi-options debug-6.12
#   # CONFIG_X: debian=y test=n
#
# A difference is allowed only when one of the flavour's fragments
# explains it with a line "# abi-differs: CONFIG_X: reason".  y and m
# count as equal (the interface exists either way).
#
# The test kernel's .config is the built one when build-kernel.sh has the
# kernel of the current fragments in its cache; otherwise it is made the
# same way build-kernel.sh makes it (allnoconfig, the fragments merged,
# olddefconfig) in a scratch directory, a few seconds, so that the check
# can run before any kernel is built.  Debian's configs come from the
# linux-config-6.12 package of the source's version (apt-get download,
# cached under ~/.cache/camgate/stock; never installed).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cfgdir=$top/tests/vm/config
list=$cfgdir/abi-options.txt
cache=${CAMGATE_CACHE:-$HOME/.cache/camgate}
tarball=/usr/src/linux-source-6.12.tar.xz

log() { echo "camgate: $*" >&2; }

flavours=("$@")
[ ${#flavours[@]} -gt 0 ] || flavours=(debug arm64)

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) || srcver=

# debian_config ARCH: print the path of Debian's config for ARCH (amd64 or
# arm64) of version $srcver, fetching linux-config-6.12 once per version
# and architecture.
debian_config() {
	local arch=$1 dir f
	dir=$cache/stock/linux-config-6.12-$srcver-$arch
	f=$dir/config.${arch}_none_${arch}
	if [ ! -f "$dir/.done" ]; then
		(
			flock 9
			[ -f "$dir/.done" ] && exit 0
			rm -rf "$dir/deb" && mkdir -p "$dir/deb"
			cd "$dir/deb" &&
				apt-get download -q -o APT::Sandbox::User=root \
					"linux-config-6.12:$arch=$srcver" >&2 &&
				dpkg-deb -x ./*.deb . &&
				xz -dc "usr/src/linux-config-6.12/config.${arch}_none_${arch}.xz" >"$f.tmp" &&
				mv "$f.tmp" "$f" && rm -rf "$dir/deb" && touch "$dir/.done"
		) 9>"$dir.lock" || return 1
	fi
	[ -f "$f" ] && echo "$f"
}

# test_config FLAVOUR ARCH CROSS FRAGMENTS...: print the path of the
# flavour's .config (see the top of this file).
test_config() {
	local flavour=$1 karch=$2 cross=$3 key out src scratch
	shift 3
	# build-kernel.sh's cache key (a mismatch only costs a scratch config).
	key=$( { echo "$srcver"; cat "$@" "$top/tests/vm/build-kernel.sh"; } | sha256sum | cut -c1-16)
	out=$cache/kernels/$flavour-$key
	if [ -f "$out/.done" ] && [ -f "$out/build/.config" ]; then
		echo "# config: built kernel $out/build/.config" >&2
		echo "$out/build/.config"
		return 0
	fi
	src=$cache/src/linux-source-6.12-$srcver
	mkdir -p "${src%/*}"
	(
		# Unpacked as build-kernel.sh does (same lock, same place).
		flock 9
		if [ ! -f "$src/.done" ]; then
			log "unpacking linux-source-6.12 $srcver"
			rm -rf "$src" "$src.tmp" && mkdir -p "$src.tmp" &&
				tar -xf "$tarball" -C "$src.tmp" --strip-components=1 &&
				touch "$src.tmp/.done" && mv -T "$src.tmp" "$src"
		fi
	) 9>"$src.lock"
	[ -f "$src/.done" ] || return 1
	scratch=$(mktemp -d)
	make -s -C "$src" O="$scratch" ARCH="$karch" CROSS_COMPILE="$cross" allnoconfig >/dev/null &&
		KCONFIG_CONFIG="$scratch/.config" "$src/scripts/kconfig/merge_config.sh" -m \
			-O "$scratch" "$scratch/.config" "$@" >/dev/null &&
		make -s -C "$src" O="$scratch" ARCH="$karch" CROSS_COMPILE="$cross" olddefconfig >/dev/null ||
		{ rm -rf "$scratch"; return 1; }
	mkdir -p "$cache/abi-check"
	mv "$scratch/.config" "$cache/abi-check/$flavour.config"
	rm -rf "$scratch"
	echo "# config: allnoconfig + fragments + olddefconfig (not built yet)" >&2
	echo "$cache/abi-check/$flavour.config"
}

# value FILE OPTION: the option's value in a .config, n when unset.
value() {
	local v
	v=$(grep -m1 "^$2=" "$1" | cut -d= -f2-)
	echo "${v:-n}"
}

rc=0
for flavour in "${flavours[@]}"; do
	flavour=${flavour%-6.12}
	name=$flavour-6.12
	case "$flavour" in
	arm64)
		arch=arm64 karch=arm64 cross=aarch64-linux-gnu-
		frags=("$cfgdir/base.config" "$cfgdir/arm64.config")
		;;
	debug | kcsan)
		arch=amd64 karch=x86_64 cross=
		frags=("$cfgdir/base.config" "$cfgdir/x86.config" "$cfgdir/$flavour.config")
		;;
	*)
		echo "not ok host abi-options $name"
		echo "# unknown flavour '$flavour' (debug, kcsan, arm64)"
		rc=1
		continue
		;;
	esac
	if [ -z "$srcver" ]; then
		echo "not ok host abi-options $name"
		echo "# linux-source-6.12 is not installed (tests/deps.sh)"
		rc=1
		continue
	fi
	if ! deb=$(debian_config "$arch"); then
		echo "not ok host abi-options $name"
		echo "# cannot get Debian's $arch config (linux-config-6.12:$arch=$srcver)"
		rc=1
		continue
	fi
	diag=$(mktemp)
	if ! tst=$(test_config "$flavour" "$karch" "$cross" "${frags[@]}" 2>"$diag"); then
		echo "not ok host abi-options $name"
		echo "# cannot make the $name .config:"
		sed 's/^/# /' "$diag" | tail -n 5
		rm -f "$diag"
		rc=1
		continue
	fi
	where=$(grep '^# config:' "$diag")
	rm -f "$diag"
	# The explained differences: CONFIG_X -> reason.
	declare -A why=()
	while IFS= read -r line; do
		opt=${line#*abi-differs: }
		opt=${opt%%:*}
		why[$opt]=${line#*abi-differs: "$opt": }
	done < <(grep -h '^# abi-differs: CONFIG_[A-Z0-9_]*:' "${frags[@]}")

	bad=() explained=() n=0
	while read -r opt _; do
		case "$opt" in CONFIG_*) ;; *) continue ;; esac
		n=$((n + 1))
		d=$(value "$deb" "$opt")
		t=$(value "$tst" "$opt")
		dn=$d tn=$t
		[ "$dn" != m ] || dn=y
		[ "$tn" != m ] || tn=y
		[ "$dn" != "$tn" ] || continue
		if [ -n "${why[$opt]:-}" ]; then
			explained+=("# $opt: debian=$d test=$t (abi-differs: ${why[$opt]})")
		else
			bad+=("# $opt: debian=$d test=$t")
		fi
	done <"$list"
	stale=()
	for opt in "${!why[@]}"; do
		[ "$(value "$deb" "$opt" | sed 's/^m$/y/')" != "$(value "$tst" "$opt" | sed 's/^m$/y/')" ] ||
			stale+=("# note: $opt is explained as differing but does not: the abi-differs line can go")
	done
	unset why
	if [ ${#bad[@]} = 0 ]; then
		echo "ok host abi-options $name"
	else
		echo "not ok host abi-options $name"
		printf '%s\n' "${bad[@]}"
		rc=1
	fi
	echo "# $n options compared with Debian's ${deb##*/} ($srcver); ${#explained[@]} differ as the fragments explain, ${#bad[@]} unexplained"
	echo "$where"
	[ ${#explained[@]} = 0 ] || printf '%s\n' "${explained[@]}"
	[ ${#stale[@]} = 0 ] || printf '%s\n' "${stale[@]}"
done
exit $rc
