// SPDX-License-Identifier: GPL-2.0
/*
 * Symbols the kernel does not export.
 *
 * kallsyms_lookup_name() is not exported since v5.7; a kprobe on it yields
 * its address (the approach LKRG and others use).  Only data symbols are
 * looked up through it; its own address is an indirect-call target, so it
 * is moved back onto its ENDBR on IBT kernels.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>

#include "camgate.h"
#include "compat.h"

typedef unsigned long (*kallsyms_lookup_name_t)(const char *name);

/**
 * camgate_lookup_symbol() - Look up a kernel symbol's address.
 * @name: the symbol.
 *
 * Context: process context (registers a kprobe).
 * Return: the address, or NULL if kprobes are unavailable or the symbol is
 * unknown.
 */
void *camgate_lookup_symbol(const char *name)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	kallsyms_lookup_name_t lookup;
	int err;

	err = register_kprobe(&kp);
	if (err) {
		pr_err("cannot find kallsyms_lookup_name: kprobe error %d\n",
		       err);
		return NULL;
	}
	lookup = (kallsyms_lookup_name_t)camgate_fix_endbr((unsigned long)kp.addr);
	unregister_kprobe(&kp);
	return (void *)lookup(name);
}
