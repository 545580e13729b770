// SPDX-License-Identifier: GPL-2.0
/*
 * camgate_delay: a test-only module that holds a racing point open, so
 * that a race test hits its window on every run (make test; never
 * installed).
 *
 *   echo "SYMBOL MS [CALLER]" > /sys/kernel/debug/camgate_delay/at
 *   echo off > /sys/kernel/debug/camgate_delay/at
 *   cat /sys/kernel/debug/camgate_delay/hits
 *
 * SYMBOL is a kernel function ("try_module_get") or one of camgate's
 * ("camgate:cg_dmabuf_release"); a kprobe on its entry busy-waits MS
 * milliseconds (at most 5000) whenever a task named "cg-delay"
 * (prctl(PR_SET_NAME)) enters it, and counts the hits.  With CALLER, only
 * calls whose return address's symbol ("cg_open+0x5a/0x180 [camgate]")
 * contains CALLER ("[camgate]") are held.  Other calls pass undelayed.
 * A kprobe handler cannot sleep, hence mdelay(): the test keeps the
 * windows short, and the other CPU runs the racing side.
 *
 * On a kernel with fail-nth (CONFIG_FAULT_INJECTION), a fault can be
 * placed inside one function exactly, with no timing involved:
 *
 *   echo N > /sys/kernel/debug/camgate_delay/fail_nth	(before "at")
 *   cat /sys/kernel/debug/camgate_delay/landed /sys/kernel/debug/camgate_delay/missed
 *
 * Each held call (after its delay) sets the task's fail-nth to N, so that
 * the N-th fault-injection point from there fails (failslab: the N-th slab
 * allocation), and at that call's return clears what is left, so that no
 * fault lands past it.  "landed" counts the returns whose fault was
 * injected inside the call, "missed" those that reached fewer than N
 * points.  N = 0 (the default): delay only.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/kallsyms.h>
#include <linux/delay.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#define DELAY_COMM	"cg-delay"
#define MAX_MS		5000

static struct kprobe probe;
static struct kretprobe rprobe;		/* instead of probe when fail_nth */
static char probe_sym[KSYM_NAME_LEN + sizeof("camgate:")];
static unsigned int delay_ms;
static char caller[64];			/* what the caller's symbol contains */
static bool armed;			/* arm_lock */
static bool armed_ret;			/* arm_lock: rprobe, not probe */
static DEFINE_MUTEX(arm_lock);
static atomic_t hits = ATOMIC_INIT(0);
#ifdef CONFIG_FAULT_INJECTION
static unsigned int fail_nth;		/* arm_lock: taken when armed */
static unsigned int armed_nth;		/* what the armed probe sets */
static atomic_t landed = ATOMIC_INIT(0);
static atomic_t missed = ATOMIC_INIT(0);
#endif
static struct dentry *dir;

/* The probed function's return address, at its entry. */
static unsigned long probed_return_address(struct pt_regs *regs)
{
#if defined(CONFIG_X86_64)
	return *(unsigned long *)kernel_stack_pointer(regs);
#elif defined(CONFIG_ARM64)
	return procedure_link_pointer(regs);
#else
	return 0;
#endif
}

/* A call to hold: by a task named cg-delay, from CALLER if one is set. */
static bool held_call(struct pt_regs *regs)
{
	char sym[KSYM_SYMBOL_LEN];

	if (strcmp(current->comm, DELAY_COMM))
		return false;
	if (caller[0]) {
		sprint_symbol(sym, probed_return_address(regs));
		if (!strstr(sym, caller))
			return false;
	}
	return true;
}

NOKPROBE_SYMBOL(held_call);

static int delay_pre(struct kprobe *kp, struct pt_regs *regs)
{
	if (!held_call(regs))
		return 0;
	atomic_inc(&hits);
	mdelay(READ_ONCE(delay_ms));
	return 0;
}

NOKPROBE_SYMBOL(delay_pre);

#ifdef CONFIG_FAULT_INJECTION
/* Returns 0 (watch the return) only for a held call. */
static int fail_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	if (!held_call(regs))
		return 1;
	atomic_inc(&hits);
	mdelay(READ_ONCE(delay_ms));
	WRITE_ONCE(current->fail_nth, READ_ONCE(armed_nth));
	return 0;
}

NOKPROBE_SYMBOL(fail_entry);

static int fail_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	/* should_fail_ex() counts fail_nth down to 0 as it injects. */
	if (READ_ONCE(current->fail_nth))
		atomic_inc(&missed);
	else
		atomic_inc(&landed);
	WRITE_ONCE(current->fail_nth, 0);
	return 0;
}

NOKPROBE_SYMBOL(fail_return);
#endif

static void disarm(void)
{
	if (armed && armed_ret)
		unregister_kretprobe(&rprobe);
	else if (armed)
		unregister_kprobe(&probe);
	armed = false;
}

static int arm(void)
{
	atomic_set(&hits, 0);
	armed_ret = false;
#ifdef CONFIG_FAULT_INJECTION
	atomic_set(&landed, 0);
	atomic_set(&missed, 0);
	if (fail_nth) {
		WRITE_ONCE(armed_nth, fail_nth);
		rprobe = (struct kretprobe) {
			.kp.symbol_name = probe_sym,
			.entry_handler = fail_entry,
			.handler = fail_return,
		};
		armed_ret = true;
		return register_kretprobe(&rprobe);
	}
#endif
	probe = (struct kprobe) {
		.symbol_name = probe_sym,
		.pre_handler = delay_pre,
	};
	return register_kprobe(&probe);
}

static ssize_t at_write(struct file *file, const char __user *ubuf,
			size_t len, loff_t *ppos)
{
	char buf[sizeof(probe_sym) + 16], sym[sizeof(probe_sym)];
	unsigned int ms;
	int err;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	mutex_lock(&arm_lock);
	disarm();
	err = 0;
	if (!sysfs_streq(buf, "off")) {
		caller[0] = '\0';
		if (sscanf(buf, "%127s %u %63s", sym, &ms, caller) < 2 || ms > MAX_MS) {
			err = -EINVAL;
			goto out;
		}
		strscpy(probe_sym, sym, sizeof(probe_sym));
		WRITE_ONCE(delay_ms, ms);
		err = arm();
		armed = !err;
	}
out:
	mutex_unlock(&arm_lock);
	return err ?: len;
}

static const struct file_operations at_fops = {
	.owner = THIS_MODULE,
	.write = at_write,
};

static int hits_get(void *data, u64 *val)
{
	*val = atomic_read(&hits);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(hits_fops, hits_get, NULL, "%llu\n");

#ifdef CONFIG_FAULT_INJECTION
static int fail_nth_get(void *data, u64 *val)
{
	mutex_lock(&arm_lock);
	*val = fail_nth;
	mutex_unlock(&arm_lock);
	return 0;
}

/* Taken at the next "at"; a probe armed now keeps its value. */
static int fail_nth_set(void *data, u64 val)
{
	if (val > UINT_MAX)
		return -EINVAL;
	mutex_lock(&arm_lock);
	fail_nth = val;
	mutex_unlock(&arm_lock);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(fail_nth_fops, fail_nth_get, fail_nth_set, "%llu\n");

static int landed_get(void *data, u64 *val)
{
	*val = atomic_read(&landed);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(landed_fops, landed_get, NULL, "%llu\n");

static int missed_get(void *data, u64 *val)
{
	*val = atomic_read(&missed);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(missed_fops, missed_get, NULL, "%llu\n");
#endif

static int __init delay_init(void)
{
	dir = debugfs_create_dir("camgate_delay", NULL);
	debugfs_create_file("at", 0200, dir, NULL, &at_fops);
	debugfs_create_file_unsafe("hits", 0400, dir, NULL, &hits_fops);
#ifdef CONFIG_FAULT_INJECTION
	debugfs_create_file_unsafe("fail_nth", 0600, dir, NULL, &fail_nth_fops);
	debugfs_create_file_unsafe("landed", 0400, dir, NULL, &landed_fops);
	debugfs_create_file_unsafe("missed", 0400, dir, NULL, &missed_fops);
#endif
	return 0;
}

static void __exit delay_exit(void)
{
	debugfs_remove_recursive(dir);
	mutex_lock(&arm_lock);
	disarm();
	mutex_unlock(&arm_lock);
}

module_init(delay_init);
module_exit(delay_exit);

MODULE_DESCRIPTION("camgate test: hold a racing point open");
MODULE_LICENSE("GPL");
