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

/*
 * v6.13 ("module: Convert symbol namespace to string literal") turned
 * MODULE_IMPORT_NS()'s argument into a string.  CAMGATE_IMPORT_NS(DMA_BUF)
 * imports the DMA_BUF namespace on either side of it.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define CAMGATE_IMPORT_NS(ns)		MODULE_IMPORT_NS(#ns)
#else
#define CAMGATE_IMPORT_NS(ns)		MODULE_IMPORT_NS(ns)
#endif
#define CAMGATE_IMPORT_KUNIT_NS()	CAMGATE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)

/* v6.2 made kset_uevent_ops' filter() and name() take a const kobject. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define CAMGATE_CONST_KOBJ	const struct kobject
#else
#define CAMGATE_CONST_KOBJ	struct kobject
#endif

/*
 * A reference on a file whose count may already have dropped to zero
 * (its release under way): v6.13 turned f_count into f_ref, a file_ref_t.
 */
#include <linux/fs.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#include <linux/file_ref.h>
static inline bool camgate_get_file_unless_zero(struct file *file)
{
	return file_ref_get(&file->f_ref);
}
#else
static inline bool camgate_get_file_unless_zero(struct file *file)
{
	return atomic_long_inc_not_zero(&file->f_count);
}
#endif

/*
 * No fsnotify event for a file.  Kernels with FMODE_FSNOTIFY_MASK (v6.14,
 * and Debian's 6.12 by backport) encode "none" as FMODE_NONOTIFY alone in
 * a two-bit field; older ones have the one bit.
 */
static inline void camgate_file_set_nonotify(struct file *file)
{
#ifdef FMODE_FSNOTIFY_MASK
	file->f_mode = (file->f_mode & ~FMODE_FSNOTIFY_MASK) | FMODE_NONOTIFY;
#else
	file->f_mode |= FMODE_NONOTIFY;
#endif
}

/* v6.3 made vma->vm_flags read-only behind vm_flags_set(). */
#include <linux/mm.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
static inline void camgate_vma_set_flags(struct vm_area_struct *vma,
					 vm_flags_t flags)
{
	vm_flags_set(vma, flags);
}
#else
static inline void camgate_vma_set_flags(struct vm_area_struct *vma,
					 vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

/*
 * Making a probed function return at once with a chosen value, as
 * bpf_override_return() does (override_function_with_return() is not
 * exported): point the probed context at an instruction that returns.
 * ANNOTATE_NOENDBR ends in a newline on 6.1 and 6.12; objtool's generic
 * annotations (<linux/annotate.h>, 7.x) made it end in a directive, as the
 * kernel's own ANNOTATE_NOENDBR "\n" uses show: the newline is ours to add.
 */
#if defined(CONFIG_X86_64)
#include <asm/linkage.h>
#include <linux/objtool.h>
#ifndef ASM_FUNC_ALIGN
#define ASM_FUNC_ALIGN ".p2align 4\n"
#endif
asmlinkage void camgate_return_stub(void);

static inline void camgate_override_return(struct pt_regs *regs, long ret)
{
	regs_set_return_value(regs, ret);
	regs->ip = (unsigned long)&camgate_return_stub;
}

#define CAMGATE_DEFINE_RETURN_STUB()				\
	asm(".text\n"						\
	    ".type camgate_return_stub, @function\n"		\
	    ".globl camgate_return_stub\n"			\
	    ASM_FUNC_ALIGN					\
	    "camgate_return_stub:\n"				\
	    ANNOTATE_NOENDBR "\n"				\
	    ASM_RET						\
	    ".size camgate_return_stub, .-camgate_return_stub\n")
#elif defined(CONFIG_ARM64)
/*
 * What override_function_with_return() does on arm64
 * (arch/arm64/lib/error-inject.c): at a kprobe on the entry (a BRK on the
 * first instruction: PACIASP, or ftrace's first NOP) nothing of the
 * prologue has run, so x30 still holds the return address and sp is the
 * caller's.  Resuming there skips PACIASP and AUTIASP alike and pushes
 * nothing on the shadow call stack.  The resume is an exception return,
 * not a branch, so no BTI landing pad is needed; in-kernel BTI cannot be
 * built with GCC on 6.12 in any case (Debian's arm64 kernel has none).
 */
static inline void camgate_override_return(struct pt_regs *regs, long ret)
{
	regs_set_return_value(regs, ret);
	instruction_pointer_set(regs, procedure_link_pointer(regs));
}

#define CAMGATE_DEFINE_RETURN_STUB()
#else
#error "camgate: no return override for this architecture"
#endif

/*
 * Where the kernel's ftrace passes argument registers and honours a changed
 * instruction pointer without saving full registers (x86_64's
 * DYNAMIC_FTRACE_WITH_ARGS: ftrace_caller copies regs->ip back), the
 * file-receive hooks are an ftrace_ops of ours: a direct call from the
 * trampoline, with none of the kprobe-on-ftrace work.  Elsewhere (arm64)
 * they are kprobes.  The registers behind a struct ftrace_regs: 6.12 has
 * arch_ftrace_regs(), 6.1 the member.
 */
#if defined(CONFIG_X86_64) && defined(CONFIG_DYNAMIC_FTRACE_WITH_ARGS)
#include <linux/ftrace.h>
#define CAMGATE_RECEIVE_FTRACE 1
static __always_inline struct pt_regs *camgate_fregs(struct ftrace_regs *fregs)
{
#ifdef arch_ftrace_regs
	return &arch_ftrace_regs(fregs)->regs;
#else
	return &fregs->regs;
#endif
}
#endif

/*
 * 6.1's bus_for_each_dev() and bus_{,un}register_notifier() take a
 * non-const struct bus_type (later kernels a const one); checkpatch wants
 * every bus_type const, which one passed there on 6.1 cannot be.
 */
#define camgate_bus_arg	bus_type

#endif /* _CAMGATE_COMPAT_H */
