/* SPDX-License-Identifier: MIT */
/*
 * Guest micro-benchmarks for `vgic bench guest`: the same image runs on
 * `vgic run --smp 2` and on QEMU's virt, and prints one line per row,
 *
 *   bench ROW NS_PER_OP ITERATIONS
 *
 * timed with the virtual counter (CNTVCT at CNTFRQ on both).  Rows:
 * an LPI round trip through the ITS INT command and through a
 * GITS_TRANSLATER write (queue or doorbell write -> IRQ taken -> IAR/EOI ->
 * handler done), an IPI round trip between two vCPUs, one EOI, one MMIO
 * read of a distributor register, one PSCI_VERSION call; and, for scale,
 * one store to RAM.
 *
 * Waiting for another vCPU uses WFI with interrupts masked around the check,
 * as a driver would: a single-threaded VMM would otherwise measure the
 * spinning vCPU's time slice rather than the interrupt path.
 */
#include "its.h"

#define DEVID		0	/* GITS_TRANSLATER writes from a CPU carry DeviceID 0 */
#define EVENT		0
#define LPI		(LPI_BASE + 8)
#define SGI_PING	1
#define SGI_PONG	2
#define ICC_EOIR1(v)	sysreg_write(S3_0_C12_C12_1, v)

static volatile uint32_t got;		/* interrupts cpu0's handler finished */
static volatile bool cpu1_online;

/* cpu1 answers every ping with a pong; cpu0 counts what it takes. */
static void on_irq(struct frame *f)
{
	uint32_t id = gic_ack();

	(void)f;
	if (id == INTID_SPURIOUS)
		return;
	gic_eoi(id);
	if (cpu_index() == 1) {
		if (id == SGI_PING)
			gic_send_sgi(SGI_PONG, 1u << 0);
		return;
	}
	got++;
}

void secondary_main(unsigned int idx)
{
	(void)idx;
	gic_cpu_init();
	mmio_write32(gicr_base() + GICR_SGI + GICD_ISENABLER, 1u << SGI_PING);
	cpu1_online = true;
	dsb();
	irq_enable();
	for (;;)
		wfi();
}

#define ROUNDS		7
#define FAILED		UINT64_MAX	/* a row's round that did not complete */

static uint64_t ns_of(uint64_t ticks, unsigned int n)
{
	return ticks * 1000000000ULL / sysreg_read(cntfrq_el0) / n;
}

/* Spin with interrupts on until the handler has run @want times. */
static bool spin_for(uint32_t want)
{
	return wait_until(got >= want, 1000000);
}

/* Sleep in WFI until the handler has run @want times (see the file comment). */
static void sleep_for(uint32_t want)
{
	irq_disable();
	while (got < want) {
		wfi();
		irq_enable();
		irq_disable();
	}
	irq_enable();
}

static bool send_int(void)
{
	return its_dev_cmd(ITS_CMD_INT, DEVID, EVENT);
}

static bool send_translater(void)
{
	mmio_write32(GITS_BASE + GITS_TRANSLATER, EVENT);
	return true;
}

/* @n LPI round trips, each raised by @send and waited for with interrupts on. */
static uint64_t lpi_round_trips(unsigned int n, bool (*send)(void))
{
	uint64_t t0 = counter();

	for (unsigned int i = 0; i < n; i++) {
		uint32_t want = got + 1;

		if (!send() || !spin_for(want))
			return FAILED;
	}
	return counter() - t0;
}

/* Each row: counter ticks for @n operations, or FAILED. */
static uint64_t bench_lpi_int(unsigned int n)
{
	return lpi_round_trips(n, send_int);
}

static uint64_t bench_lpi_translater(unsigned int n)
{
	return lpi_round_trips(n, send_translater);
}

static uint64_t bench_ipi(unsigned int n)
{
	uint64_t t0 = counter();

	for (unsigned int i = 0; i < n; i++) {
		uint32_t want = got + 1;

		gic_send_sgi(SGI_PING, 1u << 1);
		sleep_for(want);
	}
	return counter() - t0;
}

/*
 * One EOI: bracketed by counter reads, less what two back-to-back counter
 * reads cost on this system (the SGI is acknowledged with interrupts masked
 * so that nothing else runs in between).
 */
static uint64_t bench_eoi(unsigned int n)
{
	uint64_t sum = 0, calib = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t t0 = counter();

		calib += counter() - t0;
	}
	irq_disable();
	for (unsigned int i = 0; i < n; i++) {
		uint32_t id;
		uint64_t t0;

		gic_send_sgi(SGI_PING, 1u << 0);
		while ((id = gic_ack()) == INTID_SPURIOUS)
			;
		t0 = counter();
		ICC_EOIR1(id);
		sum += counter() - t0;
	}
	irq_enable();
	return sum > calib ? sum - calib : 0;
}

static uint64_t bench_mmio_read(unsigned int n)
{
	uint64_t t0 = counter();

	for (unsigned int i = 0; i < n; i++)
		(void)mmio_read32(GICD_BASE + GICD_TYPER);
	return counter() - t0;
}

static uint64_t bench_psci(unsigned int n)
{
	uint64_t t0 = counter();

	for (unsigned int i = 0; i < n; i++)
		(void)psci_call(PSCI_VERSION, 0, 0, 0);
	return counter() - t0;
}

/*
 * Not an interrupt path: one 8-byte store to RAM.  Every exception entry
 * saves the interrupted registers with such stores, so this row is the
 * floor under the round trips above (see docs/performance.md).
 */
static uint64_t bench_ram_store(unsigned int n)
{
	static uint64_t sink[8];
	uint64_t t0 = counter();

	for (unsigned int i = 0; i < n; i++)
		*(volatile uint64_t *)&sink[i & 7] = i;
	return counter() - t0;
}

enum needs { ANY, ITS, TWO_CPUS };

static const struct bench_row {
	const char *name;
	uint64_t (*fn)(unsigned int n);
	unsigned int n;		/* operations per round */
	enum needs needs;
} rows[] = {
	{ "lpi-int", bench_lpi_int, 3000, ITS },
	{ "lpi-translater", bench_lpi_translater, 3000, ITS },
	{ "ipi", bench_ipi, 3000, TWO_CPUS },
	{ "eoi", bench_eoi, 3000, ANY },
	{ "mmio-dist-read", bench_mmio_read, 30000, ANY },
	{ "psci-version", bench_psci, 15000, ANY },
	{ "ram-store", bench_ram_store, 30000, ANY },
};

/*
 * ROUNDS rounds; the median round's ns per operation is the figure, so
 * that a round disturbed by the host (the other system of a comparison,
 * other load) does not decide it.
 */
static void run_row(const struct bench_row *r)
{
	uint64_t ns[ROUNDS];

	for (unsigned int i = 0; i < ROUNDS; i++) {
		uint64_t ticks = r->fn(r->n);

		if (ticks == FAILED) {
			check(r->name, false, "round %u did not complete", i);
			return;
		}
		ns[i] = ns_of(ticks, r->n);
		for (unsigned int j = i; j > 0 && ns[j - 1] > ns[j]; j--) {
			uint64_t t = ns[j];

			ns[j] = ns[j - 1];
			ns[j - 1] = t;
		}
	}
	print("bench %s %lu %u\n", r->name, ns[ROUNDS / 2], r->n * ROUNDS);
}

static bool setup_its(void)
{
	its_init();
	its_cpu_init();
	lpi_config(LPI, 0xa0, true);
	return its_mapc(0, 0) && its_mapd(DEVID, 4) && its_mapti(DEVID, EVENT, LPI, 0) &&
	       its_dev_cmd(ITS_CMD_INV, DEVID, EVENT) && its_sync(0);
}

int main(const void *fdt)
{
	bool its_ok, smp_ok;

	boot_fdt = fdt;
	print("bench_guest: interrupt-path micro-benchmarks\n");
	gic_dist_init();
	gic_cpu_init();
	gic_enable(SGI_PING);
	gic_enable(SGI_PONG);
	irq_hook = on_irq;
	irq_enable();
	its_ok = its_present() && setup_its();
	check("its-setup", its_ok, "no ITS or a command timed out");
	smp_ok = cpu_start(1) == 0 && wait_until(cpu1_online, 1000000);
	check("cpu1-online", smp_ok, "cpu1 did not start");
	for (unsigned int i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if ((rows[i].needs != ITS || its_ok) && (rows[i].needs != TWO_CPUS || smp_ok))
			run_row(&rows[i]);
	return summary();
}
