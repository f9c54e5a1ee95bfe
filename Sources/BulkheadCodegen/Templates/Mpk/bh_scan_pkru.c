/*
 * bh_scan_pkru.c: finds every instruction in an executable's code that can change the protection-key
 * rights register (PKRU) outside the sections where the mpk backend's gates live, as ERIM's binary
 * inspection does. An attacker who can jump into the middle of any instruction can use such bytes to
 * grant itself every key, so the build refuses an executable that has any.
 *
 *   bh_scan_pkru EXECUTABLE [--allow SECTION]...
 *
 * Looks at every executable section (SHF_EXECINSTR) at every byte offset, aligned or not, for
 *   WRPKRU  0F 01 EF
 *   XRSTOR  0F AE /5 with a memory operand (0F AE /5 with a register operand is LFENCE); with REX.W it is
 *           XRSTOR64, the same bytes after the prefix
 *   XRSTORS 0F C7 /3 with a memory operand
 * (XRSTOR loads PKRU from memory when the kernel enables that state component, as Linux does.) Each hit
 * is printed as `EXECUTABLE: offset 0xOFF (address 0xADDR, section S): WRPKRU in SYMBOL+0xN`, naming the
 * nearest preceding symbol of .symtab. Exit status: 0 none found, 1 found, 2 unreadable or not ELF64.
 * Sections named with --allow (the gates' own) are skipped.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum { BH_SCAN_MAX_ALLOW = 16 };

typedef struct {
    const uint8_t *image;
    size_t size;
    const Elf64_Shdr *sections;
    int nsections;
    const char *section_names;
    const Elf64_Sym *symbols;
    size_t nsymbols;
    const char *symbol_names;
} bh_elf;

static int bh_in_image(const bh_elf *elf, uint64_t offset, uint64_t length) {
    return offset <= elf->size && length <= elf->size - offset;
}

static int bh_open_elf(const char *path, bh_elf *elf) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { perror(path); return -1; }
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
        fprintf(stderr, "%s: not an ELF64 file\n", path);
        close(fd);
        return -1;
    }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) { perror(path); return -1; }
    memset(elf, 0, sizeof *elf);
    elf->image = map;
    elf->size = (size_t)st.st_size;
    const Elf64_Ehdr *eh = map;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_shentsize != sizeof(Elf64_Shdr) || !bh_in_image(elf, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)) ||
        eh->e_shstrndx >= eh->e_shnum) {
        fprintf(stderr, "%s: not an ELF64 file with section headers\n", path);
        return -1;
    }
    elf->sections = (const Elf64_Shdr *)(elf->image + eh->e_shoff);
    elf->nsections = eh->e_shnum;
    const Elf64_Shdr *names = &elf->sections[eh->e_shstrndx];
    if (!bh_in_image(elf, names->sh_offset, names->sh_size)) {
        fprintf(stderr, "%s: section names out of the file\n", path);
        return -1;
    }
    elf->section_names = (const char *)(elf->image + names->sh_offset);
    for (int i = 0; i < elf->nsections; i++) {
        const Elf64_Shdr *s = &elf->sections[i];
        if (s->sh_type != SHT_SYMTAB || s->sh_link >= (uint32_t)elf->nsections) continue;
        const Elf64_Shdr *strtab = &elf->sections[s->sh_link];
        if (!bh_in_image(elf, s->sh_offset, s->sh_size) || !bh_in_image(elf, strtab->sh_offset, strtab->sh_size)) continue;
        elf->symbols = (const Elf64_Sym *)(elf->image + s->sh_offset);
        elf->nsymbols = s->sh_size / sizeof(Elf64_Sym);
        elf->symbol_names = (const char *)(elf->image + strtab->sh_offset);
    }
    return 0;
}

/* The name of section i ("?" when its name lies outside the table). */
static const char *bh_section_name(const bh_elf *elf, int i) {
    const Elf64_Shdr *names = &elf->sections[((const Elf64_Ehdr *)elf->image)->e_shstrndx];
    uint32_t at = elf->sections[i].sh_name;
    return at < names->sh_size ? elf->section_names + at : "?";
}

/* Prints the symbol that holds `address` (the nearest one at or below it, in section `shndx`). */
static void bh_print_symbol(const bh_elf *elf, int shndx, uint64_t address) {
    const Elf64_Sym *best = NULL;
    for (size_t i = 0; i < elf->nsymbols; i++) {
        const Elf64_Sym *sym = &elf->symbols[i];
        int type = ELF64_ST_TYPE(sym->st_info);
        if (sym->st_shndx != shndx || sym->st_name == 0 || (type != STT_FUNC && type != STT_NOTYPE)) continue;
        if (sym->st_value <= address && (best == NULL || sym->st_value > best->st_value)) best = sym;
    }
    if (best == NULL) printf("(no symbol)");
    else printf("%s+0x%llx", elf->symbol_names + best->st_name, (unsigned long long)(address - best->st_value));
}

/* The PKRU-writing instruction whose opcode starts at p (n bytes left), or NULL. */
static const char *bh_pkru_writer(const uint8_t *p, size_t n) {
    if (n < 3 || p[0] != 0x0F) return NULL;
    uint8_t modrm = p[2];
    int mod = modrm >> 6, reg = (modrm >> 3) & 7;
    if (p[1] == 0x01 && modrm == 0xEF) return "WRPKRU";
    if (p[1] == 0xAE && reg == 5 && mod != 3) return "XRSTOR";
    if (p[1] == 0xC7 && reg == 3 && mod != 3) return "XRSTORS";
    return NULL;
}

int main(int argc, char **argv) {
    const char *allow[BH_SCAN_MAX_ALLOW];
    int nallow = 0;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--allow") == 0 && i + 1 < argc && nallow < BH_SCAN_MAX_ALLOW) allow[nallow++] = argv[++i];
        else if (path == NULL && argv[i][0] != '-') path = argv[i];
        else { fprintf(stderr, "usage: bh_scan_pkru EXECUTABLE [--allow SECTION]... (at most %d)\n", BH_SCAN_MAX_ALLOW); return 2; }
    }
    if (path == NULL) { fprintf(stderr, "usage: bh_scan_pkru EXECUTABLE [--allow SECTION]...\n"); return 2; }
    bh_elf elf;
    if (bh_open_elf(path, &elf) != 0) return 2;
    int found = 0;
    for (int i = 0; i < elf.nsections; i++) {
        const Elf64_Shdr *s = &elf.sections[i];
        if (!(s->sh_flags & SHF_EXECINSTR) || s->sh_type != SHT_PROGBITS) continue;
        const char *name = bh_section_name(&elf, i);
        int allowed = 0;
        for (int a = 0; a < nallow; a++) allowed |= strcmp(name, allow[a]) == 0;
        if (allowed) continue;
        if (!bh_in_image(&elf, s->sh_offset, s->sh_size)) {
            fprintf(stderr, "%s: section %s lies outside the file\n", path, name);
            return 2;
        }
        const uint8_t *code = elf.image + s->sh_offset;
        for (uint64_t off = 0; off < s->sh_size; off++) {
            const char *what = bh_pkru_writer(code + off, s->sh_size - off);
            if (what == NULL) continue;
            found = 1;
            printf("%s: offset 0x%llx (address 0x%llx, section %s): %s in ", path,
                   (unsigned long long)(s->sh_offset + off), (unsigned long long)(s->sh_addr + off), name, what);
            bh_print_symbol(&elf, i, s->sh_addr + off);
            printf("\n");
        }
    }
    return found;
}
