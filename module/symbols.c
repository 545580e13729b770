// SPDX-License-Identifier: GPL-2.0
/*
 * Symbols the kernel does not export.
 *
 * camgate needs one unexported object, the video4linux class (to register
 * a class_interface on it).  kallsyms_lookup_name() is not exported since
 * v5.7, and calling it through a pointer, as taking its address from a
 * kprobe invites, is not safe: nothing in the kernel takes its address, so
 * on a CPU with IBT the kernel seals its ENDBR at boot (apply_seal_endbr()
 * turns it into a NOP) and an indirect call to it traps (#CP).
 *
 * register_kprobe() resolves a kprobe's .symbol_name itself and stores the
 * address in .addr before it checks that the address is text it may probe;
 * for a data symbol it then refuses with -EINVAL and the address stays.
 * That resolves a name without calling anything through a pointer.  Only
 * data is looked up this way, and the caller checks what it finds.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "camgate.h"

/**
 * camgate_lookup_data() - Look up a kernel data symbol's address.
 * @name: the symbol.
 *
 * Never calls the kernel through a pointer.  The address is only what
 * kallsyms knows under that name: the caller must check that the object
 * there is the one it expects before it uses it.
 *
 * Context: process context (register_kprobe() takes mutexes).
 * Return: the address, or NULL if the symbol is unknown, if kprobes are
 * unavailable, or if the name is a function's.
 */
void *camgate_lookup_data(const char *name)
{
	struct kprobe kp = { .symbol_name = name };
	int err;

	err = register_kprobe(&kp);
	if (!err) {
		/* Text, so not a data symbol. */
		unregister_kprobe(&kp);
		return NULL;
	}
	if (err != -EINVAL || !kp.addr)
		return NULL;	/* unknown symbol, or no kprobes */
	return kp.addr;
}

/**
 * camgate_lookup_named() - Look up a kernel object that carries its name.
 * @sym: the data symbol.
 * @name_off: the offset of the object's const char *name field.
 * @want: the name the object must have.
 *
 * camgate_lookup_data(), then a check that the object there is the one
 * expected: its name field, read without trusting the address, is @want.
 * Nothing is called through the address found.
 *
 * Context: process context.
 * Return: the object, or NULL if it is unknown or not named @want.
 */
void *camgate_lookup_named(const char *sym, size_t name_off, const char *want)
{
	void *obj = camgate_lookup_data(sym);
	size_t len = strlen(want) + 1;
	char name[32];
	const char *p;

	if (!obj || len > sizeof(name) ||
	    copy_from_kernel_nofault(&p, obj + name_off, sizeof(p)) ||
	    copy_from_kernel_nofault(name, p, len) || memcmp(name, want, len))
		return NULL;
	return obj;
}
