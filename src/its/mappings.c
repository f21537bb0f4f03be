/* SPDX-License-Identifier: MIT */
/* The ITS's host-side mappings: lookups and teardown.  its->lock held throughout. */
#include <stdlib.h>

#include "its/its.h"

struct its_device *its_find_device(struct vgic_its *its, uint32_t devid)
{
	struct hnode *n = hmap_find(&its->devices, devid);

	return n ? container_of(n, struct its_device, node) : NULL;
}

struct its_event *its_find_event(struct vgic_its *its, uint32_t devid, uint32_t eventid)
{
	struct hnode *n = hmap_find(&its->events, ITS_EVENT_KEY(devid, eventid));

	return n ? container_of(n, struct its_event, node) : NULL;
}

struct its_collection *its_find_collection(struct vgic_its *its, uint16_t icid)
{
	struct hnode *n = hmap_find(&its->collections, icid);

	return n ? container_of(n, struct its_collection, node) : NULL;
}

struct gic_cpu *its_collection_cpu(struct vgic_its *its, uint16_t icid)
{
	struct its_collection *c = its_find_collection(its, icid);

	return c ? &its->gic->cpus[c->target] : NULL;
}

/*
 * The cache entry goes first, then the LPI reference: a reader that still
 * finds the entry during the grace period fails gic_lpi_tryget() if this was
 * the last reference.  The pending state goes too (DISCARD's definition; for
 * MAPD V=0 on a device with live events the spec leaves it UNPREDICTABLE and
 * we make it behave as a DISCARD of each).
 */
void its_event_free(struct vgic_its *its, struct its_event *ev)
{
	its->work++;
	its_cache_forget(its, ev->dev->id, ev->eventid);
	hmap_remove(&its->events, &ev->node);
	list_del(&ev->dev_link);
	gic_lpi_clear(its->gic, ev->irq);
	gic_lpi_put(its->gic, ev->irq);
	free(ev);
}

void its_device_free(struct vgic_its *its, struct its_device *dev)
{
	struct list_node *n, *t;

	list_for_each_safe(n, t, &dev->events)
		its_event_free(its, container_of(n, struct its_event, dev_link));
	hmap_remove(&its->devices, &dev->node);
	free(dev);
}

struct retarget {
	struct vgic_its *its;
	uint16_t icid;
	struct gic_cpu *cpu;
};

static void retarget_one(struct hnode *n, void *opaque)
{
	struct its_event *ev = container_of(n, struct its_event, node);
	struct retarget *r = opaque;

	if (ev->icid == r->icid)
		gic_lpi_set_target(r->its->gic, ev->irq, r->cpu);
}

void its_collection_retarget(struct vgic_its *its, uint16_t icid, struct gic_cpu *cpu)
{
	struct retarget r = { its, icid, cpu };

	its->work += its->events.nr;
	hmap_for_each(&its->events, retarget_one, &r);
}
