/* SPDX-License-Identifier: MIT */
/*
 * Guest MMIO entry: the GIC frames first (fixed at init, no lock needed),
 * then the io bus (ITS frames, ioeventfds), else the VMM's turn.
 */
#include <errno.h>

#include <vgic/mmio.h>

#include "kvm/vm.h"

static bool in_range(uint64_t addr, unsigned int len, uint64_t base, uint64_t size)
{
	return addr >= base && addr - base < size && len <= size - (addr - base);
}

static bool valid_len(unsigned int len)
{
	return len == 1 || len == 2 || len == 4 || len == 8;
}

/* 1 with *@val filled or consumed if a GIC frame covers the access, else 0. */
static int gic_frames_access(struct vgic_vm *vm, uint64_t gpa, unsigned int len, bool is_write,
			     uint64_t *val)
{
	struct gic *gic = &vm->gic;
	uint64_t off;

	if (in_range(gpa, len, gic->dist_base, VGIC_DIST_SIZE)) {
		off = gpa - gic->dist_base;
		if (is_write)
			gic_dist_write(gic, (uint32_t)off, len, *val);
		else
			*val = gic_dist_read(gic, (uint32_t)off, len);
		return 1;
	}
	if (in_range(gpa, len, gic->redist_base, VGIC_REDIST_SIZE * gic->nr_vcpus)) {
		off = gpa - gic->redist_base;
		struct gic_cpu *cpu = &gic->cpus[off / VGIC_REDIST_SIZE];

		off %= VGIC_REDIST_SIZE;
		if (is_write)
			gic_redist_write(gic, cpu, (uint32_t)off, len, *val);
		else
			*val = gic_redist_read(gic, cpu, (uint32_t)off, len);
		return 1;
	}
	return 0;
}

static int mmio_access(struct vgic_vm *vm, unsigned int vcpu, uint64_t gpa, unsigned int len,
		       bool is_write, uint64_t *val)
{
	int ret = vm_check_vcpu(vm, vcpu);

	if (ret)
		return ret;
	if (!valid_len(len))
		return -EINVAL;
	/* The io bus (ioeventfds) serves VMs without a GIC, and before init, too. */
	if (vm_ready(vm) && gic_frames_access(vm, gpa, len, is_write, val))
		return VGIC_MMIO_HANDLED;
	return io_bus_access(&vm->io_bus, vcpu, gpa, len, is_write, val);
}

int vgic_mmio_read(struct vgic_vm *vm, unsigned int vcpu, uint64_t gpa, unsigned int len,
		   uint64_t *val)
{
	*val = 0;
	return mmio_access(vm, vcpu, gpa, len, false, val);
}

int vgic_mmio_write(struct vgic_vm *vm, unsigned int vcpu, uint64_t gpa, unsigned int len,
		    uint64_t val)
{
	return mmio_access(vm, vcpu, gpa, len, true, &val);
}
