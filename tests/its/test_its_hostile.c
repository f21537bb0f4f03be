/* SPDX-License-Identifier: MIT */
/*
 * A hostile guest: IDs beyond what GITS_TYPER and the tables allow, tables
 * and ITTs outside RAM or on top of each other, bad queue registers, a queue
 * of garbage, wrong-width doorbell writes.  Each has a defined result (the
 * command has no effect, the queue goes on, or the queue stalls) and a count.
 */
#include <stdlib.h>
#include <string.h>

#include "gic/regs.h"
#include "guest_its.h"

static int setup(void **state)
{
	*state = its_fx_new(1, 1, 1, 4);
	return 0;
}

static uint64_t errors(struct its_fx *f)
{
	return gits_stats(&f->g).cmd_errors;
}

/* Each command must fail alone: counted once, nothing mapped, the queue moves on. */
static void test_ids_out_of_range(void **state)
{
	struct its_fx *f = *state;
	struct gits *g = &f->g;
	uint64_t e = errors(f);
	uint64_t mapped = gits_stats(g).mapped_events;

	gits_mapd(g, 0x10000, 4, true);		/* DeviceID beyond Devbits */
	assert_int_equal(errors(f), ++e);
	gits_mapd(g, 8192, 4, true);		/* beyond a one-page Device table */
	assert_int_equal(errors(f), ++e);
	gits_mapd(g, 2, 17, true);		/* more EventID bits than IDbits */
	assert_int_equal(errors(f), ++e);
	gits_mapti(g, 1, 16, LPI(1), 0);	/* EventID beyond the ITT size */
	assert_int_equal(errors(f), ++e);
	gits_mapti(g, 1, 0, 8191, 0);		/* not an LPI */
	assert_int_equal(errors(f), ++e);
	gits_mapti(g, 1, 0, 1u << 16, 0);	/* beyond IDbits */
	assert_int_equal(errors(f), ++e);
	gits_mapti(g, 1, 0, LPI(1), 8192);	/* ICID beyond the Collection table */
	assert_int_equal(errors(f), ++e);
	gits_mapc(g, 1, 2, true);		/* no vCPU 2 */
	assert_int_equal(errors(f), ++e);
	gits_mapc(g, 8192, 0, true);		/* ICID beyond the Collection table */
	assert_int_equal(errors(f), ++e);
	gits_movall(g, 0, 5);
	assert_int_equal(errors(f), ++e);
	gits_mapti(g, 7, 0, LPI(1), 0);		/* unmapped device */
	gits_movi(g, 1, 3, 0);			/* unmapped event */
	gits_discard(g, 1, 3);
	gits_inv(g, 1, 3);
	gits_clear(g, 1, 3);
	gits_invall(g, 9);			/* unmapped collection */
	e += 6;
	assert_int_equal(errors(f), e);
	assert_int_equal(gits_stats(g).mapped_events, mapped);
	/* Remapping a mapped event keeps the old mapping (KVM) and counts it. */
	lpi_prop(f->t, LPI(1), 0x40, true);
	gits_mapti(g, 1, 0, LPI(1), 0);
	gits_mapti(g, 1, 0, LPI(2), 0);
	assert_int_equal(errors(f), ++e);
	assert_int_equal(gits_msi(g, 1, 0), 1);
	assert_int_equal(ack(f->t, 0), LPI(1));
	/* Everything was consumed. */
	assert_int_equal(gits_rd(g, 0x90, 8), gits_rd(g, 0x88, 8));
	/* The VM-wide counters see the same. */
	struct vgic_stats vs;

	assert_int_equal(vgic_vm_get_stats(f->t->vm, &vs), 0);
	assert_int_equal(vs.its_cmd_errors, e);
}

static void test_itt_and_tables_outside_ram(void **state)
{
	struct its_fx *f = *state;
	struct gits *g = &f->g;
	uint64_t e = errors(f), te = gits_stats(g).table_errors;

	/* ITT outside RAM (MAPD word 2 carries ITT_addr[51:8]). */
	gits_cmd(g, 3ULL << 32 | 0x08, 3, 1ULL << 63 | 0x100000000ULL, 0);
	assert_int_equal(errors(f), ++e);
	assert_int_equal(gits_stats(g).table_errors, ++te);
	/* ITT that starts in RAM but runs off its end: 2^16 events x 8 bytes. */
	gits_cmd(g, 3ULL << 32 | 0x08, 15, 1ULL << 63 | (T_RAM + G_RAM_SIZE - 0x100), 0);
	assert_int_equal(errors(f), ++e);
	/* Device table moved outside RAM: MAPD has nowhere to go. */
	gits_wr(g, 0x0, 4, 0);
	gits_wr(g, 0x100, 8, 1ULL << 63 | 2ULL << 8 | 0x200000000ULL);
	gits_wr(g, 0x0, 4, 1);
	gits_mapd(g, 1, 4, true);
	assert_int_equal(errors(f), ++e);
	assert_true(gits_stats(g).table_errors > te);
	/* Two-level table whose level-1 entry points outside RAM. */
	gits_wr(g, 0x0, 4, 0);
	gits_wr(g, 0x100, 8, 1ULL << 63 | 1ULL << 62 | 2ULL << 8 | (T_RAM + G_DEVTBL));
	gits_wr(g, 0x0, 4, 1);
	uint64_t l1 = 1ULL << 63 | 0x300000000ULL;

	memcpy((uint8_t *)f->t->ram + G_DEVTBL, &l1, 8);
	gits_mapd(g, 4, 4, true);
	assert_int_equal(errors(f), ++e);
}

/* LPI property table outside RAM: MAPTI cannot read the LPI's configuration. */
static void test_prop_table_outside_ram(void **state)
{
	struct its_fx *f = *state;
	struct vgic_stats vs;
	uint64_t e = errors(f);

	rdist_wr(f->t, 0, GICR_CTLR, 0);
	assert_int_equal(vgic_mmio_write(f->t->vm, 0, T_REDIST + GICR_PROPBASER, 8,
					 0x100000000ULL | 15), VGIC_MMIO_HANDLED);
	rdist_wr(f->t, 0, GICR_CTLR, 1);
	gits_mapti(&f->g, 1, 0, LPI(3), 0);
	assert_int_equal(errors(f), e + 1);
	assert_int_equal(vgic_vm_get_stats(f->t->vm, &vs), 0);
	assert_true(vs.lpi_table_errors >= 1);
}

/* Tables on top of each other and of the queue: the ITS never writes them, so
 * this works (the guest just gets nonsense if it reads them). */
static void test_overlapping_tables(void **state)
{
	struct tvm *t = its_tvm_new(1, 1);
	struct gits g = { .t = t, .base = T_ITS, .queue = T_RAM + G_QUEUE, .qsize = 0x1000 };
	uint64_t same = 1ULL << 63 | 2ULL << 8 | (T_RAM + G_QUEUE);

	(void)state;
	guest_lpis_on(t);
	gits_wr(&g, 0x100, 8, same);
	gits_wr(&g, 0x108, 8, same);
	gits_wr(&g, 0x80, 8, 1ULL << 63 | (T_RAM + G_QUEUE));
	gits_wr(&g, 0x0, 4, 1);
	gits_mapc(&g, 0, 0, true);
	gits_mapd(&g, 1, 4, true);
	lpi_prop(t, LPI(4), 0x40, true);
	gits_mapti(&g, 1, 2, LPI(4), 0);
	assert_int_equal(gits_stats(&g).cmd_errors, 0);
	assert_int_equal(gits_msi(&g, 1, 2), 1);
	assert_int_equal(ack(t, 0), LPI(4));
	tvm_free(t);
}

/* CBASER.Size 0 is one 4 KiB page: 128 commands, then wrap. */
static void test_cbaser_size_zero(void **state)
{
	struct tvm *t = its_tvm_new(1, 1);
	struct gits g;

	(void)state;
	guest_lpis_on(t);
	gits_init(&g, t, 0, 1, 1);
	assert_int_equal(gits_rd(&g, 0x80, 8) & 0xff, 0);
	for (int i = 0; i < 300; i++)
		gits_sync(&g, 0);
	assert_int_equal(gits_rd(&g, 0x90, 8), (300 * 32) % 4096);
	assert_int_equal(gits_stats(&g).cmds, 300);
	tvm_free(t);
}

static void test_cwriter_abuse(void **state)
{
	struct its_fx *f = *state;
	struct gits *g = &f->g;
	uint64_t bad = gits_stats(g).mmio_bad_access;
	uint64_t creadr = gits_rd(g, 0x90, 8);

	/* Past the end of the (4 KiB) queue: ignored, counted. */
	gits_wr(g, 0x88, 8, 0x1000);
	assert_int_equal(gits_rd(g, 0x88, 8), creadr);
	gits_wr(g, 0x88, 8, 0xfffe0);
	assert_int_equal(gits_rd(g, 0x88, 8), creadr);
	assert_int_equal(gits_stats(g).mmio_bad_access, bad + 2);
	/* Unaligned: truncated to the command boundary, counted. */
	gits_queue(g, 0x05, 0, 0, 0);
	gits_wr(g, 0x88, 8, g->cwriter + 7 * 2);
	assert_int_equal(gits_rd(g, 0x88, 8), g->cwriter);
	assert_int_equal(gits_rd(g, 0x90, 8), g->cwriter);
	assert_int_equal(gits_stats(g).mmio_bad_access, bad + 3);
	/* CREADR is read-only to the guest. */
	gits_wr(g, 0x90, 8, 0);
	assert_int_equal(gits_rd(g, 0x90, 8), g->cwriter);
}

/* A queue of random bytes: every command is consumed in one CWRITER write. */
static void test_queue_of_garbage(void **state)
{
	struct tvm *t = its_tvm_new(2, 1);
	struct gits g;
	uint8_t *q;
	struct vgic_its_stats st;

	(void)state;
	guest_lpis_on(t);
	gits_init(&g, t, 0, 1, 16);
	q = (uint8_t *)t->ram + (g.queue - T_RAM);
	srand(1234);
	for (size_t i = 0; i < g.qsize; i++)
		q[i] = (uint8_t)rand();
	/* The furthest CWRITER can be from CREADR: the whole queue but one slot. */
	gits_wr(&g, 0x88, 8, g.qsize - 32);
	assert_int_equal(gits_rd(&g, 0x90, 8), g.qsize - 32);
	st = gits_stats(&g);
	assert_int_equal(st.cmds, g.qsize / 32 - 1);
	assert_true(st.cmd_unknown > 0);
	assert_true(st.cmd_errors >= st.cmd_unknown);
	/* The ITS still works afterwards. */
	g.cwriter = g.qsize - 32;
	gits_mapc(&g, 0, 0, true);
	gits_mapd(&g, 1, 4, true);
	lpi_prop(t, LPI(1), 0x40, true);
	gits_mapti(&g, 1, 1, LPI(1), 0);
	assert_int_equal(gits_msi(&g, 1, 1), 1);
	tvm_free(t);
}

/* A queue the ITS cannot read stalls (CREADR.Stalled); Retry resumes it. */
static void test_unreadable_queue_stalls(void **state)
{
	struct tvm *t = its_tvm_new(1, 1);
	struct gits g = { .t = t, .base = T_ITS };

	(void)state;
	gits_wr(&g, 0x100, 8, 1ULL << 63 | 2ULL << 8 | (T_RAM + G_DEVTBL));
	gits_wr(&g, 0x108, 8, 1ULL << 63 | 2ULL << 8 | (T_RAM + G_COLLTBL));
	gits_wr(&g, 0x80, 8, 1ULL << 63 | 0x200000000ULL);
	gits_wr(&g, 0x0, 4, 1);
	gits_wr(&g, 0x88, 8, 64);
	assert_int_equal(gits_rd(&g, 0x90, 8), 1);		/* offset 0, Stalled */
	assert_int_equal(gits_rd(&g, 0x0, 4) >> 31, 0);	/* not quiescent */
	assert_int_equal(gits_stats(&g).cmd_stalls, 1);
	/* A plain CWRITER write does not resume; one with Retry tries again. */
	gits_wr(&g, 0x88, 8, 96);
	assert_int_equal(gits_stats(&g).cmd_stalls, 1);
	gits_wr(&g, 0x88, 8, 96 | 1);
	assert_int_equal(gits_stats(&g).cmd_stalls, 2);
	/* The guest fixes CBASER (ITS disabled): the queue restarts empty. */
	gits_wr(&g, 0x0, 4, 0);
	gits_wr(&g, 0x80, 8, 1ULL << 63 | (T_RAM + G_QUEUE));
	assert_int_equal(gits_rd(&g, 0x90, 8), 0);
	gits_wr(&g, 0x0, 4, 1);
	g.queue = T_RAM + G_QUEUE;
	g.qsize = 0x1000;
	gits_sync(&g, 0);
	assert_int_equal(gits_rd(&g, 0x90, 8), 32);
	tvm_free(t);
}

/*
 * A queue of commands that each touch every mapped event (MAPC moving a
 * collection) is not run to the end inside one register access: the work
 * per access is bounded, and a guest polling CREADR sees it complete.
 */
static void test_expensive_queue_is_chunked(void **state)
{
	struct tvm *t = its_tvm_new(2, 1);
	struct gits g;
	unsigned int polls = 0;
	uint64_t creadr;

	(void)state;
	guest_lpis_on(t);
	gits_init(&g, t, 0, 1, 256);
	gits_mapc(&g, 0, 0, true);
	for (uint32_t d = 0; d < 64; d++) {
		gits_mapd(&g, d, 6, true);
		for (uint32_t ev = 0; ev < 64; ev++)
			gits_queue(&g, (uint64_t)d << 32 | 0x0a,
				   (uint64_t)LPI(d * 64 + ev) << 32 | ev, 0, 0);
		gits_kick(&g);
	}
	assert_int_equal(gits_stats(&g).mapped_events, 4096);
	/* 2000 MAPCs bouncing collection 0 between the vCPUs: 4096 events each. */
	for (uint32_t i = 0; i < 2000; i++)
		gits_queue(&g, 0x09, 0, 1ULL << 63 | (uint64_t)((i + 1) & 1) << 16, 0);
	gits_wr(&g, 0x88, 8, g.cwriter);
	assert_int_not_equal(gits_stats(&g).cmds, 2 + 64 * 65 + 2000);	/* not all at once */
	while ((creadr = gits_rd(&g, 0x90, 8)) != g.cwriter && polls < 100000)
		polls++;
	assert_int_equal(creadr, g.cwriter);
	assert_true(polls > 1);
	assert_int_equal(gits_stats(&g).cmd_errors, 0);
	/* The last MAPC (i = 1999) sent collection 0 to vCPU 0. */
	lpi_prop(t, LPI(5), 0x40, true);
	gits_inv(&g, 0, 5);
	assert_int_equal(gits_msi(&g, 0, 5), 1);
	assert_int_equal(ack(t, 0), LPI(5));
	tvm_free(t);
}

/*
 * Host memory is bounded: past 2^18 mapped events per ITS, MAPTI fails
 * (counted) instead of allocating; unmapping makes room again.
 */
static void test_mapped_events_bounded(void **state)
{
	struct tvm *t = its_tvm_new(1, 1);
	const uint32_t limit = 1u << 18, per_dev = 1u << 16;
	struct gits g;

	(void)state;
	guest_lpis_on(t);
	gits_init(&g, t, 0, 1, 256);
	gits_mapc(&g, 0, 0, true);
	for (uint32_t d = 0; d <= limit / per_dev; d++) {
		gits_mapd(&g, d, 16, true);
		for (uint32_t ev = 0; ev < per_dev && d * per_dev + ev <= limit; ev++) {
			/* Events may share an LPI (KVM allows it): one LPI for all. */
			gits_queue(&g, (uint64_t)d << 32 | 0x0a, (uint64_t)LPI(0) << 32 | ev, 0, 0);
			if (g.cwriter % 0x80000 == 0)
				gits_kick(&g);
		}
		gits_kick(&g);
	}
	assert_int_equal(gits_stats(&g).mapped_events, limit);
	assert_int_equal(gits_stats(&g).cmd_errors, 1);
	gits_discard(&g, 0, 0);
	gits_mapti(&g, 4, 0, LPI(0), 0);
	assert_int_equal(gits_stats(&g).mapped_events, limit);
	assert_int_equal(gits_stats(&g).cmd_errors, 1);
	lpi_prop(t, LPI(0), 0x40, true);
	gits_inv(&g, 4, 0);
	assert_int_equal(gits_msi(&g, 4, 0), 1);
	assert_int_equal(gits_msi(&g, 3, 77), 1);
	assert_int_equal(ack(t, 0), LPI(0));
	tvm_free(t);
}

static void test_translater_wrong_width(void **state)
{
	struct its_fx *f = *state;
	struct gits *g = &f->g;
	uint64_t bad = gits_stats(g).mmio_bad_access, msis = gits_stats(g).msis;
	uint64_t v;

	gits_mapd(g, 0, 4, true);
	lpi_prop(f->t, LPI(7), 0x40, true);
	gits_mapti(g, 0, 1, LPI(7), 0);
	assert_int_equal(vgic_mmio_write(f->t->vm, 0, T_ITS + 0x10040, 1, 1), VGIC_MMIO_HANDLED);
	assert_int_equal(vgic_mmio_write(f->t->vm, 0, T_ITS + 0x10040, 8, 1), VGIC_MMIO_HANDLED);
	assert_int_equal(vgic_mmio_write(f->t->vm, 0, T_ITS + 0x10042, 2, 1), VGIC_MMIO_HANDLED);
	assert_int_equal(vgic_mmio_read(f->t->vm, 0, T_ITS + 0x10040, 8, &v), VGIC_MMIO_HANDLED);
	assert_int_equal(gits_stats(g).mmio_bad_access, bad + 4);
	assert_int_equal(gits_stats(g).msis, msis);
	assert_int_equal(ack(f->t, 0), 1023);
	/* Other bad accesses to the control frame: 1-byte, unaligned, unknown offset. */
	assert_int_equal(vgic_mmio_read(f->t->vm, 0, T_ITS + 0x0, 1, &v), VGIC_MMIO_HANDLED);
	assert_int_equal(v, 0);
	assert_int_equal(vgic_mmio_read(f->t->vm, 0, T_ITS + 0x84, 8, &v), VGIC_MMIO_HANDLED);
	assert_int_equal(vgic_mmio_write(f->t->vm, 0, T_ITS + 0x4000, 4, 1), VGIC_MMIO_HANDLED);
	assert_int_equal(gits_stats(g).mmio_bad_access, bad + 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ids_out_of_range, setup, its_fx_teardown),
		cmocka_unit_test_setup_teardown(test_itt_and_tables_outside_ram, setup, its_fx_teardown),
		cmocka_unit_test_setup_teardown(test_prop_table_outside_ram, setup, its_fx_teardown),
		cmocka_unit_test(test_overlapping_tables),
		cmocka_unit_test(test_cbaser_size_zero),
		cmocka_unit_test_setup_teardown(test_cwriter_abuse, setup, its_fx_teardown),
		cmocka_unit_test(test_queue_of_garbage),
		cmocka_unit_test(test_unreadable_queue_stalls),
		cmocka_unit_test(test_expensive_queue_is_chunked),
		cmocka_unit_test(test_mapped_events_bounded),
		cmocka_unit_test_setup_teardown(test_translater_wrong_width, setup, its_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
