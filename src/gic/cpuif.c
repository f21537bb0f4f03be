/* SPDX-License-Identifier: MIT */
/*
 * The GICv3 CPU interface of one vCPU, behind its ICC_* system registers.
 *
 * Priorities have GIC_PRI_BITS (5) implemented bits, so there are 32 group
 * priorities and one active-priority register per group (AP0R0, AP1R0): bit n
 * set means an interrupt of group priority n << 3 is active and not yet
 * priority-dropped.  The running priority is the lowest set bit of both.
 * An interrupt is signalled when it is enabled, pending, not active, its group
 * is enabled in the distributor and the CPU interface, its priority is below
 * PMR, and its group priority is below the running priority (preemption).
 * In the single security state, Group 0 is signalled as FIQ, Group 1 as IRQ.
 */
#include <assert.h>
#include <errno.h>

#include "gic/gic.h"

FIELD(ICC_CTLR, CBPR, 0, 1);
FIELD(ICC_CTLR, EOIMODE, 1, 1);
FIELD(ICC_CTLR, PRIBITS, 8, 3);
FIELD(ICC_CTLR, IDBITS, 11, 3);
FIELD(ICC_CTLR, A3V, 15, 1);

FIELD(ICC_SRE, SRE, 0, 1);
FIELD(ICC_SRE, DFB, 1, 1);
FIELD(ICC_SRE, DIB, 2, 1);

FIELD(ICC_SGIR, TARGETLIST, 0, 16);
FIELD(ICC_SGIR, AFF1, 16, 8);
FIELD(ICC_SGIR, INTID, 24, 4);
FIELD(ICC_SGIR, AFF2, 32, 8);
FIELD(ICC_SGIR, IRM, 40, 1);
FIELD(ICC_SGIR, RS, 44, 4);
FIELD(ICC_SGIR, AFF3, 48, 8);

FIELD(ICC_IAR, INTID, 0, 24);
FIELD(ICC_IGRPEN, ENABLE, 0, 1);
FIELD(ICC_BPR, BINARYPOINT, 0, 3);

#define PRI_SHIFT	(8 - GIC_PRI_BITS)
#define BPR0_MIN	(7 - GIC_PRI_BITS)
#define BPR1_MIN	(BPR0_MIN + 1)

static bool intid_is_special(uint32_t intid)
{
	return intid >= 1020 && intid <= 1023;
}

/* Group-priority mask: the bits of a priority that count for preemption. */
static uint8_t gprio_mask(const struct cpuif *cif, unsigned int group)
{
	unsigned int bpr = (group == 0 || cif->cbpr) ? cif->bpr0 : cif->bpr1 - 1u;

	return (uint8_t)(0xffu << (bpr + 1));
}

static uint8_t running_prio(const struct cpuif *cif)
{
	uint32_t ap = cif->apr[0] | cif->apr[1];

	return ap ? (uint8_t)(__builtin_ctz(ap) << PRI_SHIFT) : GIC_PRI_IDLE;
}

/* The distributor's one enable (GICD_CTLR.EnableGrp1, as KVM) gates both groups. */
static bool group_enabled(const struct gic *gic, const struct cpuif *cif, unsigned int group)
{
	uint32_t dctlr = atomic_load_explicit(&((struct gic *)gic)->ctlr, memory_order_relaxed);

	if (!(dctlr & FIELD_MASK(GICD_CTLR, ENABLE_G1A)))
		return false;
	return group == 0 ? cif->grpen0 : cif->grpen1;
}

struct hppi {
	uint32_t intid;		/* GIC_INTID_SPURIOUS if none */
	uint8_t prio;
	uint8_t group;
	struct vgic_irq *irq;	/* on the list: valid while ap_lock is held */
};

/*
 * Highest-priority pending interrupt on @cpu's list whose group is enabled.
 * Ties go to the lowest INTID so that results are deterministic.  The list
 * can be long (a burst of LPIs), so the loop body is kept to the lock and a
 * few loads: group enables are read once, and for an enabled, pending,
 * inactive interrupt the oracle is its target.
 * Must be called with cpu->ap_lock held.
 */
static struct hppi find_hppi(struct gic *gic, struct gic_cpu *cpu)
{
	struct hppi best = { .intid = GIC_INTID_SPURIOUS, .prio = GIC_PRI_IDLE };
	bool grp_on[2] = { group_enabled(gic, &cpu->cif, 0), group_enabled(gic, &cpu->cif, 1) };
	struct list_node *n, *t;
	unsigned int listed = 0;

	list_for_each_safe(n, t, &cpu->ap_list) {
		struct vgic_irq *irq = container_of(n, struct vgic_irq, ap_list);

		listed++;
		spin_lock(&irq->lock);
		if (irq->enabled && irq_is_pending(irq) && !irq->active &&
		    irq->target_vcpu == cpu && grp_on[irq->group] &&
		    (best.intid == GIC_INTID_SPURIOUS || irq->priority < best.prio ||
		     (irq->priority == best.prio && irq->intid < best.intid))) {
			best.intid = irq->intid;
			best.prio = irq->priority;
			best.group = irq->group;
			best.irq = irq;
		}
		spin_unlock(&irq->lock);
	}
	/* gic_cpuif_pending()'s lock-free answer relies on the count. */
	assert(listed == atomic_load_explicit(&cpu->nr_listed, memory_order_relaxed));
	(void)listed;
	return best;
}

static bool can_signal(const struct cpuif *cif, const struct hppi *h)
{
	return h->intid != GIC_INTID_SPURIOUS && h->prio < cif->pmr &&
	       (h->prio & gprio_mask(cif, h->group)) < running_prio(cif);
}

/*
 * O(1) and lock-free when nothing is listed and no LPI bit waits: only a
 * listed interrupt can be signalled.  An injection racing this check is
 * followed by a kick, so answering 0 just orders the check before it.
 */
unsigned int gic_cpuif_pending(struct gic *gic, struct gic_cpu *cpu)
{
	unsigned int ret = 0;
	struct gic_fold f;
	struct hppi h;

	if (!atomic_load_explicit(&cpu->nr_listed, memory_order_acquire) &&
	    !gic_lpi_bits_waiting(cpu))
		return 0;
	gic_lpi_lock_folded(gic, cpu, &f);
	h = find_hppi(gic, cpu);
	if (can_signal(&cpu->cif, &h))
		ret = h.group ? VGIC_PENDING_IRQ : VGIC_PENDING_FIQ;
	spin_unlock(&cpu->ap_lock);
	gic_lpi_fold_finish(gic, &f);
	return ret;
}

/*
 * Take @intid off the pending state and make it active (LPIs have no active
 * state).  Both locks held.  Returns true if it must leave the list, which the
 * caller does while still holding ap_lock.
 */
static bool acknowledge(struct vgic_irq *irq)
{
	irq_set_pending_latch(irq, false);
	if (!irq_is_lpi(irq))
		irq->active = true;
	return gic_irq_oracle(irq) == NULL;
}

static uint64_t read_iar(struct gic *gic, struct gic_cpu *cpu, unsigned int group)
{
	struct cpuif *cif = &cpu->cif;
	struct vgic_irq *drop = NULL;
	uint32_t intid = GIC_INTID_SPURIOUS;
	struct gic_fold f;
	struct hppi h;

	gic_lpi_lock_folded(gic, cpu, &f);
	h = find_hppi(gic, cpu);
	if (can_signal(cif, &h) && h.group == group) {
		/*
		 * The one on our list, not a lookup by INTID: with ap_lock held it
		 * cannot leave the list, and the list holds a reference.
		 */
		struct vgic_irq *irq = h.irq;

		spin_lock(&irq->lock);
		if (irq->vcpu == cpu && irq->enabled && irq_is_pending(irq) && !irq->active) {
			intid = h.intid;
			cif->apr[group] |= 1u << ((h.prio & gprio_mask(cif, group)) >> PRI_SHIFT);
			if (irq_is_lpi(irq))
				gic_lpi_acked(cpu, intid);
			if (acknowledge(irq)) {
				gic_ap_list_del(cpu, irq);
				irq->vcpu = NULL;
				if (irq_is_lpi(irq))
					drop = irq;
			}
		}
		spin_unlock(&irq->lock);
	}
	spin_unlock(&cpu->ap_lock);
	gic_lpi_fold_finish(gic, &f);
	if (drop)
		gic_lpi_put(gic, drop);	/* the list's reference */
	if (intid == GIC_INTID_SPURIOUS)
		gic_count(gic, spurious_acks);
	return intid;
}

static uint64_t read_hppir(struct gic *gic, struct gic_cpu *cpu, unsigned int group)
{
	struct gic_fold f;
	struct hppi h;

	gic_lpi_lock_folded(gic, cpu, &f);
	h = find_hppi(gic, cpu);
	spin_unlock(&cpu->ap_lock);
	gic_lpi_fold_finish(gic, &f);
	return h.group == group ? h.intid : GIC_INTID_SPURIOUS;
}

/* LPIs have no active state: nothing to look up for them. */
static void deactivate(struct gic *gic, struct gic_cpu *cpu, uint32_t intid)
{
	struct vgic_irq *irq = intid < GIC_LPI_BASE ? gic_get_irq(gic, cpu, intid) : NULL;

	if (irq)
		gic_irq_deactivate(gic, irq);
}

/*
 * Priority drop: clear the highest active priority, whatever its group (on a
 * tie the Group 1 bit goes first), and return it, or GIC_PRI_IDLE if nothing
 * was active.  This is what a KVM guest's virtual CPU interface does
 * (ICV_EOIR<n>_EL1, KVM's __vgic_v3_clear_highest_active_priority).
 * ap_lock held.
 */
static uint8_t drop_priority(struct cpuif *cif)
{
	uint32_t ap = cif->apr[0] | cif->apr[1];
	uint32_t bit;

	if (!ap)
		return GIC_PRI_IDLE;
	bit = ap & -ap;
	if (cif->apr[1] & bit)
		cif->apr[1] &= ~bit;
	else
		cif->apr[0] &= ~bit;
	return (uint8_t)(__builtin_ctz(ap) << PRI_SHIFT);
}

/*
 * EOIR always drops the priority.  In EOImode 0 it also deactivates @intid,
 * but only if that interrupt is active on this vCPU, in the EOIR's group, at
 * the group priority just dropped: an EOI of the wrong interrupt changes
 * nothing else (KVM's __vgic_v3_write_eoir; the GIC counts it in EOIcount).
 */
static void write_eoir(struct gic *gic, struct gic_cpu *cpu, unsigned int group, uint64_t val)
{
	uint32_t intid = FIELD_GET(ICC_IAR, INTID, val);
	struct vgic_irq *irq;
	uint8_t dropped, mask;
	bool split, match;

	if (intid_is_special(intid))
		return;
	spin_lock(&cpu->ap_lock);
	dropped = drop_priority(&cpu->cif);
	split = cpu->cif.eoimode;
	mask = gprio_mask(&cpu->cif, group);
	spin_unlock(&cpu->ap_lock);
	/* An LPI has no active state: the priority drop was all of its EOI. */
	if (split || dropped == GIC_PRI_IDLE || intid >= GIC_LPI_BASE)
		return;
	irq = gic_get_irq(gic, cpu, intid);	/* no LPI: no reference to drop */
	if (!irq)
		return;
	spin_lock(&irq->lock);
	match = irq->active && irq->vcpu == cpu && irq->group == group &&
		(irq->priority & mask) == dropped;
	spin_unlock(&irq->lock);
	if (match)
		gic_irq_deactivate(gic, irq);
}

/* DIR deactivates only in EOImode 1; with EOImode 0 the architecture leaves it
 * UNPREDICTABLE and we ignore it, as KVM and QEMU do. */
static void write_dir(struct gic *gic, struct gic_cpu *cpu, uint64_t val)
{
	uint32_t intid = FIELD_GET(ICC_IAR, INTID, val);
	bool split;

	if (intid_is_special(intid))
		return;
	spin_lock(&cpu->ap_lock);
	split = cpu->cif.eoimode;
	spin_unlock(&cpu->ap_lock);
	if (split)
		deactivate(gic, cpu, intid);
}

static void pend_sgi(struct gic *gic, struct gic_cpu *target, uint32_t sgi, bool allow_g1)
{
	struct vgic_irq *irq = &target->priv[sgi];

	spin_lock(&irq->lock);
	/* An SGI1R write may pend an SGI of either group; SGI0R only Group 0 ones (KVM). */
	if (irq->group && !allow_g1) {
		spin_unlock(&irq->lock);
		return;
	}
	irq_set_pending_latch(irq, true);
	gic_count(gic, irqs_injected);
	gic_irq_update(gic, irq);
}

/* SGI generation: IRM=1 targets every other PE, else Aff3.Aff2.Aff1.<RS*16+n>. */
static void write_sgir(struct gic *gic, struct gic_cpu *cpu, uint64_t val, bool allow_g1)
{
	uint32_t sgi = FIELD_GET(ICC_SGIR, INTID, val);

	if (FIELD_GET(ICC_SGIR, IRM, val)) {
		for (uint32_t i = 0; i < gic->nr_vcpus; i++)
			if (i != cpu->idx)
				pend_sgi(gic, &gic->cpus[i], sgi, allow_g1);
		return;
	}

	uint64_t base = FIELD_GET(ICC_SGIR, AFF1, val) << 8 | FIELD_GET(ICC_SGIR, AFF2, val) << 16 |
			FIELD_GET(ICC_SGIR, AFF3, val) << 32;
	uint32_t list = FIELD_GET(ICC_SGIR, TARGETLIST, val);
	uint32_t rs = FIELD_GET(ICC_SGIR, RS, val);

	while (list) {
		uint32_t bit = __builtin_ctz(list);
		struct gic_cpu *t = gic_cpu_by_mpidr(gic, base | (rs * 16 + bit));

		list &= list - 1;
		if (t)
			pend_sgi(gic, t, sgi, allow_g1);
	}
}

/* ---- register table ---- */

struct icc_reg {
	uint32_t enc;
	int (*read)(struct gic *gic, struct gic_cpu *cpu, uint64_t *val);
	int (*write)(struct gic *gic, struct gic_cpu *cpu, uint64_t val);
};

/* Handlers that only touch CPU-interface fields run with ap_lock held. */
#define LOCKED_RW(name, rexpr, wstmt)                                                  \
	static int name##_read(struct gic *gic, struct gic_cpu *cpu, uint64_t *val)      \
	{                                                                              \
		struct cpuif *cif = &cpu->cif;                                         \
		(void)gic;                                                             \
		spin_lock(&cpu->ap_lock);                                              \
		*val = (rexpr);                                                        \
		spin_unlock(&cpu->ap_lock);                                            \
		return 0;                                                              \
	}                                                                              \
	static int name##_write(struct gic *gic, struct gic_cpu *cpu, uint64_t val)      \
	{                                                                              \
		struct cpuif *cif = &cpu->cif;                                         \
		spin_lock(&cpu->ap_lock);                                              \
		wstmt;                                                                 \
		spin_unlock(&cpu->ap_lock);                                            \
		(void)val;                                                             \
		gic_kick(gic, cpu); /* a wider mask may expose a pending interrupt */  \
		return 0;                                                              \
	}

LOCKED_RW(pmr, cif->pmr, cif->pmr = (uint8_t)val & GIC_PRI_MASK)
LOCKED_RW(bpr0, cif->bpr0, cif->bpr0 = MAX((uint8_t)FIELD_GET(ICC_BPR, BINARYPOINT, val), BPR0_MIN))
/* With CBPR set, BPR1 reads as BPR0 + 1 (saturated) and ignores writes. */
LOCKED_RW(bpr1, cif->cbpr ? MIN(cif->bpr0 + 1u, 7u) : cif->bpr1,
	  if (!cif->cbpr) cif->bpr1 = MAX((uint8_t)FIELD_GET(ICC_BPR, BINARYPOINT, val), BPR1_MIN))
LOCKED_RW(igrpen0, cif->grpen0, cif->grpen0 = FIELD_GET(ICC_IGRPEN, ENABLE, val))
LOCKED_RW(igrpen1, cif->grpen1, cif->grpen1 = FIELD_GET(ICC_IGRPEN, ENABLE, val))
LOCKED_RW(ap0r0, cif->apr[0], cif->apr[0] = (uint32_t)val)
LOCKED_RW(ap1r0, cif->apr[1], cif->apr[1] = (uint32_t)val)
LOCKED_RW(ctlr,
	  FIELD_DP(ICC_CTLR, CBPR, cif->cbpr) | FIELD_DP(ICC_CTLR, EOIMODE, cif->eoimode) |
	  FIELD_DP(ICC_CTLR, PRIBITS, GIC_PRI_BITS - 1) | FIELD_DP(ICC_CTLR, A3V, 1),
	  cif->cbpr = FIELD_GET(ICC_CTLR, CBPR, val);
	  cif->eoimode = FIELD_GET(ICC_CTLR, EOIMODE, val))

/* With 5 priority bits only AP<n>R0 exists; the others read as zero. */
static int raz_read(struct gic *gic, struct gic_cpu *cpu, uint64_t *val)
{
	(void)gic, (void)cpu;
	*val = 0;
	return 0;
}

static int wi_write(struct gic *gic, struct gic_cpu *cpu, uint64_t val)
{
	(void)gic, (void)cpu, (void)val;
	return 0;
}

/* System register access is always on: SRE, DFB and DIB read as one. */
static int sre_read(struct gic *gic, struct gic_cpu *cpu, uint64_t *val)
{
	(void)gic, (void)cpu;
	*val = FIELD_DP(ICC_SRE, SRE, 1) | FIELD_DP(ICC_SRE, DFB, 1) | FIELD_DP(ICC_SRE, DIB, 1);
	return 0;
}

static int rpr_read(struct gic *gic, struct gic_cpu *cpu, uint64_t *val)
{
	(void)gic;
	spin_lock(&cpu->ap_lock);
	*val = running_prio(&cpu->cif);
	spin_unlock(&cpu->ap_lock);
	return 0;
}

static int iar0_read(struct gic *g, struct gic_cpu *c, uint64_t *v) { *v = read_iar(g, c, 0); return 0; }
static int iar1_read(struct gic *g, struct gic_cpu *c, uint64_t *v) { *v = read_iar(g, c, 1); return 0; }
static int hppir0_read(struct gic *g, struct gic_cpu *c, uint64_t *v) { *v = read_hppir(g, c, 0); return 0; }
static int hppir1_read(struct gic *g, struct gic_cpu *c, uint64_t *v) { *v = read_hppir(g, c, 1); return 0; }
static int eoir0_write(struct gic *g, struct gic_cpu *c, uint64_t v) { write_eoir(g, c, 0, v); return 0; }
static int eoir1_write(struct gic *g, struct gic_cpu *c, uint64_t v) { write_eoir(g, c, 1, v); return 0; }
static int dir_write(struct gic *g, struct gic_cpu *c, uint64_t v) { write_dir(g, c, v); return 0; }
static int sgi1r_write(struct gic *g, struct gic_cpu *c, uint64_t v) { write_sgir(g, c, v, true); return 0; }
/* ASGI1R targets the other security state; with one state it behaves as SGI0R (KVM). */
static int sgi0r_write(struct gic *g, struct gic_cpu *c, uint64_t v) { write_sgir(g, c, v, false); return 0; }

static const struct icc_reg icc_regs[] = {
	{ ICC_PMR_EL1, pmr_read, pmr_write },
	{ ICC_IAR0_EL1, iar0_read, NULL },
	{ ICC_EOIR0_EL1, NULL, eoir0_write },
	{ ICC_HPPIR0_EL1, hppir0_read, NULL },
	{ ICC_BPR0_EL1, bpr0_read, bpr0_write },
	{ ICC_AP0R0_EL1, ap0r0_read, ap0r0_write },
	{ ICC_AP0R1_EL1, raz_read, wi_write },
	{ ICC_AP0R2_EL1, raz_read, wi_write },
	{ ICC_AP0R3_EL1, raz_read, wi_write },
	{ ICC_AP1R0_EL1, ap1r0_read, ap1r0_write },
	{ ICC_AP1R1_EL1, raz_read, wi_write },
	{ ICC_AP1R2_EL1, raz_read, wi_write },
	{ ICC_AP1R3_EL1, raz_read, wi_write },
	{ ICC_DIR_EL1, NULL, dir_write },
	{ ICC_RPR_EL1, rpr_read, NULL },
	{ ICC_SGI1R_EL1, NULL, sgi1r_write },
	{ ICC_ASGI1R_EL1, NULL, sgi0r_write },
	{ ICC_SGI0R_EL1, NULL, sgi0r_write },
	{ ICC_IAR1_EL1, iar1_read, NULL },
	{ ICC_EOIR1_EL1, NULL, eoir1_write },
	{ ICC_HPPIR1_EL1, hppir1_read, NULL },
	{ ICC_BPR1_EL1, bpr1_read, bpr1_write },
	{ ICC_CTLR_EL1, ctlr_read, ctlr_write },
	{ ICC_SRE_EL1, sre_read, wi_write },
	{ ICC_IGRPEN0_EL1, igrpen0_read, igrpen0_write },
	{ ICC_IGRPEN1_EL1, igrpen1_read, igrpen1_write },
};

static const struct icc_reg *icc_find(uint32_t enc)
{
	for (size_t i = 0; i < ARRAY_SIZE(icc_regs); i++)
		if (icc_regs[i].enc == enc)
			return &icc_regs[i];
	return NULL;
}

int gic_cpuif_read(struct gic *gic, struct gic_cpu *cpu, uint32_t enc, uint64_t *val)
{
	const struct icc_reg *r = icc_find(enc);

	if (!r)
		return -ENOENT;
	if (!r->read) {
		gic_count(gic, sysreg_bad_access);
		return -EPERM;
	}
	return r->read(gic, cpu, val);
}

int gic_cpuif_write(struct gic *gic, struct gic_cpu *cpu, uint32_t enc, uint64_t val)
{
	const struct icc_reg *r = icc_find(enc);

	if (!r)
		return -ENOENT;
	if (!r->write) {
		gic_count(gic, sysreg_bad_access);
		return -EPERM;
	}
	return r->write(gic, cpu, val);
}
