// SPDX-License-Identifier: GPL-2.0
/*
 * runas - run a command as another uid/gid inside the test VM.
 *
 *	runas UID GID COMMAND [ARG...]
 *
 * busybox has no setpriv, and su needs a shell and a password database
 * entry; this does exactly what an unprivileged daemon would have:
 * no supplementary groups, real = effective = saved ids.
 *
 * With RUNAS_FIFO=PRIO in the environment, COMMAND runs in SCHED_FIFO at
 * that priority (set while still root; it survives the exec).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned long parse_id(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end || v >= 4294967295UL) {
		fprintf(stderr, "runas: bad id '%s'\n", s);
		exit(125);
	}
	return v;
}

int main(int argc, char **argv)
{
	const char *fifo = getenv("RUNAS_FIFO");
	struct sched_param sp;
	uid_t uid;
	gid_t gid;

	if (argc < 4) {
		fprintf(stderr, "usage: runas UID GID COMMAND [ARG...]\n");
		return 125;
	}
	uid = parse_id(argv[1]);
	gid = parse_id(argv[2]);
	if (fifo && *fifo) {
		sp.sched_priority = (int)parse_id(fifo);
		if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
			perror("runas: SCHED_FIFO");
			return 125;
		}
	}
	/* Groups first: once the uid is dropped they can no longer change. */
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid)) {
		perror("runas: dropping credentials");
		return 125;
	}
	execvp(argv[3], argv + 3);
	fprintf(stderr, "runas: %s: %s\n", argv[3], strerror(errno));
	return 127;
}
