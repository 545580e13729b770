/* SPDX-License-Identifier: GPL-2.0 */
/*
 * attacks.h - another uid's buffer calls on a streaming owner's node,
 * shared by the vivid suite (frames.c) and the UVC one (uvc.c).  Each
 * takes the attacker's open file and records its checks with CHECK().
 *
 * Include after tap.h and camgate_test.h.
 */
#ifndef CAMGATE_TEST_ATTACKS_H
#define CAMGATE_TEST_ATTACKS_H

/* QUERYBUF of each of the owner's @nbufs buffers: refused, nothing told. */
static inline void cg_attack_querybuf(int fd, unsigned int nbufs)
{
	struct v4l2_buffer b, before;
	unsigned int i;
	char what[64];
	int r;

	for (i = 0; i < nbufs; i++) {
		cg_buf_poison(&b, V4L2_MEMORY_MMAP, i);
		before = b;
		r = xioctl(fd, VIDIOC_QUERYBUF, &b);
		snprintf(what, sizeof(what), "QUERYBUF of owner buffer %u", i);
		cg_expect_buf_denied(what, r, errno, &b, &before);
	}
}

/* EXPBUF of each of the owner's @nbufs buffers: refused, no fd installed. */
static inline void cg_attack_expbuf(int fd, unsigned int nbufs)
{
	struct v4l2_exportbuffer eb, before;
	unsigned int i;
	char what[64];
	int r, nfd;

	for (i = 0; i < nbufs; i++) {
		memset(&eb, CG_POISON, sizeof(eb));
		eb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		eb.index = i;
		eb.plane = 0;
		eb.flags = O_RDONLY;
		eb.fd = (int)CG_POISON32;
		before = eb;
		nfd = cg_fd_count();
		r = xioctl(fd, VIDIOC_EXPBUF, &eb);
		snprintf(what, sizeof(what), "EXPBUF of owner buffer %u", i);
		cg_expect_denied(what, r, errno, &eb, &before, sizeof(eb));
		CHECK(cg_fd_count() == nfd,
		      "%s: a file descriptor was installed (fd field %d)",
		      what, eb.fd);
	}
}

/*
 * Ten DQBUF tries, @gap_ms apart, spread over the owner's frames: on @fd
 * (O_NONBLOCK) and @bfd (blocking, as a reader would) in turn.  None may
 * yield a buffer or write anything back.
 */
static inline void cg_attack_dqbuf(int fd, int bfd, unsigned int gap_ms)
{
	struct v4l2_buffer b, before;
	int i, r;

	for (i = 0; i < 10; i++) {
		cg_buf_poison(&b, V4L2_MEMORY_MMAP, CG_POISON32);
		before = b;
		r = xioctl(i & 1 ? bfd : fd, VIDIOC_DQBUF, &b);
		cg_expect_buf_denied(i & 1 ? "DQBUF (blocking file)" :
				     "DQBUF (O_NONBLOCK file)",
				     r, errno, &b, &before);
		if (b.index != before.index)
			tap_diag("DQBUF: index %u reached the caller", b.index);
		tap_sleep_ms(gap_ms);
	}
}

/* Five polls, @gap_ms apart: POLLERR at once, never readiness. */
static inline void cg_attack_poll(int fd, unsigned int gap_ms)
{
	const short ready = POLLIN | POLLRDNORM | POLLPRI | POLLOUT | POLLWRNORM;
	struct pollfd p;
	long t0, dt;
	int i, r;

	for (i = 0; i < 5; i++) {
		p.fd = fd;
		p.events = POLLIN | POLLRDNORM | POLLPRI;
		p.revents = 0;
		t0 = tap_now_ms();
		r = poll(&p, 1, 3000);
		dt = tap_now_ms() - t0;
		CHECK(r == 1 && (p.revents & POLLERR),
		      "poll() returned %d, revents 0x%x; want POLLERR", r,
		      p.revents);
		CHECK(!(p.revents & ready),
		      "poll() reported readiness: revents 0x%x", p.revents);
		CHECK(dt < 1000, "poll() waited %ld ms", dt);
		tap_sleep_ms(gap_ms);
	}
}

#endif /* CAMGATE_TEST_ATTACKS_H */
