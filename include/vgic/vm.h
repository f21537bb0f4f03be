/* SPDX-License-Identifier: MIT */
/*
 * VM and vCPU objects with a GICv3, configured the way KVM's
 * KVM_DEV_TYPE_ARM_VGIC_V3 device is: number of IRQs and frame addresses are
 * set first, then vgic_vm_init() (KVM_DEV_ARM_VGIC_CTRL_INIT) freezes them.
 */
#ifndef VGIC_VM_H
#define VGIC_VM_H

#include <stddef.h>
#include <stdint.h>

#include <vgic/vgic.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vgic_vm;

#define VGIC_MAX_VCPUS		512
#define VGIC_NR_IRQS_DEFAULT	256	/* KVM's legacy default: 224 SPIs */
#define VGIC_NR_IRQS_MIN	64
#define VGIC_NR_IRQS_MAX	1024

#define VGIC_DIST_SIZE		0x10000ULL	/* one 64 KiB frame */
#define VGIC_REDIST_SIZE	0x20000ULL	/* RD_base + SGI_base per vCPU */

/* Flags for vgic_vm_create(). */
#define VGIC_VM_NO_GIC		(1u << 0)	/* the VMM models its own irqchip */

/* Address types for vgic_vm_set_addr(), KVM_VGIC_V3_ADDR_TYPE_* numbering. */
enum vgic_addr_type {
	VGIC_ADDR_TYPE_DIST = 2,
	VGIC_ADDR_TYPE_REDIST = 3,
};

/* Capabilities for vgic_vm_check_extension(), named after KVM_CAP_*. */
enum vgic_cap {
	VGIC_CAP_IRQCHIP = 0,
	VGIC_CAP_SIGNAL_MSI,
	VGIC_CAP_MSI_DEVID,
	VGIC_CAP_IRQ_ROUTING,
	VGIC_CAP_IRQFD,
	VGIC_CAP_IRQFD_RESAMPLE,
	VGIC_CAP_IOEVENTFD,
	VGIC_CAP_NR_VCPUS,
};

/* Pending inputs reported by vgic_vcpu_pending(). */
#define VGIC_PENDING_IRQ	(1u << 0)
#define VGIC_PENDING_FIQ	(1u << 1)

/*
 * Create a VM with @nr_vcpus vCPUs (1..VGIC_MAX_VCPUS) and, unless
 * VGIC_VM_NO_GIC is in @flags, a GICv3.  -EINVAL on a bad count or unknown
 * flag, -ENOMEM.  The caller owns *@vmp and frees it with vgic_vm_destroy().
 */
VGIC_API int vgic_vm_create(unsigned int nr_vcpus, unsigned int flags, struct vgic_vm **vmp);

/*
 * Stop the library's threads for @vm and free everything it holds.  No other
 * caller thread may be inside a call on @vm; afterwards every call on the
 * handle returns -ENODEV: a small tombstone of each of the last 256 destroyed
 * VMs stays until process exit (an older handle must not be used).
 */
VGIC_API void vgic_vm_destroy(struct vgic_vm *vm);

/*
 * Number of interrupt IDs below 1020 (SGIs+PPIs+SPIs), KVM_DEV_ARM_VGIC_GRP_NR_IRQS:
 * 64..1024 and a multiple of 32 (-EINVAL), settable once (-EBUSY), not after init.
 */
VGIC_API int vgic_vm_set_nr_irqs(struct vgic_vm *vm, uint32_t nr_irqs);
VGIC_API int vgic_vm_get_nr_irqs(struct vgic_vm *vm, uint32_t *nr_irqs);

/*
 * Base address of the distributor or of the redistributor region, with
 * KVM_DEV_ARM_VGIC_GRP_ADDR rules: 64 KiB aligned (-EINVAL), set once
 * (-EEXIST), no overlap with the other GIC frames (-EINVAL), before init
 * (-EBUSY), unknown type or no GIC (-ENXIO), range wraps (-E2BIG).
 */
VGIC_API int vgic_vm_set_addr(struct vgic_vm *vm, enum vgic_addr_type type, uint64_t addr);
/* -ENXIO for an unknown type or one not set yet. */
VGIC_API int vgic_vm_get_addr(struct vgic_vm *vm, enum vgic_addr_type type, uint64_t *addr);

/*
 * KVM_DEV_ARM_VGIC_CTRL_INIT: allocate the interrupts and freeze the
 * configuration.  -ENXIO if a frame address is missing, -EINVAL if frames
 * overlap, -EBUSY if already initialised, -ENODEV without a GIC.
 */
VGIC_API int vgic_vm_init(struct vgic_vm *vm);

/* 1 when the GIC has been initialised, 0 before, -ENODEV on a dead handle. */
VGIC_API int vgic_vm_initialized(struct vgic_vm *vm);

/* KVM_CHECK_EXTENSION: >0 (a count or 1) when supported, 0 when not. */
VGIC_API int vgic_vm_check_extension(struct vgic_vm *vm, enum vgic_cap cap);

VGIC_API unsigned int vgic_vm_nr_vcpus(struct vgic_vm *vm);

/* MPIDR_EL1 affinity KVM gives vCPU @vcpu (16 vCPUs per Aff1 cluster). */
VGIC_API uint64_t vgic_vcpu_mpidr(struct vgic_vm *vm, unsigned int vcpu);

/*
 * Called from any thread when vCPU @vcpu has a new interrupt to consider
 * (KVM's kvm_vcpu_kick).  It must be cheap and must not call back into the
 * library for the same VM while holding locks of its own that the vCPU
 * thread takes.  -EINVAL on a bad vCPU index.
 */
typedef void (*vgic_kick_fn)(void *opaque, unsigned int vcpu);
VGIC_API int vgic_vcpu_set_kick(struct vgic_vm *vm, unsigned int vcpu, vgic_kick_fn fn,
				void *opaque);

/*
 * VGIC_PENDING_IRQ / VGIC_PENDING_FIQ if the vCPU's CPU interface (or, with
 * VGIC_VM_NO_GIC, its IRQ/FIQ lines) would signal one now; 0 if none;
 * -EINVAL on a bad index, -ENODEV on a dead handle.
 */
VGIC_API int vgic_vcpu_pending(struct vgic_vm *vm, unsigned int vcpu);

/* Counters of events a guest or caller caused; all monotonic. */
struct vgic_stats {
	uint64_t mmio_bad_access;	/* wrong width, unaligned, unknown offset */
	uint64_t sysreg_bad_access;	/* write to RO or read of WO ICC register */
	uint64_t spurious_acks;		/* IAR reads that returned 1023 */
	uint64_t irqs_injected;		/* line/MSI/SGI inputs that set pending */
	uint64_t kicks;			/* kick callbacks issued */
	uint64_t its_cmd_errors;	/* ITS commands dropped for bad arguments */
	uint64_t its_cmds;		/* ITS commands processed */
	uint64_t lpi_table_errors;	/* LPI tables unreadable in guest memory */
};

/* Copy the VM's counters into *@st.  -ENODEV on a dead handle. */
VGIC_API int vgic_vm_get_stats(struct vgic_vm *vm, struct vgic_stats *st);

#ifdef __cplusplus
}
#endif

#endif
