/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctl.h - run camgatectl and read its --json output, for the camgatectl,
 * udev and lock-camgatectl tests.
 *
 * cg_ctl() runs the real binary (CAMGATECTL, default /usr/sbin/camgatectl)
 * as a given uid and keeps its exit status, stdout and stderr.  A small
 * strict JSON parser turns its output into a tree; anything that is not
 * valid JSON is a parse error, so the tests check the format too.
 *
 * Include after camgate_test.h.
 */
#ifndef CAMGATE_CTL_H
#define CAMGATE_CTL_H

#include "camgate_test.h"

#include <ctype.h>

#define CG_CTL_OUT	65536

struct cg_ctl {
	int status;		/* exit status, or 128 + signal, or -1 */
	char out[CG_CTL_OUT];
	char err[4096];
};

static inline const char *cg_ctl_path(void)
{
	const char *p = getenv("CAMGATECTL");

	return p && *p ? p : "/usr/sbin/camgatectl";
}

static inline void cg_ctl_drain(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got + 1 < len && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += n;
	buf[got] = '\0';
}

/*
 * Run camgatectl with @argv (NULL-terminated, without argv[0]) as @uid (0:
 * root); 0 when it ran (see r->status), -1 when it could not be started.
 */
static inline int cg_ctl_as(uid_t uid, struct cg_ctl *r, const char *const *argv)
{
	const char *args[16];
	int out[2], err[2], status, i;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	args[0] = cg_ctl_path();
	for (i = 0; argv[i] && i < 14; i++)
		args[i + 1] = argv[i];
	args[i + 1] = NULL;
	if (pipe(out) || pipe(err))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		if (cg_become(uid))
			_exit(126);
		execv(args[0], (char *const *)args);
		dprintf(2, "exec %s: %s\n", args[0], strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	/* stderr is short; stdout may be long: read it first, then stderr. */
	cg_ctl_drain(out[0], r->out, sizeof(r->out));
	cg_ctl_drain(err[0], r->err, sizeof(r->err));
	close(out[0]);
	close(err[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) :
		    128 + WTERMSIG(status);
	return 0;
}

static inline int cg_ctl(struct cg_ctl *r, const char *const *argv)
{
	return cg_ctl_as(0, r, argv);
}

/* "camgatectl a b c" for diagnostics. */
static inline const char *cg_ctl_cmd(const char *const *argv, char *buf,
				     size_t len)
{
	size_t off = snprintf(buf, len, "camgatectl");
	int i;

	for (i = 0; argv[i] && off < len; i++)
		off += snprintf(buf + off, len - off, " %s", argv[i]);
	return buf;
}

/* ---- JSON ------------------------------------------------------------------------ */

enum cg_jtype { CG_JNULL, CG_JBOOL, CG_JNUM, CG_JSTR, CG_JARR, CG_JOBJ };

struct cg_json {
	enum cg_jtype type;
	char *key;		/* member name inside an object */
	char *str;		/* string value, or a number's text */
	bool b;
	struct cg_json *child, *next;
};

struct cg_jparser {
	const char *p;
	const char *err;
};

static inline void cg_jws(struct cg_jparser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
	       *ps->p == '\r')
		ps->p++;
}

static inline char *cg_jstring(struct cg_jparser *ps)
{
	size_t len = 0, cap = 64;
	char *s = malloc(cap);

	if (*ps->p != '"') {
		ps->err = "expected a string";
		return NULL;
	}
	ps->p++;
	while (s && *ps->p != '"') {
		unsigned int c = (unsigned char)*ps->p++;

		if (!c || c < 0x20) {
			ps->err = "control character or end in a string";
			free(s);
			return NULL;
		}
		if (c == '\\') {
			c = (unsigned char)*ps->p++;
			switch (c) {
			case '"': case '\\': case '/': break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u':
				if (!isxdigit((unsigned char)ps->p[0]) ||
				    !isxdigit((unsigned char)ps->p[1]) ||
				    !isxdigit((unsigned char)ps->p[2]) ||
				    !isxdigit((unsigned char)ps->p[3]) ||
				    sscanf(ps->p, "%4x", &c) != 1 || c > 0xff) {
					/* camgatectl only escapes bytes */
					ps->err = "bad or non-byte \\u escape";
					free(s);
					return NULL;
				}
				ps->p += 4;
				break;
			default:
				ps->err = "bad escape";
				free(s);
				return NULL;
			}
		}
		if (len + 2 > cap)
			s = realloc(s, cap *= 2);
		if (s)
			s[len++] = (char)c;
	}
	if (!s) {
		ps->err = "out of memory";
		return NULL;
	}
	ps->p++;
	s[len] = '\0';
	return s;
}

static inline struct cg_json *cg_jvalue(struct cg_jparser *ps, int depth)
{
	struct cg_json *v = calloc(1, sizeof(*v)), **tail;
	const char *start;

	if (!v || depth > 16) {
		ps->err = v ? "nested too deep" : "out of memory";
		return NULL;
	}
	cg_jws(ps);
	start = ps->p;
	if (*ps->p == '{' || *ps->p == '[') {
		bool obj = *ps->p == '{';
		char close = obj ? '}' : ']';

		v->type = obj ? CG_JOBJ : CG_JARR;
		tail = &v->child;
		ps->p++;
		cg_jws(ps);
		if (*ps->p == close) {
			ps->p++;
			return v;
		}
		for (;;) {
			char *key = NULL;
			struct cg_json *m;

			cg_jws(ps);
			if (obj) {
				key = cg_jstring(ps);
				if (!key)
					return NULL;
				cg_jws(ps);
				if (*ps->p++ != ':') {
					ps->err = "expected ':'";
					return NULL;
				}
			}
			m = cg_jvalue(ps, depth + 1);
			if (!m)
				return NULL;
			m->key = key;
			*tail = m;
			tail = &m->next;
			cg_jws(ps);
			if (*ps->p == ',') {
				ps->p++;
				continue;
			}
			if (*ps->p++ == close)
				return v;
			ps->err = obj ? "expected ',' or '}'" : "expected ',' or ']'";
			return NULL;
		}
	}
	if (*ps->p == '"') {
		v->type = CG_JSTR;
		v->str = cg_jstring(ps);
		return v->str ? v : NULL;
	}
	if (!strncmp(ps->p, "true", 4) || !strncmp(ps->p, "false", 5)) {
		v->type = CG_JBOOL;
		v->b = *ps->p == 't';
		ps->p += v->b ? 4 : 5;
		return v;
	}
	if (!strncmp(ps->p, "null", 4)) {
		v->type = CG_JNULL;
		ps->p += 4;
		return v;
	}
	/* Numbers: camgatectl prints only non-negative integers. */
	while (isdigit((unsigned char)*ps->p))
		ps->p++;
	if (ps->p == start || (start[0] == '0' && ps->p - start > 1)) {
		ps->err = "expected a value";
		return NULL;
	}
	v->type = CG_JNUM;
	v->str = strndup(start, ps->p - start);
	return v;
}

/* Parse all of @text; NULL and *@err on an error. */
static inline struct cg_json *cg_json_parse(const char *text, const char **err)
{
	struct cg_jparser ps = { .p = text };
	struct cg_json *v = cg_jvalue(&ps, 0);

	if (v) {
		cg_jws(&ps);
		if (*ps.p) {
			ps.err = "trailing text";
			v = NULL;
		}
	}
	if (!v)
		*err = ps.err ? ps.err : "parse error";
	return v;	/* the tree is freed with the case's process */
}

static inline struct cg_json *cg_json_get(const struct cg_json *o,
					  const char *key)
{
	struct cg_json *m;

	if (!o || o->type != CG_JOBJ)
		return NULL;
	for (m = o->child; m; m = m->next)
		if (!strcmp(m->key, key))
			return m;
	return NULL;
}

static inline size_t cg_json_len(const struct cg_json *a)
{
	struct cg_json *m;
	size_t n = 0;

	if (a && (a->type == CG_JARR || a->type == CG_JOBJ))
		for (m = a->child; m; m = m->next)
			n++;
	return n;
}

/* A member that must be a number: its value, or ~0ULL. */
static inline unsigned long long cg_json_u64(const struct cg_json *o,
					     const char *key)
{
	struct cg_json *m = cg_json_get(o, key);

	return m && m->type == CG_JNUM ? strtoull(m->str, NULL, 10) : ~0ULL;
}

static inline const char *cg_json_str(const struct cg_json *o, const char *key)
{
	struct cg_json *m = cg_json_get(o, key);

	return m && m->type == CG_JSTR ? m->str : NULL;
}

/* The entry of "devices" whose "node" is @node, in status --json output. */
static inline struct cg_json *cg_json_device(const struct cg_json *status,
					     const char *node)
{
	struct cg_json *d, *devs = cg_json_get(status, "devices");

	if (!devs || devs->type != CG_JARR)
		return NULL;
	for (d = devs->child; d; d = d->next) {
		const char *n = cg_json_str(d, "node");

		if (n && !strcmp(n, node))
			return d;
	}
	return NULL;
}

#endif /* CAMGATE_CTL_H */
