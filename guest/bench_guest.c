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
 * read of a distributor register, one PSCI_VERSION call.
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

static uint64_t ns_of(uint64_t ticks, unsigned int n)
{
	return ticks * 1000000000ULL / sysreg_read(cntfrq_el0) / n;
}

static void row(const char *name, uint64_t ticks, unsigned int n)
{
	print("bench %s %lu %u\n", name, ns_of(ticks, n), n);
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

static bool bench_lpi_int(unsigned int n)
{
	uint64_t t0 = counter();

	for (unsigned int i = 0; i < n; i++) {
		uint32_t want = got + 1;

		if (!its_dev_cmd(ITS_CMD_INT, DEVID, EVENT) || !spin_for(want))
			return false;
	}
	row("lpi-int", counter() - t0, n);
	return true;
}

static bool bench_lpi_translater(unsigned int n)
{
	uint64_t t0 = counter();

	for (unsigned int i = 0; i < n; i++) {
		uint32_t want = got + 1;

		mmio_write32(GITS_BASE + GITS_TRANSLATER, EVENT);
		if (!spin_for(want))
			return false;
	}
	row("lpi-translater", counter() - t0, n);
	return true;
}

static void bench_ipi(unsigned int n)
{
	uint64_t t0 = counter();

	for (unsigned int i = 0; i < n; i++) {
		uint32_t want = got + 1;

		gic_send_sgi(SGI_PING, 1u << 1);
		sleep_for(want);
	}
	row("ipi", counter() - t0, n);
}

/*
 * One EOI: bracketed by counter reads, less what two back-to-back counter
 * reads cost on this system (the SGI is acknowledged with interrupts masked
 * so that nothing else runs in between).
 */
static void bench_eoi(unsigned int n)
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
	row("eoi", sum > calib ? sum - calib : 0, n);
}

static void bench_mmio_read(unsigned int n)
{
	uint64_t t0 = counter();

	for (unsigned int i = 0; i < n; i++)
		(void)mmio_read32(GICD_BASE + GICD_TYPER);
	row("mmio-dist-read", counter() - t0, n);
}

static void bench_psci(unsigned int n)
{
	uint64_t t0 = counter();

	for (unsigned int i = 0; i < n; i++)
		(void)psci_call(PSCI_VERSION, 0, 0, 0);
	row("psci-version", counter() - t0, n);
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
	boot_fdt = fdt;
	print("bench_guest: interrupt-path micro-benchmarks\n");
	gic_dist_init();
	gic_cpu_init();
	gic_enable(SGI_PING);
	gic_enable(SGI_PONG);
	irq_hook = on_irq;
	irq_enable();
	check("its-setup", its_present() && setup_its(), "no ITS or a command timed out");
	check("cpu1-online", cpu_start(1) == 0 && wait_until(cpu1_online, 1000000), "cpu1 did not start");
	if (its_present()) {
		check("lpi-int", bench_lpi_int(20000), "an LPI never arrived");
		check("lpi-translater", bench_lpi_translater(20000), "an LPI never arrived");
	}
	if (cpu1_online)
		bench_ipi(20000);
	bench_eoi(20000);
	bench_mmio_read(200000);
	bench_psci(100000);
	return summary();
}
