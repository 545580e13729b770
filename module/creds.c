// SPDX-License-Identifier: GPL-2.0
/*
 * Credential changes: a task that stops matching loses its mappings.
 *
 * Every call on a guarded file checks the caller's credential, but a
 * mapping of the buffers is read with no call at all: a process that
 * mapped them as the owner and then changed its credentials (setresuid(),
 * a set-uid program dropping its privileges before it runs untrusted code,
 * a child forked with the mapping, which madvise(MADV_DOFORK) allows
 * despite VM_DONTCOPY) would go on watching the frames.
 *
 * A kprobe on commit_creds(), the one place a task's credentials change,
 * notices a task whose effective uid, gid or groups change while its
 * address space maps a guarded node or a dma-buf exported from one.  It
 * queues a task work (it cannot sleep itself), which runs before the task
 * returns to user space: with the new credential in force, every guarded
 * mapping whose owner that credential no longer matches is unmapped
 * (vm_munmap(); a later access faults with SIGSEGV).  Mappings of another
 * owner's devices, and a change that keeps the match, are left alone.  The
 * address space is the process's, shared by its threads: the mapping goes
 * for all of them.
 *
 * Failing closed: when the address space cannot be looked at (its lock is
 * held) the work is queued anyway and looks then; when the work cannot be
 * allocated the task is killed, as it would otherwise keep frames it may
 * no longer see.  If the probe cannot be installed camgate does not load.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/task_work.h>

#include "camgate.h"
#include "compat.h"

/*
 * Is @vma a mapping of a guarded file that @cred may not read?  With @cred
 * NULL: is it a mapping of a guarded file at all?
 */
static bool vma_guarded(struct vm_area_struct *vma, const struct cred *cred)
{
	const struct camgate_owner *owner;
	struct camgate_dev *dev;
	bool ret = false;

	if (!vma->vm_file)
		return false;
	rcu_read_lock();
	dev = camgate_file_guard(vma->vm_file);
	if (dev && !cred) {
		ret = true;
	} else if (dev) {
		owner = rcu_dereference(dev->owner);
		if (camgate_owner_set(owner))
			ret = !camgate_cred_matches(cred, owner);
		else
			ret = !READ_ONCE(camgate_default_allow);
	}
	rcu_read_unlock();
	return ret;
}

#define UNMAP_BATCH	8

/* The task work: unmap what the task's new credential may not read. */
static void unmap_lost(struct callback_head *cb)
{
	struct mm_struct *mm = current->mm;
	unsigned long start[UNMAP_BATCH], len[UNMAP_BATCH];
	struct vm_area_struct *vma;
	int i, n;

	kfree(cb);
	while (mm) {
		n = 0;
		mmap_read_lock(mm);
		for (vma = find_vma(mm, 0); vma && n < UNMAP_BATCH;
		     vma = find_vma(mm, vma->vm_end)) {
			if (!vma_guarded(vma, current_cred()))
				continue;
			start[n] = vma->vm_start;
			len[n++] = vma->vm_end - vma->vm_start;
		}
		mmap_read_unlock(mm);
		for (i = 0; i < n; i++) {
			if (vm_munmap(start[i], len[i])) {
				n = 0;	/* fatal signal: the task dies anyway */
				break;
			}
			pr_info_ratelimited("pid %d: credentials changed, guarded mapping at 0x%lx unmapped\n",
					    task_tgid_nr(current), start[i]);
		}
		if (n < UNMAP_BATCH)
			break;
	}
	module_put(THIS_MODULE);
}

/*
 * Does @mm map anything guarded?  Called in the probe, which cannot
 * sleep: when the lock is taken, say yes and let the work look.
 */
static bool mm_maps_guarded(struct mm_struct *mm)
{
	struct vm_area_struct *vma;
	bool ret = false;

	if (!mmap_read_trylock(mm))
		return true;
	for (vma = find_vma(mm, 0); vma; vma = find_vma(mm, vma->vm_end)) {
		if (vma_guarded(vma, NULL)) {
			ret = true;
			break;
		}
	}
	mmap_read_unlock(mm);
	return ret;
}

static bool same_ids(const struct cred *a, const struct cred *b)
{
	return uid_eq(a->euid, b->euid) && gid_eq(a->egid, b->egid) &&
	       a->group_info == b->group_info;
}

/* void commit_creds(struct cred *new), in the task whose creds change. */
static int commit_creds_pre(struct kprobe *p, struct pt_regs *regs)
{
	const struct cred *new =
		(const struct cred *)regs_get_kernel_argument(regs, 0);
	struct callback_head *cb;

	if (!current->mm || (current->flags & PF_KTHREAD) ||
	    same_ids(new, current_real_cred()) || !mm_maps_guarded(current->mm))
		return 0;
	/* A guarded mapping holds a file, which holds a module reference. */
	if (!try_module_get(THIS_MODULE))
		return 0;
	cb = kmalloc(sizeof(*cb), GFP_ATOMIC | __GFP_NOWARN);
	if (!cb) {
		pr_warn_ratelimited("pid %d: no memory to unmap its guarded mappings after a credential change: killed\n",
				    task_tgid_nr(current));
		force_sig(SIGKILL);
		module_put(THIS_MODULE);
		return 0;
	}
	init_task_work(cb, unmap_lost);
	if (task_work_add(current, cb, TWA_RESUME)) {
		/* Exiting: its address space goes with it. */
		kfree(cb);
		module_put(THIS_MODULE);
	}
	return 0;
}

NOKPROBE_SYMBOL(commit_creds_pre);

static struct kprobe commit_creds_probe = {
	.symbol_name = "commit_creds",
	.pre_handler = commit_creds_pre,
};

/**
 * camgate_creds_init() - Start watching credential changes.
 *
 * Context: module init.  camgate must not run half-protected, so a failure
 * here fails the load.
 * Return: 0 or register_kprobe()'s error.
 */
int camgate_creds_init(void)
{
	int err = register_kprobe(&commit_creds_probe);

	if (err)
		pr_err("cannot watch credential changes (%d): not loading\n",
		       err);
	return err;
}

/**
 * camgate_creds_exit() - Stop watching credential changes.
 *
 * Context: module exit.  Queued works hold module references, so none is
 * left; the caller's synchronize_rcu_tasks() covers a task returning from
 * the last module_put().
 */
void camgate_creds_exit(void)
{
	unregister_kprobe(&commit_creds_probe);
}
