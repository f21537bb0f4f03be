/* SPDX-License-Identifier: MIT */
/*
 * MSIs that hit the translation cache go through the target vCPU's LPI
 * pending bitmap (gic/lpi_pend.c) and are folded into the pending state only
 * when the vCPU looks.  Whatever a command or register write does to an LPI
 * must see such an MSI exactly as if it had been made pending at once, and
 * must leave no bit behind that would swallow a later MSI.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "gic/regs.h"
#include "guest_its.h"

#define DEV	1
#define DEV2	2	/* on the second ITS */
#define NR_EV	256

static int setup(void **state)
{
	struct its_fx *f = its_fx_new(2, 4, DEV, 8);

	for (uint32_t ev = 0; ev < NR_EV; ev++) {
		lpi_prop(f->t, LPI(ev), 0x40, true);
		gits_mapti(&f->g, DEV, ev, LPI(ev), (uint16_t)(ev == 1));
	}
	*state = f;
	return 0;
}

/* Take @intid on @vcpu, which must be what it signals now. */
static void take(struct tvm *t, unsigned int vcpu, uint32_t intid)
{
	assert_int_equal(ack(t, vcpu), intid);
	eoi(t, vcpu, intid);
}

static void nothing_on(struct tvm *t, unsigned int vcpu)
{
	assert_int_equal(vgic_vcpu_pending(t->vm, vcpu), 0);
	assert_int_equal(ack(t, vcpu), 1023);
}

/* One MSI through the slow path caches the translation; the next ones hit it. */
static void warm(struct its_fx *f, uint32_t ev, unsigned int vcpu)
{
	uint64_t misses = gits_stats(&f->g).cache_misses;

	assert_int_equal(gits_msi(&f->g, DEV, ev), 1);
	assert_int_equal(gits_stats(&f->g).cache_misses, misses + 1);
	take(f->t, vcpu, LPI(ev));
}

static void test_cached_msi_is_pending_once(void **state)
{
	struct its_fx *f = *state;

	warm(f, 0, 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(gits_msi(&f->g, DEV, 0), 1);
	assert_int_equal(gits_stats(&f->g).cache_hits, 3);
	assert_int_equal(vgic_vcpu_pending(f->t->vm, 0), VGIC_PENDING_IRQ);
	take(f->t, 0, LPI(0));
	nothing_on(f->t, 0);
	assert_int_equal(gits_msi(&f->g, DEV, 0), 1);
	take(f->t, 0, LPI(0));
}

/* CLEAR of an MSI nobody has looked at yet, and a later MSI still counts. */
static void test_clear_drops_unfolded_msi(void **state)
{
	struct its_fx *f = *state;

	warm(f, 0, 0);
	assert_int_equal(gits_msi(&f->g, DEV, 0), 1);
	gits_clear(&f->g, DEV, 0);
	nothing_on(f->t, 0);
	assert_int_equal(gits_msi(&f->g, DEV, 0), 1);
	take(f->t, 0, LPI(0));
}

/* MOVI carries an unfolded MSI along; moving back leaves no stale bit. */
static void test_movi_takes_unfolded_msi(void **state)
{
	struct its_fx *f = *state;

	warm(f, 0, 0);
	assert_int_equal(gits_msi(&f->g, DEV, 0), 1);
	gits_movi(&f->g, DEV, 0, 1);
	nothing_on(f->t, 0);
	take(f->t, 1, LPI(0));
	gits_movi(&f->g, DEV, 0, 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(gits_msi(&f->g, DEV, 0), 1);	/* miss, then hit */
		take(f->t, 0, LPI(0));
	}
	nothing_on(f->t, 1);
}

/* MOVALL and a MAPC that moves a collection do the same for every LPI. */
static void test_movall_and_mapc_take_unfolded_msis(void **state)
{
	struct its_fx *f = *state;

	warm(f, 0, 0);
	assert_int_equal(gits_msi(&f->g, DEV, 0), 1);
	gits_movall(&f->g, 0, 1);
	nothing_on(f->t, 0);
	take(f->t, 1, LPI(0));
	warm(f, 1, 1);
	assert_int_equal(gits_msi(&f->g, DEV, 1), 1);
	gits_mapc(&f->g, 1, 0, true);			/* collection 1 -> vCPU 0 */
	nothing_on(f->t, 1);
	take(f->t, 0, LPI(1));
}

/* DISCARD then a new mapping of the same LPI: the old MSI is gone. */
static void test_discard_forgets_unfolded_msi(void **state)
{
	struct its_fx *f = *state;

	warm(f, 0, 0);
	assert_int_equal(gits_msi(&f->g, DEV, 0), 1);
	gits_discard(&f->g, DEV, 0);
	gits_mapti(&f->g, DEV, 0, LPI(0), 0);
	nothing_on(f->t, 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(gits_msi(&f->g, DEV, 0), 1);
		take(f->t, 0, LPI(0));
	}
}

/* MAPD V=0 of the device, then mapped again: nothing pending. */
static void test_mapd_unmap_forgets_unfolded_msi(void **state)
{
	struct its_fx *f = *state;

	warm(f, 2, 0);
	assert_int_equal(gits_msi(&f->g, DEV, 2), 1);
	gits_mapd(&f->g, DEV, 8, false);
	gits_mapd(&f->g, DEV, 8, true);
	gits_mapti(&f->g, DEV, 2, LPI(2), 0);
	nothing_on(f->t, 0);
}

/* SAVE_PENDING_TABLES writes an unfolded MSI's pending bit, which stays pending. */
static void test_save_pending_tables_sees_unfolded_msi(void **state)
{
	struct its_fx *f = *state;
	const uint8_t *pend = (const uint8_t *)f->t->ram + G_PEND + G_PEND_STRIDE;
	uint32_t intid = LPI(1);

	warm(f, 1, 1);
	assert_int_equal(gits_msi(&f->g, DEV, 1), 1);
	assert_false(pend[intid / 8] & (1u << (intid % 8)));
	assert_int_equal(vgic_vm_set_attr(f->t->vm, VGIC_GRP_CTRL, VGIC_SAVE_PENDING_TABLES, 0), 0);
	assert_true(pend[intid / 8] & (1u << (intid % 8)));
	take(f->t, 1, intid);
}

/* EnableLPIs 1 -> 0 writes an unfolded MSI back; 0 -> 1 brings it back once. */
static void test_lpis_off_writes_back_unfolded_msi(void **state)
{
	struct its_fx *f = *state;
	const uint8_t *pend = (const uint8_t *)f->t->ram + G_PEND + G_PEND_STRIDE;
	uint32_t intid = LPI(1);

	warm(f, 1, 1);
	assert_int_equal(gits_msi(&f->g, DEV, 1), 1);
	rdist_wr(f->t, 1, GICR_CTLR, 0);
	assert_true(pend[intid / 8] & (1u << (intid % 8)));
	assert_int_equal(gits_msi(&f->g, DEV, 1), 0);
	/* PTZ clear, so that EnableLPIs 0 -> 1 reads the table. */
	assert_int_equal(vgic_mmio_write(f->t->vm, 1, T_REDIST + VGIC_REDIST_SIZE + GICR_PENDBASER,
					 8, T_RAM + G_PEND + G_PEND_STRIDE),
			 VGIC_MMIO_HANDLED);
	rdist_wr(f->t, 1, GICR_CTLR, 1);
	take(f->t, 1, intid);
	nothing_on(f->t, 1);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(gits_msi(&f->g, DEV, 1), 1);
		take(f->t, 1, intid);
	}
}

/* A disabled LPI keeps an MSI pending until INV enables it, then signals it once. */
static void test_disabled_lpi_holds_msi(void **state)
{
	struct its_fx *f = *state;

	warm(f, 0, 0);
	lpi_prop(f->t, LPI(0), 0x40, false);
	gits_inv(&f->g, DEV, 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(gits_msi(&f->g, DEV, 0), 1);
	nothing_on(f->t, 0);
	lpi_prop(f->t, LPI(0), 0x40, true);
	gits_inv(&f->g, DEV, 0);
	take(f->t, 0, LPI(0));
	nothing_on(f->t, 0);
}

/* Many LPIs across the bitmap's words: each signalled once, lowest INTID first. */
static void test_many_lpis_each_once(void **state)
{
	struct its_fx *f = *state;

	for (uint32_t ev = 0; ev < NR_EV; ev++)
		if (ev != 1)
			warm(f, ev, 0);
	for (int round = 0; round < 3; round++)
		for (uint32_t ev = NR_EV; ev-- > 0;)
			if (ev != 1)
				assert_int_equal(gits_msi(&f->g, DEV, ev), 1);
	for (uint32_t ev = 0; ev < NR_EV; ev++)
		if (ev != 1)
			take(f->t, 0, LPI(ev));
	nothing_on(f->t, 0);
}

/*
 * An LPI mapped by two ITSes is one LPI.  MOVI through the first leaves the
 * second's cached translation aimed at the old vCPU; its MSI must still end
 * up pending where the LPI now goes.
 */
static void test_shared_lpi_follows_movi_of_other_its(void **state)
{
	struct its_fx *f = *state;
	struct tvm *t = its_tvm_new(2, 2);
	struct gits a, b;

	(void)f;
	guest_lpis_on(t);
	lpi_prop(t, LPI(7), 0x40, true);
	gits_init(&a, t, 0, 1, 4);
	gits_init(&b, t, 1, 1, 4);
	for (uint16_t c = 0; c < 2; c++) {
		gits_mapc(&a, c, c, true);
		gits_mapc(&b, c, c, true);
	}
	gits_mapd(&a, DEV, 4, true);
	gits_mapd(&b, DEV2, 4, true);
	gits_mapti(&a, DEV, 0, LPI(7), 0);
	gits_mapti(&b, DEV2, 0, LPI(7), 0);
	assert_int_equal(gits_msi(&b, DEV2, 0), 1);	/* caches b's translation */
	take(t, 0, LPI(7));
	gits_movi(&a, DEV, 0, 1);
	assert_int_equal(gits_msi(&b, DEV2, 0), 1);	/* hit, aimed at vCPU 0 */
	nothing_on(t, 0);
	take(t, 1, LPI(7));
	nothing_on(t, 1);
	tvm_free(t);
}

struct sender {
	struct its_fx *f;
	atomic_bool stop;
	atomic_ulong sent, errors;
};

static void *send_loop(void *arg)
{
	struct sender *s = arg;

	while (!atomic_load(&s->stop)) {
		if (gits_msi(&s->f->g, DEV, 0) < 0)
			atomic_fetch_add(&s->errors, 1);
		atomic_fetch_add(&s->sent, 1);
	}
	return NULL;
}

static void drain(struct tvm *t, unsigned int vcpu)
{
	for (uint32_t intid; (intid = (uint32_t)ack(t, vcpu)) != 1023;)
		eoi(t, vcpu, intid);
}

/*
 * A sender hammers one event while the LPI is moved back and forth, cleared
 * and acknowledged on both vCPUs.  However those race, once the sender stops
 * one more MSI must be signalled where the LPI now is: no bit may be left
 * anywhere that swallows it.
 */
static void test_commands_racing_msis_lose_nothing(void **state)
{
	struct its_fx *f = *state;
	struct sender s = { .f = f };
	pthread_t th;

	warm(f, 0, 0);
	assert_int_equal(pthread_create(&th, NULL, send_loop, &s), 0);
	for (int i = 0; i < 300; i++) {
		unsigned long sent = atomic_load(&s.sent);

		gits_movi(&f->g, DEV, 0, (uint16_t)((i + 1) % 2));
		while (atomic_load(&s.sent) == sent)	/* at least one MSI per step */
			sched_yield();
		drain(f->t, (unsigned int)(i % 2));
		if (i % 7 == 0)
			gits_clear(&f->g, DEV, 0);
		drain(f->t, (unsigned int)((i + 1) % 2));
	}
	atomic_store(&s.stop, true);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(atomic_load(&s.errors), 0);
	drain(f->t, 0);
	drain(f->t, 1);
	assert_int_equal(gits_msi(&f->g, DEV, 0), 1);	/* the LPI is on vCPU 0 now */
	take(f->t, 0, LPI(0));
	nothing_on(f->t, 0);
	nothing_on(f->t, 1);
}

/*
 * The same with EnableLPIs going 1 -> 0 -> 1 (and SAVE_PENDING_TABLES) under
 * the stream: whatever was pending goes to the table and comes back, and
 * nothing left in a bitmap swallows the last MSI.
 */
static void test_lpis_toggled_under_msis_lose_nothing(void **state)
{
	struct its_fx *f = *state;
	struct sender s = { .f = f };
	pthread_t th;

	warm(f, 0, 0);
	assert_int_equal(pthread_create(&th, NULL, send_loop, &s), 0);
	for (int i = 0; i < 200; i++) {
		unsigned long sent = atomic_load(&s.sent);

		while (atomic_load(&s.sent) == sent)
			sched_yield();
		if (i % 5 == 0)
			assert_int_equal(vgic_vm_set_attr(f->t->vm, VGIC_GRP_CTRL,
							  VGIC_SAVE_PENDING_TABLES, 0), 0);
		rdist_wr(f->t, 0, GICR_CTLR, 0);
		/* Every other time PTZ: the guest says its table is zero. */
		assert_int_equal(vgic_mmio_write(f->t->vm, 0, T_REDIST + GICR_PENDBASER, 8,
						 (T_RAM + G_PEND) | (i % 2 ? FIELD_MASK(GICR_PENDBASER, PTZ) : 0)),
				 VGIC_MMIO_HANDLED);
		rdist_wr(f->t, 0, GICR_CTLR, 1);
		drain(f->t, 0);
	}
	atomic_store(&s.stop, true);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(atomic_load(&s.errors), 0);
	drain(f->t, 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(gits_msi(&f->g, DEV, 0), 1);	/* miss, then hit */
		take(f->t, 0, LPI(0));
	}
	nothing_on(f->t, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, its_fx_teardown)
		T(test_cached_msi_is_pending_once),
		T(test_clear_drops_unfolded_msi),
		T(test_movi_takes_unfolded_msi),
		T(test_movall_and_mapc_take_unfolded_msis),
		T(test_discard_forgets_unfolded_msi),
		T(test_mapd_unmap_forgets_unfolded_msi),
		T(test_save_pending_tables_sees_unfolded_msi),
		T(test_lpis_off_writes_back_unfolded_msi),
		T(test_disabled_lpi_holds_msi),
		T(test_many_lpis_each_once),
		T(test_shared_lpi_follows_movi_of_other_its),
		T(test_commands_racing_msis_lose_nothing),
		T(test_lpis_toggled_under_msis_lose_nothing),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
