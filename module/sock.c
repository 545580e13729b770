// SPDX-License-Identifier: GPL-2.0
/*
 * The socket layer: guarded files never reach a non-owner.
 *
 * Every path that installs a file descriptor received from elsewhere
 * (SCM_RIGHTS over AF_UNIX, pidfd_getfd(), seccomp's addfd) calls
 * security_file_receive() in the receiving task; binder calls
 * security_binder_transfer_file() in the sending task, with the receiving
 * process's credential.  Neither is exported and a module cannot register
 * LSM hooks, so a kprobe on each entry decides and, to refuse, makes the
 * function return -EACCES at once, exactly as an LSM refusal would:
 * recvmsg() reports MSG_CTRUNC with no descriptor installed, pidfd_getfd()
 * fails, a binder transaction fails (BR_FAILED_REPLY) with nothing
 * delivered.  Entry probes are used rather than kretprobes because a
 * kretprobe silently skips its handler when too many calls are in flight,
 * which would let a file through.
 *
 * A guarded file is the file of a guarded video node, or a dma-buf exported
 * from one (dmabuf.c).  Every other file is passed untouched after two
 * pointer compares.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/kprobes.h>
#include <linux/ptrace.h>

#include "camgate.h"
#include "compat.h"

CAMGATE_DEFINE_RETURN_STUB();

/* &v4l2_fops, read from the first guarded node's cdev; never changes. */
static const struct file_operations *v4l2_fops;

/**
 * camgate_sock_note_fops() - Learn the file operations of video nodes.
 * @fops: vdev->cdev->ops of a guarded node (the v4l2 core's v4l2_fops).
 */
void camgate_sock_note_fops(const struct file_operations *fops)
{
	if (!READ_ONCE(v4l2_fops))
		WRITE_ONCE(v4l2_fops, fops);
}

/**
 * camgate_file_guard() - The guard behind a file, if it is a guarded one.
 * @file: any file.
 *
 * Context: under rcu_read_lock(); the guard is valid until it is dropped.
 * Return: the guard of a guarded node's file or of a dma-buf bound to
 * one, or NULL for any other file.
 */
struct camgate_dev *camgate_file_guard(struct file *file)
{
	const struct file_operations *fops = READ_ONCE(v4l2_fops);
	struct camgate_dev *dev;
	u64 gen;

	if (fops && file->f_op == fops)
		return camgate_dev_find(video_devdata(file));
	if (camgate_dmabuf_binding(file, &dev, &gen))
		return dev;
	return NULL;
}

/*
 * The receiver is the calling task (@self): every credential it acts with
 * must match, not only current_cred() (caller.c).
 */
static bool acts_for(bool self, const struct camgate_owner *owner)
{
	return !self || camgate_caller_plain() || !camgate_owner_set(owner) ||
	       camgate_caller_acts_for(owner);
}

/*
 * May @cred, the receiver's credential, get @file?  @self: the receiver is
 * the calling task.
 * Context: kprobe handler (preemption off), under rcu_read_lock().
 */
static bool may_receive(struct file *file, const struct cred *cred, bool self,
			struct camgate_dev **devp, enum camgate_deny *why)
{
	const struct file_operations *fops = READ_ONCE(v4l2_fops);
	bool allow = READ_ONCE(camgate_default_allow);
	const struct camgate_owner *owner;
	struct camgate_dev *dev;
	u64 gen;

	/* A receiver that is refused is not the file's opener. */
	if (fops && file->f_op == fops) {
		dev = camgate_dev_find(video_devdata(file));
		if (!dev)
			return true;	/* not a guarded node */
		owner = rcu_dereference(dev->owner);
		*devp = dev;
		*why = camgate_owner_set(owner) ? CAMGATE_DENY_PASSED :
						  CAMGATE_DENY_NO_OWNER;
		if (!camgate_owner_set(owner))
			return allow && !owner->deny_unowned;
		return camgate_cred_matches(cred, owner) &&
		       acts_for(self, owner);
	}
	if (camgate_dmabuf_binding(file, &dev, &gen)) {
		owner = rcu_dereference(dev->owner);
		*devp = dev;
		*why = camgate_deny_reason(owner, gen, false);
		return camgate_may_access(owner, allow, gen, cred) &&
		       acts_for(self, owner);
	}
	return true;
}

static int decide(struct pt_regs *regs, struct file *file,
		  const struct cred *cred, enum camgate_op op)
{
	enum camgate_deny why = CAMGATE_DENY_NONE;
	struct camgate_dev *dev = NULL;
	bool ok;

	rcu_read_lock();
	ok = may_receive(file, cred, op == CAMGATE_OP_RECEIVE, &dev, &why);
	if (!ok)
		camgate_count_denial(dev, op, 0, why);
	rcu_read_unlock();
	if (ok)
		return 0;
	camgate_override_return(regs, -EACCES);
	return 1;	/* we changed the instruction pointer */
}

NOKPROBE_SYMBOL(decide);

/* int security_file_receive(struct file *file), in the receiving task. */
static int file_receive_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct file *file =
		(struct file *)regs_get_kernel_argument(regs, 0);

	return decide(regs, file, current_cred(), CAMGATE_OP_RECEIVE);
}

NOKPROBE_SYMBOL(file_receive_pre);

/*
 * int security_binder_transfer_file(const struct cred *from,
 *				     const struct cred *to, struct file *file),
 * in the sending task; @to is the credential the receiving process opened
 * its binder device with.
 */
static int binder_transfer_pre(struct kprobe *p, struct pt_regs *regs)
{
	const struct cred *to =
		(const struct cred *)regs_get_kernel_argument(regs, 1);
	struct file *file =
		(struct file *)regs_get_kernel_argument(regs, 2);

	return decide(regs, file, to, CAMGATE_OP_BINDER);
}

NOKPROBE_SYMBOL(binder_transfer_pre);

/*
 * Never called (the pre-handler changes the instruction pointer when it
 * refuses); its presence keeps the override in force: a kprobe with a
 * post_handler is never jump-optimized (an optimized probe ignores a changed
 * instruction pointer) and, on ftrace, is registered with IPMODIFY.
 */
static void keep_override_post(struct kprobe *p, struct pt_regs *regs,
			       unsigned long flags)
{
}

NOKPROBE_SYMBOL(keep_override_post);

static struct kprobe file_receive_probe = {
	.symbol_name = "security_file_receive",
	.pre_handler = file_receive_pre,
	.post_handler = keep_override_post,
};

static struct kprobe binder_transfer_probe = {
	.symbol_name = "security_binder_transfer_file",
	.pre_handler = binder_transfer_pre,
	.post_handler = keep_override_post,
};

static struct kprobe *probes[] = {
	&file_receive_probe,
	&binder_transfer_probe,
};

/**
 * camgate_sock_init() - Start checking every file receive.
 *
 * Context: module init.  camgate must not run half-protected, so a failure
 * here fails the load.
 * Return: 0 on success, or register_kprobes()'s error (-ENOENT if the
 * kernel has no security_file_receive() or security_binder_transfer_file(),
 * that is no CONFIG_SECURITY; -EOPNOTSUPP/-EINVAL without kprobes).
 */
int camgate_sock_init(void)
{
	int err = register_kprobes(probes, ARRAY_SIZE(probes));

	if (err)
		pr_err("cannot interpose the file-receive hooks (%d): not loading\n",
		       err);
	return err;
}

/**
 * camgate_sock_exit() - Stop checking file receives.
 *
 * Context: module exit; unregister_kprobe() waits for running handlers.
 */
void camgate_sock_exit(void)
{
	unregister_kprobes(probes, ARRAY_SIZE(probes));
}
