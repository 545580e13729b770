/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compliance.h - v4l2-compliance's output, read in C (libcam.c): each
 * test's result, named as tests/vm/init's compliance_results() names it,
 * and the summary lines, so that two runs (without camgate and with it)
 * can be compared.
 *
 *   parse_results(path, r)   read one run's output
 *   result_of(r, name)       one test's "OK" or "FAIL", or NULL
 *   same_summary(a, b)       the same "Total for" lines
 *   same_results(a, b)       every test the same result
 *
 * Include after tap.h and camgate_test.h.
 */
#ifndef CAMGATE_TEST_COMPLIANCE_H
#define CAMGATE_TEST_COMPLIANCE_H

#define MAXRES 4096

struct results {
	int n, nsum;
	char (*name)[200];
	char (*res)[64];
	char sum[64][200];
};

/* Is @name @base, or @base numbered ("@base #2")? */
static inline bool same_test(const char *name, const char *base)
{
	size_t len = strlen(base);

	return !strncmp(name, base, len) &&
	       (!name[len] || !strncmp(name + len, " #", 2));
}

/*
 * Parse v4l2-compliance's output as tests/vm/init's compliance_results()
 * does: a test is named by its node ("Compliance test for ..."), its
 * section and its own name (numbered when it repeats); the summary lines
 * are the "Total for" and "Grand Total for" lines.  The progress text
 * ("\r", tabs) is split off first.
 */
static inline int parse_results(const char *path, struct results *r)
{
	char node[100] = "", section[100] = "", *text, *line, *save = NULL, *p;
	FILE *f = fopen(path, "r");
	size_t len;
	int i, k;

	memset(r, 0, sizeof(*r));
	r->name = calloc(MAXRES, sizeof(*r->name));
	r->res = calloc(MAXRES, sizeof(*r->res));
	text = calloc(1, 4 << 20);
	if (!f || !r->name || !r->res || !text)
		return -1;
	len = fread(text, 1, (4 << 20) - 1, f);
	fclose(f);
	text[len] = '\0';
	for (p = text; *p; p++)
		if (*p == '\r' || *p == '\t')
			*p = '\n';
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		len = strlen(line);
		if (!strncmp(line, "Total for ", 10) ||
		    !strncmp(line, "Grand Total for ", 16)) {
			if (r->nsum < 64)
				snprintf(r->sum[r->nsum++], sizeof(r->sum[0]),
					 "%s", line);
			continue;
		}
		if (line[0] != ' ' && len > 1 && line[len - 1] == ':') {
			line[len - 1] = '\0';
			if (!strncmp(line, "Compliance test for ", 20)) {
				snprintf(node, sizeof(node), "%s", line + 20);
				section[0] = '\0';
			} else {
				snprintf(section, sizeof(section), "%s", line);
			}
			continue;
		}
		while (*line == ' ')
			line++;
		if (strncmp(line, "test ", 5) || r->n >= MAXRES)
			continue;
		p = strstr(line, ": OK");
		if (!p)
			p = strstr(line, ": FAIL");
		if (!p)
			continue;
		*p = '\0';
		snprintf(r->name[r->n], sizeof(r->name[0]), "%s / %s: %s", node,
			 section, line + 5);
		snprintf(r->res[r->n], sizeof(r->res[0]), "%s", p + 2);
		for (i = 0, k = 1; i < r->n; i++)
			k += same_test(r->name[i], r->name[r->n]);
		if (k > 1) {
			len = strlen(r->name[r->n]);
			snprintf(r->name[r->n] + len, sizeof(r->name[0]) - len,
				 " #%d", k);
		}
		r->n++;
	}
	free(text);
	return 0;
}

static inline const char *result_of(const struct results *r, const char *name)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->name[i], name))
			return r->res[i];
	return NULL;
}

/* Do two runs have the same summary lines? */
static inline bool same_summary(const struct results *a, const struct results *b)
{
	int i;

	if (a->nsum != b->nsum)
		return false;
	for (i = 0; i < a->nsum; i++)
		if (strcmp(a->sum[i], b->sum[i]))
			return false;
	return true;
}

/* Do two runs give every test the same result? */
static inline bool same_results(const struct results *a, const struct results *b)
{
	const char *r;
	int i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++) {
		r = result_of(b, a->name[i]);
		if (!r || strcmp(r, a->res[i]))
			return false;
	}
	return true;
}

#endif
