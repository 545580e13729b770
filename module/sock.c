// SPDX-License-Identifier: GPL-2.0
/*
 * The socket layer: guarded files never reach a non-owner.
 *
 * Every path that installs a file descriptor received from elsewhere
 * (SCM_RIGHTS over AF_UNIX, pidfd_getfd(), seccomp's addfd) calls
 * security_file_receive() in the receiving task; binder calls
 * security_binder_transfer_file() in the sending task, with the receiving
 * process's credential.  Neither is exported and a module cannot register
 * LSM hooks, so a hook on each entry decides and, to refuse, makes the
 * function return -EACCES at once, exactly as an LSM refusal would:
 * recvmsg() reports MSG_CTRUNC with no descriptor installed, pidfd_getfd()
 * fails, a binder transaction fails (BR_FAILED_REPLY) with nothing
 * delivered.  Entry probes are used rather than kretprobes because a
 * kretprobe silently skips its handler when too many calls are in flight,
 * which would let a file through.
 *
 * The hook is an ftrace_ops of ours where the kernel's ftrace allows it
 * (x86_64: a direct call from the trampoline, about a fifth of the cost of
 * a kprobe on the same ftrace site) and a kprobe elsewhere (compat.h).
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

/*
 * Could @file be guarded at all: a video node's or a dma-buf's?  Every
 * other file a process receives (pipes, sockets, ...) is let through with
 * two compares, before any read section.
 */
static __always_inline bool maybe_guarded(const struct file *file)
{
	const struct file_operations *fops = file->f_op;

	return fops == READ_ONCE(v4l2_fops) ||
	       fops == READ_ONCE(camgate_dma_buf_fops);
}

static int decide(struct pt_regs *regs, struct file *file,
		  const struct cred *cred, enum camgate_op op)
{
	enum camgate_deny why = CAMGATE_DENY_NONE;
	struct camgate_dev *dev = NULL;
	bool ok;

	if (likely(!maybe_guarded(file)))
		return 0;
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

#ifdef CAMGATE_RECEIVE_FTRACE
/*
 * ftrace callbacks.  Without FTRACE_OPS_FL_RECURSION the recursion guard is
 * ours, so the trampoline calls us directly, not through ftrace's assist
 * function.  The guard also disables preemption, as decide() expects.  A
 * callback that finds itself recursing cannot decide, and refuses.  Files
 * that cannot be guarded leave before the guard: that test calls nothing.
 */
static __always_inline void hook_decide(unsigned long ip,
					unsigned long parent_ip,
					struct pt_regs *regs, struct file *file,
					const struct cred *cred,
					enum camgate_op op)
{
	int bit;

	if (likely(!maybe_guarded(file)))
		return;
	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (unlikely(bit < 0)) {
		camgate_override_return(regs, -EACCES);
		return;
	}
	decide(regs, file, cred, op);
	ftrace_test_recursion_unlock(bit);
}

/* int security_file_receive(struct file *file), in the receiving task. */
static void file_receive_ftrace(unsigned long ip, unsigned long parent_ip,
				struct ftrace_ops *op,
				struct ftrace_regs *fregs)
{
	struct pt_regs *regs = camgate_fregs(fregs);

	hook_decide(ip, parent_ip, regs,
		    (struct file *)regs_get_kernel_argument(regs, 0),
		    current_cred(), CAMGATE_OP_RECEIVE);
}

/*
 * int security_binder_transfer_file(const struct cred *from,
 *				     const struct cred *to, struct file *file),
 * in the sending task; @to is the credential the receiving process opened
 * its binder device with.
 */
static void binder_transfer_ftrace(unsigned long ip, unsigned long parent_ip,
				   struct ftrace_ops *op,
				   struct ftrace_regs *fregs)
{
	struct pt_regs *regs = camgate_fregs(fregs);

	hook_decide(ip, parent_ip, regs,
		    (struct file *)regs_get_kernel_argument(regs, 2),
		    (const struct cred *)regs_get_kernel_argument(regs, 1),
		    CAMGATE_OP_BINDER);
}

struct camgate_hook {
	char name[32];		/* ftrace_set_filter() wants it writable */
	struct ftrace_ops ops;
};

static struct camgate_hook hooks[] = {
	{ "security_file_receive",
	  { .func = file_receive_ftrace,
	    .flags = FTRACE_OPS_FL_IPMODIFY } },
	{ "security_binder_transfer_file",
	  { .func = binder_transfer_ftrace,
	    .flags = FTRACE_OPS_FL_IPMODIFY } },
};

static void hooks_remove(unsigned int n)
{
	while (n--) {
		unregister_ftrace_function(&hooks[n].ops);
		ftrace_free_filter(&hooks[n].ops);
	}
}

static int hooks_install(void)
{
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(hooks); i++) {
		err = ftrace_set_filter(&hooks[i].ops, hooks[i].name,
					strlen(hooks[i].name), 0);
		if (!err)
			err = register_ftrace_function(&hooks[i].ops);
		if (err) {
			ftrace_free_filter(&hooks[i].ops);
			hooks_remove(i);
			return err;
		}
	}
	return 0;
}
#else
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

static int hooks_install(void)
{
	return register_kprobes(probes, ARRAY_SIZE(probes));
}

static void hooks_remove(unsigned int n)
{
	unregister_kprobes(probes, n);
}
#endif

/**
 * camgate_sock_init() - Start checking every file receive.
 *
 * Context: module init.  camgate must not run half-protected, so a failure
 * here fails the load.
 * Return: 0 on success, or the error of the interposition: -ENOENT/-EINVAL
 * if the kernel has no security_file_receive() or
 * security_binder_transfer_file() (no CONFIG_SECURITY), -EBUSY if another
 * ftrace user already changes their return (a live patch), -EOPNOTSUPP
 * without kprobes.
 */
int camgate_sock_init(void)
{
	int err = hooks_install();

	if (err)
		pr_err("cannot interpose the file-receive hooks (%d): not loading\n",
		       err);
	return err;
}

/**
 * camgate_sock_exit() - Stop checking file receives.
 *
 * Context: module exit; unregistering waits for running handlers.  A task
 * that a refusal sent to camgate_return_stub may still be on its way there:
 * the module's exit waits for those with synchronize_rcu_tasks().
 */
void camgate_sock_exit(void)
{
#ifdef CAMGATE_RECEIVE_FTRACE
	hooks_remove(ARRAY_SIZE(hooks));
#else
	hooks_remove(ARRAY_SIZE(probes));
#endif
}
