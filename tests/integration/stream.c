// SPDX-License-Identifier: GPL-2.0
/*
 * stream.c - the owner's experience is unchanged (ATTACKS.md case 23).
 *
 * The owner streams from vivid by every I/O method a camera application
 * uses: mmap, read(), USERPTR, DMABUF import and mmap of an exported
 * buffer.  Every frame must arrive intact: bytesused equals sizeimage, the
 * whole image was written (the poison we filled in is gone), and the
 * first and last lines are vivid's 75% colour bars in YUYV.  The frame
 * rate is recorded in a "# rate:" line for comparison with a run without
 * camgate (the module cannot be unloaded from inside the test).
 */
#include "tap.h"
#include "camgate_test.h"

#define FPS	30

static void report_rate(const char *how, const struct cg_capture *c)
{
	tap_diag("rate: %s: %u frames, %.1f fps (nominal %d), %u skipped by vivid, kernel %s",
		 how, c->got, cg_capture_fps(c), FPS, c->gaps, cg.kernel);
}

static int capture(__u32 memory, unsigned int frames, struct cg_dmabuf *d)
{
	struct cg_capture c = { .memory = memory, .frames = frames };
	struct v4l2_streamparm saved;
	struct v4l2_format fmt;
	int fd;

	if (cg_become(cg.owner))
		return TAP_FAIL;
	fd = cg_open(O_RDWR | O_NONBLOCK);
	if (fd < 0 || cg_setup(fd, FPS, &fmt, &saved))
		return TAP_FAIL;
	c.dmabuf = d;
	if (CHECK(cg_capture_run(fd, &fmt.fmt.pix, &c) == 0,
		  "after %u intact frames: %s", c.got, c.why))
		report_rate(memory == V4L2_MEMORY_MMAP ? "mmap" :
		     memory == V4L2_MEMORY_USERPTR ? "userptr" : "dmabuf", &c);
	cg_restore_parm(fd, &saved);
	close(fd);
	return tap_result();
}

static int stream_mmap(void *arg)
{
	(void)arg;
	return capture(V4L2_MEMORY_MMAP, 30, NULL);
}

static int stream_userptr(void *arg)
{
	(void)arg;
	return capture(V4L2_MEMORY_USERPTR, 10, NULL);
}

static int stream_dmabuf(void *arg)
{
	struct cg_dmabuf d[4];
	int i, r;

	(void)arg;
	for (i = 0; i < 4; i++) {
		r = cg_dmabuf_make(&d[i], 640 * 480 * 2); /* as root */
		if (r)
			return tap_skip("no dma-buf to import: /dev/udmabuf: %s",
					strerror(-r));
	}
	return capture(V4L2_MEMORY_DMABUF, 10, d);
}

static int stream_read(void *arg)
{
	struct v4l2_streamparm saved;
	struct v4l2_format fmt;
	struct cg_capture c = { .frames = 10 };
	char why[160];
	ssize_t n;
	char *buf;
	int fd;

	(void)arg;
	if (cg_become(cg.owner))
		return TAP_FAIL;
	fd = cg_open(O_RDWR);
	if (fd < 0 || cg_setup(fd, FPS, &fmt, &saved))
		return TAP_FAIL;
	buf = malloc(fmt.fmt.pix.sizeimage);
	if (!buf)
		return TAP_FAIL;
	while (c.got < c.frames) {
		memset(buf, CG_POISON, fmt.fmt.pix.sizeimage);
		n = read(fd, buf, fmt.fmt.pix.sizeimage);
		if (!CHECK(n >= 0, "read() after %u frames: %s", c.got,
			   strerror(errno)))
			break;
		if (!CHECK(!cg_check_frame(buf, n, &fmt.fmt.pix, why,
					   sizeof(why)),
			   "frame %u from read(): %s", c.got, why))
			break;
		c.last_ms = tap_now_ms();
		if (!c.got)
			c.first_ms = c.last_ms;
		c.got++;
	}
	if (c.got == c.frames)
		report_rate("read", &c);
	close(fd);
	fd = cg_open(O_RDWR);	/* the reading file owned the queue */
	if (fd >= 0) {
		cg_restore_parm(fd, &saved);
		close(fd);
	}
	free(buf);
	return tap_result();
}

/* EXPBUF, mmap the dma-buf, and read the frames through it. */
static int stream_expbuf(void *arg)
{
	struct v4l2_requestbuffers rb;
	struct v4l2_exportbuffer eb;
	struct v4l2_streamparm saved;
	struct v4l2_format fmt;
	struct v4l2_buffer b;
	void *map[CG_MAXBUF];
	__u32 len[CG_MAXBUF];
	int fd, i, got = 0, type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	unsigned int n;
	char why[160];

	(void)arg;
	if (cg_become(cg.owner))
		return TAP_FAIL;
	fd = cg_open(O_RDWR | O_NONBLOCK);
	if (fd < 0 || cg_setup(fd, FPS, &fmt, &saved))
		return TAP_FAIL;
	memset(&rb, 0, sizeof(rb));
	rb.count = 4;
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_MMAP;
	if (!CHECK(xioctl(fd, VIDIOC_REQBUFS, &rb) == 0 && rb.count,
		   "REQBUFS: %s", strerror(errno)))
		return TAP_FAIL;
	n = rb.count > CG_MAXBUF ? CG_MAXBUF : rb.count;
	for (i = 0; i < (int)n; i++) {
		memset(&b, 0, sizeof(b));
		b.index = i;
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		if (!CHECK(xioctl(fd, VIDIOC_QUERYBUF, &b) == 0,
			   "QUERYBUF: %s", strerror(errno)))
			return TAP_FAIL;
		len[i] = b.length;
		memset(&eb, 0, sizeof(eb));
		eb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		eb.index = i;
		eb.flags = O_RDWR | O_CLOEXEC;
		if (!CHECK(xioctl(fd, VIDIOC_EXPBUF, &eb) == 0 && eb.fd >= 0,
			   "owner EXPBUF %d: %s", i, strerror(errno)))
			return TAP_FAIL;
		map[i] = mmap(NULL, len[i], PROT_READ | PROT_WRITE, MAP_SHARED,
			      eb.fd, 0);
		if (!CHECK(map[i] != MAP_FAILED,
			   "owner mmap of its exported dma-buf %d: %s", i,
			   strerror(errno)))
			return TAP_FAIL;
		close(eb.fd);
		memset(map[i], CG_POISON, len[i]);
		if (!CHECK(xioctl(fd, VIDIOC_QBUF, &b) == 0, "QBUF: %s",
			   strerror(errno)))
			return TAP_FAIL;
	}
	if (!CHECK(xioctl(fd, VIDIOC_STREAMON, &type) == 0, "STREAMON: %s",
		   strerror(errno)))
		return TAP_FAIL;
	while (got < 5) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (!CHECK(poll(&p, 1, 5000) == 1, "no frame in 5 s"))
			break;
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		if (xioctl(fd, VIDIOC_DQBUF, &b)) {
			if (errno == EAGAIN)
				continue;
			CHECK(false, "DQBUF: %s", strerror(errno));
			break;
		}
		if (!CHECK(b.index < n, "DQBUF index %u", b.index) ||
		    !CHECK(!cg_check_frame(map[b.index], b.bytesused,
					   &fmt.fmt.pix, why, sizeof(why)),
			   "frame through the exported dma-buf: %s", why))
			break;
		got++;
		memset(map[b.index], CG_POISON, len[b.index]);
		if (!CHECK(xioctl(fd, VIDIOC_QBUF, &b) == 0, "QBUF: %s",
			   strerror(errno)))
			break;
	}
	CHECK(xioctl(fd, VIDIOC_STREAMOFF, &type) == 0, "STREAMOFF: %s",
	      strerror(errno));
	for (i = 0; i < (int)n; i++)
		munmap(map[i], len[i]);
	rb.count = 0;
	xioctl(fd, VIDIOC_REQBUFS, &rb);
	cg_restore_parm(fd, &saved);
	close(fd);
	return tap_result();
}

static int owner_counters(void *arg)
{
	char buf[16];

	(void)arg;
	CHECK(cg_sysfs_read(cg.sysfs, "streaming", buf, sizeof(buf)) == 0 &&
	      !strcmp(buf, "0"), "streaming reads \"%s\" after the owner stopped",
	      buf);
	CHECK(cg_sysfs_u64(cg.sysfs, "capabilities") == 0,
	      "capabilities reads %llu with no file open",
	      cg_sysfs_u64(cg.sysfs, "capabilities"));
	return tap_result();
}

static unsigned long long denials_before;

static int never_denied(void *arg)
{
	unsigned long long now = cg_sysfs_u64(cg.sysfs, "denials");

	(void)arg;
	CHECK(now != ~0ULL && now == denials_before,
	      "the owner was denied %llu times", now - denials_before);
	return tap_result();
}

int main(void)
{
	tap_plan(7, 50);
	cg_env_load();
	denials_before = cg_sysfs_u64(cg.sysfs, "denials");

	tap_run(stream_mmap, NULL, 15,
		"23: owner streams 30 frames via mmap: all intact (bytesused, colour bars), rate recorded");
	tap_run(stream_read, NULL, 15,
		"23: owner streams 10 frames via read(): all intact, rate recorded");
	tap_run(stream_userptr, NULL, 15,
		"23: owner streams 10 frames via USERPTR: all intact");
	tap_run(stream_dmabuf, NULL, 15,
		"23: owner streams 10 frames into imported dma-bufs (udmabuf): all intact");
	tap_run(stream_expbuf, NULL, 15,
		"23: owner exports its buffers (EXPBUF) and reads frames through the dma-buf mappings");
	tap_run(owner_counters, NULL, 10,
		"23: afterwards sysfs shows no stream and no live capability");
	tap_run(never_denied, NULL, 10,
		"23: the owner was never denied (the denials counter did not move)");
	return tap_finish();
}
