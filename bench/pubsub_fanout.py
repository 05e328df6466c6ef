#!/usr/bin/env python3
"""Pub/sub fan-out, Larder vs Redis, side by side.

One publisher, N subscribers of one channel and one pattern subscriber
(PSUBSCRIBE on a pattern matching it): the publisher pipelines PUBLISH
commands (a bounded window of them in flight) and the subscribers, spread
over reader processes, count what arrives. Reported: messages delivered per
second (every subscriber's copies) and publishes per second, from the first
PUBLISH until the last subscriber has every message, for each server, and
the Larder/Redis ratio. Rounds alternate the servers; the ratio is the median
of the per-round ratios (shared machines are noisy).

  bench/pubsub_fanout.py                         # 1,000 subscribers, 20,000 messages, 3 rounds
  bench/pubsub_fanout.py --messages 2000 --rounds 1   # a short smoke run
  bench/pubsub_fanout.py --subscribers 100 --size 512

Every subscriber must receive every message: a reader that misses one (or
sees a byte it did not expect) makes the run fail rather than report.
"""
import argparse
import multiprocessing
import os
import selectors
import socket
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import ROOT, Server  # noqa: E402

CHANNEL = b"fan"
PATTERN = b"fa*"


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def message_length(size, pattern):
    if pattern:
        return len(b"*4\r\n$8\r\npmessage\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n"
                   % (len(PATTERN), PATTERN, len(CHANNEL), CHANNEL, size, b"x" * size))
    return len(b"*3\r\n$7\r\nmessage\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(CHANNEL), CHANNEL, size, b"x" * size))


def reader(port, count, with_pattern, expected_bytes_each, ready, done):
    """Subscribes `count` connections (the first one to the pattern if asked), reports readiness, then reads
    until every connection has its bytes; sends the time it finished (or an error)."""
    try:
        sel = selectors.DefaultSelector()
        socks = []
        for i in range(count):
            s = socket.create_connection(("127.0.0.1", port))
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            pat = with_pattern and i == 0
            cmd = resp(b"PSUBSCRIBE", PATTERN) if pat else resp(b"SUBSCRIBE", CHANNEL)
            s.sendall(cmd)
            want = len(b"*3\r\n$10\r\npsubscribe\r\n$3\r\nfa*\r\n:1\r\n") if pat else \
                len(b"*3\r\n$9\r\nsubscribe\r\n$3\r\nfan\r\n:1\r\n")
            got = b""
            while len(got) < want:
                chunk = s.recv(want - len(got))
                if not chunk:
                    raise RuntimeError("closed while subscribing")
                got += chunk
            s.setblocking(False)
            socks.append((s, expected_bytes_each[1] if pat else expected_bytes_each[0]))
        remaining = {}
        for s, total in socks:
            sel.register(s, selectors.EVENT_READ)
            remaining[s] = total
        ready.send("ready")
        ready.recv()  # go
        left = len(socks)
        while left:
            events = sel.select(timeout=60)
            if not events:
                raise RuntimeError("no data for 60 s, %d subscribers incomplete" % left)
            for key, _ in events:
                s = key.fileobj
                data = s.recv(1 << 17)
                if not data:
                    raise RuntimeError("subscriber disconnected")
                remaining[s] -= len(data)
                if remaining[s] < 0:
                    raise RuntimeError("more data than expected")
                if remaining[s] == 0:
                    sel.unregister(s)
                    left -= 1
        done.send(("ok", time.time()))
        for s, _ in socks:
            s.close()
    except Exception as e:  # reported to the parent, which fails the run
        done.send(("error", repr(e)))


def run_once(server, args):
    payload = b"x" * args.size
    lens = (message_length(args.size, False) * args.messages, message_length(args.size, True) * args.messages)
    procs = []
    per = [args.subscribers // args.readers + (1 if i < args.subscribers % args.readers else 0)
           for i in range(args.readers)]
    for i, n in enumerate(per):
        ready_a, ready_b = multiprocessing.Pipe()
        done_a, done_b = multiprocessing.Pipe()
        # The first reader also holds the pattern subscriber.
        p = multiprocessing.Process(target=reader, args=(server.port, n + (1 if i == 0 else 0), i == 0, lens,
                                                         ready_b, done_b))
        p.start()
        procs.append((p, ready_a, done_a))
    for _, ready, _ in procs:
        if ready.recv() != "ready":
            raise RuntimeError("reader failed to start")
    pub = socket.create_connection(("127.0.0.1", server.port))
    pub.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    one = resp(b"PUBLISH", CHANNEL, payload)
    reply = b":%d\r\n" % (args.subscribers + 1)
    for _, ready, _ in procs:
        ready.send("go")
    start = time.time()
    sent = acked = 0
    buf = b""
    while acked < args.messages:
        if sent < args.messages and sent - acked < args.window:
            n = min(args.window - (sent - acked), args.messages - sent, 64)
            pub.sendall(one * n)
            sent += n
            continue
        buf += pub.recv(1 << 16)
        while len(buf) >= len(reply):
            if not buf.startswith(reply):
                raise RuntimeError("unexpected PUBLISH reply %r (a subscriber missing?)" % buf[:40])
            buf = buf[len(reply):]
            acked += 1
    published = time.time()
    finish = published
    for p, _, done in procs:
        status, value = done.recv()
        if status != "ok":
            raise RuntimeError("reader: %s" % value)
        finish = max(finish, value)
        p.join()
    pub.close()
    elapsed = finish - start
    deliveries = args.messages * (args.subscribers + 1)
    return deliveries / elapsed, args.messages / elapsed


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--subscribers", type=int, default=1000)
    p.add_argument("--messages", type=int, default=20000)
    p.add_argument("--size", type=int, default=16, help="payload bytes")
    p.add_argument("--window", type=int, default=256, help="PUBLISH commands in flight")
    p.add_argument("--readers", type=int, default=2, help="subscriber processes")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", default="", help="Larder --threads (default: its own)")
    args = p.parse_args()
    subprocess.run([os.path.join(ROOT, "mvnw"), "-q", "-B", "-DskipTests", "package"], cwd=ROOT, check=True)
    print("# %s, %s, %d CPUs" % (time.strftime("%Y-%m-%d %H:%M"), os.uname().nodename, os.cpu_count()))
    print("# command: %s" % " ".join(sys.argv))
    extra = ["--maxclients", "10000"]
    larder = Server("larder", int(args.threads) if args.threads else None, extra)
    redis = Server("redis", None, extra)
    results = {"larder": [], "redis": []}
    try:
        # Warm-up (the JIT for Larder; the same work for Redis).
        warm = argparse.Namespace(**vars(args))
        warm.messages = max(200, args.messages // 10)
        for s in (larder, redis):
            run_once(s, warm)
        for rnd in range(args.rounds):
            order = [larder, redis] if rnd % 2 == 0 else [redis, larder]
            for s in order:
                results["larder" if s is larder else "redis"].append(run_once(s, args))
            print("round %d done" % (rnd + 1), file=sys.stderr)
    finally:
        larder.stop()
        redis.stop()
    print()
    print("| server | subscribers | messages | payload | deliveries/s (median) | publishes/s | ratio vs redis |")
    print("|---|---|---|---|---|---|---|")
    ratios = [l[0] / r[0] for l, r in zip(results["larder"], results["redis"])]
    for name in ("larder", "redis"):
        rows = results[name]
        ratio = "%.2f (%s)" % (statistics.median(ratios), " ".join("%.2f" % x for x in ratios)) \
            if name == "larder" else "1.00"
        print("| %s | %d + 1 pattern | %d | %d B | %.0f | %.0f | %s |" % (
            name, args.subscribers, args.messages, args.size, statistics.median(x[0] for x in rows),
            statistics.median(x[1] for x in rows), ratio))


if __name__ == "__main__":
    main()
