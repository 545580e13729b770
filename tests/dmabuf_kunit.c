// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: dma-bufs bound to their device.  A test exporter stands in for
 * vb2: binding identifies the dma-buf from the dma-buf itself, never an
 * unrelated one (including one made after it was released), release
 * unbinds and runs the exporter's release, and importers are checked
 * against the owner and the generation.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/dma-buf.h>
#include <linux/file.h>

#include "camgate.h"
#include "compat.h"
#include "kunit_util.h"

CAMGATE_IMPORT_NS(DMA_BUF);

static const struct file_operations plain_fops;

/*
 * The one dma-buf a case watches (its priv is &watched_releases): only its
 * releases are counted.  The others are put at their case's end, and a
 * kthread's last fput is delayed: they may be released during a later case.
 */
static atomic_t watched_releases;
static int unwatched;

static struct sg_table *test_map(struct dma_buf_attachment *a,
				 enum dma_data_direction dir)
{
	return ERR_PTR(-EINVAL);
}

static void test_unmap(struct dma_buf_attachment *a, struct sg_table *sgt,
		       enum dma_data_direction dir)
{
}

static void test_release(struct dma_buf *dmabuf)
{
	if (dmabuf->priv == &watched_releases)
		atomic_inc(&watched_releases);
}

static const struct dma_buf_ops test_ops = {
	.map_dma_buf = test_map,
	.unmap_dma_buf = test_unmap,
	.release = test_release,
};

static void test_dmabuf_put(void *dmabuf)
{
	dma_buf_put(dmabuf);
}

/* A watched dma-buf is the case's to put; the others are put at its end. */
static struct dma_buf *test_export(struct kunit *test, bool watched)
{
	DEFINE_DMA_BUF_EXPORT_INFO(info);
	struct dma_buf *dmabuf;

	info.ops = &test_ops;
	info.priv = watched ? (void *)&watched_releases : &unwatched;
	info.size = PAGE_SIZE;
	info.flags = O_RDWR;
	dmabuf = dma_buf_export(&info);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dmabuf));
	if (!watched) {
		int err = kunit_add_action_or_reset(test, test_dmabuf_put,
						    dmabuf);

		KUNIT_ASSERT_EQ(test, 0, err);
	}
	return dmabuf;
}

static struct camgate_dmabuf *test_bind(struct kunit *test,
					struct dma_buf *dmabuf,
					struct camgate_dev *dev)
{
	struct camgate_dmabuf *b = camgate_dmabuf_alloc();

	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_EQ(test, 0, camgate_dmabuf_bind(b, dmabuf, dev, 1));
	return b;
}

static void dmabuf_bound_is_identified(struct kunit *test)
{
	struct camgate_dev *dev = test_dev(test, 1000, ID_NONE), *found;
	struct dma_buf *bound = test_export(test, false);
	struct dma_buf *other = test_export(test, false);
	struct file *plain;
	u64 gen = 0;

	test_bind(test, bound, dev);
	KUNIT_EXPECT_TRUE(test, camgate_dmabuf_binding(bound->file, &found,
						       &gen));
	KUNIT_EXPECT_PTR_EQ(test, dev, found);
	KUNIT_EXPECT_EQ(test, 1ULL, gen);
	KUNIT_EXPECT_FALSE(test, camgate_dmabuf_binding(other->file, &found,
							&gen));
	plain = anon_inode_getfile("camgate-test", &plain_fops, NULL,
				   O_RDONLY);
	KUNIT_ASSERT_FALSE(test, IS_ERR(plain));
	KUNIT_EXPECT_FALSE(test, camgate_dmabuf_binding(plain, &found, &gen));
	fput(plain);
}

static void dmabuf_bind_twice_refused(struct kunit *test)
{
	struct camgate_dev *dev = test_dev(test, 1000, ID_NONE);
	struct dma_buf *dmabuf = test_export(test, false);
	struct camgate_dmabuf *b;

	test_bind(test, dmabuf, dev);
	b = camgate_dmabuf_alloc();
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, -EBUSY, camgate_dmabuf_bind(b, dmabuf, dev, 1));
	camgate_dmabuf_free(b);
}

/*
 * The last put runs the exporter's release through camgate's and unbinds;
 * a dma-buf exported afterwards (possibly in the same memory) is unbound.
 */
static void dmabuf_release_unbinds(struct kunit *test)
{
	struct camgate_dev *dev = test_dev(test, 1000, ID_NONE), *found;
	struct dma_buf *dmabuf, *later;
	u64 gen;

	atomic_set(&watched_releases, 0);
	dmabuf = test_export(test, true);
	test_bind(test, dmabuf, dev);
	KUNIT_EXPECT_FALSE(test, list_empty(&dev->dmabufs));
	KUNIT_EXPECT_EQ(test, 2, kref_read(&dev->kobj.kref));
	/*
	 * The last reference, put synchronously: a kthread's fput() would hand
	 * it to the delayed-fput work, which flush_delayed_fput() does not wait
	 * for once the work has taken it.
	 */
	__fput_sync(dmabuf->file);
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&watched_releases));
	KUNIT_EXPECT_TRUE(test, list_empty(&dev->dmabufs));
	KUNIT_EXPECT_EQ(test, 1, kref_read(&dev->kobj.kref));
	later = test_export(test, false);
	KUNIT_EXPECT_FALSE(test, camgate_dmabuf_binding(later->file, &found,
							&gen));
}

/* Importers attach in their own context: checked like any frame access. */
static void dmabuf_attach_checks_owner(struct kunit *test)
{
	struct camgate_dev *dev = test_dev(test, 1000, ID_NONE);
	struct dma_buf *dmabuf = test_export(test, false);
	struct dma_buf_attachment *a;
	struct device *importer;
	kuid_t root = GLOBAL_ROOT_UID;

	importer = kunit_device_register(test, "camgate-importer");
	KUNIT_ASSERT_FALSE(test, IS_ERR(importer));
	test_bind(test, dmabuf, dev);
	/* The test runs as root, not the owner (uid 1000). */
	a = dma_buf_attach(dmabuf, importer);
	KUNIT_EXPECT_EQ(test, -EACCES, PTR_ERR_OR_ZERO(a));
	if (!IS_ERR(a))
		dma_buf_detach(dmabuf, a);
	/* Root made owner: still the generation the dma-buf was made in? No. */
	KUNIT_ASSERT_EQ(test, 0, camgate_dev_set_owner(dev, &root, NULL));
	a = dma_buf_attach(dmabuf, importer);
	KUNIT_EXPECT_EQ(test, -EACCES, PTR_ERR_OR_ZERO(a));
	if (!IS_ERR(a))
		dma_buf_detach(dmabuf, a);
}

static void dmabuf_attach_by_owner(struct kunit *test)
{
	struct camgate_dev *dev = test_dev(test, 0, ID_NONE);
	struct dma_buf *dmabuf = test_export(test, false);
	struct dma_buf_attachment *a;
	struct device *importer;

	importer = kunit_device_register(test, "camgate-importer");
	KUNIT_ASSERT_FALSE(test, IS_ERR(importer));
	test_bind(test, dmabuf, dev);
	a = dma_buf_attach(dmabuf, importer);
	KUNIT_EXPECT_FALSE(test, IS_ERR(a));
	if (!IS_ERR(a))
		dma_buf_detach(dmabuf, a);
	KUNIT_ASSERT_EQ(test, 0, camgate_dev_revoke(dev));
	a = dma_buf_attach(dmabuf, importer);
	KUNIT_EXPECT_EQ(test, -EACCES, PTR_ERR_OR_ZERO(a));
	if (!IS_ERR(a))
		dma_buf_detach(dmabuf, a);
}

static struct kunit_case dmabuf_test_cases[] = {
	KUNIT_CASE(dmabuf_bound_is_identified),
	KUNIT_CASE(dmabuf_bind_twice_refused),
	KUNIT_CASE(dmabuf_release_unbinds),
	KUNIT_CASE(dmabuf_attach_checks_owner),
	KUNIT_CASE(dmabuf_attach_by_owner),
	{}
};

static struct kunit_suite dmabuf_test_suite = {
	.name = "camgate_dmabuf",
	.test_cases = dmabuf_test_cases,
};

kunit_test_suite(dmabuf_test_suite);
