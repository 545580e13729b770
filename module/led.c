// SPDX-License-Identifier: GPL-2.0
/*
 * The streaming indicator: LED triggers.
 *
 *   camgate           lit while any guarded node's queue streams
 *   camgate-<node>    lit while that node's queue streams
 *
 * A board binds its privacy LED to one of them (the LED's "trigger" file,
 * or linux,default-trigger in its device tree).  The state comes from the
 * registry (camgate_dev_streaming(), from vb2's start and stop), not from
 * any process, so user space can neither light nor dim it through camgate.
 *
 * A per-node trigger is made when a node of that name is first guarded
 * and kept until camgate unloads, so that an LED bound to "camgate-video0"
 * stays bound while the camera is unplugged and lights again when it
 * comes back under the same name.
 *
 * Once the configuration is locked, every LED bound to a camgate trigger
 * is taken away from sysfs with led_sysfs_disable(), the flag the V4L2
 * flash framework uses for LEDs it drives: the LED core then refuses
 * writes to its "trigger" and "brightness" files with -EBUSY, whoever the
 * writer is, and nothing in sysfs clears the flag.  An LED bound after the
 * lock is sealed the same way, a moment after its binding.  What this does
 * not stop (the LED's driver unbound or unloaded, the hardware reached
 * another way) is listed in Documentation/design.rst, "The streaming
 * indicator"; an LED that leaves a trigger while locked is logged.
 *
 * Locking: led_lock, a leaf under the queue lock and the LED core's
 * trigger_lock, protects the lit counts, the list of bound LEDs and each
 * guard's led_on.  led_access, taken by the LED core before trigger_lock,
 * is only ever tried (mutex_trylock) under led_lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/leds.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "camgate.h"

#if IS_ENABLED(CONFIG_LEDS_TRIGGERS)

struct camgate_led {
	struct led_trigger trig;
	struct list_head node;		/* node_leds; led_lock */
	unsigned int lit;		/* streaming guards; led_lock */
	char name[48];			/* "camgate-<node>" */
};

/* An LED bound to a camgate trigger: its trigger_data. */
struct bound_led {
	struct list_head node;		/* bound_leds; led_lock */
	struct led_classdev *led;	/* alive until deactivate */
	bool sealed;			/* sysfs disabled; led_lock */
};

static DEFINE_MUTEX(led_lock);
static LIST_HEAD(node_leds);
static LIST_HEAD(bound_leds);
static struct camgate_led any_led;
static bool leds_exiting;		/* our own unregistration; led_lock */
static void seal_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(seal_work, seal_work_fn);

static enum led_brightness level(unsigned int lit)
{
	return lit ? LED_FULL : LED_OFF;
}

static int cg_led_activate(struct led_classdev *led)
{
	struct camgate_led *cl = container_of(led->trigger, struct camgate_led,
					      trig);
	struct bound_led *b = kzalloc(sizeof(*b), GFP_KERNEL);

	if (!b)
		return -ENOMEM;
	b->led = led;
	mutex_lock(&led_lock);
	list_add_tail(&b->node, &bound_leds);
	led_set_trigger_data(led, b);
	/* Under led_lock: no stream change can slip between these two. */
	led_set_brightness(led, level(cl->lit));
	mutex_unlock(&led_lock);
	/* Pairs with lock_store()'s release: bound after the lock, sealed. */
	if (smp_load_acquire(&camgate_locked))
		mod_delayed_work(system_wq, &seal_work, 0);
	return 0;
}

static void cg_led_deactivate(struct led_classdev *led)
{
	struct bound_led *b = led_get_trigger_data(led);

	mutex_lock(&led_lock);
	list_del(&b->node);
	if (b->sealed && !leds_exiting)
		pr_warn("LED %s left trigger %s while the configuration is locked (LED unregistered?)\n",
			dev_name(led->dev), led->trigger->name);
	mutex_unlock(&led_lock);
	kfree(b);
}

static void led_setup(struct camgate_led *cl)
{
	cl->trig.name = cl->name;
	cl->trig.activate = cg_led_activate;
	cl->trig.deactivate = cg_led_deactivate;
}

/*
 * One pass over the bound LEDs; returns true if one must be tried again
 * (its led_access is held: someone is writing its sysfs files, possibly
 * waiting for led_lock in deactivate, so we do not wait for it here).
 */
static bool seal_pass(void)
{
	struct bound_led *b;
	bool again = false;

	mutex_lock(&led_lock);
	list_for_each_entry(b, &bound_leds, node) {
		if (b->sealed)
			continue;
		if (!mutex_trylock(&b->led->led_access)) {
			again = true;
			continue;
		}
		led_sysfs_disable(b->led);
		mutex_unlock(&b->led->led_access);
		b->sealed = true;
		pr_info("LED %s bound to %s: sealed until reboot\n",
			dev_name(b->led->dev), b->led->trigger->name);
	}
	mutex_unlock(&led_lock);
	return again;
}

static void seal_work_fn(struct work_struct *work)
{
	if (seal_pass())
		mod_delayed_work(system_wq, &seal_work, 1);
}

/**
 * camgate_led_lock() - Seal every LED bound to a camgate trigger.
 *
 * Called once, when the configuration is locked: from then on neither the
 * trigger nor the brightness of such an LED can be written through sysfs.
 *
 * Context: process context, camgate_locked set; may sleep.
 */
void camgate_led_lock(void)
{
	int tries;

	for (tries = 0; tries < 100 && seal_pass(); tries++)
		msleep(20);
	if (tries == 100)
		mod_delayed_work(system_wq, &seal_work, 1);
}

/**
 * camgate_led_stream() - Light or dim the triggers of a node.
 * @dev: the guard.
 * @on: whether its queue streams now.
 *
 * Telling the same state twice changes nothing.
 * Context: process context, usually under the queue's lock.
 */
void camgate_led_stream(struct camgate_dev *dev, bool on)
{
	mutex_lock(&led_lock);
	if (dev->led_on != on) {
		dev->led_on = on;
		if (dev->led) {
			dev->led->lit += on ? 1 : -1;
			led_trigger_event(&dev->led->trig,
					  level(dev->led->lit));
		}
		any_led.lit += on ? 1 : -1;
		led_trigger_event(&any_led.trig, level(any_led.lit));
	}
	mutex_unlock(&led_lock);
}

/**
 * camgate_led_add_dev() - Find or make the trigger "camgate-<node>".
 * @dev: a new guard, not yet streaming.
 *
 * Without memory, or if the name is taken, the node has no trigger of its
 * own (logged); "camgate" still covers it.
 *
 * Context: process context (add_dev); may sleep.
 */
void camgate_led_add_dev(struct camgate_dev *dev)
{
	struct camgate_led *cl;
	int err;

	mutex_lock(&led_lock);
	list_for_each_entry(cl, &node_leds, node) {
		if (!strcmp(cl->name + strlen("camgate-"), dev->name)) {
			dev->led = cl;
			mutex_unlock(&led_lock);
			return;
		}
	}
	mutex_unlock(&led_lock);

	cl = kzalloc(sizeof(*cl), GFP_KERNEL);
	if (!cl)
		return;		/* the allocator has said so */
	snprintf(cl->name, sizeof(cl->name), "camgate-%s", dev->name);
	led_setup(cl);
	/* Not under led_lock: a default-trigger LED is activated in here. */
	err = led_trigger_register(&cl->trig);
	if (err) {
		pr_err("%s: no LED trigger of its own (%d)\n", dev->name, err);
		kfree(cl);
		return;
	}
	mutex_lock(&led_lock);
	list_add_tail(&cl->node, &node_leds);
	dev->led = cl;
	mutex_unlock(&led_lock);
}

/**
 * camgate_led_init() - Register the trigger "camgate".
 *
 * Return: 0, or led_trigger_register()'s error (-EEXIST).
 */
int camgate_led_init(void)
{
	strscpy(any_led.name, "camgate", sizeof(any_led.name));
	led_setup(&any_led);
	return led_trigger_register(&any_led.trig);
}

/**
 * camgate_led_exit() - Unregister every camgate trigger.
 *
 * Context: module exit or a failed load, after every guard is gone; the
 * configuration is not locked (a lock pins the module).
 */
void camgate_led_exit(void)
{
	struct camgate_led *cl, *tmp;

	mutex_lock(&led_lock);
	leds_exiting = true;
	mutex_unlock(&led_lock);
	/* Each bound LED is deactivated (led_lock) in here. */
	list_for_each_entry_safe(cl, tmp, &node_leds, node) {
		led_trigger_unregister(&cl->trig);
		list_del(&cl->node);
		kfree(cl);
	}
	led_trigger_unregister(&any_led.trig);
	cancel_delayed_work_sync(&seal_work);
}

#else /* !CONFIG_LEDS_TRIGGERS: no indicator */

int camgate_led_init(void)
{
	return 0;
}

void camgate_led_exit(void)
{
}

void camgate_led_add_dev(struct camgate_dev *dev)
{
}

void camgate_led_stream(struct camgate_dev *dev, bool on)
{
}

void camgate_led_lock(void)
{
}

#endif
