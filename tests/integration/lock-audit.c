// SPDX-License-Identifier: GPL-2.0
/*
 * lock-audit.c - the audit record of the configuration lock (issue 17):
 * prelock-audit.c's audit daemon was registered while lock.c locked the
 * configuration; its log must hold one camgate record "op=lock" with the
 * writer's task fields and res=1.  Then the daemon is stopped (it
 * unregisters and turns audit off).
 */
#include "tap.h"
#include "camgate_test.h"

#define PRELOCK_AUDIT_PID	"/tmp/camgate-prelock-audit.pid"
#define PRELOCK_AUDIT_LOG	"/tmp/camgate-lock-audit.log"

/* Has @pid exited (gone, or a zombie nobody reaps)? */
static bool gone(int pid)
{
	char path[64], st[512], *p;
	FILE *f;
	bool ret = true;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	if (fgets(st, sizeof(st), f) && (p = strrchr(st, ')')))
		ret = p[1] == ' ' && p[2] == 'Z';
	else
		ret = false;
	fclose(f);
	return ret;
}

static int lock_record(void *arg __attribute__((unused)))
{
	static const char *const want[] = {
		"op=lock ", " pid=", " uid=0 ", " auid=", " ses=",
		" comm=\"lock\" ", " exe=\"/tests/lock\"", " res=1",
	};
	char buf[8192] = "";
	FILE *f;
	size_t i, n = 0;
	int pid = 0, tries;

	f = fopen(PRELOCK_AUDIT_PID, "r");
	if (!f)
		return tap_skip("no audit daemon: prelock-audit did not run");
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	for (tries = 0; tries < 50 && !n; tries++) {
		f = fopen(PRELOCK_AUDIT_LOG, "r");
		if (f) {
			n = fread(buf, 1, sizeof(buf) - 1, f);
			buf[n] = '\0';
			fclose(f);
		}
		if (!n)
			tap_sleep_ms(100);
	}
	if (CHECK(n > 0, "no op=lock record reached the audit daemon")) {
		tap_diag("record: %s", buf);
		for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			CHECK(strstr(buf, want[i]), "the lock record has no \"%s\"",
			      want[i]);
		CHECK(!strstr(strstr(buf, "op=lock") + 1, "op=lock"),
		      "more than one lock record (locking again must not log)");
	}
	if (pid > 1) {
		kill(pid, SIGTERM);
		for (tries = 0; tries < 50 && !gone(pid); tries++)
			tap_sleep_ms(100);
		CHECK(gone(pid), "the audit daemon %d did not stop", pid);
	}
	return tap_result();
}

int main(void)
{
	cg_env_load();
	tap_plan(1, 20);
	tap_run(lock_record, NULL, 15,
		"lock-audit: the lock gave one audit record op=lock with the writer's pid, uid, auid, ses, comm, exe");
	return tap_finish();
}
