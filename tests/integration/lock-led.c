// SPDX-License-Identifier: GPL-2.0
/*
 * lock-led.c - the streaming indicator after the configuration lock
 * (issue 17, item 1); the VM runs lock-* after lock.c.
 *
 * An LED bound to a camgate trigger before the lock (by prelock-led.c) is
 * sealed by the lock itself, and one bound once the configuration is
 * locked is sealed a moment later: its trigger and brightness files refuse every
 * write, root's included, with EBUSY, so the LED can be neither unbound
 * nor switched off or on by hand until reboot, and it still follows the
 * stream.  (The LED here is a uinput keyboard's caps-lock LED, destroyed
 * at the end, which camgate logs as an LED leaving a trigger while
 * locked.)
 */
#include "tap.h"
#include "camgate_test.h"
#include "indicator.h"

static char trig_node[64];

static int write_refused(const struct ind_led *l, const char *file,
			 const char *val)
{
	errno = 0;
	if (cg_sysfs_write(l->dir, file, val) >= 0) {
		tap_diag("%s/%s <- %s was accepted", l->dir, file, val);
		return 0;
	}
	if (errno != EBUSY)
		tap_diag("%s/%s <- %s: %s (want EBUSY)", l->dir, file, val,
			 strerror(errno));
	return errno == EBUSY;
}

static int brightness(const struct ind_led *l)
{
	char v[16];

	if (cg_sysfs_read(l->dir, "brightness", v, sizeof(v)))
		return -1;
	return atoi(v);
}

static int sealed(void *arg)
{
	const char *trig = arg ? (const char *)arg : trig_node;
	struct ind_owner o = { 0 };
	struct ind_led l;
	char v[16], now[64] = "";
	long deadline;
	int ok;

	if (ind_led_missing())
		return tap_skip("%s", ind_led_missing());

	CHECK(cg_sysfs_read(CG_SYSFS_ROOT, "lock", v, sizeof(v)) == 0 &&
	      !strcmp(v, "1"), "the configuration is not locked (%s)", v);
	if (ind_led_make(&l, "camgate-lock-led"))
		return TAP_FAIL;
	if (!CHECK(cg_sysfs_write(l.dir, "trigger", trig) > 0,
		   "binding %s after the lock: %s", trig, strerror(errno)))
		goto out;
	/* Sealed a moment after the binding. */
	deadline = tap_now_ms() + 3000;
	do {
		tap_sleep_ms(20);
		errno = 0;
		ok = cg_sysfs_write(l.dir, "brightness", "0") < 0 &&
		     errno == EBUSY;
	} while (!ok && tap_now_ms() < deadline);
	CHECK(ok, "brightness writes still accepted 3 s after binding: %s",
	      strerror(errno));
	CHECK(write_refused(&l, "trigger", "none"), "unbinding (none)");
	CHECK(write_refused(&l, "trigger", "timer"), "another trigger");
	CHECK(write_refused(&l, "brightness", "1"), "brightness 1");
	ind_led_trigger(&l, now, sizeof(now));
	CHECK(!strcmp(now, trig), "trigger is [%s], want [%s]", now, trig);
	CHECK(brightness(&l) == 0, "brightness %d while not streaming",
	      brightness(&l));

	/* It still follows the stream, and cannot be switched off meanwhile. */
	if (!CHECK(ind_owner_start(&o) == 0, "owner helper"))
		goto out;
	CHECK(ind_owner_do(&o, 'n') == 0, "STREAMON");
	CHECK(ind_led_wait(&l, 0, 5000) == 1, "the LED did not light at STREAMON");
	CHECK(write_refused(&l, "brightness", "0"), "brightness 0 while streaming");
	CHECK(write_refused(&l, "trigger", "none"), "unbinding while streaming");
	CHECK(ind_led_wait(&l, 1, 300) == 1 && brightness(&l) > 0,
	      "the LED went dark while streaming");
	CHECK(ind_owner_do(&o, 'f') == 0, "STREAMOFF");
	CHECK(ind_led_wait(&l, 1, 5000) == 0, "the LED did not go dark at STREAMOFF");
	ind_owner_stop(&o);
out:
	ind_led_destroy(&l);
	return tap_result();
}

#define PRELOCK_LED_NAME	"camgate-prelock-led"
#define PRELOCK_LED_PID		"/tmp/camgate-prelock-led.pid"

/* The LED prelock-led.c bound to camgate-<node> before the lock. */
static int sealed_by_lock(void *arg __attribute__((unused)))
{
	struct ind_owner o = { 0 };
	struct ind_led l = { .fd = -1 };
	char now[64] = "";
	FILE *f;
	int pid = 0, i;

	if (ind_led_missing())
		return tap_skip("%s", ind_led_missing());

	if (ind_led_find(PRELOCK_LED_NAME, l.dir, sizeof(l.dir)))
		return tap_skip("no LED %s: prelock-led did not run",
				PRELOCK_LED_NAME);
	/* Sealed by the lock's write itself: no waiting. */
	CHECK(write_refused(&l, "trigger", "none"), "unbinding (none)");
	CHECK(write_refused(&l, "trigger", "camgate"), "another trigger");
	CHECK(write_refused(&l, "brightness", "0"), "brightness 0");
	CHECK(write_refused(&l, "brightness", "1"), "brightness 1");
	ind_led_trigger(&l, now, sizeof(now));
	CHECK(!strcmp(now, trig_node), "trigger is [%s], want [%s]", now,
	      trig_node);
	CHECK(brightness(&l) == 0, "brightness %d while not streaming",
	      brightness(&l));
	if (CHECK(ind_owner_start(&o) == 0, "owner helper")) {
		CHECK(ind_owner_do(&o, 'n') == 0, "STREAMON");
		for (i = 0; i < 250 && brightness(&l) <= 0; i++)
			tap_sleep_ms(20);
		CHECK(brightness(&l) > 0, "not lit at STREAMON");
		CHECK(write_refused(&l, "brightness", "0"),
		      "brightness 0 while streaming");
		CHECK(brightness(&l) > 0, "dark while streaming");
		CHECK(ind_owner_do(&o, 'f') == 0, "STREAMOFF");
		for (i = 0; i < 250 && brightness(&l) != 0; i++)
			tap_sleep_ms(20);
		CHECK(brightness(&l) == 0, "still lit after STREAMOFF");
		ind_owner_stop(&o);
	}
	f = fopen(PRELOCK_LED_PID, "r");
	if (f && fscanf(f, "%d", &pid) == 1 && pid > 1)
		kill(pid, SIGKILL);
	if (f)
		fclose(f);
	return tap_result();
}

int main(void)
{
	cg_env_load();
	snprintf(trig_node, sizeof(trig_node), "camgate-%s", ind_node());
	tap_plan(3, 58);
	tap_run(sealed_by_lock, NULL, 15,
		"lock-led: an LED bound to camgate-<node> before the lock: sealed by it, EBUSY for root, follows the stream");
	tap_run(sealed, NULL, 20,
		"lock-led: an LED bound to camgate-<node> after the lock: trigger and brightness writes EBUSY, still follows the stream");
	tap_run(sealed, "camgate", 20,
		"lock-led: the same for the trigger camgate");
	return tap_finish();
}
