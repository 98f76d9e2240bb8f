#!/usr/bin/env python3
"""The `msrp` command-line tool, run as a user runs it: `msrp demo`, two
`msrp chat` processes talking through pipes, and the errors a person gets.

Usage: cli_test.py PATH/TO/msrp
Every wait is bounded; every process started is killed at the end.
"""

import json
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time

MSRP = sys.argv[1]
WAIT = 15  # seconds, a backstop for each step
children = []
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)
    return cond


class Proc:
    """A child whose stdout lines are collected by a thread."""

    def __init__(self, *args):
        self.p = subprocess.Popen([MSRP, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        children.append(self.p)
        self.lines = queue.Queue()
        self.seen = []
        self.err = []
        threading.Thread(target=self._pump, args=(self.p.stdout, self.lines), daemon=True).start()
        threading.Thread(target=self._collect_err, daemon=True).start()

    @staticmethod
    def _pump(stream, q):
        for line in stream:
            q.put(line.rstrip("\n"))
        q.put(None)

    def _collect_err(self):
        for line in self.p.stderr:
            self.err.append(line)

    def expect(self, pred, what):
        """The next stdout lines until one satisfies pred (bounded)."""
        until = time.monotonic() + WAIT
        while time.monotonic() < until:
            try:
                line = self.lines.get(timeout=max(0.01, until - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            self.seen.append(line)
            if pred(line):
                return line
        check(False, f"{what}: not seen; output so far: {self.seen}, stderr: {''.join(self.err)}")
        return None

    def expect_event(self, event, **fields):
        def match(line):
            try:
                e = json.loads(line)
            except json.JSONDecodeError:
                return False
            return e.get("event") == event and all(e.get(k) == v for k, v in fields.items())
        line = self.expect(match, f"event {event} {fields}")
        return json.loads(line) if line else None

    def say(self, text):
        self.p.stdin.write(text + "\n")
        self.p.stdin.flush()

    def close_input(self):
        self.p.stdin.close()

    def wait(self):
        try:
            return self.p.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            check(False, f"{self.p.args} did not exit")
            self.p.kill()
            return None


def run(*args):
    r = subprocess.run([MSRP, *args], capture_output=True, text=True, timeout=WAIT * 2)
    return r.returncode, r.stdout, r.stderr


def test_demo():
    code, out, err = run("demo")
    check(code == 0, f"msrp demo exits 0 (got {code}, stderr {err})")
    for expected in [
        "Bob: <- Alice <sip:alice@example.com>: Hi Bob! Are you there?  (text/plain in message/cpim",
        "Alice: <- Bob <sip:bob@example.com>: Same here. Bye!",
        "Bob: Alice is typing...",
        "Alice: delivered ",
        "Bob: delivered ",
        "summary: 4 messages sent, 4 delivered, 0 not delivered",
    ]:
        check(expected in out, f"demo output has {expected!r}:\n{out}")
    check(out.index("Hi Bob! Are you there?") < out.index("Same here. Bye!"), "demo lines in order")

    code, out, err = run("demo", "--json")
    check(code == 0, "msrp demo --json exits 0")
    events = [json.loads(line) for line in out.splitlines()]
    kinds = [e["event"] for e in events]
    check(kinds.count("message") == 4, f"4 message events: {kinds}")
    check(kinds.count("delivered") == 4, "4 delivered events")
    check("composing" in kinds, "composing events")
    got = [e for e in events if e["event"] == "message"]
    check(all(e["cpim"] and e["content_type"] == "text/plain" for e in got), "messages came in message/cpim")
    check(got[0]["from"] == "sip:alice@example.com" and got[0]["chat"] == "Bob", "first message from Alice to Bob")


def test_two_processes(tls):
    listen_args = ["chat", "--listen", "127.0.0.1:0", "--json", "--uri", "sip:bob@test", "--name", "Bob",
                   "--remote-uri", "sip:alice@test"]
    if tls:
        listen_args.append("--tls")
    bob = Proc(*listen_args)
    ready = bob.expect_event("listening")
    if not ready:
        return
    path = ready["path"]
    check(path.startswith("msrps://" if tls else "msrp://127.0.0.1:"), f"listening path {path}")
    connect_args = ["chat", "--connect", path, "--json", "--uri", "sip:alice@test", "--name", "Alice",
                    "--remote-uri", "sip:bob@test"]
    if tls:
        check(ready.get("fingerprint", "").startswith("sha-256 "), "TLS listener prints its fingerprint")
        connect_args += ["--fingerprint", ready["fingerprint"]]
    alice = Proc(*connect_args)
    alice.expect_event("connected", remote_path=path)
    bob.expect_event("connected")

    alice.say("hello bob")
    m = bob.expect_event("message", content="hello bob")
    if m:
        check(m["from"] == "sip:alice@test" and m["display_name"] == "Alice", f"sender shown: {m}")
        check(m["cpim"] and "datetime" in m, "CPIM with DateTime")
    sent = alice.expect_event("sent", content="hello bob")
    if sent:
        alice.expect_event("delivered", message_id=sent["message_id"])
    bob.say("hi alice")
    alice.expect_event("message", content="hi alice", **{"from": "sip:bob@test"})

    # The end of Alice's input ends her chat; Bob sees the peer leave.
    alice.close_input()
    alice.expect_event("ended")
    check(alice.wait() == 0, "alice exits 0")
    bob.expect_event("failed", context="reading")
    bob.expect_event("ended")
    check(bob.wait() == 0, "bob exits 0 when the peer closes")


def test_text_mode_prints_the_path():
    bob = Proc("chat", "--listen", "127.0.0.1:0", "--timeout", "2")
    line = bob.expect(lambda l: l.startswith("a=path:"), "a=path line")
    check(line is not None and line.startswith("a=path:msrp://127.0.0.1:"), f"text mode path line {line}")
    # No peer comes: the listener gives up after --timeout.
    bob.close_input()
    code = bob.wait()
    check(code == 1, f"a listener nobody binds to exits 1 (got {code})")
    check(any("no peer bound to 127.0.0.1:0" in e for e in bob.err), f"says why: {bob.err}")


def test_wrong_fingerprint():
    bob = Proc("chat", "--listen", "127.0.0.1:0", "--tls", "--json", "--timeout", "3")
    ready = bob.expect_event("listening")
    if not ready:
        return
    forged = "sha-256 " + ":".join(["00"] * 32)
    code, out, err = run("chat", "--connect", ready["path"], "--fingerprint", forged, "--timeout", "3")
    check(code == 1, f"a wrong fingerprint exits 1 (got {code})")
    check("cannot connect to" in err and "fingerprint" in err, f"says the fingerprint is wrong: {err}")
    bob.close_input()
    bob.wait()


def test_traffic_log(tmpdir):
    log = f"{tmpdir}/traffic.jsonl"
    code, out, err = run("demo", "--log", "json", "--log-file", log)
    check(code == 0, f"demo with a JSON traffic log exits 0 ({err})")
    with open(log) as f:
        records = [json.loads(line) for line in f]
    sends = [r for r in records if r.get("direction") == "out" and r.get("starts_chunk")
             and " SEND\r\n" in r.get("bytes", "")]
    check(len(sends) >= 4, f"the log has the SENDs: {len(sends)}")
    check(any("Content-Type: message/cpim" in r["bytes"] for r in sends), "CPIM on the wire")
    check(any(r.get("event") == "bound" for r in records), "the log has the binding")

    code, out, err = run("demo", "--log", "text")
    check(code == 0 and "MSRP " in err and "SEND" in err, "text traffic log on stderr")


def test_errors():
    code, out, err = run("chat", "--connect", "http://example.com/")
    check(code == 2, f"a bad path exits 2 (got {code})")
    check("is not an MSRP path" in err, f"bad path message: {err}")

    code, out, err = run("chat", "--listen", "127.0.0.1")
    check(code == 2 and "HOST:PORT" in err, f"bad listen address: {code} {err}")

    code, out, err = run("chat", "--listen", "127.0.0.1:0", "--bogus")
    check(code == 2 and "unknown option" in err, f"unknown option: {code} {err}")

    code, out, err = run("frobnicate")
    check(code == 2 and "unknown command" in err, f"unknown command: {code} {err}")

    code, out, err = run("--help")
    check(code == 0 and "msrp chat --listen" in out, "help")

    # Port in use.
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    port = holder.getsockname()[1]
    code, out, err = run("chat", "--listen", f"127.0.0.1:{port}")
    check(code == 1, f"port in use exits 1 (got {code})")
    check(f"cannot listen on 127.0.0.1:{port}" in err and "in use" in err, f"port in use message: {err}")
    holder.close()

    # Nobody listening: refused.
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    free = probe.getsockname()[1]
    probe.close()
    code, out, err = run("chat", "--connect", f"msrp://127.0.0.1:{free}/abcd;tcp")
    check(code == 1, f"refused exits 1 (got {code})")
    check("cannot connect to" in err and "refused" in err.lower(), f"refused message: {err}")


def main():
    try:
        test_demo()
        test_two_processes(tls=False)
        test_two_processes(tls=True)
        test_text_mode_prints_the_path()
        test_wrong_fingerprint()
        with tempfile.TemporaryDirectory() as tmpdir:
            test_traffic_log(tmpdir)
        test_errors()
    finally:
        for c in children:
            if c.poll() is None:
                c.kill()
                c.wait()
    if failures:
        print(f"{len(failures)} check(s) failed", flush=True)
        sys.exit(1)
    print("all cli checks passed")


if __name__ == "__main__":
    main()
