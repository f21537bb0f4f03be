/* SPDX-License-Identifier: MIT */
/*
 * The device tree, laid out as QEMU's virt builds it for the parts modelled
 * here, with libfdt's sequential-write API.  Every libfdt call goes through
 * FDT(), which names the failing expression.
 */
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bits.h"
#include "vmm/vmm.h"

#define FDT_MAX_SIZE		0x10000
#define PHANDLE_CLK		0x8000
#define PHANDLE_GIC		0x8001
#define PHANDLE_ITS		0x8002

/* Interrupt specifier cells of the GICv3 binding. */
#define GIC_FDT_SPI		0
#define GIC_FDT_PPI		1
#define IRQ_EDGE_RISING		1
#define IRQ_LEVEL_HIGH		4
#define UART_CLOCK_HZ		24000000

#define FDT(expr)                                                                   \
	do {                                                                        \
		int r_ = (expr);                                                    \
		if (r_ < 0) {                                                       \
			fprintf(stderr, "vgic run: fdt: %s: %s\n", #expr, fdt_strerror(r_)); \
			return -EINVAL;                                             \
		}                                                                   \
	} while (0)

/* "reg" with two address and two size cells per range. */
static int prop_reg(void *fdt, const uint64_t *ranges, int n)
{
	fdt64_t cells[8];

	for (int i = 0; i < n * 2 && i < 8; i++)
		cells[i] = cpu_to_fdt64(ranges[i]);
	return fdt_property(fdt, "reg", cells, n * 2 * sizeof(fdt64_t));
}

static int prop_cells(void *fdt, const char *name, const uint32_t *v, int n)
{
	fdt32_t cells[16];

	for (int i = 0; i < n && i < 16; i++)
		cells[i] = cpu_to_fdt32(v[i]);
	return fdt_property(fdt, name, cells, n * sizeof(fdt32_t));
}

/* A string list given as "a\0b" with its total size. */
#define prop_strings(fdt, name, lit) fdt_property(fdt, name, lit, sizeof(lit))

static int fdt_cpus(void *fdt, struct vmm *vmm)
{
	char name[32];

	FDT(fdt_begin_node(fdt, "cpus"));
	FDT(fdt_property_u32(fdt, "#address-cells", 1));
	FDT(fdt_property_u32(fdt, "#size-cells", 0));
	for (unsigned int i = 0; i < vmm->nr_vcpus; i++) {
		uint64_t mpidr = vmm->vcpus[i].mpidr;

		snprintf(name, sizeof(name), "cpu@%llx", (unsigned long long)mpidr);
		FDT(fdt_begin_node(fdt, name));
		FDT(fdt_property_string(fdt, "device_type", "cpu"));
		FDT(fdt_property_string(fdt, "compatible", "arm,arm-v8"));
		FDT(fdt_property_u32(fdt, "reg", (uint32_t)mpidr));
		FDT(fdt_property_string(fdt, "enable-method", "psci"));
		FDT(fdt_end_node(fdt));
	}
	FDT(fdt_end_node(fdt));
	return 0;
}

static int fdt_psci(void *fdt)
{
	FDT(fdt_begin_node(fdt, "psci"));
	FDT(prop_strings(fdt, "compatible", "arm,psci-1.0\0arm,psci-0.2\0arm,psci"));
	FDT(fdt_property_string(fdt, "method", "hvc"));
	FDT(fdt_property_u32(fdt, "cpu_off", 0x84000002));
	FDT(fdt_property_u32(fdt, "cpu_on", 0xc4000003));
	FDT(fdt_end_node(fdt));
	return 0;
}

static int fdt_gic(void *fdt, struct vmm *vmm)
{
	uint64_t regs[] = { VIRT_GIC_DIST, VIRT_GIC_DIST_SIZE,
			    VIRT_GIC_REDIST, VIRT_GIC_REDIST_SIZE };
	uint64_t its[] = { VIRT_GIC_ITS, VIRT_GIC_ITS_SIZE };

	FDT(fdt_begin_node(fdt, "intc@8000000"));
	FDT(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
	FDT(fdt_property_u32(fdt, "#interrupt-cells", 3));
	FDT(fdt_property(fdt, "interrupt-controller", NULL, 0));
	FDT(fdt_property_u32(fdt, "#address-cells", 2));
	FDT(fdt_property_u32(fdt, "#size-cells", 2));
	FDT(fdt_property(fdt, "ranges", NULL, 0));
	FDT(prop_reg(fdt, regs, 2));
	FDT(fdt_property_u32(fdt, "phandle", PHANDLE_GIC));
	if (vmm->has_its) {
		FDT(fdt_begin_node(fdt, "its@8080000"));
		FDT(fdt_property_string(fdt, "compatible", "arm,gic-v3-its"));
		FDT(fdt_property(fdt, "msi-controller", NULL, 0));
		FDT(fdt_property_u32(fdt, "#msi-cells", 1));
		FDT(prop_reg(fdt, its, 1));
		FDT(fdt_property_u32(fdt, "phandle", PHANDLE_ITS));
		FDT(fdt_end_node(fdt));
	}
	FDT(fdt_end_node(fdt));
	return 0;
}

static int fdt_timer(void *fdt)
{
	/* Secure, non-secure physical, virtual, hypervisor: PPIs 29, 30, 27, 26. */
	uint32_t irqs[] = {
		GIC_FDT_PPI, VIRT_PPI_STIMER - 16, IRQ_LEVEL_HIGH,
		GIC_FDT_PPI, VIRT_PPI_PTIMER - 16, IRQ_LEVEL_HIGH,
		GIC_FDT_PPI, VIRT_PPI_VTIMER - 16, IRQ_LEVEL_HIGH,
		GIC_FDT_PPI, VIRT_PPI_HTIMER - 16, IRQ_LEVEL_HIGH,
	};

	FDT(fdt_begin_node(fdt, "timer"));
	FDT(prop_strings(fdt, "compatible", "arm,armv8-timer\0arm,armv7-timer"));
	FDT(fdt_property(fdt, "always-on", NULL, 0));
	FDT(prop_cells(fdt, "interrupts", irqs, ARRAY_SIZE(irqs)));
	FDT(fdt_end_node(fdt));
	return 0;
}

static int fdt_uart(void *fdt)
{
	uint64_t reg[] = { VIRT_UART, VIRT_UART_SIZE };
	uint32_t irq[] = { GIC_FDT_SPI, VIRT_UART_SPI, IRQ_LEVEL_HIGH };
	uint32_t clocks[] = { PHANDLE_CLK, PHANDLE_CLK };

	FDT(fdt_begin_node(fdt, "apb-pclk"));
	FDT(fdt_property_string(fdt, "compatible", "fixed-clock"));
	FDT(fdt_property_u32(fdt, "#clock-cells", 0));
	FDT(fdt_property_u32(fdt, "clock-frequency", UART_CLOCK_HZ));
	FDT(fdt_property_string(fdt, "clock-output-names", "clk24mhz"));
	FDT(fdt_property_u32(fdt, "phandle", PHANDLE_CLK));
	FDT(fdt_end_node(fdt));

	FDT(fdt_begin_node(fdt, "pl011@9000000"));
	FDT(prop_strings(fdt, "compatible", "arm,pl011\0arm,primecell"));
	FDT(prop_reg(fdt, reg, 1));
	FDT(prop_cells(fdt, "interrupts", irq, 3));
	FDT(prop_cells(fdt, "clocks", clocks, 2));
	FDT(prop_strings(fdt, "clock-names", "uartclk\0apb_pclk"));
	FDT(fdt_end_node(fdt));
	return 0;
}

static int fdt_virtio(void *fdt)
{
	char name[32];

	/* QEMU lists the slots from the top so that Linux probes slot 0 last. */
	for (int i = VIRT_MMIO_SLOTS - 1; i >= 0; i--) {
		uint64_t base = VIRT_MMIO + i * VIRT_MMIO_SLOT_SIZE;
		uint64_t reg[] = { base, VIRT_MMIO_SLOT_SIZE };
		uint32_t irq[] = { GIC_FDT_SPI, VIRT_MMIO_SPI + i, IRQ_EDGE_RISING };

		snprintf(name, sizeof(name), "virtio_mmio@%llx", (unsigned long long)base);
		FDT(fdt_begin_node(fdt, name));
		FDT(fdt_property_string(fdt, "compatible", "virtio,mmio"));
		FDT(prop_reg(fdt, reg, 1));
		FDT(prop_cells(fdt, "interrupts", irq, 3));
		FDT(fdt_property(fdt, "dma-coherent", NULL, 0));
		FDT(fdt_end_node(fdt));
	}
	return 0;
}

static int fdt_testdev(void *fdt)
{
	uint64_t reg[] = { VIRT_TESTDEV, VIRT_TESTDEV_SIZE };

	FDT(fdt_begin_node(fdt, "vgic-testdev@c000000"));
	FDT(fdt_property_string(fdt, "compatible", "vgic,testdev"));
	FDT(prop_reg(fdt, reg, 1));
	FDT(fdt_end_node(fdt));
	return 0;
}

static int fdt_root(void *fdt, struct vmm *vmm)
{
	uint64_t mem[] = { VIRT_RAM, vmm->ram_size };

	FDT(fdt_finish_reservemap(fdt));
	FDT(fdt_begin_node(fdt, ""));
	FDT(fdt_property_string(fdt, "compatible", "linux,dummy-virt"));
	FDT(fdt_property_string(fdt, "model", "vgic-virt"));
	FDT(fdt_property_u32(fdt, "#address-cells", 2));
	FDT(fdt_property_u32(fdt, "#size-cells", 2));
	FDT(fdt_property_u32(fdt, "interrupt-parent", PHANDLE_GIC));

	FDT(fdt_begin_node(fdt, "chosen"));
	FDT(fdt_property_string(fdt, "bootargs", vmm->cfg.bootargs ? vmm->cfg.bootargs : ""));
	FDT(fdt_property_string(fdt, "stdout-path", "/pl011@9000000"));
	FDT(fdt_end_node(fdt));

	FDT(fdt_begin_node(fdt, "memory@40000000"));
	FDT(fdt_property_string(fdt, "device_type", "memory"));
	FDT(prop_reg(fdt, mem, 1));
	FDT(fdt_end_node(fdt));

	FDT(fdt_cpus(fdt, vmm));
	FDT(fdt_psci(fdt));
	FDT(fdt_gic(fdt, vmm));
	FDT(fdt_timer(fdt));
	FDT(fdt_uart(fdt));
	FDT(fdt_virtio(fdt));
	FDT(fdt_testdev(fdt));
	FDT(fdt_end_node(fdt));
	FDT(fdt_finish(fdt));
	return 0;
}

int fdt_build(struct vmm *vmm, uint64_t limit)
{
	void *fdt = calloc(1, FDT_MAX_SIZE);
	int ret;

	if (!fdt)
		return -ENOMEM;
	ret = fdt_create(fdt, FDT_MAX_SIZE);
	if (!ret)
		ret = fdt_root(fdt, vmm);
	else
		fprintf(stderr, "vgic run: fdt_create: %s\n", fdt_strerror(ret));
	if (!ret) {
		uint64_t size = fdt_totalsize(fdt);

		if (vmm->dtb_addr + size > limit ||
		    vmm->dtb_addr - VIRT_RAM + size > vmm->ram_size) {
			fprintf(stderr, "vgic run: no room for the device tree in RAM\n");
			ret = -ENOSPC;
		} else {
			memcpy(vmm->ram + (vmm->dtb_addr - VIRT_RAM), fdt, size);
		}
	}
	free(fdt);
	return ret < 0 ? (ret == -ENOSPC ? ret : -EINVAL) : 0;
}
