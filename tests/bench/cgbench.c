// SPDX-License-Identifier: GPL-2.0
/*
 * cgbench - the cost of the capture path and of fd passing, in the VM.
 *
 *   cgbench single DEV        one node: qbuf_dqbuf_ns, querybuf_ns, read_ns,
 *                             fps, scm_rights_per_s
 *   cgbench files DEV N       querybuf_ns_<N>files: QUERYBUF round-robin
 *                             over N open files of DEV
 *   cgbench devs DEV...       querybuf_ns_<n>devs: QUERYBUF round-robin over
 *                             one file of each node
 *   cgbench hot DEV TRACEDIR  (root) open 64 files, then the hot path of
 *                             single, inside a tracing window of TRACEDIR
 *   cgbench slab DEV N        (root) slab objects gained over N opens
 *   cgbench attacked DEV N UID OTHER
 *                             (root) qbuf_dqbuf_ns_<N>attackers: the
 *                             owner UID's QBUF+DQBUF cycle while N
 *                             processes of uid OTHER call QUERYBUF and
 *                             DQBUF on their own files of DEV, in bursts
 *                             (refused with camgate; on a stock kernel
 *                             QUERYBUF succeeds and DQBUF fails EBUSY)
 *   cgbench foreign DEV N UID (root) querybuf_ns_<N>foreign: QUERYBUF by
 *                             UID (the owner) on a file it opened first,
 *                             then N files of DEV opened by root: what
 *                             anyone who may open a node can make camgate
 *                             keep, opened after the owner's, as on a
 *                             board where the owner's service starts first
 *
 * Each metric is printed as "cgbench: METRIC VALUE", the value being the
 * median of the metric's batches.  Nothing is compared here:
 * tests/bench/init runs this with camgate loaded and without it, round by
 * round, and tests/bench.sh compares.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/videodev2.h>

#define MAXBUF		32
#define MAXFD		256
#define BATCHES		9	/* per metric and round; odd: a true median */
#define QUERY_CALLS	4000	/* per querybuf batch */
#define SCM_MSGS	2000	/* per scm_rights batch */
#define READ_CHUNK	256	/* bytes per timed read() */
#define FPS_SECONDS	3

static const char *prog = "cgbench";

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: error: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void sleep_ns(double ns)
{
	struct timespec ts = { .tv_sec = ns / 1e9 };

	ts.tv_nsec = ns - ts.tv_sec * 1e9;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	if (n <= 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void report(const char *metric, double *v, int n)
{
	if (n <= 0)
		die("%s: no sample", metric);
	printf("cgbench: %s %.1f\n", metric, median(v, n));
	fflush(stdout);
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r == -1 && errno == EINTR);
	return r;
}

/* One DQBUF of the oldest filled mmap buffer and its QBUF back. */
static inline void requeue(int fd)
{
	struct v4l2_buffer b;

	memset(&b, 0, sizeof(b));
	b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b.memory = V4L2_MEMORY_MMAP;
	if (xioctl(fd, VIDIOC_DQBUF, &b))
		die("DQBUF: %s", strerror(errno));
	if (xioctl(fd, VIDIOC_QBUF, &b))
		die("QBUF: %s", strerror(errno));
}

static int open_dev(const char *dev, int flags)
{
	int fd = open(dev, flags | O_CLOEXEC);

	if (fd < 0)
		die("open %s: %s", dev, strerror(errno));
	return fd;
}

/* ---- set-up ---------------------------------------------------------------- */

struct mode {
	struct v4l2_pix_format pix;
	unsigned int fps_num, fps_den;	/* frames per second, as a fraction */
};

/*
 * Input 0 (vivid's webcam), YUYV at its smallest frame size and the
 * shortest frame interval offered there: vivid's highest frame rate.
 */
static void setup(int fd, struct mode *m)
{
	struct v4l2_frmsizeenum fs;
	struct v4l2_frmivalenum fi;
	struct v4l2_streamparm parm;
	struct v4l2_format fmt;
	__u32 w = 0, h = 0, i;
	int input = 0;
	double best = 0;

	if (xioctl(fd, VIDIOC_S_INPUT, &input))
		die("S_INPUT 0: %s", strerror(errno));
	for (i = 0;; i++) {
		memset(&fs, 0, sizeof(fs));
		fs.index = i;
		fs.pixel_format = V4L2_PIX_FMT_YUYV;
		if (xioctl(fd, VIDIOC_ENUM_FRAMESIZES, &fs) ||
		    fs.type != V4L2_FRMSIZE_TYPE_DISCRETE)
			break;
		if (!w || fs.discrete.width * fs.discrete.height < w * h) {
			w = fs.discrete.width;
			h = fs.discrete.height;
		}
	}
	if (!w)
		die("no discrete YUYV frame size");
	memset(&fmt, 0, sizeof(fmt));
	fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	fmt.fmt.pix.width = w;
	fmt.fmt.pix.height = h;
	fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	if (xioctl(fd, VIDIOC_S_FMT, &fmt))
		die("S_FMT YUYV %ux%u: %s", w, h, strerror(errno));
	m->pix = fmt.fmt.pix;
	m->fps_num = 0;
	for (i = 0;; i++) {
		memset(&fi, 0, sizeof(fi));
		fi.index = i;
		fi.pixel_format = V4L2_PIX_FMT_YUYV;
		fi.width = m->pix.width;
		fi.height = m->pix.height;
		if (xioctl(fd, VIDIOC_ENUM_FRAMEINTERVALS, &fi) ||
		    fi.type != V4L2_FRMIVAL_TYPE_DISCRETE)
			break;
		if ((double)fi.discrete.denominator / fi.discrete.numerator > best) {
			best = (double)fi.discrete.denominator / fi.discrete.numerator;
			m->fps_num = fi.discrete.denominator;
			m->fps_den = fi.discrete.numerator;
		}
	}
	if (!m->fps_num)
		die("no discrete frame interval at %ux%u", w, h);
	memset(&parm, 0, sizeof(parm));
	parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	parm.parm.capture.timeperframe.numerator = m->fps_den;
	parm.parm.capture.timeperframe.denominator = m->fps_num;
	if (xioctl(fd, VIDIOC_S_PARM, &parm))
		die("S_PARM %u/%u: %s", m->fps_den, m->fps_num, strerror(errno));
}

struct stream {
	int fd;
	unsigned int n;
	void *map[MAXBUF];
	size_t len[MAXBUF];
};

/* REQBUFS(@want) + mmap of every buffer; queue them when @queue. */
static void stream_alloc(struct stream *s, int fd, unsigned int want,
			 bool queue)
{
	struct v4l2_requestbuffers rb = {
		.count = want,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	struct v4l2_buffer b;
	unsigned int i;

	s->fd = fd;
	if (xioctl(fd, VIDIOC_REQBUFS, &rb) || rb.count < 1)
		die("REQBUFS %u: %s", want, strerror(errno));
	s->n = rb.count > MAXBUF ? MAXBUF : rb.count;
	for (i = 0; i < s->n; i++) {
		memset(&b, 0, sizeof(b));
		b.index = i;
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		if (xioctl(fd, VIDIOC_QUERYBUF, &b))
			die("QUERYBUF %u: %s", i, strerror(errno));
		s->len[i] = b.length;
		s->map[i] = mmap(NULL, b.length, PROT_READ | PROT_WRITE,
				 MAP_SHARED, fd, b.m.offset);
		if (s->map[i] == MAP_FAILED)
			die("mmap %u: %s", i, strerror(errno));
		if (queue && xioctl(fd, VIDIOC_QBUF, &b))
			die("QBUF %u: %s", i, strerror(errno));
	}
}

static void stream_on(struct stream *s, bool on)
{
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	if (xioctl(s->fd, on ? VIDIOC_STREAMON : VIDIOC_STREAMOFF, &type))
		die("%s: %s", on ? "STREAMON" : "STREAMOFF", strerror(errno));
}

static void stream_free(struct stream *s)
{
	struct v4l2_requestbuffers rb = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	unsigned int i;

	for (i = 0; i < s->n; i++)
		munmap(s->map[i], s->len[i]);
	if (xioctl(s->fd, VIDIOC_REQBUFS, &rb))
		die("REQBUFS 0: %s", strerror(errno));
	s->n = 0;
}

static unsigned int buffers_done(struct stream *s)
{
	struct v4l2_buffer b;
	unsigned int i, done = 0;

	for (i = 0; i < s->n; i++) {
		memset(&b, 0, sizeof(b));
		b.index = i;
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		if (xioctl(s->fd, VIDIOC_QUERYBUF, &b))
			die("QUERYBUF %u: %s", i, strerror(errno));
		done += !!(b.flags & V4L2_BUF_FLAG_DONE);
	}
	return done;
}

/* ---- the metrics -------------------------------------------------------------- */

/*
 * qbuf_dqbuf_ns: wait until the driver has filled most buffers (untimed),
 * then time one DQBUF + QBUF of each filled buffer, back to back: the
 * owner's per-frame ioctl cost, without the wait for the frame.
 */
static void bench_cycle(const char *metric, int fd, const struct mode *m)
{
	double period = 1e9 * m->fps_den / m->fps_num, t0, v[BATCHES];
	struct stream s;
	unsigned int i, done, k = 0, tries = 0;

	stream_alloc(&s, fd, MAXBUF, true);
	stream_on(&s, true);
	while (k < BATCHES) {
		if (++tries > 10 * BATCHES)
			die("qbuf_dqbuf: too few filled buffers (%u of %u)",
			    buffers_done(&s), s.n);
		sleep_ns(period * (s.n + 2));
		done = buffers_done(&s);
		if (done < s.n / 2)
			continue;
		t0 = now_ns();
		for (i = 0; i < done; i++) {
			requeue(fd);
		}
		v[k++] = (now_ns() - t0) / done;
	}
	stream_on(&s, false);
	report(metric, v, k);
	stream_free(&s);
}

/* ns per QUERYBUF of buffer 0, round-robin over @nfd files. */
static void bench_query(const char *metric, const int *fds, int nfd)
{
	struct v4l2_buffer b;
	double t0, v[BATCHES];
	int k, i;

	for (k = 0; k < BATCHES; k++) {
		t0 = now_ns();
		for (i = 0; i < QUERY_CALLS; i++) {
			memset(&b, 0, sizeof(b));
			b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
			b.memory = V4L2_MEMORY_MMAP;
			if (ioctl(fds[i % nfd], VIDIOC_QUERYBUF, &b))
				die("QUERYBUF: %s", strerror(errno));
		}
		v[k] = (now_ns() - t0) / QUERY_CALLS;
	}
	report(metric, v, BATCHES);
}

/*
 * read_ns: one READ_CHUNK-byte read() from vb2's read emulation.  The read
 * that starts a frame may wait for it and is not timed; the rest of the
 * frame's reads are (the last one also queues the buffer back).
 */
static void bench_read(const char *dev, const struct mode *m)
{
	static char buf[READ_CHUNK];
	unsigned int per_frame = m->pix.sizeimage / READ_CHUNK, i;
	double t0, v[BATCHES];
	ssize_t r;
	int fd, k;

	if (m->pix.sizeimage % READ_CHUNK || per_frame < 2)
		die("read: frame size %u is not a multiple of %u",
		    m->pix.sizeimage, READ_CHUNK);
	fd = open_dev(dev, O_RDWR);
	for (k = 0; k < BATCHES; k++) {
		r = read(fd, buf, sizeof(buf));
		if (r != sizeof(buf))
			die("read: %zd (%s)", r, r < 0 ? strerror(errno) : "short");
		t0 = now_ns();
		for (i = 1; i < per_frame; i++) {
			r = read(fd, buf, sizeof(buf));
			if (r != sizeof(buf))
				die("read: %zd (%s)", r,
				    r < 0 ? strerror(errno) : "short");
		}
		v[k] = (now_ns() - t0) / (per_frame - 1);
	}
	close(fd);	/* ends the read emulation */
	report("read_ns", v, BATCHES);
}

/*
 * fps: what an ordinary mmap client (poll, DQBUF, QBUF) gets at the
 * highest frame rate, over FPS_SECONDS, after a second of warm-up.
 */
static void bench_fps(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct stream s;
	double t0 = 0, t1 = 0, start, v[1];
	unsigned int frames = 0;

	stream_alloc(&s, fd, 4, true);
	stream_on(&s, true);
	start = now_ns();
	for (;;) {
		if (poll(&p, 1, 5000) != 1 || !(p.revents & POLLIN))
			die("fps: no frame within 5 s");
		requeue(fd);
		t1 = now_ns();
		if (!t0 && t1 - start >= 1e9)
			t0 = t1;
		else if (t0)
			frames++;
		if (t0 && t1 - t0 >= FPS_SECONDS * 1e9)
			break;
	}
	stream_on(&s, false);
	stream_free(&s);
	v[0] = frames * 1e9 / (t1 - t0);
	report("fps", v, 1);
}

/* scm_rights_per_s: one pipe fd per message over an AF_UNIX socketpair. */
static void bench_scm(void)
{
	char cbuf[CMSG_SPACE(sizeof(int))] __attribute__((aligned(8)));
	char byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	double t0, v[BATCHES];
	int sv[2], pfd[2], fd, k, i;

	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) ||
	    pipe2(pfd, O_CLOEXEC))
		die("socketpair/pipe: %s", strerror(errno));
	for (k = 0; k < BATCHES; k++) {
		t0 = now_ns();
		for (i = 0; i < SCM_MSGS; i++) {
			msg.msg_controllen = sizeof(cbuf);
			c = CMSG_FIRSTHDR(&msg);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &pfd[0], sizeof(int));
			if (sendmsg(sv[0], &msg, 0) != 1)
				die("sendmsg: %s", strerror(errno));
			msg.msg_controllen = sizeof(cbuf);
			if (recvmsg(sv[1], &msg, MSG_CMSG_CLOEXEC) != 1 ||
			    (msg.msg_flags & MSG_CTRUNC))
				die("recvmsg: %s", strerror(errno));
			c = CMSG_FIRSTHDR(&msg);
			if (!c || c->cmsg_type != SCM_RIGHTS)
				die("recvmsg: no SCM_RIGHTS");
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
			close(fd);
		}
		v[k] = SCM_MSGS * 1e9 / (now_ns() - t0);
	}
	close(sv[0]);
	close(sv[1]);
	close(pfd[0]);
	close(pfd[1]);
	report("scm_rights_per_s", v, BATCHES);
}

static void cmd_single(const char *dev)
{
	struct stream s;
	struct mode m;
	int fd = open_dev(dev, O_RDWR);

	setup(fd, &m);
	printf("cgbench: # %s: YUYV %ux%u, %u bytes a frame, %u/%u fps\n",
	       dev, m.pix.width, m.pix.height, m.pix.sizeimage, m.fps_num,
	       m.fps_den);
	bench_cycle("qbuf_dqbuf_ns", fd, &m);
	stream_alloc(&s, fd, 4, false);
	bench_query("querybuf_ns", &fd, 1);
	stream_free(&s);
	bench_fps(fd);
	close(fd);
	bench_read(dev, &m);
	bench_scm();
}

static int parse_n(const char *s)
{
	int n = atoi(s);

	if (n < 1 || n > MAXFD)
		die("N must be 1..%d", MAXFD);
	return n;
}

static void cmd_files(const char *dev, int n)
{
	static int fds[MAXFD];
	struct stream s;
	struct mode m;
	char metric[64];
	int i;

	for (i = 0; i < n; i++)
		fds[i] = open_dev(dev, O_RDWR);
	setup(fds[0], &m);
	stream_alloc(&s, fds[0], 4, false);
	snprintf(metric, sizeof(metric), "querybuf_ns_%dfiles", n);
	bench_query(metric, fds, n);
	stream_free(&s);
	for (i = 0; i < n; i++)
		close(fds[i]);
}

static void cmd_devs(char **devs, int n)
{
	static struct stream s[MAXFD];
	static int fds[MAXFD];
	struct mode m;
	char metric[64];
	int i;

	for (i = 0; i < n; i++) {
		fds[i] = open_dev(devs[i], O_RDWR);
		setup(fds[i], &m);
		stream_alloc(&s[i], fds[i], 4, false);
	}
	snprintf(metric, sizeof(metric), "querybuf_ns_%ddevs", n);
	bench_query(metric, fds, n);
	for (i = 0; i < n; i++) {
		stream_free(&s[i]);
		close(fds[i]);
	}
}

static void trace_on(const char *dir, bool on)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/tracing_on", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, on ? "1" : "0", 1) != 1)
		die("%s: %s", path, strerror(errno));
	close(fd);
}

/*
 * Opens, then the hot path (streaming, queries, reads, fd passing), all
 * inside a tracing window: the caller counts camgate's allocations in it.
 */
static void cmd_hot(const char *dev, const char *tracedir)
{
	static int fds[64];
	struct stream s;
	struct mode m;
	int i;

	trace_on(tracedir, true);
	for (i = 0; i < 64; i++)
		fds[i] = open_dev(dev, O_RDWR);
	printf("cgbench: # opened 64 files\n");
	setup(fds[0], &m);
	bench_cycle("qbuf_dqbuf_ns", fds[0], &m);
	stream_alloc(&s, fds[0], 4, false);
	bench_query("querybuf_ns", fds, 64);
	stream_free(&s);
	for (i = 1; i < 64; i++)
		close(fds[i]);
	bench_fps(fds[0]);
	close(fds[0]);
	bench_read(dev, &m);
	bench_scm();
	trace_on(tracedir, false);
}

/* Sum of active objects per slab cache, from /proc/slabinfo. */
struct slab {
	char name[64];
	long objs, size;
};

static int slab_read(struct slab *t, int max)
{
	FILE *f = fopen("/proc/slabinfo", "re");
	char line[512];
	int n = 0;

	if (!f)
		die("/proc/slabinfo: %s", strerror(errno));
	while (n < max && fgets(line, sizeof(line), f)) {
		long active, total;

		if (sscanf(line, "%63s %ld %ld %ld", t[n].name, &active, &total,
			   &t[n].size) == 4) {
			t[n].objs = active;
			n++;
		}
	}
	fclose(f);
	return n;
}

/* Caches that grew by at least half an object per open, over @n opens. */
static void cmd_slab(const char *dev, int n)
{
	static struct slab before[1024], after[1024];
	static int fds[MAXFD];
	int nb, na, i, j;

	/* Warm up: the first opens of a node may allocate for good. */
	for (i = 0; i < n; i++)
		fds[i] = open_dev(dev, O_RDWR);
	for (i = 0; i < n; i++)
		close(fds[i]);
	sleep_ns(50e6);
	nb = slab_read(before, 1024);
	for (i = 0; i < n; i++)
		fds[i] = open_dev(dev, O_RDWR);
	na = slab_read(after, 1024);
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb; j++)
			if (!strcmp(after[i].name, before[j].name))
				break;
		if (j < nb && (after[i].objs - before[j].objs) * 2 >= n)
			printf("cgbench: slab %s %ld %.2f\n", after[i].name,
			       after[i].size,
			       (double)(after[i].objs - before[j].objs) / n);
	}
	for (i = 0; i < n; i++)
		close(fds[i]);
}

static void cmd_foreign(const char *dev, int n, uid_t owner)
{
	struct rlimit rl = { n + 64, n + 64 };
	struct stream s;
	struct mode m;
	char metric[64];
	int fd, i;

	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("RLIMIT_NOFILE %d: %s", n + 64, strerror(errno));
	if (setresgid(-1, owner, -1) || setresuid(-1, owner, -1))
		die("euid %u: %s", owner, strerror(errno));
	fd = open_dev(dev, O_RDWR);
	setup(fd, &m);
	stream_alloc(&s, fd, 4, false);
	if (setresuid(-1, 0, -1))
		die("euid 0: %s", strerror(errno));
	for (i = 0; i < n; i++)
		open_dev(dev, O_RDWR);
	if (setresuid(-1, owner, -1))
		die("euid %u: %s", owner, strerror(errno));
	printf("cgbench: # %d files of %s opened by root after the owner's\n", n, dev);
	snprintf(metric, sizeof(metric), "querybuf_ns_%dforeign", n);
	bench_query(metric, &fd, 1);
	stream_free(&s);
	close(fd);
}

#define MAX_ATTACKERS	16

/*
 * An attacker: bursts of ATTACK_BURST QUERYBUF+DQBUF pairs of buffer 0,
 * a millisecond apart, until killed.  In SCHED_IDLE: the question is
 * whether their calls slow the owner's (a lock the owner then waits for,
 * state they leave behind), not whether they share its CPU.  As ordinary
 * tasks they preempted the owner's timed batches on the single-CPU
 * profile VM whenever their timer fired, so the figure measured their own
 * run time; idle-class tasks run only when the owner and the driver do
 * not, unless the owner must wait for something one of them holds.
 */
#define ATTACK_BURST	16

static void attack(const char *dev, uid_t other)
{
	const struct timespec pause = { 0, 1000000 };
	struct v4l2_buffer b;
	int fd, i;

	const struct sched_param idle = { 0 };

	if (sched_setscheduler(0, SCHED_IDLE, &idle))
		_exit(1);
	if (setresgid(other, other, other) || setresuid(other, other, other))
		_exit(1);
	fd = open(dev, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		_exit(1);
	for (;;) {
		for (i = 0; i < ATTACK_BURST; i++) {
			memset(&b, 0, sizeof(b));
			b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
			b.memory = V4L2_MEMORY_MMAP;
			ioctl(fd, VIDIOC_QUERYBUF, &b);
			ioctl(fd, VIDIOC_DQBUF, &b);
		}
		nanosleep(&pause, NULL);
	}
}

static void cmd_attacked(const char *dev, int n, uid_t owner, uid_t other)
{
	pid_t pids[MAX_ATTACKERS];
	char metric[64];
	struct mode m;
	int fd, i;

	if (n > MAX_ATTACKERS)
		die("at most %d attackers", MAX_ATTACKERS);
	if (setresgid(-1, owner, -1) || setresuid(-1, owner, -1))
		die("euid %u: %s", owner, strerror(errno));
	fd = open_dev(dev, O_RDWR);
	setup(fd, &m);
	if (setresuid(-1, 0, -1) || setresgid(-1, 0, -1))
		die("euid 0: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork: %s", strerror(errno));
		if (!pids[i]) {
			close(fd);
			attack(dev, other);
		}
	}
	if (setresgid(-1, owner, -1) || setresuid(-1, owner, -1))
		die("euid %u: %s", owner, strerror(errno));
	printf("cgbench: # %d processes of uid %u call QUERYBUF and DQBUF on %s\n",
	       n, other, dev);
	snprintf(metric, sizeof(metric), "qbuf_dqbuf_ns_%dattackers", n);
	bench_cycle(metric, fd, &m);
	/* uid 1000 may not signal uid 1001's processes: root again. */
	if (setresuid(-1, 0, -1))
		die("euid 0: %s", strerror(errno));
	for (i = 0; i < n; i++)
		if (kill(pids[i], SIGKILL))
			die("kill %d: %s", pids[i], strerror(errno));
	for (i = 0; i < n; i++)
		waitpid(pids[i], NULL, 0);
	close(fd);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "single"))
		cmd_single(argv[2]);
	else if (argc == 4 && !strcmp(argv[1], "files"))
		cmd_files(argv[2], parse_n(argv[3]));
	else if (argc >= 3 && argc - 2 <= MAXFD && !strcmp(argv[1], "devs"))
		cmd_devs(argv + 2, argc - 2);
	else if (argc == 4 && !strcmp(argv[1], "hot"))
		cmd_hot(argv[2], argv[3]);
	else if (argc == 4 && !strcmp(argv[1], "slab"))
		cmd_slab(argv[2], parse_n(argv[3]));
	else if (argc == 6 && !strcmp(argv[1], "attacked") && atoi(argv[3]) > 0)
		cmd_attacked(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
	else if (argc == 5 && !strcmp(argv[1], "foreign") && atoi(argv[3]) > 0)
		cmd_foreign(argv[2], atoi(argv[3]), atoi(argv[4]));
	else
		die("usage: cgbench single DEV | files DEV N | devs DEV... | hot DEV TRACEDIR | slab DEV N | attacked DEV N UID OTHER | foreign DEV N UID");
	return 0;
}
