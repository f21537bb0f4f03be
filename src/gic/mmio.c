/* SPDX-License-Identifier: MIT */
/* Register-table dispatch and the per-interrupt register handlers. */
#include <errno.h>

#include "gic/mmio.h"

static const struct gic_reg *reg_find(const struct gic_reg *tbl, size_t n, uint32_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct gic_reg *r = &tbl[mid];

		if (addr < r->offset)
			hi = mid;
		else if (addr >= r->offset + r->len)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

static bool access_ok(const struct gic_reg *r, uint32_t addr, unsigned int len)
{
	unsigned int flag;

	switch (len) {
	case 1: flag = GIC_ACCESS_8; break;
	case 4: flag = GIC_ACCESS_32; break;
	case 8: flag = GIC_ACCESS_64; break;
	default: return false;
	}
	return (r->access & flag) && ALIGNED(addr, len) && addr + len <= r->offset + r->len;
}

uint64_t gic_mmio_dispatch(const struct gic_reg *tbl, size_t n, const struct gic_mmio_ctx *c,
			   uint32_t addr, unsigned int len, bool is_write, uint64_t val)
{
	const struct gic_reg *r = reg_find(tbl, n, addr);

	if (!r || !access_ok(r, addr, len)) {
		gic_count(c->gic, mmio_bad_access);
		return 0;
	}
	if (is_write) {
		r->write(c, addr, len, val);
		return 0;
	}
	return r->read(c, addr, len);
}

int gic_mmio_uaccess(const struct gic_reg *tbl, size_t n, const struct gic_mmio_ctx *c,
		     uint32_t addr, bool is_write, uint32_t *val)
{
	const struct gic_reg *r = reg_find(tbl, n, addr);

	if (!r || !access_ok(r, addr, 4))
		return -ENXIO;
	if (!is_write) {
		*val = (uint32_t)(r->uread ? r->uread : r->read)(c, addr, 4);
		return 0;
	}
	if (r->uwrite)
		return r->uwrite(c, r, addr, *val);
	r->write(c, addr, 4, *val);
	return 0;
}

uint64_t gic_mmio_read_raz(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len)
{
	(void)c, (void)addr, (void)len;
	return 0;
}

void gic_mmio_write_wi(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
		       uint64_t val)
{
	(void)c, (void)addr, (void)len, (void)val;
}

/*
 * Interrupts an access reaches: in the distributor the SGI/PPI part of each
 * array is RAZ/WI because affinity routing is always on; in a redistributor
 * only the private interrupts exist.
 */
struct vgic_irq *gic_mmio_ctx_irq(const struct gic_mmio_ctx *c, uint32_t intid)
{
	if (c->cpu)
		return intid < GIC_NR_PRIVATE ? &c->cpu->priv[intid] : NULL;
	if (intid < GIC_NR_PRIVATE || intid >= GIC_NR_PRIVATE + c->gic->nr_spis)
		return NULL;
	return &c->gic->spis[intid - GIC_NR_PRIVATE];
}

/* Read one bit per interrupt, as selected by @get on each locked interrupt. */
uint64_t gic_mmio_read_bits(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			    bool (*get)(const struct vgic_irq *))
{
	uint32_t intid = GIC_ADDR_TO_INTID(addr, 1);
	uint64_t v = 0;

	for (unsigned int i = 0; i < len * 8; i++) {
		struct vgic_irq *irq = gic_mmio_ctx_irq(c, intid + i);

		if (!irq)
			continue;
		spin_lock(&irq->lock);
		if (get(irq))
			v |= BIT(i);
		spin_unlock(&irq->lock);
	}
	return v;
}

/* Apply @set to every interrupt whose bit is 1 in @val, then requeue it. */
static void write_bits(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
		       uint64_t val, void (*set)(struct vgic_irq *))
{
	uint32_t intid = GIC_ADDR_TO_INTID(addr, 1);

	for (unsigned int i = 0; i < len * 8; i++) {
		struct vgic_irq *irq;

		if (!(val & BIT(i)))
			continue;
		irq = gic_mmio_ctx_irq(c, intid + i);
		if (!irq)
			continue;
		spin_lock(&irq->lock);
		set(irq);
		gic_irq_update(c->gic, irq);
	}
}

static bool get_group(const struct vgic_irq *irq) { return irq->group; }
static bool get_enabled(const struct vgic_irq *irq) { return irq->enabled; }
static bool get_pending(const struct vgic_irq *irq) { return irq_is_pending(irq); }
static bool get_active(const struct vgic_irq *irq) { return irq->active; }
static void set_enabled(struct vgic_irq *irq) { irq->enabled = true; }
static void clear_enabled(struct vgic_irq *irq) { irq->enabled = false; }
static void set_pending(struct vgic_irq *irq) { irq_set_pending_latch(irq, true); }
/* ICPENDR clears the latch only: a level line that is still high stays pending. */
static void clear_pending(struct vgic_irq *irq) { irq_set_pending_latch(irq, false); }
static void set_active(struct vgic_irq *irq) { irq->active = true; }

uint64_t gic_mmio_read_group(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len)
{
	return gic_mmio_read_bits(c, addr, len, get_group);
}

/* Both states of IGROUPR are writable: KVM's GICv3 model (IIDR revision >= 2). */
void gic_mmio_write_group(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			  uint64_t val)
{
	uint32_t intid = GIC_ADDR_TO_INTID(addr, 1);

	for (unsigned int i = 0; i < len * 8; i++) {
		struct vgic_irq *irq = gic_mmio_ctx_irq(c, intid + i);

		if (!irq)
			continue;
		spin_lock(&irq->lock);
		irq->group = !!(val & BIT(i));
		gic_irq_update(c->gic, irq);
	}
}

uint64_t gic_mmio_read_enable(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len)
{
	return gic_mmio_read_bits(c, addr, len, get_enabled);
}

void gic_mmio_write_senable(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			    uint64_t val)
{
	write_bits(c, addr, len, val, set_enabled);
}

void gic_mmio_write_cenable(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			    uint64_t val)
{
	write_bits(c, addr, len, val, clear_enabled);
}

uint64_t gic_mmio_read_pending(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len)
{
	return gic_mmio_read_bits(c, addr, len, get_pending);
}

void gic_mmio_write_spending(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			     uint64_t val)
{
	write_bits(c, addr, len, val, set_pending);
}

void gic_mmio_write_cpending(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			     uint64_t val)
{
	write_bits(c, addr, len, val, clear_pending);
}

uint64_t gic_mmio_read_active(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len)
{
	return gic_mmio_read_bits(c, addr, len, get_active);
}

void gic_mmio_write_sactive(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			    uint64_t val)
{
	write_bits(c, addr, len, val, set_active);
}

/* Clearing the active state is a deactivation: resamplers must hear of it. */
void gic_mmio_write_cactive(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			    uint64_t val)
{
	uint32_t intid = GIC_ADDR_TO_INTID(addr, 1);

	for (unsigned int i = 0; i < len * 8; i++) {
		struct vgic_irq *irq;

		if (!(val & BIT(i)))
			continue;
		irq = gic_mmio_ctx_irq(c, intid + i);
		if (irq)
			gic_irq_deactivate(c->gic, irq);
	}
}

uint64_t gic_mmio_read_priority(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len)
{
	uint32_t intid = GIC_ADDR_TO_INTID(addr, 8);
	uint64_t v = 0;

	for (unsigned int i = 0; i < len; i++) {
		struct vgic_irq *irq = gic_mmio_ctx_irq(c, intid + i);

		if (!irq)
			continue;
		spin_lock(&irq->lock);
		v |= (uint64_t)irq->priority << (8 * i);
		spin_unlock(&irq->lock);
	}
	return v;
}

/* Only the top GIC_PRI_BITS bits of a priority exist; the rest read as zero. */
void gic_mmio_write_priority(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			     uint64_t val)
{
	uint32_t intid = GIC_ADDR_TO_INTID(addr, 8);

	for (unsigned int i = 0; i < len; i++) {
		struct vgic_irq *irq = gic_mmio_ctx_irq(c, intid + i);

		if (!irq)
			continue;
		spin_lock(&irq->lock);
		irq->priority = (uint8_t)(val >> (8 * i)) & GIC_PRI_MASK;
		gic_irq_update(c->gic, irq);
	}
}

uint64_t gic_mmio_read_config(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len)
{
	uint32_t intid = GIC_ADDR_TO_INTID(addr, 2);
	uint64_t v = 0;

	for (unsigned int i = 0; i < len * 4; i++) {
		struct vgic_irq *irq = gic_mmio_ctx_irq(c, intid + i);

		if (!irq)
			continue;
		spin_lock(&irq->lock);
		if (irq->config == IRQ_CONFIG_EDGE)
			v |= (uint64_t)GIC_ICFG_EDGE << (2 * i);
		spin_unlock(&irq->lock);
	}
	return v;
}

/*
 * SGIs are always edge-triggered.  For PPIs the architecture makes the
 * configuration IMPLEMENTATION DEFINED; KVM keeps them read-only (level),
 * because timers rely on it, and we follow KVM.
 */
void gic_mmio_write_config(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len,
			   uint64_t val)
{
	uint32_t intid = GIC_ADDR_TO_INTID(addr, 2);

	for (unsigned int i = 0; i < len * 4; i++) {
		struct vgic_irq *irq;

		if (intid + i < GIC_NR_PRIVATE)
			continue;
		irq = gic_mmio_ctx_irq(c, intid + i);
		if (!irq)
			continue;
		spin_lock(&irq->lock);
		irq->config = (val >> (2 * i)) & GIC_ICFG_EDGE ? IRQ_CONFIG_EDGE : IRQ_CONFIG_LEVEL;
		gic_irq_update(c->gic, irq);
	}
}

uint64_t gic_mmio_read_idregs(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len)
{
	(void)c, (void)len;
	return (addr & 0xffff) == GICD_PIDR2 ? GIC_PIDR2_GICV3 : 0;
}

uint64_t gic_mmio_read_iidr(const struct gic_mmio_ctx *c, uint32_t addr, unsigned int len)
{
	(void)c, (void)addr, (void)len;
	return FIELD_DP(GIC_IIDR, PRODUCT, GIC_IIDR_PRODUCT_KVM) |
	       FIELD_DP(GIC_IIDR, REVISION, GIC_IIDR_REVISION) |
	       FIELD_DP(GIC_IIDR, IMPLEMENTER, GIC_IIDR_IMPLEMENTER_ARM);
}

