/* SPDX-License-Identifier: MIT */
/*
 * `vgic bench irqfd` and `vgic bench ioeventfd`.
 *
 * irqfd: producer threads, each standing in for a device and for the vCPU
 * its interrupt targets, write an eventfd, spin until that vCPU has the
 * interrupt pending at its redistributor (vgic_vcpu_pending), then take it
 * (IAR/EOI) and go again.  Each round trip is one latency sample; rounds
 * over wall time is the delivered rate.  MSI routes go through a real ITS
 * translation (device 1, one event and LPI per producer); SPI routes through
 * the flat default table.
 *
 * ioeventfd: a device thread blocks in read() on the eventfd; the guest
 * side times vgic_mmio_write() to that read's return.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include <vgic/cpuif.h>
#include <vgic/its.h>
#include <vgic/vgic.h>

#include "bench.h"
#include "gic/regs.h"
#include "its/its.h"

#define B_DIST		0x08000000ULL
#define B_REDIST	0x080a0000ULL
#define B_ITS		0x08080000ULL
#define B_RAM		0x40000000ULL
#define B_RAM_SIZE	0x1000000ULL
#define B_PROP		0x010000ULL	/* offsets in RAM, as a guest lays them out */
#define B_PEND		0x020000ULL	/* one 64 KiB pending table per vCPU */
#define B_QUEUE		0x100000ULL
#define B_DEVTBL	0x200000ULL
#define B_COLLTBL	0x300000ULL
#define B_ITT		0x400000ULL
#define B_DOORBELL	0x0a000000ULL
#define B_VCPUS		2
#define B_DEVID		1
#define B_LPI(i)	(GIC_LPI_BASE + 32 + (i))
#define B_SPI_GSI(i)	(10 + (i))
#define B_MSI_GSI(i)	(100 + (i))
#define B_LPI_PRIO	0xa0
#define B_STALL_NS	(5ULL * 1000 * 1000 * 1000)	/* a lost interrupt, not slowness */

struct bvm {
	struct vgic_vm *vm;
	uint8_t *ram;
	uint64_t cwriter;
};

#define CHECK(expr)                                                                   \
	do {                                                                          \
		long check_ret_ = (long)(expr);                                       \
		if (check_ret_ < 0) {                                                 \
			fprintf(stderr, "vgic bench: %s failed: %s\n", #expr,         \
				vgic_strerror((int)check_ret_));                      \
			exit(1);                                                      \
		}                                                                     \
	} while (0)

static void mmio_wr(struct bvm *b, uint64_t gpa, unsigned int len, uint64_t val)
{
	if (vgic_mmio_write(b->vm, 0, gpa, len, val) != VGIC_MMIO_HANDLED) {
		fprintf(stderr, "vgic bench: MMIO write at %#llx not handled\n",
			(unsigned long long)gpa);
		exit(1);
	}
}

static void its_cmd(struct bvm *b, uint64_t w0, uint64_t w1, uint64_t w2)
{
	uint64_t w[4] = { w0, w1, w2, 0 };

	memcpy(b->ram + B_QUEUE + b->cwriter, w, sizeof(w));
	b->cwriter += ITS_CMD_SIZE;
	mmio_wr(b, B_ITS + GITS_CWRITER, 8, b->cwriter);
}

/* What a guest kernel does before its first MSI: LPI tables, ITS tables,
 * one collection per vCPU, and one event per producer mapped to an LPI. */
static void guest_its_up(struct bvm *b, unsigned int nr_events)
{
	for (unsigned int v = 0; v < B_VCPUS; v++) {
		uint64_t rd = B_REDIST + v * VGIC_REDIST_SIZE;

		mmio_wr(b, rd + GICR_PROPBASER, 8,
			FIELD_DP(GICR_PROPBASER, PA, (B_RAM + B_PROP) >> 12) |
			FIELD_DP(GICR_PROPBASER, IDBITS, 15));
		mmio_wr(b, rd + GICR_PENDBASER, 8,
			FIELD_DP(GICR_PENDBASER, PA, (B_RAM + B_PEND + v * 0x10000ULL) >> 16) |
			FIELD_DP(GICR_PENDBASER, PTZ, 1));
		mmio_wr(b, rd + GICR_CTLR, 4, FIELD_DP(GICR_CTLR, ENABLE_LPIS, 1));
	}
	mmio_wr(b, B_ITS + GITS_BASER, 8,
		FIELD_DP(GITS_BASER, VALID, 1) |
		FIELD_DP(GITS_BASER, PAGE_SIZE, GITS_BASER_PAGE_64K) |
		FIELD_DP(GITS_BASER, PA, (B_RAM + B_DEVTBL) >> 12));
	mmio_wr(b, B_ITS + GITS_BASER + 8, 8,
		FIELD_DP(GITS_BASER, VALID, 1) |
		FIELD_DP(GITS_BASER, PAGE_SIZE, GITS_BASER_PAGE_64K) |
		FIELD_DP(GITS_BASER, PA, (B_RAM + B_COLLTBL) >> 12));
	mmio_wr(b, B_ITS + GITS_CBASER, 8, BIT(63) | (B_RAM + B_QUEUE));
	mmio_wr(b, B_ITS + GITS_CTLR, 4, 1);
	its_cmd(b, FIELD_DP(CMD_0, OPCODE, ITS_CMD_MAPD) | FIELD_DP(CMD_0, DEVICEID, B_DEVID),
		FIELD_DP(MAPD_1, SIZE, 4),
		FIELD_DP(MAPD_2, VALID, 1) | FIELD_DP(MAPD_2, ITT_ADDR, (B_RAM + B_ITT) >> 8));
	for (unsigned int v = 0; v < B_VCPUS; v++)
		its_cmd(b, FIELD_DP(CMD_0, OPCODE, ITS_CMD_MAPC), 0,
			FIELD_DP(MAPC_2, VALID, 1) | FIELD_DP(MAPC_2, RDBASE, v) |
			FIELD_DP(CMD_2, ICID, v));
	for (unsigned int i = 0; i < nr_events; i++) {
		b->ram[B_PROP + B_LPI(i) - GIC_LPI_BASE] = B_LPI_PRIO | 1;	/* enabled */
		its_cmd(b, FIELD_DP(CMD_0, OPCODE, ITS_CMD_MAPTI) |
			   FIELD_DP(CMD_0, DEVICEID, B_DEVID),
			FIELD_DP(CMD_1, EVENTID, i) | FIELD_DP(MAPTI_1, PINTID, B_LPI(i)),
			FIELD_DP(CMD_2, ICID, i % B_VCPUS));
	}
}

/* Distributor and CPU interfaces on; SPI of GSI i enabled and routed to vCPU i. */
static void guest_gic_up(struct bvm *b, unsigned int nr)
{
	mmio_wr(b, B_DIST + GICD_CTLR, 4,
		FIELD_DP(GICD_CTLR, ENABLE_G0, 1) | FIELD_DP(GICD_CTLR, ENABLE_G1A, 1));
	for (unsigned int v = 0; v < B_VCPUS; v++) {
		mmio_wr(b, B_REDIST + v * VGIC_REDIST_SIZE + GICR_WAKER, 4, 0);
		CHECK(vgic_sysreg_write(b->vm, v, ICC_PMR_EL1, 0xff));
		CHECK(vgic_sysreg_write(b->vm, v, ICC_IGRPEN1_EL1, 1));
	}
	for (unsigned int i = 0; i < nr; i++) {
		uint32_t intid = GIC_NR_PRIVATE + B_SPI_GSI(i);

		mmio_wr(b, B_DIST + GICD_ISENABLER + (intid / 32) * 4, 4, 1u << (intid % 32));
		mmio_wr(b, B_DIST + GICD_IROUTER + intid * 8, 8, i % B_VCPUS);
	}
}

static struct bvm *bvm_new(void)
{
	struct bvm *b = calloc(1, sizeof(*b));

	b->ram = calloc(1, B_RAM_SIZE);
	if (!b || !b->ram) {
		fprintf(stderr, "vgic bench: out of memory\n");
		exit(1);
	}
	CHECK(vgic_vm_create(B_VCPUS, 0, &b->vm));
	CHECK(vgic_vm_set_addr(b->vm, VGIC_ADDR_TYPE_DIST, B_DIST));
	CHECK(vgic_vm_set_addr(b->vm, VGIC_ADDR_TYPE_REDIST, B_REDIST));
	CHECK(vgic_its_create(b->vm));
	CHECK(vgic_its_set_addr(b->vm, 0, B_ITS));
	CHECK(vgic_vm_add_ram(b->vm, B_RAM, B_RAM_SIZE, b->ram));
	CHECK(vgic_vm_init(b->vm));
	return b;
}

static void bvm_free(struct bvm *b)
{
	vgic_vm_destroy(b->vm);
	free(b->ram);
	free(b);
}

/* --- irqfd --- */

struct producer {
	struct bvm *b;
	unsigned int vcpu;
	int efd;
	uint32_t intid;			/* what the vCPU must find */
	unsigned int rounds;
	uint64_t *lat;
	atomic_bool *go;
	int error;
};

static void *producer_main(void *arg)
{
	struct producer *p = arg;
	struct vgic_vm *vm = p->b->vm;

	while (!atomic_load(p->go))
		sched_yield();
	for (unsigned int k = 0; k < p->rounds; k++) {
		uint64_t one = 1, t0 = bench_now_ns(), t1, intid = 0;

		if (write(p->efd, &one, sizeof(one)) != sizeof(one)) {
			p->error = -errno;
			return NULL;
		}
		while (!(vgic_vcpu_pending(vm, p->vcpu) & VGIC_PENDING_IRQ)) {
			if (bench_now_ns() - t0 > B_STALL_NS) {
				p->error = -ETIMEDOUT;
				return NULL;
			}
			sched_yield();
		}
		t1 = bench_now_ns();
		vgic_sysreg_read(vm, p->vcpu, ICC_IAR1_EL1, &intid);
		vgic_sysreg_write(vm, p->vcpu, ICC_EOIR1_EL1, intid);
		if (intid != p->intid) {
			p->error = -EPROTO;
			return NULL;
		}
		p->lat[k] = t1 - t0;
	}
	return NULL;
}

static int run_irqfd(struct bvm *b, bool msi, unsigned int nr_prod, unsigned int rounds)
{
	struct producer p[B_VCPUS];
	pthread_t th[B_VCPUS];
	atomic_bool go = false;
	uint64_t *all = calloc((size_t)nr_prod * rounds, sizeof(*all));
	uint64_t t0, t1;
	int err = 0;

	for (unsigned int i = 0; i < nr_prod; i++) {
		struct vgic_irqfd a = { .gsi = msi ? B_MSI_GSI(i) : B_SPI_GSI(i) };

		a.fd = eventfd(0, EFD_CLOEXEC);
		CHECK(a.fd);
		CHECK(vgic_irqfd(b->vm, &a));
		p[i] = (struct producer){
			.b = b, .vcpu = i, .efd = a.fd, .rounds = rounds, .go = &go,
			.intid = msi ? B_LPI(i) : GIC_NR_PRIVATE + B_SPI_GSI(i),
			.lat = all + (size_t)i * rounds,
		};
		pthread_create(&th[i], NULL, producer_main, &p[i]);
	}
	t0 = bench_now_ns();
	atomic_store(&go, true);
	for (unsigned int i = 0; i < nr_prod; i++)
		pthread_join(th[i], NULL);
	t1 = bench_now_ns();
	for (unsigned int i = 0; i < nr_prod; i++) {
		struct vgic_irqfd a = { .fd = p[i].efd, .gsi = msi ? B_MSI_GSI(i) : B_SPI_GSI(i),
					.flags = VGIC_IRQFD_FLAG_DEASSIGN };

		CHECK(vgic_irqfd(b->vm, &a));
		close(p[i].efd);
		if (p[i].error)
			err = p[i].error;
	}
	if (err) {
		fprintf(stderr, "vgic bench irqfd: %s route, %u producers: %s\n",
			msi ? "MSI" : "SPI", nr_prod,
			err == -ETIMEDOUT ? "interrupt never arrived"
			: err == -EPROTO  ? "wrong interrupt taken"
					  : vgic_strerror(err));
		free(all);
		return 1;
	}
	printf("%-5s %9u %12.0f %9llu %9llu\n", msi ? "MSI" : "SPI", nr_prod,
	       (double)nr_prod * rounds * 1e9 / (double)(t1 - t0),
	       (unsigned long long)bench_percentile(all, nr_prod * rounds, 50),
	       (unsigned long long)bench_percentile(all, nr_prod * rounds, 99));
	free(all);
	return 0;
}

int bench_irqfd(int argc, char **argv)
{
	unsigned int rounds = bench_count_arg(argc, argv, 20000);
	struct bvm *b = bvm_new();
	struct vgic_irq_route r[2 * B_VCPUS];
	int ret = 0;

	guest_gic_up(b, B_VCPUS);
	guest_its_up(b, B_VCPUS);
	for (unsigned int i = 0; i < B_VCPUS; i++) {
		r[i] = (struct vgic_irq_route){ .gsi = B_SPI_GSI(i), .type = VGIC_IRQ_ROUTING_IRQCHIP,
						.u.irqchip.pin = B_SPI_GSI(i) };
		r[B_VCPUS + i] = (struct vgic_irq_route){
			.gsi = B_MSI_GSI(i), .type = VGIC_IRQ_ROUTING_MSI,
			.flags = VGIC_ROUTE_MSI_VALID_DEVID,
			.u.msi = { .address_lo = (uint32_t)(B_ITS + VGIC_ITS_TRANSLATER),
				   .address_hi = (uint32_t)((B_ITS + VGIC_ITS_TRANSLATER) >> 32),
				   .data = i, .devid = B_DEVID },
		};
	}
	CHECK(vgic_set_gsi_routing(b->vm, r, 2 * B_VCPUS));
	printf("irqfd: eventfd write -> interrupt pending at the redistributor, %u rounds per "
	       "producer\n(each producer waits for its interrupt and takes it before the next "
	       "write)\n\n", rounds);
	printf("%-5s %9s %12s %9s %9s\n", "route", "producers", "irqs/s", "p50 ns", "p99 ns");
	for (unsigned int msi = 0; msi < 2 && !ret; msi++)
		for (unsigned int n = 1; n <= B_VCPUS && !ret; n++)
			ret = run_irqfd(b, msi, n, rounds);
	bvm_free(b);
	return ret;
}

/* --- ioeventfd --- */

struct waiter {
	int efd;
	unsigned int rounds;
	atomic_uint seen;
	_Atomic uint64_t t_read;
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;

	for (unsigned int k = 0; k < w->rounds; k++) {
		uint64_t v;

		if (read(w->efd, &v, sizeof(v)) != sizeof(v))
			return NULL;
		atomic_store(&w->t_read, bench_now_ns());
		atomic_fetch_add(&w->seen, 1);
	}
	return NULL;
}

/* ns per vgic_mmio_write() for @n writes of @val at @gpa. */
static double write_cost(struct bvm *b, uint64_t gpa, uint64_t val, unsigned int n, int expect)
{
	uint64_t t0 = bench_now_ns();

	for (unsigned int k = 0; k < n; k++)
		if (vgic_mmio_write(b->vm, 0, gpa, 4, val) != expect)
			return -1;
	return (double)(bench_now_ns() - t0) / n;
}

int bench_ioeventfd(int argc, char **argv)
{
	unsigned int rounds = bench_count_arg(argc, argv, 20000);
	struct bvm *b = bvm_new();
	struct waiter w = { .rounds = rounds };
	uint64_t *lat = calloc(rounds, sizeof(*lat));
	struct vgic_ioeventfd a = { .addr = B_DOORBELL, .len = 4, .datamatch = 1,
				    .flags = VGIC_IOEVENTFD_FLAG_DATAMATCH };
	pthread_t th;
	uint64_t drain;
	double hit, miss;

	w.efd = eventfd(0, EFD_CLOEXEC);
	a.fd = w.efd;
	CHECK(w.efd);
	CHECK(vgic_ioeventfd(b->vm, &a));
	hit = write_cost(b, B_DOORBELL, 1, rounds, VGIC_MMIO_HANDLED);
	miss = write_cost(b, B_DOORBELL, 2, rounds, VGIC_MMIO_NOT_MINE);
	if (read(w.efd, &drain, sizeof(drain)) != sizeof(drain) || drain != rounds) {
		fprintf(stderr, "vgic bench ioeventfd: %llu signals for %u writes\n",
			(unsigned long long)drain, rounds);
		return 1;
	}
	pthread_create(&th, NULL, waiter_main, &w);
	for (unsigned int k = 0; k < rounds; k++) {
		uint64_t t0 = bench_now_ns();

		vgic_mmio_write(b->vm, 0, B_DOORBELL, 4, 1);
		while (atomic_load(&w.seen) <= k)
			sched_yield();
		lat[k] = atomic_load(&w.t_read) - t0;
	}
	pthread_join(th, NULL);
	printf("ioeventfd: guest write -> eventfd read returns in a blocked device thread, "
	       "%u rounds\n\n", rounds);
	printf("  latency p50 %llu ns, p99 %llu ns\n",
	       (unsigned long long)bench_percentile(lat, rounds, 50),
	       (unsigned long long)bench_percentile(lat, rounds, 99));
	printf("  vgic_mmio_write: %.0f ns when it signals, %.0f ns when it falls through "
	       "to the VMM\n", hit, miss);
	close(w.efd);
	free(lat);
	bvm_free(b);
	return 0;
}
