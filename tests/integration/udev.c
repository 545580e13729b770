// SPDX-License-Identifier: GPL-2.0
/*
 * udev.c - tools/udev/70-camgate.rules, run by the real udevd, sets the
 * owner of a camera that appears after camgate loaded (issue 7).
 *
 * The initramfs carries Debian's systemd-udevd (and its libraries), the
 * rules file exactly as shipped in /etc/udev/rules.d, and the static
 * camgatectl in /usr/sbin.  vivid is removed and loaded again, as a USB
 * camera comes and goes:
 *
 *  - without udevd (the control), the new capture node has no owner;
 *  - with udevd running, the rule runs "camgatectl apply /etc/camgate.conf"
 *    for each node; the initramfs's /etc/camgate.conf (mkinitramfs.sh) has
 *    one line, "path=vivid.0 name=*-vid-cap 1000", so owner_uid 1000 is
 *    set on the capture node, and with it on every node of its camera
 *    (issue 15: one owner for the group); udevd's log shows the
 *    command and its success; the owner can then stream and another uid
 *    is denied.
 *
 * udevd needs inotify: on a kernel without CONFIG_INOTIFY_USER (the debug
 * kernel's small config) the udevd cases skip, saying so; the control and
 * the holders-list removal case still run.
 *
 * Puts back what every program leaves: vivid loaded, nodes 0666,
 * owner_uid = CAMGATE_OWNER_UID, owner_gid = none, default_policy deny,
 * and no udevd.
 */
#include "tap.h"
#include "camgate_test.h"

#include <dirent.h>
#include <sys/syscall.h>


#define UDEVD		CG_UDEVD
#define UDEVADM		"/usr/bin/udevadm"
#define RULES		"/etc/udev/rules.d/70-camgate.rules"
#define UDEVD_LOG	"/tmp/udevd.log"
#define RULE_UID	1000	/* what the rule applies from /etc/camgate.conf */

static const char *ko, *params;
static const char *missing;	/* what the initramfs lacks */
static const char *no_udevd;	/* why this kernel cannot run udevd */
static pid_t udevd = -1;

/* ---- vivid ------------------------------------------------------------------ */

/* The owner_uid camgate shows for vivid's node @name, or "" (not guarded). */
static void owner_of(const char *name, char *uid, size_t len)
{
	char n[64], dir[PATH_MAX];

	uid[0] = '\0';
	cg_find_node(name, n, sizeof(n));
	if (!n[0])
		return;
	snprintf(dir, sizeof(dir), CG_SYSFS_ROOT "/devices/%s", n);
	cg_sysfs_read(dir, "owner_uid", uid, len);
}

/* Remove vivid and load it again; 0 when the capture node is guarded again. */
static int replug(void)
{
	long deadline;
	char n[64];
	int r;

	r = cg_unload_vivid();
	if (!CHECK(r == 0, "delete_module(vivid): %s", strerror(-r)))
		return -1;
	r = cg_load_vivid(ko, params);
	if (!CHECK(r == 0, "finit_module(%s, \"%s\"): %s", ko, params,
		   strerror(-r)))
		return -1;
	deadline = tap_now_ms() + 5000;
	for (;;) {
		char dir[PATH_MAX];

		cg_find_node("vivid-000-vid-cap", n, sizeof(n));
		snprintf(dir, sizeof(dir), CG_SYSFS_ROOT "/devices/%s", n);
		if (n[0] && !access(dir, F_OK))
			return 0;
		if (!CHECK(tap_now_ms() < deadline,
			   "vivid's capture node is not guarded 5 s after the load"))
			return -1;
		tap_sleep_ms(20);
	}
}

/* ---- udevd ------------------------------------------------------------------ */

static void stop_udevd(void)
{
	cg_udevd_stop(udevd);
	udevd = -1;
}

static void start_udevd(void)
{
	udevd = cg_udevd_start(UDEVD_LOG, true);
}

static int run(const char *const *argv, long timeout_ms)
{
	pid_t pid = fork();

	if (!pid) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid < 0 ? -1 : cg_wait(pid, timeout_ms);
}

/* Not exited (a zombie still answers kill(pid, 0)). */
static bool alive(pid_t pid)
{
	char path[64], buf[256], *p;
	int fd, n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

static void cleanup(void)
{
	stop_udevd();
	if (ko)
		cg_load_vivid(ko, params);
	cg_chmod_nodes();
	cg_restore_config();
}

/* ---- cases ------------------------------------------------------------------------ */

static int control(void *arg)
{
	char uid[32], node[64], path[PATH_MAX], c;
	ssize_t got;
	int fd;

	(void)arg;
	if (!CHECK(!missing, "the VM has no %s", missing))
		return TAP_FAIL;
	/* The holders list of a node that goes away while it is open. */
	cg_find_node("vivid-000-vid-cap", node, sizeof(node));
	snprintf(path, sizeof(path), "/proc/camgate/holders/%s", node);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0, "%s: %s", path, strerror(errno));
	if (replug())
		return TAP_FAIL;
	got = read(fd, &c, 1);
	CHECK(got == -1 && errno == EIO,
	      "reading %s opened before the node went away: %zd (%s), want EIO",
	      path, got, got < 0 ? strerror(errno) : "data");
	close(fd);
	CHECK(access(path, R_OK) == 0, "the new node has no %s", path);
	owner_of("vivid-000-vid-cap", uid, sizeof(uid));
	CHECK(!strcmp(uid, "none"),
	      "without udevd the new capture node's owner_uid reads \"%s\", want none",
	      uid);
	return tap_result();
}

static int udevd_up(void *arg)
{
	long deadline = tap_now_ms() + 15000;

	(void)arg;
	if (!CHECK(!missing, "the VM has no %s", missing))
		return TAP_FAIL;
	if (no_udevd)
		return tap_skip("%s", no_udevd);
	while (access("/run/udev/control", F_OK)) {
		if (!CHECK(tap_now_ms() < deadline && alive(udevd),
			   "udevd did not come up in 15 s")) {
			cg_diag_tail(UDEVD_LOG, "udevd log: ", 20);
			return TAP_FAIL;
		}
		tap_sleep_ms(50);
	}
	/* It makes its socket before it can fail on what the kernel lacks. */
	tap_sleep_ms(1000);
	if (!CHECK(alive(udevd), "udevd exited after start-up"))
		cg_diag_tail(UDEVD_LOG, "udevd log: ", 20);
	return tap_result();
}

static int rule_sets_owner(void *arg)
{
	static const char *const settle[] = {
		UDEVADM, "settle", "--timeout=20", NULL,
	};
	char uid[32], node[64], line[512], want[128];
	long deadline;
	bool ran = false, ok = false;
	FILE *f;

	(void)arg;
	if (!CHECK(!missing, "the VM has no %s", missing))
		return TAP_FAIL;
	if (no_udevd)
		return tap_skip("%s", no_udevd);
	if (replug())
		return TAP_FAIL;
	CHECK(run(settle, 25000) == 0, "udevadm settle failed or timed out");
	/* camgatectl --wait may still be polling for the node. */
	deadline = tap_now_ms() + 10000;
	do {
		owner_of("vivid-000-vid-cap", uid, sizeof(uid));
		if (strtoul(uid, NULL, 10) == RULE_UID && uid[0] != 'n')
			break;
		tap_sleep_ms(50);
	} while (tap_now_ms() < deadline);
	CHECK(strtoul(uid, NULL, 10) == RULE_UID && uid[0] != 'n',
	      "the capture node's owner_uid reads \"%s\", want %u", uid,
	      RULE_UID);
	/*
	 * The rule names the capture node; the owner is the whole camera's
	 * (issue 15): vivid's other nodes, registered before or after it,
	 * have it too.
	 */
	owner_of("vivid-000-vbi-cap", uid, sizeof(uid));
	CHECK(strtoul(uid, NULL, 10) == RULE_UID && uid[0] != 'n',
	      "the vbi capture node's owner_uid reads \"%s\", want %u, the camera's",
	      uid, RULE_UID);
	owner_of("vivid-000-vid-out", uid, sizeof(uid));
	CHECK(strtoul(uid, NULL, 10) == RULE_UID && uid[0] != 'n',
	      "the video output node's owner_uid reads \"%s\", want %u, the camera's",
	      uid, RULE_UID);

	cg_find_node("vivid-000-vid-cap", node, sizeof(node));
	snprintf(want, sizeof(want),
		 "camgatectl --wait 5 apply /etc/camgate.conf %s", node);
	f = fopen(UDEVD_LOG, "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (!strstr(line, "camgatectl"))
			continue;
		tap_diag("udevd: %.*s", (int)strcspn(line, "\n"), line);
		ran |= !!strstr(line, want);
		ok |= strstr(line, want) && strstr(line, "succeeded");
	}
	if (f)
		fclose(f);
	CHECK(ran, "udevd's log does not show it running \"%s\"", want);
	CHECK(ok, "udevd's log does not show \"%s\" succeeding", want);
	if (tap.case_failed)
		cg_diag_tail(UDEVD_LOG, "udevd log: ", 20);
	return tap_result();
}

static int reqbufs_as(void *arg)
{
	struct v4l2_requestbuffers rb = {
		.count = 2, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	bool want_ok = *(bool *)arg;
	int fd = cg_open(O_RDWR), r;

	if (fd < 0)
		return TAP_FAIL;
	r = xioctl(fd, VIDIOC_REQBUFS, &rb);
	if (want_ok)
		CHECK(r == 0 && rb.count >= 1, "REQBUFS as uid %u: %s", geteuid(),
		      strerror(errno));
	else
		cg_expect_denied("REQBUFS", r, errno, NULL, NULL, 0);
	rb.count = 0;
	if (!r)
		xioctl(fd, VIDIOC_REQBUFS, &rb);
	close(fd);
	return tap_result();
}

static int rule_owner_effective(void *arg)
{
	static bool yes = true, no;

	(void)arg;
	if (!CHECK(!missing, "the VM has no %s", missing))
		return TAP_FAIL;
	if (no_udevd)
		return tap_skip("%s", no_udevd);
	CHECK(cg_run_as(RULE_UID, reqbufs_as, &yes, 10000) == TAP_PASS,
	      "uid %u, the owner the rule set, cannot allocate buffers", RULE_UID);
	CHECK(cg_run_as(cg.other, reqbufs_as, &no, 10000) == TAP_PASS,
	      "uid %u was not denied", cg.other);
	return tap_result();
}

static int restored(void *arg)
{
	char buf[32];
	struct stat st;

	(void)arg;
	CHECK(udevd < 0, "udevd still runs");
	CHECK(access("/sys/module/vivid", F_OK) == 0, "vivid is not loaded");
	CHECK(stat(cg.dev, &st) == 0 && (st.st_mode & 0666) == 0666,
	      "%s: mode %04o", cg.dev, st.st_mode & 07777);
	CHECK(cg_sysfs_read(cg.sysfs, "owner_uid", buf, sizeof(buf)) == 0 &&
	      strtoul(buf, NULL, 10) == cg.owner && buf[0] != 'n',
	      "owner_uid reads \"%s\"", buf);
	CHECK(cg_sysfs_read(cg.sysfs, "owner_gid", buf, sizeof(buf)) == 0 &&
	      !strcmp(buf, "none"), "owner_gid reads \"%s\"", buf);
	return tap_result();
}

int main(void)
{
	tap_plan(5, 110);
	cg_env_load();
	ko = getenv("CAMGATE_VIVID_KO");
	params = getenv("CAMGATE_VIVID_PARAMS");
	if (!params)
		params = "no_error_inj=1 n_devs=1";
	tap_set_cleanup(cleanup);
	/* What the initramfs must carry; missing pieces fail, never skip. */
	if (!ko || access(ko, R_OK))
		missing = "vivid.ko (CAMGATE_VIVID_KO)";
	else if (!no_udevd && access(UDEVD, X_OK))
		missing = UDEVD;
	else if (access(RULES, R_OK))
		missing = RULES;
	else if (access("/usr/sbin/camgatectl", X_OK))
		missing = "/usr/sbin/camgatectl";
	/* udevd cannot start without inotify. */
	if (!no_udevd && access("/proc/sys/fs/inotify", F_OK))
		no_udevd = "this kernel has no inotify (CONFIG_INOTIFY_USER), which udevd needs";
	tap_diag("vivid %s \"%s\"; udevd %s; rules %s", ko ? ko : "(not set)",
		 params, UDEVD, RULES);

	tap_run(control, NULL, 20,
		"udev control: without udevd, a vivid node that appears has no owner; its old holders list reads EIO");
	if (!missing && !no_udevd)
		start_udevd();
	tap_run(udevd_up, NULL, 20, "systemd-udevd runs with the shipped " RULES);
	tap_run(rule_sets_owner, NULL, 50,
		"udev: vivid appears, the rule's camgatectl sets owner_uid %u on its capture node, and so on the whole camera",
		RULE_UID);
	stop_udevd();
	cg_chmod_nodes();
	tap_run(rule_owner_effective, NULL, 25,
		"udev: uid %u (set by the rule) gets buffers, uid %u is denied",
		RULE_UID, cg.other);
	cleanup();
	tap_run(restored, NULL, 10,
		"state restored: no udevd, vivid loaded, %s mode 0666, owner_uid %u",
		cg.dev, cg.owner);
	return tap_finish();
}
