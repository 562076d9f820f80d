#!/bin/busybox sh
# init.sh — /init of the TrustZone tier's initramfs (tests/tz/run.sh makes
# it): loads OP-TEE's Linux driver, then for each bench kernel in
# /tests/kernels.txt ("name n fuel checksum", checksum and fuel from
# x86-64) runs it with weft-tz in the TA and in this normal-world process
# (--local), interleaved, checks checksum and fuel used, prints the times;
# runs every converted spec script in /tests/spec/; powers off. Every check
# prints one line "TZ-PASS what" or "TZ-FAIL what: why"; timings print
# "TZ-BENCH name round ta_wall_us ta_us local_wall_us local_us"; the last
# line is "TZ-DONE". tests/tz/run.sh counts them.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "TZ-BOOT $(cut -d' ' -f1 /proc/uptime)"
insmod /lib/tee.ko && insmod /lib/optee.ko || echo "TZ-FAIL modules: insmod"
i=0
while [ ! -e /dev/tee0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -e /dev/tee0 ] && echo "TZ-PASS driver: /dev/tee0" || echo "TZ-FAIL driver: no /dev/tee0"

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
done
echo "TZ-DONE"
poweroff -f
