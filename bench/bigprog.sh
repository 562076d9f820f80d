#!/usr/bin/env bash
# bigprog.sh — the large real-world WASI program of the tiering figures
# (docs/ARCHITECTURE.md, "Tiered execution"): Yosys 0.55 (Verilog
# synthesis) as the YoWASP project ships it in the npm package
# @yowasp/yosys 0.55.944. Its gen/yosys.core.wasm is a plain WASI
# preview 1 program: 30.8 MB file, 27.8 MB code section (34,004 defined
# functions), 2.9 MB data. Its share/ tree (techmap and cell libraries)
# is unpacked from the package's resources module with node.
#
#   bash bench/bigprog.sh fetch        # into build/bigprog/
#   bash bench/bigprog.sh run [weft run OPTIONS...]
#
# The workload: synthesise a 32-bit ALU (read_verilog; synth -noabc;
# write_verilog), about 7 s of CPU in the interpreter on the machine of
# the figures. Needs npm and node (Debian: npm, nodejs).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=$ROOT/build/bigprog
PKG=@yowasp/yosys@0.55.944
WEFT=${WEFT:-$ROOT/build/weft}

fetch() {
    mkdir -p "$DIR"
    cd "$DIR"
    [ -f package/gen/yosys.core.wasm ] || {
        npm pack "$PKG" >/dev/null
        tar xzf yowasp-yosys-0.55.944.tgz
    }
    cat >extract.mjs <<'JS'
import { filesystem } from "./package/gen/resources-yosys.js";
import fs from "node:fs";
import path from "node:path";
function put(dir, tree) {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, v] of Object.entries(tree)) {
    const p = path.join(dir, name);
    if (typeof v === "string") fs.writeFileSync(p, v);
    else if (v instanceof URL) fs.copyFileSync(v, p);
    else put(p, v);
  }
}
put(process.argv[2], filesystem);
JS
    [ -d root/share ] || node extract.mjs "$DIR/root"
    mkdir -p work
    cat >work/design.v <<'V'
module alu #(parameter W=32) (input clk, input [W-1:0] a, b, input [2:0] op, output reg [W-1:0] y);
  reg [W-1:0] acc;
  always @(posedge clk) begin
    case (op)
      0: acc <= a + b;
      1: acc <= a - b;
      2: acc <= a * b;
      3: acc <= a & b;
      4: acc <= a | b;
      5: acc <= a ^ b;
      6: acc <= a << b[4:0];
      7: acc <= acc + (a * b);
    endcase
    y <= acc;
  end
endmodule
V
    echo "$DIR/package/gen/yosys.core.wasm"
}

run() {
    cd "$DIR/work"
    "$WEFT" run "$@" --dir "$DIR/root/share::/share" --dir . \
        "$DIR/package/gen/yosys.core.wasm" -- -q \
        -p "read_verilog design.v; synth -top alu -noabc; write_verilog -noattr out.v"
}

case ${1:-} in
fetch) fetch ;;
run) shift; run "$@" ;;
*) sed -n '2,18p' "$0"; exit 2 ;;
esac
