/* SPDX-License-Identifier: MIT */
/*
 * Figures, not checks: the cost of an MMIO exit to the VMM (a read of an
 * empty virtio-mmio slot's DeviceID), of a GIC register read handled by the
 * library, of an ICC system-register trap, and how little host CPU a vCPU
 * idling in WFI uses (see `vgic run --verbose`).
 */
#include "gic.h"

#define N		200000
#define VIRTIO_DEVID	(0x0a000000UL + 0x008)

static uint64_t ns_per(uint64_t ticks, unsigned int n)
{
	return ticks * 1000000000ULL / sysreg_read(cntfrq_el0) / n;
}

int main(const void *fdt)
{
	uint64_t t0, t1, t2, t3;

	boot_fdt = fdt;
	print("bench_mmio: exit costs\n");
	gic_dist_init();
	gic_cpu_init();
	t0 = counter();
	for (unsigned int i = 0; i < N; i++)
		(void)mmio_read32(VIRTIO_DEVID);
	t1 = counter();
	for (unsigned int i = 0; i < N; i++)
		(void)mmio_read32(GICD_BASE + GICD_TYPER);
	t2 = counter();
	for (unsigned int i = 0; i < N; i++)
		(void)sysreg_read(S3_0_C4_C6_0);	/* ICC_PMR_EL1 */
	t3 = counter();
	print("bench: virtio-mmio read (VMM device) %lu ns, GICD read (library) %lu ns, "
	      "ICC_PMR_EL1 read %lu ns\n", ns_per(t1 - t0, N), ns_per(t2 - t1, N), ns_per(t3 - t2, N));
	/* One second in WFI, woken by the virtual timer. */
	gic_enable(27);
	irq_hook = gic_default_irq;
	sysreg_write(cntv_tval_el0, sysreg_read(cntfrq_el0));
	sysreg_write(cntv_ctl_el0, 1);
	isb();
	irq_disable();
	wfi();
	sysreg_write(cntv_ctl_el0, 0);
	print("bench: woke from WFI after %lu ms\n", ns_per(counter() - t3, 1) / 1000000);
	return summary();
}
