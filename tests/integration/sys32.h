/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sys32.h - 32-bit ioctl(2) calls from the 64-bit test programs (ioctls.c,
 * media.c, uvc-fds.c): int $0x80 on x86_64; on arm64 the static AArch32
 * helper tests/vm/cg32.c makes the call.
 *
 *   ioctl32(fd, cmd, arg)   the result, or -errno
 *   ioctl32_denied(...)     a 32-bit call camgate must refuse, untouched
 *   probe_int80()           1 if this kernel and CPU take 32-bit calls
 *   low_page()              argument memory a 32-bit pointer reaches
 *   NO32_REASON             the skip reason where they do not
 *   struct buffer32, ...    the 32-bit layouts of the V4L2 structures,
 *   VIDIOC_QUERYBUF32, ...  and their compat ioctl numbers
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

/*
 * The 32-bit call @cmd on @fd must be refused (EACCES) with its argument
 * (@len bytes at @arg) left as it was; @name says which in the failure.
 */
static inline bool ioctl32_denied(int fd, const char *name, unsigned int cmd,
				  void *arg, size_t len)
{
	unsigned char before[512];
	int r;

	memcpy(before, arg, len);
	r = ioctl32(fd, cmd, arg);
	return cg_expect_denied(name, r < 0 ? -1 : r, r < 0 ? -r : 0, arg,
				before, len);
}

/* The 32-bit layouts of the V4L2 structures, for the compat numbers. */
/*
 * The 32-bit layouts of v4l2-compat-ioctl32.c.  i386 aligns 64-bit members
 * to 4 bytes (COMPAT_FOR_U64_ALIGNMENT); 32-bit arm (EABI) to 8, as arm64
 * does, so there several compat numbers differ from i386's and some equal
 * the native ones.
 */
#if defined(__x86_64__)
typedef __s64 __attribute__((aligned(4))) compat_s64;
#else
typedef __s64 compat_s64;
#endif
struct format32 { __u32 type; __u8 raw[200]; };
struct buffer32 {
	__u32 index, type, bytesused, flags, field;
	compat_s64 timestamp[2];	/* tv_sec, tv_usec */
	__u32 timecode[4];
	__u32 sequence, memory, m, length, reserved2;
	__s32 request_fd;
};
struct buffer32_time32 {
	__u32 index, type, bytesused, flags, field;
	__u32 timestamp[2];		/* old_timeval32 */
	__u32 timecode[4];
	__u32 sequence, memory, m, length, reserved2;
	__s32 request_fd;
};
struct framebuffer32 { __u32 capability, flags, base, fmt[8]; };
struct standard32 {
	__u32 index;
	compat_s64 id;
	__u8 name[24];
	__u32 frameperiod[2], framelines, reserved[4];
};
struct input32 {
	__u32 index;
	__u8 name[32];
	__u32 type, audioset, tuner;
	compat_s64 std;
	__u32 status, capabilities, reserved[3];
};
struct edid32 { __u32 pad, start_block, blocks, reserved[5], edid; };
struct ext_controls32 {
	__u32 which, count, error_idx;
	__s32 request_fd;
	__u32 reserved[1], controls;
};
struct event32 {
	__u32 type;
	union { __u8 data[64]; compat_s64 value64; } u;
	__u32 pending, sequence;
	compat_s64 timestamp[2];
	__u32 id, reserved[8];
};
struct event32_time32 {
	__u32 type;
	union { __u8 data[64]; compat_s64 value64; } u;
	__u32 pending, sequence, timestamp[2], id, reserved[8];
};
struct create_buffers32 {
	__u32 index, count, memory;
	struct format32 format;
	__u32 capabilities, flags, max_num_buffers, reserved[5];
};
/* 64-bit kernels' layouts of the 32-bit-time variants (include/media). */
struct buffer_time32 {
	__u32 index, type, bytesused, flags, field;
	__s32 timestamp[2];
	__u32 timecode[4];
	__u32 sequence, memory;
	__u64 m;
	__u32 length, reserved2;
	__s32 request_fd;
};
struct event_time32 {
	__u32 type;
	union { __u8 data[64]; __s64 value64; } u;
	__u32 pending, sequence;
	__s32 timestamp[2];
	__u32 id, reserved[8];
};

#if defined(__x86_64__)
#define I386_ARM(i386, arm)	(i386)
#else
#define I386_ARM(i386, arm)	(arm)
#endif
_Static_assert(sizeof(struct format32) == 204, "v4l2_format32");
_Static_assert(sizeof(struct buffer32) == I386_ARM(76, 80), "v4l2_buffer32");
_Static_assert(sizeof(struct buffer32_time32) == 68, "v4l2_buffer32_time32");
_Static_assert(sizeof(struct framebuffer32) == 44, "v4l2_framebuffer32");
_Static_assert(sizeof(struct standard32) == I386_ARM(64, 72), "v4l2_standard32");
_Static_assert(sizeof(struct input32) == I386_ARM(76, 80), "v4l2_input32");
_Static_assert(sizeof(struct edid32) == 36, "v4l2_edid32");
_Static_assert(sizeof(struct ext_controls32) == 24, "v4l2_ext_controls32");
_Static_assert(sizeof(struct event32) == I386_ARM(128, 136), "v4l2_event32");
_Static_assert(sizeof(struct event32_time32) == I386_ARM(120, 128), "v4l2_event32_time32");
_Static_assert(sizeof(struct create_buffers32) == 248, "create_buffers32");
_Static_assert(sizeof(struct buffer_time32) == 80, "v4l2_buffer_time32");
_Static_assert(sizeof(struct event_time32) == 128, "v4l2_event_time32");

#define VIDIOC_G_FMT32		_IOWR('V',  4, struct format32)
#define VIDIOC_S_FMT32		_IOWR('V',  5, struct format32)
#define VIDIOC_QUERYBUF32	_IOWR('V',  9, struct buffer32)
#define VIDIOC_G_FBUF32		_IOR('V', 10, struct framebuffer32)
#define VIDIOC_S_FBUF32		_IOW('V', 11, struct framebuffer32)
#define VIDIOC_QBUF32		_IOWR('V', 15, struct buffer32)
#define VIDIOC_DQBUF32		_IOWR('V', 17, struct buffer32)
#define VIDIOC_ENUMSTD32	_IOWR('V', 25, struct standard32)
#define VIDIOC_ENUMINPUT32	_IOWR('V', 26, struct input32)
#define VIDIOC_G_EDID32		_IOWR('V', 40, struct edid32)
#define VIDIOC_S_EDID32		_IOWR('V', 41, struct edid32)
#define VIDIOC_TRY_FMT32	_IOWR('V', 64, struct format32)
#define VIDIOC_G_EXT_CTRLS32	_IOWR('V', 71, struct ext_controls32)
#define VIDIOC_S_EXT_CTRLS32	_IOWR('V', 72, struct ext_controls32)
#define VIDIOC_TRY_EXT_CTRLS32	_IOWR('V', 73, struct ext_controls32)
#define VIDIOC_DQEVENT32	_IOR('V', 89, struct event32)
#define VIDIOC_CREATE_BUFS32	_IOWR('V', 92, struct create_buffers32)
#define VIDIOC_PREPARE_BUF32	_IOWR('V', 93, struct buffer32)
#define VIDIOC_QUERYBUF32_TIME32 _IOWR('V',  9, struct buffer32_time32)
#define VIDIOC_QBUF32_TIME32	_IOWR('V', 15, struct buffer32_time32)
#define VIDIOC_DQBUF32_TIME32	_IOWR('V', 17, struct buffer32_time32)
#define VIDIOC_DQEVENT32_TIME32	_IOR('V', 89, struct event32_time32)
#define VIDIOC_PREPARE_BUF32_TIME32 _IOWR('V', 93, struct buffer32_time32)
#define VIDIOC_QUERYBUF_TIME32	_IOWR('V',  9, struct buffer_time32)
#define VIDIOC_QBUF_TIME32	_IOWR('V', 15, struct buffer_time32)
#define VIDIOC_DQBUF_TIME32	_IOWR('V', 17, struct buffer_time32)
#define VIDIOC_PREPARE_BUF_TIME32 _IOWR('V', 93, struct buffer_time32)
#define VIDIOC_DQEVENT_TIME32	_IOR('V', 89, struct event_time32)

#endif
