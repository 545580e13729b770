// SPDX-License-Identifier: GPL-2.0
/*
 * uvc-fds.c - a real uvcvideo camera: descriptors that travel and 32-bit
 * calls (issue 20 item 2, ATTACKS.md cases 3, 7, 10, 11 and 13 on
 * uvcvideo).
 *
 * The camera is the one uvc.c streams (cg_uvc.h): uvcdev behind vhci-hcd,
 * driven by the kernel's own uvcvideo.  As the owner, this program
 * exports a buffer of the UVC node as a dma-buf and sends it, and the
 * node's own descriptor, to another uid over a unix socket (neither is
 * installed) and to its own uid (both arrive and work: the controls);
 * root's pidfd_getfd() of the owner's UVC descriptor and dma-buf is
 * refused.  Then, while the owner streams on a file of its own, another
 * uid's 32-bit calls on the node (QUERYBUF, QBUF, DQBUF with a frame
 * ready, EXPBUF, and uvcvideo's own UVCIOC_CTRL_QUERY, which goes through
 * the driver's compat_ioctl32) are refused with the argument untouched,
 * while the owner's same calls reach the driver; and a child that
 * inherits the owner's streaming file across fork() and setuid gets no
 * buffer, frame or mapping through it.  The owner's frames are checked
 * against uvcdev's picture before and after.
 */
#include "tap.h"
#include "camgate_test.h"
#include "holder.h"
#include "sys32.h"
#include "cg_uvc.h"

#include <linux/uvcvideo.h>
#include <sys/syscall.h>

/* uvc_v4l2.c's 32-bit layout of struct uvc_xu_control_query. */
struct uvc_xu_control_query32 {
	__u8 unit, selector, query;
	__u16 size;
	__u32 data;
};
_Static_assert(sizeof(struct uvc_xu_control_query32) == 12,
	       "uvc_xu_control_query32");
#define UVCIOC_CTRL_QUERY32 _IOWR('u', 0x21, struct uvc_xu_control_query32)

/*
 * A unit uvcdev does not have (it has no extension unit at all): the
 * driver answers ENOENT, camgate EACCES, so the error tells which said no.
 */
#define NO_UNIT		0x42

static bool have_32;

static void cleanup(void)
{
	cg_uvc_restore();
}

/* The owner's UVC file with buffers queued and buffer 0 exported. */
struct owner_file {
	int fd, dmabuf;
	__u32 off[UVC_NBUFS], len[UVC_NBUFS];
};

static int owner_open(struct owner_file *o)
{
	struct v4l2_exportbuffer eb = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.index = 0,
		.flags = O_RDONLY | O_CLOEXEC,
	};

	o->dmabuf = -1;
	o->fd = uvc_open(UVC.dev, O_RDWR | O_NONBLOCK);
	if (o->fd < 0 || uvc_set_size(o->fd, 160, 120) ||
	    uvc_queue(o->fd, o->off, o->len) < 0)
		return -1;
	if (!CHECK(xioctl(o->fd, VIDIOC_EXPBUF, &eb) == 0,
		   "the owner's EXPBUF of buffer 0: %s", strerror(errno)))
		return -1;
	o->dmabuf = eb.fd;
	return 0;
}

/* ---- descriptors sent over a unix socket ---------------------------------- */

struct pass {
	int sock;		/* the receiver's end */
	bool dmabuf;		/* a dma-buf, not the node's descriptor */
	bool expect_fd;
	__u32 len;		/* the dma-buf's size */
};

static int receive(void *arg)
{
	struct pass *p = arg;
	int flags = 0, before = cg_fd_count(), fd;
	struct v4l2_capability cap;
	void *m;

	fd = cg_recv_fd(p->sock, &flags);
	if (!p->expect_fd) {
		cg_expect_no_fd(fd, flags, before);
		return tap_result();
	}
	if (!CHECK(fd >= 0, "no descriptor for the owner (%d, flags 0x%x)",
		   fd, flags))
		return tap_result();
	if (!p->dmabuf) {
		CHECK(xioctl(fd, VIDIOC_QUERYCAP, &cap) == 0,
		      "QUERYCAP on the received descriptor: %s",
		      strerror(errno));
		return tap_result();
	}
	m = mmap(NULL, p->len, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "the owner cannot map the received dma-buf: %s",
	      strerror(errno));
	if (m != MAP_FAILED)
		munmap(m, p->len);
	return tap_result();
}

/* As the owner: open the UVC node (and export a buffer), send one. */
static int send_one(void *arg)
{
	struct pass *p = arg;
	struct owner_file o;

	if (owner_open(&o))
		return TAP_FAIL;
	CHECK(cg_send_fd(p->sock, p->dmabuf ? o.dmabuf : o.fd) == 0,
	      "sendmsg(SCM_RIGHTS): %s", strerror(errno));
	return tap_result();
}

static int pass_to(uid_t to, bool dmabuf, bool expect_fd)
{
	struct pass p = { .dmabuf = dmabuf, .expect_fd = expect_fd };
	struct pass s = { .dmabuf = dmabuf };
	int sv[2], sent, got;
	pid_t rx;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return TAP_FAIL;
	p.sock = sv[1];
	s.sock = sv[0];
	/* uvc_set_size(160, 120): YUYV, page-aligned, the dma-buf's size */
	p.len = 160 * 120 * 2;
	rx = cg_spawn(to, receive, &p);
	sent = cg_run_as(cg.owner, send_one, &s, 5000);
	got = cg_wait(rx, 5000);
	close(sv[0]);
	close(sv[1]);
	CHECK(sent == TAP_PASS, "the owner could not send its descriptor");
	CHECK(got == TAP_PASS, "the receiver, uid %u: see above", to);
	return tap_result();
}

static int pass_node_other(void *arg)
{
	(void)arg;
	return pass_to(cg.other, false, false);
}

static int pass_node_owner(void *arg)
{
	(void)arg;
	return pass_to(cg.owner, false, true);
}

static int pass_dmabuf_other(void *arg)
{
	(void)arg;
	return pass_to(cg.other, true, false);
}

static int pass_dmabuf_owner(void *arg)
{
	(void)arg;
	return pass_to(cg.owner, true, true);
}

/* ---- pidfd_getfd(): root takes the owner's descriptors ---------------------- */

/* @arg: 0 the UVC node's descriptor, 1 its dma-buf, 2 a pipe (control). */
static int steal(void *arg)
{
	int which = *(int *)arg, sv[2], pipefd[2], target = -1;
	struct owner_file o;
	char ready;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || pipe(pipefd))
		return TAP_FAIL;
	pid = fork();
	if (pid == 0) {
		int res = TAP_PASS;

		if (cg_become(cg.owner) || owner_open(&o))
			res = TAP_FAIL;
		else
			target = which == 0 ? o.fd : which == 1 ? o.dmabuf :
				 pipefd[0];
		if (write(sv[1], &target, sizeof(target)) != sizeof(target))
			res = TAP_FAIL;
		if (read(sv[1], &ready, 1) != 1)	/* until the thief is done */
			res = TAP_FAIL;
		_exit(res);
	}
	if (read(sv[0], &target, sizeof(target)) != sizeof(target) ||
	    !CHECK(target >= 0, "the owner has no descriptor to take")) {
		kill(pid, SIGKILL);
		cg_wait(pid, 5000);
		return TAP_FAIL;
	}
	cg_expect_pidfd_getfd(pid, target, which == 2);	/* 2: a pipe */
	if (write(sv[0], "x", 1) != 1)
		tap_diag("cannot tell the owner to end: %s", strerror(errno));
	CHECK(cg_wait(pid, 10000) == TAP_PASS, "the owner's side failed");
	close(sv[0]);
	close(sv[1]);
	close(pipefd[0]);
	close(pipefd[1]);
	return tap_result();
}

/* ---- the owner streams: 32-bit calls and an inherited file ------------------- */

/* Another uid's own file on the node, while @s streams. */
static int compat_other(const struct uvc_owner *s)
{
	struct buffer32 *b = low_page();
	struct v4l2_exportbuffer *eb = (void *)b;
	struct uvc_xu_control_query32 *q32 = (void *)b;
	struct uvc_xu_control_query q, qbefore;
	int fd, i, r;

	if (!b)
		return TAP_FAIL;
	fd = uvc_open(UVC.dev, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	for (i = 0; i < s->n; i++) {
		memset(b, CG_POISON, sizeof(*b));
		b->index = i;
		b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b->memory = V4L2_MEMORY_MMAP;
		ioctl32_denied(fd, "32-bit QUERYBUF32", VIDIOC_QUERYBUF32, b,
			 sizeof(*b));
		ioctl32_denied(fd, "32-bit QUERYBUF32_TIME32",
			 VIDIOC_QUERYBUF32_TIME32, b,
			 sizeof(struct buffer32_time32));
		ioctl32_denied(fd, "32-bit QBUF32", VIDIOC_QBUF32, b, sizeof(*b));
	}
	memset(b, CG_POISON, sizeof(*b));
	b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b->memory = V4L2_MEMORY_MMAP;
	ioctl32_denied(fd, "32-bit DQBUF32 (a frame is ready)", VIDIOC_DQBUF32, b,
		 sizeof(*b));
	memset(eb, 0, sizeof(*eb));
	eb->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	eb->fd = -1;
	ioctl32_denied(fd, "32-bit EXPBUF of buffer 0", VIDIOC_EXPBUF, eb,
		 sizeof(*eb));

	/* uvcvideo's own ioctl, native and through its compat_ioctl32 */
	memset(&q, 0, sizeof(q));
	q.unit = NO_UNIT;
	q.selector = 1;
	q.query = 0x81;		/* UVC_GET_CUR */
	qbefore = q;
	r = xioctl(fd, UVCIOC_CTRL_QUERY, &q);
	cg_expect_denied("UVCIOC_CTRL_QUERY", r, errno, &q, &qbefore,
			 sizeof(q));
	memset(q32, 0, sizeof(*q32));
	q32->unit = NO_UNIT;
	q32->selector = 1;
	q32->query = 0x81;
	ioctl32_denied(fd, "32-bit UVCIOC_CTRL_QUERY32", UVCIOC_CTRL_QUERY32, q32,
		 sizeof(*q32));
	close(fd);
	return tap_result();
}

/* The owner's same calls reach uvcvideo (the controls). */
static void compat_owner(const struct uvc_owner *s)
{
	struct buffer32 *b = low_page();
	struct uvc_xu_control_query32 *q32 = (void *)b;
	struct uvc_xu_control_query q;
	int r;

	if (!CHECK(b != NULL, "no low page"))
		return;
	memset(b, 0, sizeof(*b));
	b->index = 0;
	b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b->memory = V4L2_MEMORY_MMAP;
	r = ioctl32(s->fd, VIDIOC_QUERYBUF32, b);
	CHECK(r == 0 && b->m == s->off[0] && b->length == s->len[0],
	      "the owner's 32-bit QUERYBUF32: %d (%s), offset 0x%x length %u; want 0x%x, %u",
	      r, r < 0 ? strerror(-r) : "-", b->m, b->length, s->off[0],
	      s->len[0]);
	memset(&q, 0, sizeof(q));
	q.unit = NO_UNIT;
	q.selector = 1;
	q.query = 0x81;
	r = xioctl(s->fd, UVCIOC_CTRL_QUERY, &q);
	CHECK(r == -1 && errno == ENOENT,
	      "the owner's UVCIOC_CTRL_QUERY of unit 0x%x: %d (%s), want uvcvideo's ENOENT",
	      NO_UNIT, r, strerror(errno));
	memset(q32, 0, sizeof(*q32));
	q32->unit = NO_UNIT;
	q32->selector = 1;
	q32->query = 0x81;
	r = ioctl32(s->fd, UVCIOC_CTRL_QUERY32, q32);
	CHECK(r == -ENOENT,
	      "the owner's 32-bit UVCIOC_CTRL_QUERY32 of unit 0x%x: %d (%s), want uvcvideo's ENOENT",
	      NO_UNIT, r, r < 0 ? strerror(-r) : "-");
}

static int compat(void *arg)
{
	struct uvc_owner s;
	pid_t pid;

	(void)arg;
	if (!have_32)
		return tap_skip(NO32_REASON);
	if (uvc_owner_start(&s))
		return TAP_FAIL;
	uvc_owner_frames(&s, 3, "before");
	pid = fork();
	if (pid == 0) {
		tap.case_failed = false;
		if (setresuid(-1, 0, -1) || cg_become(cg.other))
			_exit(TAP_FAIL);
		_exit(compat_other(&s));
	}
	CHECK(cg_wait(pid, 20000) == TAP_PASS,
	      "uid %u's 32-bit calls: see above", cg.other);
	compat_owner(&s);
	uvc_owner_frames(&s, 3, "after");
	uvc_owner_stop(&s);
	return tap_result();
}

/*
 * A child forks off the owner's streaming process and drops to the other
 * uid for good: the streaming file it inherited gives no buffer, frame or
 * mapping; the owner streams on.
 */
static int inherit(void *arg)
{
	struct uvc_owner s;
	struct v4l2_buffer b, before;
	pid_t pid;
	void *m;
	int r;

	(void)arg;
	if (uvc_owner_start(&s))
		return TAP_FAIL;
	pid = fork();
	if (pid == 0) {
		tap.case_failed = false;
		/* root again (the saved uid), then the other uid for good */
		if (setresuid(-1, 0, -1) || cg_become(cg.other))
			_exit(TAP_FAIL);
		cg_buf_poison(&b, V4L2_MEMORY_MMAP, 0);
		before = b;
		r = xioctl(s.fd, VIDIOC_QUERYBUF, &b);
		cg_expect_buf_denied("QUERYBUF on the inherited file", r, errno,
				     &b, &before);
		cg_buf_poison(&b, V4L2_MEMORY_MMAP, CG_POISON32);
		before = b;
		r = xioctl(s.fd, VIDIOC_DQBUF, &b);
		cg_expect_buf_denied("DQBUF on the inherited file (a frame is ready)",
				     r, errno, &b, &before);
		m = mmap(NULL, s.len[0], PROT_READ, MAP_SHARED, s.fd, s.off[0]);
		CHECK(m == MAP_FAILED && errno == EACCES,
		      "mmap of buffer 0 through the inherited file: %s, want EACCES",
		      m == MAP_FAILED ? strerror(errno) : "mapped");
		_exit(tap.case_failed ? TAP_FAIL : TAP_PASS);
	}
	CHECK(cg_wait(pid, 5000) == TAP_PASS,
	      "the child, now uid %u, got something through the inherited file",
	      cg.other);
	uvc_owner_frames(&s, 3, "after the child");
	uvc_owner_stop(&s);
	return tap_result();
}

int main(void)
{
	static int node = 0, dmabuf = 1, pipe_control = 2;

	tap_plan(9, 50);
	cg_env_load();
	tap_set_cleanup(cleanup);
	cg_uvc_env();
	cg_uvc_restore();
	have_32 = !UVC.skip && probe_int80();

	UVC_RUN(pass_node_other, 10,
		"10: the owner's UVC descriptor sent to another uid (SCM_RIGHTS) is not installed");
	UVC_RUN(pass_node_owner, 10,
		"10: the same descriptor sent to the owner's own process arrives (control)");
	UVC_RUN(pass_dmabuf_other, 10,
		"11: a dma-buf the owner exported from the UVC node, sent to another uid, is not installed");
	UVC_RUN(pass_dmabuf_owner, 10,
		"11: the same dma-buf sent to the owner's own process arrives and maps (control)");
	tap_run(UVC.skip ? uvc_skip_case : steal, &node, 10,
		"10: root's pidfd_getfd() of the owner's UVC descriptor: EACCES");
	tap_run(UVC.skip ? uvc_skip_case : steal, &dmabuf, 10,
		"10: root's pidfd_getfd() of the owner's UVC dma-buf: EACCES");
	tap_run(UVC.skip ? uvc_skip_case : steal, &pipe_control, 10,
		"10: root's pidfd_getfd() of the owner's pipe works (control)");
	UVC_RUN(compat, 40,
		"3, 7: 32-bit QUERYBUF, QBUF, DQBUF, EXPBUF and UVCIOC_CTRL_QUERY of another uid on the streaming UVC node are refused, argument untouched; the owner's reach uvcvideo, its frames intact");
	UVC_RUN(inherit, 25,
		"13: the owner's streaming file inherited across fork() and setuid gives no buffer, frame or mapping; the owner streams on");
	cleanup();
	return tap_finish();
}
