/* SPDX-License-Identifier: MIT */
/* The interrupt life cycle through the CPU interface: pend, ack, EOI, levels. */
#include <errno.h>

#include "gic/regs.h"
#include "gic_test.h"

static void spi_edge_cycle(void **state)
{
	struct tvm *t = tvm_new(1, 0, 0);

	(void)state;
	guest_enable(t);
	enable_irq(t, 0, 40);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	assert_int_equal(spi_line(t, 40, true), 0);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), VGIC_PENDING_IRQ);
	assert_true(t->kicks[0] > 0);
	assert_int_equal(icc_rd(t, 0, ICC_HPPIR1_EL1), 40);
	assert_int_equal(ack(t, 0), 40);
	/* Active now: not pending, nothing else to signal, ISACTIVER shows it. */
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	assert_int_equal(dist_rd(t, GICD_ISACTIVER + 4) & (1u << 8), 1u << 8);
	assert_int_equal(dist_rd(t, GICD_ISPENDR + 4) & (1u << 8), 0);
	assert_int_equal(ack(t, 0), 1023);
	eoi(t, 0, 40);
	assert_int_equal(dist_rd(t, GICD_ISACTIVER + 4) & (1u << 8), 0);
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0xff);
	tvm_free(t);
}

static void level_repends_after_deactivate(void **state)
{
	struct tvm *t = tvm_new(1, 0, 0);

	(void)state;
	guest_enable(t);
	/* ICFGR for SPIs 32..47 lives in GICD_ICFGR2; 0 = level for SPI 40. */
	dist_wr(t, GICD_ICFGR + 8, 0);
	enable_irq(t, 0, 40);
	assert_int_equal(spi_line(t, 40, true), 0);
	assert_int_equal(ack(t, 0), 40);
	/* Active and pending: the line is still high. */
	assert_int_equal(dist_rd(t, GICD_ISPENDR + 4) & (1u << 8), 1u << 8);
	assert_int_equal(dist_rd(t, GICD_ISACTIVER + 4) & (1u << 8), 1u << 8);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	eoi(t, 0, 40);
	/* Deactivated with the line high: pending again. */
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), VGIC_PENDING_IRQ);
	assert_int_equal(ack(t, 0), 40);
	assert_int_equal(spi_line(t, 40, false), 0);
	eoi(t, 0, 40);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	assert_int_equal(dist_rd(t, GICD_ISPENDR + 4) & (1u << 8), 0);
	tvm_free(t);
}

static void priority_order_and_preemption(void **state)
{
	struct tvm *t = tvm_new(1, 0, 0);

	(void)state;
	guest_enable(t);
	for (uint32_t i = 40; i < 43; i++)
		enable_irq(t, 0, i);
	set_priority(t, 0, 40, 0xa0);
	set_priority(t, 0, 41, 0x20);
	set_priority(t, 0, 42, 0x60);
	spi_line(t, 40, true);
	spi_line(t, 42, true);
	assert_int_equal(ack(t, 0), 42);
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0x60);
	/* 0xa0 cannot preempt 0x60. */
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	assert_int_equal(ack(t, 0), 1023);
	/* 0x20 can. */
	spi_line(t, 41, true);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), VGIC_PENDING_IRQ);
	assert_int_equal(ack(t, 0), 41);
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0x20);
	eoi(t, 0, 41);
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0x60);
	eoi(t, 0, 42);
	assert_int_equal(ack(t, 0), 40);
	eoi(t, 0, 40);
	tvm_free(t);
}

static void pmr_masks(void **state)
{
	struct tvm *t = tvm_new(1, 0, 0);

	(void)state;
	guest_enable(t);
	enable_irq(t, 0, 40);
	set_priority(t, 0, 40, 0x80);
	icc_wr(t, 0, ICC_PMR_EL1, 0x80);
	spi_line(t, 40, true);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	assert_int_equal(ack(t, 0), 1023);
	/* HPPIR ignores the mask. */
	assert_int_equal(icc_rd(t, 0, ICC_HPPIR1_EL1), 40);
	icc_wr(t, 0, ICC_PMR_EL1, 0x88);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), VGIC_PENDING_IRQ);
	assert_int_equal(ack(t, 0), 40);
	tvm_free(t);
}

static void eoimode_split(void **state)
{
	struct tvm *t = tvm_new(1, 0, 0);

	(void)state;
	guest_enable(t);
	icc_wr(t, 0, ICC_CTLR_EL1, 2); /* EOImode = 1 */
	assert_int_equal(icc_rd(t, 0, ICC_CTLR_EL1) & 2, 2);
	enable_irq(t, 0, 40);
	spi_line(t, 40, true);
	assert_int_equal(ack(t, 0), 40);
	eoi(t, 0, 40);
	/* Priority dropped, still active until DIR. */
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0xff);
	assert_int_equal(dist_rd(t, GICD_ISACTIVER + 4) & (1u << 8), 1u << 8);
	spi_line(t, 40, true);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	icc_wr(t, 0, ICC_DIR_EL1, 40);
	assert_int_equal(dist_rd(t, GICD_ISACTIVER + 4) & (1u << 8), 0);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), VGIC_PENDING_IRQ);
	tvm_free(t);
}

static void sgi_targets(void **state)
{
	struct tvm *t = tvm_new(20, 0, 0);

	(void)state;
	guest_enable(t);
	for (unsigned int v = 0; v < 20; v++)
		enable_irq(t, v, 3);
	/* Target list {1, 2} in cluster Aff1=0. */
	icc_wr(t, 0, ICC_SGI1R_EL1, (3ull << 24) | 0x6);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	assert_int_equal(ack(t, 1), 3);
	assert_int_equal(ack(t, 2), 3);
	assert_int_equal(ack(t, 3), 1023);
	/* Aff1 = 1 reaches vCPUs 16..19: bit 2 is vCPU 18. */
	icc_wr(t, 0, ICC_SGI1R_EL1, (3ull << 24) | (1ull << 16) | 0x4);
	assert_int_equal(ack(t, 18), 3);
	assert_int_equal(ack(t, 2), 1023);
	/* IRM broadcast: everyone but the sender. */
	icc_wr(t, 5, ICC_SGI1R_EL1, (3ull << 24) | (1ull << 40));
	for (unsigned int v = 0; v < 20; v++) {
		if (v == 1 || v == 2 || v == 18)
			continue; /* still active from before */
		assert_int_equal(ack(t, v), v == 5 ? 1023 : 3);
	}
	tvm_free(t);
}

/* Kicks seen by vCPU @v since the last call. */
static unsigned int new_kicks(struct tvm *t, unsigned int v, unsigned int *last)
{
	unsigned int now = __atomic_load_n(&t->kicks[v], __ATOMIC_RELAXED), d = now - *last;

	*last = now;
	return d;
}

/*
 * Every change that can make an interrupt deliverable to a vCPU kicks that
 * vCPU, whichever path made it: a vCPU sleeping in WFI is only woken by its
 * kick.
 */
static void kick_on_every_wakeup(void **state)
{
	struct tvm *t = tvm_new(2, 0, 0);
	unsigned int k0 = 0, k1 = 0;

	(void)state;
	guest_enable(t);
	new_kicks(t, 0, &k0);
	new_kicks(t, 1, &k1);
	/* A new pending interrupt. */
	enable_irq(t, 0, 40);
	assert_int_equal(spi_line(t, 40, true), 0);
	assert_true(new_kicks(t, 0, &k0) > 0);
	/* Re-pended while active, then deactivated: pending again. */
	assert_int_equal(ack(t, 0), 40);
	assert_int_equal(spi_line(t, 40, true), 0);
	new_kicks(t, 0, &k0);
	eoi(t, 0, 40);
	assert_true(new_kicks(t, 0, &k0) > 0);
	assert_int_equal(ack(t, 0), 40);
	eoi(t, 0, 40);
	/* Enabling an interrupt that was already pending. */
	dist_wr(t, IRQ_WORD(GICD_ICENABLER, 40), IRQ_BIT(40));
	assert_int_equal(spi_line(t, 40, true), 0);
	new_kicks(t, 0, &k0);
	enable_irq(t, 0, 40);
	assert_true(new_kicks(t, 0, &k0) > 0);
	/* Re-routing a pending interrupt to another vCPU. */
	new_kicks(t, 1, &k1);
	mmio_wr(t, T_DIST + GICD_IROUTER + 8 * 40, 8, vgic_vcpu_mpidr(t->vm, 1));
	assert_true(new_kicks(t, 1, &k1) > 0);
	/* Enabling the distributor with something queued. */
	dist_wr(t, GICD_CTLR, 0);
	new_kicks(t, 1, &k1);
	dist_wr(t, GICD_CTLR, FIELD_DP(GICD_CTLR, ENABLE_G1A, 1));
	assert_true(new_kicks(t, 1, &k1) > 0);
	/* Unmasking in the CPU interface (PMR, group enable). */
	icc_wr(t, 1, ICC_PMR_EL1, 0);
	new_kicks(t, 1, &k1);
	icc_wr(t, 1, ICC_PMR_EL1, 0xff);
	assert_true(new_kicks(t, 1, &k1) > 0);
	icc_wr(t, 1, ICC_IGRPEN1_EL1, 0);
	new_kicks(t, 1, &k1);
	icc_wr(t, 1, ICC_IGRPEN1_EL1, 1);
	assert_true(new_kicks(t, 1, &k1) > 0);
	/* A level line that stays high re-pends at deactivation. */
	enable_irq(t, 0, 20);
	assert_int_equal(ppi_line(t, 0, 20, true), 0);
	assert_true(new_kicks(t, 0, &k0) > 0);
	assert_int_equal(ack(t, 0), 20);
	new_kicks(t, 0, &k0);
	eoi(t, 0, 20);
	assert_true(new_kicks(t, 0, &k0) > 0);
	/* An SGI, and a pending bit set by a register write. */
	new_kicks(t, 1, &k1);
	icc_wr(t, 0, ICC_SGI1R_EL1, (5ull << 24) | 0x2);
	assert_true(new_kicks(t, 1, &k1) > 0);
	rdist_wr(t, 1, GICR_ISPENDR0, 1u << 6);
	assert_true(new_kicks(t, 1, &k1) > 0);
	tvm_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spi_edge_cycle),
		cmocka_unit_test(level_repends_after_deactivate),
		cmocka_unit_test(priority_order_and_preemption),
		cmocka_unit_test(pmr_masks),
		cmocka_unit_test(eoimode_split),
		cmocka_unit_test(sgi_targets),
		cmocka_unit_test(kick_on_every_wakeup),
	};

	return cmocka_run_group_tests_name("lifecycle", tests, NULL, NULL);
}
