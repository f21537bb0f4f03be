/* SPDX-License-Identifier: MIT */
/* KVM_IOEVENTFD on the MMIO bus: matching rules, collisions, every error. */
#include <errno.h>
#include <stdlib.h>

#include "kvm_test.h"

#define DOORBELL	0x0a000000ULL	/* virtio-mmio window of QEMU's virt */

struct fx {
	struct tvm *t;
	int efd[3];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->t = tvm_new(1, 0, 0);
	for (unsigned int i = 0; i < 3; i++)
		f->efd[i] = eventfd(0, EFD_CLOEXEC);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	tvm_free(f->t);
	for (unsigned int i = 0; i < 3; i++)
		close(f->efd[i]);
	free(f);
	return 0;
}

static int reg(struct vgic_vm *vm, int fd, uint64_t addr, uint32_t len, uint32_t flags,
	       uint64_t data)
{
	struct vgic_ioeventfd a = { .datamatch = data, .addr = addr, .len = len, .fd = fd,
				    .flags = flags };

	return vgic_ioeventfd(vm, &a);
}

#define DM VGIC_IOEVENTFD_FLAG_DATAMATCH
#define DEASSIGN VGIC_IOEVENTFD_FLAG_DEASSIGN

static int wr(struct vgic_vm *vm, uint64_t gpa, unsigned int len, uint64_t val)
{
	return vgic_mmio_write(vm, 0, gpa, len, val);
}

static void test_errors(void **state)
{
	struct fx *f = *state;
	struct vgic_vm *vm = f->t->vm;
	int fd = f->efd[0], pipefd[2];

	assert_int_equal(reg(vm, fd, DOORBELL, 3, 0, 0), -EINVAL);
	assert_int_equal(reg(vm, fd, DOORBELL, 16, 0, 0), -EINVAL);
	assert_int_equal(reg(vm, fd, ~0ULL - 2, 4, 0, 0), -EINVAL);
	assert_int_equal(reg(vm, fd, DOORBELL, 4, 1u << 1, 0), -EINVAL);	/* PIO */
	assert_int_equal(reg(vm, fd, DOORBELL, 4, 1u << 3, 0), -EINVAL);
	assert_int_equal(reg(vm, fd, DOORBELL, 0, DM, 0), -EINVAL);
	assert_int_equal(reg(vm, -1, DOORBELL, 4, 0, 0), -EBADF);
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(reg(vm, pipefd[1], DOORBELL, 4, 0, 0), -EINVAL);
	close(pipefd[0]);
	close(pipefd[1]);
	assert_int_equal(vgic_ioeventfd(vm, NULL), -EINVAL);
	/* addr + len may reach 2^64 - 1, not wrap to 0 (KVM's check). */
	assert_int_equal(reg(vm, fd, ~0ULL - 3, 4, 0, 0), -EINVAL);
	assert_int_equal(reg(vm, fd, ~0ULL - 4, 4, 0, 0), 0);
	assert_int_equal(reg(vm, fd, ~0ULL, 0, 0, 0), 0);
}

/* KVM's ioeventfd_check_collision, case by case. */
static void test_collisions(void **state)
{
	struct fx *f = *state;
	struct vgic_vm *vm = f->t->vm;
	int a = f->efd[0], b = f->efd[1];

	assert_int_equal(reg(vm, a, DOORBELL, 4, DM, 1), 0);
	assert_int_equal(reg(vm, b, DOORBELL, 4, DM, 1), -EEXIST);	/* same match */
	assert_int_equal(reg(vm, b, DOORBELL, 4, 0, 0), -EEXIST);	/* wildcard */
	assert_int_equal(reg(vm, b, DOORBELL, 0, 0, 0), -EEXIST);	/* any length */
	assert_int_equal(reg(vm, b, DOORBELL, 4, DM, 2), 0);		/* other value */
	assert_int_equal(reg(vm, b, DOORBELL, 2, 0, 0), 0);		/* other width */
	assert_int_equal(reg(vm, b, DOORBELL + 1, 1, 0, 0), 0);	/* other address */
	/* Same eventfd at several places is fine. */
	assert_int_equal(reg(vm, a, DOORBELL + 8, 0, 0, 0), 0);
	assert_int_equal(reg(vm, b, DOORBELL + 8, 8, DM, 5), -EEXIST);
}

/* The GIC's frames are the irqchip's, not a doorbell. */
static void test_irqchip_frames(void **state)
{
	struct fx *f = *state;
	struct vgic_vm *vm = f->t->vm;
	int fd = f->efd[0];

	assert_int_equal(reg(vm, fd, T_DIST, 4, 0, 0), -EEXIST);
	assert_int_equal(reg(vm, fd, T_DIST + VGIC_DIST_SIZE - 4, 8, 0, 0), -EEXIST);
	assert_int_equal(reg(vm, fd, T_DIST - 4, 8, 0, 0), -EEXIST);
	assert_int_equal(reg(vm, fd, T_REDIST + 0x10040, 0, 0, 0), -EEXIST);
	assert_int_equal(reg(vm, fd, T_DIST - 4, 4, 0, 0), 0);
}

static void test_datamatch(void **state)
{
	struct fx *f = *state;
	struct vgic_vm *vm = f->t->vm;
	int a = f->efd[0], b = f->efd[1];

	assert_int_equal(reg(vm, a, DOORBELL, 4, DM, 7), 0);
	assert_int_equal(reg(vm, b, DOORBELL, 4, DM, 9), 0);
	assert_int_equal(wr(vm, DOORBELL, 4, 7), VGIC_MMIO_HANDLED);
	assert_int_equal(efd_read_nb(a), 1);
	assert_int_equal(efd_read_nb(b), 0);
	assert_int_equal(wr(vm, DOORBELL, 4, 9), VGIC_MMIO_HANDLED);
	assert_int_equal(wr(vm, DOORBELL, 4, 9), VGIC_MMIO_HANDLED);
	assert_int_equal(efd_read_nb(b), 2);
	/* Another value, width or address is the VMM's. */
	assert_int_equal(wr(vm, DOORBELL, 4, 8), VGIC_MMIO_NOT_MINE);
	assert_int_equal(wr(vm, DOORBELL, 8, 7), VGIC_MMIO_NOT_MINE);
	assert_int_equal(wr(vm, DOORBELL, 2, 7), VGIC_MMIO_NOT_MINE);
	assert_int_equal(wr(vm, DOORBELL + 4, 4, 7), VGIC_MMIO_NOT_MINE);
	assert_int_equal(efd_read_nb(a) + efd_read_nb(b), 0);
	/* So are reads. */
	uint64_t v;
	assert_int_equal(vgic_mmio_read(vm, 0, DOORBELL, 4, &v), VGIC_MMIO_NOT_MINE);
	/* A 64-bit datamatch compares the whole value. */
	assert_int_equal(reg(vm, a, DOORBELL + 0x100, 8, DM, 0x1122334455667788ULL), 0);
	assert_int_equal(wr(vm, DOORBELL + 0x100, 8, 0x55667788), VGIC_MMIO_NOT_MINE);
	assert_int_equal(wr(vm, DOORBELL + 0x100, 8, 0x1122334455667788ULL), VGIC_MMIO_HANDLED);
	assert_int_equal(efd_read_nb(a), 1);
}

static void test_wildcard_and_any_length(void **state)
{
	struct fx *f = *state;
	struct vgic_vm *vm = f->t->vm;
	int a = f->efd[0], b = f->efd[1];

	assert_int_equal(reg(vm, a, DOORBELL, 2, 0, 0), 0);
	assert_int_equal(wr(vm, DOORBELL, 2, 0xffff), VGIC_MMIO_HANDLED);
	assert_int_equal(wr(vm, DOORBELL, 4, 0), VGIC_MMIO_NOT_MINE);
	assert_int_equal(efd_read_nb(a), 1);
	assert_int_equal(reg(vm, b, DOORBELL + 0x10, 0, 0, 0), 0);
	for (unsigned int len = 1; len <= 8; len *= 2)
		assert_int_equal(wr(vm, DOORBELL + 0x10, len, len), VGIC_MMIO_HANDLED);
	assert_int_equal(efd_read_nb(b), 4);
	/* Length 0 means the exact address, not a range. */
	assert_int_equal(wr(vm, DOORBELL + 0x11, 1, 0), VGIC_MMIO_NOT_MINE);
}

static void test_deassign(void **state)
{
	struct fx *f = *state;
	struct vgic_vm *vm = f->t->vm;
	int a = f->efd[0], b = f->efd[1];

	assert_int_equal(reg(vm, a, DOORBELL, 4, DM, 7), 0);
	/* Everything must match: eventfd, address, length, datamatch. */
	assert_int_equal(reg(vm, b, DOORBELL, 4, DM | DEASSIGN, 7), -ENOENT);
	assert_int_equal(reg(vm, a, DOORBELL + 4, 4, DM | DEASSIGN, 7), -ENOENT);
	assert_int_equal(reg(vm, a, DOORBELL, 2, DM | DEASSIGN, 7), -ENOENT);
	assert_int_equal(reg(vm, a, DOORBELL, 4, DM | DEASSIGN, 8), -ENOENT);
	assert_int_equal(reg(vm, a, DOORBELL, 4, DEASSIGN, 0), -ENOENT);
	assert_int_equal(reg(vm, -1, DOORBELL, 4, DM | DEASSIGN, 7), -EBADF);
	assert_int_equal(reg(vm, a, DOORBELL, 4, DM | DEASSIGN, 7), 0);
	assert_int_equal(reg(vm, a, DOORBELL, 4, DM | DEASSIGN, 7), -ENOENT);
	assert_int_equal(wr(vm, DOORBELL, 4, 7), VGIC_MMIO_NOT_MINE);
	assert_int_equal(efd_read_nb(a), 0);
	/* The place is free again. */
	assert_int_equal(reg(vm, b, DOORBELL, 0, 0, 0), 0);
}

/* The library holds its own descriptor: the caller may close its copy. */
static void test_caller_closes(void **state)
{
	struct fx *f = *state;
	struct vgic_vm *vm = f->t->vm;
	int fd = eventfd(0, EFD_CLOEXEC), keep = dup(fd);

	assert_int_equal(reg(vm, fd, DOORBELL, 4, 0, 0), 0);
	close(fd);
	assert_int_equal(wr(vm, DOORBELL, 4, 1), VGIC_MMIO_HANDLED);
	assert_int_equal(efd_read_nb(keep), 1);
	close(keep);
}

/* A device that saturates its counter can not stall the vCPU: the write
 * completes (the reader has been woken already), as eventfd_signal does. */
static void test_saturated_counter(void **state)
{
	struct fx *f = *state;
	struct vgic_vm *vm = f->t->vm;

	assert_int_equal(reg(vm, f->efd[0], DOORBELL, 4, 0, 0), 0);
	efd_write(f->efd[0], 0xfffffffffffffffeULL);
	assert_int_equal(wr(vm, DOORBELL, 4, 1), VGIC_MMIO_HANDLED);
	assert_int_equal(efd_read_nb(f->efd[0]), 0xfffffffffffffffeULL);
	assert_int_equal(wr(vm, DOORBELL, 4, 1), VGIC_MMIO_HANDLED);
	assert_int_equal(efd_read_nb(f->efd[0]), 1);
}

/* The bus is there before init and without a GIC, like KVM's. */
static void test_no_gic(void **state)
{
	struct fx *f = *state;
	struct vgic_vm *vm;

	assert_int_equal(vgic_vm_create(1, VGIC_VM_NO_GIC, &vm), 0);
	assert_int_equal(reg(vm, f->efd[2], DOORBELL, 4, 0, 0), 0);
	assert_int_equal(wr(vm, DOORBELL, 4, 1), VGIC_MMIO_HANDLED);
	assert_int_equal(efd_read_nb(f->efd[2]), 1);
	vgic_vm_destroy(vm);
	assert_int_equal(reg(vm, f->efd[2], DOORBELL, 4, 0, 0), -ENODEV);
	assert_int_equal(vgic_vm_create(1, 0, &vm), 0);
	assert_int_equal(reg(vm, f->efd[2], DOORBELL, 4, 0, 0), 0);
	assert_int_equal(wr(vm, DOORBELL, 4, 1), VGIC_MMIO_HANDLED);
	assert_int_equal(efd_read_nb(f->efd[2]), 1);
	vgic_vm_destroy(vm);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_errors),
		T(test_collisions),
		T(test_irqchip_frames),
		T(test_datamatch),
		T(test_wildcard_and_any_length),
		T(test_deassign),
		T(test_caller_closes),
		T(test_saturated_counter),
		T(test_no_gic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
