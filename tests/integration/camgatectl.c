// SPDX-License-Identifier: GPL-2.0
/*
 * camgatectl.c - the camgatectl tool against the real guarded vivid node
 * (issue 7).
 *
 * Each case runs the static camgatectl binary of the initramfs (CAMGATECTL,
 * default /usr/sbin/camgatectl), parses its --json output with a strict
 * parser (ctl.h) and checks it against sysfs and against what the case
 * itself set up: the owner really changes, holders names exactly the
 * process that holds a capability, revoke bumps the generation, and bad
 * input, a failing second write, a non-root caller and an unloaded module
 * each give a message and a non-zero exit with nothing changed.  lock is
 * irreversible: lock-camgatectl.c checks it after lock.c.
 *
 * Leaves the state every program leaves: owner_uid = CAMGATE_OWNER_UID,
 * owner_gid = none, default_policy = deny, camgate loaded.
 */
#include "tap.h"
#include "camgate_test.h"
#include "ctl.h"
#include "indicator.h"

#include <dirent.h>
#include <libgen.h>
#include <linux/capability.h>
#include <sys/klog.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

static char node[64];		/* "video0" */
static char out_node[64];	/* a node camgate does not guard, or "" */

/* The guarded node's state in sysfs. */
struct snap {
	char uid[32], gid[32];
	unsigned long long gen, caps, denials;
};

static void snap(struct snap *s)
{
	cg_sysfs_read(cg.sysfs, "owner_uid", s->uid, sizeof(s->uid));
	cg_sysfs_read(cg.sysfs, "owner_gid", s->gid, sizeof(s->gid));
	s->gen = cg_sysfs_u64(cg.sysfs, "generation");
	s->caps = cg_sysfs_u64(cg.sysfs, "capabilities");
	s->denials = cg_sysfs_u64(cg.sysfs, "denials");
}

static bool same_config(const struct snap *a, const struct snap *b,
			const char *what)
{
	return CHECK(!strcmp(a->uid, b->uid) && !strcmp(a->gid, b->gid) &&
		     a->gen == b->gen,
		     "%s changed the configuration: owner %s:%s gen %llu -> %s:%s gen %llu",
		     what, a->uid, a->gid, a->gen, b->uid, b->gid, b->gen);
}

/* Run, and diagnose the run on a failed expectation. */
static bool ctl_expect(uid_t uid, struct cg_ctl *r, const char *const *argv,
		       bool ok)
{
	char cmd[256];

	cg_ctl_cmd(argv, cmd, sizeof(cmd));
	if (!CHECK(cg_ctl_as(uid, r, argv) == 0, "%s: could not run", cmd))
		return false;
	if (ok)
		return CHECK(r->status == 0 && !r->err[0],
			     "%s (uid %u): exit %d, stderr \"%s\"", cmd, uid,
			     r->status, r->err);
	return CHECK(r->status != 0 && r->status < 128 &&
		     !strncmp(r->err, "camgatectl: ", 12) &&
		     strchr(r->err, '\n') == r->err + strlen(r->err) - 1,
		     "%s (uid %u): exit %d, stderr \"%s\"; want a non-zero exit and one message",
		     cmd, uid, r->status, r->err);
}

static struct cg_json *status_json(struct cg_ctl *r)
{
	static const char *const argv[] = { "--json", "status", NULL };
	struct cg_json *j;
	const char *err = NULL;

	if (!ctl_expect(0, r, argv, true))
		return NULL;
	j = cg_json_parse(r->out, &err);
	CHECK(j, "status --json: %s in \"%s\"", err, r->out);
	return j;
}

static bool json_id_is(const struct cg_json *d, const char *key,
		       const char *sysfs)
{
	struct cg_json *m = cg_json_get(d, key);

	if (!strcmp(sysfs, "none"))
		return m && m->type == CG_JNULL;
	return m && m->type == CG_JNUM && !strcmp(m->str, sysfs);
}

/* ---- status ------------------------------------------------------------------ */

static int status_matches(void *arg)
{
	struct cg_ctl *r = malloc(sizeof(*r));
	struct cg_json *j, *d, *m;
	char name[64], policy[16], group[64];
	struct snap s;

	(void)arg;
	j = status_json(r);
	if (!j)
		return TAP_FAIL;
	snap(&s);
	cg_sysfs_read(cg.sysfs, "name", name, sizeof(name));
	cg_sysfs_read(CG_SYSFS_ROOT, "default_policy", policy, sizeof(policy));
	CHECK(cg_json_u64(j, "abi_version") == 1, "abi_version");
	CHECK(cg_json_str(j, "default_policy") &&
	      !strcmp(cg_json_str(j, "default_policy"), policy),
	      "default_policy is not \"%s\"", policy);
	m = cg_json_get(j, "locked");
	CHECK(m && m->type == CG_JBOOL && !m->b, "locked is not false");
	d = cg_json_device(j, node);
	if (!CHECK(d, "no entry for %s in %s", node, r->out))
		return TAP_FAIL;
	CHECK(cg_json_str(d, "name") && !strcmp(cg_json_str(d, "name"), name),
	      "name is not \"%s\"", name);
	cg_sysfs_read(cg.sysfs, "group", group, sizeof(group));
	CHECK(group[0] && cg_json_str(d, "group") &&
	      !strcmp(cg_json_str(d, "group"), group),
	      "group is not \"%s\"", group);
	CHECK(json_id_is(d, "owner_uid", s.uid), "owner_uid is not %s", s.uid);
	CHECK(cg_json_u64(d, "owner_uid") == cg.owner,
	      "owner_uid is not the owner set before the program, %u", cg.owner);
	CHECK(json_id_is(d, "owner_gid", s.gid), "owner_gid is not %s", s.gid);
	CHECK(cg_json_u64(d, "generation") == s.gen, "generation is not %llu",
	      s.gen);
	CHECK(cg_json_u64(d, "capabilities") == s.caps,
	      "capabilities is not %llu", s.caps);
	CHECK(cg_json_u64(d, "denials") == s.denials, "denials is not %llu",
	      s.denials);
	m = cg_json_get(d, "streaming");
	CHECK(m && m->type == CG_JBOOL && !m->b, "streaming is not false");
	CHECK(!cg_json_device(j, out_node) || !out_node[0],
	      "the unguarded output node %s is listed", out_node);
	tap_diag("%s", r->out);
	return tap_result();
}

static int status_table(void *arg)
{
	static const char *const argv[] = { "status", NULL };
	struct cg_ctl *r = malloc(sizeof(*r));
	char name[64], want[128];
	const char *line;

	(void)arg;
	if (!ctl_expect(0, r, argv, true))
		return TAP_FAIL;
	cg_sysfs_read(cg.sysfs, "name", name, sizeof(name));
	tap_diag("%s", r->out);
	line = strstr(r->out, "\n");
	while (line && strncmp(line + 1, node, strlen(node)))
		line = strchr(line + 1, '\n');
	if (!CHECK(line, "no line for %s", node))
		return TAP_FAIL;
	snprintf(want, sizeof(want), " %s ", name);
	CHECK(strstr(line, want), "the %s line has no card name %s", node, name);
	snprintf(want, sizeof(want), " %u ", cg.owner);
	CHECK(strstr(line, want), "the %s line has no owner %u", node, cg.owner);
	CHECK(strstr(r->out, "NODE") && strstr(r->out, "OWNER") &&
	      strstr(r->out, "STREAMING") && strstr(r->out, "CAPABILITIES") &&
	      strstr(r->out, "DENIALS"), "header missing");
	return tap_result();
}

/* ---- owner -------------------------------------------------------------------- */

static int owner_changes(void *arg)
{
	char devpath[80], uid[32], gid[32];
	const char *set1[] = { "owner", node, "1234", NULL };
	const char *set2[] = { "owner", devpath, "1000:44", NULL };
	const char *set3[] = { "owner", node, "1000:none", NULL };
	struct cg_ctl *r = malloc(sizeof(*r));
	struct cg_json *j, *d;
	struct snap s0, s;

	(void)arg;
	snprintf(devpath, sizeof(devpath), "/dev/%s", node);
	snap(&s0);
	if (!ctl_expect(0, r, set1, true))
		return TAP_FAIL;
	snap(&s);
	CHECK(!strcmp(s.uid, "1234") && !strcmp(s.gid, "none"),
	      "after owner %s 1234: sysfs owner %s:%s", node, s.uid, s.gid);
	CHECK(s.gen == s0.gen + 1, "generation %llu -> %llu, want +1", s0.gen,
	      s.gen);
	j = status_json(r);
	d = cg_json_device(j, node);
	CHECK(d && cg_json_u64(d, "owner_uid") == 1234,
	      "status --json does not show owner_uid 1234");

	if (!ctl_expect(0, r, set2, true))
		return TAP_FAIL;
	snap(&s);
	CHECK(!strcmp(s.uid, "1000") && !strcmp(s.gid, "44"),
	      "after owner %s 1000:44: sysfs owner %s:%s", devpath, s.uid, s.gid);
	CHECK(s.gen == s0.gen + 3, "generation %llu, want %llu (two writes)",
	      s.gen, s0.gen + 3);
	j = status_json(r);
	d = cg_json_device(j, node);
	CHECK(d && cg_json_u64(d, "owner_gid") == 44,
	      "status --json does not show owner_gid 44");

	if (!ctl_expect(0, r, set3, true))
		return TAP_FAIL;
	cg_sysfs_read(cg.sysfs, "owner_uid", uid, sizeof(uid));
	cg_sysfs_read(cg.sysfs, "owner_gid", gid, sizeof(gid));
	CHECK(!strcmp(uid, "1000") && !strcmp(gid, "none"),
	      "after owner 1000:none: sysfs owner %s:%s", uid, gid);
	cg_restore_config();
	return tap_result();
}

static int bad_input(void *arg)
{
	static char n[64], o[64];
	const char *const cases[][6] = {
		{ "owner", n, "abc" }, { "owner", n, "-1" }, { "owner", n, "" },
		{ "owner", n, "4294967295" }, { "owner", n, "4294967296" },
		{ "owner", n, "99999999999999999999" }, { "owner", n, "0x10" },
		{ "owner", n, " 1234" }, { "owner", n, "1234 " },
		{ "owner", n, "1234:" }, { "owner", n, "1234:abc" },
		{ "owner", n, "1234:4294967295" }, { "owner", n, ":44" },
		{ "owner", n, "1234:44:1" },
		{ "owner", "video99", "1234" }, { "owner", "/dev/video99", "1234" },
		{ "owner", "/dev/null", "1234" }, { "owner", "../video0", "1234" },
		{ "owner", "/tmp", "1234" }, { "owner", o, "1234" },
		{ "owner", n }, { "owner", n, "1234", "5" }, { "owner" },
		{ "revoke", "video99" }, { "revoke" }, { "holders", "video99" },
		{ "holders", o }, { "frob" }, { "--bogus", "status" },
		{ "--wait", "x", "owner", n, "1234" }, { "status", "extra" },
	};
	struct cg_ctl *r = malloc(sizeof(*r));
	struct snap s0, s;
	char cmd[256];
	size_t i;

	(void)arg;
	snprintf(n, sizeof(n), "%s", node);
	snprintf(o, sizeof(o), "%s", out_node[0] ? out_node : "video98");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snap(&s0);
		ctl_expect(0, r, cases[i], false);
		snap(&s);
		same_config(&s0, &s, cg_ctl_cmd(cases[i], cmd, sizeof(cmd)));
		tap_diag("%s -> %d: %.*s", cmd, r->status,
			 (int)strcspn(r->err, "\n"), r->err);
	}
	return tap_result();
}

/*
 * owner UID:GID is two writes.  sysfs refuses opening a file for writing
 * when its mode has no write bit, even to root: with owner_gid chmod 0444
 * the uid write succeeds and the gid write fails, so camgatectl must put
 * the uid back.
 */
static char gid_path[PATH_MAX];

static void gid_writable(void)
{
	chmod(gid_path, 0644);
}

static int rollback(void *arg)
{
	const char *set[] = { "owner", node, "1234:55", NULL };
	struct cg_ctl *r = malloc(sizeof(*r));
	struct snap s0, s;

	(void)arg;
	snap(&s0);
	if (!CHECK(chmod(gid_path, 0444) == 0, "chmod %s: %s", gid_path,
		   strerror(errno)))
		return TAP_FAIL;
	ctl_expect(0, r, set, false);
	gid_writable();
	snap(&s);
	tap_diag("exit %d: %s", r->status, r->err);
	CHECK(strstr(r->err, "put back to 1000"),
	      "the message does not say owner_uid was put back");
	CHECK(!strcmp(s.uid, s0.uid) && !strcmp(s.gid, s0.gid),
	      "owner %s:%s -> %s:%s: half applied", s0.uid, s0.gid, s.uid,
	      s.gid);
	/* The uid write and its undo each voided the capabilities. */
	CHECK(s.gen == s0.gen + 2, "generation %llu -> %llu, want +2", s0.gen,
	      s.gen);
	cg_restore_config();
	return tap_result();
}

/* ---- holders and revoke ---------------------------------------------------------- */

struct opener {
	const char *comm;
	int ready[2], stop[2];
	pid_t pid;
};

/* A process that opens the node as @uid and keeps it open until told. */
static int open_and_wait(void *arg)
{
	struct opener *o = arg;
	char c = 0;
	int fd;

	/* Other openers' pipe ends too: their stop must reach them alone. */
	for (fd = 3; fd < 1024; fd++)
		if (fd != o->ready[1] && fd != o->stop[0])
			close(fd);
	prctl(PR_SET_NAME, o->comm);
	fd = cg_open(O_RDWR);
	c = fd >= 0 ? 'y' : 'n';
	if (write(o->ready[1], &c, 1) != 1)
		return TAP_FAIL;
	if (read(o->stop[0], &c, 1) < 0)
		return TAP_FAIL;
	return fd >= 0 ? TAP_PASS : TAP_FAIL;
}

static bool opener_start(struct opener *o, uid_t uid, const char *comm)
{
	char c = 0;

	o->comm = comm;
	if (pipe(o->ready) || pipe(o->stop))
		return false;
	o->pid = cg_spawn(uid, open_and_wait, o);
	close(o->ready[1]);
	close(o->stop[0]);
	return CHECK(read(o->ready[0], &c, 1) == 1 && c == 'y',
		     "uid %u could not open %s", uid, cg.dev);
}

static void opener_stop(struct opener *o)
{
	close(o->stop[1]);
	cg_wait(o->pid, 5000);
}

static struct cg_json *holders_json(struct cg_ctl *r, const char *dev)
{
	const char *argv[] = { "holders", "--json", dev, NULL };
	struct cg_json *j;
	const char *err = NULL;

	if (!ctl_expect(0, r, argv, true))
		return NULL;
	j = cg_json_parse(r->out, &err);
	CHECK(j, "holders --json: %s in \"%s\"", err, r->out);
	CHECK(j && cg_json_str(j, "node") && !strcmp(cg_json_str(j, "node"), node),
	      "node is not %s", node);
	return j;
}

static int holders(void *arg)
{
	struct opener owner, other;
	struct cg_ctl *r = malloc(sizeof(*r));
	const char *table[] = { "holders", node, NULL };
	const char *revoke[] = { "revoke", node, NULL };
	struct cg_json *j, *list, *h;
	char devpath[80], want[64];
	int rootfd;
	unsigned long long g0;

	(void)arg;
	snprintf(devpath, sizeof(devpath), "/dev/%s", node);
	/* Root is not the owner: its open file holds no capability. */
	rootfd = cg_open(O_RDWR);
	if (!opener_start(&other, cg.other, "cg-other") ||
	    !opener_start(&owner, cg.owner, "cg holder"))
		return TAP_FAIL;
	CHECK(cg_sysfs_u64(cg.sysfs, "capabilities") == 1,
	      "capabilities is %llu, want 1",
	      cg_sysfs_u64(cg.sysfs, "capabilities"));

	j = holders_json(r, devpath);
	tap_diag("holders --json: %s", r->out);
	list = cg_json_get(j, "holders");
	if (!CHECK(list && list->type == CG_JARR && cg_json_len(list) == 1,
		   "want exactly one holder (uid %u's pid %d), got %s",
		   cg.owner, owner.pid, r->out))
		return TAP_FAIL;
	h = list->child;
	CHECK(cg_json_u64(h, "pid") == (unsigned long long)owner.pid,
	      "pid is not %d", owner.pid);
	CHECK(cg_json_u64(h, "uid") == cg.owner, "uid is not %u", cg.owner);
	CHECK(cg_json_str(h, "comm") &&
	      !strcmp(cg_json_str(h, "comm"), "cg holder"),
	      "comm is not \"cg holder\" (blank unescaped)");

	if (ctl_expect(0, r, table, true)) {
		snprintf(want, sizeof(want), "%d ", owner.pid);
		CHECK(strstr(r->out, want) && strstr(r->out, " cg holder\n") &&
		      strstr(r->out, "PID"), "table: \"%s\"", r->out);
		snprintf(want, sizeof(want), "%d ", other.pid);
		CHECK(!strstr(r->out, want), "the non-owner %d is listed",
		      other.pid);
	}

	g0 = cg_sysfs_u64(cg.sysfs, "generation");
	ctl_expect(0, r, revoke, true);
	CHECK(cg_sysfs_u64(cg.sysfs, "generation") == g0 + 1,
	      "revoke: generation %llu -> %llu, want +1", g0,
	      cg_sysfs_u64(cg.sysfs, "generation"));
	CHECK(cg_sysfs_u64(cg.sysfs, "capabilities") == 0,
	      "revoke: %llu capabilities left",
	      cg_sysfs_u64(cg.sysfs, "capabilities"));
	j = holders_json(r, node);
	CHECK(cg_json_len(cg_json_get(j, "holders")) == 0,
	      "after revoke the old holder is still listed: %s", r->out);
	j = status_json(r);
	CHECK(cg_json_u64(cg_json_device(j, node), "generation") == g0 + 1,
	      "status --json: generation is not %llu", g0 + 1);
	CHECK(cg_json_u64(cg_json_device(j, node), "capabilities") == 0,
	      "status --json: capabilities is not 0");
	opener_stop(&owner);
	opener_stop(&other);

	/* A new open by the owner holds a capability of the new generation. */
	if (opener_start(&owner, cg.owner, "cg-again")) {
		j = holders_json(r, node);
		list = cg_json_get(j, "holders");
		CHECK(cg_json_len(list) == 1 && list->child &&
		      cg_json_u64(list->child, "pid") == (unsigned long long)owner.pid,
		      "the owner's new open is not listed: %s", r->out);
		opener_stop(&owner);
	}
	j = holders_json(r, node);
	CHECK(cg_json_len(cg_json_get(j, "holders")) == 0,
	      "a closed file is still listed: %s", r->out);
	if (rootfd >= 0)
		close(rootfd);
	return tap_result();
}

/* ---- privileges ---------------------------------------------------------------------- */

static int drop_sys_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
	return syscall(SYS_capset, &h, d);
}

static int non_root(void *arg)
{
	static char n[64];
	const char *const cases[][4] = {
		{ "owner", n, "1001" }, { "owner", n, "1001:1001" },
		{ "revoke", n }, { "holders", n }, { "lock" },
	};
	struct cg_ctl *r = malloc(sizeof(*r));
	char path[PATH_MAX], lock[8], cmd[256];
	struct snap s0, s;
	size_t i;
	pid_t pid;
	int fd;

	(void)arg;
	snprintf(n, sizeof(n), "%s", node);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snap(&s0);
		ctl_expect(cg.other, r, cases[i], false);
		CHECK(strstr(r->err, "root"), "%s: the message does not say root: %s",
		      cg_ctl_cmd(cases[i], cmd, sizeof(cmd)), r->err);
		snap(&s);
		same_config(&s0, &s, cmd);
	}
	CHECK(cg_sysfs_read(CG_SYSFS_ROOT, "lock", lock, sizeof(lock)) == 0 &&
	      !strcmp(lock, "0"), "lock reads %s", lock);

	/* The kernel's own check: the list needs root and CAP_SYS_ADMIN. */
	snprintf(path, sizeof(path), "/proc/camgate/holders/%s", node);
	pid = fork();
	if (!pid) {
		if (cg_become(cg.other))
			_exit(TAP_FAIL);
		fd = open(path, O_RDONLY);
		_exit(fd < 0 && errno == EACCES ? TAP_PASS : TAP_FAIL);
	}
	CHECK(cg_wait(pid, 5000) == TAP_PASS, "uid %u opened %s", cg.other,
	      path);
	pid = fork();
	if (!pid) {
		if (drop_sys_admin())
			_exit(TAP_FAIL);
		fd = open(path, O_RDONLY);
		_exit(fd < 0 && errno == EPERM ? TAP_PASS : TAP_FAIL);
	}
	CHECK(cg_wait(pid, 5000) == TAP_PASS,
	      "root without CAP_SYS_ADMIN opened %s (want EPERM)", path);
	return tap_result();
}

/*
 * streaming is root only (mode 0400, issue 16 item 7): another uid's
 * status shows it unknown ("?", null), and everything else as root sees it.
 */
static int non_root_status(void *arg)
{
	static const char *const json[] = { "--json", "status", NULL };
	static const char *const table[] = { "status", NULL };
	struct cg_ctl *r = malloc(sizeof(*r));
	char want[128], uid[16];
	struct cg_json *j, *d, *m;
	const char *err = NULL, *line;
	struct snap s;

	(void)arg;
	if (!ctl_expect(cg.other, r, json, true))
		return TAP_FAIL;
	snap(&s);
	j = cg_json_parse(r->out, &err);
	if (!CHECK(j, "status --json as uid %u: %s in \"%s\"", cg.other, err,
		   r->out))
		return TAP_FAIL;
	d = cg_json_device(j, node);
	if (!CHECK(d, "no entry for %s in %s", node, r->out))
		return TAP_FAIL;
	m = cg_json_get(d, "streaming");
	CHECK(m && m->type == CG_JNULL,
	      "uid %u's status --json: streaming is not null", cg.other);
	CHECK(json_id_is(d, "owner_uid", s.uid) &&
	      cg_json_u64(d, "generation") == s.gen,
	      "uid %u's status --json differs from sysfs: %s", cg.other,
	      r->out);

	if (!ctl_expect(cg.other, r, table, true))
		return TAP_FAIL;
	tap_diag("%s", r->out);
	line = strstr(r->out, "\n");
	while (line && strncmp(line + 1, node, strlen(node)))
		line = strchr(line + 1, '\n');
	if (!CHECK(line, "no line for %s", node))
		return TAP_FAIL;
	/* NODE NAME OWNER STREAMING ...: the owner, then "?". */
	snprintf(uid, sizeof(uid), "%u", cg.owner);
	snprintf(want, sizeof(want), " %-12s %-9s ", uid, "?");
	CHECK(strstr(line, want),
	      "uid %u's table: no \"%s\" (owner, then streaming ?) on the %s line",
	      cg.other, want, node);
	return tap_result();
}

/* ---- module not loaded ------------------------------------------------------------------ */

static int reload(void)
{
	const char *ko = getenv("CAMGATE_KO");
	int fd, r;

	if (!access(CG_SYSFS_ROOT, F_OK))
		return 0;
	fd = open(ko && *ko ? ko : "/camgate/camgate.ko", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	if (!r)
		cg_restore_config();
	return r;
}

static void cleanup(void)
{
	gid_writable();
	reload();
	cg_restore_config();
}

static int not_loaded(void *arg)
{
	static char n[64];
	const char *const cases[][4] = {
		{ "status" }, { "--json", "status" }, { "owner", n, "1000" },
		{ "revoke", n }, { "holders", n }, { "lock" },
	};
	struct cg_ctl *r = malloc(sizeof(*r));
	long deadline = tap_now_ms() + 8000;
	char cmd[256], path[PATH_MAX], c;
	struct opener owner;
	size_t i;
	ssize_t got;
	int err, fd;

	(void)arg;
	snprintf(n, sizeof(n), "%s", node);
	/* A reader in the middle of the list while camgate goes away. */
	snprintf(path, sizeof(path), "/proc/camgate/holders/%s", node);
	if (!opener_start(&owner, cg.owner, "cg-reader"))
		return TAP_FAIL;
	fd = open(path, O_RDONLY);
	got = fd >= 0 ? read(fd, &c, 1) : -1;
	CHECK(got == 1, "%s: first byte: %s", path, strerror(errno));
	opener_stop(&owner);
	while (syscall(SYS_delete_module, "camgate", O_NONBLOCK)) {
		if ((errno != EAGAIN && errno != EBUSY) ||
		    tap_now_ms() > deadline) {
			CHECK(0, "rmmod camgate: %s", strerror(errno));
			return TAP_FAIL;
		}
		tap_sleep_ms(100);
	}
	got = read(fd, &c, 1);
	CHECK(got == -1 && errno == EIO,
	      "reading %s on after rmmod: %zd (%s), want EIO", path, got,
	      got < 0 ? strerror(errno) : "data");
	close(fd);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ctl_expect(0, r, cases[i], false);
		CHECK(strstr(r->err, "not loaded"),
		      "%s: the message does not say camgate is not loaded: %s",
		      cg_ctl_cmd(cases[i], cmd, sizeof(cmd)), r->err);
		CHECK(!r->out[0], "%s printed \"%s\"", cmd, r->out);
	}
	err = reload();
	CHECK(!err, "insmod camgate again: %s", strerror(-err));
	CHECK(cg_sysfs_u64(cg.sysfs, "generation") != ~0ULL,
	      "%s is not back", cg.sysfs);
	return tap_result();
}

static int help(void *arg)
{
	static const char *const argv[] = { "--help", NULL };
	static const char *const cmds[] = {
		"status", "owner DEV UID[:GID]", "revoke DEV", "lock",
		"holders DEV", "watch [DEV]", "--json", "--wait", "--count",
	};
	struct cg_ctl *r = malloc(sizeof(*r));
	size_t i;

	(void)arg;
	if (!ctl_expect(0, r, argv, true))
		return TAP_FAIL;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		CHECK(strstr(r->out, cmds[i]), "--help does not name %s", cmds[i]);
	return tap_result();
}

/* ---- issue 17: camgatectl watch -------------------------------------------------- */

/* camgatectl ARGS... in the background, its stdout on *out. */
static pid_t ctl_bg(int *out, const char *const *argv)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (!pid) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execv(cg_ctl_path(), (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	*out = p[0];
	return pid;
}

/* What the watcher printed until it exited (after --count events). */
static void ctl_bg_end(pid_t pid, int out, char *buf, size_t len)
{
	CHECK(cg_wait(pid, 10000) == 0, "camgatectl watch did not exit 0 after --count events");
	cg_ctl_drain(out, buf, len);
	close(out);
}

static int watch_json(void *arg __attribute__((unused)))
{
	const char *const argv[] = { "camgatectl", "--json", "--count", "4",
				     "watch", node, NULL };
	static char out[65536];
	struct ind_owner o = { 0 };
	struct cg_json *j[4] = { 0 };
	char *line, *save = NULL;
	const char *err;
	int fd, n = 0;
	unsigned long long gen;
	pid_t pid;

	/* A deny uevent of an earlier case can be up to a second late. */
	tap_sleep_ms(1100);
	pid = ctl_bg(&fd, argv);

	if (!CHECK(pid > 0, "cannot start camgatectl"))
		return TAP_FAIL;
	tap_sleep_ms(1000);	/* bound to the uevent socket */
	CHECK(cg_sysfs_write(cg.sysfs, "revoke", "1") > 0, "revoke: %s",
	      strerror(errno));
	gen = cg_sysfs_u64(cg.sysfs, "generation");
	if (CHECK(ind_owner_start(&o) == 0, "owner helper")) {
		CHECK(ind_owner_do(&o, 'n') == 0, "STREAMON");
		CHECK(ind_owner_do(&o, 'f') == 0, "STREAMOFF");
	}
	CHECK(cg_run_as(cg.other, ind_deny_once, NULL, 10000) == TAP_PASS,
	      "denial helper");
	ctl_bg_end(pid, fd, out, sizeof(out));
	for (line = strtok_r(out, "\n", &save); line && n < 4;
	     line = strtok_r(NULL, "\n", &save)) {
		j[n] = cg_json_parse(line, &err);
		if (!CHECK(j[n], "line %d is not JSON (%s): %s", n + 1, err, line))
			return tap_result();
		CHECK(!strcmp(cg_json_str(j[n], "node") ?: "", node),
		      "line %d: node %s", n + 1, cg_json_str(j[n], "node"));
		n++;
	}
	if (!CHECK(n == 4, "%d lines, want 4", n))
		return tap_result();
	CHECK(!strcmp(cg_json_str(j[0], "event") ?: "", "owner") &&
	      cg_json_get(j[0], "revoked") && cg_json_get(j[0], "revoked")->b &&
	      cg_json_u64(j[0], "generation") == gen &&
	      cg_json_u64(j[0], "owner_uid") == cg.owner &&
	      cg_json_u64(j[0], "uid") == 0,
	      "line 1: want the revocation (owner, revoked, generation %llu, owner_uid %u, uid 0)",
	      gen, cg.owner);
	CHECK(!strcmp(cg_json_str(j[1], "event") ?: "", "stream") &&
	      cg_json_get(j[1], "streaming") && cg_json_get(j[1], "streaming")->b &&
	      cg_json_u64(j[1], "pid") == (unsigned long long)o.pid &&
	      cg_json_u64(j[1], "uid") == cg.owner,
	      "line 2: want stream on by pid %d uid %u", o.pid, cg.owner);
	CHECK(!strcmp(cg_json_str(j[2], "event") ?: "", "stream") &&
	      cg_json_get(j[2], "streaming") && !cg_json_get(j[2], "streaming")->b,
	      "line 3: want stream off");
	CHECK(!strcmp(cg_json_str(j[3], "event") ?: "", "deny") &&
	      !strcmp(cg_json_str(j[3], "op") ?: "", "ioctl") &&
	      !strcmp(cg_json_str(j[3], "reason") ?: "", "no-capability") &&
	      cg_json_u64(j[3], "uid") == cg.other &&
	      cg_json_u64(j[3], "denials") >= 1,
	      "line 4: want deny ioctl no-capability by uid %u", cg.other);
	ind_owner_stop(&o);
	return tap_result();
}

static int watch_text(void *arg __attribute__((unused)))
{
	const char *const argv[] = { "camgatectl", "--count", "2", "watch",
				     cg.dev, NULL };
	static char out[65536];
	char want[128];
	int fd;
	pid_t pid;

	tap_sleep_ms(1100);	/* a late deny uevent of an earlier case */
	pid = ctl_bg(&fd, argv);

	if (!CHECK(pid > 0, "cannot start camgatectl"))
		return TAP_FAIL;
	tap_sleep_ms(1000);
	CHECK(cg_sysfs_write(cg.sysfs, "owner_uid", "1002") > 0,
	      "owner_uid <- 1002: %s", strerror(errno));
	cg_restore_config();
	ctl_bg_end(pid, fd, out, sizeof(out));
	snprintf(want, sizeof(want), "watching %s\n", node);
	CHECK(!strncmp(out, want, strlen(want)), "first line is not \"%s\"", want);
	snprintf(want, sizeof(want), " %s owner 1002:none (generation ", node);
	CHECK(strstr(out, want), "no line with \"%s\"", want);
	snprintf(want, sizeof(want), " %s owner %u:none (generation ", node,
		 cg.owner);
	CHECK(strstr(out, want), "no line with \"%s\"", want);
	CHECK(strstr(out, ") set by pid "), "the writer is not named");
	if (tap.case_failed)
		tap_diag("output: %s", out);
	return tap_result();
}

/* ---- issue 18: --version, names, apply, why a call was refused -------------------- */

static int version(void *arg)
{
	static const char *const argv[] = { "--version", NULL };
	struct cg_ctl *r = malloc(sizeof(*r));

	(void)arg;
	if (!ctl_expect(0, r, argv, true))
		return TAP_FAIL;
	tap_diag("%s", r->out);
	CHECK(!strncmp(r->out, "camgatectl ", 11) && r->out[11] &&
	      r->out[11] != '\n' && strchr(r->out, '\n') == r->out + strlen(r->out) - 1,
	      "--version printed \"%s\", want one line \"camgatectl VERSION\"", r->out);
	return tap_result();
}

/* The VM's /etc/passwd: owner is uid 1000, other 1001; groups the same. */
static int names(void *arg)
{
	const char *set[] = { "owner", node, "other:owner", NULL };
	const char *bad[][4] = {
		{ "owner", node, "no-such-user" }, { "owner", node, "other:no-such-group" },
	};
	struct cg_ctl *r = malloc(sizeof(*r));
	struct snap s0, s;
	size_t i;

	(void)arg;
	if (!ctl_expect(0, r, set, true))
		return TAP_FAIL;
	snap(&s);
	CHECK(!strcmp(s.uid, "1001") && !strcmp(s.gid, "1000"),
	      "owner %s other:owner: sysfs owner %s:%s, want 1001:1000", node,
	      s.uid, s.gid);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snap(&s0);
		ctl_expect(0, r, bad[i], false);
		snap(&s);
		CHECK(r->status == 2, "%s %s: exit %d, want 2", bad[i][1], bad[i][2],
		      r->status);
		same_config(&s0, &s, bad[i][2]);
	}
	cg_restore_config();
	return tap_result();
}

static bool write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f))
		return CHECK(false, "%s: %s", path, strerror(errno));
	return true;
}

static int apply(void *arg)
{
	static const char conf[] = "/tmp/cg-apply.conf", badconf[] = "/tmp/cg-bad.conf";
	const char *run[] = { "apply", conf, NULL };
	const char *rundev[] = { "--wait", "1", "apply", conf, node, NULL };
	const char *runbad[] = { "apply", badconf, NULL };
	char text[256];
	struct cg_ctl *r = malloc(sizeof(*r));
	struct snap s0, s;

	(void)arg;
	snprintf(text, sizeof(text),
		 "# camgatectl.c\nusb=ffff:ffff 4242\nnode=%s other # first match\nnode=%s 4343\nname=no-such-* 4444\n",
		 node, node);
	if (!write_file(conf, text))
		return TAP_FAIL;
	snap(&s0);
	if (!ctl_expect(0, r, run, true))
		return TAP_FAIL;
	snap(&s);
	tap_diag("%s", r->out);
	CHECK(!strcmp(s.uid, "1001") && s.gen == s0.gen + 1,
	      "after apply: owner_uid %s gen %llu, want 1001 gen %llu", s.uid,
	      s.gen, s0.gen + 1);
	CHECK(strstr(r->out, node) && strstr(r->out, ":3)"),
	      "apply did not report %s from line 3: \"%s\"", node, r->out);

	/* Again, and as udev runs it: nothing to change, nothing written. */
	snap(&s0);
	if (ctl_expect(0, r, run, true))
		CHECK(!r->out[0], "second apply printed \"%s\"", r->out);
	if (ctl_expect(0, r, rundev, true))
		CHECK(!r->out[0], "apply FILE %s printed \"%s\"", node, r->out);
	snap(&s);
	same_config(&s0, &s, "apply with nothing to change");

	/* A bad line: usage error naming it, nothing written. */
	snprintf(text, sizeof(text), "node=%s 1000\ncolour=red 1000\n", node);
	if (!write_file(badconf, text))
		return TAP_FAIL;
	snap(&s0);
	ctl_expect(0, r, runbad, false);
	snap(&s);
	CHECK(r->status == 2 && strstr(r->err, "cg-bad.conf:2:"),
	      "bad configuration: exit %d, \"%s\"", r->status, r->err);
	same_config(&s0, &s, "apply with a bad line");
	unlink(conf);
	unlink(badconf);
	cg_restore_config();
	return tap_result();
}

/* REQBUFS on @fd: 0, or the errno. */
static int reqbufs(int fd)
{
	struct v4l2_requestbuffers rb = {
		.count = 1,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};

	if (!ioctl(fd, VIDIOC_REQBUFS, &rb)) {
		rb.count = 0;
		ioctl(fd, VIDIOC_REQBUFS, &rb);
		return 0;
	}
	return errno;
}

/* Each helper makes one refused call of one kind; its reason follows. */
enum why_case { WHY_NO_CAP, WHY_STALE, WHY_CRED, WHY_PASSED };

static const char *const why_word[] = {
	[WHY_NO_CAP] = "no-capability", [WHY_STALE] = "stale-capability",
	[WHY_CRED] = "credential-changed", [WHY_PASSED] = "passed-file",
};

/* Root, with the owner's euid for now: seteuid(0) gets root back. */
static int as_owner_then(void *arg)
{
	enum why_case c = (enum why_case)(long)arg;
	int fd, err, status;
	pid_t pid;

	if (c == WHY_NO_CAP) {
		/* A non-owner, with a name that tries to forge a log line. */
		prctl(PR_SET_NAME, "cg\nforged");
		if (cg_become(cg.other))
			return TAP_FAIL;
		fd = cg_open(O_RDWR);
		err = fd < 0 ? -1 : reqbufs(fd);
		return err == EACCES ? TAP_PASS : TAP_FAIL;
	}
	if (setresgid(-1, cg.owner, 0) || setresuid(-1, cg.owner, 0))
		return TAP_FAIL;
	fd = cg_open(O_RDWR);	/* the owner's capability */
	if (fd < 0 || seteuid(0) || setegid(0))
		return TAP_FAIL;
	switch (c) {
	case WHY_STALE:
		if (cg_sysfs_write(cg.sysfs, "revoke", "1") < 0 ||
		    setegid(cg.owner) || seteuid(cg.owner))
			return TAP_FAIL;
		break;
	case WHY_CRED:
		if (setegid(cg.other) || seteuid(cg.other))
			return TAP_FAIL;
		break;
	case WHY_PASSED:
		pid = fork();
		if (!pid)
			_exit(cg_become(cg.other) ? TAP_FAIL :
			      reqbufs(fd) == EACCES ? TAP_PASS : TAP_FAIL);
		if (pid < 0 || waitpid(pid, &status, 0) != pid)
			return TAP_FAIL;
		return WIFEXITED(status) ? WEXITSTATUS(status) : TAP_FAIL;
	default:
		return TAP_FAIL;
	}
	return reqbufs(fd) == EACCES ? TAP_PASS : TAP_FAIL;
}

static int reasons(void *arg)
{
	struct cg_ctl *r = malloc(sizeof(*r));
	char why[64], *log = malloc(1 << 20);
	struct cg_json *j;
	int c, n;

	(void)arg;
	for (c = WHY_NO_CAP; c <= WHY_PASSED; c++) {
		CHECK(cg_run_as(0, as_owner_then, (void *)(long)c, 10000) == TAP_PASS,
		      "%s: the refused call was not refused with EACCES", why_word[c]);
		cg_sysfs_read(cg.sysfs, "last_denial", why, sizeof(why));
		CHECK(!strcmp(why, why_word[c]), "last_denial is \"%s\", want \"%s\"",
		      why, why_word[c]);
		j = status_json(r);
		CHECK(j && cg_json_str(cg_json_device(j, node), "last_denial") &&
		      !strcmp(cg_json_str(cg_json_device(j, node), "last_denial"),
			      why_word[c]),
		      "status --json: last_denial is not \"%s\"", why_word[c]);
		cg_restore_config();
	}
	/* The log line: the reason, and the command name escaped. */
	n = klogctl(3, log, (1 << 20) - 1);	/* SYSLOG_ACTION_READ_ALL */
	log[n > 0 ? n : 0] = '\0';
	snprintf(why, sizeof(why), "(cg\\nforged) uid %u: no-capability", cg.other);
	CHECK(strstr(log, why), "the kernel log has no \"%s\"", why);
	CHECK(!strstr(log, "(cg\nforged)"), "the command name's newline reached the log");
	free(log);
	return tap_result();
}

static int restored(void *arg)
{
	(void)arg;
	cg_expect_start_config();
	return tap_result();
}

/*
 * A video4linux node camgate does not guard.  Since issue 15 every vivid
 * node is (a member of the capture node's group): there may be none.
 */
static void find_out_node(void)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir("/sys/class/video4linux");

	while (d && (de = readdir(d))) {
		snprintf(path, sizeof(path), CG_SYSFS_ROOT "/devices/%s",
			 de->d_name);
		if (de->d_name[0] != '.' && strlen(de->d_name) < sizeof(out_node) &&
		    access(path, F_OK) != 0 && !out_node[0])
			strcpy(out_node, de->d_name);
	}
	if (d)
		closedir(d);
}

int main(void)
{
	char devcopy[PATH_MAX];

	tap_plan(17, 200);
	cg_env_load();
	snprintf(devcopy, sizeof(devcopy), "%s", cg.dev);
	snprintf(node, sizeof(node), "%s", basename(devcopy));
	snprintf(gid_path, sizeof(gid_path), "%s/owner_gid", cg.sysfs);
	find_out_node();
	tap_diag("camgatectl %s, node %s, unguarded output node %s",
		 cg_ctl_path(), node, out_node[0] ? out_node : "(none)");
	tap_set_cleanup(cleanup);

	tap_run(help, NULL, 10, "camgatectl --help names every command");
	tap_run(status_matches, NULL, 10,
		"camgatectl status --json: valid JSON, %s's entry equals sysfs", node);
	tap_run(status_table, NULL, 10,
		"camgatectl status: a table with node, card name and owner");
	tap_run(owner_changes, NULL, 15,
		"camgatectl owner: UID, then /dev/%s UID:GID, change sysfs and status", node);
	tap_run(bad_input, NULL, 30,
		"camgatectl: bad input (ids, devices, usage) exits non-zero and changes nothing");
	tap_run(rollback, NULL, 10,
		"camgatectl owner UID:GID: the gid write fails, the uid is put back");
	tap_run(holders, NULL, 20,
		"camgatectl holders lists the owner's open file, not uid %u's nor root's; revoke empties it",
		cg.other);
	tap_run(version, NULL, 10, "camgatectl --version: one line, camgatectl VERSION");
	tap_run(names, NULL, 15,
		"camgatectl owner DEV USER:GROUP takes names; unknown names exit 2, change nothing");
	tap_run(apply, NULL, 20,
		"camgatectl apply FILE [DEV]: first matching line, no rewrite when nothing changes, a bad line changes nothing");
	tap_run(reasons, NULL, 40,
		"a refused call's reason in last_denial, status --json and the log line (comm escaped): no-capability, stale-capability, credential-changed, passed-file");
	tap_run(watch_json, NULL, 20,
		"camgatectl --json watch DEV: a revocation, stream on, stream off, a denial, one JSON object each");
	tap_run(watch_text, NULL, 15,
		"camgatectl watch /dev/NODE: owner changes as text lines naming owner, generation, writer");
	tap_run(non_root, NULL, 15,
		"camgatectl as uid %u: owner, revoke, holders, lock refused, nothing changes; the kernel list is root-only",
		cg.other);
	tap_run(non_root_status, NULL, 15,
		"camgatectl status as uid %u: streaming (root only) is ? and null, the rest as sysfs says",
		cg.other);
	tap_run(not_loaded, NULL, 20,
		"camgatectl with camgate unloaded: every command says so, exits non-zero; an open holders list reads EIO");
	cleanup();
	tap_run(restored, NULL, 10,
		"state restored: owner_uid %u, owner_gid none, default_policy deny",
		cg.owner);
	return tap_finish();
}
