// SPDX-License-Identifier: GPL-2.0
/*
 * requests.c - the Request API as a route to the frames (ATTACKS.md case 6).
 *
 * The media controller node is guarded with its camera (issue 15): only the
 * owner may allocate a request there.  A request fd the owner passes on is
 * not guarded, though.  What must not work is binding a buffer of the
 * guarded queue to a request (QBUF with V4L2_BUF_FLAG_REQUEST_FD), or
 * controls into a request, without the owner credential, so that
 * MEDIA_REQUEST_IOC_QUEUE of the attacker's request has nothing to deliver.
 * The owner streaming through requests is the control; without a media
 * node or request support in vivid the cases skip, they never pass.
 */
#include "tap.h"
#include "camgate_test.h"

#include <dirent.h>
#include <libgen.h>
#include <linux/media.h>

static struct cg_stream S;
static char media[PATH_MAX];			/* "/dev/mediaN", or "" */
static const char *no_media = "no media controller node found for vivid";

static void cleanup(void)
{
	cg_stream_kill(&S);
}

/* The media node whose parent device is the video node's. */
static void find_media(void)
{
	char path[PATH_MAX], want[PATH_MAX], got[PATH_MAX], devcopy[PATH_MAX];
	struct media_device_info info;
	struct dirent *de;
	DIR *d;
	int fd, i;

	snprintf(devcopy, sizeof(devcopy), "%s", cg.dev);
	snprintf(path, sizeof(path), "/sys/class/video4linux/%s/device",
		 basename(devcopy));
	d = realpath(path, want) ? opendir("/sys/bus/media/devices") : NULL;
	if (d) {
		while ((de = readdir(d))) {
			if (strncmp(de->d_name, "media", 5))
				continue;
			snprintf(path, sizeof(path),
				 "/sys/bus/media/devices/%s/device",
				 de->d_name);
			if (realpath(path, got) && !strcmp(got, want)) {
				snprintf(media, sizeof(media), "/dev/%s",
					 de->d_name);
				break;
			}
		}
		closedir(d);
	}
	for (i = 0; !media[0] && i < 16; i++) {
		snprintf(path, sizeof(path), "/dev/media%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!ioctl(fd, MEDIA_IOC_DEVICE_INFO, &info) &&
		    !strcmp(info.driver, "vivid"))
			snprintf(media, sizeof(media), "%s", path);
		close(fd);
	}
	if (media[0])
		tap_diag("media node %s", media);
}

/* ---- the owner streams through requests ------------------------------------- */

static int owner_requests(void *arg)
{
	struct v4l2_requestbuffers rb;
	struct v4l2_streamparm saved;
	struct v4l2_format fmt;
	struct v4l2_buffer b;
	int fd, mfd, req[2] = { -1, -1 }, type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	void *map[2] = { NULL, NULL };
	__u32 len[2] = { 0, 0 };
	char why[160];
	int i, res = TAP_PASS;

	(void)arg;
	fd = cg_open(O_RDWR | O_NONBLOCK);
	mfd = open(media, O_RDWR | O_CLOEXEC);
	if (fd < 0 || !CHECK(mfd >= 0, "open %s: %s", media, strerror(errno)) ||
	    cg_setup(fd, 30, &fmt, &saved))
		return TAP_FAIL;
	memset(&rb, 0, sizeof(rb));
	rb.count = 2;
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_MMAP;
	if (!CHECK(xioctl(fd, VIDIOC_REQBUFS, &rb) == 0 && rb.count >= 2,
		   "REQBUFS: %s", strerror(errno)))
		return TAP_FAIL;
	if (!(rb.capabilities & V4L2_BUF_CAP_SUPPORTS_REQUESTS)) {
		res = tap_skip("vivid's capture queue does not support requests (capabilities 0x%x)",
			       rb.capabilities);
		goto out;
	}
	for (i = 0; i < 2; i++) {
		memset(&b, 0, sizeof(b));
		b.index = i;
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		if (!CHECK(xioctl(fd, VIDIOC_QUERYBUF, &b) == 0,
			   "QUERYBUF: %s", strerror(errno)))
			goto out;
		len[i] = b.length;
		map[i] = mmap(NULL, b.length, PROT_READ | PROT_WRITE,
			      MAP_SHARED, fd, b.m.offset);
		if (!CHECK(map[i] != MAP_FAILED, "mmap: %s", strerror(errno))) {
			map[i] = NULL;
			goto out;
		}
		memset(map[i], CG_POISON, b.length);
		if (!CHECK(xioctl(mfd, MEDIA_IOC_REQUEST_ALLOC, &req[i]) == 0,
			   "MEDIA_IOC_REQUEST_ALLOC: %s", strerror(errno)))
			goto out;
		b.flags = V4L2_BUF_FLAG_REQUEST_FD;
		b.request_fd = req[i];
		if (!CHECK(xioctl(fd, VIDIOC_QBUF, &b) == 0,
			   "QBUF with a request: %s", strerror(errno)) ||
		    !CHECK(ioctl(req[i], MEDIA_REQUEST_IOC_QUEUE) == 0,
			   "MEDIA_REQUEST_IOC_QUEUE: %s", strerror(errno)))
			goto out;
	}
	if (!CHECK(xioctl(fd, VIDIOC_STREAMON, &type) == 0, "STREAMON: %s",
		   strerror(errno)))
		goto out;
	for (i = 0; i < 2; i++) {
		struct pollfd p = { .fd = req[i], .events = POLLPRI };

		CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLPRI),
		      "request %d did not complete in 5 s (revents 0x%x)", i,
		      p.revents);
	}
	for (i = 0; i < 2; i++) {
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		if (!CHECK(xioctl(fd, VIDIOC_DQBUF, &b) == 0, "DQBUF: %s",
			   strerror(errno)))
			break;
		CHECK(b.index < 2 &&
		      !cg_check_frame(map[b.index], b.bytesused,
				      &fmt.fmt.pix, why, sizeof(why)),
		      "frame of a request: %s", why);
	}
	CHECK(xioctl(fd, VIDIOC_STREAMOFF, &type) == 0, "STREAMOFF: %s",
	      strerror(errno));
out:
	for (i = 0; i < 2; i++) {
		if (map[i])
			munmap(map[i], len[i]);
		if (req[i] >= 0)
			close(req[i]);
	}
	rb.count = 0;
	xioctl(fd, VIDIOC_REQBUFS, &rb);
	cg_restore_parm(fd, &saved);
	close(fd);
	close(mfd);
	return res == TAP_SKIP ? res : tap_result();
}

static int request_control(void *arg)
{
	(void)arg;
	if (!media[0])
		return tap_skip("%s", no_media);
	return cg_run_as(cg.owner, owner_requests, NULL, 15000);
}

/* ---- the attacker ------------------------------------------------------------- */

/*
 * The attacker's request fd.  Since issue 15 the media device is a member
 * of the camera's group and refuses MEDIA_IOC_REQUEST_ALLOC to anyone but
 * the owner, which this checks: the request is allocated with the owner's
 * effective uid (setresuid keeps root as the saved uid), and only then does
 * the process become the attacker, request fd in hand, as if the owner had
 * passed it.  Skips the case when vivid has no media node.
 */
static int attacker_request(int *mfd, int *req)
{
	int own, r;

	if (!media[0])
		return tap_skip("%s", no_media);
	if (!CHECK(S.st && CG_LOAD(S.st->ready) == 1 && S.st->nbufs,
		   "the owner does not stream: nothing to attack"))
		return TAP_FAIL;
	if (!CHECK(setresuid(-1, cg.owner, -1) == 0, "seteuid %u: %s",
		   cg.owner, strerror(errno)))
		return TAP_FAIL;
	own = open(media, O_RDWR | O_CLOEXEC);
	r = own < 0 ? -1 : xioctl(own, MEDIA_IOC_REQUEST_ALLOC, req);
	if (!CHECK(setresuid(-1, 0, -1) == 0, "seteuid 0: %s", strerror(errno)))
		return TAP_FAIL;
	if (own < 0 || r)
		return tap_skip("the owner's MEDIA_IOC_REQUEST_ALLOC on %s: %s",
				media, strerror(errno));
	close(own);
	if (cg_become(cg.other))
		return TAP_FAIL;
	*mfd = open(media, O_RDWR | O_CLOEXEC);
	if (!CHECK(*mfd >= 0, "uid %u cannot open %s: %s", cg.other, media,
		   strerror(errno)))
		return TAP_FAIL;
	own = -1;
	r = xioctl(*mfd, MEDIA_IOC_REQUEST_ALLOC, &own);
	cg_expect_denied("the attacker's own MEDIA_IOC_REQUEST_ALLOC", r, errno,
			 NULL, NULL, 0);
	CHECK(own == -1, "MEDIA_IOC_REQUEST_ALLOC gave uid %u request fd %d",
	      cg.other, own);
	tap_diag("uid %u holds request fd %d, allocated by the owner on %s",
		 cg.other, *req, media);
	return TAP_PASS;
}

static int qbuf_request(void *arg)
{
	struct v4l2_buffer b, before;
	struct pollfd p;
	unsigned int i;
	int fd, mfd, req, r;

	(void)arg;
	r = attacker_request(&mfd, &req);
	if (r != TAP_PASS)
		return r;
	fd = cg_open(O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	for (i = 0; i < S.st->nbufs; i++) {
		cg_buf_poison(&b, V4L2_MEMORY_MMAP, i);
		b.flags = V4L2_BUF_FLAG_REQUEST_FD;
		b.field = V4L2_FIELD_NONE;
		b.request_fd = req;
		before = b;
		r = xioctl(fd, VIDIOC_QBUF, &b);
		cg_expect_buf_denied("QBUF with V4L2_BUF_FLAG_REQUEST_FD", r,
				     errno, &b, &before);
	}
	/* Nothing was bound: queueing the request has nothing to deliver. */
	r = ioctl(req, MEDIA_REQUEST_IOC_QUEUE);
	CHECK(r == -1, "MEDIA_REQUEST_IOC_QUEUE of the attacker's request succeeded");
	tap_diag("MEDIA_REQUEST_IOC_QUEUE: %s", r ? strerror(errno) : "ok");
	p.fd = req;
	p.events = POLLPRI;
	p.revents = 0;
	poll(&p, 1, 500);
	CHECK(!(p.revents & POLLPRI),
	      "the attacker's request completed (revents 0x%x)", p.revents);
	cg_buf_poison(&b, V4L2_MEMORY_MMAP, 0);
	before = b;
	r = xioctl(fd, VIDIOC_DQBUF, &b);
	cg_expect_buf_denied("DQBUF after queueing the request", r, errno, &b,
			     &before);
	close(req);
	close(mfd);
	close(fd);
	return tap_result();
}

static int ctrls_request(void *arg)
{
	struct v4l2_ext_controls cs, before;
	struct v4l2_ext_control c[1], cbefore[1];
	struct v4l2_queryctrl qc;
	int fd, mfd, req, r;

	(void)arg;
	r = attacker_request(&mfd, &req);
	if (r != TAP_PASS)
		return r;
	fd = cg_open(O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return TAP_FAIL;
	if (cg_find_ctrl(fd, "Test Pattern", &qc))
		qc.id = V4L2_CID_BRIGHTNESS;
	memset(c, CG_POISON, sizeof(c));
	c[0].id = qc.id;
	c[0].size = 0;
	c[0].value = 1;
	memcpy(cbefore, c, sizeof(c));
	memset(&cs, 0, sizeof(cs));
	cs.which = V4L2_CTRL_WHICH_REQUEST_VAL;
	cs.count = 1;
	cs.request_fd = req;
	cs.controls = c;
	before = cs;
	r = xioctl(fd, VIDIOC_S_EXT_CTRLS, &cs);
	cg_expect_denied("S_EXT_CTRLS into a request", r, errno, &cs, &before,
			 sizeof(cs));
	CHECK(!memcmp(c, cbefore, sizeof(c)),
	      "the control array came back modified");
	close(req);
	close(mfd);
	close(fd);
	return tap_result();
}

static int owner_unaffected(void *arg)
{
	unsigned int from;

	(void)arg;
	if (!CHECK(S.st && CG_LOAD(S.st->ready) == 1,
		   "the owner's stream did not start: %s",
		   S.st ? S.st->why : "-"))
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

int main(void)
{
	tap_plan(5, 50);
	cg_env_load();
	tap_set_cleanup(cleanup);
	find_media();

	tap_run(request_control, NULL, 20,
		"6: owner queues buffers through requests (MEDIA_REQUEST_IOC_QUEUE): intact frames (control)");

	cg_stream_start(&S, 30, 15000);
	tap_run(qbuf_request, NULL, 10,
		"6, 15: non-owner MEDIA_IOC_REQUEST_ALLOC is denied; with a request fd the owner allocated, its QBUF with V4L2_BUF_FLAG_REQUEST_FD is denied, nothing reaches the request");
	tap_run(ctrls_request, NULL, 10,
		"6: non-owner S_EXT_CTRLS into a request is denied");
	tap_run(owner_unaffected, NULL, 10,
		"6: the owner's stream ran on, every frame intact");
	stop_status = cg_stream_stop(&S);
	tap_run(stream_stopped, NULL, 10, "the owner stops its stream cleanly");
	return tap_finish();
}
