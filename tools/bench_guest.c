/* SPDX-License-Identifier: MIT */
/*
 * `vgic bench guest [--compare-qemu]`: run guest/bench_guest.c's image on
 * `vgic run` (and on QEMU's virt machine under TCG) and print each row's ns
 * per operation side by side.  The guest times itself with the virtual
 * counter, so both systems are measured by the same code; each system runs
 * in a child process whose console is read through a pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define MAX_ROWS	16
#define OUT_MAX		(64 * 1024)
#define RUN_TIMEOUT_S	300
#define DEFAULT_QEMU	"qemu-system-aarch64"

extern char **environ;

struct row {
	char name[32];
	unsigned long long ns[2];	/* [0] vgic, [1] QEMU; 0 = no figure */
};

struct guest_rows {
	struct row row[MAX_ROWS];
	unsigned int n;
};

struct opts {
	const char *image, *qemu;
	bool compare, json;
};

static long long ms_left(uint64_t deadline_ns)
{
	uint64_t now = bench_now_ns();

	return now >= deadline_ns ? 0 : (long long)((deadline_ns - now) / 1000000);
}

/* Read @fd into @out until EOF or the deadline; returns false on timeout. */
static bool read_all(int fd, char *out, size_t cap, uint64_t deadline_ns)
{
	size_t len = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char sink[4096];
		ssize_t r;
		int ready = poll(&p, 1, (int)ms_left(deadline_ns));

		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0)
			return false;
		/* Keep the first @cap bytes, drain the rest so the child never blocks. */
		r = len + 1 < cap ? read(fd, out + len, cap - 1 - len) : read(fd, sink, sizeof(sink));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (len + 1 < cap)
			len += (size_t)r;
	}
	out[len] = '\0';
	return true;
}

/* Run @argv with stdout in @out (stderr passes through); its exit status or -1. */
static int run_capture(char *const argv[], char *out, size_t cap)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2], status = -1;
	bool done;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ)) {
		fprintf(stderr, "vgic bench guest: cannot run %s: %s\n", argv[0], strerror(errno));
		posix_spawn_file_actions_destroy(&fa);
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	done = read_all(pipefd[0], out, cap, bench_now_ns() + RUN_TIMEOUT_S * 1000000000ULL);
	close(pipefd[0]);
	if (!done) {
		fprintf(stderr, "vgic bench guest: %s ran longer than %d s; stopped\n", argv[0],
			RUN_TIMEOUT_S);
		kill(pid, SIGKILL);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return done && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static struct row *row_of(struct guest_rows *rows, const char *name)
{
	for (unsigned int i = 0; i < rows->n; i++)
		if (!strcmp(rows->row[i].name, name))
			return &rows->row[i];
	if (rows->n == MAX_ROWS)
		return NULL;
	snprintf(rows->row[rows->n].name, sizeof(rows->row[0].name), "%s", name);
	return &rows->row[rows->n++];
}

/*
 * Take the "bench NAME NS N" lines of one system's console; the run counts
 * only if the guest's own checks passed ("summary: ... 0 failed").
 */
static bool parse_rows(const char *out, struct guest_rows *rows, unsigned int sys)
{
	bool passed = false;

	while (*out) {
		size_t len = strcspn(out, "\n");
		char line[256], name[32];
		unsigned long long ns;
		unsigned int n;
		struct row *r;

		snprintf(line, sizeof(line), "%.*s", (int)len, out);
		out += len + (out[len] == '\n');
		if (!strncmp(line, "summary:", 8))
			passed = strstr(line, " 0 failed") != NULL;
		if (sscanf(line, "bench %31s %llu %u", name, &ns, &n) == 3 && (r = row_of(rows, name)))
			r->ns[sys] = ns;
	}
	return passed;
}

static bool run_system(const struct opts *o, unsigned int sys, struct guest_rows *rows)
{
	char *out = malloc(OUT_MAX);
	char *vgic_argv[] = { "/proc/self/exe", "run", "--smp", "2", "--timeout", "240",
			      (char *)o->image, NULL };
	char *qemu_argv[] = { (char *)o->qemu, "-M", "virt,gic-version=3", "-cpu", "max",
			      "-accel", "tcg", "-smp", "2", "-m", "256", "-nographic",
			      "-monitor", "none", "-serial", "stdio", "-kernel",
			      (char *)o->image, NULL };
	const char *what = sys ? "qemu" : "vgic";
	bool ok;
	int rc;

	if (!out)
		return false;
	rc = run_capture(sys ? qemu_argv : vgic_argv, out, OUT_MAX);
	ok = parse_rows(out, rows, sys);
	if (!ok || rc != 0)
		fprintf(stderr, "vgic bench guest: the %s run failed (exit %d)%s\n%s", what, rc,
			ok ? "" : "; its console:", ok ? "" : out);
	free(out);
	return ok && rc == 0;
}

static void print_table(const struct guest_rows *rows, bool compare)
{
	printf("guest micro-benchmarks: ns per operation, timed by the guest (CNTVCT)\n");
	printf("  %-16s %10s", "row", "vgic");
	if (compare)
		printf(" %10s %10s", "qemu", "vgic/qemu");
	printf("\n");
	for (unsigned int i = 0; i < rows->n; i++) {
		const struct row *r = &rows->row[i];

		printf("  %-16s %10llu", r->name, r->ns[0]);
		if (compare && r->ns[1])
			printf(" %10llu %10.3f", r->ns[1], (double)r->ns[0] / (double)r->ns[1]);
		else if (compare)
			printf(" %10s %10s", "-", "-");
		printf("\n");
	}
}

static void print_json(const struct guest_rows *rows, bool compare)
{
	printf("{\"bench\":\"guest\",\"rows\":[");
	for (unsigned int i = 0; i < rows->n; i++) {
		const struct row *r = &rows->row[i];

		printf("%s{\"name\":\"%s\",\"vgic_ns\":%llu", i ? "," : "", r->name, r->ns[0]);
		if (compare && r->ns[1])
			printf(",\"qemu_ns\":%llu,\"ratio\":%.4f", r->ns[1],
			       (double)r->ns[0] / (double)r->ns[1]);
		printf("}");
	}
	printf("]}\n");
}

static int usage(void)
{
	fprintf(stderr, "usage: vgic bench guest [--compare-qemu] [--json] [--image IMAGE] "
			"[--qemu QEMU]\n  default image: %s\n", VGIC_BENCH_GUEST_IMAGE);
	return 2;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	*o = (struct opts){ .image = VGIC_BENCH_GUEST_IMAGE, .qemu = DEFAULT_QEMU };
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--compare-qemu"))
			o->compare = true;
		else if (!strcmp(argv[i], "--json"))
			o->json = true;
		else if (!strcmp(argv[i], "--image") && i + 1 < argc)
			o->image = argv[++i];
		else if (!strcmp(argv[i], "--qemu") && i + 1 < argc)
			o->qemu = argv[++i];
		else
			return usage();
	}
	if (access(o->image, R_OK)) {
		fprintf(stderr, "vgic bench guest: %s: %s (build the guest images, or pass "
				"--image)\n", o->image, strerror(errno));
		return 1;
	}
	return 0;
}

int bench_guest(int argc, char **argv)
{
	struct guest_rows rows = { 0 };
	struct opts o;
	bool ok;
	int ret = parse_opts(argc, argv, &o);

	if (ret)
		return ret;
	ok = run_system(&o, 0, &rows);
	if (o.compare)
		ok = run_system(&o, 1, &rows) && ok;
	if (o.json)
		print_json(&rows, o.compare);
	else
		print_table(&rows, o.compare);
	return ok ? 0 : 1;
}
