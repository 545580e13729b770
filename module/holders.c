// SPDX-License-Identifier: GPL-2.0
/*
 * Who holds a device's capabilities: one read-only procfs file per guarded
 * node,
 *
 *   /proc/camgate/holders/<node>
 *
 * one line per open file that holds a capability of the node's current
 * generation: "<pid> <uid> <comm>\n", the opener's tgid in the initial pid
 * namespace, its effective uid in the initial user namespace and its
 * command name, octal-escaped ("\040" for a blank) so that a line always
 * has three fields.
 *
 * sysfs is one value per file, so the list lives in procfs, where the
 * kernel keeps lists of this kind (/proc/locks): a seq_file, filled in one
 * pass under the files lock, so each read() sees one consistent snapshot.
 * procfs also handles removal: remove_dev() takes the file away and waits
 * for readers inside it; a reader that still has it open then gets -EIO.
 *
 * Root only: mode 0400 and CAP_SYS_ADMIN at open, since the list names
 * other users' processes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>

#include "camgate.h"

static struct proc_dir_entry *camgate_proc;
static struct proc_dir_entry *holders_dir;

/* The comm as one blank-free field: control, blank, backslash, non-ASCII. */
static void show_comm(struct seq_file *m, const char *comm)
{
	const unsigned char *c;

	for (c = (const unsigned char *)comm; *c; c++) {
		if (*c <= ' ' || *c == '\\' || *c >= 0x7f)
			seq_printf(m, "\\%03o", *c);
		else
			seq_putc(m, *c);
	}
}

/*
 * Runs under the files lock: seq_printf() only fills the seq_file's buffer
 * (a short buffer makes seq_read() retry with a larger one, allocated
 * outside this call), so nothing here sleeps.
 */
static int holders_show(struct seq_file *m, void *v)
{
	struct camgate_dev *dev = m->private;
	struct camgate_file *cf;
	u64 gen;

	rcu_read_lock();
	gen = rcu_dereference(dev->owner)->gen;
	rcu_read_unlock();
	spin_lock(&camgate_files_lock);
	list_for_each_entry(cf, &dev->cap_files, cap_node) {
		if (cf->cap_gen != gen)
			continue;
		seq_printf(m, "%d %u ", cf->pid,
			   from_kuid(&init_user_ns, cf->uid));
		show_comm(m, cf->comm);
		seq_putc(m, '\n');
	}
	spin_unlock(&camgate_files_lock);
	return 0;
}

static int holders_open(struct inode *inode, struct file *file)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return single_open(file, holders_show, pde_data(inode));
}

static const struct proc_ops holders_ops = {
	.proc_open = holders_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
};

/**
 * camgate_holders_add() - Create a guarded node's holders file.
 * @dev: the guard, not yet published.
 *
 * Context: process context (the class interface's add_dev).
 * Return: 0, or -ENOMEM if the file could not be created (the caller then
 * keeps the node closed: see add_dev()).
 */
int camgate_holders_add(struct camgate_dev *dev)
{
	dev->holders = proc_create_data(dev->name, 0400, holders_dir,
					&holders_ops, dev);
	return dev->holders ? 0 : -ENOMEM;
}

/**
 * camgate_holders_remove() - Remove a node's holders file.
 * @dev: the guard, still holding its registry reference.
 *
 * Waits for readers inside the file; later reads of files still open
 * fail with -EIO, so nothing reads @dev after this returns.
 *
 * Context: process context (remove_dev); may sleep.
 */
void camgate_holders_remove(struct camgate_dev *dev)
{
	proc_remove(dev->holders);	/* NULL: nothing */
	dev->holders = NULL;
}

/**
 * camgate_holders_init() - Create /proc/camgate/holders.
 *
 * Return: 0 on success, -ENOMEM if a directory cannot be created.
 */
int camgate_holders_init(void)
{
	camgate_proc = proc_mkdir("camgate", NULL);
	if (!camgate_proc)
		return -ENOMEM;
	holders_dir = proc_mkdir("holders", camgate_proc);
	if (!holders_dir) {
		proc_remove(camgate_proc);
		return -ENOMEM;
	}
	return 0;
}

/**
 * camgate_holders_exit() - Remove /proc/camgate.
 *
 * Context: after every guard's file is removed.
 */
void camgate_holders_exit(void)
{
	proc_remove(camgate_proc);
}
