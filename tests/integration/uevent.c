// SPDX-License-Identifier: GPL-2.0
/*
 * uevent.c - camgate's uevents, read from a NETLINK_KOBJECT_UEVENT socket
 * as udev reads them (issue 17, item 2): KOBJ_CHANGE on
 * /sys/kernel/camgate/devices/<node> (SUBSYSTEM=camgate) when the owner's
 * queue starts streaming and when it stops (STREAMOFF, close without
 * STREAMOFF, revocation), when the owner changes, and, coalesced, when
 * access is refused; each with its CAMGATE_* keys
 * (Documentation/ABI/testing/sysfs-kernel-camgate).
 */
#include "tap.h"
#include "camgate_test.h"
#include "indicator.h"

static int expect_stream(int fd, const char *on, pid_t pid)
{
	struct ind_uevent ev;
	char p[32], u[32];

	if (!CHECK(ind_uevent_next(fd, "stream", &ev, 5000) == 0,
		   "no stream uevent (expected CAMGATE_STREAMING=%s)", on))
		return -1;
	snprintf(p, sizeof(p), "%d", pid);
	snprintf(u, sizeof(u), "%u", cg.owner);
	CHECK(ind_uevent_is(&ev, "ACTION", "change") &&
	      ind_uevent_is(&ev, "CAMGATE_STREAMING", on) &&
	      ind_uevent_is(&ev, "CAMGATE_PID", p) &&
	      ind_uevent_is(&ev, "CAMGATE_UID", u),
	      "stream uevent: want ACTION=change CAMGATE_STREAMING=%s CAMGATE_PID=%s CAMGATE_UID=%s",
	      on, p, u);
	if (tap.case_failed)
		ind_uevent_show(&ev);
	return 0;
}

/* STREAMON, then @how stops it: 'f' STREAMOFF, 'c' close, 'r' revoke. */
static int stream_case(void *arg)
{
	char how = *(const char *)arg;
	struct ind_owner o = { 0 };
	struct ind_uevent ev;
	char buf[8];
	int fd = ind_uevent_open();

	if (fd < 0 || ind_owner_start(&o))
		return TAP_FAIL;
	CHECK(ind_owner_do(&o, 'n') == 0, "owner's STREAMON");
	CHECK(cg_sysfs_read(cg.sysfs, "streaming", buf, sizeof(buf)) == 0 &&
	      !strcmp(buf, "1"), "streaming reads %s", buf);
	expect_stream(fd, "1", o.pid);
	if (how == 'r') {
		CHECK(cg_sysfs_write(cg.sysfs, "revoke", "1") > 0, "revoke: %s",
		      strerror(errno));
	} else {
		CHECK(ind_owner_do(&o, how) == 0, "owner's %s",
		      how == 'f' ? "STREAMOFF" : "close");
	}
	expect_stream(fd, "0", o.pid);
	if (how == 'r') {
		CHECK(ind_uevent_next(fd, "owner", &ev, 100) == -1 ||
		      ind_uevent_is(&ev, "CAMGATE_REVOKED", "1"),
		      "owner uevent without CAMGATE_REVOKED=1");
	}
	CHECK(ind_uevent_next(fd, "stream", &ev, 300) == -1,
	      "a second stream uevent after the stop");
	ind_owner_stop(&o);
	close(fd);
	return tap_result();
}

static int owner_case(void *arg __attribute__((unused)))
{
	struct ind_uevent ev;
	char pid[32], gen[32];
	int fd = ind_uevent_open();

	if (fd < 0)
		return TAP_FAIL;
	CHECK(cg_sysfs_write(cg.sysfs, "owner_uid", "1002") > 0,
	      "owner_uid <- 1002: %s", strerror(errno));
	snprintf(gen, sizeof(gen), "%llu",
		 cg_sysfs_u64(cg.sysfs, "generation"));
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (CHECK(ind_uevent_next(fd, "owner", &ev, 5000) == 0,
		  "no owner uevent")) {
		CHECK(ind_uevent_is(&ev, "ACTION", "change") &&
		      ind_uevent_is(&ev, "CAMGATE_OWNER_UID", "1002") &&
		      ind_uevent_is(&ev, "CAMGATE_OWNER_GID", "none") &&
		      ind_uevent_is(&ev, "CAMGATE_GENERATION", gen) &&
		      ind_uevent_is(&ev, "CAMGATE_REVOKED", "0") &&
		      ind_uevent_is(&ev, "CAMGATE_PID", pid) &&
		      ind_uevent_is(&ev, "CAMGATE_UID", "0"),
		      "owner uevent: want CAMGATE_OWNER_UID=1002 CAMGATE_OWNER_GID=none CAMGATE_GENERATION=%s CAMGATE_REVOKED=0 CAMGATE_PID=%s CAMGATE_UID=0",
		      gen, pid);
		if (tap.case_failed)
			ind_uevent_show(&ev);
	}
	/* The same value again changes nothing: no uevent. */
	CHECK(cg_sysfs_write(cg.sysfs, "owner_uid", "1002") > 0,
	      "owner_uid <- 1002 again: %s", strerror(errno));
	CHECK(ind_uevent_next(fd, "owner", &ev, 300) == -1,
	      "an owner uevent for an unchanged owner");
	cg_restore_config();
	CHECK(ind_uevent_next(fd, "owner", &ev, 5000) == 0 &&
	      ind_uevent_get(&ev, "CAMGATE_OWNER_UID") &&
	      strtoul(ind_uevent_get(&ev, "CAMGATE_OWNER_UID"), NULL, 10) ==
	      cg.owner, "no owner uevent back to uid %u", cg.owner);
	close(fd);
	return tap_result();
}

static int deny_case(void *arg __attribute__((unused)))
{
	struct ind_uevent ev;
	unsigned long long denials;
	char u[32];
	int fd = ind_uevent_open(), i, n = 0;
	long t0;

	if (fd < 0)
		return TAP_FAIL;
	/* Wait out the previous second's coalescing window. */
	tap_sleep_ms(1100);
	CHECK(cg_run_as(cg.other, ind_deny_once, NULL, 10000) == TAP_PASS,
	      "denial helper");
	snprintf(u, sizeof(u), "%u", cg.other);
	if (CHECK(ind_uevent_next(fd, "deny", &ev, 5000) == 0,
		  "no deny uevent")) {
		CHECK(ind_uevent_is(&ev, "CAMGATE_REASON", "no-capability") &&
		      ind_uevent_is(&ev, "CAMGATE_OP", "ioctl") &&
		      ind_uevent_is(&ev, "CAMGATE_UID", u) &&
		      ind_uevent_get(&ev, "CAMGATE_DENIALS") &&
		      ind_uevent_get(&ev, "CAMGATE_PID"),
		      "deny uevent: want CAMGATE_REASON=no-capability CAMGATE_OP=ioctl CAMGATE_UID=%s, CAMGATE_DENIALS, CAMGATE_PID",
		      u);
		if (tap.case_failed)
			ind_uevent_show(&ev);
	}
	/* 30 denials at once: coalesced, the last one carries the count. */
	t0 = tap_now_ms();
	for (i = 0; i < 30; i++)
		cg_run_as(cg.other, ind_deny_once, NULL, 10000);
	denials = cg_sysfs_u64(cg.sysfs, "denials");
	snprintf(u, sizeof(u), "%llu", denials);
	while (ind_uevent_next(fd, "deny", &ev, 2500) == 0) {
		n++;
		if (ind_uevent_is(&ev, "CAMGATE_DENIALS", u))
			break;
	}
	CHECK(ind_uevent_is(&ev, "CAMGATE_DENIALS", u),
	      "no deny uevent with CAMGATE_DENIALS=%s (the sysfs count)", u);
	CHECK(n >= 1 && n <= 2 + (tap_now_ms() - t0) / 1000,
	      "%d deny uevents for 30 denials in %ld ms (one a second at most)",
	      n, tap_now_ms() - t0);
	close(fd);
	return tap_result();
}

int main(void)
{
	cg_env_load();
	tap_plan(5, 55);
	tap_run(stream_case, "f", 15,
		"uevent: stream 1 at the owner's STREAMON, 0 at STREAMOFF, with pid and uid");
	tap_run(stream_case, "c", 15,
		"uevent: stream 0 when the streaming file is closed without STREAMOFF");
	tap_run(stream_case, "r", 15,
		"uevent: stream 0 when the owner's capability is revoked");
	tap_run(owner_case, NULL, 10,
		"uevent: owner with the new owner, generation and writer; none for an unchanged value");
	tap_run(deny_case, NULL, 20,
		"uevent: deny with reason, op, uid; a burst coalesced to one a second with the count");
	cg_restore_config();
	return tap_finish();
}
