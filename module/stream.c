// SPDX-License-Identifier: GPL-2.0
/*
 * Streaming state, seen where vb2 changes it.
 *
 * A guarded node's vb2 queue (vdev->queue) gets a copy of its driver's
 * vb2_ops in which start_streaming and stop_streaming are wrapped.  vb2
 * calls them, under the queue's lock, exactly when capture starts (the
 * first STREAMON with enough buffers queued, or the first read()) and when
 * it stops (STREAMOFF, the release of the streaming file, a revocation's
 * queue stop, the driver's unregistration), whoever the caller is, so the
 * registry hears of every change with nothing added to the owner's
 * per-call path: every other entry of the copy is the driver's own.
 *
 * Lifetime: the copy lives in the guard and is installed and taken out
 * with the guard's file operations (add_dev, the last camgate_dev_put()).
 * A caller that loaded the copy's entry just before it was taken out is
 * covered as for the file operations: the guard is freed after an
 * RCU-tasks grace period (it has entered the wrapper, which takes
 * camgate_srcu at once) and an SRCU grace period (it has left).
 *
 * Queues that are not vdev->queue (mem2mem devices, whose queues are per
 * file) are not seen: their nodes never show as streaming.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <media/videobuf2-core.h>

#include "camgate.h"

static int cg_start_streaming(struct vb2_queue *q, unsigned int count);
static void cg_stop_streaming(struct vb2_queue *q);

/*
 * The guard whose copy @q's ops are, or NULL once the driver's table is
 * back (the caller loaded our entry just before): then *ops is the
 * driver's.  Context: inside an SRCU read section of camgate_srcu.
 */
static struct camgate_dev *queue_dev(struct vb2_queue *q,
				     const struct vb2_ops **ops)
{
	const struct vb2_ops *cur = READ_ONCE(q->ops);
	struct camgate_dev *dev;

	if (cur->start_streaming != cg_start_streaming) {
		*ops = cur;
		return NULL;
	}
	dev = container_of(cur, struct camgate_dev, qops);
	*ops = dev->orig_qops;
	return dev;
}

static int cg_start_streaming(struct vb2_queue *q, unsigned int count)
{
	int idx = srcu_read_lock(&camgate_srcu);
	const struct vb2_ops *ops;
	struct camgate_dev *dev = queue_dev(q, &ops);
	int ret;

	ret = ops->start_streaming ? ops->start_streaming(q, count) : 0;
	if (!ret && dev && !READ_ONCE(dev->streaming)) {
		WRITE_ONCE(dev->streaming, true);
		dev->stream_pid = task_tgid_nr(current);
		dev->stream_uid = from_kuid(&init_user_ns, current_euid());
		camgate_dev_streaming(dev, true);
	}
	srcu_read_unlock(&camgate_srcu, idx);
	return ret;
}

static void cg_stop_streaming(struct vb2_queue *q)
{
	int idx = srcu_read_lock(&camgate_srcu);
	const struct vb2_ops *ops;
	struct camgate_dev *dev = queue_dev(q, &ops);

	if (ops->stop_streaming)
		ops->stop_streaming(q);
	if (dev && READ_ONCE(dev->streaming)) {
		WRITE_ONCE(dev->streaming, false);
		camgate_dev_streaming(dev, false);
	}
	srcu_read_unlock(&camgate_srcu, idx);
}

/**
 * camgate_stream_wrap() - Watch a guarded node's queue start and stop.
 * @dev: the guard, not yet installed (add_dev).
 *
 * Nodes without a vb2 queue in vdev->queue, or whose queue another guard
 * still wraps (a node registered again before the old guard's last file
 * closed), are left alone.  A queue that is already streaming counts as
 * streaming from now on, its starter unknown (pid 0).
 *
 * Context: process context, in add_dev, before the guard is installed.
 */
void camgate_stream_wrap(struct camgate_dev *dev)
{
	struct vb2_queue *q = dev->vdev->queue;

	if (!q || !q->ops || q->ops->start_streaming == cg_start_streaming)
		return;
	dev->queue = q;
	dev->orig_qops = q->ops;
	dev->qops = *q->ops;
	dev->qops.start_streaming = cg_start_streaming;
	dev->qops.stop_streaming = cg_stop_streaming;
	/* vb2 loads q->ops and calls through it: release, as for fops. */
	smp_store_release(&q->ops, &dev->qops);
	/*
	 * Without the queue's lock: add_dev runs under the class's mutex,
	 * which a driver may take (unregistering a node) with the queue's
	 * lock held.  A stream that starts from now on is seen by the
	 * wrapper; one that started before is seen here, as streaming_show()
	 * sees it, unless it is starting at this very moment.
	 */
	if (vb2_is_streaming(q) && vb2_start_streaming_called(q) &&
	    !READ_ONCE(dev->streaming)) {
		WRITE_ONCE(dev->streaming, true);
		camgate_dev_streaming(dev, true);
	}
}

/**
 * camgate_stream_unwrap() - Put the driver's queue operations back.
 * @dev: the guard, its last users reference gone.
 *
 * A queue still counted as streaming (its stop not seen: a driver that
 * frees the queue without stopping it) is told stopped now.
 *
 * Context: process context, where camgate_dev_put() puts the file
 * operations back; the vdev, and so its queue, is alive.
 */
void camgate_stream_unwrap(struct camgate_dev *dev)
{
	struct vb2_queue *q = dev->queue;

	if (!q)
		return;
	if (READ_ONCE(q->ops) == &dev->qops)
		WRITE_ONCE(q->ops, dev->orig_qops);
	/*
	 * Without the queue's lock (a caller of camgate_dev_put() may hold
	 * it): a stop racing with this one may tell "stopped" twice, which
	 * every listener takes as once.
	 */
	if (READ_ONCE(dev->streaming)) {
		WRITE_ONCE(dev->streaming, false);
		camgate_dev_streaming(dev, false);
	}
}
