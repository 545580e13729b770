#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make test: camgatectl's own logic on the host, no kernel needed (issue 18).
#
#   tests/camgatectl-host.sh [CAMGATECTL]
#
# Runs the tool (default: tools/camgatectl, built here) against a fake
# /sys tree under a temporary directory (CAMGATECTL_ROOT): a USB camera
# whose device name is UTF-8 with a blank ("Caméra USB"), vivid's capture
# node, and a node whose name has a control character and a byte that is
# not UTF-8.  Checks --version, --wait, user and group names, UTF-8 in JSON
# and in the table, apply FILE, and the documented exit codes.  One
# "ok|not ok host camgatectl <case>" line per case.  The kernel side
# (real sysfs, real writes) is tests/integration/camgatectl.c, in the VMs.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
ctl=${1:-}
if [ -z "$ctl" ]; then
	make -s -C "$top/tools" camgatectl >/dev/null || {
		echo "not ok host camgatectl build"; exit 1; }
	ctl=$top/tools/camgatectl
fi
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export CAMGATECTL_ROOT=$T
rc=0

ok() { echo "ok host camgatectl $1"; }
fail() {
	echo "not ok host camgatectl $1"
	shift
	for l in "$@"; do echo "# $l"; done
	rc=1
}
# run EXPECTED_STATUS ARGS...: output in $out, stderr in $err, status in $st.
run() {
	local want=$1
	shift
	out=$("$ctl" "$@" 2>"$T/err")
	st=$?
	err=$(cat "$T/err")
	[ "$st" = "$want" ]
}

mkdev() {	# node name devpath
	local d=$T/sys/kernel/camgate/devices/$1
	mkdir -p "$d" "$T/sys/devices/$3/video4linux/$1" "$T/sys/class/video4linux"
	printf '%s\n' "$2" >"$d/name"
	printf '%s\n' "$2" >"$T/sys/devices/$3/video4linux/$1/name"
	echo none >"$d/owner_uid"
	echo none >"$d/owner_gid"
	echo 1 >"$d/generation"
	echo 0 >"$d/streaming"
	echo 0 >"$d/capabilities"
	echo 0 >"$d/denials"
	echo none >"$d/last_denial"
	: >"$d/revoke"
	ln -s "../../devices/$3/video4linux/$1" "$T/sys/class/video4linux/$1"
}

setup() {
	rm -rf "${T:?}/sys" "$T/proc"
	mkdir -p "$T/sys/kernel/camgate/devices"
	echo 1 >"$T/sys/kernel/camgate/abi_version"
	echo deny >"$T/sys/kernel/camgate/default_policy"
	echo 0 >"$T/sys/kernel/camgate/lock"
	local usb=pci0000:00/0000:00:14.0/usb1/1-1
	mkdev video0 "Caméra USB" "$usb/1-1:1.0"
	echo 046d >"$T/sys/devices/$usb/idVendor"
	echo 0825 >"$T/sys/devices/$usb/idProduct"
	mkdev video1 vivid-000-vid-cap platform/vivid.0
	mkdev video2 "$(printf 'bad\001name\377')" platform/other.0
	echo 3 >"$T/sys/kernel/camgate/devices/video0/denials"
	echo stale-capability >"$T/sys/kernel/camgate/devices/video0/last_denial"
}
val() { cat "$T/sys/kernel/camgate/devices/$1/$2"; }

setup

# --version: the version of dkms.conf, which the module and packages carry.
if run 0 --version && [ "$out" = "camgatectl $ver" ] && run 0 -V &&
   [ "$out" = "camgatectl $ver" ]; then
	ok "--version prints camgatectl $ver"
else
	fail "--version prints camgatectl $ver" "got '$out' status $st"
fi

# --wait: a finite number of seconds, more than 0, at most 3600.
bad=()
for w in nan NaN inf -inf infinity 0 -1 -0.5 3601 1e9 x "" 1s 0x; do
	run 2 --wait "$w" status || bad+=("--wait '$w': status $st")
	run 2 "--wait=$w" status || bad+=("--wait='$w': status $st")
done
for w in 0.05 1 3600 1e-2; do
	run 0 --wait "$w" status || bad+=("--wait $w: status $st ($err)")
done
[ ${#bad[@]} = 0 ] && ok "--wait refuses nan, inf, 0, negative, > 3600, garbage (exit 2)" ||
	fail "--wait refuses nan, inf, 0, negative, > 3600, garbage (exit 2)" "${bad[@]}"

# JSON: UTF-8 passes through (one character, not one escape per byte);
# control characters are \u00XX, a stray byte U+FFFD; the document parses.
if run 0 --json status &&
   py=$(printf '%s' "$out" | python3 -c '
import json, sys
d = json.loads(sys.stdin.buffer.read().decode("utf-8"))
n = {x["node"]: x for x in d["devices"]}
assert n["video0"]["name"] == "Caméra USB", n["video0"]["name"]
assert n["video2"]["name"] == "bad\x01name\ufffd", n["video2"]["name"]
assert n["video0"]["last_denial"] == "stale-capability"
assert n["video1"]["last_denial"] is None
assert n["video0"]["denials"] == 3
print("ok")' 2>&1) && [ "$py" = ok ] && [[ "$out" == *'"Caméra USB"'* ]] &&
   [[ "$out" == *'bad\u0001name\ufffd'* ]]; then
	ok "status --json: UTF-8 names pass through, control bytes escaped, last_denial"
else
	fail "status --json: UTF-8 names pass through, control bytes escaped, last_denial" \
		"status $st: $out" "$py"
fi

# Table: blanks and UTF-8 as they are, columns aligned by characters.
if run 0 status && l0=$(grep '^video0 ' <<<"$out") && l1=$(grep '^video1 ' <<<"$out") &&
   l2=$(grep '^video2 ' <<<"$out") && [[ "$l0" == *"Caméra USB "* ]] &&
   [[ "$l2" == *"bad?name?"* ]] && [[ "$l0" == *stale-capability ]] &&
   c0=$(python3 -c 'import sys; print(sys.argv[1].index(" none"))' "$l0") &&
   c1=$(python3 -c 'import sys; print(sys.argv[1].index(" none"))' "$l1") &&
   [ "$c0" = "$c1" ]; then
	ok "status table: 'Caméra USB' as is, control bytes '?', aligned, last denial"
else
	fail "status table: 'Caméra USB' as is, control bytes '?', aligned, last denial" "$out"
fi

# Names: user and group names as well as numbers; unknown names are usage
# errors and change nothing.
# Names come from $CAMGATECTL_ROOT/etc/passwd and group (the files, no NSS).
mkdir -p "$T/etc"
printf 'root:x:0:0:root:/root:/bin/sh\ncamsvc:x:998:997:camera service:/:/usr/sbin/nologin\n' >"$T/etc/passwd"
printf 'root:x:0:\ncamera:x:997:\nvideo:x:44:alice\n' >"$T/etc/group"
uname0=camsvc gname0=camera
bad=()
run 0 owner video1 "$uname0:$gname0" && [ "$(val video1 owner_uid)" = 998 ] &&
	[ "$(val video1 owner_gid)" = 997 ] || bad+=("owner video1 $uname0:$gname0: status $st $err, $(val video1 owner_uid):$(val video1 owner_gid)")
run 0 owner video1 1234:none && [ "$(val video1 owner_uid)" = 1234 ] &&
	[ "$(val video1 owner_gid)" = none ] || bad+=("owner video1 1234:none: status $st $err")
# daemon: a user of the host's /etc/passwd, not of the fake tree's.
for spec in no-such-user-cg 1234:no-such-group-cg ":$gname0" "$uname0:" 4294967295 -1 "a b" \
	    daemon; do
	run 2 owner video1 "$spec" || bad+=("owner video1 '$spec': status $st, want 2")
	[ "$(val video1 owner_uid)" = 1234 ] || bad+=("owner video1 '$spec' changed owner_uid")
done
[ ${#bad[@]} = 0 ] && ok "owner DEV USER:GROUP takes names; unknown names exit 2, change nothing" ||
	fail "owner DEV USER:GROUP takes names; unknown names exit 2, change nothing" "${bad[@]}"

# apply FILE: match by usb, path + name, node; first line wins; comments.
setup
cat >"$T/camgate.conf" <<EOF
# camera service owns the USB camera
usb=046D:0825   $uname0:$gname0	# upper-case hex is fine
path=vivid.0 name=*-vid-cap 1000
path=vivid.0 2000
node=video9     3000
EOF
bad=()
run 0 apply "$T/camgate.conf" || bad+=("apply: status $st $err")
[ "$(val video0 owner_uid):$(val video0 owner_gid)" = 998:997 ] || bad+=("video0 by usb: $(val video0 owner_uid):$(val video0 owner_gid)")
[ "$(val video1 owner_uid):$(val video1 owner_gid)" = 1000:none ] || bad+=("video1 by path+name: $(val video1 owner_uid)")
[ "$(val video2 owner_uid)" = none ] || bad+=("video2 matched nothing but owner_uid is $(val video2 owner_uid)")
[ "$(grep -c owner <<<"$out")" = 2 ] || bad+=("apply printed: $out")
# Again: nothing to change, nothing written (a write would void capabilities).
chmod 0444 "$T/sys/kernel/camgate/devices/video0/owner_uid" "$T/sys/kernel/camgate/devices/video1/owner_uid"
run 0 apply "$T/camgate.conf" && [ -z "$out" ] || bad+=("second apply: status $st, '$out' '$err'")
chmod 0644 "$T/sys/kernel/camgate/devices/video0/owner_uid" "$T/sys/kernel/camgate/devices/video1/owner_uid"
# Only DEV.
echo "node=video* 4242" >"$T/one.conf"
run 0 apply "$T/one.conf" video2 && [ "$(val video2 owner_uid)" = 4242 ] &&
	[ "$(val video1 owner_uid)" = 1000 ] || bad+=("apply FILE video2: status $st $err")
# apply FILE DEV for a node no line matches (udev, an output node): done at
# once, without waiting, even when camgate does not guard it.
mkdir -p "$T/sys/devices/platform/vivid.0/video4linux/video5"
echo vivid-000-vid-out >"$T/sys/devices/platform/vivid.0/video4linux/video5/name"
ln -s ../../devices/platform/vivid.0/video4linux/video5 "$T/sys/class/video4linux/video5"
echo "usb=046d:0825 path=vivid.0 1000" >"$T/usb.conf"
s0=$(date +%s%N)
run 0 --wait 3 apply "$T/usb.conf" video5 && [ -z "$out$err" ] &&
	[ $(( ($(date +%s%N) - s0) / 1000000 )) -lt 1000 ] || bad+=("apply FILE video5 (unmatched, unguarded): status $st '$out' '$err'")
echo "name=*-vid-out 1000" >"$T/out.conf"
run 1 --wait 0.2 apply "$T/out.conf" video5 && [[ "$err" == *"not guarded"* ]] ||
	bad+=("apply FILE video5 (matched, unguarded): status $st '$err'")
[ ${#bad[@]} = 0 ] && ok "apply FILE: usb=, path=, name=, node= matches, first line wins, no rewrite" ||
	fail "apply FILE: usb=, path=, name=, node= matches, first line wins, no rewrite" "${bad[@]}"

# apply: a bad line is a usage error naming it, before anything is written.
bad=()
for line in "usb=46d:825 1000" "colour=red 1000" "node=video1" "node=video1 nobody-cg" \
	    "=x 1000" "node= 1000" "node=video1 1000:1000:1"; do
	setup
	printf 'node=video0 1000\n%s\n' "$line" >"$T/bad.conf"
	if ! run 2 apply "$T/bad.conf" || [[ "$err" != *bad.conf:2:* ]] ||
	   [ "$(val video0 owner_uid)" != none ]; then
		bad+=("'$line': status $st, owner_uid $(val video0 owner_uid): $err")
	fi
done
run 1 apply "$T/no-such.conf" || bad+=("missing file: status $st")
[ ${#bad[@]} = 0 ] && ok "apply: a bad line exits 2 naming FILE:LINE, nothing written; no file exits 1" ||
	fail "apply: a bad line exits 2 naming FILE:LINE, nothing written; no file exits 1" "${bad[@]}"

# Exit codes as documented: 0 done, 1 refused or failed, 2 bad usage.
bad=()
run 2 frob || bad+=("unknown command: $st")
run 2 --bogus status || bad+=("unknown option: $st")
run 2 status extra || bad+=("extra argument: $st")
run 2 || bad+=("no command: $st")
run 0 --help && [[ "$out" == *"apply FILE"* ]] || bad+=("--help: $st")
run 1 owner video7 1000 || bad+=("no such device: $st")
echo 1 >"$T/sys/kernel/camgate/lock"
run 1 owner video1 1000 && [[ "$err" == *locked* ]] || bad+=("locked: $st $err")
mv "$T/sys/kernel/camgate" "$T/sys/kernel/camgate.off"
run 1 status && [[ "$err" == *"not loaded"* ]] || bad+=("not loaded: $st $err")
[ ${#bad[@]} = 0 ] && ok "exit status: 0 done, 1 refused or failed, 2 bad usage" ||
	fail "exit status: 0 done, 1 refused or failed, 2 bad usage" "${bad[@]}"
exit $rc
