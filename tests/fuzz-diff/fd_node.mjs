// fd_node.mjs — the V8 side of the differential tester (tests/fuzz-diff/).
// Runs one module through Node's WebAssembly API the way fd_run.c runs it
// in weft, and prints the same canonical lines (see README.md).
//
//   node fd_node.mjs FILE.wasm SIGS     (or --serve: see the end)
//
// SIGS lists each exported function's type ("NAME PARAMS RESULTS", written
// by `fd_run --sigs`), because the JS API in Node 20 cannot reflect types.
// Values never cross the JS boundary as floats or vectors, which would lose
// NaN bits or throw: small Wasm modules built here do the crossing.
//  - a shim provides the fuzzing-support log imports and hands JS the raw
//    bits (f32 -> i32.reinterpret, f64 -> i64.reinterpret, v128 -> lanes);
//  - each export is called from a trampoline that pushes zero arguments,
//    calls it, and reports every result the same way.
import { readFileSync, writeFileSync } from "node:fs";

// ---- a minimal Wasm binary writer ------------------------------------------

function uleb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}
const str = (s) => [...uleb(s.length), ...Buffer.from(s, "latin1")];
const vec = (items) => [...uleb(items.length), ...items.flat()];
const section = (id, bytes) => [id, ...uleb(bytes.length), ...bytes];
const functype = (params, results) => [0x60, ...vec(params.map((t) => [t])),
  ...vec(results.map((t) => [t]))];

const TYPE = { i: 0x7f, I: 0x7e, f: 0x7d, F: 0x7c, v: 0x7b, r: 0x70, e: 0x6f };
const I32 = 0x7f, I64 = 0x7e;
const CALL = 0x10, LOCAL_GET = 0x20, LOCAL_SET = 0x21, END = 0x0b;

// Zero of type t, as a constant instruction.
function zero(t) {
  switch (t) {
    case "i": return [0x41, 0];
    case "I": return [0x42, 0];
    case "f": return [0x43, 0, 0, 0, 0];
    case "F": return [0x44, 0, 0, 0, 0, 0, 0, 0, 0];
    case "v": return [0xfd, 12, ...new Array(16).fill(0)];
    case "r": return [0xd0, 0x70];
    case "e": return [0xd0, 0x6f];
  }
  throw new Error("type " + t);
}

// Report imports every generated module uses: funcs 0..6, types 0..2.
const REPORT_TYPES = [functype([I32], []), functype([I64], []),
  functype([I32, I32, I32, I32], [])];
const REPORT_IMPORTS = [["i32", 0], ["i64", 1], ["f32", 0], ["f64", 1],
  ["v128", 2], ["funcref", 0], ["externref", 0]];
const REPORT = Object.fromEntries(REPORT_IMPORTS.map(([n], i) => [n, i]));

// Code that turns the value of type t on the stack into report call(s).
function report(t) {
  switch (t) {
    case "i": return [CALL, REPORT.i32];
    case "I": return [CALL, REPORT.i64];
    case "f": return [0xbc, CALL, REPORT.f32]; // i32.reinterpret_f32
    case "F": return [0xbd, CALL, REPORT.f64]; // i64.reinterpret_f64
    case "r": return [0xd1, CALL, REPORT.funcref]; // ref.is_null
    case "e": return [0xd1, CALL, REPORT.externref];
  }
  throw new Error("type " + t);
}

// A v128 in local `l` becomes its four i32 lanes.
const reportV128 = (l) => [0, 1, 2, 3].flatMap((k) =>
  [LOCAL_GET, ...uleb(l), 0xfd, 27, k]).concat([CALL, REPORT.v128]);

function moduleBytes(types, imports, funcTypes, exports, bodies) {
  return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, vec(types)),
    ...section(2, vec(imports.map(([m, n, ti]) => [...str(m), ...str(n), 0,
      ...uleb(ti)]))),
    ...section(3, vec(funcTypes.map((ti) => uleb(ti)))),
    ...section(7, vec(exports.map(([n, fi]) => [...str(n), 0, ...uleb(fi)]))),
    ...section(10, vec(bodies.map((b) => [...uleb(b.length), ...b])))]);
}

// ---- the shim: fuzzing-support imports -------------------------------------

function reportImports(sink) {
  const u32 = (x) => (x >>> 0).toString(16).padStart(8, "0");
  const u64 = (x) => BigInt.asUintN(64, x).toString(16).padStart(16, "0");
  return {
    i32: (x) => sink("i32:" + x),
    i64: (x) => sink("i64:" + x),
    f32: (x) => sink("f32:0x" + u32(x)),
    f64: (x) => sink("f64:0x" + u64(x)),
    v128: (a, b, c, d) => sink("v128:0x" + [a, b, c, d].map(u32).join(":0x")),
    funcref: (isNull) => sink("funcref:" + (isNull ? "null" : "nonnull")),
    externref: (isNull) => sink("externref:" + (isNull ? "null" : "nonnull")),
  };
}

function makeShim(out) {
  const logs = [["log-i32", "i"], ["log-i64", "I"], ["log-f32", "f"],
    ["log-f64", "F"], ["log-v128", "v"]];
  const types = [...REPORT_TYPES, ...logs.map(([, t]) => functype([TYPE[t]],
    []))];
  const imports = REPORT_IMPORTS.map(([n, ti]) => ["r", n, ti]);
  const bodies = logs.map(([, t]) => t === "v"
    ? [0, ...reportV128(0), END]
    : [0, LOCAL_GET, 0, ...report(t), END]);
  const bytes = moduleBytes(types, imports, logs.map((_, i) => 3 + i),
    logs.map(([n], i) => [n, REPORT_IMPORTS.length + i]), bodies);
  const sink = (v) => out.push("log " + v);
  return new WebAssembly.Instance(new WebAssembly.Module(bytes),
    { r: reportImports(sink) }).exports;
}

// ---- trampolines ------------------------------------------------------------

// A module importing `f` (params -> results) and exporting "call", which
// calls it with zero arguments and reports each result in order.
function makeTrampoline(f, params, results, sink) {
  const target = functype([...params].map((t) => TYPE[t]),
    [...results].map((t) => TYPE[t]));
  const types = [...REPORT_TYPES, target, functype([], [])];
  const imports = [...REPORT_IMPORTS.map(([n, ti]) => ["r", n, ti]),
    ["m", "f", 3]];
  const fIndex = REPORT_IMPORTS.length;
  const locals = results.length
    ? vec([...results].map((t) => [1, TYPE[t]])) : [0];
  const code = [...locals];
  for (const t of params) code.push(...zero(t));
  code.push(CALL, ...uleb(fIndex));
  for (let k = results.length - 1; k >= 0; k--) code.push(LOCAL_SET,
    ...uleb(k));
  [...results].forEach((t, k) => {
    code.push(...(t === "v" ? reportV128(k)
      : [LOCAL_GET, ...uleb(k), ...report(t)]));
  });
  code.push(END);
  const bytes = moduleBytes(types, imports, [4], [["call", fIndex + 1]],
    [code]);
  return new WebAssembly.Instance(new WebAssembly.Module(bytes),
    { r: reportImports(sink), m: { f } }).exports.call;
}

// ---- main -------------------------------------------------------------------

function trapLine(e) {
  if (e instanceof RangeError && /call stack/i.test(e.message))
    return "trap exhaustion"; // V8's stack limit: engine-dependent
  if (e instanceof WebAssembly.RuntimeError) return "trap " + e.message;
  if (e instanceof WebAssembly.Exception) return "exception"; // uncaught
  return "error " + (e && e.constructor ? e.constructor.name : "") + " " +
    String(e && e.message).replace(/\n/g, " ");
}

// Runs one module; returns its canonical lines, or null if V8 rejected it
// (the message goes to stderr).
function runModule(wasmPath, sigsPath) {
  const out = [];
  const sigs = new Map();
  for (const line of readFileSync(sigsPath, "utf8").split("\n")) {
    const [name, p, r] = line.split(" ");
    if (name) sigs.set(name, [p === "-" ? "" : p, r === "-" ? "" : r]);
  }
  let module, instance;
  try {
    module = new WebAssembly.Module(readFileSync(wasmPath));
    instance = new WebAssembly.Instance(module,
      { "fuzzing-support": makeShim(out) });
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError)
      return "instantiate " + trapLine(e) + "\n";
    process.stderr.write("fd_node: " + wasmPath + ": " + e.message + "\n");
    return null;
  }
  const exps = instance.exports;
  const hang = exps.hangLimitInitializer;
  for (const desc of WebAssembly.Module.exports(module)) {
    if (desc.kind !== "function") continue;
    out.push("call " + desc.name);
    const sig = sigs.get(desc.name);
    if (!sig) {
      out.push("error no signature");
      continue;
    }
    const results = [];
    const call = makeTrampoline(exps[desc.name], sig[0], sig[1],
      (v) => results.push(v));
    try {
      if (typeof hang === "function") hang();
      call();
      out.push(["result", ...results].join(" "));
    } catch (e) {
      out.push(trapLine(e));
    }
  }
  return out.length ? out.join("\n") + "\n" : "";
}

// One module from the command line, or with --serve one request per stdin
// line ("WASM SIGS OUT"): the lines go to OUT and "ok"/"rejected" to stdout,
// so the driver pays Node's start-up once per worker.
if (process.argv[2] === "--serve") {
  const { createInterface } = await import("node:readline");
  for await (const line of createInterface({ input: process.stdin })) {
    const [w, s, o] = line.split(" ");
    const text = runModule(w, s);
    if (text !== null) writeFileSync(o, text);
    process.stdout.write(text === null ? "rejected\n" : "ok\n");
  }
} else {
  const text = runModule(process.argv[2], process.argv[3]);
  if (text === null) process.exit(2);
  process.stdout.write(text);
}
