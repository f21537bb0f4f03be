/* SPDX-License-Identifier: MIT */
/* Hostile guests and callers: every bad access gets its defined result, is
 * counted where the API says so, and leaves the GIC working. */
#include <errno.h>
#include <stdlib.h>

#include "guest_fuzz.h"

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

static void random_guest(void **state)
{
	static const uint64_t seeds[] = { 1, 0x9e3779b97f4a7c15ULL, 0xdeadbeef };

	(void)state;
	for (size_t s = 0; s < ARRAY_SIZE(seeds); s++) {
		struct tvm *t = tvm_new(4, 256, 0);
		uint64_t seed = seeds[s];

		for (unsigned int i = 0; i < 20000; i++) {
			assert_true(fuzz_mmio(t->vm, 4, fuzz_rng(&seed) % 4, &seed));
			if (i % 4 == 0)
				assert_true(fuzz_sysreg(t->vm, fuzz_rng(&seed) % 4, &seed));
			if (i % 64 == 0)
				spi_line(t, 32 + fuzz_rng(&seed) % 224, fuzz_rng(&seed) & 1);
			if (i % 256 == 0)
				for (unsigned int v = 0; v < 4; v++)
					assert_true(vgic_vcpu_pending(t->vm, v) >= 0);
		}
		assert_true(bad_count(t) > 0);
		fuzz_guest_reset(t);
		fuzz_normal_cycle(t);
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
