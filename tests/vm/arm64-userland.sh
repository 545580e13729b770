#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch the arm64 user space of the arm64 test VMs into the cache: Debian's
# busybox-static, v4l-utils (v4l2-compliance, v4l2-ctl) and the libraries
# and loader they need, as arm64 packages unpacked with dpkg-deb -x (never
# installed on the host; deps.sh enables the arm64 architecture in apt).
#
#   arm64-userland.sh
#
# Prints a directory laid out like an arm64 root (bin/busybox,
# usr/bin/v4l2-*, lib/aarch64-linux-gnu/...).  The cache is keyed by the
# packages' candidate versions, so an update fetches them once.
set -euo pipefail

cache=${CAMGATE_CACHE:-$HOME/.cache/camgate}
log() { echo "camgate: $*" >&2; }

pkgs=(busybox-static v4l-utils libv4l-0 libv4lconvert0 libjpeg62-turbo
      libstdc++6 libgcc-s1 libc6)
specs=()
for p in "${pkgs[@]}"; do
	v=$(apt-cache policy "$p:arm64" | awk '/Candidate:/ { print $2 }')
	[ -n "$v" ] && [ "$v" != "(none)" ] ||
		{ log "no arm64 package $p (run tests/deps.sh: dpkg --add-architecture arm64)"; exit 1; }
	specs+=("$p:arm64=$v")
done
key=$(printf '%s\n' "${specs[@]}" | sha256sum | cut -c1-16)
out=$cache/arm64-userland-$key

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
	[ -x "$out/bin/busybox" ] && [ -x "$out/usr/bin/v4l2-compliance" ] ||
		{ log "arm64 packages lack busybox or v4l2-compliance"; exit 1; }
	touch "$out/.done"
fi
echo "$out"
