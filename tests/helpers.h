/* SPDX-License-Identifier: MIT */
/* Shared test fixtures: a VM laid out like QEMU's virt machine. */
#ifndef VGIC_TESTS_HELPERS_H
#define VGIC_TESTS_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <vgic/vgic.h>

#define T_DIST		0x08000000ULL
#define T_REDIST	0x080a0000ULL
#define T_RAM		0x40000000ULL

struct tvm {
	struct vgic_vm *vm;
	unsigned int nr_vcpus;
	void *ram;
	size_t ram_size;
	unsigned int kicks[VGIC_MAX_VCPUS];
};

/* Create and initialise a VM with @nr_vcpus vCPUs and @nr_irqs (0: default);
 * @ram_size bytes of RAM at T_RAM (0: none).  Fails the test on error. */
struct tvm *tvm_new(unsigned int nr_vcpus, uint32_t nr_irqs, size_t ram_size);
void tvm_free(struct tvm *t);

/* 32-bit guest MMIO helpers that fail the test unless the library handled it. */
uint32_t dist_rd(struct tvm *t, uint32_t off);
void dist_wr(struct tvm *t, uint32_t off, uint32_t val);
uint32_t rdist_rd(struct tvm *t, unsigned int vcpu, uint32_t off);
void rdist_wr(struct tvm *t, unsigned int vcpu, uint32_t off, uint32_t val);
uint64_t icc_rd(struct tvm *t, unsigned int vcpu, uint32_t enc);
void icc_wr(struct tvm *t, unsigned int vcpu, uint32_t enc, uint64_t val);

/* Guest-style bring-up: enable both groups, unmask every vCPU (PMR 0xff, IGRPEN1). */
void guest_enable(struct tvm *t);
/* Enable INTID @intid (SPI in the distributor, SGI/PPI in @vcpu's redistributor). */
void enable_irq(struct tvm *t, unsigned int vcpu, uint32_t intid);
void set_priority(struct tvm *t, unsigned int vcpu, uint32_t intid, uint8_t prio);
/* Acknowledge on group 1 (IAR1); returns the INTID. */
uint32_t ack(struct tvm *t, unsigned int vcpu);
void eoi(struct tvm *t, unsigned int vcpu, uint32_t intid);

int spi_line(struct tvm *t, uint32_t intid, bool level);
int ppi_line(struct tvm *t, unsigned int vcpu, uint32_t intid, bool level);

#endif
