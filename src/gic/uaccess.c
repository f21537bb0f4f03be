/* SPDX-License-Identifier: MIT */
/*
 * The GIC as the VMM sees it when it saves and restores a VM (KVM's uaccess
 * handlers).  Userspace moves state, it does not act as a guest: the pending
 * latch and the line level of a level interrupt travel separately (ISPENDR
 * and LEVEL_INFO), the active state is set directly, and read-only ID
 * registers must come back with the value this GIC has, so that a snapshot
 * from a differently shaped GIC is refused instead of silently misread.
 */
#include <errno.h>
#include <stdlib.h>

#include "common/gmem.h"
#include "gic/mmio.h"

static bool get_latch(const struct vgic_irq *irq)
{
	return irq->pending_latch;
}

uint64_t gic_uaccess_read_pending(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len)
{
	return gic_mmio_read_bits(c, addr, len, get_latch);
}

/* Every bit is written, ones and zeros: the latch is restored, not raised. */
int gic_uaccess_write_spending(const struct gic_mmio_ctx *c, const struct gic_reg *r,
			       uint32_t addr, uint32_t val)
{
	uint32_t intid = GIC_ADDR_TO_INTID(addr, 1);

	(void)r;
	for (unsigned int i = 0; i < 32; i++) {
		struct vgic_irq *irq = gic_mmio_ctx_irq(c, intid + i);

		if (!irq)
			continue;
		spin_lock(&irq->lock);
		irq_set_pending_latch(irq, !!(val & BIT(i)));
		gic_irq_update(c->gic, irq);
	}
	return 0;
}

int gic_uaccess_write_wi(const struct gic_mmio_ctx *c, const struct gic_reg *r, uint32_t addr,
			 uint32_t val)
{
	(void)c, (void)r, (void)addr, (void)val;
	return 0;
}

static void set_active_bits(const struct gic_mmio_ctx *c, uint32_t addr, uint32_t val, bool active)
{
	uint32_t intid = GIC_ADDR_TO_INTID(addr, 1);

	for (unsigned int i = 0; i < 32; i++) {
		struct vgic_irq *irq;

		if (!(val & BIT(i)))
			continue;
		irq = gic_mmio_ctx_irq(c, intid + i);
		if (!irq)
			continue;
		spin_lock(&irq->lock);
		irq->active = active;
		gic_irq_update(c->gic, irq);
	}
}

/* No deactivation happens on a restore: resamplers are not told. */
int gic_uaccess_write_sactive(const struct gic_mmio_ctx *c, const struct gic_reg *r,
			      uint32_t addr, uint32_t val)
{
	(void)r;
	set_active_bits(c, addr, val, true);
	return 0;
}

int gic_uaccess_write_cactive(const struct gic_mmio_ctx *c, const struct gic_reg *r,
			      uint32_t addr, uint32_t val)
{
	(void)r;
	set_active_bits(c, addr, val, false);
	return 0;
}

int gic_uaccess_write_same(const struct gic_mmio_ctx *c, const struct gic_reg *r, uint32_t addr,
			   uint32_t val)
{
	return (uint32_t)r->read(c, addr, 4) == val ? 0 : -EINVAL;
}

/*
 * KVM accepts implementation revisions 2 and 3 and then behaves as that
 * revision; this GIC implements revision 3 only (GICR_CTLR.IR/CES, writable
 * groups), so a revision-2 snapshot is refused rather than half honoured.
 */
int gic_uaccess_write_iidr(const struct gic_mmio_ctx *c, const struct gic_reg *r, uint32_t addr,
			   uint32_t val)
{
	return gic_uaccess_write_same(c, r, addr, val);
}

/* ---- CPU interface (KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS) ---- */

FIELD(ICC_CTLR, CBPR, 0, 1);
FIELD(ICC_CTLR, EOIMODE, 1, 1);
FIELD(ICC_CTLR, PRIBITS, 8, 3);
FIELD(ICC_CTLR, IDBITS, 11, 3);
FIELD(ICC_CTLR, SEIS, 14, 1);
FIELD(ICC_CTLR, A3V, 15, 1);
FIELD(ICC_SRE, SRE, 0, 1);
FIELD(ICC_SRE, DFB, 1, 1);
FIELD(ICC_SRE, DIB, 2, 1);
FIELD(ICC_BPR, BINARYPOINT, 0, 3);
FIELD(ICC_IGRPEN, ENABLE, 0, 1);

#define ICC_IDBITS_16	0	/* ICC_CTLR_EL1.IDbits: 16-bit INTIDs, as KVM's ICH_VTR */
#define BPR0_MIN	(7 - GIC_PRI_BITS)
#define BPR1_MIN	(BPR0_MIN + 1)

static uint64_t ctlr_value(const struct cpuif *cif)
{
	return FIELD_DP(ICC_CTLR, CBPR, cif->cbpr) | FIELD_DP(ICC_CTLR, EOIMODE, cif->eoimode) |
	       FIELD_DP(ICC_CTLR, PRIBITS, GIC_PRI_BITS - 1) |
	       FIELD_DP(ICC_CTLR, IDBITS, ICC_IDBITS_16) | FIELD_DP(ICC_CTLR, A3V, 1);
}

/*
 * KVM refuses more priority or ID bits than the host has and a SEIS or A3V
 * that differs from it; it accepts fewer priority bits and narrows the vCPU.
 * This CPU interface has a fixed width, so fewer bits are refused too.
 */
static int ctlr_set(struct cpuif *cif, uint64_t val)
{
	if (FIELD_GET(ICC_CTLR, PRIBITS, val) != GIC_PRI_BITS - 1 ||
	    FIELD_GET(ICC_CTLR, IDBITS, val) != ICC_IDBITS_16 || FIELD_GET(ICC_CTLR, SEIS, val) ||
	    !FIELD_GET(ICC_CTLR, A3V, val))
		return -EINVAL;
	cif->cbpr = FIELD_GET(ICC_CTLR, CBPR, val);
	cif->eoimode = FIELD_GET(ICC_CTLR, EOIMODE, val);
	return 0;
}

/* ICC_SRE_EL1: only the value with system registers enabled exists. */
static int sre_set(struct cpuif *cif, uint64_t val)
{
	(void)cif;
	return FIELD_GET(ICC_SRE, SRE, val) ? 0 : -EINVAL;
}

static uint64_t sre_get(const struct cpuif *cif)
{
	(void)cif;
	return FIELD_DP(ICC_SRE, SRE, 1) | FIELD_DP(ICC_SRE, DFB, 1) | FIELD_DP(ICC_SRE, DIB, 1);
}

static uint64_t pmr_get(const struct cpuif *cif) { return cif->pmr; }
/* BPR1 is saved as held, even while CBPR makes the guest see BPR0 + 1. */
static uint64_t bpr0_get(const struct cpuif *cif) { return cif->bpr0; }
static uint64_t bpr1_get(const struct cpuif *cif) { return cif->bpr1; }
static uint64_t grpen0_get(const struct cpuif *cif) { return cif->grpen0; }
static uint64_t grpen1_get(const struct cpuif *cif) { return cif->grpen1; }
static uint64_t ap0r0_get(const struct cpuif *cif) { return cif->apr[0]; }
static uint64_t ap1r0_get(const struct cpuif *cif) { return cif->apr[1]; }

static int pmr_set(struct cpuif *cif, uint64_t v)
{
	cif->pmr = (uint8_t)v & GIC_PRI_MASK;
	return 0;
}

static int bpr0_set(struct cpuif *cif, uint64_t v)
{
	cif->bpr0 = MAX((uint8_t)FIELD_GET(ICC_BPR, BINARYPOINT, v), BPR0_MIN);
	return 0;
}

static int bpr1_set(struct cpuif *cif, uint64_t v)
{
	cif->bpr1 = MAX((uint8_t)FIELD_GET(ICC_BPR, BINARYPOINT, v), BPR1_MIN);
	return 0;
}

static int grpen0_set(struct cpuif *cif, uint64_t v)
{
	cif->grpen0 = FIELD_GET(ICC_IGRPEN, ENABLE, v);
	return 0;
}

static int grpen1_set(struct cpuif *cif, uint64_t v)
{
	cif->grpen1 = FIELD_GET(ICC_IGRPEN, ENABLE, v);
	return 0;
}

/* One bit per group priority: 32 priorities fill AP<n>R0 exactly. */
static int ap0r0_set(struct cpuif *cif, uint64_t v)
{
	cif->apr[0] = (uint32_t)v;
	return 0;
}

static int ap1r0_set(struct cpuif *cif, uint64_t v)
{
	cif->apr[1] = (uint32_t)v;
	return 0;
}

struct icc_uaccess {
	uint32_t enc;
	uint64_t (*get)(const struct cpuif *cif);	/* NULL: -EINVAL (APR beyond PRIbits) */
	int (*set)(struct cpuif *cif, uint64_t val);
};

static const struct icc_uaccess icc_uregs[] = {
	{ ICC_PMR_EL1, pmr_get, pmr_set },
	{ ICC_BPR0_EL1, bpr0_get, bpr0_set },
	{ ICC_AP0R0_EL1, ap0r0_get, ap0r0_set },
	/* With 5 priority bits KVM's highest APR index is 0: the others are -EINVAL. */
	{ ICC_AP0R1_EL1, NULL, NULL },
	{ ICC_AP0R2_EL1, NULL, NULL },
	{ ICC_AP0R3_EL1, NULL, NULL },
	{ ICC_AP1R0_EL1, ap1r0_get, ap1r0_set },
	{ ICC_AP1R1_EL1, NULL, NULL },
	{ ICC_AP1R2_EL1, NULL, NULL },
	{ ICC_AP1R3_EL1, NULL, NULL },
	{ ICC_BPR1_EL1, bpr1_get, bpr1_set },
	{ ICC_CTLR_EL1, ctlr_value, ctlr_set },
	{ ICC_SRE_EL1, sre_get, sre_set },
	{ ICC_IGRPEN0_EL1, grpen0_get, grpen0_set },
	{ ICC_IGRPEN1_EL1, grpen1_get, grpen1_set },
};

int gic_cpuif_uaccess(struct gic *gic, struct gic_cpu *cpu, uint32_t enc, bool is_write,
		      uint64_t *val)
{
	const struct icc_uaccess *r = NULL;
	int ret = 0;

	for (size_t i = 0; i < ARRAY_SIZE(icc_uregs); i++)
		if (icc_uregs[i].enc == enc)
			r = &icc_uregs[i];
	if (!r)
		return -ENXIO;
	if (!r->get)
		return -EINVAL;
	spin_lock(&cpu->ap_lock);
	if (is_write)
		ret = r->set(&cpu->cif, *val);
	else
		*val = r->get(&cpu->cif);
	spin_unlock(&cpu->ap_lock);
	if (is_write && !ret)
		gic_kick(gic, cpu);	/* a restored mask may expose a pending interrupt */
	return ret;
}

/* ---- line levels (KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO) ---- */

static struct vgic_irq *level_irq(struct gic *gic, struct gic_cpu *cpu, uint32_t intid)
{
	if (intid < GIC_NR_PRIVATE)
		return &cpu->priv[intid];
	if (intid - GIC_NR_PRIVATE < gic->nr_spis)
		return &gic->spis[intid - GIC_NR_PRIVATE];
	return NULL;
}

uint32_t gic_line_level_get(struct gic *gic, struct gic_cpu *cpu, uint32_t base)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < 32; i++) {
		struct vgic_irq *irq = level_irq(gic, cpu, base + i);

		if (!irq)
			continue;
		spin_lock(&irq->lock);
		if (irq->config == IRQ_CONFIG_LEVEL && irq->line_level)
			v |= (uint32_t)BIT(i);
		spin_unlock(&irq->lock);
	}
	return v;
}

void gic_line_level_set(struct gic *gic, struct gic_cpu *cpu, uint32_t base, uint32_t val)
{
	for (unsigned int i = 0; i < 32; i++) {
		struct vgic_irq *irq = level_irq(gic, cpu, base + i);

		if (!irq)
			continue;
		spin_lock(&irq->lock);
		if (irq->config == IRQ_CONFIG_LEVEL)
			irq->line_level = !!(val & BIT(i));
		gic_irq_update(gic, irq);
	}
}

/* ---- KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES ---- */

/*
 * One byte read-modify-write per LPI whose bit differs, as KVM's
 * vgic_v3_save_pending_tables; LPIs with no target (collection unmapped)
 * have no table to go to and stay where they are.
 */
int gic_lpi_store_pending(struct gic *gic, struct vgic_irq *irq)
{
	struct gic_cpu *target;
	uint8_t byte, bit = (uint8_t)BIT(irq->intid % 8);
	uint64_t gpa;
	bool pending;

	spin_lock(&irq->lock);
	target = irq->target_vcpu;
	pending = irq->pending_latch;
	spin_unlock(&irq->lock);
	if (!target)
		return 0;
	gpa = (FIELD_GET(GICR_PENDBASER, PA, atomic_load(&target->pendbaser))
	       << GICR_PENDBASER_PA_SHIFT) + irq->intid / 8;
	if (gmem_read(gic->mem, gpa, &byte, 1))
		return -EFAULT;
	if (!!(byte & bit) == pending)
		return 0;
	byte = pending ? (byte | bit) : (byte & (uint8_t)~bit);
	return gmem_write(gic->mem, gpa, &byte, 1) ? -EFAULT : 0;
}

static int save_one(struct gic *gic, uint32_t intid)
{
	struct vgic_irq *irq = gic_lpi_get(gic, intid);
	int ret;

	if (!irq)
		return 0;
	ret = gic_lpi_store_pending(gic, irq);
	gic_lpi_put(gic, irq);
	return ret;
}

int gic_save_pending_tables(struct gic *gic)
{
	uint32_t *ids;
	int n, ret = 0;

	if (!gic->lpis)
		return 0;
	gic_lpi_quiesce(gic);	/* fold MSIs still in the bitmaps */
	n = gic_lpi_list(gic, NULL, &ids);
	for (int i = 0; i < n && !ret; i++)
		ret = save_one(gic, ids[i]);
	gic_lpi_resume(gic);
	if (n < 0)
		return n;
	free(ids);
	return ret;
}
