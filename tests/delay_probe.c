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
static char probe_sym[KSYM_NAME_LEN + sizeof("camgate:")];
static unsigned int delay_ms;
static char caller[64];			/* what the caller's symbol contains */
static bool armed;			/* arm_lock */
static DEFINE_MUTEX(arm_lock);
static atomic_t hits = ATOMIC_INIT(0);
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

static int delay_pre(struct kprobe *kp, struct pt_regs *regs)
{
	char sym[KSYM_SYMBOL_LEN];

	if (strcmp(current->comm, DELAY_COMM))
		return 0;
	if (caller[0]) {
		sprint_symbol(sym, probed_return_address(regs));
		if (!strstr(sym, caller))
			return 0;
	}
	atomic_inc(&hits);
	mdelay(READ_ONCE(delay_ms));
	return 0;
}

NOKPROBE_SYMBOL(delay_pre);

static void disarm(void)
{
	if (armed)
		unregister_kprobe(&probe);
	armed = false;
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
		atomic_set(&hits, 0);
		probe = (struct kprobe) {
			.symbol_name = probe_sym,
			.pre_handler = delay_pre,
		};
		err = register_kprobe(&probe);
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

static int __init delay_init(void)
{
	dir = debugfs_create_dir("camgate_delay", NULL);
	debugfs_create_file("at", 0200, dir, NULL, &at_fops);
	debugfs_create_file_unsafe("hits", 0400, dir, NULL, &hits_fops);
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
