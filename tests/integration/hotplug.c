// SPDX-License-Identifier: GPL-2.0
/*
 * hotplug.c - a device registered after camgate loaded (ATTACKS.md case 16).
 *
 * vivid is removed (delete_module) and loaded again (finit_module) while
 * camgate stays loaded, as a USB camera would come and go.  The new
 * capture nodes must be guarded at once, with no owner, so that the
 * default policy (deny) applies to everybody, the would-be owner and root
 * included, until an administrator sets an owner; output and radio nodes
 * are left alone.  With default_policy=allow the same non-owner streams,
 * and with an owner set the owner streams: the controls.
 *
 * The program puts things back as every program leaves them: vivid
 * loaded with the same parameters, the nodes chmod 0666, owner_uid =
 * CAMGATE_OWNER_UID, owner_gid = none, default_policy = deny.
 *
 * Environment, beyond the common one: CAMGATE_VIVID_KO (path of vivid.ko,
 * else searched under /lib/modules and /) and CAMGATE_VIVID_PARAMS (else
 * rebuilt from /sys/module/vivid/parameters).
 */
#include "tap.h"
#include "camgate_test.h"

#include <dirent.h>
#include <ftw.h>
#include <libgen.h>
#include <sys/syscall.h>


static char ko[PATH_MAX];		/* vivid.ko, or "" */
static char params[256];
static const char *node;		/* "video0" */
static const char *skip_why;		/* why the whole program skips */

/* ---- vivid in and out --------------------------------------------------------- */

static int find_ko(const char *path, const struct stat *st, int type,
		   struct FTW *ftw)
{
	const char *base = path + ftw->base;

	(void)st;
	if (type == FTW_D && (!strcmp(path, "/proc") || !strcmp(path, "/sys") ||
			      !strcmp(path, "/dev") || !strcmp(path, "/run")))
		return FTW_SKIP_SUBTREE;
	if (type == FTW_F && !strncmp(base, "vivid.ko", 8) &&
	    (!base[8] || !strcmp(base + 8, ".xz") || !strcmp(base + 8, ".zst") ||
	     !strcmp(base + 8, ".gz"))) {
		snprintf(ko, sizeof(ko), "%s", path);
		return FTW_STOP;
	}
	return FTW_CONTINUE;
}

static void locate(void)
{
	const char *env = getenv("CAMGATE_VIVID_KO");
	char buf[32];

	if (access("/sys/module/vivid", F_OK)) {
		skip_why = "vivid is not loaded";
		return;
	}
	if (env && *env) {
		snprintf(ko, sizeof(ko), "%s", env);
	} else {
		nftw("/lib/modules", find_ko, 32, FTW_PHYS | FTW_ACTIONRETVAL);
		if (!ko[0])
			nftw("/", find_ko, 32, FTW_PHYS | FTW_ACTIONRETVAL);
	}
	if (!ko[0] || access(ko, R_OK)) {
		skip_why = "vivid.ko not found (set CAMGATE_VIVID_KO)";
		return;
	}
	env = getenv("CAMGATE_VIVID_PARAMS");
	if (env && *env) {
		snprintf(params, sizeof(params), "%s", env);
	} else {
		char nd[32] = "1";

		cg_sysfs_read("/sys/module/vivid/parameters", "n_devs", nd,
			      sizeof(nd));
		if (cg_sysfs_read("/sys/module/vivid/parameters",
				  "no_error_inj", buf, sizeof(buf)))
			snprintf(buf, sizeof(buf), "Y");
		snprintf(params, sizeof(params), "no_error_inj=%d n_devs=%s",
			 buf[0] == 'Y' || buf[0] == '1', nd);
	}
	tap_diag("vivid module %s, parameters \"%s\"", ko, params);
}

static void cleanup(void)
{
	if (!ko[0])
		return;
	cg_load_vivid(ko, params);
	cg_chmod_nodes();
	cg_restore_config();
}

static bool wait_path(const char *path, bool present, long timeout_ms)
{
	long deadline = tap_now_ms() + timeout_ms;

	for (;;) {
		if ((access(path, F_OK) == 0) == present)
			return true;
		if (tap_now_ms() > deadline)
			return false;
		tap_sleep_ms(20);
	}
}

/* ---- cases ---------------------------------------------------------------------- */

static int remove_vivid(void *arg)
{
	char refcnt[16] = "?";
	int r;

	(void)arg;
	if (skip_why)
		return tap_skip("%s", skip_why);
	CHECK(access(cg.sysfs, F_OK) == 0, "%s missing before the test",
	      cg.sysfs);
	r = cg_unload_vivid();
	if (r)
		cg_sysfs_read("/sys/module/vivid", "refcnt", refcnt,
			      sizeof(refcnt));
	if (!CHECK(r == 0, "delete_module(vivid): %s (refcnt %s)",
		   strerror(-r), refcnt))
		return TAP_FAIL;
	CHECK(wait_path(cg.sysfs, false, 5000),
	      "%s still exists 5 s after vivid went away", cg.sysfs);
	CHECK(wait_path(cg.dev, false, 2000), "%s still exists", cg.dev);
	return tap_result();
}

static int load_again(void *arg)
{
	char buf[64];
	int r;

	(void)arg;
	if (skip_why)
		return tap_skip("%s", skip_why);
	r = cg_load_vivid(ko, params);
	if (!CHECK(r == 0, "finit_module(%s, \"%s\"): %s", ko, params,
		   strerror(-r)))
		return TAP_FAIL;
	if (!CHECK(wait_path(cg.dev, true, 5000), "%s did not come back",
		   cg.dev))
		return TAP_FAIL;
	cg_chmod_nodes();
	if (!CHECK(wait_path(cg.sysfs, true, 5000),
		   "%s did not appear: the new node is not guarded", cg.sysfs))
		return TAP_FAIL;
	CHECK(cg_sysfs_read(cg.sysfs, "name", buf, sizeof(buf)) == 0 &&
	      strstr(buf, "vivid") && strstr(buf, "vid-cap"),
	      "name reads \"%s\"", buf);
	CHECK(cg_sysfs_read(cg.sysfs, "owner_uid", buf, sizeof(buf)) == 0 &&
	      !strcmp(buf, "none"), "owner_uid of the new node reads \"%s\"",
	      buf);
	CHECK(cg_sysfs_read(cg.sysfs, "owner_gid", buf, sizeof(buf)) == 0 &&
	      !strcmp(buf, "none"), "owner_gid of the new node reads \"%s\"",
	      buf);
	CHECK(cg_sysfs_u64(cg.sysfs, "capabilities") == 0,
	      "the new node has live capabilities");
	CHECK(cg_sysfs_u64(cg.sysfs, "denials") == 0,
	      "the new node starts with denials counted");
	CHECK(cg_sysfs_read(CG_SYSFS_ROOT, "default_policy", buf,
			    sizeof(buf)) == 0 && !strcmp(buf, "deny"),
	      "default_policy reads \"%s\"", buf);
	return tap_result();
}

static bool suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && !strcmp(s + a - b, suf);
}

static int every_capture_node(void *arg)
{
	static const char *const capture[] = {
		"-vid-cap", "-vbi-cap", "-sdr-cap", "-meta-cap", "-touch-cap",
	};
	static const char *const other[] = {
		"-vid-out", "-vbi-out", "-meta-out", "-rad-rx", "-rad-tx",
	};
	char name[64], path[PATH_MAX];
	unsigned int i, guarded = 0, members = 0;
	struct dirent *de;
	DIR *d;

	(void)arg;
	if (skip_why)
		return tap_skip("%s", skip_why);
	d = opendir("/sys/class/video4linux");
	if (!CHECK(d, "/sys/class/video4linux: %s", strerror(errno)))
		return TAP_FAIL;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/video4linux/%s",
			 de->d_name);
		if (cg_sysfs_read(path, "name", name, sizeof(name)) ||
		    strncmp(name, "vivid-", 6))
			continue;
		snprintf(path, sizeof(path), CG_SYSFS_ROOT "/devices/%s",
			 de->d_name);
		for (i = 0; i < 5; i++) {
			if (suffix(name, capture[i])) {
				CHECK(access(path, F_OK) == 0,
				      "capture node %s (%s) is not guarded",
				      de->d_name, name);
				guarded++;
			}
			/* Since issue 15: members of the camera's group. */
			if (suffix(name, other[i])) {
				CHECK(access(path, F_OK) == 0,
				      "%s (%s), of the capture node's camera, is not guarded",
				      de->d_name, name);
				members++;
			}
		}
	}
	closedir(d);
	CHECK(guarded > 0, "no vivid capture node found");
	CHECK(members > 0, "no other vivid node found");
	tap_diag("%u vivid capture nodes guarded, and %u other nodes of the same camera",
		 guarded, members);
	return tap_result();
}

static int denied(void *arg)
{
	uid_t uid = *(uid_t *)arg;
	struct v4l2_requestbuffers rb, rbefore;
	struct v4l2_buffer b, before;
	size_t len = 640 * 480 * 2;
	char *buf = malloc(len);
	unsigned long long d0;
	struct pollfd p;
	ssize_t n;
	int fd, r;

	if (skip_why)
		return tap_skip("%s", skip_why);
	d0 = cg_sysfs_u64(cg.sysfs, "denials");
	if (!buf || cg_become(uid))
		return TAP_FAIL;
	fd = cg_open(O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	memset(&rb, CG_POISON, sizeof(rb));
	rb.count = 2;
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_MMAP;
	rbefore = rb;
	r = xioctl(fd, VIDIOC_REQBUFS, &rb);
	cg_expect_denied("REQBUFS on the ownerless node", r, errno, &rb,
			 &rbefore, sizeof(rb));
	cg_buf_poison(&b, V4L2_MEMORY_MMAP, 0);
	before = b;
	r = xioctl(fd, VIDIOC_QUERYBUF, &b);
	cg_expect_buf_denied("QUERYBUF on the ownerless node", r, errno, &b,
			     &before);
	close(fd);
	fd = cg_open(O_RDWR);
	if (fd < 0)
		return TAP_FAIL;
	memset(buf, CG_POISON, len);
	n = read(fd, buf, len);
	CHECK(n == -1 && errno == EACCES, "read(): %zd (%s), want EACCES", n,
	      n < 0 ? strerror(errno) : "data");
	CHECK(cg_all_poison(buf, len), "read() wrote the buffer");
	p.fd = fd;
	p.events = POLLIN;
	p.revents = 0;
	CHECK(poll(&p, 1, 2000) == 1 && p.revents == POLLERR,
	      "poll(): revents 0x%x, want POLLERR", p.revents);
	close(fd);
	CHECK(cg_sysfs_u64(cg.sysfs, "denials") >= d0 + 4,
	      "denials did not count the refusals (%llu -> %llu)", d0,
	      cg_sysfs_u64(cg.sysfs, "denials"));
	return tap_result();
}

static int stream_as(void *arg)
{
	struct cg_capture c = { .memory = V4L2_MEMORY_MMAP, .frames = 3 };
	struct v4l2_streamparm saved;
	struct v4l2_format fmt;
	int fd;

	(void)arg;
	fd = cg_open(O_RDWR | O_NONBLOCK);
	if (fd < 0 || cg_setup(fd, 30, &fmt, &saved))
		return TAP_FAIL;
	CHECK(cg_capture_run(fd, &fmt.fmt.pix, &c) == 0,
	      "uid %u streaming: %s", geteuid(), c.why);
	cg_restore_parm(fd, &saved);
	close(fd);
	return tap_result();
}

static int policy_allow(void *arg)
{
	ssize_t n;
	int res;

	(void)arg;
	if (skip_why)
		return tap_skip("%s", skip_why);
	n = cg_sysfs_write(CG_SYSFS_ROOT, "default_policy", "allow\n");
	if (!CHECK(n == 6, "default_policy allow: %s",
		   n < 0 ? strerror(-n) : "short"))
		return TAP_FAIL;
	res = cg_run_as(cg.other, stream_as, NULL, 15000);
	CHECK(res == TAP_PASS,
	      "with no owner and default_policy allow, uid %u could not stream",
	      cg.other);
	n = cg_sysfs_write(CG_SYSFS_ROOT, "default_policy", "deny\n");
	CHECK(n == 5, "default_policy deny: %s", n < 0 ? strerror(-n) : "short");
	return tap_result();
}

static int attacker_reqbufs(void *arg)
{
	struct v4l2_requestbuffers rb, before;
	int fd, r;

	(void)arg;
	fd = cg_open(O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	memset(&rb, CG_POISON, sizeof(rb));
	rb.count = 2;
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_MMAP;
	before = rb;
	r = xioctl(fd, VIDIOC_REQBUFS, &rb);
	cg_expect_denied("REQBUFS by the non-owner", r, errno, &rb, &before,
			 sizeof(rb));
	close(fd);
	return tap_result();
}

static int owner_set(void *arg)
{
	char uid[16];
	ssize_t n;

	(void)arg;
	if (skip_why)
		return tap_skip("%s", skip_why);
	snprintf(uid, sizeof(uid), "%u\n", cg.owner);
	n = cg_sysfs_write(cg.sysfs, "owner_uid", uid);
	if (!CHECK(n == (ssize_t)strlen(uid), "owner_uid: %s",
		   n < 0 ? strerror(-n) : "short"))
		return TAP_FAIL;
	CHECK(cg_run_as(cg.owner, stream_as, NULL, 15000) == TAP_PASS,
	      "the owner could not stream from the new node");
	CHECK(cg_run_as(cg.other, attacker_reqbufs, NULL, 5000) == TAP_PASS,
	      "the non-owner was not denied");
	return tap_result();
}

static int restored(void *arg)
{
	struct stat st;

	(void)arg;
	if (skip_why)
		return tap_skip("%s", skip_why);
	CHECK(access("/sys/module/vivid", F_OK) == 0, "vivid is not loaded");
	CHECK(stat(cg.dev, &st) == 0 && (st.st_mode & 0666) == 0666,
	      "%s: %s, mode %04o", cg.dev, strerror(errno),
	      st.st_mode & 07777);
	cg_expect_start_config();
	return tap_result();
}

int main(void)
{
	static uid_t root;
	char devcopy[PATH_MAX], sysfscopy[PATH_MAX];

	tap_plan(10, 50);
	cg_env_load();
	snprintf(devcopy, sizeof(devcopy), "%s", cg.dev);
	snprintf(sysfscopy, sizeof(sysfscopy), "%s", cg.sysfs);
	node = basename(devcopy);
	if (strcmp(node, basename(sysfscopy)))
		tap_diag("CAMGATE_DEV %s and CAMGATE_SYSFS %s name different nodes",
			 cg.dev, cg.sysfs);
	locate();
	tap_set_cleanup(cleanup);

	tap_run(remove_vivid, NULL, 15,
		"16: vivid removed while camgate stays loaded: %s and its guard go away",
		node);
	tap_run(load_again, NULL, 20,
		"16: vivid loaded after camgate: %s is guarded at once, with no owner",
		node);
	tap_run(every_capture_node, NULL, 10,
		"16: every capture node of the new vivid is guarded, and (issue 15) its output and radio nodes as members of the camera");
	tap_run(denied, &cg.other, 10,
		"16: no owner + default deny: uid %u is denied (REQBUFS, QUERYBUF, read, poll)",
		cg.other);
	tap_run(denied, &cg.owner, 10,
		"16: no owner + default deny: uid %u, the owner-to-be, is denied too",
		cg.owner);
	tap_run(denied, &root, 10,
		"16: no owner + default deny: root is denied too");
	tap_run(policy_allow, NULL, 20,
		"16: no owner + default allow: uid %u streams intact frames (control)",
		cg.other);
	tap_run(owner_set, NULL, 25,
		"16: owner_uid %u set on the new node: the owner streams, uid %u is denied",
		cg.owner, cg.other);

	cleanup();
	tap_run(restored, NULL, 10,
		"state restored: vivid loaded, %s mode 0666, owner_uid %u, owner_gid none, default_policy deny",
		cg.dev, cg.owner);
	tap_run(denied, &cg.other, 10,
		"16: after the reload, uid %u is still denied with the owner set",
		cg.other);
	return tap_finish();
}
