// SPDX-License-Identifier: GPL-2.0
/*
 * uvc-revoke.c - revocation on uvcvideo (issue 20 item 3, ATTACKS.md
 * case 17 on a driver without vdev->queue).
 *
 * uvcvideo keeps its vb2 queue to itself, so camgate cannot stop it as it
 * stops vivid's; it calls the driver's own STREAMOFF on each old holder's
 * file instead (module/v4l2.c, file_streamoff()).  Two cases, each with
 * the owner in a process of its own (the revocation comes from root,
 * outside it):
 *
 *  - the owner has dequeued every buffer and blocks in DQBUF: no frame
 *    can end that call, only the revocation.  It must return at once,
 *    with an error.  Without the stream-off it never returns.
 *  - the owner streams into USERPTR buffers, memory of its own that no
 *    unmapping reaches; at the revocation up to all of them are queued.
 *    Root fills them with a sentinel as soon as the revocation returns:
 *    at 30 frames a second the driver would write the queued ones within
 *    about 130 ms, so one second later the sentinel must be intact.
 *  - the same with a stream that holds no capability: a node without an
 *    owner under default_policy allow, streamed by another uid; root
 *    gives the node an owner, which must stop that stream too.
 *
 * The camera is the one the other uvc* programs use (cg_uvc.h).
 */
#include "tap.h"
#include "camgate_test.h"
#include "cg_uvc.h"

#define W		160
#define H		120
#define FRAME		(W * H * 2)

/* What the owner's process did; shared with root. */
struct owner_state {
	int ready;		/* 1: about to block / buffers queued; -1: failed */
	int done;		/* root: the owner may close and go */
	long ret;
	int err;
	long returned_ms;	/* 0 while blocked */
	int nbufs;
	unsigned char mem[UVC_NBUFS][(FRAME + 4095) & ~4095];
};

static struct owner_state *O;

static int uvc_revoke(void)
{
	return cg_sysfs_write(UVC.sysfs, "revoke", "1") > 0 ? 0 : -1;
}

/*
 * The owner takes every buffer and does not give any back, then blocks in
 * DQBUF: with no buffer queued, no frame can complete the call.
 */
static int owner_blocks(void *arg)
{
	struct uvc_owner s;
	struct v4l2_buffer b;
	struct pollfd p;
	int i;

	(void)arg;
	if (uvc_owner_start(&s)) {
		CG_STORE(O->ready, -1);
		return TAP_FAIL;
	}
	p.fd = s.fd;
	p.events = POLLIN;
	for (i = 0; i < s.n; i++) {
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		if (!CHECK(poll(&p, 1, 5000) == 1 &&
			   xioctl(s.fd, VIDIOC_DQBUF, &b) == 0,
			   "owner DQBUF %d of %d: %s", i + 1, s.n,
			   strerror(errno))) {
			CG_STORE(O->ready, -1);
			return TAP_FAIL;
		}
	}
	fcntl(s.fd, F_SETFL, 0);	/* blocking from here on */
	memset(&b, 0, sizeof(b));
	b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b.memory = V4L2_MEMORY_MMAP;
	CG_STORE(O->ready, 1);
	errno = 0;
	O->ret = ioctl(s.fd, VIDIOC_DQBUF, &b);
	O->err = errno;
	CG_STORE(O->returned_ms, tap_now_ms());
	uvc_owner_stop(&s);
	return TAP_PASS;
}

static int blocked_dqbuf_wakes(void *arg)
{
	long revoked_ms, deadline;
	pid_t pid;

	(void)arg;
	memset(O, 0, sizeof(*O));
	pid = cg_spawn(cg.owner, owner_blocks, NULL);
	for (deadline = tap_now_ms() + 15000;
	     !CG_LOAD(O->ready) && tap_now_ms() < deadline &&
	     waitpid(pid, NULL, WNOHANG) == 0;)
		tap_sleep_ms(5);
	tap_sleep_ms(200);	/* into the call, which nothing else can end */
	if (!CHECK(CG_LOAD(O->ready) == 1 && !CG_LOAD(O->returned_ms),
		   "the owner did not block in DQBUF (ret %ld, %s)", O->ret,
		   strerror(O->err)))
		goto out;
	revoked_ms = tap_now_ms();
	CHECK(uvc_revoke() == 0, "revoke failed");
	for (deadline = tap_now_ms() + 5000;
	     !CG_LOAD(O->returned_ms) && tap_now_ms() < deadline;)
		tap_sleep_ms(5);
	if (!CHECK(CG_LOAD(O->returned_ms),
		   "the owner's DQBUF still blocks 5 s after the revocation"))
		goto out;
	CHECK(cg_wait(pid, 5000) == TAP_PASS, "the owner's process failed");
	tap_diag("DQBUF returned %ld ms after the revocation: ret %ld, errno %s",
		 O->returned_ms - revoked_ms, O->ret, strerror(O->err));
	CHECK(O->returned_ms - revoked_ms < 500,
	      "DQBUF woke %ld ms after the revocation",
	      O->returned_ms - revoked_ms);
	CHECK(O->ret == -1, "DQBUF returned %ld (a frame?)", O->ret);
	return tap_result();
out:
	kill(pid, SIGKILL);
	cg_wait(pid, 5000);
	return TAP_FAIL;
}

static int userptr_qbuf(int fd, unsigned int i)
{
	struct v4l2_buffer b;

	memset(&b, 0, sizeof(b));
	b.index = i;
	b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b.memory = V4L2_MEMORY_USERPTR;
	b.m.userptr = (unsigned long)O->mem[i];
	b.length = sizeof(O->mem[i]);
	return xioctl(fd, VIDIOC_QBUF, &b);
}

/*
 * The caller (the owner, or any uid on a node without one) streams into
 * USERPTR buffers in O->mem, checking five frames, then queues every
 * buffer it holds, says so, and waits for root.
 */
static int stream_userptr(void *arg)
{
	struct v4l2_requestbuffers rb = {
		.count = UVC_NBUFS,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_USERPTR,
	};
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE, fd, i;
	struct pollfd p = { .events = POLLIN };
	struct v4l2_buffer b;
	uint32_t num = 0;
	char why[160];
	long deadline;

	(void)arg;
	fd = uvc_open(UVC.dev, O_RDWR | O_NONBLOCK);
	if (fd < 0 || uvc_set_size(fd, W, H) ||
	    !CHECK(xioctl(fd, VIDIOC_REQBUFS, &rb) == 0 && rb.count >= 2,
		   "owner REQBUFS USERPTR: %s (count %u)", strerror(errno),
		   rb.count))
		goto fail;
	O->nbufs = rb.count > UVC_NBUFS ? UVC_NBUFS : rb.count;
	for (i = 0; i < O->nbufs; i++)
		if (!CHECK(userptr_qbuf(fd, i) == 0, "owner QBUF USERPTR %d: %s",
			   i, strerror(errno)))
			goto fail;
	if (!CHECK(xioctl(fd, VIDIOC_STREAMON, &type) == 0,
		   "owner STREAMON: %s", strerror(errno)))
		goto fail;
	p.fd = fd;
	for (i = 0; i < 5; i++) {
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_USERPTR;
		if (!CHECK(poll(&p, 1, 5000) == 1 &&
			   xioctl(fd, VIDIOC_DQBUF, &b) == 0 &&
			   b.index < (unsigned int)O->nbufs,
			   "owner DQBUF USERPTR: %s", strerror(errno)))
			goto fail;
		if (!CHECK(uvcdev_check(O->mem[b.index], b.bytesused, W, H,
					&num, why, sizeof(why)) == 0,
			   "the owner's USERPTR frame: %s", why) ||
		    !CHECK(userptr_qbuf(fd, b.index) == 0,
			   "owner QBUF USERPTR %u: %s", b.index,
			   strerror(errno)))
			goto fail;
	}
	CG_STORE(O->ready, 1);	/* every buffer queued */
	for (deadline = tap_now_ms() + 20000;
	     !CG_LOAD(O->done) && tap_now_ms() < deadline;)
		tap_sleep_ms(10);
	close(fd);
	return TAP_PASS;
fail:
	CG_STORE(O->ready, -1);
	if (fd >= 0)
		close(fd);
	return TAP_FAIL;
}

/*
 * @arg NULL: the owner streams and root revokes.  Otherwise the node has
 * no owner under default_policy allow, another uid streams (its file holds
 * no capability) and root sets the owner.  Either way the stream stops.
 */
static int userptr_stops(void *arg)
{
	char owner[16];
	uid_t uid = arg ? cg.other : cg.owner;
	long deadline;
	unsigned int written = 0;
	pid_t pid;
	int b;

	memset(O, 0, sizeof(*O));
	if (arg && !CHECK(cg_sysfs_write(CG_SYSFS_ROOT, "default_policy", "allow") > 0 &&
			  cg_sysfs_write(UVC.sysfs, "owner_uid", "none") > 0,
			  "cannot leave the node without an owner under default_policy allow"))
		return TAP_FAIL;
	pid = cg_spawn(uid, stream_userptr, NULL);
	for (deadline = tap_now_ms() + 15000;
	     !CG_LOAD(O->ready) && tap_now_ms() < deadline &&
	     waitpid(pid, NULL, WNOHANG) == 0;)
		tap_sleep_ms(2);
	if (!CHECK(CG_LOAD(O->ready) == 1, "uid %u did not stream", uid))
		goto out;
	snprintf(owner, sizeof(owner), "%u", cg.owner);
	if (!CHECK(arg ? cg_sysfs_write(UVC.sysfs, "owner_uid", owner) > 0 :
			 uvc_revoke() == 0,
		   arg ? "setting the owner failed" : "revoke failed"))
		goto out;
	memset(O->mem, CG_POISON, sizeof(O->mem));
	tap_sleep_ms(1000);	/* 30 frame periods */
	for (b = 0; b < O->nbufs; b++)
		written += !cg_all_poison(O->mem[b], FRAME);
	CHECK(!written,
	      "uvcvideo wrote into %u of uid %u's %d queued buffers after the %s",
	      written, uid, O->nbufs, arg ? "owner was set" : "revocation");
	CG_STORE(O->done, 1);
	CHECK(cg_wait(pid, 5000) == TAP_PASS, "uid %u's process failed", uid);
	cg_uvc_restore();
	return tap_result();
out:
	CG_STORE(O->done, 1);
	kill(pid, SIGKILL);
	cg_wait(pid, 5000);
	cg_uvc_restore();
	return TAP_FAIL;
}

/* After both: the owner streams intact frames on a new file. */
static int owner_streams_again(void *arg)
{
	struct uvc_owner s;

	(void)arg;
	if (uvc_owner_start(&s))
		return TAP_FAIL;
	uvc_owner_frames(&s, 10, "after the revocations");
	uvc_owner_stop(&s);
	return tap_result();
}

static int streams_again(void *arg)
{
	(void)arg;
	return cg_run_as(cg.owner, owner_streams_again, NULL, 20000);
}

int main(void)
{
	tap_plan(4, 130);
	cg_env_load();
	cg_uvc_env();
	cg_uvc_restore();
	O = mmap(NULL, sizeof(*O), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (O == MAP_FAILED)
		return 1;

	UVC_RUN(blocked_dqbuf_wakes, 30,
		"17: revoke wakes the owner's DQBUF blocked in uvcvideo (no buffer queued) at once, and it fails");
	UVC_RUN(userptr_stops, 30,
		"17: revoke stops uvcvideo's capture: nothing is written into the old holder's queued USERPTR buffers afterwards");
	if (UVC.skip)
		tap_run(uvc_skip_case, NULL, 1, "17: a node without an owner under default_policy allow, streamed by another uid: setting the owner stops that stream too (its file holds no capability)");
	else
		tap_run(userptr_stops, "unowned", 30,
			"17: a node without an owner under default_policy allow, streamed by another uid: setting the owner stops that stream too (its file holds no capability)");
	UVC_RUN(streams_again, 30,
		"17: the owner streams intact frames on a new file after the revocations");
	cg_uvc_restore();
	return tap_finish();
}
