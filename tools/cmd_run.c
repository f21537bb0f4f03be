/* SPDX-License-Identifier: MIT */
/*
 * `vgic run`: boot a virt-style AArch64 image on the Unicorn VMM with libvgic
 * as its GIC.  Exit status: 0 after PSCI SYSTEM_OFF (or SYSTEM_RESET), 1 when
 * the guest runs away or the timeout passes, 2 on bad usage or setup errors
 * (a snapshot that cannot be read, is damaged or cannot be applied included).
 *
 * At the guest's migrate prompt (VMM_MIGRATE_PROMPT), --migrate saves the
 * whole VM to memory, destroys it, builds a new one from the bytes and types
 * a key; --save FILE writes the same bytes to FILE and exits 0.  --restore
 * FILE starts from such a file instead of an image (and types the key).
 */
#include <getopt.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "vmm/vmm.h"

static void run_usage(FILE *f)
{
	fprintf(f, "usage: vgic run [--smp N] [--mem MiB] [--append ARGS] [--timeout S] "
		   "[--no-its] [--verbose] [--migrate | --save FILE] IMAGE\n"
		   "       vgic run [--timeout S] [--verbose] [--migrate | --save FILE] "
		   "--restore FILE\n");
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

/* The key a migrated or restored guest waits for at the prompt. */
#define MIGRATE_KEY	'\r'

/* Build a VM from snapshot bytes (shape from the snapshot, run options from
 * @opts); NULL with a message if the bytes are refused or do not apply. */
static struct vmm *vm_from_snapshot(const void *buf, size_t len, const struct vmm_config *opts)
{
	struct vmm_config cfg = *opts;
	struct vmm *vmm = NULL;
	struct snap *s;

	if (snapshot_parse(buf, len, &s))
		return NULL;
	snapshot_shape(s, &cfg);
	if (vmm_create(&cfg, &vmm) || snapshot_apply(vmm, s)) {
		vmm_destroy(vmm);
		vmm = NULL;
	} else if (snapshot_at_prompt(s)) {
		pl011_type(vmm, MIGRATE_KEY);
	}
	snapshot_free(s);
	return vmm;
}

/*
 * Save, rebuild from the bytes, destroy the source: a migration to this same
 * host.  As a real migration, the source is destroyed only once the
 * destination is up; if that fails the source goes on (*@failed is set).
 */
static struct vmm *migrate(struct vmm *vmm, bool *failed)
{
	struct vmm_config cfg = vmm->cfg;
	uint64_t t0 = vmm_now_ns();
	struct vmm *fresh;
	void *buf;
	size_t len;

	if (snapshot_save(vmm, true, &buf, &len)) {
		fresh = NULL;
	} else {
		pl011_stop_input(vmm);
		fresh = vm_from_snapshot(buf, len, &cfg);
		free(buf);
	}
	if (!fresh) {
		fprintf(stderr, "vgic run: migration failed: the VM goes on where it was\n");
		*failed = true;
		pl011_type(vmm, MIGRATE_KEY);
		return vmm;
	}
	/* One run, one --timeout: the destination counts from the source's start. */
	fresh->start_ns = vmm->start_ns;
	vmm_destroy(vmm);
	if (cfg.verbose)
		fprintf(stderr, "vgic run: migrated: %zu bytes of state, guest stopped %.1f ms\n",
			len, (vmm_now_ns() - t0) / 1e6);
	return fresh;
}

static int save_to(struct vmm *vmm, const char *path)
{
	void *buf;
	size_t len;
	int ret = snapshot_save(vmm, true, &buf, &len);

	if (ret)
		return ret;
	ret = snapshot_write_file(path, buf, len);
	free(buf);
	if (!ret)
		fprintf(stderr, "vgic run: saved the VM to %s (%zu bytes)\n", path, len);
	return ret;
}

static struct vmm *start(const struct vmm_config *cfg, const char *restore)
{
	struct vmm *vmm = NULL;
	void *buf;
	size_t len;

	if (!restore) {
		if (vmm_create(cfg, &vmm)) {
			vmm_destroy(vmm);
			return NULL;
		}
		return vmm;
	}
	if (snapshot_read_file(restore, &buf, &len))
		return NULL;
	vmm = vm_from_snapshot(buf, len, cfg);
	free(buf);
	return vmm;
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
		{ "migrate", no_argument, NULL, 'M' },
		{ "save", required_argument, NULL, 'S' },
		{ "restore", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct vmm_config cfg = { .nr_vcpus = 1, .ram_mib = 128, .its = true };
	const char *save = NULL, *restore = NULL;
	bool do_migrate = false, mig_failed = false, shaped = false;
	struct vmm *vmm = NULL;
	enum vmm_exit why;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': cfg.nr_vcpus = strtoul(optarg, NULL, 0); shaped = true; break;
		case 'm': cfg.ram_mib = strtoull(optarg, NULL, 0); shaped = true; break;
		case 'a': cfg.bootargs = optarg; shaped = true; break;
		case 't': cfg.timeout_s = strtod(optarg, NULL); break;
		case 'n': cfg.its = false; shaped = true; break;
		case 'v': cfg.verbose = true; break;
		case 'M': do_migrate = true; break;
		case 'S': save = optarg; break;
		case 'R': restore = optarg; break;
		case 'h': run_usage(stdout); return 0;
		default: run_usage(stderr); return 2;
		}
	}
	if (optind != argc - (restore ? 0 : 1) || (do_migrate && save)) {
		run_usage(stderr);
		return 2;
	}
	if (restore && shaped) {
		fprintf(stderr, "vgic run: --restore takes the machine (vCPUs, memory, ITS, device "
			"tree) from the snapshot; --smp, --mem, --no-its and --append do not apply\n");
		return 2;
	}
	cfg.image = restore ? NULL : argv[optind];
	cfg.pause_at_prompt = do_migrate || save;
	vmm = start(&cfg, restore);
	if (!vmm)
		return 2;
	while ((why = vmm_run(vmm)) == VMM_PAUSED) {
		fflush(stdout);
		if (save) {
			int ret = save_to(vmm, save);

			vmm_destroy(vmm);
			return ret ? 2 : 0;
		}
		vmm = migrate(vmm, &mig_failed);
	}
	fflush(stdout);
	backend_report(vmm);
	if (why != VMM_EXIT_POWEROFF || cfg.verbose)
		fprintf(stderr, "vgic run: %s\n", vmm->exit_msg);
	if (cfg.verbose)
		print_stats(vmm);
	vmm_destroy(vmm);
	return (why == VMM_EXIT_POWEROFF || why == VMM_EXIT_RESET) && !mig_failed ? 0 : 1;
}
