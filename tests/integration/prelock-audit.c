// SPDX-License-Identifier: GPL-2.0
/*
 * prelock-audit.c - set-up for lock-audit.c (issue 17): the VM runs
 * prelock-* just before lock.c.  Leaves an audit daemon (this program's
 * child, in a session of its own, its pid in PRELOCK_AUDIT_PID) that
 * writes every camgate "op=lock" record it receives to PRELOCK_AUDIT_LOG,
 * so that lock-audit.c can check the record lock.c's write produced.  On
 * SIGTERM it unregisters and turns audit off again.
 */
#include "tap.h"
#include "camgate_test.h"
#include "indicator.h"
#include "auditnl.h"

#define PRELOCK_AUDIT_PID	"/tmp/camgate-prelock-audit.pid"
#define PRELOCK_AUDIT_LOG	"/tmp/camgate-lock-audit.log"

static volatile sig_atomic_t stop;

static void on_term(int sig __attribute__((unused)))
{
	stop = 1;
}

static void daemon_main(int ack)
{
	static const char *const want[] = { "op=lock", NULL };
	char rec[4096], r = 'e';
	FILE *f;
	int fd;

	setsid();
	signal(SIGTERM, on_term);
	if (audit_start() == 0) {
		f = fopen(PRELOCK_AUDIT_PID, "w");
		if (f && fprintf(f, "%d\n", getpid()) > 0 && !fclose(f))
			r = 'k';
	}
	(void)!write(ack, &r, 1);
	close(ack);
	if (r != 'k')
		_exit(1);
	fd = open("/dev/null", O_RDWR);
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	while (!stop) {
		if (audit_next(want, rec, sizeof(rec), 1000))
			continue;
		f = fopen(PRELOCK_AUDIT_LOG, "a");
		if (f) {
			fprintf(f, "%s\n", rec);
			fclose(f);
		}
	}
	audit_stop();
	_exit(0);
}

static int leave_daemon(void *arg __attribute__((unused)))
{
	int p[2];
	char r = 'e';
	pid_t pid;

	unlink(PRELOCK_AUDIT_PID);
	unlink(PRELOCK_AUDIT_LOG);
	if (pipe(p))
		return TAP_FAIL;
	pid = fork();
	if (!pid) {
		close(p[0]);
		daemon_main(p[1]);
	}
	close(p[1]);
	CHECK(read(p[0], &r, 1) == 1 && r == 'k',
	      "the audit daemon could not register");
	tap_diag("audit daemon pid %d", pid);
	return tap_result();
}

int main(void)
{
	cg_env_load();
	tap_plan(1, 20);
	tap_run(leave_daemon, NULL, 15,
		"prelock-audit: an audit daemon registered for the lock (lock-audit checks its record)");
	return tap_finish();
}
