// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures (ATTACKS.md case 21).
 *
 * With failslab and fail-nth (Documentation/fault-injection): for n = 1,
 * 2, ... the n-th slab allocation of this thread from the next system call
 * on fails, until a call runs without reaching its n-th allocation.  Every
 * operation must then fail closed:
 *
 *  - open of the guarded node (and the capability minted in it): a failed
 *    open leaves no capability and no module reference; a successful one
 *    holds a working capability for the owner and none for anybody else;
 *  - sysfs writes of owner_uid, owner_gid and revoke: a failed write leaves
 *    owner and generation unchanged, a successful one takes effect;
 *  - VIDIOC_EXPBUF: a failed export leaves no descriptor in the table, a
 *    successful one is bound (another uid cannot map it) and works for the
 *    owner; nothing keeps a module reference once everything is closed.
 *
 * Leaks are kmemleak's business (the debug kernel scans at the end of the
 * run).  Kernels without failslab (the stock ones) skip every case.
 */
#include "tap.h"
#include "camgate_test.h"

#define FAILSLAB	"/sys/kernel/debug/failslab"
#define MAX_N		2000

static char no_faults[200];	/* why the cases skip, or "" */
static char saved_wait[8], saved_verbose[8];

/* fail-nth of the calling thread, opened while still root. */
static int nth_open(void)
{
	int fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		tap_diag("open /proc/thread-self/fail-nth: %s", strerror(errno));
	return fd;
}

static void nth_set(int fd, unsigned int n)
{
	char v[16];
	int len = snprintf(v, sizeof(v), "%u", n);

	if (pwrite(fd, v, len, 0) != len)
		tap_diag("fail-nth %u: %s", n, strerror(errno));
}

/* Whether the fault was injected (the count reached 0); clears it. */
static bool nth_hit(int fd)
{
	char v[16] = "";
	ssize_t n = pread(fd, v, sizeof(v) - 1, 0);

	nth_set(fd, 0);
	return n > 0 && atoi(v) == 0;
}

static unsigned long long dev_u64(const char *file)
{
	return cg_sysfs_u64(cg.sysfs, file);
}

static unsigned long long refcnt(void)
{
	return cg_sysfs_u64("/sys/module/camgate", "refcnt");
}

struct tally {
	unsigned int sites, failed, survived, last_err;
};

static void tally_diag(const char *what, const struct tally *t)
{
	tap_diag("%s: %u allocations failed one at a time: %u calls failed closed (last errno %s), %u succeeded anyway",
		 what, t->sites, t->failed, strerror(t->last_err), t->survived);
}

/* ---- open and capability minting ---------------------------------------- */

/*
 * As @uid: open under faults.  A failed open changes nothing; a successful
 * one holds a capability exactly when @uid is the owner, and its REQBUFS
 * works exactly then.
 */
static int open_under_faults(void *arg)
{
	uid_t uid = *(uid_t *)arg;
	bool owner = uid == cg.owner, hit;
	unsigned long long caps0 = dev_u64("capabilities"), ref0 = refcnt();
	struct v4l2_requestbuffers rb;
	struct tally t = { 0 };
	int nth, fd, err, r;
	unsigned int n;

	/* Opened as root: the file is root's once the euid changes. */
	nth = nth_open();
	if (nth < 0 || !CHECK(setresuid(0, uid, 0) == 0, "seteuid %u: %s", uid,
			      strerror(errno)))
		return TAP_FAIL;
	for (n = 1; n <= MAX_N; n++) {
		nth_set(nth, n);
		fd = open(cg.dev, O_RDWR | O_NONBLOCK);
		err = errno;
		hit = nth_hit(nth);
		if (fd < 0) {
			t.failed++;
			t.last_err = err;
			CHECK(hit, "open failed with no fault injected: %s",
			      strerror(err));
			CHECK(dev_u64("capabilities") == caps0,
			      "a failed open (fault %u, %s) left a capability",
			      n, strerror(err));
			CHECK(refcnt() == ref0,
			      "a failed open (fault %u, %s) left module refcnt %llu (was %llu)",
			      n, strerror(err), refcnt(), ref0);
		} else {
			t.survived += hit;
			memset(&rb, 0, sizeof(rb));
			rb.count = 1;
			rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
			rb.memory = V4L2_MEMORY_MMAP;
			r = ioctl(fd, VIDIOC_REQBUFS, &rb);
			err = errno;
			CHECK(dev_u64("capabilities") == caps0 + owner,
			      "open (fault %u): %llu capabilities, want %llu",
			      n, dev_u64("capabilities"), caps0 + owner);
			if (owner)
				CHECK(r == 0, "the owner's REQBUFS (fault %u): %s",
				      n, strerror(err));
			else
				CHECK(r == -1 && err == EACCES,
				      "uid %u's REQBUFS (fault %u): %d (%s)", uid,
				      n, r, strerror(err));
			rb.count = 0;
			ioctl(fd, VIDIOC_REQBUFS, &rb);
			close(fd);
			CHECK(dev_u64("capabilities") == caps0,
			      "close left a capability");
		}
		if (!hit)
			break;
		t.sites++;
	}
	CHECK(n <= MAX_N, "still faulting after %u allocations", MAX_N);
	CHECK(fd >= 0, "open without a fault failed");
	CHECK(refcnt() == ref0, "module refcnt %llu after all closed, was %llu",
	      refcnt(), ref0);
	tally_diag(owner ? "open by the owner" : "open by another uid", &t);
	CHECK(t.sites > 0, "no allocation was made, so none failed");
	return tap_result();
}

/* ---- sysfs writes --------------------------------------------------------- */

struct cfg {
	char uid[32], gid[32];
	unsigned long long gen;
};

static void cfg_read(struct cfg *c)
{
	cg_sysfs_read(cg.sysfs, "owner_uid", c->uid, sizeof(c->uid));
	cg_sysfs_read(cg.sysfs, "owner_gid", c->gid, sizeof(c->gid));
	c->gen = dev_u64("generation");
}

struct sysfs_case {
	const char *file;
	const char *value;	/* a change from the starting state */
};

static int sysfs_under_faults(void *arg)
{
	const struct sysfs_case *sc = arg;
	struct tally t = { 0 };
	struct cfg before, after;
	char path[PATH_MAX];
	unsigned int n;
	bool hit;
	int nth, fd, err;
	ssize_t w = -1;

	nth = nth_open();
	if (nth < 0)
		return TAP_FAIL;
	snprintf(path, sizeof(path), "%s/%s", cg.sysfs, sc->file);
	for (n = 1; n <= MAX_N; n++) {
		cg_restore_config();
		cfg_read(&before);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (!CHECK(fd >= 0, "open %s: %s", path, strerror(errno)))
			break;
		nth_set(nth, n);
		w = write(fd, sc->value, strlen(sc->value));
		err = errno;
		hit = nth_hit(nth);
		close(fd);
		cfg_read(&after);
		if (w < 0) {
			t.failed++;
			t.last_err = err;
			CHECK(hit, "write failed with no fault injected: %s",
			      strerror(err));
			CHECK(!strcmp(after.uid, before.uid) &&
			      !strcmp(after.gid, before.gid) &&
			      after.gen == before.gen,
			      "a failed write (fault %u, %s) changed the state: uid %s -> %s, gid %s -> %s, generation %llu -> %llu",
			      n, strerror(err), before.uid, after.uid,
			      before.gid, after.gid, before.gen, after.gen);
		} else {
			t.survived += hit;
			CHECK(after.gen == before.gen + 1,
			      "a write (fault %u) moved the generation %llu -> %llu",
			      n, before.gen, after.gen);
			if (!strcmp(sc->file, "owner_uid"))
				CHECK(!strcmp(after.uid, sc->value),
				      "owner_uid is %s after writing %s", after.uid,
				      sc->value);
			else if (!strcmp(sc->file, "owner_gid"))
				CHECK(!strcmp(after.gid, sc->value),
				      "owner_gid is %s after writing %s", after.gid,
				      sc->value);
		}
		if (!hit)
			break;
		t.sites++;
	}
	cg_restore_config();
	CHECK(n <= MAX_N, "still faulting after %u allocations", MAX_N);
	CHECK(w > 0, "the write without a fault failed");
	tally_diag(sc->file, &t);
	CHECK(t.sites > 0, "no allocation was made, so none failed");
	return tap_result();
}

/* ---- VIDIOC_EXPBUF --------------------------------------------------------- */

static void fd_set_of(unsigned char *set)
{
	int fd;

	for (fd = 0; fd < 1024; fd++)
		set[fd] = fcntl(fd, F_GETFD) != -1;
}

/* In a child that becomes another uid: mapping the dma-buf is refused. */
static int other_cannot_map(void *arg)
{
	int fd = *(int *)arg;
	void *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);

	CHECK(m == MAP_FAILED && errno == EACCES,
	      "uid %u mapped the exported dma-buf (%s)", cg.other,
	      m == MAP_FAILED ? strerror(errno) : "mapped");
	return tap_result();
}

static int expbuf_under_faults(void *arg __attribute__((unused)))
{
	struct v4l2_requestbuffers rb = {
		.count = 2,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	struct v4l2_exportbuffer eb;
	unsigned char set0[1024], set1[1024];
	unsigned long long ref0 = refcnt();
	struct tally t = { 0 };
	unsigned int n;
	int nth, fd, r = -1, err, i;
	pid_t pid;
	bool hit;
	void *m;

	nth = nth_open();
	if (nth < 0 || !CHECK(setresuid(0, cg.owner, 0) == 0, "seteuid: %s",
			      strerror(errno)))
		return TAP_FAIL;
	fd = cg_open(O_RDWR | O_NONBLOCK);
	if (fd < 0 || !CHECK(xioctl(fd, VIDIOC_REQBUFS, &rb) == 0,
			     "REQBUFS: %s", strerror(errno)))
		return TAP_FAIL;
	for (n = 1; n <= MAX_N; n++) {
		memset(&eb, 0, sizeof(eb));
		eb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		eb.index = n % 2;
		eb.flags = O_RDWR | O_CLOEXEC;
		eb.fd = -1;
		fd_set_of(set0);
		nth_set(nth, n);
		r = ioctl(fd, VIDIOC_EXPBUF, &eb);
		err = errno;
		hit = nth_hit(nth);
		fd_set_of(set1);
		if (r) {
			t.failed++;
			t.last_err = err;
			CHECK(hit, "EXPBUF failed with no fault injected: %s",
			      strerror(err));
			for (i = 0; i < 1024; i++)
				CHECK(set0[i] == set1[i],
				      "a failed EXPBUF (fault %u, %s) %s fd %d",
				      n, strerror(err),
				      set1[i] ? "left" : "closed", i);
		} else {
			t.survived += hit;
			m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, eb.fd, 0);
			CHECK(m != MAP_FAILED, "the owner cannot map its export (fault %u): %s",
			      n, strerror(errno));
			if (m != MAP_FAILED)
				munmap(m, 4096);
			setresuid(0, 0, 0);
			pid = cg_spawn(cg.other, other_cannot_map, &eb.fd);
			CHECK(cg_wait(pid, 10000) == TAP_PASS,
			      "the export of fault %u is not bound", n);
			setresuid(0, cg.owner, 0);
			close(eb.fd);
		}
		if (!hit)
			break;
		t.sites++;
	}
	CHECK(n <= MAX_N, "still faulting after %u allocations", MAX_N);
	CHECK(r == 0, "EXPBUF without a fault failed");
	rb.count = 0;
	xioctl(fd, VIDIOC_REQBUFS, &rb);
	close(fd);
	CHECK(refcnt() == ref0, "module refcnt %llu after all closed, was %llu",
	      refcnt(), ref0);
	tally_diag("EXPBUF", &t);
	CHECK(t.sites > 0, "no allocation was made, so none failed");
	return tap_result();
}

/* ---- driver ------------------------------------------------------------------ */

static int run_case(void *arg)
{
	int (*fn)(void *) = ((void **)arg)[0];

	if (no_faults[0])
		return tap_skip("%s", no_faults);
	return fn(((void **)arg)[1]);
}

static void failslab_write(const char *file, const char *val)
{
	cg_sysfs_write_len(FAILSLAB, file, val, strlen(val));
}

static void failslab_restore(void)
{
	if (saved_wait[0])
		failslab_write("ignore-gfp-wait", saved_wait);
	if (saved_verbose[0])
		failslab_write("verbose", saved_verbose);
}

static void cleanup(void)
{
	failslab_restore();
	cg_restore_config();
}

/*
 * failslab acts on sleeping (GFP_KERNEL) allocations only with
 * ignore-gfp-wait off; quietly (no stack dump per fault).  Nothing else
 * sets fail-nth, so nothing else fails.
 */
static void failslab_setup(void)
{
	if (access("/proc/self/fail-nth", F_OK)) {
		snprintf(no_faults, sizeof(no_faults),
			 "no fail-nth on this kernel (CONFIG_FAULT_INJECTION): %s",
			 strerror(errno));
		return;
	}
	if (cg_sysfs_read(FAILSLAB, "ignore-gfp-wait", saved_wait,
			  sizeof(saved_wait)) ||
	    cg_sysfs_read(FAILSLAB, "verbose", saved_verbose,
			  sizeof(saved_verbose))) {
		snprintf(no_faults, sizeof(no_faults),
			 "no %s on this kernel (CONFIG_FAILSLAB, debugfs)",
			 FAILSLAB);
		saved_wait[0] = saved_verbose[0] = '\0';
		return;
	}
	failslab_write("ignore-gfp-wait", "N");
	failslab_write("verbose", "0");
}

int main(void)
{
	static uid_t owner, other;
	static char uid_value[16];
	static struct sysfs_case uid_case = { "owner_uid", uid_value };
	static struct sysfs_case gid_case = { "owner_gid", "4242" };
	static struct sysfs_case revoke_case = { "revoke", "1" };
	static void *open_owner[2] = { open_under_faults, &owner };
	static void *open_other[2] = { open_under_faults, &other };
	static void *sysfs_uid[2] = { sysfs_under_faults, &uid_case };
	static void *sysfs_gid[2] = { sysfs_under_faults, &gid_case };
	static void *sysfs_revoke[2] = { sysfs_under_faults, &revoke_case };
	static void *expbuf[2] = { expbuf_under_faults, NULL };

	tap_plan(6, 280);
	cg_env_load();
	owner = cg.owner;
	other = cg.other;
	snprintf(uid_value, sizeof(uid_value), "%u", cg.other);
	failslab_setup();
	tap_set_cleanup(cleanup);
	tap_run(run_case, open_owner, 60,
		"case 21: open and capability minting by the owner under allocation failures: fails closed");
	tap_run(run_case, open_other, 60,
		"case 21: open by another uid under allocation failures: never a capability");
	tap_run(run_case, sysfs_uid, 30,
		"case 21: owner_uid write under allocation failures: fails with state unchanged");
	tap_run(run_case, sysfs_gid, 30,
		"case 21: owner_gid write under allocation failures: fails with state unchanged");
	tap_run(run_case, sysfs_revoke, 30,
		"case 21: revoke under allocation failures: fails with generation unchanged");
	tap_run(run_case, expbuf, 90,
		"case 21: EXPBUF under allocation failures: no unbound dma-buf left, a success is bound");
	cleanup();
	return tap_finish();
}
