/* SPDX-License-Identifier: MIT */
/*
 * KVM_{GET,SET,HAS}_DEVICE_ATTR for the GIC and its ITSes: decode the
 * attribute as KVM does (vgic-kvm-device.c, vgic-its.c), find the vCPU or
 * ITS it names, and hand the access to the GIC's or ITS's userspace
 * accessors.  One handler per group, in a table.  Every access runs under
 * vm->config_lock, so save and restore never interleave with configuration.
 */
#include <errno.h>

#include <vgic/attr.h>

#include "its/its.h"
#include "kvm/vm.h"

#define ITS_ADDR_TYPE		4	/* KVM_VGIC_ITS_ADDR_TYPE */
#define SYSREG_ENC_MASK		0xffffULL	/* KVM_DEV_ARM_VGIC_SYSREG_INSTR_MASK */

/* The vCPU whose affinity is in bits [63:32] of @attr (KVM's MPIDR layout), or NULL. */
static struct gic_cpu *attr_cpu(struct vgic_vm *vm, uint64_t attr)
{
	uint64_t aff = attr >> VGIC_ATTR_MPIDR_SHIFT;
	uint64_t mpidr = (aff & 0xffffffULL) | ((aff >> 24) & 0xff) << 32;

	return gic_cpu_by_mpidr(&vm->gic, mpidr);
}

struct attr_op {
	struct vgic_vm *vm;
	uint64_t attr;
	bool is_write;
	uint64_t *val;
};

static int dist_regs(const struct attr_op *op)
{
	uint32_t off = (uint32_t)(op->attr & VGIC_ATTR_OFFSET_MASK), v = (uint32_t)*op->val;
	int ret;

	/* Only GICD_IIDR may be restored before init (KVM's reg_allowed_pre_init). */
	if (!vm_ready(op->vm) && off != GICD_IIDR)
		return -EBUSY;
	ret = gic_dist_uaccess(&op->vm->gic, off, op->is_write, &v);
	if (!ret && !op->is_write)
		*op->val = v;
	return ret;
}

static int redist_regs(const struct attr_op *op)
{
	uint32_t off = (uint32_t)(op->attr & VGIC_ATTR_OFFSET_MASK), v = (uint32_t)*op->val;
	struct gic_cpu *cpu;
	int ret;

	if (!vm_ready(op->vm))
		return -EBUSY;
	cpu = attr_cpu(op->vm, op->attr);
	if (!cpu)
		return -EINVAL;
	ret = gic_redist_uaccess(&op->vm->gic, cpu, off, op->is_write, &v);
	if (!ret && !op->is_write)
		*op->val = v;
	return ret;
}

static int cpu_sysregs(const struct attr_op *op)
{
	struct gic_cpu *cpu;

	if (!vm_ready(op->vm))
		return -EBUSY;
	cpu = attr_cpu(op->vm, op->attr);
	if (!cpu)
		return -EINVAL;
	return gic_cpuif_uaccess(&op->vm->gic, cpu, (uint32_t)(op->attr & SYSREG_ENC_MASK),
				 op->is_write, op->val);
}

/* INTIDs past the configured ones read as 0 and ignore writes, as in KVM. */
static int level_info(const struct attr_op *op)
{
	uint64_t info = op->attr >> VGIC_ATTR_LEVEL_INFO_SHIFT & VGIC_ATTR_LEVEL_INFO_MASK;
	uint32_t base = (uint32_t)(op->attr & VGIC_ATTR_LEVEL_INTID_MASK);
	struct gic_cpu *cpu;

	if (!vm_ready(op->vm))
		return -EBUSY;
	cpu = attr_cpu(op->vm, op->attr);
	if (!cpu)
		return -EINVAL;
	if (info != VGIC_LEVEL_INFO_LINE_LEVEL || base % 32)
		return -EINVAL;
	if (op->is_write)
		gic_line_level_set(&op->vm->gic, cpu, base, (uint32_t)*op->val);
	else
		*op->val = gic_line_level_get(&op->vm->gic, cpu, base);
	return 0;
}

static int ctrl(const struct attr_op *op)
{
	if (!op->is_write)
		return -ENXIO;
	switch (op->attr) {
	case VGIC_SAVE_PENDING_TABLES:
		return vm_ready(op->vm) ? gic_save_pending_tables(&op->vm->gic) : 0;
	default:
		return -ENXIO;
	}
}

struct attr_group {
	uint32_t group;
	int (*fn)(const struct attr_op *op);
};

/* Groups handled under config_lock; ADDR, NR_IRQS and CTRL_INIT take it themselves. */
static const struct attr_group gic_groups[] = {
	{ VGIC_GRP_DIST_REGS, dist_regs },
	{ VGIC_GRP_CTRL, ctrl },
	{ VGIC_GRP_REDIST_REGS, redist_regs },
	{ VGIC_GRP_CPU_SYSREGS, cpu_sysregs },
	{ VGIC_GRP_LEVEL_INFO, level_info },
};

static int gic_attr(struct vgic_vm *vm, uint32_t group, uint64_t attr, bool is_write,
		    uint64_t *val)
{
	struct attr_op op = { vm, attr, is_write, val };
	int ret = vm_check(vm);

	if (ret)
		return ret;
	if (!vm_has_gic(vm))
		return -ENODEV;
	for (size_t i = 0; i < ARRAY_SIZE(gic_groups); i++) {
		if (gic_groups[i].group != group)
			continue;
		pthread_mutex_lock(&vm->config_lock);
		ret = gic_groups[i].fn(&op);
		pthread_mutex_unlock(&vm->config_lock);
		return ret;
	}
	return -ENXIO;
}

int vgic_vm_set_attr(struct vgic_vm *vm, uint32_t group, uint64_t attr, uint64_t val)
{
	if (group == VGIC_GRP_ADDR)
		return vgic_vm_set_addr(vm, (enum vgic_addr_type)attr, val);
	if (group == VGIC_GRP_NR_IRQS)
		return attr ? -ENXIO : vgic_vm_set_nr_irqs(vm, (uint32_t)val);
	if (group == VGIC_GRP_CTRL && attr == VGIC_CTRL_INIT)
		return vgic_vm_init(vm);
	return gic_attr(vm, group, attr, true, &val);
}

int vgic_vm_get_attr(struct vgic_vm *vm, uint32_t group, uint64_t attr, uint64_t *val)
{
	uint32_t nr;
	int ret;

	if (group == VGIC_GRP_ADDR)
		return vgic_vm_get_addr(vm, (enum vgic_addr_type)attr, val);
	if (group == VGIC_GRP_NR_IRQS) {
		if (attr)
			return -ENXIO;
		ret = vgic_vm_get_nr_irqs(vm, &nr);
		if (!ret)
			*val = nr;
		return ret;
	}
	return gic_attr(vm, group, attr, false, val);
}

/* A read with no side effect decides whether a register attribute exists. */
int vgic_vm_has_attr(struct vgic_vm *vm, uint32_t group, uint64_t attr)
{
	uint64_t v = 0;
	int ret;

	switch (group) {
	case VGIC_GRP_ADDR:
		return attr == VGIC_ADDR_TYPE_DIST || attr == VGIC_ADDR_TYPE_REDIST ? 0 : -ENXIO;
	case VGIC_GRP_NR_IRQS:
		return attr ? -ENXIO : 0;
	case VGIC_GRP_CTRL:
		return attr == VGIC_CTRL_INIT || attr == VGIC_SAVE_PENDING_TABLES ? 0 : -ENXIO;
	case VGIC_GRP_LEVEL_INFO:
		return (attr >> VGIC_ATTR_LEVEL_INFO_SHIFT & VGIC_ATTR_LEVEL_INFO_MASK) ==
		       VGIC_LEVEL_INFO_LINE_LEVEL ? 0 : -EINVAL;
	case VGIC_GRP_DIST_REGS:
	case VGIC_GRP_REDIST_REGS:
	case VGIC_GRP_CPU_SYSREGS:
		ret = gic_attr(vm, group, attr, false, &v);
		return ret == -ENXIO || ret == -EINVAL || ret == -EBUSY || ret == -ENODEV ? ret : 0;
	default:
		return -ENXIO;
	}
}

/* ---- ITS devices ---- */

static struct vgic_its *attr_its(struct vgic_vm *vm, int id)
{
	unsigned int n = atomic_load_explicit(&vm->nr_its, memory_order_acquire);

	return id >= 0 && (unsigned int)id < n ? vm->its[id] : NULL;
}

static int its_ctrl(struct vgic_its *its, uint64_t attr)
{
	switch (attr) {
	case VGIC_CTRL_INIT:
		return 0;
	case VGIC_ITS_SAVE_TABLES:
		return its_save_tables(its);
	case VGIC_ITS_RESTORE_TABLES:
		return its_restore_tables(its);
	case VGIC_ITS_CTRL_RESET:
		its_reset(its);
		return 0;
	default:
		return -ENXIO;
	}
}

static int its_attr(struct vgic_vm *vm, int id, uint32_t group, uint64_t attr, bool is_write,
		    uint64_t *val)
{
	struct vgic_its *its;
	int ret = vm_check(vm);

	if (ret)
		return ret;
	if (group == VGIC_GRP_ADDR) {
		if (attr != ITS_ADDR_TYPE)
			return -ENXIO;
		return is_write ? vgic_its_set_addr(vm, id, *val) : vgic_its_get_addr(vm, id, val);
	}
	if (group != VGIC_GRP_CTRL && group != VGIC_GRP_ITS_REGS)
		return -ENXIO;
	if (group == VGIC_GRP_CTRL && (!is_write || attr == VGIC_CTRL_INIT))
		return is_write && attr_its(vm, id) ? 0 : -ENXIO;
	pthread_mutex_lock(&vm->config_lock);
	its = attr_its(vm, id);
	if (!its || its->base == VGIC_ADDR_UNDEF)
		ret = -ENXIO;
	else if (!vm_ready(vm))
		ret = -EBUSY;
	else if (group == VGIC_GRP_CTRL)
		ret = its_ctrl(its, attr);
	else if (attr > UINT32_MAX)
		ret = -ENXIO;
	else
		ret = its_uaccess(its, (uint32_t)attr, is_write, val);
	pthread_mutex_unlock(&vm->config_lock);
	return ret;
}

int vgic_its_set_attr(struct vgic_vm *vm, int id, uint32_t group, uint64_t attr, uint64_t val)
{
	return its_attr(vm, id, group, attr, true, &val);
}

int vgic_its_get_attr(struct vgic_vm *vm, int id, uint32_t group, uint64_t attr,
		      uint64_t *val)
{
	return its_attr(vm, id, group, attr, false, val);
}

int vgic_its_has_attr(struct vgic_vm *vm, int id, uint32_t group, uint64_t attr)
{
	int ret = vm_check(vm);

	if (ret)
		return ret;
	if (!attr_its(vm, id))
		return -ENXIO;
	switch (group) {
	case VGIC_GRP_ADDR:
		return attr == ITS_ADDR_TYPE ? 0 : -ENXIO;
	case VGIC_GRP_CTRL:
		return attr == VGIC_CTRL_INIT || attr == VGIC_ITS_SAVE_TABLES ||
		       attr == VGIC_ITS_RESTORE_TABLES || attr == VGIC_ITS_CTRL_RESET ? 0 : -ENXIO;
	case VGIC_GRP_ITS_REGS:
		return attr > UINT32_MAX ? -ENXIO : its_uaccess_check((uint32_t)attr);
	default:
		return -ENXIO;
	}
}
