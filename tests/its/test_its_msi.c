/* SPDX-License-Identifier: MIT */
/*
 * vgic_signal_msi() with KVM_SIGNAL_MSI's return values, and the translation
 * cache behind it: hits after the first translation, and every command or
 * register write that changes a translation makes the next MSI follow it.
 */
#include <stdlib.h>

#include "gic/regs.h"
#include "guest_its.h"

static struct vgic_msi msi_to(uint64_t base, uint32_t dev, uint32_t ev)
{
	return (struct vgic_msi){ .address = base + 0x10040, .data = ev,
				  .flags = VGIC_MSI_VALID_DEVID, .devid = dev };
}

static void test_return_values(void **state)
{
	struct tvm *plain = tvm_new(1, 0, 0);
	struct tvm *t = its_tvm_new(2, 1);
	struct vgic_msi m = msi_to(T_ITS, 1, 0);
	struct gits g;

	(void)state;
	/* No ITS in the VM. */
	assert_int_equal(vgic_signal_msi(plain->vm, &m), -ENODEV);
	/* ITS there but disabled. */
	assert_int_equal(vgic_signal_msi(t->vm, &m), -EBUSY);
	guest_lpis_on(t);
	gits_init(&g, t, 0, 1, 1);
	/* Unknown flags, missing devid, address that is no doorbell. */
	m.flags = VGIC_MSI_VALID_DEVID | 2;
	assert_int_equal(vgic_signal_msi(t->vm, &m), -EINVAL);
	m.flags = 0;
	assert_int_equal(vgic_signal_msi(t->vm, &m), -EINVAL);
	m = msi_to(T_ITS, 1, 0);
	m.address = T_ITS;
	assert_int_equal(vgic_signal_msi(t->vm, &m), -EINVAL);
	m.address = T_ITS + 0x10044;
	assert_int_equal(vgic_signal_msi(t->vm, &m), -EINVAL);
	assert_int_equal(vgic_signal_msi(t->vm, NULL), -EINVAL);
	/* Unmapped device, event, collection: 0. */
	m = msi_to(T_ITS, 1, 0);
	assert_int_equal(vgic_signal_msi(t->vm, &m), 0);
	gits_mapd(&g, 1, 2, true);
	assert_int_equal(vgic_signal_msi(t->vm, &m), 0);
	lpi_prop(t, LPI(0), 0x40, true);
	gits_mapti(&g, 1, 0, LPI(0), 3);
	assert_int_equal(vgic_signal_msi(t->vm, &m), 0);
	gits_mapc(&g, 3, 1, true);
	assert_int_equal(vgic_signal_msi(t->vm, &m), 1);
	/* LPIs disabled at the target redistributor: 0. */
	rdist_wr(t, 1, GICR_CTLR, 0);
	assert_int_equal(vgic_signal_msi(t->vm, &m), 0);
	rdist_wr(t, 1, GICR_CTLR, 1);
	assert_int_equal(vgic_signal_msi(t->vm, &m), 1);
	tvm_free(plain);
	tvm_free(t);
}

static void test_before_init(void **state)
{
	struct vgic_vm *vm;
	struct vgic_msi m = msi_to(T_ITS, 0, 0);

	(void)state;
	assert_int_equal(vgic_vm_create(1, 0, &vm), 0);
	assert_int_equal(vgic_signal_msi(vm, &m), -ENODEV);
	assert_int_equal(vgic_its_create(vm), 0);
	assert_int_equal(vgic_its_set_addr(vm, 0, T_ITS), 0);
	assert_int_equal(vgic_signal_msi(vm, &m), -EBUSY);
	vgic_vm_destroy(vm);
	assert_int_equal(vgic_signal_msi(vm, &m), -ENODEV);
}

static int setup(void **state)
{
	struct its_fx *f = its_fx_new(2, 4, 7, 4);

	for (uint32_t ev = 0; ev < 4; ev++) {
		lpi_prop(f->t, LPI(ev), 0x40, true);
		gits_mapti(&f->g, 7, ev, LPI(ev), 0);
	}
	*state = f;
	return 0;
}

static void drain(struct tvm *t, unsigned int vcpu, uint32_t want)
{
	assert_int_equal(ack(t, vcpu), want);
	eoi(t, vcpu, want);
}

static void test_cache_hits_after_first(void **state)
{
	struct its_fx *f = *state;
	struct vgic_its_stats a, b;

	a = gits_stats(&f->g);
	assert_int_equal(gits_msi(&f->g, 7, 1), 1);
	drain(f->t, 0, LPI(1));
	assert_int_equal(gits_msi(&f->g, 7, 1), 1);
	drain(f->t, 0, LPI(1));
	b = gits_stats(&f->g);
	assert_int_equal(b.cache_misses - a.cache_misses, 1);
	assert_int_equal(b.cache_hits - a.cache_hits, 1);
	assert_int_equal(b.msis - a.msis, 2);
}

/* After each command the next MSI must see the new translation, not the cached one. */
static void test_commands_invalidate(void **state)
{
	struct its_fx *f = *state;
	struct gits *g = &f->g;

	assert_int_equal(gits_msi(g, 7, 2), 1);		/* cached: LPI(2) on vCPU 0 */
	drain(f->t, 0, LPI(2));
	gits_movi(g, 7, 2, 1);
	assert_int_equal(gits_msi(g, 7, 2), 1);
	drain(f->t, 1, LPI(2));
	gits_movall(g, 1, 0);
	assert_int_equal(gits_msi(g, 7, 2), 1);
	drain(f->t, 0, LPI(2));
	/* A guest follows MOVALL by remapping the collection; then MAPC moves it. */
	gits_mapc(g, 1, 0, true);
	assert_int_equal(gits_msi(g, 7, 2), 1);
	drain(f->t, 0, LPI(2));
	gits_mapc(g, 1, 1, true);
	assert_int_equal(gits_msi(g, 7, 2), 1);
	drain(f->t, 1, LPI(2));
	gits_discard(g, 7, 2);
	assert_int_equal(gits_msi(g, 7, 2), 0);
	lpi_prop(f->t, LPI(9), 0x40, true);
	gits_mapti(g, 7, 2, LPI(9), 1);
	assert_int_equal(gits_msi(g, 7, 2), 1);
	drain(f->t, 1, LPI(9));
	gits_mapd(g, 7, 4, false);
	assert_int_equal(gits_msi(g, 7, 2), 0);
}

static void test_registers_invalidate(void **state)
{
	struct its_fx *f = *state;
	struct gits *g = &f->g;

	assert_int_equal(gits_msi(g, 7, 3), 1);
	drain(f->t, 0, LPI(3));
	/* Disabling the ITS: -EBUSY, and re-enabling finds the mapping still there. */
	gits_wr(g, 0x0, 4, 0);
	assert_int_equal(gits_msi(g, 7, 3), -EBUSY);
	gits_wr(g, 0x0, 4, 1);
	assert_int_equal(gits_msi(g, 7, 3), 1);
	drain(f->t, 0, LPI(3));
	/* Clearing BASER0.Valid (ITS disabled) drops every device mapping. */
	gits_wr(g, 0x0, 4, 0);
	gits_wr(g, 0x104, 4, 0);
	gits_wr(g, 0x104, 4, 0x80000000);
	gits_wr(g, 0x0, 4, 1);
	assert_int_equal(gits_msi(g, 7, 3), 0);
	assert_int_equal(gits_stats(g).mapped_events, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_return_values),
		cmocka_unit_test(test_before_init),
		cmocka_unit_test_setup_teardown(test_cache_hits_after_first, setup, its_fx_teardown),
		cmocka_unit_test_setup_teardown(test_commands_invalidate, setup, its_fx_teardown),
		cmocka_unit_test_setup_teardown(test_registers_invalidate, setup, its_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
