/* SPDX-License-Identifier: MIT */
/* Per-vCPU entry points: kick registration, pending query, ICC_* accessors. */
#include <errno.h>

#include <vgic/cpuif.h>
#include <vgic/irq_line.h>

#include "kvm/vm.h"

int vgic_vcpu_set_kick(struct vgic_vm *vm, unsigned int vcpu, vgic_kick_fn fn, void *opaque)
{
	int ret = vm_check_vcpu(vm, vcpu);
	struct vcpu_notify *n;

	if (ret)
		return ret;
	n = &vm->notify[vcpu];
	atomic_store_explicit(&n->opaque, opaque, memory_order_relaxed);
	atomic_store_explicit(&n->fn, fn, memory_order_release);
	return 0;
}

int vgic_vcpu_pending(struct vgic_vm *vm, unsigned int vcpu)
{
	int ret = vm_check_vcpu(vm, vcpu);

	if (ret)
		return ret;
	if (!vm_has_gic(vm))
		return vm_nogic_pending(vm, vcpu);
	if (!vm_ready(vm))
		return 0;
	return (int)gic_cpuif_pending(&vm->gic, &vm->gic.cpus[vcpu]);
}

int vm_nogic_pending(struct vgic_vm *vm, unsigned int vcpu)
{
	struct vcpu_notify *n = &vm->notify[vcpu];

	return (atomic_load(&n->line[VGIC_IRQ_CPU_IRQ]) ? VGIC_PENDING_IRQ : 0) |
	       (atomic_load(&n->line[VGIC_IRQ_CPU_FIQ]) ? VGIC_PENDING_FIQ : 0);
}

static int sysreg_check(struct vgic_vm *vm, unsigned int vcpu)
{
	int ret = vm_check_vcpu(vm, vcpu);

	if (ret)
		return ret;
	if (!vm_has_gic(vm))
		return -ENODEV;
	return vm_ready(vm) ? 0 : -EBUSY;
}

int vgic_sysreg_read(struct vgic_vm *vm, unsigned int vcpu, uint32_t enc, uint64_t *val)
{
	int ret = sysreg_check(vm, vcpu);

	return ret ? ret : gic_cpuif_read(&vm->gic, &vm->gic.cpus[vcpu], enc, val);
}

int vgic_sysreg_write(struct vgic_vm *vm, unsigned int vcpu, uint32_t enc, uint64_t val)
{
	int ret = sysreg_check(vm, vcpu);

	return ret ? ret : gic_cpuif_write(&vm->gic, &vm->gic.cpus[vcpu], enc, val);
}
