// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration through sysfs: the only place where values from user space
 * enter camgate.  Every value is parsed and validated here, before any
 * state changes; malformed input gets -EINVAL and changes nothing.
 *
 *   /sys/kernel/camgate/abi_version
 *   /sys/kernel/camgate/default_policy
 *   /sys/kernel/camgate/devices/<node>/{name,owner_uid,owner_gid,revoke,
 *                                       generation,streaming,capabilities,
 *                                       denials,last_denial}
 *
 * Files are owned by root and never world-writable, so only a privileged
 * opener gets a writable file; a write also needs CAP_SYS_ADMIN.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <media/videobuf2-core.h>
#include <uapi/linux/camgate.h>

#include "camgate.h"

static struct kobject *camgate_kobj;
static struct kset *camgate_devices_kset;	/* uevents: notify.c */
struct kobject *camgate_devices_kobj;

static int parse_id(const char *buf, u32 *id, bool *none)
{
	int err;

	*none = sysfs_streq(buf, CAMGATE_ID_NONE);
	if (*none)
		return 0;
	/* Decimal only: no sign, no base prefix, no surrounding blanks. */
	if (!isdigit(buf[0]))
		return -EINVAL;
	err = kstrtou32(buf, 10, id);
	return err ? -EINVAL : 0;
}

/**
 * camgate_parse_uid() - Parse an owner_uid value.
 * @buf: what user space wrote: a decimal uid or "none", one trailing
 *	 newline allowed.
 * @uid: the uid in the initial user namespace; INVALID_UID for "none".
 *
 * Return: 0 on success; -EINVAL for anything else, including a value that
 * has no mapping in the initial user namespace (4294967295).
 */
int camgate_parse_uid(const char *buf, kuid_t *uid)
{
	bool none;
	u32 id;
	int err = parse_id(buf, &id, &none);

	if (err)
		return err;
	if (none) {
		*uid = INVALID_UID;
		return 0;
	}
	*uid = make_kuid(&init_user_ns, id);
	return uid_valid(*uid) ? 0 : -EINVAL;
}
EXPORT_SYMBOL_IF_KUNIT(camgate_parse_uid);

/**
 * camgate_parse_gid() - Parse an owner_gid value.
 * @buf: a decimal gid or "none", one trailing newline allowed.
 * @gid: the gid in the initial user namespace; INVALID_GID for "none".
 *
 * Return: 0 on success; -EINVAL otherwise, as camgate_parse_uid().
 */
int camgate_parse_gid(const char *buf, kgid_t *gid)
{
	bool none;
	u32 id;
	int err = parse_id(buf, &id, &none);

	if (err)
		return err;
	if (none) {
		*gid = INVALID_GID;
		return 0;
	}
	*gid = make_kgid(&init_user_ns, id);
	return gid_valid(*gid) ? 0 : -EINVAL;
}
EXPORT_SYMBOL_IF_KUNIT(camgate_parse_gid);

/**
 * camgate_parse_policy() - Parse a default_policy value.
 * @buf: "deny" or "allow", one trailing newline allowed.
 * @allow: set to true for "allow".
 *
 * Return: 0 on success, -EINVAL otherwise.
 */
int camgate_parse_policy(const char *buf, bool *allow)
{
	if (sysfs_streq(buf, CAMGATE_POLICY_DENY))
		*allow = false;
	else if (sysfs_streq(buf, CAMGATE_POLICY_ALLOW))
		*allow = true;
	else
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(camgate_parse_policy);

/**
 * camgate_parse_revoke() - Parse a write to revoke.
 * @buf: must be "1", one trailing newline allowed.
 *
 * Return: 0 for "1", -EINVAL otherwise.
 */
int camgate_parse_revoke(const char *buf)
{
	return sysfs_streq(buf, "1") ? 0 : -EINVAL;
}
EXPORT_SYMBOL_IF_KUNIT(camgate_parse_revoke);

static int may_configure(void)
{
	return capable(CAP_SYS_ADMIN) ? 0 : -EPERM;
}

/* Context: camgate_cfg_mutex held. */
static int check_unlocked(void)
{
	lockdep_assert_held(&camgate_cfg_mutex);
	return camgate_locked ? -EPERM : 0;
}

/* Global files. */

static ssize_t abi_version_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", CAMGATE_ABI_VERSION);
}

static ssize_t default_policy_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", READ_ONCE(camgate_default_allow) ?
			  CAMGATE_POLICY_ALLOW : CAMGATE_POLICY_DENY);
}

static ssize_t default_policy_store(struct kobject *kobj,
				    struct kobj_attribute *attr,
				    const char *buf, size_t count)
{
	bool allow;
	int err = may_configure() ?: camgate_parse_policy(buf, &allow);

	if (err)
		return err;
	mutex_lock(&camgate_cfg_mutex);
	err = check_unlocked();
	if (!err)
		WRITE_ONCE(camgate_default_allow, allow);
	mutex_unlock(&camgate_cfg_mutex);
	if (err)
		return err;
	pr_info("default policy set to %s by pid %d uid %u\n",
		allow ? CAMGATE_POLICY_ALLOW : CAMGATE_POLICY_DENY,
		task_tgid_nr(current),
		from_kuid(&init_user_ns, current_euid()));
	return count;
}

static ssize_t lock_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(camgate_locked));
}

/*
 * Writing 1 freezes owners and the default policy and pins the module until
 * reboot, for firmware that configures at boot; a node that had an owner
 * keeps it if it is registered again (replug, rebind, driver reload).
 * Revocation stays possible: it only takes access away.
 */
static ssize_t lock_store(struct kobject *kobj, struct kobj_attribute *attr,
			  const char *buf, size_t count)
{
	int err = may_configure() ?: camgate_parse_revoke(buf);
	bool locked_now = false;

	if (err)
		return err;
	mutex_lock(&camgate_cfg_mutex);
	if (!camgate_locked) {
		/* The owners the lock keeps for nodes that come back. */
		err = camgate_devices_lock_owners();
		if (err) {
			mutex_unlock(&camgate_cfg_mutex);
			return err;
		}
		__module_get(THIS_MODULE);
		/* Pairs with add_dev(): the list above, then the lock. */
		smp_store_release(&camgate_locked, true);
		pr_info("configuration locked by pid %d uid %u\n",
			task_tgid_nr(current),
			from_kuid(&init_user_ns, current_euid()));
		locked_now = true;
	}
	mutex_unlock(&camgate_cfg_mutex);
	if (locked_now) {
		camgate_audit_lock();
		camgate_led_lock();	/* the indicator's LEDs, sealed */
	}
	return count;
}

static struct kobj_attribute abi_version_attr = __ATTR_RO(abi_version);
static struct kobj_attribute lock_attr = __ATTR_RW(lock);
static struct kobj_attribute default_policy_attr =
	__ATTR(default_policy, 0644, default_policy_show, default_policy_store);

static struct attribute *camgate_attrs[] = {
	&abi_version_attr.attr,
	&default_policy_attr.attr,
	&lock_attr.attr,
	NULL,
};

static const struct attribute_group camgate_group = {
	.attrs = camgate_attrs,
};

/* Per-device files. */

static struct camgate_dev *to_dev(struct kobject *kobj)
{
	return container_of(kobj, struct camgate_dev, kobj);
}

static ssize_t name_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", to_dev(kobj)->vdev->name);
}

/* The camera the node belongs to (device.c, "Groups"). */
static ssize_t group_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n", camgate_group_name(to_dev(kobj)->vdev));
}

static ssize_t show_owner(struct camgate_dev *dev, char *buf, bool gid)
{
	const struct camgate_owner *o;
	ssize_t ret;

	rcu_read_lock();
	o = rcu_dereference(dev->owner);
	if (gid)
		ret = gid_valid(o->gid) ?
		      sysfs_emit(buf, "%u\n", from_kgid(&init_user_ns, o->gid)) :
		      sysfs_emit(buf, CAMGATE_ID_NONE "\n");
	else
		ret = uid_valid(o->uid) ?
		      sysfs_emit(buf, "%u\n", from_kuid(&init_user_ns, o->uid)) :
		      sysfs_emit(buf, CAMGATE_ID_NONE "\n");
	rcu_read_unlock();
	return ret;
}

static ssize_t owner_uid_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	return show_owner(to_dev(kobj), buf, false);
}

static ssize_t owner_gid_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	return show_owner(to_dev(kobj), buf, true);
}

static void log_config(struct camgate_dev *dev, const char *what,
		       const char *buf)
{
	pr_info("%s: %s set to %.*s by pid %d uid %u\n", dev->name, what,
		(int)strcspn(buf, "\n"), buf, task_tgid_nr(current),
		from_kuid(&init_user_ns, current_euid()));
}

static ssize_t owner_uid_store(struct kobject *kobj,
			       struct kobj_attribute *attr,
			       const char *buf, size_t count)
{
	kuid_t uid;
	int err = may_configure() ?: camgate_parse_uid(buf, &uid);

	if (!err) {
		mutex_lock(&camgate_cfg_mutex);
		err = check_unlocked() ?:
		      camgate_dev_set_owner(to_dev(kobj), &uid, NULL);
		mutex_unlock(&camgate_cfg_mutex);
	}
	if (err)
		return err;
	log_config(to_dev(kobj), "owner_uid", buf);
	return count;
}

static ssize_t owner_gid_store(struct kobject *kobj,
			       struct kobj_attribute *attr,
			       const char *buf, size_t count)
{
	kgid_t gid;
	int err = may_configure() ?: camgate_parse_gid(buf, &gid);

	if (!err) {
		mutex_lock(&camgate_cfg_mutex);
		err = check_unlocked() ?:
		      camgate_dev_set_owner(to_dev(kobj), NULL, &gid);
		mutex_unlock(&camgate_cfg_mutex);
	}
	if (err)
		return err;
	log_config(to_dev(kobj), "owner_gid", buf);
	return count;
}

static ssize_t revoke_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	int err = may_configure() ?: camgate_parse_revoke(buf);

	if (!err) {
		mutex_lock(&camgate_cfg_mutex);
		err = camgate_dev_revoke(to_dev(kobj));
		mutex_unlock(&camgate_cfg_mutex);
	}
	if (err)
		return err;
	log_config(to_dev(kobj), "revoke", buf);
	return count;
}

static ssize_t generation_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	u64 gen;

	rcu_read_lock();
	gen = rcu_dereference(to_dev(kobj)->owner)->gen;
	rcu_read_unlock();
	return sysfs_emit(buf, "%llu\n", gen);
}

static ssize_t streaming_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	struct vb2_queue *q = to_dev(kobj)->vdev->queue;

	/* A hint for administrators: read without the queue lock. */
	return sysfs_emit(buf, "%d\n", q ? vb2_is_streaming(q) : 0);
}

static ssize_t capabilities_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", camgate_dev_count_caps(to_dev(kobj)));
}

static ssize_t denials_show(struct kobject *kobj,
			    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  (long long)atomic64_read(&to_dev(kobj)->denials));
}

static ssize_t last_denial_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  camgate_deny_name(READ_ONCE(to_dev(kobj)->last_denial)));
}

static struct kobj_attribute name_attr = __ATTR_RO(name);
static struct kobj_attribute group_attr = __ATTR_RO(group);
static struct kobj_attribute owner_uid_attr =
	__ATTR(owner_uid, 0644, owner_uid_show, owner_uid_store);
static struct kobj_attribute owner_gid_attr =
	__ATTR(owner_gid, 0644, owner_gid_show, owner_gid_store);
static struct kobj_attribute revoke_attr = __ATTR_WO(revoke);
static struct kobj_attribute generation_attr = __ATTR_RO(generation);
/*
 * Root only: whether the camera streams is not frame data, but camgate
 * need not tell it to users who cannot even open the node (design.rst,
 * "Side channels").
 */
static struct kobj_attribute streaming_attr = __ATTR_RO_MODE(streaming, 0400);
static struct kobj_attribute capabilities_attr = __ATTR_RO(capabilities);
static struct kobj_attribute denials_attr = __ATTR_RO(denials);
static struct kobj_attribute last_denial_attr = __ATTR_RO(last_denial);

static struct attribute *camgate_dev_attrs[] = {
	&name_attr.attr,
	&group_attr.attr,
	&owner_uid_attr.attr,
	&owner_gid_attr.attr,
	&revoke_attr.attr,
	&generation_attr.attr,
	&streaming_attr.attr,
	&capabilities_attr.attr,
	&denials_attr.attr,
	&last_denial_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(camgate_dev);

static void camgate_dev_kobj_release(struct kobject *kobj)
{
	camgate_dev_release(to_dev(kobj));
}

const struct kobj_type camgate_dev_ktype = {
	.release = camgate_dev_kobj_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = camgate_dev_groups,
};
EXPORT_SYMBOL_IF_KUNIT(camgate_dev_ktype);

/**
 * camgate_sysfs_add_dev() - Create a guarded device's directory.
 * @dev: the guard, its kobject initialised with camgate_dev_ktype.
 *
 * The directory is in the devices kset, whose uevents say SUBSYSTEM=camgate.
 *
 * Return: 0 on success, or kobject_add()'s error (-ENOMEM, -EEXIST).
 */
int camgate_sysfs_add_dev(struct camgate_dev *dev)
{
	dev->kobj.kset = camgate_devices_kset;
	return kobject_add(&dev->kobj, camgate_devices_kobj, "%s", dev->name);
}

/**
 * camgate_sysfs_init() - Create /sys/kernel/camgate and its devices/.
 *
 * Return: 0 on success, -ENOMEM or sysfs_create_group()'s error.
 */
int camgate_sysfs_init(void)
{
	int err;

	camgate_kobj = kobject_create_and_add("camgate", kernel_kobj);
	if (!camgate_kobj)
		return -ENOMEM;
	err = sysfs_create_group(camgate_kobj, &camgate_group);
	if (err)
		goto err_put;
	camgate_devices_kset = kset_create_and_add("devices",
						   &camgate_uevent_ops,
						   camgate_kobj);
	if (!camgate_devices_kset) {
		err = -ENOMEM;
		goto err_put;
	}
	camgate_devices_kobj = &camgate_devices_kset->kobj;
	return 0;

err_put:
	kobject_put(camgate_kobj);
	return err;
}

/**
 * camgate_sysfs_exit() - Remove /sys/kernel/camgate.
 *
 * Context: after every device directory is gone.
 */
void camgate_sysfs_exit(void)
{
	kset_unregister(camgate_devices_kset);
	kobject_put(camgate_kobj);
}
