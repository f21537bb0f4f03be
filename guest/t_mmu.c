/* SPDX-License-Identifier: MIT */
/*
 * With the MMU on: PSCI over HVC, SVC with its immediate, WFI woken by the
 * timer and GIC system registers must all still work.  Virt features only
 * (run on QEMU too).  4 KiB granule, 39-bit VAs, 1 GiB blocks.
 *
 * The code runs identity-mapped.  Built with -DWITH_ALIAS it runs at an alias
 * of RAM (VA != PA), which passes on QEMU; Unicorn 2.0.1 reports every fetch
 * through such a mapping (TTBR0 or TTBR1) as a fetch from unmapped memory,
 * so vgic run stops there and the default build leaves it out.
 */
#include "gic.h"

#define ALIAS_BASE	0x4000000000UL	/* 256 GiB: TTBR0 L1 index 256 */
#define GIB		(1UL << 30)
#define BLOCK		1UL		/* valid, block */
#define AF		(1UL << 10)
#define SH_INNER	(3UL << 8)
#define ATTR(n)		((uint64_t)(n) << 2)
#define MAIR_DEVICE	0x00		/* attr 0: Device-nGnRnE */
#define MAIR_NORMAL	0xff		/* attr 1: Normal write-back */
#define TCR_VALUE	(25UL | (25UL << 16) | (2UL << 30) | (2UL << 32) | \
			 (1UL << 8) | (1UL << 10) | (3UL << 12) | \
			 (1UL << 24) | (1UL << 26) | (3UL << 28))
#define SCTLR_MMU	((1UL << 0) | (1UL << 2) | (1UL << 12))

static uint64_t ttbr0_l1[512] __attribute__((aligned(4096)));
static uint64_t ttbr1_l1[512] __attribute__((aligned(4096)));	/* empty */
static volatile uint64_t svc_esr;
static volatile unsigned int svcs;

static void on_sync(unsigned int kind, struct frame *f)
{
	(void)kind, (void)f;
	svc_esr = sysreg_read(esr_el1);
	svcs++;
}

static void mmu_on(void)
{
	/* Identity: devices in the first GiB, RAM in the second. */
	ttbr0_l1[0] = 0x00000000UL | BLOCK | AF | ATTR(0);
	ttbr0_l1[1] = 0x40000000UL | BLOCK | AF | SH_INNER | ATTR(1);
	/* Alias of RAM: ALIAS_BASE -> 0x40000000. */
	ttbr0_l1[ALIAS_BASE / GIB] = 0x40000000UL | BLOCK | AF | SH_INNER | ATTR(1);
	dsb();
	sysreg_write(mair_el1, MAIR_DEVICE | (MAIR_NORMAL << 8));
	sysreg_write(tcr_el1, TCR_VALUE);
	sysreg_write(ttbr0_el1, (uint64_t)ttbr0_l1);
	sysreg_write(ttbr1_el1, (uint64_t)ttbr1_l1);
	isb();
	__asm__ volatile("tlbi vmalle1\n dsb sy\n isb" ::: "memory");
	sysreg_write(sctlr_el1, sysreg_read(sctlr_el1) | SCTLR_MMU);
	isb();
}

static uint64_t alias(void *p)
{
#ifdef WITH_ALIAS
	return (uint64_t)p - 0x40000000UL + ALIAS_BASE;
#else
	return (uint64_t)p;
#endif
}

static volatile int64_t psci_version;
static volatile uint64_t ran_at;
static volatile bool timer_pending;

/* Runs at the alias. */
static void alias_checks(void)
{
	uint64_t pc;

	__asm__ volatile("adr %0, ." : "=r"(pc));
	ran_at = pc;
	psci_version = psci_call(PSCI_VERSION, 0, 0, 0);
	__asm__ volatile("svc #0x33" ::: "memory");
	/* WFI woken by the virtual timer (masked: WFI still wakes). */
	gic_enable(27);
	sysreg_write(cntv_tval_el0, sysreg_read(cntfrq_el0) / 1000);
	sysreg_write(cntv_ctl_el0, 1);
	isb();
	wfi();
	timer_pending = gic_is_pending(27);
	sysreg_write(cntv_ctl_el0, 0);
	isb();
}

int main(const void *fdt)
{
	void (*fn)(void);

	boot_fdt = fdt;
	print("t_mmu: checks with the MMU on\n");
	gic_dist_init();
	gic_cpu_init();
	sync_hook = on_sync;
	mmu_on();
	check("mmu-on", sysreg_read(sctlr_el1) & 1, "");
	fn = (void (*)(void))alias(alias_checks);
	irq_disable();
	fn();
	check("mmu-code-address", ran_at - alias(alias_checks) < 0x100, "pc 0x%lx", ran_at);
	check("mmu-psci-hvc", psci_version >= 0x10000, "0x%lx", psci_version);
	check("mmu-svc", svcs == 1 && (svc_esr >> 26) == 0x15 && (svc_esr & 0xffff) == 0x33,
	      "n=%u esr=0x%lx", svcs, svc_esr);
	check("mmu-wfi-timer", timer_pending, "timer PPI not pending after WFI");
	return summary();
}
