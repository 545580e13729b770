// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c - camgate's trace events through tracefs (issue 17, item 4):
 * camgate:stream when the owner's queue starts and stops, camgate:deny
 * for every refused access (not rate-limited), camgate:owner for an owner
 * change and a revocation, each with the right fields; none while the
 * events are disabled.
 */
#include "tap.h"
#include "camgate_test.h"
#include "indicator.h"

static int set_events(const char *v)
{
	return ind_trace_write("events/camgate/enable", v);
}

static void trace_reset(void)
{
	set_events("0");
	ind_trace_clear();
}

/* Does the trace contain a camgate event @ev line containing @what? */
static bool has(const char *trace, const char *ev, const char *what)
{
	const char *p = trace;
	char tag[32];

	snprintf(tag, sizeof(tag), " %s: ", ev);
	while ((p = strstr(p, tag))) {
		const char *eol = strchr(p, '\n');
		size_t l = eol ? (size_t)(eol - p) : strlen(p);
		char line[512];

		snprintf(line, sizeof(line), "%.*s", (int)l, p);
		if (strstr(line, what))
			return true;
		p += l;
	}
	return false;
}

static void show(const char *trace)
{
	const char *p = trace;

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t l = eol ? (size_t)(eol - p) : strlen(p);

		if (*p != '#')
			tap_diag("trace: %.*s", (int)l, p);
		p = eol ? eol + 1 : p + l;
	}
}

static int events_exist(void *arg __attribute__((unused)))
{
	static const char *const ev[] = { "deny", "stream", "owner" };
	char path[PATH_MAX];
	size_t i;

	if (ind_tracefs())
		return TAP_FAIL;
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), IND_TRACEFS "/events/camgate/%s/format",
			 ev[i]);
		CHECK(access(path, R_OK) == 0, "%s: %s", path, strerror(errno));
	}
	return tap_result();
}

static int stream_events(void *arg __attribute__((unused)))
{
	struct ind_owner o = { 0 };
	char want[128];
	const char *t;
	pid_t pid;

	if (ind_tracefs())
		return TAP_FAIL;
	trace_reset();
	if (set_events("1") || ind_owner_start(&o))
		return TAP_FAIL;
	pid = o.pid;
	CHECK(ind_owner_do(&o, 'n') == 0, "owner's STREAMON");
	tap_sleep_ms(200);
	CHECK(ind_owner_do(&o, 'f') == 0, "owner's STREAMOFF");
	ind_owner_stop(&o);
	t = ind_trace_read();
	trace_reset();
	if (!CHECK(t, "cannot read the trace"))
		return tap_result();
	snprintf(want, sizeof(want), "dev=%s streaming=1 pid=%d uid=%u",
		 ind_node(), pid, cg.owner);
	CHECK(has(t, "stream", want), "no camgate:stream \"%s\"", want);
	snprintf(want, sizeof(want), "dev=%s streaming=0 pid=%d uid=%u",
		 ind_node(), pid, cg.owner);
	CHECK(has(t, "stream", want), "no camgate:stream \"%s\"", want);
	if (tap.case_failed)
		show(t);
	return tap_result();
}

static int deny_events(void *arg __attribute__((unused)))
{
	char want[160];
	const char *t, *p;
	pid_t pid;
	int i, n = 0;

	if (ind_tracefs())
		return TAP_FAIL;
	trace_reset();
	if (set_events("1"))
		return TAP_FAIL;
	/* Twenty denials: the log line is rate-limited, the events are not. */
	for (i = 0; i < 20; i++) {
		pid = cg_spawn(cg.other, ind_deny_once, NULL);
		CHECK(cg_wait(pid, 10000) == TAP_PASS, "helper %d", i);
	}
	t = ind_trace_read();
	trace_reset();
	if (!CHECK(t, "cannot read the trace"))
		return tap_result();
	snprintf(want, sizeof(want),
		 "dev=%s op=ioctl cmd=0x%08lx reason=no-capability pid=%d uid=%u",
		 ind_node(), (unsigned long)VIDIOC_REQBUFS, pid, cg.other);
	CHECK(has(t, "deny", want), "no camgate:deny \"%s\"", want);
	snprintf(want, sizeof(want), "reason=no-capability pid=");
	for (p = t; (p = strstr(p, " deny: ")); p++) {
		const char *eol = strchr(p, '\n');
		char line[256], u[32];

		snprintf(line, sizeof(line), "%.*s",
			 (int)(eol ? eol - p : (long)strlen(p)), p);
		snprintf(u, sizeof(u), " uid=%u", cg.other);
		n += strstr(line, want) && strstr(line, u) &&
		     strstr(line, "op=ioctl");
	}
	CHECK(n == 20, "%d camgate:deny events of uid %u for its 20 denials",
	      n, cg.other);
	if (tap.case_failed)
		show(t);
	return tap_result();
}

static int owner_events(void *arg __attribute__((unused)))
{
	char want[160], g[32];
	const char *t;
	unsigned long long gen;

	if (ind_tracefs())
		return TAP_FAIL;
	trace_reset();
	if (set_events("1"))
		return TAP_FAIL;
	CHECK(cg_sysfs_write(cg.sysfs, "owner_uid", "1002") > 0,
	      "owner_uid <- 1002: %s", strerror(errno));
	gen = cg_sysfs_u64(cg.sysfs, "generation");
	CHECK(cg_sysfs_write(cg.sysfs, "revoke", "1") > 0, "revoke: %s",
	      strerror(errno));
	cg_restore_config();
	t = ind_trace_read();
	trace_reset();
	if (!CHECK(t, "cannot read the trace"))
		return tap_result();
	snprintf(want, sizeof(want),
		 "dev=%s owner_uid=1002 owner_gid=-1 generation=%llu revoke=0 pid=%d uid=0",
		 ind_node(), gen, getpid());
	CHECK(has(t, "owner", want), "no camgate:owner \"%s\"", want);
	snprintf(want, sizeof(want),
		 "dev=%s owner_uid=1002 owner_gid=-1 generation=%llu revoke=1",
		 ind_node(), gen + 1);
	CHECK(has(t, "owner", want), "no camgate:owner \"%s\"", want);
	snprintf(g, sizeof(g), "owner_uid=%u", cg.owner);
	CHECK(has(t, "owner", g), "no camgate:owner back to %s", g);
	if (tap.case_failed)
		show(t);
	return tap_result();
}

static int disabled_quiet(void *arg __attribute__((unused)))
{
	const char *t;

	if (ind_tracefs())
		return TAP_FAIL;
	trace_reset();
	CHECK(cg_run_as(cg.other, ind_deny_once, NULL, 10000) == TAP_PASS,
	      "denial helper");
	t = ind_trace_read();
	CHECK(t && !strstr(t, " deny: "), "a camgate:deny event while disabled");
	return tap_result();
}

/*
 * The first trace event enabled also starts the recording of task names
 * and tgids (options/record-cmd, record-tgid): probes on sched_switch and
 * sched_wakeup, whose call sites the kernel patches (text_poke_bp) at each
 * enable and disable, in __schedule() and try_to_wake_up(), code every CPU
 * runs with interrupts off.  Under QEMU's TCG that patching has hung the
 * VM: a CPU went on executing the int3 a patch had put at __schedule()'s
 * tracepoint after the kernel had taken it out again, in a loop with
 * interrupts off, and never answered the next patch's IPI.  The site is
 * the kernel's, patched for whichever event comes first; flushing QEMU's
 * translated code brought the guest back (Documentation/testing.rst).
 *
 * The cases read camgate's events' own fields (pid, uid), not the names
 * tracefs records, so both options are off while the suite runs: enabling
 * camgate's events then patches only camgate's call sites, which nothing
 * runs until the case acts (it enables the events, then streams, is
 * refused or writes sysfs, then disables them).
 */
static char saved_cmd[8], saved_tgid[8];

static void record_off(void)
{
	if (ind_tracefs())
		return;
	cg_sysfs_read(IND_TRACEFS, "options/record-cmd", saved_cmd,
		      sizeof(saved_cmd));
	cg_sysfs_read(IND_TRACEFS, "options/record-tgid", saved_tgid,
		      sizeof(saved_tgid));
	ind_trace_write("options/record-cmd", "0");
	ind_trace_write("options/record-tgid", "0");
}

/* With every event disabled, putting them back patches nothing. */
static void record_restore(void)
{
	if (saved_cmd[0])
		ind_trace_write("options/record-cmd", saved_cmd);
	if (saved_tgid[0])
		ind_trace_write("options/record-tgid", saved_tgid);
}

int main(void)
{
	cg_env_load();
	record_off();
	tap_plan(5, 50);
	tap_run(events_exist, NULL, 10,
		"trace: camgate:deny, camgate:stream, camgate:owner exist in tracefs");
	tap_run(stream_events, NULL, 15,
		"trace: camgate:stream at the owner's STREAMON and STREAMOFF, with pid and uid");
	tap_run(deny_events, NULL, 20,
		"trace: camgate:deny for each of 20 refused REQBUFS, with op, cmd, reason, pid, uid");
	tap_run(owner_events, NULL, 10,
		"trace: camgate:owner for an owner change and a revocation");
	tap_run(disabled_quiet, NULL, 10,
		"trace: no camgate event while the events are disabled");
	set_events("0");
	record_restore();
	return tap_finish();
}
