#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/resume.py HOST PORT TLSv1_3|TLSv1_2 [TLS1.2-SUITE] END: resumed
# handshakes until END (Unix time) from one session, taken first; prints
# "resumed N full N failed N". Its records go through memory BIOs, so that
# OpenSSL gets the session's ticket and never what follows it (on a host
# without kTLS, ktlsd's alert). Used by host.sh (on the host, and in the VM
# for make bench).
import socket, ssl, sys, time

host, port, version = sys.argv[1], int(sys.argv[2]), sys.argv[3]
end = float(sys.argv[-1])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.minimum_version = ctx.maximum_version = getattr(ssl.TLSVersion, version)
if len(sys.argv) > 5:
    ctx.set_ciphers(sys.argv[4])


def handshake(session):
    sock = socket.create_connection((host, port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    rx, tx = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(rx, tx, session=session)
    while True:
        try:
            tls.do_handshake()
            break
        except ssl.SSLWantReadError:
            sock.sendall(tx.read())
            data = sock.recv(65536)
            if not data:
                raise ConnectionError("closed in the handshake")
            rx.write(data)
    sock.sendall(tx.read())
    return sock, rx, tls


# A TLS 1.3 ticket follows the handshake: hand OpenSSL one record at a time
# until the session has it, and nothing after. A TLS 1.2 session (its ID, or
# a ticket sent before the server's Finished) is whole with the handshake.
def take_session():
    sock, rx, tls = handshake(None)
    buf = b""
    while version == "TLSv1_3" and not tls.session.has_ticket:
        while len(buf) < 5 or len(buf) < 5 + int.from_bytes(buf[3:5], "big"):
            data = sock.recv(65536)
            if not data:
                raise ConnectionError("closed before a session ticket")
            buf += data
        size = 5 + int.from_bytes(buf[3:5], "big")
        rx.write(buf[:size])
        buf = buf[size:]
        try:
            tls.read(1)
        except ssl.SSLWantReadError:
            pass
    sock.close()
    return tls.session


session = take_session()
resumed = full = failed = 0
while time.time() < end:
    try:
        sock, rx, tls = handshake(session)
    except (OSError, ssl.SSLError):
        failed += 1
        continue
    # Counted once our Finished is out: nothing the server sends after it is read.
    if tls.session_reused:
        resumed += 1
    else:
        full += 1
    sock.close()
print("resumed", resumed, "full", full, "failed", failed)
