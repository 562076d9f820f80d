// node_check.js — OPTIONAL cross-check, not used by run.sh: runs an exported
// run(n) of a kernel .wasm under node's WebAssembly engine and prints the
// checksum as unsigned 32-bit.  Usage: node bench/node_check.js FILE.wasm N
'use strict';
const fs = require('fs');
const [file, n] = process.argv.slice(2);
if (!file || n === undefined) {
  console.error('usage: node node_check.js FILE.wasm N');
  process.exit(2);
}
WebAssembly.instantiate(fs.readFileSync(file), {}).then(({ instance }) => {
  const t0 = process.hrtime.bigint();
  const r = instance.exports.run(Number(n) >>> 0) >>> 0;
  const dt = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(String(r));
  console.error(`time ${dt.toFixed(3)} s`);
});
