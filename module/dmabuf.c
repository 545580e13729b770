// SPDX-License-Identifier: GPL-2.0
/*
 * dma-bufs exported from a guarded queue stay bound to their device.
 *
 * VIDIOC_EXPBUF returns a dma-buf whose file operations are the dma-buf
 * core's, not V4L2's, so the capture-path wrappers never see it again.
 * After a successful EXPBUF, the dma-buf's ops pointer is swapped for a
 * per-export copy whose mmap and attach check the caller like any frame
 * access, and whose release unbinds.  Whether a dma-buf is bound is then
 * decided from the dma-buf itself (its ops are ours), so an unrelated
 * dma-buf that later reuses the same memory is never mistaken for it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/ptrace.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/videodev2.h>

#include "camgate.h"
#include "compat.h"

CAMGATE_IMPORT_NS(DMA_BUF);

/* One exported dma-buf bound to its device; freed by the dma-buf's release. */
struct camgate_dmabuf {
	struct dma_buf_ops ops;			/* installed in dmabuf->ops */
	const struct dma_buf_ops *orig;		/* the exporter's */
	struct dma_buf *dmabuf;
	struct camgate_dev *dev;		/* holds a kobject reference */
	u64 gen;				/* capability it was made with */
	struct list_head dev_node;		/* dev->dmabufs; dmabufs lock */
	unsigned long zap_seq;			/* dmabufs lock */
	unsigned long mm_seq;			/* dmabufs lock */
	struct mm_struct *mapper;		/* last mmap's (grabbed); ditto */
};

static DEFINE_SPINLOCK(camgate_dmabufs_lock);	/* every dev->dmabufs */
/* The dma-buf core's file operations, learnt at the first export. */
static const struct file_operations *dma_buf_fops;

static void cg_dmabuf_release(struct dma_buf *dmabuf);

static struct camgate_dmabuf *to_binding(const struct dma_buf *dmabuf)
{
	const struct dma_buf_ops *ops = READ_ONCE(dmabuf->ops);

	if (ops->release != cg_dmabuf_release)
		return NULL;
	return container_of(ops, struct camgate_dmabuf, ops);
}

static bool binding_allows(struct camgate_dmabuf *b, enum camgate_op op)
{
	const struct camgate_owner *owner;
	enum camgate_deny why;
	bool ok;

	rcu_read_lock();
	owner = rcu_dereference(b->dev->owner);
	ok = camgate_caller_may_access(owner, READ_ONCE(camgate_default_allow),
				       b->gen);
	/* Who exported the dma-buf is not kept: any other user "has" it. */
	why = ok ? CAMGATE_DENY_NONE : camgate_deny_reason(owner, b->gen, false);
	rcu_read_unlock();
	if (!ok)
		camgate_count_denial(b->dev, op, 0, why);
	return ok;
}

static int cg_dmabuf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct camgate_dmabuf *b = to_binding(dmabuf);
	struct mm_struct *old = NULL;
	int ret;

	/* Recorded before the check, as for the node (v4l2.c note_mapper()). */
	spin_lock(&camgate_dmabufs_lock);
	if (b->mapper != current->mm) {
		old = b->mapper;
		mmgrab(current->mm);
		b->mapper = current->mm;
	}
	spin_unlock(&camgate_dmabufs_lock);
	if (old)
		mmdrop(old);
	smp_mb();	/* the record, then the generation */
	if (!binding_allows(b, CAMGATE_OP_DMABUF_MMAP))
		return -EACCES;
	ret = b->orig->mmap(dmabuf, vma);
	if (!ret)	/* not inherited: see cg_mmap() */
		camgate_vma_set_flags(vma, VM_DONTCOPY);
	return ret;
}

static int cg_dmabuf_attach(struct dma_buf *dmabuf,
			    struct dma_buf_attachment *attach)
{
	struct camgate_dmabuf *b = to_binding(dmabuf);

	if (!binding_allows(b, CAMGATE_OP_DMABUF_ATTACH))
		return -EACCES;
	return b->orig->attach ? b->orig->attach(dmabuf, attach) : 0;
}

static void cg_dmabuf_release(struct dma_buf *dmabuf)
{
	struct camgate_dmabuf *b = to_binding(dmabuf);

	spin_lock(&camgate_dmabufs_lock);
	list_del(&b->dev_node);
	spin_unlock(&camgate_dmabufs_lock);
	dmabuf->ops = b->orig;
	b->orig->release(dmabuf);
	kobject_put(&b->dev->kobj);
	if (b->mapper)
		mmdrop(b->mapper);
	kfree(b);
	module_put(THIS_MODULE);
}

/**
 * camgate_dmabuf_binding() - Is a file a dma-buf bound to a guarded device?
 * @file: any file.
 * @dev: set to the device it is bound to.
 * @gen: set to the capability generation it was exported with.
 *
 * Context: any, under rcu_read_lock(); @file is referenced by the caller.
 * Return: true if @file is a bound dma-buf.
 */
bool camgate_dmabuf_binding(struct file *file, struct camgate_dev **dev,
			    u64 *gen)
{
	const struct file_operations *fops = READ_ONCE(dma_buf_fops);
	struct camgate_dmabuf *b;

	if (!fops || file->f_op != fops)
		return false;
	b = to_binding(file->private_data);
	if (!b)
		return false;
	*dev = b->dev;
	*gen = b->gen;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(camgate_dmabuf_binding);

/**
 * camgate_dmabuf_alloc() - Allocate a binding, before the export it binds.
 *
 * Holds a module reference until the binding is freed or released.
 *
 * Return: the binding, or NULL (-ENOMEM, or the module is going away).
 */
struct camgate_dmabuf *camgate_dmabuf_alloc(void)
{
	struct camgate_dmabuf *b = kzalloc(sizeof(*b), GFP_KERNEL_ACCOUNT);

	if (b && !try_module_get(THIS_MODULE)) {
		kfree(b);
		b = NULL;
	}
	return b;
}
EXPORT_SYMBOL_IF_KUNIT(camgate_dmabuf_alloc);

/**
 * camgate_dmabuf_free() - Free a binding that bound nothing.
 * @b: from camgate_dmabuf_alloc().
 */
void camgate_dmabuf_free(struct camgate_dmabuf *b)
{
	kfree(b);
	module_put(THIS_MODULE);
}
EXPORT_SYMBOL_IF_KUNIT(camgate_dmabuf_free);

/**
 * camgate_dmabuf_bind() - Bind a dma-buf to a guarded device.
 * @b: from camgate_dmabuf_alloc(); owned by the dma-buf from now on.
 * @dmabuf: the dma-buf just exported from the device's queue.
 * @dev: the guard.
 * @cap_gen: the capability the exporter used.
 *
 * Swaps the dma-buf's ops for @b's copy; its release unbinds and frees @b.
 *
 * Context: any (the dma_buf_fd() probe binds with preemption off); nothing
 * here sleeps.  The caller holds a reference to @dmabuf.
 * Return: 0, or -EBUSY if @dmabuf is already bound (@b is then untouched).
 */
int camgate_dmabuf_bind(struct camgate_dmabuf *b, struct dma_buf *dmabuf,
			struct camgate_dev *dev, u64 cap_gen)
{
	if (to_binding(dmabuf))
		return -EBUSY;
	b->orig = dmabuf->ops;
	b->ops = *b->orig;
	b->ops.mmap = cg_dmabuf_mmap;
	b->ops.attach = cg_dmabuf_attach;
	b->ops.release = cg_dmabuf_release;
	b->dmabuf = dmabuf;
	b->dev = dev;
	b->gen = cap_gen;
	kobject_get(&dev->kobj);
	WRITE_ONCE(dma_buf_fops, dmabuf->file->f_op);
	spin_lock(&camgate_dmabufs_lock);
	list_add_tail(&b->dev_node, &dev->dmabufs);
	spin_unlock(&camgate_dmabufs_lock);
	/*
	 * From here on the dma-buf is guarded.  Release: whoever loads the
	 * pointer (the dma-buf core, with plain loads and an address
	 * dependency) sees the copy filled in, on arm64 too.
	 */
	smp_store_release(&dmabuf->ops, &b->ops);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(camgate_dmabuf_bind);

/*
 * The guarded export in progress.  VIDIOC_EXPBUF runs the driver's ioctl,
 * which makes the dma-buf and installs its descriptor with dma_buf_fd().
 * A kprobe on dma_buf_fd() binds the dma-buf there, in the exporting task,
 * before any descriptor for it exists: no other thread of the owner can
 * mmap it, pass it on or replace the descriptor before it is guarded.
 * Exports are rare; one at a time, under export_mutex.
 */
static DEFINE_MUTEX(export_mutex);
static struct {
	struct task_struct *task;	/* the exporting task, or NULL */
	struct camgate_dmabuf *b;
	struct camgate_dev *dev;
	u64 gen;
	bool bound;			/* b belongs to a dma-buf now */
} export;

/* int dma_buf_fd(struct dma_buf *dmabuf, int flags), in every task. */
static int dma_buf_fd_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct dma_buf *dmabuf =
		(struct dma_buf *)regs_get_kernel_argument(regs, 0);

	/* Only the exporting task's own fields: no ordering needed. */
	if (READ_ONCE(export.task) != current || export.bound ||
	    IS_ERR_OR_NULL(dmabuf))
		return 0;
	if (!camgate_dmabuf_bind(export.b, dmabuf, export.dev, export.gen))
		export.bound = true;
	return 0;
}

NOKPROBE_SYMBOL(dma_buf_fd_pre);

static struct kprobe dma_buf_fd_probe = {
	.symbol_name = "dma_buf_fd",
	.pre_handler = dma_buf_fd_pre,
};

/**
 * camgate_dmabuf_init() - Start binding exports where they are made.
 *
 * Context: module init; a failure fails the load.
 * Return: 0 or register_kprobe()'s error.
 */
int camgate_dmabuf_init(void)
{
	int err = register_kprobe(&dma_buf_fd_probe);

	if (err)
		pr_err("cannot interpose dma_buf_fd() (%d): not loading\n", err);
	return err;
}

/**
 * camgate_dmabuf_exit() - Stop binding exports.
 *
 * Context: module exit; waits for running handlers.
 */
void camgate_dmabuf_exit(void)
{
	unregister_kprobe(&dma_buf_fd_probe);
}

/**
 * camgate_dmabuf_expbuf() - Run VIDIOC_EXPBUF and bind what it exports.
 * @dev: the guard of the node.
 * @cap_gen: the capability the caller used.
 * @file: the node's file.
 * @arg: the user pointer to struct v4l2_exportbuffer.
 *
 * The binding is allocated before the export, so that running out of
 * memory refuses the export instead of leaving an unbound dma-buf, and is
 * bound by the dma_buf_fd() probe, before the descriptor is installed.  A
 * driver that installs its descriptor some other way (none in the tree:
 * vb2 uses dma_buf_fd()) is bound through the descriptor afterwards, which
 * a concurrent thread of the owner's could replace.
 *
 * Context: process context, inside the ioctl wrapper.
 * Return: the driver's result, -ENOMEM if the binding cannot be allocated,
 * or -EFAULT/-EBADF if an export made without dma_buf_fd() cannot be found
 * again (it then stays open in the caller, unbound).
 */
long camgate_dmabuf_expbuf(struct camgate_dev *dev, u64 cap_gen,
			   struct file *file, unsigned long arg)
{
	struct v4l2_exportbuffer __user *uexp = (void __user *)arg;
	struct camgate_dmabuf *b = camgate_dmabuf_alloc();
	struct dma_buf *dmabuf;
	bool bound;
	s32 fd;
	long ret;

	if (!b)
		return -ENOMEM;
	mutex_lock(&export_mutex);
	export.b = b;
	export.dev = dev;
	export.gen = cap_gen;
	export.bound = false;
	WRITE_ONCE(export.task, current);
	ret = dev->orig->unlocked_ioctl(file, VIDIOC_EXPBUF, arg);
	WRITE_ONCE(export.task, NULL);
	bound = export.bound;
	mutex_unlock(&export_mutex);
	if (bound)	/* b is the dma-buf's, even if the ioctl failed later */
		return ret;
	if (ret)
		goto err_free;
	ret = -EFAULT;
	if (get_user(fd, &uexp->fd))
		goto err_free;
	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto err_free;
	}
	ret = camgate_dmabuf_bind(b, dmabuf, dev, cap_gen);
	dma_buf_put(dmabuf);
	if (ret) {	/* not the export we just made */
		ret = -EBADF;
		goto err_free;
	}
	return 0;

err_free:
	camgate_dmabuf_free(b);
	return ret;
}

/**
 * camgate_dmabuf_zap() - Unmap every mapping of a device's dma-bufs.
 * @dev: the guard, its generation already bumped.
 * @seq: this revocation's round, new for the device.
 *
 * Later accesses through those mappings fault.  Each dma-buf's file is
 * pinned under the lock and zapped outside it, one at a time, so nothing
 * is allocated.  A binding on the list has not been released, so its
 * dma-buf and file are not freed yet (the file is freed after its dentry's
 * release, which unbinds under the lock); but the file's count may already
 * be zero, its release under way: the dma-buf's release runs after the
 * inode's last iput(), so the inode may be evicted.  Such a file has no
 * mapping left (each holds a reference), so it is skipped.
 *
 * Context: process context.
 */
void camgate_dmabuf_zap(struct camgate_dev *dev, unsigned long seq)
{
	struct camgate_dmabuf *b;
	struct mm_struct *mm;
	struct file *file;

	/*
	 * First the mmaps that passed the check before the bump: their
	 * mappings are linked once their address space's mmap lock is free.
	 */
	smp_mb();	/* the generation, then the records */
	for (;;) {
		mm = NULL;
		spin_lock(&camgate_dmabufs_lock);
		list_for_each_entry(b, &dev->dmabufs, dev_node) {
			if (!b->mapper || b->mm_seq == seq)
				continue;
			if (!mm) {
				mm = b->mapper;
				mmgrab(mm);
			}
			if (b->mapper == mm)
				b->mm_seq = seq;
		}
		spin_unlock(&camgate_dmabufs_lock);
		if (!mm)
			break;
		mmap_write_lock(mm);
		mmap_write_unlock(mm);
		mmdrop(mm);
	}

	for (;;) {
		file = NULL;
		spin_lock(&camgate_dmabufs_lock);
		list_for_each_entry(b, &dev->dmabufs, dev_node) {
			if (b->zap_seq == seq)
				continue;
			b->zap_seq = seq;
			if (!camgate_get_file_unless_zero(b->dmabuf->file))
				continue;	/* being released: unmapped */
			file = b->dmabuf->file;
			break;
		}
		spin_unlock(&camgate_dmabufs_lock);
		if (!file)
			return;
		unmap_mapping_range(file->f_mapping, 0, 0, 1);
		fput(file);
	}
}
