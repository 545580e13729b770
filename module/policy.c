// SPDX-License-Identifier: GPL-2.0
/*
 * The pure decision: may this credential read this device's frames?
 *
 * Nothing here sleeps, allocates or touches global state, so every function
 * is safe on the capture hot path and testable from KUnit with made-up
 * credentials.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "camgate.h"

/* groups_search() is not exported; group_info is sorted (groups_sort()). */
static bool groups_contain(const struct group_info *gi, kgid_t gid)
{
	unsigned int left = 0, right;

	if (!gi)
		return false;
	right = gi->ngroups;
	while (left < right) {
		unsigned int mid = left + (right - left) / 2;

		if (gid_gt(gid, gi->gid[mid]))
			left = mid + 1;
		else if (gid_lt(gid, gi->gid[mid]))
			right = mid;
		else
			return true;
	}
	return false;
}

/**
 * camgate_owner_set() - Does this owner credential name anybody?
 * @owner: the device's owner credential, or NULL.
 *
 * Return: true if an owner uid or an owner gid is set.
 */
bool camgate_owner_set(const struct camgate_owner *owner)
{
	return owner && (uid_valid(owner->uid) || gid_valid(owner->gid));
}
EXPORT_SYMBOL_IF_KUNIT(camgate_owner_set);

/**
 * camgate_cred_matches() - Does a credential match a device's owner?
 * @cred: the credential of the task using the device, now.
 * @owner: the device's owner credential.
 *
 * A credential matches when its effective uid is the owner uid, or, when an
 * owner gid is set, its effective gid or one of its supplementary groups is
 * that gid.  Ids are compared as kernel ids, so a container's uid 0 is not
 * the initial namespace's uid 0.
 *
 * Return: true on a match, false otherwise (also for a NULL or unset owner).
 */
bool camgate_cred_matches(const struct cred *cred,
			  const struct camgate_owner *owner)
{
	if (!camgate_owner_set(owner))
		return false;
	if (uid_valid(owner->uid) && uid_eq(cred->euid, owner->uid))
		return true;
	if (gid_valid(owner->gid) &&
	    (gid_eq(cred->egid, owner->gid) ||
	     groups_contain(cred->group_info, owner->gid)))
		return true;
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(camgate_cred_matches);

/**
 * camgate_cap_mint() - Mint a capability for a task opening a device.
 * @owner: the device's owner credential at the time of open.
 * @cred: the opening task's credential.
 *
 * Return: the generation the capability is bound to, or 0 when the task
 * does not match the owner (no capability).
 */
u64 camgate_cap_mint(const struct camgate_owner *owner,
		     const struct cred *cred)
{
	return camgate_cred_matches(cred, owner) ? owner->gen : 0;
}
EXPORT_SYMBOL_IF_KUNIT(camgate_cap_mint);

/**
 * camgate_may_access() - May a caller get frame access through a file?
 * @owner: the device's owner credential now.
 * @default_allow: the global policy for devices without an owner.
 * @cap_gen: the file's capability generation, 0 if it holds none.
 * @cred: the calling task's credential, now.
 *
 * A device without an owner follows the default policy, unless its set-up
 * failed (@owner->deny_unowned: it may have no sysfs directory to be given
 * an owner in), which denies.  Otherwise the file
 * must hold a capability of the device's current generation and the caller
 * must match the owner at the moment of use: a passed, inherited or stolen
 * file, or a caller that changed its credentials, is refused.
 *
 * Return: true to allow, false to deny.
 */
bool camgate_may_access(const struct camgate_owner *owner, bool default_allow,
			u64 cap_gen, const struct cred *cred)
{
	if (!camgate_owner_set(owner))
		return default_allow && owner && !owner->deny_unowned;
	return cap_gen && cap_gen == owner->gen &&
	       camgate_cred_matches(cred, owner);
}
EXPORT_SYMBOL_IF_KUNIT(camgate_may_access);
