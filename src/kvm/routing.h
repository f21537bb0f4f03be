/* SPDX-License-Identifier: MIT */
/*
 * The GSI routing table (KVM's struct kvm_irq_routing_table) as an immutable
 * snapshot published with RCU: injection looks a GSI up inside a read-side
 * section and never waits for a writer; vgic_set_gsi_routing() builds a new
 * snapshot, swaps it in and frees the old one after a grace period, so that
 * once it returns no injection can still reach an old target.
 *
 * On arm64 there is one irqchip and KVM refuses a second route to the same
 * chip for a GSI, and any route beside an MSI one: every GSI has at most
 * one route, so the table is a flat array indexed by GSI.
 */
#ifndef VGIC_KVM_ROUTING_H
#define VGIC_KVM_ROUTING_H

#include <stdbool.h>
#include <stdint.h>

#include <vgic/msi.h>
#include <vgic/routing.h>

struct vgic_vm;

enum route_kind {
	ROUTE_NONE = 0,
	ROUTE_SPI,
	ROUTE_MSI,
};

struct route {
	uint8_t kind;		/* enum route_kind */
	uint32_t pin;		/* ROUTE_SPI: INTID - 32 */
	struct vgic_msi msi;	/* ROUTE_MSI */
};

#define ROUTE_NO_GSI	(-1)

struct route_table {
	uint32_t nr_entries;		/* routes in the table */
	uint32_t nr_gsis;		/* map[] covers GSIs below this */
	int16_t pin_gsi[VGIC_IRQCHIP_NUM_PINS];	/* KVM's rt->chip[0]: pin -> GSI */
	struct route map[];
};

/* Writers hold vm->config_lock; readers hold only a vrcu read-side section. */
struct routing {
	struct route_table *_Atomic table;
};

int routing_create(struct vgic_vm *vm);
/* No reader may remain: the VM is being destroyed. */
void routing_destroy(struct vgic_vm *vm);
/* vgic_vm_init: install the flat GSI n -> SPI n table.  config_lock held. */
int routing_set_default(struct vgic_vm *vm);

/*
 * Drive GSI @gsi to @level through @t (KVM's kvm_set_irq for one source).
 * An SPI route sets the line; an MSI route fires on a high level only.
 * Returns >0 delivered, 0 dropped (no route, or the ITS refused), <0 from
 * vgic_signal_msi.  Call inside a vrcu read-side section that produced @t.
 */
int routing_inject(struct vgic_vm *vm, const struct route_table *t, uint32_t gsi, bool level);

/* The current table; inside a vrcu read-side section. */
const struct route_table *routing_current(struct vgic_vm *vm);

/* The GSI whose route targets SPI @pin in @t, or ROUTE_NO_GSI. */
static inline int routing_pin_to_gsi(const struct route_table *t, uint32_t pin)
{
	return pin < VGIC_IRQCHIP_NUM_PINS ? t->pin_gsi[pin] : ROUTE_NO_GSI;
}

#endif
