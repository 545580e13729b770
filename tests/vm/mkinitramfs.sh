#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make the initramfs for one kernel.
#
#   mkinitramfs.sh NAME KMODDIR MODSRC OUT [ARCH]
#
# NAME     kernel name (stock-6.1, stock-6.12, stock-latest, debug-6.12, arm64-6.12, ...)
# KMODDIR  that kernel's lib/modules/<version> (modules.dep, vivid's stack)
# MODSRC   where build-module.sh left camgate.ko (and camgate_kunit.ko)
# OUT      the cpio.gz to write
# ARCH     x86_64 (default: the host's busybox and v4l-utils) or arm64
#          (Debian's arm64 packages, from arm64-userland.sh)
#
# Also takes build/tests/ (build-tests.sh; build/tests-arm64/ on arm64)
# and, when EXTRA_TESTS is set, every executable in that directory (into
# /extra).  make bench (tests/bench.sh) sets CAMGATE_VM_INIT, the /init to
# use instead of tests/vm/init, and CAMGATE_BENCH, a directory copied into
# /bench.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=${1:?usage: mkinitramfs.sh NAME KMODDIR MODSRC OUT}
kmoddir=${2:?}
modsrc=${3:?}
out=${4:?}
arch=${5:-x86_64}
kver=${kmoddir##*/}
case "$arch" in
x86_64) tests=$top/build/tests usr=/ ;;
arm64) tests=$top/build/tests-arm64 usr=$("$vmdir/arm64-userland.sh") ;;
*) die "unknown architecture '$arch'" ;;
esac
root=$top/build/$name/initramfs

rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,camgate,tests,extra}

# busybox: one static binary, an applet link for each command it has.
# The arm64 one cannot run here to list them; the host's busybox-static is
# the same Debian build for amd64 (deps.sh installs both), with the same
# applets.
cp "$usr/bin/busybox" "$root/bin/busybox"
for applet in $(/bin/busybox --list-full); do
	[ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done

# vivid and everything it needs, in load order.  modules.dep lists a
# module's dependencies so that loading them last-first works (what
# modprobe does).  Debian 6.12 ships .ko.xz, which busybox insmod cannot
# read: decompress into the image.  udmabuf is optional (DMABUF import
# tests skip without it).
moddep() { # module name -> its modules.dep line, or nothing
	awk -F: -v m="$1" '{ n = $1; sub(/.*\//, "", n); sub(/\.ko(\.xz|\.zst|\.gz)?$/, "", n);
	                     gsub(/-/, "_", n) } n == m { print; exit }' "$kmoddir/modules.dep"
}
load_order=()
add_module() {
	local line deps i
	line=$(moddep "$1")
	[ -n "$line" ] || return 1
	read -ra deps <<<"${line#*:}"
	for ((i = ${#deps[@]} - 1; i >= 0; i--)); do load_order+=("${deps[i]}"); done
	load_order+=("${line%%:*}")
}
add_module vivid || die "$name: vivid is not in $kmoddir/modules.dep"
add_module udmabuf || true
# binder (Debian: binder_linux, a module; the debug kernel: built in), for
# the binder fd-transfer test; it skips without /dev/binder.
add_module binder_linux || true
# uinput (Debian: a module; the test kernels: built in), for the LED the
# indicator tests make (a uinput keyboard with a LED, through input-leds).
add_module uinput || true
# 9p over virtio (modules, on Debian's kernels and the test kernels), for
# the /usr that the uvc-apps suite runs GStreamer and ffmpeg from
# (run-vm.sh shares the host's on x86_64, Debian's arm64 packages on arm64).
add_module virtio_pci || true
add_module 9pnet_virtio || true
add_module 9p || true
# vimc (the test kernels build it, Debian's do not), for the libcam suite
# (issue 15): its dependencies are loaded at boot with vivid's, vimc itself
# is not (init skips it): the suite loads and removes it.
have_vimc=0
add_module vimc && have_vimc=1
# Whatever camgate itself links against (today a subset of vivid's stack).
for dep in $(/sbin/modinfo -F depends "$modsrc/camgate.ko" | tr , ' '); do
	add_module "${dep//-/_}" || die "$name: camgate needs $dep, not in modules.dep"
done
# The USB/IP host controller and uvcvideo, for the uvc suite's camera
# (tests/vm/uvcdev.c): in a list of their own, loaded by init only when
# that suite runs.  A kernel without them (CONFIG_USBIP_VHCI_HCD,
# CONFIG_USB_VIDEO_CLASS) skips the uvc suites, with the reason init finds
# here.
main_order=("${load_order[@]}")
load_order=()
uvc_missing=
for m in usbip_core vhci_hcd uvcvideo; do
	add_module "$m" || uvc_missing="$uvc_missing ${m//_/-}"
done
uvc_order=("${load_order[@]}")
mkdir -p "$root/lib/modules/$kver"
declare -A seen=()
copy_module() { # its path in modules.dep -> the list $2
	local m=$1 rel dst
	[ -z "${seen[$m]:-}" ] || return 0
	seen[$m]=1
	rel=${m%.xz}
	rel=${rel%.zst}
	rel=${rel%.gz}
	dst=$root/lib/modules/$kver/$rel
	mkdir -p "${dst%/*}"
	case "$m" in
	*.xz) xz -dc "$kmoddir/$m" >"$dst" ;;
	*.zst) zstd -qdc "$kmoddir/$m" >"$dst" ;;
	*.gz) gzip -dc "$kmoddir/$m" >"$dst" ;;
	*) cp "$kmoddir/$m" "$dst" ;;
	esac
	echo "${dst#"$root"}" >>"$2"
}
modlist=$root/lib/modules/$kver/camgate-load-order
: >"$modlist"
for m in "${main_order[@]}"; do copy_module "$m" "$modlist"; done
uvclist=$root/lib/modules/$kver/camgate-uvc-load-order
if [ -z "$uvc_missing" ]; then
	: >"$uvclist"
	for m in "${uvc_order[@]}"; do copy_module "$m" "$uvclist"; done
else
	uvc_missing=${uvc_missing# }
	echo "$name has no ${uvc_missing// /, } module (CONFIG_USBIP_VHCI_HCD, CONFIG_USB_VIDEO_CLASS)" \
		>"$root/etc/camgate-no-uvc"
fi

cp "$modsrc/camgate.ko" "$root/camgate/"
[ ! -f "$modsrc/camgate_kunit.ko" ] || cp "$modsrc/camgate_kunit.ko" "$root/camgate/"
# The test-only delay module (race windows), and the IBT check's probe
# module with the call sites it probes (run.sh).
[ ! -f "$modsrc/camgate_delay.ko" ] || cp "$modsrc/camgate_delay.ko" "$root/camgate/"
[ ! -f "$modsrc/icall-sites" ] || cp "$modsrc/camgate_icall.ko" "$modsrc/icall-sites" "$root/camgate/"

# Test programs (mode 0755: some re-execute themselves as the owner uid).
cp "$tests/runas" "$tests/uvcdev" "$root/bin/"
[ ! -f "$tests/cg32" ] || cp "$tests/cg32" "$root/bin/cg32"
cp -a "$tests/bin/." "$root/tests/"
if [ -n "${EXTRA_TESTS:-}" ]; then
	[ -d "$EXTRA_TESTS" ] || die "EXTRA_TESTS=$EXTRA_TESTS is not a directory"
	for f in "$EXTRA_TESTS"/*; do
		[ -f "$f" ] && [ -x "$f" ] && cp -L "$f" "$root/extra/"
	done
fi

# camgatectl where tools-install puts it, and the udev rule as shipped,
# with Debian's udevd (udevadm is systemd-udevd under that name) to run it.
cp "$tests/camgatectl" "$root/usr/sbin/camgatectl"
mkdir -p "$root/etc/udev/rules.d" "$root/usr/lib/systemd"
cp "$top/tools/udev/70-camgate.rules" "$root/etc/udev/rules.d/"
ln -s /usr/bin/udevadm "$root/usr/lib/systemd/systemd-udevd"

# v4l2-compliance, v4l2-ctl and udevadm are dynamically linked: bring their
# libraries and the loader, at the paths the binaries expect.
if [ "$arch" = x86_64 ]; then
	for bin in /usr/bin/v4l2-compliance /usr/bin/v4l2-ctl /bin/udevadm; do
		cp "$bin" "$root/usr/bin/"
		for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		done
	done
else
	# No ldd for arm64 binaries here: follow DT_NEEDED through the
	# unpacked packages, as the loader would.
	libdirs=(lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu)
	needed() { aarch64-linux-gnu-readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
	declare -A have=()
	queue=(usr/bin/v4l2-compliance usr/bin/v4l2-ctl bin/udevadm)
	# libcamera where vimc is (as on x86_64 below): cam, the IPA modules
	# and their proxies, libcamera's data files.
	if [ $have_vimc = 1 ]; then
		queue+=(usr/bin/cam)
		for f in "$usr"/usr/lib/aarch64-linux-gnu/libcamera/* \
			 $(find "$usr/usr/share/libcamera" -type f); do
			case "$f" in
			*.so|*_proxy) queue+=("${f#"$usr"/}") ;;
			*) mkdir -p "$root/$(dirname "${f#"$usr"/}")"; cp "$f" "$root/${f#"$usr"/}" ;;
			esac
		done
	fi
	interp=$(aarch64-linux-gnu-readelf -l "$usr/usr/bin/v4l2-compliance" |
		 sed -n 's/.*interpreter: \/\(.*\)\]/\1/p')
	[ -n "$interp" ] || die "arm64 v4l2-compliance: no program interpreter"
	mkdir -p "$root/${interp%/*}"
	cp -L "$usr/$interp" "$root/$interp"
	have[${interp##*/}]=1
	while [ ${#queue[@]} -gt 0 ]; do
		f=${queue[0]}
		queue=("${queue[@]:1}")
		mkdir -p "$root/${f%/*}"
		cp -L "$usr/$f" "$root/$f"
		# A library's own RUNPATH first (PulseAudio's private libraries).
		runpath=$(aarch64-linux-gnu-readelf -d "$usr/$f" |
			  sed -n 's/.*(R[UN]*PATH).*\[\(.*\)\]/\1/p' | tr ':' ' ')
		runpath=${runpath//\$ORIGIN/\/${f%/*}}
		for n in $(needed "$usr/$f"); do
			[ -z "${have[$n]:-}" ] || continue
			have[$n]=1
			found=
			for d in $runpath "${libdirs[@]}"; do
				[ -e "$usr/$d/$n" ] && { found=$d/$n; break; }
			done
			[ -n "$found" ] || die "arm64: library $n (of $f) not in the unpacked packages"
			queue+=("$found")
		done
	done
	mv "$root/bin/udevadm" "$root/usr/bin/udevadm"	# where x86_64 has it
fi

# libcamera's cam, the owner's application of the libcam suite, where vimc
# is: the binary, libcamera's pipeline handlers (in libcamera0.*), its IPA
# modules, their proxies and data files (libcamera-ipa), and every library
# ldd names.  libcamera lists only cameras udev has initialized: the suite
# runs the initramfs's udevd for that.
copy_with_libs() { # FILE...: each at its own path, with its libraries
	local f lib
	for f in "$@"; do
		mkdir -p "$root${f%/*}"
		cp -L "$f" "$root$f"
		for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*'); do
			[ -e "$root$lib" ] && continue
			mkdir -p "$root${lib%/*}"
			cp -L "$lib" "$root$lib"
		done
	done
}
if [ $have_vimc = 1 ] && [ "$arch" = x86_64 ]; then
	lcpkgs=$(dpkg-query -W -f='${db:Status-Status} ${Package}\n' 'libcamera0*' libcamera-ipa \
		 libcamera-tools 2>/dev/null | awk '$1 == "installed" { print $2 }')
	[ "$(echo $lcpkgs | wc -w)" = 3 ] ||
		die "$name: libcamera-tools, libcamera-ipa or libcamera0.* not installed (tests/deps.sh)"
	lcfiles=()
	for f in /usr/bin/cam $(dpkg -L $lcpkgs | grep -E '^/usr/(lib|share/libcamera)/'); do
		[ -f "$f" ] && lcfiles+=("$f")
	done
	copy_with_libs "${lcfiles[@]}"
fi

if [ -n "${CAMGATE_BENCH:-}" ]; then
	mkdir -p "$root/bench"
	cp -a "$CAMGATE_BENCH/." "$root/bench/"
fi

cp "${CAMGATE_VM_INIT:-$vmdir/init}" "$root/init"
chmod 0755 "$root/init"
cat >"$root/etc/camgate-vm.conf" <<CONF
KERNEL=$name
KVER=$kver
CONF
# What the shipped udev rule applies (camgatectl apply): vivid's capture
# node to uid 1000 (tests/integration/udev.c), and uvcdev's camera, by its
# USB id, to the same uid (tests/integration/uvc-unplug.c).
printf '%s\n' 'path=vivid.0 name=*-vid-cap 1000' 'usb=1d6b:0102 1000' >"$root/etc/camgate.conf"
cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
owner:x:1000:1000:camgate owner:/tmp:/bin/sh
other:x:1001:1001:unrelated user:/tmp:/bin/sh
PASSWD
cat >"$root/etc/group" <<'GROUP'
root:x:0:
owner:x:1000:
other:x:1001:
GROUP
chmod 1777 "$root/tmp"

(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet -R 0:0) |
	gzip -1 >"$out"
