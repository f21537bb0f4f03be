/* SPDX-License-Identifier: MIT */
/* Hostile guest: jumps to an address with no memory.  `vgic run` must end
 * with a clear message, as KVM_RUN fails for a prefetch abort on non-RAM. */
#include "rt.h"

int main(const void *fdt)
{
	(void)fdt;
	print("hostile_fetch: jumping into a hole\n");
	((void (*)(void))0x0b000000UL)();
	return 0;
}
