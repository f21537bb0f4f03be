/* SPDX-License-Identifier: MIT */
/*
 * The whole interrupt state of a VM as one self-checking blob, for a VMM
 * that snapshots or migrates: built on the device attributes of attr.h and
 * applied back in the order KVM documents.  The ITS tables and LPI pending
 * tables live in guest RAM, so the VMM saves RAM *after* vgic_vm_save_state()
 * (which writes them there) and restores RAM *before* vgic_vm_restore_state().
 *
 * Format (little-endian): a 40-byte header {magic "VGICSNAP", version,
 * header size, vCPUs, IRQs, ITSes, record count, CRC-32 of the whole blob
 * with this field as zero},
 * then records of {target (0xffffffff: the GIC, else an ITS id), group,
 * attribute, value}, 24 bytes each.
 */
#ifndef VGIC_SNAPSHOT_H
#define VGIC_SNAPSHOT_H

#include <stddef.h>

#include <vgic/vgic.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vgic_vm;

#define VGIC_SNAPSHOT_VERSION	1

/*
 * Write every ITS's tables and the LPI pending tables into guest RAM, then
 * return the GIC and ITS state in a malloc'ed *@buf of *@len bytes that the
 * caller frees.  -EBUSY before init, -ENODEV dead handle or no GIC, -ENOMEM,
 * and the errors of VGIC_ITS_SAVE_TABLES (-EFAULT: a table outside RAM).
 */
VGIC_API int vgic_vm_save_state(struct vgic_vm *vm, void **buf, size_t *len);

/*
 * Restore a blob from vgic_vm_save_state() into an initialised VM of the same
 * shape (vCPUs, IRQs, ITSes at their addresses) whose RAM already holds the
 * saved memory.  The blob is checked whole before anything is applied:
 * -EINVAL if it is truncated, altered (CRC) or not a snapshot, or the VM's
 * shape differs (vCPUs, IRQs, ITSes, any frame address); -EOPNOTSUPP for
 * another format version.  Then -EBUSY before
 * init, and the errors of vgic_vm_set_attr()/vgic_its_set_attr() (a
 * RESTORE_TABLES error leaves that ITS with no mapping restored).
 */
VGIC_API int vgic_vm_restore_state(struct vgic_vm *vm, const void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
