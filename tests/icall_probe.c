// SPDX-License-Identifier: GPL-2.0
/*
 * camgate_icall: a test-only module that records where camgate's indirect
 * calls land (make test, x86_64 stock kernels; never installed).
 *
 * On a CPU with IBT, an indirect call must land on an ENDBR, and the kernel
 * seals (NOPs out) the ENDBR of every function whose address it never
 * takes.  qemu's TCG has no IBT, so the VM cannot trap; instead this module
 * puts a kprobe on each of camgate's indirect call and jump sites, which
 * the host found in camgate.ko (tests/ibt-seal.py: every call or jmp to a
 * retpoline thunk, or through a register), and records the register's
 * value when it fires: the address the call is about to land on.  The
 * host then checks those addresses against the kernel's sealed functions.
 *
 *   insmod camgate_icall.ko sites=FUNC+OFF:REG,FUNC+OFF:REG,...
 *   insmod camgate.ko        (the probes go in before camgate's init runs)
 *   ...                      (exercise camgate)
 *   cat /sys/kernel/debug/camgate_icall/targets
 *
 * Each line of targets: "FUNC+OFF ADDRESS SYMBOL" for every distinct
 * target a site saw, then "FUNC+OFF -" for a site that never fired.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#define MAX_SITES	64
#define MAX_TARGETS	256

struct site {
	struct kprobe kp;
	char sym[KSYM_NAME_LEN + sizeof("camgate:")];
	unsigned int reg;	/* offset of the register in pt_regs */
	bool armed;
	bool fired;
};

static char *sites;
module_param(sites, charp, 0400);
MODULE_PARM_DESC(sites, "camgate's indirect call sites: FUNC+OFF:REG,...");

static struct site site[MAX_SITES];
static unsigned int nr_sites;
static struct {
	unsigned int site;
	unsigned long addr;
} target[MAX_TARGETS];
static unsigned int nr_targets;
static bool overflow;
static DEFINE_SPINLOCK(target_lock);	/* protects target[], nr_targets */
static DEFINE_MUTEX(arm_lock);		/* protects site[].armed */
static struct dentry *dir;

static const struct {
	const char *name;
	unsigned int off;
} regs_by_name[] = {
	{ "rax", offsetof(struct pt_regs, ax) }, { "rbx", offsetof(struct pt_regs, bx) },
	{ "rcx", offsetof(struct pt_regs, cx) }, { "rdx", offsetof(struct pt_regs, dx) },
	{ "rsi", offsetof(struct pt_regs, si) }, { "rdi", offsetof(struct pt_regs, di) },
	{ "rbp", offsetof(struct pt_regs, bp) }, { "r8", offsetof(struct pt_regs, r8) },
	{ "r9", offsetof(struct pt_regs, r9) }, { "r10", offsetof(struct pt_regs, r10) },
	{ "r11", offsetof(struct pt_regs, r11) }, { "r12", offsetof(struct pt_regs, r12) },
	{ "r13", offsetof(struct pt_regs, r13) }, { "r14", offsetof(struct pt_regs, r14) },
	{ "r15", offsetof(struct pt_regs, r15) },
};

static int site_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct site *s = container_of(kp, struct site, kp);
	unsigned long addr = *(unsigned long *)((char *)regs + s->reg);
	unsigned int i, n = s - site;
	unsigned long flags;

	WRITE_ONCE(s->fired, true);
	spin_lock_irqsave(&target_lock, flags);
	for (i = 0; i < nr_targets; i++)
		if (target[i].site == n && target[i].addr == addr)
			goto out;
	if (nr_targets < MAX_TARGETS) {
		target[nr_targets].site = n;
		target[nr_targets].addr = addr;
		nr_targets++;
	} else {
		overflow = true;
	}
out:
	spin_unlock_irqrestore(&target_lock, flags);
	return 0;
}

NOKPROBE_SYMBOL(site_pre);

/* "FUNC+OFF:REG" into site[nr_sites]. */
static int parse_site(char *spec)
{
	struct site *s = &site[nr_sites];
	char *plus = strchr(spec, '+'), *colon = strchr(spec, ':');
	unsigned int i, off;

	if (nr_sites == MAX_SITES || !plus || !colon || colon < plus)
		return -EINVAL;
	*plus = *colon = '\0';
	if (kstrtouint(plus + 1, 0, &off))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(regs_by_name); i++)
		if (!strcmp(colon + 1, regs_by_name[i].name))
			break;
	if (i == ARRAY_SIZE(regs_by_name))
		return -EINVAL;
	/* Static functions may share a name with the kernel's: say whose. */
	if (snprintf(s->sym, sizeof(s->sym), "camgate:%s", spec) >= (int)sizeof(s->sym))
		return -EINVAL;
	s->kp.symbol_name = s->sym;
	s->kp.offset = off;
	s->kp.pre_handler = site_pre;
	s->reg = regs_by_name[i].off;
	nr_sites++;
	return 0;
}

static void arm(void)
{
	unsigned int i;
	int err;

	mutex_lock(&arm_lock);
	for (i = 0; i < nr_sites; i++) {
		struct site *s = &site[i];

		if (s->armed)
			continue;
		/* A kprobe is reused: start from what parse_site() set. */
		s->kp = (struct kprobe) {
			.symbol_name = s->sym,
			.offset = s->kp.offset,
			.pre_handler = site_pre,
		};
		err = register_kprobe(&s->kp);
		if (err)
			pr_err("cannot probe %s+%#x: %d\n", s->sym, s->kp.offset, err);
		s->armed = !err;
	}
	mutex_unlock(&arm_lock);
}

static void disarm(void)
{
	unsigned int i;

	mutex_lock(&arm_lock);
	for (i = 0; i < nr_sites; i++) {
		if (site[i].armed)
			unregister_kprobe(&site[i].kp);
		site[i].armed = false;
	}
	mutex_unlock(&arm_lock);
}

/* Probes go in before camgate's init runs and out before its text goes. */
static int module_event(struct notifier_block *nb, unsigned long state, void *data)
{
	struct module *mod = data;

	if (strcmp(mod->name, "camgate"))
		return NOTIFY_DONE;
	if (state == MODULE_STATE_COMING)
		arm();
	else if (state == MODULE_STATE_GOING)
		disarm();
	return NOTIFY_DONE;
}

static struct notifier_block module_nb = { .notifier_call = module_event };

static int targets_show(struct seq_file *m, void *v)
{
	unsigned int i, j;

	spin_lock_irq(&target_lock);
	for (i = 0; i < nr_sites; i++) {
		const char *fn = site[i].sym + strlen("camgate:");

		if (!READ_ONCE(site[i].fired))
			seq_printf(m, "%s+%#x -\n", fn, site[i].kp.offset);
		for (j = 0; j < nr_targets; j++)
			if (target[j].site == i)
				seq_printf(m, "%s+%#x %lx %pS\n", fn, site[i].kp.offset,
					   target[j].addr, (void *)target[j].addr);
	}
	if (overflow)
		seq_puts(m, "overflow -\n");
	spin_unlock_irq(&target_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(targets);

static int __init icall_init(void)
{
	char *list, *p, *spec;
	int err = 0;

	if (!sites)
		return -EINVAL;
	list = kstrdup(sites, GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	p = list;
	while (!err && (spec = strsep(&p, ",")) && *spec)
		err = parse_site(spec);
	kfree(list);
	if (err) {
		pr_err("malformed sites= (FUNC+OFF:REG,...)\n");
		return err;
	}
	dir = debugfs_create_dir("camgate_icall", NULL);
	debugfs_create_file("targets", 0400, dir, NULL, &targets_fops);
	err = register_module_notifier(&module_nb);
	if (err)
		debugfs_remove_recursive(dir);
	return err;
}

static void __exit icall_exit(void)
{
	unregister_module_notifier(&module_nb);
	disarm();
	debugfs_remove_recursive(dir);
}

module_init(icall_init);
module_exit(icall_exit);

MODULE_DESCRIPTION("camgate test: where camgate's indirect calls land");
MODULE_LICENSE("GPL");
