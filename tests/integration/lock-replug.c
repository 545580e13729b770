// SPDX-License-Identifier: GPL-2.0
/*
 * lock-replug.c - the lock keeps applying to the cameras it named (issue
 * 21 item 7).
 *
 * Runs after lock.c locked the configuration (the lock cannot be undone
 * until reboot).  vivid is removed and loaded again: its capture node comes
 * back as a new video_device, with a new guard.  It used to get no owner,
 * and a locked owner_uid refuses writes: the owner was locked out until
 * reboot (or, with default_policy=allow frozen, everyone read the camera).
 * The node must come back with the owner it had when the lock was taken;
 * the owner streams, another uid is denied.  The camera's other nodes
 * share its owner (a group, issue 15): the lock named them with it, and
 * they come back with it too.  vivid is loaded again with a second
 * instance that did not exist when the lock was taken: the lock did not
 * name it, and its nodes come back with no owner.
 *
 * Needs root, CAMGATE_VIVID_KO and CAMGATE_VIVID_PARAMS (tests/vm/init).
 */
#include "tap.h"
#include "camgate_test.h"
#include "holder.h"

#include <dirent.h>

static char node[64], dir[PATH_MAX], devpath[PATH_MAX];

static int owner_streams(void *arg __attribute__((unused)))
{
	struct cg_holder h;

	if (cg_holder_open(&h, 0, 30, 2))
		return TAP_FAIL;
	CHECK(cg_holder_frame(&h, 5000) == 0, "the owner got no frame");
	return tap_result();
}

static int other_denied(void *arg __attribute__((unused)))
{
	struct v4l2_requestbuffers rb = {
		.count = 2,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	int fd = cg_open(O_RDWR), ret;

	if (fd < 0)
		return TAP_FAIL;
	ret = ioctl(fd, VIDIOC_REQBUFS, &rb);
	CHECK(ret == -1 && errno == EACCES, "REQBUFS by uid %u: %d (%s)", cg.other, ret,
	      strerror(errno));
	close(fd);
	return tap_result();
}

static int replug_keeps_owner(void *arg __attribute__((unused)))
{
	const char *ko = getenv("CAMGATE_VIVID_KO");
	const char *params = getenv("CAMGATE_VIVID_PARAMS");
	char v[32], vbi[64], vbidir[PATH_MAX], other[64], otherdir[PATH_MAX], *reload;
	long deadline;
	int err;

	if (!CHECK(cg_sysfs_read(CG_SYSFS_ROOT, "lock", v, sizeof(v)) == 0 && !strcmp(v, "1"),
		   "not locked (lock reads %s): lock.c must run first", v))
		return TAP_FAIL;
	if (!ko || !*ko)
		return tap_skip("CAMGATE_VIVID_KO is not set");
	if (!CHECK(cg_sysfs_read(cg.sysfs, "owner_uid", v, sizeof(v)) == 0 &&
		   strtoul(v, NULL, 10) == cg.owner, "owner_uid before the replug reads %s", v))
		return TAP_FAIL;
	err = cg_unload_vivid();
	if (!CHECK(!err, "rmmod vivid: %s", strerror(-err)))
		return TAP_FAIL;
	CHECK(access(cg.sysfs, F_OK) != 0, "%s outlived vivid", cg.sysfs);
	/* The last n_devs= on the command line wins. */
	if (asprintf(&reload, "%s n_devs=2", params ?: "") < 0)
		return TAP_FAIL;
	err = cg_load_vivid(ko, reload);
	free(reload);
	if (!CHECK(!err, "insmod %s: %s", ko, strerror(-err)))
		return TAP_FAIL;
	deadline = tap_now_ms() + 10000;
	do {
		cg_find_node("vivid-000-vid-cap", node, sizeof(node));
		if (node[0])
			break;
		tap_sleep_ms(50);
	} while (tap_now_ms() < deadline);
	if (!CHECK(node[0], "vivid's capture node did not come back"))
		return TAP_FAIL;
	snprintf(dir, sizeof(dir), CG_SYSFS_ROOT "/devices/%s", node);
	snprintf(devpath, sizeof(devpath), "/dev/%s", node);
	cg.sysfs = dir;
	cg.dev = devpath;
	cg_chmod_nodes();
	CHECK(cg_sysfs_read(dir, "owner_uid", v, sizeof(v)) == 0 &&
	      strtoul(v, NULL, 10) == cg.owner,
	      "owner_uid of %s after the replug reads \"%s\", want %u", node, v, cg.owner);
	CHECK(cg_run_as(cg.owner, owner_streams, NULL, 15000) == TAP_PASS,
	      "the owner (uid %u) cannot stream after the replug", cg.owner);
	CHECK(cg_run_as(cg.other, other_denied, NULL, 15000) == TAP_PASS,
	      "uid %u is not denied after the replug", cg.other);
	/* A sibling the lock named with the camera's owner keeps it. */
	cg_find_node("vivid-000-vbi-cap", vbi, sizeof(vbi));
	if (CHECK(vbi[0], "vivid's vbi capture node did not come back")) {
		snprintf(vbidir, sizeof(vbidir), CG_SYSFS_ROOT "/devices/%s", vbi);
		CHECK(cg_sysfs_read(vbidir, "owner_uid", v, sizeof(v)) == 0 &&
		      strtoul(v, NULL, 10) == cg.owner,
		      "owner_uid of %s (the camera's vbi node) reads \"%s\", want %u", vbi, v,
		      cg.owner);
	}
	/* A camera the lock never named has no owner. */
	deadline = tap_now_ms() + 10000;
	do {
		cg_find_node("vivid-001-vid-cap", other, sizeof(other));
		if (other[0])
			break;
		tap_sleep_ms(50);
	} while (tap_now_ms() < deadline);
	if (CHECK(other[0], "the second vivid instance has no capture node")) {
		snprintf(otherdir, sizeof(otherdir), CG_SYSFS_ROOT "/devices/%s", other);
		CHECK(cg_sysfs_read(otherdir, "owner_uid", v, sizeof(v)) == 0 &&
		      !strcmp(v, "none"),
		      "owner_uid of %s (a camera the lock did not name) reads \"%s\", want none",
		      other, v);
	}
	return tap_result();
}

int main(void)
{
	tap_plan(1, 80);
	cg_env_load();
	tap_run(replug_keeps_owner, NULL, 70,
		"issue 21.7: after lock, vivid reloaded: its capture node comes back with its owner; the owner streams, uid %u is denied",
		cg.other);
	return tap_finish();
}
