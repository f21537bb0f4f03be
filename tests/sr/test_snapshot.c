/* SPDX-License-Identifier: MIT */
/*
 * Snapshot blobs: the whole interrupt state of a VM saved as one blob and
 * restored into a fresh VM translates and signals as before; a truncated,
 * altered or foreign blob is refused before anything is applied.
 * VGIC_SR_SEEDS / 4 overrides the number of random configurations (200).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gic/regs.h"
#include "its_sr.h"

static void check_same(struct its_world *w, struct tvm *dst)
{
	struct sr_state a, b;

	for (unsigned int d = 0; d < w->nr_devs; d++)
		for (uint32_t ev = 0; ev < 1u << w->bits[d]; ev++) {
			struct xlat x = world_xlat(w->t->vm, w->devs[d], ev);
			struct xlat y = world_xlat(dst->vm, w->devs[d], ev);

			assert_int_equal(x.mapped, y.mapped);
			assert_int_equal(x.intid, y.intid);
			assert_int_equal(x.vcpu, y.vcpu);
			assert_int_equal(x.pending, y.pending);
		}
	sr_save_gic(w->t, VGIC_NR_IRQS_DEFAULT, &a);
	sr_save_gic(dst, VGIC_NR_IRQS_DEFAULT, &b);
	sr_assert_equal(&a, &b);
	sr_free(&a);
	sr_free(&b);
	for (unsigned int c = 0; c < w->t->nr_vcpus; c++)
		assert_int_equal(vgic_vcpu_pending(w->t->vm, c), vgic_vcpu_pending(dst->vm, c));
}

static void test_roundtrip(void **state)
{
	const char *env = getenv("VGIC_SR_SEEDS");
	uint32_t n = env ? (uint32_t)strtoul(env, NULL, 0) / 4 : 200;

	(void)state;
	for (uint32_t seed = 0; seed < n; seed++) {
		struct its_world w;
		struct tvm *dst;
		void *blob;
		size_t len;

		world_random(&w, 1 + seed % 3, seed);
		/* Some distributor and CPU-interface state besides the ITS. */
		enable_irq(w.t, 0, 40 + seed % 20);
		assert_int_equal(spi_line(w.t, 40 + seed % 20, true), 0);
		icc_wr(w.t, 0, ICC_PMR_EL1, 0x80 + (seed % 8) * 8);
		assert_int_equal(vgic_vm_save_state(w.t->vm, &blob, &len), 0);
		dst = world_target(&w);
		assert_int_equal(vgic_vm_restore_state(dst->vm, blob, len), 0);
		check_same(&w, dst);
		free(blob);
		tvm_free(dst);
		tvm_free(w.t);
	}
}

/* The target keeps its state: no mapping, no enabled interrupt, as created. */
static void assert_untouched(struct tvm *dst, const struct sr_state *fresh)
{
	struct sr_state now;
	size_t d, e, c;

	world_counts(dst->vm, &d, &e, &c);
	assert_int_equal(d + e + c, 0);
	sr_save_gic(dst, VGIC_NR_IRQS_DEFAULT, &now);
	sr_assert_equal(fresh, &now);
	sr_free(&now);
}

static void test_corrupt(void **state)
{
	struct its_world w;
	struct sr_state fresh;
	struct tvm *dst;
	uint8_t *blob, *bad;
	size_t len;

	(void)state;
	world_random(&w, 2, 7);
	assert_int_equal(vgic_vm_save_state(w.t->vm, (void **)&blob, &len), 0);
	dst = world_target(&w);
	sr_save_gic(dst, VGIC_NR_IRQS_DEFAULT, &fresh);
	bad = malloc(len);
	assert_non_null(bad);
	/* Truncated anywhere. */
	for (size_t cut = 0; cut < len; cut += cut < 64 ? 1 : 997) {
		assert_int_equal(vgic_vm_restore_state(dst->vm, blob, cut), -EINVAL);
		assert_int_equal(vgic_vm_restore_state(dst->vm, blob, len - 1 - cut % 24), -EINVAL);
	}
	/* One bit changed anywhere: the CRC covers the header too. */
	for (size_t i = 0; i < len; i += i < 64 ? 1 : 89) {
		int ret;

		memcpy(bad, blob, len);
		bad[i] ^= 0x10;
		ret = vgic_vm_restore_state(dst->vm, bad, len);
		if (i >= 8 && i < 12)
			assert_int_equal(ret, -EOPNOTSUPP);	/* the version field */
		else
			assert_int_equal(ret, -EINVAL);
	}
	assert_int_equal(vgic_vm_restore_state(dst->vm, NULL, 0), -EINVAL);
	assert_untouched(dst, &fresh);
	/* A VM of another shape: more vCPUs, or its ITS elsewhere. */
	{
		struct tvm *other = its_tvm_new(3, 1);
		struct vgic_vm *moved;

		assert_int_equal(vgic_vm_restore_state(other->vm, blob, len), -EINVAL);
		tvm_free(other);
		assert_int_equal(vgic_vm_create(2, 0, &moved), 0);
		assert_int_equal(vgic_vm_set_addr(moved, VGIC_ADDR_TYPE_DIST, T_DIST), 0);
		assert_int_equal(vgic_vm_set_addr(moved, VGIC_ADDR_TYPE_REDIST, T_REDIST), 0);
		assert_int_equal(vgic_its_create(moved), 0);
		assert_int_equal(vgic_its_set_addr(moved, 0, T_ITS2), 0);
		assert_int_equal(vgic_vm_add_ram(moved, T_RAM, dst->ram_size, dst->ram), 0);
		assert_int_equal(vgic_vm_init(moved), 0);
		assert_int_equal(vgic_vm_restore_state(moved, blob, len), -EINVAL);
		vgic_vm_destroy(moved);
	}
	/* And the intact blob still restores. */
	assert_int_equal(vgic_vm_restore_state(dst->vm, blob, len), 0);
	check_same(&w, dst);
	sr_free(&fresh);
	free(bad);
	free(blob);
	tvm_free(dst);
	tvm_free(w.t);
}

static void test_lifecycle(void **state)
{
	struct vgic_vm *vm;
	void *blob;
	size_t len;

	(void)state;
	assert_int_equal(vgic_vm_create(1, 0, &vm), 0);
	assert_int_equal(vgic_vm_save_state(vm, &blob, &len), -EBUSY);
	assert_int_equal(vgic_vm_restore_state(vm, "VGICSNAP", 8), -EBUSY);
	vgic_vm_destroy(vm);
	assert_int_equal(vgic_vm_save_state(vm, &blob, &len), -ENODEV);
	assert_int_equal(vgic_vm_create(1, VGIC_VM_NO_GIC, &vm), 0);
	assert_int_equal(vgic_vm_save_state(vm, &blob, &len), -ENODEV);
	vgic_vm_destroy(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_lifecycle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
