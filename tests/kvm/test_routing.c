/* SPDX-License-Identifier: MIT */
/* KVM_SET_GSI_ROUTING rules, the default table, and the unrouted IRQ line. */
#include <errno.h>
#include <stdlib.h>

#include "kvm_test.h"

#define NR_IRQS		128	/* 96 SPIs */
#define NR_SPIS		(NR_IRQS - 32)

static struct vgic_irq_route *table;	/* scratch: VGIC_MAX_IRQ_ROUTES + 1 */

static int setup(void **state)
{
	*state = tvm_new(2, NR_IRQS, 0);
	table = calloc(VGIC_MAX_IRQ_ROUTES + 1, sizeof(*table));
	return table ? 0 : -1;
}

static int teardown(void **state)
{
	tvm_free(*state);
	free(table);
	return 0;
}

static int set(struct tvm *t, const struct vgic_irq_route *e, unsigned int nr)
{
	return vgic_set_gsi_routing(t->vm, e, nr);
}

static void test_caps(void **state)
{
	struct tvm *t = *state;
	struct vgic_vm *nogic;

	assert_int_equal(vgic_vm_check_extension(t->vm, VGIC_CAP_IRQ_ROUTING), VGIC_MAX_IRQ_ROUTES);
	assert_int_equal(vgic_vm_check_extension(t->vm, VGIC_CAP_IRQFD), 1);
	assert_int_equal(vgic_vm_check_extension(t->vm, VGIC_CAP_IRQFD_RESAMPLE), 1);
	assert_int_equal(vgic_vm_check_extension(t->vm, VGIC_CAP_IOEVENTFD), 1);
	assert_int_equal(vgic_vm_create(1, VGIC_VM_NO_GIC, &nogic), 0);
	assert_int_equal(vgic_vm_check_extension(nogic, VGIC_CAP_IRQFD), 0);
	assert_int_equal(vgic_vm_check_extension(nogic, VGIC_CAP_IOEVENTFD), 1);
	vgic_vm_destroy(nogic);
}

/* vgic_init's flat table: GSI n -> SPI pin n for every configured SPI. */
static void test_default_table(void **state)
{
	struct tvm *t = *state;
	int n = vgic_get_gsi_routing(t->vm, table, VGIC_MAX_IRQ_ROUTES);

	assert_int_equal(n, NR_SPIS);
	for (int i = 0; i < n; i++) {
		assert_int_equal(table[i].gsi, i);
		assert_int_equal(table[i].type, VGIC_IRQ_ROUTING_IRQCHIP);
		assert_int_equal(table[i].flags, 0);
		assert_int_equal(table[i].u.irqchip.irqchip, 0);
		assert_int_equal(table[i].u.irqchip.pin, i);
	}
	/* A short buffer still learns the count. */
	assert_int_equal(vgic_get_gsi_routing(t->vm, NULL, 0), NR_SPIS);
}

static void test_limits(void **state)
{
	struct tvm *t = *state;

	for (unsigned int i = 0; i <= VGIC_MAX_IRQ_ROUTES; i++)
		table[i] = route_spi(i, i % NR_SPIS);
	/* Twice the same pin is fine: pins may be shared by GSIs. */
	assert_int_equal(set(t, table, VGIC_MAX_IRQ_ROUTES), 0);
	assert_int_equal(vgic_get_gsi_routing(t->vm, NULL, 0), VGIC_MAX_IRQ_ROUTES);
	assert_int_equal(set(t, table, VGIC_MAX_IRQ_ROUTES + 1), -EINVAL);

	table[0] = route_spi(VGIC_MAX_IRQ_ROUTES, 0);
	assert_int_equal(set(t, table, 1), -EINVAL);
	table[0] = route_spi(VGIC_MAX_IRQ_ROUTES - 1, 0);
	assert_int_equal(set(t, table, 1), 0);
	assert_int_equal(set(t, NULL, 1), -EINVAL);
}

static void expect_einval(struct tvm *t, struct vgic_irq_route e)
{
	struct vgic_irq_route before[4], after[4];
	int n = vgic_get_gsi_routing(t->vm, before, 4);

	assert_int_equal(set(t, &e, 1), -EINVAL);
	/* A refused table leaves the old one in place. */
	assert_int_equal(vgic_get_gsi_routing(t->vm, after, 4), n);
	assert_memory_equal(before, after, sizeof(before[0]) * (size_t)MIN(n, 4));
}

static void test_bad_entries(void **state)
{
	struct tvm *t = *state;
	struct vgic_irq_route e;

	e = route_spi(1, 0);
	e.type = 0;
	expect_einval(t, e);
	e.type = 3;
	expect_einval(t, e);
	e = route_spi(1, 0);
	e.flags = VGIC_ROUTE_MSI_VALID_DEVID;
	expect_einval(t, e);
	e = route_spi(1, 0);
	e.u.irqchip.irqchip = 1;
	expect_einval(t, e);
	expect_einval(t, route_spi(1, NR_SPIS));
	expect_einval(t, route_spi(1, VGIC_IRQCHIP_NUM_PINS));
	e = route_msi(1, 0x08090040, 0, 0);
	e.flags = 2;
	expect_einval(t, e);
	/* The last valid pin is accepted. */
	assert_int_equal(set(t, &(struct vgic_irq_route){ 0 }, 0), 0);
	e = route_spi(1, NR_SPIS - 1);
	assert_int_equal(set(t, &e, 1), 0);
}

static void test_gsi_sharing(void **state)
{
	struct tvm *t = *state;
	struct vgic_irq_route e[2];

	/* One irqchip on arm64: a second route to it for one GSI is refused. */
	e[0] = route_spi(7, 1);
	e[1] = route_spi(7, 2);
	assert_int_equal(set(t, e, 2), -EINVAL);
	/* An MSI route shares its GSI with nothing, in either order. */
	e[1] = route_msi(7, 0x08090040, 1, 2);
	assert_int_equal(set(t, e, 2), -EINVAL);
	e[0] = route_msi(7, 0x08090040, 1, 2);
	e[1] = route_spi(7, 1);
	assert_int_equal(set(t, e, 2), -EINVAL);
	e[1] = route_msi(7, 0x08090040, 3, 2);
	assert_int_equal(set(t, e, 2), -EINVAL);
	/* Distinct GSIs are fine, MSI without a devid too (checked when it fires). */
	e[1] = route_msi(8, 0x08090040, 3, 2);
	e[1].flags = 0;
	assert_int_equal(set(t, e, 2), 0);
	assert_int_equal(vgic_get_gsi_routing(t->vm, table, 4), 2);
	assert_int_equal(table[0].type, VGIC_IRQ_ROUTING_MSI);
	assert_int_equal(table[0].flags, VGIC_ROUTE_MSI_VALID_DEVID);
	assert_int_equal(table[0].u.msi.address_lo, 0x08090040);
	assert_int_equal(table[0].u.msi.devid, 2);
	assert_int_equal(table[1].gsi, 8);
	assert_int_equal(table[1].flags, 0);
}

static void test_empty_table(void **state)
{
	struct tvm *t = *state;

	assert_int_equal(set(t, NULL, 0), 0);
	assert_int_equal(vgic_get_gsi_routing(t->vm, table, 4), 0);
}

/* Before init pins are checked against KVM's bound only, and vgic_vm_init
 * replaces the table with the flat one, as KVM's vgic_init does. */
static void test_before_init(void **state)
{
	struct vgic_vm *vm;
	struct vgic_irq_route e = route_spi(3, VGIC_IRQCHIP_NUM_PINS - 1);

	(void)state;
	assert_int_equal(vgic_vm_create(1, 0, &vm), 0);
	assert_int_equal(vgic_set_gsi_routing(vm, &e, 1), 0);
	e.u.irqchip.pin = VGIC_IRQCHIP_NUM_PINS;
	assert_int_equal(vgic_set_gsi_routing(vm, &e, 1), -EINVAL);
	assert_int_equal(vgic_get_gsi_routing(vm, table, 4), 1);
	assert_int_equal(vgic_vm_set_addr(vm, VGIC_ADDR_TYPE_DIST, T_DIST), 0);
	assert_int_equal(vgic_vm_set_addr(vm, VGIC_ADDR_TYPE_REDIST, T_REDIST), 0);
	assert_int_equal(vgic_vm_init(vm), 0);
	assert_int_equal(vgic_get_gsi_routing(vm, table, 4), VGIC_NR_IRQS_DEFAULT - 32);
	assert_int_equal(table[3].u.irqchip.pin, 3);
	vgic_vm_destroy(vm);
}

static void test_bad_handles(void **state)
{
	struct vgic_vm *vm;
	struct vgic_irq_route e = route_spi(0, 0);

	(void)state;
	assert_int_equal(vgic_vm_create(1, VGIC_VM_NO_GIC, &vm), 0);
	assert_int_equal(vgic_set_gsi_routing(vm, &e, 1), -ENXIO);
	vgic_vm_destroy(vm);
	assert_int_equal(vgic_set_gsi_routing(vm, &e, 1), -ENODEV);
	assert_int_equal(vgic_get_gsi_routing(vm, &e, 1), -ENODEV);
	assert_int_equal(vgic_set_gsi_routing(NULL, &e, 1), -ENODEV);
}

/* KVM_IRQ_LINE keeps its fixed meaning whatever the routing table says. */
static void test_irq_line_unrouted(void **state)
{
	struct tvm *t = *state;
	struct vgic_irq_route e[2] = { route_spi(0, 5), route_spi(5, 9) };

	assert_int_equal(set(t, e, 2), 0);
	assert_int_equal(spi_line(t, 32, true), 0);
	assert_true(spi_pending(t, 32));
	assert_false(spi_pending(t, 37));
	assert_false(spi_pending(t, 41));
	assert_int_equal(spi_line(t, 37, true), 0);
	assert_true(spi_pending(t, 37));
	assert_false(spi_pending(t, 41));
	/* Nor does an empty table stop it. */
	assert_int_equal(set(t, NULL, 0), 0);
	assert_int_equal(spi_line(t, 40, true), 0);
	assert_true(spi_pending(t, 40));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gsi_sharing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_before_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_handles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_irq_line_unrouted, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
