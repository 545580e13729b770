/* SPDX-License-Identifier: GPL-2.0 */
/*
 * camgate_test.h - shared helpers of camgate's integration tests.
 *
 * The environment (which node, which uids), dropping privileges, sysfs
 * access, poison and denial checks; and, in headers of their own that this
 * one includes: modules, udevd and the kernel log (cg_system.h), V4L2
 * set-up of vivid for a checkable picture and the 75% colour bar check
 * (cg_vivid.h), the owner's one-shot capture (cg_capture.h) and an owner
 * "streamer" process that keeps a real mmap stream running while the
 * attacks run (cg_stream.h).
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
#include <linux/media.h>
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

/* The media device whose driver is @driver ("vivid"): "/dev/mediaN", or "". */
static inline void cg_find_media(const char *driver, char *out, size_t len)
{
	struct media_device_info info;
	char path[32];
	int i, fd;

	out[0] = '\0';
	for (i = 0; i < 16 && !out[0]; i++) {
		snprintf(path, sizeof(path), "/dev/media%d", i);
		fd = open(path, O_RDWR);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!ioctl(fd, MEDIA_IOC_DEVICE_INFO, &info) &&
		    !strncmp(info.driver, driver, sizeof(info.driver)))
			snprintf(out, len, "%s", path);
		close(fd);
	}
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

#include "cg_system.h"
#include "cg_vivid.h"
#include "cg_capture.h"
#include "cg_stream.h"

#endif /* CAMGATE_TEST_H */
