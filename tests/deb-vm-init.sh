#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the VM of tests/deb-check.sh --vm (busybox sh): camgate as the
# packages installed it.  /camgate/camgate.ko is the module DKMS built on
# the host from camgate-dkms, /usr/sbin/camgatectl the camgatectl
# package's binary (dynamically linked: the libc of v4l2-ctl is in the
# image), /etc/camgate.conf what apply reads.  TAP between
# camgate-deb-begin and camgate-deb-end; the kernel command line gives
# camgatedeb.version, the version the packages carry.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t tmpfs -o mode=1777 tmpfs /tmp

version=
for arg in $(cat /proc/cmdline); do
	case "$arg" in camgatedeb.version=*) version=${arg#*=} ;; esac
done
n=0
t() {	# t STATUS DESCRIPTION...: one TAP line
	st=$1
	shift
	n=$((n + 1))
	if [ "$st" = 0 ]; then echo "ok $n - $*"; else echo "not ok $n - $*"; fi
}
finish() {
	echo "1..$n"
	echo "camgate-deb-end"
	echo "camgate-dmesg-begin"
	dmesg | grep camgate
	echo "camgate-dmesg-end"
	echo "CAMGATE-VM-DONE"
	sync
	reboot -f
	sleep 60
}

echo "camgate-deb-begin"
ok=0
while read -r ko; do
	case "$ko" in
	*/vivid.ko) insmod "$ko" no_error_inj=1 n_devs=1 || ok=1 ;;
	*/udmabuf.ko | */binder_linux.ko | */vimc.ko) ;;
	*) insmod "$ko" || ok=1 ;;
	esac
done <"/lib/modules/$(uname -r)/camgate-load-order"
t $ok "vivid loads"
insmod /camgate/camgate.ko
t $? "the package's camgate.ko loads"
[ -d /sys/kernel/camgate ] || finish
v=$(cat /sys/module/camgate/version 2>/dev/null)
[ "$v" = "$version" ]
t $? "modinfo version of the DKMS-built module is $version (got '$v')"
v=$(camgatectl --version 2>&1)
[ "$v" = "camgatectl $version" ]
t $? "the package's camgatectl --version says camgatectl $version (got '$v')"

dev=
for d in /sys/class/video4linux/*; do
	[ "$(cat "$d/name" 2>/dev/null)" = vivid-000-vid-cap ] && dev=${d##*/}
done
chmod 0666 /dev/video* 2>/dev/null
out=$(camgatectl apply /etc/camgate.conf 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
uid=$(cat "/sys/kernel/camgate/devices/$dev/owner_uid" 2>/dev/null)
[ $rc = 0 ] && [ "$uid" = 1000 ]
t $? "camgatectl apply /etc/camgate.conf: $dev (vivid's capture node) owned by user 'owner' (uid $uid)"
# The owner is the whole camera's (issue 15): the nodes of $dev's group
# have it too, no node of another camera does.
group=$(cat "/sys/kernel/camgate/devices/$dev/group" 2>/dev/null)
others=
for f in $(grep -l '^1000$' /sys/kernel/camgate/devices/*/owner_uid); do
	d=${f%/owner_uid}
	[ "$(cat "$d/group")" = "$group" ] || others="$others ${d##*/}"
done
[ -n "$group" ] && [ -z "$others" ]
t $? "apply set no node of another camera (${others:-none}; $dev's camera: ${group:-none})"
gen=$(cat "/sys/kernel/camgate/devices/$dev/generation")
out=$(camgatectl --wait 5 apply /etc/camgate.conf "$dev" 2>&1)
rc=$?
[ $rc = 0 ] && [ -z "$out" ] && [ "$(cat "/sys/kernel/camgate/devices/$dev/generation")" = "$gen" ]
t $? "apply FILE $dev again (as udev would): nothing written, generation $gen kept"

# v4l2-ctl reports the refused REQBUFS but may still exit 0.
runas 1001 1001 v4l2-ctl -d "/dev/$dev" --stream-mmap --stream-count=1 >/tmp/other.log 2>&1
sed 's/^/# /' /tmp/other.log | head -n 3
frames=$(tr -cd '<' </tmp/other.log | wc -c)
why=$(cat "/sys/kernel/camgate/devices/$dev/last_denial")
grep -q 'REQBUFS returned -1 (Permission denied)' /tmp/other.log && [ "$frames" = 0 ] &&
	[ "$why" = no-capability ]
t $? "uid 1001 cannot stream: EACCES, $frames frames, last_denial '$why'"
st=$(camgatectl status)
echo "$st" | sed 's/^/# /'
echo "$st" | grep "^$dev " | grep -q 'no-capability$'
t $? "camgatectl status names the reason of the last denial"
dmesg | grep -q "denied .* on $dev to pid [0-9]* (v4l2-ctl) uid 1001: no-capability"
t $? "the kernel log line gives the reason"
runas 1000 1000 v4l2-ctl -d "/dev/$dev" --stream-mmap --stream-count=3 >/tmp/owner.log 2>&1
rc=$?
frames=$(tr -cd '<' </tmp/owner.log | wc -c)	# one '<' per frame
[ $rc = 0 ] && [ "$frames" -ge 3 ]
t $? "uid 1000, the owner, streams 3 frames (got $frames)"
finish
