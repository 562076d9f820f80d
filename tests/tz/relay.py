#!/usr/bin/env python3
"""relay.py — the host's half of the TrustZone tier's attestation transport
(docs/trustzone.md, Attestation). The guest has no network device (the
firmware's kernel modules carry none); it shares a directory with the host
over virtio-9p instead. `weft-tz attest --relay DIR/S` writes each frame for
the verifier as S/a2v.N; this bridge sends it to `weft verifier` over TCP
(the verifier's 4-byte length framing) and writes the answer as S/v2a.N (an
empty file when the verifier closed the connection). It sees exactly what a
network would: key shares, signed and MACed evidence, an encrypted secret.

Per session directory S, written by the guest before the first frame:
  S/target  the verifier's name (NAME=PORT on the command line)
  S/replay  optional: the name of an earlier session; its msg2 (a2v.1) is
            sent instead of this session's (the replay attack of the tests)
  S/tamper  optional: the last byte of the verifier's msg3 (in its GCM
            tag) is flipped on the way to the guest

usage: relay.py DIR NAME=PORT... ; stops when DIR/stop exists.
"""
import os
import socket
import struct
import sys
import threading
import time

TIMEOUT = 600  # seconds a session may take (TCG emulation is slow)


def log(msg):
    print("relay: " + msg, flush=True)


def wait_file(path, deadline):
    while time.time() < deadline:
        if os.path.exists(path):
            return True
        time.sleep(0.05)
    return False


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def write_atomic(path, data):
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path))
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


def session(root, name, ports):
    s = os.path.join(root, name)
    deadline = time.time() + TIMEOUT
    try:
        target = open(os.path.join(s, "target")).read().strip()
        port = ports[target]
        replay = None
        tamper = os.path.exists(os.path.join(s, "tamper"))
        if os.path.exists(os.path.join(s, "replay")):
            replay = open(os.path.join(s, "replay")).read().strip()
        sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    except (OSError, KeyError) as e:
        log(f"{name}: cannot start: {e}")
        write_atomic(os.path.join(s, "v2a.0"), b"")
        return
    k = 0
    while True:
        a2v = os.path.join(s, f"a2v.{k}")
        if not wait_file(a2v, deadline):
            log(f"{name}: no frame {k} from the guest")
            break
        data = open(a2v, "rb").read()
        if k == 1 and replay:
            data = open(os.path.join(root, replay, "a2v.1"), "rb").read()
            log(f"{name}: frame 1 replaced by {replay}'s msg2 ({len(data)} bytes)")
        sock.sendall(struct.pack(">I", len(data)) + data)
        head = recv_exact(sock, 4)
        body = recv_exact(sock, struct.unpack(">I", head)[0]) if head else None
        if body and tamper and len(body) > 1 and body[1] == 3:
            body = body[:-1] + bytes([body[-1] ^ 1])
            log(f"{name}: msg3's last byte flipped")
        write_atomic(os.path.join(s, f"v2a.{k}"), body or b"")
        if body is None:
            log(f"{name}: verifier closed the connection after frame {k}")
            break
        # [type, ...]: msg3 (3) and a refusal (4) end the handshake.
        kind = body[1] if len(body) > 1 else -1
        log(f"{name}: frame {k} -> {len(data)} bytes, answer type {kind}")
        if kind in (3, 4):
            break
        k += 1
    sock.close()


def main():
    root = sys.argv[1]
    ports = {}
    for arg in sys.argv[2:]:
        name, port = arg.split("=")
        ports[name] = int(port)
    seen = set()
    while not os.path.exists(os.path.join(root, "stop")):
        for name in sorted(os.listdir(root)):
            path = os.path.join(root, name)
            if name in seen or not os.path.isdir(path):
                continue
            if os.path.exists(os.path.join(path, "a2v.0")):
                seen.add(name)
                log(f"session {name}")
                threading.Thread(target=session, args=(root, name, ports),
                                 daemon=True).start()
        time.sleep(0.1)


if __name__ == "__main__":
    main()
