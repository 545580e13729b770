// SPDX-License-Identifier: GPL-2.0
/*
 * audit.c - camgate's audit records (issue 17, item 3), read the way
 * auditd reads them: this program registers itself as the audit daemon
 * on a NETLINK_AUDIT socket (AUDIT_SET: enabled, pid) and receives every
 * record the kernel emits.  Each refusal gives an AUDIT_KERNEL_OTHER
 * (1316) record with op, dev, cmd and the reason (no-capability,
 * stale-capability, credential-changed, passed-file, no-owner), the
 * task's pid, uid, auid, ses, comm (escaped as audit escapes untrusted
 * strings: a name with a blank comes out in hex) and exe, and res=0; an
 * owner change and a revocation give op=set-owner / op=revoke records
 * naming the writer, res=1.  At the end the program unregisters and turns
 * audit off again, as it found it.
 */
#include "tap.h"
#include "camgate_test.h"
#include "indicator.h"

#include "auditnl.h"

#include <sys/prctl.h>

/* Expect a record with every string of @want. */
static void expect(const char *what, const char *const *want)
{
	char rec[4096];
	const char *const *w;

	if (audit_next(want, rec, sizeof(rec), 5000) == 0) {
		tap_diag("%s: %s", what, rec);
		return;
	}
	CHECK(0, "%s: no camgate audit record with all of:", what);
	for (w = want; *w; w++)
		tap_diag("  %s", *w);
}

static int reqbufs(int fd)
{
	struct v4l2_requestbuffers rb;

	memset(&rb, 0, sizeof(rb));
	rb.count = 2;
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_MMAP;
	return xioctl(fd, VIDIOC_REQBUFS, &rb) ? -errno : 0;
}

static char f_pid[32], f_uid[32], f_cmd[32];

static void fields(pid_t pid, uid_t uid)
{
	snprintf(f_pid, sizeof(f_pid), " pid=%d ", pid);
	snprintf(f_uid, sizeof(f_uid), " uid=%u ", uid);
	snprintf(f_cmd, sizeof(f_cmd), " cmd=0x%08lx ",
		 (unsigned long)VIDIOC_REQBUFS);
}

/* The other uid, named "cg deny" (a blank: audit logs it in hex). */
static int other_denied(void *arg __attribute__((unused)))
{
	prctl(PR_SET_NAME, "cg deny");
	return ind_deny_once(NULL);
}

static int no_capability(void *arg __attribute__((unused)))
{
	char dev[64];
	pid_t pid;

	if (audit_start())
		return TAP_FAIL;
	snprintf(dev, sizeof(dev), " dev=%s ", ind_node());
	pid = cg_spawn(cg.other, other_denied, NULL);
	CHECK(cg_wait(pid, 10000) == TAP_PASS, "denial helper");
	fields(pid, cg.other);
	/* "cg deny" in hex, as audit_log_untrustedstring() writes it. */
	expect("no-capability", (const char *const[]){
		"op=ioctl ", dev, f_cmd, " reason=no-capability ", f_pid,
		f_uid, " auid=", " ses=", " comm=63672064656E79 ",
		" exe=", " res=0", NULL });
	audit_stop();
	return tap_result();
}

/*
 * As root with the owner's euid (the saved uid stays 0): open (a
 * capability is minted), then @how: 'r' root revokes, 'u' the euid
 * becomes the other uid, 'p' a child becomes the other uid and uses the
 * file; then REQBUFS, which must be refused.
 */
static int misuse(void *arg)
{
	char how = *(const char *)arg;
	int fd, r;
	pid_t pid;

	if (setresuid(cg.owner, cg.owner, 0))
		return TAP_FAIL;
	fd = open(cg.dev, O_RDWR);
	if (fd < 0)
		return TAP_FAIL;
	if (how == 'r') {
		if (seteuid(0))
			return TAP_FAIL;
		CHECK(cg_sysfs_write(cg.sysfs, "revoke", "1") > 0, "revoke: %s",
		      strerror(errno));
		if (seteuid(cg.owner))
			return TAP_FAIL;
	} else if (how == 'u') {
		if (seteuid(0) || seteuid(cg.other))
			return TAP_FAIL;
	} else {
		pid = fork();
		if (!pid) {
			if (seteuid(0) || setresuid(cg.other, cg.other, cg.other))
				_exit(TAP_FAIL);
			_exit(reqbufs(fd) == -EACCES ? TAP_PASS : TAP_FAIL);
		}
		CHECK(cg_wait(pid, 10000) == TAP_PASS,
		      "the other uid's use of the passed file was not refused");
		close(fd);
		return tap_result();
	}
	r = reqbufs(fd);
	CHECK(r == -EACCES, "REQBUFS: %s", strerror(-r));
	close(fd);
	return tap_result();
}

static int reason_case(void *arg)
{
	const char *how = arg;
	const char *reason = *how == 'r' ? "stale-capability" :
			     *how == 'u' ? "credential-changed" : "passed-file";
	char want_reason[64];
	pid_t pid;
	int st;

	if (audit_start())
		return TAP_FAIL;
	snprintf(want_reason, sizeof(want_reason), " reason=%s ", reason);
	pid = fork();
	if (!pid)
		_exit(misuse(arg));
	st = cg_wait(pid, 15000);
	CHECK(st == TAP_PASS, "the misuse helper failed (%d)", st);
	if (*how == 'r')
		expect("the revocation", (const char *const[]){ "op=revoke ",
			" res=1", NULL });
	expect(reason, (const char *const[]){ "op=ioctl ", want_reason,
		" uid=", " exe=", " res=0", NULL });
	audit_stop();
	return tap_result();
}

static int no_owner(void *arg __attribute__((unused)))
{
	pid_t pid;

	if (audit_start())
		return TAP_FAIL;
	CHECK(cg_sysfs_write(cg.sysfs, "owner_uid", "none") > 0,
	      "owner_uid <- none: %s", strerror(errno));
	pid = cg_spawn(cg.other, ind_deny_once, NULL);
	CHECK(cg_wait(pid, 10000) == TAP_PASS, "denial helper");
	fields(pid, cg.other);
	cg_restore_config();
	expect("no-owner", (const char *const[]){ "op=set-owner ",
		" owner_uid=none ", " owner_gid=none ", " res=1", NULL });
	expect("no-owner", (const char *const[]){ "op=ioctl ",
		" reason=no-owner ", f_pid, f_uid, " res=0", NULL });
	audit_stop();
	return tap_result();
}

static int config_records(void *arg __attribute__((unused)))
{
	char dev[64], gen[64], pid[32], ouid[32];

	if (audit_start())
		return TAP_FAIL;
	snprintf(dev, sizeof(dev), " dev=%s ", ind_node());
	snprintf(pid, sizeof(pid), " pid=%d ", getpid());
	CHECK(cg_sysfs_write(cg.sysfs, "owner_uid", "1002") > 0,
	      "owner_uid <- 1002: %s", strerror(errno));
	snprintf(gen, sizeof(gen), " generation=%llu ",
		 cg_sysfs_u64(cg.sysfs, "generation"));
	expect("owner change", (const char *const[]){ "op=set-owner ", dev,
		" owner_uid=1002 ", " owner_gid=none ", gen, pid, " uid=0 ",
		" auid=", " ses=", " comm=", " exe=", " res=1", NULL });
	CHECK(cg_sysfs_write(cg.sysfs, "revoke", "1") > 0, "revoke: %s",
	      strerror(errno));
	snprintf(gen, sizeof(gen), " generation=%llu",
		 cg_sysfs_u64(cg.sysfs, "generation"));
	expect("revocation", (const char *const[]){ "op=revoke ", dev, gen,
		pid, " uid=0 ", " res=1", NULL });
	cg_restore_config();
	snprintf(ouid, sizeof(ouid), " owner_uid=%u ", cg.owner);
	expect("owner restored", (const char *const[]){ "op=set-owner ", dev,
		ouid, NULL });
	audit_stop();
	return tap_result();
}

static void cleanup(void)
{
	cg_restore_config();
}

int main(void)
{
	cg_env_load();
	tap_set_cleanup(cleanup);
	tap_plan(6, 58);
	tap_run(no_capability, NULL, 10,
		"audit: a refused REQBUFS, reason no-capability, with pid, uid, auid, ses, comm (hex), exe");
	tap_run(reason_case, "r", 10,
		"audit: the owner's file after a revocation, reason stale-capability; the revocation");
	tap_run(reason_case, "u", 10,
		"audit: the opener after changing its euid, reason credential-changed");
	tap_run(reason_case, "p", 10,
		"audit: the owner's file in another uid's child, reason passed-file");
	tap_run(no_owner, NULL, 10,
		"audit: a node with no owner, reason no-owner; the owner change to none");
	tap_run(config_records, NULL, 10,
		"audit: owner change and revocation records name the device, generation and writer");
	cg_restore_config();
	return tap_finish();
}
