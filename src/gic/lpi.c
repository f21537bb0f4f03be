/* SPDX-License-Identifier: MIT */
/*
 * LPIs: the store that maps an INTID (8192 .. 2^16-1) to its struct vgic_irq.
 *
 * Theory of operation
 * -------------------
 * LPIs exist only while an ITS mapping (an ITE) holds a reference, plus the
 * references of the ap_list and of threads using them.  The store is a
 * two-level array of RCU-published pointers: lookups on the injection path
 * take no lock, only a reference that cannot resurrect a dying LPI
 * (increment-if-not-zero).  The last put unpublishes the slot and frees the
 * LPI after a grace period (call_rcu), so a reader that loaded the pointer
 * just before never touches freed memory.  Creation is serialised by
 * lpi_table.lock, which ranks below the ITS lock and above nothing: it is
 * never held together with an ap_lock or irq->lock.
 *
 * 16 ID bits, as KVM: the property table is then 56 KiB and the pending
 * table 8 KiB per redistributor, and the store's top level is 64 chunk
 * pointers; more bits would only make guests allocate larger tables without
 * giving a VM more than the 57344 LPIs it can use.
 *
 * Configuration (priority, enable) lives in the property table at
 * GICR_PROPBASER of the LPI's target and is cached in the vgic_irq; it is
 * re-read on creation, INV, INVALL and when EnableLPIs goes 0 -> 1.  Pending
 * state lives in the vgic_irq while EnableLPIs is 1; it is loaded from
 * GICR_PENDBASER when EnableLPIs goes 0 -> 1 and written back when it goes
 * 1 -> 0.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "common/gmem.h"
#include "common/rcu.h"
#include "gic/gic.h"

#define LPI_CHUNK_BITS	10
#define LPI_CHUNK_SIZE	(1u << LPI_CHUNK_BITS)
#define LPI_NR_CHUNKS	((1u << GIC_IDBITS_LPIS) >> LPI_CHUNK_BITS)

/* Property table entry: bit 0 enable, bits [7:2] priority. */
FIELD(LPI_PROP, ENABLE, 0, 1);
FIELD(LPI_PROP, PRIORITY, 2, 6);

struct lpi_chunk {
	struct vgic_irq *_Atomic slot[LPI_CHUNK_SIZE];
};

struct lpi_table {
	pthread_mutex_t lock;		/* creation and chunk allocation */
	struct lpi_chunk *_Atomic chunk[LPI_NR_CHUNKS];
	atomic_uint nr;			/* live LPIs */
};

struct lpi {
	struct vgic_irq irq;
	struct rcu_head rcu;
};

int gic_lpi_init(struct gic *gic)
{
	struct lpi_table *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	pthread_mutex_init(&t->lock, NULL);
	gic->lpis = t;
	return 0;
}

static bool intid_valid(uint32_t intid)
{
	return intid >= GIC_LPI_BASE && intid < (1u << GIC_IDBITS_LPIS);
}

static struct vgic_irq *_Atomic *slot_of(struct lpi_table *t, uint32_t intid)
{
	struct lpi_chunk *c = vrcu_deref(t->chunk[intid >> LPI_CHUNK_BITS]);

	return c ? &c->slot[intid & (LPI_CHUNK_SIZE - 1)] : NULL;
}

bool gic_lpi_tryget(struct vgic_irq *irq)
{
	unsigned int r = atomic_load_explicit(&irq->refcount, memory_order_relaxed);

	while (r)
		if (atomic_compare_exchange_weak_explicit(&irq->refcount, &r, r + 1,
							  memory_order_acquire,
							  memory_order_relaxed))
			return true;
	return false;
}

struct vgic_irq *gic_lpi_get(struct gic *gic, uint32_t intid)
{
	struct vgic_irq *irq = NULL;
	struct vgic_irq *_Atomic *slot;

	if (!gic->lpis || !intid_valid(intid))
		return NULL;
	vrcu_read_lock();
	slot = slot_of(gic->lpis, intid);
	if (slot) {
		irq = vrcu_deref(*slot);
		if (irq && !gic_lpi_tryget(irq))
			irq = NULL;
	}
	vrcu_read_unlock();
	return irq;
}

void gic_call_rcu(struct rcu_head *head, void (*fn)(struct rcu_head *head))
{
	rcu_tsan_release();
	urcu_bp_call_rcu(head, fn);
}

static void lpi_free_rcu(struct rcu_head *head)
{
	rcu_tsan_acquire();
	free(container_of(head, struct lpi, rcu));
}

void gic_lpi_put(struct gic *gic, struct vgic_irq *irq)
{
	struct vgic_irq *expect = irq;
	struct vgic_irq *_Atomic *slot;

	if (atomic_fetch_sub_explicit(&irq->refcount, 1, memory_order_acq_rel) != 1)
		return;
	/* A racing gic_lpi_create() may already have replaced us: then leave it. */
	slot = slot_of(gic->lpis, irq->intid);
	if (atomic_compare_exchange_strong(slot, &expect, NULL))
		atomic_fetch_sub(&gic->lpis->nr, 1);
	gic_call_rcu(&container_of(irq, struct lpi, irq)->rcu, lpi_free_rcu);
}

uint32_t gic_lpi_limit(struct gic *gic, struct gic_cpu *cpu)
{
	uint64_t pb;
	unsigned int bits;

	if (!cpu)
		cpu = &gic->cpus[0];
	pb = atomic_load(&cpu->propbaser);
	bits = MIN((unsigned int)FIELD_GET(GICR_PROPBASER, IDBITS, pb) + 1, GIC_IDBITS_LPIS);
	return 1u << bits;
}

/*
 * Read the property byte of @irq from its target's table (vCPU 0's if it has
 * no target yet, all redistributors sharing one table as KVM makes them).
 */
static int read_prop(struct gic *gic, const struct vgic_irq *irq, struct gic_cpu *cpu,
		     uint8_t *prop)
{
	uint64_t pa = FIELD_GET(GICR_PROPBASER, PA, atomic_load(&(cpu ? cpu : &gic->cpus[0])->propbaser))
		      << GICR_PROPBASER_PA_SHIFT;

	if (irq->intid >= gic_lpi_limit(gic, cpu)) {
		*prop = 0;	/* beyond the table: out of range, so disabled */
		return 0;
	}
	if (gmem_read(gic->mem, pa + irq->intid - GIC_LPI_BASE, prop, 1)) {
		gic_count(gic, lpi_table_errors);
		return -EFAULT;
	}
	return 0;
}

static void apply_prop(struct gic *gic, struct vgic_irq *irq, uint8_t prop)
{
	spin_lock(&irq->lock);
	irq->priority = (uint8_t)(FIELD_GET(LPI_PROP, PRIORITY, prop) << LPI_PROP_PRIORITY_SHIFT) &
			GIC_PRI_MASK;
	irq->enabled = FIELD_GET(LPI_PROP, ENABLE, prop);
	gic_irq_update(gic, irq);
}

void gic_lpi_sync_config(struct gic *gic, struct vgic_irq *irq)
{
	struct gic_cpu *target;
	uint8_t prop;

	spin_lock(&irq->lock);
	target = irq->target_vcpu;
	spin_unlock(&irq->lock);
	if (!read_prop(gic, irq, target, &prop))
		apply_prop(gic, irq, prop);
}

static uint64_t pend_base(struct gic_cpu *cpu)
{
	return FIELD_GET(GICR_PENDBASER, PA, atomic_load(&cpu->pendbaser))
	       << GICR_PENDBASER_PA_SHIFT;
}

/*
 * A new LPI picks up a pending bit the guest left in the pending table and
 * clears it there, since from now on the state lives in the vgic_irq (KVM's
 * vgic_v3_lpi_sync_pending_status).
 */
static void load_pending_bit(struct gic *gic, struct vgic_irq *irq, struct gic_cpu *cpu)
{
	uint64_t gpa = pend_base(cpu) + irq->intid / 8;
	uint8_t byte, bit = (uint8_t)(1u << (irq->intid % 8));

	if (gmem_read(gic->mem, gpa, &byte, 1)) {
		gic_count(gic, lpi_table_errors);
		return;
	}
	if (!(byte & bit))
		return;
	byte &= (uint8_t)~bit;
	gmem_write(gic->mem, gpa, &byte, 1);
	spin_lock(&irq->lock);
	irq_set_pending_latch(irq, true);
	gic_irq_update(gic, irq);
}

static struct lpi_chunk *chunk_get(struct lpi_table *t, uint32_t intid)
{
	struct lpi_chunk *c = atomic_load(&t->chunk[intid >> LPI_CHUNK_BITS]);

	if (!c) {
		c = calloc(1, sizeof(*c));
		if (c)
			vrcu_assign(t->chunk[intid >> LPI_CHUNK_BITS], c);
	}
	return c;
}

static struct vgic_irq *lpi_new(uint32_t intid, struct gic_cpu *target)
{
	struct lpi *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	spin_init(&l->irq.lock);
	list_init(&l->irq.ap_list);
	l->irq.intid = intid;
	l->irq.target_vcpu = target;
	l->irq.group = 1;		/* LPIs are always Group 1 */
	l->irq.config = IRQ_CONFIG_EDGE;
	atomic_init(&l->irq.refcount, 1);	/* the caller's */
	return &l->irq;
}

struct vgic_irq *gic_lpi_create(struct gic *gic, uint32_t intid, struct gic_cpu *target,
				int *err)
{
	struct lpi_table *t = gic->lpis;
	struct lpi_chunk *c;
	struct vgic_irq *irq, *old;
	uint8_t prop;

	*err = -EINVAL;
	if (!t || !intid_valid(intid))
		return NULL;
	pthread_mutex_lock(&t->lock);
	*err = -ENOMEM;
	c = chunk_get(t, intid);
	irq = c ? lpi_new(intid, target) : NULL;
	if (!irq) {
		pthread_mutex_unlock(&t->lock);
		return NULL;
	}
	old = atomic_load(&c->slot[intid & (LPI_CHUNK_SIZE - 1)]);
	if (old && gic_lpi_tryget(old)) {
		/* Mapped already (another ITE or ITS): share it, as KVM does. */
		pthread_mutex_unlock(&t->lock);
		free(container_of(irq, struct lpi, irq));
		return old;
	}
	if (read_prop(gic, irq, target, &prop)) {
		pthread_mutex_unlock(&t->lock);
		free(container_of(irq, struct lpi, irq));
		*err = -EFAULT;
		return NULL;
	}
	irq->priority = (uint8_t)(FIELD_GET(LPI_PROP, PRIORITY, prop) << LPI_PROP_PRIORITY_SHIFT) &
			GIC_PRI_MASK;
	irq->enabled = FIELD_GET(LPI_PROP, ENABLE, prop);
	/*
	 * Publish.  The store holds no reference: the caller's keeps the LPI
	 * alive.  A dying predecessor's gic_lpi_put() may clear the slot under
	 * us (it takes no lock), hence the exchange: whoever takes the slot from
	 * a dying LPI inherits its place in the count.
	 */
	while (!atomic_compare_exchange_strong(&c->slot[intid & (LPI_CHUNK_SIZE - 1)], &old, irq))
		;
	if (!old)
		atomic_fetch_add(&t->nr, 1);
	pthread_mutex_unlock(&t->lock);
	if (gic_lpis_on(target))
		load_pending_bit(gic, irq, target);
	*err = 0;
	return irq;
}

void gic_lpi_set_target(struct gic *gic, struct vgic_irq *irq, struct gic_cpu *cpu)
{
	assert(gic_lpi_quiesced(gic));	/* a bit must not be left at the old target */
	spin_lock(&irq->lock);
	/* Atomic: gic_lpi_inject_if_pending() reads it without the lock. */
	__atomic_store_n(&irq->target_vcpu, cpu, __ATOMIC_RELAXED);
	gic_irq_update(gic, irq);
}

int gic_lpi_inject(struct gic *gic, struct vgic_irq *irq)
{
	spin_lock(&irq->lock);
	/* Checked under the lock: gic_lpi_enable_changed() writes back under it. */
	if (!gic_lpis_on(irq->target_vcpu)) {
		spin_unlock(&irq->lock);
		return 0;
	}
	gic_count(gic, irqs_injected);
	/*
	 * Already pending: nothing the oracle reads changed, and whoever set it
	 * made the list match and kicked, so the vCPU already knows (as KVM's
	 * vgic_queue_irq_unlock, which leaves a queued interrupt alone).
	 */
	if (irq->pending_latch) {
		spin_unlock(&irq->lock);
		return 1;
	}
	irq_set_pending_latch(irq, true);
	gic_irq_update(gic, irq);
	return 1;
}

/*
 * Reads only, no lock: while MSIs come faster than the vCPU takes them, the
 * LPI's cache line then stays shared between the senders and the vCPU
 * instead of moving to every sender in turn.  Seeing pending_latch set is
 * the point where this MSI takes effect (it merges into that pending state);
 * the target then still has LPIs on unless EnableLPIs is being cleared at
 * this very moment, an MSI racing that write, which may then count as having
 * come first (its only effect is the pending bit the write-back saves).
 */
bool gic_lpi_inject_if_pending(struct gic *gic, struct vgic_irq *irq)
{
	if (!__atomic_load_n(&irq->pending_latch, __ATOMIC_ACQUIRE))
		return false;
	if (!gic_lpis_on(__atomic_load_n(&irq->target_vcpu, __ATOMIC_RELAXED)) ||
	    !atomic_load_explicit(&irq->refcount, memory_order_relaxed))
		return false;
	gic_count(gic, irqs_injected);
	return true;
}

void gic_lpi_clear(struct gic *gic, struct vgic_irq *irq)
{
	assert(gic_lpi_quiesced(gic));	/* else a bit could pend it again */
	spin_lock(&irq->lock);
	irq_set_pending_latch(irq, false);
	gic_irq_update(gic, irq);
}

int gic_lpi_list(struct gic *gic, struct gic_cpu *cpu, uint32_t **intids)
{
	struct lpi_table *t = gic->lpis;
	unsigned int cap, n = 0;
	uint32_t *ids;

	*intids = NULL;
	if (!t)
		return 0;
	pthread_mutex_lock(&t->lock);
	cap = atomic_load(&t->nr);
	ids = malloc((cap ? cap : 1) * sizeof(*ids));
	if (!ids) {
		pthread_mutex_unlock(&t->lock);
		return -ENOMEM;
	}
	for (uint32_t ci = 0; ci < LPI_NR_CHUNKS && n < cap; ci++) {
		struct lpi_chunk *c = atomic_load(&t->chunk[ci]);

		for (uint32_t i = 0; c && i < LPI_CHUNK_SIZE && n < cap; i++) {
			struct vgic_irq *irq = atomic_load(&c->slot[i]);
			bool match;

			if (!irq)
				continue;
			spin_lock(&irq->lock);
			match = !cpu || irq->target_vcpu == cpu;
			spin_unlock(&irq->lock);
			if (match)
				ids[n++] = irq->intid;
		}
	}
	pthread_mutex_unlock(&t->lock);
	*intids = ids;
	return (int)n;
}

/*
 * EnableLPIs 0 -> 1: configuration and pending state come from the tables,
 * unless GICR_PENDBASER.PTZ says the pending table is all zeroes (KVM then
 * does not read it either).
 */
static void lpis_enable(struct gic *gic, struct gic_cpu *cpu, struct vgic_irq *irq)
{
	uint64_t gpa = pend_base(cpu) + irq->intid / 8;
	uint8_t prop = 0, byte = 0;
	bool have_prop = !read_prop(gic, irq, cpu, &prop);
	bool ptz = FIELD_GET(GICR_PENDBASER, PTZ, atomic_load(&cpu->pendbaser));

	if (!ptz && gmem_read(gic->mem, gpa, &byte, 1))
		gic_count(gic, lpi_table_errors);
	spin_lock(&irq->lock);
	if (have_prop) {
		irq->priority = (uint8_t)(FIELD_GET(LPI_PROP, PRIORITY, prop)
					  << LPI_PROP_PRIORITY_SHIFT) & GIC_PRI_MASK;
		irq->enabled = FIELD_GET(LPI_PROP, ENABLE, prop);
	}
	if (byte & (1u << (irq->intid % 8)))
		irq_set_pending_latch(irq, true);
	gic_irq_update(gic, irq);
}

/* EnableLPIs 1 -> 0: the pending state goes back to the table, the lists drop it. */
static void lpis_disable(struct gic *gic, struct gic_cpu *cpu, struct vgic_irq *irq)
{
	uint64_t gpa = pend_base(cpu) + irq->intid / 8;
	uint8_t byte, bit = (uint8_t)(1u << (irq->intid % 8));
	bool pending;

	spin_lock(&irq->lock);
	pending = irq->pending_latch;
	irq_set_pending_latch(irq, false);
	gic_irq_update(gic, irq);
	if (gmem_read(gic->mem, gpa, &byte, 1)) {
		gic_count(gic, lpi_table_errors);
		return;
	}
	byte = pending ? (byte | bit) : (byte & (uint8_t)~bit);
	gmem_write(gic->mem, gpa, &byte, 1);
}

/*
 * 1 -> 0 closes the bitmap gate first: an MSI that saw LPIs on has then set
 * its bit and been folded, so the write-back below saves it.
 */
void gic_lpi_enable_changed(struct gic *gic, struct gic_cpu *cpu, bool enabled)
{
	uint32_t *ids;
	int n;

	if (enabled)
		gic_lpi_pend_enable(cpu);	/* -ENOMEM: MSIs just take the locked path */
	else
		gic_lpi_quiesce(gic);
	n = gic_lpi_list(gic, cpu, &ids);

	for (int i = 0; i < n; i++) {
		struct vgic_irq *irq = gic_lpi_get(gic, ids[i]);

		if (!irq)
			continue;
		if (enabled)
			lpis_enable(gic, cpu, irq);
		else
			lpis_disable(gic, cpu, irq);
		gic_lpi_put(gic, irq);
	}
	free(ids);
	if (enabled)
		return;
	if (gic->lpis_disabled)
		gic->lpis_disabled(gic->lpis_disabled_opaque, cpu);
	gic_lpi_resume(gic);
}

void gic_lpi_usage(struct gic *gic, uint64_t *nr, uint64_t *bytes)
{
	struct lpi_table *t = gic->lpis;
	uint64_t n = 0, b = 0;

	if (t) {
		pthread_mutex_lock(&t->lock);
		n = atomic_load(&t->nr);
		b = sizeof(*t) + n * sizeof(struct lpi);
		for (uint32_t ci = 0; ci < LPI_NR_CHUNKS; ci++)
			if (atomic_load(&t->chunk[ci]))
				b += sizeof(struct lpi_chunk);
		pthread_mutex_unlock(&t->lock);
	}
	*nr = n;
	*bytes = b;
}

/*
 * No caller thread is left (vgic_vm_destroy's contract): free without grace
 * periods.  LPIs already unpublished are freed by their call_rcu callback,
 * which touches nothing else; we do not wait for it with rcu_barrier(), whose
 * internals ThreadSanitizer cannot follow.
 */
void gic_lpi_destroy(struct gic *gic)
{
	struct lpi_table *t = gic->lpis;

	if (!t)
		return;
	for (uint32_t ci = 0; ci < LPI_NR_CHUNKS; ci++) {
		struct lpi_chunk *c = atomic_load(&t->chunk[ci]);

		for (uint32_t i = 0; c && i < LPI_CHUNK_SIZE; i++) {
			struct vgic_irq *irq = atomic_load(&c->slot[i]);

			if (irq)
				free(container_of(irq, struct lpi, irq));
		}
		free(c);
	}
	pthread_mutex_destroy(&t->lock);
	free(t);
	for (uint32_t i = 0; i < gic->nr_vcpus; i++)
		gic_lpi_pend_free(&gic->cpus[i]);
	gic->lpis = NULL;
}
