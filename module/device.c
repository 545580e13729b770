// SPDX-License-Identifier: GPL-2.0
/*
 * Discovery of capture nodes and the registry of guarded devices.
 *
 * A class_interface on the video4linux class is called for every node that
 * exists when camgate loads and for every node registered later, and again
 * when a node is unregistered.  Guarding a node means swapping its
 * vdev->fops for a per-device wrapper table (v4l2.c).
 *
 * Lifetime: after unregistration the v4l2 core still calls
 * vdev->fops->release for files that stay open, so the wrapper table stays
 * installed until the last file opened through camgate is released; only
 * then is the driver's table put back (the vdev is alive in every context
 * that drops the last reference: device_del() or that file's release).  A
 * caller may have loaded the old table pointer just before the swap back, so
 * the object is freed only after an RCU-tasks grace period (it has entered
 * the wrapper, or voluntarily scheduled) and an SRCU grace period (it has
 * left the wrapper).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/hashtable.h>
#include <linux/mmap_lock.h>
#include <linux/poll.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/videodev2.h>
#include <media/v4l2-dev.h>
#include <media/v4l2-device.h>
#include <media/videobuf2-core.h>

#include "camgate.h"
#include "compat.h"
#include "trace.h"

static DEFINE_HASHTABLE(camgate_devs, 6);	/* by vdev; newest first */

/*
 * The owners the configuration lock froze, by a stable identity of each
 * node (its parent device and its name, "vivid.0/vivid-000-vid-cap"), so
 * that a camera replugged, rebound or whose driver is reloaded after the
 * lock gets its owner back.  Filled once, before camgate_locked is set
 * (release), and never changed: read without a lock once locked.
 */
struct locked_owner {
	struct list_head node;
	kuid_t uid;
	kgid_t gid;
	char id[];
};

static LIST_HEAD(locked_owners);
static DEFINE_SPINLOCK(camgate_devs_lock);	/* camgate_devs, members */

/*
 * Groups.  A camera driver registers several nodes for one camera: video
 * capture and output, vbi, radio, sdr, touch, metadata, a v4l-subdev per
 * sensor or bridge block.  The ones that do not capture still carry what
 * follows the frames (a control the driver sets at each frame, its
 * events, the sensor's exposure) and what changes the stream (formats,
 * test patterns).  So every node of the same media device (or, without
 * one, the same v4l2_device) as a capture node is guarded too, and the
 * group has one owner: a change or revocation on any member is made on
 * every member (group_update()), and a member registered later starts with
 * the group's owner (group_join()).
 *
 * camgate_members lists the registered guards (camgate_devs_lock);
 * camgate_group_lock serialises propagations, which sleep.  Lock order:
 * camgate_cfg_mutex, camgate_group_lock, a guard's cfg_lock, the queue
 * lock.  The class's mutex (add_dev, remove_dev) never waits for
 * camgate_group_lock: a driver may unregister a node under its queue lock.
 */
static LIST_HEAD(camgate_members);
static DEFINE_MUTEX(camgate_group_lock);
static unsigned long camgate_group_round;	/* camgate_group_lock */
static struct workqueue_struct *camgate_wq;
static struct class_interface camgate_iface;

/*
 * The group a node belongs to: its media device, else its v4l2_device
 * (every registered node has one), else none.
 */
static const void *node_group(const struct video_device *vdev)
{
	const struct v4l2_device *v4l2_dev = vdev->v4l2_dev;

	if (!v4l2_dev)
		return NULL;
#ifdef CONFIG_MEDIA_CONTROLLER
	if (v4l2_dev->mdev)
		return v4l2_dev->mdev;
#endif
	return v4l2_dev;
}

/* Nodes that can deliver captured data; output, radio and subdevs are not. */
static bool is_capture_node(const struct video_device *vdev)
{
	u32 caps = vdev->device_caps;

	switch (vdev->vfl_type) {
	case VFL_TYPE_VIDEO:
		return caps & (V4L2_CAP_VIDEO_CAPTURE |
			       V4L2_CAP_VIDEO_CAPTURE_MPLANE |
			       V4L2_CAP_VIDEO_M2M | V4L2_CAP_VIDEO_M2M_MPLANE |
			       V4L2_CAP_META_CAPTURE);
	case VFL_TYPE_VBI:
		return caps & (V4L2_CAP_VBI_CAPTURE |
			       V4L2_CAP_SLICED_VBI_CAPTURE);
	case VFL_TYPE_SDR:
		return caps & V4L2_CAP_SDR_CAPTURE;
	case VFL_TYPE_TOUCH:
		return true;
	default:
		return false;
	}
}

/**
 * camgate_dev_find() - Find the live guard of a video device.
 * @vdev: the video device.
 *
 * Context: inside an SRCU read section of camgate_srcu, which keeps the
 * result alive until srcu_read_unlock().
 * Return: the newest guard registered for @vdev, or NULL.
 */
struct camgate_dev *camgate_dev_find(const struct video_device *vdev)
{
	struct camgate_dev *dev, *found = NULL;

	rcu_read_lock();
	hash_for_each_possible_rcu(camgate_devs, dev, node, (unsigned long)vdev) {
		if (dev->vdev == vdev) {
			found = dev;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/**
 * camgate_dev_tryget() - Take a users reference for a file being opened.
 * @dev: the guard.
 *
 * Return: true on success, false if the guard is already being retired.
 */
bool camgate_dev_tryget(struct camgate_dev *dev)
{
	return refcount_inc_not_zero(&dev->users);
}

static void dev_free_work(struct work_struct *work)
{
	struct camgate_dev *dev = container_of(work, struct camgate_dev,
					       free_work);

	/* Callers that loaded our table: first into the wrapper, then out. */
	synchronize_rcu_tasks();
	synchronize_srcu(&camgate_srcu);
	camgate_notify_retire(dev);
	spin_lock(&camgate_devs_lock);
	hash_del_rcu(&dev->node);
	spin_unlock(&camgate_devs_lock);
	kobject_put(&dev->kobj);
}

/**
 * camgate_dev_put() - Drop a users reference.
 * @dev: the guard.
 *
 * The last reference puts the driver's file operations back and schedules
 * the guard's release.
 *
 * Context: process context, with dev->vdev still alive: called from
 * remove_dev (inside device_del()) or from the release of a file of the
 * device (which holds a reference to the vdev).
 */
void camgate_dev_put(struct camgate_dev *dev)
{
	if (!refcount_dec_and_test(&dev->users))
		return;
	WRITE_ONCE(dev->vdev->fops, dev->orig);
	camgate_stream_unwrap(dev);
	queue_work(camgate_wq, &dev->free_work);
}

/**
 * camgate_mapper_set() - Record that the caller is mmap()ing into its mm.
 * @m: the file's or dma-buf's record.
 *
 * Called before the check, so that either the check sees a revocation's
 * new generation or the revocation sees the record and waits for the
 * mapping to be linked (camgate_mapper_pick()).  Pass the result to
 * camgate_mapper_noted() once the lock is dropped.
 *
 * Context: under the lock of the list @m is on.
 * Return: the address space recorded before, to drop, or NULL.
 */
struct mm_struct *camgate_mapper_set(struct camgate_mapper *m)
{
	struct mm_struct *old = NULL, *mm = current->mm;

	if (m->mm != mm) {
		old = m->mm;
		mmgrab(mm);
		m->mm = mm;
	}
	return old;
}

/**
 * camgate_mapper_noted() - Finish camgate_mapper_set(), outside the lock.
 * @old: what camgate_mapper_set() returned.
 *
 * Orders the record before the caller's check of the generation.
 */
void camgate_mapper_noted(struct mm_struct *old)
{
	if (old)
		mmdrop(old);
	smp_mb();	/* the record, then the generation: pairs with pick */
}

/**
 * camgate_mapper_pick() - Choose this round's next address space to wait for.
 * @m: a record on the list being walked.
 * @seq: the revocation's round.
 * @mm: the address space chosen so far in this walk (NULL: none), grabbed.
 *
 * A walk over a device's records, under their list's lock, picks the
 * first address space not yet waited for in round @seq and marks every
 * record of that address space; camgate_mapper_wait() then waits for it.
 * Repeat the walk until it picks nothing.
 *
 * Context: under the lock of the list @m is on; the caller has issued
 * smp_mb() after bumping the generation.
 */
void camgate_mapper_pick(struct camgate_mapper *m, unsigned long seq,
			 struct mm_struct **mm)
{
	if (!m->mm || m->seq == seq)
		return;
	if (!*mm) {
		*mm = m->mm;
		mmgrab(*mm);
	}
	if (m->mm == *mm)
		m->seq = seq;
}

/**
 * camgate_mapper_wait() - Wait for an mmap into @mm to link its mapping.
 * @mm: what a walk of camgate_mapper_pick() chose, or NULL.
 *
 * The kernel links a new mapping after ->mmap returns, under the mmap
 * lock it held for the call: taking that lock once waits for it.
 *
 * Context: process context, outside the list's lock; sleeps.
 * Return: false when @mm was NULL (the round is done), true otherwise.
 */
bool camgate_mapper_wait(struct mm_struct *mm)
{
	if (!mm)
		return false;
	mmap_write_lock(mm);
	mmap_write_unlock(mm);
	mmdrop(mm);
	return true;
}

/**
 * camgate_mapper_release() - Drop a record whose owner is being freed.
 * @m: the record, off every list.
 */
void camgate_mapper_release(struct camgate_mapper *m)
{
	if (m->mm)
		mmdrop(m->mm);
}

/*
 * Make a generation bump felt at once by the old holders: wake their blocked
 * DQBUF, read and poll with an error, stop the stream (nothing more is
 * captured into their buffers) and unmap their buffers.  New calls are
 * already refused by the bump.
 */
/*
 * What each adapter does about a revocation, in this order: the video
 * node's streams and event subscriptions, then its mmaps in flight, then
 * its mappings, then the dma-bufs exported from it.  Each hook walks its
 * own list once per round @seq (a number new for the device), sleeps as it
 * needs, and must not fail: taking rights away cannot depend on memory.
 */
static void (*const revoke_hooks[])(struct camgate_dev *dev,
				    unsigned long seq) = {
	camgate_v4l2_quiet,
	camgate_v4l2_wait_mappers,
	camgate_v4l2_zap,
	camgate_dmabuf_zap,
};

static void revoke_effects(struct camgate_dev *dev)
{
	unsigned long seq = ++dev->zap_seq;
	unsigned int i;

	lockdep_assert_held(&dev->cfg_lock);
	for (i = 0; i < ARRAY_SIZE(revoke_hooks); i++)
		revoke_hooks[i](dev, seq);
}

/**
 * camgate_dev_streaming() - Tell everyone that a device's queue started or
 * stopped streaming.
 * @dev: the guard; dev->stream_pid and stream_uid name who started it.
 * @on: true when it started.
 *
 * The one list of what listens to streaming changes: the trace event, the
 * LED triggers, the uevent.
 *
 * Context: process context, usually under the queue's lock (stream.c).
 */
void camgate_dev_streaming(struct camgate_dev *dev, bool on)
{
	trace_stream(dev->name, on, dev->stream_pid, dev->stream_uid);
	camgate_led_stream(dev, on);
	camgate_notify_stream(dev, on);
}

/* The one list of what listens to owner changes and revocations. */
static void owner_changed(struct camgate_dev *dev,
			  const struct camgate_owner *o, bool revoke)
{
	trace_owner(dev->name, from_kuid(&init_user_ns, o->uid),
		    from_kgid(&init_user_ns, o->gid), o->gen, revoke,
		    task_tgid_nr(current),
		    from_kuid(&init_user_ns, current_euid()));
	camgate_notify_owner(dev, o, revoke);
	camgate_audit_owner(dev, o, revoke);
}

/*
 * Taking rights away must not depend on memory: the new owner record is
 * the device's other one, retired by the last update, refilled once every
 * reader that could still see it is gone (an RCU grace period since it
 * was retired, usually long past).
 */
static int owner_update(struct camgate_dev *dev, const kuid_t *uid,
			const kgid_t *gid, bool revoke)
{
	struct camgate_owner *old, *new, told;

	mutex_lock(&dev->cfg_lock);
	old = rcu_dereference_protected(dev->owner,
					lockdep_is_held(&dev->cfg_lock));
	if (!revoke && (!uid || uid_eq(*uid, old->uid)) &&
	    (!gid || gid_eq(*gid, old->gid))) {
		mutex_unlock(&dev->cfg_lock);
		return 0;	/* unchanged: capabilities stay valid */
	}
	new = &dev->owners[old == &dev->owners[0]];
	cond_synchronize_rcu(dev->owner_gp);
	new->uid = uid ? *uid : old->uid;
	new->gid = gid ? *gid : old->gid;
	new->gen = old->gen + 1;
	new->deny_unowned = old->deny_unowned;
	rcu_assign_pointer(dev->owner, new);
	dev->owner_gp = get_state_synchronize_rcu();
	revoke_effects(dev);
	told = *new;
	mutex_unlock(&dev->cfg_lock);
	owner_changed(dev, &told, revoke);
	return 0;
}

/*
 * The next member of @group that propagation @round has not reached,
 * pinned: a users reference, and a reference to its video device, which
 * camgate_dev_put() may need once the node is unregistered meanwhile.
 */
static struct camgate_dev *group_next(const void *group, unsigned long round)
{
	struct camgate_dev *m, *found = NULL;

	spin_lock(&camgate_devs_lock);
	list_for_each_entry(m, &camgate_members, member_node) {
		if (m->group != group || m->group_round == round)
			continue;
		m->group_round = round;
		/* Listed means registered: the registry's reference is held. */
		if (!camgate_dev_tryget(m))
			continue;
		get_device(&m->vdev->dev);
		found = m;
		break;
	}
	spin_unlock(&camgate_devs_lock);
	return found;
}

/*
 * An owner change or revocation of @dev, made on every member of its
 * group: @dev first, then each member once, including one that joins
 * while this runs (group_join() lists it before it copies an owner, so
 * either it copies the new owner or this finds it).  Propagations are
 * serialised, so the last one leaves every member with its owner.
 */
static int group_update(struct camgate_dev *dev, const kuid_t *uid,
			const kgid_t *gid, bool revoke)
{
	struct video_device *vdev;
	struct camgate_dev *m;
	unsigned long round;

	if (!dev->group)
		return owner_update(dev, uid, gid, revoke);
	mutex_lock(&camgate_group_lock);
	round = ++camgate_group_round;
	spin_lock(&camgate_devs_lock);
	dev->group_round = round;
	spin_unlock(&camgate_devs_lock);
	owner_update(dev, uid, gid, revoke);
	while ((m = group_next(dev->group, round))) {
		vdev = m->vdev;
		owner_update(m, uid, gid, revoke);
		camgate_dev_put(m);
		put_device(&vdev->dev);
	}
	/* After every member: see camgate_media_revoke(). */
	camgate_media_revoke(dev->group);
	mutex_unlock(&camgate_group_lock);
	return 0;
}

/**
 * camgate_dev_set_owner() - Change the owner credential of a device's group.
 * @dev: the guard.
 * @uid: the new owner uid (INVALID_UID: none), or NULL to keep it.
 * @gid: the new owner gid (INVALID_GID: none), or NULL to keep it.
 *
 * The change is made on every member of @dev's group (every node of the
 * same camera), each of which bumps its generation, which voids every
 * capability minted before it.  Setting the value a member already has
 * changes nothing there.
 *
 * Context: process context; takes camgate_group_lock, then each member's
 * cfg_lock, then its queue lock; may wait for an RCU grace period.
 * Allocates nothing.
 * Return: 0.
 */
int camgate_dev_set_owner(struct camgate_dev *dev, const kuid_t *uid,
			  const kgid_t *gid)
{
	return group_update(dev, uid, gid, false);
}
EXPORT_SYMBOL_IF_KUNIT(camgate_dev_set_owner);

/**
 * camgate_dev_revoke() - Void every capability of a device's group.
 * @dev: the guard.
 *
 * Context: process context; takes camgate_group_lock, then each member's
 * cfg_lock, then its queue lock; may wait for an RCU grace period.
 * Allocates nothing.
 * Return: 0.
 */
int camgate_dev_revoke(struct camgate_dev *dev)
{
	return group_update(dev, NULL, NULL, true);
}
EXPORT_SYMBOL_IF_KUNIT(camgate_dev_revoke);

/**
 * camgate_dev_release() - Free a guard; its kobject's release.
 * @dev: the guard, unreachable by new callers.
 */
void camgate_dev_release(struct camgate_dev *dev)
{
	mutex_destroy(&dev->cfg_lock);
	/*
	 * Readers may still be walking the hash bucket past us, and the
	 * file-receive check (sock.c), which finds guards under RCU only, may
	 * have found this one just before it left the hash and still be
	 * reading its owner record (part of the guard).
	 */
	kfree_rcu(dev, rcu);
}

/* "<parent>/<node name>": what stays the same when the node comes back. */
static void node_identity(const struct video_device *vdev, char *buf,
			  size_t len)
{
	const struct device *parent = vdev->dev.parent;

	snprintf(buf, len, "%s/%s", parent ? dev_name(parent) : "", vdev->name);
}

/*
 * A node named by the lock gets the owner it had then (not yet published).
 * Return: true if it did.
 */
static bool apply_locked_owner(struct camgate_dev *cdev)
{
	struct locked_owner *lo;

	/* Pairs with lock_store(): the list is complete once locked. */
	if (!smp_load_acquire(&camgate_locked))
		return false;
	list_for_each_entry(lo, &locked_owners, node) {
		if (!strcmp(lo->id, cdev->id)) {
			cdev->owners[0].uid = lo->uid;
			cdev->owners[0].gid = lo->gid;
			pr_info("%s: owner kept by the lock (%s)\n", cdev->name,
				cdev->id);
			return true;
		}
	}
	return false;
}

/*
 * List a new guard among the registered ones; a member of a group that
 * the lock did not give an owner takes the group's (a camera's nodes
 * appear one by one, its owner may be set on the first).  One section of
 * camgate_devs_lock, so that a propagation either finds the guard listed or
 * has updated the member copied from.  Before the owner record is
 * published to the wrappers and before the sysfs directory exists: nothing
 * else writes owners[0] yet.
 */
static void group_join(struct camgate_dev *cdev, bool locked)
{
	const struct camgate_owner *o;
	struct camgate_dev *m;

	spin_lock(&camgate_devs_lock);
	list_for_each_entry(m, &camgate_members, member_node) {
		if (!cdev->group || locked || m->group != cdev->group)
			continue;
		rcu_read_lock();
		o = rcu_dereference(m->owner);
		cdev->owners[0].uid = o->uid;
		cdev->owners[0].gid = o->gid;
		rcu_read_unlock();
		break;
	}
	list_add_tail(&cdev->member_node, &camgate_members);
	spin_unlock(&camgate_devs_lock);
}

/**
 * camgate_group_captures() - Is a capture node of @group guarded?
 * @group: a group key (a media device or v4l2_device), or NULL.
 *
 * Context: any; takes camgate_devs_lock.
 * Return: true if a registered guard of @group is a capture node.
 */
bool camgate_group_captures(const void *group)
{
	struct camgate_dev *m;
	bool found = false;

	if (!group)
		return false;
	spin_lock(&camgate_devs_lock);
	list_for_each_entry(m, &camgate_members, member_node) {
		if (m->group == group && m->capture) {
			found = true;
			break;
		}
	}
	spin_unlock(&camgate_devs_lock);
	return found;
}

/**
 * camgate_group_may_access() - Would the caller get frame access to @group
 * with a current capability?
 * @group: a group key.
 *
 * The owner credential of a member (all members have the same), checked
 * against the caller as camgate_caller_may_access() checks it for a file
 * that holds a current capability: for the group's media device, whose
 * own capability is media.c's.  No registered member: false.
 *
 * Context: process context, the calling task; takes camgate_devs_lock.
 * Return: true to allow.
 */
bool camgate_group_may_access(const void *group)
{
	const struct camgate_owner *o;
	struct camgate_dev *m;
	bool ok = false;

	spin_lock(&camgate_devs_lock);
	list_for_each_entry(m, &camgate_members, member_node) {
		if (m->group != group)
			continue;
		rcu_read_lock();
		o = rcu_dereference(m->owner);
		ok = camgate_caller_may_access(o,
					       READ_ONCE(camgate_default_allow),
					       o->gen);
		rcu_read_unlock();
		break;
	}
	spin_unlock(&camgate_devs_lock);
	return ok;
}

/* Is @vdev guarded already?  Context: the class's mutex. */
static bool node_guarded(const struct video_device *vdev)
{
	struct camgate_dev *cdev;
	bool found;
	int idx;

	idx = srcu_read_lock(&camgate_srcu);
	cdev = camgate_dev_find(vdev);
	found = cdev && cdev->registered;
	srcu_read_unlock(&camgate_srcu, idx);
	return found;
}

/**
 * camgate_devices_lock_owners() - Freeze every guarded node's owner.
 *
 * Records, for each guarded node that has an owner, its identity and owner,
 * so that the node keeps that owner when it is registered again after the
 * configuration is locked.  The caller sets camgate_locked (with release)
 * after this succeeds, and never calls it again.
 *
 * Context: process context, camgate_cfg_mutex held, not yet locked.
 * Return: 0, or -ENOMEM (nothing recorded: the lock must then fail).
 */
int camgate_devices_lock_owners(void)
{
	struct locked_owner *lo, *tmp;
	struct camgate_owner *o;
	struct camgate_dev *dev;
	LIST_HEAD(found);
	size_t len;
	int bkt;

	lockdep_assert_held(&camgate_cfg_mutex);
	rcu_read_lock();
	hash_for_each_rcu(camgate_devs, bkt, dev, node) {
		if (!READ_ONCE(dev->registered))
			continue;
		o = rcu_dereference(dev->owner);
		if (!uid_valid(o->uid) && !gid_valid(o->gid))
			continue;
		len = strlen(dev->id);
		lo = kmalloc(sizeof(*lo) + len + 1, GFP_ATOMIC);
		if (!lo) {
			rcu_read_unlock();
			list_for_each_entry_safe(lo, tmp, &found, node)
				kfree(lo);
			return -ENOMEM;
		}
		lo->uid = o->uid;
		lo->gid = o->gid;
		memcpy(lo->id, dev->id, len + 1);
		list_add_tail(&lo->node, &found);
	}
	rcu_read_unlock();
	list_splice(&found, &locked_owners);
	return 0;
}

/*
 * A node whose set-up is incomplete must not fall open: without its sysfs
 * directory nobody can give it an owner, and without its holders file
 * nobody can see who reads it.  Such a node denies frame access to
 * everyone while it has no owner, whatever default_policy says.  Called
 * before the owner record is published to the wrappers, and (for the
 * holders file) before the sysfs directory exists, so no reader or writer
 * can see the change.
 */
static void deny_unowned(struct camgate_dev *cdev, const char *what, int err)
{
	cdev->owners[0].deny_unowned = true;
	pr_err("%s: %s (%d): frame access denied to everyone until it has an owner, whatever default_policy\n",
	       cdev->name, what, err);
}

/*
 * Guard one node: a capture node, or a member of a group one of whose
 * capture nodes is guarded.  Context: the class's mutex (add_dev).
 */
static void add_node(struct video_device *vdev, bool capture)
{
	struct device *dev = &vdev->dev;
	struct camgate_dev *cdev;
	bool locked;
	int err;

	if (!vdev->fops || node_guarded(vdev))
		return;

	/*
	 * The driver core ignores our return value: failing here would leave
	 * the node unguarded.  The allocation is small and made once per
	 * node, so it may wait for memory instead.
	 */
	cdev = kzalloc(sizeof(*cdev), GFP_KERNEL | __GFP_NOFAIL);
	cdev->owners[0].uid = INVALID_UID;
	cdev->owners[0].gid = INVALID_GID;
	cdev->owners[0].gen = 1;
	RCU_INIT_POINTER(cdev->owner, &cdev->owners[0]);
	cdev->owner_gp = get_state_synchronize_rcu();
	kobject_init(&cdev->kobj, &camgate_dev_ktype);
	mutex_init(&cdev->cfg_lock);
	refcount_set(&cdev->users, 1);
	INIT_LIST_HEAD(&cdev->files);
	INIT_LIST_HEAD(&cdev->cap_files);
	INIT_LIST_HEAD(&cdev->dmabufs);
	INIT_WORK(&cdev->free_work, dev_free_work);
	atomic64_set(&cdev->denials, 0);
	strscpy(cdev->name, dev_name(dev), sizeof(cdev->name));
	node_identity(vdev, cdev->id, sizeof(cdev->id));
	locked = apply_locked_owner(cdev);
	cdev->vdev = vdev;
	cdev->orig = vdev->fops;
	cdev->registered = true;
	cdev->capture = capture;
	cdev->group = node_group(vdev);
	/* Before the sysfs directory, whose owner files send uevents. */
	camgate_notify_init_dev(cdev);
	if (capture)
		camgate_led_add_dev(cdev);
	group_join(cdev, locked);

	/*
	 * The holders file and the sysfs directory before the wrapper table:
	 * each step that fails marks the node closed before any call can
	 * reach it through camgate (their readers and writers only need the
	 * fields set above; an owner written now is kept).
	 */
	err = camgate_holders_add(cdev);
	if (err)
		deny_unowned(cdev, "no holders file in /proc/camgate/holders",
			     err);
	err = camgate_sysfs_add_dev(cdev);
	if (err)
		deny_unowned(cdev, "no sysfs directory", err);
	else
		cdev->in_sysfs = true;

	camgate_sock_note_fops(vdev->cdev->ops);
	camgate_v4l2_wrap(cdev);
	if (capture)
		camgate_stream_wrap(cdev);

	spin_lock(&camgate_devs_lock);
	hash_add_rcu(camgate_devs, &cdev->node, (unsigned long)vdev);
	spin_unlock(&camgate_devs_lock);
	/*
	 * From here on every new call on the node goes through camgate.
	 * Release: the v4l2 core loads vdev->fops with plain loads and calls
	 * through it (an address dependency), so it sees the wrapper table
	 * filled in, on arm64 too.
	 */
	smp_store_release(&vdev->fops, &cdev->fops);
	camgate_notify_add(cdev);
	if (capture)
		pr_info("guarding %s (%s)\n", cdev->name, vdev->name);
	else
		pr_info("guarding %s (%s), of the camera %s\n", cdev->name,
			vdev->name, camgate_group_name(vdev));
}

/* class_for_each_device(): guard @dev if it belongs to @group. */
static int add_sibling(struct device *dev, void *group)
{
	struct video_device *vdev = to_video_device(dev);

	if (node_group(vdev) == group)
		add_node(vdev, is_capture_node(vdev));
	return 0;
}

/*
 * A capture node is guarded with every node of its group, registered
 * before it (found in the class's list, to which a node is added under the
 * mutex we hold, with the interfaces' add_dev: every node listed has been
 * seen by add_dev) or after it (group_captures()).
 */
static int add_dev(CAMGATE_CLASS_IFACE_ARGS)
{
	struct video_device *vdev = to_video_device(dev);
	const void *group = node_group(vdev);

	if (is_capture_node(vdev)) {
		add_node(vdev, true);
		if (group) {
			class_for_each_device(camgate_iface.class, NULL,
					      (void *)group, add_sibling);
			camgate_media_scan(group);
		}
	} else if (camgate_group_captures(group)) {
		add_node(vdev, false);
	}
	return 0;
}

static void remove_dev(CAMGATE_CLASS_IFACE_ARGS)
{
	struct video_device *vdev = to_video_device(dev);
	struct camgate_dev *cdev;
	int idx;

	idx = srcu_read_lock(&camgate_srcu);
	cdev = camgate_dev_find(vdev);
	srcu_read_unlock(&camgate_srcu, idx);
	/* Only we drop the registry reference, so cdev stays alive here. */
	if (!cdev || !cdev->registered)
		return;
	cdev->registered = false;
	spin_lock(&camgate_devs_lock);
	list_del(&cdev->member_node);
	spin_unlock(&camgate_devs_lock);
	camgate_notify_remove(cdev);
	if (cdev->in_sysfs)
		kobject_del(&cdev->kobj);	/* waits for sysfs callers */
	camgate_holders_remove(cdev);	/* waits for its readers */
	pr_info("%s removed\n", cdev->name);
	camgate_dev_put(cdev);
}

/**
 * camgate_devices_init() - Guard every capture node, present and future.
 *
 * Return: 0 on success, -ENOENT if the video4linux class cannot be found
 * (videodev not loaded), -ENOMEM, or the error of class_interface_register().
 */
int camgate_devices_init(void)
{
	struct class *video_class;
	int err;

	/* videodev's video_class, checked by its name. */
	video_class = camgate_lookup_named("video_class",
					   offsetof(struct class, name),
					   "video4linux");
	if (!video_class) {
		pr_err("video4linux class not found (is videodev loaded?)\n");
		return -ENOENT;
	}
	camgate_wq = alloc_workqueue("camgate", WQ_UNBOUND, 0);
	if (!camgate_wq)
		return -ENOMEM;
	camgate_iface.class = video_class;
	camgate_iface.add_dev = add_dev;
	camgate_iface.remove_dev = remove_dev;
	err = class_interface_register(&camgate_iface);
	if (err) {
		destroy_workqueue(camgate_wq);
		return err;
	}
	return 0;
}

/**
 * camgate_devices_exit() - Unguard every node and wait for the last caller.
 *
 * Context: module exit.  No file opened through camgate is open (each holds
 * a module reference), so every guard is retired by its remove_dev.
 */
void camgate_devices_exit(void)
{
	struct locked_owner *lo, *tmp;

	class_interface_unregister(&camgate_iface);
	/* Only a failed load gets here after a lock: unload is refused. */
	list_for_each_entry_safe(lo, tmp, &locked_owners, node)
		kfree(lo);
	destroy_workqueue(camgate_wq);	/* runs every pending free */
	rcu_barrier();
}
