// SPDX-License-Identifier: GPL-2.0
/*
 * lock-camgatectl.c - camgatectl on a locked configuration (issue 7).
 *
 * The lock cannot be undone until reboot, so the VM runs this right after
 * lock.c, which locked it by writing /sys/kernel/camgate/lock: status
 * reports the lock, "camgatectl lock" again succeeds and changes nothing,
 * owner is refused with a message and leaves owner_uid, owner_gid and the
 * generation alone (also for UID:GID), revoke still works.  The 0 -> 1
 * transition by camgatectl itself is the same one-file write as revoke;
 * it is not observed here, since lock.c needs an unlocked start.
 */
#include "tap.h"
#include "camgate_test.h"
#include "ctl.h"

#include <libgen.h>

static char node[64];

static int status_locked(void *arg)
{
	static const char *const argv[] = { "--json", "status", NULL };
	static const char *const table[] = { "status", NULL };
	struct cg_ctl *r = malloc(sizeof(*r));
	const char *err = NULL;
	struct cg_json *j, *m;
	char v[8];

	(void)arg;
	if (!CHECK(cg_sysfs_read(CG_SYSFS_ROOT, "lock", v, sizeof(v)) == 0 &&
		   !strcmp(v, "1"), "not locked (lock reads %s): lock.c must run first", v))
		return TAP_FAIL;
	if (!CHECK(cg_ctl(r, argv) == 0 && r->status == 0, "status --json: exit %d: %s",
		   r->status, r->err))
		return TAP_FAIL;
	j = cg_json_parse(r->out, &err);
	if (!CHECK(j, "status --json: %s in %s", err, r->out))
		return TAP_FAIL;
	m = cg_json_get(j, "locked");
	CHECK(m && m->type == CG_JBOOL && m->b, "locked is not true: %s", r->out);
	CHECK(cg_json_device(j, node), "no entry for %s", node);
	CHECK(cg_ctl(r, table) == 0 && r->status == 0 &&
	      strstr(r->out, "locked until reboot"), "status: %s", r->out);
	return tap_result();
}

static int lock_again(void *arg)
{
	static const char *const argv[] = { "lock", NULL };
	struct cg_ctl *r = malloc(sizeof(*r));
	char v[8];

	(void)arg;
	CHECK(cg_ctl(r, argv) == 0 && r->status == 0 && !r->err[0],
	      "lock: exit %d: %s", r->status, r->err);
	CHECK(cg_sysfs_read(CG_SYSFS_ROOT, "lock", v, sizeof(v)) == 0 &&
	      !strcmp(v, "1"), "lock reads %s", v);
	return tap_result();
}

static int owner_refused(void *arg)
{
	static char n[64];
	const char *const cases[][4] = {
		{ "owner", n, "1234" }, { "owner", n, "1234:55" },
		{ "owner", n, "none" },
	};
	struct cg_ctl *r = malloc(sizeof(*r));
	char u0[32], g0[32], u[32], g[32];
	unsigned long long gen0;
	size_t i;

	(void)arg;
	snprintf(n, sizeof(n), "%s", node);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cg_sysfs_read(cg.sysfs, "owner_uid", u0, sizeof(u0));
		cg_sysfs_read(cg.sysfs, "owner_gid", g0, sizeof(g0));
		gen0 = cg_sysfs_u64(cg.sysfs, "generation");
		CHECK(cg_ctl(r, cases[i]) == 0 && r->status == 1 &&
		      strstr(r->err, "locked"), "owner %s %s: exit %d: %s", n,
		      cases[i][2], r->status, r->err);
		cg_sysfs_read(cg.sysfs, "owner_uid", u, sizeof(u));
		cg_sysfs_read(cg.sysfs, "owner_gid", g, sizeof(g));
		CHECK(!strcmp(u, u0) && !strcmp(g, g0) &&
		      cg_sysfs_u64(cg.sysfs, "generation") == gen0,
		      "owner %s: %s:%s gen %llu -> %s:%s gen %llu", cases[i][2],
		      u0, g0, gen0, u, g, cg_sysfs_u64(cg.sysfs, "generation"));
	}
	tap_diag("%.*s", (int)strcspn(r->err, "\n"), r->err);
	return tap_result();
}

static int revoke_works(void *arg)
{
	const char *argv[] = { "revoke", node, NULL };
	struct cg_ctl *r = malloc(sizeof(*r));
	unsigned long long g0 = cg_sysfs_u64(cg.sysfs, "generation");

	(void)arg;
	CHECK(cg_ctl(r, argv) == 0 && r->status == 0 && !r->err[0],
	      "revoke: exit %d: %s", r->status, r->err);
	CHECK(cg_sysfs_u64(cg.sysfs, "generation") == g0 + 1,
	      "generation %llu -> %llu, want +1", g0,
	      cg_sysfs_u64(cg.sysfs, "generation"));
	return tap_result();
}

int main(void)
{
	char devcopy[PATH_MAX];

	tap_plan(4, 50);
	cg_env_load();
	snprintf(devcopy, sizeof(devcopy), "%s", cg.dev);
	snprintf(node, sizeof(node), "%s", basename(devcopy));
	tap_run(status_locked, NULL, 10,
		"camgatectl status reports the lock (--json locked: true)");
	tap_run(lock_again, NULL, 10,
		"camgatectl lock on a locked configuration: exit 0, still locked");
	tap_run(owner_refused, NULL, 10,
		"camgatectl owner while locked: refused with a message, owner and generation unchanged");
	tap_run(revoke_works, NULL, 10,
		"camgatectl revoke while locked: works, generation +1");
	return tap_finish();
}
