// SPDX-License-Identifier: GPL-2.0
/*
 * failopen.c - a guarded node whose set-up failed must not fall open
 * (issue 16 item 6; ATTACKS.md case 21 for registration).
 *
 * With default_policy=allow, a node without an owner is open to every
 * user, on purpose: the administrator gives it an owner in sysfs.  A node
 * whose sysfs directory (or holders file) camgate could not create can
 * never be given one, so it must deny every non-owner, or camgate must not
 * be loaded at all.  Allocation failures are injected with failslab +
 * fail-nth, exactly inside camgate: camgate_delay.ko (tests/delay_probe.c)
 * holds the registering task at camgate's first allocation, and this
 * program writes that task's /proc/PID/task/TID/fail-nth = k while it is
 * held, so that the k-th allocation from there fails, for k = 1, 2, ...
 * until a registration runs without reaching its k-th allocation.
 *
 *  - load: insmod camgate default_policy=allow with vivid's nodes present
 *    (class_interface_register() calls add_dev in the insmod task for each
 *    of them), held at camgate's class_interface_register(): every
 *    allocation of each node's add_dev and of the rest of the load.  Not
 *    the init steps before it: a failed allocation while register_kprobe()
 *    arms an ftrace-based kprobe (camgate's file-receive check) WARNs in
 *    the kernel itself (kernel/kprobes.c), and panic_on_warn stops the VM;
 *    they unwind with plain reverse-order gotos;
 *  - hotplug: vivid bound to its driver again (echo vivid.0 > bind),
 *    held at camgate_holders_add() of the first capture node: each
 *    allocation of that node's set-up.
 *
 * After each run, every vivid capture node must have its sysfs directory
 * and holders file, or deny another uid's REQBUFS (and, on the video
 * capture node, QUERYBUF and read()) with EACCES; a failed load must leave
 * camgate unloaded and the nodes working.  Kernels without failslab (the
 * stock ones) skip.
 */
#include "tap.h"
#include "camgate_test.h"

#include <libgen.h>
#include <sys/prctl.h>

#define FAILSLAB	"/sys/kernel/debug/failslab"
#define DELAY		"/sys/kernel/debug/camgate_delay"
#define VIVID_DRV	"/sys/bus/platform/drivers/vivid"
#define HOLD_MS		120
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
	unsigned int runs, load_failed, complete, closed_sysfs, closed_holders;
	unsigned int absent, leaks;
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
 * As another uid, with no owner and default_policy allow: every frame
 * access on @arg's node is refused with EACCES.
 */
static int other_denied(void *arg)
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

/* The node's guard is complete (configurable and observable), or it denies. */
static void judge_node(const struct node *nd, const char *when,
		       struct tally *t)
{
	bool dir = !access(nd->sysfs, F_OK), holders = !access(nd->holders, F_OK);
	char uid[16], buf[32];

	if (access(nd->dev, F_OK)) {
		t->absent++;
		return;
	}
	if (dir && holders) {
		t->complete++;
		snprintf(uid, sizeof(uid), "%u", cg.owner);
		CHECK(cg_sysfs_write(nd->sysfs, "owner_uid", uid) > 0 &&
		      !cg_sysfs_read(nd->sysfs, "owner_uid", buf, sizeof(buf)) &&
		      !strcmp(buf, uid),
		      "%s: %s has a sysfs directory whose owner_uid cannot be set (reads \"%s\")",
		      when, nd->dev, buf);
		cg_sysfs_write(nd->sysfs, "owner_uid", "none");
		return;
	}
	if (!dir)
		t->closed_sysfs++;
	else
		t->closed_holders++;
	if (!CHECK(cg_run_as(cg.other, other_denied, (void *)nd, 10000) ==
		   TAP_PASS,
		   "%s: %s (%s) is open to uid %u under default_policy=allow: FAILS OPEN",
		   when, nd->dev, dir ? "no holders file" : "no sysfs directory",
		   cg.other))
		t->leaks++;
}

static void tally_diag(const char *what, const struct tally *t)
{
	tap_diag("%s: %u runs with one allocation failed: %u loads failed (camgate not loaded); nodes: %u complete, %u without a sysfs directory, %u without a holders file (those denied), %u gone; %u left open",
		 what, t->runs, t->load_failed, t->complete, t->closed_sysfs,
		 t->closed_holders, t->absent, t->leaks);
}

/* ---- holding the registering task ------------------------------------------ */

/* Hold @sym for HOLD_MS in tasks named cg-delay (called from @caller). */
static int delay_at(const char *sym, const char *caller)
{
	char spec[256];

	snprintf(spec, sizeof(spec), "%s %d %s", sym, HOLD_MS, caller);
	return cg_sysfs_write(DELAY, "at", spec) < 0 ? -1 : 0;
}

static void delay_off(void)
{
	cg_sysfs_write(DELAY, "at", "off");
}

static unsigned long long delay_hits(void)
{
	return cg_sysfs_u64(DELAY, "hits");
}

struct held {
	const char *what;	/* for diagnostics */
	int (*fn)(void *);	/* what the held task does, as cg-delay */
	void *arg;
	unsigned int k;		/* fail the k-th allocation after the hold */
	/* results */
	int ret;		/* fn's result */
	bool held;		/* the hold was hit and fail-nth written */
	bool injected;		/* the k-th allocation was reached (failed) */
};

/* Shared with the held child: its fail-nth after the call. */
struct held_shm {
	int ret;
	unsigned int nth_after;
};

/*
 * Run @h->fn in a child named cg-delay; at its first hold, set its
 * fail-nth to @h->k; report whether the fault was injected.
 */
static void run_held(struct held *h)
{
	struct held_shm *shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char path[64], v[16];
	long deadline;
	pid_t pid;
	int st;

	h->held = h->injected = false;
	h->ret = -1;
	if (shm == MAP_FAILED)
		return;
	shm->ret = -1;
	shm->nth_after = ~0u;
	pid = fork();
	if (!pid) {
		int nth = open("/proc/thread-self/fail-nth", O_RDWR);
		char buf[16] = "";

		prctl(PR_SET_NAME, "cg-delay");
		shm->ret = h->fn(h->arg);
		if (nth >= 0 && pread(nth, buf, sizeof(buf) - 1, 0) > 0)
			shm->nth_after = strtoul(buf, NULL, 10);
		if (nth >= 0)
			pwrite(nth, "0", 1, 0);
		_exit(0);
	}
	snprintf(path, sizeof(path), "/proc/%d/task/%d", pid, pid);
	deadline = tap_now_ms() + 20000;
	while (!delay_hits() && tap_now_ms() < deadline &&
	       waitpid(pid, &st, WNOHANG) == 0)
		tap_sleep_ms(2);
	if (delay_hits()) {
		snprintf(v, sizeof(v), "%u", h->k);
		h->held = cg_sysfs_write(path, "fail-nth", v) > 0;
	}
	if (waitpid(pid, &st, 0) != pid)
		tap_diag("%s: waitpid: %s", h->what, strerror(errno));
	h->ret = shm->ret;
	/* fail-nth counts down to 0 at the injected failure. */
	h->injected = h->held && shm->nth_after == 0;
	munmap(shm, sizeof(*shm));
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

static int load_under_faults(void *arg)
{
	struct node nodes[16];
	struct held h = { .what = "insmod", .fn = insmod_allow };
	struct tally t = { 0 };
	unsigned int n, i;
	char when[64];

	(void)arg;
	if (no_faults[0])
		return tap_skip("%s", no_faults);
	n = capture_nodes(nodes, 16);
	if (!CHECK(n > 0, "no vivid capture node"))
		return TAP_FAIL;
	for (h.k = 1; h.k <= MAX_K; h.k++) {
		if (!CHECK(rmmod_camgate() == 0, "rmmod camgate: %s",
			   strerror(errno)))
			break;
		/* Just before the first node's add_dev. */
		if (!CHECK(!delay_at("class_interface_register", "[camgate]"),
			   "arm camgate_delay: %s", strerror(errno)))
			break;
		run_held(&h);
		delay_off();
		if (!CHECK(h.held, "fault %u: insmod never reached camgate's class_interface_register (ret %s)",
			   h.k, strerror(h.ret)))
			break;
		t.runs += h.injected;
		snprintf(when, sizeof(when), "load, fault %u", h.k);
		if (h.ret) {
			CHECK(h.injected, "insmod failed with no fault injected: %s",
			      strerror(h.ret));
			t.load_failed++;
			expect_unloaded(h.k, h.ret);
		} else {
			CHECK(!access(CG_SYSFS_ROOT, F_OK), "%s: loaded without /sys/kernel/camgate",
			      when);
			for (i = 0; i < n; i++)
				judge_node(&nodes[i], when, &t);
		}
		if (!h.injected)
			break;
	}
	CHECK(h.k <= MAX_K, "still faulting after %u allocations", MAX_K);
	CHECK(!h.ret && !h.injected, "the load without a fault failed: %s",
	      strerror(h.ret));
	CHECK(t.closed_sysfs > 0 && t.closed_holders > 0,
	      "no fault landed in a node's sysfs directory and holders file");
	tally_diag("insmod camgate default_policy=allow", &t);
	rmmod_camgate();
	camgate_back();
	return tap_result();
}

/* ---- hotplug ----------------------------------------------------------------- */

static int vivid_bind(void *arg)
{
	(void)arg;
	return cg_sysfs_write(VIVID_DRV, "bind", "vivid.0") < 0 ? -1 : 0;
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
 * Faults from the first capture node's first set-up step on, until one
 * lands past camgate (vivid's bind then fails: camgate never fails it);
 * then a bind without faults.
 */
static int hotplug_under_faults(void *arg)
{
	struct node nodes[16];
	struct held h = { .what = "bind", .fn = vivid_bind };
	struct tally t = { 0 };
	unsigned int n, i;
	char when[64];
	ssize_t w;

	(void)arg;
	if (no_faults[0])
		return tap_skip("%s", no_faults);
	if (access(VIVID_DRV "/vivid.0", F_OK))
		return tap_skip("vivid is not bound to " VIVID_DRV "/vivid.0");
	w = cg_sysfs_write(CG_SYSFS_ROOT, "default_policy", "allow");
	if (!CHECK(w > 0, "default_policy allow: %s", strerror(-w)))
		return TAP_FAIL;
	for (h.k = 1; h.k <= MAX_K; h.k++) {
		vivid_unbind();
		if (!CHECK(access(cg.dev, F_OK), "%s still there after unbind",
			   cg.dev))
			break;
		/* The first capture node's first set-up step. */
		if (!CHECK(!delay_at("camgate:camgate_holders_add", ""),
			   "arm camgate_delay: %s", strerror(errno)))
			break;
		run_held(&h);
		delay_off();
		if (!CHECK(h.held, "fault %u: the bind never reached camgate_holders_add (ret %d)",
			   h.k, h.ret))
			break;
		t.runs += h.injected;
		cg_chmod_nodes();
		snprintf(when, sizeof(when), "bind, fault %u", h.k);
		n = capture_nodes(nodes, 16);
		for (i = 0; i < n; i++)
			judge_node(&nodes[i], when, &t);
		if (h.ret || !h.injected)
			break;
	}
	CHECK(h.k <= MAX_K, "still faulting after %u allocations", MAX_K);
	CHECK(t.closed_sysfs > 0 && t.closed_holders > 0,
	      "no fault landed in the node's sysfs directory and holders file");
	tally_diag("vivid bound, default_policy=allow", &t);
	tap_diag("the fault of run %u landed past camgate's set-up (bind: %s)",
		 h.k, h.ret ? "failed" : "succeeded");

	/* And without a fault: every capture node complete. */
	vivid_unbind();
	CHECK(vivid_bind(NULL) == 0, "bind without a fault: %s", strerror(errno));
	cg_chmod_nodes();
	n = capture_nodes(nodes, 16);
	memset(&t, 0, sizeof(t));
	for (i = 0; i < n; i++)
		judge_node(&nodes[i], "bind without a fault", &t);
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
	/* Sleeping allocations too, quietly; nothing else sets fail-nth. */
	failslab_write("ignore-gfp-wait", "N");
	failslab_write("verbose", "0");
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
	tap_plan(3, 850);
	cg_env_load();
	setup();
	tap_set_cleanup(cleanup);
	tap_run(load_under_faults, NULL, 500,
		"6: insmod camgate default_policy=allow, each allocation of every node's add_dev failed in turn: unloaded, or every capture node configurable or denying uid %u",
		cg.other);
	cleanup();
	tap_run(hotplug_under_faults, NULL, 300,
		"6: vivid bound under default_policy=allow, each allocation of a new node's set-up failed in turn: the node is configurable or denies uid %u",
		cg.other);
	cleanup();
	tap_run(restored, NULL, 10,
		"state restored: camgate and vivid loaded, owner_uid %u, default_policy deny",
		cg.owner);
	if (access("/sys/module/camgate_delay", F_OK) == 0)
		cg_sh("rmmod camgate_delay 2>/dev/null");
	return tap_finish();
}
