// SPDX-License-Identifier: GPL-2.0
/*
 * Who is calling: every credential a task acts with, not only the one in
 * current->cred.
 *
 * The gate compares the caller's credential with the owner's at each call.
 * Usually that is current_cred(), the task's own.  Three kinds of caller
 * act with a credential captured earlier, and so could carry the owner's
 * rights past the moment they were lost:
 *
 * - override_creds(): io_uring personalities (IORING_REGISTER_PERSONALITY,
 *   then a submission with that personality), and kernel code that works
 *   on a user's behalf, put another credential in current->cred while the
 *   task's own, current->real_cred, stays what it is.  Both must match.
 *
 * - io_uring's threads (PF_IO_WORKER) are threads of the process that
 *   created the ring or submitted the request, and run with the credential
 *   of that moment (the ring's creator for an SQPOLL ring, the submission's
 *   for an io-wq worker).  They must match, and so must the process they
 *   belong to now: its thread group leader's own credential.  A process
 *   that was the owner, set up a ring, then dropped to another uid, reads
 *   no more frames through it.
 *
 *   An SQPOLL thread executes whatever any holder of the ring's descriptor
 *   writes into its submission queue, and ring descriptors are passed
 *   between processes without a check: the submitter cannot be known.
 *   Frame access from an SQPOLL thread, and from an io-wq worker of a
 *   process that runs one (requests an SQPOLL thread punts to io-wq run
 *   there, with the ring creator's credential), is refused.
 *
 * A kernel thread is judged by its own credential (root's, the initial
 * one) like any task, and by both when it overrides it for a user.
 *
 * None of this touches the owner's hot path unless the caller is one of
 * these (camgate_caller_plain()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/string.h>

#include "camgate.h"

/*
 * An io_uring SQPOLL thread: an io thread that is not an io-wq worker
 * (those have their io_worker in worker_private from before they first
 * run until they exit; io_wq_current_is_worker() tells them apart the same
 * way), named by io_uring "iou-sqp-<pid>".  The name keeps an io-wq worker
 * that is exiting (worker_private already cleared) or not yet started from
 * looking like one; a process could rename its own SQPOLL thread, but a
 * process that is the owner can pass on its frames anyway.
 */
static bool is_sqpoll_thread(struct task_struct *t)
{
	char comm[TASK_COMM_LEN];

	if (!(READ_ONCE(t->flags) & PF_IO_WORKER))
		return false;
	/* Another task's: set before it runs, cleared as it exits; a hint. */
	if (data_race(READ_ONCE(t->worker_private)))
		return false;
	if (t == current)
		return true;
	get_task_comm(comm, t);
	return !strncmp(comm, "iou-sqp-", 8);
}

/* An io-wq worker: does its process run an SQPOLL thread? */
static bool process_runs_sqpoll(void)
{
	struct task_struct *t;
	bool found = false;

	rcu_read_lock();
	for_each_thread(current, t) {
		if (is_sqpoll_thread(t)) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/**
 * camgate_caller_acts_for() - Does the process a caller acts for match?
 * @owner: the device's owner credential, set.
 *
 * For a caller that camgate_may_access() allowed on current_cred() and that
 * is not camgate_caller_plain(): checks the credentials it acts for, as
 * described above.
 *
 * Context: process context, the calling task; takes the RCU read lock.
 * Return: true if every credential the caller acts with matches @owner.
 */
bool camgate_caller_acts_for(const struct camgate_owner *owner)
{
	bool ok;

	if (!camgate_cred_matches(current_real_cred(), owner))
		return false;
	if (!(current->flags & PF_IO_WORKER))
		return true;
	if (is_sqpoll_thread(current) || process_runs_sqpoll())
		return false;
	rcu_read_lock();
	ok = camgate_cred_matches(__task_cred(current->group_leader), owner);
	rcu_read_unlock();
	return ok;
}

/**
 * camgate_caller_may_access() - camgate_may_access() for the calling task.
 * @owner: the device's owner credential now.
 * @default_allow: the global policy for devices without an owner.
 * @cap_gen: the file's capability generation, 0 if it holds none.
 *
 * camgate_may_access() on current_cred(), and, for a caller that acts
 * with a credential not its own, on every credential it acts for.
 *
 * Context: process context; under the RCU read lock when @owner is the
 * device's.
 * Return: true to allow, false to deny.
 */
bool camgate_caller_may_access(const struct camgate_owner *owner,
			       bool default_allow, u64 cap_gen)
{
	if (!camgate_may_access(owner, default_allow, cap_gen, current_cred()))
		return false;
	return camgate_caller_plain() || !camgate_owner_set(owner) ||
	       camgate_caller_acts_for(owner);
}
