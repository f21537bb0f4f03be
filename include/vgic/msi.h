/* SPDX-License-Identifier: MIT */
/*
 * KVM_SIGNAL_MSI: inject a message-signalled interrupt as a device would
 * write it, with the device ID the ITS needs (KVM_CAP_MSI_DEVID).
 */
#ifndef VGIC_MSI_H
#define VGIC_MSI_H

#include <stdint.h>

#include <vgic/vgic.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vgic_vm;

#define VGIC_MSI_VALID_DEVID	(1u << 0)	/* KVM_MSI_VALID_DEVID */

/* struct kvm_msi without its padding. */
struct vgic_msi {
	uint64_t address;	/* doorbell: an ITS's GITS_TRANSLATER */
	uint32_t data;		/* EventID */
	uint32_t flags;		/* VGIC_MSI_VALID_DEVID */
	uint32_t devid;		/* DeviceID, when flagged valid */
};

/*
 * Inject @msi.  Returns >0 when delivered (made pending), 0 when the guest's
 * configuration blocks it (unmapped device, event or collection, LPIs
 * disabled at the target), -EINVAL for unknown flags, a missing devid or an
 * address that is no ITS doorbell, -ENODEV when the VM has no ITS, -EBUSY
 * when the ITS is disabled.  Safe from any thread.
 */
VGIC_API int vgic_signal_msi(struct vgic_vm *vm, const struct vgic_msi *msi);

#ifdef __cplusplus
}
#endif

#endif
