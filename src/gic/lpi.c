/* SPDX-License-Identifier: MIT */
/* LPIs: created by ITS mappings.  Until an ITS exists there are none. */
#include "gic/gic.h"

struct vgic_irq *gic_lpi_get(struct gic *gic, uint32_t intid)
{
	(void)gic, (void)intid;
	return NULL;
}

void gic_lpi_put(struct gic *gic, struct vgic_irq *irq)
{
	(void)gic, (void)irq;
}

void gic_lpi_enable_changed(struct gic *gic, struct gic_cpu *cpu, bool enabled)
{
	(void)gic, (void)cpu, (void)enabled;
}

void gic_lpi_destroy(struct gic *gic)
{
	(void)gic;
}
