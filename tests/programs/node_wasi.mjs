// node_wasi.mjs — run a wasm32-wasi command under Node's WASI (a reference
// runtime, used by `run.sh --node` to tell build problems from weft problems).
//
// usage: node tests/programs/node_wasi.mjs [--dir HOST[::GUEST]]...
//            [--env K=V]... FILE.wasm [--] [args...]
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import process from 'node:process';

const preopens = {};
const env = {};
let i = 2;
const a = process.argv;
for (; i < a.length; i++) {
  if (a[i] === '--dir') {
    const spec = a[++i];
    const k = spec.indexOf('::');
    const host = k < 0 ? spec : spec.slice(0, k);
    const guest = k < 0 ? spec : spec.slice(k + 2);
    preopens[guest] = host;
  } else if (a[i] === '--env') {
    const kv = a[++i];
    const k = kv.indexOf('=');
    env[kv.slice(0, k)] = kv.slice(k + 1);
  } else {
    break;
  }
}
const file = a[i++];
if (a[i] === '--') i++;
const wasi = new WASI({
  version: 'preview1',
  args: [file, ...a.slice(i)],
  env,
  preopens,
  returnOnExit: true,
});
const mod = await WebAssembly.compile(await readFile(file));
const inst = await WebAssembly.instantiate(mod, wasi.getImportObject());
const code = wasi.start(inst);
process.exitCode = code;
