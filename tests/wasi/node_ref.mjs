// node_ref.mjs — a reference runner for checking the tests themselves:
// Node's WASI (uvwasi) behind weft's command line, so that
//   WEFT="node tests/wasi/node_ref.mjs" bash tests/wasi/run.sh
// runs every program on another implementation. uvwasi is not the
// reference for errno choices (wasmtime is) and has no read-only
// preopens (--dir-ro is mapped to --dir), so some checks fail there.
import { WASI } from 'node:wasi';
import { readFileSync } from 'node:fs';

process.removeAllListeners('warning');
const argv = process.argv.slice(2);
if (argv[0] !== 'run') {
  console.error('usage: node_ref.mjs run [--dir H[::G]] [--env K=V] FILE [--] ARGS');
  process.exit(1);
}
const preopens = {};
const env = {};
let i = 1;
for (; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--dir' || a === '--dir-ro') {
    const v = argv[++i];
    const k = v.indexOf('::');
    if (k >= 0) preopens[v.slice(k + 2)] = v.slice(0, k);
    else preopens[v] = v;
  } else if (a === '--env') {
    const v = argv[++i];
    const k = v.indexOf('=');
    env[v.slice(0, k)] = v.slice(k + 1);
  } else break;
}
const file = argv[i++];
if (argv[i] === '--') i++;
const args = [file, ...argv.slice(i)];
const wasi = new WASI({ version: 'preview1', args, env, preopens, returnOnExit: true });
const mod = await WebAssembly.compile(readFileSync(file));
const inst = await WebAssembly.instantiate(mod, wasi.getImportObject());
let rc;
try {
  rc = wasi.start(inst);
} catch (e) {
  console.error('weft: trap: ' + e.message);
  rc = 3;
}
process.exitCode = rc;
