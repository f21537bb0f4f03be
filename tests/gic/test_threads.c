/* SPDX-License-Identifier: MIT */
/*
 * Injection from many threads while other threads play the vCPUs' CPU
 * interfaces.  Every raise must be acknowledged exactly once: a producer only
 * re-raises an INTID after its previous raise was acknowledged (edge
 * interrupts coalesce while pending, so anything else could not be counted).
 * Consumers sleep until kicked, so a missing kick shows up as a vCPU that had
 * work and was not told.  Bounded iteration counts; also run under TSan.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "guest_fuzz.h"

#define NR_VCPUS	4
#define NR_PRODUCERS	3
#define RAISES		3000	/* per producer */
#define EDGE_SPI_BASE	32
#define NR_EDGE_SPIS	48
#define LEVEL_SPI_BASE	96
#define NR_LEVEL_SPIS	12
#define WAIT_MS		20
#define CONFIRM_MS	2000	/* see consumer_main: not a speed check */
#define DRAIN_ROUNDS	3000	/* of WAIT_MS: a hang guard, not a speed check */

struct vcpu_wait {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned long seq;		/* kicks seen; under lock */
};

struct world {
	struct tvm *t;
	struct vcpu_wait wait[NR_VCPUS];
	/* 1 from just before a raise until the consumer has acknowledged it. */
	atomic_uint inflight_spi[1024];
	atomic_uint inflight_sgi[NR_VCPUS][GIC_NR_SGIS];
	atomic_ulong raised, acked;
	atomic_ulong bogus;		/* acks of something not in flight */
	atomic_ulong lost_kicks;	/* work found only by a timed-out wait */
	atomic_ulong errors;		/* library calls that failed in a worker */
	atomic_bool stop;
	bool with_sgis, with_edge, with_level;
};

struct producer {
	struct world *w;
	unsigned int id;
	uint64_t seed;
};

/* cmocka's asserts must stay on the test's own thread: workers count instead. */
#define CHECK(w, expr) \
	do { \
		if (!(expr)) \
			atomic_fetch_add(&(w)->errors, 1); \
	} while (0)

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void kick(void *opaque, unsigned int vcpu)
{
	struct world *w = opaque;
	struct vcpu_wait *k = &w->wait[vcpu];

	pthread_mutex_lock(&k->lock);
	k->seq++;
	pthread_cond_broadcast(&k->cond);
	pthread_mutex_unlock(&k->lock);
}

static bool is_level(uint32_t intid)
{
	return intid >= LEVEL_SPI_BASE && intid < LEVEL_SPI_BASE + NR_LEVEL_SPIS;
}

/* The vCPU's handler: check the ack was expected, clear the source, EOI. */
static void handle(struct world *w, unsigned int vcpu, uint32_t intid)
{
	atomic_uint *flag;

	if (intid < GIC_NR_SGIS)
		flag = &w->inflight_sgi[vcpu][intid];
	else if (intid < 1024)
		flag = &w->inflight_spi[intid];
	else
		flag = NULL;
	/* A level source is quiesced by its handler before it is re-armed. */
	if (is_level(intid))
		CHECK(w, spi_line(w->t, intid, false) == 0);
	if (!flag || atomic_exchange(flag, 0) != 1)
		atomic_fetch_add(&w->bogus, 1);
	else
		atomic_fetch_add(&w->acked, 1);
	CHECK(w, vgic_sysreg_write(w->t->vm, vcpu, ICC_EOIR1_EL1, intid) == 0);
}

/* Sleep until kicked; true if the wait timed out with no kick at all. */
static bool wait_kick(struct vcpu_wait *k, unsigned long seen, atomic_bool *stop, long ms)
{
	struct timespec ts;
	bool timed_out = false;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&k->lock);
	while (k->seq == seen && !atomic_load(stop) && !timed_out)
		timed_out = pthread_cond_timedwait(&k->cond, &k->lock, &ts) != 0;
	timed_out = timed_out && k->seq == seen;
	pthread_mutex_unlock(&k->lock);
	return timed_out;
}

struct consumer {
	struct world *w;
	unsigned int vcpu;
};

static void *consumer_main(void *arg)
{
	struct consumer *c = arg;
	struct world *w = c->w;
	struct vcpu_wait *k = &w->wait[c->vcpu];

	while (!atomic_load(&w->stop)) {
		unsigned long seen;
		uint64_t intid;

		pthread_mutex_lock(&k->lock);
		seen = k->seq;
		pthread_mutex_unlock(&k->lock);
		if (vgic_vcpu_pending(w->t->vm, c->vcpu) & VGIC_PENDING_IRQ) {
			CHECK(w, vgic_sysreg_read(w->t->vm, c->vcpu, ICC_IAR1_EL1, &intid) == 0);
			/* Spurious is legal: a producer may have re-routed the SPI. */
			if (intid != VGIC_INTID_SPURIOUS)
				handle(w, c->vcpu, (uint32_t)intid);
			continue;
		}
		/*
		 * Work found after a wait that no kick ended may just have been
		 * made visible an instant before its kick: give that kick ample
		 * time (the library kicks right after the state change).  A
		 * missing kick never comes.
		 */
		if (wait_kick(k, seen, &w->stop, WAIT_MS) &&
		    vgic_vcpu_pending(w->t->vm, c->vcpu) > 0 &&
		    wait_kick(k, seen, &w->stop, CONFIRM_MS))
			atomic_fetch_add(&w->lost_kicks, 1);
	}
	return NULL;
}

/* Claim INTID's in-flight flag; false if its last raise is still unacked. */
static bool claim(atomic_uint *flag)
{
	unsigned int expect = 0;

	return atomic_compare_exchange_strong(flag, &expect, 1);
}

/* Producer @p owns the INTIDs i with i % NR_PRODUCERS == p. */
static uint32_t pick_owned(struct producer *p, uint32_t base, uint32_t count)
{
	uint32_t per = count / NR_PRODUCERS;

	return base + (uint32_t)(rng(&p->seed) % per) * NR_PRODUCERS + p->id;
}

static bool raise_edge_spi(struct producer *p)
{
	struct world *w = p->w;
	uint32_t intid = pick_owned(p, EDGE_SPI_BASE, NR_EDGE_SPIS);
	unsigned int target = rng(&p->seed) % NR_VCPUS;

	if (!claim(&w->inflight_spi[intid]))
		return false;
	/* Route it to a random vCPU first (it may still be active elsewhere). */
	CHECK(w, vgic_mmio_write(w->t->vm, target, T_DIST + GICD_IROUTER + 8 * intid, 8,
				 vgic_vcpu_mpidr(w->t->vm, target)) == VGIC_MMIO_HANDLED);
	atomic_fetch_add(&w->raised, 1);
	CHECK(w, spi_line(w->t, intid, true) == 0);
	return true;
}

static bool raise_level_spi(struct producer *p)
{
	struct world *w = p->w;
	uint32_t intid = pick_owned(p, LEVEL_SPI_BASE, NR_LEVEL_SPIS);

	if (!claim(&w->inflight_spi[intid]))
		return false;
	atomic_fetch_add(&w->raised, 1);
	CHECK(w, spi_line(w->t, intid, true) == 0);
	return true;
}

static bool raise_sgi(struct producer *p)
{
	struct world *w = p->w;
	unsigned int target = rng(&p->seed) % NR_VCPUS;
	unsigned int sender = rng(&p->seed) % NR_VCPUS;
	uint32_t sgi = pick_owned(p, 0, GIC_NR_SGIS - GIC_NR_SGIS % NR_PRODUCERS);
	uint64_t mpidr = vgic_vcpu_mpidr(w->t->vm, target);

	if (!claim(&w->inflight_sgi[target][sgi]))
		return false;
	atomic_fetch_add(&w->raised, 1);
	CHECK(w, vgic_sysreg_write(w->t->vm, sender, ICC_SGI1R_EL1,
				   sgir(sgi, (mpidr >> 8) & 0xff, 1u << (mpidr & 0xf))) == 0);
	return true;
}

static void *producer_main(void *arg)
{
	struct producer *p = arg;
	struct world *w = p->w;
	unsigned int done = 0;

	while (done < RAISES) {
		bool ok = false;

		switch (rng(&p->seed) % 4) {
		case 0:
		case 1:
			ok = w->with_edge && raise_edge_spi(p);
			break;
		case 2:
			ok = w->with_sgis && raise_sgi(p);
			break;
		default:
			ok = w->with_level && raise_level_spi(p);
			break;
		}
		if (ok)
			done++;
		else
			sched_yield();
	}
	return NULL;
}

static struct world *world_new(void)
{
	struct world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	w->t = tvm_new(NR_VCPUS, 128, 0);
	guest_enable(w->t);
	for (unsigned int v = 0; v < NR_VCPUS; v++) {
		pthread_mutex_init(&w->wait[v].lock, NULL);
		pthread_cond_init(&w->wait[v].cond, NULL);
		assert_int_equal(vgic_vcpu_set_kick(w->t->vm, v, kick, w), 0);
	}
	for (uint32_t i = EDGE_SPI_BASE; i < EDGE_SPI_BASE + NR_EDGE_SPIS; i++)
		enable_irq(w->t, 0, i);
	for (uint32_t i = LEVEL_SPI_BASE; i < LEVEL_SPI_BASE + NR_LEVEL_SPIS; i++) {
		uint32_t cfg = GICD_ICFGR + (i / 16) * 4;

		dist_wr(w->t, cfg, dist_rd(w->t, cfg) & ~(GIC_ICFG_EDGE << (2 * (i % 16))));
		/* Spread the level lines over the vCPUs once, statically. */
		gicd_wr(w->t, GICD_IROUTER + 8 * i, 8, vgic_vcpu_mpidr(w->t->vm, i % NR_VCPUS));
		enable_irq(w->t, 0, i);
	}
	return w;
}

static void world_free(struct world *w)
{
	tvm_free(w->t);
	for (unsigned int v = 0; v < NR_VCPUS; v++) {
		pthread_mutex_destroy(&w->wait[v].lock);
		pthread_cond_destroy(&w->wait[v].cond);
	}
	free(w);
}

static void run(struct world *w)
{
	pthread_t cons[NR_VCPUS], prod[NR_PRODUCERS];
	struct consumer cargs[NR_VCPUS];
	struct producer pargs[NR_PRODUCERS];
	unsigned int rounds = 0;

	for (unsigned int v = 0; v < NR_VCPUS; v++) {
		cargs[v] = (struct consumer){ .w = w, .vcpu = v };
		assert_int_equal(pthread_create(&cons[v], NULL, consumer_main, &cargs[v]), 0);
	}
	for (unsigned int p = 0; p < NR_PRODUCERS; p++) {
		pargs[p] = (struct producer){ .w = w, .id = p, .seed = 0x1234567ULL * (p + 1) };
		assert_int_equal(pthread_create(&prod[p], NULL, producer_main, &pargs[p]), 0);
	}
	for (unsigned int p = 0; p < NR_PRODUCERS; p++)
		pthread_join(prod[p], NULL);
	/* Let the consumers drain what is still in flight. */
	while (atomic_load(&w->acked) + atomic_load(&w->bogus) < atomic_load(&w->raised) &&
	       rounds++ < DRAIN_ROUNDS)
		nanosleep(&(struct timespec){ .tv_nsec = WAIT_MS * 1000000L }, NULL);
	atomic_store(&w->stop, true);
	for (unsigned int v = 0; v < NR_VCPUS; v++) {
		kick(w, v);
		pthread_join(cons[v], NULL);
	}
	if (atomic_load(&w->acked) != atomic_load(&w->raised))
		print_error("raised %lu acked %lu bogus %lu\n", atomic_load(&w->raised),
			    atomic_load(&w->acked), atomic_load(&w->bogus));
	assert_int_equal(atomic_load(&w->raised), (unsigned long)NR_PRODUCERS * RAISES);
	assert_int_equal(atomic_load(&w->acked), atomic_load(&w->raised));
	assert_int_equal(atomic_load(&w->bogus), 0);
	assert_int_equal(atomic_load(&w->lost_kicks), 0);
	assert_int_equal(atomic_load(&w->errors), 0);
}

/* Nothing left pending or active anywhere, and the CPU interfaces are idle. */
static void check_quiet(struct world *w)
{
	for (uint32_t word = 1; word < 4; word++) {
		assert_int_equal(dist_rd(w->t, GICD_ISPENDR + 4 * word), 0);
		assert_int_equal(dist_rd(w->t, GICD_ISACTIVER + 4 * word), 0);
	}
	for (unsigned int v = 0; v < NR_VCPUS; v++) {
		assert_int_equal(rdist_rd(w->t, v, GICR_ISPENDR0), 0);
		assert_int_equal(rdist_rd(w->t, v, GICR_ISACTIVER0), 0);
		assert_int_equal(vgic_vcpu_pending(w->t->vm, v), 0);
		assert_int_equal(icc_rd(w->t, v, ICC_RPR_EL1), 0xff);
	}
	assert_true(tvm_stats(w->t).irqs_injected >= atomic_load(&w->raised));
}

static void mixed_edge_spis_and_sgis(void **state)
{
	struct world *w = world_new();

	(void)state;
	w->with_edge = w->with_sgis = true;
	run(w);
	check_quiet(w);
	world_free(w);
}

static void level_spis(void **state)
{
	struct world *w = world_new();

	(void)state;
	w->with_level = true;
	run(w);
	check_quiet(w);
	world_free(w);
}

static void everything_at_once(void **state)
{
	struct world *w = world_new();

	(void)state;
	w->with_edge = w->with_sgis = w->with_level = true;
	run(w);
	check_quiet(w);
	world_free(w);
}

/*
 * Every vCPU thread plays a random guest at once (any register, any width,
 * its own ICC registers, SGIs, lines) while another thread drives lines:
 * no deadlock, no race (TSan), and the GIC still works afterwards.
 */
#define FUZZ_STEPS	8000

struct fuzzer {
	struct world *w;
	unsigned int vcpu;
	uint64_t seed;
};

static void *fuzzer_main(void *arg)
{
	struct fuzzer *f = arg;
	struct world *w = f->w;

	for (unsigned int i = 0; i < FUZZ_STEPS; i++) {
		CHECK(w, fuzz_mmio(w->t->vm, NR_VCPUS, f->vcpu, &f->seed));
		CHECK(w, fuzz_sysreg(w->t->vm, f->vcpu, &f->seed));
		if (i % 8 == 0)
			CHECK(w, vgic_vcpu_pending(w->t->vm, f->vcpu) >= 0);
	}
	return NULL;
}

static void *line_driver_main(void *arg)
{
	struct fuzzer *f = arg;
	struct world *w = f->w;

	for (unsigned int i = 0; i < FUZZ_STEPS; i++) {
		uint64_t r = fuzz_rng(&f->seed);
		bool level = r & 1;

		if (r & 2)
			CHECK(w, spi_line(w->t, 32 + (r >> 8) % 96, level) == 0);
		else
			CHECK(w, ppi_line(w->t, (r >> 8) % NR_VCPUS, 16 + (r >> 16) % 16, level) == 0);
	}
	return NULL;
}

static void concurrent_random_guests(void **state)
{
	struct world *w = world_new();
	pthread_t th[NR_VCPUS + 1];
	struct fuzzer f[NR_VCPUS + 1];

	(void)state;
	for (unsigned int v = 0; v <= NR_VCPUS; v++) {
		f[v] = (struct fuzzer){ .w = w, .vcpu = v, .seed = 0xabcdefULL * (v + 1) };
		assert_int_equal(pthread_create(&th[v], NULL,
						v < NR_VCPUS ? fuzzer_main : line_driver_main, &f[v]), 0);
	}
	for (unsigned int v = 0; v <= NR_VCPUS; v++)
		pthread_join(th[v], NULL);
	assert_int_equal(atomic_load(&w->errors), 0);
	fuzz_guest_reset(w->t);
	fuzz_normal_cycle(w->t);
	world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mixed_edge_spis_and_sgis),
		cmocka_unit_test(level_spis),
		cmocka_unit_test(everything_at_once),
		cmocka_unit_test(concurrent_random_guests),
	};

	return cmocka_run_group_tests_name("threads", tests, NULL, NULL);
}
