/* SPDX-License-Identifier: MIT */
/* Subcommands of the vgic tool; each lives in its own file. */
#ifndef VGIC_TOOLS_COMMANDS_H
#define VGIC_TOOLS_COMMANDS_H

/* Host-side demonstration: raise interrupts through the API, acknowledge them. */
int cmd_demo(int argc, char **argv);

/* Benchmarks that print figures (tools/bench.c holds the table of them). */
int cmd_bench(int argc, char **argv);

/* Boot a virt-style AArch64 image on the Unicorn VMM (tools/cmd_run.c). */
int cmd_run(int argc, char **argv);

#endif
