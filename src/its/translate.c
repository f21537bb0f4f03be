/* SPDX-License-Identifier: MIT */
/*
 * (DeviceID, EventID) -> LPI and target vCPU, then injection.  The fast path
 * is a translation-cache hit: no lock, one bit in the target vCPU's LPI
 * pending bitmap (gic/lpi_pend.c).  A miss takes
 * its->lock, walks the mappings and fills the cache with translations that
 * can deliver (a mapped event in a mapped collection whose redistributor has
 * LPIs enabled), so that a blocked MSI never gets cached.
 */
#include <errno.h>

#include "common/rcu.h"
#include "its/its.h"

/* The mapped LPI for the pair, with a reference, or NULL.  its->lock held. */
static struct vgic_irq *resolve(struct vgic_its *its, uint32_t devid, uint32_t eventid)
{
	struct its_event *ev = its_find_event(its, devid, eventid);
	struct gic_cpu *cpu;

	if (!ev)
		return NULL;
	cpu = its_collection_cpu(its, ev->icid);
	if (!cpu || !(atomic_load(&cpu->gicr_ctlr) & FIELD_MASK(GICR_CTLR, ENABLE_LPIS)))
		return NULL;
	if (!gic_lpi_tryget(ev->irq))
		return NULL;
	its_cache_insert(its, devid, eventid,
			 &(struct its_translation){ ev->irq, cpu, ev->irq->intid });
	return ev->irq;
}

/*
 * A cache hit sets the LPI's bit in its target's pending bitmap
 * (gic_lpi_signal), reading nothing but the cache entry.  While the bitmaps
 * are shut (an ITS command or EnableLPIs write changing LPI state), a hit on
 * an LPI that is still pending changes nothing but counters, and inside the
 * RCU section the LPI cannot be freed: no reference is taken.  Both return
 * true.  Otherwise *@irq is the cached LPI with a reference, or NULL.
 */
static bool cache_hit(struct vgic_its *its, uint32_t devid, uint32_t eventid,
		      struct vgic_irq **irq)
{
	uint32_t epoch = gic_lpi_epoch(its->gic);
	const struct its_translation *tr;
	struct vgic_irq *c = NULL;
	bool done = false;

	vrcu_read_lock();
	tr = its_cache_find(its, devid, eventid);
	if (tr) {
		c = tr->irq;
		done = gic_lpi_signal(its->gic, tr->target, tr->intid, epoch) ||
		       gic_lpi_inject_if_pending(its->gic, c);
		if (!done && !gic_lpi_tryget(c))
			c = NULL;
	}
	vrcu_read_unlock();
	if (c)
		its_count(its, cache_hits);
	else
		its_count(its, cache_misses);
	*irq = done ? NULL : c;
	return done;
}

int its_translate(struct vgic_its *its, uint32_t devid, uint32_t eventid, bool locked)
{
	struct vgic_irq *irq = NULL;
	int ret;

	if (!atomic_load_explicit(&its->enabled, memory_order_acquire)) {
		its_count(its, msis_disabled);
		its_count(its, msis_blocked);
		return -EBUSY;
	}
	if (!locked) {
		if (cache_hit(its, devid, eventid, &irq))
			return 1;
	} else {
		its_count(its, cache_misses);	/* INT: the slow path, under the lock */
	}
	if (!irq) {
		if (!locked)
			pthread_mutex_lock(&its->lock);
		/* Disabling the ITS empties the cache under the lock: check again. */
		if (atomic_load(&its->enabled))
			irq = resolve(its, devid, eventid);
		if (!locked)
			pthread_mutex_unlock(&its->lock);
	}
	ret = irq ? gic_lpi_inject(its->gic, irq) : 0;
	if (irq)
		gic_lpi_put(its->gic, irq);
	if (!ret)
		its_count(its, msis_blocked);
	return ret;
}
