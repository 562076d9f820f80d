#!/usr/bin/env python3
"""fd_gen.py — a small module generator for the WebAssembly 3.0 features
binaryen 108's -ttf does not make (tests/fuzz-diff/README.md).

gen_module(seed) -> (wasm bytes, feature names). Each module draws from:
  tail     return_call / return_call_indirect: counted chains of up to
           100,000 steps (a stack that grew per step would run out) and
           calls from inside try bodies (the handler no longer applies);
  eh       legacy try / catch / catch_all / delegate / rethrow, throw;
  exnref   3.0 try_table with catch / catch_ref / catch_all(_ref),
           throw_ref (never together with eh);
  mem64    64-bit memories, addresses past 4 GiB included;
  multimem two or three memories, memarg memory indices, copies between
           them;
  xconst   extended constant expressions in globals, data and element
           offsets;
  typedref typed function references: ref.func of typed type, call_ref
           and return_call_ref, ref.null/ref.is_null/ref.as_non_null,
           br_on_null/br_on_non_null, locals (nullable and non-null), an
           immutable global and a table of (ref null $t) (drawn from a
           random stream of its own, so a seed without it makes the same
           module as before it existed);
  relaxed  relaxed SIMD (all 20 instructions) over v128 constants with
           float edge cases, splats and loads, read back through lane
           extraction and v128.store (its own stream too);
  tail-in-try  (not drawn: noted when a return_call ends a try body, which
           binaryen 108 gets wrong: README.md).
Integers only (floats are covered by the 2.0 sets). Every module imports
fuzzing-support log-i32/log-i64, exports "hangLimitInitializer" (resets a
fuel global every function entry pays for, so any call graph ends) and
functions e0..eN called with zero arguments, and "hashN" per memory.
The same seed gives the same module on every machine (random.Random).
"""
import random
import struct

I32, I64, FUNCREF, EXNREF = 0x7F, 0x7E, 0x70, 0x69
EMPTY = 0x40
# Typed function reference value types are ("ref", nullable, typeidx);
# valtype() encodes any value type.
REF_NULL, REF = 0x63, 0x64
V128 = 0x7B


def uleb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def sleb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        done = (n == 0 and not b & 0x40) or (n == -1 and b & 0x40)
        out.append(b | (0 if done else 0x80))
        if done:
            return bytes(out)


def vec(items):
    return uleb(len(items)) + b"".join(items)


def name(s):
    return uleb(len(s)) + s.encode()


def section(sid, body):
    return bytes([sid]) + uleb(len(body)) + body


def valtype(t):
    if isinstance(t, tuple):
        return bytes([REF_NULL if t[1] else REF]) + sleb(t[2])
    return bytes([t])


def s32(v):
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >> 31 else v


def s64(v):
    v &= 0xFFFFFFFFFFFFFFFF
    return v - (1 << 64) if v >> 63 else v


# Tags: payload types. Tag 0 carries nothing, 1 an i32, 2 an i64 and i32.
TAGS = [(), (I32,), (I64, I32)]
FUEL = 0  # global 0: the fuel every function entry pays for
# Fuel per export call: binaryen 108's interpreter stops at a call depth of
# 250 ("stack limit"), so calls nest at most this deep.
FUEL_PER_CALL = 100

# i32 and i64 binary operators: (opcode for i32, opcode for i64).
BINOPS = [(0x6A, 0x7C), (0x6B, 0x7D), (0x6C, 0x7E), (0x71, 0x83),
          (0x72, 0x84), (0x73, 0x85), (0x74, 0x86), (0x75, 0x87),
          (0x76, 0x88), (0x77, 0x89), (0x78, 0x8A)]
TRAPPING = [(0x6D, 0x7F), (0x6E, 0x80), (0x6F, 0x81), (0x70, 0x82)]
COMPARE = [(0x46, 0x51), (0x47, 0x52), (0x48, 0x53), (0x49, 0x54),
           (0x4C, 0x57), (0x4F, 0x5A)]
LOADS = {I32: [(0x28, 2, 4), (0x2C, 0, 1), (0x2D, 0, 1), (0x2E, 1, 2),
               (0x2F, 1, 2)],
         I64: [(0x29, 3, 8), (0x30, 0, 1), (0x33, 1, 2), (0x34, 2, 4),
               (0x35, 2, 4)]}
STORES = {I32: [(0x36, 2), (0x3A, 0), (0x3B, 1)],
          I64: [(0x37, 3), (0x3C, 0), (0x3D, 1), (0x3E, 2)]}


# Relaxed SIMD (opcode after 0xFD, operand count).
RELAXED = [(0x100, 2), (0x101, 1), (0x102, 1), (0x103, 1), (0x104, 1),
           (0x105, 3), (0x106, 3), (0x107, 3), (0x108, 3), (0x109, 3),
           (0x10A, 3), (0x10B, 3), (0x10C, 3), (0x10D, 2), (0x10E, 2),
           (0x10F, 2), (0x110, 2), (0x111, 2), (0x112, 2), (0x113, 3)]
RELAXED_F32 = (0x105, 0x106, 0x10D, 0x10E)  # f32x4 results
RELAXED_F64 = (0x107, 0x108, 0x10F, 0x110)  # f64x2 results
F32_EDGES = [0, 0x80000000, 0x3FC00000, 0xC0200000, 0x7FC00000, 0x7FA00000,
             0xFFC00001, 0x7F800000, 0xFF800000, 0x4F000000, 0xCF000001,
             0x4F32D05E, 0x00000001, 0x7F7FFFFF, 0x3F800000, 0x5F000000]
F64_EDGES = [0, 1 << 63, 0x3FF8000000000000, 0x7FF8000000000000,
             0x7FF4000000000000, 0xFFF8000000000001, 0x7FF0000000000000,
             0xFFF0000000000000, 0x41E0000000000000, 0xC1E0000000200000,
             0x41F0000000000000, 0x0000000000000001, 0x7FEFFFFFFFFFFFFF,
             0x3FF0000000000000, 0xC1DFFFFFFFC00000]


class Func:
    def __init__(self, params, results):
        self.params = params
        self.results = results
        self.locals = []
        self.labels = []  # enclosing labels: "b" block, "t" try body,
        #                   "c" legacy catch arm
        self.v128 = None  # relaxed: local index of a scratch v128
        self.tref = None  # typedref: local index of a (ref null $T)
        self.nref = None  # typedref: local index of a (ref $T)


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed * 2654435761 + 17)
        r = self.r
        self.feats = set()
        for f, p in (("tail", 0.6), ("mem64", 0.35), ("multimem", 0.3),
                     ("xconst", 0.4)):
            if r.random() < p:
                self.feats.add(f)
        eh = r.random()
        if eh < 0.4:
            self.feats.add("eh")
        elif eh < 0.6:
            self.feats.add("exnref")
        if not self.feats:
            self.feats.add("tail")
        # Drawn from a stream of its own: seeds without it keep the
        # modules they made before the feature existed.
        if random.Random(seed * 40503 + 29).random() < 0.2:
            self.feats.add("typedref")
        self.reft = None  # typedref: (type index T, functions of type T)
        if random.Random(seed * 69069 + 5).random() < 0.15:
            self.feats.add("relaxed")
        self.types = []
        nmem = r.randint(2, 3) if "multimem" in self.feats else 1
        self.mems = []  # (is64, pages)
        for _ in range(nmem):
            is64 = "mem64" in self.feats and r.random() < 0.7
            self.mems.append((is64, r.randint(1, 2)))
        if "mem64" in self.feats and not any(m[0] for m in self.mems):
            self.mems[0] = (True, self.mems[0][1])
        self.globals = [(I32, True, self.const_expr(I32, FUEL_PER_CALL))]
        for _ in range(r.randint(1, 4)):
            t = r.choice((I32, I64))
            self.globals.append((t, r.random() < 0.7,
                                 self.const_expr(t, None)))
        self.funcs = []
        self.bodies = []
        self.table_size = 0
        self.plain = []

    # ---- types and constants ----------------------------------------------

    def typeidx(self, params, results):
        key = (tuple(params), tuple(results))
        if key not in self.types:
            self.types.append(key)
        return self.types.index(key)

    def blocktype(self, params, results):
        if not params and not results:
            return bytes([EMPTY])
        if not params and len(results) == 1:
            return bytes([results[0]])
        return sleb(self.typeidx(params, results))

    def const(self, t, v):
        return (b"\x41" + sleb(s32(v))) if t == I32 else \
            (b"\x42" + sleb(s64(v)))

    def interesting(self, t):
        r = self.r
        bits = 32 if t == I32 else 64
        return r.choice([0, 1, 2, 7, -1, 255, 1 << (bits - 1),
                         (1 << (bits - 1)) - 1, r.getrandbits(bits),
                         r.randint(-300, 300)])

    def const_expr(self, t, value):
        """A constant expression of type t; with xconst an add/sub/mul tree
        whose value is `value` when one is given (offsets must land)."""
        r = self.r
        if "xconst" not in self.feats or r.random() < 0.2:
            v = self.interesting(t) if value is None else value
            return self.const(t, v) + b"\x0b"
        mask = (1 << (32 if t == I32 else 64)) - 1
        add, sub, mul = ((0x6A, 0x6B, 0x6C) if t == I32 else
                         (0x7C, 0x7D, 0x7E))
        a, b, c = (self.interesting(t) for _ in range(3))
        code = self.const(t, a) + self.const(t, b) + bytes([mul])
        got = (a * b) & mask
        want = got if value is None else value
        if value is None and r.random() < 0.5:
            code += self.const(t, c) + bytes([sub])
            got = (got - c) & mask
            want = got
        d = (want - got) & mask
        code += self.const(t, d) + bytes([add])
        return code + b"\x0b"

    # ---- expressions: each returns bytes leaving one value of type t ----

    def expr(self, f, t, depth):
        r = self.r
        if depth <= 0 or r.random() < 0.25:
            return self.leaf(f, t)
        choices = [self.e_binop, self.e_binop, self.e_compare, self.e_load,
                   self.e_if, self.e_block_br, self.e_call, self.e_convert,
                   self.e_memsize]
        if self.feats & {"eh", "exnref"}:
            choices += [self.e_try, self.e_try]
        if "tail" in self.feats:
            choices += [self.e_call]
        if "typedref" in self.feats:
            choices += [self.e_callref, self.e_callref]
        if "relaxed" in self.feats:
            choices += [self.e_relaxed, self.e_relaxed]
        return r.choice(choices)(f, t, depth - 1)

    def leaf(self, f, t):
        r = self.r
        locs = [i for i, lt in enumerate(f.params + f.locals) if lt == t]
        globs = [i for i, g in enumerate(self.globals) if g[0] == t and i]
        k = r.random()
        if locs and k < 0.4:
            return b"\x20" + uleb(r.choice(locs))
        if globs and k < 0.6:
            return b"\x23" + uleb(r.choice(globs))
        return self.const(t, self.interesting(t))

    def e_binop(self, f, t, d):
        ops = BINOPS + (TRAPPING if self.r.random() < 0.3 else [])
        op = self.r.choice(ops)[0 if t == I32 else 1]
        return self.expr(f, t, d) + self.expr(f, t, d) + bytes([op])

    def e_compare(self, f, t, d):
        if t != I32:
            return self.e_binop(f, t, d)
        u = self.r.choice((I32, I64))
        op = self.r.choice(COMPARE)[0 if u == I32 else 1]
        return self.expr(f, u, d) + self.expr(f, u, d) + bytes([op])

    def e_convert(self, f, t, d):
        if t == I32:
            return self.expr(f, I64, d) + b"\xa7"  # i32.wrap_i64
        return self.expr(f, I32, d) + self.r.choice([b"\xac", b"\xad"])

    def address(self, f, m, size, d):
        """An address in memory m: mostly in bounds, sometimes near or past
        the end (past 4 GiB in a 64-bit memory)."""
        r = self.r
        is64, pages = self.mems[m]
        at = I64 if is64 else I32
        end = pages * 65536
        k = r.random()
        if k < 0.6:
            return self.const(at, r.randint(0, 512))
        if k < 0.66:
            return self.const(at, end - size + r.randint(-2, 2))
        if k < 0.7 and is64:
            return self.const(at, r.choice([1 << 32, (1 << 32) + 8,
                                            -8, 1 << 63]))
        mask = self.const(at, 1023) + bytes([0x71 if at == I32 else 0x83])
        return self.expr(f, at, d) + mask

    def memarg(self, m, align, offset):
        if m == 0:
            return uleb(align) + uleb(offset)
        return uleb(align | 0x40) + uleb(m) + uleb(offset)

    def pick_mem(self):
        return self.r.randrange(len(self.mems))

    def offset(self, m):
        r = self.r
        # wabt 1.0.32 reads offsets as u32 even in a 64-bit memory, so
        # none reach 4 GiB (addresses do).
        if r.random() < 0.8:
            return 0
        return r.choice([1, 3, 100, 65530])

    def e_load(self, f, t, d):
        m = self.pick_mem()
        op, align, size = self.r.choice(LOADS[t])
        return (self.address(f, m, size, d) + bytes([op]) +
                self.memarg(m, align, self.offset(m)))

    def e_memsize(self, f, t, d):
        m = self.pick_mem()
        at = I64 if self.mems[m][0] else I32
        if self.r.random() < 0.5:
            code = b"\x3f" + uleb(m)
        else:  # memory.grow by 0..2 pages (the maximum is 3)
            code = self.const(at, self.r.randint(0, 2)) + b"\x40" + uleb(m)
        if at != t:
            code += b"\xa7" if t == I32 else b"\xad"
        return code

    def e_if(self, f, t, d):
        cond = self.expr(f, I32, d)
        f.labels.append("b")
        code = (cond + b"\x04" + bytes([t]) + self.expr(f, t, d) + b"\x05" +
                self.expr(f, t, d) + b"\x0b")
        f.labels.pop()
        return code

    def e_block_br(self, f, t, d):
        # block (result t) <t> <cond> br_if 0 drop <t> end
        f.labels.append("b")
        code = (b"\x02" + bytes([t]) + self.stmts(f, d, 2) +
                self.expr(f, t, d) + self.expr(f, I32, d) + b"\x0d\x00\x1a" +
                self.expr(f, t, d) + b"\x0b")
        f.labels.pop()
        return code

    def call_args(self, f, g, d):
        return b"".join(self.expr(f, p, d) for p in self.funcs[g].params)

    def callees(self, t):
        """Plain functions (they pay fuel) returning t."""
        return [i for i in self.plain if self.funcs[i].results == [t]]

    def slot_of(self, g):
        """g's table slot; now and then a wrong one (a trap)."""
        if self.r.random() < 0.85:
            return self.table.index(g)
        return self.r.randrange(self.table_size + 1)

    def e_call(self, f, t, d):
        gs = self.callees(t)
        if not gs:
            return self.leaf(f, t)
        g = self.r.choice(gs)
        if self.table_size and self.r.random() < 0.3:
            slot = self.slot_of(g)
            ti = self.typeidx(self.funcs[g].params, self.funcs[g].results)
            return (self.call_args(f, g, d) + self.const(I32, slot) +
                    b"\x11" + uleb(ti) + b"\x00")
        return self.call_args(f, g, d) + b"\x10" + uleb(g)

    # ---- typed function references ---------------------------------------

    def ref_value(self, f, d, nullable=True):
        """A (ref null $T) value (or (ref $T) when not nullable): ref.func
        of a function of type T, the typed global, or (nullable) the
        nullable local, ref.null T or table 1's element (the index may be
        out of bounds: a trap)."""
        r = self.r
        T, fs = self.reft
        k = r.random()
        if k < 0.3 or (not nullable and k < 0.7):
            return b"\xd2" + uleb(r.choice(fs))
        if not nullable or k < 0.45:
            return b"\x23" + uleb(self.ref_global)
        if k < 0.6 and f.tref is not None:
            return b"\x20" + uleb(f.tref)
        if k < 0.75:
            return b"\xd0" + sleb(T)
        slot = r.randint(0, self.rtable_size) if r.random() < 0.9 else \
            r.choice([self.rtable_size + 5, -1])
        return self.const(I32, slot) + b"\x25\x01"  # table.get 1

    def e_callref(self, f, t, d):
        """A call through a typed reference, yielding t. Null references
        trap (call_ref, ref.as_non_null) or take the other path
        (br_on_null, br_on_non_null)."""
        r = self.r
        T, fs = self.reft
        res = self.funcs[fs[0]].results[0]
        params = self.funcs[fs[0]].params
        args = lambda: b"".join(self.expr(f, p, d) for p in params)
        conv = b"" if res == t else (b"\xa7" if t == I32 else b"\xac")
        k = r.random()
        if res != t and k < 0.15:
            gs = self.callees(t)  # ref.func of another type, called
            if gs:
                g = r.choice(gs)
                ti = self.typeidx(self.funcs[g].params, [t])
                return self.call_args(f, g, d) + b"\xd2" + uleb(g) + \
                    b"\x14" + uleb(ti)
        if k < 0.45 or f.nref is None:
            code = args() + self.ref_value(f, d)
            if r.random() < 0.3:
                code += b"\xd4"  # ref.as_non_null
            return code + b"\x14" + uleb(T) + conv
        if k < 0.55:  # ref.is_null as a value
            code = self.ref_value(f, d) + b"\xd1"
            return code if t == I32 else code + b"\xad"
        f.labels.append("b")
        if k < 0.8:
            # block (result res) <res> <ref> br_on_null 0
            #   local.set nref drop <args> local.get nref call_ref T end
            code = (b"\x02" + bytes([res]) + self.expr(f, res, d) +
                    self.ref_value(f, d) + b"\xd5\x00" + b"\x21" +
                    uleb(f.nref) + b"\x1a" + args() + b"\x20" +
                    uleb(f.nref) + b"\x14" + uleb(T) + b"\x0b")
            f.labels.pop()
            return code + conv
        # block (result res) block (result (ref T)) <ref> br_on_non_null 0
        #   <res> br 1 end local.set nref <args> local.get nref
        #   call_ref T end
        f.labels.append("b")
        code = (b"\x02" + bytes([res]) + b"\x02" + valtype(("ref", False, T)) +
                self.ref_value(f, d) + b"\xd6\x00" + self.expr(f, res, d) +
                b"\x0c\x01\x0b")
        f.labels.pop()
        code += (b"\x21" + uleb(f.nref) + args() + b"\x20" + uleb(f.nref) +
                 b"\x14" + uleb(T) + b"\x0b")
        f.labels.pop()
        return code + conv

    def ref_stmt(self, f, d):
        """local.set of the nullable typed local, or table.set 1."""
        r = self.r
        if f.tref is not None and r.random() < 0.6:
            return self.ref_value(f, d) + b"\x21" + uleb(f.tref)
        slot = r.randint(0, self.rtable_size) if r.random() < 0.9 else \
            self.rtable_size + 3
        return self.const(I32, slot) + self.ref_value(f, d) + b"\x26\x01"

    # ---- relaxed SIMD ----------------------------------------------------

    def v128_const(self):
        """16 bytes whose lanes, read as f32, f64 or integers, hit the
        cases where relaxed SIMD may differ: NaNs, infinities, -0,
        out-of-range for truncation, denormals, byte values >= 0x80."""
        r = self.r
        out = b""
        if r.random() < 0.5:
            for _ in range(4):
                out += struct.pack("<I", r.choice(F32_EDGES + [
                    r.getrandbits(32)]))
        else:
            for _ in range(2):
                out += struct.pack("<Q", r.choice(F64_EDGES + [
                    r.getrandbits(64)]))
        if r.random() < 0.2:
            out = bytes(r.choice([0, 1, 0x7F, 0x80, 0xFF, r.getrandbits(8)])
                        for _ in range(16))
        return b"\xfd\x0c" + out

    def v128_expr(self, f, d):
        r = self.r
        k = r.random()
        if d <= 0 or k < 0.4:
            return self.v128_const()
        if k < 0.55:  # i32x4.splat / i64x2.splat
            t = r.choice((I32, I64))
            return self.expr(f, t, d - 1) + (b"\xfd\x11" if t == I32 else
                                             b"\xfd\x12")
        if k < 0.7:  # v128.load from memory m
            m = self.pick_mem()
            return (self.address(f, m, 16, d - 1) + b"\xfd\x00" +
                    self.memarg(m, 4, self.offset(m)))
        return self.relaxed_op(f, d - 1)

    def relaxed_op(self, f, d):
        """A relaxed SIMD instruction over v128 operands. The float results
        (madd, nmadd, min, max) get their NaN lanes replaced by the
        canonical NaN: a NaN's sign and payload are nondeterministic in
        any float operation, relaxed or not (gcc folding constants at
        build time and the processor at run time choose differently),
        whereas which lanes are NaN, and the numbers in the others, are
        what weft's deterministic relaxed choices decide."""
        op, arity = self.r.choice(RELAXED)
        code = b"".join(self.v128_expr(f, d) for _ in range(arity)) + \
            b"\xfd" + uleb(op)
        if op in RELAXED_F32:  # bitselect(canon, v, v != v)
            return self.canon_nan(f, code,
                                  struct.pack("<I", 0x7FC00000) * 4, 0x42)
        if op in RELAXED_F64:
            return self.canon_nan(f, code,
                                  struct.pack("<Q", 0x7FF8 << 48) * 2, 0x48)
        return code

    def canon_nan(self, f, code, canon, ne):
        """v (from code) with NaN lanes replaced by the lanes of canon:
        v128.bitselect(canon, v, f32x4/f64x2.ne(v, v)), v kept in the
        function's scratch v128 local."""
        loc = f.v128
        return (code + b"\x21" + uleb(loc) + b"\xfd\x0c" + canon +
                b"\x20" + uleb(loc) + b"\x20" + uleb(loc) + b"\x20" +
                uleb(loc) + b"\xfd" + uleb(ne) + b"\xfd\x52")

    def e_relaxed(self, f, t, d):
        """A relaxed SIMD result, one lane of it as t."""
        r = self.r
        code = self.relaxed_op(f, d)
        if r.random() < 0.5:
            code += b"\xfd\x1b" + bytes([r.randrange(4)])  # i32x4 lane
            return code if t == I32 else code + b"\xac"
        code += b"\xfd\x1d" + bytes([r.randrange(2)])  # i64x2 lane
        return code if t == I64 else code + b"\xa7"

    def relaxed_store(self, f, d):
        m = self.pick_mem()
        return (self.address(f, m, 16, d) + self.relaxed_op(f, d) +
                b"\xfd\x0b" + self.memarg(m, 4, self.offset(m)))

    # ---- exceptions -----------------------------------------------------

    def throw(self, f, d):
        tag = self.r.randrange(len(TAGS))
        return (b"".join(self.expr(f, p, d) for p in TAGS[tag]) + b"\x08" +
                uleb(tag))

    def fold_payload(self, tag, t):
        """Turn tag's payload on the stack into one value of type t."""
        code = b""
        pl = list(TAGS[tag])
        if not pl:
            return self.const(t, 77)
        # (i64 i32): fold the i32 into the i64 first.
        if pl == [I64, I32]:
            code += b"\xad\x7c"  # i64.extend_i32_u, i64.add
            pl = [I64]
        if pl[0] != t:
            code += b"\xa7" if t == I32 else b"\xac"
        return code

    def e_try(self, f, t, d):
        if "eh" in self.feats:
            return self.e_try_legacy(f, t, d)
        return self.e_try_table(f, t, d)

    def body_value(self, f, t, d):
        """A try body: statements (some throw or call throwing code), then
        a value, or a throw in place of it."""
        code = self.stmts(f, d, 3)
        k = self.r.random()
        if k < 0.3:
            return code + self.throw(f, d)
        gs = self.callees(f.results[0]) if "tail" in self.feats and \
            f.results == [t] else []
        if k < 0.45 and gs:  # the callee runs outside this try
            g = self.r.choice(gs)
            self.feats.add("tail-in-try")
            return code + self.call_args(f, g, d) + b"\x12" + uleb(g)
        return code + self.expr(f, t, d)

    def e_try_legacy(self, f, t, d):
        """try (result t) body, then catch clauses / catch_all, or
        delegate to an enclosing try's body or to the caller. A catch arm
        may rethrow; labels of catch arms are never delegate targets."""
        r = self.r
        code = b"\x06" + bytes([t])
        f.labels.append("t")
        code += self.body_value(f, t, d)
        f.labels.pop()
        if r.random() < 0.2:
            outs = [len(f.labels)] + [len(f.labels) - 1 - j
                                      for j, k in enumerate(f.labels)
                                      if k == "t"]
            return code + b"\x18" + uleb(r.choice(outs))
        f.labels.append("c")
        arms = 0
        for tag in r.sample(range(len(TAGS)), r.randint(0, 2)):
            arms += 1
            code += b"\x07" + uleb(tag)
            if r.random() < 0.15:
                code += b"\x09\x00"  # rethrow the caught exception
            else:
                code += self.fold_payload(tag, t)
        if r.random() < 0.6 or not arms:
            code += b"\x19"
            if r.random() < 0.2:
                code += b"\x09\x00"  # rethrow from catch_all
            else:
                code += self.expr(f, t, d)
        f.labels.pop()
        return code + b"\x0b"

    def e_try_table(self, f, t, d):
        """block (result t)
             block (result exnref? / payload)        ;; per catch clause
               try_table (result t) (catch ... 0..)
                 body
               end
               br N                                  ;; out with the value
             end
             handler: payload -> t, br to the outer block
           end"""
        r = self.r
        clauses = []
        for _ in range(r.randint(1, 3)):
            kind = r.randrange(4)  # catch, catch_ref, catch_all, _all_ref
            tag = r.randrange(len(TAGS)) if kind < 2 else None
            clauses.append((kind, tag))
        n = len(clauses)
        code = b"\x02" + bytes([t])
        for kind, tag in reversed(clauses):
            res = list(TAGS[tag]) if kind < 2 else []
            if kind in (1, 3):
                res.append(EXNREF)
            code += b"\x02" + self.blocktype([], res)
        code += b"\x1f" + bytes([t]) + uleb(n)
        for i, (kind, tag) in enumerate(clauses):
            code += bytes([kind]) + (uleb(tag) if tag is not None else b"")
            code += uleb(i)
        f.labels += ["b"] * (n + 2)
        code += self.body_value(f, t, d) + b"\x0b"
        del f.labels[-(n + 2):]
        code += b"\x0c" + uleb(n)  # br to the outer block
        for i, (kind, tag) in enumerate(clauses):
            code += b"\x0b"  # end of the block clause i lands after
            if kind in (1, 3):
                if r.random() < 0.3:
                    code += b"\x0a"  # throw_ref: on to outer handlers
                else:
                    code += b"\x1a"  # drop the exnref
                    if kind == 1:
                        code += self.fold_payload(tag, t)
                    else:
                        code += self.const(t, 99)
            elif kind == 0:
                code += self.fold_payload(tag, t)
            else:
                code += self.const(t, 55)
            code += b"\x0c" + uleb(n - 1 - i)
        return code + b"\x0b"

    # ---- statements: leave the stack as they found it -------------------

    def stmts(self, f, d, n):
        return b"".join(self.stmt(f, d) for _ in range(self.r.randint(0, n)))

    def stmt(self, f, d):
        r = self.r
        t = r.choice((I32, I64))
        k = r.random()
        if k < 0.25:
            return self.expr(f, t, d) + b"\x10" + uleb(0 if t == I32 else 1)
        if k < 0.45:
            m = self.pick_mem()
            op, align = r.choice(STORES[t])
            return (self.address(f, m, 8, d) + self.expr(f, t, d) +
                    bytes([op]) + self.memarg(m, align, self.offset(m)))
        if k < 0.55:
            gs = [i for i, g in enumerate(self.globals) if g[1] and i]
            if gs:
                g = r.choice(gs)
                return self.expr(f, self.globals[g][0], d) + b"\x24" + uleb(g)
        if k < 0.65:
            return self.bulk(f, d)
        if k < 0.7 and self.feats & {"eh", "exnref"}:
            return self.throw(f, d) if r.random() < 0.3 else b""
        if k < 0.8 and "typedref" in self.feats and r.random() < 0.5:
            return self.ref_stmt(f, d)
        if k < 0.8 and "relaxed" in self.feats and r.random() < 0.5:
            return self.relaxed_store(f, d)
        locs = [i for i, lt in enumerate(f.params + f.locals) if lt == t]
        if locs:
            return self.expr(f, t, d) + b"\x21" + uleb(r.choice(locs))
        return self.expr(f, t, d) + b"\x1a"

    def bulk(self, f, d):
        r = self.r
        m = self.pick_mem()
        at = I64 if self.mems[m][0] else I32
        k = r.random()
        if k < 0.35:  # memory.fill m
            return (self.address(f, m, 16, d) + self.expr(f, I32, d) +
                    self.const(at, r.randint(0, 40)) + b"\xfc\x0b" + uleb(m))
        if k < 0.75:  # memory.copy m <- m2 (length typed by the smaller)
            m2 = self.pick_mem()
            at2 = I64 if self.mems[m2][0] else I32
            lt = I64 if at == I64 and at2 == I64 else I32
            return (self.address(f, m, 16, d) + self.address(f, m2, 16, d) +
                    self.const(lt, r.randint(0, 40)) + b"\xfc\x0a" +
                    uleb(m) + uleb(m2))
        # memory.init of the passive segment (data 0) into m
        return (self.address(f, m, 16, d) + self.const(I32, r.randint(0, 4)) +
                self.const(I32, r.randint(0, 6)) + b"\xfc\x08\x00" + uleb(m))

    # ---- functions ------------------------------------------------------

    def prologue(self, f):
        """Fuel: with none left, return zeros; else pay one."""
        zeros = b"".join(self.const(t, 0) for t in f.results)
        return (b"\x23\x00\x45\x04\x40" + zeros + b"\x0f\x0b" +
                b"\x23\x00\x41\x01\x6b\x24\x00")

    def plain_body(self, f, t):
        r = self.r
        code = self.prologue(f) + self.stmts(f, 3, 4)
        if "tail" in self.feats and r.random() < 0.5:
            gs = self.callees(t)
            if gs and "typedref" in self.feats and r.random() < 0.3:
                g = r.choice(gs)  # return_call_ref of a ref.func
                ti = self.typeidx(self.funcs[g].params, [t])
                return (code + self.call_args(f, g, 2) + b"\xd2" + uleb(g) +
                        b"\x15" + uleb(ti) + b"\x0b")
            if gs:
                g = r.choice(gs)
                if self.table_size and r.random() < 0.4:
                    ti = self.typeidx(self.funcs[g].params, [t])
                    slot = self.slot_of(g)
                    return (code + self.call_args(f, g, 2) +
                            self.const(I32, slot) + b"\x13" + uleb(ti) +
                            b"\x00\x0b")
                return code + self.call_args(f, g, 2) + b"\x12" + uleb(g) + \
                    b"\x0b"
        return code + self.expr(f, t, 4) + b"\x0b"

    def chain_body(self, f, me, other):
        """f(n i32, acc i64) -> i64: n == 0 ? acc : return_call other or
        me (directly or through the table) with n - 1 and a new acc. No
        fuel: n bounds it, up to 100,000 steps."""
        r = self.r
        step = self.const(I64, r.getrandbits(64)) + bytes(
            [r.choice([0x7C, 0x85, 0x7E])])
        code = (b"\x20\x00\x45\x04\x40\x20\x01\x0f\x0b" +  # n==0: acc
                b"\x20\x00\x41\x01\x6b" +                   # n - 1
                b"\x20\x01" + step)                         # acc op k
        target = r.choice([me, other])
        if r.random() < 0.4 and self.table_size:
            slot = self.chain_slots[target]
            return code + self.const(I32, slot) + b"\x13" + \
                uleb(self.typeidx([I32, I64], [I64])) + b"\x00\x0b"
        return code + b"\x12" + uleb(target) + b"\x0b"

    def build(self):
        r = self.r
        # funcs 0, 1: the log imports.
        self.funcs = [Func([I32], []), Func([I64], [])]
        nplain = r.randint(3, 8)
        for _ in range(nplain):
            params = [r.choice((I32, I64)) for _ in range(r.randint(0, 3))]
            fn = Func(params, [r.choice((I32, I64))])
            fn.locals = [r.choice((I32, I64)) for _ in range(r.randint(0, 3))]
            self.funcs.append(fn)
        chain = []
        if "tail" in self.feats:
            for _ in range(2):
                chain.append(len(self.funcs))
                self.funcs.append(Func([I32, I64], [I64]))
        plain = list(range(2, 2 + nplain))
        self.plain = plain
        if "typedref" in self.feats:
            self.typed_setup(plain)
        if "relaxed" in self.feats:
            for i in plain:
                self.add_v128_local(self.funcs[i])
        self.table_size = len(plain) + len(chain)
        # Table: plain functions, then chain functions; the active element
        # segment's offset is a (possibly extended) constant 0.
        self.table = plain + chain
        self.chain_slots = {c: len(plain) + i for i, c in enumerate(chain)}
        bodies = {}
        for i in plain:
            bodies[i] = self.plain_body(self.funcs[i], self.funcs[i].results[0])
        for k, c in enumerate(chain):
            bodies[c] = self.chain_body(self.funcs[c], c, chain[1 - k])
        # Exports e0..: no parameters, call a plain function or a chain.
        exports = []
        for e in range(r.randint(3, 6)):
            fn = Func([], [r.choice((I32, I64))])
            fn.locals = [I32, I64]
            if self.reft:
                self.add_typed_locals(fn)
            if "relaxed" in self.feats:
                self.add_v128_local(fn)
            idx = len(self.funcs)
            self.funcs.append(fn)
            if chain and r.random() < 0.35:
                n = r.choice([0, 1, 7, 100, 200, 100000])
                body = (self.const(I32, n) + self.const(I64, r.getrandbits(64))
                        + b"\x10" + uleb(r.choice(chain)))
                if fn.results[0] == I32:
                    body += b"\xa7"
                bodies[idx] = body + b"\x0b"
            else:
                bodies[idx] = self.stmts(fn, 3, 4) + \
                    self.expr(fn, fn.results[0], 4) + b"\x0b"
                if self.feats & {"eh", "exnref"} and r.random() < 0.3:
                    bodies[idx] = self.stmts(fn, 2, 2) + self.throw(fn, 2) + \
                        b"\x0b"
            exports.append(("e%d" % e, idx))
        # hangLimitInitializer: fuel = 400
        hang = len(self.funcs)
        self.funcs.append(Func([], []))
        bodies[hang] = self.const(I32, FUEL_PER_CALL) + b"\x24\x00\x0b"
        exports.insert(0, ("hangLimitInitializer", hang))
        # hashN: a sum over the first 1 KiB of memory N
        for m in range(len(self.mems)):
            idx = len(self.funcs)
            fn = Func([], [I32])
            fn.locals = [I32, I32]
            self.funcs.append(fn)
            bodies[idx] = self.hash_body(m)
            exports.append(("hash%d" % m, idx))
        self.bodies = [bodies[i] for i in range(2, len(self.funcs))]
        self.exports = exports

    def typed_setup(self, plain):
        """Type T (a plain function's), its functions, typed locals for
        every function with a body made later, the typed global and the
        size of table 1 (of (ref null T))."""
        r = self.r
        g0 = r.choice(plain)
        key = (self.funcs[g0].params, self.funcs[g0].results)
        fs = [i for i in plain if (self.funcs[i].params,
                                   self.funcs[i].results) == key]
        T = self.typeidx(*key)
        self.reft = (T, fs)
        for i in plain:
            self.add_typed_locals(self.funcs[i])
        self.ref_global = len(self.globals)
        self.globals.append((("ref", False, T), False,
                             b"\xd2" + uleb(r.choice(fs)) + b"\x0b"))
        self.rtable_size = r.randint(1, 4)
        self.rtable = [r.choice(fs) if r.random() < 0.8 else None
                       for _ in range(self.rtable_size)]

    def add_v128_local(self, fn):
        fn.v128 = len(fn.params) + len(fn.locals)
        fn.locals.append(V128)

    def add_typed_locals(self, fn):
        T = self.reft[0]
        base = len(fn.params) + len(fn.locals)
        fn.locals += [("ref", True, T), ("ref", False, T)]
        fn.tref, fn.nref = base, base + 1

    def hash_body(self, m):
        """h = 5381; for i in 0..1023: h = h*33 ^ mem[i]; return h."""
        is64 = self.mems[m][0]
        addr = b"\x20\x00" + (b"\xad" if is64 else b"")
        return (b"\x41\x85\x2a\x21\x01" +            # h = 5381
                b"\x02\x40\x03\x40" +                # block loop
                b"\x20\x00\x41\x80\x08\x4f\x0d\x01" +  # i >= 1024: out
                b"\x20\x01\x41\x21\x6c" + addr + b"\x2d" +
                self.memarg(m, 0, 0) + b"\x73\x21\x01" +
                b"\x20\x00\x41\x01\x6a\x21\x00\x0c\x00\x0b\x0b" +
                b"\x20\x01\x0b")

    # ---- the module -----------------------------------------------------

    def module(self):
        self.build()
        r = self.r
        funcs = self.funcs
        ftypes = [self.typeidx(f.params, f.results) for f in funcs]
        tagtypes = [self.typeidx(list(p), []) for p in TAGS] \
            if self.feats & {"eh", "exnref"} else []
        types = vec([b"\x60" + vec([bytes([p]) for p in ps]) +
                     vec([bytes([q]) for q in rs]) for ps, rs in self.types])
        imports = vec([name("fuzzing-support") + name(n) + b"\x00" +
                       uleb(ftypes[i])
                       for i, n in enumerate(("log-i32", "log-i64"))])
        functions = vec([uleb(t) for t in ftypes[2:]])
        tables = [b"\x70\x00" + uleb(self.table_size)]
        if self.reft:  # table 1: (ref null T)
            tables.append(valtype(("ref", True, self.reft[0])) + b"\x00" +
                          uleb(self.rtable_size))
        table = vec(tables)
        mems = vec([bytes([0x05 if is64 else 0x01]) + uleb(pages) +
                    uleb(3) for is64, pages in self.mems])
        tags = vec([b"\x00" + uleb(t) for t in tagtypes])
        globs = vec([valtype(t) + bytes([1 if mut else 0]) + init
                     for t, mut, init in self.globals])
        exports = vec([name(n) + b"\x00" + uleb(i) for n, i in self.exports])
        elems = [b"\x00" + self.const_expr(I32, 0) +
                 vec([uleb(i) for i in self.table])]
        if self.reft:  # table 1's, as expressions with an explicit type
            T = self.reft[0]
            elems.append(b"\x06\x01" + self.const_expr(I32, 0) +
                         valtype(("ref", True, T)) +
                         vec([(b"\xd2" + uleb(g) if g is not None else
                               b"\xd0" + sleb(T)) + b"\x0b"
                              for g in self.rtable]))
        elems = vec(elems)
        codes = []
        for f, body in zip(funcs[2:], self.bodies):
            locs = vec([b"\x01" + valtype(t) for t in f.locals])
            codes.append(uleb(len(locs) + len(body)) + locs + body)
        datas = [b"\x01" + vec([bytes([r.getrandbits(8)])
                                for _ in range(6)])]  # passive, data 0
        for m, (is64, pages) in enumerate(self.mems):
            for _ in range(r.randint(1, 2)):
                size = r.randint(1, 12)
                at = r.choice([0, r.randint(0, 1000), pages * 65536 - size])
                init = self.const_expr(I64 if is64 else I32, at)
                payload = vec([bytes([r.getrandbits(8)])
                               for _ in range(size)])
                if m == 0:
                    datas.append(b"\x00" + init + payload)
                else:
                    datas.append(b"\x02" + uleb(m) + init + payload)
        out = b"\x00asm\x01\x00\x00\x00"
        out += section(1, types) + section(2, imports)
        out += section(3, functions) + section(4, table)
        out += section(5, mems)
        if tagtypes:
            out += section(13, tags)
        out += section(6, globs) + section(7, exports)
        out += section(9, elems)
        out += section(12, uleb(len(datas)))
        out += section(10, vec(codes))
        out += section(11, vec(datas))
        return out


def gen_module(seed):
    g = Gen(seed)
    return g.module(), sorted(g.feats)


if __name__ == "__main__":
    import sys
    wasm, feats = gen_module(int(sys.argv[1]))
    sys.stdout.buffer.write(wasm)
    sys.stderr.write(" ".join(feats) + "\n")
