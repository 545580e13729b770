// SPDX-License-Identifier: GPL-2.0
/*
 * vimc.c - a media-controller camera's group (issue 15): vimc's sensor,
 * debayer and scaler sub-devices and its media device share the owner of
 * its capture nodes, and give another uid only the read-only queries.
 *
 * vimc is a module of the test kernels (tests/vm/config/base.config), not
 * of Debian's: without CAMGATE_VIMC_KO every case skips, saying so.  The
 * program loads vimc (and what the image's load order puts before it),
 * sets the owner on one capture node, and checks, as another uid:
 *  - the sensor's sub-device answers the queries (QUERYCAP, G_FMT,
 *    ENUM_MBUS_CODE, QUERYCTRL) and refuses S_FMT, S_SELECTION, S_CTRL of
 *    its test pattern and event subscriptions, the values unchanged;
 *  - the media device gives the topology and refuses SETUP_LINK of a link
 *    that can change (Debayer B to Scaler), the link unchanged;
 * and, as the owner, that the same setters work.  Last, vimc is unbound
 * while the other uid holds a sub-device and the media device open and the
 * owner a capture node, the files are closed, vimc is bound again (its
 * nodes guarded again) and removed: on the debug kernel KASAN and
 * kmemleak watch the media device's guard go with its last file.
 */
#include "tap.h"
#include "camgate_test.h"

#include <linux/media.h>
#include <linux/v4l2-subdev.h>

#define VIMC_UNBIND	"/sys/bus/platform/drivers/vimc/unbind"
#define VIMC_BIND	"/sys/bus/platform/drivers/vimc/bind"

static const char *vimc_ko;
static const char *skip_why;
static char cap[48], sensor[48], media[32];

/* The /dev path of vimc's node named @name ("Sensor A"), or "". */
static void find(const char *name, char *out, size_t len)
{
	char node[24];

	cg_find_node(name, node, sizeof(node));
	if (node[0])
		snprintf(out, len, "/dev/%s", node);
	else
		out[0] = '\0';
}

static void find_media(void)
{
	cg_find_media("vimc", media, sizeof(media));
}

/* Wait up to 5 s for vimc's capture node, sensor and media device. */
static int find_all(void)
{
	long deadline = tap_now_ms() + 5000;

	do {
		find("Raw Capture 0", cap, sizeof(cap));
		find("Sensor A", sensor, sizeof(sensor));
		find_media();
		if (cap[0] && sensor[0] && media[0])
			break;
		tap_sleep_ms(50);
	} while (tap_now_ms() < deadline);
	cg_chmod_nodes();
	return cap[0] && sensor[0] && media[0] ? 0 : -1;
}

static int load_vimc(void)
{
	if (!access("/sys/module/vimc", F_OK))
		return find_all();
	/* vimc's dependencies are before it in the image's load order. */
	cg_sh("for m in $(sed -n '1,/\\/vimc.ko$/p' /lib/modules/$(uname -r)/camgate-load-order); do insmod $m 2>/dev/null; done");
	if (access("/sys/module/vimc", F_OK)) {
		tap_diag("insmod %s failed", vimc_ko);
		return -1;
	}
	return find_all();
}

/* vimc is there but did not come up: the case fails. */
static bool no_vimc(void)
{
	return !CHECK(cap[0] && sensor[0] && media[0],
		      "vimc's capture node, sensor or media device not found");
}

/* camgate's directory of a /dev path. */
static void sysfs_of(const char *dev, char *out, size_t len)
{
	snprintf(out, len, CG_SYSFS_ROOT "/devices/%s", dev + 5);
}

static int members(void *arg)
{
	char dir[PATH_MAX], group[64], buf[64], name[64], own[16];
	char path[PATH_MAX], real[PATH_MAX];
	unsigned int n = 0, subdevs = 0;
	struct dirent *de;
	DIR *d;

	(void)arg;
	if (skip_why)
		return tap_skip("%s", skip_why);
	if (no_vimc())
		return TAP_FAIL;
	sysfs_of(cap, dir, sizeof(dir));
	snprintf(own, sizeof(own), "%u", cg.owner);
	CHECK(cg_sysfs_write(dir, "owner_uid", own) > 0,
	      "owner_uid on %s: %s", dir, strerror(errno));
	CHECK(cg_sysfs_read(dir, "group", group, sizeof(group)) == 0 &&
	      group[0], "%s: group reads \"%s\"", dir, group);
	d = opendir("/sys/class/video4linux");
	while (d && (de = readdir(d))) {
		snprintf(path, sizeof(path), "/sys/class/video4linux/%s",
			 de->d_name);
		if (de->d_name[0] == '.' || !realpath(path, real) ||
		    !strstr(real, "/vimc.0/") ||
		    cg_sysfs_read(path, "name", name, sizeof(name)))
			continue;
		snprintf(dir, sizeof(dir), CG_SYSFS_ROOT "/devices/%s",
			 de->d_name);
		if (!CHECK(access(dir, F_OK) == 0, "vimc's %s (%s) is not guarded",
			   de->d_name, name))
			continue;
		n++;
		subdevs += !strncmp(de->d_name, "v4l-subdev", 10);
		CHECK(cg_sysfs_read(dir, "group", buf, sizeof(buf)) == 0 &&
		      !strcmp(buf, group), "%s (%s): group \"%s\", not \"%s\"",
		      de->d_name, name, buf, group);
		CHECK(cg_sysfs_read(dir, "owner_uid", buf, sizeof(buf)) == 0 &&
		      !strcmp(buf, own), "%s (%s): owner_uid \"%s\", not %s",
		      de->d_name, name, buf, own);
	}
	if (d)
		closedir(d);
	CHECK(subdevs >= 3, "only %u of vimc's sub-devices guarded", subdevs);
	tap_diag("vimc: %u nodes, %u of them sub-devices, group \"%s\", media %s",
		 n, subdevs, group, media);
	return tap_result();
}

/* The sensor's pad 0 format and test pattern, as read by the caller. */
struct sensor_state {
	struct v4l2_subdev_format fmt;
	__s32 pattern;
	__u32 pattern_id;
};

static struct sensor_state *before;

static int sensor_read(struct sensor_state *s)
{
	struct v4l2_queryctrl qc;
	int fd = open(sensor, O_RDWR);

	if (!CHECK(fd >= 0, "open %s: %s", sensor, strerror(errno)))
		return -1;
	memset(s, 0, sizeof(*s));
	s->fmt.which = V4L2_SUBDEV_FORMAT_ACTIVE;
	CHECK(xioctl(fd, VIDIOC_SUBDEV_G_FMT, &s->fmt) == 0,
	      "SUBDEV_G_FMT: %s", strerror(errno));
	if (CHECK(cg_find_ctrl(fd, "Test Pattern", &qc) == 0,
		  "the sensor has no \"Test Pattern\" control")) {
		s->pattern_id = qc.id;
		CHECK(cg_get_ctrl(fd, qc.id, &s->pattern) == 0,
		      "G_CTRL(Test Pattern): %s", strerror(errno));
	}
	close(fd);
	return 0;
}

static int sensor_owner_read(void *arg)
{
	(void)arg;
	sensor_read(before);
	return tap_result();
}

static int sensor_other(void *arg)
{
	struct v4l2_subdev_capability scap;
	struct v4l2_subdev_mbus_code_enum code;
	struct v4l2_subdev_selection sel;
	struct v4l2_event_subscription sub;
	struct v4l2_subdev_format f;
	struct v4l2_control c;
	struct sensor_state now;
	int fd = open(sensor, O_RDWR), r;

	(void)arg;
	if (!CHECK(fd >= 0, "open %s: %s", sensor, strerror(errno)))
		return TAP_FAIL;
	CHECK(xioctl(fd, VIDIOC_SUBDEV_QUERYCAP, &scap) == 0,
	      "SUBDEV_QUERYCAP: %s", strerror(errno));
	memset(&code, 0, sizeof(code));
	code.which = V4L2_SUBDEV_FORMAT_ACTIVE;
	CHECK(xioctl(fd, VIDIOC_SUBDEV_ENUM_MBUS_CODE, &code) == 0,
	      "SUBDEV_ENUM_MBUS_CODE: %s", strerror(errno));
	f = before->fmt;
	f.format.width = before->fmt.format.width / 2;
	r = xioctl(fd, VIDIOC_SUBDEV_S_FMT, &f);
	cg_expect_denied("SUBDEV_S_FMT", r, errno, NULL, NULL, 0);
	memset(&sel, 0, sizeof(sel));
	sel.which = V4L2_SUBDEV_FORMAT_ACTIVE;
	sel.target = V4L2_SEL_TGT_CROP;
	sel.r.width = 64;
	sel.r.height = 64;
	r = xioctl(fd, VIDIOC_SUBDEV_S_SELECTION, &sel);
	cg_expect_denied("SUBDEV_S_SELECTION", r, errno, NULL, NULL, 0);
	c.id = before->pattern_id;
	c.value = before->pattern + 1;
	r = xioctl(fd, VIDIOC_S_CTRL, &c);
	cg_expect_denied("S_CTRL(Test Pattern)", r, errno, NULL, NULL, 0);
	memset(&sub, 0, sizeof(sub));
	sub.type = V4L2_EVENT_CTRL;
	sub.id = before->pattern_id;
	r = xioctl(fd, VIDIOC_SUBSCRIBE_EVENT, &sub);
	cg_expect_denied("SUBSCRIBE_EVENT(CTRL)", r, errno, NULL, NULL, 0);
	close(fd);
	/* Read back as this uid: the queries show nothing changed. */
	sensor_read(&now);
	CHECK(!memcmp(&now.fmt, &before->fmt, sizeof(now.fmt)),
	      "the sensor's format changed (%ux%u, was %ux%u)",
	      now.fmt.format.width, now.fmt.format.height,
	      before->fmt.format.width, before->fmt.format.height);
	return tap_result();
}

static int sensor_owner_sets(void *arg)
{
	struct v4l2_subdev_format f = before->fmt;
	struct sensor_state now;
	int fd = open(sensor, O_RDWR);

	(void)arg;
	if (!CHECK(fd >= 0, "open %s: %s", sensor, strerror(errno)))
		return TAP_FAIL;
	CHECK(xioctl(fd, VIDIOC_SUBDEV_S_FMT, &f) == 0,
	      "the owner's SUBDEV_S_FMT: %s", strerror(errno));
	CHECK(cg_set_ctrl(fd, before->pattern_id, before->pattern + 1) == 0,
	      "the owner's S_EXT_CTRLS(Test Pattern): %s", strerror(errno));
	sensor_read(&now);
	CHECK(now.pattern == before->pattern + 1,
	      "the test pattern is %d after the owner set %d", now.pattern,
	      before->pattern + 1);
	CHECK(cg_set_ctrl(fd, before->pattern_id, before->pattern) == 0,
	      "putting the test pattern back: %s", strerror(errno));
	close(fd);
	return tap_result();
}

static int subdev(void *arg)
{
	(void)arg;
	if (skip_why)
		return tap_skip("%s", skip_why);
	if (no_vimc())
		return TAP_FAIL;
	CHECK(cg_run_as(cg.owner, sensor_owner_read, NULL, 5000) == TAP_PASS,
	      "the owner cannot read the sensor");
	CHECK(cg_run_as(cg.other, sensor_other, NULL, 5000) == TAP_PASS,
	      "uid %u changed the sensor or was refused a query", cg.other);
	CHECK(cg_run_as(cg.owner, sensor_owner_sets, NULL, 5000) == TAP_PASS,
	      "the owner cannot set the sensor");
	return tap_result();
}

/* The link Debayer B -> Scaler (vimc: neither enabled nor immutable). */
static int find_link(int fd, struct media_link_desc *out)
{
	struct media_entity_desc ent, deb = { 0 }, scaler = { 0 };
	struct media_link_desc links[16];
	struct media_pad_desc pads[16];
	struct media_links_enum le;
	unsigned int i;

	memset(&ent, 0, sizeof(ent));
	ent.id = MEDIA_ENT_ID_FLAG_NEXT;
	while (!xioctl(fd, MEDIA_IOC_ENUM_ENTITIES, &ent)) {
		if (!strcmp(ent.name, "Debayer B"))
			deb = ent;
		if (!strcmp(ent.name, "Scaler"))
			scaler = ent;
		ent.id |= MEDIA_ENT_ID_FLAG_NEXT;
	}
	if (!deb.id || !scaler.id || deb.pads > 16 || deb.links > 16)
		return -1;
	memset(&le, 0, sizeof(le));
	le.entity = deb.id;
	le.pads = pads;
	le.links = links;
	if (xioctl(fd, MEDIA_IOC_ENUM_LINKS, &le))
		return -1;
	for (i = 0; i < deb.links; i++) {
		if (links[i].sink.entity == scaler.id) {
			*out = links[i];
			return 0;
		}
	}
	return -1;
}

static int media_other(void *arg)
{
	struct media_v2_topology topo;
	struct media_link_desc l, now;
	int fd = open(media, O_RDWR), r, req = -1;

	(void)arg;
	if (!CHECK(fd >= 0, "open %s: %s", media, strerror(errno)))
		return TAP_FAIL;
	memset(&topo, 0, sizeof(topo));
	CHECK(xioctl(fd, MEDIA_IOC_G_TOPOLOGY, &topo) == 0 &&
	      topo.num_entities >= 5, "G_TOPOLOGY: %s, %u entities",
	      strerror(errno), topo.num_entities);
	if (!CHECK(find_link(fd, &l) == 0,
		   "ENUM_ENTITIES/ENUM_LINKS: no Debayer B -> Scaler link"))
		return TAP_FAIL;
	l.flags ^= MEDIA_LNK_FL_ENABLED;
	r = xioctl(fd, MEDIA_IOC_SETUP_LINK, &l);
	cg_expect_denied("SETUP_LINK(Debayer B -> Scaler)", r, errno, NULL,
			 NULL, 0);
	r = xioctl(fd, MEDIA_IOC_REQUEST_ALLOC, &req);
	cg_expect_denied("REQUEST_ALLOC", r, errno, NULL, NULL, 0);
	CHECK(find_link(fd, &now) == 0 && now.flags == (l.flags ^ MEDIA_LNK_FL_ENABLED),
	      "the link's flags are 0x%x after the refused SETUP_LINK, were 0x%x",
	      now.flags, l.flags ^ MEDIA_LNK_FL_ENABLED);
	close(fd);
	return tap_result();
}

static int media_owner(void *arg)
{
	struct media_link_desc l, now;
	int fd = open(media, O_RDWR);

	(void)arg;
	if (!CHECK(fd >= 0, "open %s: %s", media, strerror(errno)))
		return TAP_FAIL;
	if (!CHECK(find_link(fd, &l) == 0, "no Debayer B -> Scaler link"))
		return TAP_FAIL;
	l.flags ^= MEDIA_LNK_FL_ENABLED;
	CHECK(xioctl(fd, MEDIA_IOC_SETUP_LINK, &l) == 0,
	      "the owner's SETUP_LINK: %s", strerror(errno));
	CHECK(find_link(fd, &now) == 0 && now.flags == l.flags,
	      "the link's flags are 0x%x after the owner's SETUP_LINK, want 0x%x",
	      now.flags, l.flags);
	l.flags ^= MEDIA_LNK_FL_ENABLED;
	CHECK(xioctl(fd, MEDIA_IOC_SETUP_LINK, &l) == 0,
	      "putting the link back: %s", strerror(errno));
	close(fd);
	return tap_result();
}

static int media_dev(void *arg)
{
	(void)arg;
	if (skip_why)
		return tap_skip("%s", skip_why);
	if (no_vimc())
		return TAP_FAIL;
	CHECK(cg_run_as(cg.other, media_other, NULL, 5000) == TAP_PASS,
	      "uid %u changed a link or was refused the topology", cg.other);
	CHECK(cg_run_as(cg.owner, media_owner, NULL, 5000) == TAP_PASS,
	      "the owner cannot change a link");
	return tap_result();
}

/* Holds files open (the other uid: sensor and media; owner: capture). */
static int hold(void *arg)
{
	const char *const *paths = arg;
	int fds[2] = { -1, -1 }, i;

	for (i = 0; i < 2 && paths[i]; i++)
		fds[i] = open(paths[i], O_RDWR);
	for (i = 0; i < 2 && paths[i]; i++)
		CHECK(fds[i] >= 0, "open %s: %s", paths[i], strerror(errno));
	pause();	/* killed by the test */
	return tap_result();
}

static int unbind(void *arg)
{
	const char *theirs[] = { sensor, media }, *ours[] = { cap, NULL };
	char dir[96];
	pid_t a, b;

	(void)arg;
	if (skip_why)
		return tap_skip("%s", skip_why);
	if (no_vimc())
		return TAP_FAIL;
	a = cg_spawn(cg.other, hold, (void *)theirs);
	b = cg_spawn(cg.owner, hold, (void *)ours);
	tap_sleep_ms(300);
	CHECK(cg_sh("echo vimc.0 > " VIMC_UNBIND) == 0,
	      "unbinding vimc.0 failed");
	CHECK(access(cap, F_OK) != 0 || access(sensor, F_OK) != 0,
	      "vimc's nodes are still there after the unbind");
	kill(a, SIGKILL);
	kill(b, SIGKILL);
	cg_wait(a, 5000);
	cg_wait(b, 5000);
	CHECK(cg_sh("echo vimc.0 > " VIMC_BIND) == 0, "binding vimc.0 failed");
	if (!CHECK(find_all() == 0, "vimc's nodes did not come back"))
		return TAP_FAIL;
	sysfs_of(sensor, dir, sizeof(dir));
	CHECK(access(dir, F_OK) == 0, "the sensor %s is not guarded again",
	      sensor);
	sysfs_of(cap, dir, sizeof(dir));
	CHECK(access(dir, F_OK) == 0, "the capture node %s is not guarded again",
	      cap);
	return tap_result();
}

static int unload(void *arg)
{
	long deadline = tap_now_ms() + 8000;

	(void)arg;
	if (skip_why)
		return tap_skip("%s", skip_why);
	while (syscall(SYS_delete_module, "vimc", O_NONBLOCK) &&
	       tap_now_ms() < deadline)
		tap_sleep_ms(100);
	CHECK(access("/sys/module/vimc", F_OK) != 0, "rmmod vimc: %s",
	      strerror(errno));
	return tap_result();
}

int main(void)
{
	before = mmap(NULL, sizeof(*before), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (before == MAP_FAILED)
		return 1;
	tap_plan(5, 90);
	cg_env_load();
	tap_set_cleanup(cg_restore_config);
	vimc_ko = getenv("CAMGATE_VIMC_KO");
	if (!vimc_ko || !*vimc_ko)
		skip_why = "no vimc module on this kernel (Debian's stock kernels do not build CONFIG_VIDEO_VIMC)";
	else if (load_vimc())	/* every case fails (no_vimc()) */
		tap_diag("vimc did not come up: capture \"%s\", sensor \"%s\", media \"%s\"",
			 cap, sensor, media);
	tap_run(members, NULL, 15,
		"15: vimc's capture, sub-device nodes are guarded in one group; owner_uid on a capture node is every node's");
	tap_run(subdev, NULL, 20,
		"15: vimc's sensor sub-device gives uid %u its queries and refuses SUBDEV_S_FMT, S_SELECTION, S_CTRL(Test Pattern), SUBSCRIBE_EVENT, nothing changed; the owner sets them",
		cg.other);
	tap_run(media_dev, NULL, 15,
		"15: vimc's media device gives uid %u the topology and refuses SETUP_LINK and REQUEST_ALLOC, the link unchanged; the owner changes the link",
		cg.other);
	tap_run(unbind, NULL, 20,
		"15: vimc unbound while uid %u holds the sensor and the media device and the owner a capture node open; bound again, guarded again",
		cg.other);
	tap_run(unload, NULL, 15, "15: vimc removed");
	cg_restore_config();
	return tap_finish();
}
