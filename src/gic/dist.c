/* SPDX-License-Identifier: MIT */
/*
 * The distributor as KVM exposes it to a GICv3 guest: affinity routing always
 * on (ARE_NS RAO/WI), a single security state (DS RAO/WI), SPIs routed by
 * GICD_IROUTER.  Private-interrupt parts of each array are RAZ/WI.
 */
#include "gic/mmio.h"

/*
 * KVM keeps one enable for the whole distributor, EnableGrp1 (bit 1), and it
 * gates interrupts of both groups; EnableGrp0 is RAZ/WI.  The architecture
 * has a separate Group 0 enable; we follow KVM, so a guest that only sets
 * EnableGrp0 gets nothing, exactly as on KVM.
 */
static uint64_t dist_read_ctlr(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len)
{
	(void)addr, (void)len;
	return atomic_load(&c->gic->ctlr) | FIELD_DP(GICD_CTLR, ARE_NS, 1) |
	       FIELD_DP(GICD_CTLR, DS, 1);
}

static void dist_write_ctlr(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			    uint64_t val)
{
	uint32_t en = val & FIELD_MASK(GICD_CTLR, ENABLE_G1A);
	uint32_t old = atomic_exchange(&c->gic->ctlr, en);

	(void)addr, (void)len;
	/* A newly enabled distributor may make queued interrupts deliverable anywhere. */
	if (en & ~old)
		for (uint32_t i = 0; i < c->gic->nr_vcpus; i++)
			gic_kick(c->gic, &c->gic->cpus[i]);
}

/*
 * ITLinesNumber from the SPI count; IDbits 16 with an ITS, 10 without (as
 * KVM).  No1N: IROUTER.IRM is RAZ/WI (as in KVM), so 1-of-N delivery does not
 * exist and we say so.  KVM leaves No1N clear here, which invites a guest to
 * set IRM and have it silently ignored; this one bit is where we differ.
 */
static uint64_t dist_read_typer(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len)
{
	struct gic *gic = c->gic;
	uint64_t v = FIELD_DP(GICD_TYPER, ITLINES, gic->nr_irqs / 32 - 1);

	(void)addr, (void)len;
	v = FIELD_SET(GICD_TYPER, NO1N, v, 1);
	if (gic->has_lpis) {
		v = FIELD_SET(GICD_TYPER, LPIS, v, 1);
		v = FIELD_SET(GICD_TYPER, IDBITS, v, GIC_IDBITS_LPIS - 1);
	} else {
		v = FIELD_SET(GICD_TYPER, IDBITS, v, GIC_IDBITS_SPIS - 1);
	}
	return v;
}

static struct vgic_irq *irouter_irq(const struct gic_mmio_ctx *c, uint32_t addr)
{
	uint32_t intid = GIC_ADDR_TO_INTID(addr, 64);

	if (intid < GIC_NR_PRIVATE || intid >= GIC_NR_PRIVATE + c->gic->nr_spis)
		return NULL;
	return &c->gic->spis[intid - GIC_NR_PRIVATE];
}

static uint64_t dist_read_irouter(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len)
{
	struct vgic_irq *irq = irouter_irq(c, addr);
	uint64_t v;

	if (!irq)
		return 0;
	spin_lock(&irq->lock);
	v = irq->mpidr;
	spin_unlock(&irq->lock);
	return extract_bytes(v, addr & 7, len);
}

/*
 * Either 32-bit half or the whole register; the new route takes effect at once.
 * KVM gives no vCPU an Aff3 and makes the upper word (Aff3) WI, and IRM RAZ/WI,
 * so only Aff2.Aff1.Aff0 are kept.  The architecture would keep Aff3; we
 * follow KVM.
 */
static void dist_write_irouter(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			       uint64_t val)
{
	struct vgic_irq *irq = irouter_irq(c, addr);
	const uint64_t valid = FIELD_MASK(GICD_IROUTER, AFF0) | FIELD_MASK(GICD_IROUTER, AFF1) |
			       FIELD_MASK(GICD_IROUTER, AFF2);

	if (!irq || (addr & 4))
		return;
	spin_lock(&irq->lock);
	irq->mpidr = deposit_bytes(irq->mpidr, addr & 7, len, val) & valid;
	irq->target_vcpu = gic_cpu_by_mpidr(c->gic, irq->mpidr);
	gic_irq_update(c->gic, irq);
}

#define A32	GIC_ACCESS_32
#define A8_32	(GIC_ACCESS_8 | GIC_ACCESS_32)
#define A32_64	(GIC_ACCESS_32 | GIC_ACCESS_64)

static const struct gic_reg dist_regs[] = {
	GIC_REG(GICD_CTLR, 4, A32, dist_read_ctlr, dist_write_ctlr),
	GIC_REG_U(GICD_TYPER, 4, A32, dist_read_typer, gic_mmio_write_wi, NULL,
		  gic_uaccess_write_same),
	GIC_REG_U(GICD_IIDR, 4, A32, gic_mmio_read_iidr, gic_mmio_write_wi, NULL,
		  gic_uaccess_write_iidr),
	GIC_REG_U(GICD_TYPER2, 4, A32, gic_mmio_read_raz, gic_mmio_write_wi, NULL,
		  gic_uaccess_write_same),
	GIC_REG(GICD_STATUSR, 4, A32, gic_mmio_read_raz, gic_mmio_write_wi),
	GIC_REG_IRQ(GICD_IGROUPR, 1, A32, gic_mmio_read_group, gic_mmio_write_group),
	GIC_REG_IRQ(GICD_ISENABLER, 1, A32, gic_mmio_read_enable, gic_mmio_write_senable),
	GIC_REG_IRQ(GICD_ICENABLER, 1, A32, gic_mmio_read_enable, gic_mmio_write_cenable),
	GIC_REG_IRQ_U(GICD_ISPENDR, 1, A32, gic_mmio_read_pending, gic_mmio_write_spending,
		      gic_uaccess_read_pending, gic_uaccess_write_spending),
	GIC_REG_IRQ_U(GICD_ICPENDR, 1, A32, gic_mmio_read_pending, gic_mmio_write_cpending,
		      gic_mmio_read_raz, gic_uaccess_write_wi),
	GIC_REG_IRQ_U(GICD_ISACTIVER, 1, A32, gic_mmio_read_active, gic_mmio_write_sactive,
		      NULL, gic_uaccess_write_sactive),
	GIC_REG_IRQ_U(GICD_ICACTIVER, 1, A32, gic_mmio_read_active, gic_mmio_write_cactive,
		      NULL, gic_uaccess_write_cactive),
	GIC_REG_IRQ(GICD_IPRIORITYR, 8, A8_32, gic_mmio_read_priority, gic_mmio_write_priority),
	/* With affinity routing ITARGETSR is RES0. */
	GIC_REG_IRQ(GICD_ITARGETSR, 8, A8_32, gic_mmio_read_raz, gic_mmio_write_wi),
	GIC_REG_IRQ(GICD_ICFGR, 2, A32, gic_mmio_read_config, gic_mmio_write_config),
	/* One security state (DS=1): group modifiers do not exist. */
	GIC_REG_IRQ(GICD_IGRPMODR, 1, A32, gic_mmio_read_raz, gic_mmio_write_wi),
	GIC_REG_IRQ(GICD_NSACR, 2, A32, gic_mmio_read_raz, gic_mmio_write_wi),
	/* GICD_SGIR and the SGI pending registers are RES0 with affinity routing. */
	GIC_REG(GICD_SGIR, 0x30, A32, gic_mmio_read_raz, gic_mmio_write_wi),
	GIC_REG_IRQ(GICD_IROUTER, 64, A32_64, dist_read_irouter, dist_write_irouter),
	GIC_REG(GICD_IDREGS, 0x30, A32, gic_mmio_read_idregs, gic_mmio_write_wi),
};

uint64_t gic_dist_read(struct gic *gic, uint32_t off, unsigned int len)
{
	struct gic_mmio_ctx c = { .gic = gic };

	return gic_mmio_dispatch(dist_regs, ARRAY_SIZE(dist_regs), &c, off, len, false, 0);
}

void gic_dist_write(struct gic *gic, uint32_t off, unsigned int len, uint64_t val)
{
	struct gic_mmio_ctx c = { .gic = gic };

	gic_mmio_dispatch(dist_regs, ARRAY_SIZE(dist_regs), &c, off, len, true, val);
}

int gic_dist_uaccess(struct gic *gic, uint32_t off, bool is_write, uint32_t *val)
{
	struct gic_mmio_ctx c = { .gic = gic };

	return gic_mmio_uaccess(dist_regs, ARRAY_SIZE(dist_regs), &c, off, is_write, val);
}
