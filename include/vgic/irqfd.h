/* SPDX-License-Identifier: MIT */
/*
 * irqfd (KVM_IRQFD): a Linux eventfd bound to a GSI.  Each write to the
 * eventfd injects through the GSI's current route (vgic/routing.h), handled
 * by a small pool of library threads that sleep in epoll when idle, so a
 * device model in another thread or process raises interrupts without a
 * VMM round trip.
 *
 * An SPI route gets an edge (the line is raised and lowered, as KVM does);
 * an MSI route goes to the ITS with its device ID.  With
 * VGIC_IRQFD_FLAG_RESAMPLE the signal only raises the line of a
 * level-sensitive SPI; when the guest deactivates it (EOI or DIR, or
 * GICD_ICACTIVER) the library lowers the line and then writes 1 to the
 * resamplefd, and the device re-signals if it still needs service.
 *
 * The library dup()s both descriptors: the caller may close its own once it
 * has deassigned.  Closing the irqfd's eventfd without deassigning is seen
 * as KVM sees the eventfd's release: the binding is torn down, lazily, at the
 * next irqfd call on the VM (or vgic_irqfd_reap(), or VM destruction) once
 * the caller's descriptor number no longer names that eventfd; until then it
 * can not fire, since nobody else holds the eventfd.  The eventfd's counter
 * is read with RWF_NOWAIT, so its file flags are left alone.
 */
#ifndef VGIC_IRQFD_H
#define VGIC_IRQFD_H

#include <stdint.h>

#include <vgic/vgic.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vgic_vm;

#define VGIC_IRQFD_FLAG_DEASSIGN	(1u << 0)	/* KVM_IRQFD_FLAG_DEASSIGN */
#define VGIC_IRQFD_FLAG_RESAMPLE	(1u << 1)	/* KVM_IRQFD_FLAG_RESAMPLE */

/* struct kvm_irqfd without its padding. */
struct vgic_irqfd {
	int fd;			/* eventfd the device writes */
	uint32_t gsi;
	uint32_t flags;		/* VGIC_IRQFD_FLAG_* */
	int resamplefd;		/* eventfd the library writes; with FLAG_RESAMPLE */
};

/*
 * Bind (or, with FLAG_DEASSIGN, unbind) an irqfd.  An eventfd already
 * holding a count fires at once.  Errors: -EINVAL unknown flags, a
 * descriptor that is no eventfd, or a VM without a GIC; -EAGAIN before
 * vgic_vm_init(); -EBADF a descriptor that is not open; -EBUSY the eventfd
 * is already bound (to any GSI) on this VM; -ENOMEM; -EMFILE out of
 * descriptors; -ENODEV dead handle.  Deassign matches the eventfd and the
 * GSI (the resample fields are ignored), waits until no injection from it
 * is in flight, and returns 0 even when nothing matched, as KVM does.
 */
VGIC_API int vgic_irqfd(struct vgic_vm *vm, const struct vgic_irqfd *args);

/*
 * Tear down the irqfds whose eventfd the caller has closed (see above).
 * Returns how many went, or -ENODEV.
 */
VGIC_API int vgic_irqfd_reap(struct vgic_vm *vm);

/* What the VM's irqfds have done; all monotonic. */
struct vgic_irqfd_stats {
	uint64_t signals;	/* eventfd counts taken by the workers */
	uint64_t injected;	/* of those, made pending through their route */
	uint64_t dropped;	/* of those, no route, or the ITS refused the MSI */
	uint64_t resamples;	/* resamplefd writes after guest deactivations */
};

/* Copy the counters into *@st.  -ENODEV on a dead handle. */
VGIC_API int vgic_irqfd_get_stats(struct vgic_vm *vm, struct vgic_irqfd_stats *st);

#ifdef __cplusplus
}
#endif

#endif
