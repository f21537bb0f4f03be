/* SPDX-License-Identifier: MIT */
/* ioeventfd state the VM lifecycle creates and frees. */
#ifndef VGIC_KVM_IOEVENTFD_H
#define VGIC_KVM_IOEVENTFD_H

struct vgic_vm;

/* vgic_vm_create.  -ENOMEM. */
int ioeventfd_vm_create(struct vgic_vm *vm);
/* vgic_vm_destroy, before the io bus goes. */
void ioeventfd_vm_destroy(struct vgic_vm *vm);

#endif
