#!/usr/bin/env bash
# fifo.sh — every command that reads a file refuses a FIFO (or another
# non-regular file) with a clear message instead of blocking on it: the
# file is opened without blocking and checked before a byte is read.
# Each command runs under `timeout 20` only to turn a hang into a failure;
# the verdict is the message and a status other than timeout's 124.
source "$(dirname "$0")/helpers.bash"

M=$(wasm arith) || exit 1
F=$TMP/pipe.wasm
mkfifo "$F"

# refuses WHAT ARGS...: weft ARGS... ends (not 124) with status 1 and says
# the file is a FIFO
refuses() {
    local what=$1
    shift
    weft_guarded 20 "$@"
    if [ "$status" -ne 137 ]; then ok; else not_ok "$what: weft blocked on the FIFO (killed)"; fi
    expect_status 1 "$what: exit status"
    expect_stderr_has "not a regular file (a FIFO)" "$what: says it is a FIFO"
}

refuses "run FIFO" run "$F"
refuses "weft FIFO.wasm (shorthand)" "$F"
refuses "run --aot FIFO" run --aot "$F"
refuses "run --allow-precompiled FIFO" run --allow-precompiled "$F"
refuses "validate FIFO" validate "$F"
refuses "inspect FIFO" inspect "$F"
refuses "compile FIFO" compile "$F" -o "$TMP/x.cwasm"
refuses "sign --verify FIFO" sign --verify "$F"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TMP/k.pem" 2>/dev/null
refuses "sign FIFO" sign --key "$TMP/k.pem" --product p --svn 1 "$F" -o "$TMP/s.wasm"
mkfifo "$TMP/key.pem"
weft_guarded 20 sign --key "$TMP/key.pem" --product p --svn 1 "$M" -o "$TMP/s.wasm"
if [ "$status" -ne 137 ] && [ "$status" -ne 0 ]; then ok; else not_ok "sign --key FIFO: must fail without blocking"; fi
expect_stderr_has "not a regular file" "sign --key FIFO: says why"
# a --key-file for protected files is read the same way
mkdir -p "$TMP/pd"
refuses "run --key-file FIFO" run --protected-dir "$TMP/pd::/p" --key-file "$F" "$M"
# a directory is refused too, by what it is
refuses_dir() {
    weft "$@"
    expect_status 1 "$* on a directory: exit status"
    expect_stderr_has "not a regular file (a directory)" "$* on a directory: says so"
}
refuses_dir run "$TMP"
refuses_dir validate "$TMP"
# ends_nonzero WHAT ARGS...: weft ARGS... fails without blocking and says
# the file is not a regular one (the services' readers: policies, secrets,
# device files)
ends_nonzero() {
    local what=$1
    shift
    weft_guarded 20 "$@"
    if [ "$status" -ne 137 ] && [ "$status" -ne 0 ]; then ok; else not_ok "$what: must fail without blocking"; fi
    expect_stderr_has "not a regular file" "$what: says why"
}
"$WEFT" keygen "$TMP/v.pem" --public "$TMP/v.pub" >/dev/null 2>&1
ends_nonzero "verifier --policy FIFO" verifier --listen 127.0.0.1:0 --key "$TMP/v.pem" \
    --policy "$F" --once
printf 'allow-software-rot yes\nmodule %064d secret-file secret-pipe\n' 0 >"$TMP/pol"
mkfifo "$TMP/secret-pipe"
ends_nonzero "verifier policy naming a FIFO secret" verifier --listen 127.0.0.1:0 \
    --key "$TMP/v.pem" --policy "$TMP/pol" --once
"$WEFT" provision --device-dir "$TMP/dev" --endorser-key "$TMP/v.pem" >/dev/null 2>&1
mv "$TMP/dev/device.key" "$TMP/dev/device.key.orig"
mkfifo "$TMP/dev/device.key"
ends_nonzero "run --account with a FIFO device.key" run --device-dir "$TMP/dev" \
    --account "$TMP/acct.json" --invoke add "$M" 1 2
rm -f "$TMP/dev/device.key"
mv "$TMP/dev/device.key.orig" "$TMP/dev/device.key"
rm -f "$TMP/dev/endorsement.cose"
mkfifo "$TMP/dev/endorsement.cose"
ends_nonzero "run --attest with a FIFO endorsement" run --device-dir "$TMP/dev" \
    --attest 127.0.0.1:9 --verifier-key "$TMP/v.pub" --invoke add "$M" 1 2

# and a regular file is still read
weft validate "$M"
expect_status 0 "validate a regular file"

done_testing
