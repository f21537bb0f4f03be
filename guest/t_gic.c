/* SPDX-License-Identifier: MIT */
/*
 * GIC conformance checks that use only virt features (run on QEMU too):
 * SGIs (self, target list, broadcast), PPIs and SPIs made pending by the
 * guest, priority order, preemption, active state, EOImode=1, timers.
 * Needs 4 vCPUs.
 */
#include "gic.h"

#define NR_CPUS		4
#define WAIT_US		200000

static volatile bool online[MAX_CPUS];

void secondary_main(unsigned int idx)
{
	gic_cpu_init();
	/* Receivers enable SGIs in their own redistributor. */
	mmio_write32(gicr_base() + GICR_SGI + GICD_ISENABLER, 0xffff);
	irq_hook = gic_default_irq;
	online[idx] = true;
	dsb();
	irq_enable();
	for (;;)
		wfi();
}

static void check_sgis(void)
{
	bool ok;

	gic_enable(1);
	irq_log_reset();
	gic_send_sgi(1, 1u << 0);
	ok = wait_until(irq_logs[0].n == 1, WAIT_US);
	check("sgi-self", ok && irq_logs[0].ids[0] == 1, "log n=%u id=%u", irq_logs[0].n,
	      irq_logs[0].ids[0]);

	irq_log_reset();
	gic_send_sgi(2, (1u << 1) | (1u << 2));
	ok = wait_until(irq_logs[1].n >= 1 && irq_logs[2].n >= 1, WAIT_US);
	wait_until(false, 2000);
	check("sgi-target-list", ok && irq_log_count(1, 2) == 1 && irq_log_count(2, 2) == 1 &&
	      irq_logs[3].n == 0 && irq_logs[0].n == 0, "counts %u %u %u %u", irq_logs[0].n,
	      irq_logs[1].n, irq_logs[2].n, irq_logs[3].n);

	irq_log_reset();
	gic_send_sgi_others(3);
	ok = wait_until(irq_logs[1].n && irq_logs[2].n && irq_logs[3].n, WAIT_US);
	wait_until(false, 2000);
	check("sgi-broadcast", ok && irq_log_count(1, 3) == 1 && irq_log_count(2, 3) == 1 &&
	      irq_log_count(3, 3) == 1 && irq_logs[0].n == 0, "counts %u %u %u %u",
	      irq_logs[0].n, irq_logs[1].n, irq_logs[2].n, irq_logs[3].n);
}

static void check_ppi_spi(void)
{
	bool ok;

	irq_log_reset();
	gic_enable(23);
	gic_set_pending(23);
	ok = wait_until(irq_logs[0].n == 1, WAIT_US);
	check("ppi-pending", ok && irq_logs[0].ids[0] == 23, "n=%u", irq_logs[0].n);

	irq_log_reset();
	gic_route_spi(40, sysreg_read(mpidr_el1));
	gic_enable(40);
	gic_set_pending(40);
	ok = wait_until(irq_logs[0].n == 1, WAIT_US);
	check("spi-pending", ok && irq_logs[0].ids[0] == 40, "n=%u", irq_logs[0].n);

	irq_log_reset();
	gic_route_spi(41, 1);	/* vCPU 1 */
	gic_enable(41);
	gic_set_pending(41);
	ok = wait_until(irq_logs[1].n == 1, WAIT_US);
	check("spi-routed", ok && irq_logs[1].ids[0] == 41 && irq_logs[0].n == 0, "n=%u/%u",
	      irq_logs[0].n, irq_logs[1].n);
}

/* With IRQs masked, read IAR by hand: highest priority first. */
static void check_priority(void)
{
	uint32_t a, b, c;

	irq_disable();
	gic_set_priority(4, 0x80);
	gic_set_priority(5, 0x40);
	gic_enable(4);
	gic_enable(5);
	gic_send_sgi(4, 1);
	gic_send_sgi(5, 1);
	a = gic_ack();
	b = gic_ack();	/* 4 cannot preempt 5: spurious while 5 is active */
	gic_eoi(a);
	c = gic_ack();
	gic_eoi(c);
	check("priority-order", a == 5 && b == INTID_SPURIOUS && c == 4, "got %u %u %u", a, b, c);
	irq_enable();
}

static volatile uint32_t order[8];
static volatile unsigned int norder;

static void nest_irq(struct frame *f)
{
	uint32_t id = gic_ack();

	(void)f;
	if (id == INTID_SPURIOUS)
		return;
	order[norder++ & 7] = id;
	if (id == 6) {
		gic_send_sgi(7, 1);	/* higher priority: must preempt */
		gic_send_sgi(8, 1);	/* same priority as 6: must wait */
		irq_enable();
		wait_until(false, 3000);
		irq_disable();
		order[norder++ & 7] = 100 + id;
	}
	gic_eoi(id);
}

static void check_preemption(void)
{
	gic_set_priority(6, 0xc0);
	gic_set_priority(7, 0x40);
	gic_set_priority(8, 0xc0);
	gic_enable(6), gic_enable(7), gic_enable(8);
	norder = 0;
	irq_hook = nest_irq;
	gic_send_sgi(6, 1);
	wait_until(norder >= 4, WAIT_US);
	irq_hook = gic_default_irq;
	check("preemption", norder == 4 && order[0] == 6 && order[1] == 7 && order[2] == 106 &&
	      order[3] == 8, "order %u %u %u %u (n=%u)", order[0], order[1], order[2], order[3],
	      norder);
}

static void check_active(void)
{
	uint32_t id;
	bool act_before, act_after;

	irq_disable();
	gic_enable(42);
	gic_route_spi(42, sysreg_read(mpidr_el1));
	gic_set_pending(42);
	id = gic_ack();
	act_before = gic_is_active(42) && !gic_is_pending(42);
	gic_eoi(id);
	act_after = gic_is_active(42);
	check("active-state", id == 42 && act_before && !act_after, "id %u active %d/%d", id,
	      act_before, act_after);

	/* EOImode=1: EOIR drops priority only; DIR deactivates. */
	sysreg_write(S3_0_C12_C12_4, 1 << 1);
	isb();
	gic_enable(9);
	gic_send_sgi(9, 1);
	id = gic_ack();
	gic_eoi(id);
	{
		uint64_t rpr = sysreg_read(S3_0_C12_C11_3);
		bool still = gic_is_active(9);

		gic_dir(id);
		check("eoimode1", id == 9 && still && (rpr & 0xff) == 0xff && !gic_is_active(9),
		      "id %u active-after-eoi %d rpr 0x%lx", id, still, rpr);
	}
	sysreg_write(S3_0_C12_C12_4, 0);
	isb();
	irq_enable();
}

static volatile uint64_t timer_fired_at;

/* The timer's line is level: the handler masks the timer before EOI, or the
 * interrupt fires again at once (on hardware and QEMU alike). */
static void timer_irq(struct frame *f)
{
	uint32_t id = gic_ack();

	(void)f;
	if (id == INTID_SPURIOUS)
		return;
	timer_fired_at = counter();
	if (id == 27)
		sysreg_write(cntv_ctl_el0, 3);
	else
		sysreg_write(cntp_ctl_el0, 3);
	isb();
	irq_logs[0].ids[irq_logs[0].n++ & 31] = id;
	gic_eoi(id);
}

static void check_timer(const char *name, unsigned int ppi, bool virt)
{
	uint64_t ticks = sysreg_read(cntfrq_el0) / 1000;	/* 1 ms */
	uint64_t fired_at = 0;
	bool ok;

	irq_log_reset();
	irq_hook = timer_irq;
	gic_enable(ppi);
	if (virt) {
		sysreg_write(cntv_tval_el0, ticks);
		sysreg_write(cntv_ctl_el0, 1);
	} else {
		sysreg_write(cntp_tval_el0, ticks);
		sysreg_write(cntp_ctl_el0, 1);
	}
	isb();
	ok = wait_until(irq_logs[0].n >= 1, WAIT_US);
	fired_at = timer_fired_at;
	if (virt) {
		ok = ok && fired_at >= sysreg_read(cntv_cval_el0) && (sysreg_read(cntv_ctl_el0) & 4);
		sysreg_write(cntv_ctl_el0, 0);
	} else {
		ok = ok && fired_at >= sysreg_read(cntp_cval_el0) && (sysreg_read(cntp_ctl_el0) & 4);
		sysreg_write(cntp_ctl_el0, 0);
	}
	isb();
	/* Level-sensitive: disabling the timer leaves no further interrupt. */
	wait_until(false, 2000);
	check(name, ok && irq_logs[0].n == 1 && irq_logs[0].ids[0] == ppi, "n=%u id=%u",
	      irq_logs[0].n, irq_logs[0].ids[0]);
	gic_disable(ppi);
	irq_hook = gic_default_irq;
}

/* A pending interrupt taken as soon as IRQs are unmasked. */
static void check_unmask(void)
{
	volatile unsigned int seen;

	irq_disable();
	irq_log_reset();
	gic_enable(10);
	gic_send_sgi(10, 1);
	wait_until(false, 1000);
	seen = irq_logs[0].n;
	irq_enable();
	isb();
	check("unmask-delivery", seen == 0 && irq_logs[0].n == 1, "before %u after %u", seen,
	      irq_logs[0].n);
}

/* The interrupt is taken at the instruction right after MSR DAIFClr. */
static volatile uint32_t after_unmask, seen_at_entry;

static void marker_irq(struct frame *f)
{
	uint32_t id = gic_ack();

	(void)f;
	seen_at_entry = after_unmask;
	if (id != INTID_SPURIOUS)
		gic_eoi(id);
}

static void check_unmask_immediate(void)
{
	irq_disable();
	irq_hook = marker_irq;
	after_unmask = 0;
	seen_at_entry = 2;
	gic_enable(11);
	gic_send_sgi(11, 1);
	wait_until(false, 1000);
	__asm__ volatile("msr daifclr, #2\n"
			 "mov w1, #1\n"
			 "str w1, [%0]\n" :: "r"(&after_unmask) : "w1", "memory");
	wait_until(seen_at_entry != 2, WAIT_US);
	irq_hook = gic_default_irq;
	check("unmask-immediate", seen_at_entry == 0, "flag at entry %u", seen_at_entry);
}

int main(const void *fdt)
{
	unsigned int up = 1;

	boot_fdt = fdt;
	print("t_gic: GICv3 checks\n");
	gic_dist_init();
	gic_cpu_init();
	irq_hook = gic_default_irq;
	for (unsigned int c = 1; c < NR_CPUS; c++)
		if (cpu_start(c) == 0 && wait_until(online[c], WAIT_US))
			up++;
	check("cpus-online", up == NR_CPUS, "%u of %u", up, NR_CPUS);
	irq_enable();
	check_sgis();
	check_ppi_spi();
	check_priority();
	check_preemption();
	check_active();
	check_unmask();
	check_unmask_immediate();
	check_timer("vtimer", 27, true);
	check_timer("ptimer", 30, false);
	return summary();
}
