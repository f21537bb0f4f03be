/* SPDX-License-Identifier: MIT */
/*
 * ioeventfd (KVM_IOEVENTFD) on the library's MMIO bus: a guest write that
 * matches a registration writes 1 to its eventfd and completes inside
 * vgic_mmio_write() (VGIC_MMIO_HANDLED), so a device model learns of a
 * doorbell kick without a VMM exit.  Reads, and writes that match nothing,
 * go on to the VMM (VGIC_MMIO_NOT_MINE).
 *
 * A write matches when its address equals @addr and, unless @len is 0, its
 * width equals @len and (with DATAMATCH) its value equals @datamatch.
 * arm64 has no port I/O, so KVM_IOEVENTFD_FLAG_PIO is an unknown flag here.
 */
#ifndef VGIC_IOEVENTFD_H
#define VGIC_IOEVENTFD_H

#include <stdint.h>

#include <vgic/vgic.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vgic_vm;

#define VGIC_IOEVENTFD_FLAG_DATAMATCH	(1u << 0)	/* KVM_IOEVENTFD_FLAG_DATAMATCH */
#define VGIC_IOEVENTFD_FLAG_DEASSIGN	(1u << 2)	/* KVM_IOEVENTFD_FLAG_DEASSIGN */

/* struct kvm_ioeventfd without its padding. */
struct vgic_ioeventfd {
	uint64_t datamatch;
	uint64_t addr;		/* guest physical */
	uint32_t len;		/* 1, 2, 4, 8, or 0: any width */
	int fd;			/* eventfd; dup()ed, so the caller may close it */
	uint32_t flags;		/* VGIC_IOEVENTFD_FLAG_* */
};

/*
 * Register (or, with FLAG_DEASSIGN, remove) an ioeventfd.  -EINVAL: @len
 * not 0/1/2/4/8, addr + len wraps, unknown flags, DATAMATCH with @len 0, or
 * a descriptor that is no eventfd; -EBADF: descriptor not open; -EEXIST: a
 * registration at the same address already matches an overlapping set of
 * writes (either has @len 0, or same @len and either wildcard or same
 * datamatch), or the range covers the GIC's or an ITS's frames; -ENOSPC:
 * the bus is full; -ENOENT: deassign found no registration with this
 * eventfd, address, length and datamatch; -ENOMEM; -EMFILE out of
 * descriptors; -ENODEV dead handle.
 */
VGIC_API int vgic_ioeventfd(struct vgic_vm *vm, const struct vgic_ioeventfd *args);

#ifdef __cplusplus
}
#endif

#endif
