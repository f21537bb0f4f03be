/* SPDX-License-Identifier: MIT */
/*
 * `vgic run`: boot a virt-style AArch64 image on the Unicorn VMM with libvgic
 * as its GIC.  Exit status: 0 after PSCI SYSTEM_OFF (or SYSTEM_RESET), 1 when
 * the guest runs away or the timeout passes, 2 on bad usage or setup errors.
 */
#include <getopt.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "vmm/vmm.h"

static void run_usage(FILE *f)
{
	fprintf(f, "usage: vgic run [--smp N] [--mem MiB] [--append ARGS] [--timeout S] "
		   "[--no-its] [--verbose] IMAGE\n");
}

static void print_stats(const struct vmm *vmm)
{
	const struct vmm_stats *s = &vmm->stats;
	struct vgic_stats g;
	struct rusage ru;

	fprintf(stderr, "vgic run: %llu slices, %llu WFI exits, %llu MMIO exits (%llu unclaimed), "
		"%llu sysreg traps, %llu IRQ and %llu sync exception entries, %llu unmask stops\n",
		(unsigned long long)s->slices, (unsigned long long)s->exits_wfi,
		(unsigned long long)s->mmio_exits, (unsigned long long)s->unclaimed_mmio,
		(unsigned long long)s->sysreg_traps, (unsigned long long)s->irq_entries,
		(unsigned long long)s->sync_entries, (unsigned long long)s->unmask_stops);
	if (!getrusage(RUSAGE_SELF, &ru))
		fprintf(stderr, "vgic run: host CPU time %.2f s user, %.2f s system\n",
			ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
			ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	if (!vgic_vm_get_stats(vmm->vm, &g))
		fprintf(stderr, "vgic run: library: %llu bad MMIO, %llu bad sysreg accesses, %llu "
			"spurious acks, %llu injected, %llu kicks, %llu ITS commands (%llu dropped)\n",
			(unsigned long long)g.mmio_bad_access, (unsigned long long)g.sysreg_bad_access,
			(unsigned long long)g.spurious_acks, (unsigned long long)g.irqs_injected,
			(unsigned long long)g.kicks, (unsigned long long)g.its_cmds,
			(unsigned long long)g.its_cmd_errors);
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "smp", required_argument, NULL, 's' },
		{ "mem", required_argument, NULL, 'm' },
		{ "append", required_argument, NULL, 'a' },
		{ "timeout", required_argument, NULL, 't' },
		{ "no-its", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct vmm_config cfg = { .nr_vcpus = 1, .ram_mib = 128, .its = true };
	struct vmm *vmm = NULL;
	enum vmm_exit why;
	int c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': cfg.nr_vcpus = strtoul(optarg, NULL, 0); break;
		case 'm': cfg.ram_mib = strtoull(optarg, NULL, 0); break;
		case 'a': cfg.bootargs = optarg; break;
		case 't': cfg.timeout_s = strtod(optarg, NULL); break;
		case 'n': cfg.its = false; break;
		case 'v': cfg.verbose = true; break;
		case 'h': run_usage(stdout); return 0;
		default: run_usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		run_usage(stderr);
		return 2;
	}
	cfg.image = argv[optind];
	ret = vmm_create(&cfg, &vmm);
	if (ret) {
		vmm_destroy(vmm);
		return 2;
	}
	why = vmm_run(vmm);
	fflush(stdout);
	backend_report(vmm);
	if (why != VMM_EXIT_POWEROFF || cfg.verbose)
		fprintf(stderr, "vgic run: %s\n", vmm->exit_msg);
	if (cfg.verbose)
		print_stats(vmm);
	vmm_destroy(vmm);
	return why == VMM_EXIT_POWEROFF || why == VMM_EXIT_RESET ? 0 : 1;
}
