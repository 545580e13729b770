/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by camgate's KUnit suites. */
#ifndef _CAMGATE_KUNIT_UTIL_H
#define _CAMGATE_KUNIT_UTIL_H

#include <kunit/test.h>
#include <linux/cred.h>
#include <linux/slab.h>

#include "camgate.h"

#define ID_NONE U32_MAX

static inline kuid_t test_uid(u32 id)
{
	return id == ID_NONE ? INVALID_UID : KUIDT_INIT(id);
}

static inline kgid_t test_gid(u32 id)
{
	return id == ID_NONE ? INVALID_GID : KGIDT_INIT(id);
}

static void test_put_groups(void *gi)
{
	put_group_info((struct group_info *)gi);
}

/*
 * A credential with the given effective ids and supplementary groups,
 * freed at the end of the test.  Only the fields camgate reads are set.
 */
static inline struct cred *test_cred(struct kunit *test, u32 euid, u32 egid,
				     const u32 *groups, int ngroups)
{
	struct cred *cred = kunit_kzalloc(test, sizeof(*cred), GFP_KERNEL);
	struct group_info *gi;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, cred);
	gi = groups_alloc(ngroups);
	KUNIT_ASSERT_NOT_NULL(test, gi);
	for (i = 0; i < ngroups; i++)
		gi->gid[i] = KGIDT_INIT(groups[i]);
	groups_sort(gi);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, test_put_groups, gi));
	cred->euid = KUIDT_INIT(euid);
	cred->uid = cred->euid;
	cred->egid = KGIDT_INIT(egid);
	cred->gid = cred->egid;
	cred->group_info = gi;
	return cred;
}

static void test_put_dev(void *dev)
{
	camgate_notify_retire(dev);
	kobject_put(&((struct camgate_dev *)dev)->kobj);
}

/*
 * A guard built the way device.c builds one, without a video device
 * (nothing the tests call touches it), freed through its kobject.
 */
static inline struct camgate_dev *test_dev(struct kunit *test, u32 uid,
					   u32 gid)
{
	struct camgate_dev *dev = kzalloc(sizeof(*dev), GFP_KERNEL);

	if (!dev)
		KUNIT_FAIL_AND_ABORT(test, "out of memory");
	dev->owners[0].uid = test_uid(uid);
	dev->owners[0].gid = test_gid(gid);
	dev->owners[0].gen = 1;
	RCU_INIT_POINTER(dev->owner, &dev->owners[0]);
	dev->owner_gp = get_state_synchronize_rcu();
	mutex_init(&dev->cfg_lock);
	INIT_LIST_HEAD(&dev->files);
	INIT_LIST_HEAD(&dev->cap_files);
	INIT_LIST_HEAD(&dev->dmabufs);
	strscpy(dev->name, "kunit", sizeof(dev->name));
	camgate_notify_init_dev(dev);
	kobject_init(&dev->kobj, &camgate_dev_ktype);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, test_put_dev, dev));
	return dev;
}

#endif
