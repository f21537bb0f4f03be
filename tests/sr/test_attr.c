/* SPDX-License-Identifier: MIT */
/*
 * GIC state through device attributes: a VM with interrupts in every state
 * is saved, restored into a fresh VM and saved again, and both snapshots and
 * what the guest then sees must match; userspace-only semantics (pending
 * latch vs line level, direct active state, ID checks) and errors as KVM's.
 */
#include <errno.h>

#include "gic/regs.h"
#include "sr_state.h"

#define NR_IRQS		128
#define NR_VCPUS	3
#define SPI_EDGE	40
#define SPI_LEVEL	41	/* line high, latch clear */
#define SPI_BOTH	42	/* line high and latch set */
#define SPI_ACTIVE	43
#define PPI_LEVEL	23

static uint64_t rd_attr(unsigned int vcpu, struct tvm *t, uint32_t off)
{
	return vgic_attr_mpidr(vgic_vcpu_mpidr(t->vm, vcpu), off);
}

static void icfg_level(struct tvm *t, uint32_t intid)
{
	uint32_t off = GICD_ICFGR + intid / 16 * 4;

	dist_wr(t, off, dist_rd(t, off) & ~(GIC_ICFG_EDGE << (intid % 16 * 2)));
}

static void icfg_edge(struct tvm *t, uint32_t intid)
{
	uint32_t off = GICD_ICFGR + intid / 16 * 4;

	dist_wr(t, off, dist_rd(t, off) | GIC_ICFG_EDGE << (intid % 16 * 2));
}

/* A guest's worth of state: enables, priorities, routes, pending, active, CPU interfaces. */
static void make_state(struct tvm *t)
{
	guest_enable(t);
	for (uint32_t i = 32; i < NR_IRQS; i += 3)
		enable_irq(t, 0, i);
	for (uint32_t i = 32; i < NR_IRQS; i++)
		set_priority(t, 0, i, (uint8_t)(i * 8));
	icfg_edge(t, SPI_EDGE);
	icfg_level(t, SPI_LEVEL);
	icfg_level(t, SPI_BOTH);
	dist_wr(t, GICD_IGROUPR + 4, 0x0f0f0f0f);
	dist_wr(t, GICD_IROUTER + 8 * 50, (uint32_t)vgic_vcpu_mpidr(t->vm, 2));
	dist_wr(t, GICD_IROUTER + 8 * SPI_ACTIVE, (uint32_t)vgic_vcpu_mpidr(t->vm, 1));
	assert_int_equal(spi_line(t, SPI_EDGE, true), 0);
	assert_int_equal(spi_line(t, SPI_LEVEL, true), 0);
	assert_int_equal(spi_line(t, SPI_BOTH, true), 0);
	dist_wr(t, GICD_ISPENDR + 4, 1u << (SPI_BOTH - 32));
	dist_wr(t, GICD_ISACTIVER + 4, 1u << (SPI_ACTIVE - 32));
	assert_int_equal(ppi_line(t, 1, PPI_LEVEL, true), 0);
	rdist_wr(t, 1, GICR_ISENABLER0, 1u << PPI_LEVEL | 1u << 3);
	rdist_wr(t, 2, GICR_ISPENDR0, 1u << 5);
	/* vCPU 1 takes the PPI: active, and a priority bit in AP1R0. */
	set_priority(t, 1, PPI_LEVEL, 0x40);
	assert_int_equal(ack(t, 1), PPI_LEVEL);
	icc_wr(t, 0, ICC_PMR_EL1, 0xd0);
	icc_wr(t, 0, ICC_BPR1_EL1, 4);
	icc_wr(t, 0, ICC_CTLR_EL1, 2);		/* EOImode */
	icc_wr(t, 2, ICC_IGRPEN0_EL1, 1);
	for (unsigned int c = 0; c < NR_VCPUS; c++) {
		rdist_wr(t, c, GICR_PROPBASER, 0x40010000u | 15);
		rdist_wr(t, c, GICR_PENDBASER, 0x40020000u + c * 0x10000);
	}
}

static void test_roundtrip(void **state)
{
	struct tvm *src = tvm_new(NR_VCPUS, NR_IRQS, 0), *dst = tvm_new(NR_VCPUS, NR_IRQS, 0);
	struct sr_state a, b;

	(void)state;
	make_state(src);
	sr_save_gic(src, NR_IRQS, &a);
	sr_restore_gic(dst, &a);
	sr_save_gic(dst, NR_IRQS, &b);
	sr_assert_equal(&a, &b);
	/* What the guest sees matches too. */
	for (uint32_t off = GICD_ISPENDR; off < GICD_ISPENDR + NR_IRQS / 8; off += 4)
		assert_int_equal(dist_rd(src, off), dist_rd(dst, off));
	for (unsigned int c = 0; c < NR_VCPUS; c++) {
		assert_int_equal(vgic_vcpu_pending(src->vm, c), vgic_vcpu_pending(dst->vm, c));
		assert_int_equal(icc_rd(src, c, ICC_RPR_EL1), icc_rd(dst, c, ICC_RPR_EL1));
		assert_int_equal(icc_rd(src, c, ICC_HPPIR1_EL1), icc_rd(dst, c, ICC_HPPIR1_EL1));
	}
	/* The level line survives on its own: clearing the latch leaves it pending. */
	dist_wr(dst, GICD_ICPENDR + 4, 1u << (SPI_LEVEL - 32) | 1u << (SPI_BOTH - 32));
	assert_int_equal(dist_rd(dst, GICD_ISPENDR + 4) >> (SPI_LEVEL - 32) & 3, 3);
	assert_int_equal(spi_line(dst, SPI_LEVEL, false), 0);
	assert_int_equal(dist_rd(dst, GICD_ISPENDR + 4) >> (SPI_LEVEL - 32) & 1, 0);
	/* vCPU 1's active PPI completes after the restore and drops its priority. */
	eoi(dst, 1, PPI_LEVEL);
	assert_int_equal(icc_rd(dst, 1, ICC_RPR_EL1), 0xff);
	sr_free(&a);
	sr_free(&b);
	tvm_free(src);
	tvm_free(dst);
}

/* ISPENDR from userspace is the latch: set and cleared by one write; ICPENDR is RAZ/WI. */
static void test_pending_latch(void **state)
{
	struct tvm *t = tvm_new(1, NR_IRQS, 0);
	uint64_t v;

	(void)state;
	icfg_level(t, SPI_LEVEL);
	assert_int_equal(spi_line(t, SPI_LEVEL, true), 0);
	assert_int_equal(dist_rd(t, GICD_ISPENDR + 4) >> (SPI_LEVEL - 32) & 1, 1);
	assert_int_equal(vgic_vm_get_attr(t->vm, VGIC_GRP_DIST_REGS, GICD_ISPENDR + 4, &v), 0);
	assert_int_equal(v >> (SPI_LEVEL - 32) & 1, 0);
	assert_int_equal(vgic_vm_set_attr(t->vm, VGIC_GRP_DIST_REGS, GICD_ISPENDR + 4, 1u << 8), 0);
	assert_int_equal(vgic_vm_get_attr(t->vm, VGIC_GRP_DIST_REGS, GICD_ISPENDR + 4, &v), 0);
	assert_int_equal(v, 1u << 8);
	assert_int_equal(vgic_vm_set_attr(t->vm, VGIC_GRP_DIST_REGS, GICD_ICPENDR + 4, ~0u), 0);
	assert_int_equal(vgic_vm_get_attr(t->vm, VGIC_GRP_DIST_REGS, GICD_ICPENDR + 4, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(dist_rd(t, GICD_ISPENDR + 4), 1u << 8 | 1u << (SPI_LEVEL - 32));
	assert_int_equal(vgic_vm_set_attr(t->vm, VGIC_GRP_DIST_REGS, GICD_ISPENDR + 4, 0), 0);
	assert_int_equal(dist_rd(t, GICD_ISPENDR + 4), 1u << (SPI_LEVEL - 32));
	/* LEVEL_INFO carries the line. */
	assert_int_equal(vgic_vm_get_attr(t->vm, VGIC_GRP_LEVEL_INFO,
					  rd_attr(0, t, 32), &v), 0);
	assert_int_equal(v, 1u << (SPI_LEVEL - 32));
	assert_int_equal(vgic_vm_set_attr(t->vm, VGIC_GRP_LEVEL_INFO, rd_attr(0, t, 32), 0), 0);
	assert_int_equal(dist_rd(t, GICD_ISPENDR + 4), 0);
	tvm_free(t);
}

/* Userspace sets and clears the active state directly; no deactivation happens. */
static void test_active_direct(void **state)
{
	struct tvm *t = tvm_new(2, NR_IRQS, 0);
	uint64_t v;

	(void)state;
	assert_int_equal(vgic_vm_set_attr(t->vm, VGIC_GRP_REDIST_REGS,
					  rd_attr(1, t, GICR_ISACTIVER0), 1u << 7), 0);
	assert_int_equal(rdist_rd(t, 1, GICR_ISACTIVER0), 1u << 7);
	assert_int_equal(rdist_rd(t, 0, GICR_ISACTIVER0), 0);
	assert_int_equal(vgic_vm_set_attr(t->vm, VGIC_GRP_REDIST_REGS,
					  rd_attr(1, t, GICR_ICACTIVER0), 1u << 7), 0);
	assert_int_equal(vgic_vm_get_attr(t->vm, VGIC_GRP_REDIST_REGS,
					  rd_attr(1, t, GICR_ISACTIVER0), &v), 0);
	assert_int_equal(v, 0);
	tvm_free(t);
}

static void test_errors(void **state)
{
	struct tvm *t = tvm_new(2, NR_IRQS, 0);
	struct vgic_vm *fresh;
	uint64_t v, ctlr;

	(void)state;
	/* Unknown group, register, alignment, sysreg. */
	assert_int_equal(vgic_vm_get_attr(t->vm, 2, 0, &v), -ENXIO);
	assert_int_equal(vgic_vm_get_attr(t->vm, 99, 0, &v), -ENXIO);
	assert_int_equal(vgic_vm_get_attr(t->vm, VGIC_GRP_DIST_REGS, 0xc000, &v), -ENXIO);
	assert_int_equal(vgic_vm_get_attr(t->vm, VGIC_GRP_DIST_REGS, GICD_ISENABLER + 2, &v), -ENXIO);
	assert_int_equal(vgic_vm_has_attr(t->vm, VGIC_GRP_DIST_REGS, 0xc000), -ENXIO);
	assert_int_equal(vgic_vm_has_attr(t->vm, VGIC_GRP_DIST_REGS, GICD_CTLR), 0);
	assert_int_equal(vgic_vm_get_attr(t->vm, VGIC_GRP_CPU_SYSREGS,
					  rd_attr(0, t, ICC_IAR1_EL1), &v), -ENXIO);
	assert_int_equal(vgic_vm_get_attr(t->vm, VGIC_GRP_CTRL, VGIC_SAVE_PENDING_TABLES, &v),
			 -ENXIO);
	/* An affinity no vCPU has. */
	assert_int_equal(vgic_vm_get_attr(t->vm, VGIC_GRP_REDIST_REGS,
					  vgic_attr_mpidr(5, GICR_CTLR), &v), -EINVAL);
	assert_int_equal(vgic_vm_get_attr(t->vm, VGIC_GRP_CPU_SYSREGS,
					  vgic_attr_mpidr(1ULL << 32, ICC_PMR_EL1), &v), -EINVAL);
	/* Read-only ID registers must match. */
	assert_int_equal(vgic_vm_get_attr(t->vm, VGIC_GRP_DIST_REGS, GICD_TYPER, &v), 0);
	assert_int_equal(vgic_vm_set_attr(t->vm, VGIC_GRP_DIST_REGS, GICD_TYPER, v), 0);
	assert_int_equal(vgic_vm_set_attr(t->vm, VGIC_GRP_DIST_REGS, GICD_TYPER, v + 1), -EINVAL);
	assert_int_equal(vgic_vm_get_attr(t->vm, VGIC_GRP_DIST_REGS, GICD_IIDR, &v), 0);
	assert_int_equal(vgic_vm_set_attr(t->vm, VGIC_GRP_DIST_REGS, GICD_IIDR,
					  FIELD_SET(GIC_IIDR, REVISION, v, 2)), -EINVAL);
	assert_int_equal(vgic_vm_set_attr(t->vm, VGIC_GRP_DIST_REGS, GICD_IIDR, v ^ 1), -EINVAL);
	assert_int_equal(vgic_vm_get_attr(t->vm, VGIC_GRP_REDIST_REGS, rd_attr(1, t, GICR_TYPER), &v), 0);
	assert_int_equal(vgic_vm_set_attr(t->vm, VGIC_GRP_REDIST_REGS, rd_attr(0, t, GICR_TYPER), v),
			 -EINVAL);	/* vCPU 1's affinity is not vCPU 0's */
	assert_int_equal(vgic_vm_set_attr(t->vm, VGIC_GRP_REDIST_REGS, rd_attr(1, t, GICR_TYPER), v), 0);
	/* ICC_CTLR_EL1: PRIbits, IDbits, SEIS, A3V as this CPU interface has them. */
	assert_int_equal(vgic_vm_get_attr(t->vm, VGIC_GRP_CPU_SYSREGS,
					  rd_attr(0, t, ICC_CTLR_EL1), &ctlr), 0);
	assert_int_equal(ctlr >> 8 & 7, 4);
	assert_int_equal(vgic_vm_set_attr(t->vm, VGIC_GRP_CPU_SYSREGS, rd_attr(0, t, ICC_CTLR_EL1),
					  ctlr | 7u << 8), -EINVAL);
	assert_int_equal(vgic_vm_set_attr(t->vm, VGIC_GRP_CPU_SYSREGS, rd_attr(0, t, ICC_CTLR_EL1),
					  ctlr | 1u << 11), -EINVAL);
	assert_int_equal(vgic_vm_set_attr(t->vm, VGIC_GRP_CPU_SYSREGS, rd_attr(0, t, ICC_CTLR_EL1),
					  ctlr | 1u << 14), -EINVAL);
	assert_int_equal(vgic_vm_set_attr(t->vm, VGIC_GRP_CPU_SYSREGS, rd_attr(0, t, ICC_CTLR_EL1),
					  ctlr & ~(1u << 15)), -EINVAL);
	assert_int_equal(vgic_vm_set_attr(t->vm, VGIC_GRP_CPU_SYSREGS, rd_attr(0, t, ICC_CTLR_EL1),
					  ctlr | 3), 0);
	assert_int_equal(icc_rd(t, 0, ICC_CTLR_EL1) & 3, 3);
	/* Only AP<n>R0 exists with 5 priority bits. */
	assert_int_equal(vgic_vm_get_attr(t->vm, VGIC_GRP_CPU_SYSREGS,
					  rd_attr(0, t, ICC_AP1R1_EL1), &v), -EINVAL);
	assert_int_equal(vgic_vm_set_attr(t->vm, VGIC_GRP_CPU_SYSREGS,
					  rd_attr(0, t, ICC_AP0R3_EL1), 0), -EINVAL);
	assert_int_equal(vgic_vm_set_attr(t->vm, VGIC_GRP_CPU_SYSREGS, rd_attr(0, t, ICC_SRE_EL1),
					  0), -EINVAL);
	/* LEVEL_INFO: 32-aligned INTID, line-level info only. */
	assert_int_equal(vgic_vm_get_attr(t->vm, VGIC_GRP_LEVEL_INFO, rd_attr(0, t, 33), &v), -EINVAL);
	assert_int_equal(vgic_vm_get_attr(t->vm, VGIC_GRP_LEVEL_INFO,
					  rd_attr(0, t, 1u << VGIC_ATTR_LEVEL_INFO_SHIFT), &v), -EINVAL);
	/* Before init: registers are -EBUSY, except GICD_IIDR. */
	assert_int_equal(vgic_vm_create(1, 0, &fresh), 0);
	assert_int_equal(vgic_vm_get_attr(fresh, VGIC_GRP_DIST_REGS, GICD_CTLR, &v), -EBUSY);
	assert_int_equal(vgic_vm_get_attr(fresh, VGIC_GRP_DIST_REGS, GICD_IIDR, &v), 0);
	assert_int_equal(vgic_vm_set_attr(fresh, VGIC_GRP_DIST_REGS, GICD_IIDR, v), 0);
	assert_int_equal(vgic_vm_get_attr(fresh, VGIC_GRP_REDIST_REGS, GICR_CTLR, &v), -EBUSY);
	assert_int_equal(vgic_vm_set_attr(fresh, VGIC_GRP_NR_IRQS, 0, 96), 0);
	assert_int_equal(vgic_vm_get_attr(fresh, VGIC_GRP_NR_IRQS, 0, &v), 0);
	assert_int_equal(v, 96);
	vgic_vm_destroy(fresh);
	assert_int_equal(vgic_vm_get_attr(fresh, VGIC_GRP_DIST_REGS, GICD_CTLR, &v), -ENODEV);
	tvm_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_pending_latch),
		cmocka_unit_test(test_active_direct),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
