/* SPDX-License-Identifier: MIT */
/*
 * Device attributes: the interrupt state of a VM read and written by the VMM
 * for save, restore and migration, with the semantics of KVM's
 * KVM_{GET,SET,HAS}_DEVICE_ATTR on the vgic-v3 and vgic-its devices
 * (Documentation/virt/kvm/devices/arm-vgic-v3.rst, arm-vgic-its.rst).
 * Groups and attribute encodings use KVM's numbers, so a VMM can pass its
 * uapi values through unchanged.  Every value travels in a uint64_t; groups
 * whose KVM value is a u32 use (and return) its low 32 bits only.
 *
 * Restore order (as KVM documents it): NR_IRQS and addresses, CTRL_INIT,
 * distributor registers, redistributor registers (PROPBASER and PENDBASER
 * before GICR_CTLR), CPU system registers, LEVEL_INFO; then for each ITS:
 * GITS_IIDR, GITS_CBASER, GITS_CREADR/CWRITER, GITS_BASER<n>, RESTORE_TABLES,
 * and GITS_CTLR last.  Other orders fail as on KVM: writes the register
 * ignores in the state reached are ignored, and a table restore whose
 * GITS_BASER is not valid restores nothing.
 */
#ifndef VGIC_ATTR_H
#define VGIC_ATTR_H

#include <stdint.h>

#include <vgic/vgic.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vgic_vm;

/* Attribute groups (KVM_DEV_ARM_VGIC_GRP_*). */
#define VGIC_GRP_ADDR		0
#define VGIC_GRP_DIST_REGS	1
#define VGIC_GRP_NR_IRQS	3
#define VGIC_GRP_CTRL		4
#define VGIC_GRP_REDIST_REGS	5
#define VGIC_GRP_CPU_SYSREGS	6
#define VGIC_GRP_LEVEL_INFO	7
#define VGIC_GRP_ITS_REGS	8

/* VGIC_GRP_CTRL attributes (KVM_DEV_ARM_*). */
#define VGIC_CTRL_INIT			0	/* GIC and ITS */
#define VGIC_ITS_SAVE_TABLES		1	/* ITS */
#define VGIC_ITS_RESTORE_TABLES		2	/* ITS */
#define VGIC_SAVE_PENDING_TABLES	3	/* GIC */
#define VGIC_ITS_CTRL_RESET		4	/* ITS */

/*
 * Attribute encodings.  DIST_REGS: the register offset.  REDIST_REGS and
 * CPU_SYSREGS: the vCPU's affinity in bits [63:32] (Aff3 [63:56], Aff2
 * [55:48], Aff1 [47:40], Aff0 [39:32]) and the register offset, or the
 * VGIC_SYSREG() encoding, below.  LEVEL_INFO: affinity, info type in [31:10]
 * (0: line level), first INTID of a group of 32 in [9:0].
 */
#define VGIC_ATTR_MPIDR_SHIFT		32
#define VGIC_ATTR_OFFSET_MASK		0xffffffffULL
#define VGIC_ATTR_LEVEL_INFO_SHIFT	10
#define VGIC_ATTR_LEVEL_INFO_MASK	0x3fffffULL
#define VGIC_ATTR_LEVEL_INTID_MASK	0x3ffULL
#define VGIC_LEVEL_INFO_LINE_LEVEL	0

/* The attribute word for @mpidr (MPIDR_EL1 layout, Aff3 in [39:32]) and @low. */
static inline uint64_t vgic_attr_mpidr(uint64_t mpidr, uint32_t low)
{
	uint64_t aff = (mpidr & 0xffffffULL) | ((mpidr >> 32) & 0xff) << 24;

	return aff << VGIC_ATTR_MPIDR_SHIFT | low;
}

/*
 * KVM_SET_DEVICE_ATTR on the GIC.  Register groups need an initialised GIC
 * (-EBUSY before CTRL_INIT, except GICD_IIDR) and take 32-bit aligned
 * offsets; userspace semantics differ from guest MMIO where KVM's do:
 * ISPENDR writes the pending latch (set and clear), ICPENDR is WI,
 * I{S,C}ACTIVER set the active state directly, GICD_TYPER/TYPER2, GICR_TYPER
 * and the IIDRs must match what this GIC is (-EINVAL).
 * LEVEL_INFO covers the 32 INTIDs from its base: those that are not
 * level-sensitive or not configured read as 0 and ignore writes (KVM).
 * Errors: -ENXIO unknown group, attribute or register; -EINVAL bad value, bad
 * affinity (no such vCPU), LEVEL_INFO INTID not a multiple of 32, unknown
 * info type, ICC_CTLR_EL1 fields this CPU interface cannot take, AP<n>R<m>
 * with m > 0; -EFAULT pending table outside RAM (SAVE_PENDING_TABLES);
 * -ENODEV dead handle or no GIC.  ADDR, NR_IRQS and CTRL_INIT behave as
 * vgic_vm_set_addr(), _set_nr_irqs(), _init().
 */
VGIC_API int vgic_vm_set_attr(struct vgic_vm *vm, uint32_t group, uint64_t attr, uint64_t val);

/* KVM_GET_DEVICE_ATTR on the GIC: errors as vgic_vm_set_attr(). */
VGIC_API int vgic_vm_get_attr(struct vgic_vm *vm, uint32_t group, uint64_t attr, uint64_t *val);

/*
 * KVM_HAS_DEVICE_ATTR: 0 if the attribute exists, else -ENXIO (-EINVAL for a
 * bad vCPU).  Register groups answer only once the GIC is initialised
 * (-EBUSY before), where KVM answers from its tables at any time.
 */
VGIC_API int vgic_vm_has_attr(struct vgic_vm *vm, uint32_t group, uint64_t attr);

/*
 * KVM_SET_DEVICE_ATTR on ITS @id.  ITS_REGS: offsets of GITS_CTLR, IIDR,
 * TYPER, CBASER, CWRITER, CREADR, BASER<n> and the ID registers (64-bit
 * registers 8-byte aligned, others 4, else -EINVAL); GITS_IIDR takes only
 * ABI revision 0 (-EINVAL), CWRITER/CREADR set the queue offsets without
 * running commands (-EINVAL beyond the queue; CREADR -EBUSY while enabled).
 * CTRL: SAVE_TABLES (-EFAULT tables or ITTs outside RAM, -EINVAL an ID the
 * table cannot hold), RESTORE_TABLES (-EINVAL or -EFAULT for any bad entry,
 * -EEXIST for a duplicate, -ENOMEM, -E2BIG for tables that would take more
 * than 2^26 entry reads; on error nothing is applied),
 * CTRL_RESET, INIT (no-op).  -ENXIO unknown @id, attribute or register, or
 * the ITS address not set; -EBUSY before the GIC is initialised.
 */
VGIC_API int vgic_its_set_attr(struct vgic_vm *vm, int id, uint32_t group, uint64_t attr,
			       uint64_t val);

/* KVM_GET_DEVICE_ATTR on ITS @id (ITS_REGS, ADDR): errors as vgic_its_set_attr(). */
VGIC_API int vgic_its_get_attr(struct vgic_vm *vm, int id, uint32_t group, uint64_t attr,
			       uint64_t *val);

/* KVM_HAS_DEVICE_ATTR on ITS @id: 0, -ENXIO (unknown @id or attribute), -EINVAL (misaligned). */
VGIC_API int vgic_its_has_attr(struct vgic_vm *vm, int id, uint32_t group, uint64_t attr);

#ifdef __cplusplus
}
#endif

#endif
