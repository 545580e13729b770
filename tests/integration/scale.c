// SPDX-License-Identifier: GPL-2.0
/*
 * Many foreign opens (issue 21 item 5): anyone who can open the node can
 * make camgate keep state for each open.  With 10,000 files of the node
 * held open by another uid, a revocation must still finish at once (it
 * used to rescan the device's file list from its head for every file:
 * quadratic, under the files lock), and the owner must still stream.
 * Reading the world-readable capabilities file must cost what it costs
 * without them: it used to walk every open file under the files lock,
 * which the owner's open, release and revocation also take.  It is timed
 * against a sibling node's file, read in turns with it, so that the host's
 * load (other VMs, builds) cannot pass for a cost of the foreign files.
 *
 * Needs root (to raise the other uid's descriptor limit and to revoke).
 */
#include "tap.h"
#include "camgate_test.h"
#include "holder.h"

#include <dirent.h>
#include <sys/resource.h>

#define FOREIGN		10000
#define REVOKE_MS	100
#define READS		400

struct hoard {
	int sock;
};

/* The other uid: open the node FOREIGN times, say so, wait to be told. */
static int hoard(void *arg)
{
	struct hoard *h = arg;
	int i, fd, n = 0;
	char x;

	for (i = 0; i < FOREIGN; i++) {
		fd = open(cg.dev, O_RDWR);
		if (fd < 0) {
			tap_diag("open %d: %s", i, strerror(errno));
			break;
		}
		n++;
	}
	x = n == FOREIGN ? 'y' : 'n';
	if (write(h->sock, &x, 1) != 1)
		return TAP_FAIL;
	if (read(h->sock, &x, 1) != 1)	/* done: exit closes them all */
		return TAP_FAIL;
	return n == FOREIGN ? TAP_PASS : TAP_FAIL;
}

/* Microseconds for READS reads of @dir's capabilities file. */
static long caps_us(const char *dir)
{
	struct timespec t0, t1;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < READS; i++)
		cg_sysfs_u64(dir, "capabilities");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;
}

/*
 * The node's capabilities file and @ctl's (a sibling node, without the
 * foreign files), read in turns, the best of 5 turns each: whatever else
 * the host runs slows both alike (the VMs share two CPUs with each other
 * and with the host's builds).
 */
static void read_caps_us(const char *ctl, long *node, long *sibling)
{
	long a, b;
	int r;

	*node = *sibling = -1;
	for (r = 0; r < 5; r++) {
		a = caps_us(cg.sysfs);
		b = caps_us(ctl);
		if (*node < 0 || a < *node)
			*node = a;
		if (*sibling < 0 || b < *sibling)
			*sibling = b;
	}
}

/* Another guarded node's sysfs directory (vivid's group has ten). */
static int sibling_dir(char *dir, size_t len)
{
	const char *self = strrchr(cg.sysfs, '/') + 1;
	DIR *d = opendir(CG_SYSFS_ROOT "/devices");
	struct dirent *e;
	int ret = -1;

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, self))
			continue;
		snprintf(dir, len, CG_SYSFS_ROOT "/devices/%s", e->d_name);
		ret = 0;
		break;
	}
	if (d)
		closedir(d);
	return ret;
}

static int revoke_with_many_opens(void *arg __attribute__((unused)))
{
	struct rlimit rl = { FOREIGN + 64, FOREIGN + 64 };
	struct hoard h;
	struct cg_holder o;
	unsigned long long gen;
	long t0, ms, caps0, ctl0, caps, ctl;
	char ctl_dir[PATH_MAX];
	int sv[2], status;
	pid_t pid;
	char x;

	if (setrlimit(RLIMIT_NOFILE, &rl))
		return tap_skip("cannot raise RLIMIT_NOFILE to %d: %s", FOREIGN + 64,
				strerror(errno));
	if (sibling_dir(ctl_dir, sizeof(ctl_dir)))
		return tap_skip("no other guarded node to compare with");
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return TAP_FAIL;
	h.sock = sv[1];
	read_caps_us(ctl_dir, &caps0, &ctl0);
	t0 = tap_now_ms();
	pid = cg_spawn(cg.other, hoard, &h);
	if (!CHECK(read(sv[0], &x, 1) == 1 && x == 'y', "uid %u could not open %d files",
		   cg.other, FOREIGN))
		goto out;
	tap_diag("uid %u opened %d files in %ld ms", cg.other, FOREIGN, tap_now_ms() - t0);
	read_caps_us(ctl_dir, &caps, &ctl);
	tap_diag("%d reads of capabilities: %ld us without foreign files (sibling %s: %ld us), %ld us with %d (sibling: %ld us)",
		 READS, caps0, ctl_dir, ctl0, caps, FOREIGN, ctl);
	CHECK(caps < 2 * ctl + 20000,
	      "%d foreign files make reading capabilities %ld us slower than on a sibling node (%ld us per read)",
	      FOREIGN, caps - ctl, (caps - ctl) / READS);
	gen = cg_sysfs_u64(cg.sysfs, "generation");
	t0 = tap_now_ms();
	CHECK(cg_sysfs_write(cg.sysfs, "revoke", "1") > 0, "revoke: %s", strerror(errno));
	ms = tap_now_ms() - t0;
	tap_diag("revocation with %d foreign files open: %ld ms", FOREIGN, ms);
	CHECK(ms < REVOKE_MS, "the revocation took %ld ms (limit %d)", ms, REVOKE_MS);
	CHECK(cg_sysfs_u64(cg.sysfs, "generation") == gen + 1, "the generation did not move");
	/* The owner still streams, the foreign files still open. */
	if (fork() == 0) {
		if (cg_become(cg.owner) || cg_holder_open(&o, 0, 30, 2) ||
		    cg_holder_frame(&o, 5000))
			_exit(TAP_FAIL);
		_exit(TAP_PASS);
	}
	wait(&status);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == TAP_PASS,
	      "the owner could not stream with %d foreign files open", FOREIGN);
out:
	write(sv[0], "x", 1);
	status = cg_wait(pid, 150000);	/* closing 10,000 files: slow under KASAN */
	CHECK(status == TAP_PASS, "the other uid's helper ended with %d", status);
	close(sv[0]);
	close(sv[1]);
	cg_restore_config();
	return tap_result();
}

int main(void)
{
	tap_plan(1, 300);
	cg_env_load();
	tap_run(revoke_with_many_opens, NULL, 270,
		"issue 21.5: with 10,000 files of another uid open, reading capabilities costs the same, a revocation takes under 100 ms, the owner streams");
	return tap_finish();
}
