#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install, with apt-get, whatever the tests and the demo need and is missing.
# Quiet and offline when everything is already there.  Kernel images are
# not installed on the host: tests/vm/stock-kernel.sh fetches them into the
# cache, for the VMs only.
set -euo pipefail

# arm64 (the arm64-6.12 and stock-6.12-arm64 kernels): the cross compiler
# and libc (camgate, the kernel, the static test programs), the armhf one
# (cg32, the AArch32 helper of the 32-bit ioctl cases) and qemu for aarch64.  The arm64 packages the VMs need (busybox, v4l-utils and their
# libraries, Debian's arm64 kernel and headers) are fetched with apt-get
# download, never installed: apt only has to know the arm64 architecture.
# debootstrap: the Debian 13 chroot stock-latest's module is built in
# (tests/vm/chroot.sh); that kernel's packages come from trixie-backports
# through an apt configuration of their own, never the host's sources.
# dkms: make test builds camgate with DKMS for each stock kernel (tests/dkms-check.sh).
# libcamera-tools, libcamera-ipa: cam and libcamera's vimc pipeline and IPA,
# copied into the initramfs of the kernels that have vimc (the libcam suite).
# gstreamer1.0-tools, gstreamer1.0-plugins-good, ffmpeg: the applications of
# the uvc-apps suite, which the x86_64 VMs run from the host's /usr, shared
# read-only over 9p (ffmpeg's libraries are 240 MB: too many for an
# initramfs).
pkgs=(qemu-system-x86 busybox-static v4l-utils sparse build-essential bc bison flex
      libelf-dev libssl-dev cpio xz-utils zstd kmod linux-headers-amd64
      linux-headers-6.12-amd64 linux-source-6.12 dwarves python3 rsync udev
      qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu
      gcc-arm-linux-gnueabihf libc6-dev-armhf-cross debootstrap
      dkms debhelper dh-dkms lintian python3-docutils libcamera-tools libcamera-ipa
      gstreamer1.0-tools gstreamer1.0-plugins-good ffmpeg patch)

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
foreign=1
dpkg --print-foreign-architectures | grep -qx arm64 || foreign=0
[ ${#missing[@]} -eq 0 ] && [ $foreign = 1 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	[ ${#missing[@]} -eq 0 ] || echo "camgate: missing packages: ${missing[*]}" >&2
	[ $foreign = 1 ] || echo "camgate: dpkg lacks the arm64 architecture" >&2
	echo "camgate: run as root to install them" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ $foreign = 0 ]; then
	echo "camgate: adding arm64 to dpkg's architectures (for apt-get download)" >&2
	dpkg --add-architecture arm64
fi
apt-get -o DPkg::Lock::Timeout=600 update -q >&2
[ ${#missing[@]} -eq 0 ] && exit 0
echo "camgate: installing ${missing[*]}" >&2
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" >&2
