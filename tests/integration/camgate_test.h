/* SPDX-License-Identifier: GPL-2.0 */
/*
 * camgate_test.h - shared helpers of camgate's integration tests.
 *
 * The environment (which node, which uids), dropping privileges, sysfs
 * access, V4L2 set-up of vivid for a checkable picture, the 75% colour bar
 * check, poison checks, and an owner "streamer" process that keeps a real
 * mmap stream running while the attacks run.
 *
 * Include after tap.h.
 */
#ifndef CAMGATE_TEST_H
#define CAMGATE_TEST_H

#include "tap.h"

#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <dirent.h>
#include <sys/syscall.h>
#include <linux/udmabuf.h>
#include <linux/videodev2.h>

#define CG_SYSFS_ROOT	"/sys/kernel/camgate"
#define CG_POISON	0xa5
#define CG_POISON32	0xdeadbeefu
#define CG_MAXBUF	8

#ifndef VIDIOC_REMOVE_BUFS	/* 6.8+; an unknown number on 6.1 */
struct v4l2_remove_buffers {
	__u32 index;
	__u32 count;
	__u32 type;
	__u32 reserved[13];
};
#define VIDIOC_REMOVE_BUFS	_IOWR('V', 104, struct v4l2_remove_buffers)
#endif

struct cg_env {
	const char *dev;	/* guarded vivid capture node */
	const char *sysfs;	/* its camgate directory */
	const char *kernel;
	uid_t owner;
	uid_t other;
};

static struct cg_env cg;

static inline const char *cg_getenv(const char *name, const char *def)
{
	const char *v = getenv(name);

	if (v && *v)
		return v;
	tap_diag("%s not set, using %s", name, def);
	return def;
}

static inline void cg_env_load(void)
{
	cg.dev = cg_getenv("CAMGATE_DEV", "/dev/video0");
	cg.sysfs = cg_getenv("CAMGATE_SYSFS", CG_SYSFS_ROOT "/devices/video0");
	cg.owner = strtoul(cg_getenv("CAMGATE_OWNER_UID", "1000"), NULL, 10);
	cg.other = strtoul(cg_getenv("CAMGATE_OTHER_UID", "1001"), NULL, 10);
	cg.kernel = getenv("CAMGATE_KERNEL") ? getenv("CAMGATE_KERNEL") : "?";
	tap_diag("node %s, sysfs %s, owner uid %u, other uid %u, kernel %s",
		 cg.dev, cg.sysfs, cg.owner, cg.other, cg.kernel);
}

/* ---- credentials and helper processes ---------------------------------- */

/* Become @uid (with gid @uid and no supplementary groups); 0 stays root. */
static inline int cg_become(uid_t uid)
{
	gid_t gid = uid;

	if (uid == 0)
		return 0;
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid)) {
		tap_diag("cannot become uid %u: %s", uid, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Fork a helper that becomes @uid and runs @fn.  Its exit status is @fn's
 * result, or TAP_FAIL when one of its CHECKs failed.
 */
static inline pid_t cg_spawn(uid_t uid, int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int res;

	if (pid)
		return pid;
	tap.case_failed = false;
	if (cg_become(uid))
		_exit(TAP_FAIL);
	res = fn(arg);
	if (res == TAP_PASS && tap.case_failed)
		res = TAP_FAIL;
	_exit(res);
}

/* Wait for a helper; kill it after @timeout_ms.  Return its exit status. */
static inline int cg_wait(pid_t pid, long timeout_ms)
{
	long deadline = tap_now_ms() + timeout_ms;
	int status;
	pid_t w;

	if (pid < 0)
		return TAP_FAIL;
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return TAP_FAIL;
		if (tap_now_ms() > deadline) {
			tap_diag("helper %d timed out after %ld ms", pid,
				 timeout_ms);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return TAP_FAIL;
		}
		tap_sleep_ms(5);
	}
	if (WIFSIGNALED(status)) {
		tap_diag("helper %d killed by signal %d (%s)", pid,
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
		return TAP_FAIL;
	}
	return WEXITSTATUS(status);
}

/* Run @fn as @uid in a helper and wait; return its result. */
static inline int cg_run_as(uid_t uid, int (*fn)(void *), void *arg,
			    long timeout_ms)
{
	return cg_wait(cg_spawn(uid, fn, arg), timeout_ms);
}

/* ---- sysfs -------------------------------------------------------------- */

/* Read @dir/@file into @buf without its trailing newline: 0 or -errno. */
static inline int cg_sysfs_read(const char *dir, const char *file, char *buf,
				size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, err;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

/* Write @len bytes of @val to @dir/@file: bytes written or -errno. */
static inline ssize_t cg_sysfs_write_len(const char *dir, const char *file,
					 const char *val, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, err;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	err = errno;
	close(fd);
	return n < 0 ? -err : n;
}

static inline ssize_t cg_sysfs_write(const char *dir, const char *file,
				     const char *val)
{
	return cg_sysfs_write_len(dir, file, val, strlen(val));
}

static inline unsigned long long cg_sysfs_u64(const char *dir,
					      const char *file)
{
	char buf[64];

	if (cg_sysfs_read(dir, file, buf, sizeof(buf)))
		return ~0ULL;
	return strtoull(buf, NULL, 10);
}

/*
 * Put back the state every program must leave: owner_uid = owner,
 * owner_gid = none, default_policy = deny.  Syscalls only (used from the
 * time-limit handler).
 */
static inline void cg_restore_config_at(const char *sysfs)
{
	static const char deny[] = "deny", none[] = "none";
	char uid[16];
	int i = sizeof(uid) - 1;
	unsigned int v = cg.owner;

	uid[i] = '\0';
	do {
		uid[--i] = '0' + v % 10;
		v /= 10;
	} while (v && i > 0);
	cg_sysfs_write_len(sysfs, "owner_gid", none, sizeof(none) - 1);
	cg_sysfs_write_len(sysfs, "owner_uid", uid + i, strlen(uid + i));
	cg_sysfs_write_len(CG_SYSFS_ROOT, "default_policy", deny,
			   sizeof(deny) - 1);
}

static inline void cg_restore_config(void)
{
	cg_restore_config_at(cg.sysfs);
}

/*
 * Record a failure of the current case unless the guarded node is back in
 * the state every program starts from: owner_uid = the owner, no owner gid,
 * default policy deny.
 */
static inline void cg_expect_start_config(void)
{
	char buf[32];

	CHECK(cg_sysfs_read(cg.sysfs, "owner_uid", buf, sizeof(buf)) == 0 &&
	      strtoul(buf, NULL, 10) == cg.owner && buf[0] != 'n',
	      "owner_uid reads \"%s\"", buf);
	CHECK(cg_sysfs_read(cg.sysfs, "owner_gid", buf, sizeof(buf)) == 0 &&
	      !strcmp(buf, "none"), "owner_gid reads \"%s\"", buf);
	CHECK(cg_sysfs_read(CG_SYSFS_ROOT, "default_policy", buf,
			    sizeof(buf)) == 0 && !strcmp(buf, "deny"),
	      "default_policy reads \"%s\"", buf);
}

/* chmod 0666 every node a program may open; syscalls only (also from a
 * time-limit handler). */
static inline void cg_chmod_nodes(void)
{
	static const char *const kinds[] = {
		"/dev/video", "/dev/vbi", "/dev/media", "/dev/swradio",
		"/dev/v4l-touch", "/dev/radio", "/dev/v4l-subdev",
	};
	char path[64];
	unsigned int k, i;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		for (i = 0; i < 64; i++)
			if (snprintf(path, sizeof(path), "%s%u", kinds[k], i) > 0)
				chmod(path, 0666);
}

/*
 * Remove vivid, retrying for up to 8 s while it is busy (a node's last
 * file may still be closing).  Return: 0 or -errno.
 */
/* Remove module @name, retrying for up to 8 s while busy: 0 or -errno. */
static inline int cg_unload_module(const char *name)
{
	long deadline = tap_now_ms() + 8000;

	while (syscall(SYS_delete_module, name, O_NONBLOCK)) {
		if ((errno != EAGAIN && errno != EBUSY) ||
		    tap_now_ms() > deadline)
			return -errno;
		tap_sleep_ms(100);
	}
	return 0;
}

static inline int cg_unload_vivid(void)
{
	return cg_unload_module("vivid");
}

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE	4
#endif

/*
 * Load a module from @ko (plain, or compressed: the kernel decompresses
 * it) with @params.  Return: 0 or -errno (-EEXIST: loaded already).
 */
static inline int cg_load_module(const char *ko, const char *params)
{
	static const char *const packed[] = { ".xz", ".gz", ".zst" };
	size_t i, n, len = strlen(ko);
	int fd, flags = 0, err = 0;

	for (i = 0; i < sizeof(packed) / sizeof(packed[0]); i++) {
		n = strlen(packed[i]);
		if (len > n && !strcmp(ko + len - n, packed[i]))
			flags = MODULE_INIT_COMPRESSED_FILE;
	}
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params, flags))
		err = -errno;
	close(fd);
	return err;
}

/* Load vivid from @ko with @params, unless it is loaded. */
static inline int cg_load_vivid(const char *ko, const char *params)
{
	if (!access("/sys/module/vivid", F_OK))
		return 0;
	return cg_load_module(ko, params);
}

/* The last @max (up to 40) lines of @path as diagnostics, after @prefix. */
static inline void cg_diag_tail(const char *path, const char *prefix, unsigned int max)
{
	static char lines[40][400];
	unsigned int n = 0, i;
	FILE *f = fopen(path, "r");

	if (max > 40)
		max = 40;
	while (f && fgets(lines[n % max], sizeof(lines[0]), f))
		n++;
	if (f)
		fclose(f);
	if (n > max)
		tap_diag("%s(%u earlier lines in %s)", prefix, n - max, path);
	for (i = n > max ? n - max : 0; i < n; i++)
		tap_diag("%s%.*s", prefix, (int)strcspn(lines[i % max], "\n"),
			 lines[i % max]);
}

/* ---- udevd ------------------------------------------------------------------ */

#define CG_UDEVD	"/usr/lib/systemd/systemd-udevd"

/*
 * Start the initramfs's systemd-udevd in a session of its own, its output
 * in @log (with --debug if @debug).  Return: its pid (-1 if fork failed).
 */
static inline pid_t cg_udevd_start(const char *log, bool debug)
{
	pid_t pid = fork();
	int fd;

	if (pid)
		return pid;
	setsid();
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	/* Log to stderr (the file), not to the kernel log. */
	setenv("SYSTEMD_LOG_TARGET", "console", 1);
	if (debug)
		execl(CG_UDEVD, CG_UDEVD, "--debug", "--resolve-names=never",
		      "--children-max=2", (char *)NULL);
	else
		execl(CG_UDEVD, CG_UDEVD, "--resolve-names=never",
		      "--children-max=2", (char *)NULL);
	dprintf(2, "exec %s: %s\n", CG_UDEVD, strerror(errno));
	_exit(127);
}

/*
 * Stop udevd @pid and its workers: SIGTERM, up to 5 s to exit, then
 * SIGKILL.  A killed udevd leaves its control socket, which the next one
 * (and udev.c) would take for a live udevd: it goes too.
 */
static inline void cg_udevd_stop(pid_t pid)
{
	int i;

	if (pid <= 0)
		return;
	kill(-pid, SIGTERM);
	kill(pid, SIGTERM);
	for (i = 0; i < 50 && waitpid(pid, NULL, WNOHANG) == 0; i++)
		tap_sleep_ms(100);
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlink("/run/udev/control");
}

/* ---- the kernel log ------------------------------------------------------ */

static inline int *cg_kmsg_fd(void)
{
	static int fd = -1;

	return &fd;
}

/* From now on: skip what the log holds already. */
static inline void cg_kmsg_mark(void)
{
	int *fd = cg_kmsg_fd();

	if (*fd < 0)
		*fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (*fd >= 0)
		lseek(*fd, 0, SEEK_END);
}

/* camgate's lines since cg_kmsg_mark(), "video0: no sysfs directory ...\n"... */
static inline void cg_kmsg_camgate(char *out, size_t len)
{
	char rec[1024], *msg;
	int fd = *cg_kmsg_fd();
	size_t used = 0;
	ssize_t n;

	out[0] = '\0';
	if (fd < 0)
		return;
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten: go on */
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg || strncmp(++msg, "camgate: ", 9))
			continue;
		msg += 9;
		msg[strcspn(msg, "\n")] = '\0';
		if (used + strlen(msg) + 2 < len)
			used += sprintf(out + used, "%s\n", msg);
	}
}

/* ---- small utilities ----------------------------------------------------- */

/* Run a shell command, printf-style: its exit status, or -1. */
static inline int cg_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int cg_sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int status;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	status = system(cmd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The node name ("video0") of vivid's node called @name, or "". */
static inline void cg_find_node(const char *name, char *out, size_t len)
{
	char path[PATH_MAX], buf[64];
	struct dirent *de;
	DIR *d = opendir("/sys/class/video4linux");

	out[0] = '\0';
	while (d && (de = readdir(d))) {
		snprintf(path, sizeof(path), "/sys/class/video4linux/%s", de->d_name);
		if (de->d_name[0] != '.' && strlen(de->d_name) < len &&
		    !cg_sysfs_read(path, "name", buf, sizeof(buf)) && !strcmp(buf, name))
			memcpy(out, de->d_name, strlen(de->d_name) + 1);
	}
	if (d)
		closedir(d);
}

static inline int xioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r == -1 && errno == EINTR);
	return r;
}

/* Number of open file descriptors below 1024. */
static inline int cg_fd_count(void)
{
	int fd, n = 0;

	for (fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			n++;
	return n;
}

static inline bool cg_all_poison(const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != CG_POISON)
			return false;
	return true;
}

/* Fraction (per mille) of sampled bytes that still hold the poison. */
static inline unsigned int cg_poison_permille(const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t i, n = 0, k = 0;

	for (i = 0; i < len; i += 61, k++)
		n += b[i] == CG_POISON;
	return k ? n * 1000 / k : 1000;
}

/* A v4l2_buffer full of poison, with the fields the call needs. */
static inline void cg_buf_poison(struct v4l2_buffer *b, __u32 memory,
				 __u32 index)
{
	memset(b, CG_POISON, sizeof(*b));
	b->index = index;
	b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b->memory = memory;
	b->m.offset = CG_POISON32;
	b->bytesused = CG_POISON32;
	b->sequence = CG_POISON32;
	b->timestamp.tv_sec = CG_POISON32;
	b->timestamp.tv_usec = CG_POISON32;
}

/*
 * A denied call: -1/EACCES, and the argument came back exactly as it went
 * in (no offset, timestamp, length or byte count reached the caller).
 */
static inline bool cg_expect_denied(const char *what, long ret, int err,
				    const void *after, const void *before,
				    size_t len)
{
	bool ok = CHECK(ret == -1 && err == EACCES,
			"%s: returned %ld, errno %d (%s); want -1, EACCES",
			what, ret, ret == -1 ? err : 0,
			ret == -1 ? strerror(err) : "-");

	if (after && len)
		ok &= CHECK(memcmp(after, before, len) == 0,
			    "%s: the argument came back modified", what);
	return ok;
}

/* Same, naming what changed in a struct v4l2_buffer. */
static inline bool cg_expect_buf_denied(const char *what, long ret, int err,
					const struct v4l2_buffer *after,
					const struct v4l2_buffer *before)
{
	bool ok = cg_expect_denied(what, ret, err, after, before,
				   sizeof(*after));

	if (after->m.offset != before->m.offset)
		tap_diag("%s: m.offset 0x%x reached the caller", what,
			 after->m.offset);
	if (after->bytesused != before->bytesused)
		tap_diag("%s: bytesused %u reached the caller", what,
			 after->bytesused);
	if (after->timestamp.tv_sec != before->timestamp.tv_sec ||
	    after->timestamp.tv_usec != before->timestamp.tv_usec)
		tap_diag("%s: timestamp %ld.%06ld reached the caller", what,
			 (long)after->timestamp.tv_sec,
			 (long)after->timestamp.tv_usec);
	if (after->sequence != before->sequence)
		tap_diag("%s: sequence %u reached the caller", what,
			 after->sequence);
	if (after->length != before->length)
		tap_diag("%s: length %u reached the caller", what,
			 after->length);
	return ok;
}

static inline int cg_open(int flags)
{
	int fd = open(cg.dev, flags);

	if (fd < 0)
		tap_diag("open %s: %s", cg.dev, strerror(errno));
	return fd;
}

/* ---- vivid set-up --------------------------------------------------------- */

/* Find a control by name; fill @qc.  0 or -1. */
static inline int cg_find_ctrl(int fd, const char *name,
			       struct v4l2_queryctrl *qc)
{
	__u32 id = 0;

	for (;;) {
		memset(qc, 0, sizeof(*qc));
		qc->id = id | V4L2_CTRL_FLAG_NEXT_CTRL;
		if (xioctl(fd, VIDIOC_QUERYCTRL, qc))
			return -1;
		if (!strcmp((const char *)qc->name, name))
			return 0;
		id = qc->id;
	}
}

static inline int cg_set_ctrl(int fd, __u32 id, __s32 value)
{
	struct v4l2_ext_control c = { .id = id, .value = value };
	struct v4l2_ext_controls cs = {
		.which = V4L2_CTRL_WHICH_CUR_VAL,
		.count = 1,
		.controls = &c,
	};

	return xioctl(fd, VIDIOC_S_EXT_CTRLS, &cs);
}

static inline int cg_get_ctrl(int fd, __u32 id, __s32 *value)
{
	struct v4l2_control c = { .id = id };
	int r = xioctl(fd, VIDIOC_G_CTRL, &c);

	*value = c.value;
	return r;
}

/*
 * Put every plain writable control back to its default (other programs,
 * v4l2-compliance among them, may have left them anywhere), then select
 * vivid's 75% colour bar pattern.
 */
static inline void cg_reset_ctrls(int fd)
{
	struct v4l2_queryctrl qc;
	__u32 id = 0;

	for (;;) {
		memset(&qc, 0, sizeof(qc));
		qc.id = id | V4L2_CTRL_FLAG_NEXT_CTRL;
		if (xioctl(fd, VIDIOC_QUERYCTRL, &qc))
			break;
		id = qc.id;
		if (qc.flags & (V4L2_CTRL_FLAG_READ_ONLY |
				V4L2_CTRL_FLAG_DISABLED |
				V4L2_CTRL_FLAG_VOLATILE |
				V4L2_CTRL_FLAG_WRITE_ONLY))
			continue;
		switch (qc.type) {
		case V4L2_CTRL_TYPE_INTEGER:
		case V4L2_CTRL_TYPE_BOOLEAN:
		case V4L2_CTRL_TYPE_MENU:
		case V4L2_CTRL_TYPE_INTEGER_MENU:
		case V4L2_CTRL_TYPE_BITMASK:
			cg_set_ctrl(fd, qc.id, qc.default_value);
			break;
		default:
			break;
		}
	}
	if (cg_find_ctrl(fd, "Test Pattern", &qc) == 0) {
		if (cg_set_ctrl(fd, qc.id, 0))
			tap_diag("S_EXT_CTRLS Test Pattern = 0: %s",
				 strerror(errno));
	} else {
		tap_diag("vivid control \"Test Pattern\" not found");
	}
}

/*
 * As the owner, on an idle queue: input 0 (vivid's webcam), default
 * controls with the 75% colour bars, YUYV 640x360 progressive and @fps
 * frames per second.  The previous frame interval goes to @saved (if not
 * NULL) for cg_restore_parm().  0 on success.
 */
static inline int cg_setup(int fd, unsigned int fps, struct v4l2_format *fmt,
			   struct v4l2_streamparm *saved)
{
	struct v4l2_capability cap;
	struct v4l2_streamparm parm;
	int input = 0;

	memset(&cap, 0, sizeof(cap));
	if (xioctl(fd, VIDIOC_QUERYCAP, &cap)) {
		tap_diag("QUERYCAP: %s", strerror(errno));
		return -1;
	}
	if (!(cap.device_caps & V4L2_CAP_VIDEO_CAPTURE) ||
	    !(cap.device_caps & V4L2_CAP_STREAMING)) {
		tap_diag("%s is not a single-planar streaming capture node (device_caps 0x%08x)",
			 cg.dev, cap.device_caps);
		return -1;
	}
	if (xioctl(fd, VIDIOC_S_INPUT, &input))
		tap_diag("S_INPUT 0: %s (going on)", strerror(errno));
	cg_reset_ctrls(fd);

	memset(fmt, 0, sizeof(*fmt));
	fmt->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	fmt->fmt.pix.width = 640;
	fmt->fmt.pix.height = 360;
	fmt->fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	fmt->fmt.pix.field = V4L2_FIELD_NONE;
	if (xioctl(fd, VIDIOC_S_FMT, fmt)) {
		tap_diag("S_FMT YUYV 640x360: %s", strerror(errno));
		return -1;
	}
	if (fmt->fmt.pix.pixelformat != V4L2_PIX_FMT_YUYV ||
	    fmt->fmt.pix.width < 64 || fmt->fmt.pix.height < 2 ||
	    fmt->fmt.pix.bytesperline < fmt->fmt.pix.width * 2 ||
	    fmt->fmt.pix.sizeimage <
		    fmt->fmt.pix.bytesperline * fmt->fmt.pix.height) {
		tap_diag("S_FMT gave %.4s %ux%u bpl %u size %u",
			 (char *)&fmt->fmt.pix.pixelformat, fmt->fmt.pix.width,
			 fmt->fmt.pix.height, fmt->fmt.pix.bytesperline,
			 fmt->fmt.pix.sizeimage);
		return -1;
	}

	memset(&parm, 0, sizeof(parm));
	parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (xioctl(fd, VIDIOC_G_PARM, &parm) == 0 && saved)
		*saved = parm;
	else if (saved)
		saved->type = 0;
	parm.parm.capture.timeperframe.numerator = 1;
	parm.parm.capture.timeperframe.denominator = fps;
	if (xioctl(fd, VIDIOC_S_PARM, &parm))
		tap_diag("S_PARM 1/%u: %s (going on)", fps, strerror(errno));
	else if (parm.parm.capture.timeperframe.numerator != 1 ||
		 parm.parm.capture.timeperframe.denominator != fps)
		tap_diag("S_PARM 1/%u gave %u/%u", fps,
			 parm.parm.capture.timeperframe.numerator,
			 parm.parm.capture.timeperframe.denominator);
	return 0;
}

static inline void cg_restore_parm(int fd, struct v4l2_streamparm *saved)
{
	if (saved->type)
		xioctl(fd, VIDIOC_S_PARM, saved);
}

/*
 * vivid's 75% colour bars in YUYV, BT.601 limited range (vivid's webcam
 * input: sRGB): white, yellow, cyan, green, magenta, red, blue, black.
 * tpg_colors[] holds R'G'B' 191 or 0 for them, and v4l2-tpg-core.c's
 * fixed-point Y = 16 + 219 * (0.299 R + 0.587 G + 0.114 B) / 255 gives:
 */
static const int cg_bar_y[8] = { 179, 160, 130, 111, 83, 64, 34, 16 };

/*
 * Check one line of a YUYV frame against the bars: every pixel away from a
 * bar edge has its bar's luma (+-8, so that BT.709 passes too), luma falls
 * from bar to bar, and the white and black bars carry no chroma.  0 if the
 * line matches; otherwise -1 and a reason in @why.
 */
static inline int cg_check_bar_line(const unsigned char *frame,
				    const struct v4l2_pix_format *pix,
				    unsigned int row, char *why, size_t whylen)
{
	const unsigned char *line = frame + (size_t)row * pix->bytesperline;
	unsigned int w = pix->width, x, bar;
	int ymean[8] = { 0 };

	for (x = 0; x < w; x++) {
		bar = x * 8 / w;
		if (x < 2 || x + 2 >= w || (x - 2) * 8 / w != bar ||
		    (x + 2) * 8 / w != bar)
			continue;
		if (abs(line[2 * x] - cg_bar_y[bar]) > 8) {
			snprintf(why, whylen,
				 "row %u x %u (bar %u): Y %u, want %d+-8",
				 row, x, bar, line[2 * x], cg_bar_y[bar]);
			return -1;
		}
		if ((bar == 0 || bar == 7) &&
		    (abs(line[4 * (x / 2) + 1] - 128) > 4 ||
		     abs(line[4 * (x / 2) + 3] - 128) > 4)) {
			snprintf(why, whylen,
				 "row %u x %u (bar %u): Cb %u Cr %u, want 128",
				 row, x, bar, line[4 * (x / 2) + 1],
				 line[4 * (x / 2) + 3]);
			return -1;
		}
	}
	for (bar = 0; bar < 8; bar++)
		ymean[bar] = line[2 * ((2 * bar + 1) * w / 16)];
	for (bar = 1; bar < 8; bar++) {
		if (ymean[bar] >= ymean[bar - 1]) {
			snprintf(why, whylen,
				 "row %u: luma does not fall from bar %u (%d) to bar %u (%d)",
				 row, bar - 1, ymean[bar - 1], bar, ymean[bar]);
			return -1;
		}
	}
	return 0;
}

/*
 * A captured frame is intact: @bytesused is the image size, the whole
 * image was written (little poison left), and the first and last lines are
 * the colour bars (the on-screen text starts at line 16).
 */
static inline int cg_check_frame(const void *frame, size_t bytesused,
				 const struct v4l2_pix_format *pix, char *why,
				 size_t whylen)
{
	unsigned int permille;

	if (bytesused != pix->sizeimage) {
		snprintf(why, whylen, "bytesused %zu, sizeimage %u", bytesused,
			 pix->sizeimage);
		return -1;
	}
	permille = cg_poison_permille(frame, bytesused);
	if (permille > 100) {
		snprintf(why, whylen, "%u per mille of the frame is still poison",
			 permille);
		return -1;
	}
	if (cg_check_bar_line(frame, pix, 0, why, whylen) ||
	    cg_check_bar_line(frame, pix, pix->height - 1, why, whylen))
		return -1;
	return 0;
}

/* ---- one-shot capture by the owner ---------------------------------------- */

/* A dma-buf over memfd pages (udmabuf), with a mapping of the same pages. */
struct cg_dmabuf {
	int fd;			/* the dma-buf, or -1 */
	int memfd;
	void *map;		/* the memfd's pages */
	size_t size;
};

/*
 * Make a dma-buf of @size bytes from /dev/udmabuf, its pages filled with
 * poison.  Needs whoever may open /dev/udmabuf (root); the fds survive a
 * later change of uid.  0, or -errno (-ENOENT: no udmabuf here).
 */
static inline int cg_dmabuf_make(struct cg_dmabuf *d, size_t size)
{
	struct udmabuf_create c;
	int dev, err;

	d->fd = -1;
	d->map = MAP_FAILED;
	d->size = (size + 4095) & ~(size_t)4095;
	d->memfd = memfd_create("camgate-test", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (d->memfd < 0)
		return -errno;
	if (ftruncate(d->memfd, d->size) ||
	    fcntl(d->memfd, F_ADD_SEALS, F_SEAL_SHRINK))
		return -errno;
	d->map = mmap(NULL, d->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      d->memfd, 0);
	if (d->map == MAP_FAILED)
		return -errno;
	memset(d->map, CG_POISON, d->size);
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -errno;
	memset(&c, 0, sizeof(c));
	c.memfd = d->memfd;
	c.flags = UDMABUF_FLAGS_CLOEXEC;
	c.size = d->size;
	d->fd = ioctl(dev, UDMABUF_CREATE, &c);
	err = errno;
	close(dev);
	return d->fd < 0 ? -err : 0;
}

struct cg_capture {
	__u32 memory;		/* V4L2_MEMORY_MMAP, _USERPTR or _DMABUF */
	unsigned int frames;	/* frames to dequeue */
	struct cg_dmabuf *dmabuf;	/* for DMABUF: CG_MAXBUF of them */
	unsigned int nbufs;	/* buffers to use: 0 means 4 */
	/* results */
	unsigned int got;	/* intact frames */
	unsigned int gaps;	/* frames vivid skipped (sequence jumps) */
	long first_ms, last_ms;	/* when the first and last frame arrived */
	char why[200];		/* the first failure */
};

/*
 * Stream @c->frames frames from @fd (set up with cg_setup(), queue idle)
 * with @c->memory buffers, checking each with cg_check_frame(), then stop
 * and free the buffers.  0 if every frame was intact.
 */
static inline int cg_capture_run(int fd, const struct v4l2_pix_format *pix,
				 struct cg_capture *c)
{
	struct v4l2_requestbuffers rb;
	struct v4l2_buffer b;
	void *mem[CG_MAXBUF] = { NULL };
	size_t len[CG_MAXBUF] = { 0 };
	unsigned int i, n = c->nbufs ? c->nbufs : 4, lastseq = 0;
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE, ret = -1;
	bool streaming = false;
	char why[160];

	c->got = 0;
	c->gaps = 0;
	c->why[0] = '\0';
	memset(&rb, 0, sizeof(rb));
	rb.count = n;
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = c->memory;
	if (xioctl(fd, VIDIOC_REQBUFS, &rb) || rb.count < 1) {
		snprintf(c->why, sizeof(c->why), "REQBUFS: %s (count %u)",
			 strerror(errno), rb.count);
		return -1;
	}
	n = rb.count > CG_MAXBUF ? CG_MAXBUF : rb.count;
	for (i = 0; i < n; i++) {
		memset(&b, 0, sizeof(b));
		b.index = i;
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = c->memory;
		if (xioctl(fd, VIDIOC_QUERYBUF, &b)) {
			snprintf(c->why, sizeof(c->why), "QUERYBUF %u: %s", i,
				 strerror(errno));
			goto out;
		}
		switch (c->memory) {
		case V4L2_MEMORY_MMAP:
			len[i] = b.length;
			mem[i] = mmap(NULL, b.length, PROT_READ | PROT_WRITE,
				      MAP_SHARED, fd, b.m.offset);
			if (mem[i] == MAP_FAILED) {
				mem[i] = NULL;
				snprintf(c->why, sizeof(c->why), "mmap %u: %s",
					 i, strerror(errno));
				goto out;
			}
			break;
		case V4L2_MEMORY_USERPTR:
			len[i] = (pix->sizeimage + 4095) & ~4095u;
			mem[i] = aligned_alloc(4096, len[i]);
			b.m.userptr = (unsigned long)mem[i];
			b.length = len[i];
			break;
		case V4L2_MEMORY_DMABUF:
			len[i] = c->dmabuf[i].size;
			b.m.fd = c->dmabuf[i].fd;
			b.length = len[i];
			break;
		}
		if (c->memory != V4L2_MEMORY_DMABUF && !mem[i])
			goto out;
		memset(c->memory == V4L2_MEMORY_DMABUF ? c->dmabuf[i].map :
		       mem[i], CG_POISON, len[i]);
		if (xioctl(fd, VIDIOC_QBUF, &b)) {
			snprintf(c->why, sizeof(c->why), "QBUF %u: %s", i,
				 strerror(errno));
			goto out;
		}
	}
	if (xioctl(fd, VIDIOC_STREAMON, &type)) {
		snprintf(c->why, sizeof(c->why), "STREAMON: %s",
			 strerror(errno));
		goto out;
	}
	streaming = true;
	while (c->got < c->frames) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		void *frame;

		if (poll(&p, 1, 5000) <= 0 || !(p.revents & POLLIN)) {
			snprintf(c->why, sizeof(c->why),
				 "no frame within 5 s (revents 0x%x)",
				 p.revents);
			goto out;
		}
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = c->memory;
		if (xioctl(fd, VIDIOC_DQBUF, &b)) {
			if (errno == EAGAIN)
				continue;
			snprintf(c->why, sizeof(c->why), "DQBUF: %s",
				 strerror(errno));
			goto out;
		}
		if (b.index >= n) {
			snprintf(c->why, sizeof(c->why), "DQBUF index %u",
				 b.index);
			goto out;
		}
		frame = c->memory == V4L2_MEMORY_DMABUF ?
			c->dmabuf[b.index].map : mem[b.index];
		if (cg_check_frame(frame, b.bytesused, pix, why, sizeof(why))) {
			snprintf(c->why, sizeof(c->why), "frame %u: %s",
				 b.sequence, why);
			goto out;
		}
		if (c->got && b.sequence != lastseq + 1)
			c->gaps += b.sequence - lastseq - 1;
		lastseq = b.sequence;
		c->last_ms = tap_now_ms();
		if (!c->got)
			c->first_ms = c->last_ms;
		c->got++;
		memset(frame, CG_POISON, len[b.index]);
		if (c->memory == V4L2_MEMORY_USERPTR) {
			b.m.userptr = (unsigned long)mem[b.index];
			b.length = len[b.index];
		} else if (c->memory == V4L2_MEMORY_DMABUF) {
			b.m.fd = c->dmabuf[b.index].fd;
			b.length = len[b.index];
		}
		if (xioctl(fd, VIDIOC_QBUF, &b)) {
			snprintf(c->why, sizeof(c->why), "re-QBUF: %s",
				 strerror(errno));
			goto out;
		}
	}
	ret = 0;
out:
	if (streaming && xioctl(fd, VIDIOC_STREAMOFF, &type) && !ret) {
		snprintf(c->why, sizeof(c->why), "STREAMOFF: %s",
			 strerror(errno));
		ret = -1;
	}
	for (i = 0; i < CG_MAXBUF; i++) {
		if (c->memory == V4L2_MEMORY_MMAP && mem[i])
			munmap(mem[i], len[i]);
		else if (c->memory == V4L2_MEMORY_USERPTR)
			free(mem[i]);
	}
	rb.count = 0;
	xioctl(fd, VIDIOC_REQBUFS, &rb);
	return ret;
}

/* Frames per second between the first and the last frame of a capture. */
static inline double cg_capture_fps(const struct cg_capture *c)
{
	if (c->got < 2 || c->last_ms <= c->first_ms)
		return 0;
	return (c->got - 1) * 1000.0 / (c->last_ms - c->first_ms);
}

/* ---- the owner's streamer ------------------------------------------------- */

/* Shared between the streamer (writes) and the test (reads). */
struct cg_stream_stats {
	int ready;		/* 1: first intact frame seen; -1: failed */
	int stop;		/* set by the test */
	unsigned int frames;	/* frames dequeued */
	unsigned int bad;	/* frames that failed cg_check_frame() */
	unsigned int errors;	/* failed calls after set-up */
	unsigned int pollin;	/* poll() calls that reported POLLIN */
	int expbuf;		/* owner's EXPBUF: 1 worked, 0 failed */
	unsigned int nbufs;
	__u32 offset[CG_MAXBUF];
	__u32 length[CG_MAXBUF];
	struct v4l2_pix_format pix;
	unsigned int fps;
	char why[200];		/* first failure */
};

struct cg_stream {
	pid_t pid;
	struct cg_stream_stats *st;
};

#define CG_LOAD(x)	__atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define CG_STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)
#define CG_INC(x)	__atomic_add_fetch(&(x), 1, __ATOMIC_SEQ_CST)

static inline void cg_stream_fail(struct cg_stream_stats *st, const char *fmt,
				  ...) __attribute__((format(printf, 2, 3)));
static inline void cg_stream_fail(struct cg_stream_stats *st, const char *fmt,
				  ...)
{
	va_list ap;

	if (st->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(st->why, sizeof(st->why), fmt, ap);
	va_end(ap);
}

static inline int cg_streamer(void *arg)
{
	struct cg_stream_stats *st = arg;
	struct v4l2_requestbuffers rb;
	struct v4l2_exportbuffer eb;
	struct v4l2_streamparm saved;
	struct v4l2_format fmt;
	struct v4l2_buffer b;
	void *map[CG_MAXBUF];
	unsigned int i, consecutive = 0;
	int fd, type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	char why[160];

	fd = open(cg.dev, O_RDWR | O_NONBLOCK);
	if (fd < 0) {
		cg_stream_fail(st, "open: %s", strerror(errno));
		goto fail;
	}
	if (cg_setup(fd, st->fps, &fmt, &saved)) {
		cg_stream_fail(st, "set-up failed");
		goto fail;
	}
	st->pix = fmt.fmt.pix;
	memset(&rb, 0, sizeof(rb));
	rb.count = 4;
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_MMAP;
	if (xioctl(fd, VIDIOC_REQBUFS, &rb) || rb.count < 2) {
		cg_stream_fail(st, "REQBUFS: %s (count %u)", strerror(errno),
			       rb.count);
		goto fail;
	}
	st->nbufs = rb.count > CG_MAXBUF ? CG_MAXBUF : rb.count;
	for (i = 0; i < st->nbufs; i++) {
		memset(&b, 0, sizeof(b));
		b.index = i;
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		if (xioctl(fd, VIDIOC_QUERYBUF, &b)) {
			cg_stream_fail(st, "QUERYBUF %u: %s", i,
				       strerror(errno));
			goto fail;
		}
		st->offset[i] = b.m.offset;
		st->length[i] = b.length;
		map[i] = mmap(NULL, b.length, PROT_READ | PROT_WRITE,
			      MAP_SHARED, fd, b.m.offset);
		if (map[i] == MAP_FAILED) {
			cg_stream_fail(st, "mmap %u: %s", i, strerror(errno));
			goto fail;
		}
		memset(map[i], CG_POISON, b.length);
		if (xioctl(fd, VIDIOC_QBUF, &b)) {
			cg_stream_fail(st, "QBUF %u: %s", i, strerror(errno));
			goto fail;
		}
	}
	memset(&eb, 0, sizeof(eb));
	eb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	eb.index = 0;
	eb.flags = O_CLOEXEC;
	if (xioctl(fd, VIDIOC_EXPBUF, &eb) == 0 && eb.fd >= 0) {
		st->expbuf = 1;
		close(eb.fd);
	} else {
		st->expbuf = 0;
		tap_diag("streamer: owner EXPBUF: %s", strerror(errno));
	}
	if (xioctl(fd, VIDIOC_STREAMON, &type)) {
		cg_stream_fail(st, "STREAMON: %s", strerror(errno));
		goto fail;
	}

	while (!CG_LOAD(st->stop)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 200) < 0 && errno != EINTR) {
			cg_stream_fail(st, "poll: %s", strerror(errno));
			CG_INC(st->errors);
			break;
		}
		if (!(p.revents & POLLIN))
			continue;
		CG_INC(st->pollin);
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		if (xioctl(fd, VIDIOC_DQBUF, &b)) {
			if (errno == EAGAIN)
				continue;
			cg_stream_fail(st, "DQBUF: %s", strerror(errno));
			CG_INC(st->errors);
			if (++consecutive > 5)
				break;
			tap_sleep_ms(20);
			continue;
		}
		consecutive = 0;
		if (b.index >= st->nbufs) {
			cg_stream_fail(st, "DQBUF index %u", b.index);
			CG_INC(st->errors);
			continue;
		}
		if (cg_check_frame(map[b.index], b.bytesused, &st->pix, why,
				   sizeof(why))) {
			cg_stream_fail(st, "frame %u: %s", b.sequence, why);
			CG_INC(st->bad);
		} else if (!CG_LOAD(st->ready)) {
			CG_STORE(st->ready, 1);
		}
		CG_INC(st->frames);
		memset(map[b.index], CG_POISON, st->length[b.index]);
		if (xioctl(fd, VIDIOC_QBUF, &b)) {
			cg_stream_fail(st, "QBUF: %s", strerror(errno));
			CG_INC(st->errors);
		}
	}
	if (xioctl(fd, VIDIOC_STREAMOFF, &type)) {
		cg_stream_fail(st, "STREAMOFF: %s", strerror(errno));
		CG_INC(st->errors);
	}
	for (i = 0; i < st->nbufs; i++)
		munmap(map[i], st->length[i]);
	rb.count = 0;
	xioctl(fd, VIDIOC_REQBUFS, &rb);
	cg_restore_parm(fd, &saved);
	close(fd);
	return st->errors || st->bad ? TAP_FAIL : TAP_PASS;

fail:
	CG_STORE(st->ready, -1);
	return TAP_FAIL;
}

/*
 * Start the owner's streamer (as the owner uid, @fps frames per second)
 * and wait up to @timeout_ms for its first intact frame.  0 when it
 * streams; the stats are shared memory that outlives this call.
 */
static inline int cg_stream_start(struct cg_stream *s, unsigned int fps,
				  long timeout_ms)
{
	long deadline = tap_now_ms() + timeout_ms;

	s->st = mmap(NULL, sizeof(*s->st), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s->st == MAP_FAILED) {
		s->st = NULL;
		s->pid = -1;
		return -1;
	}
	memset(s->st, 0, sizeof(*s->st));
	s->st->fps = fps;
	s->st->expbuf = -1;
	s->pid = cg_spawn(cg.owner, cg_streamer, s->st);
	while (!CG_LOAD(s->st->ready) && tap_now_ms() < deadline)
		tap_sleep_ms(10);
	if (CG_LOAD(s->st->ready) != 1) {
		tap_diag("owner's stream did not start: %s",
			 s->st->why[0] ? s->st->why : "no intact frame in time");
		return -1;
	}
	tap_diag("owner streams: %u buffers, %ux%u YUYV, %u bytes a frame, %u fps",
		 s->st->nbufs, s->st->pix.width, s->st->pix.height,
		 s->st->pix.sizeimage, fps);
	return 0;
}

/* Wait until the owner has dequeued @n more frames than @from. */
static inline bool cg_stream_wait(struct cg_stream *s, unsigned int from,
				  unsigned int n, long timeout_ms)
{
	long deadline = tap_now_ms() + timeout_ms;

	if (!s->st)
		return false;
	while (CG_LOAD(s->st->frames) < from + n) {
		if (tap_now_ms() > deadline)
			return false;
		tap_sleep_ms(10);
	}
	return true;
}

/* Stop the streamer; return its exit status (TAP_PASS if all was well). */
static inline int cg_stream_stop(struct cg_stream *s)
{
	int res;

	if (!s->st || s->pid <= 0)
		return TAP_FAIL;
	CG_STORE(s->st->stop, 1);
	res = cg_wait(s->pid, 5000);
	s->pid = 0;
	return res;
}

/* For a time-limit handler: syscalls only. */
static inline void cg_stream_kill(struct cg_stream *s)
{
	if (s->pid > 0)
		kill(s->pid, SIGKILL);
}

#endif /* CAMGATE_TEST_H */
