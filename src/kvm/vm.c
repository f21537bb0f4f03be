/* SPDX-License-Identifier: MIT */
/*
 * VM lifecycle and GIC configuration with KVM_DEV_TYPE_ARM_VGIC_V3 semantics
 * (Documentation/virt/kvm/devices/arm-vgic-v3.rst): attributes first, then
 * CTRL_INIT freezes them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kvm/ioeventfd.h"
#include "kvm/irqfd.h"
#include "kvm/vm.h"

/* IPA size KVM gives a VM that does not ask for another (40 bits, 1 TiB). */
#define VGIC_IPA_BITS		40
#define VGIC_FRAME_ALIGN	0x10000ULL

/*
 * Destroyed VMs keep their (small) struct here, marked dead, so that a late
 * call on the handle fails with -ENODEV instead of touching freed memory, as
 * an ioctl on a closed fd fails.  Bounded: past the cap the oldest goes.
 */
#define GRAVEYARD_CAP 256
static struct vgic_vm *graveyard[GRAVEYARD_CAP];
static unsigned int graveyard_next;
static pthread_mutex_t graveyard_lock = PTHREAD_MUTEX_INITIALIZER;

static void bury(struct vgic_vm *vm)
{
	struct vgic_vm *old;

	pthread_mutex_lock(&graveyard_lock);
	old = graveyard[graveyard_next];
	graveyard[graveyard_next] = vm;
	graveyard_next = (graveyard_next + 1) % GRAVEYARD_CAP;
	pthread_mutex_unlock(&graveyard_lock);
	free(old);
}

__attribute__((destructor)) static void graveyard_free(void)
{
	for (unsigned int i = 0; i < GRAVEYARD_CAP; i++) {
		free(graveyard[i]);
		graveyard[i] = NULL;
	}
}

unsigned int vgic_version(void)
{
	return VGIC_VERSION;
}

int vgic_vm_create(unsigned int nr_vcpus, unsigned int flags, struct vgic_vm **vmp)
{
	struct vgic_vm *vm;

	if (!vmp || nr_vcpus < 1 || nr_vcpus > VGIC_MAX_VCPUS || (flags & ~VGIC_VM_NO_GIC))
		return -EINVAL;
	vm = calloc(1, sizeof(*vm));
	if (vm)
		vm->notify = calloc(nr_vcpus, sizeof(*vm->notify));
	if (!vm || !vm->notify) {
		free(vm);
		return -ENOMEM;
	}
	vm->magic = VGIC_VM_MAGIC;
	vm->nr_vcpus = nr_vcpus;
	vm->flags = flags;
	vm->dist_base = VGIC_ADDR_UNDEF;
	vm->redist_base = VGIC_ADDR_UNDEF;
	pthread_mutex_init(&vm->config_lock, NULL);
	atomic_init(&vm->dead, false);
	atomic_init(&vm->initialized, false);
	atomic_init(&vm->mem.nr, 0);
	atomic_init(&vm->nr_its, 0);
	io_bus_init(&vm->io_bus);
	if (routing_create(vm) || irqfd_vm_create(vm) || ioeventfd_vm_create(vm)) {
		vgic_vm_destroy(vm);
		return -ENOMEM;
	}
	*vmp = vm;
	return 0;
}

void vgic_vm_destroy(struct vgic_vm *vm)
{
	if (vm_check(vm))
		return;
	atomic_store_explicit(&vm->dead, true, memory_order_release);
	/* irqfd workers inject from their own threads: stop them first. */
	irqfd_vm_destroy(vm);
	ioeventfd_vm_destroy(vm);
	vm_its_destroy(vm);
	if (vm_ready(vm)) {
		gic_lpi_destroy(&vm->gic);
		gic_destroy(&vm->gic);
	}
	io_bus_destroy(&vm->io_bus);
	routing_destroy(vm);
	free(vm->notify);
	vm->notify = NULL;
	pthread_mutex_destroy(&vm->config_lock);
	bury(vm);
}

int vgic_vm_set_nr_irqs(struct vgic_vm *vm, uint32_t nr_irqs)
{
	int ret = vm_check(vm);

	if (ret)
		return ret;
	if (!vm_has_gic(vm))
		return -ENXIO;
	if (nr_irqs < VGIC_NR_IRQS_MIN || nr_irqs > VGIC_NR_IRQS_MAX || nr_irqs % 32)
		return -EINVAL;
	pthread_mutex_lock(&vm->config_lock);
	if (vm_ready(vm) || vm->nr_irqs)
		ret = -EBUSY;
	else
		vm->nr_irqs = nr_irqs;
	pthread_mutex_unlock(&vm->config_lock);
	return ret;
}

int vgic_vm_get_nr_irqs(struct vgic_vm *vm, uint32_t *nr_irqs)
{
	int ret = vm_check(vm);

	if (ret)
		return ret;
	if (!vm_has_gic(vm))
		return -ENXIO;
	pthread_mutex_lock(&vm->config_lock);
	*nr_irqs = vm->nr_irqs ? vm->nr_irqs : VGIC_NR_IRQS_DEFAULT;
	pthread_mutex_unlock(&vm->config_lock);
	return 0;
}

static uint64_t *addr_slot(struct vgic_vm *vm, enum vgic_addr_type type, uint64_t *size)
{
	switch (type) {
	case VGIC_ADDR_TYPE_DIST:
		*size = VGIC_DIST_SIZE;
		return &vm->dist_base;
	case VGIC_ADDR_TYPE_REDIST:
		*size = VGIC_REDIST_SIZE * vm->nr_vcpus;
		return &vm->redist_base;
	}
	return NULL;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* KVM's vgic_check_iorange order: set once, alignment, wrap, IPA range. */
static int check_iorange(const uint64_t *slot, uint64_t addr, uint64_t size)
{
	if (*slot != VGIC_ADDR_UNDEF)
		return -EEXIST;
	if (!ALIGNED(addr, VGIC_FRAME_ALIGN) || addr + size < addr)
		return -EINVAL;
	if (addr + size > (1ULL << VGIC_IPA_BITS))
		return -E2BIG;
	return 0;
}

int vgic_vm_set_addr(struct vgic_vm *vm, enum vgic_addr_type type, uint64_t addr)
{
	uint64_t size, osize;
	uint64_t *slot, *other;
	int ret = vm_check(vm);

	if (ret)
		return ret;
	if (!vm_has_gic(vm))
		return -ENXIO;
	pthread_mutex_lock(&vm->config_lock);
	slot = addr_slot(vm, type, &size);
	if (!slot) {
		ret = -ENXIO;
	} else if (vm_ready(vm)) {
		ret = -EBUSY;
	} else if (!(ret = check_iorange(slot, addr, size))) {
		other = addr_slot(vm, type == VGIC_ADDR_TYPE_DIST ? VGIC_ADDR_TYPE_REDIST
								  : VGIC_ADDR_TYPE_DIST, &osize);
		if (*other != VGIC_ADDR_UNDEF && overlaps(addr, size, *other, osize))
			ret = -EINVAL;
		else
			*slot = addr;
	}
	pthread_mutex_unlock(&vm->config_lock);
	return ret;
}

int vgic_vm_get_addr(struct vgic_vm *vm, enum vgic_addr_type type, uint64_t *addr)
{
	uint64_t size, *slot;
	int ret = vm_check(vm);

	if (ret)
		return ret;
	if (!vm_has_gic(vm))
		return -ENXIO;
	pthread_mutex_lock(&vm->config_lock);
	slot = addr_slot(vm, type, &size);
	if (!slot || *slot == VGIC_ADDR_UNDEF)
		ret = -ENXIO;
	else
		*addr = *slot;
	pthread_mutex_unlock(&vm->config_lock);
	return ret;
}

/* Repeating init is harmless, as KVM_DEV_ARM_VGIC_CTRL_INIT is. */
int vgic_vm_init(struct vgic_vm *vm)
{
	int ret = vm_check(vm);

	if (ret)
		return ret;
	if (!vm_has_gic(vm))
		return -ENODEV;
	pthread_mutex_lock(&vm->config_lock);
	if (vm_ready(vm))
		goto out;
	if (vm->dist_base == VGIC_ADDR_UNDEF || vm->redist_base == VGIC_ADDR_UNDEF) {
		ret = -ENXIO;
		goto out;
	}
	if (!vm->nr_irqs)
		vm->nr_irqs = VGIC_NR_IRQS_DEFAULT;
	ret = vm_its_check(vm);
	if (ret)
		goto out;
	ret = gic_create(&vm->gic, vm->nr_vcpus, vm->nr_irqs, &vm->mem, vm->notify);
	if (ret)
		goto out;
	vm->gic.dist_base = vm->dist_base;
	vm->gic.redist_base = vm->redist_base;
	/* The flat routing table first: it only needs the SPIs, and a table
	 * left behind by a later failure is freed with the VM. */
	ret = routing_set_default(vm);
	if (!ret)
		ret = vm_its_init(vm);
	if (ret) {
		gic_destroy(&vm->gic);
		goto out;
	}
	irqfd_gic_ready(vm);
	atomic_store_explicit(&vm->initialized, true, memory_order_release);
out:
	pthread_mutex_unlock(&vm->config_lock);
	return ret;
}

int vgic_vm_initialized(struct vgic_vm *vm)
{
	int ret = vm_check(vm);

	return ret ? ret : vm_ready(vm);
}

int vgic_vm_check_extension(struct vgic_vm *vm, enum vgic_cap cap)
{
	if (vm_check(vm))
		return 0;
	switch (cap) {
	case VGIC_CAP_IRQCHIP:
		return vm_has_gic(vm);
	case VGIC_CAP_IRQ_ROUTING:
		return VGIC_MAX_IRQ_ROUTES;
	case VGIC_CAP_IRQFD:
	case VGIC_CAP_IRQFD_RESAMPLE:
		return vm_has_gic(vm);
	case VGIC_CAP_IOEVENTFD:
		return 1;
	case VGIC_CAP_SIGNAL_MSI:
	case VGIC_CAP_MSI_DEVID:
		/* Both need an ITS to translate with (KVM_CAP_MSI_DEVID: vgic_has_its). */
		return atomic_load(&vm->nr_its) > 0;
	case VGIC_CAP_NR_VCPUS:
		return VGIC_MAX_VCPUS;
	default:
		return 0;
	}
}

unsigned int vgic_vm_nr_vcpus(struct vgic_vm *vm)
{
	return vm_check(vm) ? 0 : vm->nr_vcpus;
}

uint64_t vgic_vcpu_mpidr(struct vgic_vm *vm, unsigned int vcpu)
{
	(void)vm;
	return gic_vcpu_mpidr(vcpu);
}

int vgic_vm_get_stats(struct vgic_vm *vm, struct vgic_stats *st)
{
	const struct gic_stats *g;
	int ret = vm_check(vm);

	if (ret)
		return ret;
	g = &vm->gic.stats;
	memset(st, 0, sizeof(*st));
	if (!vm_ready(vm))
		return 0;
	st->mmio_bad_access = atomic_load(&g->mmio_bad_access);
	st->sysreg_bad_access = atomic_load(&g->sysreg_bad_access);
	st->spurious_acks = atomic_load(&g->spurious_acks);
	st->irqs_injected = atomic_load(&g->irqs_injected);
	st->kicks = atomic_load(&g->kicks);
	st->lpi_table_errors = atomic_load(&g->lpi_table_errors);
	vm_its_stats(vm, st);
	return 0;
}

int vgic_vm_add_ram(struct vgic_vm *vm, uint64_t gpa, uint64_t size, void *host)
{
	int ret = vm_check(vm);

	if (ret)
		return ret;
	pthread_mutex_lock(&vm->config_lock);
	ret = gmem_add(&vm->mem, gpa, size, host);
	pthread_mutex_unlock(&vm->config_lock);
	return ret;
}

int vgic_guest_read(struct vgic_vm *vm, uint64_t gpa, void *buf, size_t len)
{
	int ret = vm_check(vm);

	return ret ? ret : gmem_read(&vm->mem, gpa, buf, len);
}

int vgic_guest_write(struct vgic_vm *vm, uint64_t gpa, const void *buf, size_t len)
{
	int ret = vm_check(vm);

	return ret ? ret : gmem_write(&vm->mem, gpa, buf, len);
}
