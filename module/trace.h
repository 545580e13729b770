/* SPDX-License-Identifier: GPL-2.0 */
/*
 * camgate's trace events, for perf, bpftrace and tracefs:
 *
 *   camgate:deny    a refused frame access (every one, not rate-limited)
 *   camgate:stream  a guarded queue started or stopped streaming
 *   camgate:owner   an owner change or a revocation took effect
 *
 * Each call site is a static key: a disabled event costs a no-op.  Fields
 * are fixed-size (no __string()), so the header builds unchanged on every
 * kernel camgate supports.  Ids are in the initial user namespace; -1 is
 * "none".
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM camgate

#if !defined(_CAMGATE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _CAMGATE_TRACE_H

#include <linux/string.h>
#include <linux/tracepoint.h>

#include "camgate.h"

TRACE_DEFINE_ENUM(CAMGATE_OP_READ);
TRACE_DEFINE_ENUM(CAMGATE_OP_WRITE);
TRACE_DEFINE_ENUM(CAMGATE_OP_POLL);
TRACE_DEFINE_ENUM(CAMGATE_OP_MMAP);
TRACE_DEFINE_ENUM(CAMGATE_OP_IOCTL);
TRACE_DEFINE_ENUM(CAMGATE_OP_COMPAT_IOCTL);
TRACE_DEFINE_ENUM(CAMGATE_OP_UNMAPPED_AREA);
TRACE_DEFINE_ENUM(CAMGATE_OP_RECEIVE);
TRACE_DEFINE_ENUM(CAMGATE_OP_DMABUF_MMAP);
TRACE_DEFINE_ENUM(CAMGATE_OP_DMABUF_ATTACH);
TRACE_DEFINE_ENUM(CAMGATE_OP_BINDER);
TRACE_DEFINE_ENUM(CAMGATE_DENY_NO_OWNER);
TRACE_DEFINE_ENUM(CAMGATE_DENY_NO_CAP);
TRACE_DEFINE_ENUM(CAMGATE_DENY_STALE);
TRACE_DEFINE_ENUM(CAMGATE_DENY_CRED);
TRACE_DEFINE_ENUM(CAMGATE_DENY_PASSED);

TRACE_EVENT(deny,
	    TP_PROTO(const char *dev, int op, unsigned int cmd, int reason,
		     pid_t pid, u32 uid),
	    TP_ARGS(dev, op, cmd, reason, pid, uid),
	    TP_STRUCT__entry(__array(char, dev, 32)
			     __field(int, op)
			     __field(unsigned int, cmd)
			     __field(int, reason)
			     __field(pid_t, pid)
			     __field(u32, uid)),
	    TP_fast_assign(strscpy(__entry->dev, dev, sizeof(__entry->dev));
			   __entry->op = op;
			   __entry->cmd = cmd;
			   __entry->reason = reason;
			   __entry->pid = pid;
			   __entry->uid = uid;),
	    TP_printk("dev=%s op=%s cmd=0x%08x reason=%s pid=%d uid=%u",
		      __entry->dev,
		      __print_symbolic(__entry->op,
				       { CAMGATE_OP_READ, "read" },
				       { CAMGATE_OP_WRITE, "write" },
				       { CAMGATE_OP_POLL, "poll" },
				       { CAMGATE_OP_MMAP, "mmap" },
				       { CAMGATE_OP_IOCTL, "ioctl" },
				       { CAMGATE_OP_COMPAT_IOCTL, "compat-ioctl" },
				       { CAMGATE_OP_UNMAPPED_AREA, "get-unmapped-area" },
				       { CAMGATE_OP_RECEIVE, "file-receive" },
				       { CAMGATE_OP_DMABUF_MMAP, "dma-buf-mmap" },
				       { CAMGATE_OP_DMABUF_ATTACH, "dma-buf-attach" },
				       { CAMGATE_OP_BINDER, "binder-transfer" }),
		      __entry->cmd,
		      __print_symbolic(__entry->reason,
				       { CAMGATE_DENY_NO_OWNER, "no-owner" },
				       { CAMGATE_DENY_NO_CAP, "no-capability" },
				       { CAMGATE_DENY_STALE, "stale-capability" },
				       { CAMGATE_DENY_CRED, "credential-changed" },
				       { CAMGATE_DENY_PASSED, "passed-file" }),
		      __entry->pid, __entry->uid)
);

TRACE_EVENT(stream,
	    TP_PROTO(const char *dev, bool on, pid_t pid, u32 uid),
	    TP_ARGS(dev, on, pid, uid),
	    TP_STRUCT__entry(__array(char, dev, 32)
			     __field(bool, on)
			     __field(pid_t, pid)
			     __field(u32, uid)),
	    TP_fast_assign(strscpy(__entry->dev, dev, sizeof(__entry->dev));
			   __entry->on = on;
			   __entry->pid = pid;
			   __entry->uid = uid;),
	    TP_printk("dev=%s streaming=%d pid=%d uid=%u", __entry->dev,
		      __entry->on, __entry->pid, __entry->uid)
);

TRACE_EVENT(owner,
	    TP_PROTO(const char *dev, u32 owner_uid, u32 owner_gid, u64 gen,
		     bool revoke, pid_t pid, u32 uid),
	    TP_ARGS(dev, owner_uid, owner_gid, gen, revoke, pid, uid),
	    TP_STRUCT__entry(__array(char, dev, 32)
			     __field(u32, owner_uid)
			     __field(u32, owner_gid)
			     __field(u64, gen)
			     __field(bool, revoke)
			     __field(pid_t, pid)
			     __field(u32, uid)),
	    TP_fast_assign(strscpy(__entry->dev, dev, sizeof(__entry->dev));
			   __entry->owner_uid = owner_uid;
			   __entry->owner_gid = owner_gid;
			   __entry->gen = gen;
			   __entry->revoke = revoke;
			   __entry->pid = pid;
			   __entry->uid = uid;),
	    TP_printk("dev=%s owner_uid=%d owner_gid=%d generation=%llu revoke=%d pid=%d uid=%u",
		      __entry->dev, (int)__entry->owner_uid,
		      (int)__entry->owner_gid, __entry->gen, __entry->revoke,
		      __entry->pid, __entry->uid)
);

#endif /* _CAMGATE_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
