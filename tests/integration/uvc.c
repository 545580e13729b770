// SPDX-License-Identifier: GPL-2.0
/*
 * uvc.c - a real uvcvideo camera: the owner streams it, nobody else does
 * (issue 20, ATTACKS.md cases 1-3 and 5 on uvcvideo; uvc-fds.c has the
 * descriptors that travel and the 32-bit calls).
 *
 * The camera is uvcdev (tests/vm/uvcdev.c), a UVC 1.10 device of our own
 * behind vhci-hcd, the USB/IP host controller, and the kernel's own
 * uvcvideo drives it: descriptors, probe and commit, bulk payloads with
 * PTS and SCR.  The VM's init attaches it before this program and names
 * its capture and metadata nodes in CAMGATE_UVC_DEV and CAMGATE_UVC_META
 * (or says in CAMGATE_UVC_SKIP why there is none: then every case skips
 * with that reason).  Every frame carries its number and is checked byte
 * for byte against the picture uvcdev.h defines for that number.
 *
 * The owner streams both frame sizes by mmap; then, while the owner
 * streams, another uid tries QUERYBUF, mmap at the owner's offsets,
 * read() and DQBUF on the capture node and the buffer ioctls and mmap on
 * the metadata node; the owner's stream is the positive control and must
 * run on, every frame intact and new, through all of it.
 */
#include "tap.h"
#include "camgate_test.h"
#include "attacks.h"
#include "cg_uvc.h"

#define FRAMES		30	/* frames the owner checks at each size */
#define NBUFS		UVC_NBUFS
#define META_HDR	12	/* uvcdev's payload header: PTS and SCR */

struct uvc_stats {
	int ready;		/* 1: first intact frame seen; -1: failed */
	int stop;
	unsigned int frames;	/* intact frames */
	unsigned int bad;	/* frames that failed uvcdev_check() */
	unsigned int stale;	/* frames whose number did not grow */
	unsigned int errors;
	uint32_t last;		/* the last frame's number */
	unsigned int nbufs;
	__u32 offset[NBUFS];
	__u32 length[NBUFS];
	char why[200];
};

static struct {
	pid_t pid;		/* the owner's streamer */
	struct uvc_stats *st;
} U;

static unsigned long long denials_before;

static void cleanup(void)
{
	if (U.pid > 0)
		kill(U.pid, SIGKILL);
	cg_uvc_restore();
}

__attribute__((format(printf, 2, 3)))
static void stats_fail(struct uvc_stats *st, const char *fmt, ...)
{
	va_list ap;

	if (st->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(st->why, sizeof(st->why), fmt, ap);
	va_end(ap);
}

/*
 * Stream from @fd (@w x @h set) by mmap until @st->stop, or @want intact
 * frames when @want is not 0, checking each; stats in @st.  0 when all
 * went well.
 */
static int stream(int fd, unsigned int w, unsigned int h, unsigned int want,
		  struct uvc_stats *st)
{
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE, ret = -1;
	struct v4l2_requestbuffers rb;
	void *map[NBUFS] = { NULL };
	struct v4l2_buffer b;
	unsigned int i;
	bool on = false;
	char why[160];
	uint32_t n;

	memset(&rb, 0, sizeof(rb));
	rb.count = NBUFS;
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_MMAP;
	if (xioctl(fd, VIDIOC_REQBUFS, &rb) || rb.count < 2) {
		stats_fail(st, "REQBUFS: %s (count %u)", strerror(errno),
			   rb.count);
		return -1;
	}
	st->nbufs = rb.count > NBUFS ? NBUFS : rb.count;
	for (i = 0; i < st->nbufs; i++) {
		memset(&b, 0, sizeof(b));
		b.index = i;
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		if (xioctl(fd, VIDIOC_QUERYBUF, &b)) {
			stats_fail(st, "QUERYBUF %u: %s", i, strerror(errno));
			goto out;
		}
		st->offset[i] = b.m.offset;
		st->length[i] = b.length;
		map[i] = mmap(NULL, b.length, PROT_READ | PROT_WRITE,
			      MAP_SHARED, fd, b.m.offset);
		if (map[i] == MAP_FAILED) {
			map[i] = NULL;
			stats_fail(st, "mmap %u: %s", i, strerror(errno));
			goto out;
		}
		memset(map[i], CG_POISON, b.length);
		if (xioctl(fd, VIDIOC_QBUF, &b)) {
			stats_fail(st, "QBUF %u: %s", i, strerror(errno));
			goto out;
		}
	}
	if (xioctl(fd, VIDIOC_STREAMON, &type)) {
		stats_fail(st, "STREAMON: %s", strerror(errno));
		goto out;
	}
	on = true;
	while (want ? st->frames < want : !CG_LOAD(st->stop)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, want ? 5000 : 200) < 0 && errno != EINTR) {
			stats_fail(st, "poll: %s", strerror(errno));
			goto out;
		}
		if (!(p.revents & POLLIN)) {
			if (want) {
				stats_fail(st, "no frame within 5 s after %u (revents 0x%x)",
					   st->frames, p.revents);
				goto out;
			}
			continue;
		}
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		if (xioctl(fd, VIDIOC_DQBUF, &b)) {
			if (errno == EAGAIN)
				continue;
			stats_fail(st, "DQBUF: %s", strerror(errno));
			CG_INC(st->errors);
			goto out;
		}
		if (b.index >= st->nbufs) {
			stats_fail(st, "DQBUF index %u", b.index);
			CG_INC(st->errors);
			goto out;
		}
		if (uvcdev_check(map[b.index], b.bytesused, w, h, &n, why,
				 sizeof(why))) {
			stats_fail(st, "buffer %u (sequence %u, flags 0x%x): %s",
				   b.index, b.sequence, b.flags, why);
			CG_INC(st->bad);
		} else if (st->frames && n <= st->last) {
			stats_fail(st, "frame %u after frame %u", n, st->last);
			CG_INC(st->stale);
		} else {
			if (!st->frames)
				tap_diag("first frame: number %u, sequence %u",
					 n, b.sequence);
			st->last = n;
			CG_INC(st->frames);
			if (!CG_LOAD(st->ready))
				CG_STORE(st->ready, 1);
		}
		memset(map[b.index], CG_POISON, st->length[b.index]);
		if (xioctl(fd, VIDIOC_QBUF, &b)) {
			stats_fail(st, "re-QBUF: %s", strerror(errno));
			CG_INC(st->errors);
			goto out;
		}
	}
	ret = 0;
out:
	if (on && xioctl(fd, VIDIOC_STREAMOFF, &type)) {
		stats_fail(st, "STREAMOFF: %s", strerror(errno));
		ret = -1;
	}
	for (i = 0; i < NBUFS; i++)
		if (map[i])
			munmap(map[i], st->length[i]);
	rb.count = 0;
	xioctl(fd, VIDIOC_REQBUFS, &rb);
	return ret || st->bad || st->stale || st->errors ? -1 : 0;
}

/* ---- the owner alone ---------------------------------------------------- */

static int owner_sizes(void *arg)
{
	static const unsigned int sizes[][2] = { { 160, 120 }, { 320, 240 } };
	struct uvc_stats st;
	unsigned int i;
	long t0, ms;
	int fd;

	(void)arg;
	if (cg_become(cg.owner))
		return TAP_FAIL;
	fd = uvc_open(UVC.dev, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	for (i = 0; i < 2; i++) {
		unsigned int w = sizes[i][0], h = sizes[i][1];

		if (!CHECK(uvc_set_size(fd, w, h) == 0, "cannot set %ux%u", w, h))
			continue;
		memset(&st, 0, sizeof(st));
		t0 = tap_now_ms();
		CHECK(stream(fd, w, h, FRAMES, &st) == 0,
		      "%ux%u: %u intact frames, %u bad, %u not new: %s", w, h,
		      st.frames, st.bad, st.stale, st.why);
		ms = tap_now_ms() - t0;
		tap_diag("rate: %ux%u: %u intact, distinct frames in %ld ms (%.1f fps, set-up included), last number %u",
			 w, h, st.frames, ms, ms ? st.frames * 1000.0 / ms : 0,
			 st.last);
	}
	close(fd);
	return tap_result();
}

/*
 * v4l2-ctl --stream-@how (mmap: its buffers mapped; user: malloc'ed
 * buffers, USERPTR) as @uid: its exit status, the frames it got (one '<'
 * each), and whether it said "Permission denied"; its output goes to the
 * log.
 */
static int v4l2_ctl(uid_t uid, const char *how, unsigned int count,
		    unsigned int *frames, bool *denied)
{
	char tool[48], cmd[160];

	snprintf(tool, sizeof(tool), "v4l2-ctl --stream-%s", how);
	snprintf(cmd, sizeof(cmd), "v4l2-ctl -d %s --stream-%s --stream-count=%u",
		 UVC.dev, how, count);
	return uvc_run_as(tool, uid, "", cmd, frames, denied);
}

static int v4l2_ctl_owner(void *arg)
{
	const char *how = arg;
	unsigned int frames;
	bool denied;
	int rc;

	rc = v4l2_ctl(cg.owner, how, 10, &frames, &denied);
	CHECK(rc == 0 && frames >= 10 && !denied,
	      "v4l2-ctl --stream-%s as the owner: exit %d, %u frames%s; want 0, 10",
	      how, rc, frames, denied ? ", Permission denied" : "");
	tap_diag("v4l2-ctl --stream-%s as the owner: %u frames", how, frames);
	return tap_result();
}

static int v4l2_ctl_other(void *arg)
{
	const char *how = arg;
	unsigned int frames;
	bool denied;
	int rc;

	rc = v4l2_ctl(cg.other, how, 10, &frames, &denied);
	CHECK(frames == 0 && denied,
	      "v4l2-ctl --stream-%s as another uid: exit %d, %u frames%s; want 0 frames, Permission denied",
	      how, rc, frames, denied ? ", Permission denied" : "");
	tap_diag("v4l2-ctl --stream-%s as uid %u: exit %d, %u frames", how,
		 cg.other, rc, frames);
	return tap_result();
}

/* ---- the owner streams, another uid tries --------------------------------- */

static int streamer(void *arg)
{
	struct uvc_stats *st = arg;
	int fd = uvc_open(UVC.dev, O_RDWR | O_NONBLOCK);

	if (fd < 0 || uvc_set_size(fd, 320, 240)) {
		stats_fail(st, "open or S_FMT failed");
		CG_STORE(st->ready, -1);
		return TAP_FAIL;
	}
	if (stream(fd, 320, 240, 0, st)) {
		CG_STORE(st->ready, -1);
		return TAP_FAIL;
	}
	close(fd);
	return TAP_PASS;
}

static int stream_start(void)
{
	long deadline = tap_now_ms() + 15000;

	U.st = mmap(NULL, sizeof(*U.st), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (U.st == MAP_FAILED) {
		U.st = NULL;
		return -1;
	}
	memset(U.st, 0, sizeof(*U.st));
	U.pid = cg_spawn(cg.owner, streamer, U.st);
	while (!CG_LOAD(U.st->ready) && tap_now_ms() < deadline)
		tap_sleep_ms(10);
	if (CG_LOAD(U.st->ready) != 1) {
		tap_diag("the owner's stream did not start: %s",
			 U.st->why[0] ? U.st->why : "no intact frame in 15 s");
		return -1;
	}
	return 0;
}

static bool stream_wait(unsigned int from, unsigned int n, long timeout_ms)
{
	long deadline = tap_now_ms() + timeout_ms;

	while (CG_LOAD(U.st->frames) < from + n) {
		if (tap_now_ms() > deadline || CG_LOAD(U.st->ready) != 1)
			return false;
		tap_sleep_ms(10);
	}
	return true;
}

static int owner_streams(void *arg)
{
	unsigned int from;

	(void)arg;
	if (!CHECK(U.st && CG_LOAD(U.st->ready) == 1,
		   "the owner's stream did not start: %s",
		   U.st ? U.st->why : "no stats"))
		return TAP_FAIL;
	from = CG_LOAD(U.st->frames);
	CHECK(stream_wait(from, 10, 5000),
	      "the owner got %u frames in 5 s, want 10",
	      CG_LOAD(U.st->frames) - from);
	CHECK(!U.st->bad && !U.st->stale && !U.st->errors,
	      "owner: %u bad, %u not new, %u errors: %s", U.st->bad,
	      U.st->stale, U.st->errors, U.st->why);
	return tap_result();
}

/* The attacker's file on @node; fails unless the owner streams. */
static int attacker_open(const char *node, int flags)
{
	if (!CHECK(U.st && CG_LOAD(U.st->ready) == 1 && U.st->nbufs,
		   "the owner does not stream: nothing to attack"))
		return -1;
	if (cg_become(cg.other))
		return -1;
	return uvc_open(node, flags);
}

static int querybuf(void *arg)
{
	int fd;

	(void)arg;
	fd = attacker_open(UVC.dev, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	cg_attack_querybuf(fd, U.st->nbufs);
	close(fd);
	return tap_result();
}

static int mmap_offsets(void *arg)
{
	unsigned int i, n;
	char why[160];
	void *p;
	int fd;

	(void)arg;
	fd = attacker_open(UVC.dev, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	for (i = 0; i < U.st->nbufs; i++) {
		p = mmap(NULL, U.st->length[i], PROT_READ, MAP_SHARED, fd,
			 U.st->offset[i]);
		if (p != MAP_FAILED) {
			CHECK(false, "mmap at the owner's offset 0x%x succeeded%s",
			      U.st->offset[i],
			      uvcdev_check(p, 320 * 240 * 2, 320, 240, &n, why,
					   sizeof(why)) ?
			      "" : ": it shows the owner's frames");
			munmap(p, U.st->length[i]);
			continue;
		}
		CHECK(errno == EACCES,
		      "mmap at the owner's offset 0x%x: errno %d (%s), want EACCES",
		      U.st->offset[i], errno, strerror(errno));
	}
	close(fd);
	return tap_result();
}

static int read_streaming(void *arg)
{
	struct v4l2_capability cap;
	size_t len = 320 * 240 * 2;
	char *buf = malloc(len);
	ssize_t n;
	int fd, err;

	(void)arg;
	fd = attacker_open(UVC.dev, O_RDWR);
	if (!buf || fd < 0)
		return TAP_FAIL;
	memset(&cap, 0, sizeof(cap));
	CHECK(xioctl(fd, VIDIOC_QUERYCAP, &cap) == 0, "QUERYCAP: %s",
	      strerror(errno));
	memset(buf, CG_POISON, len);
	n = read(fd, buf, len);
	err = errno;
	/*
	 * uvcvideo has no read(): 6.1 and 6.12 have a read that fails with
	 * EINVAL (camgate refuses before it), newer kernels none (the V4L2
	 * core refuses with EINVAL before any driver or camgate code runs).
	 */
	if (cap.device_caps & V4L2_CAP_READWRITE)
		CHECK(n == -1 && err == EACCES,
		      "read() returned %zd, errno %d (%s); want -1, EACCES", n,
		      n == -1 ? err : 0, n == -1 ? strerror(err) : "-");
	else
		CHECK(n == -1 && (err == EACCES || err == EINVAL),
		      "read() on a node without V4L2_CAP_READWRITE returned %zd, errno %d (%s); want -1, EACCES or EINVAL",
		      n, n == -1 ? err : 0, n == -1 ? strerror(err) : "-");
	tap_diag("read(): %s (the node has %sV4L2_CAP_READWRITE)",
		 n == -1 ? strerror(err) : "data", cap.device_caps &
		 V4L2_CAP_READWRITE ? "" : "no ");
	CHECK(cg_all_poison(buf, len), "read() wrote into the caller's buffer");
	close(fd);
	return tap_result();
}

static int dqbuf(void *arg)
{
	unsigned int from;
	int fd, bfd;

	(void)arg;
	fd = attacker_open(UVC.dev, O_RDWR | O_NONBLOCK);
	bfd = uvc_open(UVC.dev, O_RDWR);	/* blocking, as a reader would */
	if (fd < 0 || bfd < 0)
		return TAP_FAIL;
	from = CG_LOAD(U.st->frames);
	cg_attack_dqbuf(fd, bfd, 40);
	CHECK(CG_LOAD(U.st->frames) > from,
	      "the owner got no frame meanwhile: the attempts saw no frames");
	close(fd);
	close(bfd);
	return tap_result();
}

static int expbuf(void *arg)
{
	int fd;

	(void)arg;
	fd = attacker_open(UVC.dev, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	cg_attack_expbuf(fd, U.st->nbufs);
	close(fd);
	return tap_result();
}

/* poll() tells another uid nothing of the owner's frames, and at once. */
static int poll_attack(void *arg)
{
	unsigned int from;
	int fd;

	(void)arg;
	fd = attacker_open(UVC.dev, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	from = CG_LOAD(U.st->frames);
	cg_attack_poll(fd, 40);
	CHECK(CG_LOAD(U.st->frames) > from,
	      "the owner got no frame meanwhile: the polls saw no frames");
	close(fd);
	return tap_result();
}

/* The metadata node: every buffer call of another uid is denied. */
static int meta_other(void *arg)
{
	struct v4l2_requestbuffers rb, rb0;
	struct v4l2_buffer b, before;
	char what[64];
	void *p;
	int fd, r;

	(void)arg;
	fd = attacker_open(UVC.meta, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	memset(&rb, CG_POISON, sizeof(rb));
	rb.count = 4;
	rb.type = V4L2_BUF_TYPE_META_CAPTURE;
	rb.memory = V4L2_MEMORY_MMAP;
	rb0 = rb;
	r = xioctl(fd, VIDIOC_REQBUFS, &rb);
	cg_expect_denied("metadata REQBUFS(MMAP, 4)", r, errno, &rb, &rb0,
			 sizeof(rb));
	cg_buf_poison(&b, V4L2_MEMORY_MMAP, 0);
	b.type = V4L2_BUF_TYPE_META_CAPTURE;
	before = b;
	r = xioctl(fd, VIDIOC_QUERYBUF, &b);
	cg_expect_buf_denied("metadata QUERYBUF 0", r, errno, &b, &before);
	cg_buf_poison(&b, V4L2_MEMORY_MMAP, CG_POISON32);
	b.type = V4L2_BUF_TYPE_META_CAPTURE;
	before = b;
	r = xioctl(fd, VIDIOC_DQBUF, &b);
	cg_expect_buf_denied("metadata DQBUF", r, errno, &b, &before);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	snprintf(what, sizeof(what), "metadata mmap at offset 0");
	if (!CHECK(p == MAP_FAILED && errno == EACCES,
		   "%s: %s, want EACCES", what,
		   p == MAP_FAILED ? strerror(errno) : "mapped"))
		if (p != MAP_FAILED)
			munmap(p, 4096);
	close(fd);
	return tap_result();
}

/*
 * The control of meta_other: the owner streams the metadata node while
 * its video streams, and gets uvcdev's payload headers (PTS and SCR).
 */
static int meta_owner(void *arg)
{
	int type = V4L2_BUF_TYPE_META_CAPTURE, fd, got = 0, empty = 0;
	struct v4l2_requestbuffers rb;
	void *map[NBUFS] = { NULL };
	__u32 len[NBUFS] = { 0 };
	struct v4l2_buffer b;
	long deadline;
	unsigned int i;
	uint8_t *m;

	(void)arg;
	if (cg_become(cg.owner))
		return TAP_FAIL;
	fd = uvc_open(UVC.meta, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	memset(&rb, 0, sizeof(rb));
	rb.count = NBUFS;
	rb.type = V4L2_BUF_TYPE_META_CAPTURE;
	rb.memory = V4L2_MEMORY_MMAP;
	if (!CHECK(xioctl(fd, VIDIOC_REQBUFS, &rb) == 0 && rb.count >= 1,
		   "owner's metadata REQBUFS: %s", strerror(errno)))
		return TAP_FAIL;
	if (rb.count > NBUFS)
		rb.count = NBUFS;
	for (i = 0; i < rb.count; i++) {
		memset(&b, 0, sizeof(b));
		b.index = i;
		b.type = V4L2_BUF_TYPE_META_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		if (!CHECK(xioctl(fd, VIDIOC_QUERYBUF, &b) == 0,
			   "owner's metadata QUERYBUF %u: %s", i,
			   strerror(errno)))
			return TAP_FAIL;
		len[i] = b.length;
		map[i] = mmap(NULL, b.length, PROT_READ, MAP_SHARED, fd,
			      b.m.offset);
		if (!CHECK(map[i] != MAP_FAILED, "owner's metadata mmap %u: %s",
			   i, strerror(errno)))
			return TAP_FAIL;
		if (!CHECK(xioctl(fd, VIDIOC_QBUF, &b) == 0,
			   "owner's metadata QBUF %u: %s", i, strerror(errno)))
			return TAP_FAIL;
	}
	if (!CHECK(xioctl(fd, VIDIOC_STREAMON, &type) == 0,
		   "owner's metadata STREAMON: %s", strerror(errno)))
		return TAP_FAIL;
	deadline = tap_now_ms() + 5000;
	while (got < 3 && tap_now_ms() < deadline) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 500) <= 0 || !(p.revents & POLLIN))
			continue;
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_META_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		if (xioctl(fd, VIDIOC_DQBUF, &b))
			continue;
		m = map[b.index];
		/*
		 * A buffer that was queued when the frame's payload header
		 * had gone by carries nothing: not counted.
		 */
		if (b.bytesused == 0 && ++empty) {
			xioctl(fd, VIDIOC_QBUF, &b);
			continue;
		}
		/*
		 * struct uvc_meta_buf: ns (8), sof (2), then the payload
		 * header, its length and flags first.
		 */
		if (CHECK(b.bytesused >= 10 + META_HDR && m[10] == META_HDR &&
			  (m[11] & 0x0c) == 0x0c,
			  "owner's metadata buffer: %u bytes, header length %u, flags 0x%02x; want %u-byte headers with PTS and SCR",
			  b.bytesused, b.bytesused >= 12 ? m[10] : 0,
			  b.bytesused >= 12 ? m[11] : 0, META_HDR))
			got++;
		xioctl(fd, VIDIOC_QBUF, &b);
	}
	CHECK(got >= 3, "the owner got %d metadata buffers in 5 s, want 3",
	      got);
	tap_diag("owner: %d metadata buffers with uvcdev's payload headers, %d empty",
		 got, empty);
	xioctl(fd, VIDIOC_STREAMOFF, &type);
	for (i = 0; i < NBUFS; i++)
		if (map[i] && map[i] != MAP_FAILED)
			munmap(map[i], len[i]);
	close(fd);
	return tap_result();
}

static int denials(void *arg)
{
	unsigned long long now = cg_sysfs_u64(UVC.sysfs, "denials");
	unsigned long long meta = cg_sysfs_u64(UVC.meta_sysfs, "denials");

	(void)arg;
	CHECK(now != ~0ULL && denials_before != ~0ULL &&
	      now >= denials_before + 16,
	      "the capture node's denials went from %llu to %llu over the attacks",
	      denials_before, now);
	CHECK(meta != ~0ULL && meta >= 4,
	      "the metadata node counts %llu denials, want 4 or more", meta);
	tap_diag("denials: capture node %llu before the attacks, %llu after; metadata node %llu",
		 denials_before, now, meta);
	return tap_result();
}

/*
 * The streaming indicator (sysfs, uevents, LED) follows vb2's
 * vdev->queue, which uvcvideo never sets: a documented limit
 * (Documentation/design.rst, "Known limits"), run as TODO until it is
 * closed for uvcvideo.
 */
static int streaming_file(void *arg)
{
	char buf[16] = "";

	(void)arg;
	CHECK(cg_sysfs_read(UVC.sysfs, "streaming", buf, sizeof(buf)) == 0 &&
	      !strcmp(buf, "1"), "streaming reads \"%s\" while the owner streams, want 1",
	      buf);
	return tap_result();
}

static int owner_unaffected(void *arg)
{
	unsigned int from;

	(void)arg;
	if (!U.st)
		return TAP_FAIL;
	from = CG_LOAD(U.st->frames);
	CHECK(stream_wait(from, 10, 5000),
	      "the owner got %u frames in the last 5 s",
	      CG_LOAD(U.st->frames) - from);
	CHECK(!U.st->bad && !U.st->stale && !U.st->errors,
	      "owner: %u bad, %u not new, %u errors: %s", U.st->bad,
	      U.st->stale, U.st->errors, U.st->why);
	tap_diag("owner: %u intact, distinct frames in all, the last number %u",
		 CG_LOAD(U.st->frames), U.st->last);
	return tap_result();
}

static int stop_status = TAP_FAIL;

static int stream_stopped(void *arg)
{
	(void)arg;
	CHECK(stop_status == TAP_PASS, "the owner's streamer ended badly: %s",
	      U.st ? U.st->why : "-");
	return tap_result();
}

int main(void)
{
	tap_plan(18, 50);
	cg_env_load();
	tap_set_cleanup(cleanup);
	cg_uvc_env();
	cg_uvc_restore();

	UVC_RUN(owner_sizes, 20,
	    "owner streams %u frames by mmap at 160x120 and at 320x240, each intact and new (control)",
	    FRAMES);

	tap_run(UVC.skip ? uvc_skip_case : v4l2_ctl_owner, "mmap", 20,
		"owner's v4l2-ctl --stream-mmap --stream-count=10 gets 10 frames (control)");
	tap_run(UVC.skip ? uvc_skip_case : v4l2_ctl_other, "mmap", 20,
		"another uid's v4l2-ctl --stream-mmap gets no frame, Permission denied");
	tap_run(UVC.skip ? uvc_skip_case : v4l2_ctl_owner, "user", 20,
		"owner's v4l2-ctl --stream-user --stream-count=10 (USERPTR) gets 10 frames (control)");
	tap_run(UVC.skip ? uvc_skip_case : v4l2_ctl_other, "user", 20,
		"another uid's v4l2-ctl --stream-user (USERPTR) gets no frame, Permission denied");

	if (!UVC.skip)
		stream_start();
	denials_before = UVC.skip ? 0 : cg_sysfs_u64(UVC.sysfs, "denials");
	UVC_RUN(owner_streams, 10,
	    "owner streams 320x240 in the background: frames intact and new (control)");
	UVC_RUN(querybuf, 10,
	    "1: non-owner open + QUERYBUF of the owner's buffers is denied: no offset, length or timestamp");
	UVC_RUN(mmap_offsets, 10,
	    "1: non-owner mmap() at the owner's real buffer offsets is denied");
	UVC_RUN(read_streaming, 10,
	    "2: non-owner read() while the owner streams fails, buffer untouched");
	UVC_RUN(dqbuf, 10,
	    "3: non-owner DQBUF (blocking and not) is denied while frames arrive");
	UVC_RUN(expbuf, 10,
	    "3: non-owner EXPBUF of the owner's buffers is denied: no dma-buf fd installed");
	UVC_RUN(poll_attack, 10,
	    "5: non-owner poll() reports POLLERR at once, never POLLIN or POLLPRI");
	UVC_RUN(meta_other, 10,
	    "metadata node: non-owner REQBUFS, QUERYBUF, DQBUF and mmap are denied");
	UVC_RUN(meta_owner, 10,
	    "metadata node: the owner streams it, uvcdev's PTS and SCR headers arrive (control)");
	UVC_RUN(denials, 10, "sysfs: both UVC nodes count the denials");
	if (!UVC.skip)
		tap_todo("6.1's and 6.12's uvcvideo set no vdev->queue, which the indicator follows (design.rst, known limits)");
	UVC_RUN(streaming_file, 10,
	    "sysfs: the UVC capture node's streaming file reads 1 while the owner streams");
	UVC_RUN(owner_unaffected, 10,
	    "the owner's stream ran on, every frame intact and new, through all attacks");
	if (!UVC.skip && U.pid > 0) {
		CG_STORE(U.st->stop, 1);
		stop_status = cg_wait(U.pid, 5000);
		U.pid = 0;
	}
	UVC_RUN(stream_stopped, 10,
	    "the owner stops its stream cleanly (STREAMOFF, REQBUFS 0)");
	cleanup();
	return tap_finish();
}
