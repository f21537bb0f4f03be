/* SPDX-License-Identifier: MIT */
/*
 * `vgic bench lpi-stress`: many devices raising LPIs at once, in the manner
 * of Linux's vgic_lpi_stress selftest.
 *
 * The guest side (LPI tables, ITS tables, MAPD/MAPC/MAPTI) is set up through
 * MMIO and commands in guest RAM (bench_its.c).  Event e of device d maps to
 * LPI 8192 + (d * EVENTS + e) mod 57344 in collection (d * EVENTS + e) mod
 * VCPUS, so the LPIs spread over every vCPU.  Then one sender thread per
 * device signals each of its events once per iteration with
 * vgic_signal_msi() and its DeviceID, while one thread per vCPU acknowledges
 * through the CPU interface (ICC_IAR1_EL1 then ICC_EOIR1_EL1) and, when
 * nothing is left, waits for the library's kick as a KVM vCPU in WFI does:
 * it polls for up to --halt-poll-ns (KVM's halt_poll_ns, 500 us by default
 * on arm64), then sleeps on a futex that the kick wakes.
 *
 * LPIs/s is devices x events x iterations over the senders' wall time, from
 * the first sender's start to the last one's end.  An
 * LPI signalled again before its vCPU took it stays pending once, as on
 * hardware, so "delivered" (acknowledged) can be below "sent".
 */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vgic/vgic.h>

#include "bench.h"
#include "bench_its.h"
#include "common/bits.h"
#include "common/lock.h"

#define MAX_DEVICES	4096
#define MAX_EVENTS	65536
#define DEFAULT_LPIS	(4u << 20)	/* per run when -i is not given */
#define DEFAULT_POLL_NS	500000		/* KVM_HALT_POLL_NS_DEFAULT on arm64 */
#define POLL_SPINS	64		/* kick checks between two clock reads */

enum vcpu_state { VCPU_RUNNING, VCPU_SLEEPING, VCPU_KICKED };

struct stress_vcpu {
	struct stress *s;
	unsigned int idx;
	pthread_t thread;
	atomic_int state;		/* enum vcpu_state; a futex */
	uint64_t acked;
	uint64_t sleeps;
} __attribute__((aligned(64)));

struct stress_sender {
	struct stress *s;
	uint32_t devid;
	pthread_t thread;
	uint64_t failed;		/* vgic_signal_msi() that did not return 1 */
	uint64_t start_ns, end_ns;
} __attribute__((aligned(64)));

struct stress {
	struct bits_vm *b;
	unsigned int nr_vcpus, nr_devices, nr_events, iterations;
	uint64_t poll_ns;
	atomic_bool done;
	pthread_barrier_t start;
	struct stress_vcpu *vcpus;
	struct stress_sender *senders;
};

static long futex(atomic_int *addr, int op, int val)
{
	return syscall(SYS_futex, addr, op, val, NULL, NULL, 0);
}

/* The library's kick: wake the vCPU only if it went to sleep (kvm_vcpu_kick). */
static void stress_kick(void *opaque, unsigned int vcpu)
{
	struct stress_vcpu *v = &((struct stress *)opaque)->vcpus[vcpu];

	if (atomic_load_explicit(&v->state, memory_order_relaxed) == VCPU_KICKED)
		return;
	if (atomic_exchange(&v->state, VCPU_KICKED) == VCPU_SLEEPING)
		futex(&v->state, FUTEX_WAKE_PRIVATE, 1);
}

static void drain(struct stress_vcpu *v)
{
	struct vgic_vm *vm = v->s->b->vm;
	uint64_t intid;

	for (;;) {
		bits_check(vgic_sysreg_read(vm, v->idx, ICC_IAR1_EL1, &intid), "IAR1");
		if (intid == VGIC_INTID_SPURIOUS)
			return;
		bits_check(vgic_sysreg_write(vm, v->idx, ICC_EOIR1_EL1, intid), "EOIR1");
		v->acked++;
	}
}

/* Halt polling: true if a kick came within s->poll_ns, so there is work. */
static bool halt_poll(struct stress_vcpu *v)
{
	uint64_t end = v->s->poll_ns ? bench_now_ns() + v->s->poll_ns : 0;

	while (end) {
		for (int i = 0; i < POLL_SPINS; i++) {
			if (atomic_load_explicit(&v->state, memory_order_acquire) == VCPU_KICKED)
				return true;
			cpu_relax();
		}
		if (bench_now_ns() >= end)
			break;
	}
	return false;
}

/*
 * Mark ourselves running before looking, so that a kick that comes after the
 * look finds us RUNNING or KICKED and the compare-exchange to SLEEPING fails.
 */
static void *vcpu_main(void *arg)
{
	struct stress_vcpu *v = arg;

	for (;;) {
		bool done = atomic_load(&v->s->done);
		int expect = VCPU_RUNNING;

		atomic_store(&v->state, VCPU_RUNNING);
		drain(v);
		if (done)
			return NULL;	/* every sender had finished before this drain */
		if (halt_poll(v))
			continue;
		if (atomic_compare_exchange_strong(&v->state, &expect, VCPU_SLEEPING)) {
			v->sleeps++;
			while (atomic_load(&v->state) == VCPU_SLEEPING)
				futex(&v->state, FUTEX_WAIT_PRIVATE, VCPU_SLEEPING);
		}
	}
}

static void *sender_main(void *arg)
{
	struct stress_sender *snd = arg;
	struct stress *s = snd->s;
	struct vgic_msi msi = { .address = BITS_DOORBELL, .flags = VGIC_MSI_VALID_DEVID,
				.devid = snd->devid };

	pthread_barrier_wait(&s->start);
	snd->start_ns = bench_now_ns();
	for (unsigned int i = 0; i < s->iterations; i++) {
		for (uint32_t e = 0; e < s->nr_events; e++) {
			msi.data = e;
			if (vgic_signal_msi(s->b->vm, &msi) != 1)
				snd->failed++;
		}
	}
	snd->end_ns = bench_now_ns();
	return NULL;
}

static void map_all(struct stress *s)
{
	for (uint32_t d = 0; d < s->nr_devices; d++) {
		bits_mapd(s->b, d, s->nr_events);
		for (uint32_t e = 0; e < s->nr_events; e++) {
			uint32_t n = (uint32_t)(((uint64_t)d * s->nr_events + e) % BITS_NR_LPIS);

			bits_mapti(s->b, d, e, 8192 + n, (uint16_t)(n % s->nr_vcpus));
		}
	}
	bits_flush(s->b);
}

static void cpuif_on(struct stress *s)
{
	for (unsigned int c = 0; c < s->nr_vcpus; c++) {
		bits_check(vgic_sysreg_write(s->b->vm, c, ICC_PMR_EL1, 0xff), "PMR");
		bits_check(vgic_sysreg_write(s->b->vm, c, ICC_IGRPEN1_EL1, 1), "IGRPEN1");
		bits_check(vgic_vcpu_set_kick(s->b->vm, c, stress_kick, s), "set_kick");
	}
}

struct figures {
	uint64_t sent, delivered, failed, sleeps, kicks;
	uint64_t sender_ns;
};

static struct figures run(struct stress *s)
{
	struct figures f = { 0 };
	struct vgic_stats st;
	uint64_t t0 = UINT64_MAX, t1 = 0;

	pthread_barrier_init(&s->start, NULL, s->nr_devices + 1);
	for (unsigned int c = 0; c < s->nr_vcpus; c++) {
		s->vcpus[c] = (struct stress_vcpu){ .s = s, .idx = c };
		pthread_create(&s->vcpus[c].thread, NULL, vcpu_main, &s->vcpus[c]);
	}
	for (uint32_t d = 0; d < s->nr_devices; d++) {
		s->senders[d] = (struct stress_sender){ .s = s, .devid = d };
		pthread_create(&s->senders[d].thread, NULL, sender_main, &s->senders[d]);
	}
	pthread_barrier_wait(&s->start);
	/* Times from the senders themselves: this thread may get no CPU for a while. */
	for (uint32_t d = 0; d < s->nr_devices; d++) {
		pthread_join(s->senders[d].thread, NULL);
		f.failed += s->senders[d].failed;
		t0 = MIN(t0, s->senders[d].start_ns);
		t1 = MAX(t1, s->senders[d].end_ns);
	}
	f.sender_ns = t1 - t0;
	atomic_store(&s->done, true);
	for (unsigned int c = 0; c < s->nr_vcpus; c++) {
		stress_kick(s, c);
		pthread_join(s->vcpus[c].thread, NULL);
		f.delivered += s->vcpus[c].acked;
		f.sleeps += s->vcpus[c].sleeps;
	}
	pthread_barrier_destroy(&s->start);
	f.sent = (uint64_t)s->nr_devices * s->nr_events * s->iterations;
	bits_check(vgic_vm_get_stats(s->b->vm, &st), "vgic_vm_get_stats");
	f.kicks = st.kicks;
	return f;
}

static void print(const struct stress *s, const struct figures *f, bool json)
{
	double secs = (double)f->sender_ns / 1e9;
	double rate = secs > 0 ? (double)f->sent / secs : 0;

	if (json) {
		printf("{\"bench\":\"lpi-stress\",\"vcpus\":%u,\"devices\":%u,\"events\":%u,"
		       "\"halt_poll_ns\":%llu,\"iterations\":%u,\"sent\":%llu,\"delivered\":%llu,\"failed\":%llu,"
		       "\"sender_ns\":%llu,\"lpis_per_s\":%.0f,\"kicks\":%llu,\"sleeps\":%llu}\n",
		       s->nr_vcpus, s->nr_devices, s->nr_events,
		       (unsigned long long)s->poll_ns, s->iterations, (unsigned long long)f->sent, (unsigned long long)f->delivered,
		       (unsigned long long)f->failed, (unsigned long long)f->sender_ns, rate,
		       (unsigned long long)f->kicks, (unsigned long long)f->sleeps);
		return;
	}
	printf("lpi-stress: %u vCPUs, %u devices x %u events x %u iterations, "
	       "halt polling %llu ns\n", s->nr_vcpus, s->nr_devices, s->nr_events,
	       s->iterations, (unsigned long long)s->poll_ns);
	printf("  sent       %12llu LPIs in %.3f s (senders' wall time)\n",
	       (unsigned long long)f->sent, secs);
	printf("  rate       %12.2f M LPIs/s\n", rate / 1e6);
	printf("  delivered  %12llu acknowledged through ICC_IAR1_EL1 (%.1f%% of sent)\n",
	       (unsigned long long)f->delivered,
	       f->sent ? 100.0 * (double)f->delivered / (double)f->sent : 0);
	printf("  failed     %12llu signals not delivered to a pending state\n",
	       (unsigned long long)f->failed);
	printf("  kicks      %12llu; vCPU sleeps %llu\n", (unsigned long long)f->kicks,
	       (unsigned long long)f->sleeps);
}

static int usage(FILE *out, int ret)
{
	fprintf(out, "usage: vgic bench lpi-stress [-v VCPUS] [-d DEVICES] [-e EVENTS] "
		     "[-i ITERATIONS] [--halt-poll-ns NS] [--json]\n"
		     "  VCPUS 1..%u, DEVICES 1..%u, EVENTS 1..%u (defaults 1, 1, 1;\n"
		     "  ITERATIONS defaults to about %u LPIs in all);\n"
		     "  NS: how long an idle vCPU polls for a kick before it sleeps\n"
		     "  (default %u, KVM's halt_poll_ns on arm64; 0 sleeps at once)\n",
		VGIC_MAX_VCPUS, MAX_DEVICES, MAX_EVENTS, DEFAULT_LPIS, DEFAULT_POLL_NS);
	return ret;
}

/* "-x N" or "-xN": the number, or -1 if @argv[*i] is not option @opt. */
static long opt_num(int argc, char **argv, int *i, char opt)
{
	const char *a = argv[*i];

	if (a[0] != '-' || a[1] != opt)
		return -1;
	if (a[2])
		return strtol(a + 2, NULL, 0);
	if (*i + 1 >= argc)
		return 0;
	return strtol(argv[++*i], NULL, 0);
}

int bench_lpi_stress(int argc, char **argv)
{
	long v = 1, d = 1, e = 1, it = 0, poll = DEFAULT_POLL_NS;
	struct stress s = { 0 };
	struct figures f;
	bool json = false;

	for (int i = 1; i < argc; i++) {
		long n;

		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--halt-poll-ns") && i + 1 < argc)
			poll = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage(stdout, 0);
		else if ((n = opt_num(argc, argv, &i, 'v')) >= 0)
			v = n;
		else if ((n = opt_num(argc, argv, &i, 'd')) >= 0)
			d = n;
		else if ((n = opt_num(argc, argv, &i, 'e')) >= 0)
			e = n;
		else if ((n = opt_num(argc, argv, &i, 'i')) >= 0)
			it = n ? n : -1;
		else
			return usage(stderr, 2);
	}
	if (v < 1 || v > VGIC_MAX_VCPUS || d < 1 || d > MAX_DEVICES || e < 1 || e > MAX_EVENTS ||
	    it < 0 || it > 1000000000L || poll < 0 || poll > 1000000000L)
		return usage(stderr, 2);
	if (!it)
		it = MAX(1L, (long)(DEFAULT_LPIS / ((uint64_t)d * e)));
	s.nr_vcpus = (unsigned int)v;
	s.nr_devices = (unsigned int)d;
	s.nr_events = (unsigned int)e;
	s.iterations = (unsigned int)it;
	s.poll_ns = (uint64_t)poll;
	s.vcpus = calloc(s.nr_vcpus, sizeof(*s.vcpus));
	s.senders = calloc(s.nr_devices, sizeof(*s.senders));
	if (!s.vcpus || !s.senders) {
		fprintf(stderr, "vgic bench lpi-stress: out of memory\n");
		return 1;
	}
	s.b = bits_vm_new(s.nr_vcpus, (uint64_t)s.nr_devices * bits_itt_size(s.nr_events));
	map_all(&s);
	cpuif_on(&s);
	f = run(&s);
	print(&s, &f, json);
	bits_vm_free(s.b);
	free(s.vcpus);
	free(s.senders);
	return f.failed ? 1 : 0;
}
