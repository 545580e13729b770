// SPDX-License-Identifier: GPL-2.0
/*
 * libcam.c - libcamera as the owner's application, on vimc (issue 15,
 * items 3 and 4).
 *
 * vimc is a media-controller camera: a sensor, debayer and scaler
 * sub-devices, three capture nodes and a media device, the shape of an
 * embedded board's camera.  libcamera's cam (Debian's libcamera-tools,
 * with its vimc pipeline handler and IPA) is what a camera service on such
 * a board runs.  The suite loads vimc (CAMGATE_VIMC_KO; its dependencies
 * are loaded at boot), makes CAMGATE_OWNER_UID the owner of every vimc node
 * camgate guards, and:
 *
 *  - as the owner, "cam --list" lists the vimc camera and "cam --capture"
 *    writes the frames asked for, each of the size the stream was
 *    configured for, each a picture (not one byte value);
 *  - as CAMGATE_OTHER_UID, the same cam command fails (non-zero exit),
 *    writes no frame, and camgate counted a denial on a vimc node; cam's
 *    message goes to the log;
 *  - the owner's "v4l2-compliance -m" on vimc's media device (every node
 *    of the camera) gives the same summary lines and the same result for
 *    every test with camgate as without it (camgate unloaded for the
 *    baseline, loaded again after).
 *
 * libcamera lists only cameras that udev has initialized: the suite runs
 * the initramfs's systemd-udevd while vimc appears, then stops it.
 * Kernels without vimc (Debian's) skip every case, saying so; where vimc
 * is, the initramfs carries cam and udevd (x86_64 and arm64), and a
 * missing one fails.  At the end vimc is removed; the program leaves the
 * state every program starts from.
 */
#include "tap.h"
#include "camgate_test.h"
#include "compliance.h"

#include <dirent.h>
#include <sys/syscall.h>

#define CAM		"/usr/bin/cam"
#define COMPLIANCE	"/usr/bin/v4l2-compliance"
#define UDEVADM		"/usr/bin/udevadm"
#define UDEVD_LOG	"/tmp/libcam-udevd.log"
#define OWNER_DIR	"/tmp/libcam-owner"
#define OTHER_DIR	"/tmp/libcam-other"
/*
 * libcamera's vimc pipeline aligns the size to 6 pixels (it takes 6.12's
 * vimc for one older than 5.16, whose scaler multiplied by 3): 600x480
 * stays as asked, --strict-formats makes sure of it.
 */
#define FRAMES		5
#define WIDTH		600
#define HEIGHT		480
#define FRAME_SIZE	(WIDTH * HEIGHT * 3)	/* BGR888, no padding */
#define STR_(x)		#x
#define STR(x)		STR_(x)
#define STREAM		"--stream=width=" STR(WIDTH) ",height=" STR(HEIGHT) ",pixelformat=BGR888"
#define MAXNODES	32

/* Compliance runs: with camgate, the baseline without, and a second pair. */
#define RUN_WITH	"/tmp/libcam-compliance-with"
#define RUN_BASE	"/tmp/libcam-compliance-without"
#define RUN_WITH2	"/tmp/libcam-compliance-with2"
#define RUN_BASE2	"/tmp/libcam-compliance-without2"

static const char *vimc_ko;
static const char *camgate_ko;
static const char *no_vimc;	/* why this kernel cannot run the suite */

/* Shared with the cases: what the time-limit handler must clean up. */
static struct {
	pid_t udevd;
} *sh;

/* ---- vimc's nodes ------------------------------------------------------------ */

/*
 * Does sysfs device @dir belong to vimc: is it below vimc's platform device
 * ("/sys/devices/platform/vimc.0/...")?
 */
static bool is_vimc(const char *dir)
{
	char real[PATH_MAX], *c, *save = NULL;

	if (!realpath(dir, real))
		return false;
	for (c = strtok_r(real, "/", &save); c; c = strtok_r(NULL, "/", &save))
		if (!strncmp(c, "vimc", 4) && (!c[4] || c[4] == '.'))
			return true;
	return false;
}

/* vimc's V4L2 nodes ("video2", "v4l-subdev0", ...): how many. */
static int vimc_nodes(char names[][32], int max)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir("/sys/class/video4linux");
	int n = 0;

	while (d && (de = readdir(d)) && n < max) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= 32)
			continue;
		snprintf(path, sizeof(path), "/sys/class/video4linux/%s",
			 de->d_name);
		if (is_vimc(path))
			strcpy(names[n++], de->d_name);
	}
	if (d)
		closedir(d);
	return n;
}

/* vimc's media device node ("/dev/media1") into @out, or "". */
static void vimc_media(char *out, size_t len)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir("/sys/bus/media/devices");

	out[0] = '\0';
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/media/devices/%s",
			 de->d_name);
		if (is_vimc(path))
			snprintf(out, len, "/dev/%.40s", de->d_name);
	}
	if (d)
		closedir(d);
}

static void node_dir(const char *node, char *dir, size_t len)
{
	snprintf(dir, len, CG_SYSFS_ROOT "/devices/%s", node);
}

/* How many of vimc's nodes camgate guards. */
static int count_guarded(void)
{
	char names[MAXNODES][32], dir[PATH_MAX];
	int i, n = vimc_nodes(names, MAXNODES), guarded = 0;

	for (i = 0; i < n; i++) {
		node_dir(names[i], dir, sizeof(dir));
		guarded += !access(dir, F_OK);
	}
	return guarded;
}

/* Wait up to 5 s until camgate guards vimc's 3 capture nodes at least. */
static int wait_guarded(void)
{
	long deadline = tap_now_ms() + 5000;
	int n;

	while ((n = count_guarded()) < 3 && tap_now_ms() < deadline)
		tap_sleep_ms(50);
	return n;
}

/*
 * Make the owner uid the owner of every vimc node camgate guards, the ones
 * that do not show it yet (with device groups one write may cover the
 * whole camera).  Return how many vimc nodes are guarded; CHECKs each.
 */
static int set_owners(bool quiet)
{
	char names[MAXNODES][32], dir[PATH_MAX], buf[32], name[64], uid[16];
	int i, n = vimc_nodes(names, MAXNODES), guarded = 0;
	ssize_t w;

	snprintf(uid, sizeof(uid), "%u", cg.owner);
	for (i = 0; i < n; i++) {
		node_dir(names[i], dir, sizeof(dir));
		if (access(dir, F_OK))
			continue;
		guarded++;
		if (!cg_sysfs_read(dir, "owner_uid", buf, sizeof(buf)) &&
		    !strcmp(buf, uid))
			continue;
		w = cg_sysfs_write(dir, "owner_uid", uid);
		CHECK(w > 0, "%s/owner_uid = %s: %s", dir, uid,
		      w < 0 ? strerror(-w) : "nothing written");
	}
	for (i = 0; i < n; i++) {
		char path[PATH_MAX];

		node_dir(names[i], dir, sizeof(dir));
		snprintf(path, sizeof(path), "/sys/class/video4linux/%s",
			 names[i]);
		if (cg_sysfs_read(path, "name", name, sizeof(name)))
			strcpy(name, "?");
		if (access(dir, F_OK)) {
			if (!quiet)
				tap_diag("%s (%s): not guarded", names[i], name);
			continue;
		}
		CHECK(!cg_sysfs_read(dir, "owner_uid", buf, sizeof(buf)) &&
		      !strcmp(buf, uid), "%s (%s): owner_uid reads \"%s\", want %s",
		      names[i], name, buf, uid);
		if (!quiet)
			tap_diag("%s (%s): guarded, owner_uid %s", names[i],
				 name, buf);
	}
	return guarded;
}

/* Denials camgate counted on vimc's nodes (and media device), all together. */
static unsigned long long vimc_denials(void)
{
	char names[MAXNODES + 1][32], dir[PATH_MAX], media[64];
	int i, n = vimc_nodes(names, MAXNODES);
	unsigned long long sum = 0, v;

	vimc_media(media, sizeof(media));
	if (media[0])
		snprintf(names[n++], sizeof(names[0]), "%.31s", media + 5);
	for (i = 0; i < n; i++) {
		node_dir(names[i], dir, sizeof(dir));
		v = cg_sysfs_u64(dir, "denials");
		if (v != ~0ULL)
			sum += v;
	}
	return sum;
}

/* chmod 0666 every node of the camera (sub-devices too). */
static void open_vimc_nodes(void)
{
	char names[MAXNODES][32], path[64], media[64];
	int i, n = vimc_nodes(names, MAXNODES);

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/dev/%.31s", names[i]);
		chmod(path, 0666);
	}
	vimc_media(media, sizeof(media));
	if (media[0])
		chmod(media, 0666);
}

/* ---- modules ------------------------------------------------------------------ */

/* Remove @name if loaded (cg_unload_module()): 0 or -errno. */
static int unload_module(const char *name)
{
	int r = cg_unload_module(name);

	return r == -ENOENT ? 0 : r;
}

/* Load camgate again and put back the start state (vivid's owner). */
static int reload_camgate(void)
{
	int r = 0;

	if (access("/sys/module/camgate", F_OK))
		r = cg_load_module(camgate_ko, "");
	cg_restore_config();
	return r;
}

/* ---- udevd -------------------------------------------------------------------- */

static void stop_udevd(void)
{
	if (sh && sh->udevd > 0) {
		cg_udevd_stop(sh->udevd);
		sh->udevd = -1;
	}
}

/* ---- running programs ------------------------------------------------------------ */

/*
 * Run @argv as @uid (gid @uid, no supplementary groups), stdout and stderr
 * into @log, for at most @timeout_ms.  Return its exit status, or -1 when
 * it could not run, was killed by a signal or timed out (said in a
 * diagnostic).
 */
static int run_as(uid_t uid, const char *log, long timeout_ms,
		  const char *const argv[])
{
	long deadline = tap_now_ms() + timeout_ms;
	int status, fd;
	pid_t pid, w;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		setpgid(0, 0);
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		if (cg_become(uid))
			_exit(126);
		setenv("HOME", "/tmp", 1);
		setenv("LIBCAMERA_LOG_NO_COLOR", "1", 1);
		execv(argv[0], (char *const *)argv);
		dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -1;
		if (tap_now_ms() > deadline) {
			tap_diag("%s as uid %u: timed out after %ld s", argv[0],
				 uid, timeout_ms / 1000);
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		tap_sleep_ms(20);
	}
	kill(-pid, SIGKILL);	/* what it left behind (an IPA proxy) */
	if (WIFSIGNALED(status)) {
		tap_diag("%s as uid %u: killed by signal %d (%s)", argv[0], uid,
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
		return -1;
	}
	return WEXITSTATUS(status);
}

/* Does cam's list in @path have a vimc camera ("1: 'Sensor B' (platform/vimc.0 ...)")? */
static bool listed(const char *path)
{
	char line[512];
	bool found = false;
	FILE *f = fopen(path, "r");
	unsigned int idx;
	int end = 0;

	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%u: %n", &idx, &end) == 1 && end > 0 &&
			strstr(line + end, "vimc");
	if (f)
		fclose(f);
	return found;
}

/* An empty directory for @uid's frames. */
static int frame_dir(const char *dir, uid_t uid)
{
	char cmd[PATH_MAX];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cg_sh("%s", cmd);
	if (mkdir(dir, 0755) || chown(dir, uid, uid)) {
		CHECK(0, "mkdir/chown %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- cases ---------------------------------------------------------------------- */

static int setup(void *arg)
{
	static const char *const settle[] = {
		UDEVADM, "settle", "--timeout=30", NULL,
	};
	char media[64], names[MAXNODES][32];
	long deadline;
	int r, n, guarded;

	(void)arg;
	if (no_vimc)
		return tap_skip("%s", no_vimc);
	sh->udevd = cg_udevd_start(UDEVD_LOG, false);
	deadline = tap_now_ms() + 20000;
	while (access("/run/udev/control", F_OK)) {
		if (!CHECK(tap_now_ms() < deadline, "udevd did not come up in 20 s")) {
			cg_diag_tail(UDEVD_LOG, "udevd: ", 20);
			return TAP_FAIL;
		}
		tap_sleep_ms(50);
	}
	r = cg_load_module(vimc_ko, "");
	if (!CHECK(r == 0 || r == -EEXIST, "finit_module(%s): %s", vimc_ko,
		   strerror(-r)))
		return TAP_FAIL;
	deadline = tap_now_ms() + 10000;
	for (;;) {
		vimc_media(media, sizeof(media));
		if (media[0] && !access(media, F_OK))
			break;
		if (!CHECK(tap_now_ms() < deadline,
			   "no vimc media device 10 s after the load"))
			return TAP_FAIL;
		tap_sleep_ms(50);
	}
	r = run_as(0, "/tmp/libcam-settle.log", 40000, settle);
	CHECK(r == 0, "udevadm settle: exit %d", r);
	stop_udevd();
	/* camgate sees a node just after it appears. */
	wait_guarded();
	open_vimc_nodes();
	n = vimc_nodes(names, MAXNODES);
	tap_diag("vimc: %s and %d V4L2 nodes", media, n);
	guarded = set_owners(false);
	/* vimc's three capture nodes, at least. */
	CHECK(guarded >= 3, "%d of vimc's nodes guarded, want its 3 capture nodes at least",
	      guarded);
	return tap_result();
}

static int owner_list(void *arg)
{
	static const char *const argv[] = { CAM, "--list", NULL };
	const char *log = "/tmp/libcam-list.log";
	int r;

	(void)arg;
	if (no_vimc)
		return tap_skip("%s", no_vimc);
	r = run_as(cg.owner, log, 90000, argv);
	cg_diag_tail(log, "cam: ", 20);
	CHECK(r == 0, "cam --list as uid %u: exit %d", cg.owner, r);
	CHECK(listed(log), "cam --list lists no vimc camera (\"1: ... vimc\")");
	return tap_result();
}

/* Frames in @dir: how many, and how many are not FRAME_SIZE or flat. */
static int count_frames(const char *dir, int *bad, bool report)
{
	static unsigned char buf[FRAME_SIZE + 1];
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0, fd;
	ssize_t got;
	size_t i;

	*bad = 0;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		n++;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fd = open(path, O_RDONLY);
		got = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
		if (fd >= 0)
			close(fd);
		for (i = 1; got > 0 && i < (size_t)got && buf[i] == buf[0]; i++)
			;
		if (got != FRAME_SIZE || i == (size_t)got) {
			(*bad)++;
			if (report)
				tap_diag("%s: %zd bytes%s, want %d bytes of a picture",
					 de->d_name, got,
					 got > 0 && i == (size_t)got ?
					 ", every byte the same" : "", FRAME_SIZE);
		} else if (report && n == 1) {
			tap_diag("%s: %zd bytes", de->d_name, got);
		}
	}
	if (d)
		closedir(d);
	return n;
}

static int owner_capture(void *arg)
{
	static const char *const argv[] = {
		CAM, "--camera=1", "--capture=" STR(FRAMES), STREAM, "--strict-formats",
		"--file=" OWNER_DIR "/frame-#.bin", NULL,
	};
	const char *log = "/tmp/libcam-owner.log";
	int r, n, bad;

	(void)arg;
	if (no_vimc)
		return tap_skip("%s", no_vimc);
	if (frame_dir(OWNER_DIR, cg.owner))
		return TAP_FAIL;
	r = run_as(cg.owner, log, 240000, argv);
	cg_diag_tail(log, "cam: ", 20);
	CHECK(r == 0, "cam as the owner, uid %u: exit %d", cg.owner, r);
	n = count_frames(OWNER_DIR, &bad, true);
	tap_diag("the owner's cam wrote %d frame files", n);
	CHECK(n == FRAMES, "%d frame files, want %d", n, FRAMES);
	CHECK(bad == 0, "%d of them are not %ux%u BGR888 pictures (%d bytes)",
	      bad, WIDTH, HEIGHT, FRAME_SIZE);
	return tap_result();
}

static int other_capture(void *arg)
{
	static const char *const argv[] = {
		CAM, "--camera=1", "--capture=" STR(FRAMES), STREAM, "--strict-formats",
		"--file=" OTHER_DIR "/frame-#.bin", NULL,
	};
	const char *log = "/tmp/libcam-other.log";
	unsigned long long before, after;
	char klog[4096], *line;
	int r, n, bad, media = 0;

	(void)arg;
	if (no_vimc)
		return tap_skip("%s", no_vimc);
	if (frame_dir(OTHER_DIR, cg.other))
		return TAP_FAIL;
	before = vimc_denials();
	cg_kmsg_mark();
	r = run_as(cg.other, log, 240000, argv);
	after = vimc_denials();
	/*
	 * The media device has no directory to count in: camgate's log
	 * names its denials ("denied media ioctl ... uid 1001: ...").
	 */
	cg_kmsg_camgate(klog, sizeof(klog));
	for (line = klog; *line; line = strchr(line, '\n') + 1) {
		if (!strncmp(line, "denied media ioctl ", 19) &&
		    strstr(line, " uid ") &&
		    strtoul(strstr(line, " uid ") + 5, NULL, 10) == cg.other) {
			if (!media++)
				tap_diag("camgate: %.*s", (int)strcspn(line, "\n"), line);
		}
	}
	tap_diag("cam as uid %u exited with %d; its output:", cg.other, r);
	cg_diag_tail(log, "cam: ", 25);
	tap_diag("camgate counted %llu denials on vimc's nodes and logged %d on its media device meanwhile",
		 after - before, media);
	CHECK(r > 0, "cam as uid %u, not the owner: exit %d, want a failure (>0)",
	      cg.other, r);
	n = count_frames(OTHER_DIR, &bad, false);
	CHECK(n == 0, "cam as uid %u wrote %d frame files", cg.other, n);
	CHECK(after > before || media > 0,
	      "no denial counted on vimc's nodes nor logged on its media device: cam did not fail at camgate");
	return tap_result();
}

/* ---- v4l2-compliance ----------------------------------------------------------------- */

/* The owner's v4l2-compliance -m on vimc's media device, into @out. */
static int compliance(const char *out)
{
	char media[64];
	const char *argv[] = { COMPLIANCE, "-m", media, NULL };
	int r;

	vimc_media(media, sizeof(media));
	if (!CHECK(media[0], "vimc's media device is gone"))
		return -1;
	r = run_as(cg.owner, out, 400000, argv);
	/* It exits non-zero when a test fails: the baseline decides. */
	return r < 0 ? -1 : 0;
}

/* Without camgate into @base, then with it again (owners set) into @with. */
static int compliance_pair(const char *base, const char *with, bool base_first)
{
	int r;

	if (!base_first && compliance(with))
		return -1;
	r = unload_module("camgate");
	if (!CHECK(r == 0, "rmmod camgate: %s", strerror(-r)))
		return -1;
	if (compliance(base))
		CHECK(0, "v4l2-compliance without camgate did not run");
	r = reload_camgate();
	if (!CHECK(r == 0, "insmod %s: %s", camgate_ko, strerror(-r)))
		return -1;
	if (!CHECK(wait_guarded() >= 3, "vimc's capture nodes not guarded again") ||
	    set_owners(true) < 3)
		return -1;
	if (base_first && compliance(with))
		return -1;
	return tap_result() == TAP_PASS ? 0 : -1;
}

static int compliance_runs(void *arg)
{
	struct results base, with;

	(void)arg;
	if (no_vimc)
		return tap_skip("%s", no_vimc);
	unlink(RUN_BASE2);
	unlink(RUN_WITH2);
	if (compliance_pair(RUN_BASE, RUN_WITH, false))
		return TAP_FAIL;
	if (parse_results(RUN_BASE, &base) || parse_results(RUN_WITH, &with))
		return CHECK(0, "cannot read the runs' output"), TAP_FAIL;
	tap_diag("v4l2-compliance -m: %d tests without camgate, %d with it",
		 base.n, with.n);
	CHECK(base.n > 0 && base.nsum > 0,
	      "the baseline run has no results (%d tests, %d summary lines)",
	      base.n, base.nsum);
	if (base.n == 0)
		cg_diag_tail(RUN_BASE, "without: ", 30);
	/* A difference may be the test's own instability: once more each. */
	if (!same_summary(&base, &with) || !same_results(&base, &with)) {
		tap_diag("a result differs: v4l2-compliance once more without camgate, then with it");
		if (compliance_pair(RUN_BASE2, RUN_WITH2, true))
			return TAP_FAIL;
	}
	return tap_result();
}

static int load_runs(struct results *base, struct results *with,
		     struct results *base2, struct results *with2, bool *second)
{
	*second = !access(RUN_BASE2, F_OK) && !access(RUN_WITH2, F_OK);
	if (parse_results(RUN_BASE, base) || parse_results(RUN_WITH, with) ||
	    (*second && (parse_results(RUN_BASE2, base2) ||
			 parse_results(RUN_WITH2, with2))))
		return CHECK(0, "no v4l2-compliance runs to compare"), -1;
	if (!CHECK(base->n > 0, "the baseline run has no results"))
		return -1;
	return 0;
}

static int compliance_summary(void *arg)
{
	struct results base, with, base2, with2;
	bool second;
	int i;

	(void)arg;
	if (no_vimc)
		return tap_skip("%s", no_vimc);
	if (load_runs(&base, &with, &base2, &with2, &second))
		return TAP_FAIL;
	for (i = 0; i < base.nsum; i++)
		tap_diag("without: %s", base.sum[i]);
	if (same_summary(&base, &with))
		return tap_result();
	for (i = 0; i < with.nsum; i++)
		tap_diag("with: %s", with.sum[i]);
	/* Unstable without camgate, and each with-run equal to its pair's. */
	if (second && !same_summary(&base, &base2) &&
	    same_summary(&base2, &with2)) {
		tap_diag("the baseline's summary differs between its two runs; the second pair agrees");
		return tap_result();
	}
	if (second)
		for (i = 0; i < with2.nsum; i++)
			tap_diag("second run with: %s (without: %s)", with2.sum[i],
				 i < base2.nsum ? base2.sum[i] : "-");
	CHECK(0, "the summary lines differ with camgate");
	return tap_result();
}

static int compliance_tests(void *arg)
{
	struct results base, with, base2, with2;
	const char *w, *w2, *b2;
	bool second;
	int i, unstable = 0, differ = 0;

	(void)arg;
	if (no_vimc)
		return tap_skip("%s", no_vimc);
	if (load_runs(&base, &with, &base2, &with2, &second))
		return TAP_FAIL;
	for (i = 0; i < with.n; i++)
		if (!result_of(&base, with.name[i]))
			CHECK(0, "only with camgate: [%s]", with.name[i]);
	for (i = 0; i < base.n; i++) {
		w = result_of(&with, base.name[i]);
		if (!w)
			w = "missing";
		if (!second) {
			if (strcmp(w, base.res[i])) {
				tap_diag("[%s] without camgate: %s; with camgate: %s",
					 base.name[i], base.res[i], w);
				differ++;
			}
			continue;
		}
		b2 = result_of(&base2, base.name[i]);
		w2 = result_of(&with2, base.name[i]);
		b2 = b2 ? b2 : "missing";
		w2 = w2 ? w2 : "missing";
		if (strcmp(b2, base.res[i])) {
			tap_diag("[%s] unstable without camgate (%s, then %s); with camgate: %s, then %s",
				 base.name[i], base.res[i], b2, w, w2);
			unstable++;
		} else if (strcmp(w, base.res[i]) || strcmp(w2, base.res[i])) {
			tap_diag("[%s] without camgate: %s twice; with camgate: %s, then %s",
				 base.name[i], base.res[i], w, w2);
			differ++;
		}
	}
	for (i = 0; i < base.n; i++)
		if (!strncmp(base.res[i], "FAIL", 4))
			tap_diag("[%s] fails without camgate too", base.name[i]);
	tap_diag("%d tests: %d differ with camgate, %d unstable without it (not compared)",
		 base.n, differ, unstable);
	CHECK(differ == 0, "%d tests give another result with camgate", differ);
	CHECK(unstable < base.n, "every test is unstable without camgate");
	return tap_result();
}

static int removed(void *arg)
{
	int r;

	(void)arg;
	if (no_vimc)
		return tap_skip("%s", no_vimc);
	r = unload_module("vimc");
	CHECK(r == 0, "rmmod vimc: %s", strerror(-r));
	CHECK(access("/sys/module/vimc", F_OK), "vimc is still loaded");
	CHECK(sh->udevd <= 0, "udevd still runs");
	CHECK(access("/sys/module/camgate", F_OK) == 0, "camgate is not loaded");
	cg_expect_start_config();
	return tap_result();
}

/* The time-limit handler's cleanup: syscalls only. */
static void cleanup(void)
{
	int fd;

	if (no_vimc)
		return;
	if (sh && sh->udevd > 0) {
		kill(-sh->udevd, SIGKILL);
		kill(sh->udevd, SIGKILL);
		unlink("/run/udev/control");
	}
	if (camgate_ko && access("/sys/module/camgate", F_OK)) {
		fd = open(camgate_ko, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			syscall(SYS_finit_module, fd, "", 0);
			close(fd);
		}
	}
	cg_restore_config();
	syscall(SYS_delete_module, "vimc", O_NONBLOCK);
}

int main(void)
{
	static char why[300];

	tap_plan(8, 880);	/* init's limit on the debug kernel: 900 s */
	cg_env_load();
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		sh = NULL;
	else
		sh->udevd = -1;
	vimc_ko = getenv("CAMGATE_VIMC_KO");
	camgate_ko = getenv("CAMGATE_KO");
	if (!camgate_ko || !*camgate_ko)
		camgate_ko = "/camgate/camgate.ko";
	tap_set_cleanup(cleanup);
	if (!vimc_ko || !*vimc_ko) {
		no_vimc = "this kernel has no vimc (CAMGATE_VIMC_KO unset: Debian's kernels do not "
			  "build CONFIG_VIDEO_VIMC, the test kernels do)";
	} else if (access(vimc_ko, R_OK)) {
		snprintf(why, sizeof(why), "%s: %s", vimc_ko, strerror(errno));
		no_vimc = why;
	}
	/* Where vimc is, a missing cam or udevd fails. */
	if (!no_vimc)
		tap_diag("vimc %s; cam %s%s; udevd %s%s", vimc_ko, CAM,
			 access(CAM, X_OK) ? " (missing)" : "", CG_UDEVD,
			 access(CG_UDEVD, X_OK) ? " (missing)" : "");
	if (!sh)
		tap_diag("mmap: %s", strerror(errno));

	tap_run(setup, NULL, 120,
		"issue 15: vimc loads; owner_uid %u on every vimc node camgate guards",
		cg.owner);
	tap_run(owner_list, NULL, 100,
		"libcamera: cam --list as the owner lists the vimc camera");
	tap_run(owner_capture, NULL, 250,
		"libcamera: cam as the owner captures %d frames of %ux%u BGR888 (%d bytes each)",
		FRAMES, WIDTH, HEIGHT, FRAME_SIZE);
	tap_run(other_capture, NULL, 250,
		"libcamera: cam as uid %u fails, writes no frame, camgate denied it",
		cg.other);
	tap_run(compliance_runs, NULL, 600,
		"v4l2-compliance -m on vimc as the owner, with camgate and without (rmmod, insmod)");
	tap_run(compliance_summary, NULL, 20,
		"v4l2-compliance -m: the summary lines with camgate equal the baseline");
	tap_run(compliance_tests, NULL, 20,
		"v4l2-compliance -m: every test's result with camgate equals the baseline");
	stop_udevd();
	tap_run(removed, NULL, 30,
		"vimc removed; camgate loaded, owner_uid %u on %s again", cg.owner,
		cg.sysfs);
	cleanup();
	return tap_finish();
}
