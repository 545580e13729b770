// SPDX-License-Identifier: GPL-2.0
/*
 * uevents on a guarded device's kobject, /sys/kernel/camgate/devices/<node>
 * (SUBSYSTEM=camgate), so that udev rules and desktop indicators follow a
 * camera without polling sysfs:
 *
 *   add, remove        the node is guarded / no longer guarded
 *   change, CAMGATE_EVENT=stream   its queue started or stopped streaming
 *   change, CAMGATE_EVENT=owner    its owner changed, or it was revoked
 *   change, CAMGATE_EVENT=deny     frame access was refused (coalesced)
 *
 * Documentation/ABI/testing/sysfs-kernel-camgate lists every key.
 *
 * uevents allocate and may sleep, so they are sent from process context
 * only: stream and owner events from the caller that made the change
 * (the queue's start or stop, a sysfs write), deny events from a work item
 * (a denial may be counted in a kprobe handler).  Denials are coalesced:
 * at most one deny uevent per device a second, carrying the counter and
 * the last denial, so a caller hammering a camera cannot flood udev.
 *
 * A uevent goes only while the kobject is in sysfs (uevent_lock,
 * uevent_live); the deny work is cancelled before the guard is freed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/kobject.h>
#include <linux/rcupdate.h>
#include <linux/workqueue.h>
#include <uapi/linux/camgate.h>

#include "camgate.h"
#include "compat.h"

#define DENY_UEVENT_INTERVAL	HZ

static const char *kset_name(CAMGATE_CONST_KOBJ *kobj)
{
	return "camgate";
}

/* The kset of the device directories (sysfs.c); SUBSYSTEM=camgate. */
const struct kset_uevent_ops camgate_uevent_ops = {
	.name = kset_name,
};

/* Context: process context. */
static void send(struct camgate_dev *dev, char *envp[])
{
	mutex_lock(&dev->uevent_lock);
	if (dev->uevent_live)
		kobject_uevent_env(&dev->kobj, KOBJ_CHANGE, envp);
	mutex_unlock(&dev->uevent_lock);
}

static void fmt_id(char *buf, size_t len, const char *key, u32 id)
{
	if (id == (u32)-1)
		snprintf(buf, len, "%s=%s", key, CAMGATE_ID_NONE);
	else
		snprintf(buf, len, "%s=%u", key, id);
}

static void deny_work(struct work_struct *work)
{
	struct camgate_dev *dev = container_of(to_delayed_work(work),
					       struct camgate_dev, deny_work);
	char op[48], reason[48], count[48], pid[32], uid[32];
	char *envp[7];

	dev->deny_sent = jiffies;
	snprintf(op, sizeof(op), "CAMGATE_OP=%s",
		 camgate_op_name(READ_ONCE(dev->deny_op)));
	snprintf(reason, sizeof(reason), "CAMGATE_REASON=%s",
		 camgate_deny_name(READ_ONCE(dev->last_denial)));
	snprintf(count, sizeof(count), "CAMGATE_DENIALS=%lld",
		 (long long)atomic64_read(&dev->denials));
	snprintf(pid, sizeof(pid), "CAMGATE_PID=%d", READ_ONCE(dev->deny_pid));
	fmt_id(uid, sizeof(uid), "CAMGATE_UID", READ_ONCE(dev->deny_uid));
	envp[0] = "CAMGATE_EVENT=deny";
	envp[1] = op;
	envp[2] = reason;
	envp[3] = count;
	envp[4] = pid;
	envp[5] = uid;
	envp[6] = NULL;
	send(dev, envp);
}

/**
 * camgate_notify_init_dev() - Initialise a new guard's notification state.
 * @dev: the guard, not yet reachable.
 */
void camgate_notify_init_dev(struct camgate_dev *dev)
{
	mutex_init(&dev->uevent_lock);
	INIT_DELAYED_WORK(&dev->deny_work, deny_work);
	dev->deny_sent = jiffies - DENY_UEVENT_INTERVAL;
}
EXPORT_SYMBOL_IF_KUNIT(camgate_notify_init_dev);

/**
 * camgate_notify_add() - The guard's directory is in sysfs: "add", and
 * uevents from now on.
 * @dev: the guard; dev->in_sysfs says whether its kobject was added.
 *
 * Context: process context (add_dev).
 */
void camgate_notify_add(struct camgate_dev *dev)
{
	if (!dev->in_sysfs)
		return;
	mutex_lock(&dev->uevent_lock);
	dev->uevent_live = true;
	mutex_unlock(&dev->uevent_lock);
	kobject_uevent(&dev->kobj, KOBJ_ADD);
}

/**
 * camgate_notify_remove() - No more uevents: the directory goes away (its
 * removal sends "remove").
 * @dev: the guard.
 *
 * Context: process context (remove_dev), before kobject_del().
 */
void camgate_notify_remove(struct camgate_dev *dev)
{
	mutex_lock(&dev->uevent_lock);
	dev->uevent_live = false;
	mutex_unlock(&dev->uevent_lock);
}

/**
 * camgate_notify_retire() - Stop the deny work of a guard about to be freed.
 * @dev: the guard, unreachable through the registry's SRCU paths.
 *
 * The file-receive check finds guards under RCU alone: once it can no
 * longer see this one (a grace period after notify_dead), no denial can
 * queue the work again.
 *
 * Context: process context; waits for an RCU grace period and the work.
 */
void camgate_notify_retire(struct camgate_dev *dev)
{
	WRITE_ONCE(dev->notify_dead, true);
	synchronize_rcu();
	cancel_delayed_work_sync(&dev->deny_work);
	mutex_destroy(&dev->uevent_lock);
}
EXPORT_SYMBOL_IF_KUNIT(camgate_notify_retire);

/**
 * camgate_notify_stream() - "stream" uevent.
 * @dev: the guard; dev->stream_pid and stream_uid name who started it.
 * @on: whether it streams now.
 *
 * Context: process context.
 */
void camgate_notify_stream(struct camgate_dev *dev, bool on)
{
	char pid[32], uid[32];
	char *envp[5];

	snprintf(pid, sizeof(pid), "CAMGATE_PID=%d", dev->stream_pid);
	fmt_id(uid, sizeof(uid), "CAMGATE_UID", dev->stream_uid);
	envp[0] = "CAMGATE_EVENT=stream";
	envp[1] = on ? "CAMGATE_STREAMING=1" : "CAMGATE_STREAMING=0";
	envp[2] = pid;
	envp[3] = uid;
	envp[4] = NULL;
	send(dev, envp);
}

/**
 * camgate_notify_owner() - "owner" uevent.
 * @dev: the guard.
 * @owner: the owner credential now in force.
 * @revoke: true for a revocation (owner unchanged, generation bumped).
 *
 * CAMGATE_PID and CAMGATE_UID name the writer.
 * Context: process context.
 */
void camgate_notify_owner(struct camgate_dev *dev,
			  const struct camgate_owner *owner, bool revoke)
{
	char ouid[48], ogid[48], gen[48], pid[32], uid[32];
	char *envp[8];

	fmt_id(ouid, sizeof(ouid), "CAMGATE_OWNER_UID",
	       from_kuid(&init_user_ns, owner->uid));
	fmt_id(ogid, sizeof(ogid), "CAMGATE_OWNER_GID",
	       from_kgid(&init_user_ns, owner->gid));
	snprintf(gen, sizeof(gen), "CAMGATE_GENERATION=%llu", owner->gen);
	snprintf(pid, sizeof(pid), "CAMGATE_PID=%d", task_tgid_nr(current));
	fmt_id(uid, sizeof(uid), "CAMGATE_UID",
	       from_kuid(&init_user_ns, current_euid()));
	envp[0] = "CAMGATE_EVENT=owner";
	envp[1] = ouid;
	envp[2] = ogid;
	envp[3] = gen;
	envp[4] = revoke ? "CAMGATE_REVOKED=1" : "CAMGATE_REVOKED=0";
	envp[5] = pid;
	envp[6] = uid;
	envp[7] = NULL;
	send(dev, envp);
}

/**
 * camgate_notify_deny() - Note a denial for the coalesced "deny" uevent.
 * @dev: the guard.
 * @op: what was refused.
 *
 * Context: any, also a kprobe handler; allocates nothing.
 */
void camgate_notify_deny(struct camgate_dev *dev, enum camgate_op op)
{
	unsigned long next;

	WRITE_ONCE(dev->deny_pid, task_tgid_nr(current));
	WRITE_ONCE(dev->deny_uid, from_kuid(&init_user_ns, current_euid()));
	WRITE_ONCE(dev->deny_op, op);
	next = READ_ONCE(dev->deny_sent) + DENY_UEVENT_INTERVAL;
	rcu_read_lock();
	if (!READ_ONCE(dev->notify_dead))
		queue_delayed_work(system_wq, &dev->deny_work,
				   time_after(next, jiffies) ? next - jiffies : 0);
	rcu_read_unlock();
}
