/* SPDX-License-Identifier: MIT */
/*
 * ITS devices of a VM, configured like KVM's KVM_DEV_TYPE_ARM_VGIC_ITS:
 * created and given an address before the GIC is initialised; at init they
 * join the io bus and the GIC gains LPIs.
 */
#include <errno.h>

#include "its/its.h"
#include "kvm/vm.h"

#define ITS_IPA_LIMIT	(1ULL << 40)	/* the VM's IPA size, as vm.c's */
#define ITS_ALIGN	0x10000ULL

static struct vgic_its *its_by_id(struct vgic_vm *vm, int id)
{
	unsigned int n = atomic_load_explicit(&vm->nr_its, memory_order_acquire);

	return id >= 0 && (unsigned int)id < n ? vm->its[id] : NULL;
}

int vgic_its_create(struct vgic_vm *vm)
{
	struct vgic_its *its;
	int ret = vm_check(vm);

	if (ret)
		return ret;
	if (!vm_has_gic(vm))
		return -ENODEV;
	pthread_mutex_lock(&vm->config_lock);
	if (vm_ready(vm)) {
		ret = -EBUSY;
	} else if (atomic_load(&vm->nr_its) >= VGIC_MAX_ITS) {
		ret = -ENOSPC;
	} else if (!(its = its_new(&vm->mem))) {
		ret = -ENOMEM;
	} else {
		its->base = VGIC_ADDR_UNDEF;
		ret = (int)atomic_load(&vm->nr_its);
		vm->its[ret] = its;
		atomic_store_explicit(&vm->nr_its, (unsigned int)ret + 1, memory_order_release);
	}
	pthread_mutex_unlock(&vm->config_lock);
	return ret;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return b != VGIC_ADDR_UNDEF && a < b + blen && b < a + alen;
}

/* Does [addr, addr + VGIC_ITS_SIZE) overlap a GIC frame or another ITS? */
static bool its_overlaps(struct vgic_vm *vm, const struct vgic_its *self, uint64_t addr)
{
	if (overlaps(addr, VGIC_ITS_SIZE, vm->dist_base, VGIC_DIST_SIZE) ||
	    overlaps(addr, VGIC_ITS_SIZE, vm->redist_base, VGIC_REDIST_SIZE * vm->nr_vcpus))
		return true;
	for (unsigned int i = 0; i < atomic_load(&vm->nr_its); i++)
		if (vm->its[i] != self && overlaps(addr, VGIC_ITS_SIZE, vm->its[i]->base, VGIC_ITS_SIZE))
			return true;
	return false;
}

int vgic_its_set_addr(struct vgic_vm *vm, int id, uint64_t addr)
{
	struct vgic_its *its;
	int ret = vm_check(vm);

	if (ret)
		return ret;
	pthread_mutex_lock(&vm->config_lock);
	its = its_by_id(vm, id);
	if (!its)
		ret = -ENXIO;
	else if (vm_ready(vm))
		ret = -EBUSY;
	else if (its->base != VGIC_ADDR_UNDEF)
		ret = -EEXIST;
	else if (!ALIGNED(addr, ITS_ALIGN) || addr + VGIC_ITS_SIZE < addr)
		ret = -EINVAL;
	else if (addr + VGIC_ITS_SIZE > ITS_IPA_LIMIT)
		ret = -E2BIG;
	else if (its_overlaps(vm, its, addr))
		ret = -EINVAL;
	else
		its->base = addr;
	pthread_mutex_unlock(&vm->config_lock);
	return ret;
}

int vgic_its_get_addr(struct vgic_vm *vm, int id, uint64_t *addr)
{
	struct vgic_its *its;
	int ret = vm_check(vm);

	if (ret)
		return ret;
	pthread_mutex_lock(&vm->config_lock);
	its = its_by_id(vm, id);
	if (!its || its->base == VGIC_ADDR_UNDEF)
		ret = -ENXIO;
	else
		*addr = its->base;
	pthread_mutex_unlock(&vm->config_lock);
	return ret;
}

int vgic_its_get_stats(struct vgic_vm *vm, int id, struct vgic_its_stats *st)
{
	struct vgic_its *its;
	int ret = vm_check(vm);

	if (ret)
		return ret;
	its = its_by_id(vm, id);
	if (!its)
		return -ENXIO;
	its_get_stats(its, st);
	return 0;
}

static int its_io_read(void *opaque, unsigned int vcpu, uint64_t addr, unsigned int len,
		       uint64_t *val)
{
	struct vgic_its *its = opaque;

	(void)vcpu;
	*val = its_mmio_read(its, addr - its->base, len);
	return 0;
}

static int its_io_write(void *opaque, unsigned int vcpu, uint64_t addr, unsigned int len,
			uint64_t val)
{
	struct vgic_its *its = opaque;

	(void)vcpu;
	its_mmio_write(its, addr - its->base, len, val);
	return 0;
}

static const struct io_dev_ops its_io_ops = { .read = its_io_read, .write = its_io_write };

int vm_its_check(struct vgic_vm *vm)
{
	for (unsigned int i = 0; i < atomic_load(&vm->nr_its); i++) {
		if (vm->its[i]->base == VGIC_ADDR_UNDEF)
			return -ENXIO;
		/* The distributor or redistributors may have been placed after the ITS. */
		if (its_overlaps(vm, vm->its[i], vm->its[i]->base))
			return -EINVAL;
	}
	return 0;
}

/* A redistributor stopped taking LPIs: no cached translation may reach it. */
static void lpis_disabled(void *opaque, struct gic_cpu *cpu)
{
	struct vgic_vm *vm = opaque;

	(void)cpu;
	for (unsigned int i = 0; i < atomic_load(&vm->nr_its); i++) {
		pthread_mutex_lock(&vm->its[i]->lock);
		its_cache_forget_all(vm->its[i]);
		pthread_mutex_unlock(&vm->its[i]->lock);
	}
}

int vm_its_init(struct vgic_vm *vm)
{
	unsigned int n = atomic_load(&vm->nr_its), i;
	int ret;

	if (!n)
		return 0;
	ret = gic_lpi_init(&vm->gic);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		ret = io_bus_register(&vm->io_bus, vm->its[i]->base, VGIC_ITS_SIZE, &its_io_ops,
				      vm->its[i]);
		if (ret)
			goto undo;
		its_attach(vm->its[i], &vm->gic);
	}
	vm->gic.lpis_disabled = lpis_disabled;
	vm->gic.lpis_disabled_opaque = vm;
	vm->gic.has_lpis = true;
	gic_redist_reset_propbaser(&vm->gic);
	return 0;
undo:
	while (i--)
		io_bus_unregister(&vm->io_bus, &its_io_ops, vm->its[i]);
	gic_lpi_destroy(&vm->gic);
	return ret;
}

void vm_its_destroy(struct vgic_vm *vm)
{
	unsigned int n = atomic_load(&vm->nr_its);

	for (unsigned int i = 0; i < n; i++) {
		its_free(vm->its[i]);
		vm->its[i] = NULL;
	}
	atomic_store(&vm->nr_its, 0);
}

void vm_its_stats(struct vgic_vm *vm, struct vgic_stats *st)
{
	for (unsigned int i = 0; i < atomic_load(&vm->nr_its); i++) {
		struct vgic_its_stats s;

		its_get_stats(vm->its[i], &s);
		st->its_cmds += s.cmds;
		st->its_cmd_errors += s.cmd_errors;
	}
}

struct vgic_its *vm_its_by_doorbell(struct vgic_vm *vm, uint64_t addr)
{
	unsigned int n = atomic_load_explicit(&vm->nr_its, memory_order_acquire);

	for (unsigned int i = 0; i < n; i++)
		if (vm->its[i]->base + VGIC_ITS_TRANSLATER == addr)
			return vm->its[i];
	return NULL;
}
