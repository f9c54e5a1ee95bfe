"""Splits one csmith program into libraries and writes a bulkhead.yaml that spreads them over compartments.

Layout written into OUT: common.h (csmith.h, structs, extern globals, prototypes), data.c (the globals),
fn<k>.c (the functions, spread at random), app.c (main), bulkhead.yaml. Every global is shared (csmith's
functions read and write them all); `static` is dropped from functions and globals so that they can cross
translation units. Deterministic for a given seed.
"""
import random
import re
import sys

SEP = re.compile(r"^/\* -{30,} \*/$")


def split_sections(text):
    lines = text.split("\n")
    def index(marker):
        for i, l in enumerate(lines):
            if l.startswith(marker):
                return i
        raise ValueError(f"csmith output without '{marker}'")
    s, g, f, fn = (index("/* --- Struct/Union Declarations --- */"), index("/* --- GLOBAL VARIABLES --- */"),
                   index("/* --- FORWARD DECLARATIONS --- */"), index("/* --- FUNCTIONS --- */"))
    main_at = max(i for i, l in enumerate(lines) if l.startswith("int main"))
    sep_before_main = max(i for i in range(main_at) if SEP.match(lines[i]))
    return lines[:s], lines[s + 1:g], lines[g + 1:f], lines[f + 1:fn], lines[fn + 1:sep_before_main], lines[sep_before_main:]


def globals_of(lines):
    """(name, definition, extern declaration) for each global."""
    out = []
    for l in lines:
        if not l.strip():
            continue
        if not l.startswith("static ") or ";" not in l:
            raise ValueError(f"unexpected global line: {l[:80]}")
        decl = l[len("static "):l.rindex(";") + 1]
        head = decl.split(" = ", 1)[0].rstrip(";").rstrip()
        name = re.match(r"([A-Za-z_]\w*)", head.split()[-1].lstrip("*").split("[")[0]).group(1)
        out.append((name, decl, "extern " + head + ";"))
    return out


def functions_of(lines):
    chunks, cur = [], []
    for l in lines:
        if SEP.match(l):
            if any(x.strip() for x in cur):
                chunks.append(cur)
            cur = []
        cur.append(l)
    if any(x.strip() for x in cur):
        chunks.append(cur)
    out = []
    for c in chunks:
        c = [l[len("static "):] if l.startswith("static ") else l for l in c]
        name = next(re.search(r"\b(func_\d+)\s*\(", l).group(1) for l in c if re.search(r"\bfunc_\d+\s*\(", l) and not l.startswith(" "))
        out.append((name, "\n".join(c)))
    return out


def main(src, out, seed):
    rng = random.Random(seed)
    pre, structs, globs, fwd, funcs, main_part = split_sections(open(src).read())
    gl = globals_of(globs)
    fns = functions_of(funcs)
    nlibs = min(len(fns), rng.randint(3, 5))
    libs = {f"fn{k}": [] for k in range(nlibs)}
    order = list(range(len(fns)))
    rng.shuffle(order)
    for i, k in enumerate(order):   # every library gets at least one function
        libs[f"fn{i % nlibs}"].append(fns[k])
    common = ["#ifndef BH_FUZZ_COMMON_H", "#define BH_FUZZ_COMMON_H"] + pre + structs
    common += [e for _, _, e in gl]
    common += [l[len("static "):] if l.startswith("static ") else l for l in fwd]
    common += ["#endif", ""]
    open(f"{out}/common.h", "w").write("\n".join(common))
    open(f"{out}/data.c", "w").write('#include "common.h"\n' + "\n".join(d for _, d, _ in gl) + "\n")
    open(f"{out}/app.c", "w").write('#include "common.h"\n' + "\n".join(main_part) + "\n")
    for lib, members in libs.items():
        open(f"{out}/{lib}.c", "w").write('#include "common.h"\n\n' + "\n\n".join(body for _, body in members) + "\n")
    # compartments: the default one holds main; every compartment gets at least one library
    names = ["data"] + list(libs)
    rng.shuffle(names)
    ncomp = rng.randint(3, min(4, len(names) + 1))
    comps = {f"c{i}": [] for i in range(ncomp)}
    comps["c0"].append("app")
    for i, lib in enumerate(names):
        comps[f"c{(i % (ncomp - 1)) + 1}" if i < ncomp - 1 else f"c{rng.randrange(ncomp)}"].append(lib)
    y = [f"# csmith seed {seed}, split by Scripts/fuzz/csmith_split.py", "program: fuzz",
         "cflags: [-w, -O1, -I/usr/include/csmith]", "libraries:"]
    y += [f"  {lib}: {{ sources: [{lib}.c] }}" for lib in ["app", "data"] + list(libs)]
    y.append("compartments:")
    for c, members in comps.items():
        y.append(f"  {c}: {{ libraries: [{', '.join(members)}]{', default: true' if c == 'c0' else ''} }}")
    y.append("shared:")
    y.append(f"  globals: [{', '.join(n for n, _, _ in gl)}]")
    open(f"{out}/bulkhead.yaml", "w").write("\n".join(y) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
