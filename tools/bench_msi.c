/* SPDX-License-Identifier: MIT */
/*
 * `vgic bench msi`: the cost of one MSI through vgic_signal_msi(), with the
 * translation cache hit and missed, for 1, 64 and 4096 devices x 32 events,
 * on 1 and 2 injecting threads; and the host memory each mapped event and
 * LPI costs.
 *
 * A VM with two vCPUs and one ITS is set up as a guest driver would (tables
 * and queue in guest RAM, commands through GITS_CWRITER).  Event e of device
 * d maps to LPI 8192 + (32d + e) mod 57344 (LPIs are shared between events
 * once there are more events than LPIs, as KVM allows) in collection e mod 2.
 * Interrupts are left pending: what is timed is translation plus making the
 * LPI pending, not the guest taking it.
 *
 * Each round every thread sends one MSI to each of its (device, event)
 * pairs; for the "miss" figures thread 0 empties the translation cache
 * between rounds (not timed), so every MSI of the round takes the slow path.
 * ns/MSI is the threads' summed busy time over the MSIs they sent; Mmsi/s is
 * MSIs over wall time.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vgic/vgic.h>

#include "bench.h"
#include "its/its.h"
#include "kvm/vm.h"

#define M_DIST		0x08000000ULL
#define M_REDIST	0x080a0000ULL
#define M_ITS		0x08080000ULL
#define M_RAM		0x40000000ULL
#define M_RAM_SIZE	0x800000ULL
#define M_PROP		0x010000ULL	/* offsets in RAM */
#define M_PEND		0x020000ULL	/* 64 KiB per vCPU */
#define M_QUEUE		0x100000ULL	/* 1 MiB: 32768 commands */
#define M_QUEUE_PAGES	256
#define M_DEVTBL	0x200000ULL
#define M_COLLTBL	0x300000ULL
#define M_ITT		0x400000ULL	/* 256 bytes per device (32 events x 8) */
#define M_EVENTS	32
#define M_EVENT_BITS	5
#define M_NR_LPIS	((1u << 16) - 8192)
#define M_MAX_THREADS	2

struct mvm {
	struct vgic_vm *vm;
	uint8_t *ram;
	uint64_t cwriter;
	struct vgic_its *its;
};

#define CHECK(expr)                                                                   \
	do {                                                                          \
		int check_ret_ = (expr);                                              \
		if (check_ret_ < 0) {                                                 \
			fprintf(stderr, "vgic bench msi: %s: %s\n", #expr,            \
				vgic_strerror(check_ret_));                           \
			exit(1);                                                      \
		}                                                                     \
	} while (0)

static void wr(struct mvm *m, uint64_t gpa, unsigned int len, uint64_t val)
{
	if (vgic_mmio_write(m->vm, 0, gpa, len, val) != VGIC_MMIO_HANDLED) {
		fprintf(stderr, "vgic bench msi: MMIO write at %#llx not handled\n",
			(unsigned long long)gpa);
		exit(1);
	}
}

/* Queue one command; publish with flush() (or when the queue is nearly full). */
static void queue(struct mvm *m, uint64_t w0, uint64_t w1, uint64_t w2)
{
	uint64_t w[4] = { w0, w1, w2, 0 };

	memcpy(m->ram + M_QUEUE + m->cwriter, w, sizeof(w));
	m->cwriter = (m->cwriter + ITS_CMD_SIZE) % (M_QUEUE_PAGES * ITS_QUEUE_PAGE);
	if (m->cwriter % (M_QUEUE_PAGES * ITS_QUEUE_PAGE / 2) == 0)
		wr(m, M_ITS + GITS_CWRITER, 8, m->cwriter);
}

static void flush(struct mvm *m)
{
	wr(m, M_ITS + GITS_CWRITER, 8, m->cwriter);
}

static uint32_t lpi_of(uint32_t dev, uint32_t ev)
{
	return GIC_LPI_BASE + (dev * M_EVENTS + ev) % M_NR_LPIS;
}

static void guest_setup(struct mvm *m, uint32_t nr_dev)
{
	wr(m, M_DIST + GICD_CTLR, 4, FIELD_DP(GICD_CTLR, ENABLE_G1A, 1));
	memset(m->ram + M_PROP, 0xa0 | 1, M_NR_LPIS);	/* priority 0xa0, enabled */
	for (unsigned int c = 0; c < 2; c++) {
		uint64_t rd = M_REDIST + c * VGIC_REDIST_SIZE;

		wr(m, rd + GICR_PROPBASER, 8, (M_RAM + M_PROP) | (16 - 1));
		wr(m, rd + GICR_PENDBASER, 8, (M_RAM + M_PEND + c * 0x10000ULL));
		wr(m, rd + GICR_CTLR, 4, FIELD_DP(GICR_CTLR, ENABLE_LPIS, 1));
	}
	wr(m, M_ITS + GITS_BASER, 8, FIELD_DP(GITS_BASER, VALID, 1) |
	   FIELD_DP(GITS_BASER, PAGE_SIZE, GITS_BASER_PAGE_64K) | (M_RAM + M_DEVTBL));
	wr(m, M_ITS + GITS_BASER + 8, 8, FIELD_DP(GITS_BASER, VALID, 1) |
	   FIELD_DP(GITS_BASER, PAGE_SIZE, GITS_BASER_PAGE_64K) | (M_RAM + M_COLLTBL));
	wr(m, M_ITS + GITS_CBASER, 8, FIELD_DP(GITS_CBASER, VALID, 1) | (M_RAM + M_QUEUE) |
	   (M_QUEUE_PAGES - 1));
	wr(m, M_ITS + GITS_CTLR, 4, FIELD_DP(GITS_CTLR, ENABLED, 1));
	for (uint32_t c = 0; c < 2; c++)
		queue(m, ITS_CMD_MAPC, 0, FIELD_DP(MAPC_2, VALID, 1) | FIELD_DP(MAPC_2, RDBASE, c) | c);
	for (uint32_t d = 0; d < nr_dev; d++) {
		queue(m, FIELD_DP(CMD_0, DEVICEID, d) | ITS_CMD_MAPD, M_EVENT_BITS - 1,
		      FIELD_DP(MAPD_2, VALID, 1) | (M_RAM + M_ITT + d * 256ULL));
		for (uint32_t e = 0; e < M_EVENTS; e++)
			queue(m, FIELD_DP(CMD_0, DEVICEID, d) | ITS_CMD_MAPTI,
			      FIELD_DP(MAPTI_1, PINTID, lpi_of(d, e)) | e, e % 2);
	}
	flush(m);
}

static struct mvm *mvm_new(uint32_t nr_dev)
{
	struct mvm *m = calloc(1, sizeof(*m));

	if (!m || !(m->ram = calloc(1, M_RAM_SIZE))) {
		fprintf(stderr, "vgic bench msi: out of memory\n");
		exit(1);
	}
	CHECK(vgic_vm_create(2, 0, &m->vm));
	CHECK(vgic_vm_set_addr(m->vm, VGIC_ADDR_TYPE_DIST, M_DIST));
	CHECK(vgic_vm_set_addr(m->vm, VGIC_ADDR_TYPE_REDIST, M_REDIST));
	CHECK(vgic_its_create(m->vm));
	CHECK(vgic_its_set_addr(m->vm, 0, M_ITS));
	CHECK(vgic_vm_add_ram(m->vm, M_RAM, M_RAM_SIZE, m->ram));
	CHECK(vgic_vm_init(m->vm));
	m->its = m->vm->its[0];
	guest_setup(m, nr_dev);
	return m;
}

static void mvm_free(struct mvm *m)
{
	vgic_vm_destroy(m->vm);
	free(m->ram);
	free(m);
}

struct run {
	struct mvm *m;
	uint32_t nr_dev;
	unsigned int nr_threads;
	unsigned int rounds;
	bool miss;
	pthread_barrier_t barrier;
	int bad;			/* an MSI that was not delivered */
};

struct worker {
	struct run *r;
	unsigned int idx;
	pthread_t thread;
	uint64_t busy_ns;
	uint64_t msis;
};

static void forget_all(struct vgic_its *its)
{
	pthread_mutex_lock(&its->lock);
	its_cache_forget_all(its);
	pthread_mutex_unlock(&its->lock);
}

/* Thread @idx takes devices idx, idx + T, ...: both threads share the cache. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->r;
	struct vgic_msi msi = { .address = M_ITS + VGIC_ITS_TRANSLATER,
				.flags = VGIC_MSI_VALID_DEVID };

	for (unsigned int round = 0; round < r->rounds; round++) {
		uint64_t t0;

		if (r->miss && w->idx == 0)
			forget_all(r->m->its);
		pthread_barrier_wait(&r->barrier);
		t0 = bench_now_ns();
		for (uint32_t d = w->idx; d < r->nr_dev; d += r->nr_threads) {
			msi.devid = d;
			for (uint32_t e = 0; e < M_EVENTS; e++) {
				msi.data = e;
				if (vgic_signal_msi(r->m->vm, &msi) != 1)
					__atomic_store_n(&r->bad, 1, __ATOMIC_RELAXED);
			}
		}
		w->busy_ns += bench_now_ns() - t0;
		w->msis += (r->nr_dev + r->nr_threads - 1 - w->idx) / r->nr_threads * M_EVENTS;
		pthread_barrier_wait(&r->barrier);
	}
	return NULL;
}

struct cell {
	double ns_per_msi;
	double mmsi_per_s;
};

static struct cell measure(struct mvm *m, uint32_t nr_dev, unsigned int threads, bool miss,
			   uint64_t target_msis)
{
	struct run r = { .m = m, .nr_dev = nr_dev, .nr_threads = threads, .miss = miss };
	struct worker w[M_MAX_THREADS] = { 0 };
	uint64_t busy = 0, msis = 0, t0, wall;

	r.rounds = (unsigned int)MAX(target_msis / ((uint64_t)nr_dev * M_EVENTS), 4);
	pthread_barrier_init(&r.barrier, NULL, threads);
	/* Warm up: every translation cached, every LPI pending once. */
	for (uint32_t d = 0; d < nr_dev; d++)
		for (uint32_t e = 0; e < M_EVENTS; e++) {
			struct vgic_msi msi = { .address = M_ITS + VGIC_ITS_TRANSLATER, .data = e,
						.flags = VGIC_MSI_VALID_DEVID, .devid = d };

			vgic_signal_msi(m->vm, &msi);
		}
	t0 = bench_now_ns();
	for (unsigned int i = 0; i < threads; i++) {
		w[i] = (struct worker){ .r = &r, .idx = i };
		pthread_create(&w[i].thread, NULL, worker_main, &w[i]);
	}
	for (unsigned int i = 0; i < threads; i++) {
		pthread_join(w[i].thread, NULL);
		busy += w[i].busy_ns;
		msis += w[i].msis;
	}
	wall = bench_now_ns() - t0;
	pthread_barrier_destroy(&r.barrier);
	if (r.bad) {
		fprintf(stderr, "vgic bench msi: an MSI was not delivered\n");
		exit(1);
	}
	return (struct cell){ .ns_per_msi = (double)busy / (double)msis,
			      .mmsi_per_s = (double)msis * 1e3 / (double)wall };
}

struct memory {
	uint64_t events, lpis, bytes;
};

static struct memory memory_of(struct mvm *m)
{
	struct vgic_its_stats st;
	uint64_t nr_lpis, lpi_bytes;

	CHECK(vgic_its_get_stats(m->vm, 0, &st));
	gic_lpi_usage(&m->vm->gic, &nr_lpis, &lpi_bytes);
	return (struct memory){ .events = st.mapped_events, .lpis = nr_lpis,
				.bytes = st.host_bytes + lpi_bytes };
}

static const uint32_t dev_counts[] = { 1, 64, 4096 };

struct result {
	struct cell c[2][2];	/* [threads - 1][miss] */
	struct memory mem;
};

static void print_table(const struct result *res)
{
	printf("MSI injection through vgic_signal_msi (%d events per device)\n\n", M_EVENTS);
	printf("%8s %8s  %12s %12s  %12s %12s\n", "devices", "threads", "hit ns/MSI",
	       "miss ns/MSI", "hit Mmsi/s", "miss Mmsi/s");
	for (size_t i = 0; i < ARRAY_SIZE(dev_counts); i++)
		for (unsigned int t = 0; t < 2; t++)
			printf("%8u %8u  %12.1f %12.1f  %12.2f %12.2f\n", dev_counts[i], t + 1,
			       res[i].c[t][0].ns_per_msi, res[i].c[t][1].ns_per_msi,
			       res[i].c[t][0].mmsi_per_s, res[i].c[t][1].mmsi_per_s);
	printf("\nHost memory (ITS mappings + translation cache + LPI store)\n\n");
	printf("%8s %8s %8s %12s %12s %12s\n", "devices", "events", "LPIs", "bytes",
	       "B/event", "B/LPI");
	for (size_t i = 0; i < ARRAY_SIZE(dev_counts); i++) {
		const struct memory *mm = &res[i].mem;

		printf("%8u %8llu %8llu %12llu %12.1f %12.1f\n", dev_counts[i],
		       (unsigned long long)mm->events, (unsigned long long)mm->lpis,
		       (unsigned long long)mm->bytes, (double)mm->bytes / (double)mm->events,
		       (double)mm->bytes / (double)mm->lpis);
	}
}

static void print_json(const struct result *res)
{
	printf("{\"bench\":\"msi\",\"events_per_device\":%d,\"results\":[", M_EVENTS);
	for (size_t i = 0; i < ARRAY_SIZE(dev_counts); i++) {
		for (unsigned int t = 0; t < 2; t++)
			printf("%s{\"devices\":%u,\"threads\":%u,\"hit_ns\":%.1f,\"miss_ns\":%.1f,"
			       "\"hit_mmsi_s\":%.3f,\"miss_mmsi_s\":%.3f}",
			       i || t ? "," : "", dev_counts[i], t + 1, res[i].c[t][0].ns_per_msi,
			       res[i].c[t][1].ns_per_msi, res[i].c[t][0].mmsi_per_s,
			       res[i].c[t][1].mmsi_per_s);
	}
	printf("],\"memory\":[");
	for (size_t i = 0; i < ARRAY_SIZE(dev_counts); i++) {
		const struct memory *mm = &res[i].mem;

		printf("%s{\"devices\":%u,\"events\":%llu,\"lpis\":%llu,\"bytes\":%llu,"
		       "\"bytes_per_event\":%.1f,\"bytes_per_lpi\":%.1f}", i ? "," : "",
		       dev_counts[i], (unsigned long long)mm->events, (unsigned long long)mm->lpis,
		       (unsigned long long)mm->bytes, (double)mm->bytes / (double)mm->events,
		       (double)mm->bytes / (double)mm->lpis);
	}
	printf("]}\n");
}

int bench_msi(int argc, char **argv)
{
	uint64_t target = bench_count_arg(argc, argv, 1000000);
	struct result res[ARRAY_SIZE(dev_counts)];
	bool json = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: vgic bench msi [-n MSIS_PER_CELL] [--json]\n");
			return 0;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(dev_counts); i++) {
		struct mvm *m = mvm_new(dev_counts[i]);

		for (unsigned int t = 0; t < 2; t++)
			for (unsigned int miss = 0; miss < 2; miss++)
				res[i].c[t][miss] = measure(m, dev_counts[i], t + 1, miss, target);
		res[i].mem = memory_of(m);
		mvm_free(m);
	}
	if (json)
		print_json(res);
	else
		print_table(res);
	return 0;
}
