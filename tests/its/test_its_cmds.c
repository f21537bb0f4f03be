/* SPDX-License-Identifier: MIT */
/*
 * The ITS driven as a guest driver drives it: tables and command queue in
 * guest RAM, commands queued and CWRITER advanced.  Each test checks what the
 * guest would observe through its CPU interfaces.
 */
#include <stdlib.h>
#include <string.h>

#include "gic/regs.h"
#include "guest_its.h"

/* Two vCPUs, LPIs on, one ITS with a flat Device table, collections 0 and 1
 * on vCPUs 0 and 1, device 1 with 32 events. */
static int setup(void **state)
{
	*state = its_fx_new(2, 16, 1, 5);
	return 0;
}

/* Map event @ev of device 1 to LPI(@n) on collection @icid, enabled at @prio. */
static void map(struct its_fx *f, uint32_t ev, uint32_t n, uint16_t icid, uint8_t prio)
{
	lpi_prop(f->t, LPI(n), prio, true);
	gits_mapti(&f->g, 1, ev, LPI(n), icid);
}

static unsigned int pending(struct its_fx *f, unsigned int vcpu)
{
	return (unsigned int)vgic_vcpu_pending(f->t->vm, vcpu);
}

static void test_lpi_reaches_vcpu_with_priority(void **state)
{
	struct its_fx *f = *state;
	struct tvm *t = f->t;

	map(f, 3, 100, 1, 0x40);
	assert_int_equal(pending(f, 1), 0);
	assert_int_equal(gits_msi(&f->g, 1, 3), 1);
	assert_int_equal(pending(f, 0), 0);
	assert_int_equal(pending(f, 1), VGIC_PENDING_IRQ);
	assert_int_equal(icc_rd(t, 1, ICC_HPPIR1_EL1), LPI(100));
	/* PMR at the LPI's priority masks it: the priority is the table's. */
	icc_wr(t, 1, ICC_PMR_EL1, 0x40);
	assert_int_equal(pending(f, 1), 0);
	icc_wr(t, 1, ICC_PMR_EL1, 0x48);
	assert_int_equal(ack(t, 1), LPI(100));
	assert_int_equal(icc_rd(t, 1, ICC_RPR_EL1), 0x40);
	/* Edge, no active state: it can be pending again before the EOI... */
	assert_int_equal(gits_msi(&f->g, 1, 3), 1);
	assert_int_equal(pending(f, 1), 0);	/* ...but it does not preempt itself */
	eoi(t, 1, LPI(100));
	assert_int_equal(icc_rd(t, 1, ICC_RPR_EL1), 0xff);
	assert_int_equal(ack(t, 1), LPI(100));
	eoi(t, 1, LPI(100));
	assert_int_equal(ack(t, 1), 1023);
}

static void test_priorities_order_lpis(void **state)
{
	struct its_fx *f = *state;

	map(f, 0, 10, 0, 0xc0);
	map(f, 1, 11, 0, 0x20);
	map(f, 2, 12, 0, 0x80);
	for (uint32_t ev = 0; ev < 3; ev++)
		assert_int_equal(gits_msi(&f->g, 1, ev), 1);
	assert_int_equal(ack(f->t, 0), LPI(11));
	assert_int_equal(ack(f->t, 0), 1023);	/* 0x80 does not preempt 0x20 */
	eoi(f->t, 0, LPI(11));
	assert_int_equal(ack(f->t, 0), LPI(12));
	eoi(f->t, 0, LPI(12));
	assert_int_equal(ack(f->t, 0), LPI(10));
	eoi(f->t, 0, LPI(10));
}

static void test_mapi_uses_eventid(void **state)
{
	struct its_fx *f = *state;

	gits_mapd(&f->g, 2, 16, true);
	lpi_prop(f->t, 9000, 0x10, true);
	gits_mapi(&f->g, 2, 9000, 0);
	assert_int_equal(gits_msi(&f->g, 2, 9000), 1);
	assert_int_equal(ack(f->t, 0), 9000);
	eoi(f->t, 0, 9000);
}

static void test_movi_moves_pending(void **state)
{
	struct its_fx *f = *state;

	map(f, 4, 20, 0, 0x40);
	assert_int_equal(gits_msi(&f->g, 1, 4), 1);
	assert_int_equal(pending(f, 0), VGIC_PENDING_IRQ);
	gits_movi(&f->g, 1, 4, 1);
	assert_int_equal(pending(f, 0), 0);
	assert_int_equal(ack(f->t, 1), LPI(20));
	eoi(f->t, 1, LPI(20));
	/* And later MSIs follow the new collection. */
	assert_int_equal(gits_msi(&f->g, 1, 4), 1);
	assert_int_equal(ack(f->t, 0), 1023);
	assert_int_equal(ack(f->t, 1), LPI(20));
	eoi(f->t, 1, LPI(20));
}

static void test_movall_moves_everything(void **state)
{
	struct its_fx *f = *state;

	map(f, 0, 30, 0, 0x40);
	map(f, 1, 31, 0, 0x40);
	assert_int_equal(gits_msi(&f->g, 1, 0), 1);
	gits_movall(&f->g, 0, 1);
	assert_int_equal(pending(f, 0), 0);
	assert_int_equal(ack(f->t, 1), LPI(30));
	eoi(f->t, 1, LPI(30));
	/* LPIs that were idle moved too. */
	assert_int_equal(gits_msi(&f->g, 1, 1), 1);
	assert_int_equal(ack(f->t, 1), LPI(31));
	eoi(f->t, 1, LPI(31));
}

static void test_remapped_collection_moves_lpis(void **state)
{
	struct its_fx *f = *state;

	map(f, 0, 40, 0, 0x40);
	gits_mapc(&f->g, 0, 1, true);
	assert_int_equal(gits_msi(&f->g, 1, 0), 1);
	assert_int_equal(ack(f->t, 1), LPI(40));
	eoi(f->t, 1, LPI(40));
	/* Unmapping the collection blocks the event; mapping it again restores it. */
	gits_mapc(&f->g, 0, 0, false);
	assert_int_equal(gits_msi(&f->g, 1, 0), 0);
	gits_mapc(&f->g, 0, 0, true);
	assert_int_equal(gits_msi(&f->g, 1, 0), 1);
	assert_int_equal(ack(f->t, 0), LPI(40));
	eoi(f->t, 0, LPI(40));
}

static void test_discard_stops(void **state)
{
	struct its_fx *f = *state;

	map(f, 5, 50, 0, 0x40);
	assert_int_equal(gits_msi(&f->g, 1, 5), 1);
	gits_discard(&f->g, 1, 5);
	/* The pending state went with the mapping. */
	assert_int_equal(pending(f, 0), 0);
	assert_int_equal(ack(f->t, 0), 1023);
	assert_int_equal(gits_msi(&f->g, 1, 5), 0);
	/* The event can be mapped again. */
	map(f, 5, 51, 0, 0x40);
	assert_int_equal(gits_msi(&f->g, 1, 5), 1);
	assert_int_equal(ack(f->t, 0), LPI(51));
	eoi(f->t, 0, LPI(51));
}

static void test_mapd_unmap_stops(void **state)
{
	struct its_fx *f = *state;
	struct vgic_its_stats st;

	map(f, 6, 60, 0, 0x40);
	map(f, 7, 61, 1, 0x40);
	assert_int_equal(gits_msi(&f->g, 1, 6), 1);
	assert_int_equal(gits_msi(&f->g, 1, 7), 1);	/* cached now */
	gits_mapd(&f->g, 1, 5, false);
	assert_int_equal(pending(f, 0), 0);
	assert_int_equal(pending(f, 1), 0);
	assert_int_equal(gits_msi(&f->g, 1, 6), 0);
	assert_int_equal(gits_msi(&f->g, 1, 7), 0);
	st = gits_stats(&f->g);
	assert_int_equal(st.mapped_events, 0);
	assert_int_equal(st.cmd_errors, 0);
	/* Remapping the device starts with an empty ITT. */
	gits_mapd(&f->g, 1, 5, true);
	assert_int_equal(gits_msi(&f->g, 1, 6), 0);
}

static void test_inv_and_invall_pick_up_config(void **state)
{
	struct its_fx *f = *state;
	struct tvm *t = f->t;

	map(f, 0, 70, 0, 0x80);
	map(f, 1, 71, 0, 0x80);
	/* The guest changes priorities in memory: no effect until INV. */
	lpi_prop(t, LPI(70), 0x20, true);
	assert_int_equal(gits_msi(&f->g, 1, 0), 1);
	assert_int_equal(ack(t, 0), LPI(70));
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0x80);
	eoi(t, 0, LPI(70));
	gits_inv(&f->g, 1, 0);
	assert_int_equal(gits_msi(&f->g, 1, 0), 1);
	assert_int_equal(ack(t, 0), LPI(70));
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0x20);
	eoi(t, 0, LPI(70));
	/* INVALL re-reads every LPI of the collection. */
	lpi_prop(t, LPI(70), 0x60, true);
	lpi_prop(t, LPI(71), 0x10, true);
	gits_invall(&f->g, 0);
	assert_int_equal(gits_msi(&f->g, 1, 1), 1);
	assert_int_equal(ack(t, 0), LPI(71));
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0x10);
	eoi(t, 0, LPI(71));
	assert_int_equal(gits_msi(&f->g, 1, 0), 1);
	assert_int_equal(ack(t, 0), LPI(70));
	assert_int_equal(icc_rd(t, 0, ICC_RPR_EL1), 0x60);
	eoi(t, 0, LPI(70));
}

static void test_disabled_lpi_stays_pending(void **state)
{
	struct its_fx *f = *state;

	lpi_prop(f->t, LPI(80), 0x40, false);
	gits_mapti(&f->g, 1, 8, LPI(80), 0);
	/* Delivered to the redistributor (return > 0) but not signalled. */
	assert_int_equal(gits_msi(&f->g, 1, 8), 1);
	assert_int_equal(pending(f, 0), 0);
	assert_int_equal(ack(f->t, 0), 1023);
	lpi_prop(f->t, LPI(80), 0x40, true);
	gits_inv(&f->g, 1, 8);
	assert_int_equal(pending(f, 0), VGIC_PENDING_IRQ);
	assert_int_equal(ack(f->t, 0), LPI(80));
	eoi(f->t, 0, LPI(80));
	assert_int_equal(ack(f->t, 0), 1023);	/* fired once */
	/* Disabling again hides a new one until re-enabled. */
	lpi_prop(f->t, LPI(80), 0x40, false);
	gits_inv(&f->g, 1, 8);
	assert_int_equal(gits_msi(&f->g, 1, 8), 1);
	assert_int_equal(pending(f, 0), 0);
}

static void test_int_and_clear(void **state)
{
	struct its_fx *f = *state;

	map(f, 9, 90, 1, 0x40);
	gits_int(&f->g, 1, 9);
	assert_int_equal(pending(f, 1), VGIC_PENDING_IRQ);
	gits_clear(&f->g, 1, 9);
	assert_int_equal(pending(f, 1), 0);
	gits_int(&f->g, 1, 9);
	assert_int_equal(ack(f->t, 1), LPI(90));
	eoi(f->t, 1, LPI(90));
	assert_int_equal(gits_stats(&f->g).cmd_errors, 0);
	/* INT of an unmapped event is a command error. */
	gits_int(&f->g, 1, 31);
	assert_int_equal(gits_stats(&f->g).cmd_errors, 1);
}

/* EnableLPIs 1 -> 0 writes pending state to the pending table; 0 -> 1 reads it back. */
static void test_pending_table_round_trip(void **state)
{
	struct its_fx *f = *state;
	struct tvm *t = f->t;
	uint8_t *pend = (uint8_t *)t->ram + G_PEND;	/* vCPU 0's table */

	map(f, 10, 100, 0, 0x40);
	assert_int_equal(gits_msi(&f->g, 1, 10), 1);
	rdist_wr(t, 0, GICR_CTLR, 0);
	assert_int_equal(pending(f, 0), 0);
	assert_true(pend[LPI(100) / 8] & (1u << (LPI(100) % 8)));
	/* With LPIs off at the target, MSIs are blocked. */
	assert_int_equal(gits_msi(&f->g, 1, 10), 0);
	/* The guest may edit the table while LPIs are off: mark LPI 101 pending too. */
	map(f, 11, 101, 0, 0x40);
	pend[LPI(101) / 8] |= (uint8_t)(1u << (LPI(101) % 8));
	/* With PTZ (table known zero) the table is not read: nothing fires. */
	rdist_wr(t, 0, GICR_CTLR, 1);
	assert_int_equal(pending(f, 0), 0);
	/* Disabling wrote the (empty) state back: mark both pending again. */
	rdist_wr(t, 0, GICR_CTLR, 0);
	assert_false(pend[LPI(100) / 8] & (1u << (LPI(100) % 8)));
	pend[LPI(100) / 8] |= (uint8_t)(1u << (LPI(100) % 8));
	pend[LPI(101) / 8] |= (uint8_t)(1u << (LPI(101) % 8));
	/* Without PTZ the table is read. */
	assert_int_equal(vgic_mmio_write(t->vm, 0, T_REDIST + GICR_PENDBASER, 8, T_RAM + G_PEND),
			 VGIC_MMIO_HANDLED);
	rdist_wr(t, 0, GICR_CTLR, 1);
	assert_int_equal(ack(t, 0), LPI(100));
	eoi(t, 0, LPI(100));
	assert_int_equal(ack(t, 0), LPI(101));
	eoi(t, 0, LPI(101));
	assert_int_equal(ack(t, 0), 1023);
	/* The cache did not keep delivering while disabled: counted as blocked. */
	assert_true(gits_stats(&f->g).msis_blocked >= 1);
}

/* Commands that run past the end of the queue continue at its start. */
static void test_queue_wraps(void **state)
{
	struct tvm *t = its_tvm_new(1, 1);
	struct gits g;
	struct vgic_its_stats st;

	(void)state;
	guest_lpis_on(t);
	gits_init(&g, t, 0, 1, 1);	/* one 4 KiB page: 128 commands */
	gits_mapc(&g, 0, 0, true);
	gits_mapd(&g, 3, 10, true);
	/* 300 MAPTIs in batches of 100: the queue wraps twice. */
	for (uint32_t b = 0; b < 3; b++) {
		for (uint32_t i = 0; i < 100; i++) {
			lpi_prop(t, LPI(b * 100 + i), 0x40, true);
			gits_queue(&g, (3ULL << 32) | 0x0a, (uint64_t)LPI(b * 100 + i) << 32 | (b * 100 + i),
				   0, 0);
		}
		gits_kick(&g);
		assert_int_equal(gits_rd(&g, 0x90, 8), g.cwriter);
	}
	st = gits_stats(&g);
	assert_int_equal(st.cmd_errors, 0);
	assert_int_equal(st.mapped_events, 300);
	assert_int_equal(gits_msi(&g, 3, 299), 1);
	assert_int_equal(gits_msi(&g, 3, 0), 1);
	assert_int_equal(ack(t, 0), LPI(0));
	tvm_free(t);
}

/* Two-level Device table: DeviceIDs whose level-1 entry is valid map; others fail. */
static void test_two_level_device_table(void **state)
{
	struct tvm *t = its_tvm_new(1, 1);
	struct gits g;
	const uint32_t per_page = 0x10000 / 8;	/* 8-byte DTEs in a 64 KiB page */
	uint64_t errs;

	(void)state;
	guest_lpis_on(t);
	gits_init(&g, t, 0, 0, 1);
	gits_l2_page(&g, 3);
	gits_mapc(&g, 0, 0, true);
	errs = gits_stats(&g).cmd_errors;
	gits_mapd(&g, 3 * per_page + 7, 4, true);
	assert_int_equal(gits_stats(&g).cmd_errors, errs);
	gits_mapd(&g, 2 * per_page + 7, 4, true);		/* L1 entry 2 invalid */
	assert_int_equal(gits_stats(&g).cmd_errors, errs + 1);
	lpi_prop(t, LPI(1), 0x40, true);
	gits_mapti(&g, 3 * per_page + 7, 1, LPI(1), 0);
	gits_mapti(&g, 2 * per_page + 7, 1, LPI(2), 0);	/* no device */
	assert_int_equal(gits_stats(&g).cmd_errors, errs + 2);
	assert_int_equal(gits_msi(&g, 3 * per_page + 7, 1), 1);
	assert_int_equal(ack(t, 0), LPI(1));
	eoi(t, 0, LPI(1));
	/* DeviceIDs beyond GITS_TYPER.Devbits fail even though the table is large enough. */
	gits_wr(&g, 0x0, 4, 0);
	gits_wr(&g, 0x100, 8, (1ULL << 63) | (1ULL << 62) | (2ULL << 8) | (T_RAM + G_DEVTBL) | 1);
	gits_wr(&g, 0x0, 4, 1);
	gits_l2_page(&g, (1u << 16) / per_page);
	gits_mapd(&g, 1u << 16, 4, true);
	assert_int_equal(gits_stats(&g).cmd_errors, errs + 3);
	tvm_free(t);
}

/* A one-page Device table holds page size / 8 DeviceIDs, for 4, 16 and 64 KiB pages;
 * a two-level one with 4 KiB pages gives each level-2 page 512 of them. */
static void test_device_table_page_sizes(void **state)
{
	static const uint64_t psz[] = { 0x1000, 0x4000, 0x10000 };
	struct tvm *t = its_tvm_new(1, 1);
	struct gits g;
	uint64_t errs;

	(void)state;
	guest_lpis_on(t);
	gits_init(&g, t, 0, 1, 1);
	for (uint64_t i = 0; i < 3; i++) {
		gits_wr(&g, 0x0, 4, 0);
		gits_wr(&g, 0x100, 8, 1ULL << 63 | i << 8 | (T_RAM + G_DEVTBL));
		gits_wr(&g, 0x0, 4, 1);
		errs = gits_stats(&g).cmd_errors;
		gits_mapd(&g, (uint32_t)(psz[i] / 8 - 1), 2, true);
		assert_int_equal(gits_stats(&g).cmd_errors, errs);
		gits_mapd(&g, (uint32_t)(psz[i] / 8), 2, true);
		assert_int_equal(gits_stats(&g).cmd_errors, errs + 1);
	}
	gits_wr(&g, 0x0, 4, 0);
	gits_wr(&g, 0x100, 8, 1ULL << 63 | 1ULL << 62 | (T_RAM + G_DEVTBL));
	gits_wr(&g, 0x0, 4, 1);
	uint64_t l1 = 1ULL << 63 | (T_RAM + G_L2);

	memcpy((uint8_t *)t->ram + G_DEVTBL + 8, &l1, 8);	/* IDs 512..1023 */
	errs = gits_stats(&g).cmd_errors;
	gits_mapd(&g, 1023, 2, true);
	gits_mapd(&g, 512, 2, true);
	assert_int_equal(gits_stats(&g).cmd_errors, errs);
	gits_mapd(&g, 511, 2, true);
	gits_mapd(&g, 1024, 2, true);
	assert_int_equal(gits_stats(&g).cmd_errors, errs + 2);
	tvm_free(t);
}

/* Two ITSes have separate DeviceID spaces and doorbells. */
static void test_two_its(void **state)
{
	struct tvm *t = its_tvm_new(2, 2);
	struct gits a, b;

	(void)state;
	guest_lpis_on(t);
	gits_init(&a, t, 0, 1, 1);
	gits_init(&b, t, 1, 1, 1);
	gits_mapc(&a, 0, 0, true);
	gits_mapc(&b, 0, 1, true);
	gits_mapd(&a, 5, 2, true);
	gits_mapd(&b, 5, 2, true);
	lpi_prop(t, LPI(1), 0x40, true);
	lpi_prop(t, LPI(2), 0x40, true);
	gits_mapti(&a, 5, 0, LPI(1), 0);
	gits_mapti(&b, 5, 0, LPI(2), 0);
	assert_int_equal(gits_msi(&b, 5, 0), 1);
	assert_int_equal(ack(t, 1), LPI(2));
	eoi(t, 1, LPI(2));
	assert_int_equal(gits_msi(&a, 5, 0), 1);
	assert_int_equal(ack(t, 0), LPI(1));
	eoi(t, 0, LPI(1));
	/* Disabling one ITS leaves the other working. */
	gits_wr(&a, 0, 4, 0);
	assert_int_equal(gits_msi(&a, 5, 0), -EBUSY);
	assert_int_equal(gits_msi(&b, 5, 0), 1);
	tvm_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lpi_reaches_vcpu_with_priority, setup, its_fx_teardown),
		cmocka_unit_test_setup_teardown(test_priorities_order_lpis, setup, its_fx_teardown),
		cmocka_unit_test_setup_teardown(test_mapi_uses_eventid, setup, its_fx_teardown),
		cmocka_unit_test_setup_teardown(test_movi_moves_pending, setup, its_fx_teardown),
		cmocka_unit_test_setup_teardown(test_movall_moves_everything, setup, its_fx_teardown),
		cmocka_unit_test_setup_teardown(test_remapped_collection_moves_lpis, setup, its_fx_teardown),
		cmocka_unit_test_setup_teardown(test_discard_stops, setup, its_fx_teardown),
		cmocka_unit_test_setup_teardown(test_mapd_unmap_stops, setup, its_fx_teardown),
		cmocka_unit_test_setup_teardown(test_inv_and_invall_pick_up_config, setup, its_fx_teardown),
		cmocka_unit_test_setup_teardown(test_disabled_lpi_stays_pending, setup, its_fx_teardown),
		cmocka_unit_test_setup_teardown(test_int_and_clear, setup, its_fx_teardown),
		cmocka_unit_test_setup_teardown(test_pending_table_round_trip, setup, its_fx_teardown),
		cmocka_unit_test(test_queue_wraps),
		cmocka_unit_test(test_two_level_device_table),
		cmocka_unit_test(test_device_table_page_sizes),
		cmocka_unit_test(test_two_its),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
