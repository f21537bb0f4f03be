/* SPDX-License-Identifier: MIT */
/*
 * KVM_SIGNAL_MSI on arm64: the doorbell address names an ITS, the device ID
 * and data (EventID) go through its translation.  Lock-free on a translation
 * cache hit (see src/its/translate.c).
 */
#include <errno.h>

#include <vgic/msi.h>

#include "its/its.h"
#include "kvm/vm.h"

int vgic_signal_msi(struct vgic_vm *vm, const struct vgic_msi *msi)
{
	struct vgic_its *its;
	int ret = vm_check(vm);

	if (ret)
		return ret;
	if (!msi || (msi->flags & ~VGIC_MSI_VALID_DEVID))
		return -EINVAL;
	if (!atomic_load_explicit(&vm->nr_its, memory_order_acquire))
		return -ENODEV;
	if (!(msi->flags & VGIC_MSI_VALID_DEVID))
		return -EINVAL;
	/* Before init no ITS can have been enabled (and addresses may still move). */
	if (!vm_ready(vm))
		return -EBUSY;
	its = vm_its_by_doorbell(vm, msi->address);
	if (!its)
		return -EINVAL;
	return its_translate(its, msi->devid, msi->data, false);
}
