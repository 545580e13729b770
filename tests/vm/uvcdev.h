/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uvcdev.h - the picture of uvcdev, the USB/IP camera of the test VMs
 * (tests/vm/uvcdev.c), and its check (tests/integration/uvc.c).
 *
 * Every frame is YUYV, width x height, and entirely determined by its
 * number n (0, 1, 2, ... since the device was attached): a 16-byte
 * stamp at the start (magic, n, width, height, ~n, little endian), then a
 * luma ramp that moves 4 pixels left per frame and a chroma pattern that
 * moves one line per frame.  A frame is intact when it equals, byte for
 * byte, the frame its stamp names; two frames are distinct when their
 * numbers differ.
 */
#ifndef CAMGATE_UVCDEV_H
#define CAMGATE_UVCDEV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define UVCDEV_MAGIC	0x47564355u	/* "UCVG" */
#define UVCDEV_STAMP	16
#define UVCDEV_NAME	"camgate UVC test camera"

static inline void uvcdev_put32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static inline uint32_t uvcdev_get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Byte @i of frame @n (@w pixels wide), the stamp aside. */
static inline uint8_t uvcdev_byte(uint32_t n, unsigned int w, size_t i)
{
	size_t x = i % (2 * w), row = i / (2 * w);

	if (!(x & 1))
		return 16 + (x / 2 + 4 * (size_t)n) % 220;
	return 64 + (row + n + x / 4) % 128;
}

static inline void uvcdev_fill(uint8_t *buf, uint32_t n, unsigned int w,
			       unsigned int h)
{
	size_t i, len = (size_t)w * h * 2;

	for (i = UVCDEV_STAMP; i < len; i++)
		buf[i] = uvcdev_byte(n, w, i);
	uvcdev_put32(buf, UVCDEV_MAGIC);
	uvcdev_put32(buf + 4, n);
	uvcdev_put32(buf + 8, w | h << 16);
	uvcdev_put32(buf + 12, ~n);
}

/*
 * Is @buf (@len bytes) an intact @w x @h frame?  Its number goes to @n.
 * 0, or -1 with the first difference in @why.
 */
static inline int uvcdev_check(const uint8_t *buf, size_t len, unsigned int w,
			       unsigned int h, uint32_t *n, char *why,
			       size_t whylen)
{
	size_t i;

	if (len != (size_t)w * h * 2) {
		snprintf(why, whylen, "%zu bytes, want %u", len, w * h * 2);
		return -1;
	}
	*n = uvcdev_get32(buf + 4);
	if (uvcdev_get32(buf) != UVCDEV_MAGIC ||
	    uvcdev_get32(buf + 8) != (w | h << 16) ||
	    uvcdev_get32(buf + 12) != ~*n) {
		snprintf(why, whylen,
			 "bad stamp %08x %08x %08x %08x (want magic %08x, %ux%u)",
			 uvcdev_get32(buf), *n, uvcdev_get32(buf + 8),
			 uvcdev_get32(buf + 12), UVCDEV_MAGIC, w, h);
		return -1;
	}
	for (i = UVCDEV_STAMP; i < len; i++) {
		if (buf[i] != uvcdev_byte(*n, w, i)) {
			snprintf(why, whylen,
				 "frame %u: byte %zu (line %zu) is 0x%02x, want 0x%02x",
				 *n, i, i / (2 * w), buf[i],
				 uvcdev_byte(*n, w, i));
			return -1;
		}
	}
	return 0;
}

#endif /* CAMGATE_UVCDEV_H */
