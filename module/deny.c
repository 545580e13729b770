// SPDX-License-Identifier: GPL-2.0
/*
 * Refused frame accesses: why, the per-device counter, and the log line.
 *
 * Every denial is counted (sysfs "denials") and its reason kept as the
 * device's last one (sysfs "last_denial").  The log line names the
 * operation, the node, the caller (tgid, command name, euid) and the
 * reason, so that an owner who gets EACCES can tell why.
 *
 * The command name is the caller's to choose (prctl(PR_SET_NAME)), so it is
 * printed escaped: a name with a newline cannot forge a log line.  Lines are
 * rate-limited per (caller uid, device) bucket, not per call site: a
 * non-owner that hammers one camera uses up its own bucket and hides
 * neither the other users' denials nor its denials on other cameras (short
 * of a hash collision).  The buckets are a fixed table: memory stays bounded
 * whatever the number of uids or devices.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <uapi/linux/camgate.h>

#include "camgate.h"
#include "trace.h"

static const char *const op_names[] = {
	[CAMGATE_OP_READ] = "read",
	[CAMGATE_OP_WRITE] = "write",
	[CAMGATE_OP_POLL] = "poll",
	[CAMGATE_OP_MMAP] = "mmap",
	[CAMGATE_OP_IOCTL] = "ioctl",
	[CAMGATE_OP_COMPAT_IOCTL] = "compat ioctl",
	[CAMGATE_OP_UNMAPPED_AREA] = "get_unmapped_area",
	[CAMGATE_OP_RECEIVE] = "file receive",
	[CAMGATE_OP_DMABUF_MMAP] = "dma-buf mmap",
	[CAMGATE_OP_DMABUF_ATTACH] = "dma-buf attach",
	[CAMGATE_OP_BINDER] = "binder transfer",
};

/* The same as one word, for audit records and uevents. */
static const char *const op_keys[] = {
	[CAMGATE_OP_READ] = "read",
	[CAMGATE_OP_WRITE] = "write",
	[CAMGATE_OP_POLL] = "poll",
	[CAMGATE_OP_MMAP] = "mmap",
	[CAMGATE_OP_IOCTL] = "ioctl",
	[CAMGATE_OP_COMPAT_IOCTL] = "compat-ioctl",
	[CAMGATE_OP_UNMAPPED_AREA] = "get-unmapped-area",
	[CAMGATE_OP_RECEIVE] = "file-receive",
	[CAMGATE_OP_DMABUF_MMAP] = "dma-buf-mmap",
	[CAMGATE_OP_DMABUF_ATTACH] = "dma-buf-attach",
	[CAMGATE_OP_BINDER] = "binder-transfer",
};

/* The words of sysfs "last_denial" and of the log line. */
static const char *const deny_names[] = {
	[CAMGATE_DENY_NONE] = CAMGATE_DENY_NONE_STR,
	[CAMGATE_DENY_NO_OWNER] = CAMGATE_DENY_NO_OWNER_STR,
	[CAMGATE_DENY_NO_CAP] = CAMGATE_DENY_NO_CAP_STR,
	[CAMGATE_DENY_STALE] = CAMGATE_DENY_STALE_STR,
	[CAMGATE_DENY_CRED] = CAMGATE_DENY_CRED_STR,
	[CAMGATE_DENY_PASSED] = CAMGATE_DENY_PASSED_STR,
};

#define DENY_RS_BITS	6
static struct ratelimit_state deny_rs[1 << DENY_RS_BITS] = {
	[0 ... (1 << DENY_RS_BITS) - 1] =
		RATELIMIT_STATE_INIT(deny_rs, DEFAULT_RATELIMIT_INTERVAL,
				     DEFAULT_RATELIMIT_BURST),
};

/**
 * camgate_deny_reason() - Why a caller without frame access was refused.
 * @owner: the device's owner credential now, or NULL.
 * @cap_gen: the capability generation of the file used, 0 if it holds none.
 * @opener: true when the caller is the process that opened the file (and
 *	    got @cap_gen); false for an inherited, passed or received file.
 *
 * Only meaningful for a caller camgate_may_access() refused.
 * Context: any; under rcu_read_lock() when @owner is the device's.
 * Return: the reason, never %CAMGATE_DENY_NONE.
 */
enum camgate_deny camgate_deny_reason(const struct camgate_owner *owner,
				      u64 cap_gen, bool opener)
{
	if (!camgate_owner_set(owner))
		return CAMGATE_DENY_NO_OWNER;
	if (!cap_gen)
		return CAMGATE_DENY_NO_CAP;
	if (cap_gen != owner->gen)
		return CAMGATE_DENY_STALE;
	return opener ? CAMGATE_DENY_CRED : CAMGATE_DENY_PASSED;
}
EXPORT_SYMBOL_IF_KUNIT(camgate_deny_reason);

/**
 * camgate_deny_name() - The word for a denial reason.
 * @why: the reason.
 *
 * Return: "none", "no-owner", "no-capability", "stale-capability",
 * "credential-changed" or "passed-file"; "unknown" for anything else.
 */
const char *camgate_deny_name(enum camgate_deny why)
{
	if ((unsigned int)why >= ARRAY_SIZE(deny_names))
		return "unknown";
	return deny_names[why];
}
EXPORT_SYMBOL_IF_KUNIT(camgate_deny_name);

/**
 * camgate_op_name() - The word for a refused operation.
 * @op: the operation.
 *
 * Return: "read", "ioctl", "file-receive", ... (one word, as in trace
 * events, audit records and uevents); "unknown" for anything else.
 */
const char *camgate_op_name(enum camgate_op op)
{
	if ((unsigned int)op >= ARRAY_SIZE(op_keys) || !op_keys[op])
		return "unknown";
	return op_keys[op];
}
EXPORT_SYMBOL_IF_KUNIT(camgate_op_name);

/**
 * camgate_count_denial() - Count and log a refused frame access.
 * @dev: the device.
 * @op: what was refused.
 * @cmd: the ioctl number, or 0.
 * @why: the reason (camgate_deny_reason()).
 *
 * Also emits the trace event, the audit record (audit's own rate limit and
 * backlog apply) and, coalesced, the "deny" uevent.
 *
 * Context: any, also a kprobe handler: nothing sleeps, only the audit
 * record allocates (atomically); the log line is rate-limited per (caller
 * uid, device) bucket.
 */
void camgate_count_denial(struct camgate_dev *dev, enum camgate_op op,
			  unsigned int cmd, enum camgate_deny why)
{
	uid_t uid = from_kuid(&init_user_ns, current_euid());
	char comm[TASK_COMM_LEN];
	u32 bucket;

	atomic64_inc(&dev->denials);
	WRITE_ONCE(dev->last_denial, why);
	trace_deny(dev->name, op, cmd, why, task_tgid_nr(current), uid);
	camgate_audit_deny(dev, op, cmd, why);
	camgate_notify_deny(dev, op);
	bucket = hash_32(uid ^ hash_ptr(dev, 32), DENY_RS_BITS);
	if (!__ratelimit(&deny_rs[bucket]))
		return;
	get_task_comm(comm, current);
	pr_notice("denied %s 0x%08x on %s to pid %d (%*pE) uid %u: %s\n",
		  op_names[op], cmd, dev->name, task_tgid_nr(current),
		  (int)strnlen(comm, sizeof(comm)), comm, uid,
		  camgate_deny_name(why));
}
