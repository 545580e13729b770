/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sys32.h - 32-bit ioctl(2) calls from the 64-bit test programs (ioctls.c,
 * media.c): int $0x80 on x86_64; on arm64 the static AArch32 helper
 * tests/vm/cg32.c makes the call.
 *
 *   ioctl32(fd, cmd, arg)   the result, or -errno
 *   probe_int80()           1 if this kernel and CPU take 32-bit calls
 *   low_page()              argument memory a 32-bit pointer reaches
 *   NO32_REASON             the skip reason where they do not
 *
 * Include after tap.h and camgate_test.h.
 */
#ifndef CAMGATE_TEST_SYS32_H
#define CAMGATE_TEST_SYS32_H

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "xfer.h"

#if defined(__x86_64__)
#define NO32_REASON	"no 32-bit system calls (int $0x80) on this kernel"

/* A 32-bit ioctl(2) from this 64-bit process: -errno or the result. */
static inline int ioctl32(int fd, unsigned int cmd, void *arg)
{
	int ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "0"(54), "b"(fd), "c"(cmd),
			   "d"((unsigned int)(unsigned long)arg)
			 : "memory", "cc", "r8", "r9", "r10", "r11");
	return ret;
}

static inline int probe_int80(void)
{
	int ret, status;
	pid_t pid = fork();

	if (pid == 0) {
		__asm__ volatile("int $0x80"
				 : "=a"(ret)
				 : "0"(20)	/* i386 getpid */
				 : "memory", "cc", "r8", "r9", "r10", "r11");
		_exit(ret == getpid() ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Argument memory a 32-bit pointer reaches. */
static inline void *low_page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}
#else
/*
 * An AArch64 process has no way into the AArch32 system call entry (there
 * is no int $0x80): tests/vm/cg32, a static armhf program, makes the call.
 * It is forked and exec'd with this process's credentials and the file
 * inherited; the argument (_IOC_SIZE(cmd) bytes) goes there and back over
 * pipes.  cg32 fails to exec (ENOEXEC) on a kernel or CPU without AArch32.
 */
#define NO32_REASON	"no AArch32 EL0 here: " CG32 " does not run"
#define CG32		"/bin/cg32"

static inline int ioctl32(int fd, unsigned int cmd, void *arg)
{
	unsigned char back[512];
	__u32 req[2] = { cmd, _IOC_SIZE(cmd) };
	__s32 rsp[2];
	int in[2], out[2], status, ok;
	char fdname[16];
	pid_t pid;

	if (req[1] > sizeof(back) || pipe(in) || pipe(out))
		return -ENOMEM;
	pid = fork();
	if (pid == 0) {
		snprintf(fdname, sizeof(fdname), "%d", fd);
		if (fcntl(fd, F_SETFD, 0) || dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0)
			_exit(126);
		close(in[1]);
		close(out[0]);
		execl(CG32, "cg32", fdname, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	ok = pid > 0 && !cg_xfer(in[1], req, sizeof(req), 1) &&
	     !cg_xfer(in[1], arg, req[1], 1);
	close(in[1]);
	ok = ok && !cg_xfer(out[0], rsp, sizeof(rsp), 0) &&
	     !cg_xfer(out[0], back, req[1], 0);
	close(out[0]);
	if (pid > 0 && (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
			WEXITSTATUS(status)))
		ok = 0;
	if (!ok) {
		tap_diag("%s 0x%08x: the 32-bit helper failed", CG32, cmd);
		return -EPROTO;
	}
	/* What the kernel left in the 32-bit program's argument. */
	memcpy(arg, back, req[1]);
	return rsp[0] < 0 ? -rsp[1] : rsp[0];
}

static inline int probe_int80(void)
{
	int status;
	pid_t pid;

	/* A helper that died early must fail a case, not kill this one. */
	signal(SIGPIPE, SIG_IGN);
	pid = fork();
	if (pid == 0) {
		execl(CG32, "cg32", "probe", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static inline void *low_page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}
#endif

#endif
