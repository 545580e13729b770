#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make test: the Debian packages, as a board gets them (issue 18).
#
#   tests/deb-check.sh [--vm] [--keep]
#
# 1. make deb (from make dist's tarball: the tarball builds) and lintian
#    at its default level: any error or warning fails;
# 2. dpkg -i both packages on this host; systemd-analyze verifies the boot
#    unit; camgate-dkms's postinst has DKMS build camgate for the installed
#    kernels: for each stock x86_64 kernel whose headers are installed,
#    DKMS must have built and installed it, with the packages' version;
# 3. --vm: boot Debian's stock 6.1 in qemu with the module DKMS built
#    (/lib/modules/<kver>/updates/dkms/camgate.ko) and the package's
#    camgatectl, not the tree's: load, apply a configuration, a non-owner
#    denied with its reason, the owner streaming (tests/deb-vm-init.sh);
# 4. dpkg --purge both (unless --keep): the module is gone from every kernel.
#
# One "ok|not ok host deb ..." or "ok|not ok host dkms camgate-dkms <kver>"
# line per check.  Changes the host: the packages are installed (and
# purged), /var/lib/dkms gets camgate/<version>.  Runs under a lock, so two
# checkouts do not install at once.
set -uo pipefail
. "$(dirname "$0")/vm/lib.sh"

vm=0 keep=0
for a in "$@"; do
	case "$a" in
	--vm) vm=1 ;;
	--keep) keep=1 ;;
	*) die "usage: deb-check.sh [--vm] [--keep]" ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "not ok host deb # needs root (dpkg -i)"; exit 1; }
command -v dkms >/dev/null || PATH=$PATH:/usr/sbin:/sbin
exec 9>/run/lock/camgate-deb-check.lock
flock 9

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
arch=$(dpkg --print-architecture)
logs=$top/build/logs
mkdir -p "$logs"
log=$logs/deb.log
: >"$log"
rc=0
ok() { echo "ok host $*"; }
fail() {
	echo "not ok host $1"
	shift
	for l in "$@"; do echo "# $l"; done
	rc=1
}
tail_log() { tail -n "${1:-5}" "$log" | sed 's/^/# /'; }

# 1. Build and lint.
if make -C "$top" -s deb >>"$log" 2>&1; then
	ok "deb build camgate-dkms_${ver}_all.deb camgatectl_${ver}_${arch}.deb"
else
	echo "not ok host deb build"
	tail_log 10
	exit 1
fi
dkms_deb=$top/build/deb/camgate-dkms_${ver}_all.deb
ctl_deb=$top/build/deb/camgatectl_${ver}_${arch}.deb
lint=$(lintian "$top/build/deb/camgate_${ver}_${arch}.changes" 2>&1 |
	grep -v '^running with root privileges')
if [ -z "$lint" ]; then
	ok "deb lintian (default level): no error, no warning"
else
	fail "deb lintian (default level): no error, no warning" "$lint"
fi

# 2. Install: DKMS builds camgate for the installed kernels.
purge() { dpkg --purge camgatectl camgate-dkms >>"$log" 2>&1; }
purge
if DEBIAN_FRONTEND=noninteractive dpkg -i "$dkms_deb" "$ctl_deb" >>"$log" 2>&1 &&
   [ "$(/usr/sbin/camgatectl --version)" = "camgatectl $ver" ] && [ -f /etc/camgate.conf ] &&
   [ -f /lib/udev/rules.d/70-camgate.rules ] && [ -f /lib/modprobe.d/camgate.conf ] &&
   [ -f /usr/share/man/man8/camgatectl.8.gz ]; then
	ok "deb install (dpkg -i): camgatectl $ver, its man page, udev rule, /etc/camgate.conf, modprobe.d"
else
	fail "deb install (dpkg -i): camgatectl $ver, its man page, udev rule, /etc/camgate.conf, modprobe.d" \
		"$(tail -n 8 "$log")"
fi
# The boot unit as systemd reads it (its man page reference included).
if ! command -v systemd-analyze >/dev/null; then
	echo "ok host deb systemd unit camgate.service verifies # SKIP no systemd-analyze"
elif out=$(systemd-analyze verify /lib/systemd/system/camgate.service 2>&1) && [ -z "$out" ]; then
	ok "deb systemd unit camgate.service verifies"
else
	fail "deb systemd unit camgate.service verifies" "$out"
fi
for h in /usr/src/linux-headers-*-amd64; do
	[ -f "$h/.config" ] || continue
	kver=${h##*/linux-headers-}
	# The postinst builds for the running and the newest kernel (all of
	# them when the running one is not installed, as in a container);
	# another gets camgate when its kernel package runs DKMS's hook, which
	# is dkms autoinstall.
	if ! compgen -G "/lib/modules/$kver/updates/dkms/camgate.ko*" >/dev/null; then
		echo "# $kver: not built by the postinst; dkms autoinstall, as the kernel's hook does"
		dkms autoinstall -k "$kver" >>"$log" 2>&1
	fi
	ko=$(compgen -G "/lib/modules/$kver/updates/dkms/camgate.ko*" | head -n 1)
	st=$(dkms status -m camgate -v "$ver" -k "$kver" 2>&1)
	got=
	[ -z "$ko" ] || got=$(modinfo -F version "$ko" 2>/dev/null)
	if [[ "$st" == *installed* ]] && [ "$got" = "$ver" ]; then
		ok "dkms camgate-dkms $kver"
	else
		fail "dkms camgate-dkms $kver" "dkms status: $st" "module: ${ko:-none}, version '$got'"
	fi
done

# 3. One VM with what the packages installed.
if [ $vm = 1 ]; then
	t0=$(date +%s)
	k=stock-6.1
	kernel_paths "$k"
	work=$top/build/deb-vm
	rm -rf "$work"
	mkdir -p "$work/mod"
	ko=$(compgen -G "/lib/modules/$KVER/updates/dkms/camgate.ko*" | head -n 1)
	case "$ko" in
	*.xz) xz -dc "$ko" >"$work/mod/camgate.ko" ;;
	*.zst) zstd -qdc "$ko" >"$work/mod/camgate.ko" ;;
	*) cp "$ko" "$work/mod/camgate.ko" 2>/dev/null ;;
	esac
	[ -f "$top/build/tests/runas" ] || "$vmdir/build-tests.sh" >>"$log" 2>&1
	name=deb-$k
	initrd=$work/initramfs.cpio.gz
	console=$logs/console-$name.log
	if [ ! -s "$work/mod/camgate.ko" ]; then
		fail "deb vm $k # no DKMS-built module for $KVER"
	elif ! CAMGATE_VM_INIT=$top/tests/deb-vm-init.sh EXTRA_TESTS= \
		"$vmdir/mkinitramfs.sh" "$name" "$KMODDIR" "$work/mod" "$initrd" >>"$log" 2>&1; then
		fail "deb vm $k # mkinitramfs" "$(tail -n 3 "$log")"
	else
		# The package's camgatectl and a configuration for apply, in
		# place of the tree's static camgatectl and the harness's file.
		root=$top/build/$name/initramfs
		cp /usr/sbin/camgatectl "$root/usr/sbin/camgatectl"
		printf '# tests/deb-check.sh\npath=vivid.0 name=*-vid-cap owner\n' >"$root/etc/camgate.conf"
		(cd "$root" && find . -print0 | LC_ALL=C sort -z |
			cpio --null -o -H newc --quiet -R 0:0) | gzip -1 >"$initrd"
		VM_TIMEOUT=${VM_TIMEOUT:-600} "$vmdir/run-vm.sh" "$name" "$KIMAGE" "$initrd" \
			"$console" "camgatedeb.version=$ver" 2>>"$log"
		res=$(sed -n '/^camgate-deb-begin/,/^camgate-deb-end/p' "$console" | tr -d '\r')
		cases=$(grep -Ec '^(not )?ok ' <<<"$res")
		while IFS= read -r l; do
			case "$l" in
			"ok "*) echo "ok host deb vm $k ${l#ok * - }" ;;
			"not ok "*) echo "not ok host deb vm $k ${l#not ok * - }"; rc=1 ;;
			"#"*) echo "$l" ;;
			esac
		done <<<"$res"
		if [ "$cases" -lt 10 ] || ! grep -q '^CAMGATE-VM-DONE' "$console"; then
			fail "deb vm $k # the VM ended early ($cases cases; console: $console)"
		fi
		grep -Eq 'BUG:|WARNING:|Oops|Call Trace' "$console" &&
			fail "deb vm $k: no kernel warning" "$(grep -Em 3 'BUG:|WARNING:|Oops' "$console")"
	fi
	echo "# deb vm: $(( $(date +%s) - t0 )) s"
fi

# 4. Purge: nothing of camgate left.
if [ $keep = 0 ]; then
	purge
	left=$(compgen -G "/lib/modules/*/updates/dkms/camgate.ko*"; ls -d /usr/src/camgate-* /usr/sbin/camgatectl 2>/dev/null)
	if [ -z "$left" ] && ! dkms status -m camgate 2>/dev/null | grep -q .; then
		ok "deb purge: no module, source or tool left"
	else
		fail "deb purge: no module, source or tool left" $left
	fi
fi
exit $rc
