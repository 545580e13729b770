# SPDX-License-Identifier: GPL-2.0
# Turn one VM's console log into one line per test:
#
#   ok <kernel> <suite> <case>
#   not ok <kernel> <suite> <case>
#   ok <kernel> <suite> <case> # SKIP <reason>
#
# followed by diagnostics ("# ...") for each failure.  Invoked as
#   awk -v kernel=NAME -v debug=0|1 -f parse.awk CONSOLE_LOG
#
# What it reads (see tests/vm/init):
#   camgate-tap-begin SUITE ... camgate-tap-end SUITE rc=N
#	TAP 13 from a test program, or KTAP (suite "kunit") from the kernel
#   camgate-kmemleak-begin ... camgate-kmemleak-end
#   CAMGATE-VM-DONE
# and, anywhere in the log, the kernel's own reports (WARN, BUG, KASAN,
# UBSAN, lockdep, RCU, hung task, panic), which fail the run whatever the
# tests said.
#
# A TAP "not ok ... # TODO" is a known limit: counted as skipped, with its
# reason, never as passed.  A program that ran fewer cases than it planned,
# or exited non-zero without a failing case, gets a failed case of its own.

function emit(status, suite, name, extra) {
	gsub(/[ \t]+/, " ", name)
	sub(/^ /, "", name); sub(/ $/, "", name)
	if (name == "")
		name = "(unnamed)"
	if (status == "ok")
		print "ok " kernel " " suite " " name
	else if (status == "skip")
		print "ok " kernel " " suite " " name " # SKIP " extra
	else {
		print "not ok " kernel " " suite " " name
		if (extra != "")
			print "# " extra
	}
}

# A case's diagnostics ("# " lines) come before its result line (tap.h
# prints them as they happen): keep those since the last result, print
# them under a failure.
function flush_diag() {
	diag = ""
}

function strip_ts(s) {
	sub(/^\[ *[0-9]+\.[0-9]+\] /, "", s)
	return s
}

function tap_result(line,    ok, rest, name, directive, reason, i) {
	ok = (line ~ /^ok/)
	rest = line
	sub(/^(not )?ok[ \t]*[0-9]*[ \t]*(- )?/, "", rest)
	directive = ""
	i = index(rest, " # ")
	if (i) {
		directive = substr(rest, i + 3)
		rest = substr(rest, 1, i - 1)
	}
	name = rest
	cases++
	if (directive ~ /^(SKIP|skip)/) {
		reason = directive
		sub(/^(SKIP|skip)[ \t]*/, "", reason)
		if (reason == "")
			reason = "no reason given"
		emit("skip", suite, name, reason)
	} else if (directive ~ /^(TODO|todo)/) {
		reason = directive
		sub(/^(TODO|todo)[ \t]*/, "", reason)
		sub(/^known limit:[ \t]*/, "", reason)
		if (ok)
			emit("ok", suite, name " (known limit: " reason "; it did not show)")
		else
			emit("skip", suite, name, "TODO (known limit): " reason)
	} else if (ok) {
		emit("ok", suite, name)
	} else {
		emit("not ok", suite, name)
		printf "%s", diag
		failed_cases++
	}
	diag = ""
}

# KTAP from the kernel log: a suite opens at depth 1 ("    # Subtest: NAME")
# and its cases report at depth 1 ("    ok N case"), its own result at depth
# 0; a parameterised case's parameters report at depth 2, here as
# "case: param" (and the case's own line is then not counted again).
function ktap_line(line,    depth, body, ok, name, directive, i) {
	match(line, /^ */)
	depth = RLENGTH / 4
	body = substr(line, RLENGTH + 1)
	if (body ~ /^# Subtest: /) {
		name = body
		sub(/^# Subtest: /, "", name)
		ksub[depth] = name
		return
	}
	if (depth == 0 && body ~ /^1\.\.[0-9]+$/) {
		ksuites_planned = substr(body, 4) + 0
		return
	}
	if (body !~ /^(not )?ok [0-9]+/)
		return
	ok = (body ~ /^ok/)
	name = body
	sub(/^(not )?ok [0-9]+ (- )?/, "", name)
	directive = ""
	i = index(name, " # ")
	if (i) {
		directive = substr(name, i + 3)
		name = substr(name, 1, i - 1)
	}
	if (depth == 0) {		# a suite's own result
		ksuites_seen++
		return
	}
	if (depth > 2)
		return
	pfx = ksub[1]			# the suite
	if (depth == 1 && (ksub[1] "/" name) in kparam)
		return			# its parameters were reported already
	if (depth == 2) {
		kparam[ksub[1] "/" ksub[2]] = 1
		name = ksub[2] ": " name
	}
	cases++
	if (directive ~ /^SKIP/) {
		sub(/^SKIP */, "", directive)
		emit("skip", "kunit", pfx " " name, directive == "" ? "no reason given" : directive)
	} else if (ok) {
		emit("ok", "kunit", pfx " " name)
	} else {
		emit("not ok", "kunit", pfx " " name)
		failed_cases++
	}
}

function end_suite(rc,    msg) {
	flush_diag()
	if (suite == "kunit") {
		if (ksuites_planned == 0 || ksuites_seen < ksuites_planned)
			emit("not ok", "kunit", "all suites reported",
			     ksuites_seen + 0 " of " ksuites_planned + 0 " suites reported a result")
		else
			emit("ok", "kunit", "all suites reported")
	} else if (planned >= 0 && cases < planned) {
		emit("not ok", suite, "plan",
		     "planned " planned " cases, ran " cases " (crashed or timed out?)")
	} else if (planned < 0 && cases == 0) {
		emit("not ok", suite, "plan", "no TAP output at all")
	}
	if (rc != 0 && failed_cases == 0 && !(suite == "kunit" && cases > 0))
		emit("not ok", suite, "exit status", "exited with status " rc " but reported no failed case")
	suite = ""
}

BEGIN {
	suite = ""
	done = 0
	splat_re = "^(WARNING:|BUG:|INFO: (possible|task|rcu|trying)|UBSAN:|" \
		   "Kernel panic|Oops|general protection fault)" \
		   "|KASAN:|ODEBUG:|kernel BUG at|" \
		   "WARNING: (possible|suspicious|inconsistent|bad unlock|lock held)|" \
		   "rcu_preempt detected stalls|blocked for more than"
}

{
	sub(/\r$/, "")
	line = $0
}

/^CAMGATE-VM-DONE/ { done = 1; next }

/^camgate-dmesg-begin/ { in_dmesg = 1; next }
/^camgate-dmesg-end/ { in_dmesg = 0; next }

/^camgate-kmemleak-begin/ { in_kml = 1; kml_seen = 1; next }
/^camgate-kmemleak-end/ { in_kml = 0; next }
in_kml {
	if (line ~ /unreferenced object/)
		leaks++
	if (kml_n < 40)
		kml_text = kml_text "# " line "\n"
	kml_n++
	next
}

# KCSAN (make test-kcsan): a data race is camgate's when a stack of its
# report names a camgate function ("... [camgate]"); those fail the run.
# Races elsewhere in the kernel are listed but not failed: they are not
# camgate's to fix (x86's boot-time APIC calibration has one).  A report
# runs from its "BUG: KCSAN:" line to the next line of "=".
{
	k = strip_ts(line)
	if (k ~ /^BUG: KCSAN:/) {
		kcsan_cur = k
		if (!(k in kcsan_ours)) {
			kcsan_ours[k] = 0
			kcsan_order[++kcsan_n] = k
		}
	} else if (kcsan_cur != "") {
		if (k ~ /^==========/)
			kcsan_cur = ""
		else if (k ~ /\[camgate/)
			kcsan_ours[kcsan_cur] = 1
	}
	# The kernel's own reports.  The dmesg dump at the end repeats the
	# console, so it is only scanned for what the console may not have shown.
	if (k ~ splat_re && k !~ /^camgate/ && k !~ /^BUG: KCSAN:/) {
		if (!(k in splat_seen)) {
			splat_seen[k] = 1
			splats++
			if (splats <= 10)
				splat_text = splat_text "# " k "\n"
		}
	}
}
in_dmesg { next }

/^camgate-tap-begin / {
	if (suite != "")
		end_suite(1)
	suite = $2
	planned = -1
	cases = 0
	failed_cases = 0
	ksuites_planned = 0
	ksuites_seen = 0
	delete ksub
	delete kparam
	diag = ""
	next
}

/^camgate-tap-end / {
	rc = $3
	sub(/^rc=/, "", rc)
	if (suite != "")
		end_suite(rc + 0)
	next
}

suite == "" { next }

suite == "kunit" {
	ktap_line(line)
	next
}

/^1\.\.[0-9]+/ {
	planned = substr(line, 4) + 0
	next
}

/^(not )?ok( |$)/ {
	tap_result(line)
	next
}

/^Bail out!/ {
	emit("not ok", suite, "bail out", line)
	printf "%s", diag
	diag = ""
	failed_cases++
	next
}

/^#/ {
	if (length(diag) < 4000)
		diag = diag line "\n"
	next
}

END {
	if (suite != "")
		end_suite(1)
	if (done)
		emit("ok", "vm", "init reached its end marker")
	else
		emit("not ok", "vm", "init reached its end marker",
		     "no CAMGATE-VM-DONE on the console: the VM hung, crashed or timed out")
	if (splats == 0)
		emit("ok", "vm", "no kernel warning, BUG, KASAN, UBSAN, lockdep or RCU report")
	else {
		emit("not ok", "vm", "no kernel warning, BUG, KASAN, UBSAN, lockdep or RCU report",
		     splats " report line(s) on the console:")
		printf "%s", splat_text
	}
	if (kernel ~ /kcsan/ || kcsan_n > 0) {
		ours = ""
		others = ""
		n_ours = 0
		for (i = 1; i <= kcsan_n; i++) {
			if (kcsan_ours[kcsan_order[i]]) {
				ours = ours "# " kcsan_order[i] "\n"
				n_ours++
			} else {
				others = others "# not camgate's: " kcsan_order[i] "\n"
			}
		}
		if (n_ours == 0)
			emit("ok", "vm", "no KCSAN data race involving camgate")
		else
			emit("not ok", "vm", "no KCSAN data race involving camgate",
			     n_ours " race(s) with camgate in a stack:")
		printf "%s%s", ours, others
	}
	if (debug) {
		if (!kml_seen)
			emit("not ok", "vm", "kmemleak clean", "no kmemleak scan on the console")
		else if (leaks == 0)
			emit("ok", "vm", "kmemleak clean")
		else {
			emit("not ok", "vm", "kmemleak clean", leaks " unreferenced object(s):")
			printf "%s", kml_text
		}
	}
}
