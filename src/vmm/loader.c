/* SPDX-License-Identifier: MIT */
/*
 * Guest image loading: an ELF64 AArch64 executable by its program headers
 * (at their physical addresses, entry from the header), anything else as a
 * flat image at RAM + 0x80000, where QEMU loads a raw arm64 kernel.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/vmm.h"

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long size;

	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -EIO;
	}
	*buf = malloc(size ? size : 1);
	if (!*buf) {
		fclose(f);
		return -ENOMEM;
	}
	if (fread(*buf, 1, size, f) != (size_t)size) {
		free(*buf);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*len = size;
	return 0;
}

static bool in_ram(struct vmm *vmm, uint64_t gpa, uint64_t size)
{
	return gpa >= VIRT_RAM && size <= vmm->ram_size && gpa - VIRT_RAM <= vmm->ram_size - size;
}

static int load_elf(struct vmm *vmm, const uint8_t *buf, size_t len, uint64_t *lo, uint64_t *hi)
{
	const Elf64_Ehdr *eh = (const void *)buf;

	if (len < sizeof(*eh) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_machine != EM_AARCH64 || eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phoff > len || (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > len - eh->e_phoff)
		return -EINVAL;
	*lo = UINT64_MAX;
	*hi = 0;
	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const void *)(buf + eh->e_phoff + i * sizeof(*ph));

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		if (ph->p_filesz > ph->p_memsz || ph->p_offset > len ||
		    ph->p_filesz > len - ph->p_offset || !in_ram(vmm, ph->p_paddr, ph->p_memsz))
			return -EINVAL;
		memcpy(vmm->ram + (ph->p_paddr - VIRT_RAM), buf + ph->p_offset, ph->p_filesz);
		memset(vmm->ram + (ph->p_paddr - VIRT_RAM) + ph->p_filesz, 0,
		       ph->p_memsz - ph->p_filesz);
		if (ph->p_paddr < *lo)
			*lo = ph->p_paddr;
		if (ph->p_paddr + ph->p_memsz > *hi)
			*hi = ph->p_paddr + ph->p_memsz;
	}
	if (!*hi)
		return -EINVAL;
	vmm->entry = eh->e_entry;
	return 0;
}

int loader_load(struct vmm *vmm, const char *path, uint64_t *lo, uint64_t *end, bool *is_elf)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret = read_file(path, &buf, &len);

	if (ret)
		return ret;
	*is_elf = len >= SELFMAG && !memcmp(buf, ELFMAG, SELFMAG);
	if (*is_elf) {
		ret = load_elf(vmm, buf, len, lo, end);
	} else if (!in_ram(vmm, VIRT_RAM + VIRT_IMAGE_OFFSET, len)) {
		ret = -EINVAL;
	} else {
		memcpy(vmm->ram + VIRT_IMAGE_OFFSET, buf, len);
		vmm->entry = *lo = VIRT_RAM + VIRT_IMAGE_OFFSET;
		*end = *lo + len;
	}
	free(buf);
	return ret;
}
