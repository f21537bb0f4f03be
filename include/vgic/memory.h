/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM as the library sees it: the ITS and LPI tables live in guest
 * memory, so the VMM tells the library where its RAM is.  Every library access
 * to guest memory goes through a bounds-checked accessor.
 */
#ifndef VGIC_MEMORY_H
#define VGIC_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#include <vgic/vgic.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vgic_vm;

#define VGIC_MAX_RAM_REGIONS 8

/*
 * Register @size bytes of guest RAM at guest-physical @gpa, backed by @host
 * (owned by the caller, valid until the VM is destroyed).  -EINVAL for a zero
 * size, a range that wraps or overlaps another region; -ENOSPC past
 * VGIC_MAX_RAM_REGIONS.
 */
VGIC_API int vgic_vm_add_ram(struct vgic_vm *vm, uint64_t gpa, uint64_t size, void *host);

/* Copy @len bytes of guest memory at @gpa; -EFAULT if any byte is outside RAM. */
VGIC_API int vgic_guest_read(struct vgic_vm *vm, uint64_t gpa, void *buf, size_t len);
/* Write @len bytes to guest memory at @gpa; -EFAULT if any byte is outside RAM. */
VGIC_API int vgic_guest_write(struct vgic_vm *vm, uint64_t gpa, const void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
