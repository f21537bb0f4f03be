/* SPDX-License-Identifier: MIT */
#include "gic.h"

struct irq_log irq_logs[MAX_CPUS];

uint64_t gicr_base(void)
{
	uint64_t aff = sysreg_read(mpidr_el1);
	uint32_t want = (aff & 0xffffff) | ((aff >> 32 & 0xff) << 24);

	for (uint64_t rd = GICR_BASE;; rd += GICR_STRIDE) {
		uint64_t typer = mmio_read64(rd + GICR_TYPER);

		if ((typer >> 32) == want)
			return rd;
		if (typer & GICR_TYPER_LAST)
			return 0;
	}
}

static void dist_wait(void)
{
	while (mmio_read32(GICD_BASE + GICD_CTLR) & GICD_CTLR_RWP)
		;
}

void gic_dist_init(void)
{
	unsigned int lines = ((mmio_read32(GICD_BASE + GICD_TYPER) & 0x1f) + 1) * 32;

	mmio_write32(GICD_BASE + GICD_CTLR, 0);
	dist_wait();
	for (unsigned int i = 32; i < lines; i += 32) {
		mmio_write32(GICD_BASE + GICD_IGROUPR + i / 8, ~0u);
		mmio_write32(GICD_BASE + GICD_ICENABLER + i / 8, ~0u);
	}
	for (unsigned int i = 32; i < lines; i += 4)
		mmio_write32(GICD_BASE + GICD_IPRIORITYR + i, 0xa0a0a0a0u);
	mmio_write32(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_G1);
	dist_wait();
}

void gic_cpu_init(void)
{
	uint64_t rd = gicr_base();

	mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) & ~GICR_WAKER_PS);
	while (mmio_read32(rd + GICR_WAKER) & GICR_WAKER_CA)
		;
	mmio_write32(rd + GICR_SGI + GICD_IGROUPR, ~0u);
	mmio_write32(rd + GICR_SGI + GICD_ICENABLER, ~0u);
	for (unsigned int i = 0; i < 32; i += 4)
		mmio_write32(rd + GICR_SGI + GICD_IPRIORITYR + i, 0xa0a0a0a0u);
	sysreg_write(S3_0_C12_C12_5, sysreg_read(S3_0_C12_C12_5) | 1);	/* ICC_SRE_EL1.SRE */
	isb();
	sysreg_write(S3_0_C4_C6_0, 0xff);	/* ICC_PMR_EL1 */
	sysreg_write(S3_0_C12_C12_3, 0);	/* ICC_BPR1_EL1 */
	sysreg_write(S3_0_C12_C12_4, 0);	/* ICC_CTLR_EL1: EOImode 0 */
	sysreg_write(S3_0_C12_C12_7, 1);	/* ICC_IGRPEN1_EL1 */
	isb();
}

/* Register block and bit for @intid: redistributor SGI frame or distributor. */
static uint64_t bank(unsigned int intid)
{
	return intid < 32 ? gicr_base() + GICR_SGI : GICD_BASE;
}

void gic_set_priority(unsigned int intid, uint8_t prio)
{
	*(volatile uint8_t *)(bank(intid) + GICD_IPRIORITYR + intid) = prio;
}

static void bit_write(unsigned int reg, unsigned int intid)
{
	mmio_write32(bank(intid) + reg + (intid / 32) * 4, 1u << (intid % 32));
}

static bool bit_read(unsigned int reg, unsigned int intid)
{
	return mmio_read32(bank(intid) + reg + (intid / 32) * 4) & (1u << (intid % 32));
}

void gic_enable(unsigned int intid) { bit_write(GICD_ISENABLER, intid); dsb(); }
void gic_disable(unsigned int intid) { bit_write(GICD_ICENABLER, intid); dsb(); }
void gic_set_pending(unsigned int intid) { bit_write(GICD_ISPENDR, intid); dsb(); }
bool gic_is_active(unsigned int intid) { return bit_read(GICD_ISACTIVER, intid); }
bool gic_is_pending(unsigned int intid) { return bit_read(GICD_ISPENDR, intid); }

void gic_route_spi(unsigned int intid, uint64_t mpidr)
{
	mmio_write64(GICD_BASE + GICD_IROUTER + intid * 8, mpidr & 0xff00ffffffULL);
}

void gic_send_sgi(unsigned int intid, uint16_t targets)
{
	sysreg_write(S3_0_C12_C11_5, ((uint64_t)intid << 24) | targets);	/* ICC_SGI1R_EL1 */
	isb();
}

void gic_send_sgi_others(unsigned int intid)
{
	sysreg_write(S3_0_C12_C11_5, ((uint64_t)intid << 24) | ICC_SGI1R_IRM);
	isb();
}

uint32_t gic_ack(void)
{
	uint32_t id = sysreg_read(S3_0_C12_C12_0);	/* ICC_IAR1_EL1 */

	__asm__ volatile("dsb sy" ::: "memory");
	return id;
}

void gic_eoi(uint32_t intid)
{
	sysreg_write(S3_0_C12_C12_1, intid);	/* ICC_EOIR1_EL1 */
	isb();
}

void gic_dir(uint32_t intid)
{
	sysreg_write(S3_0_C12_C11_1, intid);	/* ICC_DIR_EL1 */
	isb();
}

void gic_default_irq(struct frame *f)
{
	struct irq_log *log = &irq_logs[cpu_index() % MAX_CPUS];
	uint32_t id = gic_ack();

	(void)f;
	if (id == INTID_SPURIOUS)
		return;
	if (log->n < 32)
		log->ids[log->n] = id;
	log->n++;
	gic_eoi(id);
}

void irq_log_reset(void)
{
	for (unsigned int c = 0; c < MAX_CPUS; c++)
		irq_logs[c].n = 0;
	dsb();
}

unsigned int irq_log_count(unsigned int cpu, uint32_t intid)
{
	unsigned int n = 0;

	for (uint32_t i = 0; i < irq_logs[cpu].n && i < 32; i++)
		n += irq_logs[cpu].ids[i] == intid;
	return n;
}

bool irq_log_once(unsigned int cpu, uint32_t intid, unsigned int wait_us)
{
	wait_until(irq_log_count(cpu, intid) >= 1, wait_us);
	wait_until(false, 2000);
	return irq_log_count(cpu, intid) == 1;
}

bool irq_log_none(unsigned int cpu)
{
	wait_until(false, 5000);
	return irq_logs[cpu].n == 0;
}
