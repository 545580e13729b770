// SPDX-License-Identifier: GPL-2.0
/*
 * config.c - camgate's sysfs configuration under attack (ATTACKS.md cases
 * 14 and 15, and the sysfs half of case 9).
 *
 * Non-root users (the attacker and the owner alike), a root-opened file
 * written after dropping privileges, and root without CAP_SYS_ADMIN must
 * all fail to change anything; malformed values (text, signs, overflow,
 * blanks, trailing garbage, the unmappable uid 4294967295) get EINVAL and
 * change nothing.  Root's valid writes are the control: they take effect
 * (and the generation moves), so the refusals are not a file that refuses
 * everything.  The program leaves owner_uid = CAMGATE_OWNER_UID,
 * owner_gid = none and default_policy = deny.
 */
#include "tap.h"
#include "camgate_test.h"

#include <dirent.h>
#include <sys/syscall.h>
#include <linux/capability.h>

struct snap {
	char uid[32];
	char gid[32];
	char policy[32];
	unsigned long long gen;
};

static void cleanup(void)
{
	cg_restore_config();
}

static void take(struct snap *s)
{
	memset(s, 0, sizeof(*s));
	cg_sysfs_read(cg.sysfs, "owner_uid", s->uid, sizeof(s->uid));
	cg_sysfs_read(cg.sysfs, "owner_gid", s->gid, sizeof(s->gid));
	cg_sysfs_read(CG_SYSFS_ROOT, "default_policy", s->policy,
		      sizeof(s->policy));
	s->gen = cg_sysfs_u64(cg.sysfs, "generation");
}

static bool unchanged(const struct snap *before, const char *what)
{
	struct snap now;

	take(&now);
	return CHECK(!strcmp(now.uid, before->uid) &&
		     !strcmp(now.gid, before->gid) &&
		     !strcmp(now.policy, before->policy) &&
		     now.gen == before->gen,
		     "%s changed the state: owner_uid %s -> %s, owner_gid %s -> %s, default_policy %s -> %s, generation %llu -> %llu",
		     what, before->uid, now.uid, before->gid, now.gid,
		     before->policy, now.policy, before->gen, now.gen);
}

/* A value as the test names it: quoted, newlines and blanks visible. */
static const char *show(const char *v, size_t len, char *out, size_t n)
{
	size_t i, o = 0;

	out[o++] = '"';
	for (i = 0; i < len && o + 4 < n; i++) {
		if (v[i] == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else {
			out[o++] = v[i];
		}
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

/* ---- case 14: who may write ------------------------------------------------- */

struct mode_want {
	const char *file;
	mode_t mode;
};

static int check_mode(const char *dir, const struct mode_want *m)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, m->file);
	if (!CHECK(stat(path, &st) == 0, "stat %s: %s", path, strerror(errno)))
		return -1;
	CHECK(st.st_uid == 0, "%s is owned by uid %u", path, st.st_uid);
	CHECK((st.st_mode & 07777) == m->mode, "%s has mode %04o, want %04o",
	      path, st.st_mode & 07777, m->mode);
	return 0;
}

static void walk_writable(const char *dir, int depth)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);

	if (!CHECK(d, "opendir %s: %s", dir, strerror(errno)))
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st))
			continue;
		if (S_ISLNK(st.st_mode))
			continue;
		CHECK(!(st.st_mode & (S_IWGRP | S_IWOTH)),
		      "%s is writable by group or others (mode %04o)", path,
		      st.st_mode & 07777);
		CHECK(st.st_uid == 0, "%s is owned by uid %u", path, st.st_uid);
		if (S_ISDIR(st.st_mode) && depth > 0)
			walk_writable(path, depth - 1);
	}
	closedir(d);
}

static int modes(void *arg)
{
	static const struct mode_want root[] = {
		{ "abi_version", 0444 }, { "default_policy", 0644 },
	};
	static const struct mode_want dev[] = {
		{ "name", 0444 }, { "group", 0444 }, { "owner_uid", 0644 },
		{ "owner_gid", 0644 },
		{ "revoke", 0200 }, { "generation", 0444 },
		{ "streaming", 0400 }, { "capabilities", 0444 },
		{ "denials", 0444 },
	};
	char buf[32];
	size_t i;

	(void)arg;
	for (i = 0; i < sizeof(root) / sizeof(root[0]); i++)
		check_mode(CG_SYSFS_ROOT, &root[i]);
	for (i = 0; i < sizeof(dev) / sizeof(dev[0]); i++)
		check_mode(cg.sysfs, &dev[i]);
	walk_writable(CG_SYSFS_ROOT, 2);
	CHECK(cg_sysfs_read(CG_SYSFS_ROOT, "abi_version", buf, sizeof(buf)) ==
	      0 && !strcmp(buf, "1"), "abi_version reads \"%s\", want 1", buf);
	return tap_result();
}

/* What a non-root user would like to write. */
static const struct {
	const char *dir_is_dev;	/* non-NULL: the device directory */
	const char *file;
	const char *value;
} wishes[] = {
	{ "dev", "owner_uid", "1001\n" },
	{ "dev", "owner_gid", "1001\n" },
	{ "dev", "owner_uid", "none\n" },
	{ "dev", "revoke", "1\n" },
	{ NULL, "default_policy", "allow\n" },
};

static int nonroot_writes(void *arg)
{
	uid_t uid = *(uid_t *)arg;
	struct snap before;
	char what[128];
	size_t i;
	ssize_t n;

	take(&before);
	if (cg_become(uid))
		return TAP_FAIL;
	for (i = 0; i < sizeof(wishes) / sizeof(wishes[0]); i++) {
		n = cg_sysfs_write(wishes[i].dir_is_dev ? cg.sysfs :
				   CG_SYSFS_ROOT, wishes[i].file,
				   wishes[i].value);
		snprintf(what, sizeof(what), "uid %u writing %s to %s", uid,
			 wishes[i].value, wishes[i].file);
		CHECK(n == -EACCES || n == -EPERM,
		      "%s: %zd (%s), want EACCES or EPERM", what, n,
		      n < 0 ? strerror(-n) : "written");
		unchanged(&before, what);
	}
	return tap_result();
}

static int root_fd_then_drop(void *arg)
{
	static const char *const files[] = { "owner_uid", "owner_gid" };
	struct snap before;
	char path[PATH_MAX];
	int fd[3], i, err;
	ssize_t n;

	(void)arg;
	take(&before);
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", cg.sysfs, files[i]);
		fd[i] = open(path, O_WRONLY);
		if (!CHECK(fd[i] >= 0, "root open %s: %s", path,
			   strerror(errno)))
			return TAP_FAIL;
	}
	fd[2] = open(CG_SYSFS_ROOT "/default_policy", O_WRONLY);
	if (!CHECK(fd[2] >= 0, "root open default_policy: %s",
		   strerror(errno)))
		return TAP_FAIL;
	if (cg_become(cg.other))
		return TAP_FAIL;
	for (i = 0; i < 3; i++) {
		n = write(fd[i], i < 2 ? "1001\n" : "allow\n", i < 2 ? 5 : 6);
		err = errno;
		CHECK(n == -1 && (err == EPERM || err == EACCES),
		      "uid %u writing through root's %s fd: %zd (%s), want EPERM",
		      cg.other, i < 2 ? files[i] : "default_policy", n,
		      n < 0 ? strerror(err) : "written");
		close(fd[i]);
	}
	unchanged(&before, "writes through root-opened files");
	return tap_result();
}

static int drop_cap(int cap)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d))
		return -1;
	d[cap / 32].effective &= ~(1u << (cap % 32));
	d[cap / 32].permitted &= ~(1u << (cap % 32));
	return syscall(SYS_capset, &h, d) ? -1 : 0;
}

static int root_without_sys_admin(void *arg)
{
	struct snap before;
	ssize_t n;

	(void)arg;
	take(&before);
	if (!CHECK(drop_cap(CAP_SYS_ADMIN) == 0, "capset: %s",
		   strerror(errno)))
		return TAP_FAIL;
	n = cg_sysfs_write(cg.sysfs, "owner_uid", "1001\n");
	CHECK(n == -EPERM || n == -EACCES,
	      "uid 0 without CAP_SYS_ADMIN writing owner_uid: %zd (%s), want EPERM",
	      n, n < 0 ? strerror(-n) : "written");
	n = cg_sysfs_write(CG_SYSFS_ROOT, "default_policy", "allow\n");
	CHECK(n == -EPERM || n == -EACCES,
	      "uid 0 without CAP_SYS_ADMIN writing default_policy: %zd (%s), want EPERM",
	      n, n < 0 ? strerror(-n) : "written");
	n = cg_sysfs_write(cg.sysfs, "revoke", "1\n");
	CHECK(n == -EPERM || n == -EACCES,
	      "uid 0 without CAP_SYS_ADMIN writing revoke: %zd (%s), want EPERM",
	      n, n < 0 ? strerror(-n) : "written");
	unchanged(&before, "uid 0 without CAP_SYS_ADMIN");
	return tap_result();
}

/* ---- case 15: malformed values ------------------------------------------------ */

struct bad {
	const char *dir;	/* NULL: the device directory */
	const char *file;
	const char *value;
	size_t len;
};

#define BAD(f, v)	{ NULL, f, v, sizeof(v) - 1 }
#define BADROOT(f, v)	{ CG_SYSFS_ROOT, f, v, sizeof(v) - 1 }

static const struct bad bads[] = {
	BAD("owner_uid", "abc"), BAD("owner_uid", "-1"),
	BAD("owner_uid", "4294967296"), BAD("owner_uid", "\n"),
	BAD("owner_uid", " "), BAD("owner_uid", "12x"),
	BAD("owner_uid", "4294967295"), BAD("owner_uid", "4294967295\n"),
	BAD("owner_uid", " 1001"), BAD("owner_uid", "1001 "),
	BAD("owner_uid", "0x3e9"), BAD("owner_uid", "+1001"),
	BAD("owner_uid", "1001\n\n"), BAD("owner_uid", "99999999999999999999"),
	BAD("owner_uid", "none1"), BAD("owner_uid", "NONE"),
	BAD("owner_uid", "1e3"), BAD("owner_uid", "-0"),
	BAD("owner_gid", "abc"), BAD("owner_gid", "-1"),
	BAD("owner_gid", "4294967296"), BAD("owner_gid", "\n"),
	BAD("owner_gid", " "), BAD("owner_gid", "12x"),
	BAD("owner_gid", "4294967295"), BAD("owner_gid", "0x3e8"),
	BAD("owner_gid", "1000 "), BAD("owner_gid", "nonex"),
	BADROOT("default_policy", "Deny"), BADROOT("default_policy", "DENY"),
	BADROOT("default_policy", "denyx"), BADROOT("default_policy", "allow deny"),
	BADROOT("default_policy", "1"), BADROOT("default_policy", "0"),
	BADROOT("default_policy", " "), BADROOT("default_policy", "\n"),
	BADROOT("default_policy", "allo"),
	BAD("revoke", "0"), BAD("revoke", "2"), BAD("revoke", "yes"),
	BAD("revoke", "11"), BAD("revoke", " 1"), BAD("revoke", "\n"),
};

#define NBADS	(sizeof(bads) / sizeof(bads[0]))

static int malformed(void *arg)
{
	const struct bad *b = arg;
	struct snap before;
	char shown[64], what[128];
	ssize_t n;

	take(&before);
	n = cg_sysfs_write_len(b->dir ? b->dir : cg.sysfs, b->file, b->value,
			       b->len);
	snprintf(what, sizeof(what), "root writing %s to %s",
		 show(b->value, b->len, shown, sizeof(shown)), b->file);
	CHECK(n == -EINVAL, "%s: %zd (%s), want EINVAL", what, n,
	      n < 0 ? strerror(-n) : "accepted");
	unchanged(&before, what);
	return tap_result();
}

static int empty_write(void *arg)
{
	const char *file = arg;
	struct snap before;
	ssize_t n;

	take(&before);
	n = cg_sysfs_write_len(strcmp(file, "default_policy") ? cg.sysfs :
			       CG_SYSFS_ROOT, file, "", 0);
	/* sysfs does not call the store for 0 bytes: 0 is fine, so is EINVAL. */
	CHECK(n == 0 || n == -EINVAL, "zero-length write to %s: %zd (%s)",
	      file, n, n < 0 ? strerror(-n) : "-");
	unchanged(&before, "a zero-length write");
	return tap_result();
}

/* ---- controls: valid values take effect --------------------------------------- */

static bool write_reads(const char *dir, const char *file, const char *value,
			const char *want, bool bumps)
{
	unsigned long long gen = cg_sysfs_u64(cg.sysfs, "generation"), now;
	char buf[64] = "", shown[64];
	ssize_t n = cg_sysfs_write(dir, file, value);
	bool ok;

	show(value, strlen(value), shown, sizeof(shown));
	ok = CHECK(n == (ssize_t)strlen(value), "root writing %s to %s: %zd (%s)",
		   shown, file, n, n < 0 ? strerror(-n) : "short");
	if (want)
		ok &= CHECK(cg_sysfs_read(dir, file, buf, sizeof(buf)) == 0 &&
			    !strcmp(buf, want),
			    "after writing %s, %s reads \"%s\", want \"%s\"",
			    shown, file, buf, want);
	now = cg_sysfs_u64(cg.sysfs, "generation");
	if (bumps)
		ok &= CHECK(now > gen,
			    "generation did not move (%llu -> %llu) on writing %s to %s",
			    gen, now, shown, file);
	return ok;
}

static int valid_uids(void *arg)
{
	char own[16];

	(void)arg;
	snprintf(own, sizeof(own), "%u", cg.owner);
	write_reads(cg.sysfs, "owner_uid", "1001\n", "1001", true);
	write_reads(cg.sysfs, "owner_uid", "none\n", "none", true);
	write_reads(cg.sysfs, "owner_uid", "0", "0", true);
	write_reads(cg.sysfs, "owner_uid", "4294967294\n", "4294967294", true);
	write_reads(cg.sysfs, "owner_uid", "none", "none", true);
	write_reads(cg.sysfs, "owner_uid", own, own, true);
	return tap_result();
}

static int valid_gids(void *arg)
{
	(void)arg;
	write_reads(cg.sysfs, "owner_gid", "1000\n", "1000", true);
	write_reads(cg.sysfs, "owner_gid", "0", "0", true);
	write_reads(cg.sysfs, "owner_gid", "none\n", "none", true);
	return tap_result();
}

static int valid_revoke(void *arg)
{
	struct snap before, after;

	(void)arg;
	take(&before);
	write_reads(cg.sysfs, "revoke", "1\n", NULL, true);
	write_reads(cg.sysfs, "revoke", "1", NULL, true);
	take(&after);
	CHECK(!strcmp(before.uid, after.uid) && !strcmp(before.gid, after.gid),
	      "revoke changed the owner: %s/%s -> %s/%s", before.uid,
	      before.gid, after.uid, after.gid);
	return tap_result();
}

static int valid_policy(void *arg)
{
	(void)arg;
	write_reads(CG_SYSFS_ROOT, "default_policy", "allow\n", "allow", false);
	write_reads(CG_SYSFS_ROOT, "default_policy", "deny", "deny", false);
	return tap_result();
}

static int restored(void *arg)
{
	struct snap now;

	(void)arg;
	take(&now);
	CHECK(strtoul(now.uid, NULL, 10) == cg.owner && now.uid[0] != 'n',
	      "owner_uid reads %s", now.uid);
	CHECK(!strcmp(now.gid, "none"), "owner_gid reads %s", now.gid);
	CHECK(!strcmp(now.policy, "deny"), "default_policy reads %s",
	      now.policy);
	return tap_result();
}

int main(void)
{
	char shown[64];
	size_t i;

	tap_plan(NBADS + 13, 50);
	cg_env_load();
	tap_set_cleanup(cleanup);
	{
		struct snap s;

		take(&s);
		tap_diag("at start: owner_uid %s, owner_gid %s, default_policy %s, generation %llu",
			 s.uid, s.gid, s.policy, s.gen);
	}

	tap_run(modes, NULL, 10,
		"14: sysfs files are root-owned with the documented modes, none group- or world-writable");
	tap_run(nonroot_writes, &cg.other, 10,
		"14: the attacker (uid %u) cannot write owner_uid, owner_gid, revoke, default_policy; nothing changes",
		cg.other);
	tap_run(nonroot_writes, &cg.owner, 10,
		"14: the owner (uid %u) cannot reconfigure either; nothing changes",
		cg.owner);
	tap_run(root_fd_then_drop, NULL, 10,
		"14: a file root opened, written after dropping to uid %u, is refused; nothing changes",
		cg.other);
	tap_run(root_without_sys_admin, NULL, 10,
		"14: uid 0 without CAP_SYS_ADMIN is refused (EPERM); nothing changes");

	for (i = 0; i < NBADS; i++)
		tap_run(malformed, (void *)&bads[i], 10,
			"15: %s %s -> EINVAL, nothing changes", bads[i].file,
			show(bads[i].value, bads[i].len, shown, sizeof(shown)));
	tap_run(empty_write, "owner_uid", 10,
		"15: owner_uid zero-length write changes nothing");
	tap_run(empty_write, "owner_gid", 10,
		"15: owner_gid zero-length write changes nothing");
	tap_run(empty_write, "default_policy", 10,
		"15: default_policy zero-length write changes nothing");

	tap_run(valid_uids, NULL, 10,
		"9/15: root writes valid owner_uid values (1001, none, 0, 4294967294): read back, generation moves (control)");
	tap_run(valid_gids, NULL, 10,
		"15: root writes valid owner_gid values (1000, 0, none): read back, generation moves (control)");
	tap_run(valid_revoke, NULL, 10,
		"15: root writes revoke 1: generation moves, owner unchanged (control)");
	tap_run(valid_policy, NULL, 10,
		"15: root writes default_policy allow, then deny: read back (control)");

	cg_restore_config();
	tap_run(restored, NULL, 10,
		"configuration restored: owner_uid %u, owner_gid none, default_policy deny",
		cg.owner);
	return tap_finish();
}
