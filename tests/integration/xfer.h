/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xfer.h - move a whole buffer through a pipe, for ioctls.c and its
 * AArch32 helper tests/vm/cg32.c (two programs, two ABIs, one protocol).
 */
#ifndef CAMGATE_TEST_XFER_H
#define CAMGATE_TEST_XFER_H

#include <errno.h>
#include <stddef.h>
#include <unistd.h>

/* Read (out = 0) or write (out = 1) exactly len bytes: 0, or -1. */
static inline int cg_xfer(int fd, void *buf, size_t len, int out)
{
	char *p = buf;

	while (len) {
		ssize_t n = out ? write(fd, p, len) : read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

#endif
