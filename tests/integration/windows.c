// SPDX-License-Identifier: GPL-2.0
/*
 * Race windows held open (issue 21): each case makes one side of a race
 * stop at its racing point for a second and a half, with the test-only
 * module camgate_delay (tests/delay_probe.c: a kprobe that busy-waits in
 * tasks named "cg-delay"), and runs the other side inside that window, so
 * that every run hits it.  What the old code did there was a kernel WARN
 * or a use-after-free: the VM harness fails the run on the splat (and the
 * debug kernel panics on it); the cases check that the window was really
 * held (the probe's hit count) and that both sides ended cleanly.
 *
 * Needs root, debugfs, camgate_delay.ko next to camgate.ko (CAMGATE_KO).
 */
#include "tap.h"
#include "camgate_test.h"
#include "holder.h"

#include <libgen.h>
#include <sys/prctl.h>

#define DELAY		"/sys/kernel/debug/camgate_delay"
#define WINDOW_MS	1500

static char ko[PATH_MAX], delay_ko[PATH_MAX];

/*
 * Hold @sym open WINDOW_MS for tasks named cg-delay, for calls made from a
 * function whose symbol contains @caller (any, if NULL); "off" disarms.
 */
static int delay_at(const char *sym, const char *caller)
{
	char spec[256];

	if (strcmp(sym, "off"))
		snprintf(spec, sizeof(spec), "%s %d %s", sym, WINDOW_MS, caller ?: "");
	else
		snprintf(spec, sizeof(spec), "off");
	return cg_sysfs_write(DELAY, "at", spec) < 0 ? -1 : 0;
}

static unsigned long long delay_hits(void)
{
	return cg_sysfs_u64(DELAY, "hits");
}

static int delay_ready(void)
{
	if (!access(DELAY "/at", W_OK))
		return 0;
	if (access(delay_ko, R_OK))
		return -1;
	return cg_sh("insmod %s", delay_ko) ? -1 : access(DELAY "/at", W_OK);
}

/* camgate back, with the node open to all and the owner set. */
static int camgate_back(void)
{
	long deadline = tap_now_ms() + 10000;

	if (access(CG_SYSFS_ROOT, F_OK) && cg_sh("insmod %s", ko))
		return -1;
	while (access(cg.sysfs, F_OK) && tap_now_ms() < deadline)
		tap_sleep_ms(50);
	cg_chmod_nodes();
	cg_restore_config();
	return access(cg.sysfs, F_OK);
}

/*
 * The owner exports a buffer, renames itself cg-delay and closes the
 * dma-buf: its release (in the same task, on the way back from close())
 * stops at camgate's dma-buf release, after the dma-buf's inode was put
 * for the last time and before the binding leaves the device's list.
 */
static int close_dmabuf(void *arg)
{
	int sock = *(int *)arg;
	struct cg_holder h;
	char x = 'r';

	if (cg_holder_open(&h, 0, 30, 2) || h.dmabuf < 0)
		return TAP_FAIL;
	prctl(PR_SET_NAME, "cg-delay");
	if (write(sock, &x, 1) != 1)
		return TAP_FAIL;
	close(h.dmabuf);	/* held open here */
	prctl(PR_SET_NAME, "owner");
	close(h.fd);
	return tap_result();
}

/*
 * Item 1: a revocation unmaps the device's exported dma-bufs.  The old zap
 * took a reference on the inode of every dma-buf still on the list, but a
 * dma-buf's release runs after its inode was evicted: ihold() on it
 * warned and the later iput() freed it again.  The window: the release
 * held open at its start, the revocation inside it.
 */
static int revoke_during_dmabuf_release(void *arg __attribute__((unused)))
{
	int sv[2], status;
	pid_t pid;
	char x;

	if (delay_ready())
		return tap_skip("no camgate_delay module (%s)", delay_ko);
	if (!CHECK(!delay_at("camgate:cg_dmabuf_release", NULL),
		   "cannot hold camgate:cg_dmabuf_release open"))
		return tap_result();
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return TAP_FAIL;
	pid = cg_spawn(cg.owner, close_dmabuf, &sv[1]);
	if (CHECK(read(sv[0], &x, 1) == 1, "the owner's session failed")) {
		long deadline = tap_now_ms() + WINDOW_MS / 2;

		while (!delay_hits() && tap_now_ms() < deadline)
			tap_sleep_ms(10);
		CHECK(delay_hits() == 1, "the release did not stop in the window (%llu hits)",
		      delay_hits());
		CHECK(cg_sysfs_write(cg.sysfs, "revoke", "1") > 0,
		      "revoke inside the window: %s", strerror(errno));
	}
	status = cg_wait(pid, 20000);
	CHECK(status == TAP_PASS, "the owner's session ended with %d", status);
	delay_at("off", NULL);
	close(sv[0]);
	close(sv[1]);
	cg_restore_config();
	return tap_result();
}

/* Open the node as cg-delay: every try_module_get() on the way stops. */
static int open_slowly(void *arg)
{
	int *result = arg, fd;

	prctl(PR_SET_NAME, "cg-delay");
	fd = open(cg.dev, O_RDWR);
	result[0] = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	return TAP_PASS;
}

/*
 * Item 3: an open takes the guard's reference and camgate's module
 * reference.  The old open took the guard's first: when rmmod came in
 * between, try_module_get() failed and the open dropped what was then the
 * guard's last reference, queueing its release on the workqueue that
 * camgate's exit had already destroyed.  The window: the open held at
 * camgate's own try_module_get(), rmmod inside it.
 */
static int rmmod_during_open(void *arg __attribute__((unused)))
{
	int *result, status;
	long deadline;
	pid_t pid;

	if (delay_ready())
		return tap_skip("no camgate_delay module (%s)", delay_ko);
	result = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (result == MAP_FAILED)
		return TAP_FAIL;
	result[0] = -1;
	if (!CHECK(!delay_at("try_module_get", "[camgate]"),
		   "cannot hold camgate's try_module_get open"))
		return tap_result();
	pid = cg_spawn(cg.owner, open_slowly, result);
	deadline = tap_now_ms() + WINDOW_MS;
	while (!delay_hits() && tap_now_ms() < deadline)
		tap_sleep_ms(10);
	if (CHECK(delay_hits() == 1, "the open did not stop at camgate's try_module_get (%llu hits)",
		  delay_hits())) {
		CHECK(cg_sh("rmmod camgate") == 0, "rmmod inside the window failed");
	}
	status = cg_wait(pid, 30000);
	delay_at("off", NULL);
	CHECK(status == TAP_PASS, "the opener ended with %d", status);
	tap_diag("the open held in the window returned %s",
		 result[0] ? strerror(result[0]) : "a file");
	CHECK(result[0] == ENODEV || result[0] == 0,
	      "the open failed with %s, not ENODEV", strerror(result[0]));
	CHECK(access(CG_SYSFS_ROOT, F_OK) != 0, "camgate is still loaded");
	CHECK(camgate_back() == 0, "camgate could not be loaded again");
	munmap(result, sizeof(int));
	return tap_result();
}

int main(void)
{
	const char *env = getenv("CAMGATE_KO");

	snprintf(ko, sizeof(ko), "%s", env && *env ? env : "/camgate/camgate.ko");
	snprintf(delay_ko, sizeof(delay_ko), "%s/camgate_delay.ko", dirname(strdup(ko)));
	tap_plan(2, 120);
	cg_env_load();
	tap_run(revoke_during_dmabuf_release, NULL, 40,
		"issue 21.1: a revocation while an exported dma-buf is being released");
	tap_run(rmmod_during_open, NULL, 60,
		"issue 21.3: rmmod while an open is between the guard and the module reference");
	camgate_back();
	cg_sh("rmmod camgate_delay 2>/dev/null");
	return tap_finish();
}
