/* SPDX-License-Identifier: MIT */
/*
 * The boot contract of `vgic run` (src/vmm): the device tree laid out as
 * QEMU's virt builds it, where it is placed, what x0 holds at entry, and how
 * images load.  Read back from guest RAM with libfdt, as a guest would.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <elf.h>
#include <errno.h>
#include <libfdt.h>

#include "vmm/vmm.h"

static char image_path[64];

/* A 64-byte flat image (its content never runs in these tests). */
static void write_flat(size_t size)
{
	FILE *f;
	char *buf = calloc(1, size);

	snprintf(image_path, sizeof(image_path), "/tmp/vgic-test-image-%d", getpid());
	f = fopen(image_path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, size, f), size);
	fclose(f);
	free(buf);
}

static struct vmm *boot(unsigned int vcpus, bool its, const char *args)
{
	struct vmm_config cfg = { .nr_vcpus = vcpus, .ram_mib = 128, .its = its,
				  .bootargs = args, .image = image_path };
	struct vmm *vmm = NULL;

	assert_int_equal(vmm_create(&cfg, &vmm), 0);
	return vmm;
}

static const void *dtb(struct vmm *vmm)
{
	const void *fdt = vmm->ram + (vmm->dtb_addr - VIRT_RAM);

	assert_int_equal(fdt_check_header(fdt), 0);
	return fdt;
}

static void assert_compatible(const void *fdt, const char *path, const char *compat)
{
	int node = fdt_path_offset(fdt, path);

	assert_true(node >= 0);
	assert_int_equal(fdt_node_check_compatible(fdt, node, compat), 0);
}

static uint64_t reg_cell(const void *fdt, int node, int idx)
{
	int len;
	const uint8_t *reg = fdt_getprop(fdt, node, "reg", &len);
	fdt64_t cell;

	assert_non_null(reg);
	assert_true(len >= (idx + 1) * 8);
	/* Properties are only 4-byte aligned in the blob: copy before reading a 64-bit cell. */
	memcpy(&cell, reg + idx * 8, sizeof(cell));
	return fdt64_to_cpu(cell);
}

static void test_flat_image_dtb_placement_and_x0(void **state)
{
	struct vmm *vmm;

	(void)state;
	write_flat(64);
	vmm = boot(1, true, NULL);
	/* QEMU: 2 MiB aligned, no lower than RAM + min(RAM / 2, 128 MiB). */
	assert_int_equal(vmm->dtb_addr, VIRT_RAM + 64 * 1024 * 1024);
	assert_int_equal(vmm->entry, VIRT_RAM + VIRT_IMAGE_OFFSET);
	assert_int_equal(vcpu_reg(&vmm->vcpus[0], UC_ARM64_REG_X0), vmm->dtb_addr);
	assert_int_equal(vcpu_reg(&vmm->vcpus[0], UC_ARM64_REG_PC), vmm->entry);
	dtb(vmm);
	vmm_destroy(vmm);
	unlink(image_path);
}

static void test_dt_layout_as_virt(void **state)
{
	struct vmm *vmm;
	const void *fdt;
	const char *s;
	int node, len, n;
	const fdt32_t *cells;

	(void)state;
	write_flat(64);
	vmm = boot(2, true, "console=ttyAMA0 quiet");
	fdt = dtb(vmm);

	node = fdt_path_offset(fdt, "/chosen");
	assert_string_equal(fdt_getprop(fdt, node, "bootargs", NULL), "console=ttyAMA0 quiet");
	s = fdt_getprop(fdt, node, "stdout-path", NULL);
	assert_true(fdt_path_offset(fdt, s) >= 0);
	assert_compatible(fdt, s, "arm,pl011");

	node = fdt_path_offset(fdt, "/memory@40000000");
	assert_int_equal(reg_cell(fdt, node, 0), VIRT_RAM);
	assert_int_equal(reg_cell(fdt, node, 1), 128ULL << 20);

	for (n = 0; n < 2; n++) {
		char path[32];

		snprintf(path, sizeof(path), "/cpus/cpu@%d", n);
		node = fdt_path_offset(fdt, path);
		assert_true(node >= 0);
		assert_string_equal(fdt_getprop(fdt, node, "enable-method", NULL), "psci");
	}
	assert_compatible(fdt, "/psci", "arm,psci-1.0");
	assert_string_equal(fdt_getprop(fdt, fdt_path_offset(fdt, "/psci"), "method", NULL), "hvc");

	/* GIC: cells, ranges, distributor and redistributor frames, ITS child. */
	node = fdt_path_offset(fdt, "/intc@8000000");
	assert_compatible(fdt, "/intc@8000000", "arm,gic-v3");
	assert_non_null(fdt_getprop(fdt, node, "ranges", NULL));
	assert_int_equal(fdt32_to_cpu(*(const fdt32_t *)fdt_getprop(fdt, node, "#address-cells", NULL)), 2);
	assert_int_equal(fdt32_to_cpu(*(const fdt32_t *)fdt_getprop(fdt, node, "#size-cells", NULL)), 2);
	assert_int_equal(reg_cell(fdt, node, 0), VIRT_GIC_DIST);
	assert_int_equal(reg_cell(fdt, node, 2), VIRT_GIC_REDIST);
	fdt_for_each_subnode(n, fdt, node)
		assert_non_null(fdt_getprop(fdt, n, "compatible", NULL));
	assert_compatible(fdt, "/intc@8000000/its@8080000", "arm,gic-v3-its");
	assert_non_null(fdt_getprop(fdt, fdt_path_offset(fdt, "/intc@8000000/its@8080000"),
				    "msi-controller", NULL));

	/* Timer: four PPIs, secure/non-secure physical, virtual, hypervisor. */
	cells = fdt_getprop(fdt, fdt_path_offset(fdt, "/timer"), "interrupts", &len);
	assert_int_equal(len, 12 * 4);
	assert_int_equal(fdt32_to_cpu(cells[1]), 13);
	assert_int_equal(fdt32_to_cpu(cells[4]), 14);
	assert_int_equal(fdt32_to_cpu(cells[7]), 11);
	assert_int_equal(fdt32_to_cpu(cells[10]), 10);

	/* PL011 with its clock; 32 virtio-mmio slots at 0x0a000000, stride 0x200. */
	node = fdt_path_offset(fdt, "/pl011@9000000");
	assert_non_null(fdt_getprop(fdt, node, "clocks", NULL));
	assert_compatible(fdt, "/apb-pclk", "fixed-clock");
	n = 0;
	for (node = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio"); node >= 0;
	     node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio")) {
		uint64_t base = reg_cell(fdt, node, 0);

		assert_int_equal((base - VIRT_MMIO) % VIRT_MMIO_SLOT_SIZE, 0);
		assert_true(base - VIRT_MMIO < VIRT_MMIO_SLOT_SIZE * VIRT_MMIO_SLOTS);
		n++;
	}
	assert_int_equal(n, VIRT_MMIO_SLOTS);
	vmm_destroy(vmm);
	unlink(image_path);
}

static void test_no_its_no_its_node(void **state)
{
	struct vmm *vmm;

	(void)state;
	write_flat(64);
	vmm = boot(1, false, NULL);
	assert_true(fdt_path_offset(dtb(vmm), "/intc@8000000/its@8080000") < 0);
	vmm_destroy(vmm);
	unlink(image_path);
}

/* An ELF loads by its program headers; the DTB goes to the bottom of RAM. */
static void test_elf_image(void **state)
{
	struct {
		Elf64_Ehdr eh;
		Elf64_Phdr ph;
		uint32_t code[2];
	} img = { 0 };
	struct vmm *vmm;
	FILE *f;

	(void)state;
	memcpy(img.eh.e_ident, ELFMAG, SELFMAG);
	img.eh.e_ident[EI_CLASS] = ELFCLASS64;
	img.eh.e_machine = EM_AARCH64;
	img.eh.e_phoff = offsetof(typeof(img), ph);
	img.eh.e_phentsize = sizeof(Elf64_Phdr);
	img.eh.e_phnum = 1;
	img.eh.e_entry = 0x40200004;
	img.ph.p_type = PT_LOAD;
	img.ph.p_offset = offsetof(typeof(img), code);
	img.ph.p_paddr = 0x40200000;
	img.ph.p_filesz = sizeof(img.code);
	img.ph.p_memsz = 0x1000;
	img.code[0] = 0xd503201f;
	img.code[1] = 0xd503207f;
	snprintf(image_path, sizeof(image_path), "/tmp/vgic-test-elf-%d", getpid());
	f = fopen(image_path, "wb");
	assert_non_null(f);
	fwrite(&img, sizeof(img), 1, f);
	fclose(f);
	vmm = boot(1, true, NULL);
	assert_int_equal(vmm->entry, 0x40200004);
	assert_int_equal(vmm->dtb_addr, VIRT_RAM);
	assert_memory_equal(vmm->ram + 0x200000, img.code, sizeof(img.code));
	dtb(vmm);
	vmm_destroy(vmm);
	unlink(image_path);
}

static void test_bad_images_refused(void **state)
{
	struct vmm_config cfg = { .nr_vcpus = 1, .ram_mib = 16, .its = true,
				  .image = "/nonexistent/image" };
	struct vmm *vmm = NULL;

	(void)state;
	assert_int_equal(vmm_create(&cfg, &vmm), -ENOENT);
	vmm_destroy(vmm);
	/* Larger than RAM above the load offset. */
	write_flat(16 << 20);
	cfg.image = image_path;
	vmm = NULL;
	assert_int_equal(vmm_create(&cfg, &vmm), -EINVAL);
	vmm_destroy(vmm);
	unlink(image_path);
	cfg.nr_vcpus = 0;
	vmm = NULL;
	assert_int_equal(vmm_create(&cfg, &vmm), -EINVAL);
	vmm_destroy(vmm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flat_image_dtb_placement_and_x0),
		cmocka_unit_test(test_dt_layout_as_virt),
		cmocka_unit_test(test_no_its_no_its_node),
		cmocka_unit_test(test_elf_image),
		cmocka_unit_test(test_bad_images_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
