/* SPDX-License-Identifier: MIT */
/*
 * KVM_SET_GSI_ROUTING (virt/kvm/irqchip.c, arch/arm64/kvm/vgic/vgic-irqfd.c):
 * checks in KVM's order, then an RCU swap of the whole table (see routing.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/rcu.h"
#include "kvm/routing.h"
#include "kvm/vm.h"

static struct route_table *table_alloc(uint32_t nr_gsis)
{
	struct route_table *t = calloc(1, sizeof(*t) + (size_t)nr_gsis * sizeof(t->map[0]));

	if (!t)
		return NULL;
	t->nr_gsis = nr_gsis;
	for (unsigned int i = 0; i < VGIC_IRQCHIP_NUM_PINS; i++)
		t->pin_gsi[i] = ROUTE_NO_GSI;
	return t;
}

/* The pin bound a table is checked against: KVM's before the SPIs exist. */
static uint32_t pin_limit(struct vgic_vm *vm)
{
	return vm_ready(vm) ? vm->gic.nr_spis : VGIC_IRQCHIP_NUM_PINS;
}

static int route_irqchip(struct route *r, const struct vgic_irq_route *e, uint32_t pins)
{
	if (e->flags || e->u.irqchip.irqchip != 0 || e->u.irqchip.pin >= pins)
		return -EINVAL;
	r->kind = ROUTE_SPI;
	r->pin = e->u.irqchip.pin;
	return 0;
}

static int route_msi(struct route *r, const struct vgic_irq_route *e, uint32_t pins)
{
	(void)pins;
	if (e->flags & ~VGIC_ROUTE_MSI_VALID_DEVID)
		return -EINVAL;
	r->kind = ROUTE_MSI;
	r->msi = (struct vgic_msi){
		.address = (uint64_t)e->u.msi.address_hi << 32 | e->u.msi.address_lo,
		.data = e->u.msi.data,
		.flags = e->flags & VGIC_ROUTE_MSI_VALID_DEVID ? VGIC_MSI_VALID_DEVID : 0,
		.devid = e->u.msi.devid,
	};
	return 0;
}

typedef int (*route_parse_fn)(struct route *r, const struct vgic_irq_route *e, uint32_t pins);

static const route_parse_fn route_parsers[] = {
	[VGIC_IRQ_ROUTING_IRQCHIP] = route_irqchip,
	[VGIC_IRQ_ROUTING_MSI] = route_msi,
};

/*
 * KVM's setup_routing_entry: a GSI already routed takes a second route only
 * when both are irqchip routes to different chips, and arm64 has one chip.
 */
static int table_add(struct route_table *t, const struct vgic_irq_route *e, uint32_t pins)
{
	struct route *r = &t->map[e->gsi];
	int ret;

	if (r->kind != ROUTE_NONE)
		return -EINVAL;
	if (e->type >= ARRAY_SIZE(route_parsers) || !route_parsers[e->type])
		return -EINVAL;
	ret = route_parsers[e->type](r, e, pins);
	if (ret)
		return ret;
	if (r->kind == ROUTE_SPI)
		t->pin_gsi[r->pin] = (int16_t)e->gsi;
	t->nr_entries++;
	return 0;
}

static int table_build(const struct vgic_irq_route *entries, unsigned int nr, uint32_t pins,
		       struct route_table **out)
{
	uint32_t nr_gsis = 0;
	struct route_table *t;
	int ret = 0;

	if (nr > VGIC_MAX_IRQ_ROUTES)
		return -EINVAL;
	for (unsigned int i = 0; i < nr; i++) {
		if (entries[i].gsi >= VGIC_MAX_IRQ_ROUTES)
			return -EINVAL;
		nr_gsis = MAX(nr_gsis, entries[i].gsi + 1);
	}
	t = table_alloc(nr_gsis);
	if (!t)
		return -ENOMEM;
	for (unsigned int i = 0; i < nr && !ret; i++)
		ret = table_add(t, &entries[i], pins);
	if (ret) {
		free(t);
		return ret;
	}
	*out = t;
	return 0;
}

/* Publish @t, then wait until no reader can see the old table.  Called
 * with config_lock held, which it drops before waiting. */
static void table_swap_unlock(struct vgic_vm *vm, struct route_table *t)
{
	struct route_table *old = vm->routing.table;

	vrcu_assign(vm->routing.table, t);
	pthread_mutex_unlock(&vm->config_lock);
	vrcu_synchronize();
	free(old);
}

int routing_create(struct vgic_vm *vm)
{
	struct route_table *t = table_alloc(0);

	if (!t)
		return -ENOMEM;
	atomic_init(&vm->routing.table, t);
	return 0;
}

void routing_destroy(struct vgic_vm *vm)
{
	free(atomic_load_explicit(&vm->routing.table, memory_order_relaxed));
	atomic_store_explicit(&vm->routing.table, NULL, memory_order_relaxed);
}

/* KVM's kvm_vgic_setup_default_irq_routing.  No irqfd exists before init,
 * so nothing can read the table being replaced: free it at once. */
int routing_set_default(struct vgic_vm *vm)
{
	uint32_t nr = MIN(vm->gic.nr_spis, VGIC_MAX_IRQ_ROUTES);
	struct route_table *t = table_alloc(nr), *old;

	if (!t)
		return -ENOMEM;
	for (uint32_t i = 0; i < nr; i++) {
		t->map[i] = (struct route){ .kind = ROUTE_SPI, .pin = i };
		t->pin_gsi[i] = (int16_t)i;
	}
	t->nr_entries = nr;
	old = vm->routing.table;
	vrcu_assign(vm->routing.table, t);
	vrcu_synchronize();
	free(old);
	return 0;
}

int vgic_set_gsi_routing(struct vgic_vm *vm, const struct vgic_irq_route *entries,
			 unsigned int nr)
{
	struct route_table *t = NULL;
	int ret = vm_check(vm);

	if (ret)
		return ret;
	if (!vm_has_gic(vm))
		return -ENXIO;
	if (nr && !entries)
		return -EINVAL;
	/* The pin bound depends on init, so hold off init while we build. */
	pthread_mutex_lock(&vm->config_lock);
	ret = table_build(entries, nr, pin_limit(vm), &t);
	if (ret) {
		pthread_mutex_unlock(&vm->config_lock);
		return ret;
	}
	table_swap_unlock(vm, t);
	return 0;
}

static struct vgic_irq_route route_export(uint32_t gsi, const struct route *r)
{
	struct vgic_irq_route e = { .gsi = gsi };

	if (r->kind == ROUTE_SPI) {
		e.type = VGIC_IRQ_ROUTING_IRQCHIP;
		e.u.irqchip.pin = r->pin;
	} else {
		e.type = VGIC_IRQ_ROUTING_MSI;
		e.flags = r->msi.flags & VGIC_MSI_VALID_DEVID ? VGIC_ROUTE_MSI_VALID_DEVID : 0;
		e.u.msi.address_lo = (uint32_t)r->msi.address;
		e.u.msi.address_hi = (uint32_t)(r->msi.address >> 32);
		e.u.msi.data = r->msi.data;
		e.u.msi.devid = r->msi.devid;
	}
	return e;
}

int vgic_get_gsi_routing(struct vgic_vm *vm, struct vgic_irq_route *entries, unsigned int max)
{
	const struct route_table *t;
	unsigned int n = 0;
	int ret = vm_check(vm);

	if (ret)
		return ret;
	vrcu_read_lock();
	t = routing_current(vm);
	for (uint32_t gsi = 0; gsi < t->nr_gsis; gsi++) {
		if (t->map[gsi].kind == ROUTE_NONE)
			continue;
		if (n < max && entries)
			entries[n] = route_export(gsi, &t->map[gsi]);
		n++;
	}
	vrcu_read_unlock();
	return (int)n;
}

const struct route_table *routing_current(struct vgic_vm *vm)
{
	return vrcu_deref(vm->routing.table);
}

int routing_inject(struct vgic_vm *vm, const struct route_table *t, uint32_t gsi, bool level)
{
	const struct route *r;

	if (gsi >= t->nr_gsis)
		return 0;
	r = &t->map[gsi];
	switch (r->kind) {
	case ROUTE_SPI:
		if (r->pin >= vm->gic.nr_spis)
			return 0;
		gic_irq_set_level(&vm->gic, &vm->gic.spis[r->pin], level);
		return 1;
	case ROUTE_MSI:
		/* A message has no level to lower (KVM's kvm_set_msi). */
		return level ? vgic_signal_msi(vm, &r->msi) : 0;
	default:
		return 0;
	}
}
