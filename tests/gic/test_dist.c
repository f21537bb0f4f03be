/* SPDX-License-Identifier: MIT */
/* The distributor (GICD_*) as KVM shows it to a GICv3 guest: reset values,
 * access rules and behaviour of every register. */
#include <errno.h>

#include "gic_test.h"

#define CTLR_RAO	(FIELD_DP(GICD_CTLR, ARE_NS, 1) | FIELD_DP(GICD_CTLR, DS, 1))
#define CTLR_G0		FIELD_DP(GICD_CTLR, ENABLE_G0, 1)
#define CTLR_G1		FIELD_DP(GICD_CTLR, ENABLE_G1A, 1)

static void ctlr_reset_and_rao(void **state)
{
	struct tvm *t = tvm_new(1, 0, 0);

	(void)state;
	/* Affinity routing and a single security state, both RAO/WI; disabled. */
	assert_int_equal(dist_rd(t, GICD_CTLR), CTLR_RAO);
	dist_wr(t, GICD_CTLR, 0);
	assert_int_equal(dist_rd(t, GICD_CTLR), CTLR_RAO);
	dist_wr(t, GICD_CTLR, CTLR_G1);
	assert_int_equal(dist_rd(t, GICD_CTLR), CTLR_RAO | CTLR_G1);
	/* KVM has one distributor enable (EnableGrp1); EnableGrp0 is RAZ/WI. */
	dist_wr(t, GICD_CTLR, CTLR_G0 | CTLR_G1);
	assert_int_equal(dist_rd(t, GICD_CTLR), CTLR_RAO | CTLR_G1);
	dist_wr(t, GICD_CTLR, CTLR_G0);
	assert_int_equal(dist_rd(t, GICD_CTLR), CTLR_RAO);
	/* RWP never reads set (writes take effect at once); other bits RES0. */
	dist_wr(t, GICD_CTLR, 0xffffffff);
	assert_int_equal(dist_rd(t, GICD_CTLR), CTLR_RAO | CTLR_G1);
	tvm_free(t);
}

/* The one enable gates both groups: Group 0 needs EnableGrp1 too (KVM). */
static void ctlr_enable_gates_both_groups(void **state)
{
	struct tvm *t = tvm_new(1, 0, 0);

	(void)state;
	guest_enable(t);
	icc_wr(t, 0, ICC_IGRPEN0_EL1, 1);
	dist_wr(t, IRQ_WORD(GICD_IGROUPR, 40), ~IRQ_BIT(40));
	enable_irq(t, 0, 40);
	enable_irq(t, 0, 41);
	spi_line(t, 40, true);
	spi_line(t, 41, true);
	dist_wr(t, GICD_CTLR, CTLR_G0);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	assert_int_equal(icc_rd(t, 0, ICC_IAR0_EL1), VGIC_INTID_SPURIOUS);
	unsigned int kicks = t->kicks[0];

	dist_wr(t, GICD_CTLR, CTLR_G1);
	assert_true(t->kicks[0] > kicks);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), VGIC_PENDING_FIQ);
	assert_int_equal(icc_rd(t, 0, ICC_IAR0_EL1), 40);
	icc_wr(t, 0, ICC_EOIR0_EL1, 40);
	assert_int_equal(ack(t, 0), 41);
	eoi(t, 0, 41);
	tvm_free(t);
}

static void typer_for_each_size(void **state)
{
	static const uint32_t sizes[] = { 64, 96, 256, 512, 992, 1024 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct tvm *t = tvm_new(3, sizes[i], 0);
		uint32_t v = dist_rd(t, GICD_TYPER);

		assert_int_equal(FIELD_GET(GICD_TYPER, ITLINES, v), sizes[i] / 32 - 1);
		/* Without an ITS: 10 interrupt ID bits, no LPIs. */
		assert_int_equal(FIELD_GET(GICD_TYPER, IDBITS, v), 9);
		assert_int_equal(FIELD_GET(GICD_TYPER, LPIS, v), 0);
		/* IRM is RAZ/WI, so 1-of-N is not supported. */
		assert_int_equal(FIELD_GET(GICD_TYPER, NO1N, v), 1);
		/* CPUNumber is RES0 with affinity routing; nothing else is set. */
		assert_int_equal(v & ~(FIELD_MASK(GICD_TYPER, ITLINES) |
				       FIELD_MASK(GICD_TYPER, IDBITS) |
				       FIELD_MASK(GICD_TYPER, NO1N)), 0);
		/* Read-only. */
		dist_wr(t, GICD_TYPER, 0);
		assert_int_equal(dist_rd(t, GICD_TYPER), v);
		tvm_free(t);
	}
}

static void id_registers(void **state)
{
	struct tvm *t = tvm_new(1, 0, 0);

	(void)state;
	assert_int_equal(dist_rd(t, GICD_IIDR), KVM_IIDR);
	assert_int_equal(dist_rd(t, GICD_TYPER2), 0);
	assert_int_equal(dist_rd(t, GICD_STATUSR), 0);
	assert_int_equal(dist_rd(t, GICD_PIDR2), GIC_PIDR2_GICV3);
	/* ArchRev (PIDR2[7:4]) says GICv3. */
	assert_int_equal((dist_rd(t, GICD_PIDR2) >> 4) & 0xf, 3);
	dist_wr(t, GICD_IIDR, 0);
	dist_wr(t, GICD_PIDR2, 0);
	dist_wr(t, GICD_TYPER2, 0xffffffff);
	assert_int_equal(dist_rd(t, GICD_IIDR), KVM_IIDR);
	assert_int_equal(dist_rd(t, GICD_PIDR2), GIC_PIDR2_GICV3);
	assert_int_equal(dist_rd(t, GICD_TYPER2), 0);
	tvm_free(t);
}

static void igroupr_reset_group1_and_writable(void **state)
{
	struct tvm *t = tvm_new(1, 256, 0);

	(void)state;
	/* The SGI/PPI word is RAZ/WI in the distributor. */
	assert_int_equal(dist_rd(t, GICD_IGROUPR), 0);
	dist_wr(t, GICD_IGROUPR, 0xffffffff);
	assert_int_equal(dist_rd(t, GICD_IGROUPR), 0);
	for (uint32_t w = 1; w < 8; w++)
		assert_int_equal(dist_rd(t, GICD_IGROUPR + 4 * w), 0xffffffff);
	dist_wr(t, GICD_IGROUPR + 4, 0xa5a5a5a5);
	assert_int_equal(dist_rd(t, GICD_IGROUPR + 4), 0xa5a5a5a5);
	assert_int_equal(dist_rd(t, GICD_IGROUPR + 8), 0xffffffff);
	dist_wr(t, GICD_IGROUPR + 4, 0);
	assert_int_equal(dist_rd(t, GICD_IGROUPR + 4), 0);
	tvm_free(t);
}

/* A set/clear register pair: the set view and the clear view both read the state. */
static void check_set_clear(struct tvm *t, uint32_t set, uint32_t clr, uint32_t intid)
{
	uint32_t w_set = IRQ_WORD(set, intid), w_clr = IRQ_WORD(clr, intid);

	assert_int_equal(dist_rd(t, w_set) & IRQ_BIT(intid), 0);
	dist_wr(t, w_set, IRQ_BIT(intid));
	assert_int_equal(dist_rd(t, w_set) & IRQ_BIT(intid), IRQ_BIT(intid));
	assert_int_equal(dist_rd(t, w_clr) & IRQ_BIT(intid), IRQ_BIT(intid));
	/* Zero bits change nothing. */
	dist_wr(t, w_set, 0);
	dist_wr(t, w_clr, 0);
	assert_int_equal(dist_rd(t, w_set) & IRQ_BIT(intid), IRQ_BIT(intid));
	dist_wr(t, w_clr, IRQ_BIT(intid));
	assert_int_equal(dist_rd(t, w_set) & IRQ_BIT(intid), 0);
	assert_int_equal(dist_rd(t, w_clr) & IRQ_BIT(intid), 0);
}

static void enable_pending_active_pairs(void **state)
{
	struct tvm *t = tvm_new(2, 256, 0);

	(void)state;
	for (uint32_t w = 1; w < 8; w++) {
		assert_int_equal(dist_rd(t, GICD_ISENABLER + 4 * w), 0);
		assert_int_equal(dist_rd(t, GICD_ISPENDR + 4 * w), 0);
		assert_int_equal(dist_rd(t, GICD_ISACTIVER + 4 * w), 0);
	}
	check_set_clear(t, GICD_ISENABLER, GICD_ICENABLER, 40);
	check_set_clear(t, GICD_ISPENDR, GICD_ICPENDR, 41);
	check_set_clear(t, GICD_ISACTIVER, GICD_ICACTIVER, 255);
	/* Private words are RAZ/WI here: SGIs and PPIs live in the redistributors. */
	dist_wr(t, GICD_ISENABLER, 0xffffffff);
	dist_wr(t, GICD_ISPENDR, 0xffffffff);
	dist_wr(t, GICD_ISACTIVER, 0xffffffff);
	assert_int_equal(dist_rd(t, GICD_ISENABLER), 0);
	assert_int_equal(dist_rd(t, GICD_ISPENDR), 0);
	assert_int_equal(dist_rd(t, GICD_ISACTIVER), 0);
	assert_int_equal(rdist_rd(t, 0, GICR_ISPENDR0), 0);
	assert_int_equal(rdist_rd(t, 0, GICR_ISACTIVER0), 0);
	tvm_free(t);
}

static void ispendr_drives_delivery(void **state)
{
	struct tvm *t = tvm_new(1, 0, 0);

	(void)state;
	guest_enable(t);
	enable_irq(t, 0, 50);
	dist_wr(t, IRQ_WORD(GICD_ISPENDR, 50), IRQ_BIT(50));
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), VGIC_PENDING_IRQ);
	dist_wr(t, IRQ_WORD(GICD_ICPENDR, 50), IRQ_BIT(50));
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	assert_int_equal(ack(t, 0), VGIC_INTID_SPURIOUS);
	/* Pending but disabled: visible in ISPENDR, not signalled. */
	dist_wr(t, IRQ_WORD(GICD_ICENABLER, 50), IRQ_BIT(50));
	dist_wr(t, IRQ_WORD(GICD_ISPENDR, 50), IRQ_BIT(50));
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	enable_irq(t, 0, 50);
	assert_int_equal(ack(t, 0), 50);
	/* Clearing the active state by ICACTIVER deactivates it. */
	dist_wr(t, IRQ_WORD(GICD_ICACTIVER, 50), IRQ_BIT(50));
	assert_int_equal(dist_rd(t, IRQ_WORD(GICD_ISACTIVER, 50)) & IRQ_BIT(50), 0);
	/* ICPENDR does not lower a level line that is still high. */
	dist_wr(t, GICD_ICFGR + 4 * (50 / 16), 0);
	assert_int_equal(spi_line(t, 50, true), 0);
	dist_wr(t, IRQ_WORD(GICD_ICPENDR, 50), IRQ_BIT(50));
	assert_int_equal(dist_rd(t, IRQ_WORD(GICD_ISPENDR, 50)) & IRQ_BIT(50), IRQ_BIT(50));
	assert_int_equal(spi_line(t, 50, false), 0);
	assert_int_equal(dist_rd(t, IRQ_WORD(GICD_ISPENDR, 50)) & IRQ_BIT(50), 0);
	tvm_free(t);
}

static void priority_bytes_words_and_bits(void **state)
{
	struct tvm *t = tvm_new(1, 256, 0);

	(void)state;
	for (uint32_t off = 32; off < 256; off += 4)
		assert_int_equal(dist_rd(t, GICD_IPRIORITYR + off), 0);
	/* Five implemented bits: the low three read as zero. */
	gicd_wr(t, GICD_IPRIORITYR + 40, 1, 0xff);
	assert_int_equal(gicd_rd(t, GICD_IPRIORITYR + 40, 1), 0xf8);
	dist_wr(t, GICD_IPRIORITYR + 44, 0x12345678);
	assert_int_equal(dist_rd(t, GICD_IPRIORITYR + 44), 0x10305078);
	assert_int_equal(gicd_rd(t, GICD_IPRIORITYR + 44, 1), 0x78);
	assert_int_equal(gicd_rd(t, GICD_IPRIORITYR + 45, 1), 0x50);
	assert_int_equal(gicd_rd(t, GICD_IPRIORITYR + 46, 1), 0x30);
	assert_int_equal(gicd_rd(t, GICD_IPRIORITYR + 47, 1), 0x10);
	/* A byte write touches one interrupt only. */
	gicd_wr(t, GICD_IPRIORITYR + 45, 1, 0x88);
	assert_int_equal(dist_rd(t, GICD_IPRIORITYR + 44), 0x10308878);
	assert_int_equal(dist_rd(t, GICD_IPRIORITYR + 40), 0xf8);
	/* The private bytes are RAZ/WI in the distributor. */
	dist_wr(t, GICD_IPRIORITYR + 16, 0xffffffff);
	gicd_wr(t, GICD_IPRIORITYR + 3, 1, 0xff);
	assert_int_equal(dist_rd(t, GICD_IPRIORITYR + 16), 0);
	assert_int_equal(gicd_rd(t, GICD_IPRIORITYR + 3, 1), 0);
	assert_int_equal(gicr_rd(t, 0, GICR_IPRIORITYR0 + 16, 4), 0);
	tvm_free(t);
}

static void icfgr_spis_reset_edge(void **state)
{
	struct tvm *t = tvm_new(1, 128, 0);

	(void)state;
	/* SGI and PPI words are RAZ/WI here. */
	assert_int_equal(dist_rd(t, GICD_ICFGR), 0);
	assert_int_equal(dist_rd(t, GICD_ICFGR + 4), 0);
	dist_wr(t, GICD_ICFGR + 4, 0xffffffff);
	assert_int_equal(dist_rd(t, GICD_ICFGR + 4), 0);
	for (uint32_t w = 2; w < 8; w++)
		assert_int_equal(dist_rd(t, GICD_ICFGR + 4 * w), 0xaaaaaaaa);
	/* Only the edge bit of each field exists. */
	dist_wr(t, GICD_ICFGR + 8, 0xffffffff);
	assert_int_equal(dist_rd(t, GICD_ICFGR + 8), 0xaaaaaaaa);
	dist_wr(t, GICD_ICFGR + 8, 0x0000000a);
	assert_int_equal(dist_rd(t, GICD_ICFGR + 8), 0x0000000a);
	/* SPIs past nr_irqs (128) do not exist. */
	assert_int_equal(dist_rd(t, GICD_ICFGR + 4 * 8), 0);
	tvm_free(t);
}

static void raz_wi_arrays(void **state)
{
	struct tvm *t = tvm_new(2, 256, 0);

	(void)state;
	for (uint32_t w = 0; w < 8; w++) {
		dist_wr(t, GICD_IGRPMODR + 4 * w, 0xffffffff);
		assert_int_equal(dist_rd(t, GICD_IGRPMODR + 4 * w), 0);
	}
	for (uint32_t w = 0; w < 16; w++) {
		dist_wr(t, GICD_NSACR + 4 * w, 0xffffffff);
		assert_int_equal(dist_rd(t, GICD_NSACR + 4 * w), 0);
	}
	/* ITARGETSR is RES0 with affinity routing, at both widths. */
	for (uint32_t off = 0; off < 256; off += 4) {
		dist_wr(t, GICD_ITARGETSR + off, 0xffffffff);
		assert_int_equal(dist_rd(t, GICD_ITARGETSR + off), 0);
	}
	gicd_wr(t, GICD_ITARGETSR + 41, 1, 0x2);
	assert_int_equal(gicd_rd(t, GICD_ITARGETSR + 41, 1), 0);
	/* GICD_SGIR, CPENDSGIR, SPENDSGIR: no effect with affinity routing. */
	guest_enable(t);
	dist_wr(t, GICD_SGIR, 0x00ff0001);
	assert_int_equal(dist_rd(t, GICD_SGIR), 0);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	assert_int_equal(vgic_vcpu_pending(t->vm, 1), 0);
	assert_int_equal(tvm_stats(t).mmio_bad_access, 0);
	tvm_free(t);
}

#define IROUTER(intid)	(GICD_IROUTER + 8 * (intid))

static void irouter_widths_and_fields(void **state)
{
	struct tvm *t = tvm_new(20, 256, 0);
	uint64_t mpidr17 = vgic_vcpu_mpidr(t->vm, 17);

	(void)state;
	assert_int_equal(mpidr17, 0x101);
	for (uint32_t i = 32; i < 256; i++)
		assert_int_equal(gicd_rd(t, IROUTER(i), 8), 0);
	/* 64-bit access. */
	gicd_wr(t, IROUTER(40), 8, mpidr17);
	assert_int_equal(gicd_rd(t, IROUTER(40), 8), mpidr17);
	assert_int_equal(gicd_rd(t, IROUTER(40), 4), mpidr17);
	assert_int_equal(gicd_rd(t, IROUTER(40) + 4, 4), 0);
	/* 32-bit low half: Aff2.Aff1.Aff0; IRM (bit 31) is RAZ/WI. */
	gicd_wr(t, IROUTER(41), 4, 0x80000102);
	assert_int_equal(gicd_rd(t, IROUTER(41), 8), 0x102);
	gicd_wr(t, IROUTER(41), 8, FIELD_DP(GICD_IROUTER, IRM, 1) | 0x3);
	assert_int_equal(gicd_rd(t, IROUTER(41), 8), 0x3);
	/* Upper half (Aff3): KVM implements no Aff3 and makes it WI, so a write
	 * there neither reads back nor changes the route. */
	gicd_wr(t, IROUTER(41) + 4, 4, 0x5);
	assert_int_equal(gicd_rd(t, IROUTER(41) + 4, 4), 0);
	assert_int_equal(gicd_rd(t, IROUTER(41), 8), 0x3);
	gicd_wr(t, IROUTER(42), 8, 0x0000000700000001ULL);
	assert_int_equal(gicd_rd(t, IROUTER(42), 8), 0x1);
	/* The route of an SPI below 32 does not exist. */
	gicd_wr(t, IROUTER(20), 8, 1);
	assert_int_equal(gicd_rd(t, IROUTER(20), 8), 0);
	/* The route is used: SPI 40 goes to vCPU 17, SPI 42 to vCPU 1. */
	guest_enable(t);
	enable_irq(t, 0, 40);
	enable_irq(t, 0, 42);
	spi_line(t, 40, true);
	spi_line(t, 42, true);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	assert_int_equal(ack(t, 17), 40);
	assert_int_equal(ack(t, 1), 42);
	tvm_free(t);
}

static void irouter_moves_pending_spi(void **state)
{
	struct tvm *t = tvm_new(4, 0, 0);

	(void)state;
	guest_enable(t);
	enable_irq(t, 0, 60);
	spi_line(t, 60, true);
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), VGIC_PENDING_IRQ);
	unsigned int kicks = t->kicks[2];

	gicd_wr(t, IROUTER(60), 8, vgic_vcpu_mpidr(t->vm, 2));
	assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
	assert_int_equal(vgic_vcpu_pending(t->vm, 2), VGIC_PENDING_IRQ);
	assert_true(t->kicks[2] > kicks);
	assert_int_equal(ack(t, 0), VGIC_INTID_SPURIOUS);
	assert_int_equal(ack(t, 2), 60);
	/* An active SPI stays with the vCPU that took it; a new edge goes to the
	 * new route only once the old activation is over. */
	gicd_wr(t, IROUTER(60), 8, vgic_vcpu_mpidr(t->vm, 3));
	spi_line(t, 60, true);
	assert_int_equal(vgic_vcpu_pending(t->vm, 3), 0);
	assert_int_equal(vgic_vcpu_pending(t->vm, 2), 0);
	eoi(t, 2, 60);
	assert_int_equal(vgic_vcpu_pending(t->vm, 2), 0);
	assert_int_equal(ack(t, 3), 60);
	eoi(t, 3, 60);
	tvm_free(t);
}

static void irouter_to_missing_vcpu_holds_spi(void **state)
{
	struct tvm *t = tvm_new(2, 0, 0);

	(void)state;
	guest_enable(t);
	enable_irq(t, 0, 70);
	/* vCPU 5 does not exist; neither does Aff0 = 0x20 or Aff2 = 1. */
	static const uint64_t nowhere[] = { 0x5, 0x20, 0x10000 };

	for (size_t i = 0; i < ARRAY_SIZE(nowhere); i++) {
		gicd_wr(t, IROUTER(70), 8, nowhere[i]);
		assert_int_equal(gicd_rd(t, IROUTER(70), 8), nowhere[i]);
		spi_line(t, 70, true);
		assert_int_equal(vgic_vcpu_pending(t->vm, 0), 0);
		assert_int_equal(vgic_vcpu_pending(t->vm, 1), 0);
		/* Still pending in the distributor: not lost. */
		assert_int_equal(dist_rd(t, IRQ_WORD(GICD_ISPENDR, 70)) & IRQ_BIT(70), IRQ_BIT(70));
		gicd_wr(t, IROUTER(70), 8, vgic_vcpu_mpidr(t->vm, 1));
		assert_int_equal(vgic_vcpu_pending(t->vm, 1), VGIC_PENDING_IRQ);
		assert_int_equal(ack(t, 1), 70);
		eoi(t, 1, 70);
	}
	tvm_free(t);
}

static void spis_past_nr_irqs_raz_wi(void **state)
{
	struct tvm *t = tvm_new(1, 64, 0);

	(void)state;
	/* SPIs 32..63 exist, 64.. do not. */
	dist_wr(t, IRQ_WORD(GICD_ISENABLER, 64), 0xffffffff);
	dist_wr(t, IRQ_WORD(GICD_ISPENDR, 64), 0xffffffff);
	dist_wr(t, IRQ_WORD(GICD_ISACTIVER, 64), 0xffffffff);
	dist_wr(t, IRQ_WORD(GICD_IGROUPR, 64), 0);
	dist_wr(t, GICD_IPRIORITYR + 64, 0xffffffff);
	gicd_wr(t, IROUTER(64), 8, 1);
	assert_int_equal(dist_rd(t, IRQ_WORD(GICD_ISENABLER, 64)), 0);
	assert_int_equal(dist_rd(t, IRQ_WORD(GICD_ISPENDR, 64)), 0);
	assert_int_equal(dist_rd(t, IRQ_WORD(GICD_ISACTIVER, 64)), 0);
	assert_int_equal(dist_rd(t, IRQ_WORD(GICD_IGROUPR, 64)), 0);
	assert_int_equal(dist_rd(t, GICD_IPRIORITYR + 64), 0);
	assert_int_equal(gicd_rd(t, IROUTER(64), 8), 0);
	assert_int_equal(gicd_rd(t, IROUTER(1019), 8), 0);
	assert_int_equal(dist_rd(t, IRQ_WORD(GICD_ISENABLER, 1019)), 0);
	/* The last real SPI is still fine. */
	dist_wr(t, IRQ_WORD(GICD_ISENABLER, 63), IRQ_BIT(63));
	assert_int_equal(dist_rd(t, IRQ_WORD(GICD_ISENABLER, 63)), IRQ_BIT(63));
	assert_int_equal(spi_line(t, 64, true), -EINVAL);
	tvm_free(t);
}

/* KVM_IRQ_LINE repeats: a level line already at that level, or an edge input
 * going low, changes nothing and kicks no one (KVM's vgic_validate_injection). */
static void line_repeats_are_noops(void **state)
{
	struct tvm *t = tvm_new(1, 0, 0);
	uint64_t injected;
	unsigned int kicks;

	(void)state;
	guest_enable(t);
	dist_wr(t, GICD_ICFGR + 4 * (50 / 16), 0);	/* 48..63 level */
	enable_irq(t, 0, 50);
	enable_irq(t, 0, 40);
	assert_int_equal(spi_line(t, 50, true), 0);
	injected = tvm_stats(t).irqs_injected;
	kicks = t->kicks[0];
	assert_int_equal(spi_line(t, 50, true), 0);
	assert_int_equal(spi_line(t, 40, false), 0);
	assert_int_equal(tvm_stats(t).irqs_injected, injected);
	assert_int_equal(t->kicks[0], kicks);
	/* Each edge raise counts, even while already pending. */
	assert_int_equal(spi_line(t, 40, true), 0);
	assert_int_equal(spi_line(t, 40, true), 0);
	assert_int_equal(tvm_stats(t).irqs_injected, injected + 2);
	assert_int_equal(ack(t, 0), 40);
	assert_int_equal(ack(t, 0), VGIC_INTID_SPURIOUS);
	tvm_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ctlr_reset_and_rao),
		cmocka_unit_test(ctlr_enable_gates_both_groups),
		cmocka_unit_test(typer_for_each_size),
		cmocka_unit_test(id_registers),
		cmocka_unit_test(igroupr_reset_group1_and_writable),
		cmocka_unit_test(enable_pending_active_pairs),
		cmocka_unit_test(ispendr_drives_delivery),
		cmocka_unit_test(priority_bytes_words_and_bits),
		cmocka_unit_test(icfgr_spis_reset_edge),
		cmocka_unit_test(raz_wi_arrays),
		cmocka_unit_test(irouter_widths_and_fields),
		cmocka_unit_test(irouter_moves_pending_spi),
		cmocka_unit_test(irouter_to_missing_vcpu_holds_spi),
		cmocka_unit_test(spis_past_nr_irqs_raz_wi),
		cmocka_unit_test(line_repeats_are_noops),
	};

	return cmocka_run_group_tests_name("dist", tests, NULL, NULL);
}
