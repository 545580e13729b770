// SPDX-License-Identifier: GPL-2.0
/*
 * Control values for tasks without a capability.
 *
 * A device picker may read a camera's settings (brightness, the test
 * pattern), but some controls follow the frames: a volatile control is read
 * from the hardware (auto exposure and gain tell what the scene looks like)
 * and a read-only one is set by the driver (vivid publishes every frame's
 * sequence number in one).  A task without a capability gets VIDIOC_G_CTRL
 * only for the other controls, and VIDIOC_G_EXT_CTRLS not at all.
 *
 * The control id is read from user space once and the value is read
 * through the control framework with that copy, so the caller cannot swap
 * the id between the check and the read.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/uaccess.h>
#include <linux/videodev2.h>
#include <media/v4l2-ctrls.h>
#include <media/v4l2-dev.h>
#include <media/v4l2-fh.h>

#include "camgate.h"

/* The handler v4l_g_ctrl() reads; NULL if the driver has none. */
static struct v4l2_ctrl_handler *ctrl_handler(struct file *file)
{
	struct video_device *vdev = video_devdata(file);
	struct v4l2_fh *fh = file->private_data;

	if (test_bit(V4L2_FL_USES_V4L2_FH, &vdev->flags) && fh &&
	    fh->ctrl_handler)
		return fh->ctrl_handler;
	return vdev->ctrl_handler;
}

/**
 * camgate_ctrl_get() - VIDIOC_G_CTRL for a task without a capability.
 * @dev: the guard of the node.
 * @file: the node's file.
 * @arg: the user pointer to struct v4l2_control.
 *
 * Context: process context, inside the ioctl wrapper; the control framework
 * takes the handler's lock.
 * Return: 0 with the value written back; -EFAULT; -EINVAL for an id the
 * device does not have (as the v4l2 core answers); -EACCES for a control
 * that may follow the frames (camgate_ctrl_is_public()) or a driver whose
 * controls are not in a control handler.
 */
long camgate_ctrl_get(struct camgate_dev *dev, struct file *file,
		      unsigned long arg)
{
	struct v4l2_control __user *uc = (void __user *)arg;
	struct v4l2_ctrl_handler *hdl = ctrl_handler(file);
	struct v4l2_control c;
	struct v4l2_ctrl *ctrl;
	int ret;

	if (copy_from_user(&c, uc, sizeof(c)))
		return -EFAULT;
	ctrl = hdl ? v4l2_ctrl_find(hdl, c.id) : NULL;
	if (!hdl || (ctrl && !camgate_ctrl_is_public(ctrl->flags))) {
		camgate_count_denial(dev, CAMGATE_OP_IOCTL, VIDIOC_G_CTRL,
				     camgate_file_deny_reason(dev, file));
		return -EACCES;
	}
	ret = v4l2_g_ctrl(hdl, &c);
	if (!ret && put_user(c.value, &uc->value))
		ret = -EFAULT;
	return ret;
}
