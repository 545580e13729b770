/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cg_vivid.h - vivid set up for a checkable picture: controls, format and
 * frame rate, the 75% colour bar check.
 *
 * Part of camgate_test.h, which includes it: include that.
 */
#ifndef CAMGATE_TEST_VIVID_H
#define CAMGATE_TEST_VIVID_H

/* ---- vivid set-up --------------------------------------------------------- */

/* Find a control by name; fill @qc.  0 or -1. */
static inline int cg_find_ctrl(int fd, const char *name,
			       struct v4l2_queryctrl *qc)
{
	__u32 id = 0;

	for (;;) {
		memset(qc, 0, sizeof(*qc));
		qc->id = id | V4L2_CTRL_FLAG_NEXT_CTRL;
		if (xioctl(fd, VIDIOC_QUERYCTRL, qc))
			return -1;
		if (!strcmp((const char *)qc->name, name))
			return 0;
		id = qc->id;
	}
}

static inline int cg_set_ctrl(int fd, __u32 id, __s32 value)
{
	struct v4l2_ext_control c = { .id = id, .value = value };
	struct v4l2_ext_controls cs = {
		.which = V4L2_CTRL_WHICH_CUR_VAL,
		.count = 1,
		.controls = &c,
	};

	return xioctl(fd, VIDIOC_S_EXT_CTRLS, &cs);
}

static inline int cg_get_ctrl(int fd, __u32 id, __s32 *value)
{
	struct v4l2_control c = { .id = id };
	int r = xioctl(fd, VIDIOC_G_CTRL, &c);

	*value = c.value;
	return r;
}

/*
 * Put every plain writable control back to its default (other programs,
 * v4l2-compliance among them, may have left them anywhere), then select
 * vivid's 75% colour bar pattern.
 */
static inline void cg_reset_ctrls(int fd)
{
	struct v4l2_queryctrl qc;
	__u32 id = 0;

	for (;;) {
		memset(&qc, 0, sizeof(qc));
		qc.id = id | V4L2_CTRL_FLAG_NEXT_CTRL;
		if (xioctl(fd, VIDIOC_QUERYCTRL, &qc))
			break;
		id = qc.id;
		if (qc.flags & (V4L2_CTRL_FLAG_READ_ONLY |
				V4L2_CTRL_FLAG_DISABLED |
				V4L2_CTRL_FLAG_VOLATILE |
				V4L2_CTRL_FLAG_WRITE_ONLY))
			continue;
		switch (qc.type) {
		case V4L2_CTRL_TYPE_INTEGER:
		case V4L2_CTRL_TYPE_BOOLEAN:
		case V4L2_CTRL_TYPE_MENU:
		case V4L2_CTRL_TYPE_INTEGER_MENU:
		case V4L2_CTRL_TYPE_BITMASK:
			cg_set_ctrl(fd, qc.id, qc.default_value);
			break;
		default:
			break;
		}
	}
	if (cg_find_ctrl(fd, "Test Pattern", &qc) == 0) {
		if (cg_set_ctrl(fd, qc.id, 0))
			tap_diag("S_EXT_CTRLS Test Pattern = 0: %s",
				 strerror(errno));
	} else {
		tap_diag("vivid control \"Test Pattern\" not found");
	}
}

/*
 * As the owner, on an idle queue: input 0 (vivid's webcam), default
 * controls with the 75% colour bars, YUYV 640x360 progressive and @fps
 * frames per second.  The previous frame interval goes to @saved (if not
 * NULL) for cg_restore_parm().  0 on success.
 */
static inline int cg_setup(int fd, unsigned int fps, struct v4l2_format *fmt,
			   struct v4l2_streamparm *saved)
{
	struct v4l2_capability cap;
	struct v4l2_streamparm parm;
	int input = 0;

	memset(&cap, 0, sizeof(cap));
	if (xioctl(fd, VIDIOC_QUERYCAP, &cap)) {
		tap_diag("QUERYCAP: %s", strerror(errno));
		return -1;
	}
	if (!(cap.device_caps & V4L2_CAP_VIDEO_CAPTURE) ||
	    !(cap.device_caps & V4L2_CAP_STREAMING)) {
		tap_diag("%s is not a single-planar streaming capture node (device_caps 0x%08x)",
			 cg.dev, cap.device_caps);
		return -1;
	}
	if (xioctl(fd, VIDIOC_S_INPUT, &input))
		tap_diag("S_INPUT 0: %s (going on)", strerror(errno));
	cg_reset_ctrls(fd);

	memset(fmt, 0, sizeof(*fmt));
	fmt->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	fmt->fmt.pix.width = 640;
	fmt->fmt.pix.height = 360;
	fmt->fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	fmt->fmt.pix.field = V4L2_FIELD_NONE;
	if (xioctl(fd, VIDIOC_S_FMT, fmt)) {
		tap_diag("S_FMT YUYV 640x360: %s", strerror(errno));
		return -1;
	}
	if (fmt->fmt.pix.pixelformat != V4L2_PIX_FMT_YUYV ||
	    fmt->fmt.pix.width < 64 || fmt->fmt.pix.height < 2 ||
	    fmt->fmt.pix.bytesperline < fmt->fmt.pix.width * 2 ||
	    fmt->fmt.pix.sizeimage <
		    fmt->fmt.pix.bytesperline * fmt->fmt.pix.height) {
		tap_diag("S_FMT gave %.4s %ux%u bpl %u size %u",
			 (char *)&fmt->fmt.pix.pixelformat, fmt->fmt.pix.width,
			 fmt->fmt.pix.height, fmt->fmt.pix.bytesperline,
			 fmt->fmt.pix.sizeimage);
		return -1;
	}

	memset(&parm, 0, sizeof(parm));
	parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (xioctl(fd, VIDIOC_G_PARM, &parm) == 0 && saved)
		*saved = parm;
	else if (saved)
		saved->type = 0;
	parm.parm.capture.timeperframe.numerator = 1;
	parm.parm.capture.timeperframe.denominator = fps;
	if (xioctl(fd, VIDIOC_S_PARM, &parm))
		tap_diag("S_PARM 1/%u: %s (going on)", fps, strerror(errno));
	else if (parm.parm.capture.timeperframe.numerator != 1 ||
		 parm.parm.capture.timeperframe.denominator != fps)
		tap_diag("S_PARM 1/%u gave %u/%u", fps,
			 parm.parm.capture.timeperframe.numerator,
			 parm.parm.capture.timeperframe.denominator);
	return 0;
}

static inline void cg_restore_parm(int fd, struct v4l2_streamparm *saved)
{
	if (saved->type)
		xioctl(fd, VIDIOC_S_PARM, saved);
}

/*
 * vivid's 75% colour bars in YUYV, BT.601 limited range (vivid's webcam
 * input: sRGB): white, yellow, cyan, green, magenta, red, blue, black.
 * tpg_colors[] holds R'G'B' 191 or 0 for them, and v4l2-tpg-core.c's
 * fixed-point Y = 16 + 219 * (0.299 R + 0.587 G + 0.114 B) / 255 gives:
 */
static const int cg_bar_y[8] = { 179, 160, 130, 111, 83, 64, 34, 16 };

/*
 * Check one line of a YUYV frame against the bars: every pixel away from a
 * bar edge has its bar's luma (+-8, so that BT.709 passes too), luma falls
 * from bar to bar, and the white and black bars carry no chroma.  0 if the
 * line matches; otherwise -1 and a reason in @why.
 */
static inline int cg_check_bar_line(const unsigned char *frame,
				    const struct v4l2_pix_format *pix,
				    unsigned int row, char *why, size_t whylen)
{
	const unsigned char *line = frame + (size_t)row * pix->bytesperline;
	unsigned int w = pix->width, x, bar;
	int ymean[8] = { 0 };

	for (x = 0; x < w; x++) {
		bar = x * 8 / w;
		if (x < 2 || x + 2 >= w || (x - 2) * 8 / w != bar ||
		    (x + 2) * 8 / w != bar)
			continue;
		if (abs(line[2 * x] - cg_bar_y[bar]) > 8) {
			snprintf(why, whylen,
				 "row %u x %u (bar %u): Y %u, want %d+-8",
				 row, x, bar, line[2 * x], cg_bar_y[bar]);
			return -1;
		}
		if ((bar == 0 || bar == 7) &&
		    (abs(line[4 * (x / 2) + 1] - 128) > 4 ||
		     abs(line[4 * (x / 2) + 3] - 128) > 4)) {
			snprintf(why, whylen,
				 "row %u x %u (bar %u): Cb %u Cr %u, want 128",
				 row, x, bar, line[4 * (x / 2) + 1],
				 line[4 * (x / 2) + 3]);
			return -1;
		}
	}
	for (bar = 0; bar < 8; bar++)
		ymean[bar] = line[2 * ((2 * bar + 1) * w / 16)];
	for (bar = 1; bar < 8; bar++) {
		if (ymean[bar] >= ymean[bar - 1]) {
			snprintf(why, whylen,
				 "row %u: luma does not fall from bar %u (%d) to bar %u (%d)",
				 row, bar - 1, ymean[bar - 1], bar, ymean[bar]);
			return -1;
		}
	}
	return 0;
}

/*
 * A captured frame is intact: @bytesused is the image size, the whole
 * image was written (little poison left), and the first and last lines are
 * the colour bars (the on-screen text starts at line 16).
 */
static inline int cg_check_frame(const void *frame, size_t bytesused,
				 const struct v4l2_pix_format *pix, char *why,
				 size_t whylen)
{
	unsigned int permille;

	if (bytesused != pix->sizeimage) {
		snprintf(why, whylen, "bytesused %zu, sizeimage %u", bytesused,
			 pix->sizeimage);
		return -1;
	}
	permille = cg_poison_permille(frame, bytesused);
	if (permille > 100) {
		snprintf(why, whylen, "%u per mille of the frame is still poison",
			 permille);
		return -1;
	}
	if (cg_check_bar_line(frame, pix, 0, why, whylen) ||
	    cg_check_bar_line(frame, pix, pix->height - 1, why, whylen))
		return -1;
	return 0;
}

#endif /* CAMGATE_TEST_VIVID_H */
