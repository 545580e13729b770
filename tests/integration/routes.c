// SPDX-License-Identifier: GPL-2.0
/*
 * Routes around the credential check (issue 16, items 1-3):
 *
 * - io_uring: a ring keeps the credential of the moment it was set up (an
 *   SQPOLL thread, io-wq workers) or of the moment a personality was
 *   registered.  A process that was the owner and then dropped to another
 *   uid must read no frame through them; the owner's plain rings, io-wq
 *   reads and registered files keep working.
 * - poll registrations: an epoll registration made while allowed must not
 *   wake at the frames that follow a revocation (EPOLLET: a frame clock).
 * - fsnotify: another uid watching the node with inotify must not see the
 *   owner's open, read and close.
 * - mappings and credential changes (item 4): a process that mapped the
 *   buffers as the owner loses the mapping when it drops to another uid,
 *   and so does a child that got it through MADV_DOFORK; a change that
 *   keeps the match keeps it.
 *
 * Needs root (to revoke, and to drop from the owner to another uid).
 */
#include "tap.h"
#include "camgate_test.h"
#include "holder.h"

#include <linux/io_uring.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/syscall.h>

/* ---- a ring without liburing ------------------------------------------- */

struct ring {
	int fd;
	unsigned int *sq_head, *sq_tail, *sq_mask, *sq_array, *sq_flags;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	unsigned int setup_flags;
};

static int ring_init(struct ring *r, unsigned int flags)
{
	struct io_uring_params p;
	void *sq, *cq;
	size_t sqlen, cqlen;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	p.sq_thread_idle = 2000;
	r->setup_flags = flags;
	r->fd = syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return -1;
	sqlen = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	cqlen = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	sq = mmap(NULL, sqlen, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		  r->fd, IORING_OFF_SQ_RING);
	cq = mmap(NULL, cqlen, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		  r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		       IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED) {
		tap_diag("io_uring mmap: %s", strerror(errno));
		close(r->fd);
		return -1;
	}
	r->sq_head = (unsigned int *)((char *)sq + p.sq_off.head);
	r->sq_tail = (unsigned int *)((char *)sq + p.sq_off.tail);
	r->sq_mask = (unsigned int *)((char *)sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)((char *)sq + p.sq_off.array);
	r->sq_flags = (unsigned int *)((char *)sq + p.sq_off.flags);
	r->cq_head = (unsigned int *)((char *)cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)((char *)cq + p.cq_off.tail);
	r->cq_mask = (unsigned int *)((char *)cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)((char *)cq + p.cq_off.cqes);
	return 0;
}

/*
 * One read of @len bytes into @buf from @fd (a registered file's index
 * with @fixed), with @personality (0: none); its result, or -ETIME when no
 * completion came within @timeout_ms.
 */
static int ring_read(struct ring *r, int fd, bool fixed, void *buf,
		     unsigned int len, unsigned short personality,
		     long timeout_ms)
{
	long deadline = tap_now_ms() + timeout_ms;
	unsigned int tail = *r->sq_tail, head, enter = IORING_ENTER_GETEVENTS;
	unsigned int idx = tail & *r->sq_mask;
	struct io_uring_sqe *sqe = &r->sqes[idx];
	int res;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_READ;
	sqe->fd = fd;
	sqe->flags = fixed ? IOSQE_FIXED_FILE : 0;
	sqe->addr = (unsigned long)buf;
	sqe->len = len;
	sqe->personality = personality;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if ((r->setup_flags & IORING_SETUP_SQPOLL) &&
	    (__atomic_load_n(r->sq_flags, __ATOMIC_ACQUIRE) & IORING_SQ_NEED_WAKEUP))
		enter |= IORING_ENTER_SQ_WAKEUP;
	if (syscall(__NR_io_uring_enter, r->fd,
		    (r->setup_flags & IORING_SETUP_SQPOLL) ? 0 : 1, 0, enter,
		    NULL, 0) < 0)
		return -errno;
	for (;;) {
		head = *r->cq_head;
		if (head != __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
			break;
		if (tap_now_ms() > deadline)
			return -ETIME;
		tap_sleep_ms(2);
	}
	res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

/* The owner's node, set up for read(): one frame per read. */
static int open_for_read(struct v4l2_format *fmt)
{
	long deadline = tap_now_ms() + 5000;
	int fd = cg_open(O_RDWR);

	/*
	 * A ring's files are put after the ring is gone, asynchronously: the
	 * previous case's queue may still be busy for a moment.
	 */
	while (fd >= 0 && cg_setup(fd, 30, fmt, NULL)) {
		if (errno != EBUSY || tap_now_ms() > deadline) {
			close(fd);
			return -1;
		}
		tap_sleep_ms(50);
	}
	return fd;
}

/* Owner now, root in the saved uid: can drop to another uid later. */
static int become_owner_for_now(void)
{
	if (setresgid(cg.owner, cg.owner, 0) || setresuid(cg.owner, cg.owner, 0)) {
		tap_diag("setresuid(%u, %u, 0): %s", cg.owner, cg.owner, strerror(errno));
		return -1;
	}
	return 0;
}

static int drop_to_other(void)
{
	if (setresuid(-1, 0, -1) || setgroups(0, NULL) ||
	    setresgid(cg.other, cg.other, cg.other) ||
	    setresuid(cg.other, cg.other, cg.other)) {
		tap_diag("cannot drop to uid %u: %s", cg.other, strerror(errno));
		return -1;
	}
	return 0;
}

static bool no_io_uring(struct ring *r, unsigned int flags, char *why, size_t len)
{
	if (ring_init(r, flags) == 0)
		return false;
	snprintf(why, len, "io_uring_setup(%s): %s",
		 flags & IORING_SETUP_SQPOLL ? "SQPOLL" : "plain", strerror(errno));
	return true;
}

/* The owner's normal use: a plain ring (io-wq), and a registered file. */
static int uring_owner(void *arg __attribute__((unused)))
{
	struct v4l2_format fmt;
	struct ring r;
	char why[160];
	void *buf;
	int fd, res;

	if (cg_become(cg.owner))
		return TAP_FAIL;
	if (no_io_uring(&r, 0, why, sizeof(why)))
		return tap_skip("%s", why);
	fd = open_for_read(&fmt);
	if (!CHECK(fd >= 0, "the owner cannot open the node"))
		return tap_result();
	buf = malloc(fmt.fmt.pix.sizeimage);
	res = ring_read(&r, fd, false, buf, fmt.fmt.pix.sizeimage, 0, 5000);
	CHECK(res > 0, "the owner's io_uring read: %s", strerror(-res));
	if (res > 0) {
		char msg[160];

		CHECK(cg_check_frame(buf, res, &fmt.fmt.pix, msg, sizeof(msg)) == 0,
		      "the owner's io_uring frame: %s", msg);
	}
	CHECK(syscall(__NR_io_uring_register, r.fd, IORING_REGISTER_FILES, &fd, 1) == 0,
	      "IORING_REGISTER_FILES: %s", strerror(errno));
	res = ring_read(&r, 0, true, buf, fmt.fmt.pix.sizeimage, 0, 5000);
	CHECK(res > 0, "the owner's io_uring read of a registered file: %s",
	      strerror(-res));
	free(buf);
	close(fd);
	close(r.fd);
	return tap_result();
}

/*
 * The owner sets up a ring (and with @personality registers its own
 * credential on it) and reads a frame through it, then drops to another uid
 * and reads again: refused.  @flags: the ring's set-up flags.
 */
static int uring_drop(unsigned int flags, bool personality)
{
	struct v4l2_format fmt;
	unsigned short id = 0;
	struct ring r;
	char why[160];
	void *buf;
	int fd, res;

	if (become_owner_for_now())
		return TAP_FAIL;
	if (no_io_uring(&r, flags, why, sizeof(why)))
		return tap_skip("%s", why);
	fd = open_for_read(&fmt);
	if (!CHECK(fd >= 0, "the owner cannot open the node"))
		return tap_result();
	buf = malloc(fmt.fmt.pix.sizeimage);
	if (personality) {
		res = syscall(__NR_io_uring_register, r.fd,
			      IORING_REGISTER_PERSONALITY, NULL, 0);
		if (!CHECK(res > 0, "IORING_REGISTER_PERSONALITY: %s", strerror(errno)))
			return tap_result();
		id = res;
	}
	if (!(flags & IORING_SETUP_SQPOLL)) {
		/* The control: the owner reads, and io-wq has a worker. */
		res = ring_read(&r, fd, false, buf, fmt.fmt.pix.sizeimage, id, 5000);
		CHECK(res > 0, "the owner's read through the ring: %s", strerror(-res));
	}
	if (drop_to_other())
		return TAP_FAIL;
	res = ring_read(&r, fd, false, buf, fmt.fmt.pix.sizeimage, id, 5000);
	CHECK(res == -EACCES,
	      "uid %u (was the owner) read through the ring%s: %d (%s), expected EACCES",
	      cg.other, personality ? " with the owner's personality" : "", res,
	      res > 0 ? "a frame" : strerror(-res));
	free(buf);
	return tap_result();
}

static int uring_personality(void *arg __attribute__((unused)))
{
	return uring_drop(0, true);
}

static int uring_plain_drop(void *arg __attribute__((unused)))
{
	return uring_drop(0, false);
}

static int uring_sqpoll_drop(void *arg __attribute__((unused)))
{
	return uring_drop(IORING_SETUP_SQPOLL, false);
}

/* SQPOLL: the submitter cannot be known, so even the owner is refused. */
static int uring_sqpoll(void *arg __attribute__((unused)))
{
	struct v4l2_format fmt;
	struct ring r;
	char why[160];
	void *buf;
	int fd, res;

	if (cg_become(cg.owner))
		return TAP_FAIL;
	if (no_io_uring(&r, IORING_SETUP_SQPOLL, why, sizeof(why)))
		return tap_skip("%s", why);
	fd = open_for_read(&fmt);
	if (!CHECK(fd >= 0, "the owner cannot open the node"))
		return tap_result();
	buf = malloc(fmt.fmt.pix.sizeimage);
	res = ring_read(&r, fd, false, buf, fmt.fmt.pix.sizeimage, 0, 5000);
	CHECK(res == -EACCES, "a read through an SQPOLL ring: %d (%s), expected EACCES",
	      res, res > 0 ? "a frame" : strerror(-res));
	free(buf);
	return tap_result();
}

/* ---- poll registrations after a revocation ------------------------------ */

/*
 * @arg NULL: the registration is on vb2's queue (EPOLLIN).  Otherwise on
 * the file's event queue (EPOLLPRI only: vb2 then does not register on the
 * queue), subscribed to control events of vivid's "Read-Only Integer 32
 * Bits", which vivid sets to each frame's sequence number.
 */
static int poll_after_revoke(void *arg)
{
	bool events_only = arg != NULL;
	struct epoll_event ev = {
		.events = (events_only ? EPOLLPRI : EPOLLIN) | EPOLLET,
	};
	struct cg_stream s = { 0 };
	int ep, fd, n, events = 0, sv[2];
	unsigned int from;
	pid_t pid;
	long end;
	char x;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return TAP_FAIL;
	pid = fork();
	if (pid == 0) {
		struct v4l2_requestbuffers rb = {
			.count = 2,
			.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			.memory = V4L2_MEMORY_MMAP,
		};
		struct v4l2_format fmt;
		int q;

		/*
		 * The old holder: a second file of the owner's in epoll,
		 * edge-triggered, registered on the queue while the first
		 * has buffers (so that the poll does not start read()
		 * streaming); the first is then closed, leaving the queue
		 * free for the next owner.
		 */
		if (cg_become(cg.owner))
			_exit(TAP_FAIL);
		q = cg_open(O_RDWR);
		if (q < 0 || cg_setup(q, 30, &fmt, NULL) || xioctl(q, VIDIOC_REQBUFS, &rb)) {
			tap_diag("the old holder's REQBUFS: %s", strerror(errno));
			_exit(TAP_FAIL);
		}
		fd = cg_open(O_RDWR | O_NONBLOCK);
		if (events_only) {
			struct v4l2_event_subscription sub = {
				.type = V4L2_EVENT_CTRL,
			};
			struct v4l2_queryctrl qc;

			if (fd < 0 || cg_find_ctrl(fd, "Read-Only Integer 32 Bits", &qc)) {
				tap_diag("no vivid control \"Read-Only Integer 32 Bits\"");
				_exit(TAP_FAIL);
			}
			sub.id = qc.id;
			if (xioctl(fd, VIDIOC_SUBSCRIBE_EVENT, &sub)) {
				tap_diag("SUBSCRIBE_EVENT: %s", strerror(errno));
				_exit(TAP_FAIL);
			}
		}
		ep = epoll_create1(0);
		ev.data.fd = fd;
		if (fd < 0 || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
			tap_diag("epoll: %s", strerror(errno));
			_exit(TAP_FAIL);
		}
		close(q);
		x = 'r';
		if (write(sv[1], &x, 1) != 1 || read(sv[1], &x, 1) != 1)
			_exit(TAP_FAIL);
		/* Revoked, and the new owner streams: count our wake-ups. */
		while (epoll_wait(ep, &ev, 1, 0) > 0)
			;
		x = 'c';
		if (write(sv[1], &x, 1) != 1 || read(sv[1], &x, 1) != 1)
			_exit(TAP_FAIL);
		end = tap_now_ms() + 1500;
		while (tap_now_ms() < end) {
			n = epoll_wait(ep, &ev, 1, 100);
			if (n > 0)
				events++;
		}
		tap_diag("the revoked file's epoll registration (%s) reported %d events in 1.5 s of the new stream",
			 events_only ? "control events" : "buffers", events);
		_exit(events ? TAP_FAIL : TAP_PASS);
	}
	if (!CHECK(read(sv[0], &x, 1) == 1 && x == 'r', "the old holder did not start"))
		goto out;
	CHECK(cg_sysfs_write(cg.sysfs, "revoke", "1") > 0, "revoke: %s", strerror(errno));
	if (!CHECK(cg_stream_start(&s, 30, 5000) == 0, "the new owner's stream did not start"))
		goto out;
	x = 'g';
	if (write(sv[0], &x, 1) != 1 || read(sv[0], &x, 1) != 1)
		goto out;
	from = CG_LOAD(s.st->frames);
	x = 'g';
	if (write(sv[0], &x, 1) != 1)
		goto out;
	CHECK(cg_wait(pid, 10000) == TAP_PASS,
	      "an epoll registration made before the revocation wakes at the new owner's frames");
	pid = -1;
	CHECK(cg_stream_wait(&s, from, 20, 5000), "the new owner's stream stalled");
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (s.st)
		CHECK(cg_stream_stop(&s) == TAP_PASS, "the new owner's stream failed");
	close(sv[0]);
	close(sv[1]);
	cg_restore_config();
	return tap_result();
}

/* ---- fsnotify ----------------------------------------------------------- */

/* Events on @ifd within @ms, one diagnostic line each. */
static int inotify_count(int ifd, long ms, const char *what)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct inotify_event *e;
	long end = tap_now_ms() + ms;
	ssize_t len;
	int n = 0;
	char *p;

	while (tap_now_ms() < end) {
		len = read(ifd, buf, sizeof(buf));
		if (len <= 0) {
			tap_sleep_ms(10);
			continue;
		}
		for (p = buf; p < buf + len; p += sizeof(*e) + e->len) {
			e = (struct inotify_event *)p;
			tap_diag("%s: inotify event mask 0x%x", what, e->mask);
			n++;
		}
	}
	return n;
}

struct watch {
	int sock;
};

/* Another uid: watch the node (and /dev/null as the control). */
static int watcher(void *arg)
{
	struct watch *w = arg;
	int ifd = inotify_init1(IN_NONBLOCK), n, ctl;
	char x;

	if (ifd < 0 ||
	    inotify_add_watch(ifd, cg.dev, IN_ACCESS | IN_OPEN | IN_CLOSE | IN_MODIFY) < 0)
		return tap_skip("inotify on %s: %s", cg.dev, strerror(errno));
	x = 'w';
	if (write(w->sock, &x, 1) != 1 || read(w->sock, &x, 1) != 1)
		return TAP_FAIL;
	n = inotify_count(ifd, 300, cg.dev);
	CHECK(n == 0, "uid %u saw %d inotify events of the owner's open, read and close",
	      cg.other, n);
	/* The control: the same watch sees an open of /dev/null. */
	if (inotify_add_watch(ifd, "/dev/null", IN_OPEN) < 0)
		return TAP_FAIL;
	close(open("/dev/null", O_RDONLY));
	ctl = inotify_count(ifd, 300, "/dev/null");
	CHECK(ctl > 0, "the control saw no event: inotify does not work here");
	close(ifd);
	return tap_result();
}

static int fsnotify_route(void *arg __attribute__((unused)))
{
	struct v4l2_format fmt;
	struct watch w;
	int sv[2], status;
	pid_t pid;
	char x;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return TAP_FAIL;
	w.sock = sv[1];
	pid = cg_spawn(cg.other, watcher, &w);
	if (!CHECK(read(sv[0], &x, 1) == 1 && x == 'w', "the watcher did not start"))
		goto out;
	if (fork() == 0) {
		void *buf;
		int fd;

		if (cg_become(cg.owner))
			_exit(TAP_FAIL);
		fd = open_for_read(&fmt);
		if (fd < 0)
			_exit(TAP_FAIL);
		buf = malloc(fmt.fmt.pix.sizeimage);
		if (read(fd, buf, fmt.fmt.pix.sizeimage) <= 0) {
			tap_diag("the owner's read(): %s", strerror(errno));
			_exit(TAP_FAIL);
		}
		close(fd);
		_exit(TAP_PASS);
	}
	wait(&status);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == TAP_PASS,
	      "the owner could not read a frame");
	x = 'g';
	if (write(sv[0], &x, 1) != 1)
		goto out;
	status = cg_wait(pid, 10000);
	CHECK(status == TAP_PASS || status == TAP_SKIP, "the watcher ended with %d", status);
	pid = -1;
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	close(sv[0]);
	close(sv[1]);
	return tap_result();
}

/* ---- mappings and credential changes ------------------------------------ */

static void holder_close(struct cg_holder *h)
{
	unsigned int i;

	for (i = 0; i < h->nbufs; i++)
		if (h->map[i])
			munmap(h->map[i], h->len[i]);
	if (h->dmabuf >= 0)
		close(h->dmabuf);
	close(h->fd);
}

/* The owner (root saved) maps and streams; one frame read to prove it. */
static int map_as_owner(struct cg_holder *h)
{
	unsigned char byte;

	if (become_owner_for_now() || cg_holder_open(h, 0, 30, 2) ||
	    cg_holder_frame(h, 5000))
		return -1;
	if (cg_touch(h->map[0], &byte)) {
		tap_diag("the owner cannot read its own mapping");
		return -1;
	}
	return 0;
}

static int map_then_drop(void *arg __attribute__((unused)))
{
	struct cg_holder h;
	unsigned char byte;
	int sig;

	if (!CHECK(map_as_owner(&h) == 0, "the owner's set-up failed"))
		return tap_result();
	if (drop_to_other())
		return TAP_FAIL;
	sig = cg_touch(h.map[0], &byte);
	CHECK(sig == SIGSEGV || sig == SIGBUS,
	      "after setresuid(%u), the owner's old mapping of buffer 0 is still readable",
	      cg.other);
	return tap_result();
}

static int map_keep_match(void *arg __attribute__((unused)))
{
	struct cg_holder h;
	unsigned char byte;

	if (!CHECK(map_as_owner(&h) == 0, "the owner's set-up failed"))
		return tap_result();
	/*
	 * Still the owner uid, another effective gid (the saved one: no
	 * privilege needed, so the uid never leaves the owner's).
	 */
	if (setresgid(-1, 0, -1)) {
		tap_diag("cannot change the effective gid: %s", strerror(errno));
		return TAP_FAIL;
	}
	CHECK(cg_touch(h.map[0], &byte) == 0,
	      "a credential change that keeps the owner uid took the mapping away");
	CHECK(cg_holder_frame(&h, 5000) == 0, "the owner's stream stopped");
	holder_close(&h);
	return tap_result();
}

static int map_dofork(void *arg __attribute__((unused)))
{
	struct cg_holder h;
	unsigned char byte;
	int status;
	pid_t pid;

	if (!CHECK(map_as_owner(&h) == 0, "the owner's set-up failed"))
		return tap_result();
	if (madvise(h.map[0], h.len[0], MADV_DOFORK)) {
		/* Newer kernels refuse it on such mappings: no route there. */
		if (errno == EINVAL)
			return tap_skip("this kernel refuses MADV_DOFORK on the mapping (EINVAL): the route does not exist here");
		CHECK(0, "madvise(MADV_DOFORK): %s", strerror(errno));
		return tap_result();
	}
	pid = fork();
	if (pid == 0) {
		/* The child has the mapping: it is still the owner. */
		if (cg_touch(h.map[0], &byte)) {
			tap_diag("the child, still the owner, cannot read the inherited mapping");
			_exit(3);
		}
		if (drop_to_other())
			_exit(TAP_FAIL);
		_exit(cg_touch(h.map[0], &byte) ? TAP_PASS : TAP_FAIL);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return TAP_FAIL;
	CHECK(WEXITSTATUS(status) != 3, "MADV_DOFORK did not give the child the mapping");
	CHECK(WEXITSTATUS(status) == TAP_PASS,
	      "a child that got the mapping through MADV_DOFORK reads it after dropping to uid %u",
	      cg.other);
	CHECK(cg_touch(h.map[0], &byte) == 0 && cg_holder_frame(&h, 5000) == 0,
	      "the parent, still the owner, lost its mapping or its stream");
	holder_close(&h);
	return tap_result();
}

int main(void)
{
	tap_plan(11, 330);
	cg_env_load();
	tap_run(uring_owner, NULL, 30,
		"issue 16.1: the owner reads frames through a plain io_uring ring (io-wq) and a registered file");
	tap_run(uring_personality, NULL, 30,
		"issue 16.1: after dropping to another uid, the owner's io_uring personality reads no frame");
	tap_run(uring_plain_drop, NULL, 30,
		"issue 16.1: after dropping to another uid, a ring whose io-wq worker started as the owner reads no frame (pinned: the request carries the submitter's credential)");
	tap_run(uring_sqpoll_drop, NULL, 30,
		"issue 16.1: after dropping to another uid, an SQPOLL ring set up as the owner reads no frame");
	tap_run(uring_sqpoll, NULL, 30,
		"issue 16.1: an SQPOLL ring reads no frame, even the owner's (the submitter cannot be known)");
	tap_run(poll_after_revoke, NULL, 40,
		"issue 16.2: an edge-triggered epoll registration made before a revocation does not wake at the next owner's frames");
	tap_run(poll_after_revoke, "events", 40,
		"issue 16.2: a control-event subscription made before a revocation does not wake at the next owner's frames");
	tap_run(fsnotify_route, NULL, 30,
		"issue 16.3: another uid's inotify watch on the node sees nothing of the owner's open, read and close");
	tap_run(map_then_drop, NULL, 30,
		"issue 16.4: the owner's mapping is taken away when the process drops to another uid");
	tap_run(map_dofork, NULL, 30,
		"issue 16.4: a child that got the owner's mapping through MADV_DOFORK loses it when it drops to another uid");
	tap_run(map_keep_match, NULL, 30,
		"issue 16.4: a credential change that keeps the owner's uid keeps the mapping and the stream");
	return tap_finish();
}
