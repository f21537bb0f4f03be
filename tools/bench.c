/* SPDX-License-Identifier: MIT */
/* `vgic bench`: a table of benchmarks, and the helpers they share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "commands.h"

struct bench {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct bench benches[] = {
	{ "guest", bench_guest, "guest image: LPI/IPI round trips, EOI, MMIO, PSCI; --compare-qemu runs QEMU too" },
	{ "host", bench_host, "host paths: MSI hit/miss, MAPTI/s, IRQ line, irqfd, memory; 1..4096 devices, 1..512 vCPUs" },
	{ "irqfd", bench_irqfd, "eventfd write -> LPI/SPI pending: rate, p50/p99 latency" },
	{ "ioeventfd", bench_ioeventfd, "guest MMIO write -> eventfd readable latency" },
	{ "lpi-stress", bench_lpi_stress, "devices x events LPIs from sender threads, acked by vCPU threads" },
	{ "msi", bench_msi, "signal-MSI ns/MSI, cache hit and miss, 1..4096 devices; bytes per LPI" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: vgic bench NAME [-n COUNT]\n\nbenchmarks:\n");
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		fprintf(f, "  %-10s %s\n", benches[i].name, benches[i].help);
}

int cmd_bench(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		if (!strcmp(argv[1], benches[i].name))
			return benches[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "vgic bench: unknown benchmark '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t bench_percentile(uint64_t *v, unsigned int n, unsigned int pct)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[(uint64_t)(n - 1) * pct / 100];
}

unsigned int bench_count_arg(int argc, char **argv, unsigned int def)
{
	for (int i = 1; i + 1 < argc; i++) {
		if (!strcmp(argv[i], "-n")) {
			long n = strtol(argv[i + 1], NULL, 0);

			return n > 0 && n < 100000000 ? (unsigned int)n : def;
		}
	}
	return def;
}
