/* SPDX-License-Identifier: GPL-2.0 */
/*
 * camgate internals shared between the module's files.
 *
 * Objects and their lifetimes:
 *
 *  - struct camgate_owner: one device's owner credential and generation.
 *    Immutable while published; replaced as a whole under the device's
 *    cfg_lock (by the other of the device's two, no allocation) and read
 *    under RCU.
 *
 *  - struct camgate_dev: one guarded video_device.  Holds the driver's
 *    v4l2_file_operations and the wrapper table installed in its place.
 *    Referenced by the registry while the node is registered and by every
 *    file opened through camgate (users).  When users drops to zero the
 *    driver's table is put back and the object is freed after every caller
 *    that could still be entering the wrapper has left (RCU-tasks + SRCU).
 *
 *  - struct camgate_file: one file opened through camgate, with the
 *    capability minted at open.  Found by struct file * under RCU.
 */
#ifndef _CAMGATE_H
#define _CAMGATE_H

#include <linux/cred.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/srcu.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>
#include <media/v4l2-dev.h>
#include <media/v4l2-device.h>
#include <media/videobuf2-core.h>
#include <kunit/visibility.h>

struct camgate_owner {
	kuid_t uid;		/* INVALID_UID: no owner uid */
	kgid_t gid;		/* INVALID_GID: no owner gid */
	u64 gen;		/* capability generation, never 0 */
	bool deny_unowned;	/* set-up failed: unowned means denied */
};

/*
 * The address space a file or dma-buf was last mmap()ed into, recorded
 * before the check, so that a revocation can wait for an mmap that passed
 * the old check to link its mapping before it unmaps (device.c).  Under
 * the lock of the list the record's owner is on.
 */
struct camgate_mapper {
	struct mm_struct *mm;	/* grabbed (mmgrab()), or NULL */
	unsigned long seq;	/* last revocation round that waited for it */
};

/*
 * A guard's copy of its driver's vb2_ops (stream.c), filled in when the
 * queue is wrapped: checkpatch wants every vb2_ops const, which a copy
 * that is written cannot be.
 */
#define camgate_vb2_ops_copy	vb2_ops

struct camgate_dev {
	struct kobject kobj;		/* sysfs directory; release frees us */
	struct hlist_node node;		/* camgate_devs; camgate_devs_lock, RCU */
	struct video_device *vdev;	/* valid while users > 0 */
	const struct v4l2_file_operations *orig;	/* driver's table */
	struct v4l2_file_operations fops;		/* installed in vdev */
	struct camgate_owner __rcu *owner;		/* cfg_lock, RCU */
	/*
	 * owner points at one of these; an update fills the other, once no
	 * reader can still see it (owner_gp), so that taking rights away
	 * never needs memory.  cfg_lock.
	 */
	struct camgate_owner owners[2];
	unsigned long owner_gp;	/* RCU state when the other was retired */
	struct mutex cfg_lock;		/* owner updates; before the queue lock */
	refcount_t users;		/* registry + files opened through us */
	struct list_head files;		/* camgate_file.dev_node; files lock */
	struct list_head cap_files;	/* camgate_file.cap_node; files lock */
	struct list_head dmabufs;	/* exported dma-bufs; dmabufs lock */
	unsigned long zap_seq;		/* revocation round; cfg_lock */
	atomic64_t denials;
	int last_denial;		/* enum camgate_deny; READ/WRITE_ONCE */
	bool registered;		/* registry ref held; class iface only */
	bool capture;			/* delivers captured data itself */
	/*
	 * The camera the node belongs to (device.c, "Groups"): its media
	 * device, else its v4l2_device, else NULL (a group of one).  Only
	 * compared, and only with registered guards' (whose devices are
	 * alive).  member_node is on the registered list while registered
	 * (camgate_devs_lock); group_round is the last owner propagation
	 * that reached it (camgate_group_lock).
	 */
	const void *group;
	struct list_head member_node;
	unsigned long group_round;
	bool in_sysfs;			/* kobject added; class iface only */
	struct proc_dir_entry *holders;	/* holders file; class iface only */
	char name[32];			/* node name, for logs */
	char id[80];			/* "<parent>/<vdev name>", stable */
	struct work_struct free_work;
	struct rcu_head rcu;

	/*
	 * Streaming state and what is told of it (stream.c, notify.c,
	 * led.c).  queue's ops point at qops, a copy of the driver's with
	 * start_streaming and stop_streaming wrapped, from add_dev until
	 * the driver's table is put back with vdev->fops.
	 */
	struct vb2_queue *queue;	/* wrapped queue, or NULL */
	const struct vb2_ops *orig_qops;	/* the driver's queue ops */
	struct camgate_vb2_ops_copy qops;	/* installed in queue */
	bool streaming;			/* the queue's lock */
	pid_t stream_pid;		/* who started it; the queue's lock */
	uid_t stream_uid;
	struct camgate_led *led;	/* "camgate-<node>" trigger, or NULL */
	bool led_on;			/* counted as lit; led.c's lock */
	struct mutex uevent_lock;	/* uevent_live; a leaf */
	bool uevent_live;		/* kobject in sysfs: uevents may go */
	bool notify_dead;		/* no more deny_work; READ/WRITE_ONCE */
	struct delayed_work deny_work;	/* the coalesced "deny" uevent */
	unsigned long deny_sent;	/* jiffies of the last one; deny_work */
	pid_t deny_pid;			/* the last denial, a racy snapshot */
	uid_t deny_uid;
	int deny_op;			/* enum camgate_op */
};

struct camgate_file {
	struct hlist_node node;		/* camgate_files; files lock, RCU */
	struct hlist_node hold_node;	/* camgate_holders if cap_gen; ditto */
	struct list_head dev_node;	/* camgate_dev.files; files lock */
	struct list_head cap_node;	/* camgate_dev.cap_files if cap_gen; ditto */
	const struct file *file;	/* key */
	struct camgate_dev *dev;	/* holds a users reference */
	u64 cap_gen;			/* capability generation, 0: none */
	kuid_t uid;			/* opener's euid, for holders */
	pid_t pid;			/* opener, for holders */
	char comm[TASK_COMM_LEN];
	unsigned long zap_seq;		/* last revocation round; files lock */
	bool bare;			/* let through without a capability */
	struct camgate_mapper mapper;	/* last mmap's; files lock */
	struct rcu_head rcu;
};

/* What a denied call was trying to do, for counters and logs. */
enum camgate_op {
	CAMGATE_OP_READ,
	CAMGATE_OP_WRITE,
	CAMGATE_OP_POLL,
	CAMGATE_OP_MMAP,
	CAMGATE_OP_IOCTL,
	CAMGATE_OP_COMPAT_IOCTL,
	CAMGATE_OP_UNMAPPED_AREA,
	CAMGATE_OP_RECEIVE,
	CAMGATE_OP_DMABUF_MMAP,
	CAMGATE_OP_DMABUF_ATTACH,
	CAMGATE_OP_BINDER,
};

/* Why a frame access was refused (sysfs last_denial, the log line). */
enum camgate_deny {
	CAMGATE_DENY_NONE,		/* no denial yet */
	CAMGATE_DENY_NO_OWNER,		/* no owner, default policy deny */
	CAMGATE_DENY_NO_CAP,		/* the file holds no capability */
	CAMGATE_DENY_STALE,		/* revoked or owner changed since open */
	CAMGATE_DENY_CRED,		/* the opener no longer matches */
	CAMGATE_DENY_PASSED,		/* another process has the file */
};

extern struct srcu_struct camgate_srcu;
extern bool camgate_default_allow;	/* READ_ONCE; camgate_cfg_mutex */
extern struct mutex camgate_cfg_mutex;
extern bool camgate_locked;		/* camgate_cfg_mutex */
extern struct kobject *camgate_devices_kobj;
extern spinlock_t camgate_files_lock;	/* files hash, camgate_dev.files */

/* policy.c: the pure decisions. */
bool camgate_cred_matches(const struct cred *cred,
			  const struct camgate_owner *owner);
bool camgate_owner_set(const struct camgate_owner *owner);
u64 camgate_cap_mint(const struct camgate_owner *owner,
		     const struct cred *cred);
bool camgate_may_access(const struct camgate_owner *owner, bool default_allow,
			u64 cap_gen, const struct cred *cred);

/**
 * camgate_may_access_uid() - The owner's common case of camgate_may_access().
 * @owner: the device's owner credential now.
 * @cap_gen: the file's capability generation, 0 if it holds none.
 * @cred: the calling task's credential, now.
 *
 * Inline, for the owner's hot path: an owner uid is set, the capability is
 * of the owner's current generation, and @cred's effective uid is the owner
 * uid (owner->gen is never 0, so a file without a capability, @cap_gen 0,
 * never passes).  Whenever it is true, camgate_may_access() is true; when it is false
 * nothing is decided (an owner gid, the default policy): ask
 * camgate_may_access().
 *
 * Return: true to allow; false to ask camgate_may_access().
 */
static __always_inline bool
camgate_may_access_uid(const struct camgate_owner *owner, u64 cap_gen,
		       const struct cred *cred)
{
	return cap_gen == owner->gen && uid_valid(owner->uid) &&
	       uid_eq(cred->euid, owner->uid);
}

bool camgate_ioctl_is_query(unsigned int cmd);
bool camgate_subdev_ioctl_is_query(unsigned int cmd);

/* media.c: the media device of a guarded camera. */
#ifdef CONFIG_MEDIA_CONTROLLER
int camgate_media_init(void);
void camgate_media_exit(void);
void camgate_media_scan(const void *group);
void camgate_media_revoke(const void *group);
bool camgate_media_ioctl_is_query(unsigned int cmd, bool compat);
#else
static inline int camgate_media_init(void) { return 0; }
static inline void camgate_media_exit(void) { }
static inline void camgate_media_scan(const void *group) { }
static inline void camgate_media_revoke(const void *group) { }
#endif
bool camgate_ctrl_is_public(u32 flags);

/* caller.c: every credential a caller acts with. */
bool camgate_caller_acts_for(const struct camgate_owner *owner);
bool camgate_caller_may_access(const struct camgate_owner *owner,
			       bool default_allow, u64 cap_gen);

/**
 * camgate_caller_plain_cred() - camgate_caller_plain(), given current_cred().
 * @cred: the calling task's current_cred(), already read.
 *
 * Context: the calling task.
 * Return: true for a plain caller.
 */
static __always_inline bool camgate_caller_plain_cred(const struct cred *cred)
{
	return likely(cred == rcu_access_pointer(current->real_cred) &&
		      !(current->flags & PF_IO_WORKER));
}

/**
 * camgate_caller_plain() - Does the caller act with its own credential only?
 *
 * True for a task with no override_creds() in force that is not an
 * io_uring thread: current_cred() is then all there is to check.
 * io_uring's threads and overridden credentials take
 * camgate_caller_acts_for().
 *
 * Context: the calling task.
 * Return: true for a plain caller.
 */
static __always_inline bool camgate_caller_plain(void)
{
	return camgate_caller_plain_cred(current_cred());
}

/* ctrl.c: control values for tasks without a capability. */
long camgate_ctrl_get(struct camgate_dev *dev, struct file *file,
		      unsigned long arg);

/* device.c: discovery and the guarded-device registry. */
struct mm_struct *camgate_mapper_set(struct camgate_mapper *m);
void camgate_mapper_noted(struct mm_struct *old);
void camgate_mapper_pick(struct camgate_mapper *m, unsigned long seq,
			 struct mm_struct **mm);
bool camgate_mapper_wait(struct mm_struct *mm);
void camgate_mapper_release(struct camgate_mapper *m);
int camgate_devices_init(void);
void camgate_devices_exit(void);
struct camgate_dev *camgate_dev_find(const struct video_device *vdev);
bool camgate_dev_tryget(struct camgate_dev *dev);
void camgate_dev_put(struct camgate_dev *dev);
void camgate_dev_release(struct camgate_dev *dev);
int camgate_dev_set_owner(struct camgate_dev *dev, const kuid_t *uid,
			  const kgid_t *gid);
int camgate_dev_revoke(struct camgate_dev *dev);
int camgate_devices_lock_owners(void);
bool camgate_group_captures(const void *group);

/* The camera's name: its v4l2_device's (registered nodes have one). */
static inline const char *camgate_group_name(const struct video_device *vdev)
{
	return vdev->v4l2_dev ? vdev->v4l2_dev->name : "";
}

bool camgate_group_may_access(const void *group);
unsigned int camgate_dev_count_caps(struct camgate_dev *dev);

/* deny.c: refused accesses, their reasons, counters and log lines. */
enum camgate_deny camgate_deny_reason(const struct camgate_owner *owner,
				      u64 cap_gen, bool opener);
const char *camgate_deny_name(enum camgate_deny why);
const char *camgate_op_name(enum camgate_op op);
void camgate_count_denial(struct camgate_dev *dev, enum camgate_op op,
			  unsigned int cmd, enum camgate_deny why);

/* What the registry tells about a device (device.c), and who listens. */
void camgate_dev_streaming(struct camgate_dev *dev, bool on);

/* stream.c: the queue's start and stop, seen. */
void camgate_stream_wrap(struct camgate_dev *dev);
void camgate_stream_unwrap(struct camgate_dev *dev);

/* notify.c: uevents on the device's kobject. */
extern const struct kset_uevent_ops camgate_uevent_ops;
void camgate_notify_init_dev(struct camgate_dev *dev);
void camgate_notify_add(struct camgate_dev *dev);
void camgate_notify_remove(struct camgate_dev *dev);
void camgate_notify_retire(struct camgate_dev *dev);
void camgate_notify_stream(struct camgate_dev *dev, bool on);
void camgate_notify_owner(struct camgate_dev *dev,
			  const struct camgate_owner *owner, bool revoke);
void camgate_notify_deny(struct camgate_dev *dev, enum camgate_op op);

/* led.c: the LED triggers "camgate" and "camgate-<node>". */
int camgate_led_init(void);
void camgate_led_exit(void);
void camgate_led_add_dev(struct camgate_dev *dev);
void camgate_led_stream(struct camgate_dev *dev, bool on);
void camgate_led_lock(void);

/* audit.c: audit records. */
void camgate_audit_deny(struct camgate_dev *dev, enum camgate_op op,
			unsigned int cmd, enum camgate_deny why);
void camgate_audit_owner(struct camgate_dev *dev,
			 const struct camgate_owner *owner, bool revoke);
void camgate_audit_lock(void);

/* v4l2.c: the capture-path wrappers. */
void camgate_v4l2_wrap(struct camgate_dev *dev);
enum camgate_deny camgate_file_deny_reason(struct camgate_dev *dev,
					   struct file *file);
void camgate_v4l2_zap(struct camgate_dev *dev, unsigned long seq);
void camgate_v4l2_quiet(struct camgate_dev *dev, unsigned long seq);
void camgate_v4l2_wait_mappers(struct camgate_dev *dev, unsigned long seq);

/* dmabuf.c: exported dma-bufs bound to their device. */
extern const struct file_operations *camgate_dma_buf_fops;	/* READ_ONCE */
struct camgate_dmabuf;
struct dma_buf;
struct camgate_dmabuf *camgate_dmabuf_alloc(void);
void camgate_dmabuf_free(struct camgate_dmabuf *b);
int camgate_dmabuf_bind(struct camgate_dmabuf *b, struct dma_buf *dmabuf,
			struct camgate_dev *dev, u64 cap_gen);
long camgate_dmabuf_expbuf(struct camgate_dev *dev, u64 cap_gen,
			   struct file *file, unsigned long arg);
bool camgate_dmabuf_binding(struct file *file, struct camgate_dev **dev,
			    u64 *gen);
void camgate_dmabuf_zap(struct camgate_dev *dev, unsigned long seq);
int camgate_dmabuf_init(void);
void camgate_dmabuf_exit(void);

/* sock.c: the file-receive check. */
int camgate_sock_init(void);
void camgate_sock_exit(void);
void camgate_sock_note_fops(const struct file_operations *fops);
struct camgate_dev *camgate_file_guard(struct file *file);

/* creds.c: mappings a credential change takes away. */
int camgate_creds_init(void);
void camgate_creds_exit(void);

/* sysfs.c: configuration. */
int camgate_sysfs_init(void);
void camgate_sysfs_exit(void);
int camgate_sysfs_add_dev(struct camgate_dev *dev);
extern const struct kobj_type camgate_dev_ktype;
int camgate_parse_uid(const char *buf, kuid_t *uid);
int camgate_parse_gid(const char *buf, kgid_t *gid);
int camgate_parse_policy(const char *buf, bool *allow);
int camgate_parse_revoke(const char *buf);

/* holders.c: /proc/camgate/holders. */
int camgate_holders_init(void);
void camgate_holders_exit(void);
int camgate_holders_add(struct camgate_dev *dev);
void camgate_holders_remove(struct camgate_dev *dev);

/* symbols.c: what the kernel does not export. */
void *camgate_lookup_data(const char *name);
void *camgate_lookup_named(const char *sym, size_t name_off, const char *want);

#endif /* _CAMGATE_H */
