/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cg_system.h - the system around the tests: loading and removing modules, udevd,
 * the kernel log, a log file's tail as diagnostics.
 *
 * Part of camgate_test.h, which includes it: include that.
 */
#ifndef CAMGATE_TEST_SYSTEM_H
#define CAMGATE_TEST_SYSTEM_H

/* ---- modules ------------------------------------------------------------ */

/*
 * Remove module @name, retrying for up to 8 s while it is busy (a node's
 * last file may still be closing).  Return: 0 or -errno.
 */
static inline int cg_unload_module(const char *name)
{
	long deadline = tap_now_ms() + 8000;

	while (syscall(SYS_delete_module, name, O_NONBLOCK)) {
		if ((errno != EAGAIN && errno != EBUSY) ||
		    tap_now_ms() > deadline)
			return -errno;
		tap_sleep_ms(100);
	}
	return 0;
}

static inline int cg_unload_vivid(void)
{
	return cg_unload_module("vivid");
}

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE	4
#endif

/*
 * Load a module from @ko (plain, or compressed: the kernel decompresses
 * it) with @params.  Return: 0 or -errno (-EEXIST: loaded already).
 */
static inline int cg_load_module(const char *ko, const char *params)
{
	static const char *const packed[] = { ".xz", ".gz", ".zst" };
	size_t i, n, len = strlen(ko);
	int fd, flags = 0, err = 0;

	for (i = 0; i < sizeof(packed) / sizeof(packed[0]); i++) {
		n = strlen(packed[i]);
		if (len > n && !strcmp(ko + len - n, packed[i]))
			flags = MODULE_INIT_COMPRESSED_FILE;
	}
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params, flags))
		err = -errno;
	close(fd);
	return err;
}

/* Load vivid from @ko with @params, unless it is loaded. */
static inline int cg_load_vivid(const char *ko, const char *params)
{
	if (!access("/sys/module/vivid", F_OK))
		return 0;
	return cg_load_module(ko, params);
}

/* The last @max (up to 40) lines of @path as diagnostics, after @prefix. */
static inline void cg_diag_tail(const char *path, const char *prefix, unsigned int max)
{
	static char lines[40][400];
	unsigned int n = 0, i;
	FILE *f = fopen(path, "r");

	if (max > 40)
		max = 40;
	while (f && fgets(lines[n % max], sizeof(lines[0]), f))
		n++;
	if (f)
		fclose(f);
	if (n > max)
		tap_diag("%s(%u earlier lines in %s)", prefix, n - max, path);
	for (i = n > max ? n - max : 0; i < n; i++)
		tap_diag("%s%.*s", prefix, (int)strcspn(lines[i % max], "\n"),
			 lines[i % max]);
}

/* ---- udevd ------------------------------------------------------------------ */

#define CG_UDEVD	"/usr/lib/systemd/systemd-udevd"

/*
 * Start the initramfs's systemd-udevd in a session of its own, its output
 * in @log (with --debug if @debug).  Return: its pid (-1 if fork failed).
 */
static inline pid_t cg_udevd_start(const char *log, bool debug)
{
	pid_t pid = fork();
	int fd;

	if (pid)
		return pid;
	setsid();
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	/* Log to stderr (the file), not to the kernel log. */
	setenv("SYSTEMD_LOG_TARGET", "console", 1);
	if (debug)
		execl(CG_UDEVD, CG_UDEVD, "--debug", "--resolve-names=never",
		      "--children-max=2", (char *)NULL);
	else
		execl(CG_UDEVD, CG_UDEVD, "--resolve-names=never",
		      "--children-max=2", (char *)NULL);
	dprintf(2, "exec %s: %s\n", CG_UDEVD, strerror(errno));
	_exit(127);
}

/*
 * Stop udevd @pid and its workers: SIGTERM, up to 5 s to exit, then
 * SIGKILL.  A killed udevd leaves its control socket, which the next one
 * (and udev.c) would take for a live udevd: it goes too.
 */
static inline void cg_udevd_stop(pid_t pid)
{
	int i;

	if (pid <= 0)
		return;
	kill(-pid, SIGTERM);
	kill(pid, SIGTERM);
	for (i = 0; i < 50 && waitpid(pid, NULL, WNOHANG) == 0; i++)
		tap_sleep_ms(100);
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlink("/run/udev/control");
}

/* ---- the kernel log ------------------------------------------------------ */

static inline int *cg_kmsg_fd(void)
{
	static int fd = -1;

	return &fd;
}

/* From now on: skip what the log holds already. */
static inline void cg_kmsg_mark(void)
{
	int *fd = cg_kmsg_fd();

	if (*fd < 0)
		*fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (*fd >= 0)
		lseek(*fd, 0, SEEK_END);
}

/* camgate's lines since cg_kmsg_mark(), "video0: no sysfs directory ...\n"... */
static inline void cg_kmsg_camgate(char *out, size_t len)
{
	char rec[1024], *msg;
	int fd = *cg_kmsg_fd();
	size_t used = 0;
	ssize_t n;

	out[0] = '\0';
	if (fd < 0)
		return;
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten: go on */
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg || strncmp(++msg, "camgate: ", 9))
			continue;
		msg += 9;
		msg[strcspn(msg, "\n")] = '\0';
		if (used + strlen(msg) + 2 < len)
			used += sprintf(out + used, "%s\n", msg);
	}
}

#endif /* CAMGATE_TEST_SYSTEM_H */
