#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Generate the decoder's unit-test vectors from binutils.

Reads a list of instructions in AT&T syntax, one per line with its mode:

    long    movl %eax,(%rbx)
    prot32  rep stosl
    real    movb $0x12,-2(%bp)
    long    reject movl %eax,%ebx
    long    raw(48) movw %ax,(%rbx)

assembles each mode's lines with `as` (--64, --32, --32 + .code16) between
labels, and reads the bytes back with `objdump -s` and each instruction's
start and end with `objdump -t`. So the bytes and the LENGTH of every vector
come from binutils. `objdump -d` must agree on the instruction boundaries,
and its text is kept for failure messages.

The expected meaning (kind, sizes, register, immediate, segment, address
size, memory operand) is derived here from the instruction text, by the
rules of the SDM, never from the bytes:
    mov{b,w,l,q}/movabs reg->mem STORE, mem->reg LOAD, $imm->mem STORE_IMM
    movz{b,w}{w,l,q} MOVZX, movs{b,w,l}{w,l,q} and movsxd MOVSX
    stos{b,w,l,q} STOS, movs{b,w,l,q} without register operands MOVS
Prefix words: rep/repe/repz/repne/repnz, data16, addr16, addr32, rex.W..,
es/cs/ss/ds/fs/gs (a segment override; ignored by stos, as by the CPU),
{disp8}/{disp32} (encoding choice only). `reject` lines are assembled too
and must make decode_insn() return -EINVAL (register forms, other opcodes).
`raw(hh hh ..)` puts prefix bytes before the instruction that must not change
its meaning; the script checks that they are of a kind the CPU ignores there
(a REX followed by a legacy prefix, ES/CS/SS/DS in 64-bit mode, a repeat of a
prefix gas emits anyway), so the meaning still follows from the text.

Output: a C header with `static const struct decode_vector decode_vectors[]`
(designated initializers; struct decode_vector is defined by the test).

Usage: tools/gen-decode-vectors.py -o build/unit/decode_vectors.h \\
           tests/unit/decode_vectors.txt
Python 3 standard library only; needs `as` and `objdump` on PATH (or $AS,
$OBJDUMP).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

# mode word -> (C enum, as flags, directive, bits)
MODES = {
    "long": ("CPU_MODE_LONG64", ["--64"], ".code64", 64),
    "prot32": ("CPU_MODE_PROT32", ["--32"], ".code32", 32),
    "prot16": ("CPU_MODE_PROT16", ["--32"], ".code16", 16),
    "real": ("CPU_MODE_REAL", ["--32"], ".code16", 16),
}

SEGS = ["es", "cs", "ss", "ds", "fs", "gs"]  # Sreg encoding order
SEG_PREFIX = {0x26: "es", 0x2E: "cs", 0x36: "ss", 0x3E: "ds", 0x64: "fs", 0x65: "gs"}
LEGACY_PREFIXES = set(SEG_PREFIX) | {0x66, 0x67, 0xF0, 0xF2, 0xF3}
REP_WORDS = {"rep", "repe", "repz", "repne", "repnz"}
SIZE_SUFFIX = {"b": 1, "w": 2, "l": 4, "q": 8}
MASK64 = (1 << 64) - 1


def build_regs():
    """AT&T register name -> (GPR number, width in bytes, is AH..BH)."""
    regs = {}
    legacy = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"]
    for i, r in enumerate(legacy):
        regs["r" + r] = (i, 8, False)
        regs["e" + r] = (i, 4, False)
        regs[r] = (i, 2, False)
    for i, r in enumerate(["al", "cl", "dl", "bl"]):
        regs[r] = (i, 1, False)
    for i, r in enumerate(["ah", "ch", "dh", "bh"]):
        regs[r] = (i, 1, True)
    for i, r in enumerate(["spl", "bpl", "sil", "dil"]):
        regs[r] = (i + 4, 1, False)
    for i in range(8, 16):
        regs["r%d" % i] = (i, 8, False)
        regs["r%dd" % i] = (i, 4, False)
        regs["r%dw" % i] = (i, 2, False)
        regs["r%db" % i] = (i, 1, False)
    return regs


REGS = build_regs()


class VectorError(Exception):
    pass


def mask(v, nbytes):
    return v & ((1 << (8 * nbytes)) - 1)


def sign_extend(v, nbytes):
    v = mask(v, nbytes)
    if v >> (8 * nbytes - 1):
        v -= 1 << (8 * nbytes)
    return v & MASK64


def split_operands(s):
    ops, depth, cur = [], 0, ""
    for ch in s:
        if ch == "," and depth == 0:
            ops.append(cur.strip())
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    if cur.strip():
        ops.append(cur.strip())
    return ops


MEM_RE = re.compile(
    r"^(?:%(?P<seg>[a-z]s):)?(?P<disp>[-+]?(?:0x[0-9a-fA-F]+|\d+))?"
    r"(?:\((?P<base>%\w+)?(?:,(?P<index>%\w+)?(?:,(?P<scale>[1248]))?)?\))?$")


def parse_operand(op):
    if op.startswith("$"):
        return ("imm", int(op[1:], 0))
    if op.startswith("%") and ":" not in op:
        name = op[1:]
        if name not in REGS:
            raise VectorError("unknown register %s" % op)
        return ("reg", name)
    m = MEM_RE.match(op)
    if not m or (m.group("disp") is None and "(" not in op):
        raise VectorError("cannot parse operand %r" % op)
    return ("mem", m.groupdict())


class Line:
    """One parsed line of the vector list."""

    def __init__(self, lineno, text):
        self.lineno = lineno
        words = text.split(None, 1)
        if len(words) < 2 or words[0] not in MODES:
            raise VectorError("want '<mode> [reject] <instruction>', mode one of "
                              + ", ".join(MODES))
        self.mode = words[0]
        rest = words[1].strip()
        self.reject = rest.startswith("reject ")
        if self.reject:
            rest = rest[len("reject "):].strip()
        self.raw = []
        m = re.match(r"^raw\(([0-9a-fA-F ]+)\)\s*(.*)$", rest)
        if m:
            self.raw = [int(b, 16) for b in m.group(1).split()]
            rest = m.group(2)
        self.asm = rest  # what `as` sees after the raw bytes
        toks = rest.split()
        self.prefixes = []
        while toks and (toks[0] in REP_WORDS or toks[0] in SEGS
                        or toks[0] in ("lock", "data16", "data32", "addr16", "addr32")
                        or toks[0].startswith("rex") or toks[0].startswith("{")):
            self.prefixes.append(toks.pop(0))
        if not toks:
            raise VectorError("no mnemonic")
        self.mnem = toks[0]
        self.ops = split_operands(" ".join(toks[1:]))
        self.text = (("raw(%s) " % " ".join("%02x" % b for b in self.raw)) if self.raw
                     else "") + rest


def expected(line):
    """The decoder's expected output for a non-reject line, from its text."""
    bits = MODES[line.mode][3]
    pfx = line.prefixes
    if "lock" in pfx:
        raise VectorError("lock is rejected: use a reject line")
    rex_w = any(p.lower().startswith("rex.") and "w" in p[4:].lower() for p in pfx)
    addr_pfx = 4 if "addr32" in pfx else 2 if "addr16" in pfx else None
    seg_pfx = [p for p in pfx if p in SEGS]
    if len(seg_pfx) > 1:
        raise VectorError("one segment prefix word at most")
    seg_pfx = seg_pfx[0] if seg_pfx else None
    default_addr = {64: 8, 32: 4, 16: 2}[bits]
    ops = [parse_operand(o) for o in line.ops]
    mnem = line.mnem
    e = dict(kind=None, size=0, dst_size=0, reg=0, reg_high8=False, imm=0, rep=False,
             addr_size=None, seg="ds", base=-1, index=-1, scale=1, rip_rel=False, disp=0)

    def widen(size):
        return 8 if rex_w and size in (2, 4) else size

    def set_reg(name):
        num, width, high8 = REGS[name]
        e["reg"], e["reg_high8"] = num, high8
        return width

    def set_seg(seg, base):
        if seg and not (bits == 64 and seg in ("es", "cs", "ss", "ds")):
            e["seg"] = seg  # 64-bit mode ignores the null-based overrides
        elif base is not None and REGS[base][0] in (4, 5):
            e["seg"] = "ss"

    def set_mem(m, kind_is_string=False):
        widths = set()
        base = m["base"][1:] if m["base"] else None
        index = m["index"][1:] if m["index"] else None
        if base in ("rip", "eip"):
            if bits != 64:
                raise VectorError("RIP-relative outside 64-bit mode")
            e["rip_rel"] = True
            widths.add(8 if base == "rip" else 4)
            base = None
        for r in (base, index):
            if r is None:
                continue
            num, width, _ = REGS[r]
            widths.add(width)
        if len(widths) > 1:
            raise VectorError("mixed address widths")
        e["addr_size"] = widths.pop() if widths else (addr_pfx or default_addr)
        if m["seg"] and seg_pfx:
            raise VectorError("segment both as prefix word and in the operand")
        set_seg(m["seg"] or seg_pfx, base)
        if kind_is_string:
            return
        if base is not None:
            e["base"] = REGS[base][0]
        if index is not None:
            e["index"] = REGS[index][0]
            e["scale"] = int(m["scale"] or 1)
        disp = int(m["disp"], 0) if m["disp"] else 0
        e["disp"] = mask(disp, e["addr_size"])

    def need(shape):
        if [o[0] for o in ops] != shape:
            raise VectorError("%s wants operands %s" % (mnem, shape))

    mzx = re.match(r"^movz([bw])([wlq])$", mnem)
    msx = re.match(r"^movs([bwl])([wlq])$", mnem)
    mstos = re.match(r"^stos([bwlq]?)$", mnem)
    mmovs = re.match(r"^movs([bwlq]?)$", mnem)
    mmov = re.match(r"^mov(?:abs)?([bwlq]?)$", mnem)
    if mzx or msx or mnem == "movsxd":
        need(["mem", "reg"])
        e["kind"] = "MOVZX" if mzx else "MOVSX"
        e["dst_size"] = set_reg(ops[1][1])
        if mnem == "movsxd":
            e["size"] = 4 if e["dst_size"] == 8 else e["dst_size"]
        else:
            mm = mzx or msx
            e["size"] = SIZE_SUFFIX[mm.group(1)]
            if SIZE_SUFFIX[mm.group(2)] != e["dst_size"]:
                raise VectorError("suffix and register disagree")
        set_mem(ops[0][1])
    elif mstos:
        e["kind"], e["seg"] = "STOS", "es"
        if ops:
            need(["reg", "mem"])
            size = set_reg(ops[0][1])
            if REGS[ops[0][1]][0] != 0:
                raise VectorError("stos stores the accumulator")
            set_mem(ops[1][1], kind_is_string=True)
            e["seg"] = "es"  # the destination cannot be overridden
        else:
            size = SIZE_SUFFIX[mstos.group(1)]
            e["addr_size"] = addr_pfx or default_addr
        e["size"] = widen(size) if size > 1 else 1
        e["rep"] = any(p in REP_WORDS for p in pfx)
    elif mmovs and all(o[0] == "mem" for o in ops):
        e["kind"] = "MOVS"
        size = SIZE_SUFFIX[mmovs.group(1)] if mmovs.group(1) else None
        if size is None:
            raise VectorError("movs wants a size suffix")
        if ops:
            need(["mem", "mem"])
            set_mem(ops[0][1], kind_is_string=True)
        else:
            e["addr_size"] = addr_pfx or default_addr
            set_seg(seg_pfx, None)
        e["size"] = widen(size) if size > 1 else 1
        e["rep"] = any(p in REP_WORDS for p in pfx)
    elif mmov:
        suffix = SIZE_SUFFIX.get(mmov.group(1))
        shape = [o[0] for o in ops]
        if shape == ["reg", "mem"]:
            e["kind"] = "STORE"
            e["size"] = widen(set_reg(ops[0][1]))
            set_mem(ops[1][1])
        elif shape == ["mem", "reg"]:
            e["kind"] = "LOAD"
            e["size"] = widen(set_reg(ops[1][1]))
            e["dst_size"] = e["size"]
            set_mem(ops[0][1])
        elif shape == ["imm", "mem"]:
            if suffix is None:
                raise VectorError("mov $imm,mem wants a size suffix")
            e["kind"] = "STORE_IMM"
            e["size"] = widen(suffix)
            v = ops[0][1]
            if e["size"] == 8:
                e["imm"] = sign_extend(v, 4)  # C7 with REX.W: imm32 sign-extended
                if e["imm"] != v & MASK64:
                    raise VectorError("imm does not fit a sign-extended imm32")
            else:
                e["imm"] = mask(v, e["size"])
            set_mem(ops[1][1])
        else:
            raise VectorError("mov form %s is not a memory access: use reject" % shape)
        if suffix is not None and suffix != e["size"] and not rex_w:
            raise VectorError("suffix and register disagree")
    else:
        raise VectorError("mnemonic %r not understood: use reject" % mnem)
    return e


def check_raw(line, gas_bytes):
    """raw() bytes must be prefixes the CPU ignores before this instruction."""
    bits = MODES[line.mode][3]
    allbytes = line.raw + gas_bytes
    gas_prefixes = set()
    for b in gas_bytes:
        if b in LEGACY_PREFIXES:
            gas_prefixes.add(b)
        else:
            break
    for i, b in enumerate(line.raw):
        if bits == 64 and 0x40 <= b <= 0x4F:
            if allbytes[i + 1] not in LEGACY_PREFIXES:
                raise VectorError("raw REX %02x is not followed by a legacy prefix" % b)
        elif bits == 64 and b in (0x26, 0x2E, 0x36, 0x3E):
            pass
        elif b in LEGACY_PREFIXES and b != 0xF0 and b in gas_prefixes:
            pass
        else:
            raise VectorError("raw byte %02x may change the meaning" % b)


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0 or p.stderr.strip():
        raise VectorError("%s failed:\n%s%s" % (" ".join(cmd), p.stdout, p.stderr))
    return p.stdout


def assemble(mode, lines, tmp):
    """Returns {index: (bytes, objdump text)} for the lines of one mode."""
    as_bin = os.environ.get("AS", "as")
    objdump = os.environ.get("OBJDUMP", "objdump")
    _, flags, directive, bits = MODES[mode]
    src = os.path.join(tmp, mode + ".s")
    obj = os.path.join(tmp, mode + ".o")
    origin = {}  # assembler line -> vector-list line, for gas's messages
    out_lines = ["\t.text", "\t" + directive]
    for i, ln in lines:
        out_lines.append("v%d:" % i)
        if ln.raw:
            out_lines.append("\t.byte %s" % ", ".join("0x%02x" % b for b in ln.raw))
        out_lines.append("\t" + ln.asm)
        origin[len(out_lines)] = ln.lineno
    out_lines.append("v_end:")
    with open(src, "w") as f:
        f.write("\n".join(out_lines) + "\n")
    try:
        run([as_bin] + flags + ["-o", obj, src])
    except VectorError as err:
        msg = re.sub(r"%s:(\d+):" % re.escape(src),
                     lambda m: "line %s:" % origin.get(int(m.group(1)), "?"), str(err))
        raise VectorError(msg)

    # Symbol offsets: each vector runs from its label to the next one.
    syms = {}
    for row in run([objdump, "-t", obj]).splitlines():
        f = row.split()
        if len(f) >= 4 and ".text" in f and re.match(r"^v(\d+|_end)$", f[-1]):
            syms[f[-1]] = int(f[0], 16)
    # Section contents, as objdump -s prints them.
    text = bytearray()
    in_text = False
    for row in run([objdump, "-s", "-j", ".text", obj]).splitlines():
        if row.startswith("Contents of section"):
            in_text = ".text" in row
            continue
        m = re.match(r"^ ([0-9a-f]+) ((?:[0-9a-f]{2,8} ?){1,4})", row)
        if in_text and m:
            off = int(m.group(1), 16)
            hexes = "".join(m.group(2).split())
            assert off == len(text), "objdump -s gap at %#x" % off
            text += bytes.fromhex(hexes)
    # Instruction boundaries and text, as objdump -d sees them.
    dflags = ["-m", "i8086"] if bits == 16 else []
    starts, dis = {}, {}
    for row in run([objdump, "-d", "-w"] + dflags + [obj]).splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\t([0-9a-f ]+?)\s*(?:\t(.*))?$", row)
        if m:
            off = int(m.group(1), 16)
            starts[off] = (m.group(3) or "").strip()
    out = {}
    order = [i for i, _ in lines]
    for k, i in enumerate(order):
        start = syms["v%d" % i]
        end = syms["v%d" % order[k + 1]] if k + 1 < len(order) else syms["v_end"]
        for b in (start, end):
            if b not in starts and b != len(text):
                raise VectorError("objdump -d does not start an instruction at %#x" % b)
        words = [starts[o] for o in sorted(starts) if start <= o < end and starts[o]]
        out[i] = (bytes(text[start:end]), " ; ".join(words))
    return out


def c_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def emit(path, src_name, vectors):
    rows = []
    for ln, data, dis, e in vectors:
        row = ["\t{ .line = %d, .text = %s, .dis = %s," % (ln.lineno, c_str(ln.text), c_str(dis)),
               "\t  .mode = %s, .len = %d, .bytes = { %s }," % (
                   MODES[ln.mode][0], len(data), ", ".join("0x%02x" % b for b in data))]
        if e is None:
            row.append("\t  .err = -EINVAL },")
        else:
            row.append("\t  .err = 0, .kind = INSN_%s, .size = %d, .dst_size = %d, .reg = %d,"
                       " .reg_high8 = %s, .imm = %#xULL, .rep = %s," % (
                           e["kind"], e["size"], e["dst_size"], e["reg"],
                           "true" if e["reg_high8"] else "false", e["imm"],
                           "true" if e["rep"] else "false"))
            row.append("\t  .addr_size = %d, .seg = INSN_SEG_%s, .base = %d, .index = %d,"
                       " .scale = %d, .rip_rel = %s, .disp = %#xULL }," % (
                           e["addr_size"], e["seg"].upper(), e["base"], e["index"],
                           e["scale"], "true" if e["rip_rel"] else "false", e["disp"]))
        rows.append("\n".join(row))
    n_ok = sum(1 for v in vectors if v[3] is not None)
    body = "\n".join([
        "/* Generated by tools/gen-decode-vectors.py from %s. Do not edit. */" % src_name,
        "/* Bytes and lengths: GNU as + objdump. Expected fields: derived from the text. */",
        "#define DECODE_VECTORS_VALID %d" % n_ok,
        "#define DECODE_VECTORS_REJECT %d" % (len(vectors) - n_ok),
        "static const struct decode_vector decode_vectors[] = {",
        "\n".join(rows),
        "};",
        ""])
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(body)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("list")
    args = ap.parse_args()

    lines = []
    errors = []
    with open(args.list) as f:
        for lineno, raw in enumerate(f, 1):
            text = raw.split("#", 1)[0].strip()
            if not text:
                continue
            try:
                lines.append(Line(lineno, text))
            except VectorError as err:
                errors.append("%s:%d: %s" % (args.list, lineno, err))
    exp = {}
    for i, ln in enumerate(lines):
        if ln.reject:
            continue
        try:
            exp[i] = expected(ln)
        except (VectorError, KeyError, ValueError) as err:
            errors.append("%s:%d: %s: %s" % (args.list, ln.lineno, ln.text, err))
    if errors:
        sys.exit("\n".join(errors))

    assembled = {}
    with tempfile.TemporaryDirectory(prefix="decode-vectors.") as tmp:
        for mode in MODES:
            group = [(i, ln) for i, ln in enumerate(lines) if ln.mode == mode]
            if group:
                try:
                    assembled.update(assemble(mode, group, tmp))
                except VectorError as err:
                    sys.exit("%s: %s" % (args.list, err))

    vectors = []
    for i, ln in enumerate(lines):
        data, dis = assembled[i]
        try:
            if ln.raw:
                check_raw(ln, list(data[len(ln.raw):]))
            if not data or len(data) > 15:
                raise VectorError("assembled to %d bytes" % len(data))
        except VectorError as err:
            errors.append("%s:%d: %s: %s" % (args.list, ln.lineno, ln.text, err))
        vectors.append((ln, data, dis, exp.get(i)))
    if errors:
        sys.exit("\n".join(errors))
    emit(args.output, args.list, vectors)


if __name__ == "__main__":
    main()
