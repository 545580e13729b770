#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch the arm64 user space of the arm64 test VMs into the cache, as arm64
# packages unpacked with dpkg-deb -x (never installed on the host; deps.sh
# enables the arm64 architecture in apt).
#
#   arm64-userland.sh [base|apps]
#
# base (the default), for the initramfs: Debian's busybox-static,
# v4l-utils (v4l2-compliance, v4l2-ctl), udev (udevd) and libcamera (cam,
# its IPA modules) and the libraries and loader they need.  Prints a
# directory laid out like an arm64 root (bin/busybox, usr/bin/v4l2-*,
# bin/udevadm, usr/bin/cam, lib/aarch64-linux-gnu/...).
# apps, for the uvc-apps suite: GStreamer (gst-launch-1.0, its
# coreelements and video4linux2 plugins) and ffmpeg with their libraries,
# some 240 MB, too many for an initramfs: run-vm.sh shares the tree's usr/
# over 9p, as it shares the host's /usr on x86_64.  Laid out like a merged
# /usr (usr/bin/ffmpeg, usr/lib/aarch64-linux-gnu/...).
# The cache is keyed by the packages' candidate versions, so an update
# fetches them once.
set -euo pipefail

cache=${CAMGATE_CACHE:-$HOME/.cache/camgate}
log() { echo "camgate: $*" >&2; }

set=${1:-base}
gstdir=/usr/lib/x86_64-linux-gnu/gstreamer-1.0
case "$set" in
base)
	pkgs=(busybox-static v4l-utils libv4l-0 libv4lconvert0 libjpeg62-turbo
	      libstdc++6 libgcc-s1 libc6 udev libcamera-tools libcamera-ipa)
	# cam and udevadm load some 80 libraries (SDL2, X11, gnutls...): the
	# packages that hold them on this host (deps.sh installs the amd64
	# ones) have the same names on arm64.
	hostpkgs=$(dpkg-query -W -f='${db:Status-Status} ${Package}\n' 'libcamera0*' libcamera-ipa \
		   libcamera-tools udev 2>/dev/null | awk '$1 == "installed" { print $2 }')
	[ "$(echo $hostpkgs | wc -w)" = 4 ] ||
		{ log "libcamera-tools, libcamera-ipa, libcamera0.* or udev not installed (tests/deps.sh)"; exit 1; }
	bins=(/usr/bin/cam /bin/udevadm $(dpkg -L $hostpkgs | grep '\.so$\|_proxy$'))
	need=(bin/busybox usr/bin/v4l2-compliance bin/udevadm usr/bin/cam)
	;;
apps)
	pkgs=(gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good ffmpeg)
	hostpkgs=${pkgs[*]}
	bins=(/usr/bin/gst-launch-1.0 /usr/bin/ffmpeg "$gstdir/libgstcoreelements.so"
	      "$gstdir/libgstvideo4linux2.so")
	need=(usr/bin/gst-launch-1.0 usr/bin/ffmpeg usr/lib/aarch64-linux-gnu/gstreamer-1.0/libgstcoreelements.so
	      usr/lib/aarch64-linux-gnu/gstreamer-1.0/libgstvideo4linux2.so)
	;;
*) log "arm64-userland.sh: unknown set '$set' (base or apps)"; exit 1 ;;
esac
for f in "${bins[@]}"; do
	[ -e "$f" ] || { log "$f is not installed (tests/deps.sh)"; exit 1; }
done
# The packages of those libraries: one dpkg -S for all of them (one a
# library took minutes on a loaded machine), asked by the path ldd gave,
# the path it resolves to and the path without /usr (merged /usr: dpkg
# knows each file by one of them).
mapfile -t libs < <(for f in "${bins[@]}"; do
		[ -f "$f" ] && ldd "$f" 2>/dev/null
	done | grep -o '/[^ ]*' | sort -u)
mapfile -t names < <(for p in "${libs[@]}"; do
		echo "$p"
		readlink -f "$p"
		echo "${p#/usr}"
	done | sort -u)
held=$(dpkg -S "${names[@]}" 2>/dev/null || true)
found=$(sed 's/^.*: //' <<<"$held")
for p in "${libs[@]}"; do
	grep -qxF -e "$p" -e "$(readlink -f "$p")" -e "${p#/usr}" <<<"$found" ||
		log "no package holds $p"
done
grep . <<<"$held" | sed 's/: .*//; s/, /\n/g' | sed 's/:amd64$//' | sort -u >"${TMPDIR:-/tmp}/camgate-arm64-libpkgs.$$"
mapfile -t libpkgs <"${TMPDIR:-/tmp}/camgate-arm64-libpkgs.$$"
rm -f "${TMPDIR:-/tmp}/camgate-arm64-libpkgs.$$"
for p in $hostpkgs "${libpkgs[@]}"; do
	case " ${pkgs[*]} " in *" $p "*) ;; *) pkgs+=("$p") ;; esac
done
# Every candidate version from one apt-cache call (one a package took
# minutes on a loaded machine).
declare -A cand=()
while IFS=$'\t' read -r p v; do
	cand[$p]=$v
done < <(apt-cache policy "${pkgs[@]/%/:arm64}" 2>/dev/null |
	 awk '/^[^ ].*:$/ { name = $0; sub(/:$/, "", name); sub(/:arm64$/, "", name); next }
	      /^  Candidate:/ { print name "\t" $2 }')
specs=()
for p in "${pkgs[@]}"; do
	v=${cand[$p]:-}
	if [ -z "$v" ] || [ "$v" = "(none)" ]; then
		# ffmpeg on amd64 links Intel's media libraries (libmfx1,
		# libvpl2), which arm64 has not, nor needs.
		case "$set $p" in
		"apps lib"*) continue ;;
		esac
		log "no arm64 package $p (run tests/deps.sh: dpkg --add-architecture arm64)"
		exit 1
	fi
	specs+=("$p:arm64=$v")
done
key=$(printf '%s\n' "${specs[@]}" | sha256sum | cut -c1-16)
out=$cache/arm64-userland-$key
[ "$set" = base ] || out=$cache/arm64-$set-$key

mkdir -p "$cache"
exec 9>"$out.lock"
flock 9
if [ ! -f "$out/.done" ]; then
	log "fetching arm64 user space: ${pkgs[*]}"
	rm -rf "$out" && mkdir -p "$out/deb"
	# apt-get download writes into the current directory; the cache is
	# not the _apt user's to write, so do not drop to it.
	(cd "$out/deb" && apt-get download -q -o APT::Sandbox::User=root "${specs[@]}" >&2)
	for d in "$out"/deb/*.deb; do dpkg-deb -x "$d" "$out"; done
	rm -rf "$out/deb"
	# apps: one usr/ as on a merged-/usr system (some packages still put
	# their libraries under /lib), for the share.
	if [ "$set" = apps ]; then
		for d in bin sbin lib; do
			[ -d "$out/$d" ] || continue
			mkdir -p "$out/usr/$d"
			cp -a "$out/$d/." "$out/usr/$d/"
			rm -rf "${out:?}/$d"
		done
	fi
	for f in "${need[@]}"; do
		[ -e "$out/$f" ] || { log "the arm64 packages ($set) lack $f"; exit 1; }
	done
	touch "$out/.done"
fi
echo "$out"
