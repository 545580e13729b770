// SPDX-License-Identifier: GPL-2.0
/*
 * Binder (ATTACKS.md case 10, by the route SCM_RIGHTS does not take).
 *
 * Binder hands a descriptor to another process inside a transaction
 * (BINDER_TYPE_FD); the kernel asks security_binder_transfer_file() with
 * the receiving process's credential, not security_file_receive().  The
 * receiver here is binder's context manager running as the other uid (the
 * context manager's uid is fixed for the whole boot by the first process
 * that claims it, so every case uses the same uid).  The owner sends its
 * video fd and its exported dma-buf: the transaction fails and nothing
 * arrives.  Controls: a pipe fd arrives; the owner's video fd arrives once
 * the receiving uid is made the owner.
 */
#include "tap.h"
#include "camgate_test.h"
#include "holder.h"

#include <linux/android/binder.h>
#include <poll.h>
#include <sys/stat.h>

#define BINDER_DEV	"/dev/binder"
#define BINDER_MAP	(128 * 1024)

enum what { SEND_PIPE, SEND_VIDEO, SEND_DMABUF };

struct bcase {
	enum what what;
	bool expect_fd;		/* the transfer must succeed */
};

/* What the receiver saw, written to the sender through a pipe. */
struct seen {
	int got;		/* transactions received */
	int fd;			/* the descriptor installed, or -1 */
	mode_t type;		/* its S_IFMT */
};

static int bwr(int fd, const void *wbuf, size_t wlen, void *rbuf, size_t rlen,
	       size_t *consumed)
{
	struct binder_write_read b = {
		.write_size = wlen,
		.write_buffer = (binder_uintptr_t)(uintptr_t)wbuf,
		.read_size = rlen,
		.read_buffer = (binder_uintptr_t)(uintptr_t)rbuf,
	};

	if (xioctl(fd, BINDER_WRITE_READ, &b))
		return -1;
	if (consumed)
		*consumed = b.read_consumed;
	return 0;
}

static int binder_open(int flags)
{
	int fd = open(BINDER_DEV, O_RDWR | O_CLOEXEC | flags);

	if (fd < 0) {
		tap_diag("open %s: %s", BINDER_DEV, strerror(errno));
		return -1;
	}
	if (mmap(NULL, BINDER_MAP, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED) {
		tap_diag("mmap %s: %s", BINDER_DEV, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The receiver: claim the context manager (the previous receiver's node may
 * still be in binder's deferred release: retry on EBUSY), accept fds, say
 * ready, and report the one transaction that arrives within 3 s, if any.
 */
static int receiver(void *arg)
{
	int *pipes = arg;	/* [0]: ready to the sender, [1]: results */
	struct flat_binder_object mgr = {
		.hdr.type = BINDER_TYPE_BINDER,
		.flags = FLAT_BINDER_FLAG_ACCEPTS_FDS,
	};
	struct seen s = { .fd = -1 };
	uint32_t looper = BC_ENTER_LOOPER;
	unsigned char buf[512];
	struct pollfd pfd;
	size_t n, off;
	int fd, i;

	fd = binder_open(0);
	if (fd < 0)
		return TAP_FAIL;
	for (i = 0; i < 200; i++) {
		if (!xioctl(fd, BINDER_SET_CONTEXT_MGR_EXT, &mgr))
			break;
		if (errno != EBUSY) {
			tap_diag("BINDER_SET_CONTEXT_MGR_EXT: %s", strerror(errno));
			return TAP_FAIL;
		}
		tap_sleep_ms(10);
	}
	if (i == 200) {
		tap_diag("context manager still busy after 2 s");
		return TAP_FAIL;
	}
	if (bwr(fd, &looper, sizeof(looper), NULL, 0, NULL)) {
		tap_diag("BC_ENTER_LOOPER: %s", strerror(errno));
		return TAP_FAIL;
	}
	if (write(pipes[0], "r", 1) != 1)
		return TAP_FAIL;

	pfd.fd = fd;
	pfd.events = POLLIN;
	while (!s.got && poll(&pfd, 1, 3000) == 1) {
		if (bwr(fd, NULL, 0, buf, sizeof(buf), &n)) {
			tap_diag("receiver BINDER_WRITE_READ: %s", strerror(errno));
			return TAP_FAIL;
		}
		for (off = 0; off + sizeof(uint32_t) <= n;) {
			uint32_t cmd;
			struct binder_transaction_data tr;

			memcpy(&cmd, buf + off, sizeof(cmd));
			off += sizeof(cmd);
			if (cmd == BR_TRANSACTION) {
				const struct binder_fd_object *o;
				binder_size_t first;
				struct stat st;

				memcpy(&tr, buf + off, sizeof(tr));
				memcpy(&first, (void *)(uintptr_t)tr.data.ptr.offsets,
				       sizeof(first));
				o = (const void *)(uintptr_t)(tr.data.ptr.buffer + first);
				s.got++;
				s.fd = o->fd;
				if (fstat(s.fd, &st) == 0)
					s.type = st.st_mode & S_IFMT;
				else
					s.fd = -1;
			}
			off += _IOC_SIZE(cmd);
		}
	}
	if (write(pipes[1], &s, sizeof(s)) != sizeof(s))
		return TAP_FAIL;
	return TAP_PASS;
}

/* Send @sendfd to the context manager, one way.  BR_* outcome, or 0. */
static uint32_t send_fd(int bfd, int sendfd)
{
	struct binder_fd_object obj = {
		.hdr.type = BINDER_TYPE_FD,
		.fd = sendfd,
	};
	binder_size_t offsets[1] = { 0 };
	struct {
		uint32_t cmd;
		struct binder_transaction_data tr;
	} __attribute__((packed)) w = {
		.cmd = BC_TRANSACTION,
		.tr = {
			.target.handle = 0,
			.code = 1,
			.flags = TF_ONE_WAY | TF_ACCEPT_FDS,
			.data_size = sizeof(obj),
			.offsets_size = sizeof(offsets),
			.data.ptr.buffer = (binder_uintptr_t)(uintptr_t)&obj,
			.data.ptr.offsets = (binder_uintptr_t)(uintptr_t)offsets,
		},
	};
	unsigned char buf[256];
	size_t n, off;
	int round;

	if (bwr(bfd, &w, sizeof(w), NULL, 0, NULL)) {
		tap_diag("BC_TRANSACTION: %s", strerror(errno));
		return 0;
	}
	for (round = 0; round < 50; round++) {
		if (bwr(bfd, NULL, 0, buf, sizeof(buf), &n)) {
			if (errno == EAGAIN) {
				tap_sleep_ms(20);
				continue;
			}
			tap_diag("sender BINDER_WRITE_READ: %s", strerror(errno));
			return 0;
		}
		for (off = 0; off + sizeof(uint32_t) <= n;) {
			uint32_t cmd;

			memcpy(&cmd, buf + off, sizeof(cmd));
			off += sizeof(cmd) + _IOC_SIZE(cmd);
			if (cmd == BR_TRANSACTION_COMPLETE || cmd == BR_FAILED_REPLY ||
			    cmd == BR_DEAD_REPLY)
				return cmd;
		}
	}
	tap_diag("no outcome for the transaction");
	return 0;
}

static const char *br_name(uint32_t cmd)
{
	return cmd == BR_TRANSACTION_COMPLETE ? "BR_TRANSACTION_COMPLETE" :
	       cmd == BR_FAILED_REPLY ? "BR_FAILED_REPLY" :
	       cmd == BR_DEAD_REPLY ? "BR_DEAD_REPLY" : "nothing";
}

static int binder_case(void *arg)
{
	const struct bcase *c = arg;
	int ready[2], results[2], spipe[2], bfd, sendfd;
	int pipes[2];
	unsigned long long denials;
	struct cg_holder h;
	struct seen s;
	uint32_t out;
	pid_t pid;
	char r;

	if (access(BINDER_DEV, F_OK))
		return tap_skip("no %s: binder not enabled in this kernel",
				BINDER_DEV);
	if (pipe(ready) || pipe(results) || pipe(spipe))
		return TAP_FAIL;
	pipes[0] = ready[1];
	pipes[1] = results[1];
	pid = cg_spawn(cg.other, receiver, pipes);
	close(ready[1]);
	close(results[1]);
	if (read(ready[0], &r, 1) != 1) {
		tap_diag("the receiver never got ready");
		return cg_wait(pid, 1000), TAP_FAIL;
	}

	/* The sender: the owner, with its stream and exported buffer. */
	if (cg_become(cg.owner) || cg_holder_open(&h, O_NONBLOCK, 30, CG_MAXBUF))
		return kill(pid, SIGKILL), cg_wait(pid, 1000), TAP_FAIL;
	sendfd = c->what == SEND_PIPE ? spipe[0] :
		 c->what == SEND_VIDEO ? h.fd : h.dmabuf;
	denials = cg_sysfs_u64(cg.sysfs, "denials");
	bfd = binder_open(O_NONBLOCK);
	if (bfd < 0)
		return kill(pid, SIGKILL), cg_wait(pid, 1000), TAP_FAIL;
	out = send_fd(bfd, sendfd);
	if (read(results[0], &s, sizeof(s)) != sizeof(s)) {
		tap_diag("no report from the receiver");
		s.got = -1;
	}
	CHECK(cg_wait(pid, 5000) == TAP_PASS, "the receiver failed");

	if (c->expect_fd) {
		CHECK(out == BR_TRANSACTION_COMPLETE, "sender got %s, not "
		      "BR_TRANSACTION_COMPLETE", br_name(out));
		CHECK(s.got == 1 && s.fd >= 0, "receiver got %d transaction(s), fd %d",
		      s.got, s.fd);
		CHECK(s.type == (c->what == SEND_PIPE ? S_IFIFO : S_IFCHR),
		      "received fd has type 0%o", s.type);
	} else {
		CHECK(out == BR_FAILED_REPLY, "sender got %s, not BR_FAILED_REPLY",
		      br_name(out));
		CHECK(s.got == 0, "receiver got %d transaction(s) (fd %d, type 0%o)",
		      s.got, s.fd, s.type);
		CHECK(cg_sysfs_u64(cg.sysfs, "denials") > denials,
		      "denials did not grow (%llu)", denials);
	}
	return tap_result();
}

int main(void)
{
	static struct bcase pipe_ok = { SEND_PIPE, true };
	static struct bcase video_no = { SEND_VIDEO, false };
	static struct bcase dmabuf_no = { SEND_DMABUF, false };

	tap_plan(4, 120);
	cg_env_load();
	tap_run(binder_case, &pipe_ok, 20,
		"case 10 control: binder carries a pipe fd to another uid");
	tap_run(binder_case, &video_no, 20,
		"case 10: binder transfer of the owner's video fd to another uid fails");
	tap_run(binder_case, &dmabuf_no, 20,
		"case 11: binder transfer of the owner's dma-buf to another uid fails");
	/*
	 * The receiver's uid made the owner: the same transfer succeeds.  The
	 * owner change happens before the case's processes drop root.
	 */
	if (access(BINDER_DEV, F_OK) == 0) {
		char uid[16];

		snprintf(uid, sizeof(uid), "%u", cg.other);
		cg_sysfs_write(cg.sysfs, "owner_uid", uid);
	}
	{
		static struct bcase video_ok = { SEND_VIDEO, true };
		uid_t saved = cg.owner;

		/* The sender opens the node as the new owner. */
		cg.owner = cg.other;
		tap_run(binder_case, &video_ok, 20,
			"case 10 control: the video fd reaches the receiver once its uid is the owner");
		cg.owner = saved;
	}
	cg_restore_config();
	return tap_finish();
}
