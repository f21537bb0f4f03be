/* SPDX-License-Identifier: MIT */
/* KVM_IRQFD: binding rules and errors, delivery through the current route,
 * resampling of level SPIs, closing and teardown. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "kvm_test.h"

#define NR_IRQS		128

struct fx {
	struct tvm *t;
	int efd[4];
	int rfd;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->t = tvm_new(2, NR_IRQS, 0);
	guest_enable(f->t);
	for (unsigned int i = 0; i < 4; i++)
		f->efd[i] = eventfd(0, EFD_CLOEXEC);
	f->rfd = eventfd(0, EFD_CLOEXEC);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	tvm_free(f->t);
	for (unsigned int i = 0; i < 4; i++)
		close(f->efd[i]);
	close(f->rfd);
	free(f);
	return 0;
}

static struct vgic_irqfd_stats stats(struct fx *f)
{
	struct vgic_irqfd_stats st;

	assert_int_equal(vgic_irqfd_get_stats(f->t->vm, &st), 0);
	return st;
}

static int bind(struct fx *f, int fd, uint32_t gsi)
{
	struct vgic_irqfd a = { .fd = fd, .gsi = gsi };

	return vgic_irqfd(f->t->vm, &a);
}

static int unbind(struct fx *f, int fd, uint32_t gsi)
{
	struct vgic_irqfd a = { .fd = fd, .gsi = gsi, .flags = VGIC_IRQFD_FLAG_DEASSIGN };

	return vgic_irqfd(f->t->vm, &a);
}

static int bind_resample(struct fx *f, int fd, uint32_t gsi, int rfd)
{
	struct vgic_irqfd a = { .fd = fd, .gsi = gsi, .flags = VGIC_IRQFD_FLAG_RESAMPLE,
				.resamplefd = rfd };

	return vgic_irqfd(f->t->vm, &a);
}

/*
 * Wait until a worker has taken the count, then unbind: deassign waits for
 * any injection in flight, so whatever the signal did is visible after.
 */
static void settle_and_unbind(struct fx *f, int fd, uint32_t gsi)
{
	wait_until(!efd_readable(fd));
	assert_int_equal(unbind(f, fd, gsi), 0);
}

static void test_errors(void **state)
{
	struct fx *f = *state;
	struct vgic_irqfd a = { .fd = f->efd[0], .gsi = 1, .flags = 1u << 2 };
	int pipefd[2];

	assert_int_equal(vgic_irqfd(f->t->vm, &a), -EINVAL);
	assert_int_equal(vgic_irqfd(f->t->vm, NULL), -EINVAL);
	assert_int_equal(bind(f, -1, 1), -EBADF);
	assert_int_equal(bind(f, 1000, 1), -EBADF);
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(bind(f, pipefd[0], 1), -EINVAL);
	assert_int_equal(bind_resample(f, f->efd[0], 1, pipefd[1]), -EINVAL);
	assert_int_equal(bind_resample(f, f->efd[0], 1, -1), -EBADF);
	close(pipefd[0]);
	close(pipefd[1]);
	/* Nothing was left bound by the failures. */
	assert_int_equal(bind(f, f->efd[0], 1), 0);
	/* One eventfd, one binding, whatever the GSI or descriptor number. */
	assert_int_equal(bind(f, f->efd[0], 1), -EBUSY);
	assert_int_equal(bind(f, f->efd[0], 2), -EBUSY);
	int d = dup(f->efd[0]);
	assert_int_equal(bind(f, d, 3), -EBUSY);
	/* Deassign matches eventfd and GSI; no match is not an error (KVM). */
	assert_int_equal(unbind(f, f->efd[0], 2), 0);
	assert_int_equal(bind(f, f->efd[0], 2), -EBUSY);
	assert_int_equal(unbind(f, d, 1), 0);
	assert_int_equal(bind(f, f->efd[0], 2), 0);
	close(d);
	assert_int_equal(unbind(f, -1, 2), -EBADF);
}

static void test_before_init_and_nogic(void **state)
{
	struct fx *f = *state;
	struct vgic_irqfd a = { .fd = f->efd[0], .gsi = 1 };
	struct vgic_vm *vm;

	assert_int_equal(vgic_vm_create(1, 0, &vm), 0);
	assert_int_equal(vgic_irqfd(vm, &a), -EAGAIN);
	vgic_vm_destroy(vm);
	assert_int_equal(vgic_irqfd(vm, &a), -ENODEV);
	assert_int_equal(vgic_irqfd_get_stats(vm, &(struct vgic_irqfd_stats){ 0 }), -ENODEV);
	assert_int_equal(vgic_vm_create(1, VGIC_VM_NO_GIC, &vm), 0);
	assert_int_equal(vgic_irqfd(vm, &a), -EINVAL);
	vgic_vm_destroy(vm);
}

/* Default table: GSI n is SPI n, an edge. */
static void test_spi_edge(void **state)
{
	struct fx *f = *state;
	struct tvm *t = f->t;

	enable_irq(t, 0, 32 + 5);
	assert_int_equal(bind(f, f->efd[0], 5), 0);
	efd_write(f->efd[0], 1);
	wait_until(spi_pending(t, 37));
	assert_int_equal(ack(t, 0), 37);
	eoi(t, 0, 37);
	assert_false(spi_pending(t, 37));
	/* Several signals before the worker looks are one edge, as on a wire. */
	efd_write(f->efd[0], 3);
	wait_until(spi_pending(t, 37));
	assert_int_equal(ack(t, 0), 37);
	eoi(t, 0, 37);
	settle_and_unbind(f, f->efd[0], 5);
	assert_int_equal(ack(t, 0), 1023);
	assert_int_equal(stats(f).signals, 2);
	assert_int_equal(stats(f).injected, 2);
	assert_int_equal(stats(f).dropped, 0);
}

/* A count already in the eventfd fires as soon as it is bound (KVM). */
static void test_pending_at_bind(void **state)
{
	struct fx *f = *state;

	efd_write(f->efd[1], 1);
	assert_int_equal(bind(f, f->efd[1], 9), 0);
	wait_until(spi_pending(f->t, 41));
}

/* A routing update retargets irqfds already bound. */
static void test_route_update(void **state)
{
	struct fx *f = *state;
	struct tvm *t = f->t;
	struct vgic_irq_route r = route_spi(3, 20);

	assert_int_equal(bind(f, f->efd[0], 3), 0);
	assert_int_equal(vgic_set_gsi_routing(t->vm, &r, 1), 0);
	efd_write(f->efd[0], 1);
	wait_until(spi_pending(t, 52));
	assert_false(spi_pending(t, 35));
	r.u.irqchip.pin = 21;
	assert_int_equal(vgic_set_gsi_routing(t->vm, &r, 1), 0);
	efd_write(f->efd[0], 1);
	wait_until(spi_pending(t, 53));
	assert_false(spi_pending(t, 35));
}

/* No route: the signal is consumed and dropped. */
static void test_unrouted_gsi(void **state)
{
	struct fx *f = *state;
	struct tvm *t = f->t;
	struct vgic_stats before, after;

	assert_int_equal(vgic_set_gsi_routing(t->vm, NULL, 0), 0);
	assert_int_equal(bind(f, f->efd[0], 3), 0);
	assert_int_equal(bind(f, f->efd[1], 4000), 0);
	assert_int_equal(vgic_vm_get_stats(t->vm, &before), 0);
	efd_write(f->efd[0], 1);
	efd_write(f->efd[1], 1);
	settle_and_unbind(f, f->efd[0], 3);
	settle_and_unbind(f, f->efd[1], 4000);
	assert_int_equal(vgic_vm_get_stats(t->vm, &after), 0);
	assert_int_equal(after.irqs_injected, before.irqs_injected);
	assert_int_equal(ack(t, 0), 1023);
	assert_int_equal(stats(f).signals, 2);
	assert_int_equal(stats(f).dropped, 2);
	assert_int_equal(stats(f).injected, 0);
}

/* After deassign the eventfd is the caller's alone again. */
static void test_deassign_stops(void **state)
{
	struct fx *f = *state;

	assert_int_equal(bind(f, f->efd[0], 6), 0);
	assert_int_equal(unbind(f, f->efd[0], 6), 0);
	efd_write(f->efd[0], 1);
	usleep(1000);
	assert_true(efd_readable(f->efd[0]));
	assert_false(spi_pending(f->t, 38));
	assert_int_equal(efd_read_nb(f->efd[0]), 1);
}

/* KVM's resampler: the line stays high until the guest deactivates, then
 * drops and the resamplefd fires; the device re-asserts if still needed. */
static void test_resample_level(void **state)
{
	struct fx *f = *state;
	struct tvm *t = f->t;

	spi_set_level_sensitive(t, 40);
	enable_irq(t, 0, 40);
	assert_int_equal(bind_resample(f, f->efd[0], 8, f->rfd), 0);
	efd_write(f->efd[0], 1);
	wait_until(spi_pending(t, 40));
	assert_int_equal(ack(t, 0), 40);
	assert_int_equal(efd_read_nb(f->rfd), 0);
	eoi(t, 0, 40);
	assert_int_equal(efd_read_nb(f->rfd), 1);
	assert_false(spi_pending(t, 40));
	assert_int_equal(ack(t, 0), 1023);

	/* The device still needs service: it signals again. */
	efd_write(f->efd[0], 1);
	wait_until(spi_pending(t, 40));
	assert_int_equal(ack(t, 0), 40);
	/* Deactivation through GICD_ICACTIVER resamples too. */
	dist_wr(t, GICD_ICACTIVER + 4, 1u << 8);
	assert_int_equal(efd_read_nb(f->rfd), 1);
	assert_false(spi_pending(t, 40));
	assert_int_equal(stats(f).resamples, 2);
	assert_int_equal(unbind(f, f->efd[0], 8), 0);
}

/* Two resample irqfds on one GSI share a resampler: both hear the EOI. */
static void test_resample_shared(void **state)
{
	struct fx *f = *state;
	struct tvm *t = f->t;
	int rfd2 = eventfd(0, EFD_CLOEXEC);

	spi_set_level_sensitive(t, 44);
	enable_irq(t, 0, 44);
	assert_int_equal(bind_resample(f, f->efd[0], 12, f->rfd), 0);
	assert_int_equal(bind_resample(f, f->efd[1], 12, rfd2), 0);
	efd_write(f->efd[1], 1);
	wait_until(spi_pending(t, 44));
	assert_int_equal(ack(t, 0), 44);
	eoi(t, 0, 44);
	assert_int_equal(efd_read_nb(f->rfd), 1);
	assert_int_equal(efd_read_nb(rfd2), 1);
	/* Only resamplers of the deactivated GSI hear of it. */
	spi_set_level_sensitive(t, 45);
	enable_irq(t, 0, 45);
	assert_int_equal(spi_line(t, 45, true), 0);
	assert_int_equal(ack(t, 0), 45);
	eoi(t, 0, 45);
	assert_int_equal(efd_read_nb(f->rfd), 0);
	/* The resampler follows the routing table. */
	struct vgic_irq_route r = route_spi(12, 13);
	assert_int_equal(vgic_set_gsi_routing(t->vm, &r, 1), 0);
	assert_int_equal(spi_line(t, 45, false), 0);
	assert_int_equal(spi_line(t, 45, true), 0);
	assert_int_equal(ack(t, 0), 45);
	eoi(t, 0, 45);
	assert_int_equal(efd_read_nb(f->rfd), 1);
	assert_int_equal(efd_read_nb(rfd2), 1);
	close(rfd2);
}

/* Unbinding the last resampler of a GSI lowers its line (KVM), and one
 * that stays keeps it up. */
static void test_resample_unbind_lowers(void **state)
{
	struct fx *f = *state;
	struct tvm *t = f->t;
	int rfd2 = eventfd(0, EFD_CLOEXEC);

	spi_set_level_sensitive(t, 41);
	assert_int_equal(bind_resample(f, f->efd[0], 9, f->rfd), 0);
	assert_int_equal(bind_resample(f, f->efd[1], 9, rfd2), 0);
	efd_write(f->efd[0], 1);
	wait_until(spi_pending(t, 41));
	assert_int_equal(unbind(f, f->efd[1], 9), 0);
	assert_true(spi_pending(t, 41));
	assert_int_equal(unbind(f, f->efd[0], 9), 0);
	assert_false(spi_pending(t, 41));
	close(rfd2);
}

/* A resample irqfd on an edge SPI only raises it: nothing to resample. */
static void test_resample_edge(void **state)
{
	struct fx *f = *state;
	struct tvm *t = f->t;

	enable_irq(t, 0, 42);
	assert_int_equal(bind_resample(f, f->efd[0], 10, f->rfd), 0);
	efd_write(f->efd[0], 1);
	wait_until(spi_pending(t, 42));
	assert_int_equal(ack(t, 0), 42);
	eoi(t, 0, 42);
	assert_int_equal(efd_read_nb(f->rfd), 0);
}

/* Closing the eventfd without deassigning: the binding goes, its number
 * may be bound again, and the resources are released. */
static void test_close_without_deassign(void **state)
{
	struct fx *f = *state;
	struct tvm *t = f->t;
	int fd = eventfd(0, EFD_CLOEXEC), fd2;

	assert_int_equal(bind(f, fd, 14), 0);
	close(fd);
	fd2 = eventfd(0, EFD_CLOEXEC);
	assert_int_equal(fd2, fd);	/* the lowest free number comes back */
	enable_irq(t, 0, 47);
	assert_int_equal(bind(f, fd2, 15), 0);
	efd_write(fd2, 1);
	wait_until(spi_pending(t, 47));
	assert_false(spi_pending(t, 46));
	assert_int_equal(vgic_irqfd_reap(t->vm), 0);
	close(fd2);
	assert_int_equal(vgic_irqfd_reap(t->vm), 1);
	assert_int_equal(vgic_irqfd_reap(t->vm), 0);
}

/* The caller may close its descriptors once bound: the library holds dups. */
static void test_close_after_deassign(void **state)
{
	struct fx *f = *state;
	int fd = eventfd(0, EFD_CLOEXEC);

	assert_int_equal(bind(f, fd, 16), 0);
	assert_int_equal(unbind(f, fd, 16), 0);
	close(fd);
	assert_int_equal(vgic_irqfd_reap(f->t->vm), 0);
}

/* VM destruction with irqfds bound stops the workers and frees everything. */
static void test_destroy_with_irqfds(void **state)
{
	struct fx *f = *state;
	int threads = thread_count();
	struct tvm *t = tvm_new(1, NR_IRQS, 0);
	struct tvm *saved = f->t;

	f->t = t;
	assert_int_equal(bind(f, f->efd[0], 1), 0);
	assert_int_equal(bind_resample(f, f->efd[1], 2, f->rfd), 0);
	assert_true(thread_count() > threads);
	efd_write(f->efd[0], 1);
	tvm_free(t);
	f->t = saved;
	assert_int_equal(thread_count(), threads);
	/* The eventfds are the caller's again, and bindable elsewhere. */
	assert_int_equal(bind(f, f->efd[0], 1), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_errors),
		T(test_before_init_and_nogic),
		T(test_spi_edge),
		T(test_pending_at_bind),
		T(test_route_update),
		T(test_unrouted_gsi),
		T(test_deassign_stops),
		T(test_resample_level),
		T(test_resample_shared),
		T(test_resample_unbind_lowers),
		T(test_resample_edge),
		T(test_close_without_deassign),
		T(test_close_after_deassign),
		T(test_destroy_with_irqfds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
