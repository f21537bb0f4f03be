/* SPDX-License-Identifier: MIT */
/* Hostile guests and callers: every bad access gets its defined result, is
 * counted where the API says so, and leaves the GIC working. */
#include <errno.h>
#include <stdlib.h>

#include "gic_test.h"

static uint64_t bad_count(struct tvm *t)
{
	return tvm_stats(t).mmio_bad_access;
}

/* A guest access the library must claim, read 0 (or ignore) and count. */
static void expect_bad(struct tvm *t, uint64_t gpa, unsigned int len)
{
	uint64_t before = bad_count(t), v = 0x1234;

	assert_int_equal(vgic_mmio_read(t->vm, 0, gpa, len, &v), VGIC_MMIO_HANDLED);
	assert_int_equal(v, 0);
	assert_int_equal(vgic_mmio_write(t->vm, 0, gpa, len, ~0ULL), VGIC_MMIO_HANDLED);
	assert_int_equal(bad_count(t), before + 2);
}

static void expect_not_mine(struct tvm *t, uint64_t gpa, unsigned int len)
{
	uint64_t v = 0x1234;

	assert_int_equal(vgic_mmio_read(t->vm, 0, gpa, len, &v), VGIC_MMIO_NOT_MINE);
	assert_int_equal(vgic_mmio_write(t->vm, 0, gpa, len, ~0ULL), VGIC_MMIO_NOT_MINE);
}

/* The registers a bad write might have hit still hold their reset values. */
static void expect_untouched(struct tvm *t)
{
	assert_int_equal(dist_rd(t, GICD_CTLR), 0x50);
	for (uint32_t w = 1; w < 8; w++) {
		assert_int_equal(dist_rd(t, GICD_ISENABLER + 4 * w), 0);
		assert_int_equal(dist_rd(t, GICD_ISPENDR + 4 * w), 0);
		assert_int_equal(dist_rd(t, GICD_IGROUPR + 4 * w), 0xffffffff);
		assert_int_equal(dist_rd(t, GICD_IPRIORITYR + 4 * w), 0);
	}
	assert_int_equal(gicd_rd(t, GICD_IROUTER + 8 * 32, 8), 0);
	assert_int_equal(rdist_rd(t, 0, GICR_ISENABLER0), 0xffff);
	assert_int_equal(rdist_rd(t, 0, GICR_ISPENDR0), 0);
	assert_int_equal(gicr_rd(t, 0, GICR_PROPBASER, 8), 0);
}

static void unaligned_accesses(void **state)
{
	struct tvm *t = tvm_new(2, 0, 0);

	(void)state;
	expect_bad(t, T_DIST + GICD_CTLR + 1, 4);
	expect_bad(t, T_DIST + GICD_CTLR + 2, 4);
	expect_bad(t, T_DIST + GICD_ISENABLER + 6, 4);
	expect_bad(t, T_DIST + GICD_IPRIORITYR + 33, 4);
	expect_bad(t, T_DIST + GICD_IROUTER + 8 * 32 + 4, 8);
	expect_bad(t, T_DIST + GICD_IROUTER + 8 * 32 + 2, 4);
	expect_bad(t, gicr_base(0) + GICR_TYPER + 4, 8);
	expect_bad(t, gicr_base(1) + GICR_PROPBASER + 1, 8);
	expect_bad(t, gicr_base(1) + GICR_ISENABLER0 + 1, 4);
	expect_untouched(t);
	tvm_free(t);
}

static void wrong_widths(void **state)
{
	struct tvm *t = tvm_new(2, 0, 0);
	uint64_t v;

	(void)state;
	/* Byte, halfword and doubleword where only words are allowed. */
	static const uint32_t word_only[] = { GICD_CTLR, GICD_TYPER, GICD_IIDR, GICD_IGROUPR + 4,
					      GICD_ISENABLER + 4, GICD_ISPENDR + 4,
					      GICD_ICFGR + 8, GICD_PIDR2 };

	for (size_t i = 0; i < ARRAY_SIZE(word_only); i++) {
		expect_bad(t, T_DIST + word_only[i], 1);
		expect_bad(t, T_DIST + word_only[i], 2);
		expect_bad(t, T_DIST + (word_only[i] & ~7u), 8);
	}
	/* Halfwords are legal nowhere; IPRIORITYR takes bytes and words only. */
	expect_bad(t, T_DIST + GICD_IPRIORITYR + 32, 2);
	expect_bad(t, T_DIST + GICD_IPRIORITYR + 32, 8);
	expect_bad(t, T_DIST + GICD_IROUTER + 8 * 40, 1);
	expect_bad(t, T_DIST + GICD_IROUTER + 8 * 40, 2);
	expect_bad(t, gicr_base(0) + GICR_CTLR, 8);
	expect_bad(t, gicr_base(0) + GICR_TYPER, 2);
	expect_bad(t, gicr_base(0) + GICR_WAKER, 1);
	expect_bad(t, gicr_base(1) + GICR_ICFGR0, 1);
	expect_bad(t, gicr_base(1) + GICR_ISENABLER0, 8);
	/* Sizes no bus can carry are the caller's error. */
	static const unsigned int lens[] = { 0, 3, 5, 16, 0xffffffffu };

	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		assert_int_equal(vgic_mmio_read(t->vm, 0, T_DIST, lens[i], &v), -EINVAL);
		assert_int_equal(vgic_mmio_write(t->vm, 0, T_DIST, lens[i], 0), -EINVAL);
	}
	expect_untouched(t);
	tvm_free(t);
}

static void holes_and_frame_edges(void **state)
{
	const unsigned int n = 3;
	struct tvm *t = tvm_new(n, 0, 0);
	uint64_t end = T_REDIST + n * VGIC_REDIST_SIZE;

	(void)state;
	/* Reserved offsets inside the frames: claimed, read 0, counted. */
	static const uint32_t dist_holes[] = { 0x0014, 0x0020, 0x003c, 0x0050, 0x007c, 0x0f30,
					       0x5ffc, 0x8000, 0xc000, 0xffcc };

	for (size_t i = 0; i < ARRAY_SIZE(dist_holes); i++)
		expect_bad(t, T_DIST + dist_holes[i], 4);
	static const uint32_t rdist_holes[] = { 0x0018, 0x0020, 0x003c, 0x0050, 0x0080, 0x00c8,
						0x8000, 0xffcc, 0x10000, 0x1007c, 0x10e04,
						0x18000, 0x1fffc };

	for (size_t i = 0; i < ARRAY_SIZE(rdist_holes); i++)
		for (unsigned int v = 0; v < n; v++)
			expect_bad(t, gicr_base(v) + rdist_holes[i], 4);
	/* The ID registers close each frame and are legal. */
	assert_int_equal(gicd_rd(t, 0xfffc, 4), 0);
	assert_int_equal(gicr_rd(t, n - 1, 0xfffc, 4), 0);
	/* The very end of the redistributor region, and just past it. */
	expect_bad(t, end - 4, 4);
	expect_bad(t, end - 8, 8);
	expect_not_mine(t, end - 2, 4);
	expect_not_mine(t, end - 4, 8);
	expect_not_mine(t, end, 4);
	expect_not_mine(t, T_REDIST - 4, 4);
	expect_not_mine(t, T_REDIST - 4, 8);
	/* Past the distributor's 64 KiB, and an access that straddles its end. */
	expect_not_mine(t, T_DIST + VGIC_DIST_SIZE, 4);
	expect_not_mine(t, T_DIST + VGIC_DIST_SIZE - 4, 8);
	expect_not_mine(t, T_DIST - 1, 2);
	/* Addresses at the top of the address space (ranges that would wrap). */
	expect_not_mine(t, UINT64_MAX, 1);
	expect_not_mine(t, UINT64_MAX - 3, 4);
	expect_not_mine(t, UINT64_MAX - 3, 8);
	expect_not_mine(t, UINT64_MAX - 7, 8);
	expect_not_mine(t, 0, 8);
	expect_untouched(t);
	tvm_free(t);
}

static void bad_vcpu_indices(void **state)
{
	struct tvm *t = tvm_new(2, 0, 0);
	static const unsigned int bad[] = { 2, 3, 255, 256, VGIC_MAX_VCPUS, 0x80000000u, ~0u };
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(vgic_mmio_read(t->vm, bad[i], T_DIST, 4, &v), -EINVAL);
		assert_int_equal(vgic_mmio_write(t->vm, bad[i], T_DIST, 4, 0), -EINVAL);
		assert_int_equal(vgic_sysreg_read(t->vm, bad[i], ICC_IAR1_EL1, &v), -EINVAL);
		assert_int_equal(vgic_sysreg_write(t->vm, bad[i], ICC_SGI1R_EL1, SGIR_IRM), -EINVAL);
		assert_int_equal(vgic_vcpu_pending(t->vm, bad[i]), -EINVAL);
		assert_int_equal(vgic_vcpu_set_kick(t->vm, bad[i], NULL, NULL), -EINVAL);
		if (bad[i] < 0x10000)
			assert_int_equal(ppi_line(t, bad[i], 20, true), -EINVAL);
	}
	/* Nothing was raised by any of them. */
	for (unsigned int i = 0; i < 2; i++)
		assert_int_equal(rdist_rd(t, i, GICR_ISPENDR0), 0);
	tvm_free(t);
}

static void calls_before_init(void **state)
{
	struct vgic_vm *vm;
	struct vgic_stats st;
	uint64_t v = 7;

	(void)state;
	assert_int_equal(vgic_vm_create(2, 0, &vm), 0);
	assert_int_equal(vgic_vm_initialized(vm), 0);
	assert_int_equal(vgic_mmio_write(vm, 0, T_DIST, 4, 3), VGIC_MMIO_NOT_MINE);
	assert_int_equal(vgic_mmio_read(vm, 1, T_REDIST, 8, &v), VGIC_MMIO_NOT_MINE);
	assert_int_equal(vgic_mmio_read(vm, 2, T_REDIST, 8, &v), -EINVAL);
	assert_int_equal(vgic_sysreg_write(vm, 0, ICC_PMR_EL1, 0xff), -EBUSY);
	assert_int_equal(vgic_sysreg_write(vm, 0, ICC_SGI1R_EL1, SGIR_IRM), -EBUSY);
	assert_int_equal(vgic_irq_line(vm, vgic_irq_line_word(VGIC_IRQ_TYPE_PPI, 1, 20), true),
			 -EBUSY);
	assert_int_equal(vgic_vcpu_set_kick(vm, 1, NULL, NULL), 0);
	assert_int_equal(vgic_vm_get_stats(vm, &st), 0);
	assert_int_equal(st.mmio_bad_access, 0);
	/* Init without addresses fails and leaves the VM usable. */
	assert_int_equal(vgic_vm_init(vm), -ENXIO);
	assert_int_equal(vgic_vm_set_addr(vm, VGIC_ADDR_TYPE_DIST, T_DIST), 0);
	assert_int_equal(vgic_vm_init(vm), -ENXIO);
	assert_int_equal(vgic_vm_set_addr(vm, VGIC_ADDR_TYPE_REDIST, T_REDIST), 0);
	assert_int_equal(vgic_vm_init(vm), 0);
	assert_int_equal(vgic_mmio_read(vm, 0, T_DIST + GICD_CTLR, 4, &v), VGIC_MMIO_HANDLED);
	assert_int_equal(v, 0x50);
	vgic_vm_destroy(vm);
	/* Destroying a VM that was never initialised is fine too. */
	assert_int_equal(vgic_vm_create(1, 0, &vm), 0);
	vgic_vm_destroy(vm);
}

static void calls_after_destroy(void **state)
{
	struct tvm *t = tvm_new(2, 0, 0);
	struct vgic_vm *vm = t->vm;
	struct vgic_stats st;
	uint32_t n;
	uint64_t v;

	(void)state;
	vgic_vm_destroy(vm);
	t->vm = NULL;
	assert_int_equal(vgic_vm_initialized(vm), -ENODEV);
	assert_int_equal(vgic_vm_set_nr_irqs(vm, 128), -ENODEV);
	assert_int_equal(vgic_vm_get_nr_irqs(vm, &n), -ENODEV);
	assert_int_equal(vgic_vm_set_addr(vm, VGIC_ADDR_TYPE_DIST, 0x1000000), -ENODEV);
	assert_int_equal(vgic_vm_get_addr(vm, VGIC_ADDR_TYPE_DIST, &v), -ENODEV);
	assert_int_equal(vgic_vm_check_extension(vm, VGIC_CAP_IRQCHIP), 0);
	assert_int_equal(vgic_vm_nr_vcpus(vm), 0);
	assert_int_equal(vgic_vcpu_set_kick(vm, 0, NULL, NULL), -ENODEV);
	assert_int_equal(vgic_mmio_write(vm, 0, T_DIST, 4, 3), -ENODEV);
	assert_int_equal(vgic_sysreg_write(vm, 1, ICC_SGI1R_EL1, SGIR_IRM), -ENODEV);
	assert_int_equal(vgic_vcpu_pending(vm, 1), -ENODEV);
	assert_int_equal(vgic_vm_get_stats(vm, &st), -ENODEV);
	/* NULL handles get the same answer. */
	assert_int_equal(vgic_vm_get_stats(NULL, &st), -ENODEV);
	assert_int_equal(vgic_mmio_read(NULL, 0, T_DIST, 4, &v), -ENODEV);
	assert_int_equal(vgic_sysreg_read(NULL, 0, ICC_IAR1_EL1, &v), -ENODEV);
	assert_int_equal(vgic_vcpu_pending(NULL, 0), -ENODEV);
	assert_int_equal(vgic_vm_init(NULL), -ENODEV);
	vgic_vm_destroy(NULL);
	tvm_free(t);
}

/* A kick callback may call back into the library (it holds no lock of ours). */
struct reentrant {
	struct vgic_vm *vm;
	int seen[2];
};

static void reentrant_kick(void *opaque, unsigned int vcpu)
{
	struct reentrant *r = opaque;
	uint64_t v;

	r->seen[vcpu] |= vgic_vcpu_pending(r->vm, vcpu);
	/* Even a register read of the same vCPU. */
	assert_int_equal(vgic_sysreg_read(r->vm, vcpu, ICC_HPPIR1_EL1, &v), 0);
}

static void kick_may_reenter(void **state)
{
	struct tvm *t = tvm_new(2, 0, 0);
	struct reentrant r = { .vm = t->vm };

	(void)state;
	guest_enable(t);
	for (unsigned int v = 0; v < 2; v++)
		assert_int_equal(vgic_vcpu_set_kick(t->vm, v, reentrant_kick, &r), 0);
	enable_irq(t, 0, 40);
	enable_irq(t, 1, 20);
	spi_line(t, 40, true);
	ppi_line(t, 1, 20, true);
	icc_wr(t, 0, ICC_SGI1R_EL1, sgir(3, 0, 0x3));
	assert_int_equal(r.seen[0], VGIC_PENDING_IRQ);
	assert_int_equal(r.seen[1], VGIC_PENDING_IRQ);
	assert_int_equal(ack(t, 0), 3);
	assert_int_equal(ack(t, 0), VGIC_INTID_SPURIOUS);	/* 40 has priority 0 too, but 3 is active */
	tvm_free(t);
}

/* ---- random guest ---- */

static uint64_t rng_next(uint64_t *s)
{
	/* xorshift64*: deterministic from the seed, good enough to spray registers. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static const unsigned int fuzz_lens[] = { 1, 2, 4, 8 };

/* One access anywhere in the GIC frames (or just around them), any width. */
static void fuzz_mmio(struct tvm *t, uint64_t *seed)
{
	uint64_t r = rng_next(seed), v = rng_next(seed);
	unsigned int len = fuzz_lens[r & 3];
	unsigned int vcpu = (r >> 2) % t->nr_vcpus;
	uint64_t gpa, off = (r >> 16) & 0xffff;
	int ret;

	/* Mostly aligned, sometimes not. */
	if ((r >> 8) & 7)
		off &= ~(uint64_t)(len - 1);
	switch ((r >> 12) & 3) {
	case 0:
		gpa = T_DIST + off;
		break;
	case 1:
		gpa = gicr_base((r >> 32) % t->nr_vcpus) + off;
		break;
	case 2:
		gpa = gicr_base((r >> 32) % t->nr_vcpus) + GICR_SGI_BASE + off;
		break;
	default:
		/* Registers that matter most, at any width. */
		gpa = T_DIST + (off & 0x1fff);
		break;
	}
	if ((r >> 40) & 1)
		ret = vgic_mmio_write(t->vm, vcpu, gpa, len, v);
	else
		ret = vgic_mmio_read(t->vm, vcpu, gpa, len, &v);
	assert_true(ret == VGIC_MMIO_HANDLED || ret == VGIC_MMIO_NOT_MINE);
}

/* One system register access with a random value, known and unknown encodings. */
static void fuzz_sysreg(struct tvm *t, uint64_t *seed)
{
	static const uint32_t regs[] = {
		ICC_PMR_EL1, ICC_IAR0_EL1, ICC_EOIR0_EL1, ICC_HPPIR0_EL1, ICC_BPR0_EL1,
		ICC_AP0R0_EL1, ICC_AP0R1_EL1, ICC_AP1R0_EL1, ICC_AP1R3_EL1, ICC_DIR_EL1,
		ICC_RPR_EL1, ICC_SGI1R_EL1, ICC_ASGI1R_EL1, ICC_SGI0R_EL1, ICC_IAR1_EL1,
		ICC_EOIR1_EL1, ICC_HPPIR1_EL1, ICC_BPR1_EL1, ICC_CTLR_EL1, ICC_SRE_EL1,
		ICC_IGRPEN0_EL1, ICC_IGRPEN1_EL1, VGIC_SYSREG(3, 0, 12, 13, 7),
	};
	uint64_t r = rng_next(seed), v = rng_next(seed);
	uint32_t enc = regs[r % ARRAY_SIZE(regs)];
	unsigned int vcpu = (r >> 8) % t->nr_vcpus;
	int ret;

	/* Small INTIDs for EOIR/DIR so that they hit real interrupts. */
	if ((r >> 16) & 1)
		v &= 0x3ff;
	if ((r >> 17) & 1)
		ret = vgic_sysreg_write(t->vm, vcpu, enc, v);
	else
		ret = vgic_sysreg_read(t->vm, vcpu, enc, &v);
	assert_true(ret == 0 || ret == -EPERM || ret == -ENOENT);
}

/* Undo whatever the random guest left: a guest's own reset sequence. */
static void guest_reset(struct tvm *t)
{
	dist_wr(t, GICD_CTLR, 0);
	for (uint32_t w = 1; w < 8; w++) {
		dist_wr(t, GICD_ICENABLER + 4 * w, 0xffffffff);
		dist_wr(t, GICD_ICPENDR + 4 * w, 0xffffffff);
		dist_wr(t, GICD_ICACTIVER + 4 * w, 0xffffffff);
		dist_wr(t, GICD_IGROUPR + 4 * w, 0xffffffff);
		dist_wr(t, GICD_ICFGR + 8 * w, 0xaaaaaaaa);
		dist_wr(t, GICD_ICFGR + 8 * w + 4, 0xaaaaaaaa);
	}
	for (uint32_t i = 32; i < 256; i++) {
		gicd_wr(t, GICD_IPRIORITYR + i, 1, 0x80);
		gicd_wr(t, GICD_IROUTER + 8 * i, 8, 0);
	}
	for (unsigned int v = 0; v < t->nr_vcpus; v++) {
		rdist_wr(t, v, GICR_ICENABLER0, 0xffffffff);
		rdist_wr(t, v, GICR_ICPENDR0, 0xffffffff);
		rdist_wr(t, v, GICR_ICACTIVER0, 0xffffffff);
		rdist_wr(t, v, GICR_IGROUPR0, 0xffffffff);
		for (uint32_t i = 0; i < 32; i += 4)
			rdist_wr(t, v, GICR_IPRIORITYR0 + i, 0x80808080);
		icc_wr(t, v, ICC_CTLR_EL1, 0);
		icc_wr(t, v, ICC_BPR0_EL1, 0);
		icc_wr(t, v, ICC_BPR1_EL1, 0);
		icc_wr(t, v, ICC_AP0R0_EL1, 0);
		icc_wr(t, v, ICC_AP1R0_EL1, 0);
		icc_wr(t, v, ICC_IGRPEN0_EL1, 0);
	}
	guest_enable(t);
	for (unsigned int v = 0; v < t->nr_vcpus; v++) {
		assert_int_equal(vgic_vcpu_pending(t->vm, v), 0);
		assert_int_equal(icc_rd(t, v, ICC_RPR_EL1), 0xff);
	}
}

/* SPI, SGI and PPI each go through pend, ack, EOI once more. */
static void normal_cycle(struct tvm *t)
{
	enable_irq(t, 0, 100);
	gicd_wr(t, GICD_IROUTER + 8 * 100, 8, vgic_vcpu_mpidr(t->vm, 2));
	assert_int_equal(spi_line(t, 100, true), 0);
	assert_int_equal(vgic_vcpu_pending(t->vm, 2), VGIC_PENDING_IRQ);
	assert_int_equal(ack(t, 2), 100);
	eoi(t, 2, 100);

	enable_irq(t, 1, 7);
	icc_wr(t, 0, ICC_SGI1R_EL1, sgir(7, 0, 1u << 1));
	assert_int_equal(ack(t, 1), 7);
	eoi(t, 1, 7);

	enable_irq(t, 3, 30);
	assert_int_equal(ppi_line(t, 3, 30, true), 0);
	assert_int_equal(ack(t, 3), 30);
	assert_int_equal(ppi_line(t, 3, 30, false), 0);
	eoi(t, 3, 30);
	for (unsigned int v = 0; v < t->nr_vcpus; v++) {
		assert_int_equal(ack(t, v), VGIC_INTID_SPURIOUS);
		assert_int_equal(icc_rd(t, v, ICC_RPR_EL1), 0xff);
	}
}

static void random_guest(void **state)
{
	static const uint64_t seeds[] = { 1, 0x9e3779b97f4a7c15ULL, 0xdeadbeef };

	(void)state;
	for (size_t s = 0; s < ARRAY_SIZE(seeds); s++) {
		struct tvm *t = tvm_new(4, 256, 0);
		uint64_t seed = seeds[s];

		for (unsigned int i = 0; i < 20000; i++) {
			fuzz_mmio(t, &seed);
			if (i % 4 == 0)
				fuzz_sysreg(t, &seed);
			if (i % 64 == 0)
				spi_line(t, 32 + rng_next(&seed) % 224, rng_next(&seed) & 1);
			if (i % 256 == 0)
				for (unsigned int v = 0; v < 4; v++)
					assert_true(vgic_vcpu_pending(t->vm, v) >= 0);
		}
		assert_true(bad_count(t) > 0);
		guest_reset(t);
		normal_cycle(t);
		tvm_free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unaligned_accesses),
		cmocka_unit_test(wrong_widths),
		cmocka_unit_test(holes_and_frame_edges),
		cmocka_unit_test(bad_vcpu_indices),
		cmocka_unit_test(calls_before_init),
		cmocka_unit_test(calls_after_destroy),
		cmocka_unit_test(kick_may_reenter),
		cmocka_unit_test(random_guest),
	};

	return cmocka_run_group_tests_name("hostile", tests, NULL, NULL);
}
