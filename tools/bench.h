/* SPDX-License-Identifier: MIT */
/* `vgic bench NAME`: each benchmark lives in its own file and prints figures. */
#ifndef VGIC_TOOLS_BENCH_H
#define VGIC_TOOLS_BENCH_H

#include <stdint.h>

/* Eventfd write to interrupt pending at the redistributor (tools/bench_irqfd.c). */
int bench_irqfd(int argc, char **argv);
/* Guest MMIO write to ioeventfd readable (tools/bench_irqfd.c). */
int bench_ioeventfd(int argc, char **argv);

/* vgic_signal_msi() with the translation cache hit and missed; memory per LPI (tools/bench_msi.c). */
int bench_msi(int argc, char **argv);

/* Linux's vgic_lpi_stress: sender threads per device, vCPU threads acking (tools/bench_lpi_stress.c). */
int bench_lpi_stress(int argc, char **argv);

/* Host paths: signal-MSI, MAPTI, IRQ line, irqfd, memory; device and vCPU sweeps (tools/bench_host.c). */
int bench_host(int argc, char **argv);

/* Guest micro-benchmarks on vgic run, and on QEMU with --compare-qemu (tools/bench_guest.c). */
int bench_guest(int argc, char **argv);

/* Shared by the benchmarks. */
uint64_t bench_now_ns(void);
/* The @pct percentile of @n samples (sorts them). */
uint64_t bench_percentile(uint64_t *v, unsigned int n, unsigned int pct);
/* "-n COUNT" from @argv, or @def. */
unsigned int bench_count_arg(int argc, char **argv, unsigned int def);

#endif
