#!/bin/busybox sh
# init.sh — /init of the TrustZone tier's initramfs (tests/tz/run.sh makes
# it). Every boot: loads OP-TEE's Linux driver and the 9p modules, mounts
# the secure-storage backing (the host directory shared as "teestore") on
# /data/tee and starts tee-supplicant (it loads the weft TA from
# /lib/optee_armtz and keeps OP-TEE's REE FS under /data/tee).
# Boot 1 (tzboot=1 on the kernel command line): for each bench kernel in
# /tests/kernels.txt ("name n fuel checksum", checksum and fuel from x86-64)
# runs it with weft-tz in the TA and in this normal-world process
# (--local), interleaved, checks checksum and fuel used, prints the times;
# runs every converted spec script in /tests/spec/; runs the WASI programs
# in the TA (args, environment, clocks, random, stdout/stderr; files in
# secure storage: written, read back, listed). Boot 2: the WASI program
# reads its files back after the reboot; then, as a hostile normal world,
# flips a byte in each data block of the files backing the objects and
# checks the TA refuses them. Attestation (docs/trustzone.md): boot 1
# has the TA make its key; boot 2, before the flips, provisions it and
# attests through the relay on /relay (the released, changed-module,
# changed-TA and replay cases). Powers off. Every check prints one line "TZ-PASS what",
# "TZ-FAIL what: why" or "TZ-SKIP what: why"; timings print "TZ-BENCH name
# round ta_wall_us ta_us local_wall_us local_us"; the last line is
# "TZ-DONE". tests/tz/run.sh counts them.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
boot=$(sed -n 's/.*tzboot=\([0-9]*\).*/\1/p' /proc/cmdline)
echo "TZ-BOOT $boot $(cut -d' ' -f1 /proc/uptime)"
for m in tee optee virtio_mmio netfs fscache 9pnet 9pnet_virtio 9p; do
    insmod /lib/kmod/$m.ko || echo "TZ-FAIL boot $boot: insmod $m"
done
i=0
while [ ! -e /dev/tee0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -e /dev/tee0 ] && echo "TZ-PASS boot $boot: driver /dev/tee0" || echo "TZ-FAIL boot $boot: no /dev/tee0"
if mount -t 9p -o trans=virtio,version=9p2000.L teestore /data/tee; then
    echo "TZ-PASS boot $boot: secure-storage backing mounted on /data/tee"
else
    echo "TZ-FAIL boot $boot: cannot mount the secure-storage backing"
fi
# The attestation relay (docs/trustzone.md, Attestation): a host directory
# shared as "relay", where tests/tz/relay.py carries frames to and from
# `weft verifier` on the host.
mkdir -p /relay
mount -t 9p -o trans=virtio,version=9p2000.L relay /relay ||
    echo "TZ-FAIL boot $boot: cannot mount the attestation relay"
# The REE time the TA's evidence carries (iat) is this clock: set it from
# the host's when the guest has none.
hostnow=$(sed -n 's/.*tzdate=\([0-9]*\).*/\1/p' /proc/cmdline)
[ "$(date +%Y)" -lt 2024 ] && [ -n "$hostnow" ] && date -s "@$hostnow" >/dev/null
tee-supplicant -d
i=0
while [ ! -e /dev/teepriv0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
pidof tee-supplicant >/dev/null && echo "TZ-PASS boot $boot: tee-supplicant running" ||
    echo "TZ-FAIL boot $boot: tee-supplicant not running"

# wasi NAME EXPECT-EXIT PROGRAM-ARG...: runs /tests/wasi/NAME.wasm in the TA
# with weft-tz wasi; its stdout must equal /tests/wasi/NAME.ARG1.out (when
# that file exists) and its exit status EXPECT-EXIT.
wasi() {
    name=$1 want=$2
    shift 2
    weft-tz wasi --env TZ_GREETING=hello-from-the-normal-world /tests/wasi/$name.wasm "$@" \
        >/tmp/wout 2>/tmp/werr
    rc=$?
    exp=/tests/wasi/$name.$1.out
    if [ "$rc" != "$want" ]; then
        echo "TZ-FAIL wasi $name $*: exit $rc, expected $want: $(head -3 /tmp/werr | tr '\n' ' ')"
    elif [ -f "$exp" ] && ! cmp -s /tmp/wout "$exp"; then
        echo "TZ-FAIL wasi $name $*: stdout differs: $(head -3 /tmp/wout | tr '\n' ' ')"
    else
        echo "TZ-PASS wasi $name $*: exit $rc$(head -1 /tmp/werr | sed 's/^./: &/')"
    fi
    sed 's/^/  | /' /tmp/wout /tmp/werr | head -20
}

# attest NAME TARGET MODULE WANT [REPLAY]: attests MODULE from the TA to
# the verifier TARGET through the relay (session directory /relay/NAME).
# WANT "released": the TA must report the SHA-256 of the verifier's
# secret, and the attested program, run in the TA, the FNV-1a of the
# secret it was given (/relay/secret.sha256 and secret.fnv: hashes only,
# the secret itself never reaches the normal world); otherwise WANT is
# the reason the TA must give. REPLAY: the session whose msg2 the relay sends instead.
attest() {
    mkdir -p /relay/$1
    echo "$2" >/relay/$1/target
    [ -n "${5:-}" ] && echo "$5" >/relay/$1/replay
    weft-tz attest --relay /relay/$1 "$3" >/tmp/aout 2>/tmp/aerr
    rc=$?
    if [ "$4" = released ]; then
        want=$(cat /relay/secret.sha256)
        fnv=$(cat /relay/secret.fnv)
        if [ $rc = 0 ] && grep -q "sha256 $want\$" /tmp/aout && grep -q "fnv1a64 $fnv\$" /tmp/aout; then
            echo "TZ-PASS attest $1: secret released into the TA, the attested program read it ($(tail -1 /tmp/aout))"
        else
            echo "TZ-FAIL attest $1: exit $rc: $(cat /tmp/aout /tmp/aerr | head -3 | tr '\n' ' ')"
        fi
    elif [ $rc = 1 ] && grep -q "$4" /tmp/aerr; then
        echo "TZ-PASS attest $1: refused, the TA says: $(head -1 /tmp/aerr)"
    else
        echo "TZ-FAIL attest $1: exit $rc, expected the reason '$4': $(cat /tmp/aout /tmp/aerr | head -3 | tr '\n' ' ')"
    fi
}

if [ "$boot" = 2 ]; then
    wasi files 0 check
    # Attestation, before the flips below damage every secure-storage
    # object. The host endorsed the key boot 1 printed; the TA stores the
    # endorsement and pins the verifier's key, and must still hold the same
    # key after the reboot.
    if weft-tz attest-provision /relay/endorsement.cose /relay/verifier.raw >/tmp/pk 2>/tmp/aerr &&
        cmp -s /tmp/pk /relay/ta-key; then
        echo "TZ-PASS attest provision: endorsement stored; the TA's key survived the reboot in secure storage"
    else
        echo "TZ-FAIL attest provision: $(cat /tmp/aerr /tmp/pk | head -3 | tr '\n' ' ')"
    fi
    attest good A /tests/wasi/secret.wasm released
    attest module A /tests/wasi/files.wasm "module measurement mismatch"
    attest ta B /tests/wasi/secret.wasm "runtime measurement mismatch"
    attest replay A /tests/wasi/secret.wasm "msg2 MAC mismatch" good
    # The verifier accepts, but the relay flips a bit of msg3 on its way:
    # the TA must refuse to open it (and run nothing).
    mkdir -p /relay/tamper && : >/relay/tamper/tamper
    attest tamper A /tests/wasi/secret.wasm "secret does not decrypt"
    # The same program in a session that attested nothing gets no secret.
    weft-tz wasi /tests/wasi/secret.wasm >/tmp/wout 2>&1
    rc=$?
    if [ $rc = 1 ] && grep -q '^no secret$' /tmp/wout; then
        echo "TZ-PASS attest unattested: the program finds no secret outside an attested session"
    else
        echo "TZ-FAIL attest unattested: exit $rc: $(head -2 /tmp/wout | tr '\n' ' ')"
    fi
    # A hostile normal world: in each file that backs an object, one byte
    # flipped in each data block (tests/tz/flip.c; dirf.db, the directory,
    # is left alone so the names still list). The TA must refuse to read
    # them.
    n=0
    for f in /data/tee/*; do
        case $f in */dirf.db) continue ;; esac
        [ -f "$f" ] && tz-flip "$f" && n=$((n + 1))
    done
    [ $n -gt 0 ] && echo "TZ-PASS boot 2: flipped a byte in $n backing files" ||
        echo "TZ-FAIL boot 2: no backing file to flip"
    wasi files 3 tampered
    echo "TZ-DONE"
    poweroff -f
fi

# one KERNEL N FUEL SUM MODE: run it, check, print the times as "wall ta".
one() {
    if [ "$5" = local ]; then loc=--local; else loc=; fi
    out=$(weft-tz run $loc --time --fuel 1000000000000 --invoke run /k/$1.wasm $2 2>/tmp/err)
    rc=$?
    fuel=$(sed -n 's/^fuel used: //p' /tmp/err)
    sum=$(( (out + 4294967296) % 4294967296 ))
    if [ $rc -ne 0 ]; then
        echo "TZ-FAIL kernel $1 $5: exit $rc: $(grep -v '^fuel\|^time' /tmp/err | head -1)"
    elif [ "$sum" != "$4" ] || [ "$fuel" != "$3" ]; then
        echo "TZ-FAIL kernel $1 $5: checksum $sum fuel $fuel, x86-64 has $4 fuel $3"
    else
        echo "TZ-PASS kernel $1 $5: checksum $sum fuel $fuel"
    fi
    sed -n 's/^time: wall \([0-9]*\) us, ta \([0-9]*\) us/\1 \2/p' /tmp/err
}

rounds=$(cat /tests/rounds)
while read -r k n fuel sum; do
    r=1
    while [ $r -le $rounds ]; do
        # Interleaved: the TA, then the same core in this process.
        ta=$(one $k $n $fuel $sum ta)
        lo=$(one $k $n $fuel $sum local)
        [ $r = 1 ] && { echo "$ta" | grep '^TZ-'; echo "$lo" | grep '^TZ-'; }
        echo "TZ-BENCH $k $r $(echo "$ta" | tail -1) $(echo "$lo" | tail -1)"
        r=$((r + 1))
    done
done < /tests/kernels.txt

for s in /tests/spec/*.tz; do
    [ -e "$s" ] || continue
    weft-tz spec "$s" > /tmp/spec 2>&1
    rc=$?
    grep -v '^spec ' /tmp/spec | head -20
    line=$(grep '^spec ' /tmp/spec)
    if [ $rc -eq 0 ] && [ -n "$line" ]; then echo "TZ-PASS $line"; else echo "TZ-FAIL ${line:-spec $s: exit $rc}"; fi
    # Commands excluded with a reason (tests/tz/excluded.txt) count as skipped.
    sed -n "s|^skip line \([0-9]*\): excluded: \(.*\)|TZ-SKIP spec $(basename $s .tz) line \1: \2|p" "$s"
done

wasi basics 7 one two
wasi files 0 write
# Attestation, part 1: the TA makes its key (in secure storage) and
# reports it with its measurement; the host endorses it between the boots.
if weft-tz attest-key >/relay/ta-key 2>/tmp/aerr && grep -q '^ta-key 04' /relay/ta-key; then
    echo "TZ-PASS attest key: made in the TA, $(head -c 40 /relay/ta-key)..."
else
    echo "TZ-FAIL attest key: $(head -2 /tmp/aerr | tr '\n' ' ')"
fi
echo "TZ-DONE"
poweroff -f
