// SPDX-License-Identifier: GPL-2.0
/*
 * cg32 - make one ioctl(2) from a 32-bit program, for ioctls.c on arm64.
 *
 *	cg32 FD		one request on stdin, its answer on stdout
 *	cg32 probe	exit 0: this kernel runs AArch32 programs at all
 *
 * An AArch64 process has no way into the AArch32 system call entry (x86_64
 * has int $0x80), so ioctls.c forks and execs this static armhf program,
 * with the file to attack inherited as FD and the same credentials.
 * Request: u32 cmd, u32 len, then len bytes of argument.  Answer: s32 the
 * ioctl's return value, s32 its errno (0 on success), then the len bytes
 * of the argument as the kernel left them.  Exit 0 when the ioctl was
 * made (whatever it returned), 1 on a protocol or I/O error.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../integration/xfer.h"

#define CG32_MAX_ARG	4096

int main(int argc, char **argv)
{
	static unsigned char arg[CG32_MAX_ARG];
	uint32_t req[2];
	int32_t rsp[2];
	char *end;
	long fd;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: cg32 FD | cg32 probe\n");
		return 1;
	}
	if (!strcmp(argv[1], "probe"))
		return sizeof(void *) == 4 ? 0 : 1;
	fd = strtol(argv[1], &end, 10);
	if (!*argv[1] || *end || fd < 0) {
		fprintf(stderr, "cg32: bad fd '%s'\n", argv[1]);
		return 1;
	}
	if (cg_xfer(0, req, sizeof(req), 0) || req[1] > sizeof(arg) ||
	    cg_xfer(0, arg, req[1], 0)) {
		fprintf(stderr, "cg32: short request\n");
		return 1;
	}
	r = ioctl((int)fd, req[0], arg);
	rsp[0] = r;
	rsp[1] = r < 0 ? errno : 0;
	if (cg_xfer(1, rsp, sizeof(rsp), 1) || cg_xfer(1, arg, req[1], 1))
		return 1;
	return 0;
}
