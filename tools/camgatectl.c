// SPDX-License-Identifier: GPL-2.0
/*
 * camgatectl - configure and inspect camgate from scripts and udev rules.
 *
 *   camgatectl [--json] status
 *   camgatectl [--wait SECONDS] owner DEV UID[:GID]
 *   camgatectl [--wait SECONDS] revoke DEV
 *   camgatectl lock
 *   camgatectl [--json] [--wait SECONDS] holders DEV
 *
 * Everything goes through the files of Documentation/ABI/testing/
 * (sysfs-kernel-camgate, procfs-camgate).  Every argument is checked before
 * anything is written; "owner DEV UID:GID" is two writes, and the first is
 * undone if the second fails.  Exit status: 0 done, 1 refused or failed,
 * 2 bad usage.  libc only; see Documentation/camgatectl.rst.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <linux/camgate.h>

#define EXIT_USAGE	2
#define NODE_MAX	64
#define VAL_MAX		256
#define ID_INVALID	4294967295UL	/* (uid_t)-1: never a valid id */

static bool json;
static long wait_ms;

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
	      "  status               guarded devices: node, card name, owner, streaming,\n"
	      "                       live capabilities, denials, generation\n"
	      "  owner DEV UID[:GID]  set the owner uid (and gid) of DEV; \"none\" clears one;\n"
	      "                       without :GID the owner gid is left as it is\n"
	      "  revoke DEV           void every capability of DEV\n"
	      "  lock                 freeze owners and the default policy until reboot\n"
	      "  holders DEV          processes holding a capability of DEV: pid, uid, comm\n"
	      "\n"
	      "DEV is a node name (video0) or a device file (/dev/video0, a udev symlink).\n"
	      "\n"
	      "options:\n"
	      "  -j, --json           machine-readable output (status, holders)\n"
	      "  -w, --wait SECONDS   wait up to SECONDS for DEV to be guarded (udev rules:\n"
	      "                       the uevent can come before camgate sees the node)\n"
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

	fd = open(path, O_WRONLY | O_CLOEXEC);
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

static int dev_read(const char *node, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), CAMGATE_SYSFS_DEVICES "/%s/%s", node, file);
	return read_value(path, buf, len);
}

static int dev_write(const char *node, const char *file, const char *val)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), CAMGATE_SYSFS_DEVICES "/%s/%s", node, file);
	return write_value(path, val);
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
	int err = read_value(CAMGATE_SYSFS_ROOT "/abi_version", v, sizeof(v));

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

	return !read_value(CAMGATE_SYSFS_ROOT "/lock", v, sizeof(v)) &&
	       !strcmp(v, "1");
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

	snprintf(path, sizeof(path), CAMGATE_SYSFS_DEVICES "/%s", node);
	return access(path, F_OK) == 0;
}

/*
 * DEV as given (video0, /dev/video0, /dev/v4l/by-path/...) -> the node
 * name camgate uses, or exit.  A device file is resolved through its
 * device number, so udev symlinks work.
 */
static void resolve_dev(const char *arg, char node[NODE_MAX])
{
	char link[PATH_MAX], target[PATH_MAX], path[PATH_MAX];
	struct timespec ts = { 0, 50 * 1000000L };
	const char *base;
	struct stat st;
	long waited = 0;
	ssize_t n;

	if (strchr(arg, '/')) {
		if (stat(arg, &st))
			die(1, "%s: %s", arg, strerror(errno));
		if (!S_ISCHR(st.st_mode))
			die(1, "%s: not a character device", arg);
		snprintf(link, sizeof(link), "/sys/dev/char/%u:%u",
			 major(st.st_rdev), minor(st.st_rdev));
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
	while (!guarded(node) && waited < wait_ms) {
		nanosleep(&ts, NULL);
		waited += 50;
	}
	if (guarded(node))
		return;
	snprintf(path, sizeof(path), "/sys/class/video4linux/%s", node);
	if (access(path, F_OK) == 0)
		die(1, "%s is not guarded by camgate (not a capture node)", node);
	die(1, "%s: no such video4linux device", node);
}

/*
 * A uid or gid: decimal digits, or "none".  The value written to sysfs goes
 * to @out.  Exits with a usage error on anything else.
 */
static void parse_id(const char *s, const char *what, char out[16])
{
	unsigned long long v = 0;
	const char *p;

	if (!strcmp(s, CAMGATE_ID_NONE)) {
		strcpy(out, CAMGATE_ID_NONE);
		return;
	}
	if (!*s)
		die(EXIT_USAGE, "empty %s", what);
	for (p = s; *p; p++) {
		if (!isdigit((unsigned char)*p))
			die(EXIT_USAGE, "'%s' is not a %s (a decimal number or \"none\")",
			    s, what);
		v = v * 10 + (*p - '0');
		if (v > ID_INVALID)
			die(EXIT_USAGE, "%s %s is out of range", what, s);
	}
	if (v == ID_INVALID)
		die(EXIT_USAGE, "%s %s has no mapping (it is (%s_t)-1)", what, s,
		    what);
	snprintf(out, 16, "%llu", v);
}

/* ---- output ----------------------------------------------------------------------- */

static void json_str(const char *s)
{
	const unsigned char *c;

	putchar('"');
	for (c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			printf("\\%c", *c);
		else if (*c < 0x20 || *c >= 0x7f)
			printf("\\u%04x", *c);
		else
			putchar(*c);
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

/* Printable in a table: blanks and control characters as '?'. */
static const char *printable(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len; i++)
		buf[i] = isgraph((unsigned char)s[i]) ? s[i] : '?';
	buf[i] = '\0';
	return buf;
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
};

static bool digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
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
		if (err)
			die(1, "%s/%s: %s", d->node, files[i].file,
			    strerror(-err));
	}
	/* What goes into JSON unquoted must be what the ABI promises. */
	if ((!digits(d->uid) && strcmp(d->uid, CAMGATE_ID_NONE)) ||
	    (!digits(d->gid) && strcmp(d->gid, CAMGATE_ID_NONE)) ||
	    !digits(d->gen) || !digits(d->caps) || !digits(d->denials) ||
	    (strcmp(d->streaming, "0") && strcmp(d->streaming, "1")))
		die(1, "%s: unexpected values in " CAMGATE_SYSFS_DEVICES "/%s",
		    d->node, d->node);
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

static int cmd_status(void)
{
	char abi[VAL_MAX], policy[VAL_MAX], lock[VAL_MAX], buf[VAL_MAX];
	struct dev_state *devs = NULL, *d;
	size_t n = 0, i;
	struct dirent *de;
	DIR *dir;
	int err;

	need_module();
	err = read_value(CAMGATE_SYSFS_ROOT "/abi_version", abi, sizeof(abi)) ?:
	      read_value(CAMGATE_SYSFS_ROOT "/default_policy", policy,
			 sizeof(policy)) ?:
	      read_value(CAMGATE_SYSFS_ROOT "/lock", lock, sizeof(lock));
	if (err)
		die(1, CAMGATE_SYSFS_ROOT ": %s", strerror(-err));
	if (!digits(abi))
		die(1, CAMGATE_SYSFS_ROOT "/abi_version: '%s'", abi);
	dir = opendir(CAMGATE_SYSFS_DEVICES);
	if (!dir)
		die(1, CAMGATE_SYSFS_DEVICES ": %s", strerror(errno));
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
			fputs(",\"owner_uid\":", stdout);
			json_id(d->uid);
			fputs(",\"owner_gid\":", stdout);
			json_id(d->gid);
			printf(",\"generation\":%s,\"streaming\":%s,\"capabilities\":%s,\"denials\":%s}",
			       d->gen, strcmp(d->streaming, "1") ? "false" : "true",
			       d->caps, d->denials);
		}
		puts("]}");
	} else {
		printf("default policy %s, configuration %s\n", policy,
		       strcmp(lock, "1") ? "unlocked" : "locked until reboot");
		if (!n)
			puts("no guarded devices");
		else
			printf("%-10s %-24s %-12s %-9s %-12s %-8s %s\n", "NODE",
			       "NAME", "OWNER", "STREAMING", "CAPABILITIES",
			       "DENIALS", "GENERATION");
		for (i = 0; i < n; i++) {
			char name[VAL_MAX];

			d = &devs[i];
			owner_text(d, buf, sizeof(buf));
			printf("%-10s %-24s %-12s %-9s %-12s %-8s %s\n", d->node,
			       printable(d->name, name, sizeof(name)), buf,
			       strcmp(d->streaming, "1") ? "no" : "yes",
			       d->caps, d->denials, d->gen);
		}
	}
	free(devs);
	return fflush(stdout) ? 1 : 0;
}

/* ---- owner, revoke, lock ------------------------------------------------------------- */

static int cmd_owner(const char *dev, const char *spec)
{
	char uidarg[VAL_MAX], uid[16], gid[16], old_uid[VAL_MAX], old_gid[VAL_MAX];
	char node[NODE_MAX];
	const char *colon;
	bool have_gid;
	int err, rerr;

	/* Everything is checked before the first write. */
	colon = strchr(spec, ':');
	have_gid = colon;
	if (colon && (size_t)(colon - spec) >= sizeof(uidarg))
		die(EXIT_USAGE, "'%s' is not UID[:GID]", spec);
	snprintf(uidarg, sizeof(uidarg), "%.*s",
		 colon ? (int)(colon - spec) : (int)strlen(spec), spec);
	parse_id(uidarg, "uid", uid);
	if (have_gid)
		parse_id(colon + 1, "gid", gid);
	need_root("owner");
	need_module();
	resolve_dev(dev, node);
	if (is_locked())
		die(1, "%s: the configuration is locked until reboot; owners cannot change",
		    node);
	err = dev_read(node, "owner_uid", old_uid, sizeof(old_uid)) ?:
	      dev_read(node, "owner_gid", old_gid, sizeof(old_gid));
	if (err)
		die(1, "%s: cannot read the current owner: %s", node, why(err));

	err = dev_write(node, "owner_uid", uid);
	if (err)
		die(1, "%s: owner_uid %s: %s; nothing changed", node, uid,
		    why(err));
	if (!have_gid)
		return 0;
	err = dev_write(node, "owner_gid", gid);
	if (!err)
		return 0;
	rerr = dev_write(node, "owner_uid", old_uid);
	if (rerr)
		die(1, "%s: owner_gid %s: %s; and owner_uid could not be put back to %s (%s): owner_uid is now %s",
		    node, gid, why(err), old_uid, why(rerr), uid);
	die(1, "%s: owner_gid %s: %s; owner_uid put back to %s (capabilities minted meanwhile are void)",
	    node, gid, why(err), old_uid);
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
	int err;

	need_root("lock");
	need_module();
	err = write_value(CAMGATE_SYSFS_ROOT "/lock", "1");
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
	snprintf(path, sizeof(path), CAMGATE_PROC_HOLDERS "/%s", node);
	fd = open(path, O_RDONLY | O_CLOEXEC);
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
		char pid[16], uid[16], comm[VAL_MAX], shown[VAL_MAX];

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
			printf("%-8s %-10s %s\n", pid, uid,
			       printable(comm, shown, sizeof(shown)));
		}
		count++;
	}
	if (json)
		puts("]}");
	free(text);
	return fflush(stdout) ? 1 : 0;
}

/* ---- main ------------------------------------------------------------------------------ */

static void parse_wait(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < 0 || v > 3600)
		die(EXIT_USAGE, "--wait: '%s' is not a number of seconds (0-3600)", s);
	wait_ms = (long)(v * 1000);
}

int main(int argc, char **argv)
{
	const char *args[4];
	int nargs = 0, i;
	bool dashdash = false;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (dashdash || a[0] != '-' || !a[1]) {
			if (nargs == 4)
				die(EXIT_USAGE, "too many arguments (see --help)");
			args[nargs++] = a;
		} else if (!strcmp(a, "--")) {
			dashdash = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "-w") || !strcmp(a, "--wait")) {
			if (++i == argc)
				die(EXIT_USAGE, "%s needs a number of seconds", a);
			parse_wait(argv[i]);
		} else if (!strncmp(a, "--wait=", 7)) {
			parse_wait(a + 7);
		} else {
			die(EXIT_USAGE, "unknown option '%s' (see --help)", a);
		}
	}
	if (!nargs) {
		usage(stderr);
		return EXIT_USAGE;
	}

#define WANT(n, what) do {						\
		if (nargs != (n) + 1)					\
			die(EXIT_USAGE, "usage: camgatectl %s", what);	\
	} while (0)

	if (!strcmp(args[0], "status")) {
		WANT(0, "[--json] status");
		return cmd_status();
	}
	if (!strcmp(args[0], "owner")) {
		WANT(2, "owner DEV UID[:GID]");
		return cmd_owner(args[1], args[2]);
	}
	if (!strcmp(args[0], "revoke")) {
		WANT(1, "revoke DEV");
		return cmd_revoke(args[1]);
	}
	if (!strcmp(args[0], "lock")) {
		WANT(0, "lock");
		return cmd_lock();
	}
	if (!strcmp(args[0], "holders")) {
		WANT(1, "[--json] holders DEV");
		return cmd_holders(args[1]);
	}
	if (!strcmp(args[0], "help")) {
		usage(stdout);
		return 0;
	}
	die(EXIT_USAGE, "unknown command '%s' (see --help)", args[0]);
}
