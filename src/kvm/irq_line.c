/* SPDX-License-Identifier: MIT */
/*
 * KVM_IRQ_LINE on arm64 (Documentation/virt/kvm/api.rst, "KVM_IRQ_LINE"):
 * the irq word selects a type, a vCPU (vcpu2_index * 256 + vcpu_index) and
 * an ID.  It never goes through the GSI routing table.
 */
#include <errno.h>

#include <vgic/irq_line.h>

#include "kvm/vm.h"

struct irq_line_req {
	unsigned int type;
	unsigned int vcpu;
	unsigned int num;
};

static struct irq_line_req decode(uint32_t irq)
{
	return (struct irq_line_req){
		.type = (irq >> VGIC_IRQ_LINE_TYPE_SHIFT) & VGIC_IRQ_LINE_TYPE_MASK,
		.vcpu = ((irq >> VGIC_IRQ_LINE_VCPU2_SHIFT) & VGIC_IRQ_LINE_VCPU2_MASK) * 256 +
			((irq >> VGIC_IRQ_LINE_VCPU_SHIFT) & VGIC_IRQ_LINE_VCPU_MASK),
		.num = (irq >> VGIC_IRQ_LINE_NUM_SHIFT) & VGIC_IRQ_LINE_NUM_MASK,
	};
}

/* A VMM with its own irqchip drives the vCPU's IRQ or FIQ input directly. */
static int line_cpu(struct vgic_vm *vm, const struct irq_line_req *r, bool level)
{
	struct vcpu_notify *n;
	bool old;

	if (vm_has_gic(vm))
		return -ENXIO;
	if (r->vcpu >= vm->nr_vcpus || r->num > VGIC_IRQ_CPU_FIQ)
		return -EINVAL;
	n = &vm->notify[r->vcpu];
	old = atomic_exchange(&n->line[r->num], level);
	if (level && !old) {
		vgic_kick_fn fn = atomic_load_explicit(&n->fn, memory_order_acquire);

		if (fn)
			fn(atomic_load_explicit(&n->opaque, memory_order_relaxed), r->vcpu);
	}
	return 0;
}

static int line_gic(struct vgic_vm *vm, const struct irq_line_req *r, bool level)
{
	struct gic *gic = &vm->gic;
	struct vgic_irq *irq;

	if (!vm_has_gic(vm))
		return -ENXIO;
	if (!vm_ready(vm))
		return -EBUSY;
	if (r->type == VGIC_IRQ_TYPE_SPI) {
		if (r->num < GIC_NR_PRIVATE || r->num >= GIC_NR_PRIVATE + gic->nr_spis)
			return -EINVAL;
		irq = &gic->spis[r->num - GIC_NR_PRIVATE];
	} else {
		if (r->vcpu >= vm->nr_vcpus || r->num < GIC_NR_SGIS || r->num >= GIC_NR_PRIVATE)
			return -EINVAL;
		irq = &gic->cpus[r->vcpu].priv[r->num];
	}
	gic_irq_set_level(gic, irq, level);
	return 0;
}

int vgic_irq_line(struct vgic_vm *vm, uint32_t irq, bool level)
{
	struct irq_line_req r = decode(irq);
	int ret = vm_check(vm);

	if (ret)
		return ret;
	switch (r.type) {
	case VGIC_IRQ_TYPE_CPU:
		return line_cpu(vm, &r, level);
	case VGIC_IRQ_TYPE_SPI:
	case VGIC_IRQ_TYPE_PPI:
		return line_gic(vm, &r, level);
	default:
		return -EINVAL;
	}
}
