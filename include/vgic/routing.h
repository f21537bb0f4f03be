/* SPDX-License-Identifier: MIT */
/*
 * GSI routing, KVM_SET_GSI_ROUTING on arm64: a GSI names an SPI pin of the
 * GIC (irqchip entry) or a message with the device ID the ITS needs (MSI
 * entry).  irqfds inject through this table; vgic_irq_line() never does.
 *
 * vgic_vm_init() installs a flat table (GSI n -> SPI pin n, i.e. INTID
 * 32 + n, for every configured SPI), as KVM's vgic_init does; a table set
 * before init is replaced by it.
 */
#ifndef VGIC_ROUTING_H
#define VGIC_ROUTING_H

#include <stdint.h>

#include <vgic/vgic.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vgic_vm;

#define VGIC_IRQ_ROUTING_IRQCHIP	1	/* KVM_IRQ_ROUTING_IRQCHIP */
#define VGIC_IRQ_ROUTING_MSI		2	/* KVM_IRQ_ROUTING_MSI */

#define VGIC_MAX_IRQ_ROUTES		4096	/* KVM_MAX_IRQ_ROUTES: entries, and GSI bound */
#define VGIC_IRQCHIP_NUM_PINS		(1020 - 32)	/* KVM_IRQCHIP_NUM_PINS on arm64 */

/* Entry flag for MSI routes: @devid is meaningful (KVM_MSI_VALID_DEVID). */
#define VGIC_ROUTE_MSI_VALID_DEVID	(1u << 0)

/* struct kvm_irq_routing_entry, arm64 subset. */
struct vgic_irq_route {
	uint32_t gsi;
	uint32_t type;		/* VGIC_IRQ_ROUTING_* */
	uint32_t flags;		/* MSI: VGIC_ROUTE_MSI_VALID_DEVID; irqchip: 0 */
	union {
		struct {
			uint32_t irqchip;	/* always 0: one GIC */
			uint32_t pin;		/* SPI number: INTID - 32 */
		} irqchip;
		struct {
			uint32_t address_lo;
			uint32_t address_hi;
			uint32_t data;
			uint32_t devid;
		} msi;
	} u;
};

/*
 * Replace the whole table with @nr entries at once (KVM_SET_GSI_ROUTING);
 * @nr 0 leaves every GSI unrouted.  When this returns no injection uses the
 * old table any more.  -EINVAL: @nr above VGIC_MAX_IRQ_ROUTES, a GSI at or
 * above it, an unknown type, flags other than VALID_DEVID on an MSI entry
 * (any on an irqchip one), irqchip not 0, a pin not below the VM's SPI count
 * (VGIC_IRQCHIP_NUM_PINS before init), a GSI routed twice to the GIC or an
 * MSI entry sharing its GSI with any other; -ENXIO without a GIC; -ENOMEM;
 * -ENODEV on a dead handle.
 */
VGIC_API int vgic_set_gsi_routing(struct vgic_vm *vm, const struct vgic_irq_route *entries,
				  unsigned int nr);

/*
 * Copy up to @max entries of the current table into @entries, in GSI order;
 * returns the table's entry count (which may exceed @max).  -ENODEV.
 */
VGIC_API int vgic_get_gsi_routing(struct vgic_vm *vm, struct vgic_irq_route *entries,
				  unsigned int max);

#ifdef __cplusplus
}
#endif

#endif
