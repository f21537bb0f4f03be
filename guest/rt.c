/* SPDX-License-Identifier: MIT */
/* The guest runtime: PL011 console, printf subset, checks, PSCI, exceptions. */
#include "rt.h"

#define UART_DR		0x00
#define UART_FR		0x18
#define UART_FR_TXFF	(1u << 5)

static int passed, failed, skipped;
void (*sync_hook)(unsigned int kind, struct frame *f);
void (*irq_hook)(struct frame *f);
const void *boot_fdt;

void putc_(char c)
{
	while (mmio_read32(UART_BASE + UART_FR) & UART_FR_TXFF)
		;
	mmio_write32(UART_BASE + UART_DR, (uint8_t)c);
}

static void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

static void put_num(uint64_t v, unsigned int base, bool neg)
{
	char buf[24];
	int i = 0;

	if (neg)
		putc_('-');
	do {
		buf[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (i)
		putc_(buf[--i]);
}

static void vprint(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		bool lng = false;

		if (*fmt != '%') {
			putc_(*fmt);
			continue;
		}
		fmt++;
		while (*fmt == 'l') {
			lng = true;
			fmt++;
		}
		switch (*fmt) {
		case 's': puts_(va_arg(ap, const char *)); break;
		case 'd': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);

			put_num(v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0);
			break;
		}
		case 'u': put_num(lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int), 10, false); break;
		case 'x': put_num(lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int), 16, false); break;
		case '%': putc_('%'); break;
		default: putc_('?'); break;
		}
	}
}

void print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

void check(const char *name, bool ok, const char *fmt, ...)
{
	va_list ap;

	print("check %s: %s", name, ok ? "PASS" : "FAIL (");
	if (!ok) {
		va_start(ap, fmt);
		vprint(fmt, ap);
		va_end(ap);
		putc_(')');
	}
	putc_('\n');
	if (ok)
		passed++;
	else
		failed++;
}

void skip(const char *name, const char *why)
{
	print("check %s: SKIP (%s)\n", name, why);
	skipped++;
}

int summary(void)
{
	print("summary: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed;
}

int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("hvc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x3) : "memory");
	return (int64_t)x0;
}

void psci_system_off(void)
{
	psci_call(0x84000008u, 0, 0, 0);
	for (;;)
		wfi();
}

extern char secondary_entry[];

int64_t cpu_start(unsigned int idx)
{
	return psci_call(PSCI_CPU_ON, idx, (uint64_t)secondary_entry, idx);
}

unsigned int cpu_index(void)
{
	uint64_t mpidr = sysreg_read(mpidr_el1);

	return (mpidr & 0xf) | ((mpidr >> 8 & 0xff) << 4);
}

__attribute__((weak)) void secondary_main(unsigned int idx)
{
	(void)idx;
	psci_call(PSCI_CPU_OFF, 0, 0, 0);
}

void exc_handler(unsigned int kind, struct frame *f);
void exc_handler(unsigned int kind, struct frame *f)
{
	if ((kind == VEC_IRQ_SPX || kind == VEC_IRQ_EL0) && irq_hook) {
		irq_hook(f);
		return;
	}
	if ((kind == VEC_SYNC_SPX || kind == VEC_SYNC_EL0) && sync_hook) {
		sync_hook(kind, f);
		return;
	}
	print("unexpected exception: vector %u ESR 0x%lx ELR 0x%lx FAR 0x%lx\n", kind,
	      sysreg_read(esr_el1), f->elr, sysreg_read(far_el1));
	summary();
	psci_system_off();
}

/* Flattened device tree walk: tokens of the structure block. */
#define FDT_MAGIC	0xd00dfeedu
#define FDT_BEGIN_NODE	1
#define FDT_END_NODE	2
#define FDT_PROP	3
#define FDT_NOP		4
#define FDT_END		9

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static bool streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static uint32_t slen(const char *s)
{
	uint32_t n = 0;

	while (s[n])
		n++;
	return n;
}

bool fdt_has_compatible(const void *fdt, const char *compat)
{
	const uint8_t *base = fdt;
	const uint8_t *p, *end;
	const char *strings;

	if (!fdt || be32(base) != FDT_MAGIC)
		return false;
	p = base + be32(base + 8);
	end = p + be32(base + 36);
	strings = (const char *)base + be32(base + 12);
	while (p < end) {
		uint32_t tok = be32(p);

		p += 4;
		if (tok == FDT_BEGIN_NODE) {
			p += (slen((const char *)p) + 4) & ~3u;
		} else if (tok == FDT_PROP) {
			uint32_t len = be32(p), off = be32(p + 4);
			const char *val = (const char *)p + 8;

			if (streq(strings + off, "compatible"))
				for (uint32_t i = 0; i < len; i += slen(val + i) + 1)
					if (streq(val + i, compat))
						return true;
			p += 8 + ((len + 3) & ~3u);
		} else if (tok == FDT_END) {
			break;
		}
	}
	return false;
}
