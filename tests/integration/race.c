// SPDX-License-Identifier: GPL-2.0
/*
 * Owner flips under load (ATTACKS.md case 18).
 *
 * For a bounded time, 8 threads of a root process change the device's owner
 * between uid A (the owner) and uid B (the other uid), and 2 more revoke,
 * while A and B each stream in a loop (re-opening after every revocation)
 * and uid C, never an owner, attacks.  Afterwards:
 *
 *  - C got nothing: no DQBUF, QUERYBUF offset, mapping or read() byte;
 *  - every frame A or B dequeued was dequeued while it was the owner: each
 *    DQBUF is bracketed by two reads of the generation; when both agree,
 *    the owner of that generation (recorded exactly by the flippers, which
 *    serialise among themselves) must be the caller; when the bracket
 *    spans a change the sample is ambiguous and only counted;
 *  - frames did flow to both owners (so the check checked something), and
 *    every frame was intact.
 *
 * The kernel side (sysfs writes, revocations, opens, streams) runs truly
 * concurrently; lockdep, KASAN and kmemleak watch on the debug kernel.
 */
#include "tap.h"
#include "camgate_test.h"
#include "holder.h"

#include <pthread.h>

#define MAX_GEN		100000
#define MAX_SAMPLES	20000
#define FLIPPERS	8
#define REVOKERS	2

struct sample {
	unsigned int g1, g2;
	uid_t uid;
};

struct shared {
	int stop;
	uid_t owner_of[MAX_GEN];	/* 0: not recorded */
	unsigned int nsamples;
	struct sample samples[MAX_SAMPLES];
	unsigned int frames[2], bad[2], opens[2], zapped[2];
	unsigned int attacks, leaks;
	char why[200];
};

static struct shared *sh;
static pthread_mutex_t flip_lock = PTHREAD_MUTEX_INITIALIZER;
static uid_t uid_c;
static unsigned int seconds = 60;
/* Flip and revoke this many times slower: set-up takes longer on debug. */
static unsigned int slow = 1;

static unsigned int generation(void)
{
	return (unsigned int)cg_sysfs_u64(cg.sysfs, "generation");
}

static void *flipper(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg, g;
	uid_t to;
	char v[16];

	while (!CG_LOAD(sh->stop)) {
		to = rand_r(&seed) & 1 ? cg.owner : cg.other;
		snprintf(v, sizeof(v), "%u", to);
		pthread_mutex_lock(&flip_lock);
		if (cg_sysfs_write(cg.sysfs, "owner_uid", v) > 0) {
			g = generation();
			if (g < MAX_GEN)
				sh->owner_of[g] = to;
		}
		pthread_mutex_unlock(&flip_lock);
		tap_sleep_ms((50 + rand_r(&seed) % 400) * slow);
	}
	return NULL;
}

static void *revoker(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;

	while (!CG_LOAD(sh->stop)) {
		cg_sysfs_write(cg.sysfs, "revoke", "1");
		tap_sleep_ms((200 + rand_r(&seed) % 800) * slow);
	}
	return NULL;
}

/* A or B: stream whenever it can, recording each frame's bracket. */
static int streamer(void *arg)
{
	int who = *(int *)arg, fd, type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	struct v4l2_requestbuffers rb;
	struct v4l2_format fmt;
	struct v4l2_buffer b;
	void *map[4];
	size_t len[4];
	unsigned int i, n, g1, g2, k;
	char why[160];
	int devnull = open("/dev/null", O_WRONLY);
	struct sigaction sa = { .sa_handler = cg_touch_handler };

	/* Set-up refusals while the other uid owns the device are expected. */
	if (devnull >= 0)
		dup2(devnull, STDOUT_FILENO);
	/* A revocation may unmap a frame while it is being checked. */
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	while (!CG_LOAD(sh->stop)) {
		fd = open(cg.dev, O_RDWR | O_NONBLOCK);
		if (fd < 0)
			continue;
		CG_INC(sh->opens[who]);
		memset(&rb, 0, sizeof(rb));
		rb.count = 4;
		rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		rb.memory = V4L2_MEMORY_MMAP;
		n = 0;
		memset(map, 0, sizeof(map));
		if (cg_setup(fd, 30, &fmt, NULL) ||
		    xioctl(fd, VIDIOC_REQBUFS, &rb))
			goto next;
		for (n = 0; n < rb.count && n < 4; n++) {
			memset(&b, 0, sizeof(b));
			b.index = n;
			b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
			b.memory = V4L2_MEMORY_MMAP;
			if (xioctl(fd, VIDIOC_QUERYBUF, &b))
				goto next;
			len[n] = b.length;
			map[n] = mmap(NULL, b.length, PROT_READ, MAP_SHARED,
				      fd, b.m.offset);
			if (map[n] == MAP_FAILED) {
				map[n] = NULL;
				goto next;
			}
			if (xioctl(fd, VIDIOC_QBUF, &b))
				goto next;
		}
		if (xioctl(fd, VIDIOC_STREAMON, &type))
			goto next;
		while (!CG_LOAD(sh->stop)) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			if (poll(&p, 1, 100) < 0 || (p.revents & POLLERR))
				break;
			if (!(p.revents & POLLIN))
				continue;
			memset(&b, 0, sizeof(b));
			b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
			b.memory = V4L2_MEMORY_MMAP;
			g1 = generation();
			if (xioctl(fd, VIDIOC_DQBUF, &b)) {
				if (errno == EAGAIN)
					continue;
				break;	/* revoked: open again */
			}
			g2 = generation();
			k = __atomic_fetch_add(&sh->nsamples, 1, __ATOMIC_SEQ_CST);
			if (k < MAX_SAMPLES)
				sh->samples[k] = (struct sample){ g1, g2, getuid() };
			CG_INC(sh->frames[who]);
			if (sigsetjmp(cg_touch_env, 1)) {
				CG_INC(sh->zapped[who]);
				break;	/* revoked under our feet: open again */
			}
			if (b.index >= n || cg_check_frame(map[b.index], b.bytesused,
							   &fmt.fmt.pix, why,
							   sizeof(why)))
				CG_INC(sh->bad[who]);
			if (xioctl(fd, VIDIOC_QBUF, &b))
				break;
		}
next:
		/* A mapping keeps the file, and so the queue, busy. */
		for (i = 0; i < 4; i++)
			if (map[i])
				munmap(map[i], len[i]);
		close(fd);
	}
	return TAP_PASS;
}

/* C: never an owner; any success is a leak. */
static int attacker(void *arg __attribute__((unused)))
{
	struct v4l2_buffer b;
	struct v4l2_requestbuffers rb;
	static char buf[1 << 20];
	void *m;
	int fd;

	while (!CG_LOAD(sh->stop)) {
		fd = open(cg.dev, O_RDWR | O_NONBLOCK);
		if (fd < 0)
			continue;
		CG_INC(sh->attacks);
		cg_buf_poison(&b, V4L2_MEMORY_MMAP, 0);
		if (ioctl(fd, VIDIOC_QUERYBUF, &b) == 0 ||
		    b.m.offset != CG_POISON32) {
			CG_INC(sh->leaks);
			snprintf(sh->why, sizeof(sh->why), "QUERYBUF gave offset 0x%x",
				 b.m.offset);
		}
		cg_buf_poison(&b, V4L2_MEMORY_MMAP, 0);
		if (ioctl(fd, VIDIOC_DQBUF, &b) == 0 ||
		    b.bytesused != CG_POISON32) {
			CG_INC(sh->leaks);
			snprintf(sh->why, sizeof(sh->why), "DQBUF gave a frame");
		}
		memset(&rb, 0, sizeof(rb));
		rb.count = 2;
		rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		rb.memory = V4L2_MEMORY_MMAP;
		if (ioctl(fd, VIDIOC_REQBUFS, &rb) == 0) {
			CG_INC(sh->leaks);
			snprintf(sh->why, sizeof(sh->why), "REQBUFS worked");
		}
		m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
		if (m != MAP_FAILED) {
			CG_INC(sh->leaks);
			snprintf(sh->why, sizeof(sh->why), "mmap worked");
		}
		memset(buf, CG_POISON, 4096);
		if (read(fd, buf, sizeof(buf)) > 0 || !cg_all_poison(buf, 4096)) {
			CG_INC(sh->leaks);
			snprintf(sh->why, sizeof(sh->why), "read() gave bytes");
		}
		close(fd);
		tap_sleep_ms(5);
	}
	return TAP_PASS;
}

static uid_t owner_at(unsigned int g, uid_t initial)
{
	unsigned int lo, hi;

	if (g < MAX_GEN && sh->owner_of[g])
		return sh->owner_of[g];
	/* A gen made by a revoker: the owners on both sides must agree. */
	for (lo = g; lo > 0 && !sh->owner_of[lo]; lo--)
		;
	for (hi = g; hi < MAX_GEN - 1 && !sh->owner_of[hi]; hi++)
		;
	if (!sh->owner_of[lo] && lo == 0)
		return sh->owner_of[hi] == initial ? initial : (uid_t)-1;
	return sh->owner_of[lo] == sh->owner_of[hi] ? sh->owner_of[lo] :
						       (uid_t)-1;
}

static int race(void *arg __attribute__((unused)))
{
	pthread_t ft[FLIPPERS], rt[REVOKERS];
	static int a = 0, b = 1;
	pid_t pa, pb, pc;
	unsigned int i, g0, checked = 0, ambiguous = 0, wrong = 0;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return TAP_FAIL;
	memset(sh, 0, sizeof(*sh));
	g0 = generation();
	if (g0 < MAX_GEN)
		sh->owner_of[g0] = cg.owner;
	pa = cg_spawn(cg.owner, streamer, &a);
	pb = cg_spawn(cg.other, streamer, &b);
	pc = cg_spawn(uid_c, attacker, NULL);
	for (i = 0; i < FLIPPERS; i++)
		pthread_create(&ft[i], NULL, flipper, (void *)(uintptr_t)(i + 1));
	for (i = 0; i < REVOKERS; i++)
		pthread_create(&rt[i], NULL, revoker, (void *)(uintptr_t)(i + 100));
	tap_sleep_ms(seconds * 1000L);
	CG_STORE(sh->stop, 1);
	for (i = 0; i < FLIPPERS; i++)
		pthread_join(ft[i], NULL);
	for (i = 0; i < REVOKERS; i++)
		pthread_join(rt[i], NULL);
	CHECK(cg_wait(pa, 10000) == TAP_PASS, "streamer A failed");
	CHECK(cg_wait(pb, 10000) == TAP_PASS, "streamer B failed");
	CHECK(cg_wait(pc, 10000) == TAP_PASS, "attacker failed");

	for (i = 0; i < sh->nsamples && i < MAX_SAMPLES; i++) {
		struct sample *s = &sh->samples[i];
		uid_t o;

		if (s->g1 != s->g2) {
			ambiguous++;
			continue;
		}
		o = owner_at(s->g1, cg.owner);
		if (o == (uid_t)-1) {
			ambiguous++;
			continue;
		}
		checked++;
		if (o != s->uid) {
			if (!wrong)
				tap_diag("uid %u dequeued a frame in generation %u owned by uid %u",
					 s->uid, s->g1, o);
			wrong++;
		}
	}
	tap_diag("%u s, generation %u -> %u; A: %u opens %u frames (%u unmapped while checked), B: %u opens %u frames (%u); %u checked, %u ambiguous; C: %u attacks",
		 seconds, g0, generation(), sh->opens[0], sh->frames[0],
		 sh->zapped[0], sh->opens[1], sh->frames[1], sh->zapped[1],
		 checked, ambiguous, sh->attacks);
	CHECK(wrong == 0, "%u frames reached a uid that was not the owner", wrong);
	CHECK(sh->leaks == 0, "uid %u (never owner) got data %u times: %s",
	      uid_c, sh->leaks, sh->why);
	CHECK(sh->bad[0] == 0 && sh->bad[1] == 0, "corrupt frames: A %u, B %u",
	      sh->bad[0], sh->bad[1]);
	CHECK(sh->frames[0] > 0 && sh->frames[1] > 0 && checked > 0,
	      "too few frames flowed to check anything");
	CHECK(sh->attacks > 0, "the attacker never ran");
	return tap_result();
}

int main(void)
{
	const char *s = getenv("CAMGATE_RACE_SECONDS");

	if (s && atoi(s) > 0)
		seconds = atoi(s);
	uid_c = strtoul(getenv("CAMGATE_THIRD_UID") ?: "1002", NULL, 10);
	if (!strncmp(getenv("CAMGATE_KERNEL") ?: "", "debug", 5))
		slow = 5;
	tap_plan(1, seconds + 60);
	cg_env_load();
	tap_run(race, NULL, seconds + 40,
		"case 18: %d threads flip the owner while two owners stream and a third uid attacks",
		FLIPPERS + REVOKERS);
	cg_restore_config();
	return tap_finish();
}
