// SPDX-License-Identifier: GPL-2.0
/*
 * Race windows held open (issue 21): each case makes one side of a race
 * stop at its racing point for a second and a half, with the test-only
 * module camgate_delay (tests/delay_probe.c: a kprobe that busy-waits in
 * tasks named "cg-delay"), and runs the other side inside that window, so
 * that every run hits it.  What the old code did there was a kernel WARN
 * or a use-after-free: the VM harness fails the run on the splat (and the
 * debug kernel panics on it); the cases check that the window was really
 * held (the probe's hit count) and that both sides ended cleanly.
 *
 * Needs root, debugfs, camgate_delay.ko next to camgate.ko (CAMGATE_KO).
 */
#include "tap.h"
#include "camgate_test.h"
#include "holder.h"

#include <libgen.h>
#include <pthread.h>
#include <sys/prctl.h>

#define DELAY		"/sys/kernel/debug/camgate_delay"
#define WINDOW_MS	1500

static char ko[PATH_MAX], delay_ko[PATH_MAX];

/*
 * Hold @sym open WINDOW_MS for tasks named cg-delay, for calls made from a
 * function whose symbol contains @caller (any, if NULL); "off" disarms.
 */
static int delay_at(const char *sym, const char *caller)
{
	char spec[256];

	if (strcmp(sym, "off"))
		snprintf(spec, sizeof(spec), "%s %d %s", sym, WINDOW_MS, caller ?: "");
	else
		snprintf(spec, sizeof(spec), "off");
	return cg_sysfs_write(DELAY, "at", spec) < 0 ? -1 : 0;
}

static unsigned long long delay_hits(void)
{
	return cg_sysfs_u64(DELAY, "hits");
}

static int delay_ready(void)
{
	if (!access(DELAY "/at", W_OK))
		return 0;
	if (access(delay_ko, R_OK))
		return -1;
	return cg_sh("insmod %s", delay_ko) ? -1 : access(DELAY "/at", W_OK);
}

/* camgate back, with the node open to all and the owner set. */
static int camgate_back(void)
{
	long deadline = tap_now_ms() + 10000;

	if (access(CG_SYSFS_ROOT, F_OK) && cg_sh("insmod %s", ko))
		return -1;
	while (access(cg.sysfs, F_OK) && tap_now_ms() < deadline)
		tap_sleep_ms(50);
	cg_chmod_nodes();
	cg_restore_config();
	return access(cg.sysfs, F_OK);
}

/*
 * The owner exports a buffer, renames itself cg-delay and closes the
 * dma-buf: its release (in the same task, on the way back from close())
 * stops at camgate's dma-buf release, after the dma-buf's inode was put
 * for the last time and before the binding leaves the device's list.
 */
static int close_dmabuf(void *arg)
{
	int sock = *(int *)arg;
	struct cg_holder h;
	char x = 'r';

	if (cg_holder_open(&h, 0, 30, 2) || h.dmabuf < 0)
		return TAP_FAIL;
	prctl(PR_SET_NAME, "cg-delay");
	if (write(sock, &x, 1) != 1)
		return TAP_FAIL;
	close(h.dmabuf);	/* held open here */
	prctl(PR_SET_NAME, "owner");
	close(h.fd);
	return tap_result();
}

/*
 * Item 1: a revocation unmaps the device's exported dma-bufs.  The old zap
 * took a reference on the inode of every dma-buf still on the list, but a
 * dma-buf's release runs after its inode was evicted: ihold() on it
 * warned and the later iput() freed it again.  The window: the release
 * held open at its start, the revocation inside it.
 */
static int revoke_during_dmabuf_release(void *arg __attribute__((unused)))
{
	int sv[2], status;
	pid_t pid;
	char x;

	if (delay_ready())
		return tap_skip("no camgate_delay module (%s)", delay_ko);
	if (!CHECK(!delay_at("camgate:cg_dmabuf_release", NULL),
		   "cannot hold camgate:cg_dmabuf_release open"))
		return tap_result();
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return TAP_FAIL;
	pid = cg_spawn(cg.owner, close_dmabuf, &sv[1]);
	if (CHECK(read(sv[0], &x, 1) == 1, "the owner's session failed")) {
		long deadline = tap_now_ms() + WINDOW_MS / 2;

		while (!delay_hits() && tap_now_ms() < deadline)
			tap_sleep_ms(10);
		CHECK(delay_hits() == 1, "the release did not stop in the window (%llu hits)",
		      delay_hits());
		CHECK(cg_sysfs_write(cg.sysfs, "revoke", "1") > 0,
		      "revoke inside the window: %s", strerror(errno));
	}
	status = cg_wait(pid, 20000);
	CHECK(status == TAP_PASS, "the owner's session ended with %d", status);
	delay_at("off", NULL);
	close(sv[0]);
	close(sv[1]);
	cg_restore_config();
	return tap_result();
}

/* Open the node as cg-delay: every try_module_get() on the way stops. */
static int open_slowly(void *arg)
{
	int *result = arg, fd;

	prctl(PR_SET_NAME, "cg-delay");
	fd = open(cg.dev, O_RDWR);
	result[0] = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	return TAP_PASS;
}

/*
 * Item 3: an open takes the guard's reference and camgate's module
 * reference.  The old open took the guard's first: when rmmod came in
 * between, try_module_get() failed and the open dropped what was then the
 * guard's last reference, queueing its release on the workqueue that
 * camgate's exit had already destroyed.  The window: the open held at
 * camgate's own try_module_get(), rmmod inside it.
 */
static int rmmod_during_open(void *arg __attribute__((unused)))
{
	int *result, status;
	long deadline;
	pid_t pid;

	if (delay_ready())
		return tap_skip("no camgate_delay module (%s)", delay_ko);
	result = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (result == MAP_FAILED)
		return TAP_FAIL;
	result[0] = -1;
	if (!CHECK(!delay_at("try_module_get", "[camgate]"),
		   "cannot hold camgate's try_module_get open"))
		return tap_result();
	pid = cg_spawn(cg.owner, open_slowly, result);
	deadline = tap_now_ms() + WINDOW_MS;
	while (!delay_hits() && tap_now_ms() < deadline)
		tap_sleep_ms(10);
	if (CHECK(delay_hits() == 1, "the open did not stop at camgate's try_module_get (%llu hits)",
		  delay_hits())) {
		CHECK(cg_sh("rmmod camgate") == 0, "rmmod inside the window failed");
	}
	status = cg_wait(pid, 30000);
	delay_at("off", NULL);
	CHECK(status == TAP_PASS, "the opener ended with %d", status);
	tap_diag("the open held in the window returned %s",
		 result[0] ? strerror(result[0]) : "a file");
	CHECK(result[0] == ENODEV || result[0] == 0,
	      "the open failed with %s, not ENODEV", strerror(result[0]));
	CHECK(access(CG_SYSFS_ROOT, F_OK) != 0, "camgate is still loaded");
	CHECK(camgate_back() == 0, "camgate could not be loaded again");
	munmap(result, sizeof(int));
	return tap_result();
}

/*
 * The owner sets up two buffers, renames itself cg-delay and maps buffer
 * 0: the driver's mmap (after camgate's check, before the kernel links
 * the mapping) is held open.  Then, once the revocation made inside that
 * window is over, it reads the mapping.
 */
static int map_slowly(void *arg)
{
	int sock = *(int *)arg, fd, sig;
	struct v4l2_requestbuffers rb = {
		.count = 2,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	struct v4l2_buffer b = {
		.index = 0,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	struct v4l2_format fmt;
	unsigned char byte;
	void *map;
	char x = 'r';

	fd = cg_open(O_RDWR);
	if (fd < 0 || cg_setup(fd, 30, &fmt, NULL) || xioctl(fd, VIDIOC_REQBUFS, &rb) ||
	    xioctl(fd, VIDIOC_QUERYBUF, &b)) {
		tap_diag("the owner's set-up: %s", strerror(errno));
		return TAP_FAIL;
	}
	prctl(PR_SET_NAME, "cg-delay");
	if (write(sock, &x, 1) != 1)
		return TAP_FAIL;
	map = mmap(NULL, b.length, PROT_READ, MAP_SHARED, fd, b.m.offset);
	prctl(PR_SET_NAME, "owner");
	if (map == MAP_FAILED) {
		tap_diag("the mmap held in the window failed: %s", strerror(errno));
		return TAP_FAIL;
	}
	/* Read once the revocation is over (it may end after our mmap). */
	if (read(sock, &x, 1) != 1 || x != 'v')
		return TAP_FAIL;
	sig = cg_touch(map, &byte);
	tap_diag("reading the mapping made in the window: %s",
		 sig ? strsignal(sig) : "readable");
	return sig == SIGBUS || sig == SIGSEGV ? TAP_PASS : TAP_FAIL;
}

/*
 * Spawn the owner's side @slowly with one end of a socket pair: it says
 * 'r' when it is about to make @call, which stops at @sym.  Once it has
 * stopped there, revoke, and tell the owner 'v'; @after (if any) then
 * checks what it must, talking over the socket.  The owner's exit status
 * is its own verdict (@failure: what a failure means).
 */
static int revoke_in_window(const char *sym, const char *call, int (*slowly)(void *),
			    void (*after)(int sock), const char *failure)
{
	int sv[2];
	pid_t pid;
	char x;

	if (delay_ready())
		return tap_skip("no camgate_delay module (%s)", delay_ko);
	if (!CHECK(!delay_at(sym, NULL), "cannot hold %s open", sym))
		return tap_result();
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return TAP_FAIL;
	pid = cg_spawn(cg.owner, slowly, &sv[1]);
	if (CHECK(read(sv[0], &x, 1) == 1, "the owner's set-up failed")) {
		long deadline = tap_now_ms() + WINDOW_MS / 2;

		while (!delay_hits() && tap_now_ms() < deadline)
			tap_sleep_ms(10);
		CHECK(delay_hits() == 1, "the %s did not stop in the window (%llu hits)",
		      call, delay_hits());
		CHECK(cg_sysfs_write(cg.sysfs, "revoke", "1") > 0,
		      "revoke inside the window: %s", strerror(errno));
		x = 'v';
		if (CHECK(write(sv[0], &x, 1) == 1, "cannot tell the owner") && after)
			after(sv[0]);
	}
	CHECK(cg_wait(pid, 20000) == TAP_PASS, "%s", failure);
	delay_at("off", NULL);
	close(sv[0]);
	close(sv[1]);
	cg_restore_config();
	return tap_result();
}

/*
 * Issue 16 item 5: an mmap that passed camgate's check just before a
 * revocation is linked by the kernel after the driver's mmap returns, so
 * the revocation's unmapping did not find it, and the old holder kept that
 * mapping.  The window: the driver's mmap held open, the revocation
 * inside it.
 */
static int revoke_during_mmap(void *arg __attribute__((unused)))
{
	return revoke_in_window("vb2_fop_mmap", "mmap", map_slowly, NULL,
				"the mapping made across the revocation is still readable (or the mmap failed)");
}

/*
 * The owner queues four USERPTR buffers of its own memory (vivid at 5 fps:
 * a running stream fills them in 0.8 s), renames itself cg-delay and calls
 * STREAMON: the call is held open after camgate's check, at the v4l2
 * core's entry (video_ioctl2), before the core takes the node's lock.  Once its STREAMON and the revocation made
 * inside that window are over, it fills its buffers with CG_POISON, tells
 * the test, waits 2 s (10 frame periods) and looks at them.
 */
static int streamon_slowly(void *arg)
{
	int sock = *(int *)arg, type = V4L2_BUF_TYPE_VIDEO_CAPTURE, fd;
	struct v4l2_requestbuffers rb = {
		.count = 4,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_USERPTR,
	};
	unsigned char *mem[4];
	struct v4l2_format fmt;
	unsigned int i, n;
	size_t size;
	long ret;
	char x = 'r';

	fd = cg_open(O_RDWR | O_NONBLOCK);
	if (fd < 0 || cg_setup(fd, 5, &fmt, NULL) || xioctl(fd, VIDIOC_REQBUFS, &rb) ||
	    rb.count < 4) {
		tap_diag("the owner's USERPTR set-up: %s", strerror(errno));
		return TAP_FAIL;
	}
	size = fmt.fmt.pix.sizeimage;
	if (cg_userptr_queue(fd, mem, 4, size))
		return TAP_FAIL;
	prctl(PR_SET_NAME, "cg-delay");
	if (write(sock, &x, 1) != 1)
		return TAP_FAIL;
	ret = xioctl(fd, VIDIOC_STREAMON, &type);
	prctl(PR_SET_NAME, "owner");
	tap_diag("the STREAMON held in the window: %s", ret ? strerror(errno) : "0 (streaming)");
	if (read(sock, &x, 1) != 1 || x != 'v')
		return TAP_FAIL;
	for (i = 0; i < 4; i++)
		memset(mem[i], CG_POISON, size);
	x = 'p';
	if (write(sock, &x, 1) != 1)
		return TAP_FAIL;
	tap_sleep_ms(2000);
	for (i = 0, n = 0; i < 4; i++)
		n += !cg_all_poison(mem[i], size);
	tap_diag("%u of the 4 buffers written after the revocation", n);
	close(fd);
	return n ? TAP_FAIL : TAP_PASS;
}

/*
 * A STREAMON that passed camgate's check just before a revocation reached
 * the driver after the revocation's stream stop, which found nothing to
 * stop: the stream then ran on into the old holder's own USERPTR memory,
 * a frame every period, with every later call refused.  The window: the
 * STREAMON held open between camgate's check and the v4l2 core's lock
 * (video_ioctl2's entry; once the core holds vivid's lock, the
 * revocation's stop waits for it anyway), the revocation inside it.  With
 * the fix, the revocation waits for the STREAMON and then stops the
 * stream it started.
 */
/* Its STREAMON and the revocation are both over: no stream. */
static void not_streaming(int sock)
{
	char x;

	if (CHECK(read(sock, &x, 1) == 1 && x == 'p', "the owner's STREAMON never returned"))
		CHECK(cg_sysfs_u64(cg.sysfs, "streaming") == 0,
		      "the node streams after the revocation (the stream the STREAMON started)");
}

static int revoke_during_streamon(void *arg __attribute__((unused)))
{
	return revoke_in_window("video_ioctl2", "STREAMON", streamon_slowly, not_streaming,
				"the stream started across the revocation wrote into the old holder's buffers");
}

struct export_race {
	int ctl;	/* to the test: 'r' ready, then 'w' the window is open */
	int pass;	/* to the other uid */
	int pred;	/* the descriptor number the export will get */
	int keep;	/* B's copy of the export */
};

/* Thread B: in the window, keep the export and put a memfd in its place. */
static void *replace_export(void *arg)
{
	struct export_race *r = arg;
	char x;
	int m;

	if (read(r->ctl, &x, 1) != 1 || x != 'w')
		return NULL;
	r->keep = dup(r->pred);
	m = memfd_create("not-a-dmabuf", 0);
	if (m >= 0) {
		dup2(m, r->pred);
		close(m);
	}
	return NULL;
}

/*
 * The owner: thread A (cg-delay) runs VIDIOC_EXPBUF, held after the driver
 * installed the descriptor; thread B keeps a copy of it and puts another
 * file at its number, so that looking the export up again by number finds
 * the wrong file.  The copy then goes to the other uid.
 */
static int export_racing(void *arg)
{
	struct export_race *r = arg;
	struct v4l2_requestbuffers rb = {
		.count = 2,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	struct v4l2_exportbuffer eb = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.index = 0,
		.flags = O_RDWR,
	};
	struct v4l2_format fmt;
	char link[64], target[128];
	pthread_t b;
	ssize_t n;
	int fd, ret;
	char x = 'r';

	fd = cg_open(O_RDWR);
	if (fd < 0 || cg_setup(fd, 30, &fmt, NULL) || xioctl(fd, VIDIOC_REQBUFS, &rb)) {
		tap_diag("the owner's set-up: %s", strerror(errno));
		return TAP_FAIL;
	}
	r->pred = open("/dev/null", O_RDONLY);	/* the lowest free number */
	close(r->pred);
	r->keep = -1;
	if (pthread_create(&b, NULL, replace_export, r))
		return TAP_FAIL;
	prctl(PR_SET_NAME, "cg-delay");
	if (write(r->ctl, &x, 1) != 1)
		return TAP_FAIL;
	ret = xioctl(fd, VIDIOC_EXPBUF, &eb);
	prctl(PR_SET_NAME, "owner");
	pthread_join(b, NULL);
	tap_diag("EXPBUF returned %s (fd %d), export at %d, kept as %d",
		 ret ? strerror(errno) : "0", eb.fd, r->pred, r->keep);
	if (r->keep < 0)
		return TAP_FAIL;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", r->keep);
	n = readlink(link, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	if (!strstr(target, "dmabuf")) {
		tap_diag("the kept descriptor is %s, not the export", target);
		return TAP_FAIL;
	}
	return cg_send_fd(r->pass, r->keep) ? TAP_FAIL : TAP_PASS;
}

/* The other uid: receive the kept export and try to read it. */
static int receive_export(void *arg)
{
	int sock = *(int *)arg, flags = 0, fd;
	void *map;

	fd = cg_recv_fd(sock, &flags);
	if (fd == -2)
		return TAP_FAIL;
	if (fd < 0) {
		tap_diag("uid %u: the export was refused at receive (flags 0x%x)", cg.other, flags);
		return TAP_PASS;
	}
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		tap_diag("uid %u: received the export, mmap refused: %s", cg.other, strerror(errno));
		return TAP_PASS;
	}
	tap_diag("uid %u mapped the owner's exported buffer (first byte 0x%02x)", cg.other,
		 *(volatile unsigned char *)map);
	return TAP_FAIL;
}

/*
 * Issue 16 item 5: VIDIOC_EXPBUF used to find the export again by the
 * number the driver wrote back, after the driver had installed it: another
 * thread of the owner's that replaced the descriptor in between left the
 * export unbound, so another uid could receive and map it.  The window:
 * the ioctl held after the install (the v4l2 core's unlock of the queue
 * lock), the descriptor replaced inside it.
 */
static int expbuf_descriptor_race(void *arg __attribute__((unused)))
{
	struct export_race r;
	int ctl[2], pass[2], status;
	pid_t owner, other;
	char x;

	if (delay_ready())
		return tap_skip("no camgate_delay module (%s)", delay_ko);
	if (!CHECK(!delay_at("mutex_unlock", "__video_do_ioctl"),
		   "cannot hold the v4l2 core's unlock open"))
		return tap_result();
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, ctl) || socketpair(AF_UNIX, SOCK_STREAM, 0, pass))
		return TAP_FAIL;
	r.ctl = ctl[1];
	r.pass = pass[0];
	other = cg_spawn(cg.other, receive_export, &pass[1]);
	owner = cg_spawn(cg.owner, export_racing, &r);
	if (CHECK(read(ctl[0], &x, 1) == 1, "the owner's set-up failed")) {
		long deadline = tap_now_ms() + WINDOW_MS / 2;

		while (!delay_hits() && tap_now_ms() < deadline)
			tap_sleep_ms(10);
		CHECK(delay_hits() == 1, "EXPBUF did not stop in the window (%llu hits)",
		      delay_hits());
		x = 'w';
		CHECK(write(ctl[0], &x, 1) == 1, "cannot tell the owner");
	}
	status = cg_wait(owner, 20000);
	delay_at("off", NULL);
	CHECK(status == TAP_PASS, "the owner's race ended with %d", status);
	if (status != TAP_PASS)
		kill(other, SIGKILL);
	status = cg_wait(other, 10000);
	CHECK(status == TAP_PASS, "another uid read an export that escaped the binding");
	close(ctl[0]);
	close(ctl[1]);
	close(pass[0]);
	close(pass[1]);
	cg_restore_config();
	return tap_result();
}

int main(void)
{
	const char *env = getenv("CAMGATE_KO");

	snprintf(ko, sizeof(ko), "%s", env && *env ? env : "/camgate/camgate.ko");
	snprintf(delay_ko, sizeof(delay_ko), "%s/camgate_delay.ko", dirname(strdup(ko)));
	tap_plan(5, 240);
	cg_env_load();
	tap_run(revoke_during_dmabuf_release, NULL, 40,
		"issue 21.1: a revocation while an exported dma-buf is being released");
	tap_run(rmmod_during_open, NULL, 60,
		"issue 21.3: rmmod while an open is between the guard and the module reference");
	tap_run(revoke_during_mmap, NULL, 40,
		"issue 16.5: a revocation while an mmap is between camgate's check and its link");
	tap_run(revoke_during_streamon, NULL, 40,
		"case 17: a revocation while a STREAMON is between camgate's check and the driver's start");
	tap_run(expbuf_descriptor_race, NULL, 40,
		"issue 16.5: an export whose descriptor another thread replaces during VIDIOC_EXPBUF stays bound");
	camgate_back();
	cg_sh("rmmod camgate_delay 2>/dev/null");
	return tap_finish();
}
