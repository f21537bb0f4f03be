/* SPDX-License-Identifier: MIT */
/*
 * Linux eventfds handed in by callers of irqfd and ioeventfd: validation,
 * identity (KVM compares eventfd contexts; we compare open files), and the
 * two operations the library performs on them.
 */
#ifndef VGIC_KVM_EVENTFD_H
#define VGIC_KVM_EVENTFD_H

#include <stdbool.h>
#include <stdint.h>

/* 0 if @fd is an open eventfd; -EBADF if not open, -EINVAL if another file. */
int efd_check(int fd);

/* A close-on-exec duplicate of @fd owned by the library, or -errno. */
int efd_dup(int fd);

/* 0 if descriptors @a and @b name the same open file, 1 if not, -errno
 * when the kernel can not tell (no kcmp) or either is not open. */
int efd_cmp(int a, int b);

/* Add 1 to the counter, as eventfd_signal() does in the kernel. */
void efd_signal(int fd);

/* Take and return the counter without ever blocking (0 if it was 0). */
uint64_t efd_drain(int fd);

#endif
