// SPDX-License-Identifier: GPL-2.0
/*
 * Audit records (type AUDIT_KERNEL_OTHER, 1316) for what an administrator
 * must be able to find with ausearch and aureport: every refused frame
 * access, every owner change and revocation, and the configuration lock.
 *
 *   op=<access> dev=<node> cmd=0x<ioctl> reason=<why> <task> res=0
 *   op=set-owner dev=<node> owner_uid=<uid|none> owner_gid=<gid|none>
 *       generation=<n> <task> res=1
 *   op=revoke dev=<node> generation=<n> <task> res=1
 *   op=lock <task> res=1
 *
 * <task> is the kernel's audit_log_task_info(): ppid, pid, auid, uid, gid,
 * euid, ..., tty, ses, comm (escaped as audit escapes untrusted strings),
 * exe and the LSM subject, as in SELinux's and AppArmor's records.
 *
 * Records are made only while audit is enabled (auditd running, or
 * audit=1): with audit off, the kernel would print each record to the
 * kernel log, where camgate's own rate-limited line already is.  Denials
 * are not rate-limited here: audit's rate limit and backlog apply, and a
 * record that cannot be queued is counted as lost by audit.  A denial may
 * be counted in a kprobe handler, so its record is allocated atomically
 * and never waits for the backlog.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/audit.h>
#include <uapi/linux/camgate.h>

#include "camgate.h"

#if IS_ENABLED(CONFIG_AUDIT)

static struct audit_buffer *start(gfp_t gfp)
{
	if (!READ_ONCE(audit_enabled))
		return NULL;
	return audit_log_start(audit_context(), gfp, AUDIT_KERNEL_OTHER);
}

static void end(struct audit_buffer *ab, bool res)
{
	audit_log_task_info(ab);
	audit_log_format(ab, " res=%d", res);
	audit_log_end(ab);
}

static void log_id(struct audit_buffer *ab, const char *key, u32 id)
{
	if (id == (u32)-1)
		audit_log_format(ab, " %s=%s", key, CAMGATE_ID_NONE);
	else
		audit_log_format(ab, " %s=%u", key, id);
}

/**
 * camgate_audit_deny() - Audit a refused frame access.
 * @dev: the guard.
 * @op: what was refused.
 * @cmd: the ioctl number, or 0.
 * @why: the reason.
 *
 * Context: any, also a kprobe handler: allocates atomically, never sleeps.
 */
void camgate_audit_deny(struct camgate_dev *dev, enum camgate_op op,
			unsigned int cmd, enum camgate_deny why)
{
	struct audit_buffer *ab = start(GFP_ATOMIC | __GFP_NOWARN);

	if (!ab)
		return;
	audit_log_format(ab, "op=%s dev=%s cmd=0x%08x reason=%s",
			 camgate_op_name(op), dev->name, cmd,
			 camgate_deny_name(why));
	end(ab, false);
}

/**
 * camgate_audit_owner() - Audit an owner change or a revocation.
 * @dev: the guard.
 * @owner: the owner credential now in force.
 * @revoke: true for a revocation.
 *
 * Context: process context; may wait for audit's backlog.
 */
void camgate_audit_owner(struct camgate_dev *dev,
			 const struct camgate_owner *owner, bool revoke)
{
	struct audit_buffer *ab = start(GFP_KERNEL);

	if (!ab)
		return;
	if (revoke) {
		audit_log_format(ab, "op=revoke dev=%s", dev->name);
	} else {
		audit_log_format(ab, "op=set-owner dev=%s", dev->name);
		log_id(ab, "owner_uid", from_kuid(&init_user_ns, owner->uid));
		log_id(ab, "owner_gid", from_kgid(&init_user_ns, owner->gid));
	}
	audit_log_format(ab, " generation=%llu", owner->gen);
	end(ab, true);
}

/**
 * camgate_audit_lock() - Audit the configuration lock.
 *
 * Context: process context; may wait for audit's backlog.
 */
void camgate_audit_lock(void)
{
	struct audit_buffer *ab = start(GFP_KERNEL);

	if (!ab)
		return;
	audit_log_format(ab, "op=lock");
	end(ab, true);
}

#else /* !CONFIG_AUDIT */

void camgate_audit_deny(struct camgate_dev *dev, enum camgate_op op,
			unsigned int cmd, enum camgate_deny why)
{
}

void camgate_audit_owner(struct camgate_dev *dev,
			 const struct camgate_owner *owner, bool revoke)
{
}

void camgate_audit_lock(void)
{
}

#endif
