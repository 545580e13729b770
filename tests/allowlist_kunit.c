// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the ioctl allowlist.  Every VIDIOC_* number of the 6.12 uapi
 * header is classified here, so a new query slipping into the allowlist or a
 * buffer ioctl escaping it fails a test; numbers nobody defined are denied.
 */
#include <kunit/test.h>
#include <linux/videodev2.h>
#include <linux/v4l2-subdev.h>
#include <linux/media.h>

#include "camgate.h"

struct ioctl_case {
	const char *name;
	unsigned int cmd;
	bool query;
};

/* All 80 VIDIOC_* of include/uapi/linux/videodev2.h in v6.12. */
static const struct ioctl_case vidioc_cases[] = {
	{ "VIDIOC_QUERYCAP", VIDIOC_QUERYCAP, true },
	{ "VIDIOC_ENUM_FMT", VIDIOC_ENUM_FMT, true },
	{ "VIDIOC_G_FMT", VIDIOC_G_FMT, true },
	{ "VIDIOC_S_FMT", VIDIOC_S_FMT, false },
	{ "VIDIOC_REQBUFS", VIDIOC_REQBUFS, false },
	{ "VIDIOC_QUERYBUF", VIDIOC_QUERYBUF, false },
	{ "VIDIOC_G_FBUF", VIDIOC_G_FBUF, false },
	{ "VIDIOC_S_FBUF", VIDIOC_S_FBUF, false },
	{ "VIDIOC_OVERLAY", VIDIOC_OVERLAY, false },
	{ "VIDIOC_QBUF", VIDIOC_QBUF, false },
	{ "VIDIOC_EXPBUF", VIDIOC_EXPBUF, false },
	{ "VIDIOC_DQBUF", VIDIOC_DQBUF, false },
	{ "VIDIOC_STREAMON", VIDIOC_STREAMON, false },
	{ "VIDIOC_STREAMOFF", VIDIOC_STREAMOFF, false },
	{ "VIDIOC_G_PARM", VIDIOC_G_PARM, true },
	{ "VIDIOC_S_PARM", VIDIOC_S_PARM, false },
	{ "VIDIOC_G_STD", VIDIOC_G_STD, true },
	{ "VIDIOC_S_STD", VIDIOC_S_STD, false },
	{ "VIDIOC_ENUMSTD", VIDIOC_ENUMSTD, true },
	{ "VIDIOC_ENUMINPUT", VIDIOC_ENUMINPUT, true },
	{ "VIDIOC_G_CTRL", VIDIOC_G_CTRL, true },
	{ "VIDIOC_S_CTRL", VIDIOC_S_CTRL, false },
	{ "VIDIOC_G_TUNER", VIDIOC_G_TUNER, true },
	{ "VIDIOC_S_TUNER", VIDIOC_S_TUNER, false },
	{ "VIDIOC_G_AUDIO", VIDIOC_G_AUDIO, true },
	{ "VIDIOC_S_AUDIO", VIDIOC_S_AUDIO, false },
	{ "VIDIOC_QUERYCTRL", VIDIOC_QUERYCTRL, true },
	{ "VIDIOC_QUERYMENU", VIDIOC_QUERYMENU, true },
	{ "VIDIOC_G_INPUT", VIDIOC_G_INPUT, true },
	{ "VIDIOC_S_INPUT", VIDIOC_S_INPUT, false },
	{ "VIDIOC_G_EDID", VIDIOC_G_EDID, true },
	{ "VIDIOC_S_EDID", VIDIOC_S_EDID, false },
	{ "VIDIOC_G_OUTPUT", VIDIOC_G_OUTPUT, true },
	{ "VIDIOC_S_OUTPUT", VIDIOC_S_OUTPUT, false },
	{ "VIDIOC_ENUMOUTPUT", VIDIOC_ENUMOUTPUT, true },
	{ "VIDIOC_G_AUDOUT", VIDIOC_G_AUDOUT, true },
	{ "VIDIOC_S_AUDOUT", VIDIOC_S_AUDOUT, false },
	{ "VIDIOC_G_MODULATOR", VIDIOC_G_MODULATOR, true },
	{ "VIDIOC_S_MODULATOR", VIDIOC_S_MODULATOR, false },
	{ "VIDIOC_G_FREQUENCY", VIDIOC_G_FREQUENCY, true },
	{ "VIDIOC_S_FREQUENCY", VIDIOC_S_FREQUENCY, false },
	{ "VIDIOC_CROPCAP", VIDIOC_CROPCAP, true },
	{ "VIDIOC_G_CROP", VIDIOC_G_CROP, true },
	{ "VIDIOC_S_CROP", VIDIOC_S_CROP, false },
	{ "VIDIOC_G_JPEGCOMP", VIDIOC_G_JPEGCOMP, true },
	{ "VIDIOC_S_JPEGCOMP", VIDIOC_S_JPEGCOMP, false },
	{ "VIDIOC_QUERYSTD", VIDIOC_QUERYSTD, true },
	{ "VIDIOC_TRY_FMT", VIDIOC_TRY_FMT, true },
	{ "VIDIOC_ENUMAUDIO", VIDIOC_ENUMAUDIO, true },
	{ "VIDIOC_ENUMAUDOUT", VIDIOC_ENUMAUDOUT, true },
	{ "VIDIOC_G_PRIORITY", VIDIOC_G_PRIORITY, true },
	{ "VIDIOC_S_PRIORITY", VIDIOC_S_PRIORITY, false },
	{ "VIDIOC_G_SLICED_VBI_CAP", VIDIOC_G_SLICED_VBI_CAP, true },
	{ "VIDIOC_LOG_STATUS", VIDIOC_LOG_STATUS, false },
	{ "VIDIOC_G_EXT_CTRLS", VIDIOC_G_EXT_CTRLS, false },
	{ "VIDIOC_S_EXT_CTRLS", VIDIOC_S_EXT_CTRLS, false },
	{ "VIDIOC_TRY_EXT_CTRLS", VIDIOC_TRY_EXT_CTRLS, true },
	{ "VIDIOC_ENUM_FRAMESIZES", VIDIOC_ENUM_FRAMESIZES, true },
	{ "VIDIOC_ENUM_FRAMEINTERVALS", VIDIOC_ENUM_FRAMEINTERVALS, true },
	{ "VIDIOC_G_ENC_INDEX", VIDIOC_G_ENC_INDEX, false },
	{ "VIDIOC_ENCODER_CMD", VIDIOC_ENCODER_CMD, false },
	{ "VIDIOC_TRY_ENCODER_CMD", VIDIOC_TRY_ENCODER_CMD, false },
	{ "VIDIOC_DBG_S_REGISTER", VIDIOC_DBG_S_REGISTER, false },
	{ "VIDIOC_DBG_G_REGISTER", VIDIOC_DBG_G_REGISTER, false },
	{ "VIDIOC_S_HW_FREQ_SEEK", VIDIOC_S_HW_FREQ_SEEK, false },
	{ "VIDIOC_S_DV_TIMINGS", VIDIOC_S_DV_TIMINGS, false },
	{ "VIDIOC_G_DV_TIMINGS", VIDIOC_G_DV_TIMINGS, true },
	{ "VIDIOC_DQEVENT", VIDIOC_DQEVENT, false },
	{ "VIDIOC_SUBSCRIBE_EVENT", VIDIOC_SUBSCRIBE_EVENT, false },
	{ "VIDIOC_UNSUBSCRIBE_EVENT", VIDIOC_UNSUBSCRIBE_EVENT, false },
	{ "VIDIOC_CREATE_BUFS", VIDIOC_CREATE_BUFS, false },
	{ "VIDIOC_PREPARE_BUF", VIDIOC_PREPARE_BUF, false },
	{ "VIDIOC_G_SELECTION", VIDIOC_G_SELECTION, true },
	{ "VIDIOC_S_SELECTION", VIDIOC_S_SELECTION, false },
	{ "VIDIOC_DECODER_CMD", VIDIOC_DECODER_CMD, false },
	{ "VIDIOC_TRY_DECODER_CMD", VIDIOC_TRY_DECODER_CMD, false },
	{ "VIDIOC_ENUM_DV_TIMINGS", VIDIOC_ENUM_DV_TIMINGS, true },
	{ "VIDIOC_QUERY_DV_TIMINGS", VIDIOC_QUERY_DV_TIMINGS, true },
	{ "VIDIOC_DV_TIMINGS_CAP", VIDIOC_DV_TIMINGS_CAP, true },
	{ "VIDIOC_ENUM_FREQ_BANDS", VIDIOC_ENUM_FREQ_BANDS, true },
	{ "VIDIOC_DBG_G_CHIP_INFO", VIDIOC_DBG_G_CHIP_INFO, false },
	{ "VIDIOC_QUERY_EXT_CTRL", VIDIOC_QUERY_EXT_CTRL, true },
	{ "VIDIOC_REMOVE_BUFS", VIDIOC_REMOVE_BUFS, false },
};

static void ioctl_case_desc(const struct ioctl_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vidioc, vidioc_cases, ioctl_case_desc);

static void allowlist_vidioc(struct kunit *test)
{
	const struct ioctl_case *c = test->param_value;

	KUNIT_EXPECT_EQ_MSG(test, c->query, camgate_ioctl_is_query(c->cmd),
			    "%s (0x%08x)", c->name, c->cmd);
}

/*
 * Numbers that no allowed query has: private and vendor ranges, other
 * types, other directions or sizes of an allowed number (the 32-bit compat
 * layout of struct v4l2_format, for one), media and subdev ioctls.
 */
static const struct ioctl_case unknown_cases[] = {
	{ "private 192", _IOWR('V', BASE_VIDIOC_PRIVATE, int), false },
	{ "private 255", _IOWR('V', 255, int), false },
	{ "vendor 200 no data", _IO('V', 200), false },
	{ "unused 'V' 101", _IOWR('V', 101, int), false },
	{ "unused 'V' 127", _IOR('V', 127, int), false },
	{ "zero", 0, false },
	{ "all ones", 0xffffffff, false },
	{ "G_FMT 32-bit layout", _IOC(_IOC_READ | _IOC_WRITE, 'V', 4, 204),
	  false },
	{ "QUERYCAP as write", _IOW('V', 0, struct v4l2_capability), false },
	{ "QUERYCAP without data", _IO('V', 0), false },
	{ "G_FMT with type 'v'", _IOWR('v', 4, struct v4l2_format), false },
	{ "G_FMT size + 1", _IOC(_IOC_READ | _IOC_WRITE, 'V', 4,
				 sizeof(struct v4l2_format) + 1), false },
	{ "MEDIA_IOC_REQUEST_ALLOC", MEDIA_IOC_REQUEST_ALLOC, false },
	{ "MEDIA_REQUEST_IOC_QUEUE", MEDIA_REQUEST_IOC_QUEUE, false },
	{ "SUBDEV_G_FMT", VIDIOC_SUBDEV_G_FMT, false },
	{ "SUBDEV_QUERYCAP", VIDIOC_SUBDEV_QUERYCAP, false },
};

KUNIT_ARRAY_PARAM(unknown, unknown_cases, ioctl_case_desc);

static void allowlist_unknown_denied(struct kunit *test)
{
	const struct ioctl_case *c = test->param_value;

	KUNIT_EXPECT_FALSE_MSG(test, camgate_ioctl_is_query(c->cmd),
			       "%s (0x%08x)", c->name, c->cmd);
}

/*
 * Exhaustive over type 'V' (every direction, number and size): the allowed
 * numbers are exactly the queries of the table above, none else.
 */
static void allowlist_only_listed_queries(struct kunit *test)
{
	unsigned int dir, nr, size, allowed = 0, expected = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vidioc_cases); i++)
		expected += vidioc_cases[i].query;
	for (dir = 0; dir <= _IOC_DIRMASK; dir++) {
		for (nr = 0; nr <= _IOC_NRMASK; nr++)
			for (size = 0; size <= _IOC_SIZEMASK; size++)
				allowed += camgate_ioctl_is_query(_IOC(dir, 'V',
								       nr, size));
		cond_resched();
	}
	KUNIT_EXPECT_EQ(test, expected, allowed);
}

/*
 * Every VIDIOC_SUBDEV_* of include/uapi/linux/v4l2-subdev.h in v6.12, and
 * the ioctls of videodev2.h that v4l2-subdev.c also handles (controls,
 * events), each number once: the sub-device allowlist.
 */
static const struct ioctl_case subdev_cases[] = {
	{ "SUBDEV_QUERYCAP", VIDIOC_SUBDEV_QUERYCAP, true },
	{ "SUBDEV_G_FMT", VIDIOC_SUBDEV_G_FMT, true },
	{ "SUBDEV_S_FMT", VIDIOC_SUBDEV_S_FMT, false },
	{ "SUBDEV_G_FRAME_INTERVAL", VIDIOC_SUBDEV_G_FRAME_INTERVAL, true },
	{ "SUBDEV_S_FRAME_INTERVAL", VIDIOC_SUBDEV_S_FRAME_INTERVAL, false },
	{ "SUBDEV_ENUM_MBUS_CODE", VIDIOC_SUBDEV_ENUM_MBUS_CODE, true },
	{ "SUBDEV_ENUM_FRAME_SIZE", VIDIOC_SUBDEV_ENUM_FRAME_SIZE, true },
	{ "SUBDEV_ENUM_FRAME_INTERVAL", VIDIOC_SUBDEV_ENUM_FRAME_INTERVAL,
	  true },
	{ "SUBDEV_G_CROP", VIDIOC_SUBDEV_G_CROP, true },
	{ "SUBDEV_S_CROP", VIDIOC_SUBDEV_S_CROP, false },
	{ "SUBDEV_G_SELECTION", VIDIOC_SUBDEV_G_SELECTION, true },
	{ "SUBDEV_S_SELECTION", VIDIOC_SUBDEV_S_SELECTION, false },
	{ "SUBDEV_G_ROUTING", VIDIOC_SUBDEV_G_ROUTING, true },
	{ "SUBDEV_S_ROUTING", VIDIOC_SUBDEV_S_ROUTING, false },
	{ "SUBDEV_G_CLIENT_CAP", VIDIOC_SUBDEV_G_CLIENT_CAP, true },
	{ "SUBDEV_S_CLIENT_CAP", VIDIOC_SUBDEV_S_CLIENT_CAP, false },
	{ "SUBDEV_G_STD", VIDIOC_SUBDEV_G_STD, true },
	{ "SUBDEV_S_STD", VIDIOC_SUBDEV_S_STD, false },
	{ "SUBDEV_ENUMSTD", VIDIOC_SUBDEV_ENUMSTD, true },
	{ "SUBDEV_G_EDID", VIDIOC_SUBDEV_G_EDID, true },
	{ "SUBDEV_S_EDID", VIDIOC_SUBDEV_S_EDID, false },
	{ "SUBDEV_QUERYSTD", VIDIOC_SUBDEV_QUERYSTD, true },
	{ "SUBDEV_S_DV_TIMINGS", VIDIOC_SUBDEV_S_DV_TIMINGS, false },
	{ "SUBDEV_G_DV_TIMINGS", VIDIOC_SUBDEV_G_DV_TIMINGS, true },
	{ "SUBDEV_ENUM_DV_TIMINGS", VIDIOC_SUBDEV_ENUM_DV_TIMINGS, true },
	{ "SUBDEV_QUERY_DV_TIMINGS", VIDIOC_SUBDEV_QUERY_DV_TIMINGS, true },
	{ "SUBDEV_DV_TIMINGS_CAP", VIDIOC_SUBDEV_DV_TIMINGS_CAP, true },
	{ "VIDIOC_QUERYCTRL", VIDIOC_QUERYCTRL, true },
	{ "VIDIOC_QUERY_EXT_CTRL", VIDIOC_QUERY_EXT_CTRL, true },
	{ "VIDIOC_QUERYMENU", VIDIOC_QUERYMENU, true },
	{ "VIDIOC_G_CTRL", VIDIOC_G_CTRL, true },
	{ "VIDIOC_S_CTRL", VIDIOC_S_CTRL, false },
	{ "VIDIOC_G_EXT_CTRLS", VIDIOC_G_EXT_CTRLS, false },
	{ "VIDIOC_S_EXT_CTRLS", VIDIOC_S_EXT_CTRLS, false },
	{ "VIDIOC_TRY_EXT_CTRLS", VIDIOC_TRY_EXT_CTRLS, true },
	{ "VIDIOC_DQEVENT", VIDIOC_DQEVENT, false },
	{ "VIDIOC_SUBSCRIBE_EVENT", VIDIOC_SUBSCRIBE_EVENT, false },
	{ "VIDIOC_UNSUBSCRIBE_EVENT", VIDIOC_UNSUBSCRIBE_EVENT, false },
	{ "VIDIOC_LOG_STATUS", VIDIOC_LOG_STATUS, false },
	{ "VIDIOC_DBG_G_REGISTER", VIDIOC_DBG_G_REGISTER, false },
	{ "VIDIOC_DBG_S_REGISTER", VIDIOC_DBG_S_REGISTER, false },
	{ "VIDIOC_QUERYCAP", VIDIOC_QUERYCAP, false },
	{ "VIDIOC_S_FMT", VIDIOC_S_FMT, false },
	{ "VIDIOC_QBUF", VIDIOC_QBUF, false },
	{ "private 192", _IOWR('V', BASE_VIDIOC_PRIVATE, int), false },
};

KUNIT_ARRAY_PARAM(subdev, subdev_cases, ioctl_case_desc);

static void allowlist_subdev(struct kunit *test)
{
	const struct ioctl_case *c = test->param_value;

	KUNIT_EXPECT_EQ_MSG(test, c->query,
			    camgate_subdev_ioctl_is_query(c->cmd),
			    "%s (0x%08x)", c->name, c->cmd);
}

/* Exhaustive over type 'V': exactly the sub-device queries listed. */
static void allowlist_subdev_only_listed(struct kunit *test)
{
	unsigned int dir, nr, size, cmd, allowed = 0, expected = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(subdev_cases); i++)
		expected += subdev_cases[i].query;
	for (dir = 0; dir <= _IOC_DIRMASK; dir++) {
		for (nr = 0; nr <= _IOC_NRMASK; nr++) {
			for (size = 0; size <= _IOC_SIZEMASK; size++) {
				cmd = _IOC(dir, 'V', nr, size);
				allowed += camgate_subdev_ioctl_is_query(cmd);
			}
		}
		cond_resched();
	}
	KUNIT_EXPECT_EQ(test, expected, allowed);
}

struct media_case {
	const char *name;
	unsigned int cmd;
	bool compat;
	bool query;
};

/* Every MEDIA_IOC_* of include/uapi/linux/media.h in v6.12. */
static const struct media_case media_cases[] = {
	{ "DEVICE_INFO", MEDIA_IOC_DEVICE_INFO, false, true },
	{ "ENUM_ENTITIES", MEDIA_IOC_ENUM_ENTITIES, false, true },
	{ "ENUM_LINKS", MEDIA_IOC_ENUM_LINKS, false, true },
	{ "SETUP_LINK", MEDIA_IOC_SETUP_LINK, false, false },
	{ "G_TOPOLOGY", MEDIA_IOC_G_TOPOLOGY, false, true },
	{ "REQUEST_ALLOC", MEDIA_IOC_REQUEST_ALLOC, false, false },
	{ "ENUM_LINKS32 native", _IOWR('|', 0x02, u8[28]), false, false },
	{ "ENUM_LINKS32 compat", _IOWR('|', 0x02, u8[28]), true, true },
	{ "ENUM_LINKS compat", MEDIA_IOC_ENUM_LINKS, true, false },
	{ "SETUP_LINK compat", MEDIA_IOC_SETUP_LINK, true, false },
	{ "REQUEST_ALLOC compat", MEDIA_IOC_REQUEST_ALLOC, true, false },
	{ "REQUEST_IOC_QUEUE", MEDIA_REQUEST_IOC_QUEUE, false, false },
	{ "unused 0x06", _IOWR('|', 0x06, int), false, false },
	{ "VIDIOC_QUERYCAP", VIDIOC_QUERYCAP, false, false },
};

static void media_case_desc(const struct media_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->name);
}

KUNIT_ARRAY_PARAM(media, media_cases, media_case_desc);

static void allowlist_media(struct kunit *test)
{
	const struct media_case *c = test->param_value;

	KUNIT_EXPECT_EQ_MSG(test, c->query,
			    camgate_media_ioctl_is_query(c->cmd, c->compat),
			    "%s (0x%08x)", c->name, c->cmd);
}

struct ctrl_case {
	const char *name;
	u32 flags;
	bool public;
};

/* Which control values a task without a capability may read (ctrl.c). */
static const struct ctrl_case ctrl_cases[] = {
	{ "plain", 0, true },
	{ "slider, update", V4L2_CTRL_FLAG_SLIDER | V4L2_CTRL_FLAG_UPDATE,
	  true },
	{ "inactive, grabbed", V4L2_CTRL_FLAG_INACTIVE |
	  V4L2_CTRL_FLAG_GRABBED, true },
	{ "volatile", V4L2_CTRL_FLAG_VOLATILE, false },
	{ "read-only", V4L2_CTRL_FLAG_READ_ONLY, false },
	{ "volatile, read-only", V4L2_CTRL_FLAG_VOLATILE |
	  V4L2_CTRL_FLAG_READ_ONLY, false },
	{ "volatile, execute on write", V4L2_CTRL_FLAG_VOLATILE |
	  V4L2_CTRL_FLAG_EXECUTE_ON_WRITE, false },
};

static void ctrl_case_desc(const struct ctrl_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ctrl, ctrl_cases, ctrl_case_desc);

static void allowlist_ctrl_public(struct kunit *test)
{
	const struct ctrl_case *c = test->param_value;

	KUNIT_EXPECT_EQ_MSG(test, c->public, camgate_ctrl_is_public(c->flags),
			    "flags 0x%x", c->flags);
}

static struct kunit_case allowlist_test_cases[] = {
	KUNIT_CASE_PARAM(allowlist_vidioc, vidioc_gen_params),
	KUNIT_CASE_PARAM(allowlist_unknown_denied, unknown_gen_params),
	KUNIT_CASE(allowlist_only_listed_queries),
	KUNIT_CASE_PARAM(allowlist_ctrl_public, ctrl_gen_params),
	KUNIT_CASE_PARAM(allowlist_subdev, subdev_gen_params),
	KUNIT_CASE(allowlist_subdev_only_listed),
	KUNIT_CASE_PARAM(allowlist_media, media_gen_params),
	{}
};

static struct kunit_suite allowlist_test_suite = {
	.name = "camgate_allowlist",
	.test_cases = allowlist_test_cases,
};

kunit_test_suite(allowlist_test_suite);
