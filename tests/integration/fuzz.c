// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded, bounded fuzzer at the guarded node (issue 6).
 *
 * For a fixed time, worker processes of three uids throw random
 * operations at the node: opens, closes, dups, ioctls (every VIDIOC number
 * with random or half-valid payloads, random 'V' numbers, private and
 * arbitrary numbers), read, poll, mmap of learnt and random offsets,
 * EXPBUF and mmap of the exported dma-bufs, fd passing over SCM_RIGHTS to
 * each other, forks whose children go on fuzzing with the inherited files,
 * and sysfs writes (which must fail for them).  A root thread meanwhile
 * writes owner_uid (A, B or none), owner_gid, revoke and default_policy,
 * valid and malformed, and records the owner of every generation.
 *
 * uid A and uid B are owners from time to time; uid C never is.  Every
 * call that yields frame access (any ioctl outside the allowlist, read,
 * mmap, poll readiness, a received descriptor) is judged by the verdict
 * it got from camgate:
 *  - C: every such call must be refused (EACCES, POLLERR only, descriptor
 *    not installed);
 *  - A and B: a call that got through must have been made by the owner of
 *    the generation it ran in (read before and after the call; a call that
 *    spans a change is only counted).
 * Afterwards no module reference or capability is left and the owner
 * still streams intact frames.  The kernel's own checkers watch for
 * splats.
 *
 * Every worker draws from its own generator, seeded from the run's seed:
 * "# seed: N" is printed, CAMGATE_FUZZ_SEED=N replays the same sequences
 * (the interleaving is the scheduler's).  CAMGATE_FUZZ_SECONDS sets the
 * length (default 30 s; 20 s on the debug kernel, several times slower).
 */
#include "tap.h"
#include "camgate_test.h"
#include "holder.h"

#include <linux/dma-buf.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>

#define MAX_GEN		65536
#define NWORKERS	5
#define MAXFD		16
#define MAXOFF		16
#define MAXFAIL		8
#define PAYLOAD		16384

enum { UID_A, UID_B, UID_C };

static const int worker_uid[NWORKERS] = { UID_A, UID_A, UID_B, UID_C, UID_C };

struct owner_rec {
	int set;
	uid_t uid;		/* (uid_t)-1: none */
	gid_t gid;		/* (gid_t)-1: none */
};

struct wstats {
	unsigned int ops, gated, passed, denied, ambiguous, frames, forks;
	unsigned int sent, received, refused;
};

struct shared {
	int stop;
	struct owner_rec owner_of[MAX_GEN];
	struct wstats st[NWORKERS];
	unsigned int cfg_writes, cfg_rejected, failures;
	char why[MAXFAIL][240];
};

static struct shared *sh;
static uid_t uids[3];
static unsigned long long seed;
static unsigned int seconds;
static long deadline_ms;
static int inbox[NWORKERS][2];	/* [w][0]: w receives; [w][1]: others send */

/* ---- randomness ------------------------------------------------------------ */

static unsigned long long next_rand(unsigned long long *s)
{
	unsigned long long z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int rnd(unsigned long long *s, unsigned int n)
{
	return n ? next_rand(s) % n : 0;
}

/* ---- what camgate lets through ----------------------------------------------- */

/* module/allowlist.c, exactly: the calls a task without a capability may make. */
static bool is_query(unsigned long cmd)
{
	static const unsigned long q[] = {
		VIDIOC_QUERYCAP, VIDIOC_ENUM_FMT, VIDIOC_G_FMT, VIDIOC_TRY_FMT,
		VIDIOC_G_PARM, VIDIOC_G_STD, VIDIOC_ENUMSTD, VIDIOC_QUERYSTD,
		VIDIOC_ENUMINPUT, VIDIOC_G_INPUT, VIDIOC_ENUMOUTPUT,
		VIDIOC_G_OUTPUT, VIDIOC_G_CTRL, VIDIOC_QUERYCTRL,
		VIDIOC_QUERY_EXT_CTRL, VIDIOC_QUERYMENU, VIDIOC_G_EXT_CTRLS,
		VIDIOC_TRY_EXT_CTRLS, VIDIOC_G_TUNER, VIDIOC_G_AUDIO,
		VIDIOC_ENUMAUDIO, VIDIOC_G_AUDOUT, VIDIOC_ENUMAUDOUT,
		VIDIOC_G_MODULATOR, VIDIOC_G_FREQUENCY, VIDIOC_ENUM_FREQ_BANDS,
		VIDIOC_CROPCAP, VIDIOC_G_CROP, VIDIOC_G_SELECTION,
		VIDIOC_G_JPEGCOMP, VIDIOC_G_PRIORITY, VIDIOC_G_SLICED_VBI_CAP,
		VIDIOC_ENUM_FRAMESIZES, VIDIOC_ENUM_FRAMEINTERVALS,
		VIDIOC_G_EDID, VIDIOC_G_DV_TIMINGS, VIDIOC_ENUM_DV_TIMINGS,
		VIDIOC_QUERY_DV_TIMINGS, VIDIOC_DV_TIMINGS_CAP,
	};
	unsigned int i;

	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++)
		if ((unsigned int)cmd == (unsigned int)q[i])
			return true;
	return false;
}

static const unsigned long vidioc[] = {
	VIDIOC_QUERYCAP, VIDIOC_ENUM_FMT, VIDIOC_G_FMT, VIDIOC_S_FMT,
	VIDIOC_REQBUFS, VIDIOC_QUERYBUF, VIDIOC_G_FBUF, VIDIOC_S_FBUF,
	VIDIOC_OVERLAY, VIDIOC_QBUF, VIDIOC_EXPBUF, VIDIOC_DQBUF,
	VIDIOC_STREAMON, VIDIOC_STREAMOFF, VIDIOC_G_PARM, VIDIOC_S_PARM,
	VIDIOC_G_STD, VIDIOC_S_STD, VIDIOC_ENUMSTD, VIDIOC_ENUMINPUT,
	VIDIOC_G_CTRL, VIDIOC_S_CTRL, VIDIOC_G_TUNER, VIDIOC_S_TUNER,
	VIDIOC_G_AUDIO, VIDIOC_S_AUDIO, VIDIOC_QUERYCTRL, VIDIOC_QUERYMENU,
	VIDIOC_G_INPUT, VIDIOC_S_INPUT, VIDIOC_G_EDID, VIDIOC_S_EDID,
	VIDIOC_G_OUTPUT, VIDIOC_S_OUTPUT, VIDIOC_ENUMOUTPUT, VIDIOC_G_AUDOUT,
	VIDIOC_S_AUDOUT, VIDIOC_G_MODULATOR, VIDIOC_S_MODULATOR,
	VIDIOC_G_FREQUENCY, VIDIOC_S_FREQUENCY, VIDIOC_CROPCAP, VIDIOC_G_CROP,
	VIDIOC_S_CROP, VIDIOC_G_JPEGCOMP, VIDIOC_S_JPEGCOMP, VIDIOC_QUERYSTD,
	VIDIOC_TRY_FMT, VIDIOC_ENUMAUDIO, VIDIOC_ENUMAUDOUT,
	VIDIOC_G_PRIORITY, VIDIOC_S_PRIORITY, VIDIOC_G_SLICED_VBI_CAP,
	VIDIOC_LOG_STATUS, VIDIOC_G_EXT_CTRLS, VIDIOC_S_EXT_CTRLS,
	VIDIOC_TRY_EXT_CTRLS, VIDIOC_ENUM_FRAMESIZES,
	VIDIOC_ENUM_FRAMEINTERVALS, VIDIOC_G_ENC_INDEX, VIDIOC_ENCODER_CMD,
	VIDIOC_TRY_ENCODER_CMD, VIDIOC_DBG_S_REGISTER, VIDIOC_DBG_G_REGISTER,
	VIDIOC_S_HW_FREQ_SEEK, VIDIOC_S_DV_TIMINGS, VIDIOC_G_DV_TIMINGS,
	VIDIOC_DQEVENT, VIDIOC_SUBSCRIBE_EVENT, VIDIOC_UNSUBSCRIBE_EVENT,
	VIDIOC_CREATE_BUFS, VIDIOC_PREPARE_BUF, VIDIOC_G_SELECTION,
	VIDIOC_S_SELECTION, VIDIOC_DECODER_CMD, VIDIOC_TRY_DECODER_CMD,
	VIDIOC_ENUM_DV_TIMINGS, VIDIOC_QUERY_DV_TIMINGS,
	VIDIOC_DV_TIMINGS_CAP, VIDIOC_ENUM_FREQ_BANDS, VIDIOC_DBG_G_CHIP_INFO,
	VIDIOC_QUERY_EXT_CTRL, VIDIOC_REMOVE_BUFS,
};

/* ---- the owner record ---------------------------------------------------------- */

static unsigned int generation(void)
{
	return (unsigned int)cg_sysfs_u64(cg.sysfs, "generation");
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	unsigned int k = __atomic_fetch_add(&sh->failures, 1, __ATOMIC_SEQ_CST);
	va_list ap;

	if (k >= MAXFAIL)
		return;
	va_start(ap, fmt);
	vsnprintf(sh->why[k], sizeof(sh->why[k]), fmt, ap);
	va_end(ap);
}

static bool is_owner(const struct owner_rec *o, uid_t uid)
{
	return (o->uid != (uid_t)-1 && o->uid == uid) ||
	       (o->gid != (gid_t)-1 && o->gid == uid);	/* gid == uid here */
}

struct worker {
	int idx;		/* into sh->st */
	int who;		/* UID_A, UID_B, UID_C */
	unsigned long long rng;
	int fd[MAXFD];
	bool dmabuf[MAXFD];
	int streaming;		/* slot of the last STREAMON, or -1 */
	unsigned int noff;
	__u32 off[MAXOFF];
	unsigned char *payload;
	char *readbuf;
};

/*
 * A call that could yield frame access returned; @through says camgate let
 * it through.  @g1, @g2: the generation before and after.
 */
static void judge(struct worker *w, const char *what, unsigned long arg,
		  bool through, unsigned int g1, unsigned int g2)
{
	struct wstats *st = &sh->st[w->idx];
	uid_t me = uids[w->who];
	struct owner_rec o;

	CG_INC(st->gated);
	if (!through) {
		CG_INC(st->denied);
		return;
	}
	CG_INC(st->passed);
	if (w->who == UID_C) {
		fail("uid %u (never an owner) got through: %s 0x%lx, generation %u..%u",
		     me, what, arg, g1, g2);
		return;
	}
	if (g1 != g2 || g1 >= MAX_GEN || !CG_LOAD(sh->owner_of[g1].set)) {
		CG_INC(st->ambiguous);
		return;
	}
	o = sh->owner_of[g1];
	if (!is_owner(&o, me))
		fail("uid %u got through in generation %u owned by uid %d gid %d: %s 0x%lx",
		     me, g1, (int)o.uid, (int)o.gid, what, arg);
}

/* ---- the root configurator ----------------------------------------------------- */

/* Never parses: starts with '#', which no value of any file may. */
static int garbage(unsigned long long *s, char *buf, size_t len)
{
	static const char *const fixed[] = {
		"#", "#none", "#-1", "#4294967295", "#1000 1000", "#\n\n",
	};
	unsigned int i, n;

	if (rnd(s, 2))
		return snprintf(buf, len, "%s", fixed[rnd(s, 6)]);
	n = 1 + rnd(s, len - 2);
	buf[0] = '#';
	for (i = 1; i < n; i++)
		buf[i] = (char)rnd(s, 256);
	return n;
}

static void record(void)
{
	char uid[32], gid[32], pol[16];
	unsigned int g = generation();

	cg_sysfs_read(cg.sysfs, "owner_uid", uid, sizeof(uid));
	cg_sysfs_read(cg.sysfs, "owner_gid", gid, sizeof(gid));
	if (!cg_sysfs_read(CG_SYSFS_ROOT, "default_policy", pol, sizeof(pol)) &&
	    strcmp(pol, "deny"))
		fail("default_policy became %s", pol);
	if (g >= MAX_GEN || CG_LOAD(sh->owner_of[g].set))
		return;
	sh->owner_of[g].uid = strcmp(uid, "none") ? strtoul(uid, NULL, 10) :
						   (uid_t)-1;
	sh->owner_of[g].gid = strcmp(gid, "none") ? strtoul(gid, NULL, 10) :
						   (gid_t)-1;
	if (sh->owner_of[g].uid == uids[UID_C] ||
	    sh->owner_of[g].gid == uids[UID_C])
		fail("the configurator made uid %u an owner", uids[UID_C]);
	CG_STORE(sh->owner_of[g].set, 1);
}

static void *configurator(void *arg __attribute__((unused)))
{
	static const char *const files[] = {
		"owner_uid", "owner_gid", "revoke", "default_policy",
	};
	unsigned long long s = seed ^ 0xc0ffeeULL;
	char val[600];
	const char *file, *dir;
	int len;
	ssize_t r;

	while (!CG_LOAD(sh->stop)) {
		file = files[rnd(&s, 4)];
		dir = strcmp(file, "default_policy") ? cg.sysfs : CG_SYSFS_ROOT;
		if (rnd(&s, 3) == 0) {
			len = garbage(&s, val, sizeof(val));
		} else if (!strcmp(file, "owner_uid")) {
			unsigned int c = rnd(&s, 5);

			len = c == 4 ? snprintf(val, sizeof(val), "none") :
			      snprintf(val, sizeof(val), "%u\n",
				       uids[c < 3 ? UID_A : UID_B]);
		} else if (!strcmp(file, "owner_gid")) {
			len = rnd(&s, 3) ? snprintf(val, sizeof(val), "none") :
			      snprintf(val, sizeof(val), "%u", uids[UID_B]);
		} else if (!strcmp(file, "revoke")) {
			len = snprintf(val, sizeof(val), "1");
		} else {
			len = snprintf(val, sizeof(val), "deny");
		}
		r = cg_sysfs_write_len(dir, file, val, len);
		CG_INC(sh->cfg_writes);
		if (r < 0)
			CG_INC(sh->cfg_rejected);
		record();
		tap_sleep_ms(10 + rnd(&s, 150));
	}
	return NULL;
}

/* ---- the workers ------------------------------------------------------------------ */

static int slot_free(struct worker *w)
{
	unsigned int i;

	for (i = 0; i < MAXFD; i++)
		if (w->fd[i] < 0)
			return i;
	return -1;
}

static int slot_used(struct worker *w, bool dmabuf)
{
	unsigned int i, start = rnd(&w->rng, MAXFD);

	for (i = 0; i < MAXFD; i++) {
		unsigned int k = (start + i) % MAXFD;

		if (w->fd[k] >= 0 && w->dmabuf[k] == dmabuf)
			return k;
	}
	return -1;
}

static void keep_fd(struct worker *w, int fd, bool dmabuf)
{
	int k = slot_free(w);

	if (k < 0) {
		close(fd);
		return;
	}
	w->fd[k] = fd;
	w->dmabuf[k] = dmabuf;
}

static void fill_payload(struct worker *w, unsigned long cmd)
{
	unsigned int size = _IOC_SIZE(cmd), i, mode = rnd(&w->rng, 4);
	__u32 *u = (__u32 *)w->payload;

	if (size > PAYLOAD)
		size = PAYLOAD;
	memset(w->payload, 0, size + 64);
	if (mode == 0) {
		for (i = 0; i < size; i++)
			w->payload[i] = rnd(&w->rng, 256);
		return;
	}
	if (mode == 1)
		return;
	/* Half-valid: the fields the buffer ioctls look at first. */
	switch (_IOC_NR(cmd)) {
	case _IOC_NR(VIDIOC_REQBUFS):
		u[0] = rnd(&w->rng, 6);
		u[1] = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		u[2] = 1 << rnd(&w->rng, 3);	/* MMAP, USERPTR, OVERLAY */
		break;
	case _IOC_NR(VIDIOC_QUERYBUF):
	case _IOC_NR(VIDIOC_QBUF):
	case _IOC_NR(VIDIOC_DQBUF):
	case _IOC_NR(VIDIOC_PREPARE_BUF): {
		struct v4l2_buffer *b = (void *)w->payload;

		b->index = rnd(&w->rng, 6);
		b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b->memory = rnd(&w->rng, 4) ? V4L2_MEMORY_MMAP :
			    V4L2_MEMORY_DMABUF;
		b->m.fd = w->fd[rnd(&w->rng, MAXFD)];
		break;
	}
	case _IOC_NR(VIDIOC_EXPBUF):
		u[0] = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		u[1] = rnd(&w->rng, 6);
		u[3] = rnd(&w->rng, 2) ? O_RDWR | O_CLOEXEC : O_CLOEXEC;
		break;
	case _IOC_NR(VIDIOC_STREAMON):
	case _IOC_NR(VIDIOC_STREAMOFF):
	case _IOC_NR(VIDIOC_G_FMT):
	case _IOC_NR(VIDIOC_S_FMT):
	case _IOC_NR(VIDIOC_TRY_FMT):
	case _IOC_NR(VIDIOC_G_PARM):
		u[0] = rnd(&w->rng, 8) ? V4L2_BUF_TYPE_VIDEO_CAPTURE :
		       rnd(&w->rng, 16);
		break;
	default:
		u[0] = rnd(&w->rng, 4);
		u[1] = rnd(&w->rng, 4) ? V4L2_BUF_TYPE_VIDEO_CAPTURE : 0;
		break;
	}
}

static unsigned long pick_cmd(struct worker *w)
{
	unsigned int c = rnd(&w->rng, 20);

	if (c < 14)
		return vidioc[rnd(&w->rng, sizeof(vidioc) / sizeof(vidioc[0]))];
	if (c < 17)	/* 'V' with a random number, direction and size */
		return _IOC(rnd(&w->rng, 4), 'V', rnd(&w->rng, 256),
			    rnd(&w->rng, 512));
	if (c < 18)	/* private */
		return _IOC(rnd(&w->rng, 4), 'V',
			    BASE_VIDIOC_PRIVATE + rnd(&w->rng, 64),
			    rnd(&w->rng, 512));
	/* Any number but the types the VFS answers itself (ioctls.c too). */
	for (;;) {
		unsigned int cmd = (unsigned int)next_rand(&w->rng);

		if (!strchr("\x15TXf\x94", _IOC_TYPE(cmd)) && _IOC_TYPE(cmd))
			return cmd;
	}
}

static bool denied(long ret, int err)
{
	return ret == -1 && err == EACCES;
}

static void op_ioctl(struct worker *w)
{
	int k = slot_used(w, false);
	unsigned long cmd = pick_cmd(w);
	unsigned int g1, g2;
	long ret;
	int err;

	if (k < 0)
		return;
	fill_payload(w, cmd);
	g1 = generation();
	ret = ioctl(w->fd[k], cmd, w->payload);
	err = errno;
	g2 = generation();
	if (!is_query(cmd))
		judge(w, "ioctl", cmd, !denied(ret, err), g1, g2);
	if (ret)
		return;
	if ((unsigned int)cmd == (unsigned int)VIDIOC_QUERYBUF && w->noff < MAXOFF)
		w->off[w->noff++] = ((struct v4l2_buffer *)w->payload)->m.offset;
	if ((unsigned int)cmd == (unsigned int)VIDIOC_DQBUF)
		CG_INC(sh->st[w->idx].frames);
	if ((unsigned int)cmd == (unsigned int)VIDIOC_EXPBUF)
		keep_fd(w, ((struct v4l2_exportbuffer *)w->payload)->fd, true);
}

/* The owner's way to make frames flow: buffers, queue them all, stream. */
static void op_stream(struct worker *w)
{
	int k = slot_used(w, false), type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct v4l2_requestbuffers rb = {
		.count = 2 + rnd(&w->rng, 3),
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	struct v4l2_buffer b;
	unsigned int g1, g2, i;
	long ret;

	if (k < 0)
		return;
	g1 = generation();
	ret = ioctl(w->fd[k], VIDIOC_REQBUFS, &rb);
	g2 = generation();
	judge(w, "REQBUFS", VIDIOC_REQBUFS, !denied(ret, errno), g1, g2);
	if (ret)
		return;
	for (i = 0; i < rb.count; i++) {
		memset(&b, 0, sizeof(b));
		b.index = i;
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		g1 = generation();
		ret = ioctl(w->fd[k], VIDIOC_QBUF, &b);
		g2 = generation();
		judge(w, "QBUF", VIDIOC_QBUF, !denied(ret, errno), g1, g2);
	}
	g1 = generation();
	ret = ioctl(w->fd[k], VIDIOC_STREAMON, &type);
	g2 = generation();
	judge(w, "STREAMON", VIDIOC_STREAMON, !denied(ret, errno), g1, g2);
	if (!ret)
		w->streaming = k;
}

/* A frame, and the buffer back into the queue. */
static void op_dqbuf(struct worker *w)
{
	int k = w->streaming >= 0 && w->fd[w->streaming] >= 0 &&
		rnd(&w->rng, 4) ? w->streaming : slot_used(w, false);
	struct v4l2_buffer b;
	unsigned int g1, g2;
	long ret;

	if (k < 0)
		return;
	memset(&b, 0, sizeof(b));
	b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b.memory = V4L2_MEMORY_MMAP;
	g1 = generation();
	ret = ioctl(w->fd[k], VIDIOC_DQBUF, &b);
	g2 = generation();
	judge(w, "DQBUF", VIDIOC_DQBUF, !denied(ret, errno), g1, g2);
	if (ret)
		return;
	CG_INC(sh->st[w->idx].frames);
	g1 = generation();
	ret = ioctl(w->fd[k], VIDIOC_QBUF, &b);
	g2 = generation();
	judge(w, "QBUF", VIDIOC_QBUF, !denied(ret, errno), g1, g2);
}

static void op_read(struct worker *w)
{
	int k = slot_used(w, false);
	unsigned int g1, g2;
	ssize_t r;

	if (k < 0)
		return;
	g1 = generation();
	r = read(w->fd[k], w->readbuf, 1 + rnd(&w->rng, 1 << 20));
	g2 = generation();
	judge(w, "read", 0, !denied(r, errno), g1, g2);
}

static void op_poll(struct worker *w)
{
	int k = slot_used(w, false);
	struct pollfd p;
	unsigned int g1, g2;

	if (k < 0)
		return;
	p.fd = w->fd[k];
	p.events = rnd(&w->rng, 2) ? POLLIN : rnd(&w->rng, 0x10000);
	p.revents = 0;
	g1 = generation();
	poll(&p, 1, rnd(&w->rng, 4) ? 0 : 20);
	g2 = generation();
	/* Refused: POLLERR and nothing else, at once. */
	judge(w, "poll", p.revents, p.revents != POLLERR, g1, g2);
}

static void op_mmap(struct worker *w, bool dmabuf)
{
	int k = slot_used(w, dmabuf);
	/* dma-buf: within its size, which the core checks before camgate. */
	size_t len = dmabuf ? 4096 : 4096 << rnd(&w->rng, 8);
	off_t off = 0;
	unsigned char byte;
	unsigned int g1, g2;
	void *m;

	if (k < 0)
		return;
	if (!dmabuf && w->noff && rnd(&w->rng, 4))
		off = w->off[rnd(&w->rng, w->noff)];
	else if (!dmabuf && rnd(&w->rng, 2))
		off = (off_t)rnd(&w->rng, 64) * 4096;
	g1 = generation();
	m = mmap(NULL, len, PROT_READ, MAP_SHARED, w->fd[k], off);
	g2 = generation();
	judge(w, dmabuf ? "dma-buf mmap" : "mmap", off, m != MAP_FAILED ||
	      errno != EACCES, g1, g2);
	if (m == MAP_FAILED)
		return;
	cg_touch(m, &byte);	/* may fault once revoked */
	munmap(m, len);
}

static void op_dmabuf_sync(struct worker *w)
{
	int k = slot_used(w, true);
	struct dma_buf_sync s = {
		.flags = rnd(&w->rng, 2) ? DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ :
			 rnd(&w->rng, 16),
	};

	if (k >= 0)
		ioctl(w->fd[k], DMA_BUF_IOCTL_SYNC, &s);
}

static void op_send(struct worker *w)
{
	int k = slot_used(w, rnd(&w->rng, 3) == 0);
	unsigned int to = rnd(&w->rng, NWORKERS);

	if (k < 0 || to == (unsigned int)w->idx)
		return;
	if (cg_send_fd(inbox[to][1], w->fd[k]) == 0)
		CG_INC(sh->st[w->idx].sent);
}

static void op_recv(struct worker *w)
{
	char link[64], path[PATH_MAX];
	unsigned int g1, g2;
	int flags = 0, fd;
	ssize_t n;

	g1 = generation();
	fd = cg_recv_fd(inbox[w->idx][0], &flags);
	g2 = generation();
	if (fd == -2)
		return;		/* nothing waiting */
	if (fd < 0) {
		CG_INC(sh->st[w->idx].refused);
		judge(w, "SCM_RIGHTS receive", 0, false, g1, g2);
		return;
	}
	CG_INC(sh->st[w->idx].received);
	judge(w, "SCM_RIGHTS receive", fd, true, g1, g2);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	path[n > 0 ? n : 0] = '\0';
	keep_fd(w, fd, strncmp(path, "/dev/", 5) != 0);
}

static void op_sysfs(struct worker *w)
{
	static const char *const files[] = {
		"owner_uid", "owner_gid", "revoke", "name", "generation",
		"streaming", "capabilities", "denials",
	};
	const char *file = files[rnd(&w->rng, 8)];
	char buf[64];
	ssize_t r;

	if (rnd(&w->rng, 2)) {
		cg_sysfs_read(cg.sysfs, file, buf, sizeof(buf));
		return;
	}
	snprintf(buf, sizeof(buf), "%u", uids[w->who]);
	r = cg_sysfs_write(cg.sysfs, file, rnd(&w->rng, 2) ? buf : "1");
	if (r >= 0)
		fail("uid %u wrote %s (%zd)", uids[w->who], file, r);
}

static void fuzz_ops(struct worker *w, unsigned int limit);

static void op_fork(struct worker *w)
{
	pid_t pid;

	CG_INC(sh->st[w->idx].forks);
	pid = fork();
	if (pid == 0) {
		w->rng ^= next_rand(&w->rng) ^ 0x5eedULL;
		fuzz_ops(w, 20);
		_exit(0);
	}
	if (pid > 0)
		cg_wait(pid, 10000);
}

static void op_open(struct worker *w)
{
	int fd;

	if (slot_free(w) < 0)
		return;
	fd = open(cg.dev, O_RDWR | O_NONBLOCK | (rnd(&w->rng, 2) ? O_CLOEXEC : 0));
	if (fd >= 0)
		keep_fd(w, fd, false);
}

static void op_close(struct worker *w)
{
	int k = rnd(&w->rng, MAXFD);

	if (w->fd[k] < 0)
		return;
	close(w->fd[k]);
	w->fd[k] = -1;
	if (w->streaming == k)
		w->streaming = -1;
}

static void op_dup(struct worker *w)
{
	int k = rnd(&w->rng, MAXFD), fd;

	if (w->fd[k] < 0 || slot_free(w) < 0)
		return;
	fd = dup(w->fd[k]);
	if (fd >= 0)
		keep_fd(w, fd, w->dmabuf[k]);
}

/* A blocking DQBUF or read, cut short by a timer (or a revocation). */
static void op_blocking(struct worker *w)
{
	struct itimerval it = { .it_value = { 0, 50000 } };
	int k = slot_used(w, false), fl;
	struct v4l2_buffer b;
	unsigned int g1, g2;
	long ret;

	if (k < 0)
		return;
	fl = fcntl(w->fd[k], F_GETFL);
	fcntl(w->fd[k], F_SETFL, fl & ~O_NONBLOCK);
	setitimer(ITIMER_REAL, &it, NULL);
	g1 = generation();
	if (rnd(&w->rng, 2)) {
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		ret = ioctl(w->fd[k], VIDIOC_DQBUF, &b);
		if (!ret)
			CG_INC(sh->st[w->idx].frames);
	} else {
		ret = read(w->fd[k], w->readbuf, 1 << 20);
	}
	g2 = generation();
	judge(w, "blocking call", 0, !denied(ret, errno), g1, g2);
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	fcntl(w->fd[k], F_SETFL, fl);
}

static void fuzz_ops(struct worker *w, unsigned int limit)
{
	unsigned int n;

	for (n = 0; (!limit || n < limit) && tap_now_ms() < deadline_ms &&
		    !CG_LOAD(sh->stop); n++) {
		unsigned int op = rnd(&w->rng, 100);

		CG_INC(sh->st[w->idx].ops);
		if (op < 10)
			op_open(w);
		else if (op < 16)
			op_close(w);
		else if (op < 44)
			op_ioctl(w);
		else if (op < 50)
			op_dqbuf(w);
		else if (op < 54)
			op_stream(w);
		else if (op < 60)
			op_read(w);
		else if (op < 66)
			op_poll(w);
		else if (op < 72)
			op_mmap(w, false);
		else if (op < 76)
			op_mmap(w, true);
		else if (op < 78)
			op_dmabuf_sync(w);
		else if (op < 83)
			op_send(w);
		else if (op < 88)
			op_recv(w);
		else if (op < 91)
			op_sysfs(w);
		else if (op < 93)
			op_dup(w);
		else if (op < 96)
			op_blocking(w);
		else if (op < 97 && !limit)
			op_fork(w);
	}
}

static void on_timer(int sig __attribute__((unused)))
{
}

static int worker(void *arg)
{
	struct worker w = { .idx = *(int *)arg, .streaming = -1 };
	struct sigaction sa = { .sa_handler = on_timer };
	int devnull = open("/dev/null", O_WRONLY);
	unsigned int i;

	/* cg_open's and the helpers' diagnostics would drown the output. */
	if (devnull >= 0)
		dup2(devnull, STDOUT_FILENO);
	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART: cuts blocking calls */
	signal(SIGPIPE, SIG_IGN);
	w.who = worker_uid[w.idx];
	w.rng = seed ^ (0x100000001b3ULL * (w.idx + 1));
	w.payload = malloc(PAYLOAD + 64);
	w.readbuf = malloc(1 << 20);
	if (!w.payload || !w.readbuf)
		return TAP_FAIL;
	for (i = 0; i < MAXFD; i++)
		w.fd[i] = -1;
	for (i = 0; i < NWORKERS; i++)
		if (i != (unsigned int)w.idx)
			close(inbox[i][0]);
	fuzz_ops(&w, 0);
	return TAP_PASS;
}

static int owner_streams(void *arg __attribute__((unused)))
{
	struct cg_capture c = { .memory = V4L2_MEMORY_MMAP, .frames = 5 };
	struct v4l2_format fmt;
	int fd = cg_open(O_RDWR | O_NONBLOCK);

	if (fd < 0 || cg_setup(fd, 30, &fmt, NULL))
		return TAP_FAIL;
	CHECK(cg_capture_run(fd, &fmt.fmt.pix, &c) == 0 && c.got == 5,
	      "%u intact frames of 5: %s", c.got, c.why);
	close(fd);
	return tap_result();
}

static int fuzz(void *arg __attribute__((unused)))
{
	unsigned long long ref0 = cg_sysfs_u64("/sys/module/camgate", "refcnt");
	static int idx[NWORKERS];
	pid_t pid[NWORKERS];
	struct wstats tot = { 0 };
	pthread_t cfg;
	unsigned int i, frames_ab = 0;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return TAP_FAIL;
	memset(sh, 0, sizeof(*sh));
	for (i = 0; i < NWORKERS; i++)
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, inbox[i]))
			return TAP_FAIL;
	deadline_ms = tap_now_ms() + seconds * 1000L;
	record();
	for (i = 0; i < NWORKERS; i++) {
		idx[i] = i;
		pid[i] = cg_spawn(uids[worker_uid[i]], worker, &idx[i]);
	}
	/* After the forks: a child of a threaded process has one thread. */
	pthread_create(&cfg, NULL, configurator, NULL);
	for (i = 0; i < NWORKERS; i++)
		CHECK(cg_wait(pid[i], seconds * 1000L + 30000) == TAP_PASS,
		      "worker %u (uid %u) failed", i, uids[worker_uid[i]]);
	CG_STORE(sh->stop, 1);
	pthread_join(cfg, NULL);
	for (i = 0; i < NWORKERS; i++) {
		close(inbox[i][0]);
		close(inbox[i][1]);
	}

	for (i = 0; i < NWORKERS; i++) {
		struct wstats *s = &sh->st[i];

		tap_diag("worker %u uid %u: %u ops, %u gated calls: %u through (%u ambiguous), %u refused; %u frames; %u forks; fds sent %u, received %u, refused %u",
			 i, uids[worker_uid[i]], s->ops, s->gated, s->passed,
			 s->ambiguous, s->denied, s->frames, s->forks, s->sent,
			 s->received, s->refused);
		tot.ops += s->ops;
		tot.passed += s->passed;
		tot.denied += s->denied;
		if (worker_uid[i] != UID_C)
			frames_ab += s->passed - s->ambiguous;
	}
	tap_diag("%u s, %u ops, generation -> %u, %u configuration writes (%u rejected)",
		 seconds, tot.ops, generation(), sh->cfg_writes,
		 sh->cfg_rejected);
	for (i = 0; i < sh->failures && i < MAXFAIL; i++)
		tap_diag("%s", sh->why[i]);
	CHECK(sh->failures == 0, "%u violations (the first %u above)",
	      sh->failures, sh->failures < MAXFAIL ? sh->failures : MAXFAIL);
	CHECK(tot.denied > 0 && frames_ab > 0,
	      "nothing was judged: %u refused, %u let through to an owner",
	      tot.denied, frames_ab);

	/* Everything is closed: no reference or capability is left over. */
	cg_restore_config();
	CHECK(cg_sysfs_u64("/sys/module/camgate", "refcnt") == ref0,
	      "module refcnt %llu after the fuzzers exited, %llu before",
	      cg_sysfs_u64("/sys/module/camgate", "refcnt"), ref0);
	CHECK(cg_sysfs_u64(cg.sysfs, "capabilities") == 0,
	      "%llu capabilities left", cg_sysfs_u64(cg.sysfs, "capabilities"));
	CHECK(cg_run_as(cg.owner, owner_streams, NULL, 20000) == TAP_PASS,
	      "the owner cannot stream after the fuzzing");
	return tap_result();
}

int main(void)
{
	const char *s = getenv("CAMGATE_FUZZ_SEED");
	const char *t = getenv("CAMGATE_FUZZ_SECONDS");
	struct timespec ts;

	seconds = !strncmp(getenv("CAMGATE_KERNEL") ?: "", "debug", 5) ? 20 : 30;
	if (t && atoi(t) > 0)
		seconds = atoi(t);
	clock_gettime(CLOCK_REALTIME, &ts);
	seed = s && *s ? strtoull(s, NULL, 0) :
	       (unsigned long long)ts.tv_sec * 1000003ULL ^ ts.tv_nsec ^ getpid();
	tap_plan(1, seconds + 120);
	cg_env_load();
	uids[UID_A] = cg.owner;
	uids[UID_B] = cg.other;
	uids[UID_C] = strtoul(getenv("CAMGATE_THIRD_UID") ?: "1002", NULL, 10);
	tap_diag("seed: %llu (replay: CAMGATE_FUZZ_SEED=%llu), %u s", seed, seed,
		 seconds);
	tap_set_cleanup(cg_restore_config);
	tap_run(fuzz, NULL, seconds + 90,
		"fuzz: %u s of random calls by uids %u, %u (owners by turns) and %u (never): nothing gets through to a non-owner",
		seconds, uids[UID_A], uids[UID_B], uids[UID_C]);
	cg_restore_config();
	return tap_finish();
}
