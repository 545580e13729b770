// SPDX-License-Identifier: GPL-2.0
/*
 * The media device of a guarded camera: /dev/mediaN.
 *
 * A media-controller camera (vimc, an ISP board) is configured through its
 * media device: MEDIA_IOC_SETUP_LINK connects and disconnects the
 * sensor's pipeline, MEDIA_IOC_REQUEST_ALLOC makes requests that carry
 * controls and buffers.  A task that may change links changes what the
 * owner's stream shows.  The media device is a member of its camera's
 * group (device.c, "Groups"): a task without a capability gets the
 * read-only topology (MEDIA_IOC_DEVICE_INFO, ENUM_ENTITIES, ENUM_LINKS,
 * G_TOPOLOGY), which is what a device picker and libcamera's enumeration
 * need, and nothing else.
 *
 * Interposition is as for video nodes (v4l2.c): the media core calls
 * devnode->fops->{open,ioctl,compat_ioctl,release} for every file of the
 * node, and camgate puts a wrapper table there.  The media device is found
 * on the media bus: a notifier sees it registered (drivers register it
 * after their video nodes) and a guarded capture node looks for it among
 * the ones registered before (camgate_media_scan()).
 *
 * The capability: a file opened by a task that matches the group's owner
 * (camgate_group_may_access()) gets the media device's generation, which
 * every owner change and revocation of the group bumps
 * (camgate_media_revoke()); a call other than the queries is allowed when
 * the file's generation is current and the caller matches the owner now.
 *
 * Lifetime: the wrapper table stays installed until the media device is
 * unregistered and the last file opened through camgate is released (the
 * media core calls ->release for those after unregistration); camgate
 * holds a reference to the devnode's struct device until then, so that
 * the table can be put back.  Callers that loaded the old table pointer
 * are waited for as for video nodes: RCU-tasks, then SRCU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compat.h>
#include <linux/device.h>
#include <linux/hashtable.h>
#include <linux/media.h>
#include <linux/module.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <media/media-device.h>
#include <media/media-devnode.h>

#include "camgate.h"
#include "compat.h"

struct camgate_media {
	struct list_head node;		/* camgate_medias; media_lock, RCU */
	struct media_devnode *devnode;	/* its struct device held */
	const void *group;		/* devnode->media_dev */
	const struct media_file_operations *orig;
	struct media_file_operations fops;
	refcount_t users;		/* registry + files opened through us */
	bool registered;		/* media_lock */
	u64 gen;			/* capability generation; never 0 */
	struct work_struct free_work;
	struct rcu_head rcu;
};

/* A file of a media device opened through camgate. */
struct camgate_mfile {
	struct hlist_node node;		/* camgate_mfiles; mfiles_lock, RCU */
	const struct file *file;
	struct camgate_media *m;	/* holds a users reference */
	u64 gen;			/* capability generation, 0: none */
	struct rcu_head rcu;
};

static LIST_HEAD(camgate_medias);
static DEFINE_MUTEX(media_lock);
static DEFINE_HASHTABLE(camgate_mfiles, 6);
static DEFINE_SPINLOCK(mfiles_lock);
static DEFINE_SPINLOCK(media_gen_lock);	/* writers of camgate_media.gen */
static const struct bus_type *media_bus;

static struct camgate_bus_arg *mbus(void)
{
	return (struct camgate_bus_arg *)media_bus;
}

static struct workqueue_struct *media_wq;

/* The compat number of MEDIA_IOC_ENUM_LINKS (mc-device.c's own). */
struct camgate_links_enum32 {
	__u32 entity;
	__u32 pads;
	__u32 links;
	__u32 reserved[4];
};

#define CAMGATE_MEDIA_IOC_ENUM_LINKS32 \
	_IOWR('|', 0x02, struct camgate_links_enum32)

/**
 * camgate_media_ioctl_is_query() - May a task without a capability run @cmd
 * on a media device?
 * @cmd: the ioctl number exactly as the caller passed it.
 * @compat: the call is a 32-bit one.
 *
 * The topology, read-only: what a device picker needs.  Not SETUP_LINK
 * (it changes the pipeline), not REQUEST_ALLOC, nothing unknown.
 *
 * Return: true for the queries.
 */
bool camgate_media_ioctl_is_query(unsigned int cmd, bool compat)
{
	switch (cmd) {
	case MEDIA_IOC_DEVICE_INFO:
	case MEDIA_IOC_ENUM_ENTITIES:
	case MEDIA_IOC_G_TOPOLOGY:
		return true;
	case MEDIA_IOC_ENUM_LINKS:
		return !compat;
	case CAMGATE_MEDIA_IOC_ENUM_LINKS32:
		return compat;
	default:
		return false;
	}
}
EXPORT_SYMBOL_IF_KUNIT(camgate_media_ioctl_is_query);

/*
 * The guard of a devnode, or NULL.  Context: inside an SRCU read section
 * of camgate_srcu, or under media_lock, either of which keeps it alive.
 */
static struct camgate_media *media_find(const struct media_devnode *devnode)
{
	struct camgate_media *m, *found = NULL;

	rcu_read_lock();
	list_for_each_entry_rcu(m, &camgate_medias, node) {
		if (m->devnode == devnode) {
			found = m;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

static struct camgate_mfile *mfile_find(const struct file *file)
{
	struct camgate_mfile *mf;

	hash_for_each_possible_rcu(camgate_mfiles, mf, node,
				   (unsigned long)file)
		if (mf->file == file)
			return mf;
	return NULL;
}

static void media_free_work(struct work_struct *work)
{
	struct camgate_media *m = container_of(work, struct camgate_media,
					       free_work);

	/* Callers that loaded our table: first into the wrapper, then out. */
	synchronize_rcu_tasks();
	synchronize_srcu(&camgate_srcu);
	put_device(&m->devnode->dev);
	kfree(m);
}

/* Drop a users reference; the last puts the media core's table back. */
static void media_put(struct camgate_media *m)
{
	if (!refcount_dec_and_test(&m->users))
		return;
	WRITE_ONCE(m->devnode->fops, m->orig);
	mutex_lock(&media_lock);
	list_del_rcu(&m->node);
	mutex_unlock(&media_lock);
	queue_work(media_wq, &m->free_work);
}

/*
 * The decision for a call on @file: a query, or a current capability used
 * by a task that matches the group's owner now.
 * Context: inside an SRCU read section of camgate_srcu.
 */
static bool media_may(struct file *file, unsigned int cmd, bool compat)
{
	struct camgate_media *m;
	struct camgate_mfile *mf;
	u64 gen = 0;
	bool ok;

	if (camgate_media_ioctl_is_query(cmd, compat))
		return true;
	rcu_read_lock();
	mf = mfile_find(file);
	if (mf) {
		m = mf->m;
		gen = mf->gen;
	}
	ok = mf && gen && gen == READ_ONCE(m->gen);
	rcu_read_unlock();
	/* Its users reference keeps m: the file is in a call. */
	if (ok)
		ok = camgate_group_may_access(m->group);
	if (!ok)
		pr_notice_ratelimited("denied media ioctl 0x%x on %s to pid %d uid %u: %s\n",
				      cmd, dev_name(&media_devnode_data(file)->dev),
				      task_tgid_nr(current),
				      from_kuid(&init_user_ns, current_euid()),
				      gen ? "no-owner-match-or-stale" : "no-capability");
	return ok;
}

/* Both ioctl entries: the media core's own, once the gate lets it through. */
static long media_call(struct file *file, unsigned int cmd, unsigned long arg,
		       bool compat)
{
	int idx = srcu_read_lock(&camgate_srcu);
	struct camgate_media *m = media_find(media_devnode_data(file));
	long ret = -EACCES;

	/* Found under SRCU: m cannot be freed before we leave. */
	if (m && media_may(file, cmd, compat))
		ret = compat ? m->orig->compat_ioctl(file, cmd, arg) :
			       m->orig->ioctl(file, cmd, arg);
	srcu_read_unlock(&camgate_srcu, idx);
	return ret;
}

static long cg_media_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	return media_call(file, cmd, arg, false);
}

#ifdef CONFIG_COMPAT
static long cg_media_compat_ioctl(struct file *file, unsigned int cmd,
				  unsigned long arg)
{
	return media_call(file, cmd, arg, true);
}
#endif

/*
 * Open: the capability is minted from the opener's credential against the
 * group's owner now.  The generation is read first: a change that the
 * owner check does not see yet bumps it afterwards (camgate_media_revoke()
 * runs after every member's owner is updated).
 */
static int cg_media_open(struct file *file)
{
	int idx = srcu_read_lock(&camgate_srcu);
	struct camgate_mfile *mf = NULL;
	struct camgate_media *m;
	u64 gen;
	int ret;

	if (!try_module_get(THIS_MODULE)) {
		ret = -ENODEV;
		goto out;
	}
	m = media_find(media_devnode_data(file));
	if (!m || !refcount_inc_not_zero(&m->users)) {
		ret = -ENODEV;
		goto err_module;
	}
	mf = kzalloc(sizeof(*mf), GFP_KERNEL_ACCOUNT);
	if (!mf) {
		ret = -ENOMEM;
		goto err_put;
	}
	ret = m->orig->open ? m->orig->open(file) : 0;
	if (ret)
		goto err_put;
	gen = smp_load_acquire(&m->gen);	/* pairs with media_revoke */
	mf->file = file;
	mf->m = m;
	mf->gen = camgate_group_may_access(m->group) ? gen : 0;
	spin_lock(&mfiles_lock);
	hash_add_rcu(camgate_mfiles, &mf->node, (unsigned long)file);
	spin_unlock(&mfiles_lock);
	goto out;

err_put:
	kfree(mf);
	media_put(m);
err_module:
	module_put(THIS_MODULE);
out:
	srcu_read_unlock(&camgate_srcu, idx);
	return ret;
}

static int cg_media_release(struct file *file)
{
	int idx = srcu_read_lock(&camgate_srcu);
	struct camgate_media *m;
	struct camgate_mfile *mf;
	int ret = 0;

	spin_lock(&mfiles_lock);
	mf = mfile_find(file);
	if (mf)
		hash_del_rcu(&mf->node);
	spin_unlock(&mfiles_lock);
	m = mf ? mf->m : media_find(media_devnode_data(file));
	if (m && m->orig->release)
		ret = m->orig->release(file);
	if (mf) {
		kfree_rcu(mf, rcu);
		media_put(m);
		module_put(THIS_MODULE);
	}
	srcu_read_unlock(&camgate_srcu, idx);
	return ret;
}

/* Guard @devnode.  Context: media_lock. */
static void media_add(struct media_devnode *devnode)
{
	const struct media_file_operations *orig = devnode->fops;
	struct camgate_media *m;

	if (!orig || media_find(devnode))
		return;
	/* As for video nodes: failing would leave the node unguarded. */
	m = kzalloc(sizeof(*m), GFP_KERNEL | __GFP_NOFAIL);
	get_device(&devnode->dev);
	m->devnode = devnode;
	m->group = devnode->media_dev;
	m->orig = orig;
	m->gen = 1;
	refcount_set(&m->users, 1);
	m->registered = true;
	INIT_WORK(&m->free_work, media_free_work);
	m->fops.owner = orig->owner;
	m->fops.open = cg_media_open;
	m->fops.release = cg_media_release;
	m->fops.ioctl = orig->ioctl ? cg_media_ioctl : NULL;
#ifdef CONFIG_COMPAT
	m->fops.compat_ioctl = orig->compat_ioctl ? cg_media_compat_ioctl : NULL;
#endif
	/*
	 * The media core's table has no read, write or poll: a driver's own
	 * that had them would see them left out (fail closed), and said so.
	 */
	if (orig->read || orig->write || orig->poll)
		pr_warn("%s: the media device's read, write and poll are left out\n",
			dev_name(&devnode->dev));
	list_add_tail_rcu(&m->node, &camgate_medias);
	/* Release: the media core calls through the table it loads. */
	smp_store_release(&devnode->fops, &m->fops);
	pr_info("guarding %s, the media device of the camera\n",
		dev_name(&devnode->dev));
}

static void media_remove(struct media_devnode *devnode)
{
	struct camgate_media *m;

	mutex_lock(&media_lock);
	m = media_find(devnode);
	if (m && m->registered)
		m->registered = false;
	else
		m = NULL;
	mutex_unlock(&media_lock);
	if (m) {
		pr_info("%s removed\n", dev_name(&devnode->dev));
		media_put(m);
	}
}

static bool is_devnode(struct device *dev)
{
	return media_bus && dev->bus == media_bus;
}

static int media_notify(struct notifier_block *nb, unsigned long action,
			void *data)
{
	struct device *dev = data;
	struct media_devnode *devnode;

	if (!is_devnode(dev))
		return NOTIFY_DONE;
	devnode = to_media_devnode(dev);
	switch (action) {
	case BUS_NOTIFY_ADD_DEVICE:
		if (!camgate_group_captures(devnode->media_dev))
			break;
		mutex_lock(&media_lock);
		media_add(devnode);
		mutex_unlock(&media_lock);
		break;
	case BUS_NOTIFY_DEL_DEVICE:
		media_remove(devnode);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block media_nb = {
	.notifier_call = media_notify,
};

static int scan_one(struct device *dev, void *group)
{
	struct media_devnode *devnode = to_media_devnode(dev);

	if (devnode->media_dev == group)
		media_add(devnode);
	return 0;
}

/**
 * camgate_media_scan() - Guard the media device of a group, if registered.
 * @group: a group whose capture node was just guarded.
 *
 * Context: process context; takes media_lock.
 */
void camgate_media_scan(const void *group)
{
	if (!media_bus || !group)
		return;
	mutex_lock(&media_lock);
	bus_for_each_dev(mbus(), NULL, (void *)group, scan_one);
	mutex_unlock(&media_lock);
}

/**
 * camgate_media_revoke() - Void the media capabilities of a group.
 * @group: the group whose owner changed or was revoked.
 *
 * Called after every member's owner record is updated: a file opened by a
 * task that checked the old owner got the old generation.
 *
 * Context: any; allocates nothing.
 */
void camgate_media_revoke(const void *group)
{
	struct camgate_media *m;

	rcu_read_lock();
	spin_lock(&media_gen_lock);
	list_for_each_entry_rcu(m, &camgate_medias, node)
		if (m->group == group)	/* the owners, then the bump */
			smp_store_release(&m->gen, m->gen + 1);
	spin_unlock(&media_gen_lock);
	rcu_read_unlock();
}

/**
 * camgate_media_init() - Watch the media bus for guarded cameras' devices.
 *
 * Before camgate_devices_init(), whose capture nodes look for media
 * devices registered before them.
 *
 * Return: 0, or a negative errno; -ENOENT if the media bus cannot be found
 * (the media controller is not built, or not loaded).
 */
int camgate_media_init(void)
{
	int err;

	/* mc's media_bus_type, checked by its name, as the video class is. */
	media_bus = camgate_lookup_named("media_bus_type",
					 offsetof(struct camgate_bus_arg, name),
					 "media");
	if (!media_bus) {
		pr_err("media bus not found (is mc loaded?)\n");
		return -ENOENT;
	}
	media_wq = alloc_workqueue("camgate_media", WQ_UNBOUND, 0);
	if (!media_wq)
		return -ENOMEM;
	err = bus_register_notifier(mbus(), &media_nb);
	if (err) {
		destroy_workqueue(media_wq);
		media_bus = NULL;
	}
	return err;
}

/**
 * camgate_media_exit() - Unguard every media device.
 *
 * Context: module exit, after camgate_devices_exit().  No file opened
 * through camgate is open (each holds a module reference).
 */
void camgate_media_exit(void)
{
	struct camgate_media *m, *found;

	bus_unregister_notifier(mbus(), &media_nb);
	do {
		found = NULL;
		mutex_lock(&media_lock);
		list_for_each_entry(m, &camgate_medias, node) {
			if (m->registered) {
				m->registered = false;
				found = m;
				break;
			}
		}
		mutex_unlock(&media_lock);
		if (found)
			media_put(found);
	} while (found);
	destroy_workqueue(media_wq);	/* runs every pending free */
	rcu_barrier();
}
