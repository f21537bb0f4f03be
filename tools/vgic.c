/* SPDX-License-Identifier: MIT */
/* The vgic command: a table of subcommands. */
#include <stdio.h>
#include <string.h>

#include <vgic/vgic.h>

#include "commands.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "demo", cmd_demo, "raise SPIs, PPIs and SGIs through the API and acknowledge them" },
	{ "run", cmd_run, "boot an AArch64 virt-style image on the Unicorn VMM" },
	{ "bench", cmd_bench, "benchmarks: vgic bench --help lists them" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: vgic COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version")) {
		unsigned int v = vgic_version();

		printf("vgic %u.%u.%u\n", v >> 16, (v >> 8) & 0xff, v & 0xff);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "vgic: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
