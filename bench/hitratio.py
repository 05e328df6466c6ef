#!/usr/bin/env python3
"""Cache hit ratios of eviction policies, Larder's and Redis's, at the same maxmemory.

Replays one fixed-seed workload against each server and policy as a
cache-aside client would: GET the key, and on a miss SET it. Keys are drawn
from a Zipf distribution over --universe keys (rank r with probability
proportional to 1/r^s); the scan-polluted variant interleaves bursts of
one-off keys that are never asked for again (a batch job, a crawler), which
is where recency-based policies lose their popular keys. Hit ratios count
the Zipf requests only, after a warm-up.

  bench/hitratio.py                          # both workloads, default sizes
  bench/hitratio.py --requests 3000000 --maxmemory 64mb
  bench/hitratio.py --servers larder:allkeys-tinylfu,redis:allkeys-lfu --workloads zipf

At the same maxmemory Larder holds more keys than Redis (its keys are
smaller), which alone raises its hit ratios. --equal-keys adds a run of each
Larder policy at a maxmemory scaled down so that it holds about as many keys
as Redis did: those rows compare the policies alone.

Requests are pipelined in batches of --batch GETs followed by the SETs of
their misses; every server sees exactly the same sequence.
"""
import argparse
import bisect
import os
import random
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

SERVERS = [
    ("redis", "allkeys-lru"),
    ("redis", "allkeys-lfu"),
    ("larder", "allkeys-lru"),
    ("larder", "allkeys-lfu"),
    ("larder", "allkeys-tinylfu"),
]


def zipf_sampler(n, s, rnd):
    weights = [1.0 / (r ** s) for r in range(1, n + 1)]
    cum = []
    t = 0.0
    for w in weights:
        t += w
        cum.append(t)
    # Ranks map to key ids through a fixed shuffle, so popularity is not correlated with key names or hashes.
    ids = list(range(n))
    rnd.shuffle(ids)
    return lambda: ids[bisect.bisect_left(cum, rnd.random() * t)]


def workload(args, scan):
    """The request sequence: (key bytes, counted) pairs."""
    rnd = random.Random(args.seed)
    draw = zipf_sampler(args.universe, args.skew, rnd)
    seq = []
    scanned = 0
    for i in range(args.requests):
        if scan and i % args.scan_every < args.scan_length:
            seq.append((b"scan:%d" % scanned, False))
            scanned += 1
        else:
            seq.append((b"key:%d" % draw(), i >= args.warmup))
    return seq


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def _fill(self):
        chunk = self.s.recv(1 << 20)
        if not chunk:
            raise ConnectionError("closed")
        self.buf += chunk

    def reply(self):
        """One reply: bytes for bulk/simple, None for nil, Exception for an error."""
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                break
            self._fill()
        head, t = self.buf[:i], self.buf[:1]
        if t == b"$":
            n = int(head[1:])
            if n < 0:
                self.buf = self.buf[i + 2:]
                return None
            while len(self.buf) < i + 2 + n + 2:
                self._fill()
            v = self.buf[i + 2:i + 2 + n]
            self.buf = self.buf[i + 4 + n:]
            return v
        self.buf = self.buf[i + 2:]
        if t == b"-":
            return RuntimeError(head[1:].decode())
        return head[1:]

    def call(self, *args):
        self.send(encode(args))
        return self.reply()


def encode(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def replay(port, seq, value, batch):
    c = Conn(port)
    used0 = int(c.call(b"INFO", b"memory").decode().split("used_memory:")[1].split("\r\n")[0])
    hits = counted = 0
    for start in range(0, len(seq), batch):
        part = seq[start:start + batch]
        c.send(b"".join(encode((b"GET", k)) for k, _ in part))
        missed = []
        for k, count in part:
            r = c.reply()
            if isinstance(r, Exception):
                raise r
            if r is None:
                missed.append(k)
            elif count:
                hits += 1
            if count:
                counted += 1
        if missed:
            c.send(b"".join(encode((b"SET", k, value)) for k in missed))
            for _ in missed:
                r = c.reply()
                if isinstance(r, Exception):
                    raise r
    info = c.call(b"INFO", b"stats").decode()
    evicted = int(info.split("evicted_keys:")[1].split("\r\n")[0])
    keys = int(c.call(b"DBSIZE"))
    return hits / max(1, counted), keys, evicted, used0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    # A cache of about a fifth of the keys, and enough requests per key for a policy to learn which are
    # popular: with a million keys and two million requests most keys are asked for once or never, and
    # every policy ends up with the same hit ratio (what the cache size alone gives).
    p.add_argument("--universe", type=int, default=200_000, help="distinct keys in the Zipf distribution")
    p.add_argument("--skew", type=float, default=0.99, help="Zipf exponent s")
    p.add_argument("--requests", type=int, default=3_000_000)
    p.add_argument("--warmup", type=int, default=750_000, help="requests not counted")
    p.add_argument("--maxmemory", default="8mb")
    p.add_argument("--value-size", type=int, default=100)
    p.add_argument("--scan-every", type=int, default=100_000, help="scan variant: a burst every this many requests")
    p.add_argument("--scan-length", type=int, default=25_000, help="scan variant: one-off keys per burst")
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--seed", type=int, default=20240601)
    p.add_argument("--workloads", default="zipf,scan")
    p.add_argument("--servers", default=",".join("%s:%s" % sp for sp in SERVERS),
                   help="comma-separated server:policy pairs")
    p.add_argument("--equal-keys", action="store_true",
                   help="also run Larder's policies at a maxmemory where it holds as many keys as Redis")
    args = p.parse_args()
    servers = [tuple(x.split(":", 1)) for x in args.servers.split(",")]
    subprocess_build()
    value = b"v" * args.value_size
    print("# %s, %s, %d CPUs" % (time.strftime("%Y-%m-%d %H:%M"), os.uname().nodename, os.cpu_count()))
    print("# command: %s" % " ".join(sys.argv))
    print("# Zipf s=%.2f over %d keys, %d requests (first %d not counted), %d-byte values, maxmemory %s, seed %d" % (
        args.skew, args.universe, args.requests, args.warmup, args.value_size, args.maxmemory, args.seed))
    print("# scan variant: a burst of %d one-off keys every %d requests" % (args.scan_length, args.scan_every))
    print()
    print("| workload | server | policy | maxmemory | hit ratio | keys held at the end | evicted |")
    print("|---|---|---|---|---|---|---|")
    for w in args.workloads.split(","):
        seq = workload(args, w == "scan")
        held = {}
        runs = [(kind, policy, args.maxmemory) for kind, policy in servers]
        scaled = False
        while runs:
            kind, policy, maxmemory = runs.pop(0)
            s = bench.Server(kind, None, ["--maxmemory", str(maxmemory), "--maxmemory-policy", policy])
            try:
                ratio, keys, evicted, used0 = replay(s.port, seq, value, args.batch)
            finally:
                s.stop()
            held[(kind, policy, maxmemory)] = (keys, used0)
            print("| %s | %s | %s | %s | %.4f | %d | %d |" % (w, kind, policy, maxmemory, ratio, keys, evicted))
            sys.stdout.flush()
            if args.equal_keys and not runs and not scaled:
                scaled = True
                redis_keys = [k for (kd, _, _), (k, _) in held.items() if kd == "redis"]
                larder = [(p, k, u) for (kd, p, m), (k, u) in held.items() if kd == "larder" and m == args.maxmemory]
                if redis_keys and larder:
                    # What a key costs above the empty server's used_memory, times the keys Redis held.
                    target = sum(redis_keys) / len(redis_keys)
                    total = parse_size(args.maxmemory)
                    for policy, keys, used0 in larder:
                        runs.append(("larder", policy, int(used0 + (total - used0) * target / keys)))


def parse_size(s):
    s = str(s).lower()
    for unit, mult in (("gb", 1 << 30), ("mb", 1 << 20), ("kb", 1 << 10)):
        if s.endswith(unit):
            return int(float(s[: -len(unit)]) * mult)
    return int(s)


def subprocess_build():
    import subprocess
    subprocess.run([os.path.join(bench.ROOT, "mvnw"), "-q", "-B", "-DskipTests", "package"], cwd=bench.ROOT,
                   check=True)


if __name__ == "__main__":
    main()
