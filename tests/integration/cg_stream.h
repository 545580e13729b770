/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cg_stream.h - the owner's streamer: a process that keeps a real mmap stream
 * running, counting and checking frames, while the attacks run.
 *
 * Part of camgate_test.h, which includes it: include that.
 */
#ifndef CAMGATE_TEST_STREAM_H
#define CAMGATE_TEST_STREAM_H

/* ---- the owner's streamer ------------------------------------------------- */

/* Shared between the streamer (writes) and the test (reads). */
struct cg_stream_stats {
	int ready;		/* 1: first intact frame seen; -1: failed */
	int stop;		/* set by the test */
	unsigned int frames;	/* frames dequeued */
	unsigned int bad;	/* frames that failed cg_check_frame() */
	unsigned int errors;	/* failed calls after set-up */
	unsigned int pollin;	/* poll() calls that reported POLLIN */
	int expbuf;		/* owner's EXPBUF: 1 worked, 0 failed */
	unsigned int nbufs;
	__u32 offset[CG_MAXBUF];
	__u32 length[CG_MAXBUF];
	struct v4l2_pix_format pix;
	unsigned int fps;
	char why[200];		/* first failure */
};

struct cg_stream {
	pid_t pid;
	struct cg_stream_stats *st;
};

#define CG_LOAD(x)	__atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define CG_STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)
#define CG_INC(x)	__atomic_add_fetch(&(x), 1, __ATOMIC_SEQ_CST)

static inline void cg_stream_fail(struct cg_stream_stats *st, const char *fmt,
				  ...) __attribute__((format(printf, 2, 3)));
static inline void cg_stream_fail(struct cg_stream_stats *st, const char *fmt,
				  ...)
{
	va_list ap;

	if (st->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(st->why, sizeof(st->why), fmt, ap);
	va_end(ap);
}

static inline int cg_streamer(void *arg)
{
	struct cg_stream_stats *st = arg;
	struct v4l2_requestbuffers rb;
	struct v4l2_exportbuffer eb;
	struct v4l2_streamparm saved;
	struct v4l2_format fmt;
	struct v4l2_buffer b;
	void *map[CG_MAXBUF];
	unsigned int i, consecutive = 0;
	int fd, type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	char why[160];

	fd = open(cg.dev, O_RDWR | O_NONBLOCK);
	if (fd < 0) {
		cg_stream_fail(st, "open: %s", strerror(errno));
		goto fail;
	}
	if (cg_setup(fd, st->fps, &fmt, &saved)) {
		cg_stream_fail(st, "set-up failed");
		goto fail;
	}
	st->pix = fmt.fmt.pix;
	memset(&rb, 0, sizeof(rb));
	rb.count = 4;
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_MMAP;
	if (xioctl(fd, VIDIOC_REQBUFS, &rb) || rb.count < 2) {
		cg_stream_fail(st, "REQBUFS: %s (count %u)", strerror(errno),
			       rb.count);
		goto fail;
	}
	st->nbufs = rb.count > CG_MAXBUF ? CG_MAXBUF : rb.count;
	for (i = 0; i < st->nbufs; i++) {
		memset(&b, 0, sizeof(b));
		b.index = i;
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		if (xioctl(fd, VIDIOC_QUERYBUF, &b)) {
			cg_stream_fail(st, "QUERYBUF %u: %s", i,
				       strerror(errno));
			goto fail;
		}
		st->offset[i] = b.m.offset;
		st->length[i] = b.length;
		map[i] = mmap(NULL, b.length, PROT_READ | PROT_WRITE,
			      MAP_SHARED, fd, b.m.offset);
		if (map[i] == MAP_FAILED) {
			cg_stream_fail(st, "mmap %u: %s", i, strerror(errno));
			goto fail;
		}
		memset(map[i], CG_POISON, b.length);
		if (xioctl(fd, VIDIOC_QBUF, &b)) {
			cg_stream_fail(st, "QBUF %u: %s", i, strerror(errno));
			goto fail;
		}
	}
	memset(&eb, 0, sizeof(eb));
	eb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	eb.index = 0;
	eb.flags = O_CLOEXEC;
	if (xioctl(fd, VIDIOC_EXPBUF, &eb) == 0 && eb.fd >= 0) {
		st->expbuf = 1;
		close(eb.fd);
	} else {
		st->expbuf = 0;
		tap_diag("streamer: owner EXPBUF: %s", strerror(errno));
	}
	if (xioctl(fd, VIDIOC_STREAMON, &type)) {
		cg_stream_fail(st, "STREAMON: %s", strerror(errno));
		goto fail;
	}

	while (!CG_LOAD(st->stop)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 200) < 0 && errno != EINTR) {
			cg_stream_fail(st, "poll: %s", strerror(errno));
			CG_INC(st->errors);
			break;
		}
		if (!(p.revents & POLLIN))
			continue;
		CG_INC(st->pollin);
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		if (xioctl(fd, VIDIOC_DQBUF, &b)) {
			if (errno == EAGAIN)
				continue;
			cg_stream_fail(st, "DQBUF: %s", strerror(errno));
			CG_INC(st->errors);
			if (++consecutive > 5)
				break;
			tap_sleep_ms(20);
			continue;
		}
		consecutive = 0;
		if (b.index >= st->nbufs) {
			cg_stream_fail(st, "DQBUF index %u", b.index);
			CG_INC(st->errors);
			continue;
		}
		if (cg_check_frame(map[b.index], b.bytesused, &st->pix, why,
				   sizeof(why))) {
			cg_stream_fail(st, "frame %u: %s", b.sequence, why);
			CG_INC(st->bad);
		} else if (!CG_LOAD(st->ready)) {
			CG_STORE(st->ready, 1);
		}
		CG_INC(st->frames);
		memset(map[b.index], CG_POISON, st->length[b.index]);
		if (xioctl(fd, VIDIOC_QBUF, &b)) {
			cg_stream_fail(st, "QBUF: %s", strerror(errno));
			CG_INC(st->errors);
		}
	}
	if (xioctl(fd, VIDIOC_STREAMOFF, &type)) {
		cg_stream_fail(st, "STREAMOFF: %s", strerror(errno));
		CG_INC(st->errors);
	}
	for (i = 0; i < st->nbufs; i++)
		munmap(map[i], st->length[i]);
	rb.count = 0;
	xioctl(fd, VIDIOC_REQBUFS, &rb);
	cg_restore_parm(fd, &saved);
	close(fd);
	return st->errors || st->bad ? TAP_FAIL : TAP_PASS;

fail:
	CG_STORE(st->ready, -1);
	return TAP_FAIL;
}

/*
 * Start the owner's streamer (as the owner uid, @fps frames per second)
 * and wait up to @timeout_ms for its first intact frame.  0 when it
 * streams; the stats are shared memory that outlives this call.
 */
static inline int cg_stream_start(struct cg_stream *s, unsigned int fps,
				  long timeout_ms)
{
	long deadline = tap_now_ms() + timeout_ms;

	s->st = mmap(NULL, sizeof(*s->st), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s->st == MAP_FAILED) {
		s->st = NULL;
		s->pid = -1;
		return -1;
	}
	memset(s->st, 0, sizeof(*s->st));
	s->st->fps = fps;
	s->st->expbuf = -1;
	s->pid = cg_spawn(cg.owner, cg_streamer, s->st);
	while (!CG_LOAD(s->st->ready) && tap_now_ms() < deadline)
		tap_sleep_ms(10);
	if (CG_LOAD(s->st->ready) != 1) {
		tap_diag("owner's stream did not start: %s",
			 s->st->why[0] ? s->st->why : "no intact frame in time");
		return -1;
	}
	tap_diag("owner streams: %u buffers, %ux%u YUYV, %u bytes a frame, %u fps",
		 s->st->nbufs, s->st->pix.width, s->st->pix.height,
		 s->st->pix.sizeimage, fps);
	return 0;
}

/* Wait until the owner has dequeued @n more frames than @from. */
static inline bool cg_stream_wait(struct cg_stream *s, unsigned int from,
				  unsigned int n, long timeout_ms)
{
	long deadline = tap_now_ms() + timeout_ms;

	if (!s->st)
		return false;
	while (CG_LOAD(s->st->frames) < from + n) {
		if (tap_now_ms() > deadline)
			return false;
		tap_sleep_ms(10);
	}
	return true;
}

/* Stop the streamer; return its exit status (TAP_PASS if all was well). */
static inline int cg_stream_stop(struct cg_stream *s)
{
	int res;

	if (!s->st || s->pid <= 0)
		return TAP_FAIL;
	CG_STORE(s->st->stop, 1);
	res = cg_wait(s->pid, 5000);
	s->pid = 0;
	return res;
}

/* For a time-limit handler: syscalls only. */
static inline void cg_stream_kill(struct cg_stream *s)
{
	if (s->pid > 0)
		kill(s->pid, SIGKILL);
}

#endif /* CAMGATE_TEST_STREAM_H */
