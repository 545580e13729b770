/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tap.h - a tiny TAP 13 harness for camgate's integration tests.
 *
 * In the spirit of kselftest_harness.h, but small: a plan, one child
 * process (and process group) per case, so that a crash or a hang in one
 * case is one failed case and not a lost program, "# " diagnostics, SKIP
 * with a reason, TODO for known limits, and a hard time limit for the
 * whole program.
 *
 *	static int my_case(void *arg)
 *	{
 *		CHECK(x == 1, "x is %d", x);	// records a failure, goes on
 *		if (!have_thing)
 *			return tap_skip("no thing: %s", why);
 *		return tap_result();
 *	}
 *
 *	int main(void)
 *	{
 *		tap_plan(2, 50);			// 2 cases, 50 s in all
 *		tap_run(my_case, NULL, 10, "first case");
 *		tap_run(my_case, NULL, 10, "case %d", 2);
 *		return tap_finish();
 *	}
 *
 * Output goes through write(2) one line at a time, so the lines of
 * processes that share stdout do not interleave mid-line and nothing is
 * left in a stdio buffer across fork().
 *
 * Include this header first: it asks for _GNU_SOURCE.
 */
#ifndef CAMGATE_TAP_H
#define CAMGATE_TAP_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TAP_PASS	0
#define TAP_FAIL	1
#define TAP_SKIP	77

struct tap_shared {
	char skip[256];		/* skip reason, written by the case */
};

static struct {
	int planned;
	int run;
	int passed;
	int failed;
	int skipped;
	int todo_failed;
	pid_t case_pid;		/* running case (its process group), or 0 */
	void (*cleanup)(void);	/* async-signal-safe; main process only */
	const char *todo;	/* TODO reason of the next case */
	bool case_failed;	/* in a case (or its helpers): a CHECK failed */
	struct tap_shared *shm;
} tap;

__attribute__((format(printf, 1, 0)))
static inline void tap_vline(const char *fmt, va_list ap)
{
	char buf[2048];
	int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	ssize_t w;
	int off = 0;

	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	while (off < n) {
		w = write(STDOUT_FILENO, buf + off, n - off);
		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			return;
		}
		off += w;
	}
}

/* One raw output line (no "# "). */
__attribute__((format(printf, 1, 2)))
static inline void tap_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline(fmt, ap);
	va_end(ap);
}

/* A diagnostic: every line of the message is prefixed with "# ". */
__attribute__((format(printf, 1, 2)))
static inline void tap_diag(const char *fmt, ...)
{
	char msg[1900];
	char *line, *save = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (line = strtok_r(msg, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		tap_line("# %s", line);
}

__attribute__((format(printf, 4, 5)))
static inline void tap_fail_at(const char *file, int line, const char *expr,
			       const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tap_diag("FAIL %s:%d: %s: %s", file, line, expr, msg);
	tap.case_failed = true;
}

/*
 * CHECK(cond, fmt, ...): record a failure of the current case (and go on)
 * unless cond holds.  Evaluates to cond.  The message is formatted only
 * on failure, after cond, so it may use the errno that cond left.
 */
#define CHECK(cond, ...) __extension__ ({				\
	bool tap_ok_ = !!(cond);					\
	if (!tap_ok_)							\
		tap_fail_at(__FILE__, __LINE__, #cond, __VA_ARGS__);	\
	tap_ok_;							\
})

/* What a case returns when it ran to its end. */
static inline int tap_result(void)
{
	return tap.case_failed ? TAP_FAIL : TAP_PASS;
}

/* Mark the current case skipped, with a reason; return its value. */
__attribute__((format(printf, 1, 2)))
static inline int tap_skip(const char *fmt, ...)
{
	va_list ap;

	if (tap.shm) {
		va_start(ap, fmt);
		vsnprintf(tap.shm->skip, sizeof(tap.shm->skip), fmt, ap);
		va_end(ap);
	}
	return TAP_SKIP;
}

/* The next case is a known limit: its failure does not fail the program. */
static inline void tap_todo(const char *reason)
{
	tap.todo = reason;
}

/* Run at a time-limit bail-out, from a signal handler: syscalls only. */
static inline void tap_set_cleanup(void (*fn)(void))
{
	tap.cleanup = fn;
}

static inline long tap_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static inline void tap_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static inline void tap_on_alarm(int sig)
{
	static const char msg[] = "Bail out! program time limit reached\n";

	(void)sig;
	if (tap.case_pid > 0)
		kill(-tap.case_pid, SIGKILL);
	if (tap.cleanup)
		tap.cleanup();
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

/*
 * Print the plan and arm the program's hard time limit (seconds): when it
 * fires, the running case is killed, the cleanup hook runs and the
 * program bails out with a non-zero status.
 */
static inline void tap_plan(int n, unsigned int limit_s)
{
	struct sigaction sa;

	tap.planned = n;
	tap.shm = mmap(NULL, sizeof(*tap.shm), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tap.shm == MAP_FAILED)
		tap.shm = NULL;
	setvbuf(stdout, NULL, _IONBF, 0);
	tap_line("TAP version 13");
	tap_line("1..%d", n);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tap_on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	alarm(limit_s);
}

__attribute__((format(printf, 4, 0)))
static inline int tap_vrun(int (*fn)(void *), void *arg, unsigned int timeout_s,
			   const char *fmt, va_list ap)
{
	char name[512];
	const char *todo = tap.todo;
	long deadline;
	int status = 0, res;
	bool timed_out = false;
	pid_t pid, w;

	vsnprintf(name, sizeof(name), fmt, ap);
	tap.todo = NULL;
	tap.run++;
	if (tap.shm)
		tap.shm->skip[0] = '\0';

	pid = fork();
	if (pid == 0) {
		struct sigaction sa;

		setpgid(0, 0);
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		sigaction(SIGALRM, &sa, NULL);
		tap.case_failed = false;
		tap.cleanup = NULL;
		res = fn(arg);
		if (res == TAP_PASS && tap.case_failed)
			res = TAP_FAIL;
		_exit(res);
	}
	if (pid < 0) {
		tap_diag("fork: %s", strerror(errno));
		res = TAP_FAIL;
		goto report;
	}
	setpgid(pid, pid);	/* also here: no race with the child's own */
	tap.case_pid = pid;

	deadline = tap_now_ms() + timeout_s * 1000L;
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			status = -1;
			break;
		}
		if (tap_now_ms() > deadline) {
			timed_out = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		tap_sleep_ms(10);
	}
	/* Whatever the case left behind in its group goes with it. */
	kill(-pid, SIGKILL);
	tap.case_pid = 0;

	if (timed_out) {
		tap_diag("case timed out after %u s", timeout_s);
		res = TAP_FAIL;
	} else if (status == -1) {
		tap_diag("waitpid: %s", strerror(errno));
		res = TAP_FAIL;
	} else if (WIFSIGNALED(status)) {
		tap_diag("case killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
		res = TAP_FAIL;
	} else if (WEXITSTATUS(status) == TAP_PASS ||
		   WEXITSTATUS(status) == TAP_SKIP) {
		res = WEXITSTATUS(status);
	} else {
		tap_diag("case exited with status %d", WEXITSTATUS(status));
		res = TAP_FAIL;
	}

report:
	if (todo && res != TAP_SKIP) {
		tap_line("%s %d - %s # TODO %s", res == TAP_FAIL ? "not ok" : "ok",
			 tap.run, name, todo);
		if (res == TAP_FAIL)
			tap.todo_failed++;
		else
			tap.passed++;
	} else if (res == TAP_SKIP) {
		tap_line("ok %d - %s # SKIP %s", tap.run, name,
			 tap.shm && tap.shm->skip[0] ? tap.shm->skip :
			 "no reason given");
		tap.skipped++;
	} else if (res == TAP_PASS) {
		tap_line("ok %d - %s", tap.run, name);
		tap.passed++;
	} else {
		tap_line("not ok %d - %s", tap.run, name);
		tap.failed++;
	}
	return res;
}

/*
 * Run one case in a child process with a time limit (seconds) and print its
 * TAP line.  Return TAP_PASS, TAP_FAIL or TAP_SKIP.
 */
__attribute__((format(printf, 4, 5)))
static inline int tap_run(int (*fn)(void *), void *arg, unsigned int timeout_s,
			  const char *fmt, ...)
{
	va_list ap;
	int res;

	va_start(ap, fmt);
	res = tap_vrun(fn, arg, timeout_s, fmt, ap);
	va_end(ap);
	return res;
}

/* Summary and exit status: non-zero if any case failed or the plan was off. */
static inline int tap_finish(void)
{
	alarm(0);
	if (tap.run != tap.planned) {
		tap_diag("planned %d cases but ran %d", tap.planned, tap.run);
		tap.failed++;
	}
	tap_diag("%d passed, %d failed, %d skipped, %d known limits (TODO)",
		 tap.passed, tap.failed, tap.skipped, tap.todo_failed);
	return tap.failed ? 1 : 0;
}

#endif /* CAMGATE_TAP_H */
