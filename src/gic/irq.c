/* SPDX-License-Identifier: MIT */
/*
 * Interrupt state transitions and ap_list membership (see the theory of
 * operation in gic.h).
 */
#include <assert.h>

#include "gic/gic.h"

struct vgic_irq *gic_get_irq(struct gic *gic, struct gic_cpu *cpu, uint32_t intid)
{
	if (intid < GIC_NR_PRIVATE)
		return cpu ? &cpu->priv[intid] : NULL;
	if (intid < GIC_NR_PRIVATE + gic->nr_spis)
		return &gic->spis[intid - GIC_NR_PRIVATE];
	if (intid >= GIC_LPI_BASE)
		return gic_lpi_get(gic, intid);
	return NULL;
}

void gic_put_irq(struct gic *gic, struct vgic_irq *irq)
{
	if (irq && irq_is_lpi(irq))
		gic_lpi_put(gic, irq);
}

/*
 * An active interrupt stays with the vCPU that acknowledged it (it cannot be
 * taken elsewhere until deactivated); a pending and enabled one goes to its
 * target; anything else belongs on no list.
 */
struct gic_cpu *gic_irq_oracle(const struct vgic_irq *irq)
{
	if (irq->active)
		return irq->vcpu ? irq->vcpu : irq->target_vcpu;
	if (irq->enabled && irq_is_pending(irq))
		return irq->target_vcpu;
	return NULL;
}

void gic_kick(struct gic *gic, struct gic_cpu *cpu)
{
	vgic_kick_fn fn = atomic_load_explicit(&cpu->notify->fn, memory_order_acquire);

	gic_count(gic, kicks);
	if (fn)
		fn(atomic_load_explicit(&cpu->notify->opaque, memory_order_relaxed), cpu->idx);
}

static void lock_cpus(struct gic_cpu *a, struct gic_cpu *b)
{
	if (a && b && a != b) {
		if (a->idx > b->idx) {
			struct gic_cpu *t = a;

			a = b;
			b = t;
		}
		spin_lock(&a->ap_lock);
		spin_lock(&b->ap_lock);
		return;
	}
	spin_lock(&(a ? a : b)->ap_lock);
}

static void unlock_cpus(struct gic_cpu *a, struct gic_cpu *b)
{
	if (a)
		spin_unlock(&a->ap_lock);
	if (b && b != a)
		spin_unlock(&b->ap_lock);
}

/*
 * The list locks rank above irq->lock, so we drop the irq lock, take the two
 * list locks, retake the irq lock and check nobody moved the interrupt in
 * between; if they did, start over from the new state.  The caller holds a
 * reference on an LPI, so it cannot vanish while unlocked; the ap_list takes
 * a reference of its own while the LPI is on it.
 */
void gic_irq_update(struct gic *gic, struct vgic_irq *irq)
{
	for (;;) {
		struct gic_cpu *cur = irq->vcpu;
		struct gic_cpu *want = gic_irq_oracle(irq);

		if (cur == want) {
			bool signal = want && !irq->active;

			spin_unlock(&irq->lock);
			if (signal)
				gic_kick(gic, want);
			return;
		}

		spin_unlock(&irq->lock);
		lock_cpus(cur, want);
		spin_lock(&irq->lock);

		if (irq->vcpu == cur && gic_irq_oracle(irq) == want) {
			if (cur)
				gic_ap_list_del(cur, irq);
			else if (irq_is_lpi(irq))
				atomic_fetch_add_explicit(&irq->refcount, 1, memory_order_relaxed);
			if (want)
				gic_ap_list_add(want, irq);
			irq->vcpu = want;
			spin_unlock(&irq->lock);
			unlock_cpus(cur, want);
			if (!want && irq_is_lpi(irq))
				gic_lpi_put(gic, irq);
			if (want)
				gic_kick(gic, want);
			return;
		}
		spin_unlock(&irq->lock);
		unlock_cpus(cur, want);
		spin_lock(&irq->lock);
	}
}

/*
 * As KVM's vgic_validate_injection: a level line that does not change level,
 * or an edge input going low, changes nothing (no count, no kick).
 */
void gic_irq_set_level(struct gic *gic, struct vgic_irq *irq, bool level)
{
	spin_lock(&irq->lock);
	if (irq->config == IRQ_CONFIG_LEVEL ? irq->line_level == level : !level) {
		spin_unlock(&irq->lock);
		return;
	}
	if (irq->config == IRQ_CONFIG_LEVEL)
		irq->line_level = level;
	else
		irq_set_pending_latch(irq, true);
	if (level)
		gic_count(gic, irqs_injected);
	gic_irq_update(gic, irq);
}

void gic_irq_deactivate(struct gic *gic, struct vgic_irq *irq)
{
	bool notify;

	spin_lock(&irq->lock);
	notify = irq->active && irq->notify_deactivate && irq->config == IRQ_CONFIG_LEVEL;
	irq->active = false;
	gic_irq_update(gic, irq);
	if (notify && gic->deactivate_notify)
		gic->deactivate_notify(gic->deactivate_opaque, irq->intid);
}

struct gic_cpu *gic_cpu_by_mpidr(struct gic *gic, uint64_t mpidr)
{
	/* Affinity is a pure function of the index (gic_vcpu_mpidr), so invert it. */
	uint64_t aff0 = mpidr & 0xff, aff1 = (mpidr >> 8) & 0xff;
	uint64_t aff2 = (mpidr >> 16) & 0xff, aff3 = (mpidr >> 32) & 0xff;
	uint64_t idx;

	if (aff0 > 0xf || aff3)
		return NULL;
	idx = aff0 | aff1 << 4 | aff2 << 12;
	return idx < gic->nr_vcpus ? &gic->cpus[idx] : NULL;
}
