/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cg_capture.h - one-shot capture by the owner (mmap, read, USERPTR, DMABUF,
 * EXPBUF), with a udmabuf maker.
 *
 * Part of camgate_test.h, which includes it: include that.
 */
#ifndef CAMGATE_TEST_CAPTURE_H
#define CAMGATE_TEST_CAPTURE_H

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

/*
 * Allocate @n page-aligned buffers of @size bytes in @mem[] and queue them
 * as USERPTR buffers 0..@n-1 of @fd (REQBUFS already made).  0, or -1
 * (diagnosed; what was allocated stays in @mem[], NULL past it).
 */
static inline int cg_userptr_queue(int fd, unsigned char **mem, unsigned int n,
				   size_t size)
{
	struct v4l2_buffer b;
	unsigned int i;

	for (i = 0; i < n; i++)
		mem[i] = NULL;
	for (i = 0; i < n; i++) {
		mem[i] = aligned_alloc(4096, (size + 4095) & ~(size_t)4095);
		if (!mem[i])
			return -1;
		memset(&b, 0, sizeof(b));
		b.index = i;
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_USERPTR;
		b.m.userptr = (unsigned long)mem[i];
		b.length = size;
		if (xioctl(fd, VIDIOC_QBUF, &b)) {
			tap_diag("QBUF USERPTR %u: %s", i, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Frames per second between the first and the last frame of a capture. */
static inline double cg_capture_fps(const struct cg_capture *c)
{
	if (c->got < 2 || c->last_ms <= c->first_ms)
		return 0;
	return (c->got - 1) * 1000.0 / (c->last_ms - c->first_ms);
}

#endif /* CAMGATE_TEST_CAPTURE_H */
