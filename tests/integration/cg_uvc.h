/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cg_uvc.h - the UVC camera of the uvc* programs (uvc.c, uvc-fds.c).
 *
 * The VM's init attaches uvcdev (tests/vm/uvcdev.c) behind vhci-hcd before
 * the first of them and names the nodes uvcvideo made of it in
 * CAMGATE_UVC_DEV (capture) and CAMGATE_UVC_META (metadata), owned by
 * CAMGATE_OWNER_UID; or says in CAMGATE_UVC_SKIP why there is none, and
 * every case skips with that reason (UVC_RUN).
 *
 *   cg_uvc_env()            UVC from the environment (after cg_env_load())
 *   cg_uvc_restore()        both nodes' configuration as the program found it
 *   uvc_open(node, flags)   open(2), saying why not
 *   uvc_set_size(fd, w, h)  YUYV w x h on an idle queue
 *   uvc_queue(fd, ...)      REQBUFS, QUERYBUF and QBUF of mmap buffers
 *   uvc_owner_start(s)      as the owner (effective uid), stream 160x120
 *   uvc_owner_frames(s, n)  the owner's next n frames, each checked
 *   uvc_owner_stop(s)       STREAMOFF, unmap, close
 *   uvc_run_as(tool, uid, env, cmd, marks, denied)
 *                           a tool as @uid, its output into the log
 *
 * Include after tap.h and camgate_test.h.
 */
#ifndef CAMGATE_TEST_CG_UVC_H
#define CAMGATE_TEST_CG_UVC_H

#include "../vm/uvcdev.h"

#define UVC_NBUFS	4

static struct {
	const char *dev, *meta;
	char sysfs[PATH_MAX], meta_sysfs[PATH_MAX];
	const char *skip;	/* why there is no camera, or NULL */
} UVC;

static inline void cg_uvc_env(void)
{
	const char *node;

	UVC.dev = getenv("CAMGATE_UVC_DEV");
	UVC.meta = getenv("CAMGATE_UVC_META");
	if (!UVC.dev || !*UVC.dev || !UVC.meta || !*UVC.meta) {
		UVC.skip = getenv("CAMGATE_UVC_SKIP");
		if (!UVC.skip || !*UVC.skip)
			UVC.skip = "no UVC camera: CAMGATE_UVC_DEV or CAMGATE_UVC_META not set";
		return;
	}
	node = strrchr(UVC.dev, '/');
	snprintf(UVC.sysfs, sizeof(UVC.sysfs), CG_SYSFS_ROOT "/devices/%s",
		 node ? node + 1 : UVC.dev);
	node = strrchr(UVC.meta, '/');
	snprintf(UVC.meta_sysfs, sizeof(UVC.meta_sysfs),
		 CG_SYSFS_ROOT "/devices/%s", node ? node + 1 : UVC.meta);
	tap_diag("UVC capture node %s, metadata node %s", UVC.dev, UVC.meta);
}

static inline void cg_uvc_restore(void)
{
	if (UVC.skip)
		return;
	cg_restore_config_at(UVC.sysfs);
	cg_restore_config_at(UVC.meta_sysfs);
}

static inline int uvc_skip_case(void *arg)
{
	(void)arg;
	return tap_skip("%s", UVC.skip);
}

#define UVC_RUN(fn, t, ...) \
	tap_run(UVC.skip ? uvc_skip_case : (fn), NULL, t, __VA_ARGS__)

static inline int uvc_open(const char *node, int flags)
{
	int fd = open(node, flags);

	if (fd < 0)
		tap_diag("open %s: %s", node, strerror(errno));
	return fd;
}

/* YUYV @w x @h on an idle queue; 0 when the driver took exactly that. */
static inline int uvc_set_size(int fd, unsigned int w, unsigned int h)
{
	struct v4l2_format f;

	memset(&f, 0, sizeof(f));
	f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	f.fmt.pix.width = w;
	f.fmt.pix.height = h;
	f.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	f.fmt.pix.field = V4L2_FIELD_NONE;
	if (xioctl(fd, VIDIOC_S_FMT, &f)) {
		tap_diag("S_FMT %ux%u: %s", w, h, strerror(errno));
		return -1;
	}
	if (f.fmt.pix.width != w || f.fmt.pix.height != h ||
	    f.fmt.pix.pixelformat != V4L2_PIX_FMT_YUYV ||
	    f.fmt.pix.sizeimage != w * h * 2) {
		tap_diag("S_FMT %ux%u YUYV gave %ux%u %.4s, %u bytes", w, h,
			 f.fmt.pix.width, f.fmt.pix.height,
			 (char *)&f.fmt.pix.pixelformat, f.fmt.pix.sizeimage);
		return -1;
	}
	return 0;
}

/*
 * UVC_NBUFS mmap buffers on @fd, each queued; their offsets and lengths in
 * @off and @len (UVC_NBUFS each).  The number of buffers (2 or more), or
 * -1, said why.
 */
static inline int uvc_queue(int fd, __u32 *off, __u32 *len)
{
	struct v4l2_requestbuffers rb = {
		.count = UVC_NBUFS,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	struct v4l2_buffer b;
	unsigned int i, n;

	if (!CHECK(xioctl(fd, VIDIOC_REQBUFS, &rb) == 0 && rb.count >= 2,
		   "owner REQBUFS: %s (count %u)", strerror(errno), rb.count))
		return -1;
	n = rb.count > UVC_NBUFS ? UVC_NBUFS : rb.count;
	for (i = 0; i < n; i++) {
		memset(&b, 0, sizeof(b));
		b.index = i;
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		if (!CHECK(xioctl(fd, VIDIOC_QUERYBUF, &b) == 0 &&
			   xioctl(fd, VIDIOC_QBUF, &b) == 0,
			   "owner QUERYBUF/QBUF %u: %s", i, strerror(errno)))
			return -1;
		off[i] = b.m.offset;
		len[i] = b.length;
	}
	return n;
}

/*
 * As the owner (effective uid; root stays the real and saved uid, so that
 * a child can become the other uid): stream 160x120 on a file of its own,
 * each buffer mapped, and wait for the first frame.
 */
struct uvc_owner {
	int fd, n;
	__u32 off[UVC_NBUFS], len[UVC_NBUFS];
	void *map[UVC_NBUFS];
};

static inline void uvc_owner_stop(struct uvc_owner *s)
{
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE, i;

	xioctl(s->fd, VIDIOC_STREAMOFF, &type);
	for (i = 0; i < s->n; i++)
		if (s->map[i] && s->map[i] != MAP_FAILED)
			munmap(s->map[i], s->len[i]);
	close(s->fd);
}

static inline int uvc_owner_start(struct uvc_owner *s)
{
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE, i;
	struct pollfd p;

	memset(s, 0, sizeof(*s));
	if (setresuid(-1, cg.owner, -1)) {
		tap_diag("seteuid %u: %s", cg.owner, strerror(errno));
		return -1;
	}
	s->fd = uvc_open(UVC.dev, O_RDWR | O_NONBLOCK);
	if (s->fd < 0 || uvc_set_size(s->fd, 160, 120))
		return -1;
	s->n = uvc_queue(s->fd, s->off, s->len);
	if (s->n < 0)
		return -1;
	for (i = 0; i < s->n; i++) {
		s->map[i] = mmap(NULL, s->len[i], PROT_READ, MAP_SHARED, s->fd,
				 s->off[i]);
		if (!CHECK(s->map[i] != MAP_FAILED, "the owner cannot map buffer %d: %s",
			   i, strerror(errno)))
			return -1;
	}
	if (!CHECK(xioctl(s->fd, VIDIOC_STREAMON, &type) == 0,
		   "owner STREAMON: %s", strerror(errno)))
		return -1;
	p.fd = s->fd;
	p.events = POLLIN;
	return CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLIN),
		     "the owner's stream gave no frame in 5 s") ? 0 : -1;
}

/* The owner dequeues @n frames, each intact and newer than the last. */
static inline void uvc_owner_frames(struct uvc_owner *s, int n,
				    const char *when)
{
	struct v4l2_buffer b;
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	uint32_t num = 0, last = 0;
	char why[160];
	int i;

	for (i = 0; i < n; i++) {
		if (!CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLIN),
			   "%s: the owner's stream stopped", when))
			return;
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		if (!CHECK(xioctl(s->fd, VIDIOC_DQBUF, &b) == 0 &&
			   b.index < (unsigned int)s->n,
			   "%s: owner DQBUF: %s", when, strerror(errno)))
			return;
		CHECK(uvcdev_check(s->map[b.index], b.bytesused, 160, 120, &num,
				   why, sizeof(why)) == 0,
		      "%s: the owner's frame: %s", when, why);
		CHECK(!i || num > last, "%s: frame %u after frame %u", when,
		      num, last);
		last = num;
		xioctl(s->fd, VIDIOC_QBUF, &b);
	}
}

/*
 * Run @cmd through the shell as @uid (real and effective), with @env
 * ("VAR=value ...", or "") added to its environment and stdin from
 * /dev/null; copy what it prints into the log, as "@tool as uid N: ...",
 * up to 12 lines, leaving out lines of v4l2-ctl's progress marks alone.
 * Its exit status (-1 if it could not run); in @marks how many '<' it
 * printed (v4l2-ctl: one per captured buffer), in @denied whether it said
 * "Permission denied".
 */
static inline int uvc_run_as(const char *tool, uid_t uid, const char *env,
			     const char *cmd, unsigned int *marks,
			     bool *denied)
{
	char log[] = "/tmp/uvc-run.XXXXXX", line[300];
	int rc, c, fd = mkstemp(log), n = 0;
	FILE *f;

	*marks = 0;
	*denied = false;
	if (fd < 0)
		return -1;
	close(fd);
	rc = cg_sh("cd /tmp && env %s runas %u %u %s >%s 2>&1 </dev/null", env,
		   uid, uid, cmd, log);
	f = fopen(log, "r");
	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		*marks += c == '<';
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strstr(line, "Permission denied"))
			*denied = true;
		if (line[strspn(line, "<> ")] && n++ < 12)
			tap_diag("%s as uid %u: %s", tool, uid, line);
	}
	fclose(f);
	unlink(log);
	tap_diag("%s as uid %u: exit status %d", tool, uid, rc);
	return rc;
}

#endif
