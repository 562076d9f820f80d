#!/usr/bin/env python3
"""spec2tz.py - convert a spec-suite script, as wast2json writes it, into the
line format that `weft-tz spec` runs (ports/optee/host/wtz_spec.c), so the
driver in the initramfs needs no JSON parser. One command a line:

  module PATH                 load and instantiate (the current module)
  invoke NAME N ARG...        call; must not fail
  return NAME N ARG... M RES...   call; results must match
  trap NAME N ARG... MSG      call; must trap with a message starting MSG
  invalid PATH / malformed PATH   load must fail
  skip WHAT                   a command this driver does not run (counted)

NAME and MSG are hex-encoded bytes; a value is TYPE:BITS in hex (TYPE the
binary value type: 7f i32, 7e i64, 7d f32, 7c f64), or TYPE:nan:canonical /
TYPE:nan:arithmetic for results.
Commands named in the exclusion file (tests/tz/excluded.txt: "SCRIPT LINE
REASON", SCRIPT the .wast's base name) become "skip" lines carrying the
reason: counted as skipped, never as passed.
usage: spec2tz.py FILE.json DIR-OF-WASM-IN-THE-IMAGE [EXCLUDED] > FILE.tz
"""
import json
import sys

TYPES = {"i32": "7f", "i64": "7e", "f32": "7d", "f64": "7c"}


def val(v):
    t = TYPES.get(v["type"])
    if t is None or "value" not in v:
        raise ValueError("type " + v["type"])
    x = v["value"]
    if isinstance(x, str) and x.startswith("nan:"):
        return t + ":" + x
    return "%s:%x" % (t, int(x))


def action(a):
    if a["type"] != "invoke" or "module" in a:
        raise ValueError("action " + a["type"])
    args = [val(x) for x in a.get("args", [])]
    return "%s %d %s" % (a["field"].encode().hex(), len(args), " ".join(args))


def excluded(path, name):
    """{line: reason} of the exclusion file's entries for script `name`."""
    out = {}
    for ln in open(path):
        f = ln.split(None, 2)
        if len(f) == 3 and not ln.startswith("#") and f[0] == name:
            out[int(f[1])] = f[2].strip()
    return out


def main():
    script = json.load(open(sys.argv[1]))
    where = sys.argv[2]
    name = script.get("source_filename", sys.argv[1]).split("/")[-1].rsplit(".", 1)[0]
    skip = excluded(sys.argv[3], name) if len(sys.argv) > 3 else {}
    for c in script["commands"]:
        t = c["type"]
        try:
            if c.get("line") in skip:
                raise ValueError("excluded: " + skip.pop(c["line"]))
            if t == "module":
                if "name" in c:
                    raise ValueError("named module")
                print("module %s/%s" % (where, c["filename"]))
            elif t == "action":
                print("invoke " + action(c["action"]))
            elif t == "assert_return":
                res = [val(x) for x in c["expected"]]
                print("return %s %d %s" % (action(c["action"]), len(res), " ".join(res)))
            elif t in ("assert_trap", "assert_exhaustion"):
                if c["action"]["type"] != "invoke":
                    raise ValueError(t)
                print("trap %s %s" % (action(c["action"]), c["text"].encode().hex()))
            elif t in ("assert_invalid", "assert_malformed"):
                if c.get("module_type", "binary") != "binary":
                    raise ValueError("text module")
                print("%s %s/%s" % (t[7:], where, c["filename"]))
            else:
                raise ValueError(t)
        except ValueError as e:
            print("skip line %d: %s" % (c.get("line", 0), e))
    if skip:  # an entry that names no command is stale: say so, fail
        sys.exit("spec2tz: %s: no command at line(s) %s" % (name, sorted(skip)))


main()
