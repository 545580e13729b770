// SPDX-License-Identifier: GPL-2.0
/*
 * uvc-unplug.c - the UVC camera unplugged while the owner streams and
 * another uid holds it open, then plugged in again (issue 20 item 3,
 * ATTACKS.md cases 19 and 16 on uvcvideo).
 *
 * The camera is the one the other uvc* programs use (cg_uvc.h); this
 * program runs last of them (init runs uvc-compliance before it).  While
 * the owner streams and another uid holds its own file on the capture
 * node (refused QUERYBUF), port 0 of vhci-hcd is detached: the USB device
 * goes, uvcvideo disconnects and unregisters both nodes.  The owner's
 * stream must end with an error within 10 s, not hang; the other uid's
 * file must give no buffer; once both files are closed, camgate's
 * directories of both nodes are gone and its module reference count is
 * what it was before the files were opened.
 *
 * Then a new uvcdev plugs the camera in again, with udevd running and the
 * initramfs's /etc/camgate.conf naming the camera by its USB id
 * ("usb=1d6b:0102 1000", tools/udev/70-camgate.rules runs camgatectl
 * apply): both new nodes are guarded, the rule gives them owner_uid 1000,
 * the owner streams intact frames and another uid is refused.  The new
 * camera is unplugged at the end; init's clean-up finds nothing left.
 */
#include "tap.h"
#include "camgate_test.h"
#include "attacks.h"
#include "cg_uvc.h"

#include <dirent.h>

#define VHCI		"/sys/devices/platform/vhci_hcd.0"
#define UDEVD_LOG	"/tmp/udevd-uvc.log"
#define UVCDEV_LOG	"/tmp/uvcdev-replug.log"
#define RULE_UID	1000	/* /etc/camgate.conf: usb=1d6b:0102 1000 */

/* Started by main() (the cases run in children of their own). */
static pid_t udevd = -1, uvcdev = -1;

static void cleanup(void)
{
	if (uvcdev > 0) {
		cg_sysfs_write(VHCI, "detach", "0");
		kill(uvcdev, SIGKILL);
		cg_wait(uvcdev, 5000);
		uvcdev = -1;
	}
	if (udevd > 0) {
		cg_udevd_stop(udevd);
		udevd = -1;
	}
}

static long module_refcnt(void)
{
	char buf[32] = "";

	if (cg_sysfs_read("/sys/module/camgate", "refcnt", buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

static bool guarded(const char *node)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), CG_SYSFS_ROOT "/devices/%s", node);
	return access(dir, F_OK) == 0;
}

/* The UVC camera's capture (@index 0) or metadata (1) node, or "". */
static void find_uvc_node(const char *index, char *node, size_t len)
{
	char path[PATH_MAX], buf[64];
	struct dirent *e;
	DIR *d = opendir("/sys/class/video4linux");

	node[0] = '\0';
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/video4linux/%s",
			 e->d_name);
		if (cg_sysfs_read(path, "name", buf, sizeof(buf)) ||
		    strncmp(buf, "camgate UVC test camera", 23) ||
		    cg_sysfs_read(path, "index", buf, sizeof(buf)) ||
		    strcmp(buf, index))
			continue;
		if (strlen(e->d_name) < len)
			memcpy(node, e->d_name, strlen(e->d_name) + 1);
		break;
	}
	if (d)
		closedir(d);
}

/* ---- unplugged under open files ---------------------------------------------- */

struct unplug {
	int ended;		/* the owner's stream ended (1) */
	int err;		/* how: the errno, or 0 for POLLERR/POLLHUP */
	int frames_after;	/* frames the owner got after the detach */
};

static struct unplug *U;

/* The owner streams until the camera goes. */
static int owner_until_gone(void *arg)
{
	struct uvc_owner s;
	struct v4l2_buffer b;
	struct pollfd p;
	int *ready = arg;

	if (uvc_owner_start(&s)) {
		CG_STORE(*ready, -1);
		return TAP_FAIL;
	}
	CG_STORE(*ready, 1);
	p.fd = s.fd;
	p.events = POLLIN;
	for (;;) {
		if (poll(&p, 1, 20000) != 1) {
			tap_diag("owner: poll gave nothing in 20 s");
			return TAP_FAIL;
		}
		if (p.revents & (POLLERR | POLLHUP)) {
			U->err = 0;
			break;
		}
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		if (xioctl(s.fd, VIDIOC_DQBUF, &b)) {
			if (errno == EAGAIN)
				continue;
			U->err = errno;
			break;
		}
		if (CG_LOAD(U->ended) == 2)	/* detached: count stragglers */
			CG_INC(U->frames_after);
		if (xioctl(s.fd, VIDIOC_QBUF, &b)) {
			U->err = errno;
			break;
		}
	}
	CG_STORE(U->ended, 1);
	uvc_owner_stop(&s);
	return TAP_PASS;
}

static int unplug_streaming(void *arg)
{
	char cap[32], meta[32], *slash;
	struct v4l2_buffer b, before;
	long refs_before, refs, deadline;
	int ready = 0, fd, r;
	pid_t owner;

	(void)arg;
	U = mmap(NULL, sizeof(*U), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (U == MAP_FAILED)
		return TAP_FAIL;
	memset(U, 0, sizeof(*U));
	slash = strrchr(UVC.dev, '/');
	snprintf(cap, sizeof(cap), "%s", slash ? slash + 1 : UVC.dev);
	slash = strrchr(UVC.meta, '/');
	snprintf(meta, sizeof(meta), "%s", slash ? slash + 1 : UVC.meta);
	refs_before = module_refcnt();

	{
		int *shared = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		if (shared == MAP_FAILED)
			return TAP_FAIL;
		*shared = 0;
		owner = fork();
		if (owner == 0)
			_exit(owner_until_gone(shared));
		deadline = tap_now_ms() + 15000;
		while (!CG_LOAD(*shared) && tap_now_ms() < deadline)
			tap_sleep_ms(20);
		ready = CG_LOAD(*shared);
	}
	if (!CHECK(ready == 1, "the owner's stream did not start")) {
		kill(owner, SIGKILL);
		cg_wait(owner, 5000);
		return TAP_FAIL;
	}
	/* Another uid's own file on the node, refused while the owner streams. */
	if (setresuid(-1, cg.other, -1))
		return TAP_FAIL;
	fd = uvc_open(UVC.dev, O_RDWR | O_NONBLOCK);
	setresuid(-1, 0, -1);
	if (fd < 0)
		return TAP_FAIL;
	if (setresuid(-1, cg.other, -1))
		return TAP_FAIL;
	cg_buf_poison(&b, V4L2_MEMORY_MMAP, 0);
	before = b;
	r = xioctl(fd, VIDIOC_QUERYBUF, &b);
	cg_expect_buf_denied("uid's QUERYBUF before the unplug", r, errno, &b,
			     &before);
	setresuid(-1, 0, -1);

	tap_diag("detaching vhci_hcd.0 port 0 (%s, %s) under the owner's stream",
		 cap, meta);
	CG_STORE(U->ended, 2);
	r = (int)cg_sysfs_write(VHCI, "detach", "0");
	CHECK(r > 0, "write 0 to " VHCI "/detach: %s", strerror(-r));
	CHECK(cg_wait(owner, 15000) == TAP_PASS,
	      "the owner's stream did not end within 15 s of the unplug");
	tap_diag("the owner's stream ended: %s, %d frames after the detach",
		 U->err ? strerror(U->err) : "POLLERR/POLLHUP",
		 U->frames_after);

	/* The other uid's file: nothing, before or after the unplug. */
	if (setresuid(-1, cg.other, -1))
		return TAP_FAIL;
	cg_buf_poison(&b, V4L2_MEMORY_MMAP, 0);
	before = b;
	r = xioctl(fd, VIDIOC_QUERYBUF, &b);
	CHECK(r == -1 && (errno == EACCES || errno == ENODEV) &&
	      !memcmp(&b, &before, sizeof(b)),
	      "uid %u's QUERYBUF after the unplug: %d (%s), want EACCES or ENODEV, untouched",
	      cg.other, r, strerror(errno));
	cg_buf_poison(&b, V4L2_MEMORY_MMAP, 0);
	before = b;
	r = xioctl(fd, VIDIOC_DQBUF, &b);
	CHECK(r == -1 && (errno == EACCES || errno == ENODEV) &&
	      !memcmp(&b, &before, sizeof(b)),
	      "uid %u's DQBUF after the unplug: %d (%s), want EACCES or ENODEV, untouched",
	      cg.other, r, strerror(errno));
	setresuid(-1, 0, -1);
	close(fd);

	/* Nothing left: the guards, and the module references of the files. */
	deadline = tap_now_ms() + 5000;
	while ((guarded(cap) || guarded(meta)) && tap_now_ms() < deadline)
		tap_sleep_ms(20);
	CHECK(!guarded(cap) && !guarded(meta),
	      "camgate still has a directory for %s or %s 5 s after the unplug",
	      cap, meta);
	deadline = tap_now_ms() + 5000;
	while ((refs = module_refcnt()) != refs_before &&
	       tap_now_ms() < deadline)
		tap_sleep_ms(20);
	CHECK(refs_before >= 0 && refs == refs_before,
	      "camgate's module reference count is %ld, %ld before the files were opened",
	      refs, refs_before);
	return tap_result();
}

/* ---- plugged in again ------------------------------------------------------- */

/* udevd, then a new uvcdev on port 0: the camera plugged in again. */
static void replug_start(void)
{
	udevd = cg_udevd_start(UDEVD_LOG, false);
	tap_sleep_ms(1000);	/* its socket, before the uevents */
	uvcdev = fork();
	if (uvcdev == 0) {
		int fd = open(UVCDEV_LOG, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0)
			dup2(fd, 2);
		execlp("uvcdev", "uvcdev", "-p", "0", (char *)NULL);
		_exit(127);
	}
}

static int replug(void *arg)
{
	char uid[32] = "", muid[32] = "", dir[PATH_MAX];
	char cap_node[32], meta_node[32];
	long deadline;

	(void)arg;
	deadline = tap_now_ms() + 30000;
	do {
		find_uvc_node("0", cap_node, sizeof(cap_node));
		find_uvc_node("1", meta_node, sizeof(meta_node));
		if (cap_node[0] && meta_node[0] && guarded(cap_node) &&
		    guarded(meta_node))
			break;
		tap_sleep_ms(100);
	} while (tap_now_ms() < deadline);
	if (!CHECK(cap_node[0] && meta_node[0] && guarded(cap_node) &&
		   guarded(meta_node),
		   "no guarded UVC capture and metadata node 30 s after the replug ('%s', '%s')",
		   cap_node, meta_node)) {
		cg_diag_tail(UVCDEV_LOG, "uvcdev: ", 10);
		return TAP_FAIL;
	}
	deadline = tap_now_ms() + 15000;
	do {
		snprintf(dir, sizeof(dir), CG_SYSFS_ROOT "/devices/%s", cap_node);
		cg_sysfs_read(dir, "owner_uid", uid, sizeof(uid));
		snprintf(dir, sizeof(dir), CG_SYSFS_ROOT "/devices/%s", meta_node);
		cg_sysfs_read(dir, "owner_uid", muid, sizeof(muid));
		if (atoi(uid) == RULE_UID && atoi(muid) == RULE_UID)
			break;
		tap_sleep_ms(100);
	} while (tap_now_ms() < deadline);
	CHECK(atoi(uid) == RULE_UID && atoi(muid) == RULE_UID,
	      "owner_uid of %s reads \"%s\", of %s \"%s\"; want %u, from the rule's usb=1d6b:0102",
	      cap_node, uid, meta_node, muid, RULE_UID);
	tap_diag("plugged in again: capture %s, metadata %s, owner_uid %s",
		 cap_node, meta_node, uid);
	/* Mode 0666, as init leaves every node: camgate decides, not DAC. */
	snprintf(dir, sizeof(dir), "/dev/%s", cap_node);
	CHECK(chmod(dir, 0666) == 0, "chmod %s: %s", dir, strerror(errno));
	snprintf(dir, sizeof(dir), "/dev/%s", meta_node);
	CHECK(chmod(dir, 0666) == 0, "chmod %s: %s", dir, strerror(errno));
	if (tap.case_failed)
		cg_diag_tail(UDEVD_LOG, "udevd: ", 20);
	return tap_result();
}

static int after_replug(void *arg)
{
	char dev[64], cap_node[32];
	struct uvc_owner s;
	pid_t pid;

	(void)arg;
	find_uvc_node("0", cap_node, sizeof(cap_node));
	if (!CHECK(cap_node[0], "no camera to stream"))
		return TAP_FAIL;
	snprintf(dev, sizeof(dev), "/dev/%s", cap_node);
	UVC.dev = dev;
	if (uvc_owner_start(&s))
		return TAP_FAIL;
	uvc_owner_frames(&s, 10, "after the replug");
	pid = fork();
	if (pid == 0) {
		int fd;

		tap.case_failed = false;
		if (setresuid(-1, 0, -1) || cg_become(cg.other))
			_exit(TAP_FAIL);
		fd = uvc_open(dev, O_RDWR | O_NONBLOCK);
		if (fd < 0)
			_exit(TAP_FAIL);
		cg_attack_querybuf(fd, (unsigned int)s.n);
		cg_attack_dqbuf(fd, fd, 2);
		_exit(tap_result());
	}
	CHECK(cg_wait(pid, 10000) == TAP_PASS,
	      "uid %u got something from the camera plugged in again",
	      cg.other);
	uvc_owner_frames(&s, 3, "after the other uid");
	uvc_owner_stop(&s);
	return tap_result();
}

int main(void)
{
	tap_plan(3, 60);
	cg_env_load();
	tap_set_cleanup(cleanup);
	cg_uvc_env();
	cg_uvc_restore();
	if (!UVC.skip && access(CG_UDEVD, X_OK))
		UVC.skip = "no udevd in this VM";

	UVC_RUN(unplug_streaming, 60,
		"19: the UVC camera unplugged while the owner streams and another uid holds it open: the owner's stream ends with an error, the other uid gets no buffer, camgate's directories and module references go");
	if (!UVC.skip)
		replug_start();
	UVC_RUN(replug, 60,
		"16: plugged in again, both nodes guarded and owned by uid 1000 through the udev rule (usb=1d6b:0102 in /etc/camgate.conf)");
	UVC_RUN(after_replug, 30,
		"16: the owner streams the camera plugged in again, intact frames; another uid's QUERYBUF and DQBUF are refused");
	cleanup();
	return tap_finish();
}
