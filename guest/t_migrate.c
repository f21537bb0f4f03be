/* SPDX-License-Identifier: MIT */
/*
 * The interrupt state across a migration (`vgic run --migrate`, or `--save`
 * then `--restore`).  Before the prompt: devices, events and two collections
 * mapped through the ITS, a third collection left unmapped, one LPI left
 * pending behind the priority mask and one pending while disabled in the
 * property table.  After the key: every mapping still translates to the same
 * LPI on the same vCPU, each pending LPI fires exactly once when unmasked,
 * the LPI priorities and enables are what they were, and the collection left
 * unmapped can be mapped now and delivers.  Then the migrated VM migrates
 * once more (a second prompt).  Needs 2 vCPUs; vgic only.
 */
#include <stddef.h>

#include "its.h"

#define WAIT_US		200000
#define KEY_WAIT_US	20000000	/* the VMM migrates, then types the key */
#define UART_DR		0x00
#define UART_FR		0x18
#define FR_RXFE		(1u << 4)

#define DEV_A		1
#define DEV_B		2
#define ICID_UNMAPPED	2

#define LPI_A		(LPI_BASE + 0)	/* DEV_A event 0 -> collection 0 (vCPU 0) */
#define LPI_B		(LPI_BASE + 1)	/* DEV_A event 1 -> collection 1 (vCPU 1) */
#define LPI_HI		(LPI_BASE + 2)	/* DEV_B event 3 -> vCPU 0, priority above the mask */
#define LPI_UNM		(LPI_BASE + 3)	/* DEV_B event 4 -> the unmapped collection */
#define LPI_PMR		(LPI_BASE + 4)	/* DEV_B event 5: left pending, masked by PMR */
#define LPI_OFF		(LPI_BASE + 5)	/* DEV_B event 6: left pending, disabled */
#define LPI_DIS		(LPI_BASE + 6)	/* DEV_B event 7: disabled, nothing pending */

#define PRIO_HI		0x80
#define PRIO_LO		0xa0
#define PMR_MID		0x90		/* lets PRIO_HI through, masks PRIO_LO */
#define PMR_OPEN	0xff

#define MIG_PATTERN	0x0123456789abcdefULL

static volatile bool online;

/*
 * vCPU 0 runs with the MMU on, devices and RAM identity-mapped (Unicorn
 * 2.0.1 faults any access where VA != PA).  AT S1E1R after the migration
 * finding the same PA through the tables shows the translation regime
 * (SCTLR, TCR, TTBR0) came along: a lost TTBR0 walks from PA 0 and faults.
 */
#define GIB		(1UL << 30)
#define RAM_PA		0x40000000UL
#define PTE_BLOCK	1UL
#define PTE_AF		(1UL << 10)
#define PTE_SH_INNER	(3UL << 8)
#define PTE_ATTR(n)	((uint64_t)(n) << 2)
#define TCR_VALUE	(25UL | (25UL << 16) | (2UL << 30) | (2UL << 32) | \
			 (1UL << 8) | (1UL << 10) | (3UL << 12) | \
			 (1UL << 24) | (1UL << 26) | (3UL << 28))
#define SCTLR_MMU	((1UL << 0) | (1UL << 2) | (1UL << 12))	/* M, C, I */

static uint64_t ttbr0_l1[512] __attribute__((aligned(4096)));
static volatile uint64_t probe_word;

static void mmu_on(void)
{
	ttbr0_l1[0] = 0 | PTE_BLOCK | PTE_AF | PTE_ATTR(0);
	ttbr0_l1[1] = RAM_PA | PTE_BLOCK | PTE_AF | PTE_SH_INNER | PTE_ATTR(1);
	dsb();
	sysreg_write(tcr_el1, TCR_VALUE);
	sysreg_write(ttbr0_el1, (uint64_t)ttbr0_l1);
	isb();
	__asm__ volatile("tlbi vmalle1\n dsb sy\n isb" ::: "memory");
	sysreg_write(sctlr_el1, sysreg_read(sctlr_el1) | SCTLR_MMU);
	isb();
}

#define PAR_F		1UL
#define PAR_PA_MASK	0x0000fffffffff000UL

/* The PA the stage-1 walk gives for probe_word, or PAR_EL1 if it faults. */
static uint64_t walk_pa(void)
{
	uint64_t va = (uint64_t)&probe_word, par;

	__asm__ volatile("at s1e1r, %0\n isb" :: "r"(va) : "memory");
	par = sysreg_read(par_el1);
	if (par & PAR_F)
		return par;
	return (par & PAR_PA_MASK) | (va & 0xfff);
}

/* EL0/EL1 system registers the VMM must carry, with values to recognise. */
#define SYSREG_SET(name, val)	{ #name, val }
static const struct { const char *name; uint64_t val; } sysreg_vals[] = {
	SYSREG_SET(tpidr_el0, 0x1111222233334444ULL),
	SYSREG_SET(tpidrro_el0, 0x5555666677778888ULL),
	SYSREG_SET(tpidr_el1, 0x99990000aaaabbbbULL),
	SYSREG_SET(contextidr_el1, 0x42),
	SYSREG_SET(mair_el1, 0x44ff00),
	SYSREG_SET(ttbr1_el1, 0x40001000),
	SYSREG_SET(cntkctl_el1, 0x3),
};

static void sysregs_set(void)
{
	sysreg_write(tpidr_el0, sysreg_vals[0].val);
	sysreg_write(tpidrro_el0, sysreg_vals[1].val);
	sysreg_write(tpidr_el1, sysreg_vals[2].val);
	sysreg_write(contextidr_el1, sysreg_vals[3].val);
	sysreg_write(mair_el1, sysreg_vals[4].val);
	sysreg_write(ttbr1_el1, sysreg_vals[5].val);
	sysreg_write(cntkctl_el1, sysreg_vals[6].val);
	isb();
}

/* Timers armed but masked (IMASK) with deadlines far ahead: kept as set. */
#define TIMER_CTL	0x3		/* ENABLE | IMASK */
#define TIMER_AHEAD	(1ULL << 40)

static uint64_t timers_set(void)
{
	uint64_t cval = counter() + TIMER_AHEAD;

	sysreg_write(cntv_cval_el0, cval);
	sysreg_write(cntp_cval_el0, cval + 1);
	sysreg_write(cntv_ctl_el0, TIMER_CTL);
	sysreg_write(cntp_ctl_el0, TIMER_CTL);
	isb();
	return cval;
}

static bool timers_kept(uint64_t cval)
{
	return sysreg_read(cntv_cval_el0) == cval && sysreg_read(cntp_cval_el0) == cval + 1 &&
	       sysreg_read(cntv_ctl_el0) == TIMER_CTL && sysreg_read(cntp_ctl_el0) == TIMER_CTL;
}

/* The first register that lost its value, or NULL. */
static const char *sysregs_lost(void)
{
	const uint64_t now[] = {
		sysreg_read(tpidr_el0), sysreg_read(tpidrro_el0), sysreg_read(tpidr_el1),
		sysreg_read(contextidr_el1), sysreg_read(mair_el1), sysreg_read(ttbr1_el1),
		sysreg_read(cntkctl_el1),
	};

	for (unsigned int i = 0; i < sizeof(now) / sizeof(now[0]); i++)
		if (now[i] != sysreg_vals[i].val)
			return sysreg_vals[i].name;
	return NULL;
}

void secondary_main(unsigned int idx)
{
	(void)idx;
	its_secondary_loop(&online);
}

static void pmr_write(uint64_t pmr)
{
	sysreg_write(S3_0_C4_C6_0, pmr);	/* ICC_PMR_EL1 */
	isb();
}

static bool map_all(void)
{
	lpi_config(LPI_A, PRIO_LO, true);
	lpi_config(LPI_B, PRIO_LO, true);
	lpi_config(LPI_HI, PRIO_HI, true);
	lpi_config(LPI_UNM, PRIO_LO, true);
	lpi_config(LPI_PMR, PRIO_LO, true);
	lpi_config(LPI_OFF, PRIO_LO, false);
	lpi_config(LPI_DIS, PRIO_LO, false);
	return its_mapc(0, 0) && its_mapc(1, 1) && its_mapd(DEV_A, 4) && its_mapd(DEV_B, 4) &&
	       its_mapti(DEV_A, 0, LPI_A, 0) && its_mapti(DEV_A, 1, LPI_B, 1) &&
	       its_mapti(DEV_B, 3, LPI_HI, 0) && its_mapti(DEV_B, 4, LPI_UNM, ICID_UNMAPPED) &&
	       its_mapti(DEV_B, 5, LPI_PMR, 0) && its_mapti(DEV_B, 6, LPI_OFF, 0) &&
	       its_mapti(DEV_B, 7, LPI_DIS, 0) && its_invall(0) && its_invall(1) && its_sync(0);
}

/* Everything the migration must carry, set up and checked once before it. */
static void before(void)
{
	bool ok = map_all();

	check("pre-map", ok, "command queue stalled");
	irq_log_reset();
	ok = its_dev_cmd(ITS_CMD_INT, DEV_A, 0) && its_dev_cmd(ITS_CMD_INT, DEV_A, 1);
	check("pre-translate", ok && irq_log_once(0, LPI_A, WAIT_US) && irq_log_once(1, LPI_B, WAIT_US), "n=%u/%u", irq_logs[0].n,
	      irq_logs[1].n);

	/* An INT to an unmapped collection is dropped (nothing arrives). */
	irq_log_reset();
	ok = its_dev_cmd(ITS_CMD_INT, DEV_B, 4) && its_sync(0);
	check("pre-unmapped-collection", ok && irq_log_none(0) && irq_log_none(1), "n=%u/%u", irq_logs[0].n,
	      irq_logs[1].n);

	/* Two LPIs left pending: one behind the priority mask, one disabled. */
	irq_log_reset();
	pmr_write(PMR_MID);
	ok = its_dev_cmd(ITS_CMD_INT, DEV_B, 5) && its_dev_cmd(ITS_CMD_INT, DEV_B, 6) &&
	     its_sync(0);
	check("pre-pending", ok && irq_log_none(0), "n=%u", irq_logs[0].n);
}

static uint8_t wait_key(void)
{
	if (!wait_until(!(mmio_read32(UART_BASE + UART_FR) & FR_RXFE), KEY_WAIT_US))
		return 0;
	return (uint8_t)mmio_read32(UART_BASE + UART_DR);
}

static void after(uint64_t cnt_before, uint64_t cval)
{
	uint64_t fp;
	bool ok;

	__asm__ volatile("fmov %0, d31" : "=r"(fp));
	check("fp-register", fp == MIG_PATTERN, "d31=%lx", (unsigned long)fp);
	check("sysregs-kept", !sysregs_lost(), "%s", sysregs_lost());
	check("mmu-kept", (sysreg_read(sctlr_el1) & SCTLR_MMU) == SCTLR_MMU &&
	      walk_pa() == (uint64_t)&probe_word, "sctlr=%lx pa=%lx",
	      (unsigned long)sysreg_read(sctlr_el1), (unsigned long)walk_pa());
	check("counter-monotonic", counter() >= cnt_before, "");
	check("timers-kept", timers_kept(cval), "cntv ctl %lx cval %lx",
	      (unsigned long)sysreg_read(cntv_ctl_el0), (unsigned long)sysreg_read(cntv_cval_el0));
	check("pmr-kept", sysreg_read(S3_0_C4_C6_0) == PMR_MID, "pmr=%lx",
	      (unsigned long)sysreg_read(S3_0_C4_C6_0));
	check("pending-held", irq_logs[0].n == 0 && irq_log_none(0), "n=%u", irq_logs[0].n);

	/* Priority survived: PRIO_HI passes the mask that holds PRIO_LO. */
	irq_log_reset();
	ok = its_dev_cmd(ITS_CMD_INT, DEV_B, 3);
	check("lpi-priority-kept", ok && irq_log_once(0, LPI_HI, WAIT_US) && irq_logs[0].n == 1, "n=%u",
	      irq_logs[0].n);

	irq_log_reset();
	pmr_write(PMR_OPEN);
	check("pending-pmr-fires-once", irq_log_once(0, LPI_PMR, WAIT_US) && irq_logs[0].n == 1, "n=%u",
	      irq_logs[0].n);

	/* Enable survived: the disabled LPI takes an INT but is not delivered. */
	irq_log_reset();
	ok = its_dev_cmd(ITS_CMD_INT, DEV_B, 7) && its_sync(0);
	check("lpi-disable-kept", ok && irq_log_none(0), "n=%u", irq_logs[0].n);

	irq_log_reset();
	lpi_config(LPI_OFF, PRIO_LO, true);
	lpi_config(LPI_DIS, PRIO_LO, true);
	ok = its_dev_cmd(ITS_CMD_INV, DEV_B, 6) && its_dev_cmd(ITS_CMD_INV, DEV_B, 7);
	check("pending-disabled-fires-once", ok && irq_log_once(0, LPI_OFF, WAIT_US) && irq_log_once(0, LPI_DIS, WAIT_US) &&
	      irq_logs[0].n == 2, "n=%u", irq_logs[0].n);

	irq_log_reset();
	ok = its_dev_cmd(ITS_CMD_INT, DEV_A, 0) && its_dev_cmd(ITS_CMD_INT, DEV_A, 1) &&
	     its_dev_cmd(ITS_CMD_INT, DEV_B, 3);
	check("mappings-translate", ok && irq_log_once(0, LPI_A, WAIT_US) && irq_log_once(1, LPI_B, WAIT_US) && irq_log_once(0, LPI_HI, WAIT_US) &&
	      irq_logs[0].n == 2 && irq_logs[1].n == 1, "n=%u/%u", irq_logs[0].n, irq_logs[1].n);

	/* Through GITS_TRANSLATER too: DeviceID 0 is unmapped, nothing comes. */
	irq_log_reset();
	mmio_write32(GITS_BASE + GITS_TRANSLATER, 0);
	check("unmapped-device-silent", irq_log_none(0) && irq_log_none(1), "n=%u/%u", irq_logs[0].n,
	      irq_logs[1].n);

	irq_log_reset();
	ok = its_mapc(ICID_UNMAPPED, 1) && its_dev_cmd(ITS_CMD_INT, DEV_B, 4);
	check("late-collection-delivers", ok && irq_log_once(1, LPI_UNM, WAIT_US) && irq_logs[0].n == 0, "n=%u/%u",
	      irq_logs[0].n, irq_logs[1].n);
}

/*
 * A second migration of the migrated VM, with an LPI pending behind the mask
 * again and the late collection now mapped: what was restored once must
 * save and restore as well as what the guest built itself.
 */
static void again(void)
{
	bool ok;

	irq_log_reset();
	pmr_write(PMR_MID);
	ok = its_dev_cmd(ITS_CMD_INT, DEV_B, 5) && its_sync(0);
	print("Now migrate the VM, then press a key to continue...\n");
	check("key-again", wait_key() != 0, "no key within %u s", KEY_WAIT_US / 1000000);
	check("again-pending-held", ok && irq_log_none(0), "n=%u", irq_logs[0].n);
	pmr_write(PMR_OPEN);
	check("again-pending-fires-once", irq_log_once(0, LPI_PMR, WAIT_US) && irq_logs[0].n == 1, "n=%u",
	      irq_logs[0].n);
	irq_log_reset();
	ok = its_dev_cmd(ITS_CMD_INT, DEV_A, 0) && its_dev_cmd(ITS_CMD_INT, DEV_A, 1) &&
	     its_dev_cmd(ITS_CMD_INT, DEV_B, 4);
	check("again-mappings-translate", ok && irq_log_once(0, LPI_A, WAIT_US) && irq_log_once(1, LPI_B, WAIT_US) &&
	      irq_log_once(1, LPI_UNM, WAIT_US) && irq_logs[0].n == 1 && irq_logs[1].n == 2, "n=%u/%u",
	      irq_logs[0].n, irq_logs[1].n);
}

int main(const void *fdt)
{
	uint64_t pattern = MIG_PATTERN, cnt, cval;
	uint8_t key;

	boot_fdt = fdt;
	print("t_migrate: the interrupt state across a migration\n");
	if (!its_guest_start(&online, WAIT_US))
		return summary();
	before();

	sysregs_set();
	mmu_on();
	check("pre-mmu", walk_pa() == (uint64_t)&probe_word, "walk gives %lx",
	      (unsigned long)walk_pa());
	cval = timers_set();
	__asm__ volatile("fmov d31, %0" :: "r"(pattern));
	cnt = counter();
	print("Now migrate the VM, then press a key to continue...\n");
	key = wait_key();
	check("key", key != 0, "no key within %u s", KEY_WAIT_US / 1000000);
	after(cnt, cval);
	again();
	return summary();
}
