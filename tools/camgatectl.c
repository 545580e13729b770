// SPDX-License-Identifier: GPL-2.0
/*
 * camgatectl - configure and inspect camgate from scripts and udev rules.
 *
 *   camgatectl [--json] status
 *   camgatectl [--wait SECONDS] owner DEV USER[:GROUP]
 *   camgatectl [--wait SECONDS] apply FILE [DEV]
 *   camgatectl [--wait SECONDS] revoke DEV
 *   camgatectl lock
 *   camgatectl [--json] [--wait SECONDS] holders DEV
 *   camgatectl [--json] [--count N] watch [DEV]
 *   camgatectl --version | --help
 *
 * Everything goes through the files of Documentation/ABI/testing/
 * (sysfs-kernel-camgate, procfs-camgate).  Every argument is checked before
 * anything is written; "owner DEV UID:GID" is two writes, and the first is
 * undone if the second fails.  Exit status: 0 done, 1 refused or failed,
 * 2 bad usage.  libc only; see Documentation/camgatectl.rst.
 *
 * CAMGATECTL_ROOT, when set, is put in front of every /sys, /proc and /etc path:
 * the host-side tests (tests/camgatectl-host.sh) run the tool against a
 * fake sysfs tree with it.  It is not meant for anything else.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <linux/camgate.h>
#include <linux/netlink.h>

/* From dkms.conf's PACKAGE_VERSION, by tools/Makefile and debian/rules. */
#ifndef CAMGATE_VERSION
#define CAMGATE_VERSION "unknown"
#endif

#define EXIT_USAGE	2
#define NODE_MAX	64
#define VAL_MAX		256
#define ID_MAX		16
#define ID_INVALID	4294967295UL	/* (uid_t)-1: never a valid id */
#define V4L_CLASS	"/sys/class/video4linux"

static bool json;
static long wait_ms;
static long watch_count;	/* watch: stop after this many events; 0: never */
static const char *root = "";	/* CAMGATECTL_ROOT: tests only */

static void __attribute__((format(printf, 1, 2)))
warn(const char *fmt, ...)
{
	va_list ap;

	fputs("camgatectl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void __attribute__((noreturn, format(printf, 2, 3)))
die(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("camgatectl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static void usage(FILE *f)
{
	fputs("usage: camgatectl [OPTIONS] COMMAND [ARGS]\n"
	      "\n"
	      "commands:\n"
	      "  status               guarded devices: node, device name, owner, streaming,\n"
	      "                       live capabilities, denials, generation, last denial\n"
	      "  owner DEV UID[:GID]  set the owner uid (and gid) of DEV; \"none\" clears one;\n"
	      "                       without :GID the owner gid is left as it is; UID and\n"
	      "                       GID are numbers or user and group names\n"
	      "  apply FILE [DEV]     set the owner of every device (or of DEV) that a line\n"
	      "                       of FILE (e.g. /etc/camgate.conf) matches\n"
	      "  revoke DEV           void every capability of DEV\n"
	      "  lock                 freeze owners and the default policy until reboot\n"
	      "  holders DEV          processes holding a capability of DEV: pid, uid, comm\n"
	      "  watch [DEV]          print stream, owner and denial events (of DEV) as the\n"
	      "                       kernel announces them (uevents), one line each\n"
	      "\n"
	      "DEV is a node name (video0) or a device file (/dev/video0, a udev symlink).\n"
	      "\n"
	      "options:\n"
	      "  -j, --json           machine-readable output (status, holders; watch: one\n"
	      "                       JSON object a line)\n"
	      "  -c, --count N        watch: stop after N events\n"
	      "  -w, --wait SECONDS   wait up to SECONDS (more than 0, at most 3600) for DEV\n"
	      "                       to be guarded (udev: the uevent can come first)\n"
	      "  -V, --version        camgatectl's version\n"
	      "  -h, --help           this text\n"
	      "\n"
	      "Exit status: 0 done, 1 refused or failed (nothing changed, unless a message\n"
	      "says otherwise), 2 bad usage.\n", f);
}

/* ---- files ---------------------------------------------------------------- */

/* Read a one-value file without its trailing newline: 0 or -errno. */
static int read_value(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

static int write_value(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, err;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);	/* as "echo > FILE" */
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	err = errno;
	if (close(fd) && n >= 0)
		return -errno;
	if (n < 0)
		return -err;
	return (size_t)n == len ? 0 : -EIO;
}

/* A /sys, /proc or /etc path, under CAMGATECTL_ROOT. */
static const char * __attribute__((format(printf, 2, 3)))
at(char path[PATH_MAX], const char *fmt, ...)
{
	size_t n = strlen(root);
	va_list ap;

	if (n >= PATH_MAX)
		die(1, "CAMGATECTL_ROOT is too long");
	memcpy(path, root, n);
	va_start(ap, fmt);
	vsnprintf(path + n, PATH_MAX - n, fmt, ap);
	va_end(ap);
	return path;
}

static int dev_read(const char *node, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];

	return read_value(at(path, CAMGATE_SYSFS_DEVICES "/%s/%s", node, file),
			  buf, len);
}

static int dev_write(const char *node, const char *file, const char *val)
{
	char path[PATH_MAX];

	return write_value(at(path, CAMGATE_SYSFS_DEVICES "/%s/%s", node, file),
			   val);
}

static int root_read(const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];

	return read_value(at(path, CAMGATE_SYSFS_ROOT "/%s", file), buf, len);
}

/* What a refused write means, in words. */
static const char *why(int err)
{
	switch (err) {
	case -EPERM:
	case -EACCES:
		return "permission denied (needs root with CAP_SYS_ADMIN; or the configuration is locked)";
	case -ENOENT:
	case -ENODEV:
		return "the device went away";
	default:
		return strerror(-err);
	}
}

static void need_root(const char *cmd)
{
	if (geteuid() != 0)
		die(1, "%s: must be run as root", cmd);
}

static void need_module(void)
{
	char v[VAL_MAX];
	int err = root_read("abi_version", v, sizeof(v));

	if (err == -ENOENT)
		die(1, "camgate is not loaded (no " CAMGATE_SYSFS_ROOT "); load it with modprobe camgate or insmod camgate.ko");
	if (err)
		die(1, CAMGATE_SYSFS_ROOT "/abi_version: %s", strerror(-err));
	if (strtol(v, NULL, 10) != CAMGATE_ABI_VERSION)
		die(1, "camgate's interface is version %s; this camgatectl knows version %d",
		    v, CAMGATE_ABI_VERSION);
}

static bool is_locked(void)
{
	char v[VAL_MAX];

	return !root_read("lock", v, sizeof(v)) && !strcmp(v, "1");
}

/* ---- arguments --------------------------------------------------------------- */

static bool valid_node(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n >= NODE_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return false;
	return true;
}

static bool guarded(const char *node)
{
	char path[PATH_MAX];

	return access(at(path, CAMGATE_SYSFS_DEVICES "/%s", node), F_OK) == 0;
}

/*
 * DEV as given (video0, /dev/video0, /dev/v4l/by-path/...) -> its node
 * name, or exit.  A device file is resolved through its device number, so
 * udev symlinks work.
 */
static void dev_name(const char *arg, char node[NODE_MAX])
{
	char link[PATH_MAX], target[PATH_MAX];
	const char *base;
	struct stat st;
	ssize_t n;

	if (strchr(arg, '/')) {
		if (stat(arg, &st))
			die(1, "%s: %s", arg, strerror(errno));
		if (!S_ISCHR(st.st_mode))
			die(1, "%s: not a character device", arg);
		at(link, "/sys/dev/char/%u:%u", major(st.st_rdev),
		   minor(st.st_rdev));
		n = readlink(link, target, sizeof(target) - 1);
		if (n < 0)
			die(1, "%s: no device %u:%u in sysfs", arg,
			    major(st.st_rdev), minor(st.st_rdev));
		target[n] = '\0';
		base = strrchr(target, '/');
		base = base ? base + 1 : target;
		if (!strstr(target, "/video4linux/"))
			die(1, "%s: %s is not a video4linux device", arg, base);
	} else {
		base = arg;
	}
	if (!valid_node(base))
		die(1, "'%s' is not a device name (like video0)", arg);
	strcpy(node, base);	/* valid_node(): it fits */
}

/* Wait up to --wait for camgate to guard @node, or exit saying why not. */
static void wait_guarded(const char *node)
{
	struct timespec ts = { 0, 50 * 1000000L };
	char path[PATH_MAX];
	long waited = 0;

	while (!guarded(node) && waited < wait_ms) {
		nanosleep(&ts, NULL);
		waited += 50;
	}
	if (guarded(node))
		return;
	if (access(at(path, V4L_CLASS "/%s", node), F_OK) == 0)
		die(1, "%s is not guarded by camgate (not a capture node)", node);
	die(1, "%s: no such video4linux device", node);
}

/* DEV -> the node name camgate uses, once camgate guards it; or exit. */
static void resolve_dev(const char *arg, char node[NODE_MAX])
{
	dev_name(arg, node);
	wait_guarded(node);
}

/* All decimal digits, and at least one. */
static bool digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/*
 * The id of user (or group) @name in /etc/passwd (/etc/group), under
 * CAMGATECTL_ROOT: 0, or -1 when there is none.  The files, not NSS:
 * camgatectl is also linked statically for boards, where glibc's NSS
 * cannot be used; camera service accounts are local accounts.
 */
static int lookup_name(const char *name, bool group, unsigned long long *id)
{
	char path[PATH_MAX];
	struct passwd *pw;
	struct group *gr;
	int ret = -1;
	FILE *f;

	f = fopen(at(path, group ? "/etc/group" : "/etc/passwd"), "re");
	if (!f)
		return -1;
	if (group) {
		while ((gr = fgetgrent(f)))
			if (!strcmp(gr->gr_name, name)) {
				*id = gr->gr_gid;
				ret = 0;
				break;
			}
	} else {
		while ((pw = fgetpwent(f)))
			if (!strcmp(pw->pw_name, name)) {
				*id = pw->pw_uid;
				ret = 0;
				break;
			}
	}
	fclose(f);
	return ret;
}

/*
 * A uid or gid: decimal digits, a user or group name, or "none".  The value
 * written to sysfs goes to @out.  Exits with a usage error on anything else;
 * @ctx ("" or "FILE:LINE: ") starts the message.
 */
static void parse_id(const char *ctx, const char *s, bool group,
		     char out[ID_MAX])
{
	const char *what = group ? "gid" : "uid";
	unsigned long long v = 0;
	const char *p;

	if (!strcmp(s, CAMGATE_ID_NONE)) {
		strcpy(out, CAMGATE_ID_NONE);
		return;
	}
	if (!*s)
		die(EXIT_USAGE, "%sempty %s", ctx, what);
	if (!digits(s)) {
		if (lookup_name(s, group, &v))
			die(EXIT_USAGE, "%s'%s' is not a %s (a decimal number, a %s name in %s or \"none\")",
			    ctx, s, what, group ? "group" : "user",
			    group ? "/etc/group" : "/etc/passwd");
		if (v >= ID_INVALID)
			die(EXIT_USAGE, "%s%s %s has no mapping", ctx, what, s);
		snprintf(out, ID_MAX, "%llu", v);
		return;
	}
	for (p = s; *p; p++) {
		v = v * 10 + (*p - '0');
		if (v > ID_INVALID)
			die(EXIT_USAGE, "%s%s %s is out of range", ctx, what, s);
	}
	if (v == ID_INVALID)
		die(EXIT_USAGE, "%s%s %s has no mapping (it is (%s_t)-1)", ctx,
		    what, s, what);
	snprintf(out, ID_MAX, "%llu", v);
}

/* The owner of a device, as set by owner or a line of apply. */
struct owner_spec {
	char uid[ID_MAX];
	char gid[ID_MAX];
	bool have_gid;		/* without :GID the gid is left as it is */
};

/* USER[:GROUP] -> @o, or exit with a usage error. */
static void parse_owner(const char *ctx, const char *spec, struct owner_spec *o)
{
	const char *colon = strchr(spec, ':');
	char user[VAL_MAX];

	if (colon && (size_t)(colon - spec) >= sizeof(user))
		die(EXIT_USAGE, "%s'%s' is not UID[:GID]", ctx, spec);
	snprintf(user, sizeof(user), "%.*s",
		 colon ? (int)(colon - spec) : (int)strlen(spec), spec);
	parse_id(ctx, user, false, o->uid);
	o->have_gid = colon;
	if (colon)
		parse_id(ctx, colon + 1, true, o->gid);
}

/* ---- output ----------------------------------------------------------------------- */

/*
 * The length of the well-formed UTF-8 sequence at @s (1 to 4), or 0 when
 * @s does not start one (a stray continuation byte, an overlong form, a
 * surrogate, a code point above U+10FFFF, a truncated sequence).
 */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/*
 * A JSON string: UTF-8 passes through, control characters are \u00XX, and
 * a byte that is not part of well-formed UTF-8 becomes U+FFFD.
 */
static void json_str(const char *s)
{
	const unsigned char *c = (const unsigned char *)s;
	size_t n;

	putchar('"');
	while (*c) {
		n = utf8_len(c);
		if (*c == '"' || *c == '\\')
			printf("\\%c", *c);
		else if (*c < 0x20 || *c == 0x7f)
			printf("\\u%04x", *c);
		else if (!n)
			fputs("\\ufffd", stdout);
		else
			fwrite(c, 1, n, stdout);
		c += n ? n : 1;
	}
	putchar('"');
}

/* A decimal id as a JSON number, "none" as null. */
static void json_id(const char *v)
{
	if (!strcmp(v, CAMGATE_ID_NONE) || !*v)
		fputs("null", stdout);
	else
		fputs(v, stdout);
}

/*
 * @s for a table column @width characters wide: UTF-8 and blanks pass
 * through, control characters and bytes that are not UTF-8 become '?', and
 * the padding counts characters, not bytes.  @width 0: no padding.
 */
static void put_cell(const char *s, int width)
{
	const unsigned char *c = (const unsigned char *)s;
	int chars = 0;
	size_t n;

	while (*c) {
		n = utf8_len(c);
		if (!n || *c < 0x20 || *c == 0x7f)
			putchar('?');
		else
			fwrite(c, 1, n, stdout);
		c += n ? n : 1;
		chars++;
	}
	while (chars++ < width)
		putchar(' ');
}

/* ---- status -------------------------------------------------------------------------- */

struct dev_state {
	char node[NODE_MAX];
	char name[VAL_MAX];
	char uid[VAL_MAX];
	char gid[VAL_MAX];
	char gen[VAL_MAX];
	char streaming[VAL_MAX];
	char caps[VAL_MAX];
	char denials[VAL_MAX];
	char last_denial[VAL_MAX];	/* "" before the module had the file */
	char group[VAL_MAX];		/* the camera; "" before groups */
};

/* A reason camgate gives in last_denial: lower case, digits and '-'. */
static bool reason_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    *s != '-')
			return false;
	return true;
}

/* 0, or -ENOENT when the device went away while it was read. */
static int read_state(struct dev_state *d)
{
	static const struct {
		const char *file;
		size_t off;
	} files[] = {
		{ "name", offsetof(struct dev_state, name) },
		{ "owner_uid", offsetof(struct dev_state, uid) },
		{ "owner_gid", offsetof(struct dev_state, gid) },
		{ "generation", offsetof(struct dev_state, gen) },
		{ "streaming", offsetof(struct dev_state, streaming) },
		{ "capabilities", offsetof(struct dev_state, caps) },
		{ "denials", offsetof(struct dev_state, denials) },
	};
	size_t i;
	int err;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		err = dev_read(d->node, files[i].file,
			       (char *)d + files[i].off, VAL_MAX);
		if (err == -ENOENT || err == -ENODEV)
			return -ENOENT;
		/* Root only (mode 0400) since December 2026: others see "?". */
		if (err == -EACCES && !strcmp(files[i].file, "streaming")) {
			d->streaming[0] = '\0';
			continue;
		}
		if (err)
			die(1, "%s/%s: %s", d->node, files[i].file,
			    strerror(-err));
	}
	/* Newer than the rest: a module without it shows no reason. */
	if (dev_read(d->node, "last_denial", d->last_denial,
		     sizeof(d->last_denial)))
		d->last_denial[0] = '\0';
	/* Newer still (December 2026): the camera the node belongs to. */
	if (dev_read(d->node, "group", d->group, sizeof(d->group)))
		d->group[0] = '\0';
	/* What goes into JSON unquoted must be what the ABI promises. */
	if ((!digits(d->uid) && strcmp(d->uid, CAMGATE_ID_NONE)) ||
	    (!digits(d->gid) && strcmp(d->gid, CAMGATE_ID_NONE)) ||
	    !digits(d->gen) || !digits(d->caps) || !digits(d->denials) ||
	    (d->streaming[0] && strcmp(d->streaming, "0") &&
	     strcmp(d->streaming, "1")) ||
	    (d->last_denial[0] && !reason_word(d->last_denial)))
		die(1, "%s: unexpected values in %s" CAMGATE_SYSFS_DEVICES "/%s",
		    d->node, root, d->node);
	return 0;
}

static int by_node(const void *a, const void *b)
{
	return strverscmp(((const struct dev_state *)a)->node,
			  ((const struct dev_state *)b)->node);
}

static void owner_text(const struct dev_state *d, char *buf, size_t len)
{
	bool uid = strcmp(d->uid, CAMGATE_ID_NONE);
	bool gid = strcmp(d->gid, CAMGATE_ID_NONE);

	if (uid && gid)
		snprintf(buf, len, "%s:%s", d->uid, d->gid);
	else if (uid)
		snprintf(buf, len, "%s", d->uid);
	else if (gid)
		snprintf(buf, len, ":%s", d->gid);
	else
		snprintf(buf, len, "none");
}

/* Every guarded device, sorted by node; *@np of them.  Exits on errors. */
static struct dev_state *read_devices(size_t *np)
{
	struct dev_state *devs = NULL, *d;
	char path[PATH_MAX];
	struct dirent *de;
	size_t n = 0;
	DIR *dir;

	dir = opendir(at(path, CAMGATE_SYSFS_DEVICES));
	if (!dir)
		die(1, "%s: %s", path, strerror(errno));
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' || !valid_node(de->d_name))
			continue;
		d = realloc(devs, (n + 1) * sizeof(*devs));
		if (!d)
			die(1, "out of memory");
		devs = d;
		d = &devs[n];
		memset(d, 0, sizeof(*d));
		strcpy(d->node, de->d_name);	/* valid_node(): it fits */
		if (!read_state(d))
			n++;
	}
	closedir(dir);
	if (n)
		qsort(devs, n, sizeof(*devs), by_node);
	*np = n;
	return devs;
}

static int cmd_status(void)
{
	char abi[VAL_MAX], policy[VAL_MAX], lock[VAL_MAX], buf[VAL_MAX];
	struct dev_state *devs, *d;
	size_t n, i;
	int err;

	need_module();
	err = root_read("abi_version", abi, sizeof(abi)) ?:
	      root_read("default_policy", policy, sizeof(policy)) ?:
	      root_read("lock", lock, sizeof(lock));
	if (err)
		die(1, CAMGATE_SYSFS_ROOT ": %s", strerror(-err));
	if (!digits(abi))
		die(1, CAMGATE_SYSFS_ROOT "/abi_version: '%s'", abi);
	devs = read_devices(&n);

	if (json) {
		printf("{\"abi_version\":%s,\"default_policy\":", abi);
		json_str(policy);
		printf(",\"locked\":%s,\"devices\":[",
		       strcmp(lock, "1") ? "false" : "true");
		for (i = 0; i < n; i++) {
			d = &devs[i];
			printf("%s{\"node\":", i ? "," : "");
			json_str(d->node);
			fputs(",\"name\":", stdout);
			json_str(d->name);
			fputs(",\"group\":", stdout);
			json_str(d->group);
			fputs(",\"owner_uid\":", stdout);
			json_id(d->uid);
			fputs(",\"owner_gid\":", stdout);
			json_id(d->gid);
			printf(",\"generation\":%s,\"streaming\":%s,\"capabilities\":%s,\"denials\":%s,\"last_denial\":",
			       d->gen, !d->streaming[0] ? "null" :
			       strcmp(d->streaming, "1") ? "false" : "true",
			       d->caps, d->denials);
			if (d->last_denial[0] && strcmp(d->last_denial, "none"))
				json_str(d->last_denial);
			else
				fputs("null", stdout);
			putchar('}');
		}
		puts("]}");
	} else {
		printf("default policy %s, configuration %s\n", policy,
		       strcmp(lock, "1") ? "unlocked" : "locked until reboot");
		if (!n)
			puts("no guarded devices");
		else
			printf("%-10s %-24s %-12s %-9s %-12s %-8s %-10s %s\n",
			       "NODE", "NAME", "OWNER", "STREAMING",
			       "CAPABILITIES", "DENIALS", "GENERATION",
			       "LAST DENIAL");
		for (i = 0; i < n; i++) {
			d = &devs[i];
			owner_text(d, buf, sizeof(buf));
			printf("%-10s ", d->node);
			put_cell(d->name, 24);
			printf(" %-12s %-9s %-12s %-8s %-10s %s\n", buf,
			       !d->streaming[0] ? "?" :
			       strcmp(d->streaming, "1") ? "no" : "yes",
			       d->caps, d->denials, d->gen,
			       d->last_denial[0] ? d->last_denial : "-");
		}
	}
	free(devs);
	return fflush(stdout) ? 1 : 0;
}

/* ---- owner, apply, revoke, lock ------------------------------------------------------ */

/*
 * Write @o to @node: 0, or 1 with a message (the uid is put back when the
 * gid cannot be written).
 */
static int set_owner(const char *node, const struct owner_spec *o)
{
	char old_uid[VAL_MAX], old_gid[VAL_MAX];
	int err, rerr;

	if (is_locked()) {
		warn("%s: the configuration is locked until reboot; owners cannot change",
		     node);
		return 1;
	}
	err = dev_read(node, "owner_uid", old_uid, sizeof(old_uid)) ?:
	      dev_read(node, "owner_gid", old_gid, sizeof(old_gid));
	if (err) {
		warn("%s: cannot read the current owner: %s", node, why(err));
		return 1;
	}
	err = dev_write(node, "owner_uid", o->uid);
	if (err) {
		warn("%s: owner_uid %s: %s; nothing changed", node, o->uid,
		     why(err));
		return 1;
	}
	if (!o->have_gid)
		return 0;
	err = dev_write(node, "owner_gid", o->gid);
	if (!err)
		return 0;
	rerr = dev_write(node, "owner_uid", old_uid);
	if (rerr)
		warn("%s: owner_gid %s: %s; and owner_uid could not be put back to %s (%s): owner_uid is now %s",
		     node, o->gid, why(err), old_uid, why(rerr), o->uid);
	else
		warn("%s: owner_gid %s: %s; owner_uid put back to %s (capabilities minted meanwhile are void)",
		     node, o->gid, why(err), old_uid);
	return 1;
}

static int cmd_owner(const char *dev, const char *spec)
{
	struct owner_spec o;
	char node[NODE_MAX];

	/* Everything is checked before the first write. */
	parse_owner("", spec, &o);
	need_root("owner");
	need_module();
	resolve_dev(dev, node);
	return set_owner(node, &o);
}

/*
 * apply: one rule per line of the file, "MATCH... OWNER", '#' comments.
 * A device takes the owner of the first line whose every match holds:
 *
 *   node=GLOB        the node name (video0)
 *   name=GLOB        the device name camgate shows (vivid-000-vid-cap)
 *   path=GLOB        the kernel name of the device or one of its parents,
 *                    as udev's KERNELS== (fe801000.csi, 1-1.2:1.0, vivid.0)
 *   usb=VID:PID      the USB device the node belongs to (lsusb's ID 046d:0825)
 */
#define RULE_MATCHES	4

enum match_key { M_NODE, M_NAME, M_PATH, M_USB };

struct rule {
	struct {
		enum match_key key;
		char *val;
	} m[RULE_MATCHES];
	int nm;
	struct owner_spec owner;
	unsigned int line;
};

static const char *const match_keys[] = {
	[M_NODE] = "node", [M_NAME] = "name", [M_PATH] = "path", [M_USB] = "usb",
};

static bool usb_id(const char *s)
{
	int i;

	for (i = 0; i < 9; i++)
		if (i == 4 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return false;
	return !s[9];
}

/* Parse @file into *@rulesp (*@np rules), or exit with a usage error. */
static void parse_config(const char *file, struct rule **rulesp, size_t *np)
{
	char *line = NULL, ctx[PATH_MAX + 32], *tok, *save, *eq;
	struct rule *rules = NULL, *r;
	unsigned int lineno = 0;
	size_t cap = 0, n = 0;
	FILE *f;
	int k;

	f = strcmp(file, "-") ? fopen(file, "re") : stdin;
	if (!f)
		die(1, "%s: %s", file, strerror(errno));
	while (getline(&line, &cap, f) >= 0) {
		char *toks[RULE_MATCHES + 2];
		int nt = 0, i;

		lineno++;
		snprintf(ctx, sizeof(ctx), "%s:%u: ", file, lineno);
		line[strcspn(line, "#\n")] = '\0';
		for (tok = strtok_r(line, " \t\r", &save); tok;
		     tok = strtok_r(NULL, " \t\r", &save)) {
			if (nt == RULE_MATCHES + 1)
				die(EXIT_USAGE, "%stoo many words (at most %d matches and an owner)",
				    ctx, RULE_MATCHES);
			toks[nt++] = tok;
		}
		if (!nt)
			continue;
		if (nt == 1)
			die(EXIT_USAGE, "%swant MATCH... OWNER (e.g. usb=046d:0825 camera)",
			    ctx);
		r = realloc(rules, (n + 1) * sizeof(*rules));
		if (!r)
			die(1, "out of memory");
		rules = r;
		r = &rules[n++];
		memset(r, 0, sizeof(*r));
		r->line = lineno;
		for (i = 0; i < nt - 1; i++) {
			eq = strchr(toks[i], '=');
			if (!eq || eq == toks[i] || !eq[1])
				die(EXIT_USAGE, "%s'%s' is not KEY=VALUE", ctx,
				    toks[i]);
			*eq = '\0';
			for (k = 0; k <= M_USB; k++)
				if (!strcmp(toks[i], match_keys[k]))
					break;
			if (k > M_USB)
				die(EXIT_USAGE, "%sunknown match '%s' (node, name, path or usb)",
				    ctx, toks[i]);
			if (k == M_USB && !usb_id(eq + 1))
				die(EXIT_USAGE, "%susb=%s is not VID:PID (four hex digits each)",
				    ctx, eq + 1);
			r->m[i].key = k;
			r->m[i].val = strdup(eq + 1);
			if (!r->m[i].val)
				die(1, "out of memory");
		}
		r->nm = nt - 1;
		parse_owner(ctx, toks[nt - 1], &r->owner);
	}
	if (ferror(f))
		die(1, "%s: %s", file, strerror(errno));
	if (f != stdin)
		fclose(f);
	free(line);
	*rulesp = rules;
	*np = n;
}

/*
 * The device behind @node's class entry, below /sys/devices: "" when it
 * has none (as in a fake tree), else e.g. "platform/vivid.0/video4linux/video0".
 */
static void device_path(const char *node, char *out, size_t len)
{
	char path[PATH_MAX], real[PATH_MAX], top[PATH_MAX];
	size_t n;

	out[0] = '\0';
	if (!realpath(at(path, V4L_CLASS "/%s", node), real) ||
	    !realpath(at(path, "/sys/devices"), top))
		return;
	n = strlen(top);
	if (!strncmp(real, top, n) && real[n] == '/')
		snprintf(out, len, "%s", real + n + 1);
}

/* Does a parent's kernel name (a component of @dpath) match @glob? */
static bool path_matches(const char *dpath, const char *glob)
{
	char buf[PATH_MAX], *c, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", dpath);
	for (c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "video4linux"))
			break;
		if (!fnmatch(glob, c, 0))
			return true;
	}
	return false;
}

/* Is the nearest USB device above @dpath the one @id (VID:PID) names? */
static bool usb_matches(const char *dpath, const char *id)
{
	char dir[PATH_MAX], vid[VAL_MAX], pid[VAL_MAX], path[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", dpath);
	while ((slash = strrchr(dir, '/'))) {
		*slash = '\0';
		if (!read_value(at(path, "/sys/devices/%s/idVendor", dir), vid,
				sizeof(vid)) &&
		    !read_value(at(path, "/sys/devices/%s/idProduct", dir), pid,
				sizeof(pid)))
			return !strncasecmp(id, vid, 4) && !vid[4] &&
			       !strcasecmp(id + 5, pid);
	}
	return false;
}

static bool rule_matches(const struct rule *r, const struct dev_state *d,
			 const char *dpath)
{
	int i;

	for (i = 0; i < r->nm; i++) {
		const char *v = r->m[i].val;
		bool ok = false;

		switch (r->m[i].key) {
		case M_NODE:
			ok = !fnmatch(v, d->node, 0);
			break;
		case M_NAME:
			ok = !fnmatch(v, d->name, 0);
			break;
		case M_PATH:
			ok = path_matches(dpath, v);
			break;
		case M_USB:
			ok = usb_matches(dpath, v);
			break;
		}
		if (!ok)
			return false;
	}
	return true;
}

/* Is @o what @d already has?  Then apply writes nothing. */
static bool owner_is(const struct dev_state *d, const struct owner_spec *o)
{
	return !strcmp(d->uid, o->uid) && (!o->have_gid || !strcmp(d->gid, o->gid));
}

/* The first rule that matches @d, or NULL. */
static const struct rule *first_match(const struct rule *rules, size_t n,
				      const struct dev_state *d)
{
	char dpath[PATH_MAX];
	size_t i;

	device_path(d->node, dpath, sizeof(dpath));
	for (i = 0; i < n; i++)
		if (rule_matches(&rules[i], d, dpath))
			return &rules[i];
	return NULL;
}

static int apply_one(const char *file, const struct rule *r,
		     const struct dev_state *d)
{
	if (owner_is(d, &r->owner))
		return 0;
	if (set_owner(d->node, &r->owner))
		return 1;
	printf("%s: owner %s%s%s (%s:%u)\n", d->node, r->owner.uid,
	       r->owner.have_gid ? ":" : "",
	       r->owner.have_gid ? r->owner.gid : "", file, r->line);
	return 0;
}

/*
 * apply FILE DEV (udev): a node no line matches is left alone at once, so
 * that output and radio nodes, which camgate never guards, cost no --wait.
 * Its name is the video4linux class's, which is the device name camgate
 * shows.  A node a line matches must become guarded.
 */
static int apply_dev(const char *file, const struct rule *rules, size_t n,
		     const char *dev)
{
	const struct rule *r;
	struct dev_state d;
	char path[PATH_MAX];

	memset(&d, 0, sizeof(d));
	dev_name(dev, d.node);
	read_value(at(path, V4L_CLASS "/%s/name", d.node), d.name,
		   sizeof(d.name));
	if (!first_match(rules, n, &d))
		return 0;
	need_module();
	wait_guarded(d.node);
	if (read_state(&d))
		die(1, "%s: the device went away", d.node);
	r = first_match(rules, n, &d);
	return r ? apply_one(file, r, &d) : 0;
}

static int cmd_apply(const char *file, const char *dev)
{
	const struct rule *r;
	struct dev_state *devs;
	struct rule *rules;
	size_t n, nrules, i;
	int ret = 0;

	parse_config(file, &rules, &nrules);
	need_root("apply");
	if (dev) {
		ret = apply_dev(file, rules, nrules, dev);
	} else {
		need_module();
		devs = read_devices(&n);
		for (i = 0; i < n; i++) {
			r = first_match(rules, nrules, &devs[i]);
			if (r && apply_one(file, r, &devs[i]))
				ret = 1;
		}
		free(devs);
	}
	for (n = 0; n < nrules; n++)
		for (i = 0; i < (size_t)rules[n].nm; i++)
			free(rules[n].m[i].val);
	free(rules);
	return fflush(stdout) ? 1 : ret;
}

static int cmd_revoke(const char *dev)
{
	char node[NODE_MAX];
	int err;

	need_root("revoke");
	need_module();
	resolve_dev(dev, node);
	err = dev_write(node, "revoke", "1");
	if (err)
		die(1, "%s: revoke: %s", node, why(err));
	return 0;
}

static int cmd_lock(void)
{
	char path[PATH_MAX];
	int err;

	need_root("lock");
	need_module();
	err = write_value(at(path, CAMGATE_SYSFS_ROOT "/lock"), "1");
	if (err)
		die(1, "lock: %s", why(err));
	return 0;
}

/* ---- holders ---------------------------------------------------------------------------- */

/* Undo the kernel's octal escapes ("\040") in place. */
static void unescape(char *s)
{
	char *w = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 4;
		} else {
			*w++ = *s++;
		}
	}
	*w = '\0';
}

static int cmd_holders(const char *dev)
{
	char node[NODE_MAX], path[PATH_MAX], *text = NULL, *line, *save = NULL;
	size_t len = 0, cap = 0;
	unsigned int count = 0;
	ssize_t n;
	int fd;

	need_root("holders");
	need_module();
	resolve_dev(dev, node);
	fd = open(at(path, CAMGATE_PROC_HOLDERS "/%s", node), O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && guarded(node))
		die(1, "%s: this camgate has no holders list (%s)", node, path);
	if (fd < 0)
		die(1, "%s: %s", path, errno == ENOENT ? "the device went away" :
		    why(-errno));
	/* One read() from offset 0 is one snapshot; read until EOF. */
	for (;;) {
		if (cap - len < 4096) {
			char *t = realloc(text, cap + 65536);

			if (!t)
				die(1, "out of memory");
			text = t;
			cap += 65536;
		}
		n = read(fd, text + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die(1, "%s: %s", path, errno == EIO ?
			    "the device went away while it was read" :
			    strerror(errno));
		if (!n)
			break;
		len += n;
	}
	close(fd);
	text[len] = '\0';

	if (json) {
		fputs("{\"node\":", stdout);
		json_str(node);
		fputs(",\"holders\":[", stdout);
	} else {
		printf("%-8s %-10s %s\n", "PID", "UID", "COMM");
	}
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char pid[16], uid[16], comm[VAL_MAX];

		if (sscanf(line, "%15s %15s %255s", pid, uid, comm) != 3 ||
		    !digits(pid) || !digits(uid))
			die(1, "%s: unexpected line '%s'", path, line);
		unescape(comm);
		if (json) {
			printf("%s{\"pid\":%s,\"uid\":%s,\"comm\":", count ? "," : "",
			       pid, uid);
			json_str(comm);
			putchar('}');
		} else {
			printf("%-8s %-10s ", pid, uid);
			put_cell(comm, 0);
			putchar('\n');
		}
		count++;
	}
	if (json)
		puts("]}");
	free(text);
	return fflush(stdout) ? 1 : 0;
}

/* ---- watch ----------------------------------------------------------------------------- */

/* A uevent: its keys, NUL-separated, after the "action@devpath" header. */
struct uevent {
	char buf[8192];
	size_t len;
};

static const char *ue_get(const struct uevent *ev, const char *key)
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

/* A value that must be a decimal number (or "none", for ids), or "?". */
static const char *ue_num(const struct uevent *ev, const char *key)
{
	const char *v = ue_get(ev, key);

	if (v && (digits(v) || !strcmp(v, CAMGATE_ID_NONE)))
		return v;
	return NULL;
}

/* A JSON number, or null for "none" and a missing key. */
static void json_num(const char *v)
{
	fputs(v && digits(v) ? v : "null", stdout);
}

static void watch_print(const struct uevent *ev, const char *node)
{
	const char *action = ue_get(ev, "ACTION"), *event = ue_get(ev, "CAMGATE_EVENT");
	const char *pid = ue_num(ev, "CAMGATE_PID"), *uid = ue_num(ev, "CAMGATE_UID");
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	if (!event)
		event = action;
	if (json) {
		fputs("{\"time\":", stdout);
		json_str(stamp);
		fputs(",\"node\":", stdout);
		json_str(node);
		fputs(",\"event\":", stdout);
		json_str(event);
	} else {
		printf("%s %s ", stamp, node);
	}
	if (!strcmp(event, "stream")) {
		const char *on = ue_get(ev, "CAMGATE_STREAMING");
		bool streaming = on && !strcmp(on, "1");

		if (json)
			printf(",\"streaming\":%s", streaming ? "true" : "false");
		else
			printf("stream %s", streaming ? "on" : "off");
	} else if (!strcmp(event, "owner")) {
		const char *ouid = ue_num(ev, "CAMGATE_OWNER_UID");
		const char *ogid = ue_num(ev, "CAMGATE_OWNER_GID");
		const char *gen = ue_num(ev, "CAMGATE_GENERATION");
		const char *rv = ue_get(ev, "CAMGATE_REVOKED");
		bool revoked = rv && !strcmp(rv, "1");

		if (json) {
			fputs(",\"owner_uid\":", stdout);
			json_num(ouid);
			fputs(",\"owner_gid\":", stdout);
			json_num(ogid);
			fputs(",\"generation\":", stdout);
			json_num(gen);
			printf(",\"revoked\":%s", revoked ? "true" : "false");
		} else if (revoked) {
			printf("revoked (generation %s) by", gen ? gen : "?");
		} else {
			printf("owner %s:%s (generation %s) set by", ouid ? ouid : "?",
			       ogid ? ogid : "?", gen ? gen : "?");
		}
	} else if (!strcmp(event, "deny")) {
		const char *op = ue_get(ev, "CAMGATE_OP");
		const char *reason = ue_get(ev, "CAMGATE_REASON");
		const char *count = ue_num(ev, "CAMGATE_DENIALS");

		if (json) {
			fputs(",\"op\":", stdout);
			json_str(op ? op : "");
			fputs(",\"reason\":", stdout);
			json_str(reason ? reason : "");
			fputs(",\"denials\":", stdout);
			json_num(count);
		} else {
			fputs("denied ", stdout);
			put_cell(op ? op : "?", 0);
			fputs(": ", stdout);
			put_cell(reason ? reason : "?", 0);
			printf(" (%s denials) last to", count ? count : "?");
		}
	} else if (!json) {
		fputs(event, stdout);	/* "add", "remove" */
	}
	if (json) {
		fputs(",\"pid\":", stdout);
		json_num(pid);
		fputs(",\"uid\":", stdout);
		json_num(uid);
		puts("}");
	} else if (pid || uid) {
		printf(" pid %s uid %s\n", pid ? pid : "?", uid ? uid : "?");
	} else {
		putchar('\n');
	}
	fflush(stdout);
}

static int cmd_watch(const char *dev)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	char want[NODE_MAX] = "";
	struct uevent ev;
	long seen = 0;
	int fd, size = 1 << 20;

	if (dev)
		dev_name(dev, want);
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		die(1, "uevent socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die(1, "uevent socket: %s", strerror(errno));
	/* Ready: a caller that waits for this line misses no event. */
	if (!json) {
		printf("watching %s\n", *want ? want : "every guarded device");
		fflush(stdout);
	}
	for (;;) {
		const char *subsys, *path, *node;
		ssize_t n = recv(fd, ev.buf, sizeof(ev.buf) - 1, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			warn("events were lost (receive buffer full)");
			continue;
		}
		if (n < 0)
			die(1, "uevent socket: %s", strerror(errno));
		ev.len = n;
		ev.buf[n] = '\0';
		subsys = ue_get(&ev, "SUBSYSTEM");
		path = ue_get(&ev, "DEVPATH");
		if (!subsys || strcmp(subsys, "camgate") || !path ||
		    strncmp(path, "/kernel/camgate/devices/", 24))
			continue;
		node = path + 24;
		if (!*node || strchr(node, '/') || (*want && strcmp(node, want)))
			continue;
		watch_print(&ev, node);
		if (watch_count && ++seen >= watch_count)
			break;
	}
	close(fd);
	return ferror(stdout) ? 1 : 0;
}

static void parse_count(const char *s)
{
	char *end;

	errno = 0;
	watch_count = strtol(s, &end, 10);
	if (errno || end == s || *end || watch_count <= 0)
		die(EXIT_USAGE, "--count: '%s' is not a positive number", s);
}

/* ---- main ------------------------------------------------------------------------------ */

static void parse_wait(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	/* strtod() takes "nan", "inf" and hex floats: only finite values pass. */
	if (errno || end == s || *end || !isfinite(v) || v <= 0 || v > 3600)
		die(EXIT_USAGE, "--wait: '%s' is not a number of seconds (more than 0, at most 3600)",
		    s);
	wait_ms = (long)(v * 1000 + 0.999);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "wait", required_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'c' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *r = getenv("CAMGATECTL_ROOT");
	char **args;
	int nargs, c;

	if (r)
		root = r;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jw:c:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'w':
			parse_wait(optarg);
			break;
		case 'c':
			parse_count(optarg);
			break;
		case 'V':
			printf("camgatectl %s\n", CAMGATE_VERSION);
			return fflush(stdout) ? 1 : 0;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			die(EXIT_USAGE, "%s needs a number%s", argv[optind - 1],
			    optopt == 'c' ? "" : " of seconds");
		default:
			if (optopt)
				die(EXIT_USAGE, "unknown option '-%c' (see --help)",
				    optopt);
			die(EXIT_USAGE, "unknown option '%s' (see --help)",
			    argv[optind - 1]);
		}
	}
	args = argv + optind;
	nargs = argc - optind;
	if (!nargs) {
		usage(stderr);
		return EXIT_USAGE;
	}

#define WANT(lo, hi, what) do {						\
		if (nargs < (lo) + 1 || nargs > (hi) + 1)		\
			die(EXIT_USAGE, "usage: camgatectl %s", what);	\
	} while (0)

	if (!strcmp(args[0], "status")) {
		WANT(0, 0, "[--json] status");
		return cmd_status();
	}
	if (!strcmp(args[0], "owner")) {
		WANT(2, 2, "owner DEV UID[:GID]");
		return cmd_owner(args[1], args[2]);
	}
	if (!strcmp(args[0], "apply")) {
		WANT(1, 2, "apply FILE [DEV]");
		return cmd_apply(args[1], nargs == 3 ? args[2] : NULL);
	}
	if (!strcmp(args[0], "revoke")) {
		WANT(1, 1, "revoke DEV");
		return cmd_revoke(args[1]);
	}
	if (!strcmp(args[0], "lock")) {
		WANT(0, 0, "lock");
		return cmd_lock();
	}
	if (!strcmp(args[0], "holders")) {
		WANT(1, 1, "[--json] holders DEV");
		return cmd_holders(args[1]);
	}
	if (!strcmp(args[0], "watch")) {
		WANT(0, 1, "[--json] [--count N] watch [DEV]");
		return cmd_watch(nargs == 2 ? args[1] : NULL);
	}
	if (!strcmp(args[0], "help")) {
		usage(stdout);
		return 0;
	}
	die(EXIT_USAGE, "unknown command '%s' (see --help)", args[0]);
}
