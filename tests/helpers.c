/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "gic/regs.h"
#include "helpers.h"

static void count_kick(void *opaque, unsigned int vcpu)
{
	struct tvm *t = opaque;

	__atomic_fetch_add(&t->kicks[vcpu], 1, __ATOMIC_RELAXED);
}

struct tvm *tvm_new(unsigned int nr_vcpus, uint32_t nr_irqs, size_t ram_size)
{
	struct tvm *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->nr_vcpus = nr_vcpus;
	assert_int_equal(vgic_vm_create(nr_vcpus, 0, &t->vm), 0);
	if (nr_irqs)
		assert_int_equal(vgic_vm_set_nr_irqs(t->vm, nr_irqs), 0);
	assert_int_equal(vgic_vm_set_addr(t->vm, VGIC_ADDR_TYPE_DIST, T_DIST), 0);
	assert_int_equal(vgic_vm_set_addr(t->vm, VGIC_ADDR_TYPE_REDIST, T_REDIST), 0);
	if (ram_size) {
		t->ram = calloc(1, ram_size);
		t->ram_size = ram_size;
		assert_non_null(t->ram);
		assert_int_equal(vgic_vm_add_ram(t->vm, T_RAM, ram_size, t->ram), 0);
	}
	assert_int_equal(vgic_vm_init(t->vm), 0);
	for (unsigned int i = 0; i < nr_vcpus; i++)
		assert_int_equal(vgic_vcpu_set_kick(t->vm, i, count_kick, t), 0);
	return t;
}

void tvm_free(struct tvm *t)
{
	if (!t)
		return;
	vgic_vm_destroy(t->vm);
	free(t->ram);
	free(t);
}

static uint64_t rd(struct tvm *t, unsigned int vcpu, uint64_t gpa)
{
	uint64_t v = ~0ULL;

	assert_int_equal(vgic_mmio_read(t->vm, vcpu, gpa, 4, &v), VGIC_MMIO_HANDLED);
	return v;
}

static void wr(struct tvm *t, unsigned int vcpu, uint64_t gpa, uint32_t val)
{
	assert_int_equal(vgic_mmio_write(t->vm, vcpu, gpa, 4, val), VGIC_MMIO_HANDLED);
}

uint32_t dist_rd(struct tvm *t, uint32_t off) { return (uint32_t)rd(t, 0, T_DIST + off); }
void dist_wr(struct tvm *t, uint32_t off, uint32_t val) { wr(t, 0, T_DIST + off, val); }

uint32_t rdist_rd(struct tvm *t, unsigned int vcpu, uint32_t off)
{
	return (uint32_t)rd(t, vcpu, T_REDIST + vcpu * VGIC_REDIST_SIZE + off);
}

void rdist_wr(struct tvm *t, unsigned int vcpu, uint32_t off, uint32_t val)
{
	wr(t, vcpu, T_REDIST + vcpu * VGIC_REDIST_SIZE + off, val);
}

uint64_t icc_rd(struct tvm *t, unsigned int vcpu, uint32_t enc)
{
	uint64_t v = ~0ULL;

	assert_int_equal(vgic_sysreg_read(t->vm, vcpu, enc, &v), 0);
	return v;
}

void icc_wr(struct tvm *t, unsigned int vcpu, uint32_t enc, uint64_t val)
{
	assert_int_equal(vgic_sysreg_write(t->vm, vcpu, enc, val), 0);
}

void guest_enable(struct tvm *t)
{
	dist_wr(t, GICD_CTLR, FIELD_DP(GICD_CTLR, ENABLE_G0, 1) | FIELD_DP(GICD_CTLR, ENABLE_G1A, 1));
	for (unsigned int i = 0; i < t->nr_vcpus; i++) {
		rdist_wr(t, i, GICR_WAKER, 0);
		icc_wr(t, i, ICC_PMR_EL1, 0xff);
		icc_wr(t, i, ICC_IGRPEN1_EL1, 1);
	}
}

void enable_irq(struct tvm *t, unsigned int vcpu, uint32_t intid)
{
	if (intid < GIC_NR_PRIVATE)
		rdist_wr(t, vcpu, GICR_ISENABLER0, 1u << intid);
	else
		dist_wr(t, GICD_ISENABLER + (intid / 32) * 4, 1u << (intid % 32));
}

void set_priority(struct tvm *t, unsigned int vcpu, uint32_t intid, uint8_t prio)
{
	uint64_t gpa = intid < GIC_NR_PRIVATE
		? T_REDIST + vcpu * VGIC_REDIST_SIZE + GICR_IPRIORITYR0 + intid
		: T_DIST + GICD_IPRIORITYR + intid;

	assert_int_equal(vgic_mmio_write(t->vm, vcpu, gpa, 1, prio), VGIC_MMIO_HANDLED);
}

uint32_t ack(struct tvm *t, unsigned int vcpu)
{
	return (uint32_t)icc_rd(t, vcpu, ICC_IAR1_EL1);
}

void eoi(struct tvm *t, unsigned int vcpu, uint32_t intid)
{
	icc_wr(t, vcpu, ICC_EOIR1_EL1, intid);
}

int spi_line(struct tvm *t, uint32_t intid, bool level)
{
	return vgic_irq_line(t->vm, vgic_irq_line_word(VGIC_IRQ_TYPE_SPI, 0, intid), level);
}

int ppi_line(struct tvm *t, unsigned int vcpu, uint32_t intid, bool level)
{
	return vgic_irq_line(t->vm, vgic_irq_line_word(VGIC_IRQ_TYPE_PPI, vcpu, intid), level);
}
