/* SPDX-License-Identifier: MIT */
/*
 * The VM object (KVM's struct kvm with its vgic device): configuration,
 * lifecycle, and the entry checks every public call makes.
 */
#ifndef VGIC_KVM_VM_H
#define VGIC_KVM_VM_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <vgic/its.h>
#include <vgic/vm.h>

#include "common/gmem.h"
#include "gic/gic.h"
#include "kvm/io_bus.h"
#include "kvm/routing.h"

#define VGIC_ADDR_UNDEF		(~0ULL)
#define VGIC_VM_MAGIC		0x56474943u	/* "VGIC" */

struct vgic_vm {
	uint32_t magic;
	atomic_bool dead;
	unsigned int nr_vcpus;
	unsigned int flags;
	pthread_mutex_t config_lock;	/* configuration calls; never on injection */
	atomic_bool initialized;
	uint32_t nr_irqs;		/* 0 until set or init */
	uint64_t dist_base;
	uint64_t redist_base;
	struct vcpu_notify *notify;	/* per vCPU, from create to destroy */
	struct gmem mem;
	struct io_bus io_bus;
	struct routing routing;		/* GSI routing (routing.c) */
	struct irqfds *irqfds;		/* irqfd workers and bindings (irqfd.c) */
	struct ioeventfds *ioeventfds;	/* ioeventfd registrations (ioeventfd.c) */
	struct vgic_its *its[VGIC_MAX_ITS];	/* ITS devices (its_device.c) */
	atomic_uint nr_its;		/* published after its[] entry */
	struct gic gic;
};

static inline bool vm_has_gic(const struct vgic_vm *vm)
{
	return !(vm->flags & VGIC_VM_NO_GIC);
}

/* Entry check of every public call: 0, or -ENODEV for NULL or destroyed. */
static inline int vm_check(const struct vgic_vm *vm)
{
	if (!vm || vm->magic != VGIC_VM_MAGIC ||
	    atomic_load_explicit(&((struct vgic_vm *)vm)->dead, memory_order_acquire))
		return -ENODEV;
	return 0;
}

/* Entry check of calls that need an initialised GIC and a vCPU index. */
static inline int vm_check_vcpu(const struct vgic_vm *vm, unsigned int vcpu)
{
	int ret = vm_check(vm);

	if (ret)
		return ret;
	if (vcpu >= vm->nr_vcpus)
		return -EINVAL;
	return 0;
}

static inline bool vm_ready(const struct vgic_vm *vm)
{
	return atomic_load_explicit(&((struct vgic_vm *)vm)->initialized, memory_order_acquire);
}

/* ITS devices (its_device.c): checked before and set up after gic_create()
 * by vgic_vm_init(), freed before the LPIs, summed into vgic_stats. */
int vm_its_check(struct vgic_vm *vm);
int vm_its_init(struct vgic_vm *vm);
void vm_its_destroy(struct vgic_vm *vm);
void vm_its_stats(struct vgic_vm *vm, struct vgic_stats *st);
/* The ITS whose GITS_TRANSLATER is at @addr, or NULL.  After init. */
struct vgic_its *vm_its_by_doorbell(struct vgic_vm *vm, uint64_t addr);

/* VGIC_VM_NO_GIC: what the vCPU's own IRQ/FIQ lines signal. */
int vm_nogic_pending(struct vgic_vm *vm, unsigned int vcpu);

#endif
