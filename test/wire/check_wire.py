#!/usr/bin/env python3
"""Wire check: Wireshark's MSRP dissector decodes every chunk msrp-asio writes.

usage: check_wire.py <wire-exchange executable>

Captures loopback with tshark while wire-exchange runs one exchange on a free
port, then lists every TCP data segment that is not part of a reassembled
message. Each must be decoded as MSRP (a transaction id), none may carry
Wireshark's malformed flag, and the decoded messages must be exactly the
chunks wire-exchange reports having written, in order.

Exits 77 (skipped) only when capturing is impossible here (no tshark, or no
permission to capture on the loopback interface).
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    exchange = sys.argv[1]
    tshark = shutil.which("tshark")
    if not tshark:
        print("SKIP: tshark is not installed (scripts/setup-deps.sh installs it)")
        return SKIP
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="msrp-wire-")
    pcap = os.path.join(workdir, "exchange.pcapng")
    capture = subprocess.Popen(
        [tshark, "-i", "lo", "-f", "tcp port %d" % port, "-w", pcap, "-a", "duration:60"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        # tshark says "Capturing on 'Loopback: lo'" once it is capturing.
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(capture.stderr), daemon=True)
        reader.start()
        deadline = time.monotonic() + 15
        while not any("Capturing on" in l for l in lines):
            if capture.poll() is not None:
                reader.join(timeout=2)
                seen = "".join(lines)
                if "ermission" in seen:
                    print("SKIP: no permission to capture on lo:\n" + seen)
                    return SKIP
                print("FAIL: tshark stopped before capturing:\n" + seen)
                return 1
            if time.monotonic() > deadline:
                print("FAIL: tshark did not start capturing within 15 s:\n" + "".join(lines))
                return 1
            time.sleep(0.05)
        time.sleep(0.3)
        run = subprocess.run([exchange, str(port)], capture_output=True, text=True, timeout=30)
        if run.returncode != 0:
            print("FAIL: wire-exchange failed:\n" + run.stderr)
            return 1
        sent = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
        time.sleep(0.5)
    finally:
        if capture.poll() is None:
            capture.send_signal(signal.SIGINT)
            try:
                capture.wait(timeout=10)
            except subprocess.TimeoutExpired:
                capture.kill()
                capture.wait()

    fields = ["frame.number", "tcp.srcport", "tcp.dstport", "tcp.len", "msrp.transaction.id", "msrp.method",
              "msrp.status.code", "msrp.byte.range", "_ws.malformed"]
    listing = subprocess.run(
        [tshark, "-r", pcap, "-d", "tcp.port==%d,msrp" % port, "-2", "-Y", "tcp.len>0 && !tcp.reassembled_in",
         "-T", "fields", "-E", "occurrence=f", "-E", "separator=|"] + sum([["-e", f] for f in fields], []),
        capture_output=True, text=True, timeout=60)
    if listing.returncode != 0:
        print("FAIL: tshark could not read the capture:\n" + listing.stderr)
        return 1
    decoded = []
    problems = []
    for line in listing.stdout.splitlines():
        row = dict(zip(fields, line.split("|")))
        if not row.get("msrp.transaction.id"):
            problems.append("segment not decoded as MSRP: " + line)
            continue
        if row.get("_ws.malformed"):
            problems.append("malformed: " + line)
        decoded.append(row)
    print("%d chunks written, %d MSRP messages decoded" % (len(sent), len(decoded)))
    for s, d in zip(sent, decoded):
        want = (s["tid"], s.get("method", ""), s.get("status", ""), s["byte_range"])
        got = (d["msrp.transaction.id"], d.get("msrp.method", ""), d.get("msrp.status.code", ""),
               d.get("msrp.byte.range", ""))
        if want != got:
            problems.append("expected %r, dissector says %r" % (want, got))
    if len(sent) != len(decoded):
        problems.append("%d chunks written but %d decoded" % (len(sent), len(decoded)))
    if len(sent) < 10:
        problems.append("the exchange wrote only %d chunks" % len(sent))
    shutil.rmtree(workdir, ignore_errors=True)
    if problems:
        print("FAIL:\n  " + "\n  ".join(problems))
        return 1
    print("OK: every chunk decoded, none malformed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
