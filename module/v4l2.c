// SPDX-License-Identifier: GPL-2.0
/*
 * Capture-path interposition: the wrapper v4l2_file_operations.
 *
 * v4l2-dev.c calls vdev->fops->{open,read,write,poll,unlocked_ioctl,
 * compat_ioctl32,get_unmapped_area,mmap,release} for every file of a node,
 * so one table per guarded node sees every call, including calls on files
 * opened before camgate loaded.  Each wrapper decides, then calls the
 * driver's entry or returns -EACCES.  Only the entries the driver has are
 * wrapped, because the core treats a NULL entry specially; open and release
 * are always wrapped to keep the per-file state.
 *
 * Hot path (owner_gate()): one lookup by struct file * among the files
 * that hold a capability (camgate_holders, which others' opens cannot
 * grow) and one read of the owner credential, in one RCU-sched read
 * section, inline; no allocation, no lock, no SRCU.  Every other call takes
 * the slow path.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/hashtable.h>
#include <linux/indirect_call_wrapper.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/videodev2.h>
#include <media/v4l2-dev.h>
#include <media/v4l2-event.h>
#include <media/v4l2-ioctl.h>
#include <media/v4l2-mem2mem.h>
#include <media/videobuf2-v4l2.h>

#include "camgate.h"
#include "compat.h"

/*
 * Per-file state, by struct file *, in two tables.  Every file opened
 * through camgate is in camgate_files (the slow paths, release).  Only
 * the files that were minted a capability at open are also in
 * camgate_holders, the table of the owner's hot path: anyone who may open
 * a node can add to the first, only the owner to the second, so ten
 * thousand foreign opens do not lengthen the owner's lookup.  256 buckets
 * for the holders: an owner with 64 files open still finds almost every
 * one at the head of its bucket.
 */
static DEFINE_HASHTABLE(camgate_files, 10);
static DEFINE_HASHTABLE(camgate_holders, 8);
DEFINE_SPINLOCK(camgate_files_lock);		/* both tables, dev->files */

static struct camgate_file *file_find(const struct file *file)
{
	struct camgate_file *cf;

	hash_for_each_possible_rcu(camgate_files, cf, node, (unsigned long)file)
		if (cf->file == file)
			return cf;
	return NULL;
}

static __always_inline struct camgate_file *holder_find(const struct file *file)
{
	struct camgate_file *cf;

	hash_for_each_possible_rcu(camgate_holders, cf, hold_node,
				   (unsigned long)file)
		if (cf->file == file)
			return cf;
	return NULL;
}

/*
 * The guard and capability behind a call.  Files opened before camgate
 * loaded have no state: they hold no capability.
 * Context: inside an SRCU read section of camgate_srcu.
 */
static struct camgate_dev *call_dev(struct file *file, u64 *cap_gen)
{
	struct camgate_file *cf;
	struct camgate_dev *dev;

	rcu_read_lock();
	cf = file_find(file);
	if (cf) {
		dev = cf->dev;
		*cap_gen = cf->cap_gen;
	}
	rcu_read_unlock();
	if (cf)
		return dev;
	*cap_gen = 0;
	return camgate_dev_find(video_devdata(file));
}

static bool may_access(struct camgate_dev *dev, u64 cap_gen)
{
	bool ok;

	rcu_read_lock();
	ok = camgate_caller_may_access(rcu_dereference(dev->owner),
				       READ_ONCE(camgate_default_allow), cap_gen);
	rcu_read_unlock();
	return ok;
}

/**
 * camgate_file_deny_reason() - Why the caller may not use @file's frames.
 * @dev: the file's guard.
 * @file: a file of the guarded node.
 *
 * Context: inside an SRCU read section of camgate_srcu, or with @file's
 * guard otherwise kept alive.
 * Return: the reason (camgate_deny_reason()), for a refused caller.
 */
enum camgate_deny camgate_file_deny_reason(struct camgate_dev *dev,
					   struct file *file)
{
	struct camgate_file *cf;
	enum camgate_deny why;
	bool opener = false;
	u64 cap_gen = 0;

	rcu_read_lock();
	cf = file_find(file);
	if (cf) {
		cap_gen = cf->cap_gen;
		opener = cf->pid == task_tgid_nr(current);
	}
	why = camgate_deny_reason(rcu_dereference(dev->owner), cap_gen, opener);
	rcu_read_unlock();
	return why;
}

/*
 * A file without a capability is let through only on a node without an
 * owner under default_policy allow.  It is marked first (cf->bare), and the
 * check made again: either the check sees an owner set meanwhile, or that
 * owner change's walk (camgate_v4l2_quiet()) sees the mark and stops what
 * the file streams.  Files opened before camgate loaded have no record to
 * mark.
 */
static void note_bare(struct file *file)
{
	struct camgate_file *cf;

	rcu_read_lock();
	cf = file_find(file);
	if (cf && !READ_ONCE(cf->bare))
		WRITE_ONCE(cf->bare, true);
	rcu_read_unlock();
	smp_mb();	/* the mark, then the owner: pairs with the walk */
}

/*
 * The guard through which a call may proceed, or NULL when it is denied (the
 * denial is counted and logged).  A call whose guard cannot be found fails
 * closed.  Context: inside an SRCU read section of camgate_srcu.
 */
static struct camgate_dev *gate_cap(struct file *file, enum camgate_op op,
				    unsigned int cmd, bool query, u64 *cap_gen)
{
	struct camgate_dev *dev = call_dev(file, cap_gen);

	if (!dev || query)
		return dev;
	if (may_access(dev, *cap_gen)) {
		if (*cap_gen)
			return dev;
		note_bare(file);	/* then check again */
		if (may_access(dev, 0))
			return dev;
	}
	camgate_count_denial(dev, op, cmd, camgate_file_deny_reason(dev, file));
	return NULL;
}

static struct camgate_dev *gate(struct file *file, enum camgate_op op,
				unsigned int cmd, bool query)
{
	u64 cap_gen;

	return gate_cap(file, op, cmd, query, &cap_gen);
}

/*
 * The owner's path: the guard of a file opened through camgate whose
 * capability is valid for the caller, or NULL (the caller then takes the
 * slow path, which decides the same and counts a denial).  Such a file
 * holds a users reference on its guard and a module reference until its
 * release, which cannot run while the caller's call on it is in progress:
 * no SRCU read section is needed to keep the guard, the driver's table or
 * our text alive.
 *
 * The read section is RCU-sched (preemption off, inline), not
 * rcu_read_lock(), which is two out-of-line calls on Debian's PREEMPT_RCU
 * kernels.  Since the RCU flavours were consolidated (4.20), every grace
 * period the writers wait for (kfree_rcu() of a file's state, the owner
 * slot's owner_gp, synchronize_rcu()) also waits for preemption-disabled
 * regions, so this section protects the same objects.
 *
 * owner_gate() decides the owner-uid case inline and calls nothing, so that
 * the wrappers' fast path saves no registers and tail-calls the driver;
 * owner_gate_any() decides every case (an owner gid) and starts the slow
 * paths.
 */
static __always_inline struct camgate_dev *owner_gate_as(struct file *file,
							 bool full)
{
	const struct cred *cred = current_cred();
	const struct camgate_owner *owner;
	struct camgate_dev *dev = NULL;
	struct camgate_file *cf;

	rcu_read_lock_sched();
	cf = holder_find(file);
	if (cf) {
		owner = rcu_dereference_sched(cf->dev->owner);
		if ((full ? camgate_may_access(owner,
					       READ_ONCE(camgate_default_allow),
					       cf->cap_gen, cred) :
			    camgate_may_access_uid(owner, cf->cap_gen, cred)) &&
		    camgate_caller_plain_cred(cred))
			dev = cf->dev;
	}
	rcu_read_unlock_sched();
	return dev;
}

static __always_inline struct camgate_dev *owner_gate(struct file *file)
{
	return owner_gate_as(file, false);
}

static struct camgate_dev *owner_gate_any(struct file *file)
{
	return owner_gate_as(file, true);
}

/*
 * The fast paths call the driver's entry through INDIRECT_CALL_1(): on a
 * kernel built with retpolines, the usual vb2/v4l2 helpers (nearly every
 * driver's read, poll and ioctl) are then a compare and a direct jump, not
 * an indirect one through the thunk.
 *
 * The slow paths (denials, files opened before camgate loaded, EXPBUF) are
 * kept out of line, so that the owner's path stays a few instructions and
 * a tail call.
 *
 * A call the gate lets through goes on into the driver, which may block
 * for as long as it likes (DQBUF, DQEVENT, read()).  It must not do so
 * inside the SRCU read section: releasing a guard waits for that section,
 * uninterruptibly, so rmmod would hang in D state behind a file opened
 * before camgate loaded.  pass() leaves the section holding a module
 * reference instead (rmmod is then refused, "in use"), and returns the
 * driver's table, which lives as long as the driver, not the guard.
 */
static const struct v4l2_file_operations *pass(struct camgate_dev *dev,
					       int idx)
	__releases(&camgate_srcu)
{
	const struct v4l2_file_operations *ops = NULL;

	if (dev) {
		ops = dev->orig;
		if (!try_module_get(THIS_MODULE))	/* unloading */
			ops = ERR_PTR(-ENODEV);
	}
	srcu_read_unlock(&camgate_srcu, idx);
	return ops;
}

/* The error of a call pass() did not let through. */
static long pass_err(const struct v4l2_file_operations *ops)
{
	return ops ? PTR_ERR(ops) : -EACCES;
}

static noinline ssize_t read_slow(struct file *file, char __user *buf,
				  size_t len, loff_t *pos)
{
	struct camgate_dev *dev = owner_gate_any(file);
	const struct v4l2_file_operations *ops;
	ssize_t ret;
	int idx;

	if (dev)
		return dev->orig->read(file, buf, len, pos);
	idx = srcu_read_lock(&camgate_srcu);
	ops = pass(gate(file, CAMGATE_OP_READ, 0, false), idx);
	if (IS_ERR_OR_NULL(ops))
		return pass_err(ops);
	ret = ops->read(file, buf, len, pos);
	module_put(THIS_MODULE);
	return ret;
}

static ssize_t cg_read(struct file *file, char __user *buf, size_t len,
		       loff_t *pos)
{
	struct camgate_dev *dev = owner_gate(file);

	if (likely(dev))
		return INDIRECT_CALL_1(dev->orig->read, vb2_fop_read, file,
				       buf, len, pos);
	return read_slow(file, buf, len, pos);
}

static ssize_t cg_write(struct file *file, const char __user *buf, size_t len,
			loff_t *pos)
{
	int idx = srcu_read_lock(&camgate_srcu);
	const struct v4l2_file_operations *ops;
	ssize_t ret;

	ops = pass(gate(file, CAMGATE_OP_WRITE, 0, false), idx);
	if (IS_ERR_OR_NULL(ops))
		return pass_err(ops);
	ret = ops->write(file, buf, len, pos);
	module_put(THIS_MODULE);
	return ret;
}

/*
 * A denied poll reports an error at once and registers no wait queue, so
 * neither its result nor its wake-ups follow the frame clock.
 */
static noinline __poll_t poll_slow(struct file *file,
				   struct poll_table_struct *wait)
{
	struct camgate_dev *dev = owner_gate_any(file);
	const struct v4l2_file_operations *ops;
	__poll_t ret;
	int idx;

	if (dev)
		return dev->orig->poll(file, wait);
	idx = srcu_read_lock(&camgate_srcu);
	ops = pass(gate(file, CAMGATE_OP_POLL, 0, false), idx);
	if (IS_ERR_OR_NULL(ops))
		return EPOLLERR;
	ret = ops->poll(file, wait);
	module_put(THIS_MODULE);
	return ret;
}

static __poll_t cg_poll(struct file *file, struct poll_table_struct *wait)
{
	struct camgate_dev *dev = owner_gate(file);

	if (likely(dev))
		return INDIRECT_CALL_1(dev->orig->poll, vb2_fop_poll, file,
				       wait);
	return poll_slow(file, wait);
}

/* The allowlist of the node's kind: sub-devices have their own ioctls. */
static bool is_query(struct file *file, unsigned int cmd)
{
	if (video_devdata(file)->vfl_type == VFL_TYPE_SUBDEV)
		return camgate_subdev_ioctl_is_query(cmd);
	return camgate_ioctl_is_query(cmd);
}

/*
 * VIDIOC_STREAMON, let through: the driver starts capturing into the
 * file's buffers after the check.  A revocation in between would find
 * nothing streaming to stop (camgate_v4l2_quiet()), and the stream would
 * run on into the old holder's USERPTR and imported buffers, its own
 * memory, which no unmapping reaches.  So the check is made again, and the
 * driver's STREAMON called, under the guard's cfg_lock, which every owner
 * change and revocation holds from its bump to the end of its stop: a
 * revocation comes wholly before (this check sees it) or wholly after
 * (its stop sees the stream).  Lock order: cfg_lock, then the queue's.
 *
 * Context: inside an SRCU read section of camgate_srcu; the driver's
 * STREAMON does not block for long.
 */
static long streamon(struct camgate_dev *dev, u64 cap_gen, struct file *file,
		     unsigned long arg)
{
	long ret;

	if (mutex_lock_killable(&dev->cfg_lock))
		return -EINTR;
	if (may_access(dev, cap_gen)) {
		ret = dev->orig->unlocked_ioctl(file, VIDIOC_STREAMON, arg);
	} else {
		camgate_count_denial(dev, CAMGATE_OP_IOCTL, VIDIOC_STREAMON,
				     camgate_file_deny_reason(dev, file));
		ret = -EACCES;
	}
	mutex_unlock(&dev->cfg_lock);
	return ret;
}

static noinline long ioctl_slow(struct file *file, unsigned int cmd,
				unsigned long arg)
{
	const struct v4l2_file_operations *ops;
	struct camgate_dev *dev;
	u64 cap_gen;
	long ret;
	int idx;

	dev = owner_gate_any(file);
	if (dev && cmd != VIDIOC_EXPBUF && cmd != VIDIOC_STREAMON)
		return dev->orig->unlocked_ioctl(file, cmd, arg);
	idx = srcu_read_lock(&camgate_srcu);
	dev = gate_cap(file, CAMGATE_OP_IOCTL, cmd, is_query(file, cmd),
		       &cap_gen);
	/* These three need the guard, and do not block for long. */
	if (dev && (unlikely(cmd == VIDIOC_EXPBUF) || cmd == VIDIOC_STREAMON ||
		    (unlikely(cmd == VIDIOC_G_CTRL) && !may_access(dev, cap_gen)))) {
		if (cmd == VIDIOC_EXPBUF)
			ret = camgate_dmabuf_expbuf(dev, cap_gen, file, arg);
		else if (cmd == VIDIOC_STREAMON)
			ret = streamon(dev, cap_gen, file, arg);
		else
			ret = camgate_ctrl_get(dev, file, arg);
		srcu_read_unlock(&camgate_srcu, idx);
		return ret;
	}
	ops = pass(dev, idx);
	if (IS_ERR_OR_NULL(ops))
		return pass_err(ops);
	ret = ops->unlocked_ioctl(file, cmd, arg);
	module_put(THIS_MODULE);
	return ret;
}

/*
 * EXPBUF binds the dma-buf to the capability, STREAMON is checked again
 * against revocations (streamon()): always the slow path.
 */
static long cg_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct camgate_dev *dev = owner_gate(file);

	if (likely(dev) && likely(cmd != VIDIOC_EXPBUF) &&
	    likely(cmd != VIDIOC_STREAMON))
		return INDIRECT_CALL_1(dev->orig->unlocked_ioctl,
				       video_ioctl2, file, cmd, arg);
	return ioctl_slow(file, cmd, arg);
}

#ifdef CONFIG_COMPAT
/* Private and vendor 32-bit ioctls: never a query. */
static long cg_compat_ioctl32(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	int idx = srcu_read_lock(&camgate_srcu);
	const struct v4l2_file_operations *ops;
	long ret;

	ops = pass(gate(file, CAMGATE_OP_COMPAT_IOCTL, cmd, false), idx);
	if (IS_ERR_OR_NULL(ops))
		return pass_err(ops);
	ret = ops->compat_ioctl32(file, cmd, arg);
	module_put(THIS_MODULE);
	return ret;
}
#endif

static unsigned long cg_get_unmapped_area(struct file *file,
					  unsigned long addr,
					  unsigned long len,
					  unsigned long pgoff,
					  unsigned long flags)
{
	int idx = srcu_read_lock(&camgate_srcu);
	struct camgate_dev *dev = gate(file, CAMGATE_OP_UNMAPPED_AREA, 0,
				       false);
	unsigned long ret = dev ?
		dev->orig->get_unmapped_area(file, addr, len, pgoff, flags) :
		-EACCES;

	srcu_read_unlock(&camgate_srcu, idx);
	return ret;
}

/*
 * A mapping is not inherited across fork(): a child that then changes its
 * credentials would keep seeing frames through it, where its use of the
 * inherited file is refused.  A child that stays the owner maps again.
 */
/*
 * The kernel links a new mapping into the file's address space after
 * ->mmap returns, so a revocation between our check and that link would
 * not find it to unmap.  Before the check each file records the address
 * space it is being mapped into; a revocation bumps the generation and
 * then waits for each recorded address space's mmap lock, which the mmap
 * holds until the mapping is linked (camgate_v4l2_wait_mappers()): either
 * the check sees the new generation, or the revocation sees the record.
 */
static void note_mapper(struct file *file)
{
	struct mm_struct *old = NULL;
	struct camgate_file *cf;

	spin_lock(&camgate_files_lock);
	cf = file_find(file);
	if (cf)
		old = camgate_mapper_set(&cf->mapper);
	spin_unlock(&camgate_files_lock);
	camgate_mapper_noted(old);
}

static int cg_mmap(struct file *file, struct vm_area_struct *vma)
{
	int idx = srcu_read_lock(&camgate_srcu);
	struct camgate_dev *dev;
	int ret;

	note_mapper(file);
	dev = gate(file, CAMGATE_OP_MMAP, 0, false);
	ret = dev ? dev->orig->mmap(file, vma) : -EACCES;

	if (!ret)
		camgate_vma_set_flags(vma, VM_DONTCOPY);
	srcu_read_unlock(&camgate_srcu, idx);
	return ret;
}

static void file_link(struct camgate_file *cf)
{
	spin_lock(&camgate_files_lock);
	hash_add_rcu(camgate_files, &cf->node, (unsigned long)cf->file);
	if (cf->cap_gen) {
		hash_add_rcu(camgate_holders, &cf->hold_node,
			     (unsigned long)cf->file);
		list_add_tail(&cf->cap_node, &cf->dev->cap_files);
	}
	list_add_tail(&cf->dev_node, &cf->dev->files);
	spin_unlock(&camgate_files_lock);
}

static struct camgate_file *file_unlink(const struct file *file)
{
	struct camgate_file *cf;

	spin_lock(&camgate_files_lock);
	cf = file_find(file);
	if (cf) {
		hash_del_rcu(&cf->node);
		if (cf->cap_gen) {
			hash_del_rcu(&cf->hold_node);
			list_del(&cf->cap_node);
		}
		list_del(&cf->dev_node);
	}
	spin_unlock(&camgate_files_lock);
	return cf;
}

/*
 * Open: the driver's open first, then the capability, minted from the
 * opener's credential against the owner in force now.  The state is
 * allocated before the driver's open so that a failed allocation has
 * nothing to undo.  The file holds a module reference: camgate cannot be
 * unloaded under it.
 */
static int cg_open(struct file *file)
{
	int idx = srcu_read_lock(&camgate_srcu);
	struct camgate_file *cf;
	struct camgate_dev *dev;
	int ret;

	/*
	 * The module reference first: once rmmod has begun, nothing may take
	 * a guard's reference, or the open that then fails could drop a
	 * guard's last one after camgate_devices_exit() destroyed the
	 * workqueue its release is queued on.
	 */
	if (!try_module_get(THIS_MODULE)) {
		ret = -ENODEV;
		goto out;
	}
	dev = camgate_dev_find(video_devdata(file));
	if (!dev || !camgate_dev_tryget(dev)) {
		ret = -ENODEV;
		goto err_put_module;
	}
	/* Charged to the opener: anyone who can open the node pays for it. */
	cf = kzalloc(sizeof(*cf), GFP_KERNEL_ACCOUNT);
	if (!cf) {
		ret = -ENOMEM;
		goto err_put_dev;
	}
	ret = dev->orig->open ? dev->orig->open(file) : 0;
	if (ret)
		goto err_free;
	/*
	 * No inotify/fanotify event for a guarded node's files: IN_ACCESS at
	 * each read() would give anyone who may watch the node the owner's
	 * frame clock, IN_OPEN and IN_CLOSE when the camera is used.  The
	 * open event comes after this call (do_sys_openat2()), so it goes too.
	 */
	camgate_file_set_nonotify(file);

	cf->file = file;
	cf->dev = dev;
	cf->uid = current_euid();
	cf->pid = task_tgid_nr(current);
	get_task_comm(cf->comm, current);
	rcu_read_lock();
	cf->cap_gen = camgate_cap_mint(rcu_dereference(dev->owner),
				       current_cred());
	rcu_read_unlock();
	file_link(cf);
	goto out;

err_free:
	kfree(cf);
err_put_dev:
	camgate_dev_put(dev);
err_put_module:
	module_put(THIS_MODULE);
out:
	srcu_read_unlock(&camgate_srcu, idx);
	return ret;
}

static int cg_release(struct file *file)
{
	int idx = srcu_read_lock(&camgate_srcu);
	struct camgate_file *cf = file_unlink(file);
	struct camgate_dev *dev;
	int ret = 0;

	dev = cf ? cf->dev : camgate_dev_find(video_devdata(file));
	if (WARN_ON_ONCE(!dev))
		goto out;
	if (dev->orig->release)
		ret = dev->orig->release(file);
	if (cf) {
		camgate_mapper_release(&cf->mapper);
		kfree_rcu(cf, rcu);
		camgate_dev_put(dev);
		module_put(THIS_MODULE);
	}
out:
	srcu_read_unlock(&camgate_srcu, idx);
	return ret;
}

/**
 * camgate_v4l2_wrap() - Fill a guard's wrapper table from the driver's.
 * @dev: the guard, with dev->orig set.
 *
 * Context: before the table is installed in dev->vdev.
 */
void camgate_v4l2_wrap(struct camgate_dev *dev)
{
	const struct v4l2_file_operations *orig = dev->orig;
	struct v4l2_file_operations *fops = &dev->fops;

	fops->owner = orig->owner;
	fops->read = orig->read ? cg_read : NULL;
	fops->write = orig->write ? cg_write : NULL;
	fops->poll = orig->poll ? cg_poll : NULL;
	fops->unlocked_ioctl = orig->unlocked_ioctl ? cg_ioctl : NULL;
#ifdef CONFIG_COMPAT
	fops->compat_ioctl32 = orig->compat_ioctl32 ? cg_compat_ioctl32 : NULL;
#endif
	fops->get_unmapped_area = orig->get_unmapped_area ?
				  cg_get_unmapped_area : NULL;
	fops->mmap = orig->mmap ? cg_mmap : NULL;
	fops->open = cg_open;
	fops->release = cg_release;
}

/**
 * camgate_dev_count_caps() - Count the live capabilities of a device.
 * @dev: the guard.
 *
 * Walks only the files minted a capability at open (dev->cap_files), which
 * only the owner can add to, so that a world-readable sysfs read cannot be
 * made to hold the files lock for as long as others have files open.
 *
 * Context: process context; takes the files lock.
 * Return: the number of open files holding a capability of the device's
 * current generation.
 */
unsigned int camgate_dev_count_caps(struct camgate_dev *dev)
{
	struct camgate_file *cf;
	unsigned int n = 0;
	u64 gen;

	rcu_read_lock();
	gen = rcu_dereference(dev->owner)->gen;
	rcu_read_unlock();
	spin_lock(&camgate_files_lock);
	list_for_each_entry(cf, &dev->cap_files, cap_node)
		n += cf->cap_gen == gen;
	spin_unlock(&camgate_files_lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(camgate_dev_count_caps);

/*
 * The capture buffer types a node's capabilities name: what a stream-off
 * of its files covers.
 */
static const struct {
	u32 cap;
	enum v4l2_buf_type type;
} capture_types[] = {
	{ V4L2_CAP_VIDEO_CAPTURE, V4L2_BUF_TYPE_VIDEO_CAPTURE },
	{ V4L2_CAP_VIDEO_CAPTURE_MPLANE, V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE },
	{ V4L2_CAP_VBI_CAPTURE, V4L2_BUF_TYPE_VBI_CAPTURE },
	{ V4L2_CAP_SLICED_VBI_CAPTURE, V4L2_BUF_TYPE_SLICED_VBI_CAPTURE },
	{ V4L2_CAP_SDR_CAPTURE, V4L2_BUF_TYPE_SDR_CAPTURE },
	{ V4L2_CAP_META_CAPTURE, V4L2_BUF_TYPE_META_CAPTURE },
};

/*
 * The lock the v4l2 core takes for a queue ioctl of @file on a node
 * without vdev->queue (v4l2_ioctl_get_lock()): a mem2mem context's queue
 * lock, else the node's lock, else none.
 */
static struct mutex *streamoff_lock(struct video_device *vdev,
				    struct file *file)
{
	struct v4l2_fh *fh = file->private_data;

	if (test_bit(V4L2_FL_USES_V4L2_FH, &vdev->flags) && fh &&
	    fh->m2m_ctx && fh->m2m_ctx->q_lock)
		return fh->m2m_ctx->q_lock;
	return vdev->lock;
}

/*
 * Stop a streaming queue, under the lock the v4l2 core serialises the
 * queue with: vb2_queue_error() sets a bit field that shares its word
 * with streaming, waiting_for_buffers and the other flags vb2 updates under
 * that lock, so a STREAMON or STREAMOFF running at the same time could lose
 * its update, or ours.  vb2 drops the lock while a DQBUF or read() waits.
 *
 * The error wakes blocked DQBUF, read and poll with -EIO; the stream-off
 * then stops the driver, which would otherwise go on filling the buffers
 * still queued: the old holder's own memory for USERPTR and imported
 * DMABUF buffers, which no unmapping reaches.  The buffers stay allocated
 * (the queue is the old holder's until it closes or frees them).
 *
 * Last, every poll registration on the queue's wait queue is taken off it
 * (POLLFREE, which epoll, io_uring's poll and aio detach on): they were all
 * made by files whose capability the bump has just voided (a denied poll
 * does not reach vb2), and an epoll registration stays until its owner
 * removes it: with EPOLLET each of the next owner's frames would wake the
 * old holder, a frame clock.  A blocked poll() or select() only wakes up.
 */
static void queue_stop(struct video_device *vdev)
{
	struct vb2_queue *q = vdev->queue;
	struct mutex *lock;	/* what the v4l2 core serialises q with */

	if (!q)
		return;
	lock = q->lock ?: vdev->lock;
	if (lock)
		mutex_lock(lock);
	if (vb2_is_streaming(q)) {
		vb2_queue_error(q);
		vb2_core_streamoff(q, q->type);
	}
	__wake_up(&q->done_wq, TASK_NORMAL, 0,
		  poll_to_key(EPOLLHUP | EPOLLERR | POLLFREE));
	if (lock)
		mutex_unlock(lock);
}

/*
 * Stop what @file streams on a node whose driver keeps its vb2 queue to
 * itself (uvcvideo: vdev->queue is not set, so queue_stop() cannot reach
 * it): the driver's own VIDIOC_STREAMOFF, called as the v4l2
 * core calls it, under the request queue's lock and the queue's lock when
 * the driver has them, on a registered node, with the file's private
 * data (kernels that pass NULL there have drivers that ignore it).  vb2
 * then wakes a DQBUF, read or poll blocked in the driver, which fails
 * (-EINVAL; poll gives EPOLLERR), and the driver captures nothing more
 * into the file's buffers: USERPTR and imported memory that no unmapping
 * reaches.
 * A file that does not stream is refused by the driver (uvcvideo: -EBUSY)
 * and nothing changes.
 *
 * These locks are the ones a STREAMOFF from another thread of the old
 * holder would take: a driver whose blocked DQBUF kept them would hang its
 * own users the same way.
 */
static void file_streamoff(struct video_device *vdev, struct file *file)
{
	struct v4l2_device *v4l2_dev = vdev->v4l2_dev;
	struct mutex *req = NULL, *lock = streamoff_lock(vdev, file);
	unsigned int i;

	if (v4l2_dev && v4l2_device_supports_requests(v4l2_dev))
		req = &v4l2_dev->mdev->req_queue_mutex;
	if (req)
		mutex_lock(req);
	if (lock)
		mutex_lock(lock);
	for (i = 0; i < ARRAY_SIZE(capture_types); i++)
		if ((vdev->device_caps & capture_types[i].cap) &&
		    video_is_registered(vdev))
			vdev->ioctl_ops->vidioc_streamoff(file,
							  file->private_data,
							  capture_types[i].type);
	if (lock)
		mutex_unlock(lock);
	if (req)
		mutex_unlock(req);
}

/*
 * The next file of @dev->files from @cf on (the list head: from the
 * start) that held a capability of an older generation than @gen, or was
 * let through without one (note_bare()), pinned; or NULL at the end.  The
 * others (another uid's opens, however many) cost one look each.  A file
 * being released is passed over: its release unsubscribes it and stops
 * its stream.  A pinned file stays on the list (only its release takes it
 * off), so the walk goes on from it.
 */
static struct file *next_old_file(struct camgate_dev *dev,
				  struct camgate_file **cf, u64 gen)
{
	struct camgate_file *pos = *cf;
	struct file *file = NULL;

	spin_lock(&camgate_files_lock);
	list_for_each_entry_continue(pos, &dev->files, dev_node) {
		if (pos->cap_gen == gen || (!pos->cap_gen && !READ_ONCE(pos->bare)))
			continue;
		if (camgate_get_file_unless_zero((struct file *)pos->file)) {
			file = (struct file *)pos->file;
			*cf = pos;
			break;
		}
	}
	spin_unlock(&camgate_files_lock);
	return file;
}

/**
 * camgate_v4l2_quiet() - Stop the old holders' streams, silence their
 * events.
 * @dev: the guard, its generation already bumped.
 * @seq: this revocation's round (unused: one walk, in list order).
 *
 * First the node's queue, when the driver set vdev->queue (queue_stop()).
 * Then its files: a file without a capability of the new generation keeps
 * its event subscriptions (V4L2_EVENT_CTRL on a control that follows the
 * frames, FRAME_SYNC, ...), and each event would still wake its poll
 * registrations and a DQEVENT it had blocked in before the revocation: a
 * frame clock.  New subscriptions and dequeues are refused by the bump.
 * On a node without vdev->queue, the file's stream is also stopped
 * (file_streamoff()).  Besides the old capabilities, the files let
 * through without one are visited: with the default policy "allow", a
 * file of a node that had no owner streamed and subscribed without one.
 * Each file is pinned under the files lock and dealt with outside it, one
 * at a time; the walk is linear in the files.
 *
 * Context: process context; may sleep.
 */
void camgate_v4l2_quiet(struct camgate_dev *dev, unsigned long seq)
{
	struct video_device *vdev = dev->vdev;
	struct camgate_file *cf;
	struct file *file, *prev = NULL;
	bool events, stop;
	u64 gen;

	if (!vdev)
		return;
	queue_stop(vdev);
	events = test_bit(V4L2_FL_USES_V4L2_FH, &vdev->flags);
	stop = !vdev->queue && vdev->ioctl_ops &&
	       vdev->ioctl_ops->vidioc_streamoff;
	if (!events && !stop)
		return;
	rcu_read_lock();
	gen = rcu_dereference(dev->owner)->gen;
	rcu_read_unlock();
	smp_mb();	/* the owner, then the marks: pairs with note_bare() */
	cf = list_entry(&dev->files, struct camgate_file, dev_node);
	while ((file = next_old_file(dev, &cf, gen))) {
		if (prev)
			fput(prev);	/* the walk has moved past it */
		if (stop)
			file_streamoff(vdev, file);
		if (events && file->private_data)
			v4l2_event_unsubscribe_all(file->private_data);
		prev = file;
	}
	if (prev)
		fput(prev);
}

/**
 * camgate_v4l2_wait_mappers() - Wait for mmaps that passed the old check.
 * @dev: the guard, its generation already bumped.
 * @seq: this revocation's round, new for the device.
 *
 * Takes and drops the mmap lock of every address space a file of the
 * device was mapped into (note_mapper()), one address space per round, so
 * that an mmap that passed the check before the bump has linked its
 * mapping when camgate_v4l2_zap() runs next.
 *
 * Context: process context; sleeps.  Call before the zap.
 */
void camgate_v4l2_wait_mappers(struct camgate_dev *dev, unsigned long seq)
{
	struct camgate_file *cf;
	struct mm_struct *mm;

	smp_mb();	/* the generation, then the records: see note_mapper() */
	do {
		mm = NULL;
		spin_lock(&camgate_files_lock);
		list_for_each_entry(cf, &dev->files, dev_node)
			camgate_mapper_pick(&cf->mapper, seq, &mm);
		spin_unlock(&camgate_files_lock);
	} while (camgate_mapper_wait(mm));
}

/**
 * camgate_v4l2_zap() - Unmap every mapping of a device's buffers.
 * @dev: the guard, its generation already bumped.
 * @seq: this revocation's round, new for the device.
 *
 * Zaps the page tables of every VMA of every inode through which a file
 * of the device was opened; vb2's mappings have no fault handler, so a
 * later access faults.  Each inode is pinned under the lock (the file is
 * still linked, so it still holds its inode) and zapped outside it, one at
 * a time, so nothing is allocated; each round marks every file of that
 * inode, so the work grows with the files, not with their square.
 *
 * Context: process context.
 */
void camgate_v4l2_zap(struct camgate_dev *dev, unsigned long seq)
{
	struct camgate_file *cf;
	struct inode *inode;

	for (;;) {
		inode = NULL;
		spin_lock(&camgate_files_lock);
		list_for_each_entry(cf, &dev->files, dev_node) {
			if (cf->zap_seq == seq)
				continue;
			if (!inode) {
				inode = file_inode(cf->file);
				ihold(inode);
			}
			/*
			 * Every file opened through the same inode (all the
			 * opens of one /dev node) is done by this one zap:
			 * a round per inode, not per file, so that many
			 * opens cannot make a revocation quadratic.
			 */
			if (file_inode(cf->file) == inode)
				cf->zap_seq = seq;
		}
		spin_unlock(&camgate_files_lock);
		if (!inode)
			return;
		unmap_mapping_range(inode->i_mapping, 0, 0, 1);
		iput(inode);
	}
}
