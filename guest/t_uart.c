/* SPDX-License-Identifier: MIT */
/*
 * PL011 receive, virt features only (run on QEMU too): the test harness
 * feeds "hello" on stdin; the first byte arrives as an RX interrupt (SPI 1,
 * INTID 33), the rest are polled through FR.RXFE.
 */
#include "gic.h"

#define UART_DR		0x00
#define UART_FR		0x18
#define UART_IMSC	0x38
#define UART_MIS	0x40
#define UART_ICR	0x44
#define FR_RXFE		(1u << 4)
#define INT_RX		(1u << 4)
#define UART_INTID	33
#define WAIT_US		2000000

static volatile unsigned int rx_irqs;

static void uart_irq(struct frame *f)
{
	uint32_t id = gic_ack();

	(void)f;
	if (id == UART_INTID) {
		rx_irqs++;
		/* Mask RX so the level drops until we have read the data. */
		mmio_write32(UART_BASE + UART_IMSC, 0);
	}
	if (id != INTID_SPURIOUS)
		gic_eoi(id);
}

int main(const void *fdt)
{
	char buf[6] = { 0 };
	unsigned int n = 0;

	boot_fdt = fdt;
	print("t_uart: PL011 receive\n");
	gic_dist_init();
	gic_cpu_init();
	gic_route_spi(UART_INTID, sysreg_read(mpidr_el1));
	gic_enable(UART_INTID);
	irq_hook = uart_irq;
	mmio_write32(UART_BASE + UART_IMSC, INT_RX);
	irq_enable();
	check("uart-rx-irq", wait_until(rx_irqs == 1, WAIT_US), "no RX interrupt");
	while (n < 5 && wait_until(!(mmio_read32(UART_BASE + UART_FR) & FR_RXFE), WAIT_US))
		buf[n++] = (char)mmio_read32(UART_BASE + UART_DR);
	check("uart-rx-data", n == 5 && buf[0] == 'h' && buf[4] == 'o', "got %u bytes: %s", n, buf);
	return summary();
}
