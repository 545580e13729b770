// SPDX-License-Identifier: GPL-2.0
/*
 * media.c - the media device of a guarded camera (issue 15): vivid's
 * /dev/mediaN is a member of the capture node's group.
 *
 * A task that may call MEDIA_IOC_SETUP_LINK changes the owner's pipeline,
 * and one that may call MEDIA_IOC_REQUEST_ALLOC makes requests that carry
 * controls and buffers.  Another uid gets the topology (DEVICE_INFO,
 * ENUM_ENTITIES, ENUM_LINKS, G_TOPOLOGY), what a device picker and
 * libcamera's enumeration need, and nothing else:
 *  - the owner's SETUP_LINK and REQUEST_ALLOC reach the media core; the
 *    other uid's are refused, also on a file the owner opened and passed
 *    on, and on the owner's own file after a revocation (a new open works);
 *  - the same through the 32-bit entry (int $0x80 on x86_64, the AArch32
 *    helper cg32 on arm64), which the media core serves with its own
 *    compat_ioctl: the other uid's DEVICE_INFO and compat ENUM_LINKS
 *    answer, SETUP_LINK and REQUEST_ALLOC are refused; the owner's reach
 *    the core.
 *
 * Without camgate's media wrapper every refusal case fails.
 */
#include "tap.h"
#include "camgate_test.h"
#include "sys32.h"

#include <linux/media.h>

#define NO_MEDIA	"no media device of vivid (a kernel without the media controller)"

static char media[32];	/* vivid's /dev/mediaN, or "" */
static bool have_int80;

/* ---- native calls ------------------------------------------------------------- */


static void find_media(void)
{
	cg_find_media("vivid", media, sizeof(media));
}

/* A link vivid does not have: the media core answers it, not camgate. */
static void bogus_link(struct media_link_desc *l)
{
	memset(l, 0, sizeof(*l));
	l->source.entity = 0x7ffffff0;
	l->sink.entity = 0x7ffffff1;
	l->flags = MEDIA_LNK_FL_ENABLED;
}

/* @fd's setters: refused by camgate (@refused) or reaching the core. */
static void media_setters(int fd, bool refused, const char *who)
{
	struct media_link_desc l;
	char what[96];
	int req = -1, r;

	bogus_link(&l);
	r = xioctl(fd, MEDIA_IOC_SETUP_LINK, &l);
	snprintf(what, sizeof(what), "%s: MEDIA_IOC_SETUP_LINK", who);
	if (refused)
		cg_expect_denied(what, r, errno, NULL, NULL, 0);
	else
		CHECK(r == -1 && errno != EACCES,
		      "%s gave %d (%s), want the media core's error", what, r,
		      strerror(errno));
	r = xioctl(fd, MEDIA_IOC_REQUEST_ALLOC, &req);
	snprintf(what, sizeof(what), "%s: MEDIA_IOC_REQUEST_ALLOC", who);
	if (refused) {
		cg_expect_denied(what, r, errno, NULL, NULL, 0);
		CHECK(req == -1, "%s gave request fd %d", what, req);
	} else {
		CHECK(r == 0 && req >= 0, "%s: %s", what, strerror(errno));
	}
	if (req >= 0)
		close(req);
}

/* As the other uid: the topology, and no setter; on @arg too, if set. */
static int media_other(void *arg)
{
	const int *passed = arg;
	struct media_device_info info;
	struct media_entity_desc ent;
	struct media_v2_topology topo;
	struct media_links_enum links;
	struct media_pad_desc pads[16];
	struct media_link_desc lds[16];
	int fd = open(media, O_RDWR);

	if (!CHECK(fd >= 0, "open %s: %s", media, strerror(errno)))
		return TAP_FAIL;
	CHECK(xioctl(fd, MEDIA_IOC_DEVICE_INFO, &info) == 0,
	      "MEDIA_IOC_DEVICE_INFO: %s", strerror(errno));
	memset(&ent, 0, sizeof(ent));
	ent.id = MEDIA_ENT_ID_FLAG_NEXT;
	CHECK(xioctl(fd, MEDIA_IOC_ENUM_ENTITIES, &ent) == 0,
	      "MEDIA_IOC_ENUM_ENTITIES: %s", strerror(errno));
	memset(&links, 0, sizeof(links));
	links.entity = ent.id;
	links.pads = ent.pads <= 16 ? pads : NULL;
	links.links = ent.links <= 16 ? lds : NULL;
	CHECK(xioctl(fd, MEDIA_IOC_ENUM_LINKS, &links) == 0,
	      "MEDIA_IOC_ENUM_LINKS: %s", strerror(errno));
	memset(&topo, 0, sizeof(topo));
	CHECK(xioctl(fd, MEDIA_IOC_G_TOPOLOGY, &topo) == 0 &&
	      topo.num_entities > 0,
	      "MEDIA_IOC_G_TOPOLOGY: %s, %u entities", strerror(errno),
	      topo.num_entities);
	media_setters(fd, true, "uid's own file");
	if (passed)
		media_setters(*passed, true, "the owner's file, passed on");
	close(fd);
	return tap_result();
}

/* As the owner: its calls reach the media core. */
static int media_owner(void *arg)
{
	int fd = open(media, O_RDWR);

	(void)arg;
	if (!CHECK(fd >= 0, "open %s: %s", media, strerror(errno)))
		return TAP_FAIL;
	media_setters(fd, false, "the owner's file");
	close(fd);
	return tap_result();
}

/*
 * In a root helper: open the media device with the owner's effective uid
 * (root stays the saved uid), as the owner would; -1 on failure.
 */
static int open_as_owner(void)
{
	int fd;

	if (setresuid(-1, cg.owner, -1))
		return -1;
	fd = open(media, O_RDWR);
	if (setresuid(-1, 0, -1)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* The owner's file, then in the hands of the other uid (a passed file). */
static int media_passed(void *arg)
{
	int fd = open_as_owner();

	(void)arg;
	if (!CHECK(fd >= 0, "the owner's open of %s: %s", media,
		   strerror(errno)))
		return TAP_FAIL;
	if (cg_become(cg.other))
		return TAP_FAIL;
	return media_other(&fd);
}

/* The owner's file after a revocation of the camera; a new one works. */
static int media_revoked(void *arg)
{
	int fd = open_as_owner(), fd2;

	(void)arg;
	if (!CHECK(fd >= 0, "the owner's open of %s: %s", media,
		   strerror(errno)))
		return TAP_FAIL;
	CHECK(cg_sysfs_write(cg.sysfs, "revoke", "1") > 0,
	      "writing revoke: %s", strerror(errno));
	fd2 = open_as_owner();
	if (!CHECK(setresuid(-1, cg.owner, -1) == 0, "seteuid: %s",
		   strerror(errno)))
		return TAP_FAIL;
	media_setters(fd, true, "the owner's file opened before the revocation");
	if (CHECK(fd2 >= 0, "the owner's new open: %s", strerror(errno)))
		media_setters(fd2, false, "the owner's file opened after it");
	return tap_result();
}

static int media_device(void *arg)
{
	(void)arg;
	if (!media[0])
		return tap_skip(NO_MEDIA);
	tap_diag("vivid's media device: %s", media);
	CHECK(cg_run_as(cg.owner, media_owner, NULL, 5000) == TAP_PASS,
	      "the owner's media calls do not reach the media core");
	CHECK(cg_run_as(cg.other, media_other, NULL, 5000) == TAP_PASS,
	      "uid %u: the media device is not limited to its topology",
	      cg.other);
	CHECK(cg_run_as(0, media_passed, NULL, 5000) == TAP_PASS,
	      "uid %u used the owner's media file", cg.other);
	CHECK(cg_run_as(0, media_revoked, NULL, 5000) == TAP_PASS,
	      "the owner's media file outlived a revocation");
	return tap_result();
}

/* ---- 32-bit calls ------------------------------------------------------------- */

/* mc-device.c's compat MEDIA_IOC_ENUM_LINKS: pointers are 32 bits. */
struct links_enum32 {
	__u32 entity;
	__u32 pads;	/* compat_uptr_t */
	__u32 links;	/* compat_uptr_t */
	__u32 reserved[4];
};

#define MEDIA_IOC_ENUM_LINKS32	_IOWR('|', 0x02, struct links_enum32)

/* The first entity's id, by the native call (a query both uids have). */
static __u32 first_entity(int fd)
{
	struct media_entity_desc ent;

	memset(&ent, 0, sizeof(ent));
	ent.id = MEDIA_ENT_ID_FLAG_NEXT;
	if (!CHECK(xioctl(fd, MEDIA_IOC_ENUM_ENTITIES, &ent) == 0,
		   "MEDIA_IOC_ENUM_ENTITIES: %s", strerror(errno)))
		return 0;
	return ent.id;
}

/* As @arg's uid ("owner" or not): the 32-bit queries and setters. */
static int media32(void *arg)
{
	bool owner = *(const bool *)arg;
	unsigned char *page = low_page();
	struct media_device_info *info = (void *)page;
	struct links_enum32 *le = (void *)(page + 512);
	struct media_link_desc *l = (void *)(page + 1024);
	int *req = (void *)(page + 2048);
	int fd = open(media, O_RDWR), r;

	if (!CHECK(page, "no memory for the 32-bit arguments") ||
	    !CHECK(fd >= 0, "open %s: %s", media, strerror(errno)))
		return TAP_FAIL;
	memset(info, 0, sizeof(*info));
	r = ioctl32(fd, MEDIA_IOC_DEVICE_INFO, info);
	CHECK(r == 0 && !strcmp(info->driver, "vivid"),
	      "32-bit MEDIA_IOC_DEVICE_INFO: %d (%s), driver \"%.16s\"", r,
	      strerror(r < 0 ? -r : 0), info->driver);
	memset(le, 0, sizeof(*le));
	le->entity = first_entity(fd);
	r = ioctl32(fd, MEDIA_IOC_ENUM_LINKS32, le);
	CHECK(r == 0, "32-bit MEDIA_IOC_ENUM_LINKS of entity %u: %d (%s)",
	      le->entity, r, strerror(r < 0 ? -r : 0));
	bogus_link(l);
	r = ioctl32(fd, MEDIA_IOC_SETUP_LINK, l);
	if (owner)
		CHECK(r < 0 && r != -EACCES,
		      "the owner's 32-bit MEDIA_IOC_SETUP_LINK: %d (%s), want the media core's error",
		      r, strerror(r < 0 ? -r : 0));
	else
		CHECK(r == -EACCES, "32-bit MEDIA_IOC_SETUP_LINK by uid %u: %d (%s), want EACCES",
		      cg.other, r, strerror(r < 0 ? -r : 0));
	*req = -1;
	r = ioctl32(fd, MEDIA_IOC_REQUEST_ALLOC, req);
	if (owner)
		CHECK(r == 0 && *req >= 0,
		      "the owner's 32-bit MEDIA_IOC_REQUEST_ALLOC: %d (%s), request fd %d", r,
		      strerror(r < 0 ? -r : 0), *req);
	else
		CHECK(r == -EACCES && *req == -1,
		      "32-bit MEDIA_IOC_REQUEST_ALLOC by uid %u: %d (%s), request fd %d, want EACCES and none",
		      cg.other, r, strerror(r < 0 ? -r : 0), *req);
	close(fd);
	return tap_result();
}

static int media_compat(void *arg)
{
	bool owner = true, other = false;

	(void)arg;
	if (!media[0])
		return tap_skip(NO_MEDIA);
	if (!have_int80)
		return tap_skip(NO32_REASON);
	CHECK(cg_run_as(cg.owner, media32, &owner, 10000) == TAP_PASS,
	      "the owner's 32-bit media calls do not reach the media core");
	CHECK(cg_run_as(cg.other, media32, &other, 10000) == TAP_PASS,
	      "uid %u: the 32-bit media calls are not limited to the topology", cg.other);
	return tap_result();
}

static void cleanup(void)
{
	cg_restore_config();
}

int main(void)
{
	tap_plan(2, 60);
	cg_env_load();
	tap_set_cleanup(cleanup);
	cg_chmod_nodes();
	find_media();
	have_int80 = probe_int80();
	tap_diag("32-bit system calls: %s", have_int80 ? "yes" : "no");
	tap_run(media_device, NULL, 25,
		"15: vivid's media device: uid %u gets DEVICE_INFO, ENUM_ENTITIES, ENUM_LINKS, G_TOPOLOGY and no SETUP_LINK or REQUEST_ALLOC, also on the owner's file passed on; a revocation voids the owner's file",
		cg.other);
	tap_run(media_compat, NULL, 25,
		"15: vivid's media device, 32-bit calls: uid %u gets DEVICE_INFO and ENUM_LINKS, not SETUP_LINK or REQUEST_ALLOC; the owner's reach the media core",
		cg.other);
	cg_restore_config();
	return tap_finish();
}
