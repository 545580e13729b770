// SPDX-License-Identifier: GPL-2.0
/*
 * File descriptors that travel (ATTACKS.md cases 10, 11, 13).
 *
 * The owner streams and exports a buffer; its video fd and its dma-buf fd
 * are then sent, stolen or inherited.  A receiver that is not the owner gets
 * no descriptor at all (MSG_CTRUNC, pidfd_getfd() fails), and a descriptor
 * it holds anyway (inherited across fork() and a credential change) gives it
 * no frame byte, no buffer offset and no mapping.  The owner's own receives
 * are the positive controls.
 */
#include "tap.h"
#include "camgate_test.h"
#include "holder.h"

#include <sys/syscall.h>

struct pass {
	int sock;		/* the receiver's end */
	int which;		/* 0: video fd, 1: dma-buf fd */
	bool expect_fd;
};

/* The receiver: check what arrived, and that it gives what it should. */
static int receive(void *arg)
{
	struct pass *p = arg;
	int flags = 0, before = cg_fd_count(), fd;
	struct v4l2_capability cap;

	fd = cg_recv_fd(p->sock, &flags);
	if (!p->expect_fd) {
		cg_expect_no_fd(fd, flags, before);
		return tap_result();
	}
	if (!CHECK(fd >= 0, "no descriptor for the owner (%d, flags 0x%x)",
		   fd, flags))
		return tap_result();
	if (p->which == 0) {
		CHECK(xioctl(fd, VIDIOC_QUERYCAP, &cap) == 0,
		      "QUERYCAP on the received fd: %s", strerror(errno));
	} else {
		void *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);

		CHECK(m != MAP_FAILED, "owner cannot map the received dma-buf: %s",
		      strerror(errno));
	}
	return tap_result();
}

struct send_case {
	uid_t *to;
	int which;
	bool expect_fd;
};

static int send_to(void *arg)
{
	const struct send_case *c = arg;
	uid_t to = *c->to;
	int which = c->which;
	bool expect_fd = c->expect_fd;
	struct cg_holder h;
	struct pass p = { .which = which, .expect_fd = expect_fd };
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return TAP_FAIL;
	p.sock = sv[1];
	pid = cg_spawn(to, receive, &p);
	if (cg_become(cg.owner) || cg_holder_open(&h, O_NONBLOCK, 30, CG_MAXBUF) ||
	    !CHECK(cg_holder_frame(&h, 3000) == 0, "the owner gets no frame")) {
		kill(pid, SIGKILL);
		cg_wait(pid, 1000);
		return TAP_FAIL;
	}
	CHECK(cg_send_fd(sv[0], which ? h.dmabuf : h.fd) == 0, "sendmsg: %s",
	      strerror(errno));
	CHECK(cg_wait(pid, 10000) == TAP_PASS, "the receiver's checks failed");
	return tap_result();
}


/* Root (who may ptrace anyone) steals the owner's fds with pidfd_getfd(). */
static int steal(void *arg)
{
	int which = *(int *)arg, sv[2], target, pipefd[2];
	struct cg_holder h;
	char ready;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || pipe(pipefd))
		return TAP_FAIL;
	pid = fork();
	if (pid == 0) {
		int res = TAP_PASS;

		if (cg_become(cg.owner) ||
		    cg_holder_open(&h, O_NONBLOCK, 30, CG_MAXBUF))
			res = TAP_FAIL;
		target = which == 0 ? h.fd : which == 1 ? h.dmabuf : pipefd[0];
		if (write(sv[1], &target, sizeof(target)) != sizeof(target))
			res = TAP_FAIL;
		read(sv[1], &ready, 1);	/* until the thief is done */
		_exit(res);
	}
	if (read(sv[0], &target, sizeof(target)) != sizeof(target))
		return TAP_FAIL;
	cg_expect_pidfd_getfd(pid, target, which == 2);	/* 2: a pipe */
	write(sv[0], "x", 1);
	CHECK(cg_wait(pid, 10000) == TAP_PASS, "the owner's session failed");
	return tap_result();
}

/*
 * The owner, a daemon started as root that runs with the owner's effective
 * uid (real and saved uid 0), maps its buffers and exports one, then
 * forks; the child drops to the other uid for good.  Its inherited video fd gives no buffer metadata and no
 * new mapping, its inherited dma-buf no mapping, and the parent's mappings
 * were not inherited at all.
 */
static int fork_then_setuid(void *arg __attribute__((unused)))
{
	struct cg_holder h;
	struct v4l2_buffer b, before;
	unsigned char byte;
	pid_t pid;
	void *m;
	int ret, err;

	if (!CHECK(setresuid(0, cg.owner, 0) == 0, "seteuid: %s",
		   strerror(errno)) ||
	    cg_holder_open(&h, O_NONBLOCK, 30, CG_MAXBUF) ||
	    !CHECK(cg_holder_frame(&h, 3000) == 0, "the owner gets no frame"))
		return TAP_FAIL;
	pid = fork();
	if (pid == 0) {
		tap.case_failed = false;
		setresuid(0, 0, 0);
		if (cg_become(cg.other))
			_exit(TAP_FAIL);
		cg_buf_poison(&b, V4L2_MEMORY_MMAP, 0);
		before = b;
		ret = ioctl(h.fd, VIDIOC_QUERYBUF, &b);
		err = errno;
		cg_expect_buf_denied("QUERYBUF", ret, err, &b, &before);
		cg_buf_poison(&b, V4L2_MEMORY_MMAP, 0);
		before = b;
		ret = ioctl(h.fd, VIDIOC_DQBUF, &b);
		err = errno;
		cg_expect_buf_denied("DQBUF", ret, err, &b, &before);
		m = mmap(NULL, h.len[0], PROT_READ, MAP_SHARED, h.fd, 0);
		CHECK(m == MAP_FAILED && errno == EACCES,
		      "mmap of the inherited video fd: %s",
		      m == MAP_FAILED ? strerror(errno) : "mapped");
		m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, h.dmabuf, 0);
		CHECK(m == MAP_FAILED && errno == EACCES,
		      "mmap of the inherited dma-buf: %s",
		      m == MAP_FAILED ? strerror(errno) : "mapped");
		CHECK(cg_touch(h.map[0], &byte) != 0,
		      "the parent's mapping was inherited (read 0x%02x)", byte);
		_exit(tap_result());
	}
	CHECK(cg_wait(pid, 10000) == TAP_PASS, "the child's checks failed");
	/* The owner itself is unaffected. */
	CHECK(cg_holder_frame(&h, 3000) == 0, "the owner lost its stream");
	return tap_result();
}

/*
 * The owner executes a set-uid-root program with its video fd open: the
 * program (euid 0, not the owner) gets nothing through the fd.
 */
static int exec_setuid(void *arg __attribute__((unused)))
{
	const char *self = "/proc/self/exe", *copy = "/tmp/camgate-fdpass-suid";
	struct cg_holder h;
	char fdstr[16];
	pid_t pid;
	int status;

	if (access("/proc/self/exe", R_OK))
		return tap_skip("no /proc/self/exe");
	pid = fork();
	if (pid == 0) {
		char buf[1 << 16];
		int in = open(self, O_RDONLY), out;
		ssize_t n;

		out = open(copy, O_WRONLY | O_CREAT | O_TRUNC, 0755);
		while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, n) != n)
				_exit(1);
		close(out);
		_exit(in < 0 || out < 0 || chown(copy, 0, 0) ||
		      chmod(copy, 04755));
	}
	if (!CHECK(cg_wait(pid, 10000) == 0, "cannot make %s set-uid", copy))
		return TAP_FAIL;
	pid = fork();
	if (pid == 0) {
		if (cg_become(cg.owner) ||
		    cg_holder_open(&h, O_NONBLOCK, 30, CG_MAXBUF))
			_exit(TAP_FAIL);
		snprintf(fdstr, sizeof(fdstr), "%d", h.fd);
		fcntl(h.fd, F_SETFD, 0);	/* keep it across exec */
		execl(copy, copy, "--exec-child", fdstr, (char *)NULL);
		_exit(TAP_FAIL);
	}
	status = cg_wait(pid, 15000);
	unlink(copy);
	CHECK(status == TAP_PASS, "the set-uid program got frame access (%d)",
	      status);
	return tap_result();
}

/* In the set-uid program: euid 0, real uid the owner. */
static int exec_child(int fd)
{
	struct v4l2_buffer b, before;
	int ret, err;

	tap.case_failed = false;
	if (geteuid() != 0) {
		tap_diag("not set-uid (euid %u): nosuid mount?", geteuid());
		return TAP_FAIL;
	}
	cg_buf_poison(&b, V4L2_MEMORY_MMAP, 0);
	before = b;
	ret = ioctl(fd, VIDIOC_QUERYBUF, &b);
	err = errno;
	cg_expect_buf_denied("QUERYBUF after exec", ret, err, &b, &before);
	return tap_result();
}

int main(int argc, char **argv)
{
	static int video = 0, dmabuf = 1, pipe_ctl = 2;
	static uid_t root;
	struct send_case video_other = { &cg.other, 0, false };
	struct send_case video_root = { &root, 0, false };
	struct send_case video_owner = { &cg.owner, 0, true };
	struct send_case dmabuf_other = { &cg.other, 1, false };
	struct send_case dmabuf_owner = { &cg.owner, 1, true };

	if (argc == 3 && !strcmp(argv[1], "--exec-child"))
		return exec_child(atoi(argv[2]));
	tap_plan(10, 150);
	cg_env_load();
	tap_run(send_to, &video_other, 20,
		"case 10: SCM_RIGHTS owner's video fd to another uid is refused");
	tap_run(send_to, &video_root, 20,
		"case 10: SCM_RIGHTS owner's video fd to root (not owner) is refused");
	tap_run(send_to, &video_owner, 20,
		"case 10 control: SCM_RIGHTS owner's video fd to the owner arrives");
	tap_run(steal, &video, 20,
		"case 10: pidfd_getfd of the owner's video fd by root is refused");
	tap_run(steal, &pipe_ctl, 20,
		"case 10 control: pidfd_getfd of an unguarded pipe works");
	tap_run(send_to, &dmabuf_other, 20,
		"case 11: SCM_RIGHTS owner's exported dma-buf to another uid is refused");
	tap_run(steal, &dmabuf, 20,
		"case 11: pidfd_getfd of the owner's dma-buf by root is refused");
	tap_run(send_to, &dmabuf_owner, 20,
		"case 11 control: the owner's dma-buf to the owner arrives and maps");
	tap_run(fork_then_setuid, NULL, 20,
		"case 13: fork after mmap, child setresuid: no metadata, no mapping");
	tap_run(exec_setuid, NULL, 20,
		"case 13: execve of a set-uid program: inherited fd denied");
	cg_restore_config();
	return tap_finish();
}
