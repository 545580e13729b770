/* SPDX-License-Identifier: GPL-2.0 */
/*
 * holder.h - an owner's streaming session held in one process, and fd
 * passing over AF_UNIX, for the socket-layer and revocation tests.
 *
 * Include after camgate_test.h.
 */
#ifndef CAMGATE_HOLDER_H
#define CAMGATE_HOLDER_H

#include "camgate_test.h"

#include <setjmp.h>
#include <sys/socket.h>

struct cg_holder {
	int fd;			/* the node, opened by the owner */
	int dmabuf;		/* buffer 0 exported, or -1 */
	struct v4l2_format fmt;
	unsigned int nbufs;
	void *map[CG_MAXBUF];
	size_t len[CG_MAXBUF];
};

/*
 * Open the node (@flags: O_NONBLOCK or 0), set up vivid at @fps, map 4
 * buffers and queue @nqueue of them, export buffer 0, and STREAMON.  vivid
 * starts only with 2 buffers queued: with 0 a DQBUF blocks, with 1 a poll
 * blocks.  0 or -1 (diagnosed).
 */
static inline int cg_holder_open(struct cg_holder *h, int flags,
				 unsigned int fps, unsigned int nqueue)
{
	struct v4l2_requestbuffers rb = {
		.count = 4,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	struct v4l2_exportbuffer eb = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.flags = O_RDWR,
	};
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct v4l2_buffer b;
	unsigned int i;

	memset(h->map, 0, sizeof(h->map));
	h->dmabuf = -1;
	h->nbufs = 0;
	h->fd = cg_open(O_RDWR | flags);
	if (h->fd < 0 || cg_setup(h->fd, fps, &h->fmt, NULL))
		return -1;
	if (xioctl(h->fd, VIDIOC_REQBUFS, &rb) || rb.count < 2) {
		tap_diag("holder REQBUFS: %s", strerror(errno));
		return -1;
	}
	h->nbufs = rb.count > CG_MAXBUF ? CG_MAXBUF : rb.count;
	for (i = 0; i < h->nbufs; i++) {
		memset(&b, 0, sizeof(b));
		b.index = i;
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		if (xioctl(h->fd, VIDIOC_QUERYBUF, &b)) {
			tap_diag("holder QUERYBUF %u: %s", i, strerror(errno));
			return -1;
		}
		h->len[i] = b.length;
		h->map[i] = mmap(NULL, b.length, PROT_READ, MAP_SHARED, h->fd,
				 b.m.offset);
		if (h->map[i] == MAP_FAILED) {
			h->map[i] = NULL;
			tap_diag("holder mmap %u: %s", i, strerror(errno));
			return -1;
		}
		if (i < nqueue && xioctl(h->fd, VIDIOC_QBUF, &b)) {
			tap_diag("holder QBUF %u: %s", i, strerror(errno));
			return -1;
		}
	}
	eb.index = 0;
	if (xioctl(h->fd, VIDIOC_EXPBUF, &eb)) {
		tap_diag("holder EXPBUF: %s", strerror(errno));
		return -1;
	}
	h->dmabuf = eb.fd;
	if (xioctl(h->fd, VIDIOC_STREAMON, &type)) {
		tap_diag("holder STREAMON: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Dequeue one intact frame within @timeout_ms and queue it again: 0 or -1. */
static inline int cg_holder_frame(struct cg_holder *h, long timeout_ms)
{
	struct pollfd p = { .fd = h->fd, .events = POLLIN };
	struct v4l2_buffer b;
	char why[160];

	if (poll(&p, 1, timeout_ms) != 1 || !(p.revents & POLLIN)) {
		tap_diag("holder: no frame ready (revents 0x%x)", p.revents);
		return -1;
	}
	memset(&b, 0, sizeof(b));
	b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b.memory = V4L2_MEMORY_MMAP;
	if (xioctl(h->fd, VIDIOC_DQBUF, &b) || b.index >= h->nbufs) {
		tap_diag("holder DQBUF: %s", strerror(errno));
		return -1;
	}
	if (cg_check_frame(h->map[b.index], b.bytesused, &h->fmt.fmt.pix, why,
			   sizeof(why))) {
		tap_diag("holder: frame %u: %s", b.sequence, why);
		return -1;
	}
	return xioctl(h->fd, VIDIOC_QBUF, &b) ? -1 : 0;
}

static inline int cg_send_fd(int sock, int fd)
{
	char byte = 'F', ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

/*
 * Receive one message that carried a descriptor: the descriptor, or -1 when
 * none was installed (*@flags then tells MSG_CTRUNC), or -2 when recvmsg
 * itself failed.
 */
static inline int cg_recv_fd(int sock, int *flags)
{
	char byte, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -2;
	*flags = msg.msg_flags;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			memcpy(&fd, CMSG_DATA(c), sizeof(fd));
			return fd;
		}
	return -1;
}

/*
 * What cg_recv_fd() gave (@fd, @flags) when the sender's descriptor must
 * not arrive: none installed, MSG_CTRUNC set, the fd table as it was
 * (@before, cg_fd_count() before the receive).
 */
static inline void cg_expect_no_fd(int fd, int flags, int before)
{
	CHECK(fd == -1, "a descriptor (%d) was installed", fd);
	CHECK(flags & MSG_CTRUNC, "MSG_CTRUNC not set (flags 0x%x)", flags);
	CHECK(cg_fd_count() == before, "fd table grew from %d to %d", before,
	      cg_fd_count());
}

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/*
 * This process (root, who may ptrace anyone) takes descriptor @target of
 * process @pid with pidfd_getfd(): it must work when @control (an
 * unguarded file), and fail with EACCES otherwise.
 */
static inline void cg_expect_pidfd_getfd(pid_t pid, int target, bool control)
{
	int pidfd = syscall(SYS_pidfd_open, pid, 0), fd;

	if (!CHECK(pidfd >= 0, "pidfd_open: %s", strerror(errno)))
		return;
	errno = 0;
	fd = syscall(SYS_pidfd_getfd, pidfd, target, 0);
	if (control)
		CHECK(fd >= 0, "pidfd_getfd of an unguarded file: %s",
		      strerror(errno));
	else
		CHECK(fd == -1 && errno == EACCES,
		      "pidfd_getfd returned %d (%s); want -1, EACCES", fd,
		      strerror(errno));
	if (fd >= 0)
		close(fd);
	close(pidfd);
}

static sigjmp_buf cg_touch_env;

static inline void cg_touch_handler(int sig)
{
	siglongjmp(cg_touch_env, sig);
}

/*
 * Read one byte at @p in this process (a child would not even have the
 * mapping: guarded mappings are not inherited).  Return the signal the
 * read raised (SIGBUS or SIGSEGV), or 0 if the byte was readable; *@byte
 * gets it.
 */
static inline int cg_touch(const volatile unsigned char *p, unsigned char *byte)
{
	struct sigaction sa = { .sa_handler = cg_touch_handler }, obus, osegv;
	int sig;

	sigaction(SIGBUS, &sa, &obus);
	sigaction(SIGSEGV, &sa, &osegv);
	sig = sigsetjmp(cg_touch_env, 1);
	if (!sig)
		*byte = p[0];
	sigaction(SIGBUS, &obus, NULL);
	sigaction(SIGSEGV, &osegv, NULL);
	return sig;
}

#endif /* CAMGATE_HOLDER_H */
