/* SPDX-License-Identifier: MIT */
/* irqfd plumbing the VM lifecycle and the routing code call into. */
#ifndef VGIC_KVM_IRQFD_H
#define VGIC_KVM_IRQFD_H

struct vgic_vm;

/* vgic_vm_create: the (thread-less) irqfd state.  -ENOMEM. */
int irqfd_vm_create(struct vgic_vm *vm);
/* vgic_vm_init, GIC just created: hook guest deactivations for resampling. */
void irqfd_gic_ready(struct vgic_vm *vm);
/* vgic_vm_destroy, first of all: stop the workers, unbind everything. */
void irqfd_vm_destroy(struct vgic_vm *vm);

#endif
