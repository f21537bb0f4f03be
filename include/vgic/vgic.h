/* SPDX-License-Identifier: MIT */
/*
 * libvgic: the arm64 KVM interrupt-virtualization stack (GICv3, ITS, routing,
 * irqfd, ioeventfd) as an embeddable userspace library.
 *
 * Conventions for every header under vgic/:
 *  - objects are opaque handles; vCPUs are named by their index in the VM;
 *  - functions return 0 (or a documented positive value) on success and a
 *    negative errno with KVM's meaning on failure;
 *  - nothing returned needs freeing unless the comment says so.
 */
#ifndef VGIC_VGIC_H
#define VGIC_VGIC_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(VGIC_BUILDING_LIBRARY)
#define VGIC_API __attribute__((visibility("default")))
#else
#define VGIC_API
#endif

#define VGIC_VERSION_MAJOR 0
#define VGIC_VERSION_MINOR 1
#define VGIC_VERSION_PATCH 0
#define VGIC_VERSION ((VGIC_VERSION_MAJOR << 16) | (VGIC_VERSION_MINOR << 8) | VGIC_VERSION_PATCH)

/* The library's version as VGIC_VERSION encodes it (may differ from the header's). */
VGIC_API unsigned int vgic_version(void);

/* A short English text for a negative errno returned by this library. */
VGIC_API const char *vgic_strerror(int err);

#ifdef __cplusplus
}
#endif

#include <vgic/vm.h>
#include <vgic/memory.h>
#include <vgic/mmio.h>
#include <vgic/cpuif.h>
#include <vgic/irq_line.h>
#include <vgic/its.h>
#include <vgic/msi.h>
#include <vgic/routing.h>
#include <vgic/irqfd.h>
#include <vgic/ioeventfd.h>
#include <vgic/attr.h>
#include <vgic/snapshot.h>

#endif
