/* SPDX-License-Identifier: MIT */
/*
 * The tests' VMM side of ITS migration: a random ITS configuration built by
 * a guest driver, a snapshot of GIC, ITS registers and the guest memory the
 * tables live in, and its restore into a fresh VM in KVM's documented order.
 */
#ifndef VGIC_TESTS_ITS_SR_H
#define VGIC_TESTS_ITS_SR_H

#include "../its/guest_its.h"
#include "sr_state.h"

#define SR_MAX_DEVS	8

struct its_regs_snap {
	uint64_t iidr, cbaser, creadr, cwriter, baser0, baser1, ctlr;
};

struct its_world {
	struct tvm *t;
	struct gits g;
	bool two_level;
	unsigned int nr_devs;
	uint32_t devs[SR_MAX_DEVS];
	uint8_t bits[SR_MAX_DEVS];
	unsigned int l1_used;	/* bit n: level-1 entry n has a page */
};

struct snapshot {
	struct sr_state gic;
	struct its_regs_snap its;
};

/* A VM of @nr_vcpus whose ITS a guest configured at random from @seed. */
void world_random(struct its_world *w, unsigned int nr_vcpus, uint32_t seed);
/* Save GIC state, pending tables and ITS tables/registers of @w. */
void world_save(struct its_world *w, struct snapshot *s);
/* A fresh VM shaped like @w's (vCPUs, one ITS), holding a copy of @w's
 * guest memory: the destination of a migration. */
struct tvm *world_target(const struct its_world *w);
/* Restore @s into @dst: GIC, then ITS registers; RESTORE_TABLES's result is returned
 * and GITS_CTLR is restored only if it succeeded. */
int world_restore(struct tvm *dst, const struct snapshot *s);
/* Restore only the ITS registers before RESTORE_TABLES (IIDR .. BASER1). */
void world_restore_its_regs(struct tvm *dst, const struct its_regs_snap *r);

/* How (@dev, @ev) translates in @vm's ITS 0: mapped, LPI, vCPU (-1: no
 * collection target), the LPI's pending state and configuration. */
struct xlat {
	bool mapped;
	uint32_t intid;
	int vcpu;
	bool pending;
	bool enabled;		/* LPI configuration from the property table */
	uint8_t priority;
};
struct xlat world_xlat(struct vgic_vm *vm, uint32_t dev, uint32_t ev);
/* Mappings held by ITS 0 of @vm: devices, events, collections. */
void world_counts(struct vgic_vm *vm, size_t *devs, size_t *evs, size_t *colls);

#endif
