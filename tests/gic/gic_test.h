/* SPDX-License-Identifier: MIT */
/* Helpers shared by the GIC tests on top of tests/helpers.h: accesses of any
 * width, raw results, counters. */
#ifndef VGIC_TESTS_GIC_TEST_H
#define VGIC_TESTS_GIC_TEST_H

#include "gic/regs.h"
#include "helpers.h"

/* KVM's GICD_IIDR/GICR_IIDR: product 0x4b, revision 3, implementer ARM. */
#define KVM_IIDR		0x4b00343bu

/* An access of @len bytes that the library must handle; returns the value read. */
static inline uint64_t mmio_rd(struct tvm *t, uint64_t gpa, unsigned int len)
{
	uint64_t v = 0xdeadbeefdeadbeefULL;

	assert_int_equal(vgic_mmio_read(t->vm, 0, gpa, len, &v), VGIC_MMIO_HANDLED);
	return v;
}

static inline void mmio_wr(struct tvm *t, uint64_t gpa, unsigned int len, uint64_t val)
{
	assert_int_equal(vgic_mmio_write(t->vm, 0, gpa, len, val), VGIC_MMIO_HANDLED);
}

static inline uint64_t gicd_rd(struct tvm *t, uint32_t off, unsigned int len)
{
	return mmio_rd(t, T_DIST + off, len);
}

static inline void gicd_wr(struct tvm *t, uint32_t off, unsigned int len, uint64_t val)
{
	mmio_wr(t, T_DIST + off, len, val);
}

static inline uint64_t gicr_base(unsigned int vcpu)
{
	return T_REDIST + (uint64_t)vcpu * VGIC_REDIST_SIZE;
}

static inline uint64_t gicr_rd(struct tvm *t, unsigned int vcpu, uint32_t off, unsigned int len)
{
	return mmio_rd(t, gicr_base(vcpu) + off, len);
}

static inline void gicr_wr(struct tvm *t, unsigned int vcpu, uint32_t off, unsigned int len,
			   uint64_t val)
{
	mmio_wr(t, gicr_base(vcpu) + off, len, val);
}

/* Bit of @intid in a one-bit-per-interrupt register array, and its word offset. */
#define IRQ_WORD(base, intid)	((base) + ((intid) / 32) * 4)
#define IRQ_BIT(intid)		(1u << ((intid) % 32))

static inline struct vgic_stats tvm_stats(struct tvm *t)
{
	struct vgic_stats st;

	assert_int_equal(vgic_vm_get_stats(t->vm, &st), 0);
	return st;
}

/* ICC_SGI1R_EL1 / SGI0R value: SGI @sgi to the vCPUs of @list (Aff0 bits) in
 * cluster Aff1 = @aff1; OR in SGIR_RS/AFF2/AFF3/IRM for the other fields. */
static inline uint64_t sgir(uint32_t sgi, uint32_t aff1, uint32_t list)
{
	return (uint64_t)sgi << 24 | (uint64_t)aff1 << 16 | list;
}

#define SGIR_IRM	(1ULL << 40)
#define SGIR_RS(rs)	((uint64_t)(rs) << 44)
#define SGIR_AFF2(a)	((uint64_t)(a) << 32)
#define SGIR_AFF3(a)	((uint64_t)(a) << 48)

#endif
