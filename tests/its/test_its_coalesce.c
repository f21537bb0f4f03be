/* SPDX-License-Identifier: MIT */
/*
 * MSIs that find their LPI still pending: they merge into that one pending
 * state (taken once), count as injected, return 1 - and not when the
 * target's redistributor has LPIs off, even with the translation cached.
 */
#include <stdlib.h>

#include "gic/regs.h"
#include "guest_its.h"

#define DEV	1

static int setup(void **state)
{
	struct its_fx *f = its_fx_new(2, 4, DEV, 4);

	for (uint32_t ev = 0; ev < 2; ev++) {
		lpi_prop(f->t, LPI(ev), 0x40, true);
		gits_mapti(&f->g, DEV, ev, LPI(ev), (uint16_t)ev);
	}
	*state = f;
	return 0;
}

static uint64_t injected(struct tvm *t)
{
	struct vgic_stats st;

	assert_int_equal(vgic_vm_get_stats(t->vm, &st), 0);
	return st.irqs_injected;
}

static void test_repeats_merge_into_one_pending(void **state)
{
	struct its_fx *f = *state;
	uint64_t before = injected(f->t);

	for (int i = 0; i < 3; i++)
		assert_int_equal(gits_msi(&f->g, DEV, 0), 1);
	assert_int_equal(injected(f->t) - before, 3);
	assert_int_equal(ack(f->t, 0), LPI(0));
	assert_int_equal(ack(f->t, 0), 1023);
	eoi(f->t, 0, LPI(0));
	assert_int_equal(vgic_vcpu_pending(f->t->vm, 0), 0);
	/* Taken: the next MSI makes it pending again. */
	assert_int_equal(gits_msi(&f->g, DEV, 0), 1);
	assert_int_equal(ack(f->t, 0), LPI(0));
	eoi(f->t, 0, LPI(0));
	assert_int_equal(ack(f->t, 0), 1023);
}

/* The pending state goes to the pending table; MSIs meanwhile are refused. */
static void test_pending_lpi_behind_disabled_redistributor(void **state)
{
	struct its_fx *f = *state;
	const uint8_t *pend = (const uint8_t *)f->t->ram + G_PEND + G_PEND_STRIDE;
	uint32_t intid = LPI(1);

	assert_int_equal(gits_msi(&f->g, DEV, 1), 1);
	assert_int_equal(gits_msi(&f->g, DEV, 1), 1);	/* cached and pending */
	rdist_wr(f->t, 1, GICR_CTLR, 0);
	assert_true(pend[intid / 8] & (1u << (intid % 8)));
	assert_int_equal(gits_msi(&f->g, DEV, 1), 0);
	assert_int_equal(gits_msi(&f->g, DEV, 1), 0);
	assert_int_equal(ack(f->t, 1), 1023);
	/* On again (PTZ clear, so the table is read): still pending, once. */
	assert_int_equal(vgic_mmio_write(f->t->vm, 1, T_REDIST + VGIC_REDIST_SIZE + GICR_PENDBASER,
					 8, T_RAM + G_PEND + G_PEND_STRIDE),
			 VGIC_MMIO_HANDLED);
	rdist_wr(f->t, 1, GICR_CTLR, 1);
	assert_int_equal(gits_msi(&f->g, DEV, 1), 1);
	assert_int_equal(ack(f->t, 1), intid);
	eoi(f->t, 1, intid);
	assert_int_equal(ack(f->t, 1), 1023);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_repeats_merge_into_one_pending, setup,
						its_fx_teardown),
		cmocka_unit_test_setup_teardown(test_pending_lpi_behind_disabled_redistributor,
						setup, its_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
