/* SPDX-License-Identifier: MIT */
/* VM and vCPU objects: creation limits, KVM's attribute rules, init, destroy. */
#include <errno.h>
#include <stdlib.h>

#include "helpers.h"

static void create_limits(void **state)
{
	struct vgic_vm *vm;

	(void)state;
	assert_int_equal(vgic_vm_create(0, 0, &vm), -EINVAL);
	assert_int_equal(vgic_vm_create(VGIC_MAX_VCPUS + 1, 0, &vm), -EINVAL);
	assert_int_equal(vgic_vm_create(1, 0x80, &vm), -EINVAL);
	assert_int_equal(vgic_vm_create(VGIC_MAX_VCPUS, 0, &vm), 0);
	assert_int_equal(vgic_vm_nr_vcpus(vm), VGIC_MAX_VCPUS);
	vgic_vm_destroy(vm);
}

static void nr_irqs_rules(void **state)
{
	struct vgic_vm *vm;
	uint32_t n;

	(void)state;
	assert_int_equal(vgic_vm_create(1, 0, &vm), 0);
	assert_int_equal(vgic_vm_get_nr_irqs(vm, &n), 0);
	assert_int_equal(n, VGIC_NR_IRQS_DEFAULT);
	assert_int_equal(vgic_vm_set_nr_irqs(vm, 32), -EINVAL);
	assert_int_equal(vgic_vm_set_nr_irqs(vm, 1056), -EINVAL);
	assert_int_equal(vgic_vm_set_nr_irqs(vm, 100), -EINVAL);
	assert_int_equal(vgic_vm_set_nr_irqs(vm, 64), 0);
	/* Set once, as KVM: a second set is -EBUSY even with the same value. */
	assert_int_equal(vgic_vm_set_nr_irqs(vm, 64), -EBUSY);
	assert_int_equal(vgic_vm_get_nr_irqs(vm, &n), 0);
	assert_int_equal(n, 64);
	vgic_vm_destroy(vm);

	assert_int_equal(vgic_vm_create(1, 0, &vm), 0);
	assert_int_equal(vgic_vm_set_nr_irqs(vm, 1024), 0);
	vgic_vm_destroy(vm);
}

static void addr_rules(void **state)
{
	struct vgic_vm *vm;
	uint64_t a;

	(void)state;
	assert_int_equal(vgic_vm_create(4, 0, &vm), 0);
	assert_int_equal(vgic_vm_get_addr(vm, VGIC_ADDR_TYPE_DIST, &a), -ENXIO);
	assert_int_equal(vgic_vm_set_addr(vm, VGIC_ADDR_TYPE_DIST, T_DIST + 0x1000), -EINVAL);
	assert_int_equal(vgic_vm_set_addr(vm, (enum vgic_addr_type)7, T_DIST), -ENXIO);
	assert_int_equal(vgic_vm_set_addr(vm, VGIC_ADDR_TYPE_DIST, 1ULL << 40), -E2BIG);
	assert_int_equal(vgic_vm_set_addr(vm, VGIC_ADDR_TYPE_DIST, ~0xffffULL), -EINVAL);
	assert_int_equal(vgic_vm_set_addr(vm, VGIC_ADDR_TYPE_DIST, T_DIST), 0);
	assert_int_equal(vgic_vm_set_addr(vm, VGIC_ADDR_TYPE_DIST, T_DIST + 0x10000), -EEXIST);
	/* 4 redistributors span 512 KiB: starting 256 KiB below the distributor overlaps it. */
	assert_int_equal(vgic_vm_set_addr(vm, VGIC_ADDR_TYPE_REDIST, T_DIST - 0x40000), -EINVAL);
	/* Init needs both frames. */
	assert_int_equal(vgic_vm_init(vm), -ENXIO);
	assert_int_equal(vgic_vm_set_addr(vm, VGIC_ADDR_TYPE_REDIST, T_DIST + 0x10000), 0);
	assert_int_equal(vgic_vm_get_addr(vm, VGIC_ADDR_TYPE_REDIST, &a), 0);
	assert_int_equal(a, T_DIST + 0x10000);
	assert_int_equal(vgic_vm_initialized(vm), 0);
	assert_int_equal(vgic_vm_init(vm), 0);
	assert_int_equal(vgic_vm_initialized(vm), 1);
	/* Frozen after init. */
	assert_int_equal(vgic_vm_set_nr_irqs(vm, 128), -EBUSY);
	assert_int_equal(vgic_vm_init(vm), 0);
	vgic_vm_destroy(vm);

	assert_int_equal(vgic_vm_create(1, 0, &vm), 0);
	assert_int_equal(vgic_vm_set_addr(vm, VGIC_ADDR_TYPE_DIST, T_DIST), 0);
	assert_int_equal(vgic_vm_set_addr(vm, VGIC_ADDR_TYPE_REDIST, T_REDIST), 0);
	assert_int_equal(vgic_vm_init(vm), 0);
	vgic_vm_destroy(vm);
}

static void addr_frozen_after_init(void **state)
{
	struct tvm *t = tvm_new(1, 0, 0);

	(void)state;
	assert_int_equal(vgic_vm_set_addr(t->vm, VGIC_ADDR_TYPE_DIST, 0x10000000), -EBUSY);
	tvm_free(t);
}

static void calls_before_init(void **state)
{
	struct vgic_vm *vm;
	uint64_t v = 0x1234;

	(void)state;
	assert_int_equal(vgic_vm_create(2, 0, &vm), 0);
	assert_int_equal(vgic_irq_line(vm, vgic_irq_line_word(VGIC_IRQ_TYPE_SPI, 0, 40), true), -EBUSY);
	assert_int_equal(vgic_sysreg_read(vm, 0, ICC_IAR1_EL1, &v), -EBUSY);
	assert_int_equal(vgic_mmio_read(vm, 0, T_DIST, 4, &v), VGIC_MMIO_NOT_MINE);
	assert_int_equal(vgic_vcpu_pending(vm, 0), 0);
	assert_int_equal(vgic_vcpu_pending(vm, 2), -EINVAL);
	vgic_vm_destroy(vm);
}

static void calls_after_destroy(void **state)
{
	struct vgic_vm *vm;
	struct vgic_stats st;
	uint64_t v;

	(void)state;
	assert_int_equal(vgic_vm_create(1, 0, &vm), 0);
	assert_int_equal(vgic_vm_set_addr(vm, VGIC_ADDR_TYPE_DIST, T_DIST), 0);
	assert_int_equal(vgic_vm_set_addr(vm, VGIC_ADDR_TYPE_REDIST, T_REDIST), 0);
	assert_int_equal(vgic_vm_init(vm), 0);
	vgic_vm_destroy(vm);
	assert_int_equal(vgic_irq_line(vm, vgic_irq_line_word(VGIC_IRQ_TYPE_SPI, 0, 40), true), -ENODEV);
	assert_int_equal(vgic_sysreg_read(vm, 0, ICC_IAR1_EL1, &v), -ENODEV);
	assert_int_equal(vgic_mmio_read(vm, 0, T_DIST, 4, &v), -ENODEV);
	assert_int_equal(vgic_vcpu_pending(vm, 0), -ENODEV);
	assert_int_equal(vgic_vm_init(vm), -ENODEV);
	assert_int_equal(vgic_vm_get_stats(vm, &st), -ENODEV);
	vgic_vm_destroy(vm); /* a second destroy is harmless */
	assert_int_equal(vgic_irq_line(NULL, 0, true), -ENODEV);
}

static void no_gic_vm(void **state)
{
	struct vgic_vm *vm;
	unsigned int kicked = 0;

	(void)state;
	assert_int_equal(vgic_vm_create(2, VGIC_VM_NO_GIC, &vm), 0);
	assert_int_equal(vgic_vm_check_extension(vm, VGIC_CAP_IRQCHIP), 0);
	assert_int_equal(vgic_vm_set_addr(vm, VGIC_ADDR_TYPE_DIST, T_DIST), -ENXIO);
	assert_int_equal(vgic_vm_init(vm), -ENODEV);
	assert_int_equal(vgic_irq_line(vm, vgic_irq_line_word(VGIC_IRQ_TYPE_SPI, 0, 40), true), -ENXIO);
	assert_int_equal(vgic_irq_line(vm, vgic_irq_line_word(VGIC_IRQ_TYPE_PPI, 0, 20), true), -ENXIO);
	assert_int_equal(vgic_vcpu_set_kick(vm, 1, NULL, &kicked), 0);
	assert_int_equal(vgic_irq_line(vm, vgic_irq_line_word(VGIC_IRQ_TYPE_CPU, 1, VGIC_IRQ_CPU_FIQ), true), 0);
	assert_int_equal(vgic_vcpu_pending(vm, 1), VGIC_PENDING_FIQ);
	assert_int_equal(vgic_vcpu_pending(vm, 0), 0);
	assert_int_equal(vgic_irq_line(vm, vgic_irq_line_word(VGIC_IRQ_TYPE_CPU, 1, VGIC_IRQ_CPU_IRQ), true), 0);
	assert_int_equal(vgic_vcpu_pending(vm, 1), VGIC_PENDING_FIQ | VGIC_PENDING_IRQ);
	assert_int_equal(vgic_irq_line(vm, vgic_irq_line_word(VGIC_IRQ_TYPE_CPU, 1, VGIC_IRQ_CPU_FIQ), false), 0);
	assert_int_equal(vgic_vcpu_pending(vm, 1), VGIC_PENDING_IRQ);
	assert_int_equal(vgic_irq_line(vm, vgic_irq_line_word(VGIC_IRQ_TYPE_CPU, 1, 2), true), -EINVAL);
	assert_int_equal(vgic_irq_line(vm, vgic_irq_line_word(VGIC_IRQ_TYPE_CPU, 2, 0), true), -EINVAL);
	assert_int_equal(vgic_irq_line(vm, vgic_irq_line_word(3, 0, 0), true), -EINVAL);
	vgic_vm_destroy(vm);
}

static void irq_line_rules(void **state)
{
	struct tvm *t = tvm_new(300, 128, 0);

	(void)state;
	assert_int_equal(vgic_irq_line(t->vm, vgic_irq_line_word(VGIC_IRQ_TYPE_CPU, 0, 0), true), -ENXIO);
	assert_int_equal(spi_line(t, 31, true), -EINVAL);
	assert_int_equal(spi_line(t, 128, true), -EINVAL);
	assert_int_equal(spi_line(t, 127, true), 0);
	assert_int_equal(spi_line(t, 1020, true), -EINVAL);
	assert_int_equal(ppi_line(t, 0, 15, true), -EINVAL);
	assert_int_equal(ppi_line(t, 0, 32, true), -EINVAL);
	assert_int_equal(ppi_line(t, 300, 20, true), -EINVAL);
	/* vcpu2_index reaches vCPUs above 255: vCPU 299 = 1 * 256 + 43. */
	assert_int_equal(ppi_line(t, 299, 20, true), 0);
	assert_int_equal(rdist_rd(t, 299, 0x10200) & (1u << 20), 1u << 20);
	assert_int_equal(rdist_rd(t, 43, 0x10200) & (1u << 20), 0);
	/* The vCPU field is ignored for SPIs. */
	assert_int_equal(vgic_irq_line(t->vm, vgic_irq_line_word(VGIC_IRQ_TYPE_SPI, 299, 100), true), 0);
	tvm_free(t);
}

static void capabilities(void **state)
{
	struct tvm *t = tvm_new(1, 0, 0);

	(void)state;
	assert_int_equal(vgic_vm_check_extension(t->vm, VGIC_CAP_IRQCHIP), 1);
	assert_int_equal(vgic_vm_check_extension(t->vm, VGIC_CAP_NR_VCPUS), VGIC_MAX_VCPUS);
	/* No ITS: MSIs need no device ID. */
	assert_int_equal(vgic_vm_check_extension(t->vm, VGIC_CAP_MSI_DEVID), 0);
	tvm_free(t);
}

static void mpidr_layout(void **state)
{
	struct tvm *t = tvm_new(40, 0, 0);

	(void)state;
	assert_int_equal(vgic_vcpu_mpidr(t->vm, 0), 0);
	assert_int_equal(vgic_vcpu_mpidr(t->vm, 15), 15);
	assert_int_equal(vgic_vcpu_mpidr(t->vm, 16), 0x100);
	assert_int_equal(vgic_vcpu_mpidr(t->vm, 37), 0x205);
	tvm_free(t);
}

static void strerror_texts(void **state)
{
	(void)state;
	assert_string_not_equal(vgic_strerror(-EINVAL), "unknown error");
	assert_string_equal(vgic_strerror(-12345), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create_limits),
		cmocka_unit_test(nr_irqs_rules),
		cmocka_unit_test(addr_rules),
		cmocka_unit_test(addr_frozen_after_init),
		cmocka_unit_test(calls_before_init),
		cmocka_unit_test(calls_after_destroy),
		cmocka_unit_test(no_gic_vm),
		cmocka_unit_test(irq_line_rules),
		cmocka_unit_test(capabilities),
		cmocka_unit_test(mpidr_layout),
		cmocka_unit_test(strerror_texts),
	};

	return cmocka_run_group_tests_name("vm", tests, NULL, NULL);
}
