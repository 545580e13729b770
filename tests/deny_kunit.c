// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: why a refused caller was refused (issue 18), the word each reason
 * has in sysfs last_denial and in the log line.
 */
#include <kunit/test.h>
#include <uapi/linux/camgate.h>

#include "camgate.h"
#include "kunit_util.h"

struct deny_case {
	const char *name;
	u32 owner_uid;		/* ID_NONE: no owner */
	u64 dev_gen;		/* the device's generation now */
	u64 cap_gen;		/* the file's capability, 0: none */
	bool opener;		/* the caller opened the file */
	enum camgate_deny why;
};

static const struct deny_case deny_cases[] = {
	{ "no owner, default deny", ID_NONE, 1, 0, true, CAMGATE_DENY_NO_OWNER },
	{ "no owner, file with an old capability", ID_NONE, 2, 1, true,
	  CAMGATE_DENY_NO_OWNER },
	{ "opened by a non-owner", 1000, 3, 0, true, CAMGATE_DENY_NO_CAP },
	{ "opened before the owner was set", 1000, 3, 0, false,
	  CAMGATE_DENY_NO_CAP },
	{ "revoked since the open", 1000, 4, 3, true, CAMGATE_DENY_STALE },
	{ "revoked, then passed", 1000, 4, 3, false, CAMGATE_DENY_STALE },
	{ "opener changed its uid", 1000, 3, 3, true, CAMGATE_DENY_CRED },
	{ "inherited or received by another uid", 1000, 3, 3, false,
	  CAMGATE_DENY_PASSED },
};

static void deny_case_desc(const struct deny_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(deny, deny_cases, deny_case_desc);

static void deny_reason(struct kunit *test)
{
	const struct deny_case *c = test->param_value;
	struct camgate_owner owner = {
		.uid = test_uid(c->owner_uid),
		.gid = INVALID_GID,
		.gen = c->dev_gen,
	};

	KUNIT_EXPECT_EQ(test, (int)c->why,
			(int)camgate_deny_reason(&owner, c->cap_gen, c->opener));
}

/* The words are ABI: the UAPI header's, "unknown" for anything else. */
static void deny_names(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, CAMGATE_DENY_NONE_STR,
			   camgate_deny_name(CAMGATE_DENY_NONE));
	KUNIT_EXPECT_STREQ(test, CAMGATE_DENY_NO_OWNER_STR,
			   camgate_deny_name(CAMGATE_DENY_NO_OWNER));
	KUNIT_EXPECT_STREQ(test, CAMGATE_DENY_NO_CAP_STR,
			   camgate_deny_name(CAMGATE_DENY_NO_CAP));
	KUNIT_EXPECT_STREQ(test, CAMGATE_DENY_STALE_STR,
			   camgate_deny_name(CAMGATE_DENY_STALE));
	KUNIT_EXPECT_STREQ(test, CAMGATE_DENY_CRED_STR,
			   camgate_deny_name(CAMGATE_DENY_CRED));
	KUNIT_EXPECT_STREQ(test, CAMGATE_DENY_PASSED_STR,
			   camgate_deny_name(CAMGATE_DENY_PASSED));
	KUNIT_EXPECT_STREQ(test, "unknown",
			   camgate_deny_name(CAMGATE_DENY_PASSED + 1));
	KUNIT_EXPECT_STREQ(test, "unknown", camgate_deny_name(-1));
	KUNIT_EXPECT_STREQ(test, CAMGATE_DENY_NO_OWNER_STR,
			   camgate_deny_name(camgate_deny_reason(NULL, 0, true)));
}

/*
 * The operation words of audit records, uevents and camgatectl watch: one
 * word each (an audit value or a uevent value with a blank would be split
 * by its readers), every operation named, "unknown" past the last.
 */
static void op_names(struct kunit *test)
{
	static const char *const want[] = {
		[CAMGATE_OP_READ] = "read",
		[CAMGATE_OP_IOCTL] = "ioctl",
		[CAMGATE_OP_COMPAT_IOCTL] = "compat-ioctl",
		[CAMGATE_OP_RECEIVE] = "file-receive",
		[CAMGATE_OP_BINDER] = "binder-transfer",
	};
	int op;

	for (op = CAMGATE_OP_READ; op <= CAMGATE_OP_BINDER; op++) {
		const char *n = camgate_op_name(op);

		KUNIT_EXPECT_NE(test, 0, (int)strlen(n));
		KUNIT_EXPECT_STRNEQ(test, "unknown", n);
		KUNIT_EXPECT_NULL(test, strpbrk(n, " \t\n=\""));
		if ((size_t)op < ARRAY_SIZE(want) && want[op])
			KUNIT_EXPECT_STREQ(test, want[op], n);
	}
	KUNIT_EXPECT_STREQ(test, "unknown", camgate_op_name(CAMGATE_OP_BINDER + 1));
	KUNIT_EXPECT_STREQ(test, "unknown", camgate_op_name(-1));
}

static struct kunit_case deny_test_cases[] = {
	KUNIT_CASE_PARAM(deny_reason, deny_gen_params),
	KUNIT_CASE(deny_names),
	KUNIT_CASE(op_names),
	{}
};

static struct kunit_suite deny_test_suite = {
	.name = "camgate_deny",
	.test_cases = deny_test_cases,
};

kunit_test_suite(deny_test_suite);
