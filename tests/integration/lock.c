// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration lock (issue 5).  Irreversible until reboot: the VM
 * harness runs this program after every other one.
 *
 * Before the lock, the owner and policy can change and camgate could be
 * unloaded; after writing 1 to /sys/kernel/camgate/lock, owner_uid,
 * owner_gid and default_policy refuse writes with EPERM and leave their
 * values alone, rmmod is refused, revoke still works, and the guarantee
 * itself is unchanged (the owner streams, another uid is denied).
 */
#include "tap.h"
#include "camgate_test.h"
#include "holder.h"

static int lock_file(void *arg __attribute__((unused)))
{
	char v[64];

	CHECK(cg_sysfs_read(CG_SYSFS_ROOT, "lock", v, sizeof(v)) == 0 &&
	      !strcmp(v, "0"), "lock reads \"%s\" before locking", v);
	CHECK(cg_sysfs_write(CG_SYSFS_ROOT, "lock", "2") < 0 && errno == EINVAL,
	      "writing 2: %s", strerror(errno));
	CHECK(cg_sysfs_write(CG_SYSFS_ROOT, "lock", "1") > 0, "locking: %s",
	      strerror(errno));
	CHECK(cg_sysfs_read(CG_SYSFS_ROOT, "lock", v, sizeof(v)) == 0 &&
	      !strcmp(v, "1"), "lock reads \"%s\" after locking", v);
	CHECK(cg_sysfs_write(CG_SYSFS_ROOT, "lock", "1") > 0,
	      "locking again is not a no-op: %s", strerror(errno));
	return tap_result();
}

static int frozen(void *arg __attribute__((unused)))
{
	static const char *const files[][2] = {
		{ "owner_uid", "1001" }, { "owner_uid", "none" },
		{ "owner_gid", "44" },
	};
	char before[64], after[64];
	unsigned long long g0 = cg_sysfs_u64(cg.sysfs, "generation");
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		cg_sysfs_read(cg.sysfs, files[i][0], before, sizeof(before));
		errno = 0;
		CHECK(cg_sysfs_write(cg.sysfs, files[i][0], files[i][1]) < 0 &&
		      errno == EPERM, "%s <- %s: %s", files[i][0], files[i][1],
		      strerror(errno));
		cg_sysfs_read(cg.sysfs, files[i][0], after, sizeof(after));
		CHECK(!strcmp(before, after), "%s changed: %s -> %s",
		      files[i][0], before, after);
	}
	errno = 0;
	CHECK(cg_sysfs_write(CG_SYSFS_ROOT, "default_policy", "allow") < 0 &&
	      errno == EPERM, "default_policy <- allow: %s", strerror(errno));
	cg_sysfs_read(CG_SYSFS_ROOT, "default_policy", after, sizeof(after));
	CHECK(!strcmp(after, "deny"), "default_policy is %s", after);
	CHECK(cg_sysfs_u64(cg.sysfs, "generation") == g0,
	      "the generation moved");
	/* Revocation only takes access away: still allowed. */
	CHECK(cg_sysfs_write(cg.sysfs, "revoke", "1") > 0, "revoke: %s",
	      strerror(errno));
	CHECK(cg_sysfs_u64(cg.sysfs, "generation") == g0 + 1,
	      "revoke did not bump the generation");
	return tap_result();
}

static int no_unload(void *arg __attribute__((unused)))
{
	int status = system("rmmod camgate 2>/dev/null");

	CHECK(status != 0, "rmmod camgate succeeded while locked");
	CHECK(access(CG_SYSFS_ROOT "/lock", F_OK) == 0,
	      "camgate is gone after rmmod");
	return tap_result();
}

static int owner_open(void *arg __attribute__((unused)))
{
	struct cg_holder h;

	if (cg_holder_open(&h, O_NONBLOCK, 30, CG_MAXBUF))
		return TAP_FAIL;
	CHECK(cg_holder_frame(&h, 3000) == 0, "no intact frame");
	return tap_result();
}

static int other_open(void *arg __attribute__((unused)))
{
	struct v4l2_requestbuffers rb = {
		.count = 2, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	int fd = cg_open(O_RDWR), ret, err;

	if (fd < 0)
		return TAP_FAIL;
	ret = ioctl(fd, VIDIOC_REQBUFS, &rb);
	err = errno;
	cg_expect_denied("REQBUFS", ret, err, NULL, NULL, 0);
	return tap_result();
}

static int still_guarded(void *arg __attribute__((unused)))
{
	CHECK(cg_run_as(cg.owner, owner_open, NULL, 10000) == TAP_PASS,
	      "the owner cannot stream");
	CHECK(cg_run_as(cg.other, other_open, NULL, 10000) == TAP_PASS,
	      "another uid was not denied");
	return tap_result();
}

int main(void)
{
	tap_plan(4, 60);
	cg_env_load();
	tap_run(lock_file, NULL, 10, "lock: writing 1 locks, other values are refused");
	tap_run(frozen, NULL, 10,
		"lock: owner_uid, owner_gid, default_policy refuse writes (EPERM); revoke works");
	tap_run(no_unload, NULL, 20, "lock: rmmod camgate is refused");
	tap_run(still_guarded, NULL, 30,
		"lock: the owner streams and another uid is denied");
	return tap_finish();
}
