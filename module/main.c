// SPDX-License-Identifier: GPL-2.0
/*
 * camgate: camera frames readable only by their owner.
 *
 * Module init and exit only; see Documentation/design.rst for the model.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/srcu.h>
#include <uapi/linux/camgate.h>

#include "camgate.h"

/*
 * The options camgate cannot work without, each named in one line when a
 * kernel lacks it (dkms.conf's BUILD_EXCLUSIVE_CONFIG skips such kernels).
 */
#if !IS_ENABLED(CONFIG_KPROBES)
#error "camgate needs CONFIG_KPROBES: its file-receive checks are kprobes"
#endif
#if !IS_ENABLED(CONFIG_KALLSYMS_ALL)
#error "camgate needs CONFIG_KALLSYMS_ALL: it finds video_class by its symbol"
#endif
#if !IS_ENABLED(CONFIG_SECURITY)
#error "camgate needs CONFIG_SECURITY: it interposes on security_file_receive()"
#endif
#if !IS_ENABLED(CONFIG_VIDEO_DEV) || !IS_ENABLED(CONFIG_VIDEOBUF2_CORE)
#error "camgate needs CONFIG_VIDEO_DEV and CONFIG_VIDEOBUF2_CORE (y or m)"
#endif
#if !IS_ENABLED(CONFIG_DMA_SHARED_BUFFER)
#error "camgate needs CONFIG_DMA_SHARED_BUFFER: exported buffers are dma-bufs"
#endif
#if !IS_ENABLED(CONFIG_PROC_FS) || !IS_ENABLED(CONFIG_SYSFS)
#error "camgate needs CONFIG_PROC_FS and CONFIG_SYSFS: its configuration lives there"
#endif

/* dkms.conf's PACKAGE_VERSION, passed by Kbuild. */
#ifndef CAMGATE_VERSION
#define CAMGATE_VERSION "unknown"
#endif

/* Calls inside a wrapper; waited for before a guard is freed. */
DEFINE_SRCU(camgate_srcu);
/* Serialises every configuration write. */
DEFINE_MUTEX(camgate_cfg_mutex);
bool camgate_default_allow;
bool camgate_locked;

static char *default_policy = CAMGATE_POLICY_DENY;
module_param(default_policy, charp, 0444);
MODULE_PARM_DESC(default_policy,
		 "Policy for guarded devices without an owner: deny (default) or allow");

static int __init camgate_init(void)
{
	int err;

	err = camgate_parse_policy(default_policy, &camgate_default_allow);
	if (err) {
		pr_err("default_policy must be \"deny\" or \"allow\"\n");
		return err;
	}
	err = camgate_sysfs_init();
	if (err)
		return err;
	err = camgate_holders_init();
	if (err)
		goto err_sysfs;
	err = camgate_sock_init();
	if (err)
		goto err_holders;
	err = camgate_creds_init();
	if (err)
		goto err_sock;
	err = camgate_dmabuf_init();
	if (err)
		goto err_creds;
	err = camgate_led_init();
	if (err)
		goto err_dmabuf;
	err = camgate_media_init();
	if (err)
		goto err_led;
	err = camgate_devices_init();
	if (err)
		goto err_media;
	pr_info("loaded, ABI %d, default policy %s\n", CAMGATE_ABI_VERSION,
		camgate_default_allow ? CAMGATE_POLICY_ALLOW : CAMGATE_POLICY_DENY);
	return 0;

err_media:
	camgate_media_exit();
err_led:
	camgate_led_exit();
err_dmabuf:
	camgate_dmabuf_exit();
err_creds:
	camgate_creds_exit();
err_sock:
	camgate_sock_exit();
err_holders:
	camgate_holders_exit();
err_sysfs:
	camgate_sysfs_exit();
	return err;
}

static void __exit camgate_exit(void)
{
	camgate_devices_exit();
	camgate_media_exit();
	camgate_led_exit();
	camgate_dmabuf_exit();
	camgate_creds_exit();
	camgate_sock_exit();
	camgate_holders_exit();
	camgate_sysfs_exit();
	/* Tasks sent to our return stub, or returning from module_put(). */
	synchronize_rcu_tasks();
	pr_info("unloaded\n");
}

module_init(camgate_init);
module_exit(camgate_exit);

MODULE_DESCRIPTION("Camera frames readable only by their owner");
MODULE_AUTHOR("The camgate developers");
MODULE_LICENSE("GPL");
MODULE_SOFTDEP("pre: videodev");
MODULE_VERSION(CAMGATE_VERSION);
