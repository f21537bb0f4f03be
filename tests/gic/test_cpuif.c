/* SPDX-License-Identifier: MIT */
/* The CPU interface (ICC_* system registers): masking, preemption, active
 * priorities, EOI modes, groups, SGI generation and register access rules. */
#include <errno.h>

#include "gic_test.h"

#define ICC_CTLR_CBPR		(1u << 0)
#define ICC_CTLR_EOIMODE	(1u << 1)

static struct tvm *setup(unsigned int nr_vcpus)
{
	struct tvm *t = tvm_new(nr_vcpus, 0, 0);

	guest_enable(t);
	return t;
}

/* Pend SPI @intid at priority @prio (edge), enabled, routed to vCPU 0. */
static void raise_spi(struct tvm *t, uint32_t intid, uint8_t prio)
{
	set_priority(t, 0, intid, prio);
	enable_irq(t, 0, intid);
	assert_int_equal(spi_line(t, intid, true), 0);
}

static void set_group0(struct tvm *t, uint32_t intid)
{
	uint32_t w = IRQ_WORD(GICD_IGROUPR, intid);

	dist_wr(t, w, dist_rd(t, w) & ~IRQ_BIT(intid));
}

static void pmr_reset_and_bits(void **state)
{
	struct tvm *t = tvm_new(1, 0, 0);

	(void)state;
	/* PMR resets to 0: everything masked. */
	assert_int_equal(icc_rd(t, 0, ICC_PMR_EL1), 0);
	dist_wr(t, GICD_CTLR, FIELD_DP(GICD_CTLR, ENABLE_G1A, 1));
	icc_wr(t, 0, ICC_IGRPEN1_EL1, 1);
	raise_spi(t, 40, 0);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	assert_int_equal(ack(t, 0), VGIC_INTID_SPURIOUS);
	/* Five priority bits. */
	icc_wr(t, 0, ICC_PMR_EL1, 0xff);
	assert_int_equal(icc_rd(t, 0, ICC_PMR_EL1), 0xf8);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), VGIC_PENDING_IRQ);
	/* Priority must be strictly below PMR. */
	set_priority(t, 0, 40, 0x50);
	icc_wr(t, 0, ICC_PMR_EL1, 0x50);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	icc_wr(t, 0, ICC_PMR_EL1, 0x57);	/* still 0x50 once truncated */
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	icc_wr(t, 0, ICC_PMR_EL1, 0x58);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), VGIC_PENDING_IRQ);
	tvm_free(t);
}

static void bpr_minimums_and_cbpr(void **state)
{
	struct tvm *t = tvm_new(1, 0, 0);

	(void)state;
	/* With 5 priority bits the smallest binary points are 2 (group 0) and 3. */
	assert_int_equal(icc_rd(t, 0, ICC_BPR0_EL1), 2);
	assert_int_equal(icc_rd(t, 0, ICC_BPR1_EL1), 3);
	icc_wr(t, 0, ICC_BPR0_EL1, 0);
	icc_wr(t, 0, ICC_BPR1_EL1, 0);
	assert_int_equal(icc_rd(t, 0, ICC_BPR0_EL1), 2);
	assert_int_equal(icc_rd(t, 0, ICC_BPR1_EL1), 3);
	icc_wr(t, 0, ICC_BPR0_EL1, 5);
	icc_wr(t, 0, ICC_BPR1_EL1, 0xfffffff6);	/* only BinaryPoint[2:0] exists */
	assert_int_equal(icc_rd(t, 0, ICC_BPR0_EL1), 5);
	assert_int_equal(icc_rd(t, 0, ICC_BPR1_EL1), 6);
	/* CBPR: BPR1 reads as BPR0 + 1 (saturated) and ignores writes. */
	icc_wr(t, 0, ICC_CTLR_EL1, ICC_CTLR_CBPR);
	assert_int_equal(icc_rd(t, 0, ICC_CTLR_EL1) & ICC_CTLR_CBPR, ICC_CTLR_CBPR);
	assert_int_equal(icc_rd(t, 0, ICC_BPR1_EL1), 6);
	icc_wr(t, 0, ICC_BPR0_EL1, 7);
	assert_int_equal(icc_rd(t, 0, ICC_BPR1_EL1), 7);
	icc_wr(t, 0, ICC_BPR1_EL1, 4);
	assert_int_equal(icc_rd(t, 0, ICC_BPR1_EL1), 7);
	/* Clearing CBPR brings back BPR1's own value. */
	icc_wr(t, 0, ICC_CTLR_EL1, 0);
	assert_int_equal(icc_rd(t, 0, ICC_BPR1_EL1), 6);
	tvm_free(t);
}

static void binary_point_groups_priorities(void **state)
{
	struct tvm *t = setup(1);

	(void)state;
	/* Active at 0x58; 0x40 is higher priority and preempts with BPR1 = 3. */
	raise_spi(t, 40, 0x58);
	assert_int_equal(ack(t, 0), 40);
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0x58);
	raise_spi(t, 41, 0x40);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), VGIC_PENDING_IRQ);
	/* With BPR1 = 5 the group priority is bits [7:5]: both are 0x40, so 0x40
	 * no longer preempts. */
	eoi(t, 0, 40);
	icc_wr(t, 0, ICC_BPR1_EL1, 5);
	dist_wr(t, IRQ_WORD(GICD_ICPENDR, 41), IRQ_BIT(41));
	assert_int_equal(spi_line(t, 40, true), 0);
	assert_int_equal(ack(t, 0), 40);
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0x40);
	assert_int_equal(spi_line(t, 41, true), 0);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	assert_int_equal(ack(t, 0), VGIC_INTID_SPURIOUS);
	assert_int_equal(icc_rd(t, 0, ICC_HPPIR1_EL1), 41);
	/* 0x38 is in a higher group priority (0x20) and does preempt. */
	raise_spi(t, 42, 0x38);
	assert_int_equal(ack(t, 0), 42);
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0x20);
	eoi(t, 0, 42);
	eoi(t, 0, 40);
	assert_int_equal(ack(t, 0), 41);
	eoi(t, 0, 41);
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0xff);
	tvm_free(t);
}

static void cbpr_applies_bpr0_to_group1(void **state)
{
	struct tvm *t = setup(1);

	(void)state;
	/* BPR0 = 4: group priority bits [7:5]. BPR1 (unused) stays at 3. */
	icc_wr(t, 0, ICC_BPR0_EL1, 4);
	icc_wr(t, 0, ICC_CTLR_EL1, ICC_CTLR_CBPR);
	raise_spi(t, 40, 0x58);
	assert_int_equal(ack(t, 0), 40);
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0x40);
	raise_spi(t, 41, 0x40);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	/* The active priority keeps the group priority it was taken with:
	 * clearing CBPR now does not let 0x40 in. */
	icc_wr(t, 0, ICC_CTLR_EL1, 0);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	eoi(t, 0, 40);
	assert_int_equal(ack(t, 0), 41);
	eoi(t, 0, 41);
	tvm_free(t);
}

static void running_priority_from_apr(void **state)
{
	struct tvm *t = setup(1);

	(void)state;
	assert_int_equal(icc_rd(t, 0, ICC_AP0R0_EL1), 0);
	assert_int_equal(icc_rd(t, 0, ICC_AP1R0_EL1), 0);
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0xff);
	/* AP1R0 bit n: group priority n << 3 is active. */
	icc_wr(t, 0, ICC_AP1R0_EL1, 1u << 8);
	assert_int_equal(icc_rd(t, 0, ICC_AP1R0_EL1), 1u << 8);
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0x40);
	icc_wr(t, 0, ICC_AP0R0_EL1, 1u << 4 | 1u << 20);
	assert_int_equal(icc_rd(t, 0, ICC_AP0R0_EL1), 1u << 4 | 1u << 20);
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0x20);
	raise_spi(t, 40, 0x30);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	icc_wr(t, 0, ICC_AP0R0_EL1, 0);
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0x40);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), VGIC_PENDING_IRQ);
	/* Acking records the priority in AP1R0. */
	icc_wr(t, 0, ICC_AP1R0_EL1, 0);
	assert_int_equal(ack(t, 0), 40);
	assert_int_equal(icc_rd(t, 0, ICC_AP1R0_EL1), 1u << 6);
	eoi(t, 0, 40);
	assert_int_equal(icc_rd(t, 0, ICC_AP1R0_EL1), 0);
	/* Only AP<n>R0 exists with 5 priority bits: the others are RAZ/WI. */
	static const uint32_t others[] = { ICC_AP0R1_EL1, ICC_AP0R2_EL1, ICC_AP0R3_EL1,
					   ICC_AP1R1_EL1, ICC_AP1R2_EL1, ICC_AP1R3_EL1 };

	for (size_t i = 0; i < ARRAY_SIZE(others); i++) {
		icc_wr(t, 0, others[i], 0xffffffff);
		assert_int_equal(icc_rd(t, 0, others[i]), 0);
	}
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0xff);
	tvm_free(t);
}

static void level_active_and_pending(void **state)
{
	struct tvm *t = setup(1);

	(void)state;
	enable_irq(t, 0, 25);
	assert_int_equal(ppi_line(t, 0, 25, true), 0);
	assert_int_equal(ack(t, 0), 25);
	/* Active and pending: the line is still high, but it is not signalled
	 * again before it is deactivated. */
	assert_int_equal(rdist_rd(t, 0, GICR_ISPENDR0), 1u << 25);
	assert_int_equal(rdist_rd(t, 0, GICR_ISACTIVER0), 1u << 25);
	assert_int_equal(icc_rd(t, 0, ICC_HPPIR1_EL1), VGIC_INTID_SPURIOUS);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	eoi(t, 0, 25);
	assert_int_equal(rdist_rd(t, 0, GICR_ISACTIVER0), 0);
	assert_int_equal(icc_rd(t, 0, ICC_HPPIR1_EL1), 25);
	assert_int_equal(ack(t, 0), 25);
	/* Lowered while active: after deactivation nothing is left. */
	assert_int_equal(ppi_line(t, 0, 25, false), 0);
	assert_int_equal(rdist_rd(t, 0, GICR_ISPENDR0), 0);
	eoi(t, 0, 25);
	assert_int_equal(rdist_rd(t, 0, GICR_ISACTIVER0), 0);
	assert_int_equal(ack(t, 0), VGIC_INTID_SPURIOUS);
	tvm_free(t);
}

static void eoimode_split_and_dir(void **state)
{
	struct tvm *t = setup(1);

	(void)state;
	/* EOImode 0: DIR is ignored, EOIR both drops and deactivates. */
	raise_spi(t, 40, 0x80);
	assert_int_equal(ack(t, 0), 40);
	icc_wr(t, 0, ICC_DIR_EL1, 40);
	assert_int_equal(dist_rd(t, IRQ_WORD(GICD_ISACTIVER, 40)) & IRQ_BIT(40), IRQ_BIT(40));
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0x80);
	eoi(t, 0, 40);
	assert_int_equal(dist_rd(t, IRQ_WORD(GICD_ISACTIVER, 40)) & IRQ_BIT(40), 0);
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0xff);
	/* EOImode 1: EOIR only drops the priority, DIR deactivates. */
	icc_wr(t, 0, ICC_CTLR_EL1, ICC_CTLR_EOIMODE);
	assert_int_equal(icc_rd(t, 0, ICC_CTLR_EL1) & ICC_CTLR_EOIMODE, ICC_CTLR_EOIMODE);
	raise_spi(t, 40, 0x80);
	raise_spi(t, 41, 0xa0);
	assert_int_equal(ack(t, 0), 40);
	eoi(t, 0, 40);
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0xff);
	assert_int_equal(dist_rd(t, IRQ_WORD(GICD_ISACTIVER, 40)) & IRQ_BIT(40), IRQ_BIT(40));
	/* The dropped priority lets a lower-priority interrupt in while 40 is
	 * still active (the point of the split). */
	assert_int_equal(ack(t, 0), 41);
	icc_wr(t, 0, ICC_DIR_EL1, 40);
	assert_int_equal(dist_rd(t, IRQ_WORD(GICD_ISACTIVER, 40)) & IRQ_BIT(40), 0);
	/* DIR of an interrupt whose priority has not been dropped still
	 * deactivates it; the priority stays until its EOIR. */
	icc_wr(t, 0, ICC_DIR_EL1, 41);
	assert_int_equal(dist_rd(t, IRQ_WORD(GICD_ISACTIVER, 41)) & IRQ_BIT(41), 0);
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0xa0);
	eoi(t, 0, 41);
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0xff);
	tvm_free(t);
}

static void spurious_cases(void **state)
{
	struct tvm *t = setup(2);
	uint64_t spurious = tvm_stats(t).spurious_acks;

	(void)state;
	/* Nothing pending. */
	assert_int_equal(ack(t, 0), VGIC_INTID_SPURIOUS);
	assert_int_equal(icc_rd(t, 0, ICC_IAR0_EL1), VGIC_INTID_SPURIOUS);
	assert_int_equal(icc_rd(t, 0, ICC_HPPIR1_EL1), VGIC_INTID_SPURIOUS);
	assert_int_equal(tvm_stats(t).spurious_acks, spurious + 2);
	/* Distributor disabled. */
	raise_spi(t, 40, 0x80);
	dist_wr(t, GICD_CTLR, 0);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	assert_int_equal(ack(t, 0), VGIC_INTID_SPURIOUS);
	dist_wr(t, GICD_CTLR, FIELD_DP(GICD_CTLR, ENABLE_G1A, 1));
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), VGIC_PENDING_IRQ);
	/* Group 1 disabled in the CPU interface. */
	icc_wr(t, 0, ICC_IGRPEN1_EL1, 0);
	assert_int_equal(icc_rd(t, 0, ICC_IGRPEN1_EL1), 0);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	assert_int_equal(ack(t, 0), VGIC_INTID_SPURIOUS);
	icc_wr(t, 0, ICC_IGRPEN1_EL1, 1);
	assert_int_equal(icc_rd(t, 0, ICC_IGRPEN1_EL1), 1);
	/* IAR1 when the highest priority pending interrupt is Group 0. */
	icc_wr(t, 0, ICC_IGRPEN0_EL1, 1);
	set_group0(t, 41);
	raise_spi(t, 41, 0x40);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), VGIC_PENDING_FIQ);
	assert_int_equal(ack(t, 0), VGIC_INTID_SPURIOUS);
	assert_int_equal(icc_rd(t, 0, ICC_HPPIR1_EL1), VGIC_INTID_SPURIOUS);
	assert_int_equal(icc_rd(t, 0, ICC_HPPIR0_EL1), 41);
	assert_int_equal(icc_rd(t, 0, ICC_IAR0_EL1), 41);
	/* The Group 1 one can only follow once 41 is over. */
	assert_int_equal(ack(t, 0), VGIC_INTID_SPURIOUS);
	icc_wr(t, 0, ICC_EOIR0_EL1, 41);
	assert_int_equal(ack(t, 0), 40);
	eoi(t, 0, 40);
	/* EOIR of a special INTID does nothing. */
	icc_wr(t, 0, ICC_EOIR1_EL1, VGIC_INTID_SPURIOUS);
	assert_int_equal(tvm_stats(t).spurious_acks, spurious + 6);
	tvm_free(t);
}

static void group0_is_fiq(void **state)
{
	struct tvm *t = setup(1);

	(void)state;
	set_group0(t, 50);
	raise_spi(t, 50, 0x80);
	/* ICC_IGRPEN0 still off. */
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	icc_wr(t, 0, ICC_IGRPEN0_EL1, 1);
	assert_int_equal(icc_rd(t, 0, ICC_IGRPEN0_EL1), 1);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), VGIC_PENDING_FIQ);
	/* A higher-priority Group 1 interrupt is signalled as IRQ instead. */
	raise_spi(t, 51, 0x40);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), VGIC_PENDING_IRQ);
	assert_int_equal(icc_rd(t, 0, ICC_IAR0_EL1), VGIC_INTID_SPURIOUS);
	assert_int_equal(ack(t, 0), 51);
	/* 0x80 cannot preempt 0x40, whatever its group. */
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	eoi(t, 0, 51);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), VGIC_PENDING_FIQ);
	assert_int_equal(icc_rd(t, 0, ICC_IAR0_EL1), 50);
	assert_int_equal(icc_rd(t, 0, ICC_AP0R0_EL1), 1u << 16);
	assert_int_equal(icc_rd(t, 0, ICC_AP1R0_EL1), 0);
	icc_wr(t, 0, ICC_EOIR0_EL1, 50);
	assert_int_equal(icc_rd(t, 0, ICC_AP0R0_EL1), 0);
	assert_int_equal(dist_rd(t, IRQ_WORD(GICD_ISACTIVER, 50)) & IRQ_BIT(50), 0);
	/* Group 0 disabled in the CPU interface: no FIQ. */
	icc_wr(t, 0, ICC_IGRPEN0_EL1, 0);
	assert_int_equal(spi_line(t, 50, true), 0);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	assert_int_equal(icc_rd(t, 0, ICC_IAR0_EL1), VGIC_INTID_SPURIOUS);
	tvm_free(t);
}

/*
 * An EOI that does not match (wrong register, wrong interrupt, or a binary
 * point changed since the ack) still drops the highest active priority but
 * deactivates nothing, as KVM's virtual CPU interface.
 */
static void mismatched_eoi(void **state)
{
	struct tvm *t = setup(1);

	(void)state;
	set_group0(t, 50);
	icc_wr(t, 0, ICC_IGRPEN0_EL1, 1);
	raise_spi(t, 50, 0x80);
	raise_spi(t, 51, 0x40);
	assert_int_equal(ack(t, 0), 51);
	/* EOIR0 for a Group 1 interrupt: priority dropped, 51 stays active, and
	 * with the priority gone the Group 0 one can be taken. */
	icc_wr(t, 0, ICC_EOIR0_EL1, 51);
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0xff);
	assert_int_equal(dist_rd(t, IRQ_WORD(GICD_ISACTIVER, 51)) & IRQ_BIT(51), IRQ_BIT(51));
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), VGIC_PENDING_FIQ);
	assert_int_equal(icc_rd(t, 0, ICC_IAR0_EL1), 50);
	/* EOIR1 naming an interrupt other than the one running: drop only. */
	raise_spi(t, 52, 0x20);
	assert_int_equal(ack(t, 0), 52);
	eoi(t, 0, 50);
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0x80);
	assert_int_equal(dist_rd(t, IRQ_WORD(GICD_ISACTIVER, 50)) & IRQ_BIT(50), IRQ_BIT(50));
	assert_int_equal(dist_rd(t, IRQ_WORD(GICD_ISACTIVER, 52)) & IRQ_BIT(52), IRQ_BIT(52));
	/* The right EOI for 50 now deactivates it. */
	icc_wr(t, 0, ICC_EOIR0_EL1, 50);
	assert_int_equal(dist_rd(t, IRQ_WORD(GICD_ISACTIVER, 50)) & IRQ_BIT(50), 0);
	/* Binary point changed between ack and EOI: the group priorities differ. */
	dist_wr(t, IRQ_WORD(GICD_ICACTIVER, 51), IRQ_BIT(51) | IRQ_BIT(52));
	raise_spi(t, 53, 0x58);
	assert_int_equal(ack(t, 0), 53);
	icc_wr(t, 0, ICC_BPR1_EL1, 5);
	eoi(t, 0, 53);
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0xff);
	assert_int_equal(dist_rd(t, IRQ_WORD(GICD_ISACTIVER, 53)) & IRQ_BIT(53), IRQ_BIT(53));
	/* Nothing active any more: EOI does nothing at all. */
	eoi(t, 0, 53);
	assert_int_equal(dist_rd(t, IRQ_WORD(GICD_ISACTIVER, 53)) & IRQ_BIT(53), IRQ_BIT(53));
	tvm_free(t);
}

/* An SPI active on another vCPU is not this vCPU's to EOI. */
static void eoi_of_other_vcpus_interrupt(void **state)
{
	struct tvm *t = setup(2);

	(void)state;
	raise_spi(t, 60, 0x80);
	assert_int_equal(ack(t, 0), 60);
	icc_wr(t, 1, ICC_AP1R0_EL1, 1u << 16);
	eoi(t, 1, 60);
	assert_int_equal(icc_rd(t, 1, ICC_RPR_EL1), 0xff);
	assert_int_equal(dist_rd(t, IRQ_WORD(GICD_ISACTIVER, 60)) & IRQ_BIT(60), IRQ_BIT(60));
	eoi(t, 0, 60);
	assert_int_equal(dist_rd(t, IRQ_WORD(GICD_ISACTIVER, 60)) & IRQ_BIT(60), 0);
	tvm_free(t);
}

/*
 * KVM's rule with one security state: SGI0R (and ASGI1R, which has no other
 * state to target) only pends SGIs configured as Group 0; SGI1R pends an SGI
 * of either group.
 */
static void sgi_register_groups(void **state)
{
	struct tvm *t = setup(2);

	(void)state;
	rdist_wr(t, 1, GICR_IGROUPR0, 0xffffffff & ~(1u << 2));	/* SGI 2 is Group 0 */
	icc_wr(t, 0, ICC_SGI0R_EL1, sgir(5, 0, 0x2));
	icc_wr(t, 0, ICC_ASGI1R_EL1, sgir(5, 0, 0x2));
	assert_int_equal(rdist_rd(t, 1, GICR_ISPENDR0), 0);
	icc_wr(t, 0, ICC_SGI0R_EL1, sgir(2, 0, 0x2));
	assert_int_equal(rdist_rd(t, 1, GICR_ISPENDR0), 1u << 2);
	rdist_wr(t, 1, GICR_ICPENDR0, 1u << 2);
	icc_wr(t, 0, ICC_ASGI1R_EL1, sgir(2, 0, 0x2));
	assert_int_equal(rdist_rd(t, 1, GICR_ISPENDR0), 1u << 2);
	rdist_wr(t, 1, GICR_ICPENDR0, 1u << 2);
	icc_wr(t, 0, ICC_SGI1R_EL1, sgir(2, 0, 0x2));
	icc_wr(t, 0, ICC_SGI1R_EL1, sgir(5, 0, 0x2));
	assert_int_equal(rdist_rd(t, 1, GICR_ISPENDR0), 1u << 2 | 1u << 5);
	/* Delivered by group: 2 as FIQ via IAR0, 5 as IRQ via IAR1. */
	icc_wr(t, 1, ICC_IGRPEN0_EL1, 1);
	assert_int_equal(icc_rd(t, 1, ICC_IAR0_EL1), 2);
	icc_wr(t, 1, ICC_EOIR0_EL1, 2);
	assert_int_equal(ack(t, 1), 5);
	eoi(t, 1, 5);
	assert_int_equal(rdist_rd(t, 0, GICR_ISPENDR0), 0);
	tvm_free(t);
}

static void sgi_affinity_routing(void **state)
{
	struct tvm *t = setup(40);
	uint64_t injected = tvm_stats(t).irqs_injected;

	(void)state;
	/* Fields that match no vCPU: RS = 1 with Aff1 = 0 names Aff0 16..31,
	 * which KVM never hands out; Aff2 and Aff3 are all zero here. */
	icc_wr(t, 0, ICC_SGI1R_EL1, sgir(1, 0, 0xffff) | SGIR_RS(1));
	icc_wr(t, 0, ICC_SGI1R_EL1, sgir(1, 0, 0xffff) | SGIR_AFF2(1));
	icc_wr(t, 0, ICC_SGI1R_EL1, sgir(1, 0, 0xffff) | SGIR_AFF3(1));
	icc_wr(t, 0, ICC_SGI1R_EL1, sgir(1, 3, 0xffff));	/* cluster 3: vCPUs 48.. */
	icc_wr(t, 0, ICC_SGI1R_EL1, sgir(1, 2, 0xff00));	/* vCPUs 40..47 */
	icc_wr(t, 0, ICC_SGI1R_EL1, sgir(1, 0, 0));		/* empty list */
	for (unsigned int v = 0; v < 40; v++)
		assert_int_equal(rdist_rd(t, v, GICR_ISPENDR0), 0);
	assert_int_equal(tvm_stats(t).irqs_injected, injected);
	/* A valid one reaches exactly its targets, including the sender. */
	icc_wr(t, 0, ICC_SGI1R_EL1, sgir(4, 2, 0x00ff) | SGIR_RS(0));
	for (unsigned int v = 0; v < 40; v++)
		assert_int_equal(rdist_rd(t, v, GICR_ISPENDR0), v >= 32 ? 1u << 4 : 0);
	icc_wr(t, 7, ICC_SGI1R_EL1, sgir(6, 0, 0x81));
	assert_int_equal(rdist_rd(t, 0, GICR_ISPENDR0), 1u << 6);
	assert_int_equal(rdist_rd(t, 7, GICR_ISPENDR0), 1u << 6);
	assert_int_equal(vgic_vcpu_pending(t->vm, 7), VGIC_PENDING_IRQ);
	/* IRM: everyone but the sender, whatever the other fields say. */
	icc_wr(t, 3, ICC_SGI1R_EL1, sgir(9, 7, 0x1) | SGIR_IRM | SGIR_RS(3));
	for (unsigned int v = 0; v < 40; v++)
		assert_int_equal(rdist_rd(t, v, GICR_ISPENDR0) & (1u << 9), v == 3 ? 0 : 1u << 9);
	tvm_free(t);
}

static void id_and_control_registers(void **state)
{
	struct tvm *t = tvm_new(1, 0, 0);
	uint64_t ctlr;

	(void)state;
	/* System register interface always on: SRE, DFB, DIB read as one. */
	assert_int_equal(icc_rd(t, 0, ICC_SRE_EL1), 7);
	icc_wr(t, 0, ICC_SRE_EL1, 0);
	assert_int_equal(icc_rd(t, 0, ICC_SRE_EL1), 7);
	/* PRIbits = 4 (five bits), IDbits = 0 (16 bits), A3V; EOImode/CBPR clear. */
	ctlr = icc_rd(t, 0, ICC_CTLR_EL1);
	assert_int_equal((ctlr >> 8) & 7, 4);
	assert_int_equal((ctlr >> 11) & 7, 0);
	assert_int_equal(ctlr & (ICC_CTLR_CBPR | ICC_CTLR_EOIMODE), 0);
	/* Only CBPR and EOImode are writable. */
	icc_wr(t, 0, ICC_CTLR_EL1, ~0ULL);
	assert_int_equal(icc_rd(t, 0, ICC_CTLR_EL1), ctlr | ICC_CTLR_CBPR | ICC_CTLR_EOIMODE);
	icc_wr(t, 0, ICC_CTLR_EL1, 0);
	assert_int_equal(icc_rd(t, 0, ICC_CTLR_EL1), ctlr);
	/* IGRPEN: only bit 0. */
	icc_wr(t, 0, ICC_IGRPEN1_EL1, 0xfffffffe);
	assert_int_equal(icc_rd(t, 0, ICC_IGRPEN1_EL1), 0);
	tvm_free(t);
}

static void access_rules(void **state)
{
	struct tvm *t = tvm_new(1, 0, 0);
	static const uint32_t ro[] = { ICC_IAR0_EL1, ICC_IAR1_EL1, ICC_HPPIR0_EL1,
				       ICC_HPPIR1_EL1, ICC_RPR_EL1 };
	static const uint32_t wo[] = { ICC_EOIR0_EL1, ICC_EOIR1_EL1, ICC_DIR_EL1,
				       ICC_SGI0R_EL1, ICC_SGI1R_EL1, ICC_ASGI1R_EL1 };
	static const uint32_t unknown[] = {
		VGIC_SYSREG(3, 0, 0, 0, 0),	/* MIDR_EL1 */
		VGIC_SYSREG(3, 0, 12, 10, 0),
		VGIC_SYSREG(3, 0, 4, 6, 1),
		VGIC_SYSREG(3, 6, 12, 12, 5),	/* ICC_SRE_EL3 */
		VGIC_SYSREG(3, 4, 12, 9, 5),	/* ICC_SRE_EL2 */
		VGIC_SYSREG(3, 4, 12, 11, 0),	/* ICH_HCR_EL2 */
		0xffffffffu,
	};
	uint64_t v = 0x55, bad = tvm_stats(t).sysreg_bad_access;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ro); i++)
		assert_int_equal(vgic_sysreg_write(t->vm, 0, ro[i], 0), -EPERM);
	for (size_t i = 0; i < ARRAY_SIZE(wo); i++) {
		assert_int_equal(vgic_sysreg_read(t->vm, 0, wo[i], &v), -EPERM);
		assert_int_equal(v, 0x55);
	}
	assert_int_equal(tvm_stats(t).sysreg_bad_access, bad + ARRAY_SIZE(ro) + ARRAY_SIZE(wo));
	for (size_t i = 0; i < ARRAY_SIZE(unknown); i++) {
		assert_int_equal(vgic_sysreg_read(t->vm, 0, unknown[i], &v), -ENOENT);
		assert_int_equal(vgic_sysreg_write(t->vm, 0, unknown[i], 0), -ENOENT);
	}
	assert_int_equal(vgic_sysreg_read(t->vm, 1, ICC_PMR_EL1, &v), -EINVAL);
	assert_int_equal(vgic_sysreg_write(t->vm, 1, ICC_PMR_EL1, 0), -EINVAL);
	tvm_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pmr_reset_and_bits),
		cmocka_unit_test(bpr_minimums_and_cbpr),
		cmocka_unit_test(binary_point_groups_priorities),
		cmocka_unit_test(cbpr_applies_bpr0_to_group1),
		cmocka_unit_test(running_priority_from_apr),
		cmocka_unit_test(level_active_and_pending),
		cmocka_unit_test(eoimode_split_and_dir),
		cmocka_unit_test(spurious_cases),
		cmocka_unit_test(group0_is_fiq),
		cmocka_unit_test(mismatched_eoi),
		cmocka_unit_test(eoi_of_other_vcpus_interrupt),
		cmocka_unit_test(sgi_register_groups),
		cmocka_unit_test(sgi_affinity_routing),
		cmocka_unit_test(id_and_control_registers),
		cmocka_unit_test(access_rules),
	};

	return cmocka_run_group_tests_name("cpuif", tests, NULL, NULL);
}
