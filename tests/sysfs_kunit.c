// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: parsing of every value user space can write to sysfs.  Valid
 * inputs give the expected value; malformed ones give -EINVAL.
 */
#include <kunit/test.h>

#include "camgate.h"

struct id_case {
	const char *in;
	int err;
	u32 id;		/* U32_MAX: "none" */
};

static const struct id_case id_cases[] = {
	{ "1000", 0, 1000 },
	{ "1000\n", 0, 1000 },
	{ "0", 0, 0 },
	{ "4294967294", 0, 4294967294U },
	{ "none", 0, U32_MAX },
	{ "none\n", 0, U32_MAX },
	{ "4294967295", -EINVAL, 0 },	/* (uid_t)-1: no mapping */
	{ "4294967296", -EINVAL, 0 },	/* overflow */
	{ "99999999999999999999", -EINVAL, 0 },
	{ "-1", -EINVAL, 0 },
	{ "+5", -EINVAL, 0 },
	{ "0x10", -EINVAL, 0 },
	{ "abc", -EINVAL, 0 },
	{ "", -EINVAL, 0 },
	{ "\n", -EINVAL, 0 },
	{ " ", -EINVAL, 0 },
	{ " 1000", -EINVAL, 0 },
	{ "1000 ", -EINVAL, 0 },
	{ "12x", -EINVAL, 0 },
	{ "1000\n\n", -EINVAL, 0 },
	{ "None", -EINVAL, 0 },
	{ "nonex", -EINVAL, 0 },
};

static void id_case_desc(const struct id_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "\"%*pE\"", (int)strlen(c->in),
		 c->in);
}

KUNIT_ARRAY_PARAM(id, id_cases, id_case_desc);

static void sysfs_parse_uid(struct kunit *test)
{
	const struct id_case *c = test->param_value;
	kuid_t uid = KUIDT_INIT(12345);

	KUNIT_ASSERT_EQ(test, c->err, camgate_parse_uid(c->in, &uid));
	if (c->err)
		return;
	if (c->id == U32_MAX)
		KUNIT_EXPECT_FALSE(test, uid_valid(uid));
	else
		KUNIT_EXPECT_EQ(test, c->id, __kuid_val(uid));
}

static void sysfs_parse_gid(struct kunit *test)
{
	const struct id_case *c = test->param_value;
	kgid_t gid = KGIDT_INIT(12345);

	KUNIT_ASSERT_EQ(test, c->err, camgate_parse_gid(c->in, &gid));
	if (c->err)
		return;
	if (c->id == U32_MAX)
		KUNIT_EXPECT_FALSE(test, gid_valid(gid));
	else
		KUNIT_EXPECT_EQ(test, c->id, __kgid_val(gid));
}

struct word_case {
	const char *in;
	int err;
	bool allow;
};

static const struct word_case policy_cases[] = {
	{ "deny", 0, false },
	{ "deny\n", 0, false },
	{ "allow", 0, true },
	{ "allow\n", 0, true },
	{ "Allow", -EINVAL, false },
	{ "1", -EINVAL, false },
	{ "", -EINVAL, false },
	{ "allow ", -EINVAL, false },
	{ "denyx", -EINVAL, false },
};

static void word_case_desc(const struct word_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "\"%*pE\"", (int)strlen(c->in),
		 c->in);
}

KUNIT_ARRAY_PARAM(policy_word, policy_cases, word_case_desc);

static void sysfs_parse_policy(struct kunit *test)
{
	const struct word_case *c = test->param_value;
	bool allow = !c->allow;

	KUNIT_ASSERT_EQ(test, c->err, camgate_parse_policy(c->in, &allow));
	if (!c->err)
		KUNIT_EXPECT_EQ(test, c->allow, allow);
}

static const struct word_case revoke_cases[] = {
	{ "1", 0 }, { "1\n", 0 }, { "0", -EINVAL }, { "2", -EINVAL },
	{ "", -EINVAL }, { "yes", -EINVAL }, { "11", -EINVAL },
};

KUNIT_ARRAY_PARAM(revoke_word, revoke_cases, word_case_desc);

static void sysfs_parse_revoke(struct kunit *test)
{
	const struct word_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, c->err, camgate_parse_revoke(c->in));
}

static struct kunit_case sysfs_test_cases[] = {
	KUNIT_CASE_PARAM(sysfs_parse_uid, id_gen_params),
	KUNIT_CASE_PARAM(sysfs_parse_gid, id_gen_params),
	KUNIT_CASE_PARAM(sysfs_parse_policy, policy_word_gen_params),
	KUNIT_CASE_PARAM(sysfs_parse_revoke, revoke_word_gen_params),
	{}
};

static struct kunit_suite sysfs_test_suite = {
	.name = "camgate_sysfs",
	.test_cases = sysfs_test_cases,
};

kunit_test_suite(sysfs_test_suite);
