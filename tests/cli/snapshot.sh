#!/usr/bin/env bash
# snapshot.sh — `weft run --snapshot-dir` and `weft restore`
# (docs/snapshot.md): a program stopped by --snapshot-at-fuel or SIGUSR1,
# or while blocked reading stdin, continues from its snapshot with the
# same output and total fuel; --snapshot-continue and --checkpoint-every
# checkpoint and go on; an invoked function's results come after restore.
# Attacks on the file: a changed byte anywhere, a cut, another key, a
# plain file where a shielded one is expected (and the reverse), a newer
# format version, another module's hash; the directory: not private, a
# symlink planted at snapshot.weft. Refusals: --aot, options restore
# does not take, no SNAPSHOT.
source "$(dirname "$0")/helpers.bash"

T=$(wasm snaptick) || exit 1
E=$(wasm snapecho) || exit 1
D=$TMP/snaps
KEY=$TMP/key
head -c 32 /dev/urandom >"$KEY"
head -c 32 /dev/urandom >"$TMP/other.key"
LETTERS=$(printf '%s\n' {a..z})

# fuel_used FILE: the fuel_used field of an --account record
fuel_used() { sed -n 's/.*"fuel_used": \([0-9]*\).*/\1/p' "$1"; }

weft run --snapshot-dir "$TMP/ref" --account "$TMP/ref.json" "$T"
expect_stdout "$LETTERS" "uninterrupted run"
TOTAL=$(fuel_used "$TMP/ref.json")
[ -n "$TOTAL" ] && [ "$TOTAL" -gt 100000 ] && ok || not_ok "reference fuel '$TOTAL'"
[ ! -e "$TMP/ref/snapshot.weft" ] && ok || not_ok "no snapshot without a request"

# --snapshot-at-fuel at points across the run: the output before plus the
# output after is the whole, and the fuel is the same.
for n in 1 777 100001 2000003 4000037 $((TOTAL - 5)); do
    rm -rf "$D"
    weft run --snapshot-dir "$D" --snapshot-at-fuel "$n" "$T"
    expect_status 0 "stopped at fuel $n"
    expect_stderr_has "stopped; snapshot saved to $D/snapshot.weft" "stop message at $n"
    before=$stdout
    weft restore --account "$TMP/r.json" "$D/snapshot.weft"
    expect_status 0 "restored from fuel $n"
    all=$(printf '%s\n%s' "$before" "$stdout" | sed '/^$/d')
    [ "$all" = "$LETTERS" ] && ok || not_ok "output around fuel $n: $(echo "$all" | tr -d '\n')"
    used=$(fuel_used "$TMP/r.json")
    [ "$used" = "$TOTAL" ] && ok || not_ok "fuel around $n: $used != $TOTAL"
done

# A chain: snapshot, restore and snapshot again twice more, restore.
rm -rf "$D"
weft run --snapshot-dir "$D" --snapshot-at-fuel 1000000 "$T"
out=$stdout
for n in 2500000 4000000; do
    weft restore --snapshot-dir "$D" --snapshot-at-fuel "$n" "$D/snapshot.weft"
    expect_status 0 "chain: restored and stopped again at $n"
    out=$(printf '%s\n%s' "$out" "$stdout")
done
weft restore --account "$TMP/c.json" "$D/snapshot.weft"
out=$(printf '%s\n%s' "$out" "$stdout" | sed '/^$/d')
[ "$out" = "$LETTERS" ] && ok || not_ok "chain output: $(echo "$out" | tr -d '\n')"
[ "$(fuel_used "$TMP/c.json")" = "$TOTAL" ] && ok || not_ok "chain fuel"

# --snapshot-continue: the snapshot is a checkpoint, the run goes on.
rm -rf "$D"
weft run --snapshot-dir "$D" --snapshot-at-fuel 3000000 --snapshot-continue "$T"
expect_stdout "$LETTERS" "checkpoint and go on"
[ -f "$D/snapshot.weft" ] && ok || not_ok "checkpoint written"
weft restore "$D/snapshot.weft"
n=$(printf '%s\n' "$stdout" | wc -l)
[ "$n" -gt 0 ] && [ "$n" -lt 26 ] && [ "$(printf '%s\n' "$stdout" | tail -1)" = z ] &&
    ok || not_ok "restoring the checkpoint finishes the rest ($n lines)"

# --invoke: the results of the invoked function are printed after restore.
F=$(wasm fuel) || exit 1
rm -rf "$D"
weft run --snapshot-dir "$D" --snapshot-at-fuel 5000 --invoke spin "$F" 100000
expect_stdout "" "invoked function stopped before its result"
weft restore "$D/snapshot.weft"
expect_stdout 100000 "its result printed by restore"

# --checkpoint-every: checkpoints while the program runs to its end (a
# slice of 4 Mi fuel takes well over 1 ms in the interpreter).
rm -rf "$D"
weft run --snapshot-dir "$D" --checkpoint-every 0.001 --invoke spin "$F" 20000000
expect_stdout 20000000 "periodic checkpoints do not change the result"
[ -f "$D/snapshot.weft" ] && ok || not_ok "a periodic checkpoint was written"
weft restore "$D/snapshot.weft"
expect_stdout 20000000 "the last checkpoint finishes the call"

# SIGUSR1 while computing: stops at the next safe point.
rm -rf "$D"
"$WEFT" run --snapshot-dir "$D" --invoke spin "$F" 0 \
    >"$TMP/s.out" 2>"$TMP/s.err" </dev/null &
pid=$!
watch "$pid" 60
for _ in $(seq 100); do [ -s "$TMP/s.err" ] || [ -e /proc/$pid/status ] && break; sleep 0.05; done
sleep 0.3
kill -USR1 "$pid"
wait "$pid"
st=$?
unwatch
[ "$st" = 0 ] && ok || not_ok "SIGUSR1 stops an endless loop with status 0 (got $st)"
[ -f "$D/snapshot.weft" ] && ok || not_ok "SIGUSR1 snapshot written"

# SIGUSR2: a checkpoint; the program goes on (until SIGUSR1 stops it).
rm -rf "$D"
"$WEFT" run --snapshot-dir "$D" --invoke spin "$F" 0 \
    >"$TMP/u.out" 2>"$TMP/u.err" </dev/null &
pid=$!
watch "$pid" 60
sleep 0.3
kill -USR2 "$pid"
for _ in $(seq 600); do [ -f "$D/snapshot.weft" ] && break; sleep 0.05; done
[ -f "$D/snapshot.weft" ] && ok || not_ok "SIGUSR2 writes a checkpoint"
sleep 0.2
kill -0 "$pid" 2>/dev/null && ok || not_ok "SIGUSR2 does not stop the program"
kill -USR1 "$pid"
wait "$pid"
st=$?
unwatch
[ "$st" = 0 ] && grep -q "stopped; snapshot saved" "$TMP/u.err" && ok ||
    not_ok "SIGUSR1 then stops it (status $st)"

# SIGUSR1 while blocked in fd_read: the call is made again on restore.
rm -rf "$D" "$TMP/fifo"
mkfifo "$TMP/fifo"
"$WEFT" run --snapshot-dir "$D" "$E" <"$TMP/fifo" >"$TMP/b.out" 2>"$TMP/b.err" &
pid=$!
watch "$pid" 60
exec 7>"$TMP/fifo"
for _ in $(seq 200); do [ -s "$TMP/b.out" ] && break; sleep 0.05; done
sleep 0.2
kill -USR1 "$pid"
wait "$pid"
st=$?
unwatch
exec 7>&-
[ "$st" = 0 ] && ok || not_ok "SIGUSR1 in a blocked read stops with status 0 (got $st)"
[ "$(cat "$TMP/b.out")" = ready ] && ok || not_ok "output before the blocked read"
echo hello | "$WEFT" restore "$D/snapshot.weft" >"$TMP/b2.out" 2>"$TMP/b2.err"
st=$?
[ "$st" = 0 ] && [ "$(cat "$TMP/b2.out")" = hello ] && ok ||
    not_ok "the read is made again on restore (status $st, '$(cat "$TMP/b2.out")')"

# ---- shielded snapshots and attacks on the file ----
rm -rf "$D"
weft run --snapshot-dir "$D" --snapshot-key "$KEY" --snapshot-at-fuel 2000000 "$T"
expect_status 0 "shielded snapshot taken"
S=$TMP/shielded.weft
cp "$D/snapshot.weft" "$S"
weft restore --snapshot-key "$KEY" "$S"
expect_status 0 "shielded snapshot restores with its key"
weft restore "$S"
expect_status 2 "shielded snapshot without a key"
expect_stderr_has "give its key with --snapshot-key" "names the missing key"
weft restore --snapshot-key "$TMP/other.key" "$S"
expect_status 2 "shielded snapshot under another key"
expect_stderr_has "does not authenticate" "another key refused"
size=$(stat -c %s "$S")
# a changed byte anywhere: header, nonce, sections, tag
for at in 0 9 13 20 50 60 200 $((size / 2)) $((size - 20)) $((size - 1)); do
    cp "$S" "$TMP/bad.weft"
    # 0x5a, or 0xa5 where the byte already was 0x5a: always a change
    printf '\x5a' | dd of="$TMP/bad.weft" bs=1 seek="$at" conv=notrunc status=none
    cmp -s "$S" "$TMP/bad.weft" &&
        printf '\xa5' | dd of="$TMP/bad.weft" bs=1 seek="$at" conv=notrunc status=none
    weft restore --snapshot-key "$KEY" "$TMP/bad.weft"
    [ "$status" = 2 ] && [ -z "$stdout" ] && ok ||
        not_ok "byte $at changed: status $status, stdout '$stdout'"
done
for cut in 0 7 40 57 $((size / 2)) $((size - 1)); do
    head -c "$cut" "$S" >"$TMP/cut.weft"
    weft restore --snapshot-key "$KEY" "$TMP/cut.weft"
    [ "$status" = 2 ] && ok || not_ok "cut to $cut bytes: status $status"
done
# a newer format version
cp "$S" "$TMP/v2.weft"
printf '\x02' | dd of="$TMP/v2.weft" bs=1 seek=8 conv=notrunc status=none
weft restore --snapshot-key "$KEY" "$TMP/v2.weft"
expect_status 2 "newer format version"
expect_stderr_has "format version 2" "version named"

# plain snapshots: damage is caught by the checksum; a key is refused
rm -rf "$D"
weft run --snapshot-dir "$D" --snapshot-at-fuel 2000000 "$T"
P=$TMP/plain.weft
cp "$D/snapshot.weft" "$P"
weft restore --snapshot-key "$KEY" "$P"
expect_status 2 "plain snapshot when a key is given"
expect_stderr_has "not shielded" "plain refused under a key"
psize=$(stat -c %s "$P")
for at in 30 $((psize / 3)) $((psize - 3)); do
    cp "$P" "$TMP/bad.weft"
    printf '\x5a' | dd of="$TMP/bad.weft" bs=1 seek="$at" conv=notrunc status=none
    cmp -s "$P" "$TMP/bad.weft" && printf '\xa5' | dd of="$TMP/bad.weft" bs=1 seek="$at" conv=notrunc status=none
    weft restore "$TMP/bad.weft"
    expect_status 2 "plain snapshot with byte $at changed"
done
# another module's hash in the header, the checksum made to match: the
# module no longer matches its measurement
python3 - "$P" "$TMP/other.weft" <<'PY'
import hashlib, sys
b = bytearray(open(sys.argv[1], "rb").read())
b[16:48] = hashlib.sha256(b"another module").digest()
b[-32:] = hashlib.sha256(bytes(b[:-32])).digest()
open(sys.argv[2], "wb").write(b)
PY
weft restore "$TMP/other.weft"
expect_status 2 "snapshot claiming another module"
expect_stderr_has "does not match its measurement" "module measurement checked"

# ---- the directory ----
mkdir -p "$TMP/open"
chmod 0777 "$TMP/open"
weft run --snapshot-dir "$TMP/open" "$T"
expect_status 1 "a snapshot directory others can write"
rm -rf "$D"
mkdir -m 0700 "$D"
ln -s "$TMP/victim" "$D/snapshot.weft"
echo precious >"$TMP/victim"
weft run --snapshot-dir "$D" --snapshot-at-fuel 1000 "$T"
expect_status 0 "snapshot beside a planted symlink"
[ "$(cat "$TMP/victim")" = precious ] && [ ! -L "$D/snapshot.weft" ] && ok ||
    not_ok "the planted symlink was followed"

# A snapshot that cannot be taken (a socket cannot move) is reported and
# the program goes on to its end; the exit status says a snapshot was lost.
rm -rf "$D"
weft run --snapshot-dir "$D" --snapshot-at-fuel 1000 --tcplisten 127.0.0.1:0 "$T"
expect_status 1 "a lost snapshot is an error at the end"
expect_stdout "$LETTERS" "the program went on"
expect_stderr_has "snapshot not taken (the program goes on)" "says why it went on"
expect_stderr_has "socket" "names what could not be saved"

# ---- refusals ----
weft run --snapshot-dir "$D" --aot "$T"
expect_status 1 "--aot with snapshots"
expect_stderr_has "snapshots need the interpreter" "--aot refusal says why"
weft run --snapshot-at-fuel 10 "$T"
expect_status 1 "--snapshot-at-fuel without --snapshot-dir"
weft restore --fuel 10 "$S"
expect_status 1 "restore does not take --fuel"
weft restore
expect_status 1 "restore without SNAPSHOT"
weft restore "$T"
expect_status 2 "a module is not a snapshot"
expect_stderr_has "not a weft snapshot" "names what is wrong"

done_testing
