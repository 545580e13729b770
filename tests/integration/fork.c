// SPDX-License-Identifier: GPL-2.0
/*
 * fork.c - the owner's children and threads keep streaming (ATTACKS.md
 * case 12).
 *
 * A capability is bound to the open file and checked against the caller's
 * credentials at each use, so a child or thread of the owner that keeps
 * the owner's credentials must stream exactly as the owner does: on an
 * inherited file, across fork() after mmap (the child maps the buffers
 * itself: camgate does not let mappings cross fork()), in the
 * v4l2-compliance pattern where one child blocks in DQBUF and another's
 * STREAMOFF wakes it, after execve() of a program that keeps the
 * credentials, and from a second thread.
 */
#include "tap.h"
#include "camgate_test.h"

#include <pthread.h>

static char self[PATH_MAX];

/* The owner's buffers on one file. */
struct mm {
	int fd;
	struct v4l2_format fmt;
	struct v4l2_streamparm saved;
	unsigned int n;
	__u32 off[CG_MAXBUF], len[CG_MAXBUF];
	void *map[CG_MAXBUF];
	char why[200];
};

static int mm_open(struct mm *m, int flags)
{
	memset(m, 0, sizeof(*m));
	m->fd = cg_open(flags);
	if (m->fd < 0 || cg_setup(m->fd, 30, &m->fmt, &m->saved))
		return -1;
	return 0;
}

/* REQBUFS, QUERYBUF, and (if @map) mmap, poison and QBUF every buffer. */
static int mm_alloc(struct mm *m, bool map)
{
	struct v4l2_requestbuffers rb;
	struct v4l2_buffer b;
	unsigned int i;

	memset(&rb, 0, sizeof(rb));
	rb.count = 4;
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_MMAP;
	if (!CHECK(xioctl(m->fd, VIDIOC_REQBUFS, &rb) == 0 && rb.count >= 2,
		   "REQBUFS: %s (count %u)", strerror(errno), rb.count))
		return -1;
	m->n = rb.count > CG_MAXBUF ? CG_MAXBUF : rb.count;
	for (i = 0; i < m->n; i++) {
		memset(&b, 0, sizeof(b));
		b.index = i;
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		if (!CHECK(xioctl(m->fd, VIDIOC_QUERYBUF, &b) == 0,
			   "QUERYBUF %u: %s", i, strerror(errno)))
			return -1;
		m->off[i] = b.m.offset;
		m->len[i] = b.length;
		if (!map)
			continue;
		m->map[i] = mmap(NULL, b.length, PROT_READ | PROT_WRITE,
				 MAP_SHARED, m->fd, b.m.offset);
		if (!CHECK(m->map[i] != MAP_FAILED, "mmap %u: %s", i,
			   strerror(errno)))
			return -1;
		memset(m->map[i], CG_POISON, b.length);
		if (!CHECK(xioctl(m->fd, VIDIOC_QBUF, &b) == 0, "QBUF %u: %s",
			   i, strerror(errno)))
			return -1;
	}
	return 0;
}

/*
 * Dequeue @frames frames, check each and queue it again.  With @own_maps
 * false the caller maps each buffer itself, as a forked child must.
 */
static int mm_take(struct mm *m, unsigned int frames, bool own_maps,
		   const char *who)
{
	unsigned int got = 0;
	char why[160];

	while (got < frames) {
		struct pollfd p = { .fd = m->fd, .events = POLLIN };
		struct v4l2_buffer b;
		void *map;

		if (!CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLIN),
			   "%s: no frame in 5 s (revents 0x%x)", who,
			   p.revents))
			return -1;
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		if (xioctl(m->fd, VIDIOC_DQBUF, &b)) {
			if (errno == EAGAIN)
				continue;
			CHECK(false, "%s: DQBUF: %s", who, strerror(errno));
			return -1;
		}
		if (!CHECK(b.index < m->n, "%s: DQBUF index %u", who, b.index))
			return -1;
		if (own_maps) {
			map = m->map[b.index];
		} else {
			map = mmap(NULL, m->len[b.index],
				   PROT_READ | PROT_WRITE, MAP_SHARED, m->fd,
				   m->off[b.index]);
			if (!CHECK(map != MAP_FAILED,
				   "%s: mmap of buffer %u on the inherited file: %s",
				   who, b.index, strerror(errno)))
				return -1;
		}
		if (!CHECK(!cg_check_frame(map, b.bytesused, &m->fmt.fmt.pix,
					   why, sizeof(why)),
			   "%s: frame %u: %s", who, b.sequence, why))
			return -1;
		memset(map, CG_POISON, m->len[b.index]);
		if (!own_maps)
			munmap(map, m->len[b.index]);
		if (!CHECK(xioctl(m->fd, VIDIOC_QBUF, &b) == 0, "%s: QBUF: %s",
			   who, strerror(errno)))
			return -1;
		got++;
	}
	return 0;
}

static int mm_streamon(struct mm *m)
{
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	return CHECK(xioctl(m->fd, VIDIOC_STREAMON, &type) == 0,
		     "STREAMON: %s", strerror(errno)) ? 0 : -1;
}

static void mm_close(struct mm *m)
{
	struct v4l2_requestbuffers rb;
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	unsigned int i;

	CHECK(xioctl(m->fd, VIDIOC_STREAMOFF, &type) == 0, "STREAMOFF: %s",
	      strerror(errno));
	for (i = 0; i < m->n; i++)
		if (m->map[i] && m->map[i] != MAP_FAILED)
			munmap(m->map[i], m->len[i]);
	memset(&rb, 0, sizeof(rb));
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_MMAP;
	CHECK(xioctl(m->fd, VIDIOC_REQBUFS, &rb) == 0, "REQBUFS 0: %s",
	      strerror(errno));
	cg_restore_parm(m->fd, &m->saved);
	close(m->fd);
}

/* Run @fn in a child of this (owner) process; its exit status. */
static int child(int (*fn)(void *), void *arg, long timeout_ms)
{
	return cg_wait(cg_spawn(0, fn, arg), timeout_ms);
}

/* ---- 1: a child streams on the inherited file ---------------------------------- */

static int child_streams(void *arg)
{
	struct mm *m = arg;

	CHECK(getuid() == cg.owner, "child runs as uid %u", getuid());
	if (mm_alloc(m, true) || mm_streamon(m) ||
	    mm_take(m, 5, true, "child"))
		return TAP_FAIL;
	mm_close(m);
	return tap_result();
}

static int inherited_file(void *arg)
{
	struct cg_capture c = { .memory = V4L2_MEMORY_MMAP, .frames = 2 };
	struct mm m;

	(void)arg;
	if (cg_become(cg.owner) || mm_open(&m, O_RDWR | O_NONBLOCK))
		return TAP_FAIL;
	CHECK(child(child_streams, &m, 15000) == TAP_PASS,
	      "the owner's child could not stream on the inherited file");
	/* The parent's file works on after the child is gone. */
	CHECK(cg_capture_run(m.fd, &m.fmt.fmt.pix, &c) == 0,
	      "the parent, after its child: %s", c.why);
	cg_restore_parm(m.fd, &m.saved);
	close(m.fd);
	return tap_result();
}

/* ---- 2: fork after mmap while streaming ------------------------------------------ */

static int child_takes(void *arg)
{
	return mm_take(arg, 3, false, "child") ? TAP_FAIL : tap_result();
}

static int fork_after_mmap(void *arg)
{
	struct mm m;

	(void)arg;
	if (cg_become(cg.owner) || mm_open(&m, O_RDWR | O_NONBLOCK) ||
	    mm_alloc(&m, true) || mm_streamon(&m) ||
	    mm_take(&m, 2, true, "parent before fork"))
		return TAP_FAIL;
	CHECK(child(child_takes, &m, 10000) == TAP_PASS,
	      "the owner's forked child could not dequeue and map frames");
	mm_take(&m, 3, true, "parent after the child");
	mm_close(&m);
	return tap_result();
}

/* ---- 3: blocking DQBUF in one child, STREAMOFF in another ------------------- */

static int blocked_dqbuf(void *arg)
{
	struct mm *m = arg;
	struct v4l2_buffer b;
	int r;

	memset(&b, 0, sizeof(b));
	b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b.memory = V4L2_MEMORY_MMAP;
	r = xioctl(m->fd, VIDIOC_DQBUF, &b);
	/* Woken by STREAMOFF: the queue stopped, no buffer. */
	CHECK(r == -1 && (errno == EINVAL || errno == EPIPE),
	      "blocked DQBUF ended with %d (%s), want EINVAL after STREAMOFF",
	      r, r ? strerror(errno) : "a buffer");
	return tap_result();
}

static int child_streamoff(void *arg)
{
	struct mm *m = arg;
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	CHECK(xioctl(m->fd, VIDIOC_STREAMOFF, &type) == 0,
	      "child STREAMOFF: %s", strerror(errno));
	return tap_result();
}

static int blocking_pattern(void *arg)
{
	struct mm m;
	pid_t a;
	int status;

	(void)arg;
	if (cg_become(cg.owner) || mm_open(&m, O_RDWR) || mm_alloc(&m, false) ||
	    mm_streamon(&m))
		return TAP_FAIL;
	a = cg_spawn(0, blocked_dqbuf, &m);
	tap_sleep_ms(300);
	CHECK(waitpid(a, &status, WNOHANG) == 0,
	      "the child's DQBUF did not block (nothing was queued)");
	CHECK(child(child_streamoff, &m, 2000) == TAP_PASS,
	      "the second child's STREAMOFF did not complete in 2 s");
	CHECK(cg_wait(a, 3000) == TAP_PASS,
	      "the blocked child was not woken correctly by STREAMOFF");
	mm_close(&m);
	return tap_result();
}

/* ---- 4: execve keeping the credentials ------------------------------------------- */

static int exec_child_main(int fd)
{
	struct cg_capture c = { .memory = V4L2_MEMORY_MMAP, .frames = 3 };
	struct v4l2_format fmt;

	memset(&fmt, 0, sizeof(fmt));
	fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (!CHECK(xioctl(fd, VIDIOC_G_FMT, &fmt) == 0,
		   "exec'd G_FMT on fd %d: %s", fd, strerror(errno)))
		return TAP_FAIL;
	CHECK(cg_capture_run(fd, &fmt.fmt.pix, &c) == 0,
	      "exec'd program streaming on the inherited fd: %s", c.why);
	return tap_result();
}

static int exec_keep(void *arg)
{
	char fdstr[16];
	pid_t pid;
	struct mm m;
	int res;

	(void)arg;
	if (cg_become(cg.owner) || mm_open(&m, O_RDWR | O_NONBLOCK))
		return TAP_FAIL;
	snprintf(fdstr, sizeof(fdstr), "%d", m.fd);
	pid = fork();
	if (pid == 0) {
		execl(self, self, "--exec-child", fdstr, (char *)NULL);
		if (errno == EACCES || errno == EPERM)
			_exit(tap_skip("uid %u may not execute %s: %s",
				       cg.owner, self, strerror(errno)));
		tap_diag("execl %s: %s", self, strerror(errno));
		_exit(TAP_FAIL);
	}
	res = cg_wait(pid, 15000);
	if (res == TAP_SKIP)
		return TAP_SKIP;
	CHECK(res == TAP_PASS, "the exec'd owner program failed (status %d)",
	      res);
	cg_restore_parm(m.fd, &m.saved);
	close(m.fd);
	return tap_result();
}

/* ---- 5: a second thread ------------------------------------------------------------ */

static void *thread_takes(void *arg)
{
	struct mm *m = arg;

	return (void *)(long)mm_take(m, 3, true, "thread");
}

static int second_thread(void *arg)
{
	pthread_t t;
	void *res = (void *)-1L;
	struct mm m;

	(void)arg;
	if (cg_become(cg.owner) || mm_open(&m, O_RDWR | O_NONBLOCK) ||
	    mm_alloc(&m, true) || mm_streamon(&m))
		return TAP_FAIL;
	if (!CHECK(pthread_create(&t, NULL, thread_takes, &m) == 0,
		   "pthread_create"))
		return TAP_FAIL;
	pthread_join(t, &res);
	CHECK(!res, "the second thread could not stream");
	mm_take(&m, 2, true, "main thread after the other");
	mm_close(&m);
	return tap_result();
}

int main(int argc, char **argv)
{
	ssize_t n;

	if (argc == 3 && !strcmp(argv[1], "--exec-child")) {
		cg_env_load();
		return exec_child_main(atoi(argv[2]));
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0)
		self[n] = '\0';
	else
		snprintf(self, sizeof(self), "%s", argv[0]);

	tap_plan(5, 50);
	cg_env_load();

	tap_run(inherited_file, NULL, 20,
		"12: the owner's child (same credentials) streams on the inherited file; the parent's file works on");
	tap_run(fork_after_mmap, NULL, 15,
		"12: the owner forks while streaming: the child dequeues, maps and checks frames; the parent goes on");
	tap_run(blocking_pattern, NULL, 15,
		"12: one child blocks in DQBUF, another child's STREAMOFF wakes it (v4l2-compliance pattern)");
	tap_run(exec_keep, NULL, 20,
		"12: the owner execs a program that keeps its credentials; it streams on the inherited fd");
	tap_run(second_thread, NULL, 15,
		"12: a second thread of the owner streams on the shared file");
	return tap_finish();
}
