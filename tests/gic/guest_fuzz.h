/* SPDX-License-Identifier: MIT */
/* A random guest: register accesses of any width anywhere in the GIC frames
 * and ICC registers with random values, and the reset a guest would do after. */
#ifndef VGIC_TESTS_GUEST_FUZZ_H
#define VGIC_TESTS_GUEST_FUZZ_H

#include <stdbool.h>
#include <stdint.h>

#include "gic_test.h"

/* xorshift64*: deterministic from a non-zero seed. */
uint64_t fuzz_rng(uint64_t *seed);

/* One random MMIO access by vCPU @vcpu; false if the library answered
 * something other than HANDLED or NOT_MINE.  Safe from any thread. */
bool fuzz_mmio(struct vgic_vm *vm, unsigned int nr_vcpus, unsigned int vcpu, uint64_t *seed);

/* One random ICC register access on @vcpu; false on an unexpected result. */
bool fuzz_sysreg(struct vgic_vm *vm, unsigned int vcpu, uint64_t *seed);

/* Put every GIC register a guest controls back to a known state (SPIs up to
 * 256, priority 0x80, routed to vCPU 0), then guest_enable(); checks that
 * nothing is left to signal.  Test thread only. */
void fuzz_guest_reset(struct tvm *t);

/* An SPI (to vCPU 2), an SGI (to vCPU 1) and a level PPI (on vCPU 3) each go
 * through pend, ack and EOI.  Needs 4 vCPUs; test thread only. */
void fuzz_normal_cycle(struct tvm *t);

#endif
