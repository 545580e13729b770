// SPDX-License-Identifier: GPL-2.0
/*
 * failopen.c - a guarded node whose set-up failed must not fall open
 * (issue 16 item 6; ATTACKS.md case 21 for registration).
 *
 * With default_policy=allow, a node without an owner is open to every
 * user, on purpose: the administrator gives it an owner in sysfs.  A node
 * whose sysfs directory (or holders file) camgate could not create can
 * never be given one, so it must deny everyone, or camgate must not be
 * loaded at all.  Allocation failures are injected with failslab +
 * fail-nth, inside camgate's per-node set-up and nowhere else:
 * camgate_delay.ko (tests/delay_probe.c) sets the registering task's
 * fail-nth to k when it enters the set-up, and clears what is left when
 * the set-up returns, so the k-th slab allocation of the set-up fails, and
 * nothing outside it.  The module counts the set-ups in which the fault
 * landed; k runs 1, 2, ... until it lands in none.  No timing is involved.
 *
 *  - load: insmod camgate default_policy=allow with vivid's nodes present;
 *    the set-up is camgate's class_interface_register() (called from
 *    camgate, in the insmod task), which runs add_dev for each node in
 *    the order they were registered, vivid's video capture node first:
 *    k steps over that node's set-up, until the fault reaches a later
 *    node (hotplug steps over every node's; a load costs a few seconds
 *    under KASAN).  Not the init steps before it: a failed allocation while register_kprobe()
 *    arms an ftrace-based kprobe (camgate's file-receive check) WARNs in
 *    the kernel itself (kernel/kprobes.c), and panic_on_warn stops the VM;
 *    they unwind with plain reverse-order gotos;
 *  - hotplug: vivid bound to its driver again (echo vivid.0 > bind); the
 *    set-up is camgate's add_dev, once for each new node (the k-th
 *    allocation of every capture node's set-up fails in the same run).
 *
 * After each run, every vivid capture node has its sysfs directory and
 * holders file (a fault that landed in an allocation whose failure the
 * kernel absorbs: kmemleak's and debugobjects' own, an idr preload), or
 * camgate logged which one it lacks and the node denies REQBUFS (and, on
 * the video capture node, QUERYBUF and read()) with EACCES to root, the
 * usual owner uid and another uid; no more nodes are incomplete than
 * faults landed; vivid's bind itself never fails; a failed load leaves
 * camgate unloaded and the nodes working.  Kernels without fail-nth (the
 * stock ones) skip.
 */
#include "tap.h"
#include "camgate_test.h"

#include <fcntl.h>
#include <libgen.h>
#include <sys/prctl.h>

#define FAILSLAB	"/sys/kernel/debug/failslab"
#define DELAY		"/sys/kernel/debug/camgate_delay"
#define VIVID_DRV	"/sys/bus/platform/drivers/vivid"
#define MAX_K		600

static char ko[PATH_MAX], delay_ko[PATH_MAX];
static char no_faults[200];	/* why the cases skip, or "" */
static char saved_wait[8], saved_verbose[8];

static const char *const capture_suffix[] = {
	"-vid-cap", "-vbi-cap", "-sdr-cap", "-meta-cap", "-touch-cap",
};
static const __u32 capture_type[] = {
	V4L2_BUF_TYPE_VIDEO_CAPTURE, V4L2_BUF_TYPE_VBI_CAPTURE,
	V4L2_BUF_TYPE_SDR_CAPTURE, V4L2_BUF_TYPE_META_CAPTURE,
	V4L2_BUF_TYPE_VIDEO_CAPTURE,
};
#define NKINDS	(sizeof(capture_suffix) / sizeof(capture_suffix[0]))

struct node {
	char dev[300];		/* "/dev/video0" */
	char sysfs[PATH_MAX];
	char holders[PATH_MAX];
	unsigned int kind;	/* index into capture_suffix */
};

struct tally {
	unsigned int runs, landed, load_failed, complete, closed_sysfs;
	unsigned int closed_holders, absent, leaks;
};

/* ---- the pieces --------------------------------------------------------------- */

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && !strcmp(s + a - b, suf);
}

/* vivid's capture nodes now (at most 16). */
static unsigned int capture_nodes(struct node *out, unsigned int max)
{
	char path[PATH_MAX], name[64];
	unsigned int n = 0, k;
	struct dirent *de;
	DIR *d = opendir("/sys/class/video4linux");

	while (d && (de = readdir(d)) && n < max) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/video4linux/%s",
			 de->d_name);
		if (cg_sysfs_read(path, "name", name, sizeof(name)) ||
		    strncmp(name, "vivid-", 6))
			continue;
		for (k = 0; k < NKINDS; k++) {
			if (!has_suffix(name, capture_suffix[k]))
				continue;
			snprintf(out[n].dev, sizeof(out[n].dev), "/dev/%s",
				 de->d_name);
			snprintf(out[n].sysfs, sizeof(out[n].sysfs),
				 CG_SYSFS_ROOT "/devices/%s", de->d_name);
			snprintf(out[n].holders, sizeof(out[n].holders),
				 "/proc/camgate/holders/%s", de->d_name);
			out[n++].kind = k;
		}
	}
	if (d)
		closedir(d);
	return n;
}

/*
 * As the helper's uid (root, the usual owner uid or another one), with no
 * owner and default_policy allow: every frame access on @arg's node is
 * refused with EACCES.
 */
static int denied(void *arg)
{
	const struct node *nd = arg;
	struct v4l2_requestbuffers rb, rbefore;
	struct v4l2_buffer b, before;
	char buf[4096];
	ssize_t n;
	int fd, r;

	fd = open(nd->dev, O_RDWR | O_NONBLOCK);
	if (!CHECK(fd >= 0, "open %s: %s", nd->dev, strerror(errno)))
		return TAP_FAIL;
	memset(&rb, CG_POISON, sizeof(rb));
	rb.count = 1;
	rb.type = capture_type[nd->kind];
	rb.memory = V4L2_MEMORY_MMAP;
	rbefore = rb;
	r = xioctl(fd, VIDIOC_REQBUFS, &rb);
	if (!cg_expect_denied("REQBUFS", r, errno, &rb, &rbefore, sizeof(rb)) &&
	    r == 0) {
		rb.count = 0;
		xioctl(fd, VIDIOC_REQBUFS, &rb);
	}
	if (nd->kind == 0) {
		cg_buf_poison(&b, V4L2_MEMORY_MMAP, 0);
		before = b;
		r = xioctl(fd, VIDIOC_QUERYBUF, &b);
		cg_expect_buf_denied("QUERYBUF", r, errno, &b, &before);
		memset(buf, CG_POISON, sizeof(buf));
		n = read(fd, buf, sizeof(buf));
		CHECK(n == -1 && errno == EACCES, "read(): %zd (%s), want EACCES",
		      n, n < 0 ? strerror(errno) : "data");
		CHECK(cg_all_poison(buf, sizeof(buf)), "read() wrote the buffer");
	}
	close(fd);
	return tap_result();
}

/* Did camgate log, since cg_kmsg_mark(), that @nd's set-up lacks @what? */
static bool logged(const char *log, const struct node *nd, const char *what)
{
	char line[128];

	snprintf(line, sizeof(line), "%s: %s", strrchr(nd->dev, '/') + 1, what);
	for (; *log; log = strchr(log, '\n') + 1)
		if (!strncmp(log, line, strlen(line)))
			return true;
	return false;
}

struct closed {
	const struct node *nd[16];
	unsigned int n;
};

/* Every node of @arg denies the helper's uid. */
static int all_denied(void *arg)
{
	const struct closed *c = arg;
	unsigned int i;

	for (i = 0; i < c->n; i++)
		denied((void *)c->nd[i]);
	return tap_result();
}

/*
 * Each of the @n nodes has a complete guard (configurable and
 * observable), or camgate logged what it lacks and the node denies
 * everyone.  Return how many are incomplete.
 */
static unsigned int judge_nodes(const struct node *nodes, unsigned int n,
				const char *when, const char *log,
				struct tally *t)
{
	const uid_t uids[] = { 0, cg.owner, cg.other };
	struct closed c = { .n = 0 };
	char uid[16], buf[32];
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct node *nd = &nodes[i];
		bool dir = !access(nd->sysfs, F_OK);
		bool holders = !access(nd->holders, F_OK);

		if (access(nd->dev, F_OK)) {
			t->absent++;
			continue;
		}
		if (dir && holders) {
			t->complete++;
			snprintf(uid, sizeof(uid), "%u", cg.owner);
			CHECK(cg_sysfs_write(nd->sysfs, "owner_uid", uid) > 0 &&
			      !cg_sysfs_read(nd->sysfs, "owner_uid", buf,
					     sizeof(buf)) &&
			      !strcmp(buf, uid),
			      "%s: %s has a sysfs directory whose owner_uid cannot be set (reads \"%s\")",
			      when, nd->dev, buf);
			cg_sysfs_write(nd->sysfs, "owner_uid", "none");
			continue;
		}
		if (!holders) {
			t->closed_holders++;
			CHECK(logged(log, nd, "no holders file"),
			      "%s: %s has no holders file and camgate did not say so",
			      when, nd->dev);
		}
		if (!dir) {
			t->closed_sysfs++;
			CHECK(logged(log, nd, "no sysfs directory"),
			      "%s: %s has no sysfs directory and camgate did not say so",
			      when, nd->dev);
		}
		c.nd[c.n++] = nd;
	}
	for (i = 0; c.n && i < sizeof(uids) / sizeof(uids[0]); i++)
		if (!CHECK(cg_run_as(uids[i], all_denied, &c, 30000) == TAP_PASS,
			   "%s: an incomplete node (of %u, first %s) is open to uid %u under default_policy=allow: FAILS OPEN",
			   when, c.n, c.nd[0]->dev, uids[i]))
			t->leaks++;
	return c.n;
}

static void tally_diag(const char *what, const struct tally *t)
{
	tap_diag("%s: %u runs with a fault in camgate's set-up (%u set-ups hit); %u loads failed (camgate not loaded); nodes: %u complete, %u without a sysfs directory, %u without a holders file (those denied), %u gone; %u left open",
		 what, t->runs, t->landed, t->load_failed, t->complete,
		 t->closed_sysfs, t->closed_holders, t->absent, t->leaks);
}

/* ---- a fault inside camgate's set-up ------------------------------------- */

struct held {
	const char *what;	/* for diagnostics */
	const char *sym;	/* the set-up: camgate_delay's SYMBOL */
	const char *caller;	/* and CALLER, or "" */
	int (*fn)(void *);	/* what the registering task does, as cg-delay */
	void *arg;
	unsigned int k;		/* fail the k-th allocation of each set-up */
	/* results */
	int ret;		/* fn's result */
	unsigned long long entered, landed, missed;	/* set-ups */
};

/*
 * Run @h->fn in a child named cg-delay, with camgate_delay setting its
 * fail-nth to @h->k at each entry of the set-up and clearing it at the
 * set-up's return.  Return 0, or -1 if camgate_delay could not be armed.
 */
static int run_held(struct held *h)
{
	char spec[256], v[16];
	pid_t pid;
	int st;

	h->ret = -1;
	h->entered = h->landed = h->missed = 0;
	snprintf(v, sizeof(v), "%u", h->k);
	snprintf(spec, sizeof(spec), "%s 0 %s", h->sym, h->caller);
	if (cg_sysfs_write(DELAY, "fail_nth", v) < 0 ||
	    cg_sysfs_write(DELAY, "at", spec) < 0)
		return -1;
	pid = fork();
	if (!pid) {
		prctl(PR_SET_NAME, "cg-delay");
		_exit(h->fn(h->arg) & 0xff);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		tap_diag("%s: fork/waitpid: %s", h->what, strerror(errno));
	else
		h->ret = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	h->entered = cg_sysfs_u64(DELAY, "hits");
	h->landed = cg_sysfs_u64(DELAY, "landed");
	h->missed = cg_sysfs_u64(DELAY, "missed");
	cg_sysfs_write(DELAY, "at", "off");
	cg_sysfs_write(DELAY, "fail_nth", "0");
	return 0;
}

/* One run's bookkeeping: fault @h->k landed where it should, nowhere else. */
static bool run_ok(const struct held *h)
{
	return CHECK(h->entered > 0, "%s, fault %u: the task never entered %s",
		     h->what, h->k, h->sym) &&
	       CHECK(h->landed + h->missed == h->entered,
		     "%s, fault %u: %llu set-ups entered, %llu returned with the fault injected, %llu without",
		     h->what, h->k, h->entered, h->landed, h->missed);
}

/* ---- load -------------------------------------------------------------------- */

static int insmod_allow(void *arg)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC), r;

	(void)arg;
	if (fd < 0)
		return errno;
	r = syscall(SYS_finit_module, fd, "default_policy=allow", 0) ? errno : 0;
	close(fd);
	return r;
}

static int rmmod_camgate(void)
{
	long deadline = tap_now_ms() + 10000;

	while (syscall(SYS_delete_module, "camgate", O_NONBLOCK)) {
		if (errno == ENOENT)
			return 0;
		if ((errno != EAGAIN && errno != EBUSY) ||
		    tap_now_ms() > deadline)
			return -errno;
		tap_sleep_ms(50);
	}
	return 0;
}

/* camgate as every program finds it: loaded, nodes 0666, owner set. */
static void camgate_back(void)
{
	if (access(CG_SYSFS_ROOT, F_OK))
		cg_sh("insmod %s", ko);
	cg_chmod_nodes();
	cg_restore_config();
}

/* With camgate not loaded the capture node works as on a stock kernel. */
static void expect_unloaded(unsigned int k, int err)
{
	struct v4l2_capability cap;
	int fd;

	CHECK(access("/sys/module/camgate", F_OK) && access(CG_SYSFS_ROOT, F_OK),
	      "fault %u: insmod failed (%s) but camgate is loaded", k,
	      strerror(err));
	fd = open(cg.dev, O_RDWR | O_NONBLOCK);
	CHECK(fd >= 0 && xioctl(fd, VIDIOC_QUERYCAP, &cap) == 0,
	      "fault %u: after the failed load %s does not work: %s", k,
	      cg.dev, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* Failslab for fail-nth: sleeping allocations too, quietly. */
static bool faults_armed(void)
{
	char v[8];

	cg_sysfs_write(FAILSLAB, "ignore-gfp-wait", "N");
	cg_sysfs_write(FAILSLAB, "verbose", "0");
	return CHECK(!cg_sysfs_read(FAILSLAB, "ignore-gfp-wait", v, sizeof(v)) &&
		     !strcmp(v, "N"),
		     "failslab still ignores sleeping allocations (ignore-gfp-wait %s)",
		     v);
}

static int load_under_faults(void *arg)
{
	struct node nodes[16];
	struct held h = {
		.what = "insmod", .fn = insmod_allow,
		/* camgate's own call: every node's add_dev, in the insmod task */
		.sym = "class_interface_register", .caller = "[camgate]",
	};
	struct tally t = { 0 };
	char when[64], log[8192];
	bool past_first = false;
	unsigned int n, i;

	(void)arg;
	if (no_faults[0])
		return tap_skip("%s", no_faults);
	if (!faults_armed())
		return TAP_FAIL;
	n = capture_nodes(nodes, 16);
	if (!CHECK(n > 0, "no vivid capture node"))
		return TAP_FAIL;
	for (h.k = 1; h.k <= MAX_K; h.k++) {
		if (!CHECK(rmmod_camgate() == 0, "rmmod camgate: %s",
			   strerror(errno)))
			break;
		cg_kmsg_mark();
		if (!CHECK(!run_held(&h), "arm camgate_delay: %s",
			   strerror(errno)) || !run_ok(&h))
			break;
		cg_kmsg_camgate(log, sizeof(log));
		t.runs += !!h.landed;
		t.landed += h.landed;
		snprintf(when, sizeof(when), "load, fault %u", h.k);
		if (h.ret) {
			CHECK(h.landed, "%s: insmod failed with no fault injected: %s",
			      when, strerror(h.ret));
			t.load_failed++;
			expect_unloaded(h.k, h.ret);
		} else {
			CHECK(!access(CG_SYSFS_ROOT, F_OK), "%s: loaded without /sys/kernel/camgate",
			      when);
			CHECK(judge_nodes(nodes, n, when, log, &t) <= h.landed,
			      "%s: more nodes incomplete than faults injected",
			      when);
			/* Past the first node's set-up (see the top). */
			for (i = 0; i < n; i++)
				past_first |= nodes[i].kind &&
					      (access(nodes[i].sysfs, F_OK) ||
					       access(nodes[i].holders, F_OK));
		}
		if (!h.landed || past_first)
			break;
	}
	CHECK(h.k <= MAX_K, "still faulting after %u allocations", MAX_K);
	CHECK(past_first || (!h.ret && !h.landed),
	      "the load without a fault failed: %s", strerror(h.ret));
	CHECK(t.closed_sysfs > 0 && t.closed_holders > 0,
	      "no fault landed in a node's sysfs directory and holders file");
	tally_diag("insmod camgate default_policy=allow", &t);
	tap_diag("run %u: %s", h.k, past_first ?
		 "the fault went past the first capture node's set-up" :
		 "the load did not reach its k-th allocation");
	rmmod_camgate();
	camgate_back();
	return tap_result();
}

/* ---- hotplug ----------------------------------------------------------------- */

static int vivid_bind(void *arg)
{
	(void)arg;
	return cg_sysfs_write(VIVID_DRV, "bind", "vivid.0") < 0 ? 1 : 0;
}

static void vivid_unbind(void)
{
	long deadline = tap_now_ms() + 8000;

	if (access(VIVID_DRV "/vivid.0", F_OK))
		return;
	while (cg_sysfs_write(VIVID_DRV, "unbind", "vivid.0") < 0 &&
	       tap_now_ms() < deadline)
		tap_sleep_ms(100);
}

/*
 * The k-th allocation of each new node's add_dev failed, k = 1, 2, ...
 * until no add_dev reaches its k-th; then a bind without faults.
 */
static int hotplug_under_faults(void *arg)
{
	struct node nodes[16];
	struct held h = {
		.what = "bind", .fn = vivid_bind,
		.sym = "camgate:add_dev", .caller = "",
	};
	struct tally t = { 0 };
	char when[64], log[8192];
	unsigned int n, closed;
	ssize_t w;

	(void)arg;
	if (no_faults[0])
		return tap_skip("%s", no_faults);
	if (access(VIVID_DRV "/vivid.0", F_OK))
		return tap_skip("vivid is not bound to " VIVID_DRV "/vivid.0");
	if (!faults_armed())
		return TAP_FAIL;
	w = cg_sysfs_write(CG_SYSFS_ROOT, "default_policy", "allow");
	if (!CHECK(w > 0, "default_policy allow: %s", strerror(-w)))
		return TAP_FAIL;
	for (h.k = 1; h.k <= MAX_K; h.k++) {
		vivid_unbind();
		if (!CHECK(access(cg.dev, F_OK), "%s still there after unbind",
			   cg.dev))
			break;
		cg_kmsg_mark();
		if (!CHECK(!run_held(&h), "arm camgate_delay: %s",
			   strerror(errno)) || !run_ok(&h))
			break;
		cg_kmsg_camgate(log, sizeof(log));
		snprintf(when, sizeof(when), "bind, fault %u", h.k);
		/* camgate never fails a driver's registration. */
		if (!CHECK(h.ret == 0, "%s: vivid's bind failed", when))
			break;
		t.runs += !!h.landed;
		t.landed += h.landed;
		cg_chmod_nodes();
		n = capture_nodes(nodes, 16);
		CHECK(n > 0, "%s: no vivid capture node", when);
		closed = judge_nodes(nodes, n, when, log, &t);
		CHECK(closed <= h.landed, "%s: %u nodes incomplete, %llu faults injected",
		      when, closed, h.landed);
		if (!h.landed)
			break;
	}
	CHECK(h.k <= MAX_K, "still faulting after %u allocations", MAX_K);
	CHECK(t.closed_sysfs > 0 && t.closed_holders > 0,
	      "no fault landed in a node's sysfs directory and holders file");
	tally_diag("vivid bound, default_policy=allow", &t);
	tap_diag("run %u: no add_dev of the bind reached its %u-th allocation",
		 h.k, h.k);

	/* And without a fault: every capture node complete. */
	vivid_unbind();
	CHECK(vivid_bind(NULL) == 0, "bind without a fault: %s", strerror(errno));
	cg_chmod_nodes();
	n = capture_nodes(nodes, 16);
	memset(&t, 0, sizeof(t));
	judge_nodes(nodes, n, "bind without a fault", "", &t);
	CHECK(n > 0 && t.complete == n,
	      "bind without a fault: %u of %u capture nodes complete", t.complete,
	      n);
	return tap_result();
}

/* ---- driver ------------------------------------------------------------------ */

static void failslab_write(const char *file, const char *val)
{
	cg_sysfs_write_len(FAILSLAB, file, val, strlen(val));
}

static void cleanup(void)
{
	if (saved_wait[0])
		failslab_write("ignore-gfp-wait", saved_wait);
	if (saved_verbose[0])
		failslab_write("verbose", saved_verbose);
	cg_sysfs_write_len(DELAY, "at", "off", 3);
	cg_sysfs_write_len(DELAY, "fail_nth", "0", 1);
	if (!access(VIVID_DRV, F_OK) && access(VIVID_DRV "/vivid.0", F_OK))
		cg_sysfs_write_len(VIVID_DRV, "bind", "vivid.0", 7);
	if (access(CG_SYSFS_ROOT, F_OK) && ko[0])
		cg_sh("insmod %s", ko);
	cg_chmod_nodes();
	cg_restore_config();
}

static void setup(void)
{
	const char *env = getenv("CAMGATE_KO");
	char copy[PATH_MAX];

	snprintf(ko, sizeof(ko), "%s", env && *env ? env : "/camgate/camgate.ko");
	snprintf(copy, sizeof(copy), "%s", ko);
	snprintf(delay_ko, sizeof(delay_ko), "%s/camgate_delay.ko",
		 dirname(copy));
	if (access("/proc/self/fail-nth", F_OK)) {
		snprintf(no_faults, sizeof(no_faults),
			 "no fail-nth on this kernel (CONFIG_FAULT_INJECTION)");
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
	if (access(ko, R_OK)) {
		snprintf(no_faults, sizeof(no_faults), "no %.150s (CAMGATE_KO)", ko);
		return;
	}
	if (access(DELAY "/at", W_OK) &&
	    (access(delay_ko, R_OK) || cg_sh("insmod %s", delay_ko) ||
	     access(DELAY "/at", W_OK))) {
		snprintf(no_faults, sizeof(no_faults),
			 "no camgate_delay module (%.150s)", delay_ko);
		return;
	}
	if (access(DELAY "/fail_nth", W_OK))
		snprintf(no_faults, sizeof(no_faults),
			 "camgate_delay without fail_nth (CONFIG_FAULT_INJECTION)");
}

static int restored(void *arg)
{
	(void)arg;
	CHECK(!access(cg.sysfs, F_OK), "%s missing", cg.sysfs);
	cg_expect_start_config();
	return tap_result();
}

int main(void)
{
	tap_plan(3, 880);
	cg_env_load();
	setup();
	tap_set_cleanup(cleanup);
	tap_run(load_under_faults, NULL, 430,
		"6: insmod camgate default_policy=allow, each allocation of the first node's add_dev failed in turn: unloaded, or every capture node configurable or denying root, uid %u and uid %u",
		cg.owner, cg.other);
	cleanup();
	tap_run(hotplug_under_faults, NULL, 430,
		"6: vivid bound under default_policy=allow, each allocation of every new node's add_dev failed in turn: the node is configurable or denies root, uid %u and uid %u",
		cg.owner, cg.other);
	cleanup();
	tap_run(restored, NULL, 10,
		"state restored: camgate and vivid loaded, owner_uid %u, default_policy deny",
		cg.owner);
	if (access("/sys/module/camgate_delay", F_OK) == 0)
		cg_sh("rmmod camgate_delay 2>/dev/null");
	return tap_finish();
}
