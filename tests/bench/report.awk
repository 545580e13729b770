# SPDX-License-Identifier: GPL-2.0
# Turn one bench VM's console (tests/bench/init) into make bench's report:
#
#   bench: <kernel> <metric> base=<value> camgate=<value> ratio=<camgate/base>
#
# one line per metric (medians over the rounds), then a table with the
# spread, the targets, the memory per open file and the text size.
#   awk -v kernel=NAME -v kver=VERSION -v ko_text=BYTES -v ko_sections=TEXT \
#       -v cf_size=BYTES -f report.awk CONSOLE_LOG
# Exit status 1 if the console has no complete run.

function sort_n(a, n,    i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
}

function med(a, n) {
	sort_n(a, n)
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}

# Median, min and max of the samples of (metric, mode).
function stats(m, mode,    a, n, i) {
	n = 0
	for (i = 1; i <= nround[m, mode]; i++)
		a[++n] = val[m, mode, i]
	if (!n)
		return 0
	lo = a[1]; hi = a[1]
	for (i = 1; i <= n; i++) {
		if (a[i] < lo) lo = a[i]
		if (a[i] > hi) hi = a[i]
	}
	return med(a, n)
}

# Ratios camgate/base of each round (the two runs next to each other).
function round_ratios(m,    a, n, r) {
	n = 0
	for (r = 1; r <= maxround; r++)
		if ((m, "base", r) in byround && (m, "camgate", r) in byround &&
		    byround[m, "base", r] > 0)
			a[++n] = byround[m, "camgate", r] / byround[m, "base", r]
	rlo = 0; rhi = 0
	if (!n)
		return 0
	sort_n(a, n)
	rlo = a[1]; rhi = a[n]
	return med(a, n)
}

function fmt(m, v) {
	if (m == "fps")
		return sprintf("%.2f", v)
	return sprintf("%.0f", v)
}

{ sub(/\r$/, "") }

/^bench-sample (base|camgate) [0-9]+ [a-z0-9_]+ [0-9.]+$/ {
	m = $4
	if (!(m in seen)) { seen[m] = 1; order[++nmetric] = m }
	val[m, $2, ++nround[m, $2]] = $5
	byround[m, $2, $3] = $5
	if ($3 > maxround) maxround = $3
	next
}
/^bench-slab (base|camgate) / {	# mode rep cache objsize objects-per-open
	key = $2 SUBSEP $4
	if (!((key) in slabn)) { slabsize[$4] = $5; caches[$4] = 1 }
	slab[$2, $4, ++slabn[key]] = $6
	next
}
/^bench-text coresize / { coresize = $3; next }
/^bench-alloc site / { site[++nsite] = $3 " " $4 " " $5 " " $6; next }
/^bench-alloc events / { alloc_events = $3; alloc_lost = $5; next }
/^bench-alloc total / { alloc_total = $3; next }
/^bench-alloc none/ { alloc_none = 1; next }
/^bench-error: / { err = err "\n  " substr($0, 14); next }
/^BENCH-VM-DONE/ { done = 1 }

END {
	if (err != "")
		print "bench: " kernel " error:" err
	if (!done || !nmetric) {
		print "bench: " kernel " error: the VM did not finish the benchmark"
		exit 1
	}
	nwant = split("qbuf_dqbuf_ns querybuf_ns read_ns fps scm_rights_per_s " \
	      "qbuf_dqbuf_ns_4attackers " \
	      "querybuf_ns_64files querybuf_ns_16devs querybuf_ns_10000foreign", want, " ")
	for (i = 1; i <= nwant; i++) {
		m = want[i]
		b = stats(m, "base"); blo[m] = lo; bhi[m] = hi
		c = stats(m, "camgate"); clo[m] = lo; chi[m] = hi
		base[m] = b; cg[m] = c
		ratio[m] = b > 0 ? c / b : 0
		rr[m] = round_ratios(m); rrlo[m] = rlo; rrhi[m] = rhi
		if (b > 0 && c > 0)
			printf "bench: %s %s base=%s camgate=%s ratio=%.3f\n", kernel, m,
			       fmt(m, b), fmt(m, c), ratio[m]
		else
			printf "bench: %s %s missing\n", kernel, m
	}

	printf "\n%s (%s): median of %d rounds each, [min-max]; ratio = camgate/base medians;\n",
	       kernel, kver, maxround
	if (icount != "")
		print "qemu -icount shift=0: every ns is one guest instruction (fps and per_s in that clock)"
	print "round ratios = camgate/base of the same round, median [min-max]"
	printf "%-20s %-22s %-22s %-6s %-22s %-13s %s\n", "metric", "base", "camgate",
	       "ratio", "round ratios", "target", "verdict"
	for (i = 1; i <= nwant; i++) {
		m = want[i]
		if (m == "fps") { tgt = ">= 0.99"; lim = 0.99; up = 0 }
		else if (m == "scm_rights_per_s") { tgt = ">= 0.99"; lim = 0.99; up = 0 }
		else if (m ~ /_64files$|_16devs$|foreign$/) { tgt = "flat +-5%"; up = -1 }
		else { tgt = "<= 1.03"; lim = 1.03; up = 1 }
		if (up == -1) {
			# camgate's cost relative to the one-file, one-device case.
			flat = ratio["querybuf_ns"] > 0 ? ratio[m] / ratio["querybuf_ns"] : 0
			tgt = sprintf("x%.3f vs 1", flat)
			if (flat <= 1.05 && flat >= 0.95)
				v = "met"
			else if (rrlo[m] <= 1.05 * rr["querybuf_ns"] &&
				 rrhi[m] >= 0.95 * rr["querybuf_ns"])
				v = "missed (within noise)"
			else
				v = "MISSED"
		} else if ((up && ratio[m] <= lim) || (!up && ratio[m] >= lim))
			v = "met"
		else if ((up && rrlo[m] <= lim) || (!up && rrhi[m] >= lim))
			v = "missed (within noise)"
		else
			v = "MISSED"
		printf "%-20s %-22s %-22s %-6.3f %-22s %-13s %s\n", m,
		       fmt(m, base[m]) " [" fmt(m, blo[m]) "-" fmt(m, bhi[m]) "]",
		       fmt(m, cg[m]) " [" fmt(m, clo[m]) "-" fmt(m, chi[m]) "]",
		       ratio[m], sprintf("%.3f [%.3f-%.3f]", rr[m], rrlo[m], rrhi[m]),
		       tgt, v
	}

	print ""
	printf "memory per open file: sizeof(struct camgate_file) = %s bytes", cf_size
	for (i = 0; (2 ^ i) < cf_size + 0; i++) ;
	bucket = 2 ^ i
	if (bucket < 8) bucket = 8
	if (cf_size + 0 > 64 && cf_size + 0 <= 96) bucket = 96
	if (cf_size + 0 > 128 && cf_size + 0 <= 192) bucket = 192
	printf " (kmalloc bucket %d)\n", bucket
	nal = 0
	for (i = 1; i <= nsite; i++) {
		split(site[i], s, " ")
		if (s[1] == "cg_open")
			printf "  traced: %s kmalloc'd %d bytes (got %d) %d times: once per open (64 files + the read test's)\n",
			       s[1], s[2], s[3], s[4]
		else {
			printf "  traced: %s allocated %d bytes (got %d) %d times on the hot path\n",
			       s[1], s[2], s[3], s[4]
			nal += s[4]
		}
	}
	for (c in caches) {
		nb = slabn["base" SUBSEP c]; nc = slabn["camgate" SUBSEP c]
		for (i = 1; i <= nb; i++) a1[i] = slab["base", c, i]
		for (i = 1; i <= nc; i++) a2[i] = slab["camgate", c, i]
		d = (nc ? med(a2, nc) : 0) - (nb ? med(a1, nb) : 0)
		delete a1; delete a2
		if (d >= 0.5 || d <= -0.5)
			printf "  /proc/slabinfo: %s (%d-byte objects): %+.2f objects per open with camgate (median of 3 x 64 opens, minus without)\n",
			       c, slabsize[c], d
	}
	if (alloc_none)
		print "allocations on the hot path: not measured (no tracefs)"
	else
		printf "allocations by camgate on the hot path (kmem events traced over the 64 opens, then the owner's streaming, queries, reads, SCM_RIGHTS): %d (%d kmem events traced, %d lost)\n",
		       nal, alloc_total, alloc_lost
	printf "text: %s bytes of text in camgate.ko (%s); loaded core size %s bytes\n",
	       ko_text, ko_sections, coresize
}
