// SPDX-License-Identifier: GPL-2.0
/*
 * uvc-apps.c - the applications people stream with, as the owner and as
 * another uid, on vivid and on the UVC camera (issue 20 item 4).
 *
 *   GStreamer  gst-launch-1.0 v4l2src num-buffers=10 ! caps ! filesink
 *   ffmpeg     ffmpeg -f v4l2 ... -frames:v 10 -f rawvideo
 *   v4l2-ctl   --stream-dmabuf: the capture buffers are dma-bufs exported
 *              from vivid's output node (--stream-out-mmap)
 *
 * As the owner each tool must write ten frames, each checked against the
 * camera's picture (vivid's colour bars, uvcdev's numbered pattern); as
 * another uid it must write no frame, and what it says is copied into the
 * log: the message users see.  GStreamer and ffmpeg are Debian's, run from
 * a /usr the VM mounts read-only over 9p: the host's on x86_64, Debian's
 * arm64 packages on arm64 (tests/vm/arm64-userland.sh apps)
 * (CAMGATE_HOST_USR; CAMGATE_APPS_SKIP says why not).  The UVC camera is
 * the one the other uvc* programs use (cg_uvc.h); v4l2-ctl is the
 * initramfs's own.
 */
#include "tap.h"
#include "camgate_test.h"
#include "cg_uvc.h"

#include <dirent.h>
#include <sys/stat.h>

#define NFRAMES		10
#define PLUGINS		"/tmp/uvc-apps-gst"
#if defined(__aarch64__)
#define LIBDIR		"/lib/aarch64-linux-gnu"
#else
#define LIBDIR		"/lib/x86_64-linux-gnu"
#endif

static const char *host_usr, *apps_skip;
static char vid_out[300];	/* vivid's video output node */

/* A camera under test: its node, the size the tools ask for, its check. */
struct camera {
	const char *name, *dev;
	unsigned int w, h;
	bool uvc;
};

static struct camera vivid = { "vivid", NULL, 640, 360, false };
static struct camera uvc = { "UVC", NULL, 160, 120, true };

/* The applications' environment: the host's libraries and plugins. */
static void app_env(char *env, size_t len, uid_t uid)
{
	const char *h = host_usr;

	if (!h) {	/* v4l2-ctl only: the initramfs's own */
		snprintf(env, len, "HOME=/tmp");
		return;
	}
	/*
	 * Besides LIBDIR: the private directory PulseAudio's libraries name
	 * in their RUNPATH, and the ones Debian's alternatives pick for
	 * libblas.so.3 and liblapack.so.3 (through /etc, not shared).
	 */
	snprintf(env, len,
		 "HOME=/tmp LD_LIBRARY_PATH=%s" LIBDIR ":%s" LIBDIR "/pulseaudio:"
		 "%s" LIBDIR "/blas:%s" LIBDIR "/lapack "
		 "GST_PLUGIN_SYSTEM_PATH_1_0=" PLUGINS " GST_REGISTRY_FORK=no "
		 "GST_REGISTRY_1_0=/tmp/uvc-apps-gst-%u.bin",
		 h, h, h, h, uid);
}

/*
 * GStreamer's two plugins (coreelements: filesink; video4linux2:
 * v4l2src), linked into a directory of their own so that its registry
 * scan reads two files over 9p, not a hundred.
 */
static int gst_plugins(void)
{
	static const char *const so[] = { "libgstcoreelements.so",
					  "libgstvideo4linux2.so" };
	char from[PATH_MAX], to[PATH_MAX];
	unsigned int i;

	mkdir(PLUGINS, 0755);
	for (i = 0; i < 2; i++) {
		snprintf(from, sizeof(from), "%s" LIBDIR "/gstreamer-1.0/%s",
			 host_usr, so[i]);
		snprintf(to, sizeof(to), PLUGINS "/%s", so[i]);
		unlink(to);
		if (access(from, R_OK) || symlink(from, to)) {
			tap_diag("GStreamer plugin %s: %s", from, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* vivid's video output node (the dma-bufs' exporter), by its name. */
static void find_vid_out(void)
{
	char path[300], name[64];
	struct dirent *d;
	DIR *dir = opendir("/sys/class/video4linux");

	while (dir && (d = readdir(dir))) {
		if (strncmp(d->d_name, "video", 5))
			continue;
		snprintf(path, sizeof(path), "/sys/class/video4linux/%s",
			 d->d_name);
		if (cg_sysfs_read(path, "name", name, sizeof(name)) == 0 &&
		    strstr(name, "vivid") && strstr(name, "vid-out")) {
			snprintf(vid_out, sizeof(vid_out), "/dev/%s", d->d_name);
			break;
		}
	}
	if (dir)
		closedir(dir);
}

/*
 * The frames in @out: how many whole ones, each checked.  A picture that
 * is not the camera's (or vivid's bars) fails the case.
 */
static int check_frames(const struct camera *c, const char *out,
			const char *tool)
{
	size_t frame = (size_t)c->w * c->h * 2, got;
	unsigned char *buf = malloc(frame);
	struct v4l2_pix_format pix = {
		.width = c->w, .height = c->h, .bytesperline = c->w * 2,
	};
	uint32_t num = 0, last = 0;
	char why[160];
	int n = 0;
	FILE *f = fopen(out, "r");

	while (buf && f && (got = fread(buf, 1, frame, f)) == frame) {
		if (c->uvc) {
			CHECK(uvcdev_check(buf, frame, c->w, c->h, &num, why,
					   sizeof(why)) == 0,
			      "%s: frame %d: %s", tool, n, why);
			CHECK(!n || num > last, "%s: frame %u after frame %u",
			      tool, num, last);
			last = num;
		} else {
			CHECK(cg_check_bar_line(buf, &pix, 0, why, sizeof(why)) == 0 &&
			      cg_check_bar_line(buf, &pix, c->h - 1, why,
						sizeof(why)) == 0,
			      "%s: frame %d: %s", tool, n, why);
		}
		n++;
	}
	if (f)
		fclose(f);
	free(buf);
	return n;
}

/*
 * The camera as the owner leaves it for the tools: YUYV at the case's
 * size; vivid with its colour bars and every control at its default.
 */
static int owner_ready(void *arg)
{
	const struct camera *c = arg;
	struct v4l2_format fmt;
	int fd, ret;

	if (c->uvc) {
		fd = uvc_open(c->dev, O_RDWR);
		ret = fd < 0 ? -1 : uvc_set_size(fd, c->w, c->h);
	} else {
		fd = cg_open(O_RDWR);
		ret = fd < 0 ? -1 : cg_setup(fd, 30, &fmt, NULL);
	}
	if (fd >= 0)
		close(fd);
	return ret ? TAP_FAIL : TAP_PASS;
}

static int prepare(struct camera *c)
{
	return cg_run_as(cg.owner, owner_ready, c, 10000) == TAP_PASS ? 0 : -1;
}

enum tool { GST, FFMPEG, DMABUF };

static const char *const tool_name[] = { "gst-launch-1.0", "ffmpeg",
					 "v4l2-ctl --stream-dmabuf" };

static void command(enum tool t, const struct camera *c, const char *out,
		    char *cmd, size_t len)
{
	switch (t) {
	case GST:
		snprintf(cmd, len,
			 "%s/bin/gst-launch-1.0 -q v4l2src device=%s num-buffers=%d "
			 "! video/x-raw,format=YUY2,width=%u,height=%u "
			 "! filesink location=%s",
			 host_usr, c->dev, NFRAMES, c->w, c->h, out);
		break;
	case FFMPEG:
		/*
		 * -fps_mode passthrough: each captured frame written once.
		 * By default ffmpeg keeps a constant rate and repeats a frame
		 * the slow VM delivered late (seen on arm64: frame 18 twice).
		 */
		snprintf(cmd, len,
			 "%s/bin/ffmpeg -nostdin -hide_banner -loglevel error "
			 "-f v4l2 -input_format yuyv422 -video_size %ux%u -i %s "
			 "-fps_mode passthrough -frames:v %d -f rawvideo -y %s",
			 host_usr, c->w, c->h, c->dev, NFRAMES, out);
		break;
	case DMABUF:
		snprintf(cmd, len,
			 "v4l2-ctl -d %s -e %s --stream-dmabuf --stream-out-mmap "
			 "--stream-count=%d --stream-to=%s",
			 c->dev, vid_out, NFRAMES, out);
		break;
	}
}

struct app_case {
	enum tool tool;
	struct camera *cam;
	bool owner;
};

static int app(void *arg)
{
	const struct app_case *a = arg;
	struct camera *c = a->cam;
	char out[64], cmd[512], env[512];
	unsigned int marks;
	uid_t uid = a->owner ? cg.owner : cg.other;
	bool denied;
	int rc, n;

	if (a->tool != DMABUF && apps_skip)
		return tap_skip("%s", apps_skip);
	if (a->tool == DMABUF && !vid_out[0])
		return tap_skip("no vivid video output node to export the dma-bufs");
	if (!CHECK(prepare(c) == 0, "cannot set %s up as the owner", c->name))
		return TAP_FAIL;
	snprintf(out, sizeof(out), "/tmp/uvc-apps-%u.yuv", uid);
	command(a->tool, c, out, cmd, sizeof(cmd));
	app_env(env, sizeof(env), uid);
	unlink(out);
	rc = uvc_run_as(tool_name[a->tool], uid, env, cmd, &marks, &denied);
	n = check_frames(c, out, tool_name[a->tool]);
	tap_diag("%s on %s as uid %u: %d frames written", tool_name[a->tool],
		 c->name, uid, n);
	if (a->owner)
		CHECK(rc == 0 && n >= NFRAMES,
		      "the owner's %s: exit status %d, %d frames; want 0, %d",
		      tool_name[a->tool], rc, n, NFRAMES);
	else
		/* it ran (127: not found, 126: not executable) and was refused */
		CHECK(n == 0 && rc != 126 && rc != 127 && denied,
		      "%s as another uid: exit status %d, %d frames%s; want no frame, Permission denied",
		      tool_name[a->tool], rc, n,
		      denied ? ", Permission denied" : "");
	unlink(out);
	return tap_result();
}

static struct app_case cases[] = {
	{ GST, &vivid, true }, { GST, &vivid, false },
	{ FFMPEG, &vivid, true }, { FFMPEG, &vivid, false },
	{ DMABUF, &vivid, true }, { DMABUF, &vivid, false },
	{ GST, &uvc, true }, { GST, &uvc, false },
	{ FFMPEG, &uvc, true }, { FFMPEG, &uvc, false },
	{ DMABUF, &uvc, true }, { DMABUF, &uvc, false },
};

int main(void)
{
	unsigned int i;

	tap_plan(sizeof(cases) / sizeof(cases[0]), 400);
	cg_env_load();
	cg_uvc_env();
	cg_uvc_restore();
	vivid.dev = cg.dev;
	uvc.dev = UVC.dev;
	host_usr = getenv("CAMGATE_HOST_USR");
	apps_skip = getenv("CAMGATE_APPS_SKIP");
	if (!apps_skip && (!host_usr || !*host_usr))
		apps_skip = "CAMGATE_HOST_USR not set";
	if (!apps_skip && gst_plugins())
		apps_skip = "the host's GStreamer plugins are missing (tests/deps.sh)";
	find_vid_out();

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct app_case *a = &cases[i];

		if (a->cam->uvc && UVC.skip) {
			tap_run(uvc_skip_case, NULL, 1, "%s on the UVC camera as %s",
				tool_name[a->tool],
				a->owner ? "the owner: every frame intact" :
					   "another uid: no frame, its message logged");
			continue;
		}
		tap_run(app, (void *)a, 60, "%s on %s as %s", tool_name[a->tool],
			a->cam->name,
			a->owner ? "the owner: every frame intact" :
				   "another uid: no frame, its message logged");
	}
	cg_uvc_restore();
	return tap_finish();
}
