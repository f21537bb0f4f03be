/* SPDX-License-Identifier: MIT */
/* Hostile guest: never exits (spins with IRQs masked).  `vgic run --timeout`
 * must end it with a clear message and a non-zero status. */
#include "rt.h"

int main(const void *fdt)
{
	(void)fdt;
	print("hostile_spin: spinning forever\n");
	irq_disable();
	for (;;)
		__asm__ volatile("" ::: "memory");
}
