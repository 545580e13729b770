// SPDX-License-Identifier: GPL-2.0
/*
 * led.c - the LED triggers "camgate" and "camgate-<node>" (issue 17,
 * item 1), with a real LED class device: a uinput keyboard with a
 * caps-lock LED, which input-leds registers as inputN::capslock.  What
 * the trigger sets reaches the "hardware" as EV_LED events on the uinput
 * fd, which is what these cases check (and the LED's brightness file).
 *
 * The LED lights at the owner's STREAMON and goes dark at STREAMOFF, at
 * the close of the streaming file, at a revocation and when the camera is
 * unplugged (vivid unbound); a per-node binding survives the unplug.  A
 * non-owner, whose access is refused, cannot light it.  lock-led.c checks
 * the LED after the configuration lock.
 */
#include "tap.h"
#include "camgate_test.h"
#include "indicator.h"

#define VIVID_DRV "/sys/bus/platform/drivers/vivid"

static char trig_node[64];	/* "camgate-video0" */

static int brightness(const struct ind_led *l)
{
	char v[16];

	if (cg_sysfs_read(l->dir, "brightness", v, sizeof(v)))
		return -1;
	return atoi(v);
}

/* The LED, seen on the uinput fd and in sysfs, goes to @want from !@want. */
static void expect_led(struct ind_led *l, int want, const char *when)
{
	int s = ind_led_wait(l, !want, 5000);

	CHECK(s == want, "%s: the LED was told %d, want %d", when, s, want);
	CHECK((brightness(l) > 0) == want, "%s: brightness reads %d", when,
	      brightness(l));
}

static int bind_led(struct ind_led *l, const char *trig)
{
	char now[64] = "";

	if (cg_sysfs_write(l->dir, "trigger", trig) < 0) {
		tap_diag("%s/trigger <- %s: %s", l->dir, trig, strerror(errno));
		return -1;
	}
	ind_led_trigger(l, now, sizeof(now));
	if (strcmp(now, trig)) {
		tap_diag("trigger reads [%s] after binding %s", now, trig);
		return -1;
	}
	return 0;
}

static int listed(void *arg __attribute__((unused)))
{
	struct ind_led l;
	char path[PATH_MAX], *buf;
	int fd;
	ssize_t n;

	if (ind_led_missing())
		return tap_skip("%s", ind_led_missing());

	if (ind_led_make(&l, "camgate-led-test"))
		return TAP_FAIL;
	buf = calloc(1, 65536);
	snprintf(path, sizeof(path), "%s/trigger", l.dir);
	fd = open(path, O_RDONLY);
	n = fd >= 0 ? read(fd, buf, 65535) : -1;
	if (CHECK(n > 0, "read %s: %s", path, strerror(errno))) {
		CHECK(strstr(buf, " camgate ") || strstr(buf, " camgate\n") ||
		      strstr(buf, "[camgate]"), "no trigger \"camgate\" in %s", path);
		CHECK(strstr(buf, trig_node), "no trigger \"%s\" in %s",
		      trig_node, path);
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	ind_led_destroy(&l);
	return tap_result();
}

/* Bound to @arg's trigger: lit at STREAMON, dark at STREAMOFF, close, revoke. */
static int follows(void *arg)
{
	const char *trig = arg ? (const char *)arg : trig_node;
	struct ind_owner o = { 0 };
	struct ind_led l;

	if (ind_led_missing())
		return tap_skip("%s", ind_led_missing());

	if (ind_led_make(&l, "camgate-led-test"))
		return TAP_FAIL;
	if (!CHECK(bind_led(&l, trig) == 0, "cannot bind %s", trig))
		goto out;
	CHECK(brightness(&l) == 0, "lit before any stream: %d", brightness(&l));
	if (!CHECK(ind_owner_start(&o) == 0, "owner helper"))
		goto out;
	CHECK(ind_owner_do(&o, 'n') == 0, "STREAMON");
	expect_led(&l, 1, "STREAMON");
	CHECK(ind_owner_do(&o, 'f') == 0, "STREAMOFF");
	expect_led(&l, 0, "STREAMOFF");
	CHECK(ind_owner_do(&o, 'n') == 0, "STREAMON again");
	expect_led(&l, 1, "STREAMON again");
	CHECK(ind_owner_do(&o, 'c') == 0, "close");
	expect_led(&l, 0, "close without STREAMOFF");
	ind_owner_stop(&o);
	if (!CHECK(ind_owner_start(&o) == 0, "owner helper"))
		goto out;
	CHECK(ind_owner_do(&o, 'n') == 0, "STREAMON");
	expect_led(&l, 1, "STREAMON");
	CHECK(cg_sysfs_write(cg.sysfs, "revoke", "1") > 0, "revoke: %s",
	      strerror(errno));
	expect_led(&l, 0, "revocation");
	ind_owner_stop(&o);
out:
	ind_led_destroy(&l);
	return tap_result();
}

static int other_cannot(void *arg __attribute__((unused)))
{
	struct ind_led l;
	int i;

	if (ind_led_missing())
		return tap_skip("%s", ind_led_missing());

	if (ind_led_make(&l, "camgate-led-test"))
		return TAP_FAIL;
	if (CHECK(bind_led(&l, "camgate") == 0, "cannot bind camgate")) {
		for (i = 0; i < 5; i++)
			CHECK(cg_run_as(cg.other, ind_deny_once, NULL, 10000) ==
			      TAP_PASS, "denial helper");
		CHECK(ind_led_wait(&l, 0, 500) == 0 && brightness(&l) == 0,
		      "a refused non-owner lit the LED");
	}
	ind_led_destroy(&l);
	return tap_result();
}

static int unplug(void *arg __attribute__((unused)))
{
	struct ind_owner o = { 0 };
	struct ind_led l;
	char now[64] = "";
	long deadline;

	if (ind_led_missing())
		return tap_skip("%s", ind_led_missing());

	if (access(VIVID_DRV "/vivid.0", F_OK))
		return tap_skip("vivid is not bound to vivid.0");
	if (ind_led_make(&l, "camgate-led-test"))
		return TAP_FAIL;
	if (!CHECK(bind_led(&l, trig_node) == 0, "cannot bind") ||
	    !CHECK(ind_owner_start(&o) == 0, "owner helper"))
		goto out;
	CHECK(ind_owner_do(&o, 'n') == 0, "STREAMON");
	expect_led(&l, 1, "STREAMON");
	CHECK(cg_sh("echo vivid.0 > " VIVID_DRV "/unbind") == 0, "unbind failed");
	expect_led(&l, 0, "unplug (vivid unbound) under the streaming file");
	ind_owner_stop(&o);
	CHECK(cg_sh("echo vivid.0 > " VIVID_DRV "/bind") == 0, "bind failed");
	deadline = tap_now_ms() + 10000;
	while (access(cg.sysfs, F_OK) && tap_now_ms() < deadline)
		tap_sleep_ms(50);
	cg_chmod_nodes();
	cg_restore_config();
	ind_led_trigger(&l, now, sizeof(now));
	CHECK(!strcmp(now, trig_node),
	      "the LED's trigger is [%s] after the camera came back, want [%s]",
	      now, trig_node);
	/* And it follows the camera that came back. */
	if (CHECK(ind_owner_start(&o) == 0, "owner helper after replug")) {
		CHECK(ind_owner_do(&o, 'n') == 0, "STREAMON after replug");
		expect_led(&l, 1, "STREAMON after replug");
		CHECK(ind_owner_do(&o, 'f') == 0, "STREAMOFF");
		expect_led(&l, 0, "STREAMOFF after replug");
		ind_owner_stop(&o);
	}
out:
	ind_led_destroy(&l);
	return tap_result();
}

int main(void)
{
	cg_env_load();
	snprintf(trig_node, sizeof(trig_node), "camgate-%s", ind_node());
	tap_plan(5, 58);
	tap_run(listed, NULL, 10,
		"led: an LED offers the triggers camgate and camgate-<node>");
	tap_run(follows, NULL, 15,
		"led: bound to camgate-<node>, lit at STREAMON, dark at STREAMOFF, close, revocation");
	tap_run(follows, "camgate", 15,
		"led: bound to camgate, lit at STREAMON, dark at STREAMOFF, close, revocation");
	tap_run(other_cannot, NULL, 10,
		"led: a refused non-owner does not light it");
	tap_run(unplug, NULL, 25,
		"led: dark when the camera is unplugged while streaming; still bound when it returns");
	cg_restore_config();
	return tap_finish();
}
