#!/usr/bin/env python3
"""fd_driver.py — differential testing of weft against binaryen and V8.

For each seed i in [START, START+N): make input bytes from a fixed PRNG,
turn them into a valid module with `wasm-opt -ttf`, run its exports in
  weft-interp (fd_run), weft-AoT (fd_run --aot), binaryen's interpreter
  (wasm-opt --fuzz-exec-before) and V8 (node fd_node.mjs),
and compare what each logged, returned and trapped. One JSON line per seed
goes to OUT/results-START-END.jsonl; every divergent module is kept with
all outputs under OUT/divergent/seed-I/. See README.md for the rules.

  fd_driver.py [--n N] [--start S] [--jobs J] [--out DIR] [--fd-run PATH]
  fd_driver.py --summary FILE.jsonl...     (totals over earlier runs)
  fd_driver.py --show DIR...    (first difference in kept modules)
"""
import argparse
import collections
import json
import os
import shutil
import struct
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import fd_gen

HERE = os.path.dirname(os.path.abspath(__file__))

# WebAssembly 2.0 minus reference types, which binaryen 108 generates in
# its pre-standard form (funcref as a subtype of anyref/externref, so most
# such modules are invalid 2.0). Every 4th seed enables them anyway: the
# valid ones are compared, the invalid ones check that weft rejects what
# wabt and V8 reject.
FEATURES = ["--mvp-features", "--enable-mutable-globals", "--enable-sign-ext",
            "--enable-nontrapping-float-to-int", "--enable-bulk-memory",
            "--enable-multivalue", "--enable-simd"]
REFTYPES = ["--enable-reference-types"]
# WebAssembly 3.0 features binaryen 108's -ttf generator knows (issue 15):
# with these it declares tags and now and then makes a return_call; it
# makes no try/throw, no 64-bit or second memory and no extended constant
# expression (measured: README.md), so fd_gen.py covers those.
BIN3 = ["--enable-tail-call", "--enable-exception-handling",
        "--enable-extended-const"]
# wabt's wasm-validate needs the same features named.
WABT3 = ["--enable-tail-call", "--enable-exceptions",
         "--enable-extended-const"]
# Feature sets, chosen by seed % 4 so the 2.0 coverage stays:
#   2.0   binaryen -ttf, FEATURES (+ REFTYPES every 4th such seed)
#   bin3  binaryen -ttf, FEATURES + BIN3
#   gen   fd_gen.py (tail-call chains, legacy and 3.0 exception handling,
#         memory64, multiple memories, extended constants)
SETS = ["2.0", "bin3", "gen", "gen"]
# fd_gen.py modules: binaryen reads them with these features; wabt
# validates them with these. Features an engine lacks keep it out of the
# comparison (recorded as "not_compared", never counted as agreement):
# binaryen 108 has no multiple memories and no try_table/exnref, Node 20
# neither, wabt 1.0.32 no exnref.
GEN_BIN = FEATURES + BIN3 + ["--enable-memory64"]
GEN_WABT = ["--enable-tail-call", "--enable-exceptions",
            "--enable-memory64", "--enable-multi-memory",
            "--enable-extended-const"]
# binaryen 108 also lets a try catch what a callee it tail-called from
# inside the try's body throws (the caller's frame, handlers and all, is
# gone by then: README.md), so it is left out of such modules.
# Typed function references (fd_gen.py's "typedref") are in none of the
# three in their standard form (binaryen 108's and Node 20's are
# pre-standard or behind flags of another encoding; wabt 1.0.32 has
# none): such modules are compared between weft's interpreter and AoT.
# Relaxed SIMD ("relaxed") has implementation-defined results: weft's
# interpreter and AoT must make the same (deterministic) choices, other
# engines may make others, so only weft's two are compared.
GEN_LACKS = {"binaryen": {"multimem", "exnref", "tail-in-try", "typedref",
                          "relaxed"},
             "v8": {"multimem", "exnref", "typedref", "relaxed"},
             "wabt": {"exnref", "typedref", "relaxed"}}
# Node 20 (V8 11.3) ships tail calls and legacy exception handling;
# memory64 and extended constants are behind these flags; it has no
# multiple memories and no exnref/try_table (fd_gen.py modules using
# them are not run in V8: README.md).
NODE_FLAGS = ["--experimental-wasm-memory64",
              "--experimental-wasm-extended-const"]
TIMEOUT = 30  # seconds per engine per module; a timeout is a skip


# ---- inputs ---------------------------------------------------------------

def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return state, z ^ (z >> 31)


def feature_set(seed):
    return SETS[seed % len(SETS)]


def seed_input(seed):
    """Seed -> (input bytes, feature flags); the same on every machine."""
    state = seed * 0x100000001B3
    state, r = splitmix64(state)
    size = 512 + r % 6144
    words = []
    for _ in range((size + 7) // 8):
        state, r = splitmix64(state)
        words.append(r)
    data = struct.pack("<%dQ" % len(words), *words)[:size]
    fset = feature_set(seed)
    if fset == "gen":
        return data, GEN_BIN
    if fset == "bin3":
        return data, FEATURES + BIN3
    return data, FEATURES + (REFTYPES if seed // 4 % 4 == 3 else [])


def run(cmd, out_path=None, timeout=TIMEOUT, env=None):
    """(returncode or 'timeout', stdout text)."""
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return "timeout", ""
    text = p.stdout.decode("utf-8", "replace")
    if out_path:
        with open(out_path, "w") as f:
            f.write(text)
            f.write(p.stderr.decode("utf-8", "replace"))
    return p.returncode, text


# ---- V8 workers (one long-lived node per thread) --------------------------

class NodeWorker:
    def __init__(self):
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            ["node"] + NODE_FLAGS +
            [os.path.join(HERE, "fd_node.mjs"), "--serve"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, bufsize=1)

    def run(self, wasm, sigs, out):
        """'ok', 'rejected' or 'timeout' (the worker is then restarted)."""
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        self.proc.stdin.write("%s %s %s\n" % (wasm, sigs, out))
        self.proc.stdin.flush()
        answer = []
        t = threading.Thread(target=lambda: answer.append(
            self.proc.stdout.readline()))
        t.start()
        t.join(TIMEOUT)
        if t.is_alive() or not answer or not answer[0]:
            self.proc.kill()
            t.join()
            self.proc.wait()
            self.proc = None
            return "timeout" if not answer else "crash"
        return answer[0].strip()


_local = threading.local()


def node_worker():
    if not hasattr(_local, "node"):
        _local.node = NodeWorker()
    return _local.node


# ---- canonical lines -> events ----------------------------------------------
# Events: ("call", name) ("log", vals) ("result", vals) ("trap", kind)
# ("exhaust",) ("itrap",) ("error", text). A val is (type, value) with
# value an int (floats as raw bits, v128 as four u32 lanes).

def parse_val(tok):
    t, v = tok.split(":", 1)
    if t in ("i32", "i64"):
        return (t, int(v))
    if t in ("f32", "f64"):
        return (t, int(v, 16))
    if t == "v128":
        return (t, tuple(int(x, 16) for x in v.split(":")))
    return (t, v)  # funcref/externref: null or nonnull


def canon_events(text):
    ev = []
    for line in text.splitlines():
        head, _, rest = line.partition(" ")
        if head == "call":
            ev.append(("call", rest))
        elif head in ("log", "result"):
            ev.append((head, [parse_val(t) for t in rest.split()]))
        elif line == "trap exhaustion":
            ev.append(("exhaust",))
        elif head == "trap":
            ev.append(("trap", rest))
        elif head == "instantiate":
            ev.append(("itrap",))
        elif line == "exception":  # uncaught; payloads are not compared
            ev.append(("exception",))
        else:
            ev.append(("error", line))
    return ev


def bin_events(text):
    """binaryen's --fuzz-exec output, as events with raw token values."""
    ev = []
    seen_call = False
    for line in text.splitlines():
        if line.startswith("[fuzz-exec] calling "):
            ev.append(("call", line[len("[fuzz-exec] calling "):]))
            seen_call = True
        elif line.startswith("[LoggingExternalInterface logging "):
            ev.append(("log", line[len("[LoggingExternalInterface logging "):
                                   -1]))
        elif line.startswith("[fuzz-exec] note result: "):
            ev.append(("result", line.split(" => ", 1)[1]))
        elif line.startswith("[trap "):
            # binaryen's interpreter limits depth itself ("stack limit").
            if "stack limit" in line or "call stack" in line:
                ev.append(("exhaust",))
            else:
                ev.append(("trap", line) if seen_call else ("itrap",))
        elif line.startswith("[exception thrown"):
            ev.append(("exception",))
        elif line.startswith("[host limit"):
            ev.append(("exhaust",))
    return ev


# ---- normalisation ----------------------------------------------------------
# 1. NaNs: the spec leaves the sign and payload of an arithmetic NaN
#    nondeterministic, so a f32/f64 value compares by NaN-ness only when
#    both sides are NaN. In a v128 (no lane type is known) a 64-bit half
#    that is a f64 NaN on both sides, or a 32-bit lane that is a f32 NaN on
#    both sides, is equal. Integers are compared exactly (a reinterpreted
#    NaN showing up as a different integer would be reported).
# 2. Traps: between weft-interp and weft-AoT the trap kind must match. V8
#    and binaryen word traps differently, so against them a trap compares
#    by class (trap_class below: unreachable, memory, arithmetic,
#    conversion, table/call_indirect); a message no rule knows matches any.
# 3. Stack exhaustion and host limits depend on each engine's limits: from
#    the first call where any engine runs out, the rest of the module is
#    not compared (counted as explained, not divergent).
# 4. References: binaryen prints only the result's type, so against it any
#    reference result matches; weft and V8 compare null-ness.
# 5. binaryen prints an i64 result sometimes as a wrong-signed decimal
#    (1 as -18446744073709551615): i64 results compare modulo 2^64.
# 6. binaryen prints no "result" line for a call with no results, so an
#    empty result is dropped before comparing with it.
# 7. NaN bits that escape into integers or memory (a NaN stored with
#    f64.store, or i32.reinterpret_f32, then hashed or logged) differ
#    legitimately between engines. When a module diverges, the driver
#    runs binaryen's --denan pass over it (every float-producing
#    expression turns a NaN into 0) and runs it again in every engine
#    that diverged; if they then agree the module counts as
#    "explained:nan". This cannot tell a real bug in NaN handling from
#    nondeterminism, so such modules are kept for inspection anyway, and
#    when at the first difference a float is NaN in one engine and a
#    number in the other (which --denan would paper over) the module is
#    "diverge:nan-vs-number" until someone has looked (known.txt).
# 8. Guard-page AoT code may lose a store made just before an access that
#    faults (README.md): when weft-AoT differs from weft-interp after a
#    memory trap, AoT is built again with explicit bounds checks; if that
#    agrees with the interpreter the module is "explained:store-order"
#    (kept for inspection), else the divergence stands (store_order).

def is_nan32(b):
    return (b & 0x7F800000) == 0x7F800000 and (b & 0x7FFFFF) != 0


def is_nan64(b):
    return ((b & 0x7FF0000000000000) == 0x7FF0000000000000 and
            (b & 0xFFFFFFFFFFFFF) != 0)


def v128_equal(a, b):
    for h in (0, 2):
        if a[h:h + 2] == b[h:h + 2]:
            continue
        qa, qb = a[h] | a[h + 1] << 32, b[h] | b[h + 1] << 32
        if is_nan64(qa) and is_nan64(qb):
            continue
        for k in (h, h + 1):
            if a[k] != b[k] and not (is_nan32(a[k]) and is_nan32(b[k])):
                return False
    return True


def val_equal(x, y):
    if x[0] != y[0]:
        return False
    t, a, b = x[0], x[1], y[1]
    if t == "f32" and is_nan32(a) and is_nan32(b):
        return True
    if t == "f64" and is_nan64(a) and is_nan64(b):
        return True
    if t == "v128":
        return v128_equal(a, b)
    return a == b


# Keyword rules, first match wins, over weft's spec messages, V8's
# RuntimeError messages and binaryen's "[trap ...]" lines.
TRAP_CLASSES = [
    ("unreachable", ("unreachable",)),
    # The spec calls an out-of-range float-to-int "integer overflow" (weft
    # says so) while V8 and binaryen speak of conversion: one class.
    # binaryen: "i32.div_s overflow" (INT_MIN / -1), which the spec
    # also calls "integer overflow" (found in the 3.0 runs, seed 26146).
    ("overflow", ("conversion", "trunc", "unrepresentable",
                  "integer overflow", "div_s overflow")),
    ("div0", ("by zero", "by 0", "div", "rem")),
    ("table", ("table", "element", "indirect", "signature",
               "null function", "callTable", "call_indirect")),
    ("memory", ("memory", "segment", "out of bounds", "oob",
                "final >", "offset >", "highest >")),
]


def trap_class(message):
    m = message.lower()
    for name, words in TRAP_CLASSES:
        if any(w.lower() in m for w in words):
            return name
    return None


def trap_classes_match(a, b):
    ca, cb = trap_class(a), trap_class(b)
    return ca is None or cb is None or ca == cb


def event_equal(e, f, strict_traps):
    if e[0] != f[0]:
        return False
    if e[0] in ("log", "result"):
        return (len(e[1]) == len(f[1]) and
                all(val_equal(x, y) for x, y in zip(e[1], f[1])))
    if e[0] == "trap":
        return e == f if strict_traps else trap_classes_match(e[1], f[1])
    return e == f


def parse_bin_float(tok, fmt):
    """A binaryen float literal as raw bits, or 'nan'."""
    if "nan" in tok:
        return "nan"
    if tok in ("inf", "-inf"):
        v = float(tok)
    elif tok.lstrip("-").startswith("0x"):
        v = float(int(tok, 16))
    else:
        v = float(tok)
    raw = struct.pack("<" + fmt, v)
    return struct.unpack("<I" if fmt == "f" else "<Q", raw)[0]


def bin_val_equal(val, tok):
    t, v = val
    tok = tok.strip()
    try:
        if t == "i32":
            return int(tok) == v
        if t == "i64":
            return (int(tok) - v) % (1 << 64) == 0
        if t in ("f32", "f64"):
            bits = parse_bin_float(tok, "f" if t == "f32" else "d")
            if bits == "nan":
                return (is_nan32 if t == "f32" else is_nan64)(v)
            return bits == v
        if t == "v128":
            parts = tok.split()
            return (parts[0] == "i32x4" and
                    v128_equal(v, tuple(int(p, 16) for p in parts[1:])))
        return True  # references: binaryen prints only the type
    except (ValueError, IndexError, OverflowError):
        return False


def bin_log_equal(vals, text):
    """A log event: one value; i64 is printed as its low and high halves."""
    toks = text.split()
    if len(vals) != 1:
        return False
    t, v = vals[0]
    if t == "i64":
        lo, hi = v & 0xFFFFFFFF, (v >> 32) & 0xFFFFFFFF
        sx = lambda n: n - (1 << 32) if n >= 1 << 31 else n
        return len(toks) == 2 and toks == [str(sx(lo)), str(sx(hi))]
    return bin_val_equal(vals[0], text)


def bin_result_equal(vals, text):
    if len(vals) > 1:
        if not (text.startswith("(") and text.endswith(")")):
            return False
        toks = text[1:-1].split(", ")
    else:
        toks = [text]
    return (len(toks) == len(vals) and
            all(bin_val_equal(v, t) for v, t in zip(vals, toks)))


def bin_event_equal(e, b):
    if e[0] != b[0]:
        return False
    if e[0] == "log":
        return bin_log_equal(e[1], b[1])
    if e[0] == "result":
        return bin_result_equal(e[1], b[1])
    if e[0] == "trap":
        return trap_classes_match(e[1], b[1])
    return e == b


def compare(ref, other, equal):
    """None if equal, 'explained' if they part after an exhaustion, else
    the index of the first differing event."""
    for i in range(max(len(ref), len(other))):
        a = ref[i] if i < len(ref) else None
        b = other[i] if i < len(other) else None
        if (a and a[0] == "exhaust") or (b and b[0] == "exhaust"):
            return "explained"
        if a is None or b is None or not equal(a, b):
            # Exhaustion later in the same call also explains it.
            def until_call(evs):
                out = []
                for x in evs[1:]:
                    if x[0] == "call":
                        break
                    out.append(x)
                return out
            tail = until_call(ref[i - 1:] if i else ref) + \
                until_call(other[i - 1:] if i else other)
            if any(x[0] == "exhaust" for x in tail):
                return "explained"
            return i
    return None


# ---- one seed -----------------------------------------------------------------

def run_seed(seed, args):
    """One seed alone (AoT built by itself): its record."""
    rec, ctx = run_seed_pre(seed, args)
    if ctx is None:
        return rec
    rc, aot = run([args.fd_run, "--aot", ctx[0]("m.wasm")], ctx[0]("aot.txt"))
    return run_seed_post(rec, ctx, rc, aot, args)


def run_chunk(seeds, args):
    """Several seeds, their AoT code built in one compiler run (`fd_run
    --aot-batch`: the same C, flags and runtime as `fd_run --aot`, only one
    translation unit for all, each module then run in a child process of
    its own). A module the batch gives no status for (the batch did not
    build, or fd_run itself died) is built and run alone, as run_seed
    does, so a compiler failure is still pinned on its module."""
    pre = [run_seed_pre(s, args) for s in seeds]
    todo = [(i, ctx) for i, (rec, ctx) in enumerate(pre) if ctx is not None]
    status = {}
    if len(todo) > 1:
        cmd = [args.fd_run, "--aot-batch"]
        for i, ctx in todo:
            cmd += [ctx[0]("m.wasm"), ctx[0]("aot.txt")]
        rc, text = run(cmd, timeout=TIMEOUT * (len(todo) + 2))
        if rc == 0:
            for line in text.splitlines():
                k, code = (int(x) for x in line.split())
                status[todo[k][0]] = code
    out = []
    for i, (rec, ctx) in enumerate(pre):
        if ctx is None:
            out.append(rec)
            continue
        if i not in status:
            out.append(run_seed_post(rec, ctx, *run(
                [args.fd_run, "--aot", ctx[0]("m.wasm")], ctx[0]("aot.txt")),
                args))
            continue
        code = status[i]
        code = "timeout" if code == -14 else code  # SIGALRM: its time limit
        text = ""
        if os.path.exists(ctx[0]("aot.txt")):
            with open(ctx[0]("aot.txt"), encoding="utf-8",
                      errors="replace") as f:
                text = f.read()
        out.append(run_seed_post(rec, ctx, code, text, args))
    return out


def run_seed_pre(seed, args):
    """Everything of one seed up to weft-AoT: (finished record, None), or
    (record, context for run_seed_post)."""
    work = os.path.join(args.out, "work", "s%d" % seed)
    os.makedirs(work, exist_ok=True)
    p = lambda name: os.path.join(work, name)
    data, feats = seed_input(seed)
    with open(p("input.dat"), "wb") as f:
        f.write(data)
    rec = {"seed": seed, "set": feature_set(seed),
           "reftypes": feats[-1] == REFTYPES[0]}
    skip = set()  # engines that cannot run this module
    wabt_flags = WABT3 if rec["set"] == "bin3" else []
    if rec["set"] == "gen":
        wasm, gfeats = fd_gen.gen_module(seed)
        with open(p("m.wasm"), "wb") as f:
            f.write(wasm)
        rec["feats"] = gfeats
        wabt_flags = GEN_WABT
        skip = {e for e, lacks in GEN_LACKS.items() if lacks & set(gfeats)}
        if skip:
            rec["not_compared"] = sorted(skip)
    else:
        rc, _ = run(["wasm-opt"] + feats + ["-ttf", p("input.dat"), "-o",
                                            p("m.wasm")], p("gen.txt"))
        if rc != 0:
            rec["status"] = "skip:generate"
            return finish(rec, work, args), None
    wabt_ok = "wabt" in skip or run(["wasm-validate"] + wabt_flags +
                                    [p("m.wasm")], p("wabt.txt"))[0] == 0
    rc, interp = run([args.fd_run, p("m.wasm")], p("interp.txt"))
    if rc == "timeout":
        rec["status"] = "skip:timeout:interp"
        return finish(rec, work, args), None
    if isinstance(rc, int) and rc < 0:  # killed by a signal: a weft bug
        rec["status"] = "diverge:crash-interp"
        return finish(rec, work, args), None
    weft_ok = rc == 0
    if weft_ok:
        run([args.fd_run, "--sigs", p("m.wasm")], p("sigs.txt"))
    else:
        open(p("sigs.txt"), "w").close()
    node = "ok" if "v8" in skip else \
        node_worker().run(p("m.wasm"), p("sigs.txt"), p("node.txt"))
    if node == "timeout":
        rec["status"] = "skip:timeout:node"
        return finish(rec, work, args), None
    v8_ok = node == "ok"
    if not (weft_ok and wabt_ok and v8_ok):
        rec["valid"] = {"weft": weft_ok, "wabt": wabt_ok, "v8": v8_ok}
        if not weft_ok and not wabt_ok and not v8_ok:
            rec["status"] = "skip:invalid-module"
        else:
            rec["status"] = "diverge:validation"
        return finish(rec, work, args), None
    return rec, (p, work, feats, skip, interp)


def run_seed_post(rec, ctx, rc, aot, args):
    """The rest of one seed, given how weft-AoT ran (rc: exit status,
    minus a signal, or 'timeout'; aot: its output)."""
    p, work, feats, skip, interp = ctx
    if rc == "timeout":
        rec["status"] = "skip:timeout:aot"
        return finish(rec, work, args)
    if rc != 0:
        rec["status"] = "diverge:" + ("crash-aot" if rc < 0 else "aot-build")
        return finish(rec, work, args)
    binout = v8 = None
    if "binaryen" not in skip:
        rc, binout = run(["wasm-opt"] + feats + [p("m.wasm"),
                                                 "--fuzz-exec-before", "-q"],
                         p("binaryen.txt"))
        if rc == "timeout":
            rec["status"] = "skip:timeout:binaryen"
            return finish(rec, work, args)
    if "v8" not in skip:
        with open(p("node.txt")) as f:
            v8 = f.read()
    verdicts = compare_all(interp, aot, v8, binout)
    rec["events"] = len(canon_events(interp))
    if isinstance(verdicts.get("aot"), int) and \
            store_order(p, interp, verdicts["aot"], args):
        verdicts["aot"] = "store-order"
        rec["store_order"] = True
        rec["keep"] = True
    diverged = [k for k, v in verdicts.items() if isinstance(v, int)]
    if diverged and nan_vs_number(interp, aot, v8, binout, verdicts):
        # --denan would hide an engine that makes a NaN where a number is
        # due (or the reverse): such modules are looked at by hand.
        rec["status"] = "diverge:nan-vs-number"
        rec["at"] = {k: verdicts[k] for k in diverged}
    elif diverged and rerun_denan(p, feats, diverged, args):
        rec["status"] = "explained:nan"
        rec["nan_pairs"] = diverged
        rec["keep"] = True
    elif diverged:
        rec["status"] = "diverge:" + "+".join(diverged)
        rec["at"] = {k: verdicts[k] for k in diverged}
    elif "explained" in verdicts.values():
        rec["status"] = "explained:exhaustion"
    elif "store-order" in verdicts.values():
        rec["status"] = "explained:store-order"
    else:
        rec["status"] = "ok"
    return finish(rec, work, args)


def compare_all(interp, aot, v8, binout):
    """weft-interp against each other engine: pair -> compare() verdict.
    A missing output (None) is not compared."""
    ref = canon_events(interp)
    out = {}
    if aot is not None:
        out["aot"] = compare(ref, canon_events(aot),
                             lambda a, b: event_equal(a, b, True))
    if v8 is not None:
        out["v8"] = compare(ref, canon_events(v8),
                            lambda a, b: event_equal(a, b, False))
    if binout is not None:
        out["binaryen"] = compare(
            [e for e in ref if not (e[0] == "result" and not e[1])],
            bin_events(binout), bin_event_equal)
    return out


def store_order(p, interp, at, args):
    """Normalisation 8: AoT code with guard pages may lose a store made
    just before an access that faults (gcc may sink the store below the
    load: a documented limitation, README.md). True when weft-interp
    trapped on memory before the first difference with weft-AoT and AoT
    built with explicit bounds checks (FD_AOT_EXPLICIT=1) agrees with the
    interpreter throughout; the module is kept."""
    ref = canon_events(interp)
    if not any(e[0] == "trap" and trap_class(e[1]) == "memory"
               for e in ref[:at]):
        return False
    env = dict(os.environ, FD_AOT_EXPLICIT="1")
    rc, text = run([args.fd_run, "--aot", p("m.wasm")], p("aot-explicit.txt"),
                   env=env)
    if rc != 0:
        return False
    return compare(ref, canon_events(text),
                   lambda a, b: event_equal(a, b, True)) is None


def float_nan(t, v):
    return is_nan32(v) if t == "f32" else is_nan64(v)


def nan_vs_number(interp, aot, v8, binout, verdicts):
    """True if at the first difference of some pair a float is NaN on one
    side and a number on the other."""
    ref = canon_events(interp)
    for pair, at in verdicts.items():
        if not isinstance(at, int):
            continue
        if pair == "binaryen":
            r = [e for e in ref if not (e[0] == "result" and not e[1])]
            o = bin_events(binout)
        else:
            r, o = ref, canon_events(aot if pair == "aot" else v8)
        if at >= len(r) or at >= len(o) or r[at][0] != o[at][0] or \
                r[at][0] not in ("log", "result"):
            continue
        vals = r[at][1]
        if pair == "binaryen":
            text = o[at][1]
            toks = (text[1:-1].split(", ") if len(vals) > 1 else [text])
            if r[at][0] == "log" or len(toks) != len(vals):
                toks = [text] if len(vals) == 1 else []
            others = []
            for (t, _), tok in zip(vals, toks):
                if t in ("f32", "f64"):
                    try:
                        bits = parse_bin_float(tok.strip(),
                                               "f" if t == "f32" else "d")
                    except ValueError:
                        bits = None
                    others.append((t, bits))
                else:
                    others.append((t, None))
        else:
            others = o[at][1]
        for (t, a), (u, b) in zip(vals, others):
            if t != u or t not in ("f32", "f64") or b is None:
                continue
            b_nan = b == "nan" or (b != "nan" and float_nan(t, b))
            if float_nan(t, a) != b_nan:
                return True
    return False


def rerun_denan(p, feats, diverged, args):
    """True if the module with NaNs removed agrees in every pair that
    diverged (normalisation 7)."""
    if run(["wasm-opt"] + feats + [p("m.wasm"), "--denan", "-o",
                                   p("denan.wasm")], p("denan-gen.txt"))[0]:
        return False
    rc, interp = run([args.fd_run, p("denan.wasm")], p("denan-interp.txt"))
    if rc != 0:
        return False
    aot = v8 = binout = None
    if "aot" in diverged:
        rc, aot = run([args.fd_run, "--aot", p("denan.wasm")],
                      p("denan-aot.txt"))
        if rc != 0:
            return False
    if "v8" in diverged:
        run([args.fd_run, "--sigs", p("denan.wasm")], p("denan-sigs.txt"))
        if node_worker().run(p("denan.wasm"), p("denan-sigs.txt"),
                             p("denan-node.txt")) != "ok":
            return False
        with open(p("denan-node.txt")) as f:
            v8 = f.read()
    if "binaryen" in diverged:
        rc, binout = run(["wasm-opt"] + feats + [p("denan.wasm"),
                                                 "--fuzz-exec-before", "-q"],
                         p("denan-binaryen.txt"))
        if rc != 0:
            return False
    verdicts = compare_all(interp, aot, v8, binout)
    return not any(isinstance(v, int) for v in verdicts.values())


def finish(rec, work, args):
    if rec["status"].startswith("diverge") or rec.pop("keep", False):
        kind = "divergent" if rec["status"].startswith("diverge") else \
            "explained"
        dest = os.path.join(args.out, kind, "seed-%d" % rec["seed"])
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(work, dest)
    shutil.rmtree(work, ignore_errors=True)
    return rec


# ---- main ---------------------------------------------------------------------

def load_known():
    """tests/fuzz-diff/known.txt: divergences examined by hand and found to
    be allowed by the spec or a bug elsewhere. Lines "SEED PAIRS TAG # why";
    a record matches when its status is exactly diverge:PAIRS."""
    known = {}
    with open(os.path.join(HERE, "known.txt")) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if len(line) >= 3:
                known[int(line[0])] = (line[1], line[2])
    return known


def summarise(records):
    known = load_known()
    for r in records:
        k = known.get(r["seed"])
        if k and r["status"] == "diverge:" + k[0]:
            r["status"] = "explained:" + k[1]
    counts = collections.Counter(r["status"] for r in records)
    total = len(records)
    compared = sum(v for k, v in counts.items() if not k.startswith("skip"))
    unexplained = sum(v for k, v in counts.items() if k.startswith("diverge"))
    print("modules: %d generated, %d compared, %d skipped" %
          (total, compared, total - compared))
    for k in sorted(counts):
        print("  %-28s %d" % (k, counts[k]))
    print("divergences: %d unexplained" % unexplained)
    sets = collections.OrderedDict()
    for r in records:
        sets.setdefault(r.get("set", "2.0"), []).append(r)
    if len(sets) > 1 or "2.0" not in sets:
        for name, recs in sets.items():
            c = collections.Counter(r["status"] for r in recs)
            print("set %s: %d modules, %d compared: %s" % (
                name, len(recs),
                sum(v for k, v in c.items() if not k.startswith("skip")),
                ", ".join("%s %d" % kv for kv in sorted(c.items()))))
            nc = collections.Counter(
                "+".join(r["not_compared"]) for r in recs
                if r.get("not_compared") and not
                r["status"].startswith("skip"))
            if nc:
                print("  compared without: %s" % ", ".join(
                    "%s %d" % kv for kv in sorted(nc.items())))
            fc = collections.Counter(f for r in recs
                                     for f in r.get("feats", []))
            if fc:
                print("  features: %s" % ", ".join(
                    "%s %d" % kv for kv in sorted(fc.items())))
    return unexplained


def show(dirs):
    """For kept modules: each engine's event at the first difference."""
    for d in dirs:
        text = {}
        for name in ("interp", "aot", "node", "binaryen"):
            path = os.path.join(d, name + ".txt")
            text[name] = open(path).read() if os.path.exists(path) else None
        if text["interp"] is None:
            print("%s: no interp.txt" % d)
            continue
        ref = canon_events(text["interp"])
        print(d)
        for pair, verdict in compare_all(text["interp"], text["aot"],
                                         text["node"],
                                         text["binaryen"]).items():
            if not isinstance(verdict, int):
                continue
            evs = {"aot": lambda: canon_events(text["aot"]),
                   "v8": lambda: canon_events(text["node"]),
                   "binaryen": lambda: bin_events(text["binaryen"])}[pair]()
            r = ref if pair != "binaryen" else \
                [e for e in ref if not (e[0] == "result" and not e[1])]
            call = [e[1] for e in r[:verdict + 1] if e[0] == "call"]
            print("  %s, event %d in call %s:\n    weft-interp %s\n    %-11s %s"
                  % (pair, verdict, call[-1] if call else "-",
                     r[verdict] if verdict < len(r) else None, pair,
                     evs[verdict] if verdict < len(evs) else None))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", default="build/fuzz-diff")
    ap.add_argument("--fd-run", default="build/fuzz-diff/fd_run")
    ap.add_argument("--batch", type=int, default=16,
                    help="seeds per worker task, their AoT code built in "
                    "one compiler run (1: each alone)")
    ap.add_argument("--only", help="comma-separated feature sets: other "
                    "seeds are left out (for batches)")
    ap.add_argument("--summary", nargs="*")
    ap.add_argument("--show", nargs="*")
    args = ap.parse_args()
    if args.show is not None:
        show(args.show)
        return
    if args.summary is not None:
        recs = []
        for path in args.summary:
            with open(path) as f:
                recs += [json.loads(l) for l in f if l.strip()]
        sys.exit(1 if summarise(recs) else 0)
    os.makedirs(os.path.join(args.out, "work"), exist_ok=True)
    log_path = os.path.join(args.out, "results-%d-%d.jsonl" %
                            (args.start, args.start + args.n))
    t0 = time.time()
    records = []
    with open(log_path, "w") as log, \
            ThreadPoolExecutor(max_workers=args.jobs) as pool:
        seeds = range(args.start, args.start + args.n)
        if args.only:
            seeds = [s for s in seeds
                     if feature_set(s) in args.only.split(",")]
        seeds = list(seeds)
        chunks = [seeds[k:k + args.batch]
                  for k in range(0, len(seeds), args.batch)]
        recs = (r for chunk in pool.map(lambda c: run_chunk(c, args), chunks)
                for r in chunk)
        for i, rec in enumerate(recs):
            records.append(rec)
            log.write(json.dumps(rec) + "\n")
            log.flush()
            if rec["status"].startswith("diverge"):
                print("seed %d: %s" % (rec["seed"], rec["status"]),
                      flush=True)
            if (i + 1) % 500 == 0:
                print("... %d/%d (%.0f s)" % (i + 1, args.n, time.time() - t0),
                      flush=True)
    print("results: %s (%.0f s)" % (log_path, time.time() - t0))
    sys.exit(1 if summarise(records) else 0)


if __name__ == "__main__":
    main()
