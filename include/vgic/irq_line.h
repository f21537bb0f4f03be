/* SPDX-License-Identifier: MIT */
/*
 * KVM_IRQ_LINE on arm64: drive an SPI, a PPI of one vCPU, or (without an
 * in-library GIC) a vCPU's own IRQ/FIQ input.  Not affected by GSI routing.
 */
#ifndef VGIC_IRQ_LINE_H
#define VGIC_IRQ_LINE_H

#include <stdbool.h>
#include <stdint.h>

#include <vgic/vgic.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vgic_vm;

/* Field layout of the irq word, as in struct kvm_irq_level on arm64. */
#define VGIC_IRQ_LINE_VCPU2_SHIFT	28
#define VGIC_IRQ_LINE_VCPU2_MASK	0xfu
#define VGIC_IRQ_LINE_TYPE_SHIFT	24
#define VGIC_IRQ_LINE_TYPE_MASK		0xfu
#define VGIC_IRQ_LINE_VCPU_SHIFT	16
#define VGIC_IRQ_LINE_VCPU_MASK		0xffu
#define VGIC_IRQ_LINE_NUM_SHIFT		0
#define VGIC_IRQ_LINE_NUM_MASK		0xffffu

#define VGIC_IRQ_TYPE_CPU	0	/* no GIC: irq_id 0 = IRQ, 1 = FIQ */
#define VGIC_IRQ_TYPE_SPI	1
#define VGIC_IRQ_TYPE_PPI	2

#define VGIC_IRQ_CPU_IRQ	0
#define VGIC_IRQ_CPU_FIQ	1

/* Build the irq word for vgic_irq_line(). */
static inline uint32_t vgic_irq_line_word(unsigned int type, unsigned int vcpu, unsigned int num)
{
	return ((uint32_t)(vcpu >> 8) & VGIC_IRQ_LINE_VCPU2_MASK) << VGIC_IRQ_LINE_VCPU2_SHIFT |
	       (type & VGIC_IRQ_LINE_TYPE_MASK) << VGIC_IRQ_LINE_TYPE_SHIFT |
	       (vcpu & VGIC_IRQ_LINE_VCPU_MASK) << VGIC_IRQ_LINE_VCPU_SHIFT |
	       (num & VGIC_IRQ_LINE_NUM_MASK);
}

/*
 * Set the level of the input named by @irq.  SPIs 32..nr_irqs-1 (vCPU
 * ignored), PPIs 16..31 of one vCPU; type 0 only for VGIC_VM_NO_GIC VMs.
 * -EINVAL: bad vCPU, number or type; -ENXIO: type not valid for this VM
 * (type 0 with a GIC, type 1 or 2 without); -EBUSY: GIC not initialised;
 * -ENODEV: dead handle.
 */
VGIC_API int vgic_irq_line(struct vgic_vm *vm, uint32_t irq, bool level);

#ifdef __cplusplus
}
#endif

#endif
