/* SPDX-License-Identifier: MIT */
/*
 * Redistributors: one per vCPU, an RD_base frame (control, LPI tables) and an
 * SGI_base frame (SGI/PPI state) 64 KiB above it, laid out contiguously with
 * GICR_TYPER.Last on the final one.
 */
#include "gic/baser.h"
#include "gic/mmio.h"

static uint64_t rd_read_ctlr(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len)
{
	(void)addr, (void)len;
	/* IR and CES: LPIs may be disabled again once enabled (KVM IIDR rev 3). */
	return atomic_load(&c->cpu->gicr_ctlr) | FIELD_DP(GICR_CTLR, IR, 1) |
	       FIELD_DP(GICR_CTLR, CES, 1);
}

static void rd_write_ctlr(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			  uint64_t val)
{
	bool en = FIELD_GET(GICR_CTLR, ENABLE_LPIS, val);
	uint32_t old;

	(void)addr, (void)len;
	/* Without an ITS there are no LPIs: EnableLPIs is RES0. */
	if (!c->gic->has_lpis)
		return;
	old = atomic_exchange(&c->cpu->gicr_ctlr, en ? FIELD_MASK(GICR_CTLR, ENABLE_LPIS) : 0);
	if (!!old != en)
		gic_lpi_enable_changed(c->gic, c->cpu, en);
}

static uint64_t rd_read_typer(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len)
{
	struct gic_cpu *cpu = c->cpu;
	uint64_t aff = (cpu->mpidr & GENMASK(23, 0)) | ((cpu->mpidr >> 32) & 0xff) << 24;
	uint64_t v = FIELD_DP(GICR_TYPER, AFFINITY, aff) | FIELD_DP(GICR_TYPER, PROCNUM, cpu->idx);

	if (cpu->idx == c->gic->nr_vcpus - 1)
		v = FIELD_SET(GICR_TYPER, LAST, v, 1);
	if (c->gic->has_lpis)
		v = FIELD_SET(GICR_TYPER, PLPIS, v, 1);
	return extract_bytes(v, addr & 7, len);
}

static bool lpis_enabled(const struct gic_cpu *cpu)
{
	return atomic_load(&((struct gic_cpu *)cpu)->gicr_ctlr) & FIELD_MASK(GICR_CTLR, ENABLE_LPIS);
}

static const uint64_t propbaser_valid =
	FIELD_MASK(GICR_PROPBASER, IDBITS) | FIELD_MASK(GICR_PROPBASER, INNER_CACHE) |
	FIELD_MASK(GICR_PROPBASER, SHAREABILITY) | FIELD_MASK(GICR_PROPBASER, PA) |
	FIELD_MASK(GICR_PROPBASER, OUTER_CACHE);

static const uint64_t pendbaser_valid =
	FIELD_MASK(GICR_PENDBASER, INNER_CACHE) | FIELD_MASK(GICR_PENDBASER, SHAREABILITY) |
	FIELD_MASK(GICR_PENDBASER, PA) | FIELD_MASK(GICR_PENDBASER, OUTER_CACHE) |
	FIELD_MASK(GICR_PENDBASER, PTZ);

/* PROPBASER and PENDBASER share the positions of these three fields. */
#define GICR_BASER_INITIAL	(FIELD_DP(GICR_PROPBASER, INNER_CACHE, GIC_BASER_CACHE_RAWB) | \
				 FIELD_DP(GICR_PROPBASER, SHAREABILITY, GIC_BASER_SH_INNER))

void gic_redist_reset_pendbaser(struct gic_cpu *cpu)
{
	atomic_store(&cpu->pendbaser, GICR_BASER_INITIAL);
}

void gic_redist_reset_propbaser(struct gic *gic)
{
	for (uint32_t i = 0; i < gic->nr_vcpus; i++)
		atomic_store(&gic->cpus[i].propbaser, GICR_BASER_INITIAL);
}


static uint64_t sanitise_baser(uint64_t v)
{
	v = FIELD_SET(GICR_PROPBASER, SHAREABILITY, v,
		      gic_baser_sanitise_sh(FIELD_GET(GICR_PROPBASER, SHAREABILITY, v)));
	v = FIELD_SET(GICR_PROPBASER, INNER_CACHE, v,
		      gic_baser_sanitise_inner(FIELD_GET(GICR_PROPBASER, INNER_CACHE, v)));
	return FIELD_SET(GICR_PROPBASER, OUTER_CACHE, v,
			 gic_baser_sanitise_outer(FIELD_GET(GICR_PROPBASER, OUTER_CACHE, v)));
}

/*
 * The LPI tables may only move while LPIs are off (writes are ignored
 * otherwise).  A half-register write is a read-modify-write: compare-exchange
 * so that two vCPUs writing the two halves at once both land.
 */
static void write_baser(const struct gic_mmio_ctx *c, _Atomic uint64_t *reg, uint64_t valid,
			uint32_t addr, unsigned int len, uint64_t val)
{
	uint64_t old = atomic_load(reg), new;

	if (lpis_enabled(c->cpu))
		return;
	do {
		new = sanitise_baser(deposit_bytes(old, addr & 7, len, val)) & valid;
	} while (!atomic_compare_exchange_weak(reg, &old, new));
}

static uint64_t rd_read_propbaser(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len)
{
	return extract_bytes(atomic_load(&c->cpu->propbaser), addr & 7, len);
}

static void rd_write_propbaser(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			       uint64_t val)
{
	write_baser(c, &c->cpu->propbaser, propbaser_valid, addr, len, val);
}

/* PTZ is write-only: it tells the redistributor the table is zeroed, reads as 0. */
static uint64_t rd_read_pendbaser(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len)
{
	uint64_t v = atomic_load(&c->cpu->pendbaser) & ~FIELD_MASK(GICR_PENDBASER, PTZ);

	return extract_bytes(v, addr & 7, len);
}

static void rd_write_pendbaser(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			       uint64_t val)
{
	write_baser(c, &c->cpu->pendbaser, pendbaser_valid, addr, len, val);
}

#define A32	GIC_ACCESS_32
#define A8_32	(GIC_ACCESS_8 | GIC_ACCESS_32)
#define A32_64	(GIC_ACCESS_32 | GIC_ACCESS_64)

static const struct gic_reg redist_regs[] = {
	/* RD_base */
	GIC_REG(GICR_CTLR, 4, A32, rd_read_ctlr, rd_write_ctlr),
	GIC_REG_U(GICR_IIDR, 4, A32, gic_mmio_read_iidr, gic_mmio_write_wi, NULL,
		  gic_uaccess_write_iidr),
	GIC_REG_U(GICR_TYPER, 8, A32_64, rd_read_typer, gic_mmio_write_wi, NULL,
		  gic_uaccess_write_same),
	GIC_REG(GICR_STATUSR, 4, A32, gic_mmio_read_raz, gic_mmio_write_wi),
	/* KVM's redistributors never sleep: GICR_WAKER is RAZ/WI. */
	GIC_REG(GICR_WAKER, 4, A32, gic_mmio_read_raz, gic_mmio_write_wi),
	/* No DirectLPI: SETLPIR, CLRLPIR, INVLPIR, INVALLR, SYNCR are RAZ/WI. */
	GIC_REG(GICR_SETLPIR, 8, A32_64, gic_mmio_read_raz, gic_mmio_write_wi),
	GIC_REG(GICR_CLRLPIR, 8, A32_64, gic_mmio_read_raz, gic_mmio_write_wi),
	GIC_REG(GICR_PROPBASER, 8, A32_64, rd_read_propbaser, rd_write_propbaser),
	GIC_REG(GICR_PENDBASER, 8, A32_64, rd_read_pendbaser, rd_write_pendbaser),
	GIC_REG(GICR_INVLPIR, 8, A32_64, gic_mmio_read_raz, gic_mmio_write_wi),
	GIC_REG(GICR_INVALLR, 8, A32_64, gic_mmio_read_raz, gic_mmio_write_wi),
	GIC_REG(GICR_SYNCR, 4, A32, gic_mmio_read_raz, gic_mmio_write_wi),
	GIC_REG(GICR_IDREGS, 0x30, A32, gic_mmio_read_idregs, gic_mmio_write_wi),
	/* SGI_base */
	GIC_REG_IRQ(GICR_IGROUPR0, 1, A32, gic_mmio_read_group, gic_mmio_write_group),
	GIC_REG_IRQ(GICR_ISENABLER0, 1, A32, gic_mmio_read_enable, gic_mmio_write_senable),
	GIC_REG_IRQ(GICR_ICENABLER0, 1, A32, gic_mmio_read_enable, gic_mmio_write_cenable),
	GIC_REG_IRQ_U(GICR_ISPENDR0, 1, A32, gic_mmio_read_pending, gic_mmio_write_spending,
		      gic_uaccess_read_pending, gic_uaccess_write_spending),
	GIC_REG_IRQ_U(GICR_ICPENDR0, 1, A32, gic_mmio_read_pending, gic_mmio_write_cpending,
		      gic_mmio_read_raz, gic_uaccess_write_wi),
	GIC_REG_IRQ_U(GICR_ISACTIVER0, 1, A32, gic_mmio_read_active, gic_mmio_write_sactive,
		      NULL, gic_uaccess_write_sactive),
	GIC_REG_IRQ_U(GICR_ICACTIVER0, 1, A32, gic_mmio_read_active, gic_mmio_write_cactive,
		      NULL, gic_uaccess_write_cactive),
	GIC_REG_IRQ(GICR_IPRIORITYR0, 8, A8_32, gic_mmio_read_priority, gic_mmio_write_priority),
	GIC_REG_IRQ(GICR_ICFGR0, 2, A32, gic_mmio_read_config, gic_mmio_write_config),
	GIC_REG_IRQ(GICR_IGRPMODR0, 1, A32, gic_mmio_read_raz, gic_mmio_write_wi),
	GIC_REG(GICR_NSACR, 4, A32, gic_mmio_read_raz, gic_mmio_write_wi),
};

uint64_t gic_redist_read(struct gic *gic, struct gic_cpu *cpu, uint32_t off, unsigned int len)
{
	struct gic_mmio_ctx c = { .gic = gic, .cpu = cpu };

	return gic_mmio_dispatch(redist_regs, ARRAY_SIZE(redist_regs), &c, off, len, false, 0);
}

void gic_redist_write(struct gic *gic, struct gic_cpu *cpu, uint32_t off, unsigned int len,
		      uint64_t val)
{
	struct gic_mmio_ctx c = { .gic = gic, .cpu = cpu };

	gic_mmio_dispatch(redist_regs, ARRAY_SIZE(redist_regs), &c, off, len, true, val);
}

int gic_redist_uaccess(struct gic *gic, struct gic_cpu *cpu, uint32_t off, bool is_write,
		       uint32_t *val)
{
	struct gic_mmio_ctx c = { .gic = gic, .cpu = cpu };

	return gic_mmio_uaccess(redist_regs, ARRAY_SIZE(redist_regs), &c, off, is_write, val);
}
