// SPDX-License-Identifier: GPL-2.0
/*
 * ioctls.c - the ioctl allowlist seen from user space (ATTACKS.md cases
 * 7, 8 and 9).
 *
 * While the owner streams, a non-owner issues every VIDIOC_* number of the
 * 6.12 uapi: the read-only queries a device picker needs must work (case
 * 8), everything else must fail with EACCES and leave its argument
 * untouched (case 7), and so must unknown, private and vendor numbers,
 * numbers with another type byte, and the 32-bit compat numbers, both
 * issued through the 64-bit path and made by a real 32-bit system call
 * (int $0x80 on x86_64; on arm64 the static AArch32 helper tests/vm/cg32
 * makes it).  Root without the owner credential, and a container's root,
 * get no frames either (case 9).
 */
#include "tap.h"
#include "camgate_test.h"
#include "sys32.h"

#include <sched.h>
#include <sys/prctl.h>

static struct cg_stream S;

static void cleanup(void)
{
	cg_stream_kill(&S);
}

/* The owner must stream, or an attack proves nothing. */
static bool need_stream(void)
{
	return CHECK(S.st && CG_LOAD(S.st->ready) == 1 && S.st->nbufs,
		     "the owner does not stream: nothing to attack");
}

static int open_as(uid_t uid, int flags)
{
	if (!need_stream() || cg_become(uid))
		return -1;
	return cg_open(flags);
}

/* ---- the table ---------------------------------------------------------------- */

enum want {
	ALLOW,		/* a query the allowlist must name (case 8): not EACCES */
	EITHER,		/* a read-only query it need not name: if denied, cleanly */
	DENY,		/* must be -1/EACCES with the argument untouched */
};

struct ioc {
	const char *name;
	unsigned long cmd;
	enum want want;
};

#define Q(c)	{ #c, c, ALLOW }
#define E(c)	{ #c, c, EITHER }
#define D(c)	{ #c, c, DENY }

static const struct ioc table[] = {
	/* Case 8: what a device picker needs. */
	Q(VIDIOC_QUERYCAP), Q(VIDIOC_ENUM_FMT), Q(VIDIOC_G_FMT),
	Q(VIDIOC_TRY_FMT), Q(VIDIOC_QUERYCTRL), Q(VIDIOC_QUERY_EXT_CTRL),
	Q(VIDIOC_QUERYMENU), Q(VIDIOC_G_CTRL),
	Q(VIDIOC_ENUMINPUT), Q(VIDIOC_G_INPUT), Q(VIDIOC_ENUMSTD),
	Q(VIDIOC_G_STD), Q(VIDIOC_G_PARM), Q(VIDIOC_ENUM_FRAMESIZES),
	Q(VIDIOC_ENUM_FRAMEINTERVALS), Q(VIDIOC_G_SELECTION),
	Q(VIDIOC_CROPCAP), Q(VIDIOC_G_CROP), Q(VIDIOC_G_PRIORITY),
	Q(VIDIOC_G_TUNER), Q(VIDIOC_G_FREQUENCY), Q(VIDIOC_ENUMAUDIO),
	Q(VIDIOC_G_AUDIO),
	/* Read-only queries the contract leaves open ("..."). */
	E(VIDIOC_QUERYSTD), E(VIDIOC_ENUMOUTPUT), E(VIDIOC_G_OUTPUT),
	E(VIDIOC_TRY_EXT_CTRLS), E(VIDIOC_G_AUDOUT), E(VIDIOC_ENUMAUDOUT),
	E(VIDIOC_G_MODULATOR), E(VIDIOC_ENUM_FREQ_BANDS),
	E(VIDIOC_G_JPEGCOMP), E(VIDIOC_G_SLICED_VBI_CAP), E(VIDIOC_G_EDID),
	E(VIDIOC_G_DV_TIMINGS), E(VIDIOC_ENUM_DV_TIMINGS),
	E(VIDIOC_QUERY_DV_TIMINGS), E(VIDIOC_DV_TIMINGS_CAP),
	E(VIDIOC_G_FBUF), E(VIDIOC_DBG_G_CHIP_INFO),
	/* Case 7: buffers and streaming. */
	D(VIDIOC_REQBUFS), D(VIDIOC_QUERYBUF), D(VIDIOC_QBUF),
	D(VIDIOC_DQBUF), D(VIDIOC_EXPBUF), D(VIDIOC_STREAMON),
	D(VIDIOC_STREAMOFF), D(VIDIOC_CREATE_BUFS), D(VIDIOC_PREPARE_BUF),
	D(VIDIOC_REMOVE_BUFS), D(VIDIOC_OVERLAY),
	/* Reads controls the caller names in user memory: see ro_int32(). */
	D(VIDIOC_G_EXT_CTRLS),
	/* Setters. */
	D(VIDIOC_S_FMT), D(VIDIOC_S_PARM), D(VIDIOC_S_STD), D(VIDIOC_S_INPUT),
	D(VIDIOC_S_OUTPUT), D(VIDIOC_S_CTRL), D(VIDIOC_S_EXT_CTRLS),
	D(VIDIOC_S_TUNER), D(VIDIOC_S_AUDIO), D(VIDIOC_S_AUDOUT),
	D(VIDIOC_S_MODULATOR), D(VIDIOC_S_FREQUENCY), D(VIDIOC_S_CROP),
	D(VIDIOC_S_SELECTION), D(VIDIOC_S_JPEGCOMP), D(VIDIOC_S_PRIORITY),
	D(VIDIOC_S_FBUF), D(VIDIOC_S_EDID), D(VIDIOC_S_DV_TIMINGS),
	D(VIDIOC_S_HW_FREQ_SEEK),
	/* Codec commands and the encoder index (frame offsets, timestamps). */
	D(VIDIOC_G_ENC_INDEX), D(VIDIOC_ENCODER_CMD),
	D(VIDIOC_TRY_ENCODER_CMD), D(VIDIOC_DECODER_CMD),
	D(VIDIOC_TRY_DECODER_CMD),
	/* Events (frame sync timing) and debug. */
	D(VIDIOC_DQEVENT), D(VIDIOC_SUBSCRIBE_EVENT),
	D(VIDIOC_UNSUBSCRIBE_EVENT), D(VIDIOC_LOG_STATUS),
	D(VIDIOC_DBG_S_REGISTER), D(VIDIOC_DBG_G_REGISTER),
	/* 32-bit compat numbers, issued through the 64-bit path. */
	D(VIDIOC_G_FMT32), D(VIDIOC_S_FMT32), D(VIDIOC_QUERYBUF32),
	D(VIDIOC_G_FBUF32), D(VIDIOC_S_FBUF32), D(VIDIOC_QBUF32),
	D(VIDIOC_DQBUF32),
#if defined(__x86_64__)
	/* On arm64 these two equal ENUMSTD and ENUMINPUT (queries). */
	D(VIDIOC_ENUMSTD32), D(VIDIOC_ENUMINPUT32),
#endif
	D(VIDIOC_G_EDID32), D(VIDIOC_S_EDID32), D(VIDIOC_TRY_FMT32),
	D(VIDIOC_G_EXT_CTRLS32), D(VIDIOC_S_EXT_CTRLS32),
	D(VIDIOC_TRY_EXT_CTRLS32), D(VIDIOC_DQEVENT32),
	D(VIDIOC_CREATE_BUFS32), D(VIDIOC_PREPARE_BUF32),
	D(VIDIOC_QUERYBUF32_TIME32), D(VIDIOC_QBUF32_TIME32),
	D(VIDIOC_DQBUF32_TIME32), D(VIDIOC_DQEVENT32_TIME32),
	D(VIDIOC_PREPARE_BUF32_TIME32), D(VIDIOC_QUERYBUF_TIME32),
	D(VIDIOC_QBUF_TIME32), D(VIDIOC_DQBUF_TIME32),
	D(VIDIOC_PREPARE_BUF_TIME32), D(VIDIOC_DQEVENT_TIME32),
};

#define NTABLE	(sizeof(table) / sizeof(table[0]))

static bool is_listed_query(unsigned long cmd)
{
	size_t i;

	for (i = 0; i < NTABLE; i++)
		if (table[i].cmd == cmd && table[i].want != DENY)
			return true;
	return false;
}

/* A 4 KiB argument, aligned, and a copy to compare with. */
struct arg {
	unsigned char buf[4096] __attribute__((aligned(64)));
	unsigned char before[4096];
};

static int table_case(void *p)
{
	const struct ioc *e = p;
	static struct arg a;
	int fd, r, err;

	fd = open_as(cg.other, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	memset(a.buf, e->want == DENY ? CG_POISON : 0, sizeof(a.buf));
	memcpy(a.before, a.buf, sizeof(a.buf));
	r = ioctl(fd, e->cmd, a.buf);
	err = errno;
	switch (e->want) {
	case ALLOW:
		CHECK(!(r == -1 && err == EACCES),
		      "%s (0x%08lx) is denied to a non-owner", e->name, e->cmd);
		tap_diag("%s: %s", e->name, r == 0 ? "ok" : strerror(err));
		break;
	case EITHER:
		if (r == -1 && err == EACCES)
			CHECK(memcmp(a.buf, a.before, sizeof(a.buf)) == 0,
			      "%s: denied, but the argument came back modified",
			      e->name);
		tap_diag("%s: %s", e->name,
			 r == 0 ? "allowed" : r == -1 && err == EACCES ?
			 "denied" : strerror(err));
		break;
	case DENY:
		cg_expect_denied(e->name, r, err, a.buf, a.before,
				 sizeof(a.buf));
		break;
	}
	close(fd);
	return tap_result();
}

/* Issue every number of @cmds as the attacker; each must be denied. */
static int deny_all(const unsigned long *cmds, size_t n, const char *what)
{
	static struct arg a;
	unsigned int bad = 0;
	size_t i;
	int fd, r, err;

	fd = open_as(cg.other, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	for (i = 0; i < n; i++) {
		memset(a.buf, CG_POISON, sizeof(a.buf));
		memcpy(a.before, a.buf, sizeof(a.buf));
		r = ioctl(fd, cmds[i], a.buf);
		err = errno;
		if (r == -1 && err == EACCES &&
		    !memcmp(a.buf, a.before, sizeof(a.buf)))
			continue;
		if (++bad <= 8)
			tap_diag("%s 0x%08lx (type 0x%02lx nr %lu size %lu): returned %d, %s%s",
				 what, cmds[i], _IOC_TYPE(cmds[i]),
				 _IOC_NR(cmds[i]), _IOC_SIZE(cmds[i]), r,
				 r == -1 ? strerror(err) : "success",
				 memcmp(a.buf, a.before, sizeof(a.buf)) ?
				 ", argument modified" : "");
	}
	CHECK(bad == 0, "%u of %zu %s numbers were not denied cleanly", bad, n,
	      what);
	tap_diag("%zu %s numbers tried", n, what);
	close(fd);
	return tap_result();
}

static unsigned long cmds[1024];

static int private_numbers(void *arg)
{
	static const unsigned int dirs[] = {
		_IOC_NONE, _IOC_READ, _IOC_WRITE, _IOC_READ | _IOC_WRITE,
	};
	size_t n = 0;
	unsigned int nr, d;

	(void)arg;
	for (nr = BASE_VIDIOC_PRIVATE; nr <= 255; nr++)
		for (d = 0; d < 4; d++)
			cmds[n++] = _IOC(dirs[d], 'V', nr,
					 dirs[d] == _IOC_NONE ? 0 : sizeof(int));
	return deny_all(cmds, n, "private ('V', 192..255)");
}

static int vendor_200(void *arg)
{
	unsigned long cmd = _IOWR('V', 200, int);

	(void)arg;
	return deny_all(&cmd, 1, "vendor _IOWR('V', 200, int)");
}

static int unassigned_numbers(void *arg)
{
	static const unsigned int holes[] = {
		1, 3, 6, 7, 12, 13, 20, 31, 32, 35, 42, 43, 44, 45, 51, 52, 53,
		81, 83, 84, 85, 86,
	};
	size_t n = 0, i;
	unsigned int nr;

	(void)arg;
	for (i = 0; i < sizeof(holes) / sizeof(holes[0]); i++)
		cmds[n++] = _IOWR('V', holes[i], int);
	for (nr = 105; nr < BASE_VIDIOC_PRIVATE; nr++)
		cmds[n++] = _IOWR('V', nr, int);
	return deny_all(cmds, n, "unassigned 'V'");
}

/* The allowed numbers with another direction or size are other numbers. */
static int near_misses(void *arg)
{
	size_t n = 0, i;
	unsigned long c, dir, size, nr;

	(void)arg;
	for (i = 0; i < NTABLE; i++) {
		if (table[i].want == DENY)
			continue;
		c = table[i].cmd;
		dir = _IOC_DIR(c);
		nr = _IOC_NR(c);
		size = _IOC_SIZE(c);
		cmds[n++] = _IOC(dir ^ _IOC_WRITE, 'V', nr, size);
		cmds[n++] = _IOC(dir, 'V', nr, size + 4);
		if (size > 4)
			cmds[n++] = _IOC(dir, 'V', nr, size - 4);
		cmds[n++] = _IOC(dir, 'v', nr, size);
	}
	/* Drop a variant that happens to be a listed number itself. */
	for (i = 0; i < n; i++)
		if (is_listed_query(cmds[i]))
			cmds[i--] = cmds[--n];
	return deny_all(cmds, n, "near-miss");
}

static int random_types(void *arg)
{
	/* Type bytes the VFS or others handle before the driver sees them. */
	static const unsigned char skip[] = { 0, 0x15, 'T', 'X', 'f', 0x94, 'V' };
	unsigned int seed = 0x63616d67;	/* fixed: the same numbers each run */
	size_t n = 0, i;

	(void)arg;
	while (n < 256) {
		unsigned long type, nr, dir, size;
		bool bad = false;

		seed = seed * 1103515245u + 12345u;
		type = (seed >> 8) & 0xff;
		nr = (seed >> 16) & 0xff;
		seed = seed * 1103515245u + 12345u;
		dir = (seed >> 8) & 3;
		size = dir ? (seed >> 12) % 256 : 0;
		for (i = 0; i < sizeof(skip); i++)
			bad |= type == skip[i];
		if (bad)
			continue;
		cmds[n++] = _IOC(dir, type, nr, size);
	}
	return deny_all(cmds, n, "random-type");
}

/* ---- case 8: the queries really work --------------------------------------- */

static int q_querycap(void *arg)
{
	struct v4l2_capability cap;
	int fd;

	(void)arg;
	fd = open_as(cg.other, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	memset(&cap, 0, sizeof(cap));
	if (CHECK(xioctl(fd, VIDIOC_QUERYCAP, &cap) == 0, "QUERYCAP: %s",
		  strerror(errno))) {
		CHECK(!strcmp((char *)cap.driver, "vivid"), "driver \"%s\"",
		      cap.driver);
		CHECK(cap.card[0], "no card name");
		CHECK(cap.device_caps & V4L2_CAP_VIDEO_CAPTURE,
		      "device_caps 0x%08x lack VIDEO_CAPTURE", cap.device_caps);
		tap_diag("card \"%s\", bus \"%s\", device_caps 0x%08x",
			 cap.card, cap.bus_info, cap.device_caps);
	}
	close(fd);
	return tap_result();
}

static int q_enum_fmt(void *arg)
{
	struct v4l2_fmtdesc f;
	bool yuyv = false;
	int fd, i;

	(void)arg;
	fd = open_as(cg.other, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	for (i = 0; i < 200; i++) {
		memset(&f, 0, sizeof(f));
		f.index = i;
		f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		if (xioctl(fd, VIDIOC_ENUM_FMT, &f))
			break;
		yuyv |= f.pixelformat == V4L2_PIX_FMT_YUYV;
	}
	CHECK(i > 0, "ENUM_FMT index 0: %s", strerror(errno));
	CHECK(errno == EINVAL, "ENUM_FMT ended with %s, want EINVAL",
	      strerror(errno));
	CHECK(yuyv, "YUYV not among the %d formats", i);
	tap_diag("%d formats", i);
	close(fd);
	return tap_result();
}

static int q_g_fmt(void *arg)
{
	struct v4l2_format f;
	int fd;

	(void)arg;
	fd = open_as(cg.other, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	memset(&f, 0, sizeof(f));
	f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (CHECK(xioctl(fd, VIDIOC_G_FMT, &f) == 0, "G_FMT: %s",
		  strerror(errno)))
		CHECK(f.fmt.pix.width == S.st->pix.width &&
		      f.fmt.pix.height == S.st->pix.height &&
		      f.fmt.pix.pixelformat == S.st->pix.pixelformat &&
		      f.fmt.pix.sizeimage == S.st->pix.sizeimage,
		      "G_FMT says %ux%u %.4s %u bytes; the owner streams %ux%u %.4s %u bytes",
		      f.fmt.pix.width, f.fmt.pix.height,
		      (char *)&f.fmt.pix.pixelformat, f.fmt.pix.sizeimage,
		      S.st->pix.width, S.st->pix.height,
		      (char *)&S.st->pix.pixelformat, S.st->pix.sizeimage);
	memset(&f, 0, sizeof(f));
	f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	f.fmt.pix.width = 320;
	f.fmt.pix.height = 180;
	f.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	CHECK(xioctl(fd, VIDIOC_TRY_FMT, &f) == 0 && f.fmt.pix.sizeimage,
	      "TRY_FMT: %s", strerror(errno));
	close(fd);
	return tap_result();
}

static int q_queryctrl(void *arg)
{
	struct v4l2_queryctrl qc;
	__s32 v = 0;
	int fd;

	(void)arg;
	fd = open_as(cg.other, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	CHECK(cg_find_ctrl(fd, "Test Pattern", &qc) == 0,
	      "QUERYCTRL enumeration did not find \"Test Pattern\"");
	memset(&qc, 0, sizeof(qc));
	qc.id = V4L2_CID_BRIGHTNESS;
	if (CHECK(xioctl(fd, VIDIOC_QUERYCTRL, &qc) == 0,
		  "QUERYCTRL brightness: %s", strerror(errno)))
		CHECK(cg_get_ctrl(fd, V4L2_CID_BRIGHTNESS, &v) == 0 &&
		      v >= qc.minimum && v <= qc.maximum,
		      "G_CTRL brightness: %s (%d)", strerror(errno), v);
	close(fd);
	return tap_result();
}

static int q_input_parm_sizes(void *arg)
{
	struct v4l2_input in;
	struct v4l2_streamparm parm;
	struct v4l2_frmsizeenum fs;
	struct v4l2_frmivalenum fi;
	int fd, cur = -1;

	(void)arg;
	fd = open_as(cg.other, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	memset(&in, 0, sizeof(in));
	CHECK(xioctl(fd, VIDIOC_ENUMINPUT, &in) == 0 && in.name[0],
	      "ENUMINPUT 0: %s", strerror(errno));
	CHECK(xioctl(fd, VIDIOC_G_INPUT, &cur) == 0 && cur == 0,
	      "G_INPUT: %s (%d)", strerror(errno), cur);
	memset(&parm, 0, sizeof(parm));
	parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (CHECK(xioctl(fd, VIDIOC_G_PARM, &parm) == 0, "G_PARM: %s",
		  strerror(errno)))
		CHECK(parm.parm.capture.timeperframe.numerator == 1 &&
		      parm.parm.capture.timeperframe.denominator ==
		      S.st->fps, "G_PARM: %u/%u, the owner set 1/%u",
		      parm.parm.capture.timeperframe.numerator,
		      parm.parm.capture.timeperframe.denominator, S.st->fps);
	memset(&fs, 0, sizeof(fs));
	fs.pixel_format = V4L2_PIX_FMT_YUYV;
	CHECK(xioctl(fd, VIDIOC_ENUM_FRAMESIZES, &fs) == 0,
	      "ENUM_FRAMESIZES: %s", strerror(errno));
	memset(&fi, 0, sizeof(fi));
	fi.pixel_format = V4L2_PIX_FMT_YUYV;
	fi.width = S.st->pix.width;
	fi.height = S.st->pix.height;
	CHECK(xioctl(fd, VIDIOC_ENUM_FRAMEINTERVALS, &fi) == 0,
	      "ENUM_FRAMEINTERVALS: %s", strerror(errno));
	close(fd);
	return tap_result();
}

/* ---- 32-bit system calls ------------------------------------------------------ */

static bool have_int80;



static int c_querycap(void *arg)
{
	struct v4l2_capability *cap = low_page();
	int fd, r;

	(void)arg;
	if (!have_int80)
		return tap_skip(NO32_REASON);
	fd = open_as(cg.other, O_RDWR | O_NONBLOCK);
	if (fd < 0 || !cap)
		return TAP_FAIL;
	memset(cap, 0, sizeof(*cap));
	r = ioctl32(fd, VIDIOC_QUERYCAP, cap);
	CHECK(r == 0 && !strcmp((char *)cap->driver, "vivid"),
	      "32-bit QUERYCAP: %d (%s), driver \"%s\"", r,
	      r < 0 ? strerror(-r) : "-", cap->driver);
	close(fd);
	return tap_result();
}

static int c_buffers(void *arg)
{
	struct buffer32 *b = low_page();
	struct create_buffers32 *cb = (void *)b;
	struct v4l2_requestbuffers *rb = (void *)b;
	struct format32 *f = (void *)b;
	int fd, *type = (void *)b;
	unsigned int i;

	(void)arg;
	if (!have_int80)
		return tap_skip(NO32_REASON);
	fd = open_as(cg.other, O_RDWR | O_NONBLOCK);
	if (fd < 0 || !b)
		return TAP_FAIL;
	for (i = 0; i < S.st->nbufs; i++) {
		memset(b, CG_POISON, sizeof(*b));
		b->index = i;
		b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b->memory = V4L2_MEMORY_MMAP;
		ioctl32_denied(fd, "32-bit QUERYBUF32", VIDIOC_QUERYBUF32, b,
			      sizeof(*b));
		ioctl32_denied(fd, "32-bit QBUF32", VIDIOC_QBUF32, b,
			      sizeof(*b));
		ioctl32_denied(fd, "32-bit PREPARE_BUF32", VIDIOC_PREPARE_BUF32,
			      b, sizeof(*b));
		ioctl32_denied(fd, "32-bit QUERYBUF32_TIME32",
			      VIDIOC_QUERYBUF32_TIME32, b,
			      sizeof(struct buffer32_time32));
	}
	memset(b, CG_POISON, sizeof(*b));
	b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b->memory = V4L2_MEMORY_MMAP;
	ioctl32_denied(fd, "32-bit DQBUF32", VIDIOC_DQBUF32, b, sizeof(*b));
	ioctl32_denied(fd, "32-bit DQBUF32_TIME32", VIDIOC_DQBUF32_TIME32, b,
		      sizeof(struct buffer32_time32));

	memset(cb, CG_POISON, sizeof(*cb));
	cb->count = 1;
	cb->memory = V4L2_MEMORY_MMAP;
	cb->format.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	ioctl32_denied(fd, "32-bit CREATE_BUFS32", VIDIOC_CREATE_BUFS32, cb,
		      sizeof(*cb));

	memset(rb, CG_POISON, sizeof(*rb));
	rb->count = 2;
	rb->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb->memory = V4L2_MEMORY_MMAP;
	ioctl32_denied(fd, "32-bit REQBUFS", VIDIOC_REQBUFS, rb, sizeof(*rb));

	*type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	ioctl32_denied(fd, "32-bit STREAMON", VIDIOC_STREAMON, type,
		      sizeof(*type));
	ioctl32_denied(fd, "32-bit STREAMOFF", VIDIOC_STREAMOFF, type,
		      sizeof(*type));

	memset(f, 0, sizeof(*f));
	f->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	ioctl32_denied(fd, "32-bit G_FMT32 (layout differs: not a query)",
		      VIDIOC_G_FMT32, f, sizeof(*f));
	close(fd);
	return tap_result();
}

static int c_private(void *arg)
{
	unsigned int *v = low_page();
	int fd, r;

	(void)arg;
	if (!have_int80)
		return tap_skip(NO32_REASON);
	fd = open_as(cg.other, O_RDWR | O_NONBLOCK);
	if (fd < 0 || !v)
		return TAP_FAIL;
	*v = CG_POISON32;
	r = ioctl32(fd, _IOWR('V', 200, int), v);
	/* vivid has no compat_ioctl32: the core may say ENOTTY first. */
	CHECK(r == -EACCES || r == -ENOTTY,
	      "32-bit _IOWR('V', 200, int): %d (%s), want EACCES or ENOTTY", r,
	      r < 0 ? strerror(-r) : "success");
	CHECK(*v == CG_POISON32, "the argument came back as 0x%x", *v);
	tap_diag("32-bit private ioctl: %s", r < 0 ? strerror(-r) : "success");
	close(fd);
	return tap_result();
}

static int c_owner(void *arg)
{
	struct buffer32 *b = low_page();
	int fd, r;

	(void)arg;
	if (!have_int80)
		return tap_skip(NO32_REASON);
	fd = open_as(cg.owner, O_RDWR | O_NONBLOCK);
	if (fd < 0 || !b)
		return TAP_FAIL;
	memset(b, 0, sizeof(*b));
	b->index = 0;
	b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b->memory = V4L2_MEMORY_MMAP;
	r = ioctl32(fd, VIDIOC_QUERYBUF32, b);
	CHECK(r == 0, "owner's 32-bit QUERYBUF32: %s", strerror(-r));
	CHECK(r || (b->m == S.st->offset[0] && b->length == S.st->length[0]),
	      "owner's 32-bit QUERYBUF32: offset 0x%x length %u, want 0x%x %u",
	      b->m, b->length, S.st->offset[0], S.st->length[0]);
	close(fd);
	return tap_result();
}

/* ---- case 9: root without the owner credential -------------------------------- */

static int root_buffers(void *arg)
{
	struct v4l2_requestbuffers rb, rbefore;
	struct v4l2_exportbuffer eb, ebefore;
	struct v4l2_buffer b, before;
	int fd, r, type = V4L2_BUF_TYPE_VIDEO_CAPTURE, tbefore = type;
	unsigned int i;
	size_t len;
	char *buf;
	ssize_t n;
	void *p;

	(void)arg;
	fd = open_as(0, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	CHECK(geteuid() == 0, "not root");
	for (i = 0; i < S.st->nbufs; i++) {
		cg_buf_poison(&b, V4L2_MEMORY_MMAP, i);
		before = b;
		r = xioctl(fd, VIDIOC_QUERYBUF, &b);
		cg_expect_buf_denied("root QUERYBUF", r, errno, &b, &before);
		p = mmap(NULL, S.st->length[i], PROT_READ, MAP_SHARED, fd,
			 S.st->offset[i]);
		CHECK(p == MAP_FAILED && errno == EACCES,
		      "root mmap at the owner's offset 0x%x: %s", S.st->offset[i],
		      p == MAP_FAILED ? strerror(errno) : "mapped");
		if (p != MAP_FAILED)
			munmap(p, S.st->length[i]);
	}
	cg_buf_poison(&b, V4L2_MEMORY_MMAP, 0);
	before = b;
	r = xioctl(fd, VIDIOC_DQBUF, &b);
	cg_expect_buf_denied("root DQBUF", r, errno, &b, &before);

	memset(&rb, CG_POISON, sizeof(rb));
	rb.count = 0;
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_MMAP;
	rbefore = rb;
	r = xioctl(fd, VIDIOC_REQBUFS, &rb);
	cg_expect_denied("root REQBUFS(0)", r, errno, &rb, &rbefore,
			 sizeof(rb));
	r = xioctl(fd, VIDIOC_STREAMOFF, &type);
	cg_expect_denied("root STREAMOFF", r, errno, &type, &tbefore,
			 sizeof(type));
	memset(&eb, CG_POISON, sizeof(eb));
	eb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	eb.index = 0;
	eb.plane = 0;
	eb.flags = 0;
	ebefore = eb;
	r = xioctl(fd, VIDIOC_EXPBUF, &eb);
	cg_expect_denied("root EXPBUF", r, errno, &eb, &ebefore, sizeof(eb));

	len = S.st->pix.sizeimage;
	buf = malloc(len);
	if (buf) {
		memset(buf, CG_POISON, len);
		n = read(fd, buf, len);
		CHECK(n == -1 && errno == EACCES, "root read(): %zd (%s)", n,
		      n < 0 ? strerror(errno) : "data");
		CHECK(cg_all_poison(buf, len), "root read() wrote the buffer");
	}
	close(fd);
	return tap_result();
}

static int root_poll(void *arg)
{
	struct pollfd p;
	long t0;
	int fd, r;

	(void)arg;
	fd = open_as(0, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	p.fd = fd;
	p.events = POLLIN | POLLPRI;
	p.revents = 0;
	t0 = tap_now_ms();
	r = poll(&p, 1, 3000);
	CHECK(r == 1 && p.revents == POLLERR && tap_now_ms() - t0 < 1000,
	      "root poll(): %d, revents 0x%x after %ld ms; want POLLERR at once",
	      r, p.revents, tap_now_ms() - t0);
	close(fd);
	return tap_result();
}

static int root_configures(void *arg)
{
	char buf[32];
	ssize_t n;

	(void)arg;
	/* A write that changes nothing the owner's stream depends on. */
	n = cg_sysfs_write(CG_SYSFS_ROOT, "default_policy", "deny\n");
	CHECK(n == 5, "root write of default_policy: %zd (%s)", n,
	      n < 0 ? strerror(-n) : "short");
	CHECK(cg_sysfs_read(cg.sysfs, "owner_uid", buf, sizeof(buf)) == 0 &&
	      strtoul(buf, NULL, 10) == cg.owner,
	      "owner_uid reads \"%s\"", buf);
	return tap_result();
}

/* Write a one-line /proc/self file; 0 or -errno. */
static int proc_write(const char *file, const char *s)
{
	int fd = open(file, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		err = -errno;
	close(fd);
	return err;
}

static int container_root(void *arg)
{
	struct v4l2_buffer b, before;
	char map[64];
	int fd, r;

	(void)arg;
	if (!need_stream() || cg_become(cg.other))
		return TAP_FAIL;
	/* The uid change made us undumpable: /proc/self would be root's. */
	prctl(PR_SET_DUMPABLE, 1);
	if (unshare(CLONE_NEWUSER))
		return tap_skip("no user namespace for uid %u: %s", cg.other,
				strerror(errno));
	snprintf(map, sizeof(map), "0 %u 1", cg.other);
	proc_write("/proc/self/setgroups", "deny");
	r = proc_write("/proc/self/uid_map", map);
	if (r)
		return tap_skip("cannot map uid 0 in the namespace: %s",
				strerror(-r));
	snprintf(map, sizeof(map), "0 %u 1", cg.other);
	proc_write("/proc/self/gid_map", map);
	CHECK(geteuid() == 0, "euid %u in the namespace, want 0", geteuid());
	fd = cg_open(O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	cg_buf_poison(&b, V4L2_MEMORY_MMAP, 0);
	before = b;
	r = xioctl(fd, VIDIOC_QUERYBUF, &b);
	cg_expect_buf_denied("container-root QUERYBUF", r, errno, &b, &before);
	cg_buf_poison(&b, V4L2_MEMORY_MMAP, 0);
	before = b;
	r = xioctl(fd, VIDIOC_DQBUF, &b);
	cg_expect_buf_denied("container-root DQBUF", r, errno, &b, &before);
	close(fd);
	return tap_result();
}

/* ---- controls that follow the frames -------------------------------------- */

/*
 * vivid sets its "Read-Only Integer 32 Bits" control to the sequence number
 * of every frame it captures (vivid-kthread-cap.c): a non-owner that could
 * read it would watch the owner's frame clock.  G_CTRL of a read-only or
 * volatile control is refused to it; G_CTRL of a plain one is the control
 * case (q_queryctrl).
 */
static int ro_int32(void *arg)
{
	struct v4l2_queryctrl qc;
	struct v4l2_control c;
	int i, r, fd;

	(void)arg;
	fd = open_as(cg.other, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	if (CHECK(cg_find_ctrl(fd, "Read-Only Integer 32 Bits", &qc) == 0,
		  "QUERYCTRL enumeration did not find \"Read-Only Integer 32 Bits\"")) {
		CHECK(qc.flags & V4L2_CTRL_FLAG_READ_ONLY,
		      "the control is not flagged read-only (0x%x)", qc.flags);
		for (i = 0; i < 10; i++) {
			c.id = qc.id;
			c.value = 0x5a5a5a5a;
			r = xioctl(fd, VIDIOC_G_CTRL, &c);
			if (!CHECK(r == -1 && errno == EACCES &&
				   c.value == 0x5a5a5a5a,
				  "G_CTRL \"Read-Only Integer 32 Bits\": %d (%s), value %d",
				  r, r ? strerror(errno) : "no error", c.value))
				break;
			tap_sleep_ms(60);
		}
	}
	close(fd);
	return tap_result();
}

static int owner_unaffected(void *arg)
{
	unsigned int from;

	(void)arg;
	if (!need_stream())
		return TAP_FAIL;
	from = CG_LOAD(S.st->frames);
	CHECK(cg_stream_wait(&S, from, 5, 5000),
	      "the owner got %u frames in the last 5 s",
	      CG_LOAD(S.st->frames) - from);
	CHECK(CG_LOAD(S.st->bad) == 0 && CG_LOAD(S.st->errors) == 0,
	      "owner: %u bad frames, %u errors: %s", S.st->bad, S.st->errors,
	      S.st->why);
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

static const char *want_name(enum want w)
{
	return w == ALLOW ? "must be allowed" : w == EITHER ?
	       "query, either way" : "must be denied";
}

int main(void)
{
	size_t i;

	tap_plan(NTABLE + 21, 50);
	cg_env_load();
	tap_set_cleanup(cleanup);
	have_int80 = probe_int80();
	tap_diag("32-bit system calls: %s", have_int80 ? "yes" : "no");

	cg_stream_start(&S, 30, 15000);

	tap_run(q_querycap, NULL, 10,
		"8: non-owner QUERYCAP works: driver vivid, capture caps");
	tap_run(q_enum_fmt, NULL, 10,
		"8: non-owner ENUM_FMT lists the formats, YUYV among them");
	tap_run(q_g_fmt, NULL, 10,
		"8: non-owner G_FMT shows the owner's format, TRY_FMT works");
	tap_run(q_queryctrl, NULL, 10,
		"8: non-owner QUERYCTRL enumerates controls, G_CTRL reads one");
	tap_run(q_input_parm_sizes, NULL, 10,
		"8: non-owner ENUMINPUT, G_INPUT, G_PARM, ENUM_FRAMESIZES, ENUM_FRAMEINTERVALS work");

	for (i = 0; i < NTABLE; i++)
		tap_run(table_case, (void *)&table[i], 10,
			"%s: non-owner %s (0x%08lx): %s",
			table[i].want == DENY ? "7" : "8", table[i].name,
			table[i].cmd, want_name(table[i].want));

	tap_run(private_numbers, NULL, 10,
		"7: private numbers BASE_VIDIOC_PRIVATE+0..63, every direction, are denied");
	tap_run(vendor_200, NULL, 10,
		"7: vendor _IOWR('V', 200, int) is denied");
	tap_run(unassigned_numbers, NULL, 10,
		"7: unassigned 'V' numbers below BASE_VIDIOC_PRIVATE are denied");
	tap_run(near_misses, NULL, 10,
		"7: query numbers with another direction, size or type byte are denied");
	tap_run(random_types, NULL, 10,
		"7: 256 numbers with random type bytes are denied");
	tap_run(c_querycap, NULL, 10,
		"8: 32-bit caller (int $0x80, or AArch32 cg32 on arm64): non-owner QUERYCAP works");
	tap_run(c_buffers, NULL, 10,
		"7: 32-bit caller: non-owner QUERYBUF32, QBUF32, DQBUF32, PREPARE_BUF32, CREATE_BUFS32, REQBUFS, STREAMON/OFF, G_FMT32 denied, arguments untouched");
	tap_run(c_private, NULL, 10,
		"7: 32-bit caller: non-owner private _IOWR('V', 200, int) fails, argument untouched");
	tap_run(c_owner, NULL, 10,
		"7: 32-bit caller: the owner's QUERYBUF32 returns its buffer offset (control)");

	tap_run(root_buffers, NULL, 10,
		"9: root without the owner credential: QUERYBUF, mmap, DQBUF, REQBUFS, STREAMOFF, EXPBUF, read() denied, no data");
	tap_run(root_poll, NULL, 10,
		"9: root without the owner credential: poll() reports POLLERR only");
	tap_run(container_root, NULL, 10,
		"9: uid 0 of a user namespace (the attacker's container) is denied");
	tap_run(root_configures, NULL, 10,
		"9: root without the owner credential may still configure sysfs");

	tap_run(ro_int32, NULL, 10,
		"5: non-owner G_CTRL of vivid's \"Read-Only Integer 32 Bits\" (the owner's frame sequence) is denied, value untouched");

	tap_run(owner_unaffected, NULL, 10,
		"7-9: the owner's stream ran on, every frame intact, through all attempts");
	stop_status = cg_stream_stop(&S);
	tap_run(stream_stopped, NULL, 10,
		"the owner stops its stream cleanly");
	return tap_finish();
}
