/* SPDX-License-Identifier: MIT */
/* Hostile guest: an exception vector that itself faults (loads from a hole
 * in the memory map), so every exception raises the next one.  `vgic run`
 * must detect the loop and end with a clear message. */
#include "rt.h"

extern char bad_vectors[];
__asm__(".balign 2048\nbad_vectors:\n"
	".rept 16\n.balign 0x80\nmov x0, #0x0b000000\nldr x1, [x0]\nb .\n.endr\n");

int main(const void *fdt)
{
	(void)fdt;
	print("hostile_excloop: faulting exception vectors\n");
	sysreg_write(vbar_el1, (uint64_t)bad_vectors);
	isb();
	__asm__ volatile("svc #0");
	for (;;)
		;
}
