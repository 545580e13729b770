// SPDX-License-Identifier: GPL-2.0
/*
 * frames.c - frame access by a non-owner (ATTACKS.md cases 1-5).
 *
 * The owner (CAMGATE_OWNER_UID) really streams from vivid while a second
 * user (CAMGATE_OTHER_UID), who may open the node, tries every route to
 * the frames: QUERYBUF + mmap of the owner's buffers (the stock-kernel
 * leak), read(), the buffer and streaming ioctls, USERPTR and DMABUF
 * streaming of its own, and poll/select/epoll readiness.  Each denial is
 * checked on the data that comes back, not only on the return code; the
 * owner's stream is the positive control and must run on, intact,
 * through all of it.
 */
#include "tap.h"
#include "camgate_test.h"
#include "attacks.h"

#include <sys/epoll.h>
#include <sys/select.h>

static struct cg_stream S;		/* the owner's stream (phase 2) */
static unsigned long long denials_before;

static void cleanup(void)
{
	cg_stream_kill(&S);
}

/* ---- phase 1: the queue is idle ------------------------------------------ */

static int read_idle(void *arg)
{
	size_t len = 640 * 480 * 2;
	char *buf = malloc(len);
	ssize_t n;
	int fd, err;

	(void)arg;
	if (!buf || cg_become(cg.other))
		return TAP_FAIL;
	memset(buf, CG_POISON, len);
	fd = cg_open(O_RDWR);
	if (fd < 0)
		return TAP_FAIL;
	n = read(fd, buf, len);
	err = errno;
	CHECK(n == -1 && err == EACCES,
	      "read() returned %zd, errno %d (%s); want -1, EACCES", n,
	      n == -1 ? err : 0, n == -1 ? strerror(err) : "-");
	CHECK(cg_all_poison(buf, len),
	      "read() wrote into the caller's buffer");
	close(fd);
	return tap_result();
}

static int owner_read(void *arg)
{
	struct v4l2_streamparm saved;
	struct v4l2_format fmt;
	char why[160];
	ssize_t n;
	char *buf;
	int fd;

	(void)arg;
	if (cg_become(cg.owner))
		return TAP_FAIL;
	fd = cg_open(O_RDWR);
	if (fd < 0 || cg_setup(fd, 30, &fmt, &saved))
		return TAP_FAIL;
	buf = malloc(fmt.fmt.pix.sizeimage);
	if (!buf)
		return TAP_FAIL;
	memset(buf, CG_POISON, fmt.fmt.pix.sizeimage);
	n = read(fd, buf, fmt.fmt.pix.sizeimage);
	if (CHECK(n == (ssize_t)fmt.fmt.pix.sizeimage,
		  "owner read() returned %zd (%s), want %u", n,
		  n < 0 ? strerror(errno) : "short", fmt.fmt.pix.sizeimage))
		CHECK(!cg_check_frame(buf, n, &fmt.fmt.pix, why, sizeof(why)),
		      "owner's frame from read(): %s", why);
	close(fd);
	/* The file that read() made the queue's owner is gone: restore. */
	fd = cg_open(O_RDWR);
	if (fd >= 0) {
		cg_restore_parm(fd, &saved);
		close(fd);
	}
	free(buf);
	return tap_result();
}

static int reqbufs_idle(void *arg)
{
	struct v4l2_requestbuffers rb, before;
	int fd, r;

	(void)arg;
	if (cg_become(cg.other))
		return TAP_FAIL;
	fd = cg_open(O_RDWR);
	if (fd < 0)
		return TAP_FAIL;
	memset(&rb, CG_POISON, sizeof(rb));
	rb.count = 4;
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_MMAP;
	before = rb;
	r = xioctl(fd, VIDIOC_REQBUFS, &rb);
	cg_expect_denied("REQBUFS(MMAP) on an idle queue", r, errno, &rb,
			 &before, sizeof(rb));
	close(fd);
	return tap_result();
}

static int userptr_idle(void *arg)
{
	struct v4l2_requestbuffers rb, rbefore;
	struct v4l2_buffer b, before;
	size_t len = 1 << 20;
	void *mem = aligned_alloc(4096, len);
	int fd, r;

	(void)arg;
	if (!mem || cg_become(cg.other))
		return TAP_FAIL;
	memset(mem, CG_POISON, len);
	fd = cg_open(O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;

	memset(&rb, CG_POISON, sizeof(rb));
	rb.count = 2;
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_USERPTR;
	rbefore = rb;
	r = xioctl(fd, VIDIOC_REQBUFS, &rb);
	cg_expect_denied("REQBUFS(USERPTR)", r, errno, &rb, &rbefore,
			 sizeof(rb));

	cg_buf_poison(&b, V4L2_MEMORY_USERPTR, 0);
	b.m.userptr = (unsigned long)mem;
	b.length = len;
	b.flags = 0;
	b.field = V4L2_FIELD_NONE;
	before = b;
	r = xioctl(fd, VIDIOC_QBUF, &b);
	cg_expect_buf_denied("QBUF(USERPTR)", r, errno, &b, &before);
	tap_sleep_ms(300);
	CHECK(cg_all_poison(mem, len),
	      "the attacker's USERPTR memory was written");
	close(fd);
	return tap_result();
}

static int dmabuf_idle(void *arg)
{
	struct v4l2_requestbuffers rb, rbefore;
	struct v4l2_create_buffers cb, cbefore;
	struct v4l2_buffer b, before;
	struct cg_dmabuf d;
	int fd, r, dfd;

	(void)arg;
	r = cg_dmabuf_make(&d, 1 << 20);	/* as root: /dev/udmabuf */
	if (r) {
		tap_diag("no dma-buf from /dev/udmabuf (%s): QBUF gets a memfd",
			 strerror(-r));
		dfd = d.memfd;
	} else {
		dfd = d.fd;
	}
	if (cg_become(cg.other))
		return TAP_FAIL;
	fd = cg_open(O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;

	memset(&rb, CG_POISON, sizeof(rb));
	rb.count = 2;
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_DMABUF;
	rbefore = rb;
	r = xioctl(fd, VIDIOC_REQBUFS, &rb);
	cg_expect_denied("REQBUFS(DMABUF)", r, errno, &rb, &rbefore,
			 sizeof(rb));

	memset(&cb, CG_POISON, sizeof(cb));
	cb.count = 1;
	cb.memory = V4L2_MEMORY_DMABUF;
	cb.format.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	cbefore = cb;
	r = xioctl(fd, VIDIOC_CREATE_BUFS, &cb);
	cg_expect_denied("CREATE_BUFS(DMABUF)", r, errno, &cb, &cbefore,
			 sizeof(cb));

	cg_buf_poison(&b, V4L2_MEMORY_DMABUF, 0);
	b.m.fd = dfd;
	b.length = 1 << 20;
	b.flags = 0;
	before = b;
	r = xioctl(fd, VIDIOC_QBUF, &b);
	cg_expect_buf_denied("QBUF(DMABUF)", r, errno, &b, &before);
	if (d.map != MAP_FAILED) {
		tap_sleep_ms(300);
		CHECK(cg_all_poison(d.map, d.size),
		      "the attacker's dma-buf pages were written");
	}
	close(fd);
	return tap_result();
}

static int owner_userptr(void *arg)
{
	struct v4l2_streamparm saved;
	struct cg_capture c = { .memory = V4L2_MEMORY_USERPTR, .frames = 3 };
	struct v4l2_format fmt;
	int fd;

	(void)arg;
	if (cg_become(cg.owner))
		return TAP_FAIL;
	fd = cg_open(O_RDWR | O_NONBLOCK);
	if (fd < 0 || cg_setup(fd, 30, &fmt, &saved))
		return TAP_FAIL;
	CHECK(cg_capture_run(fd, &fmt.fmt.pix, &c) == 0,
	      "owner USERPTR streaming: %s", c.why);
	cg_restore_parm(fd, &saved);
	close(fd);
	return tap_result();
}

static int owner_dmabuf_reqbufs(void *arg)
{
	struct v4l2_requestbuffers rb;
	int fd;

	(void)arg;
	if (cg_become(cg.owner))
		return TAP_FAIL;
	fd = cg_open(O_RDWR);
	if (fd < 0)
		return TAP_FAIL;
	memset(&rb, 0, sizeof(rb));
	rb.count = 2;
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_DMABUF;
	CHECK(xioctl(fd, VIDIOC_REQBUFS, &rb) == 0 && rb.count >= 1,
	      "owner REQBUFS(DMABUF): %s", strerror(errno));
	CHECK(rb.capabilities & V4L2_BUF_CAP_SUPPORTS_DMABUF,
	      "capabilities 0x%x lack SUPPORTS_DMABUF", rb.capabilities);
	rb.count = 0;
	xioctl(fd, VIDIOC_REQBUFS, &rb);
	close(fd);
	return tap_result();
}

/* ---- phase 2: the owner streams -------------------------------------------- */

static int owner_streams(void *arg)
{
	struct cg_stream_stats *st = S.st;
	unsigned int from;

	(void)arg;
	if (!CHECK(st && CG_LOAD(st->ready) == 1,
		   "the owner's stream did not start: %s",
		   st ? st->why : "no stats"))
		return TAP_FAIL;
	from = CG_LOAD(st->frames);
	CHECK(cg_stream_wait(&S, from, 5, 5000),
	      "the owner got %u frames in 5 s, want 5",
	      CG_LOAD(st->frames) - from);
	CHECK(CG_LOAD(st->bad) == 0 && CG_LOAD(st->errors) == 0,
	      "owner: %u bad frames, %u errors: %s", st->bad, st->errors,
	      st->why);
	CHECK(CG_LOAD(st->pollin) > 0, "owner's poll() never saw POLLIN");
	CHECK(st->expbuf == 1, "owner's EXPBUF failed");
	return tap_result();
}

/*
 * Open the node as the attacker (the case process drops its privileges).
 * Fails while the owner does not stream: an attack on nothing proves
 * nothing.
 */
static int attacker_open(int flags)
{
	if (!CHECK(S.st && CG_LOAD(S.st->ready) == 1 && S.st->nbufs,
		   "the owner does not stream: nothing to attack"))
		return -1;
	if (cg_become(cg.other))
		return -1;
	return cg_open(flags);
}

static int querybuf(void *arg)
{
	int fd;

	(void)arg;
	fd = attacker_open(O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	cg_attack_querybuf(fd, S.st->nbufs);
	close(fd);
	return tap_result();
}

/* Try one mapping; a success is a leak: say what it shows. */
static void try_map(int fd, size_t len, int prot, int flags, off_t off,
		    const char *how)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);
	int err = errno;
	char why[160];

	if (p != MAP_FAILED) {
		CHECK(false, "mmap(%s) at the owner's offset 0x%lx succeeded%s",
		      how, (long)off,
		      cg_check_frame(p, S.st->pix.sizeimage, &S.st->pix, why,
				     sizeof(why)) ?
		      "" : ": it shows the owner's frames");
		munmap(p, len);
		return;
	}
	CHECK(err == EACCES, "mmap(%s) at 0x%lx: errno %d (%s), want EACCES",
	      how, (long)off, err, strerror(err));
}

static int mmap_offsets(void *arg)
{
	unsigned int i;
	int fd, rofd;

	(void)arg;
	fd = attacker_open(O_RDWR | O_NONBLOCK);
	rofd = cg_open(O_RDONLY | O_NONBLOCK);
	if (fd < 0 || rofd < 0)
		return TAP_FAIL;
	for (i = 0; i < S.st->nbufs; i++) {
		size_t len = S.st->length[i];
		off_t off = S.st->offset[i];

		try_map(fd, len, PROT_READ, MAP_SHARED, off, "READ, SHARED");
		try_map(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, off,
			"READ|WRITE, SHARED");
		try_map(fd, len, PROT_READ, MAP_PRIVATE, off,
			"READ, PRIVATE");
		try_map(rofd, len, PROT_READ, MAP_SHARED, off,
			"READ, SHARED, O_RDONLY file");
	}
	close(fd);
	close(rofd);
	return tap_result();
}

static int read_streaming(void *arg)
{
	size_t len = S.st->pix.sizeimage;
	char *buf = malloc(len);
	ssize_t n;
	int fd, err;

	(void)arg;
	fd = attacker_open(O_RDWR);
	if (!buf || fd < 0)
		return TAP_FAIL;
	memset(buf, CG_POISON, len);
	n = read(fd, buf, len);
	err = errno;
	CHECK(n == -1 && err == EACCES,
	      "read() returned %zd, errno %d (%s); want -1, EACCES", n,
	      n == -1 ? err : 0, n == -1 ? strerror(err) : "-");
	CHECK(cg_all_poison(buf, len), "read() wrote into the caller's buffer");
	close(fd);
	return tap_result();
}

static int reqbufs_streaming(void *arg)
{
	struct v4l2_requestbuffers rb, before;
	unsigned int counts[] = { 4, 0, 1 };
	unsigned int i;
	char what[64];
	int fd, r;

	(void)arg;
	fd = attacker_open(O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	for (i = 0; i < 3; i++) {
		memset(&rb, CG_POISON, sizeof(rb));
		rb.count = counts[i];
		rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		rb.memory = V4L2_MEMORY_MMAP;
		before = rb;
		r = xioctl(fd, VIDIOC_REQBUFS, &rb);
		snprintf(what, sizeof(what), "REQBUFS(MMAP, count %u)",
			 counts[i]);
		cg_expect_denied(what, r, errno, &rb, &before, sizeof(rb));
	}
	close(fd);
	return tap_result();
}

static int create_bufs(void *arg)
{
	struct v4l2_create_buffers cb, before;
	int fd, r;

	(void)arg;
	fd = attacker_open(O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	memset(&cb, CG_POISON, sizeof(cb));
	cb.count = 1;
	cb.memory = V4L2_MEMORY_MMAP;
	memset(&cb.format, 0, sizeof(cb.format));
	cb.format.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	cb.format.fmt.pix = S.st->pix;
	before = cb;
	r = xioctl(fd, VIDIOC_CREATE_BUFS, &cb);
	cg_expect_denied("CREATE_BUFS(MMAP)", r, errno, &cb, &before,
			 sizeof(cb));
	if (cb.index != before.index)
		tap_diag("CREATE_BUFS: index %u reached the caller", cb.index);
	close(fd);
	return tap_result();
}

static int buf_ioctl(unsigned long cmd, const char *name)
{
	struct v4l2_buffer b, before;
	unsigned int i;
	char what[64];
	int fd, r;

	fd = attacker_open(O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	for (i = 0; i < S.st->nbufs; i++) {
		cg_buf_poison(&b, V4L2_MEMORY_MMAP, i);
		b.flags = 0;
		b.field = V4L2_FIELD_NONE;
		before = b;
		r = xioctl(fd, cmd, &b);
		snprintf(what, sizeof(what), "%s of buffer %u", name, i);
		cg_expect_buf_denied(what, r, errno, &b, &before);
	}
	close(fd);
	return tap_result();
}

static int prepare_buf(void *arg)
{
	(void)arg;
	return buf_ioctl(VIDIOC_PREPARE_BUF, "PREPARE_BUF");
}

static int qbuf(void *arg)
{
	(void)arg;
	return buf_ioctl(VIDIOC_QBUF, "QBUF");
}

static int dqbuf(void *arg)
{
	unsigned int from = CG_LOAD(S.st->frames);
	int fd, bfd;

	(void)arg;
	fd = attacker_open(O_RDWR | O_NONBLOCK);
	bfd = cg_open(O_RDWR);		/* blocking, as a reader would */
	if (fd < 0 || bfd < 0)
		return TAP_FAIL;
	cg_attack_dqbuf(fd, bfd, 30);
	CHECK(CG_LOAD(S.st->frames) > from,
	      "the owner got no frame meanwhile: the attempts saw no frames");
	close(fd);
	close(bfd);
	return tap_result();
}

static int streamon(void *arg)
{
	int fd, r, type = V4L2_BUF_TYPE_VIDEO_CAPTURE, before = type;

	(void)arg;
	fd = attacker_open(O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	r = xioctl(fd, VIDIOC_STREAMON, &type);
	cg_expect_denied("STREAMON", r, errno, &type, &before, sizeof(type));
	close(fd);
	return tap_result();
}

static int streamoff(void *arg)
{
	int fd, r, type = V4L2_BUF_TYPE_VIDEO_CAPTURE, before = type;
	unsigned int from;

	(void)arg;
	fd = attacker_open(O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	r = xioctl(fd, VIDIOC_STREAMOFF, &type);
	cg_expect_denied("STREAMOFF", r, errno, &type, &before, sizeof(type));
	close(fd);
	from = CG_LOAD(S.st->frames);
	CHECK(cg_stream_wait(&S, from, 3, 5000),
	      "the owner's stream stopped after the attacker's STREAMOFF");
	CHECK(CG_LOAD(S.st->errors) == 0, "owner errors: %s", S.st->why);
	return tap_result();
}

static int expbuf(void *arg)
{
	int fd;

	(void)arg;
	fd = attacker_open(O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	cg_attack_expbuf(fd, S.st->nbufs);
	close(fd);
	return tap_result();
}

static int remove_bufs(void *arg)
{
	struct v4l2_remove_buffers rm, before;
	int fd, r;

	(void)arg;
	fd = attacker_open(O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	memset(&rm, 0, sizeof(rm));
	rm.index = 0;
	rm.count = 1;
	rm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	before = rm;
	r = xioctl(fd, VIDIOC_REMOVE_BUFS, &rm);
	cg_expect_denied("REMOVE_BUFS", r, errno, &rm, &before, sizeof(rm));
	close(fd);
	return tap_result();
}

static int userptr_streaming(void *arg)
{
	struct v4l2_buffer b, before;
	size_t len = (S.st->pix.sizeimage + 4095) & ~4095u;
	void *mem = aligned_alloc(4096, len);
	int fd, r;

	(void)arg;
	fd = attacker_open(O_RDWR | O_NONBLOCK);
	if (!mem || fd < 0)
		return TAP_FAIL;
	memset(mem, CG_POISON, len);
	cg_buf_poison(&b, V4L2_MEMORY_USERPTR, 0);
	b.m.userptr = (unsigned long)mem;
	b.length = len;
	b.flags = 0;
	before = b;
	r = xioctl(fd, VIDIOC_QBUF, &b);
	cg_expect_buf_denied("QBUF(USERPTR)", r, errno, &b, &before);
	tap_sleep_ms(300);
	CHECK(cg_all_poison(mem, len),
	      "the owner's frames reached the attacker's USERPTR memory");
	close(fd);
	return tap_result();
}

static int dmabuf_streaming(void *arg)
{
	struct v4l2_buffer b, before;
	struct cg_dmabuf d;
	int fd, r;

	(void)arg;
	r = cg_dmabuf_make(&d, S.st->pix.sizeimage);
	if (r)
		return tap_skip("no dma-buf to import: /dev/udmabuf: %s",
				strerror(-r));
	fd = attacker_open(O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	cg_buf_poison(&b, V4L2_MEMORY_DMABUF, 0);
	b.m.fd = d.fd;
	b.length = d.size;
	b.flags = 0;
	before = b;
	r = xioctl(fd, VIDIOC_QBUF, &b);
	cg_expect_buf_denied("QBUF(DMABUF)", r, errno, &b, &before);
	tap_sleep_ms(300);
	CHECK(cg_all_poison(d.map, d.size),
	      "the owner's frames reached the attacker's dma-buf");
	close(fd);
	return tap_result();
}

static int poll_attack(void *arg)
{
	int fd;

	(void)arg;
	fd = attacker_open(O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	cg_attack_poll(fd, 20);
	close(fd);
	return tap_result();
}

static int select_attack(void *arg)
{
	fd_set rd, ex;
	struct timeval tv;
	long t0, dt;
	int i, fd, r;

	(void)arg;
	fd = attacker_open(O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	for (i = 0; i < 5; i++) {
		FD_ZERO(&rd);
		FD_ZERO(&ex);
		FD_SET(fd, &rd);
		FD_SET(fd, &ex);
		tv.tv_sec = 3;
		tv.tv_usec = 0;
		t0 = tap_now_ms();
		r = select(fd + 1, &rd, NULL, &ex, &tv);
		dt = tap_now_ms() - t0;
		/* An error shows as "readable" in select(): constant, no clock. */
		CHECK(r >= 1 && dt < 1000,
		      "select() returned %d after %ld ms; want at once", r, dt);
		CHECK(!FD_ISSET(fd, &ex),
		      "select() reported an exceptional condition (event)");
		tap_sleep_ms(20);
	}
	close(fd);
	return tap_result();
}

static int epoll_lt(void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLPRI }, out;
	long t0, dt;
	int i, fd, ep, r;

	(void)arg;
	fd = attacker_open(O_RDWR | O_NONBLOCK);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (fd < 0 || ep < 0)
		return TAP_FAIL;
	ev.data.fd = fd;
	if (!CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0,
		   "EPOLL_CTL_ADD: %s", strerror(errno)))
		return TAP_FAIL;
	for (i = 0; i < 5; i++) {
		memset(&out, 0, sizeof(out));
		t0 = tap_now_ms();
		r = epoll_wait(ep, &out, 1, 3000);
		dt = tap_now_ms() - t0;
		CHECK(r == 1 && (out.events & EPOLLERR),
		      "epoll_wait() returned %d, events 0x%x; want EPOLLERR",
		      r, out.events);
		CHECK(!(out.events & (EPOLLIN | EPOLLRDNORM | EPOLLPRI |
				      EPOLLOUT)),
		      "epoll reported readiness: events 0x%x", out.events);
		CHECK(dt < 1000, "epoll_wait() waited %ld ms", dt);
	}
	close(ep);
	close(fd);
	return tap_result();
}

static int epoll_et(void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLPRI | EPOLLET };
	struct epoll_event out;
	unsigned int from;
	long t0, dt;
	int fd, ep, r;

	(void)arg;
	fd = attacker_open(O_RDWR | O_NONBLOCK);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (fd < 0 || ep < 0)
		return TAP_FAIL;
	ev.data.fd = fd;
	if (!CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0,
		   "EPOLL_CTL_ADD: %s", strerror(errno)))
		return TAP_FAIL;
	memset(&out, 0, sizeof(out));
	r = epoll_wait(ep, &out, 1, 3000);
	CHECK(r == 1 && out.events == EPOLLERR,
	      "first epoll_wait() returned %d, events 0x%x; want EPOLLERR",
	      r, out.events);
	/*
	 * Edge-triggered: another event needs a wake-up.  Frames arrive all
	 * the time; if the attacker's file sat on the queue's wait queue,
	 * each of them would show up here.
	 */
	from = CG_LOAD(S.st->frames);
	memset(&out, 0, sizeof(out));
	t0 = tap_now_ms();
	r = epoll_wait(ep, &out, 1, 800);
	dt = tap_now_ms() - t0;
	CHECK(r == 0, "epoll_wait() woke after %ld ms with events 0x%x", dt,
	      out.events);
	CHECK(CG_LOAD(S.st->frames) > from,
	      "the owner got no frame while the attacker waited");
	close(ep);
	close(fd);
	return tap_result();
}

/* An attacker that holds the node open until killed; says 'o' once open. */
static int hold_open(void *arg)
{
	int *pipefd = arg, fd = cg_open(O_RDWR);

	if (write(pipefd[1], fd >= 0 ? "o" : "e", 1) != 1)
		return TAP_FAIL;
	for (;;)
		pause();
}

static int sysfs_counters(void *arg)
{
	unsigned long long caps, denials;
	int fromchild[2];
	char buf[32] = "";
	pid_t pid;

	(void)arg;
	CHECK(cg_sysfs_read(cg.sysfs, "streaming", buf, sizeof(buf)) == 0 &&
	      !strcmp(buf, "1"), "streaming reads \"%s\", want 1", buf);
	if (pipe(fromchild))
		return TAP_FAIL;
	/* An attacker holds the node open: that mints no capability. */
	pid = cg_spawn(cg.other, hold_open, fromchild);
	if (!CHECK(read(fromchild[0], buf, 1) == 1 && buf[0] == 'o',
		   "the attacker could not open the node"))
		return TAP_FAIL;
	caps = cg_sysfs_u64(cg.sysfs, "capabilities");
	CHECK(caps == 1,
	      "capabilities reads %llu with the owner's and an attacker's file open, want 1",
	      caps);
	kill(pid, SIGKILL);
	cg_wait(pid, 5000);
	denials = cg_sysfs_u64(cg.sysfs, "denials");
	CHECK(denials != ~0ULL && denials_before != ~0ULL &&
	      denials >= denials_before + 20,
	      "denials went from %llu to %llu over the attacks", denials_before,
	      denials);
	tap_diag("denials: %llu before the attacks on the stream, %llu after",
		 denials_before, denials);
	return tap_result();
}

static int owner_unaffected(void *arg)
{
	struct cg_stream_stats *st = S.st;
	unsigned int from;

	(void)arg;
	if (!st)
		return TAP_FAIL;
	from = CG_LOAD(st->frames);
	CHECK(cg_stream_wait(&S, from, 5, 5000),
	      "the owner got %u frames in the last 5 s",
	      CG_LOAD(st->frames) - from);
	CHECK(CG_LOAD(st->bad) == 0 && CG_LOAD(st->errors) == 0,
	      "owner: %u bad frames, %u errors: %s", st->bad, st->errors,
	      st->why);
	tap_diag("owner: %u intact frames in all", CG_LOAD(st->frames));
	return tap_result();
}

static int stop_status = TAP_FAIL;

static int stream_stopped(void *arg)
{
	(void)arg;
	CHECK(stop_status == TAP_PASS, "the owner's streamer ended badly: %s",
	      S.st ? S.st->why : "-");
	return tap_result();
}

int main(void)
{
	tap_plan(29, 50);
	cg_env_load();
	tap_set_cleanup(cleanup);

	/* Phase 1: nobody streams. */
	tap_run(read_idle, NULL, 10,
		"2: non-owner read() on an idle node is denied, buffer untouched");
	tap_run(owner_read, NULL, 15,
		"2: owner read() on the same node returns an intact frame (control)");
	tap_run(reqbufs_idle, NULL, 10,
		"3: non-owner REQBUFS(MMAP) on an idle node is denied");
	tap_run(userptr_idle, NULL, 10,
		"4: non-owner USERPTR set-up (REQBUFS, QBUF) on an idle node is denied, memory untouched");
	tap_run(dmabuf_idle, NULL, 10,
		"4: non-owner DMABUF import (REQBUFS, CREATE_BUFS, QBUF) on an idle node is denied");
	tap_run(owner_userptr, NULL, 15,
		"4: owner USERPTR streaming gives intact frames (control)");
	tap_run(owner_dmabuf_reqbufs, NULL, 10,
		"4: owner REQBUFS(DMABUF) works (control)");

	/* Phase 2: the owner streams at 30 fps. */
	cg_stream_start(&S, 30, 15000);
	denials_before = cg_sysfs_u64(cg.sysfs, "denials");
	tap_run(owner_streams, NULL, 10,
		"1: owner streams via mmap: intact colour-bar frames, poll, EXPBUF (control)");
	tap_run(querybuf, NULL, 10,
		"1: non-owner QUERYBUF of the owner's buffers is denied: no offset, length or timestamp");
	tap_run(mmap_offsets, NULL, 10,
		"1: non-owner mmap() at the owner's real buffer offsets is denied");
	tap_run(read_streaming, NULL, 10,
		"2: non-owner read() while the owner streams is denied, buffer untouched");
	tap_run(reqbufs_streaming, NULL, 10,
		"3: non-owner REQBUFS (count 4, 0, 1) is denied");
	tap_run(create_bufs, NULL, 10,
		"3: non-owner CREATE_BUFS is denied, argument untouched");
	tap_run(prepare_buf, NULL, 10,
		"3: non-owner PREPARE_BUF is denied, argument untouched");
	tap_run(qbuf, NULL, 10,
		"3: non-owner QBUF of the owner's buffers is denied, argument untouched");
	tap_run(dqbuf, NULL, 10,
		"3: non-owner DQBUF is denied: no index, bytesused, timestamp or sequence");
	tap_run(streamon, NULL, 10, "3: non-owner STREAMON is denied");
	tap_run(streamoff, NULL, 10,
		"3: non-owner STREAMOFF is denied and the owner's stream goes on");
	tap_run(expbuf, NULL, 10,
		"3: non-owner EXPBUF is denied: no dma-buf fd installed");
	tap_run(remove_bufs, NULL, 10, "3: non-owner REMOVE_BUFS is denied");
	tap_run(userptr_streaming, NULL, 10,
		"4: non-owner QBUF(USERPTR) while the owner streams is denied, memory untouched");
	tap_run(dmabuf_streaming, NULL, 10,
		"4: non-owner QBUF(DMABUF) of a udmabuf while the owner streams is denied");
	tap_run(poll_attack, NULL, 10,
		"5: non-owner poll() reports POLLERR at once, never POLLIN or POLLPRI");
	tap_run(select_attack, NULL, 10,
		"5: non-owner select() returns at once every time, no exception (no frame clock)");
	tap_run(epoll_lt, NULL, 10,
		"5: non-owner level-triggered epoll reports only EPOLLERR, at once");
	tap_run(epoll_et, NULL, 10,
		"5: non-owner edge-triggered epoll gets no wake-up from the owner's frames");
	tap_run(sysfs_counters, NULL, 10,
		"sysfs: streaming 1, one capability (the owner's, not the attacker's), denials counted");
	tap_run(owner_unaffected, NULL, 10,
		"1-5: the owner's stream ran on, every frame intact, through all attacks");
	stop_status = cg_stream_stop(&S);
	tap_run(stream_stopped, NULL, 10,
		"the owner stops its stream cleanly (STREAMOFF, REQBUFS 0)");
	return tap_finish();
}
