/* SPDX-License-Identifier: GPL-2.0 */
/*
 * auditnl.h - the audit daemon's side of NETLINK_AUDIT, for audit.c and
 * the prelock-audit/lock-audit pair (issue 17): register as the audit
 * daemon with audit on, read camgate's records (type 1316), unregister.
 *
 * Include after indicator.h.
 */
#ifndef CAMGATE_AUDITNL_H
#define CAMGATE_AUDITNL_H

#include <linux/audit.h>

static int audit_fd = -1;

static int audit_set(__u32 mask, __u32 enabled, __u32 pid, __u32 backlog)
{
	struct {
		struct nlmsghdr h;
		struct audit_status s;
	} req;
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	char buf[8192];
	long deadline = tap_now_ms() + 5000;

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = AUDIT_SET;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.h.nlmsg_seq = 1;
	req.s.mask = mask;
	req.s.enabled = enabled;
	req.s.pid = pid;
	req.s.backlog_limit = backlog;
	if (sendto(audit_fd, &req, sizeof(req), 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0) {
		tap_diag("AUDIT_SET: %s", strerror(errno));
		return -1;
	}
	/* The ack (NLMSG_ERROR with error 0), past any record queued first. */
	while (tap_now_ms() < deadline) {
		struct pollfd p = { .fd = audit_fd, .events = POLLIN };
		struct nlmsghdr *h = (struct nlmsghdr *)buf;
		ssize_t n;

		if (poll(&p, 1, 1000) != 1)
			continue;
		n = recv(audit_fd, buf, sizeof(buf), 0);
		if (n < (ssize_t)sizeof(*h) || h->nlmsg_type != NLMSG_ERROR)
			continue;
		if (((struct nlmsgerr *)NLMSG_DATA(h))->error) {
			tap_diag("AUDIT_SET: %s",
				 strerror(-((struct nlmsgerr *)NLMSG_DATA(h))->error));
			return -1;
		}
		return 0;
	}
	tap_diag("AUDIT_SET: no ack");
	return -1;
}

/* Become the audit daemon, audit on.  0 or -1 (diagnosed). */
static int audit_start(void)
{
	audit_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (audit_fd < 0) {
		tap_diag("NETLINK_AUDIT socket: %s", strerror(errno));
		return -1;
	}
	return audit_set(AUDIT_STATUS_ENABLED | AUDIT_STATUS_PID |
			 AUDIT_STATUS_BACKLOG_LIMIT, 1, getpid(), 8192);
}

static void audit_stop(void)
{
	if (audit_fd < 0)
		return;
	audit_set(AUDIT_STATUS_ENABLED | AUDIT_STATUS_PID, 0, 0, 0);
	close(audit_fd);
	audit_fd = -1;
}

/*
 * The next camgate record (type 1316) that contains every string of
 * @want (NULL-terminated), within @ms; its text in @out.  0 or -1.
 */
static int audit_next(const char *const *want, char *out, size_t len, int ms)
{
	long deadline = tap_now_ms() + ms;
	char buf[16384];

	for (;;) {
		struct pollfd p = { .fd = audit_fd, .events = POLLIN };
		struct nlmsghdr *h = (struct nlmsghdr *)buf;
		long left = deadline - tap_now_ms();
		const char *const *w;
		ssize_t n;

		if (left <= 0 || poll(&p, 1, left) != 1)
			return -1;
		n = recv(audit_fd, buf, sizeof(buf) - 1, 0);
		if (n < (ssize_t)sizeof(*h) || h->nlmsg_type != AUDIT_KERNEL_OTHER)
			continue;
		buf[n] = '\0';
		snprintf(out, len, "%.*s", (int)(n - NLMSG_HDRLEN),
			 (char *)NLMSG_DATA(h));
		for (w = want; *w && strstr(out, *w); w++)
			;
		if (!*w)
			return 0;
		tap_diag("other record: %s", out);
	}
}

#endif
