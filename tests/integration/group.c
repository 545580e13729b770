// SPDX-License-Identifier: GPL-2.0
/*
 * group.c - the whole camera, not one node (issue 15): vivid's sibling
 * nodes share the capture node's owner, and give another uid only what a
 * device picker needs.
 *
 * vivid registers, besides the capture node the other suites use, video
 * output, vbi capture and output, radio receiver and transmitter, sdr
 * capture, metadata capture and output and touch nodes, all of one
 * v4l2_device (and media device).  Each carries vivid's "Read-Only Integer
 * 32 Bits" control, which vivid sets to every captured frame's sequence
 * number: a non-owner who may read it, or subscribe to its events, on any
 * of them counts the owner's frames.  Each also takes setters (controls,
 * formats, inputs, frequencies) that a non-owner must not use.
 *
 * The cases, with the owner streaming on the capture node:
 *  - every vivid node is guarded, names the same group and has the owner;
 *  - an owner change or a revocation on any member reaches every member;
 *  - on every sibling, the other uid's G_CTRL / G_EXT_CTRLS of that
 *    control, its event subscription, DQEVENT and poll are refused, while
 *    the owner sees the value follow the frames and gets its events;
 *  - every setter the other uid tries is refused and changes nothing, and
 *    the owner's frames stay intact;
 *  - the other uid still identifies each node (QUERYCAP, QUERYCTRL) and
 *    reads a plain control; the owner still sets one.
 * The media device, the group's last member, is media.c's.
 *
 * Without groups (camgate before issue 15) every sibling is unguarded and
 * the refusal cases fail.
 */
#include "tap.h"
#include "camgate_test.h"


#define FPS		25
#define MAXNODES	16
#define RO_CTRL		"Read-Only Integer 32 Bits"
#define RW_CTRL		"Integer 32 Bits"

struct node {
	char node[32];		/* "video1" */
	char name[64];		/* "vivid-000-vid-out" */
	char dev[48];		/* "/dev/video1" */
	char sysfs[96];		/* camgate's directory */
};

static struct node nodes[MAXNODES];
static unsigned int nnodes;
static const struct node *cap_node;	/* vivid-000-vid-cap */

static int find_nodes(void)
{
	char path[PATH_MAX], buf[64];
	struct dirent *de;
	DIR *d = opendir("/sys/class/video4linux");
	struct node *n;

	nnodes = 0;
	while (d && (de = readdir(d)) && nnodes < MAXNODES) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(n->node))
			continue;
		snprintf(path, sizeof(path), "/sys/class/video4linux/%s",
			 de->d_name);
		if (cg_sysfs_read(path, "name", buf, sizeof(buf)) ||
		    strncmp(buf, "vivid-000-", 10))
			continue;
		n = &nodes[nnodes++];
		snprintf(n->node, sizeof(n->node), "%s", de->d_name);
		snprintf(n->name, sizeof(n->name), "%s", buf);
		snprintf(n->dev, sizeof(n->dev), "/dev/%s", de->d_name);
		snprintf(n->sysfs, sizeof(n->sysfs), CG_SYSFS_ROOT "/devices/%s",
			 de->d_name);
		if (!strcmp(buf, "vivid-000-vid-cap"))
			cap_node = n;
	}
	if (d)
		closedir(d);
	return cap_node && nnodes > 1 ? 0 : -1;
}

/* A refused call on @n: -1 and EACCES (errno read after the call). */
#define expect_denied(n, call, expr) do {				\
		int ret_ = (expr);					\
		expect_denied_(n, call, ret_, errno);			\
	} while (0)

static void expect_denied_(const struct node *n, const char *call, int ret,
			   int err)
{
	char what[128];

	snprintf(what, sizeof(what), "%s (%s): %s", n->name, n->node, call);
	cg_expect_denied(what, ret, err, NULL, NULL, 0);
}

/* No vivid nodes: the case fails (nothing can be shown). */
static bool no_nodes(void)
{
	return !CHECK(cap_node && nnodes > 1,
		      "vivid's capture node and its siblings were not found");
}

static bool is_sibling(const struct node *n)
{
	return n != cap_node;
}

/* ---- membership and one owner ------------------------------------------- */

static int members(void *arg)
{
	char group[64], buf[64];
	unsigned int i;

	(void)arg;
	if (no_nodes())
		return TAP_FAIL;
	CHECK(cg_sysfs_read(cap_node->sysfs, "group", group,
			    sizeof(group)) == 0 && group[0],
	      "%s: group reads \"%s\"", cap_node->sysfs, group);
	for (i = 0; i < nnodes; i++) {
		const struct node *n = &nodes[i];

		if (!CHECK(access(n->sysfs, F_OK) == 0,
			   "%s (%s) is not guarded", n->node, n->name))
			continue;
		CHECK(cg_sysfs_read(n->sysfs, "group", buf, sizeof(buf)) == 0 &&
		      !strcmp(buf, group),
		      "%s (%s): group reads \"%s\", the capture node's \"%s\"",
		      n->node, n->name, buf, group);
		CHECK(cg_sysfs_read(n->sysfs, "owner_uid", buf, sizeof(buf)) == 0 &&
		      strtoul(buf, NULL, 10) == cg.owner && buf[0] != 'n',
		      "%s (%s): owner_uid reads \"%s\", want %u", n->node,
		      n->name, buf, cg.owner);
	}
	tap_diag("%u vivid nodes, group \"%s\"", nnodes, group);
	return tap_result();
}

/* Every member's owner_uid is @want, and its generation is @gen[i] + @bump. */
static void expect_all(const char *want, const unsigned long long *gen,
		       unsigned int bump, const char *after)
{
	char buf[32];
	unsigned int i;

	for (i = 0; i < nnodes; i++) {
		CHECK(cg_sysfs_read(nodes[i].sysfs, "owner_uid", buf,
				    sizeof(buf)) == 0 && !strcmp(buf, want),
		      "after %s: %s (%s) owner_uid reads \"%s\", want %s", after,
		      nodes[i].node, nodes[i].name, buf, want);
		CHECK(cg_sysfs_u64(nodes[i].sysfs, "generation") == gen[i] + bump,
		      "after %s: %s (%s) generation %llu, want %llu", after,
		      nodes[i].node, nodes[i].name,
		      cg_sysfs_u64(nodes[i].sysfs, "generation"), gen[i] + bump);
	}
}

static int one_owner(void *arg)
{
	unsigned long long gen[MAXNODES];
	const struct node *out = NULL;
	char other[16], owner[16];
	unsigned int i;

	(void)arg;
	if (no_nodes())
		return TAP_FAIL;
	for (i = 0; i < nnodes; i++) {
		gen[i] = cg_sysfs_u64(nodes[i].sysfs, "generation");
		if (is_sibling(&nodes[i]) && !out)
			out = &nodes[i];
	}
	snprintf(other, sizeof(other), "%u", cg.other);
	snprintf(owner, sizeof(owner), "%u", cg.owner);

	CHECK(cg_sysfs_write(out->sysfs, "owner_uid", other) > 0,
	      "writing owner_uid %s on %s: %s", other, out->name, strerror(errno));
	expect_all(other, gen, 1, "owner_uid written on a sibling");
	CHECK(cg_sysfs_write(cap_node->sysfs, "owner_uid", owner) > 0,
	      "writing owner_uid %s on the capture node: %s", owner,
	      strerror(errno));
	expect_all(owner, gen, 2, "owner_uid written back on the capture node");
	CHECK(cg_sysfs_write(out->sysfs, "revoke", "1") > 0,
	      "writing revoke on %s: %s", out->name, strerror(errno));
	expect_all(owner, gen, 3, "revoke written on a sibling");
	/* Writing the value every member has changes nothing anywhere. */
	CHECK(cg_sysfs_write(out->sysfs, "owner_uid", owner) > 0,
	      "writing the same owner_uid on %s: %s", out->name,
	      strerror(errno));
	expect_all(owner, gen, 3, "the same owner_uid written again");
	return tap_result();
}

/* ---- what follows the frames -------------------------------------------- */

/* Open @n as the caller; the id of @ctrl there, or 0 if it has none. */
static int open_ctrl(const struct node *n, const char *ctrl, __u32 *id)
{
	struct v4l2_queryctrl qc;
	int fd = open(n->dev, O_RDWR | O_NONBLOCK);

	*id = 0;
	if (!CHECK(fd >= 0, "open %s (%s): %s", n->dev, n->name,
		   strerror(errno)))
		return -1;
	if (!cg_find_ctrl(fd, ctrl, &qc))
		*id = qc.id;
	return fd;
}

static struct cg_stream stream;

/* As the other uid: the frame counter on every sibling is out of reach. */
static int counter_refused(void *arg)
{
	struct v4l2_ext_control xc;
	struct v4l2_ext_controls xcs;
	struct v4l2_control c;
	unsigned int i, checked = 0;
	__u32 id;
	int fd;

	(void)arg;
	for (i = 0; i < nnodes; i++) {
		const struct node *n = &nodes[i];

		fd = open_ctrl(n, RO_CTRL, &id);
		if (fd < 0)
			continue;
		if (id) {
			checked++;
			memset(&c, 0, sizeof(c));
			c.id = id;
			c.value = CG_POISON32;
			expect_denied(n, "G_CTRL(" RO_CTRL ")",
				      xioctl(fd, VIDIOC_G_CTRL, &c));
			CHECK(c.value == (__s32)CG_POISON32,
			      "%s: G_CTRL wrote the value %d back", n->name,
			      c.value);
			memset(&xc, 0, sizeof(xc));
			memset(&xcs, 0, sizeof(xcs));
			xc.id = id;
			xcs.which = V4L2_CTRL_WHICH_CUR_VAL;
			xcs.count = 1;
			xcs.controls = &xc;
			expect_denied(n, "G_EXT_CTRLS(" RO_CTRL ")",
				      xioctl(fd, VIDIOC_G_EXT_CTRLS, &xcs));
		}
		close(fd);
	}
	CHECK(checked >= 2, "only %u vivid nodes have \"" RO_CTRL "\"",
	      checked);
	tap_diag("uid %u refused \"" RO_CTRL "\" on %u vivid nodes", cg.other,
		 checked);
	return tap_result();
}

/* As the owner, on a sibling: the value follows the frames. */
static int counter_follows(void *arg)
{
	const struct node *n = arg;
	__s32 v0 = 0, v1 = 0;
	long deadline;
	__u32 id;
	int fd = open_ctrl(n, RO_CTRL, &id);

	if (fd < 0)
		return TAP_FAIL;
	if (!CHECK(id, "%s has no \"" RO_CTRL "\"", n->name))
		return TAP_FAIL;
	CHECK(cg_get_ctrl(fd, id, &v0) == 0, "owner's G_CTRL on %s: %s",
	      n->name, strerror(errno));
	deadline = tap_now_ms() + 2000;
	do {
		tap_sleep_ms(50);
		CHECK(cg_get_ctrl(fd, id, &v1) == 0, "owner's G_CTRL on %s: %s",
		      n->name, strerror(errno));
	} while (v1 == v0 && tap_now_ms() < deadline);
	CHECK(v1 != v0, "the owner saw %s's \"" RO_CTRL "\" stay %d for 2 s",
	      n->name, v0);
	close(fd);
	return tap_result();
}

static const struct node *first_with_ro(void)
{
	unsigned int i;

	for (i = 0; i < nnodes; i++) {
		if (is_sibling(&nodes[i]) && strstr(nodes[i].name, "-vid-out"))
			return &nodes[i];
	}
	for (i = 0; i < nnodes; i++) {
		if (is_sibling(&nodes[i]))
			return &nodes[i];
	}
	return NULL;
}

static int frame_counter(void *arg)
{
	const struct node *n = first_with_ro();

	(void)arg;
	if (no_nodes())
		return TAP_FAIL;
	if (cg_stream_start(&stream, FPS, 10000))
		return TAP_FAIL;
	CHECK(cg_run_as(cg.owner, counter_follows, (void *)n, 8000) == TAP_PASS,
	      "the owner does not see the frame counter on %s", n->name);
	CHECK(cg_run_as(cg.other, counter_refused, NULL, 8000) == TAP_PASS,
	      "uid %u read the frame counter on a sibling", cg.other);
	CHECK(cg_stream_stop(&stream) == TAP_PASS, "the owner's stream: %s",
	      stream.st->why[0] ? stream.st->why : "failed");
	return tap_result();
}

/* As the other uid: no event subscription, no DQEVENT, poll refused. */
static int events_refused(void *arg)
{
	struct v4l2_event_subscription sub;
	struct v4l2_event ev;
	struct pollfd pfd;
	unsigned int i, checked = 0;
	__u32 id;
	int fd;

	(void)arg;
	for (i = 0; i < nnodes; i++) {
		const struct node *n = &nodes[i];

		fd = open_ctrl(n, RO_CTRL, &id);
		if (fd < 0)
			continue;
		if (id) {
			checked++;
			memset(&sub, 0, sizeof(sub));
			sub.type = V4L2_EVENT_CTRL;
			sub.id = id;
			expect_denied(n, "SUBSCRIBE_EVENT(CTRL)", xioctl(fd, VIDIOC_SUBSCRIBE_EVENT, &sub));
			memset(&sub, 0, sizeof(sub));
			sub.type = V4L2_EVENT_FRAME_SYNC;
			expect_denied(n, "SUBSCRIBE_EVENT(FRAME_SYNC)", xioctl(fd, VIDIOC_SUBSCRIBE_EVENT, &sub));
			memset(&ev, 0xa5, sizeof(ev));
			expect_denied(n, "DQEVENT", xioctl(fd, VIDIOC_DQEVENT, &ev));
			pfd.fd = fd;
			pfd.events = POLLPRI | POLLIN | POLLOUT;
			pfd.revents = 0;
			CHECK(poll(&pfd, 1, 200) == 1 && pfd.revents == POLLERR,
			      "%s: poll gave revents 0x%x, want POLLERR only",
			      n->name, pfd.revents);
		}
		close(fd);
	}
	CHECK(checked >= 2, "only %u vivid nodes have \"" RO_CTRL "\"",
	      checked);
	return tap_result();
}

/* As the owner, on a sibling: a subscription delivers the frame counter. */
static int events_owner(void *arg)
{
	const struct node *n = arg;
	struct v4l2_event_subscription sub;
	struct v4l2_event ev;
	struct pollfd pfd;
	unsigned int got = 0;
	long deadline;
	__u32 id;
	int fd = open_ctrl(n, RO_CTRL, &id);

	if (fd < 0 || !id)
		return TAP_FAIL;
	memset(&sub, 0, sizeof(sub));
	sub.type = V4L2_EVENT_CTRL;
	sub.id = id;
	CHECK(xioctl(fd, VIDIOC_SUBSCRIBE_EVENT, &sub) == 0,
	      "owner's SUBSCRIBE_EVENT on %s: %s", n->name, strerror(errno));
	deadline = tap_now_ms() + 3000;
	while (got < 3 && tap_now_ms() < deadline) {
		pfd.fd = fd;
		pfd.events = POLLPRI;
		if (poll(&pfd, 1, 500) == 1 && (pfd.revents & POLLPRI) &&
		    xioctl(fd, VIDIOC_DQEVENT, &ev) == 0)
			got++;
	}
	CHECK(got >= 3, "the owner got %u control events on %s in 3 s", got,
	      n->name);
	close(fd);
	return tap_result();
}

static int events(void *arg)
{
	const struct node *n = first_with_ro();

	(void)arg;
	if (no_nodes())
		return TAP_FAIL;
	if (cg_stream_start(&stream, FPS, 10000))
		return TAP_FAIL;
	CHECK(cg_run_as(cg.owner, events_owner, (void *)n, 8000) == TAP_PASS,
	      "the owner gets no control event on %s", n->name);
	CHECK(cg_run_as(cg.other, events_refused, NULL, 8000) == TAP_PASS,
	      "uid %u subscribed to, dequeued or polled events on a sibling",
	      cg.other);
	CHECK(cg_stream_stop(&stream) == TAP_PASS, "the owner's stream: %s",
	      stream.st->why[0] ? stream.st->why : "failed");
	return tap_result();
}

/* ---- setters -------------------------------------------------------------- */

/* Shared with the helpers: the values before, as the owner read them. */
struct values {
	__s32 rw[MAXNODES];
	struct v4l2_format fmt[MAXNODES];	/* type 0: none */
	struct v4l2_frequency freq[MAXNODES];	/* type 0: none */
	bool has_freq[MAXNODES];
};

static struct values *vals;

/* The format type a node's G_FMT answers, or 0. */
static __u32 fmt_type(const char *name)
{
	if (strstr(name, "-vid-out"))
		return V4L2_BUF_TYPE_VIDEO_OUTPUT;
	if (strstr(name, "-vbi-cap"))
		return V4L2_BUF_TYPE_VBI_CAPTURE;
	if (strstr(name, "-vbi-out"))
		return V4L2_BUF_TYPE_VBI_OUTPUT;
	if (strstr(name, "-meta-cap"))
		return V4L2_BUF_TYPE_META_CAPTURE;
	if (strstr(name, "-meta-out"))
		return V4L2_BUF_TYPE_META_OUTPUT;
	if (strstr(name, "-sdr-cap"))
		return V4L2_BUF_TYPE_SDR_CAPTURE;
	return 0;
}

/* As @arg (NULL: the owner, filling vals; else: compare with vals). */
static int read_values(void *arg)
{
	bool compare = arg != NULL;
	struct v4l2_format f;
	struct v4l2_frequency fr;
	unsigned int i;
	__s32 v;
	__u32 id;
	int fd;

	for (i = 0; i < nnodes; i++) {
		const struct node *n = &nodes[i];

		fd = open_ctrl(n, RW_CTRL, &id);
		if (fd < 0)
			continue;
		if (id && !cg_get_ctrl(fd, id, &v)) {
			if (compare)
				CHECK(v == vals->rw[i],
				      "%s: \"" RW_CTRL "\" is %d, was %d",
				      n->name, v, vals->rw[i]);
			else
				vals->rw[i] = v;
		}
		memset(&f, 0, sizeof(f));
		f.type = fmt_type(n->name);
		if (f.type && !xioctl(fd, VIDIOC_G_FMT, &f)) {
			if (compare)
				CHECK(!memcmp(&f, &vals->fmt[i], sizeof(f)),
				      "%s: the format changed", n->name);
			else
				vals->fmt[i] = f;
		}
		memset(&fr, 0, sizeof(fr));
		fr.type = strstr(n->name, "-rad-") ? V4L2_TUNER_RADIO :
			  V4L2_TUNER_ADC;
		if ((strstr(n->name, "-rad-rx") || strstr(n->name, "-sdr-")) &&
		    !xioctl(fd, VIDIOC_G_FREQUENCY, &fr)) {
			if (compare)
				CHECK(fr.frequency == vals->freq[i].frequency,
				      "%s: the frequency is %u, was %u",
				      n->name, fr.frequency,
				      vals->freq[i].frequency);
			else
				vals->freq[i] = fr, vals->has_freq[i] = true;
		}
		close(fd);
	}
	return tap_result();
}

static int setters_refused(void *arg)
{
	struct v4l2_frequency fr;
	struct v4l2_control c;
	struct v4l2_format f;
	unsigned int i, tried = 0;
	int fd, input = 0;
	__u32 id;

	(void)arg;
	for (i = 0; i < nnodes; i++) {
		const struct node *n = &nodes[i];

		fd = open_ctrl(n, RW_CTRL, &id);
		if (fd < 0)
			continue;
		if (id) {
			c.id = id;
			c.value = vals->rw[i] + 1;
			expect_denied(n, "S_CTRL(" RW_CTRL ")",
				      xioctl(fd, VIDIOC_S_CTRL, &c));
			CHECK(cg_set_ctrl(fd, id, vals->rw[i] + 2) == -1 &&
			      errno == EACCES,
			      "%s: S_EXT_CTRLS(" RW_CTRL ") gave %s, want EACCES",
			      n->name, strerror(errno));
			tried += 2;
		}
		if (vals->fmt[i].type) {
			f = vals->fmt[i];
			expect_denied(n, "S_FMT", xioctl(fd, VIDIOC_S_FMT, &f));
			tried++;
		}
		if (vals->has_freq[i]) {
			fr = vals->freq[i];
			fr.frequency += 16000;
			expect_denied(n, "S_FREQUENCY", xioctl(fd, VIDIOC_S_FREQUENCY, &fr));
			tried++;
		}
		if (strstr(n->name, "-vid-out")) {
			expect_denied(n, "S_OUTPUT", xioctl(fd, VIDIOC_S_OUTPUT, &input));
			tried++;
		}
		if (strstr(n->name, "-vbi-cap") || strstr(n->name, "-vid-cap")) {
			expect_denied(n, "S_INPUT", xioctl(fd, VIDIOC_S_INPUT, &input));
			tried++;
		}
		close(fd);
	}
	CHECK(tried >= 10, "only %u setters tried", tried);
	tap_diag("uid %u refused %u setters on %u vivid nodes", cg.other, tried,
		 nnodes);
	return tap_result();
}

static int setters(void *arg)
{
	unsigned int before;

	(void)arg;
	if (no_nodes())
		return TAP_FAIL;
	memset(vals, 0, sizeof(*vals));
	if (cg_stream_start(&stream, FPS, 10000))
		return TAP_FAIL;
	CHECK(cg_run_as(cg.owner, read_values, NULL, 8000) == TAP_PASS,
	      "the owner cannot read the values");
	before = CG_LOAD(stream.st->frames);
	CHECK(cg_run_as(cg.other, setters_refused, NULL, 8000) == TAP_PASS,
	      "uid %u set something on a sibling", cg.other);
	CHECK(cg_run_as(cg.owner, read_values, (void *)1, 8000) == TAP_PASS,
	      "a value changed after uid %u's refused setters", cg.other);
	CHECK(cg_stream_wait(&stream, before, 10, 5000),
	      "the owner's stream stalled after the refused setters");
	CHECK(cg_stream_stop(&stream) == TAP_PASS,
	      "the owner's frames after the refused setters: %s (%u bad)",
	      stream.st->why[0] ? stream.st->why : "failed", stream.st->bad);
	return tap_result();
}

/* ---- what stays -------------------------------------------------------------- */

/* As the other uid: QUERYCAP, QUERYCTRL and a plain control's value. */
static int picker_allowed(void *arg)
{
	struct v4l2_capability cap;
	unsigned int i, read = 0;
	__s32 v;
	__u32 id;
	int fd;

	(void)arg;
	for (i = 0; i < nnodes; i++) {
		const struct node *n = &nodes[i];

		fd = open_ctrl(n, RW_CTRL, &id);
		if (fd < 0)
			continue;
		CHECK(xioctl(fd, VIDIOC_QUERYCAP, &cap) == 0,
		      "%s: QUERYCAP: %s", n->name, strerror(errno));
		if (id) {
			CHECK(cg_get_ctrl(fd, id, &v) == 0 && v == vals->rw[i],
			      "%s: G_CTRL(" RW_CTRL ") gave %d (%s), the owner reads %d",
			      n->name, v, strerror(errno), vals->rw[i]);
			read++;
		}
		close(fd);
	}
	CHECK(read >= 2, "only %u nodes have \"" RW_CTRL "\"", read);
	return tap_result();
}

/* As the owner: a control of every sibling set and put back. */
static int owner_sets(void *arg)
{
	unsigned int i;
	__s32 v;
	__u32 id;
	int fd;

	(void)arg;
	for (i = 0; i < nnodes; i++) {
		const struct node *n = &nodes[i];

		fd = open_ctrl(n, RW_CTRL, &id);
		if (fd < 0 || !id) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		CHECK(cg_set_ctrl(fd, id, 12345) == 0 &&
		      cg_get_ctrl(fd, id, &v) == 0 && v == 12345,
		      "%s: the owner's S_EXT_CTRLS: %s", n->name, strerror(errno));
		CHECK(cg_set_ctrl(fd, id, vals->rw[i]) == 0,
		      "%s: putting \"" RW_CTRL "\" back: %s", n->name,
		      strerror(errno));
		close(fd);
	}
	return tap_result();
}

static int what_stays(void *arg)
{
	(void)arg;
	if (no_nodes())
		return TAP_FAIL;
	memset(vals, 0, sizeof(*vals));
	CHECK(cg_run_as(cg.owner, read_values, NULL, 8000) == TAP_PASS,
	      "the owner cannot read the values");
	CHECK(cg_run_as(cg.other, picker_allowed, NULL, 8000) == TAP_PASS,
	      "uid %u cannot identify the nodes", cg.other);
	CHECK(cg_run_as(cg.owner, owner_sets, NULL, 8000) == TAP_PASS,
	      "the owner cannot set a sibling's control");
	return tap_result();
}


static void cleanup(void)
{
	cg_stream_kill(&stream);
	cg_restore_config();
}

int main(void)
{
	vals = mmap(NULL, sizeof(*vals), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (vals == MAP_FAILED)
		return 1;
	tap_plan(6, 120);
	cg_env_load();
	tap_set_cleanup(cleanup);
	cg_chmod_nodes();
	if (find_nodes()) {
		/* Every case fails: a guard cannot be shown without nodes. */
		tap_diag("vivid's capture node and its siblings were not found");
		nnodes = 0;
	}
	tap_run(members, NULL, 10,
		"15: every vivid node (%u) is guarded, in the capture node's group, with its owner",
		nnodes);
	tap_run(one_owner, NULL, 20,
		"15: owner_uid or revoke written on any member reaches every member; the same value changes nothing");
	tap_run(frame_counter, NULL, 25,
		"15: while the owner streams, uid %u cannot read vivid's frame counter control on any sibling; the owner sees it follow the frames",
		cg.other);
	tap_run(events, NULL, 25,
		"15: uid %u cannot subscribe to, dequeue or poll events on any sibling; the owner gets the counter's events",
		cg.other);
	tap_run(setters, NULL, 25,
		"15: every setter uid %u tries on a sibling (S_CTRL, S_EXT_CTRLS, S_FMT, S_FREQUENCY, S_INPUT, S_OUTPUT) is refused, nothing changes, the owner's frames stay intact",
		cg.other);
	tap_run(what_stays, NULL, 15,
		"15: uid %u still identifies every sibling and reads a plain control; the owner sets one",
		cg.other);
	cg_restore_config();
	return tap_finish();
}
