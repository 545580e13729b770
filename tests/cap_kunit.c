// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: capability mint, revocation and release, on a guard built the way
 * device.c builds one (without a video device: nothing here touches it).
 */
#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/slab.h>

#include "camgate.h"
#include "kunit_util.h"

static const struct camgate_owner *owner_of(struct camgate_dev *dev)
{
	return rcu_dereference_protected(dev->owner, true);
}

static const struct file_operations test_fops;

static void test_fput(void *file)
{
	fput(file);
}

/*
 * A file opened by @cred now, as cg_open() records it; a real file, because
 * revocation unmaps through its inode.
 */
static struct camgate_file *test_open(struct kunit *test,
				      struct camgate_dev *dev,
				      const struct cred *cred)
{
	struct camgate_file *cf = kunit_kzalloc(test, sizeof(*cf), GFP_KERNEL);
	struct file *file;

	KUNIT_ASSERT_NOT_NULL(test, cf);
	file = anon_inode_getfile("camgate-test", &test_fops, NULL, O_RDONLY);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, test_fput, file));
	cf->file = file;
	cf->dev = dev;
	cf->cap_gen = camgate_cap_mint(owner_of(dev), cred);
	list_add_tail(&cf->dev_node, &dev->files);
	if (cf->cap_gen)
		list_add_tail(&cf->cap_node, &dev->cap_files);
	return cf;
}

static bool test_use(struct camgate_file *cf, const struct cred *cred)
{
	return camgate_may_access(owner_of(cf->dev), false, cf->cap_gen, cred);
}

static void cap_mint_owner_only(struct kunit *test)
{
	struct camgate_dev *dev = test_dev(test, 1000, ID_NONE);
	const struct cred *owner = test_cred(test, 1000, 1000, NULL, 0);
	const struct cred *other = test_cred(test, 1001, 1001, NULL, 0);
	struct camgate_file *mine = test_open(test, dev, owner);
	struct camgate_file *theirs = test_open(test, dev, other);

	KUNIT_EXPECT_EQ(test, 1ULL, mine->cap_gen);
	KUNIT_EXPECT_EQ(test, 0ULL, theirs->cap_gen);
	KUNIT_EXPECT_TRUE(test, test_use(mine, owner));
	KUNIT_EXPECT_FALSE(test, test_use(theirs, other));
	/* Owner's file handed to the other uid, or other uid's file to owner. */
	KUNIT_EXPECT_FALSE(test, test_use(mine, other));
	KUNIT_EXPECT_FALSE(test, test_use(theirs, owner));
	KUNIT_EXPECT_EQ(test, 1U, camgate_dev_count_caps(dev));
}

static void cap_revoke_voids_all(struct kunit *test)
{
	struct camgate_dev *dev = test_dev(test, 1000, ID_NONE);
	const struct cred *owner = test_cred(test, 1000, 1000, NULL, 0);
	struct camgate_file *a = test_open(test, dev, owner);
	struct camgate_file *b = test_open(test, dev, owner);
	struct camgate_file *c;

	KUNIT_EXPECT_EQ(test, 2U, camgate_dev_count_caps(dev));
	KUNIT_ASSERT_EQ(test, 0, camgate_dev_revoke(dev));
	KUNIT_EXPECT_EQ(test, 2ULL, owner_of(dev)->gen);
	KUNIT_EXPECT_FALSE(test, test_use(a, owner));
	KUNIT_EXPECT_FALSE(test, test_use(b, owner));
	KUNIT_EXPECT_EQ(test, 0U, camgate_dev_count_caps(dev));
	/* The owner is unchanged: a new open gets a new capability. */
	c = test_open(test, dev, owner);
	KUNIT_EXPECT_TRUE(test, test_use(c, owner));
	KUNIT_EXPECT_EQ(test, 1U, camgate_dev_count_caps(dev));
}

static void cap_owner_change(struct kunit *test)
{
	struct camgate_dev *dev = test_dev(test, 1000, ID_NONE);
	const struct cred *old = test_cred(test, 1000, 1000, NULL, 0);
	const struct cred *new = test_cred(test, 1001, 1001, NULL, 0);
	struct camgate_file *a = test_open(test, dev, old);
	kuid_t uid = KUIDT_INIT(1001);
	struct camgate_file *b;

	KUNIT_ASSERT_EQ(test, 0, camgate_dev_set_owner(dev, &uid, NULL));
	KUNIT_EXPECT_EQ(test, 2ULL, owner_of(dev)->gen);
	KUNIT_EXPECT_FALSE(test, test_use(a, old));
	KUNIT_EXPECT_FALSE(test, test_use(a, new));
	b = test_open(test, dev, new);
	KUNIT_EXPECT_TRUE(test, test_use(b, new));
	KUNIT_EXPECT_FALSE(test, test_use(b, old));
}

static void cap_same_owner_keeps_caps(struct kunit *test)
{
	struct camgate_dev *dev = test_dev(test, 1000, ID_NONE);
	const struct cred *owner = test_cred(test, 1000, 1000, NULL, 0);
	struct camgate_file *a = test_open(test, dev, owner);
	kuid_t uid = KUIDT_INIT(1000);
	kgid_t gid = INVALID_GID;

	KUNIT_ASSERT_EQ(test, 0, camgate_dev_set_owner(dev, &uid, &gid));
	KUNIT_EXPECT_EQ(test, 1ULL, owner_of(dev)->gen);
	KUNIT_EXPECT_TRUE(test, test_use(a, owner));
}

static void cap_gid_change(struct kunit *test)
{
	struct camgate_dev *dev = test_dev(test, ID_NONE, ID_NONE);
	const u32 groups[] = { 44 };
	const struct cred *member = test_cred(test, 1002, 1002, groups, 1);
	struct camgate_file *early = test_open(test, dev, member);
	kgid_t gid = KGIDT_INIT(44);
	struct camgate_file *late;

	KUNIT_EXPECT_EQ(test, 0ULL, early->cap_gen);
	KUNIT_ASSERT_EQ(test, 0, camgate_dev_set_owner(dev, NULL, &gid));
	/* Opened before the owner existed: no capability, must reopen. */
	KUNIT_EXPECT_FALSE(test, test_use(early, member));
	late = test_open(test, dev, member);
	KUNIT_EXPECT_TRUE(test, test_use(late, member));
}

static void cap_release(struct kunit *test)
{
	struct camgate_dev *dev = test_dev(test, 1000, ID_NONE);
	const struct cred *owner = test_cred(test, 1000, 1000, NULL, 0);
	struct camgate_file *a = test_open(test, dev, owner);

	KUNIT_EXPECT_EQ(test, 1U, camgate_dev_count_caps(dev));
	list_del(&a->dev_node);	/* what cg_release() does */
	list_del(&a->cap_node);
	KUNIT_EXPECT_EQ(test, 0U, camgate_dev_count_caps(dev));
}

/*
 * Taking rights away needs no memory (issue 21 item 6): with every
 * allocation of this task failing, an owner change and a revocation still
 * take effect and void the old capability.
 */
static void cap_revocation_needs_no_memory(struct kunit *test)
{
	struct camgate_dev *dev = test_dev(test, 1000, ID_NONE);
	const struct cred *owner = test_cred(test, 1000, 1000, NULL, 0);
	const struct cred *next = test_cred(test, 1001, 1001, NULL, 0);
	struct camgate_file *a = test_open(test, dev, owner);
	struct camgate_file *b;
	kuid_t uid = KUIDT_INIT(1001);
	int err, i;

	if (!IS_ENABLED(CONFIG_FAILSLAB))
		kunit_skip(test, "CONFIG_FAILSLAB is not set");
	/* failslab is process-wide; fail this task's next allocation. */
	current->fail_nth = 1;
	err = camgate_dev_set_owner(dev, &uid, NULL);
	current->fail_nth = 0;
	KUNIT_EXPECT_EQ(test, 0, err);
	KUNIT_EXPECT_EQ(test, 1001U, __kuid_val(owner_of(dev)->uid));
	KUNIT_EXPECT_EQ(test, 2ULL, owner_of(dev)->gen);
	KUNIT_EXPECT_FALSE(test, test_use(a, owner));
	/* Several rounds: the two records take turns. */
	for (i = 0; i < 3; i++) {
		b = test_open(test, dev, next);
		KUNIT_EXPECT_TRUE(test, test_use(b, next));
		current->fail_nth = 1;
		err = camgate_dev_revoke(dev);
		current->fail_nth = 0;
		KUNIT_EXPECT_EQ(test, 0, err);
		KUNIT_EXPECT_EQ(test, 3ULL + i, owner_of(dev)->gen);
		KUNIT_EXPECT_FALSE(test, test_use(b, next));
	}
	KUNIT_EXPECT_EQ(test, 1001U, __kuid_val(owner_of(dev)->uid));
}

static struct kunit_case cap_test_cases[] = {
	KUNIT_CASE(cap_mint_owner_only),
	KUNIT_CASE(cap_revoke_voids_all),
	KUNIT_CASE(cap_owner_change),
	KUNIT_CASE(cap_same_owner_keeps_caps),
	KUNIT_CASE(cap_gid_change),
	KUNIT_CASE(cap_release),
	KUNIT_CASE(cap_revocation_needs_no_memory),
	{}
};

static struct kunit_suite cap_test_suite = {
	.name = "camgate_cap",
	.test_cases = cap_test_cases,
};

kunit_test_suite(cap_test_suite);
