/* SPDX-License-Identifier: MIT */
/* Redistributors (GICR_*): RD_base and SGI_base frames of each vCPU. */
#include <errno.h>
#include <stdlib.h>

#include <vgic/its.h>

#include "gic_test.h"

static uint64_t typer64(struct tvm *t, unsigned int vcpu)
{
	return gicr_rd(t, vcpu, GICR_TYPER, 8);
}

static void check_typer(struct tvm *t, unsigned int vcpu)
{
	uint64_t v = typer64(t, vcpu);
	uint64_t mpidr = vgic_vcpu_mpidr(t->vm, vcpu);

	assert_int_equal(FIELD_GET(GICR_TYPER, PROCNUM, v), vcpu);
	/* Affinity = Aff3.Aff2.Aff1.Aff0 of the vCPU's MPIDR. */
	assert_int_equal(FIELD_GET(GICR_TYPER, AFFINITY, v), mpidr & 0xffffff);
	assert_int_equal(FIELD_GET(GICR_TYPER, LAST, v), vcpu == t->nr_vcpus - 1);
	/* No ITS: no physical LPIs, no vLPIs, no DirectLPI. */
	assert_int_equal(FIELD_GET(GICR_TYPER, PLPIS, v), 0);
	assert_int_equal(FIELD_GET(GICR_TYPER, VLPIS, v), 0);
	assert_int_equal(FIELD_GET(GICR_TYPER, DIRECTLPI, v), 0);
	/* The two 32-bit halves are the same register. */
	assert_int_equal(gicr_rd(t, vcpu, GICR_TYPER, 4), v & 0xffffffff);
	assert_int_equal(gicr_rd(t, vcpu, GICR_TYPER + 4, 4), v >> 32);
}

static void typer_per_vcpu(void **state)
{
	static const unsigned int counts[] = { 1, 3, 20, 300 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(counts); i++) {
		struct tvm *t = tvm_new(counts[i], 0, 0);

		for (unsigned int v = 0; v < counts[i]; v++)
			check_typer(t, v);
		/* Read-only. */
		gicr_wr(t, 0, GICR_TYPER, 8, ~0ULL);
		check_typer(t, 0);
		tvm_free(t);
	}
}

static void typer_affinity_values(void **state)
{
	struct tvm *t = tvm_new(300, 0, 0);

	(void)state;
	/* vCPU 17: Aff1 = 1, Aff0 = 1; vCPU 299: Aff1 = 18, Aff0 = 11. */
	assert_int_equal(typer64(t, 17) >> 32, 0x101);
	assert_int_equal(typer64(t, 299) >> 32, 0x120b);
	assert_int_equal(typer64(t, 299), 0x0000120b00012b10ULL);
	tvm_free(t);
}

static void id_ctlr_waker(void **state)
{
	struct tvm *t = tvm_new(2, 0, 0);

	(void)state;
	for (unsigned int v = 0; v < 2; v++) {
		assert_int_equal(rdist_rd(t, v, GICR_IIDR), KVM_IIDR);
		assert_int_equal(rdist_rd(t, v, GICR_PIDR2), GIC_PIDR2_GICV3);
		/* KVM (IIDR revision 3): IR and CES set, EnableLPIs clear. */
		assert_int_equal(rdist_rd(t, v, GICR_CTLR),
				 FIELD_DP(GICR_CTLR, IR, 1) | FIELD_DP(GICR_CTLR, CES, 1));
		/* KVM's GICR_WAKER is RAZ/WI: the redistributor is always awake. */
		assert_int_equal(rdist_rd(t, v, GICR_WAKER), 0);
	}
	rdist_wr(t, 0, GICR_WAKER, FIELD_DP(GICR_WAKER, PROCESSOR_SLEEP, 1));
	assert_int_equal(rdist_rd(t, 0, GICR_WAKER), 0);
	/* Without an ITS EnableLPIs is RES0. */
	rdist_wr(t, 1, GICR_CTLR, FIELD_DP(GICR_CTLR, ENABLE_LPIS, 1));
	assert_int_equal(rdist_rd(t, 1, GICR_CTLR) & FIELD_MASK(GICR_CTLR, ENABLE_LPIS), 0);
	rdist_wr(t, 0, GICR_IIDR, 0);
	assert_int_equal(rdist_rd(t, 0, GICR_IIDR), KVM_IIDR);
	assert_int_equal(rdist_rd(t, 0, GICR_STATUSR), 0);
	tvm_free(t);
}

/* Fields with values KVM keeps as written (no cacheability/shareability rewrite). */
#define PROPBASER_SAMPLE	(0x0000008765432000ULL | 0x13 /* IDbits */ | \
				 FIELD_DP(GICR_PROPBASER, INNER_CACHE, 7) | \
				 FIELD_DP(GICR_PROPBASER, SHAREABILITY, 1))
#define PENDBASER_SAMPLE	(0x0000008765430000ULL | \
				 FIELD_DP(GICR_PENDBASER, INNER_CACHE, 5) | \
				 FIELD_DP(GICR_PENDBASER, SHAREABILITY, 1) | \
				 FIELD_DP(GICR_PENDBASER, OUTER_CACHE, 1))

#define BASER_KVM_INITIAL	(FIELD_DP(GICR_PROPBASER, INNER_CACHE, 3) | \
				 FIELD_DP(GICR_PROPBASER, SHAREABILITY, 1))

static void baser_registers(void **state)
{
	struct tvm *t = tvm_new(2, 0, 0);

	(void)state;
	/* KVM's reset values: without an ITS PROPBASER is 0; PENDBASER starts
	 * at Read-allocate Write-back (3), Inner Shareable (1), no table. */
	assert_int_equal(gicr_rd(t, 0, GICR_PROPBASER, 8), 0);
	assert_int_equal(gicr_rd(t, 0, GICR_PENDBASER, 8), BASER_KVM_INITIAL);
	assert_int_equal(gicr_rd(t, 1, GICR_PENDBASER, 8), BASER_KVM_INITIAL);
	/* RES0 bits are dropped. */
	gicr_wr(t, 0, GICR_PROPBASER, 8, PROPBASER_SAMPLE | GENMASK(63, 59) | GENMASK(55, 52) |
					 GENMASK(6, 5));
	assert_int_equal(gicr_rd(t, 0, GICR_PROPBASER, 8), PROPBASER_SAMPLE);
	/* PTZ is accepted and reads as 0; RES0 bits are dropped. */
	gicr_wr(t, 0, GICR_PENDBASER, 8, PENDBASER_SAMPLE | FIELD_DP(GICR_PENDBASER, PTZ, 1) |
					 BIT(63) | GENMASK(15, 12) | GENMASK(6, 0));
	assert_int_equal(gicr_rd(t, 0, GICR_PENDBASER, 8), PENDBASER_SAMPLE);
	/* 32-bit halves. */
	assert_int_equal(gicr_rd(t, 0, GICR_PROPBASER, 4), PROPBASER_SAMPLE & 0xffffffff);
	assert_int_equal(gicr_rd(t, 0, GICR_PROPBASER + 4, 4), PROPBASER_SAMPLE >> 32);
	gicr_wr(t, 0, GICR_PROPBASER + 4, 4, 0x12);
	assert_int_equal(gicr_rd(t, 0, GICR_PROPBASER, 8),
			 (PROPBASER_SAMPLE & 0xffffffff) | 0x12ULL << 32);
	gicr_wr(t, 0, GICR_PENDBASER, 4, 0x00010000 | (PENDBASER_SAMPLE & 0xffff));
	assert_int_equal(gicr_rd(t, 0, GICR_PENDBASER, 8),
			 (PENDBASER_SAMPLE & ~0xffffffffULL) | 0x00010000 | (PENDBASER_SAMPLE & 0xffff));
	/* Each redistributor has its own PENDBASER. */
	assert_int_equal(gicr_rd(t, 1, GICR_PENDBASER, 8), BASER_KVM_INITIAL);
	tvm_free(t);
}

/* KVM rewrites the memory attributes it cannot honour. */
static void baser_attributes_sanitised(void **state)
{
	struct tvm *t = tvm_new(1, 0, 0);
	uint64_t v;

	(void)state;
	/* Outer Shareable becomes Inner Shareable; Device/non-cacheable inner
	 * becomes Read-allocate Write-back; an outer policy other than
	 * SameAsInner or non-cacheable becomes SameAsInner. */
	gicr_wr(t, 0, GICR_PROPBASER, 8, FIELD_DP(GICR_PROPBASER, SHAREABILITY, 2) |
					 FIELD_DP(GICR_PROPBASER, INNER_CACHE, 1) |
					 FIELD_DP(GICR_PROPBASER, OUTER_CACHE, 7));
	v = gicr_rd(t, 0, GICR_PROPBASER, 8);
	assert_int_equal(FIELD_GET(GICR_PROPBASER, SHAREABILITY, v), 1);
	assert_int_equal(FIELD_GET(GICR_PROPBASER, INNER_CACHE, v), 3);
	assert_int_equal(FIELD_GET(GICR_PROPBASER, OUTER_CACHE, v), 0);
	gicr_wr(t, 0, GICR_PENDBASER, 8, FIELD_DP(GICR_PENDBASER, SHAREABILITY, 2) |
					 FIELD_DP(GICR_PENDBASER, INNER_CACHE, 0) |
					 FIELD_DP(GICR_PENDBASER, OUTER_CACHE, 1));
	v = gicr_rd(t, 0, GICR_PENDBASER, 8);
	assert_int_equal(FIELD_GET(GICR_PENDBASER, SHAREABILITY, v), 1);
	assert_int_equal(FIELD_GET(GICR_PENDBASER, INNER_CACHE, v), 3);
	assert_int_equal(FIELD_GET(GICR_PENDBASER, OUTER_CACHE, v), 1);
	tvm_free(t);
}

#define PROPBASER_IN_RAM	(T_RAM | 15 /* 16 ID bits */ | \
				 FIELD_DP(GICR_PROPBASER, INNER_CACHE, 7) | \
				 FIELD_DP(GICR_PROPBASER, SHAREABILITY, 1))
#define PENDBASER_IN_RAM	((T_RAM + 0x10000) | FIELD_DP(GICR_PENDBASER, INNER_CACHE, 7) | \
				 FIELD_DP(GICR_PENDBASER, SHAREABILITY, 1))
#define T_ITS			0x08080000ULL

/* A VM like tvm_new()'s, with an ITS (so with LPIs) and 256 KiB of RAM. */
static struct tvm *tvm_new_with_its(void)
{
	struct tvm *t = calloc(1, sizeof(*t));
	int its;

	assert_non_null(t);
	t->nr_vcpus = 1;
	t->ram_size = 0x40000;
	t->ram = calloc(1, t->ram_size);
	assert_non_null(t->ram);
	assert_int_equal(vgic_vm_create(1, 0, &t->vm), 0);
	its = vgic_its_create(t->vm);
	assert_true(its >= 0);
	assert_int_equal(vgic_its_set_addr(t->vm, its, T_ITS), 0);
	assert_int_equal(vgic_vm_set_addr(t->vm, VGIC_ADDR_TYPE_DIST, T_DIST), 0);
	assert_int_equal(vgic_vm_set_addr(t->vm, VGIC_ADDR_TYPE_REDIST, T_REDIST), 0);
	assert_int_equal(vgic_vm_add_ram(t->vm, T_RAM, t->ram_size, t->ram), 0);
	assert_int_equal(vgic_vm_init(t->vm), 0);
	return t;
}

/* With an ITS, PROPBASER starts at the same attributes as PENDBASER (KVM
 * sets it when the ITS is created). */
static void baser_reset_with_its(void **state)
{
	struct tvm *t = tvm_new_with_its();

	(void)state;
	assert_int_equal(gicr_rd(t, 0, GICR_PROPBASER, 8), BASER_KVM_INITIAL);
	assert_int_equal(gicr_rd(t, 0, GICR_PENDBASER, 8), BASER_KVM_INITIAL);
	tvm_free(t);
}

/* With an ITS: LPIs advertised, and the LPI tables frozen while LPIs are on. */
static void baser_frozen_while_lpis_enabled(void **state)
{
	struct tvm *t = tvm_new_with_its();
	uint32_t typer = dist_rd(t, GICD_TYPER);

	(void)state;
	assert_int_equal(FIELD_GET(GICD_TYPER, LPIS, typer), 1);
	assert_int_equal(FIELD_GET(GICD_TYPER, IDBITS, typer), 15);
	assert_int_equal(FIELD_GET(GICR_TYPER, PLPIS, typer64(t, 0)), 1);
	gicr_wr(t, 0, GICR_PROPBASER, 8, PROPBASER_IN_RAM);
	gicr_wr(t, 0, GICR_PENDBASER, 8, PENDBASER_IN_RAM);
	rdist_wr(t, 0, GICR_CTLR, FIELD_DP(GICR_CTLR, ENABLE_LPIS, 1));
	assert_int_equal(rdist_rd(t, 0, GICR_CTLR) & FIELD_MASK(GICR_CTLR, ENABLE_LPIS),
			 FIELD_MASK(GICR_CTLR, ENABLE_LPIS));
	gicr_wr(t, 0, GICR_PROPBASER, 8, 0);
	gicr_wr(t, 0, GICR_PENDBASER + 4, 4, 0);
	assert_int_equal(gicr_rd(t, 0, GICR_PROPBASER, 8), PROPBASER_IN_RAM);
	assert_int_equal(gicr_rd(t, 0, GICR_PENDBASER, 8), PENDBASER_IN_RAM);
	/* CES: LPIs can be turned off again, and then the tables move. */
	rdist_wr(t, 0, GICR_CTLR, 0);
	gicr_wr(t, 0, GICR_PROPBASER, 8, PROPBASER_SAMPLE);
	assert_int_equal(gicr_rd(t, 0, GICR_PROPBASER, 8), PROPBASER_SAMPLE);
	tvm_free(t);
}

static void sgi_base_reset_values(void **state)
{
	struct tvm *t = tvm_new(2, 0, 0);

	(void)state;
	for (unsigned int v = 0; v < 2; v++) {
		assert_int_equal(rdist_rd(t, v, GICR_IGROUPR0), 0xffffffff);
		/* KVM enables every SGI at reset; PPIs start disabled. */
		assert_int_equal(rdist_rd(t, v, GICR_ISENABLER0), 0x0000ffff);
		assert_int_equal(rdist_rd(t, v, GICR_ICENABLER0), 0x0000ffff);
		assert_int_equal(rdist_rd(t, v, GICR_ISPENDR0), 0);
		assert_int_equal(rdist_rd(t, v, GICR_ISACTIVER0), 0);
		for (uint32_t off = 0; off < 32; off += 4)
			assert_int_equal(rdist_rd(t, v, GICR_IPRIORITYR0 + off), 0);
		/* SGIs edge, PPIs level. */
		assert_int_equal(rdist_rd(t, v, GICR_ICFGR0), 0xaaaaaaaa);
		assert_int_equal(rdist_rd(t, v, GICR_ICFGR0 + 4), 0);
		assert_int_equal(rdist_rd(t, v, GICR_IGRPMODR0), 0);
		assert_int_equal(rdist_rd(t, v, GICR_NSACR), 0);
	}
	tvm_free(t);
}

static void sgi_base_registers(void **state)
{
	struct tvm *t = tvm_new(2, 0, 0);

	(void)state;
	rdist_wr(t, 1, GICR_IGROUPR0, 0x0000f0f0);
	assert_int_equal(rdist_rd(t, 1, GICR_IGROUPR0), 0x0000f0f0);
	assert_int_equal(rdist_rd(t, 0, GICR_IGROUPR0), 0xffffffff);
	rdist_wr(t, 1, GICR_ICENABLER0, 0xffffffff);
	assert_int_equal(rdist_rd(t, 1, GICR_ISENABLER0), 0);
	rdist_wr(t, 1, GICR_ISENABLER0, 0x00100002);
	assert_int_equal(rdist_rd(t, 1, GICR_ISENABLER0), 0x00100002);
	rdist_wr(t, 1, GICR_ISPENDR0, 0x00200004);
	assert_int_equal(rdist_rd(t, 1, GICR_ICPENDR0), 0x00200004);
	rdist_wr(t, 1, GICR_ICPENDR0, 0x00000004);
	assert_int_equal(rdist_rd(t, 1, GICR_ISPENDR0), 0x00200000);
	rdist_wr(t, 1, GICR_ISACTIVER0, 0x80000001);
	assert_int_equal(rdist_rd(t, 1, GICR_ICACTIVER0), 0x80000001);
	rdist_wr(t, 1, GICR_ICACTIVER0, 0x80000000);
	assert_int_equal(rdist_rd(t, 1, GICR_ISACTIVER0), 0x00000001);
	/* Priority: byte and word, five bits. */
	gicr_wr(t, 1, GICR_IPRIORITYR0 + 5, 1, 0x7f);
	assert_int_equal(gicr_rd(t, 1, GICR_IPRIORITYR0 + 5, 1), 0x78);
	gicr_wr(t, 1, GICR_IPRIORITYR0 + 28, 4, 0xffffffff);
	assert_int_equal(gicr_rd(t, 1, GICR_IPRIORITYR0 + 28, 4), 0xf8f8f8f8);
	assert_int_equal(gicr_rd(t, 1, GICR_IPRIORITYR0 + 4, 4), 0x7800);
	/* RAZ/WI ones. */
	rdist_wr(t, 1, GICR_IGRPMODR0, 0xffffffff);
	rdist_wr(t, 1, GICR_NSACR, 0xffffffff);
	assert_int_equal(rdist_rd(t, 1, GICR_IGRPMODR0), 0);
	assert_int_equal(rdist_rd(t, 1, GICR_NSACR), 0);
	/* Nothing leaked to the other vCPU. */
	assert_int_equal(rdist_rd(t, 0, GICR_ISPENDR0), 0);
	assert_int_equal(rdist_rd(t, 0, GICR_ISACTIVER0), 0);
	assert_int_equal(rdist_rd(t, 0, GICR_ISENABLER0), 0x0000ffff);
	tvm_free(t);
}

/*
 * SGIs are always edge-triggered.  PPIs' configuration is IMPLEMENTATION
 * DEFINED: KVM makes it read-only (level) because its timer relies on it, and
 * so do we.
 */
static void icfgr_private_read_only(void **state)
{
	struct tvm *t = tvm_new(1, 0, 0);

	(void)state;
	rdist_wr(t, 0, GICR_ICFGR0, 0);
	assert_int_equal(rdist_rd(t, 0, GICR_ICFGR0), 0xaaaaaaaa);
	rdist_wr(t, 0, GICR_ICFGR0 + 4, 0xaaaaaaaa);
	assert_int_equal(rdist_rd(t, 0, GICR_ICFGR0 + 4), 0);
	/* So a PPI line stays level-sensitive. */
	guest_enable(t);
	enable_irq(t, 0, 27);
	assert_int_equal(ppi_line(t, 0, 27, true), 0);
	assert_int_equal(ack(t, 0), 27);
	eoi(t, 0, 27);
	assert_int_equal(ack(t, 0), 27);
	assert_int_equal(ppi_line(t, 0, 27, false), 0);
	eoi(t, 0, 27);
	assert_int_equal(ack(t, 0), VGIC_INTID_SPURIOUS);
	tvm_free(t);
}

static void frame_layout(void **state)
{
	const unsigned int n = 5;
	struct tvm *t = tvm_new(n, 0, 0);
	uint64_t v;

	(void)state;
	/* vCPU k's RD_base at base + k * 128 KiB, its SGI_base 64 KiB above. */
	for (unsigned int k = 0; k < n; k++) {
		uint64_t rd = T_REDIST + k * 0x20000ULL;

		assert_int_equal(vgic_mmio_read(t->vm, 0, rd + GICR_TYPER, 8, &v), VGIC_MMIO_HANDLED);
		assert_int_equal(FIELD_GET(GICR_TYPER, PROCNUM, v), k);
		assert_int_equal(vgic_mmio_write(t->vm, 0, rd + 0x10000 + 0x200, 4, 1u << k),
				 VGIC_MMIO_HANDLED);
	}
	for (unsigned int k = 0; k < n; k++)
		assert_int_equal(rdist_rd(t, k, GICR_ISPENDR0), 1u << k);
	/* The region ends after the last SGI_base frame. */
	assert_int_equal(vgic_mmio_read(t->vm, 0, T_REDIST + n * 0x20000ULL, 4, &v),
			 VGIC_MMIO_NOT_MINE);
	/* Whichever vCPU performs the access, the address decides the frame. */
	assert_int_equal(vgic_mmio_read(t->vm, 3, gicr_base(1) + GICR_TYPER, 8, &v),
			 VGIC_MMIO_HANDLED);
	assert_int_equal(FIELD_GET(GICR_TYPER, PROCNUM, v), 1);
	tvm_free(t);
}

static void ppi_lines_per_vcpu(void **state)
{
	struct tvm *t = tvm_new(3, 0, 0);

	(void)state;
	guest_enable(t);
	for (unsigned int v = 0; v < 3; v++)
		enable_irq(t, v, 23);
	assert_int_equal(ppi_line(t, 1, 23, true), 0);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	assert_int_equal(vgic_vcpu_pending(t->vm, 1), VGIC_PENDING_IRQ);
	assert_int_equal(vgic_vcpu_pending(t->vm, 2), 0);
	assert_int_equal(rdist_rd(t, 1, GICR_ISPENDR0), 1u << 23);
	/* Lowering a level line before it is taken withdraws it. */
	assert_int_equal(ppi_line(t, 1, 23, false), 0);
	assert_int_equal(vgic_vcpu_pending(t->vm, 1), 0);
	assert_int_equal(rdist_rd(t, 1, GICR_ISPENDR0), 0);
	tvm_free(t);
}

/* The largest VM: every redistributor and every affinity is reachable. */
static void max_vcpus(void **state)
{
	struct tvm *t = tvm_new(VGIC_MAX_VCPUS, 0, 0);
	const unsigned int last = VGIC_MAX_VCPUS - 1;

	(void)state;
	check_typer(t, last);
	check_typer(t, last - 1);
	assert_int_equal(typer64(t, last) >> 32, 0x1f0f);
	guest_enable(t);
	/* SGI to vCPU 511: Aff1 = 31, Aff0 = 15. */
	icc_wr(t, 0, ICC_SGI1R_EL1, sgir(2, 31, 1u << 15));
	assert_int_equal(rdist_rd(t, last, GICR_ISPENDR0), 1u << 2);
	assert_int_equal(ack(t, last), 2);
	eoi(t, last, 2);
	/* IRM from the last vCPU reaches all 511 others. */
	icc_wr(t, last, ICC_SGI1R_EL1, sgir(3, 0, 0) | SGIR_IRM);
	for (unsigned int v = 0; v < VGIC_MAX_VCPUS; v++)
		assert_int_equal(rdist_rd(t, v, GICR_ISPENDR0), v == last ? 0 : 1u << 3);
	tvm_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(typer_per_vcpu),
		cmocka_unit_test(typer_affinity_values),
		cmocka_unit_test(id_ctlr_waker),
		cmocka_unit_test(baser_registers),
		cmocka_unit_test(baser_attributes_sanitised),
		cmocka_unit_test(baser_reset_with_its),
		cmocka_unit_test(baser_frozen_while_lpis_enabled),
		cmocka_unit_test(sgi_base_reset_values),
		cmocka_unit_test(sgi_base_registers),
		cmocka_unit_test(icfgr_private_read_only),
		cmocka_unit_test(frame_layout),
		cmocka_unit_test(ppi_lines_per_vcpu),
		cmocka_unit_test(max_vcpus),
	};

	return cmocka_run_group_tests_name("redist", tests, NULL, NULL);
}
