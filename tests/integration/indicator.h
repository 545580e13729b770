/* SPDX-License-Identifier: GPL-2.0 */
/*
 * indicator.h - what the streaming-indicator tests share (issue 17):
 * an owner that streams on command, the uevent socket, a uinput keyboard
 * whose caps-lock LED (input-leds) is an LED class device, and tracefs.
 *
 * Include after camgate_test.h.
 */
#ifndef CAMGATE_INDICATOR_H
#define CAMGATE_INDICATOR_H

#include "camgate_test.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <linux/input.h>
#include <linux/netlink.h>
#include <linux/uinput.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>

/* ---- an owner that streams on command ----------------------------------- */

/*
 * A helper process, as the owner, with the node open and 4 MMAP buffers
 * queued.  Commands (one byte on cmd, one byte back on ack: 'k' done,
 * 'e' failed):
 *   'n' STREAMON   'f' STREAMOFF   'c' close the file   'q' exit
 */
struct ind_owner {
	pid_t pid;
	int cmd, ack;
};

static inline int ind_owner_main(int cmd, int ack)
{
	struct v4l2_requestbuffers rb;
	struct v4l2_buffer b;
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	int fd = -1, i, ret;
	char c, r;

	if (cg_become(cg.owner))
		return 1;
	fd = open(cg.dev, O_RDWR);
	if (fd < 0)
		goto fail;
	memset(&rb, 0, sizeof(rb));
	rb.count = 4;
	rb.type = type;
	rb.memory = V4L2_MEMORY_MMAP;
	if (xioctl(fd, VIDIOC_REQBUFS, &rb) || rb.count < 2)
		goto fail;
	r = 'k';
	if (write(ack, &r, 1) != 1)
		return 1;
	while (read(cmd, &c, 1) == 1) {
		ret = 0;
		switch (c) {
		case 'n':
			for (i = 0; i < (int)rb.count && !ret; i++) {
				memset(&b, 0, sizeof(b));
				b.type = type;
				b.memory = V4L2_MEMORY_MMAP;
				b.index = i;
				ret = xioctl(fd, VIDIOC_QBUF, &b);
			}
			ret = ret ?: xioctl(fd, VIDIOC_STREAMON, &type);
			break;
		case 'f':
			ret = xioctl(fd, VIDIOC_STREAMOFF, &type);
			break;
		case 'c':
			ret = close(fd);
			fd = -1;
			break;
		case 'q':
			return 0;
		}
		r = ret ? 'e' : 'k';
		if (write(ack, &r, 1) != 1)
			return 1;
	}
	return 0;
fail:
	r = 'e';
	(void)!write(ack, &r, 1);
	return 1;
}

/* Send @c and wait for its answer; 0 when it was done. */
static inline int ind_owner_do(struct ind_owner *o, char c)
{
	struct pollfd p = { .fd = o->ack, .events = POLLIN };
	char r = 'e';

	if (write(o->cmd, &c, 1) != 1 || poll(&p, 1, 10000) != 1 ||
	    read(o->ack, &r, 1) != 1 || r != 'k') {
		tap_diag("owner helper: command '%c' failed", c);
		return -1;
	}
	return 0;
}

static inline int ind_owner_start(struct ind_owner *o)
{
	int cmd[2], ack[2];
	struct pollfd p;
	char r = 'e';

	if (pipe(cmd) || pipe(ack))
		return -1;
	o->pid = fork();
	if (o->pid < 0)
		return -1;
	if (!o->pid) {
		close(cmd[1]);
		close(ack[0]);
		_exit(ind_owner_main(cmd[0], ack[1]));
	}
	close(cmd[0]);
	close(ack[1]);
	o->cmd = cmd[1];
	o->ack = ack[0];
	p.fd = o->ack;
	p.events = POLLIN;
	if (poll(&p, 1, 10000) != 1 || read(o->ack, &r, 1) != 1 || r != 'k') {
		tap_diag("owner helper could not open %s and get buffers", cg.dev);
		return -1;
	}
	return 0;
}

static inline void ind_owner_stop(struct ind_owner *o)
{
	char c = 'q';

	if (o->pid <= 0)
		return;
	(void)!write(o->cmd, &c, 1);
	cg_wait(o->pid, 10000);
	close(o->cmd);
	close(o->ack);
	o->pid = 0;
}

/* A non-owner's refused REQBUFS (one denial, reason no-capability). */
static inline int ind_deny_once(void *arg __attribute__((unused)))
{
	struct v4l2_requestbuffers rb;
	int fd = open(cg.dev, O_RDWR);

	if (fd < 0)
		return TAP_FAIL;
	memset(&rb, 0, sizeof(rb));
	rb.count = 2;
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_MMAP;
	CHECK(xioctl(fd, VIDIOC_REQBUFS, &rb) && errno == EACCES,
	      "the other uid's REQBUFS was not refused: %s", strerror(errno));
	close(fd);
	return tap_result();
}

/* The node's name, "video0". */
static inline const char *ind_node(void)
{
	const char *n = strrchr(cg.dev, '/');

	return n ? n + 1 : cg.dev;
}

/* ---- uevents -------------------------------------------------------------- */

struct ind_uevent {
	char buf[8192];
	size_t len;
};

static inline int ind_uevent_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
			NETLINK_KOBJECT_UEVENT);
	int sz = 4 << 20;

	if (fd < 0) {
		tap_diag("uevent socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		tap_diag("uevent bind: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The value of @key in @ev, or NULL. */
static inline const char *ind_uevent_get(const struct ind_uevent *ev,
					 const char *key)
{
	size_t kl = strlen(key), i = 0;

	while (i < ev->len) {
		const char *s = ev->buf + i;
		size_t sl = strnlen(s, ev->len - i);

		if (sl > kl && !strncmp(s, key, kl) && s[kl] == '=')
			return s + kl + 1;
		i += sl + 1;
	}
	return NULL;
}

static inline bool ind_uevent_is(const struct ind_uevent *ev, const char *key,
				 const char *val)
{
	const char *v = ind_uevent_get(ev, key);

	return v && !strcmp(v, val);
}

/*
 * The next camgate uevent of this node with CAMGATE_EVENT=@event (any
 * camgate uevent of it for NULL) within @ms; 0, or -1 on time-out.
 */
static inline int ind_uevent_next(int fd, const char *event,
				  struct ind_uevent *ev, int ms)
{
	long deadline = tap_now_ms() + ms;
	char path[128];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	snprintf(path, sizeof(path), "/kernel/camgate/devices/%s", ind_node());
	for (;;) {
		long left = deadline - tap_now_ms();

		if (left <= 0 || poll(&p, 1, left) != 1)
			return -1;
		n = recv(fd, ev->buf, sizeof(ev->buf) - 1, 0);
		if (n <= 0)
			continue;
		ev->len = n;
		ev->buf[n] = '\0';
		if (!ind_uevent_is(ev, "SUBSYSTEM", "camgate") ||
		    !ind_uevent_is(ev, "DEVPATH", path))
			continue;
		if (!event || ind_uevent_is(ev, "CAMGATE_EVENT", event))
			return 0;
	}
}

/* Every key of @ev as diagnostics. */
static inline void ind_uevent_show(const struct ind_uevent *ev)
{
	size_t i = 0;

	while (i < ev->len) {
		tap_diag("  %s", ev->buf + i);
		i += strnlen(ev->buf + i, ev->len - i) + 1;
	}
}

/* ---- a uinput keyboard with a caps-lock LED ------------------------------- */

struct ind_led {
	int fd;			/* uinput: EV_LED events arrive here */
	char dir[256];		/* /sys/class/leds/inputN::capslock */
};

static inline int ind_led_find(const char *devname, char *dir, size_t len)
{
	DIR *d = opendir("/sys/class/leds");
	struct dirent *e;
	char path[PATH_MAX], name[128];
	int found = -1;

	if (!d)
		return -1;
	while (found && (e = readdir(d))) {
		if (!strstr(e->d_name, "::capslock"))
			continue;
		snprintf(path, sizeof(path), "/sys/class/leds/%s/device",
			 e->d_name);
		if (cg_sysfs_read(path, "name", name, sizeof(name)) == 0 &&
		    !strcmp(name, devname)) {
			snprintf(dir, len, "/sys/class/leds/%.200s", e->d_name);
			found = 0;
		}
	}
	closedir(d);
	return found;
}

/*
 * Why this kernel cannot have the tests' LED (no uinput, or no LED class
 * with triggers), or NULL when it can.  Debian's kernels have both; the
 * test kernels get them from tests/vm/config/base.config.
 */
static inline const char *ind_led_missing(void)
{
	if (access("/dev/uinput", F_OK))
		return "no /dev/uinput (CONFIG_INPUT_UINPUT)";
	if (access("/sys/class/leds", F_OK))
		return "no LED class (CONFIG_LEDS_CLASS)";
	return NULL;
}

/* Make the keyboard named @name and find its LED; 0, -1 (diagnosed). */
static inline int ind_led_make(struct ind_led *l, const char *name)
{
	struct uinput_setup us;
	int i;

	l->fd = open("/dev/uinput", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (l->fd < 0) {
		tap_diag("/dev/uinput: %s", strerror(errno));
		return -1;
	}
	memset(&us, 0, sizeof(us));
	us.id.bustype = BUS_VIRTUAL;
	us.id.vendor = 0xca;
	us.id.product = 0x17;
	snprintf(us.name, sizeof(us.name), "%s", name);
	if (ioctl(l->fd, UI_SET_EVBIT, EV_KEY) ||
	    ioctl(l->fd, UI_SET_KEYBIT, KEY_CAPSLOCK) ||
	    ioctl(l->fd, UI_SET_EVBIT, EV_LED) ||
	    ioctl(l->fd, UI_SET_LEDBIT, LED_CAPSL) ||
	    ioctl(l->fd, UI_DEV_SETUP, &us) || ioctl(l->fd, UI_DEV_CREATE)) {
		tap_diag("uinput set-up: %s", strerror(errno));
		close(l->fd);
		return -1;
	}
	for (i = 0; i < 200; i++) {
		if (!ind_led_find(name, l->dir, sizeof(l->dir)))
			return 0;
		tap_sleep_ms(10);
	}
	tap_diag("no LED class device for the uinput keyboard \"%s\" (input-leds?)",
		 name);
	ioctl(l->fd, UI_DEV_DESTROY);
	close(l->fd);
	return -1;
}

static inline void ind_led_destroy(struct ind_led *l)
{
	ioctl(l->fd, UI_DEV_DESTROY);
	close(l->fd);
}

/*
 * The LED's state as the hardware was last told it (EV_LED on the uinput
 * fd), after waiting up to @ms for a change from @was; -1 if nothing was
 * ever told.
 */
static inline int ind_led_wait(struct ind_led *l, int was, int ms)
{
	long deadline = tap_now_ms() + ms;
	struct input_event ie;
	int state = was;

	for (;;) {
		while (read(l->fd, &ie, sizeof(ie)) == sizeof(ie))
			if (ie.type == EV_LED && ie.code == LED_CAPSL)
				state = !!ie.value;
		if (state != was || tap_now_ms() > deadline)
			return state;
		tap_sleep_ms(5);
	}
}

/* The LED's trigger, the bracketed word of its trigger file. */
static inline int ind_led_trigger(const struct ind_led *l, char *out,
				  size_t len)
{
	static char buf[65536];
	char path[PATH_MAX], *a, *b;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/trigger", l->dir);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	a = strchr(buf, '[');
	b = a ? strchr(a, ']') : NULL;
	if (!b)
		return -1;
	snprintf(out, len, "%.*s", (int)(b - a - 1), a + 1);
	return 0;
}

/* ---- tracefs -------------------------------------------------------------- */

#define IND_TRACEFS	"/sys/kernel/tracing"

static inline int ind_tracefs(void)
{
	if (access(IND_TRACEFS "/events", F_OK) == 0)
		return 0;
	if (mount("tracefs", IND_TRACEFS, "tracefs", 0, NULL)) {
		tap_diag("mount tracefs on " IND_TRACEFS ": %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Write @val to tracefs file @file; 0 or -1 (diagnosed). */
static inline int ind_trace_write(const char *file, const char *val)
{
	if (cg_sysfs_write(IND_TRACEFS, file, val) < 0) {
		tap_diag("%s/%s <- %s: %s", IND_TRACEFS, file, val,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* Empty the trace buffer (an open with O_TRUNC, as "echo > trace"). */
static inline void ind_trace_clear(void)
{
	int fd = open(IND_TRACEFS "/trace", O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd < 0)
		tap_diag("clear " IND_TRACEFS "/trace: %s", strerror(errno));
	else
		close(fd);
}

/* The trace buffer's text (static buffer); NULL on error. */
static inline const char *ind_trace_read(void)
{
	static char buf[1 << 20];
	size_t got = 0;
	ssize_t n;
	int fd = open(IND_TRACEFS "/trace", O_RDONLY);

	if (fd < 0)
		return NULL;
	while (got + 1 < sizeof(buf) &&
	       (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	return buf;
}

#endif
