// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctls a task without a capability may run.
 *
 * An allowlist, so that everything not named here (buffer and streaming
 * ioctls, setters, events, debug, private and vendor numbers, 32-bit compat
 * numbers of structures whose layout differs) is denied.  What is left lets
 * device pickers identify a camera and its formats: it reveals no frame
 * byte, no buffer offset and no frame timing, and changes no state.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/v4l2-subdev.h>
#include <linux/videodev2.h>

#include "camgate.h"

/**
 * camgate_ioctl_is_query() - May a task without a capability run @cmd?
 * @cmd: the ioctl number exactly as the caller passed it.
 *
 * VIDIOC_G_CTRL is a query whose value is filtered (ctrl.c); VIDIOC_G_EXT_CTRLS
 * is not one, since the controls it reads are not known before the driver
 * reads them from user space.
 *
 * Context: any; lock-free and allocation-free.
 * Return: true for the read-only query ioctls below, false for anything else.
 */
bool camgate_ioctl_is_query(unsigned int cmd)
{
	switch (cmd) {
	case VIDIOC_QUERYCAP:
	case VIDIOC_ENUM_FMT:
	case VIDIOC_G_FMT:
	case VIDIOC_TRY_FMT:
	case VIDIOC_G_PARM:
	case VIDIOC_G_STD:
	case VIDIOC_ENUMSTD:
	case VIDIOC_QUERYSTD:
	case VIDIOC_ENUMINPUT:
	case VIDIOC_G_INPUT:
	case VIDIOC_ENUMOUTPUT:
	case VIDIOC_G_OUTPUT:
	case VIDIOC_G_CTRL:
	case VIDIOC_QUERYCTRL:
	case VIDIOC_QUERY_EXT_CTRL:
	case VIDIOC_QUERYMENU:
	case VIDIOC_TRY_EXT_CTRLS:
	case VIDIOC_G_TUNER:
	case VIDIOC_G_AUDIO:
	case VIDIOC_ENUMAUDIO:
	case VIDIOC_G_AUDOUT:
	case VIDIOC_ENUMAUDOUT:
	case VIDIOC_G_MODULATOR:
	case VIDIOC_G_FREQUENCY:
	case VIDIOC_ENUM_FREQ_BANDS:
	case VIDIOC_CROPCAP:
	case VIDIOC_G_CROP:
	case VIDIOC_G_SELECTION:
	case VIDIOC_G_JPEGCOMP:
	case VIDIOC_G_PRIORITY:
	case VIDIOC_G_SLICED_VBI_CAP:
	case VIDIOC_ENUM_FRAMESIZES:
	case VIDIOC_ENUM_FRAMEINTERVALS:
	case VIDIOC_G_EDID:
	case VIDIOC_G_DV_TIMINGS:
	case VIDIOC_ENUM_DV_TIMINGS:
	case VIDIOC_QUERY_DV_TIMINGS:
	case VIDIOC_DV_TIMINGS_CAP:
		return true;
	default:
		return false;
	}
}
EXPORT_SYMBOL_IF_KUNIT(camgate_ioctl_is_query);

/**
 * camgate_subdev_ioctl_is_query() - May a task without a capability run @cmd
 * on a v4l-subdev node?
 * @cmd: the ioctl number exactly as the caller passed it.
 *
 * A sub-device (a sensor, a bridge, an ISP block) is a member of its
 * camera's group: what a device picker needs from it is what it is and
 * what it can do (formats, sizes, intervals, controls), read-only.  No
 * setter (S_FMT, S_SELECTION, S_FRAME_INTERVAL, S_ROUTING, S_CTRL,
 * S_STD, ...), no event, no private number.  VIDIOC_G_CTRL is filtered as
 * on video nodes (ctrl.c).
 *
 * Context: any; lock-free and allocation-free.
 * Return: true for the read-only sub-device queries below, false otherwise.
 */
bool camgate_subdev_ioctl_is_query(unsigned int cmd)
{
	switch (cmd) {
	case VIDIOC_SUBDEV_QUERYCAP:
	case VIDIOC_SUBDEV_G_FMT:
	case VIDIOC_SUBDEV_G_FRAME_INTERVAL:
	case VIDIOC_SUBDEV_ENUM_MBUS_CODE:
	case VIDIOC_SUBDEV_ENUM_FRAME_SIZE:
	case VIDIOC_SUBDEV_ENUM_FRAME_INTERVAL:
	case VIDIOC_SUBDEV_G_CROP:
	case VIDIOC_SUBDEV_G_SELECTION:
#ifdef VIDIOC_SUBDEV_G_ROUTING
	case VIDIOC_SUBDEV_G_ROUTING:
#endif
#ifdef VIDIOC_SUBDEV_G_CLIENT_CAP
	case VIDIOC_SUBDEV_G_CLIENT_CAP:
#endif
	case VIDIOC_SUBDEV_G_STD:
	case VIDIOC_SUBDEV_ENUMSTD:
	case VIDIOC_SUBDEV_QUERYSTD:
	case VIDIOC_SUBDEV_G_EDID:
	case VIDIOC_SUBDEV_G_DV_TIMINGS:
	case VIDIOC_SUBDEV_ENUM_DV_TIMINGS:
	case VIDIOC_SUBDEV_QUERY_DV_TIMINGS:
	case VIDIOC_SUBDEV_DV_TIMINGS_CAP:
	case VIDIOC_QUERYCTRL:
	case VIDIOC_QUERY_EXT_CTRL:
	case VIDIOC_QUERYMENU:
	case VIDIOC_G_CTRL:
	case VIDIOC_TRY_EXT_CTRLS:
		return true;
	default:
		return false;
	}
}
EXPORT_SYMBOL_IF_KUNIT(camgate_subdev_ioctl_is_query);

/**
 * camgate_ctrl_is_public() - May a task without a capability read a control?
 * @flags: the control's V4L2_CTRL_FLAG_* flags.
 *
 * Volatile controls are read from the hardware and read-only ones are set by
 * the driver: either may follow the frames.
 *
 * Return: true for a control that is neither.
 */
bool camgate_ctrl_is_public(u32 flags)
{
	return !(flags & (V4L2_CTRL_FLAG_VOLATILE | V4L2_CTRL_FLAG_READ_ONLY));
}
EXPORT_SYMBOL_IF_KUNIT(camgate_ctrl_is_public);
