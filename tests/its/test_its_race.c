/* SPDX-License-Identifier: MIT */
/*
 * Injection racing with the commands and register writes that change
 * translations: two threads signal MSIs through the translation cache, two
 * vCPU threads acknowledge, and the guest driver remaps, moves, discards,
 * disables the ITS and a redistributor's LPIs under them.  Built to be run
 * under ThreadSanitizer and AddressSanitizer: a cache entry or LPI used after
 * it was freed shows up there; here we check results and the end state.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "gic/regs.h"
#include "guest_its.h"

#define NR_EVENTS	16
#define ROUNDS		400

struct race {
	struct tvm *t;
	struct gits g;
	atomic_bool stop;
	atomic_uint bad_results;
	atomic_uint delivered;
	atomic_uint started;	/* injectors that have delivered (and cached) once */
	uint32_t nr_dev;	/* devices 1..nr_dev, NR_EVENTS each; 0 means device 1 only */
};

static void *injector(void *arg)
{
	struct race *r = arg;
	uint32_t ev = 0, dev = 1;

	while (!atomic_load(&r->stop)) {
		int ret = gits_msi(&r->g, dev, ev);

		if (ret != 0 && ret != 1 && ret != -EBUSY)
			atomic_fetch_add(&r->bad_results, 1);
		if (ret == 1 && atomic_fetch_add(&r->delivered, 1) < 2)
			atomic_fetch_add(&r->started, 1);
		ev = (ev + 1) % NR_EVENTS;
		if (!ev && r->nr_dev)
			dev = dev % r->nr_dev + 1;
	}
	return NULL;
}

struct vcpu_arg {
	struct race *r;
	unsigned int idx;
};

static void *vcpu(void *arg)
{
	struct vcpu_arg *a = arg;
	struct vgic_vm *vm = a->r->t->vm;

	while (!atomic_load(&a->r->stop)) {
		uint64_t intid;

		if (!(vgic_vcpu_pending(vm, a->idx) & VGIC_PENDING_IRQ)) {
			sched_yield();
			continue;
		}
		vgic_sysreg_read(vm, a->idx, ICC_IAR1_EL1, &intid);
		if (intid != 1023 && (intid < LPI(0) || intid >= LPI(256 * NR_EVENTS)))
			atomic_fetch_add(&a->r->bad_results, 1);
		vgic_sysreg_write(vm, a->idx, ICC_EOIR1_EL1, intid);
	}
	return NULL;
}

static void map_all(struct race *r, uint32_t base)
{
	for (uint32_t ev = 0; ev < NR_EVENTS; ev++)
		gits_mapti(&r->g, 1, ev, LPI(base + ev), (uint16_t)(ev & 1));
}

/* One round of the guest driver changing translations under the injectors. */
static void churn(struct race *r, unsigned int round)
{
	struct gits *g = &r->g;
	uint32_t ev = round % NR_EVENTS;

	switch (round % 7) {
	case 0:
		gits_discard(g, 1, ev);
		gits_mapti(g, 1, ev, LPI(NR_EVENTS + ev), 0);
		break;
	case 1:
		gits_movi(g, 1, ev, (uint16_t)(round & 1));
		break;
	case 2:
		gits_mapd(g, 1, 5, false);
		gits_mapd(g, 1, 5, true);
		map_all(r, (round & 1) ? NR_EVENTS : 0);
		break;
	case 3:
		gits_mapc(g, 0, round & 1, true);
		break;
	case 4:
		gits_wr(g, 0x0, 4, 0);
		gits_wr(g, 0x0, 4, 1);
		break;
	case 5:
		gits_movall(g, round & 1, !(round & 1));
		break;
	case 6:
		rdist_wr(r->t, round & 1, GICR_CTLR, 0);
		rdist_wr(r->t, round & 1, GICR_CTLR, 1);
		break;
	}
}

static void test_injection_races_commands(void **state)
{
	struct race r = { 0 };
	pthread_t inj[2], cpu[2];
	struct vcpu_arg va[2];
	struct vgic_its_stats st;

	(void)state;
	r.t = its_tvm_new(2, 1);
	guest_lpis_on(r.t);
	gits_init(&r.g, r.t, 0, 1, 16);
	for (uint32_t i = 0; i < 2 * NR_EVENTS; i++)
		lpi_prop(r.t, LPI(i), 0x40, true);
	gits_mapc(&r.g, 0, 0, true);
	gits_mapc(&r.g, 1, 1, true);
	gits_mapd(&r.g, 1, 5, true);
	map_all(&r, 0);

	for (int i = 0; i < 2; i++) {
		va[i] = (struct vcpu_arg){ &r, (unsigned int)i };
		assert_int_equal(pthread_create(&inj[i], NULL, injector, &r), 0);
		assert_int_equal(pthread_create(&cpu[i], NULL, vcpu, &va[i]), 0);
	}
	/* Not a timing assumption: only that the cache is in use before the churn. */
	while (atomic_load(&r.started) < 2)
		sched_yield();
	for (unsigned int round = 0; round < ROUNDS; round++)
		churn(&r, round);
	atomic_store(&r.stop, true);
	for (int i = 0; i < 2; i++) {
		pthread_join(inj[i], NULL);
		pthread_join(cpu[i], NULL);
	}
	assert_int_equal(atomic_load(&r.bad_results), 0);
	st = gits_stats(&r.g);
	assert_true(st.cache_invalidations > 0);

	/* Afterwards the translations are exactly what the last commands say. */
	gits_mapc(&r.g, 0, 0, true);
	gits_mapc(&r.g, 1, 1, true);
	gits_mapd(&r.g, 1, 5, true);
	map_all(&r, 0);
	for (unsigned int c = 0; c < 2; c++) {
		uint32_t intid;

		while ((intid = ack(r.t, c)) != 1023)
			eoi(r.t, c, intid);	/* what the race left pending */
	}
	for (uint32_t ev = 0; ev < NR_EVENTS; ev++) {
		unsigned int c = ev & 1;

		assert_int_equal(gits_msi(&r.g, 1, ev), 1);
		assert_int_equal(ack(r.t, c), LPI(ev));
		eoi(r.t, c, LPI(ev));
	}
	tvm_free(r.t);
}

/*
 * The translation cache doubles its bucket array while other threads look
 * entries up in it: every lookup must still find the right LPI or miss.
 */
static void test_cache_grows_under_injection(void **state)
{
	(void)state;
	for (int vm = 0; vm < 4; vm++) {
		struct race r = { .nr_dev = 64 };
		pthread_t inj[2], cpu[2];
		struct vcpu_arg va[2];

		r.t = its_tvm_new(2, 1);
		guest_lpis_on(r.t);
		gits_init(&r.g, r.t, 0, 1, 256);
		gits_mapc(&r.g, 0, 0, true);
		gits_mapc(&r.g, 1, 1, true);
		for (uint32_t d = 1; d <= r.nr_dev; d++) {
			gits_mapd(&r.g, d, 5, true);
			for (uint32_t ev = 0; ev < NR_EVENTS; ev++) {
				lpi_prop(r.t, LPI(d * NR_EVENTS + ev), 0x40, true);
				gits_mapti(&r.g, d, ev, LPI(d * NR_EVENTS + ev), (uint16_t)(ev & 1));
			}
		}
		for (int i = 0; i < 2; i++) {
			va[i] = (struct vcpu_arg){ &r, (unsigned int)i };
			assert_int_equal(pthread_create(&inj[i], NULL, injector, &r), 0);
			assert_int_equal(pthread_create(&cpu[i], NULL, vcpu, &va[i]), 0);
		}
		/* Until both injectors went round all 2048 translations twice. */
		while (atomic_load(&r.delivered) < 4 * r.nr_dev * NR_EVENTS)
			sched_yield();
		atomic_store(&r.stop, true);
		for (int i = 0; i < 2; i++) {
			pthread_join(inj[i], NULL);
			pthread_join(cpu[i], NULL);
		}
		assert_int_equal(atomic_load(&r.bad_results), 0);
		assert_true(gits_stats(&r.g).cache_hits > 0);
		for (unsigned int c = 0; c < 2; c++) {
			uint32_t intid;

			while ((intid = ack(r.t, c)) != 1023)
				eoi(r.t, c, intid);
		}
		/* Every translation still answers exactly. */
		for (uint32_t d = 1; d <= r.nr_dev; d += 7) {
			assert_int_equal(gits_msi(&r.g, d, 3), 1);
			assert_int_equal(ack(r.t, 1), LPI(d * NR_EVENTS + 3));
			eoi(r.t, 1, LPI(d * NR_EVENTS + 3));
		}
		tvm_free(r.t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_injection_races_commands),
		cmocka_unit_test(test_cache_grows_under_injection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
