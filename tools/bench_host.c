/* SPDX-License-Identifier: MIT */
/*
 * `vgic bench host`: what each host-side injection path costs, one thread,
 * and how the cost grows with the number of devices and of vCPUs.
 *
 * Device sweep (1 .. 4096 devices, EVENTS events each, LPIs spread over
 * VCPUS vCPUs): one vgic_signal_msi() with the translation cache hit and
 * with it emptied before every pass (not timed), so that every MSI takes the
 * slow path; ITS command throughput as MAPTI commands per second, measured
 * from the GITS_CWRITER write until GITS_CREADR caught up; host heap per
 * mapped LPI (mallinfo2 before and after mapping).  An MSI to an LPI that is
 * already pending changes nothing, so the "idle" figures clear every LPI
 * between passes with ITS CLEAR commands (not timed); "pending" is the
 * coalesced case, the LPI still pending from the previous pass.
 *
 * vCPU sweep (1 .. 512 vCPUs): heap per vCPU of a VM with an ITS; one
 * signal-MSI to an LPI of the last vCPU, then its IAR1+EOIR1 ack (each timed
 * separately); vgic_irq_line() raise+lower of a level SPI; vgic_vcpu_pending().
 *
 * irqfd: eventfd write until the vCPU sees the interrupt pending
 * (vgic_vcpu_pending), for an MSI route (through the ITS) and an SPI route.
 *
 * Save/restore: SAVE_TABLES of 65536 mapped events (2048 devices x 32; with
 * 16 LPI ID bits they share the 57344 LPIs), then RESTORE_TABLES of that RAM
 * into a fresh VM.
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <urcu-bp.h>

#include <vgic/vgic.h>

#include "bench.h"
#include "bench_its.h"
#include "gic/regs.h"
#include "its/its.h"
#include "kvm/vm.h"

#define SWEEP_VCPUS	2		/* vCPUs of the device sweep */
#define TARGET_OPS	200000u		/* per cell: enough to swamp the clock */
#define SPI		32u
#define SPI_PRIO	0xa0
#define IRQFD_ROUNDS	20000u
#define STALL_NS	(5ULL * 1000 * 1000 * 1000)

static const uint32_t dev_counts[] = { 1, 16, 256, 4096 };
static const uint32_t vcpu_counts[] = { 1, 8, 64, 512 };

/*
 * In use from the heap, mmap'ed blocks included (big tables, guest RAM),
 * once the frees deferred past an RCU grace period have run.
 */
static uint64_t heap_bytes(void)
{
	struct mallinfo2 mi;

	rcu_barrier();
	mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static struct vgic_msi msi_of(uint32_t dev)
{
	return (struct vgic_msi){ .address = BITS_DOORBELL, .flags = VGIC_MSI_VALID_DEVID,
				  .devid = dev, .data = 0 };
}

static void forget_all(struct bits_vm *b)
{
	struct vgic_its *its = b->vm->its[0];

	pthread_mutex_lock(&its->lock);
	its_cache_forget_all(its);
	pthread_mutex_unlock(&its->lock);
}

static void clear_all(struct bits_vm *b, uint32_t nr_dev)
{
	for (uint32_t d = 0; d < nr_dev; d++)
		bits_clear(b, d, 0);
	bits_flush(b);
}

enum msi_case { MSI_IDLE, MSI_PENDING, MSI_MISS, NR_MSI_CASES };
static const char *const msi_case_name[] = { "signal-MSI hit, LPI idle",
					     "signal-MSI hit, LPI pending",
					     "signal-MSI miss (cache emptied)" };

/* ns per vgic_signal_msi() over passes of one MSI per device. */
static double measure_msi(struct bits_vm *b, uint32_t nr_dev, enum msi_case c)
{
	unsigned int passes = MAX(TARGET_OPS / nr_dev, 8u);
	uint64_t busy = 0;

	for (unsigned int p = 0; p < passes; p++) {
		uint64_t t0;

		if (c != MSI_PENDING)
			clear_all(b, nr_dev);
		if (c == MSI_MISS)
			forget_all(b);
		t0 = bench_now_ns();
		for (uint32_t d = 0; d < nr_dev; d++) {
			struct vgic_msi msi = msi_of(d);

			if (vgic_signal_msi(b->vm, &msi) != 1) {
				fprintf(stderr, "vgic bench host: MSI not delivered\n");
				exit(1);
			}
		}
		busy += bench_now_ns() - t0;
	}
	return (double)busy / ((double)passes * nr_dev);
}

struct dev_row {
	double msi_ns[NR_MSI_CASES];
	double mapti_per_s;
	double heap_per_lpi;
};

static struct dev_row device_cell(uint32_t nr_dev)
{
	struct bits_vm *b = bits_vm_new(SWEEP_VCPUS, nr_dev * bits_itt_size(1));
	struct dev_row r;
	uint64_t heap0, t0;

	for (uint32_t d = 0; d < nr_dev; d++)
		bits_mapd(b, d, 1);
	bits_flush(b);
	heap0 = heap_bytes();
	for (uint32_t d = 0; d < nr_dev; d++)
		bits_mapti(b, d, 0, 8192 + d, (uint16_t)(d % SWEEP_VCPUS));
	t0 = bench_now_ns();
	bits_flush(b);
	/* Queueing is a memcpy per command; the ITS's work dominates the time. */
	r.mapti_per_s = (double)nr_dev * 1e9 / (double)(bench_now_ns() - t0);
	r.heap_per_lpi = ((double)heap_bytes() - (double)heap0) / nr_dev;
	for (int c = 0; c < NR_MSI_CASES; c++)
		r.msi_ns[c] = measure_msi(b, nr_dev, (enum msi_case)c);
	bits_vm_free(b);
	return r;
}

struct vcpu_row {
	double heap_per_vcpu;
	double msi_ns, ack_ns, line_ns, pending_ns;
};

/* SPIs reset edge-triggered (as in KVM); the IRQ line row wants a level one. */
static void spi_level(struct bits_vm *b)
{
	vgic_mmio_write(b->vm, 0, BITS_DIST + GICD_ICFGR + SPI / 16 * 4, 4, 0);
}

static void spi_on(struct bits_vm *b)
{
	uint64_t d = BITS_DIST;

	vgic_mmio_write(b->vm, 0, d + GICD_IGROUPR + SPI / 32 * 4, 4, 1u << (SPI % 32));
	vgic_mmio_write(b->vm, 0, d + GICD_IPRIORITYR + SPI, 1, SPI_PRIO);
	vgic_mmio_write(b->vm, 0, d + GICD_ISENABLER + SPI / 32 * 4, 4, 1u << (SPI % 32));
}

static void cpuif_on(struct bits_vm *b, unsigned int vcpu)
{
	bits_check(vgic_sysreg_write(b->vm, vcpu, ICC_PMR_EL1, 0xff), "PMR");
	bits_check(vgic_sysreg_write(b->vm, vcpu, ICC_IGRPEN1_EL1, 1), "IGRPEN1");
}

static uint64_t ack(struct bits_vm *b, unsigned int vcpu)
{
	uint64_t intid;

	bits_check(vgic_sysreg_read(b->vm, vcpu, ICC_IAR1_EL1, &intid), "IAR1");
	if (intid != VGIC_INTID_SPURIOUS)
		bits_check(vgic_sysreg_write(b->vm, vcpu, ICC_EOIR1_EL1, intid), "EOIR1");
	return intid;
}

/* MSI to an LPI of the last vCPU, then its ack: each timed on its own. */
static void msi_and_ack(struct bits_vm *b, struct vcpu_row *r)
{
	unsigned int last = b->nr_vcpus - 1;
	struct vgic_msi msi = msi_of(0);
	uint64_t msi_ns = 0, ack_ns = 0;

	bits_mapd(b, 0, 1);
	bits_mapti(b, 0, 0, 8192, (uint16_t)last);
	bits_flush(b);
	cpuif_on(b, last);
	for (unsigned int i = 0; i < TARGET_OPS; i++) {
		uint64_t t0 = bench_now_ns(), t1;

		if (vgic_signal_msi(b->vm, &msi) != 1)
			bits_check(-EIO, "vgic_signal_msi");
		t1 = bench_now_ns();
		if (ack(b, last) != 8192)
			bits_check(-EIO, "IAR1 of the LPI");
		msi_ns += t1 - t0;
		ack_ns += bench_now_ns() - t1;
	}
	r->msi_ns = (double)msi_ns / TARGET_OPS;
	r->ack_ns = (double)ack_ns / TARGET_OPS;
}

static struct vcpu_row vcpu_cell(unsigned int nr_vcpus)
{
	uint64_t heap0 = heap_bytes(), t0;
	struct bits_vm *b = bits_vm_new(nr_vcpus, bits_itt_size(1));
	struct vcpu_row r;

	/* The guest RAM is the caller's (calloc'ed by bench_its.c), not the library's. */
	r.heap_per_vcpu = ((double)heap_bytes() - (double)heap0 - (double)b->ram_size) / nr_vcpus;
	msi_and_ack(b, &r);
	spi_level(b);
	spi_on(b);
	cpuif_on(b, 0);
	t0 = bench_now_ns();
	for (unsigned int i = 0; i < TARGET_OPS; i++) {
		vgic_irq_line(b->vm, vgic_irq_line_word(VGIC_IRQ_TYPE_SPI, 0, SPI), true);
		vgic_irq_line(b->vm, vgic_irq_line_word(VGIC_IRQ_TYPE_SPI, 0, SPI), false);
	}
	r.line_ns = (double)(bench_now_ns() - t0) / (2.0 * TARGET_OPS);
	t0 = bench_now_ns();
	for (unsigned int i = 0; i < TARGET_OPS; i++)
		vgic_vcpu_pending(b->vm, 0);
	r.pending_ns = (double)(bench_now_ns() - t0) / TARGET_OPS;
	bits_vm_free(b);
	return r;
}

/* eventfd write until vgic_vcpu_pending() sees it, then the ack: p50 ns. */
static uint64_t irqfd_round_trip(struct bits_vm *b, uint32_t gsi)
{
	static uint64_t ns[IRQFD_ROUNDS];
	int fd = eventfd(0, EFD_CLOEXEC);
	struct vgic_irqfd args = { .fd = fd, .gsi = gsi };
	uint64_t one = 1;

	bits_check(fd < 0 ? -errno : 0, "eventfd");
	bits_check(vgic_irqfd(b->vm, &args), "vgic_irqfd");
	for (unsigned int i = 0; i < IRQFD_ROUNDS; i++) {
		uint64_t t0 = bench_now_ns();

		if (write(fd, &one, sizeof(one)) != sizeof(one))
			bits_check(-errno, "eventfd write");
		while (!vgic_vcpu_pending(b->vm, 0))
			if (bench_now_ns() - t0 > STALL_NS)
				bits_check(-ETIMEDOUT, "irqfd interrupt never arrived");
		ns[i] = bench_now_ns() - t0;
		ack(b, 0);
	}
	args.flags = VGIC_IRQFD_FLAG_DEASSIGN;
	bits_check(vgic_irqfd(b->vm, &args), "vgic_irqfd deassign");
	close(fd);
	return bench_percentile(ns, IRQFD_ROUNDS, 50);
}

struct irqfd_row {
	uint64_t msi_p50, spi_p50;
};

static struct irqfd_row irqfd_cell(void)
{
	struct bits_vm *b = bits_vm_new(1, bits_itt_size(1));
	struct vgic_irq_route routes[2] = {
		{ .gsi = 1, .type = VGIC_IRQ_ROUTING_MSI, .flags = VGIC_ROUTE_MSI_VALID_DEVID,
		  .u.msi = { .address_lo = (uint32_t)BITS_DOORBELL,
			     .address_hi = (uint32_t)(BITS_DOORBELL >> 32), .devid = 0 } },
		{ .gsi = 2, .type = VGIC_IRQ_ROUTING_IRQCHIP, .u.irqchip = { .pin = SPI - 32 } },
	};
	struct irqfd_row r;

	bits_mapd(b, 0, 1);
	bits_mapti(b, 0, 0, 8192, 0);
	bits_flush(b);
	cpuif_on(b, 0);
	spi_on(b);
	bits_check(vgic_set_gsi_routing(b->vm, routes, 2), "vgic_set_gsi_routing");
	r.msi_p50 = irqfd_round_trip(b, 1);
	r.spi_p50 = irqfd_round_trip(b, 2);
	bits_vm_free(b);
	return r;
}

#define SR_DEVICES	2048u
#define SR_EVENTS	32u

struct sr_row {
	uint64_t events;
	double save_ms, restore_ms;
};

static struct sr_row save_restore_cell(void)
{
	uint64_t itt = SR_DEVICES * bits_itt_size(SR_EVENTS), t0;
	struct bits_vm *src = bits_vm_new(SWEEP_VCPUS, itt);
	struct bits_vm *dst = bits_vm_new_for_restore(SWEEP_VCPUS, itt);
	struct vgic_its_stats st;
	struct sr_row r;

	for (uint32_t d = 0; d < SR_DEVICES; d++) {
		bits_mapd(src, d, SR_EVENTS);
		for (uint32_t e = 0; e < SR_EVENTS; e++) {
			uint32_t n = (d * SR_EVENTS + e) % BITS_NR_LPIS;

			bits_mapti(src, d, e, 8192 + n, (uint16_t)(n % SWEEP_VCPUS));
		}
	}
	bits_flush(src);
	t0 = bench_now_ns();
	bits_check(vgic_its_set_attr(src->vm, 0, VGIC_GRP_CTRL, VGIC_ITS_SAVE_TABLES, 0),
		   "SAVE_TABLES");
	r.save_ms = (double)(bench_now_ns() - t0) / 1e6;
	memcpy(dst->ram, src->ram, src->ram_size);
	t0 = bench_now_ns();
	bits_check(vgic_its_set_attr(dst->vm, 0, VGIC_GRP_CTRL, VGIC_ITS_RESTORE_TABLES, 0),
		   "RESTORE_TABLES");
	r.restore_ms = (double)(bench_now_ns() - t0) / 1e6;
	bits_check(vgic_its_get_stats(dst->vm, 0, &st), "vgic_its_get_stats");
	r.events = st.mapped_events;
	if (r.events != (uint64_t)SR_DEVICES * SR_EVENTS)
		bits_check(-EIO, "RESTORE_TABLES restored a different number of events");
	bits_vm_free(src);
	bits_vm_free(dst);
	return r;
}

struct results {
	struct dev_row dev[ARRAY_SIZE(dev_counts)];
	struct vcpu_row vcpu[ARRAY_SIZE(vcpu_counts)];
	struct irqfd_row irqfd;
	struct sr_row sr;
};

static void print_table(const struct results *res)
{
	printf("Host paths, one thread; devices have 1 event each, LPIs over %d vCPUs\n\n%-34s",
	       SWEEP_VCPUS, "devices");
	for (size_t i = 0; i < ARRAY_SIZE(dev_counts); i++)
		printf(" %10u", dev_counts[i]);
	for (int c = 0; c < NR_MSI_CASES; c++) {
		printf("\n%-34s", msi_case_name[c]);
		for (size_t i = 0; i < ARRAY_SIZE(dev_counts); i++)
			printf(" %7.1f ns", res->dev[i].msi_ns[c]);
	}
	printf("\n%-34s", "ITS MAPTI throughput");
	for (size_t i = 0; i < ARRAY_SIZE(dev_counts); i++)
		printf(" %6.2f M/s", res->dev[i].mapti_per_s / 1e6);
	printf("\n%-34s", "heap per mapped LPI");
	for (size_t i = 0; i < ARRAY_SIZE(dev_counts); i++)
		printf(" %8.1f B", res->dev[i].heap_per_lpi);
	printf("\n\n%-34s", "vCPUs");
	for (size_t i = 0; i < ARRAY_SIZE(vcpu_counts); i++)
		printf(" %10u", vcpu_counts[i]);
	printf("\n%-34s", "heap per vCPU (VM with an ITS)");
	for (size_t i = 0; i < ARRAY_SIZE(vcpu_counts); i++)
		printf(" %8.0f B", res->vcpu[i].heap_per_vcpu);
	printf("\n%-34s", "signal-MSI to the last vCPU");
	for (size_t i = 0; i < ARRAY_SIZE(vcpu_counts); i++)
		printf(" %7.1f ns", res->vcpu[i].msi_ns);
	printf("\n%-34s", "IAR1 + EOIR1 of that LPI");
	for (size_t i = 0; i < ARRAY_SIZE(vcpu_counts); i++)
		printf(" %7.1f ns", res->vcpu[i].ack_ns);
	printf("\n%-34s", "IRQ line (level SPI, raise/lower)");
	for (size_t i = 0; i < ARRAY_SIZE(vcpu_counts); i++)
		printf(" %7.1f ns", res->vcpu[i].line_ns);
	printf("\n%-34s", "vgic_vcpu_pending, nothing pending");
	for (size_t i = 0; i < ARRAY_SIZE(vcpu_counts); i++)
		printf(" %7.1f ns", res->vcpu[i].pending_ns);
	printf("\n\nirqfd, eventfd write to pending seen (p50 of %u): MSI %llu ns, SPI %llu ns\n",
	       IRQFD_ROUNDS, (unsigned long long)res->irqfd.msi_p50,
	       (unsigned long long)res->irqfd.spi_p50);
	printf("ITS tables, %llu mapped events: SAVE_TABLES %.2f ms, RESTORE_TABLES %.2f ms\n",
	       (unsigned long long)res->sr.events, res->sr.save_ms, res->sr.restore_ms);
}

static void print_json(const struct results *res)
{
	printf("{\"bench\":\"host\",\"devices\":[");
	for (size_t i = 0; i < ARRAY_SIZE(dev_counts); i++) {
		const struct dev_row *r = &res->dev[i];

		printf("%s{\"devices\":%u,\"msi_hit_idle_ns\":%.1f,\"msi_hit_pending_ns\":%.1f,"
		       "\"msi_miss_ns\":%.1f,\"mapti_per_s\":%.0f,\"heap_bytes_per_lpi\":%.1f}",
		       i ? "," : "", dev_counts[i], r->msi_ns[MSI_IDLE], r->msi_ns[MSI_PENDING],
		       r->msi_ns[MSI_MISS], r->mapti_per_s, r->heap_per_lpi);
	}
	printf("],\"vcpus\":[");
	for (size_t i = 0; i < ARRAY_SIZE(vcpu_counts); i++) {
		const struct vcpu_row *r = &res->vcpu[i];

		printf("%s{\"vcpus\":%u,\"heap_bytes_per_vcpu\":%.0f,\"msi_ns\":%.1f,"
		       "\"ack_ns\":%.1f,\"irq_line_ns\":%.1f,\"vcpu_pending_ns\":%.1f}",
		       i ? "," : "", vcpu_counts[i], r->heap_per_vcpu, r->msi_ns, r->ack_ns,
		       r->line_ns, r->pending_ns);
	}
	printf("],\"irqfd_msi_p50_ns\":%llu,\"irqfd_spi_p50_ns\":%llu,\"sr_events\":%llu,"
	       "\"save_tables_ms\":%.3f,\"restore_tables_ms\":%.3f}\n",
	       (unsigned long long)res->irqfd.msi_p50, (unsigned long long)res->irqfd.spi_p50,
	       (unsigned long long)res->sr.events, res->sr.save_ms, res->sr.restore_ms);
}

int bench_host(int argc, char **argv)
{
	static struct results res;
	bool json = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else {
			fprintf(strcmp(argv[i], "-h") && strcmp(argv[i], "--help") ? stderr : stdout,
				"usage: vgic bench host [--json]\n");
			return strcmp(argv[i], "-h") && strcmp(argv[i], "--help") ? 2 : 0;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(dev_counts); i++)
		res.dev[i] = device_cell(dev_counts[i]);
	for (size_t i = 0; i < ARRAY_SIZE(vcpu_counts); i++)
		res.vcpu[i] = vcpu_cell(vcpu_counts[i]);
	res.irqfd = irqfd_cell();
	res.sr = save_restore_cell();
	if (json)
		print_json(&res);
	else
		print_table(&res);
	return 0;
}
