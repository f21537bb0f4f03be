/* SPDX-License-Identifier: MIT */
/*
 * ITS creation rules (KVM_VGIC_ITS_ADDR_TYPE), the capabilities an ITS
 * brings, and the GITS_* register values and write-ignored fields a guest
 * sees, compared with what KVM exposes.
 */
#include <stdlib.h>

#include "gic/regs.h"
#include "guest_its.h"

static struct vgic_vm *vm_placed(unsigned int nr_vcpus)
{
	struct vgic_vm *vm;

	assert_int_equal(vgic_vm_create(nr_vcpus, 0, &vm), 0);
	assert_int_equal(vgic_vm_set_addr(vm, VGIC_ADDR_TYPE_DIST, T_DIST), 0);
	assert_int_equal(vgic_vm_set_addr(vm, VGIC_ADDR_TYPE_REDIST, T_REDIST), 0);
	return vm;
}

static void test_addr_rules(void **state)
{
	struct vgic_vm *vm = vm_placed(2);
	uint64_t a;
	int id;

	(void)state;
	id = vgic_its_create(vm);
	assert_int_equal(id, 0);
	assert_int_equal(vgic_its_get_addr(vm, id, &a), -ENXIO);
	assert_int_equal(vgic_its_set_addr(vm, id, T_ITS + 0x1000), -EINVAL);
	assert_int_equal(vgic_its_set_addr(vm, id, 1ULL << 40), -E2BIG);
	assert_int_equal(vgic_its_set_addr(vm, id, (1ULL << 40) - 0x10000), -E2BIG);
	assert_int_equal(vgic_its_set_addr(vm, id, 0xffffffffffff0000ULL), -EINVAL);
	assert_int_equal(vgic_its_set_addr(vm, id, T_DIST), -EINVAL);
	assert_int_equal(vgic_its_set_addr(vm, id, T_REDIST + 0x20000), -EINVAL);
	assert_int_equal(vgic_its_set_addr(vm, 7, T_ITS), -ENXIO);
	assert_int_equal(vgic_its_set_addr(vm, id, T_ITS), 0);
	assert_int_equal(vgic_its_set_addr(vm, id, T_ITS2), -EEXIST);
	assert_int_equal(vgic_its_get_addr(vm, id, &a), 0);
	assert_int_equal(a, T_ITS);

	/* A second ITS may not overlap the first. */
	assert_int_equal(vgic_its_create(vm), 1);
	assert_int_equal(vgic_its_set_addr(vm, 1, T_ITS + 0x10000), -EINVAL);
	assert_int_equal(vgic_its_set_addr(vm, 1, T_ITS2), 0);

	assert_int_equal(vgic_vm_init(vm), 0);
	assert_int_equal(vgic_its_create(vm), -EBUSY);
	assert_int_equal(vgic_its_set_addr(vm, 1, 0x10000000), -EBUSY);
	vgic_vm_destroy(vm);
}

static void test_limits_and_init(void **state)
{
	struct vgic_vm *vm = vm_placed(1);

	(void)state;
	for (int i = 0; i < VGIC_MAX_ITS; i++)
		assert_int_equal(vgic_its_create(vm), i);
	assert_int_equal(vgic_its_create(vm), -ENOSPC);
	/* An ITS without an address cannot go live. */
	assert_int_equal(vgic_vm_init(vm), -ENXIO);
	assert_int_equal(vgic_vm_initialized(vm), 0);
	vgic_vm_destroy(vm);

	assert_int_equal(vgic_vm_create(1, VGIC_VM_NO_GIC, &vm), 0);
	assert_int_equal(vgic_its_create(vm), -ENODEV);
	vgic_vm_destroy(vm);
}

/* The redistributors may be placed after the ITS: init catches the overlap. */
static void test_overlap_caught_at_init(void **state)
{
	struct vgic_vm *vm;

	(void)state;
	assert_int_equal(vgic_vm_create(1, 0, &vm), 0);
	assert_int_equal(vgic_vm_set_addr(vm, VGIC_ADDR_TYPE_DIST, T_DIST), 0);
	assert_int_equal(vgic_its_create(vm), 0);
	assert_int_equal(vgic_its_set_addr(vm, 0, T_REDIST), 0);
	assert_int_equal(vgic_vm_set_addr(vm, VGIC_ADDR_TYPE_REDIST, T_REDIST), 0);
	assert_int_equal(vgic_vm_init(vm), -EINVAL);
	vgic_vm_destroy(vm);
}

static void test_capabilities_and_lpi_bits(void **state)
{
	struct tvm *plain = tvm_new(1, 0, 0);
	struct tvm *t = its_tvm_new(2, 1);

	(void)state;
	assert_int_equal(vgic_vm_check_extension(plain->vm, VGIC_CAP_MSI_DEVID), 0);
	assert_int_equal(vgic_vm_check_extension(plain->vm, VGIC_CAP_SIGNAL_MSI), 0);
	assert_int_equal(dist_rd(plain, GICD_TYPER) & (1u << 17), 0);
	assert_int_equal(rdist_rd(plain, 0, GICR_TYPER) & 1, 0);

	assert_int_equal(vgic_vm_check_extension(t->vm, VGIC_CAP_MSI_DEVID), 1);
	assert_int_equal(vgic_vm_check_extension(t->vm, VGIC_CAP_SIGNAL_MSI), 1);
	/* GICD_TYPER.LPIS and IDbits = 15 (16 bits); GICR_TYPER.PLPIS. */
	assert_int_equal((dist_rd(t, GICD_TYPER) >> 17) & 1, 1);
	assert_int_equal((dist_rd(t, GICD_TYPER) >> 19) & 0x1f, 15);
	assert_int_equal(rdist_rd(t, 1, GICR_TYPER) & 1, 1);
	tvm_free(plain);
	tvm_free(t);
}

static void test_id_registers(void **state)
{
	struct tvm *t = its_tvm_new(1, 1);
	struct gits g = { .t = t, .base = T_ITS };
	uint64_t typer;

	(void)state;
	typer = gits_rd(&g, 0x8, 8);
	assert_int_equal(typer & 1, 1);				/* Physical */
	assert_int_equal((typer >> 4) & 0xf, 7);		/* ITT_entry_size: 8 bytes */
	assert_int_equal((typer >> 8) & 0x1f, 15);		/* IDbits: 16 */
	assert_int_equal((typer >> 13) & 0x1f, 15);		/* Devbits: 16 */
	assert_int_equal((typer >> 19) & 1, 0);			/* PTA: processor numbers */
	assert_int_equal((typer >> 24) & 0xff, 0);		/* HCC */
	assert_int_equal((typer >> 32) & 0x1f, 0);		/* CIDbits, CIL: 16-bit ICIDs */
	assert_int_equal(gits_rd(&g, 0xc, 4), typer >> 32);	/* upper half alone */
	/* IIDR: KVM product 0x4b, ABI revision 0, implementer ARM. */
	assert_int_equal(gits_rd(&g, 0x4, 4), 0x4b00043b);
	assert_int_equal(gits_rd(&g, 0xffe8, 4), 0x3b);		/* PIDR2: GICv3 */
	assert_int_equal(gits_rd(&g, 0xfff0, 4), 0x0d);		/* CIDR0 */
	/* Out of reset: disabled and quiescent. */
	assert_int_equal(gits_rd(&g, 0x0, 4), 1u << 31);
	/* Writes to read-only registers are ignored. */
	gits_wr(&g, 0x8, 8, 0);
	assert_int_equal(gits_rd(&g, 0x8, 8), typer);
	tvm_free(t);
}

static void test_baser(void **state)
{
	struct tvm *t = its_tvm_new(1, 1);
	struct gits g = { .t = t, .base = T_ITS };
	uint64_t v;

	(void)state;
	/* Reset (KVM): inner RaWb, inner shareable, 64 KiB pages, Type, 8-byte entries. */
	assert_int_equal(gits_rd(&g, 0x100, 8), 3ULL << 59 | 1ULL << 56 | 7ULL << 48 | 1 << 10 | 2 << 8);
	assert_int_equal(gits_rd(&g, 0x108, 8), 3ULL << 59 | 4ULL << 56 | 7ULL << 48 | 1 << 10 | 2 << 8);
	/* Type and Entry_Size are read-only. */
	gits_wr(&g, 0x100, 8, 7ULL << 56 | 31ULL << 48);
	v = gits_rd(&g, 0x100, 8);
	assert_int_equal((v >> 56) & 7, 1);
	assert_int_equal((v >> 48) & 0x1f, 7);
	/* Page sizes 4, 16 and 64 KiB read back; the reserved encoding becomes 64 KiB. */
	for (uint64_t ps = 0; ps < 4; ps++) {
		gits_wr(&g, 0x100, 8, ps << 8);
		assert_int_equal((gits_rd(&g, 0x100, 8) >> 8) & 3, ps == 3 ? 2 : ps);
	}
	/* The Collection table cannot be two-level. */
	gits_wr(&g, 0x108, 8, 1ULL << 62 | 1ULL << 63 | (T_RAM + G_COLLTBL));
	v = gits_rd(&g, 0x108, 8);
	assert_int_equal(v >> 62, 2);
	/* Outer shareable becomes inner, inner non-cacheable becomes RaWb, as KVM. */
	gits_wr(&g, 0x100, 8, 2ULL << 10 | 1ULL << 59 | 3ULL << 53);
	v = gits_rd(&g, 0x100, 8);
	assert_int_equal((v >> 10) & 3, 1);
	assert_int_equal((v >> 59) & 7, 3);
	assert_int_equal((v >> 53) & 7, 0);
	/* Two 32-bit halves make one register. */
	gits_wr(&g, 0x100, 4, 0x12345000 | 0x2ff);
	gits_wr(&g, 0x104, 4, 0x80000000);
	v = gits_rd(&g, 0x100, 8);
	assert_int_equal(v & 0xfffff000, 0x12345000);
	assert_int_equal(v & 0xff, 0xff);
	assert_int_equal(v >> 63, 1);
	/* BASER2..7 do not exist: RAZ/WI. */
	gits_wr(&g, 0x110, 8, ~0ULL);
	assert_int_equal(gits_rd(&g, 0x110, 8), 0);
	assert_int_equal(gits_rd(&g, 0x138, 8), 0);
	tvm_free(t);
}

static void test_cbaser_and_enable(void **state)
{
	struct tvm *t = its_tvm_new(1, 1);
	struct gits g = { .t = t, .base = T_ITS };
	uint64_t v;

	(void)state;
	/* Enabling without valid tables is refused (UNPREDICTABLE; KVM's choice). */
	gits_wr(&g, 0x0, 4, 1);
	assert_int_equal(gits_rd(&g, 0x0, 4) & 1, 0);
	/* CBASER keeps the queue 64 KiB aligned, sanitises attributes. */
	gits_wr(&g, 0x80, 8, 1ULL << 63 | (T_RAM + G_QUEUE + 0x3000) | 2ULL << 10 | 3);
	v = gits_rd(&g, 0x80, 8);
	assert_int_equal(v & ~0xfffULL & ((1ULL << 52) - 1), T_RAM + G_QUEUE);
	assert_int_equal((v >> 10) & 3, 1);
	assert_int_equal(v & 0xff, 3);
	gits_init(&g, t, 0, 1, 1);
	/* While enabled CBASER and BASER<n> are read-only. */
	v = gits_rd(&g, 0x80, 8);
	gits_wr(&g, 0x80, 8, 0);
	gits_wr(&g, 0x100, 8, 0);
	assert_int_equal(gits_rd(&g, 0x80, 8), v);
	assert_int_equal(gits_rd(&g, 0x100, 8) >> 63, 1);
	/* CREADR follows CWRITER once commands ran; Quiescent then. */
	gits_sync(&g, 0);
	assert_int_equal(gits_rd(&g, 0x90, 8), 32);
	assert_int_equal(gits_rd(&g, 0x88, 8), 32);
	assert_int_equal(gits_rd(&g, 0x0, 4), 1u << 31 | 1);
	/* Disabling keeps the queue where it was. */
	gits_wr(&g, 0x0, 4, 0);
	assert_int_equal(gits_rd(&g, 0x0, 4), 1u << 31);
	assert_int_equal(gits_rd(&g, 0x90, 8), 32);
	/* Rewriting CBASER resets both pointers. */
	gits_wr(&g, 0x80, 8, v);
	assert_int_equal(gits_rd(&g, 0x90, 8), 0);
	assert_int_equal(gits_rd(&g, 0x88, 8), 0);
	tvm_free(t);
}

static void test_translater_frame(void **state)
{
	struct tvm *t = its_tvm_new(1, 1);
	struct gits g;
	struct vgic_its_stats st;

	(void)state;
	guest_lpis_on(t);
	gits_init(&g, t, 0, 1, 1);
	gits_mapd(&g, 0, 4, true);
	gits_mapc(&g, 0, 0, true);
	gits_mapti(&g, 0, 5, LPI(5), 0);
	lpi_prop(t, LPI(5), 0xa0, true);
	gits_inv(&g, 0, 5);
	/* A vCPU's write carries no DeviceID: the ITS sees DeviceID 0. */
	gits_wr(&g, 0x10040, 4, 5);
	assert_int_equal(ack(t, 0), LPI(5));
	eoi(t, 0, LPI(5));
	/* 16-bit writes are allowed too. */
	gits_wr(&g, 0x10040, 2, 5);
	assert_int_equal(ack(t, 0), LPI(5));
	eoi(t, 0, LPI(5));
	/* Reads are RAZ. */
	assert_int_equal(gits_rd(&g, 0x10040, 4), 0);
	st = gits_stats(&g);
	assert_int_equal(st.mmio_bad_access, 0);
	tvm_free(t);
}

static void test_stats(void **state)
{
	struct tvm *t = its_tvm_new(1, 1);
	struct vgic_vm *vm = t->vm;
	struct vgic_its_stats a, b;
	struct gits g;

	(void)state;
	assert_int_equal(vgic_its_get_stats(t->vm, 1, &a), -ENXIO);
	assert_int_equal(vgic_its_get_stats(t->vm, -1, &a), -ENXIO);
	guest_lpis_on(t);
	gits_init(&g, t, 0, 1, 1);
	a = gits_stats(&g);
	gits_mapc(&g, 0, 0, true);
	gits_mapd(&g, 1, 8, true);
	for (uint32_t ev = 0; ev < 100; ev++)
		gits_mapti(&g, 1, ev, LPI(ev), 0);
	b = gits_stats(&g);
	assert_int_equal(b.cmds - a.cmds, 102);
	assert_int_equal(b.mapped_events, 100);
	assert_true(b.host_bytes > a.host_bytes + 100 * 16);
	gits_mapd(&g, 1, 8, false);
	assert_int_equal(gits_stats(&g).mapped_events, 0);
	tvm_free(t);
	assert_int_equal(vgic_its_get_stats(vm, 0, &a), -ENODEV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_rules),
		cmocka_unit_test(test_limits_and_init),
		cmocka_unit_test(test_overlap_caught_at_init),
		cmocka_unit_test(test_capabilities_and_lpi_bits),
		cmocka_unit_test(test_id_registers),
		cmocka_unit_test(test_baser),
		cmocka_unit_test(test_cbaser_and_enable),
		cmocka_unit_test(test_translater_frame),
		cmocka_unit_test(test_stats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
