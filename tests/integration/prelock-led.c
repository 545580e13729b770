// SPDX-License-Identifier: GPL-2.0
/*
 * prelock-led.c - set-up for lock-led.c (issue 17): the VM runs prelock-*
 * just before lock.c.  Makes a uinput keyboard whose caps-lock LED is
 * bound to camgate-<node>, held by a process in a session of its own so
 * that it outlives this program (the harness kills what a program leaves
 * in its session), with its pid in PRELOCK_LED_PID; lock-led.c checks that
 * the lock sealed this LED and ends the process.
 *
 * The case itself checks that, before the lock, the LED's files are still
 * writable (rebinding the same trigger is accepted), so that lock-led's
 * EBUSY is the lock's doing.
 */
#include "tap.h"
#include "camgate_test.h"
#include "indicator.h"

#define PRELOCK_LED_NAME	"camgate-prelock-led"
#define PRELOCK_LED_PID		"/tmp/camgate-prelock-led.pid"

static void holder(int ack, const char *trig)
{
	struct ind_led l;
	char r = 'e';
	FILE *f;

	setsid();
	if (ind_led_make(&l, PRELOCK_LED_NAME) == 0) {
		if (cg_sysfs_write(l.dir, "trigger", trig) > 0) {
			f = fopen(PRELOCK_LED_PID, "w");
			if (f && fprintf(f, "%d\n", getpid()) > 0 && !fclose(f))
				r = 'k';
		}
	}
	(void)!write(ack, &r, 1);
	close(ack);
	if (r != 'k')
		_exit(1);
	close(0);
	close(1);
	close(2);
	for (;;)
		pause();	/* until lock-led.c ends it */
}

static int bound_before_lock(void *arg __attribute__((unused)))
{
	char trig[64], dir[256], now[64] = "", v[16];
	struct ind_led l;
	int p[2];
	char r = 'e';
	pid_t pid;

	if (ind_led_missing())
		return tap_skip("%s", ind_led_missing());

	CHECK(cg_sysfs_read(CG_SYSFS_ROOT, "lock", v, sizeof(v)) == 0 &&
	      !strcmp(v, "0"), "lock reads %s: already locked", v);
	snprintf(trig, sizeof(trig), "camgate-%s", ind_node());
	unlink(PRELOCK_LED_PID);
	if (pipe(p))
		return TAP_FAIL;
	pid = fork();
	if (!pid) {
		close(p[0]);
		holder(p[1], trig);
	}
	close(p[1]);
	if (!CHECK(read(p[0], &r, 1) == 1 && r == 'k',
		   "the LED holder could not make and bind its LED"))
		return tap_result();
	waitpid(pid, NULL, WNOHANG);
	if (!CHECK(ind_led_find(PRELOCK_LED_NAME, dir, sizeof(dir)) == 0,
		   "no LED for %s", PRELOCK_LED_NAME))
		return tap_result();
	snprintf(l.dir, sizeof(l.dir), "%s", dir);
	ind_led_trigger(&l, now, sizeof(now));
	CHECK(!strcmp(now, trig), "trigger [%s], want [%s]", now, trig);
	/* Not sealed yet: the same trigger again is accepted. */
	CHECK(cg_sysfs_write(dir, "trigger", trig) > 0,
	      "rebinding %s before the lock: %s", trig, strerror(errno));
	tap_diag("LED %s bound to %s, held by pid %d", dir, trig, pid);
	return tap_result();
}

int main(void)
{
	cg_env_load();
	tap_plan(1, 30);
	tap_run(bound_before_lock, NULL, 20,
		"prelock-led: an LED bound to camgate-<node> before the lock, its files still writable (lock-led checks it after)");
	return tap_finish();
}
