/* SPDX-License-Identifier: MIT */
/* GIC object lifecycle and reset state (KVM's vgic_init/kvm_vgic_vcpu_init). */
#include <errno.h>
#include <stdlib.h>

#include "gic/gic.h"

/*
 * KVM gives vCPU n the affinity Aff0 = n[3:0], Aff1 = n[11:4], Aff2 = n[19:12]:
 * 16 vCPUs per cluster, so every vCPU is reachable by one SGI1R TargetList.
 */
uint64_t gic_vcpu_mpidr(uint32_t idx)
{
	return (uint64_t)(idx & 0xf) | (uint64_t)((idx >> 4) & 0xff) << 8 |
	       (uint64_t)((idx >> 12) & 0xff) << 16;
}

static void irq_init(struct vgic_irq *irq, uint32_t intid, struct gic_cpu *target)
{
	spin_init(&irq->lock);
	list_init(&irq->ap_list);
	irq->intid = intid;
	irq->target_vcpu = target;
	/* KVM's GICv3 model resets every interrupt to group 1. */
	irq->group = 1;
	/* SGIs and SPIs reset edge-triggered, PPIs level-sensitive (as KVM). */
	irq->config = (intid >= GIC_NR_SGIS && intid < GIC_NR_PRIVATE) ? IRQ_CONFIG_LEVEL
								    : IRQ_CONFIG_EDGE;
	/* KVM resets every SGI enabled (GICR_ISENABLER0 = 0xffff), a GICv2
	 * heritage; the architecture leaves the reset value UNKNOWN. */
	irq->enabled = intid < GIC_NR_SGIS;
	atomic_init(&irq->refcount, 1);
}

void gic_cpuif_reset(struct cpuif *cif)
{
	*cif = (struct cpuif){
		.pmr = 0,
		/* Minimum binary points for 5 priority bits: 2 for group 0, 3 for group 1. */
		.bpr0 = 7 - GIC_PRI_BITS,
		.bpr1 = 8 - GIC_PRI_BITS,
	};
}

static void cpu_init(struct gic *gic, struct gic_cpu *cpu, uint32_t idx,
		     struct vcpu_notify *notify)
{
	cpu->notify = notify;
	cpu->gic = gic;
	cpu->idx = idx;
	cpu->mpidr = gic_vcpu_mpidr(idx);
	spin_init(&cpu->ap_lock);
	list_init(&cpu->ap_list);
	gic_cpuif_reset(&cpu->cif);
	atomic_init(&cpu->gicr_ctlr, 0);
	atomic_init(&cpu->propbaser, 0);
	atomic_init(&cpu->pendbaser, 0);
	gic_redist_reset_pendbaser(cpu);
	for (uint32_t i = 0; i < GIC_NR_PRIVATE; i++)
		irq_init(&cpu->priv[i], i, cpu);
}

int gic_create(struct gic *gic, uint32_t nr_vcpus, uint32_t nr_irqs, struct gmem *mem,
	       struct vcpu_notify *notify)
{
	gic->nr_vcpus = nr_vcpus;
	/* With 1024 IDs configured, 1020..1023 are still the special INTIDs, not SPIs. */
	gic->nr_irqs = nr_irqs;
	gic->nr_spis = MIN(nr_irqs, GIC_MAX_SPI_INTID + 1) - GIC_NR_PRIVATE;
	gic->mem = mem;
	atomic_init(&gic->ctlr, 0);
	gic->cpus = calloc(nr_vcpus, sizeof(*gic->cpus));
	gic->spis = calloc(gic->nr_spis, sizeof(*gic->spis));
	if (!gic->cpus || !gic->spis) {
		gic_destroy(gic);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < nr_vcpus; i++)
		cpu_init(gic, &gic->cpus[i], i, &notify[i]);
	/* IROUTER resets to 0, i.e. vCPU 0. */
	for (uint32_t i = 0; i < gic->nr_spis; i++)
		irq_init(&gic->spis[i], GIC_NR_PRIVATE + i, &gic->cpus[0]);
	return 0;
}

void gic_destroy(struct gic *gic)
{
	free(gic->cpus);
	free(gic->spis);
	gic->cpus = NULL;
	gic->spis = NULL;
}
