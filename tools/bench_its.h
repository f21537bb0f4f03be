/* SPDX-License-Identifier: MIT */
/*
 * A benchmark VM with one ITS, brought up as a guest driver would: LPI
 * property and pending tables, Device and Collection tables and the command
 * queue in guest RAM, everything programmed through MMIO and ITS commands.
 * Collection c is mapped to vCPU c, one per vCPU.  Failures exit: this is
 * tool code, not library code.
 */
#ifndef VGIC_TOOLS_BENCH_ITS_H
#define VGIC_TOOLS_BENCH_ITS_H

#include <stdbool.h>
#include <stdint.h>

#include <vgic/vgic.h>

#define BITS_DIST	0x08000000ULL
#define BITS_REDIST	0x080a0000ULL
#define BITS_ITS	0x08080000ULL
#define BITS_RAM	0x40000000ULL
#define BITS_DOORBELL	(BITS_ITS + VGIC_ITS_TRANSLATER)
#define BITS_NR_LPIS	((1u << 16) - 8192)	/* 16 ID bits, as KVM */

struct bits_vm {
	struct vgic_vm *vm;
	uint8_t *ram;
	uint64_t ram_size;
	unsigned int nr_vcpus;
	uint64_t cwriter;	/* queue offset of the next command */
	uint64_t itt_next;	/* RAM offset of the next free ITT */
};

/* A VM of @nr_vcpus vCPUs with room for @itt_bytes of ITTs; LPIs on, ITS enabled. */
struct bits_vm *bits_vm_new(unsigned int nr_vcpus, uint64_t itt_bytes);
/* The same layout with the ITS tables programmed but the ITS off and nothing
 * mapped: the destination of RESTORE_TABLES. */
struct bits_vm *bits_vm_new_for_restore(unsigned int nr_vcpus, uint64_t itt_bytes);
void bits_vm_free(struct bits_vm *b);

/* Queue MAPD of @dev with an ITT for @nr_events events. */
void bits_mapd(struct bits_vm *b, uint32_t dev, uint32_t nr_events);
/* Queue MAPTI (@dev, @ev) -> @intid in collection @icid. */
void bits_mapti(struct bits_vm *b, uint32_t dev, uint32_t ev, uint32_t intid, uint16_t icid);
/* Queue CLEAR of (@dev, @ev): the LPI is no longer pending. */
void bits_clear(struct bits_vm *b, uint32_t dev, uint32_t ev);
/* Publish what is queued (GITS_CWRITER); the ITS runs it before returning. */
void bits_flush(struct bits_vm *b);
/* ITT bytes @nr_events events take (what bits_mapd allocates). */
uint64_t bits_itt_size(uint32_t nr_events);

/* Exit with a message if @ret is a negative errno. */
void bits_check(int ret, const char *what);

#endif
