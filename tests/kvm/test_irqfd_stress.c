/* SPDX-License-Identifier: MIT */
/*
 * irqfd under concurrency (run under ThreadSanitizer too):
 *  - producers signal irqfds on SPI and MSI routes that stay valid, each
 *    waiting for its interrupt to be taken before signalling again, so every
 *    signal must be delivered exactly once (an edge per signal), while the
 *    guest keeps moving the MSIs' events between vCPUs with ITS MOVI;
 *  - one producer hammers two GSIs whose routes a router thread keeps
 *    flipping, one between two SPIs, one between two ITS events; after each
 *    update returns, the old target must never become pending again;
 *  - a device on a level SPI with a resamplefd re-asserts only after each
 *    resample, racing the guest's EOIs;
 *  - vCPU threads acknowledge and EOI as a guest would;
 *  - another thread keeps unbinding and rebinding an irqfd that is being
 *    signalled;
 *  - a VM is destroyed while producers are still writing.
 * Bounded in iterations, and every wait in time.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "guest_its.h"
#include "kvm_test.h"

#define NR_VCPUS	2
#define NR_SPI		3		/* producers on SPI routes that stay valid */
#define NR_MSI		2		/* and on MSI routes */
#define RES_IDX		(NR_SPI + NR_MSI)	/* the resampled level SPI */
#define NR_STABLE	(RES_IDX + 1)
#define RES_GSI		210
#define RES_PIN		30		/* INTID 62, level, on vCPU 1 */
#define MSI_DEV		2
#define MSI_LPI(j)	LPI(10 + (j))	/* event j of MSI_DEV */
#define MSI_GSI(j)	(150 + (j))
#define REMAPS		2000		/* MOVI commands at most */
#define ROUNDS		600		/* signals per stable producer */
#define FLIPS		300		/* routing updates at most */
#define STABLE_PIN(i)	(4 + (i))	/* GSI 100 + i -> SPI 36 + i */
#define STABLE_GSI(i)	(100 + (i))
#define FLIP_GSI	200
#define FLIP_PIN_A	20		/* INTID 52 */
#define FLIP_PIN_B	21		/* INTID 53 */
#define FLIP_MSI_GSI	201
#define FLIP_EV_A	2		/* events of MSI_DEV not remapped, on vCPU 0 */
#define FLIP_EV_B	3
#define FLIP_LPI(ev)	LPI(20 + (ev))

struct stress {
	struct tvm *t;
	int efd[NR_STABLE];
	int flip_efd;
	int flip_msi_efd;
	int resamplefd;
	atomic_uint delivered[NR_STABLE];
	atomic_uint written[NR_STABLE];
	atomic_uint flip_delivered;
	atomic_uint over_delivered;	/* more interrupts than signals */
	atomic_uint stale;		/* an old target fired after its update */
	atomic_uint timeouts;
	atomic_bool stop;
	atomic_int stale_intid;		/* the flip SPI retired last, or -1 */
	atomic_int stale_lpi;		/* the flip LPI retired last, or -1 */
	pthread_mutex_t its_lock;	/* one guest thread at a time on the ITS queue */
	atomic_uint remaps;
	struct gits g;
	pthread_mutex_t vcpu_lock[NR_VCPUS];	/* held from IAR to EOI */
};

static void *vcpu_main(void *arg);

struct vcpu_arg {
	struct stress *s;
	unsigned int idx;
};

static int intid_to_stable(uint32_t intid)
{
	int i = (int)intid - 32 - STABLE_PIN(0);
	int j = (int)intid - (int)MSI_LPI(0);

	if (i >= 0 && i < NR_SPI)
		return i;
	if (intid == 32 + RES_PIN)
		return RES_IDX;
	return j >= 0 && j < NR_MSI ? NR_SPI + j : -1;
}

static void take(struct stress *s, uint32_t intid)
{
	int i = intid_to_stable(intid);

	if (i >= 0) {
		unsigned int d = atomic_fetch_add(&s->delivered[i], 1) + 1;

		if (d > atomic_load(&s->written[i]))
			atomic_fetch_add(&s->over_delivered, 1);
		return;
	}
	if ((int)intid == atomic_load(&s->stale_intid) || (int)intid == atomic_load(&s->stale_lpi))
		atomic_fetch_add(&s->stale, 1);
	atomic_fetch_add(&s->flip_delivered, 1);
}

static void *vcpu_main(void *arg)
{
	struct vcpu_arg *a = arg;
	struct stress *s = a->s;

	while (!atomic_load(&s->stop)) {
		uint64_t intid;

		pthread_mutex_lock(&s->vcpu_lock[a->idx]);
		vgic_sysreg_read(s->t->vm, a->idx, ICC_IAR1_EL1, &intid);
		if (intid != 1023) {
			take(s, (uint32_t)intid);
			vgic_sysreg_write(s->t->vm, a->idx, ICC_EOIR1_EL1, intid);
		}
		pthread_mutex_unlock(&s->vcpu_lock[a->idx]);
		if (intid == 1023)
			sched_yield();
	}
	return NULL;
}

struct producer_arg {
	struct stress *s;
	int idx;
};

/* A level-triggered device waits for the resample before it re-asserts. */
static bool wait_resample(struct stress *s)
{
	struct pollfd pfd = { .fd = s->resamplefd, .events = POLLIN };
	uint64_t v;

	if (poll(&pfd, 1, (int)(WAIT_LIMIT_NS / 1000000)) != 1)
		return false;
	return read(s->resamplefd, &v, sizeof(v)) == sizeof(v);
}

/* Signal, then wait for the interrupt to be taken: nothing may coalesce. */
static void *stable_main(void *arg)
{
	struct producer_arg *p = arg;
	struct stress *s = p->s;

	for (unsigned int k = 1; k <= ROUNDS; k++) {
		uint64_t one = 1, end = now_ns() + WAIT_LIMIT_NS;

		atomic_store(&s->written[p->idx], k);
		if (write(s->efd[p->idx], &one, sizeof(one)) != sizeof(one))
			break;
		if (p->idx == RES_IDX && !wait_resample(s)) {
			atomic_fetch_add(&s->timeouts, 1);
			return NULL;
		}
		while (atomic_load(&s->delivered[p->idx]) < k) {
			if (now_ns() > end) {
				atomic_fetch_add(&s->timeouts, 1);
				return NULL;
			}
			sched_yield();
		}
	}
	return NULL;
}

static void *flip_producer_main(void *arg)
{
	struct stress *s = arg;
	uint64_t one = 1;

	while (!atomic_load(&s->stop)) {
		if (write(s->flip_efd, &one, sizeof(one)) != sizeof(one) ||
		    write(s->flip_msi_efd, &one, sizeof(one)) != sizeof(one))
			break;
		sched_yield();
	}
	return NULL;
}

/* The guest side: move every MSI event to the other vCPU, over and over. */
static void *remap_main(void *arg)
{
	struct stress *s = arg;

	for (unsigned int k = 0; k < REMAPS && !atomic_load(&s->stop); k++) {
		pthread_mutex_lock(&s->its_lock);
		gits_movi(&s->g, MSI_DEV, k % NR_MSI, (uint16_t)((k / NR_MSI + 1) % NR_VCPUS));
		pthread_mutex_unlock(&s->its_lock);
		atomic_fetch_add(&s->remaps, 1);
		sched_yield();
	}
	return NULL;
}

static uint32_t stable_gsi(int i)
{
	if (i == RES_IDX)
		return RES_GSI;
	return i < NR_SPI ? STABLE_GSI(i) : MSI_GSI(i - NR_SPI);
}

static void set_table(struct stress *s, uint32_t flip_pin, uint32_t flip_ev)
{
	struct vgic_irq_route r[NR_STABLE + 2];

	r[RES_IDX] = route_spi(RES_GSI, RES_PIN);
	for (int i = 0; i < NR_SPI; i++)
		r[i] = route_spi(STABLE_GSI(i), STABLE_PIN(i));
	for (int j = 0; j < NR_MSI; j++)
		r[NR_SPI + j] = route_msi(MSI_GSI(j), T_ITS + VGIC_ITS_TRANSLATER, (uint32_t)j,
					  MSI_DEV);
	r[NR_STABLE] = route_spi(FLIP_GSI, flip_pin);
	r[NR_STABLE + 1] = route_msi(FLIP_MSI_GSI, T_ITS + VGIC_ITS_TRANSLATER, flip_ev, MSI_DEV);
	assert_int_equal(vgic_set_gsi_routing(s->t->vm, r, NR_STABLE + 2), 0);
}

/* Two vCPUs, an ITS with MSI_DEV's events mapped to LPIs on vCPU 0. */
static struct tvm *stress_vm(struct gits *g)
{
	struct tvm *t = its_tvm_new(NR_VCPUS, 1);

	guest_lpis_on(t);
	gits_init(g, t, 0, 1, 16);
	gits_mapd(g, MSI_DEV, 4, true);
	for (uint16_t c = 0; c < NR_VCPUS; c++)
		gits_mapc(g, c, c, true);
	for (uint32_t j = 0; j < NR_MSI; j++) {
		lpi_prop(t, MSI_LPI(j), 0xa0, true);
		gits_mapti(g, MSI_DEV, j, MSI_LPI(j), 0);
	}
	for (uint32_t ev = FLIP_EV_A; ev <= FLIP_EV_B; ev++) {
		lpi_prop(t, FLIP_LPI(ev), 0xa0, true);
		gits_mapti(g, MSI_DEV, ev, FLIP_LPI(ev), 0);
	}
	return t;
}

/*
 * After an update to @now returns, the SPI @old may only be pending from
 * before.  Clear that under vCPU 0's lock (the flip SPIs target it, and its
 * thread holds the lock from IAR to EOI), then call any later @old a stale
 * delivery.
 */
static void retire(struct stress *s, uint32_t old)
{
	pthread_mutex_lock(&s->vcpu_lock[0]);
	spi_clear_pending(s->t, 32 + old);
	atomic_store(&s->stale_intid, (int)(32 + old));
	pthread_mutex_unlock(&s->vcpu_lock[0]);
}

/* The same for the event @old_ev: its LPI is cleared with the ITS CLEAR
 * command, as a guest would. */
static void retire_event(struct stress *s, uint32_t old_ev)
{
	pthread_mutex_lock(&s->its_lock);
	pthread_mutex_lock(&s->vcpu_lock[0]);
	gits_clear(&s->g, MSI_DEV, old_ev);
	atomic_store(&s->stale_lpi, (int)FLIP_LPI(old_ev));
	pthread_mutex_unlock(&s->vcpu_lock[0]);
	pthread_mutex_unlock(&s->its_lock);
}

static bool stable_done(struct stress *s)
{
	for (int i = 0; i < NR_STABLE; i++)
		if (atomic_load(&s->delivered[i]) < ROUNDS)
			return false;
	return true;
}

static void test_stable_and_flipping_routes(void **state)
{
	struct stress *s = calloc(1, sizeof(*s));
	pthread_t vcpus[NR_VCPUS], prod[NR_STABLE], flipper, remapper;
	struct vcpu_arg va[NR_VCPUS];
	struct producer_arg pa[NR_STABLE];
	uint32_t flip = FLIP_PIN_A, flip_ev = FLIP_EV_A;
	unsigned int flips = 0;

	(void)state;
	s->t = stress_vm(&s->g);
	atomic_init(&s->stale_intid, -1);
	atomic_init(&s->stale_lpi, -1);
	pthread_mutex_init(&s->its_lock, NULL);
	for (int i = 0; i < NR_VCPUS; i++)
		pthread_mutex_init(&s->vcpu_lock[i], NULL);
	for (int i = 0; i < NR_STABLE; i++) {
		uint32_t intid = 32 + STABLE_PIN(i);

		if (i < NR_SPI) {
			enable_irq(s->t, 0, intid);
			/* Spread them over both vCPUs (GICD_IROUTER). */
			dist_wr(s->t, GICD_IROUTER + intid * 8, i % NR_VCPUS);
		}
		s->efd[i] = eventfd(0, EFD_CLOEXEC);
		if (i == RES_IDX)
			continue;
		assert_int_equal(vgic_irqfd(s->t->vm, &(struct vgic_irqfd){
					.fd = s->efd[i], .gsi = stable_gsi(i) }), 0);
	}
	spi_set_level_sensitive(s->t, 32 + RES_PIN);
	enable_irq(s->t, 0, 32 + RES_PIN);
	dist_wr(s->t, GICD_IROUTER + (32 + RES_PIN) * 8, 1);
	s->resamplefd = eventfd(0, EFD_CLOEXEC);
	assert_int_equal(vgic_irqfd(s->t->vm, &(struct vgic_irqfd){
				.fd = s->efd[RES_IDX], .gsi = RES_GSI,
				.flags = VGIC_IRQFD_FLAG_RESAMPLE, .resamplefd = s->resamplefd }), 0);
	enable_irq(s->t, 0, 32 + FLIP_PIN_A);
	enable_irq(s->t, 0, 32 + FLIP_PIN_B);
	s->flip_efd = eventfd(0, EFD_CLOEXEC);
	assert_int_equal(vgic_irqfd(s->t->vm, &(struct vgic_irqfd){
				.fd = s->flip_efd, .gsi = FLIP_GSI }), 0);
	s->flip_msi_efd = eventfd(0, EFD_CLOEXEC);
	assert_int_equal(vgic_irqfd(s->t->vm, &(struct vgic_irqfd){
				.fd = s->flip_msi_efd, .gsi = FLIP_MSI_GSI }), 0);
	set_table(s, flip, flip_ev);

	for (int i = 0; i < NR_VCPUS; i++) {
		va[i] = (struct vcpu_arg){ s, (unsigned int)i };
		pthread_create(&vcpus[i], NULL, vcpu_main, &va[i]);
	}
	for (int i = 0; i < NR_STABLE; i++) {
		pa[i] = (struct producer_arg){ s, i };
		pthread_create(&prod[i], NULL, stable_main, &pa[i]);
	}
	pthread_create(&flipper, NULL, flip_producer_main, s);
	pthread_create(&remapper, NULL, remap_main, s);

	/* The router: this thread. */
	while (!stable_done(s) && !atomic_load(&s->timeouts) && flips < FLIPS) {
		uint32_t old = flip, old_ev = flip_ev;

		flip = flip == FLIP_PIN_A ? FLIP_PIN_B : FLIP_PIN_A;
		flip_ev = flip_ev == FLIP_EV_A ? FLIP_EV_B : FLIP_EV_A;
		/* The targets we go back to are no longer stale. */
		atomic_store(&s->stale_intid, -1);
		atomic_store(&s->stale_lpi, -1);
		set_table(s, flip, flip_ev);
		retire(s, old);
		retire_event(s, old_ev);
		/* Hold each table a while: the window in which a stale
		 * injection would show. */
		usleep(300);
		flips++;
	}
	for (int i = 0; i < NR_STABLE; i++)
		pthread_join(prod[i], NULL);
	atomic_store(&s->stop, true);
	pthread_join(flipper, NULL);
	pthread_join(remapper, NULL);
	for (int i = 0; i < NR_VCPUS; i++)
		pthread_join(vcpus[i], NULL);

	print_message("%u routing updates, %u ITS remaps, %u deliveries on the flipping GSIs, "
		      "%u stale\n", flips, atomic_load(&s->remaps),
		      atomic_load(&s->flip_delivered), atomic_load(&s->stale));
	assert_int_equal(atomic_load(&s->timeouts), 0);
	assert_int_equal(atomic_load(&s->over_delivered), 0);
	assert_int_equal(atomic_load(&s->stale), 0);
	for (int i = 0; i < NR_STABLE; i++)
		assert_int_equal(atomic_load(&s->delivered[i]), ROUNDS);
	assert_true(flips > 0);
	assert_true(atomic_load(&s->remaps) > 0);
	/* Every route stayed valid all along: no signal may have been dropped. */
	struct vgic_irqfd_stats st;
	assert_int_equal(vgic_irqfd_get_stats(s->t->vm, &st), 0);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.resamples, ROUNDS);

	tvm_free(s->t);
	for (int i = 0; i < NR_STABLE; i++)
		close(s->efd[i]);
	close(s->flip_efd);
	close(s->flip_msi_efd);
	close(s->resamplefd);
	free(s);
}

/* --- teardown while devices keep signalling --- */

#define SPAM_PRODUCERS	3
#define SPAM_BEFORE	2000		/* writes each before the VM goes */
#define SPAM_AFTER	500		/* and after */

struct spam {
	int efd;
	atomic_uint *written;
};

static void *spam_main(void *arg)
{
	struct spam *p = arg;
	uint64_t one = 1;

	for (unsigned int k = 0; k < SPAM_BEFORE + SPAM_AFTER; k++) {
		if (write(p->efd, &one, sizeof(one)) != sizeof(one))
			break;
		atomic_fetch_add(p->written, 1);
		if (k % 64 == 0)
			sched_yield();
	}
	return NULL;
}

#define CHURNS		200

struct churn {
	struct vgic_vm *vm;
	int efd;
	atomic_uint failures;
};

/* Unbind and rebind an irqfd whose eventfd is being written all along. */
static void *churn_main(void *arg)
{
	struct churn *c = arg;

	for (unsigned int k = 0; k < CHURNS; k++) {
		struct vgic_irqfd a = { .fd = c->efd, .gsi = 1, .flags = VGIC_IRQFD_FLAG_DEASSIGN };

		if (vgic_irqfd(c->vm, &a))
			atomic_fetch_add(&c->failures, 1);
		a.flags = 0;
		if (vgic_irqfd(c->vm, &a))
			atomic_fetch_add(&c->failures, 1);
	}
	return NULL;
}

static void test_destroy_mid_stream(void **state)
{
	int threads = 0;

	(void)state;
	for (unsigned int round = 0; round < 5; round++) {
		struct gits g;
		struct tvm *t = stress_vm(&g);
		pthread_t th[SPAM_PRODUCERS];
		struct spam sp[SPAM_PRODUCERS];
		atomic_uint written;
		int rfd = eventfd(0, EFD_CLOEXEC);

		atomic_init(&written, 0);
		for (int i = 0; i < SPAM_PRODUCERS; i++) {
			struct vgic_irqfd a = { .fd = eventfd(0, EFD_CLOEXEC), .gsi = (uint32_t)i };

			if (i == 0) {
				a.flags = VGIC_IRQFD_FLAG_RESAMPLE;
				a.resamplefd = rfd;
			}
			enable_irq(t, 0, 32 + (uint32_t)i);
			assert_int_equal(vgic_irqfd(t->vm, &a), 0);
			sp[i] = (struct spam){ a.fd, &written };
			pthread_create(&th[i], NULL, spam_main, &sp[i]);
		}
		/* Retarget while they run: GSI 2 becomes an MSI through the ITS. */
		struct vgic_irq_route r[3] = {
			route_spi(0, 5), route_spi(1, 6),
			route_msi(2, T_ITS + VGIC_ITS_TRANSLATER, 0, MSI_DEV),
		};
		assert_int_equal(vgic_set_gsi_routing(t->vm, r, 3), 0);
		gits_movi(&g, MSI_DEV, 0, 1);
		struct churn c = { .vm = t->vm, .efd = sp[1].efd };
		pthread_t churner;

		atomic_init(&c.failures, 0);
		pthread_create(&churner, NULL, churn_main, &c);
		pthread_join(churner, NULL);
		assert_int_equal(atomic_load(&c.failures), 0);
		wait_until(atomic_load(&written) >= SPAM_PRODUCERS * SPAM_BEFORE / 2);
		tvm_free(t);
		for (int i = 0; i < SPAM_PRODUCERS; i++) {
			pthread_join(th[i], NULL);
			close(sp[i].efd);
		}
		close(rfd);
		/* liburcu may start its process-wide call_rcu thread during the
		 * first round; from then on every VM's threads must be gone. */
		if (round == 0)
			threads = thread_count();
		assert_int_equal(thread_count(), threads);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stable_and_flipping_routes),
		cmocka_unit_test(test_destroy_mid_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
