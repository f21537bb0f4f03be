/* SPDX-License-Identifier: MIT */
/* irqfds on MSI routes: through the ITS with the route's device ID, and
 * following both routing updates and the guest's ITS remaps. */
#include <errno.h>
#include <stdlib.h>

#include "guest_its.h"
#include "kvm_test.h"

#define DEV		3
#define EV		1
#define GSI		7
#define DOORBELL	(T_ITS + VGIC_ITS_TRANSLATER)

struct fx {
	struct tvm *t;
	struct gits g;
	int efd;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->t = its_tvm_new(2, 1);
	guest_lpis_on(f->t);
	gits_init(&f->g, f->t, 0, 1, 4);
	gits_mapd(&f->g, DEV, 4, true);
	gits_mapc(&f->g, 0, 0, true);
	gits_mapc(&f->g, 1, 1, true);
	lpi_prop(f->t, LPI(5), 0xa0, true);
	gits_mapti(&f->g, DEV, EV, LPI(5), 0);
	f->efd = eventfd(0, EFD_CLOEXEC);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	tvm_free(f->t);
	close(f->efd);
	free(f);
	return 0;
}

static void route(struct fx *f, struct vgic_irq_route r)
{
	assert_int_equal(vgic_set_gsi_routing(f->t->vm, &r, 1), 0);
}

static void bind(struct fx *f)
{
	assert_int_equal(vgic_irqfd(f->t->vm, &(struct vgic_irqfd){ .fd = f->efd, .gsi = GSI }), 0);
}

static uint64_t dropped(struct fx *f)
{
	struct vgic_irqfd_stats st;

	assert_int_equal(vgic_irqfd_get_stats(f->t->vm, &st), 0);
	return st.dropped;
}

static bool irq_pending(struct fx *f, unsigned int vcpu)
{
	return vgic_vcpu_pending(f->t->vm, vcpu) & VGIC_PENDING_IRQ;
}

/* Signal, wait until consumed, unbind (which waits for the injection). */
static void signal_settled(struct fx *f)
{
	efd_write(f->efd, 1);
	wait_until(!efd_readable(f->efd));
	assert_int_equal(vgic_irqfd(f->t->vm, &(struct vgic_irqfd){
				.fd = f->efd, .gsi = GSI, .flags = VGIC_IRQFD_FLAG_DEASSIGN }), 0);
}

static void test_msi_route(void **state)
{
	struct fx *f = *state;

	route(f, route_msi(GSI, DOORBELL, EV, DEV));
	bind(f);
	efd_write(f->efd, 1);
	wait_until(irq_pending(f, 0));
	assert_int_equal(ack(f->t, 0), LPI(5));
	eoi(f->t, 0, LPI(5));
	assert_int_equal(gits_stats(&f->g).msis, 1);
}

/* The guest moves the event to vCPU 1 (MOVI): the irqfd follows. */
static void test_guest_remap(void **state)
{
	struct fx *f = *state;

	route(f, route_msi(GSI, DOORBELL, EV, DEV));
	bind(f);
	gits_movi(&f->g, DEV, EV, 1);
	efd_write(f->efd, 1);
	wait_until(irq_pending(f, 1));
	assert_false(irq_pending(f, 0));
	assert_int_equal(ack(f->t, 1), LPI(5));
	eoi(f->t, 1, LPI(5));
	/* DISCARD: the guest dropped the mapping, the signal goes nowhere. */
	gits_discard(&f->g, DEV, EV);
	signal_settled(f);
	assert_false(irq_pending(f, 0) || irq_pending(f, 1));
}

/* The ITS needs the devid (KVM_CAP_MSI_DEVID): a route without it drops. */
static void test_route_without_devid(void **state)
{
	struct fx *f = *state;
	struct vgic_irq_route r = route_msi(GSI, DOORBELL, EV, DEV);

	r.flags = 0;
	route(f, r);
	bind(f);
	signal_settled(f);
	assert_false(irq_pending(f, 0));
	assert_int_equal(gits_stats(&f->g).msis, 0);
	assert_int_equal(dropped(f), 1);
}

/* A doorbell that is no ITS's, or another devid: dropped, nothing breaks. */
static void test_bad_targets(void **state)
{
	struct fx *f = *state;

	route(f, route_msi(GSI, 0x0a000000, EV, DEV));
	bind(f);
	signal_settled(f);
	route(f, route_msi(GSI, DOORBELL, EV, DEV + 1));
	bind(f);
	signal_settled(f);
	assert_false(irq_pending(f, 0) || irq_pending(f, 1));
	assert_int_equal(dropped(f), 2);
}

/* Routing updates switch an irqfd between the ITS and an SPI. */
static void test_msi_spi_switch(void **state)
{
	struct fx *f = *state;

	enable_irq(f->t, 0, 40);
	route(f, route_spi(GSI, 8));
	bind(f);
	efd_write(f->efd, 1);
	wait_until(irq_pending(f, 0));
	assert_int_equal(ack(f->t, 0), 40);
	eoi(f->t, 0, 40);
	route(f, route_msi(GSI, DOORBELL, EV, DEV));
	efd_write(f->efd, 1);
	wait_until(irq_pending(f, 0));
	assert_int_equal(ack(f->t, 0), LPI(5));
	eoi(f->t, 0, LPI(5));
}

/* The ITS's frames are the irqchip's: no ioeventfd over them. */
static void test_ioeventfd_over_its(void **state)
{
	struct fx *f = *state;
	struct vgic_ioeventfd a = { .addr = DOORBELL, .len = 4, .fd = f->efd };

	assert_int_equal(vgic_ioeventfd(f->t->vm, &a), -EEXIST);
	a.addr = T_ITS;
	a.len = 0;
	assert_int_equal(vgic_ioeventfd(f->t->vm, &a), -EEXIST);
	a.addr = T_ITS + VGIC_ITS_SIZE - 4;
	a.len = 8;
	assert_int_equal(vgic_ioeventfd(f->t->vm, &a), -EEXIST);
	/* Just below the ITS (the redistributors follow it) is free. */
	a.addr = T_ITS - 8;
	assert_int_equal(vgic_ioeventfd(f->t->vm, &a), 0);
}

/* Before init the ITS is not on the bus yet, but its frames are taken. */
static void test_ioeventfd_over_its_before_init(void **state)
{
	struct fx *f = *state;
	struct vgic_ioeventfd a = { .addr = DOORBELL, .len = 4, .fd = f->efd };
	struct vgic_vm *vm;

	assert_int_equal(vgic_vm_create(1, 0, &vm), 0);
	assert_int_equal(vgic_its_create(vm), 0);
	assert_int_equal(vgic_ioeventfd(vm, &a), 0);	/* no address yet: free */
	a.flags = VGIC_IOEVENTFD_FLAG_DEASSIGN;
	assert_int_equal(vgic_ioeventfd(vm, &a), 0);
	assert_int_equal(vgic_its_set_addr(vm, 0, T_ITS), 0);
	a.flags = 0;
	assert_int_equal(vgic_ioeventfd(vm, &a), -EEXIST);
	vgic_vm_destroy(vm);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_msi_route),
		T(test_guest_remap),
		T(test_route_without_devid),
		T(test_bad_targets),
		T(test_msi_spi_switch),
		T(test_ioeventfd_over_its),
		T(test_ioeventfd_over_its_before_init),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
