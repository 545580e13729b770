/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * camgate: camera frames readable only by their owner.
 *
 * The user-space interface is sysfs, under CAMGATE_SYSFS_ROOT, plus one
 * procfs list per device under CAMGATE_PROC_HOLDERS.  This header names
 * their files and values so that tools do not hard-code strings.  See
 * Documentation/ABI/testing/sysfs-kernel-camgate and procfs-camgate.
 */
#ifndef _UAPI_LINUX_CAMGATE_H
#define _UAPI_LINUX_CAMGATE_H

/*
 * DOC: ABI version
 *
 * Read from CAMGATE_SYSFS_ROOT "/abi_version".  Bumped on any incompatible
 * change to a file's name, format or meaning; new files do not bump it.
 */
#define CAMGATE_ABI_VERSION		1

#define CAMGATE_SYSFS_ROOT		"/sys/kernel/camgate"
#define CAMGATE_SYSFS_DEVICES		CAMGATE_SYSFS_ROOT "/devices"

/*
 * DOC: holders
 *
 * CAMGATE_PROC_HOLDERS "/<node>" (root only) lists the open files that hold
 * a capability of the node's current generation, one per line:
 * "<pid> <uid> <comm>\n", comm octal-escaped ("\040" for a blank).
 */
#define CAMGATE_PROC_HOLDERS		"/proc/camgate/holders"

/* Values of CAMGATE_SYSFS_ROOT "/default_policy". */
#define CAMGATE_POLICY_DENY		"deny"
#define CAMGATE_POLICY_ALLOW		"allow"

/* Value of owner_uid / owner_gid when unset. */
#define CAMGATE_ID_NONE			"none"

/*
 * Values of CAMGATE_SYSFS_DEVICES "/<node>/last_denial": why the last
 * refused frame access was refused.  New values may be added.
 */
#define CAMGATE_DENY_NONE_STR		"none"
#define CAMGATE_DENY_NO_OWNER_STR	"no-owner"
#define CAMGATE_DENY_NO_CAP_STR		"no-capability"
#define CAMGATE_DENY_STALE_STR		"stale-capability"
#define CAMGATE_DENY_CRED_STR		"credential-changed"
#define CAMGATE_DENY_PASSED_STR		"passed-file"

/* Errno of every refused frame access. */
#define CAMGATE_DENY_ERRNO		13	/* EACCES */

#endif /* _UAPI_LINUX_CAMGATE_H */
