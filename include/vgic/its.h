/* SPDX-License-Identifier: MIT */
/*
 * GICv3 Interrupt Translation Services, as KVM's KVM_DEV_TYPE_ARM_VGIC_ITS
 * device: each ITS is created, given its guest address (two 64 KiB frames:
 * control, then translation with GITS_TRANSLATER at +0x10040), and becomes
 * live when the VM's GIC is initialised.  A VM with an ITS has LPIs.
 */
#ifndef VGIC_ITS_H
#define VGIC_ITS_H

#include <stdint.h>

#include <vgic/vgic.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vgic_vm;

#define VGIC_MAX_ITS		16
#define VGIC_ITS_SIZE		0x20000ULL	/* control + translation frame */
#define VGIC_ITS_TRANSLATER	0x10040ULL	/* doorbell offset from the ITS base */

/*
 * Add an ITS to @vm (KVM_CREATE_DEVICE with KVM_DEV_TYPE_ARM_VGIC_ITS).
 * Returns its id (>= 0) for the calls below, -ENODEV without a GIC, -EBUSY
 * once the GIC is initialised, -ENOSPC past VGIC_MAX_ITS, -ENOMEM.
 */
VGIC_API int vgic_its_create(struct vgic_vm *vm);

/*
 * Base address of ITS @id (KVM_VGIC_ITS_ADDR_TYPE): 64 KiB aligned and
 * within the 40-bit IPA space.  -EINVAL misaligned or overlapping the
 * distributor, redistributors or another ITS; -EEXIST if already set;
 * -E2BIG beyond the IPA space; -EBUSY after init; -ENXIO unknown @id.
 */
VGIC_API int vgic_its_set_addr(struct vgic_vm *vm, int id, uint64_t addr);
/* -ENXIO for an unknown @id or an address not set yet. */
VGIC_API int vgic_its_get_addr(struct vgic_vm *vm, int id, uint64_t *addr);

/* What one ITS has seen; all monotonic. */
struct vgic_its_stats {
	uint64_t cmds;			/* commands taken off the queue */
	uint64_t cmd_errors;		/* commands without effect: bad IDs, unmapped */
	uint64_t cmd_unknown;		/* of those: unknown or unimplemented opcodes */
	uint64_t cmd_stalls;		/* queue reads that failed (CREADR.Stalled) */
	uint64_t table_errors;		/* table, ITT or queue outside guest RAM */
	uint64_t mmio_bad_access;	/* wrong width, unaligned, unknown offset */
	uint64_t msis;			/* translations requested (MSI, TRANSLATER, INT) */
	uint64_t msis_blocked;		/* of those: not delivered (unmapped, disabled) */
	uint64_t cache_hits;		/* translations served by the cache */
	uint64_t cache_misses;		/* translations that took the slow path (INT always) */
	uint64_t cache_invalidations;	/* entries dropped by commands or registers */
	uint64_t mapped_events;		/* (DeviceID, EventID) pairs mapped now */
	uint64_t host_bytes;		/* host memory held for mappings and cache now */
};

/* Counters of ITS @id.  -ENXIO unknown @id, -ENODEV dead handle. */
VGIC_API int vgic_its_get_stats(struct vgic_vm *vm, int id, struct vgic_its_stats *st);

#ifdef __cplusplus
}
#endif

#endif
