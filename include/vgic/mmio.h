/* SPDX-License-Identifier: MIT */
/*
 * The library's MMIO bus: the VMM hands every guest MMIO access here first,
 * as KVM's io-bus sits in front of userspace exits.  The GIC distributor,
 * redistributors, ITS frames and ioeventfd registrations live on it.
 */
#ifndef VGIC_MMIO_H
#define VGIC_MMIO_H

#include <stdint.h>

#include <vgic/vgic.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vgic_vm;

#define VGIC_MMIO_NOT_MINE	0	/* no device of the library there: VMM's turn */
#define VGIC_MMIO_HANDLED	1	/* completed by the library */

/*
 * A guest read of @len (1, 2, 4 or 8) bytes at @gpa by vCPU @vcpu.  Returns
 * VGIC_MMIO_HANDLED with *@val set (accesses a register does not allow read as
 * zero, as KVM does), VGIC_MMIO_NOT_MINE, or -EINVAL for a bad vCPU or length.
 */
VGIC_API int vgic_mmio_read(struct vgic_vm *vm, unsigned int vcpu, uint64_t gpa,
			    unsigned int len, uint64_t *val);

/* A guest write; same results as vgic_mmio_read (disallowed writes are ignored). */
VGIC_API int vgic_mmio_write(struct vgic_vm *vm, unsigned int vcpu, uint64_t gpa,
			     unsigned int len, uint64_t val);

#ifdef __cplusplus
}
#endif

#endif
