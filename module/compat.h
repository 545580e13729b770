/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, in one place (WireGuard's compat.h idea).
 * The logic elsewhere uses only the names defined here.
 */
#ifndef _CAMGATE_COMPAT_H
#define _CAMGATE_COMPAT_H

#include <linux/version.h>
#include <linux/device.h>

/*
 * v6.4 ("driver core: class: remove struct class_interface * from
 * callbacks") dropped the interface argument of add_dev/remove_dev.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define CAMGATE_CLASS_IFACE_ARGS	struct device *dev
#else
#define CAMGATE_CLASS_IFACE_ARGS	struct device *dev, struct class_interface *intf
#endif

/* v6.13 turned MODULE_IMPORT_NS()'s argument into a string. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define CAMGATE_IMPORT_KUNIT_NS()	MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#else
#define CAMGATE_IMPORT_KUNIT_NS()	MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#endif

/*
 * A kprobe reports a function's address after its ENDBR on IBT kernels;
 * an indirect call must land on the ENDBR itself.  is_endbr() took a value
 * up to v6.13 and a pointer since.
 */
#if defined(CONFIG_X86_KERNEL_IBT)
#include <asm/ibt.h>
static inline unsigned long camgate_fix_endbr(unsigned long addr)
{
	u32 insn = *(u32 *)(addr - ENDBR_INSN_SIZE);

	return is_endbr(insn) ? addr - ENDBR_INSN_SIZE : addr;
}
#else
static inline unsigned long camgate_fix_endbr(unsigned long addr)
{
	return addr;
}
#endif

#endif /* _CAMGATE_COMPAT_H */
