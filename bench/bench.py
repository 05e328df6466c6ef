#!/usr/bin/env python3
"""Larder vs Redis, side by side, in one run.

Starts Larder (the built jar, through ./larder) and a real redis-server on free
ports, then alternates the two for several rounds of redis-benchmark and
prints throughput ratios (Larder/Redis) and both p99 latencies, then loads
distinct small string keys into each and reports resident memory per key.

  bench/bench.py                      # default rows, 3 rounds
  bench/bench.py --rounds 5 --threads 1,2 --rows set,get
  bench/bench.py --memory-only --keys 1000000

Shared machines are noisy: identical servers spread about +-15% between runs,
so the script alternates A/B within each round and reports the median of the
per-round ratios.
"""
import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name -> redis-benchmark arguments (besides -p, -c, -n, --csv)
ROWS = {
    "ping": ["-t", "ping_mbulk"],
    "set": ["-t", "set", "-r", "1000000"],
    "get": ["-t", "get", "-r", "1000000"],
    "set-P16": ["-t", "set", "-r", "1000000", "-P", "16"],
    "get-P16": ["-t", "get", "-r", "1000000", "-P", "16"],
    "incr": ["-t", "incr", "-r", "1000000"],
    "mset": ["-t", "mset", "-r", "1000000"],
    "lpush": ["-t", "lpush"],
    "lpop": ["-t", "lpop"],
    "sadd": ["-t", "sadd", "-r", "1000000"],
    "hset": ["-t", "hset", "-r", "1000000"],
    "zadd": ["-r", "1000000", "zadd", "bench:zset", "__rand_int__", "member:__rand_int__"],
    "zrange": ["zrange", "bench:zset", "0", "9", "WITHSCORES"],
    "evalsha": [],  # filled in at run time (needs SCRIPT LOAD)
}
DEFAULT_ROWS = ["set", "get", "set-P16", "get-P16"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited with %s" % proc.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server on port %d did not start" % port)


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class Server:
    def __init__(self, kind, threads=None, extra=()):
        self.kind = kind
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="bench-%s-" % kind)
        if kind == "redis":
            cmd = ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no",
                   "--dir", self.dir, "--bind", "127.0.0.1", "--protected-mode", "no"]
            self.label = "redis"
        else:
            cmd = [os.path.join(ROOT, "larder"), "--port", str(self.port), "--save", "", "--dir", self.dir,
                   "--bind", "127.0.0.1"]
            if threads is not None:
                cmd += ["--threads", str(threads)]
            self.label = "larder" + ("(t=%s)" % threads if threads is not None else "")
        cmd += list(extra)
        self.log = open(os.path.join(self.dir, "server.log"), "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        wait_port(self.port, self.proc)

    @property
    def pid(self):
        # ./larder execs java, so the launcher's pid is the JVM's pid.
        return self.proc.pid

    def cli(self, *args, stdin=None):
        return subprocess.run(["redis-cli", "-p", str(self.port)] + list(args), input=stdin,
                              capture_output=True, check=False).stdout

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def run_benchmark(server, row_args, requests, clients):
    cmd = ["redis-benchmark", "-p", str(server.port), "-c", str(clients), "-n", str(requests), "--csv"] + row_args
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    lines = [l for l in out.stdout.splitlines() if l.startswith('"') and not l.startswith('"test"')]
    if not lines:
        raise RuntimeError("redis-benchmark failed: %s %s" % (out.stdout, out.stderr))
    f = [x.strip('"') for x in lines[-1].split(",")]
    return float(f[1]), float(f[6])  # rps, p99 ms


def throughput(args):
    rows = args.rows.split(",")
    threads = [None] if not args.threads else [int(t) for t in args.threads.split(",")]
    larders = {t: Server("larder", t) for t in threads}
    redis = Server("redis")
    try:
        for s in list(larders.values()) + [redis]:
            if "evalsha" in rows:
                sha = s.cli("SCRIPT", "LOAD", "return redis.call('incr', KEYS[1])").decode().strip()
                ROWS["evalsha"] = ["-r", "1000000", "evalsha", sha, "1", "script:counter:__rand_int__"]
        # Warm-up: the JIT compiles the hot paths; Redis gets the same treatment.
        for s in list(larders.values()) + [redis]:
            for r in rows:
                run_benchmark(s, ROWS[r], max(20000, args.requests // 10), args.clients)
        results = {}  # (row, label) -> list of (rps, p99)
        for rnd in range(args.rounds):
            for r in rows:
                order = list(larders.values()) + [redis]
                if rnd % 2 == 1:
                    order.reverse()
                for s in order:
                    reqs = args.requests * (8 if "P16" in r else 1)
                    results.setdefault((r, s.label), []).append(run_benchmark(s, ROWS[r], reqs, args.clients))
            print("round %d done" % (rnd + 1), file=sys.stderr)
        print()
        print("| row | server | ops/s (median) | ratio vs redis (median of rounds) | p99 ms | redis ops/s | redis p99 ms |")
        print("|---|---|---|---|---|---|---|")
        for r in rows:
            red = results[(r, "redis")]
            for t, s in larders.items():
                lar = results[(r, s.label)]
                ratios = [l[0] / x[0] for l, x in zip(lar, red)]
                print("| %s | %s | %.0f | %.2f (%s) | %.3f | %.0f | %.3f |" % (
                    r, s.label, statistics.median(x[0] for x in lar), statistics.median(ratios),
                    " ".join("%.2f" % x for x in ratios), statistics.median(x[1] for x in lar),
                    statistics.median(x[0] for x in red), statistics.median(x[1] for x in red)))
    finally:
        for s in list(larders.values()) + [redis]:
            s.stop()


def load_keys(server, n, value):
    """Loads n distinct string keys with redis-cli --pipe."""
    buf = []
    for i in range(n):
        k = b"key:%012d" % i
        buf.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(value), value))
    data = b"".join(buf)
    subprocess.run(["redis-cli", "-p", str(server.port), "--pipe"], input=data, capture_output=True, check=True)


def memory(args):
    print()
    print("| server | keys | value bytes | RSS before | RSS after | bytes/key |")
    print("|---|---|---|---|---|---|")
    value = b"x" * args.value_size
    for kind in ["larder", "redis"]:
        s = Server(kind, None, args.larder_extra.split() if kind == "larder" and args.larder_extra else ())
        try:
            time.sleep(1)
            s.cli("MEMORY", "PURGE")
            time.sleep(1)
            before = rss_bytes(s.pid)
            load_keys(s, args.keys, value)
            dbsize = int(s.cli("DBSIZE").strip() or 0)
            s.cli("MEMORY", "PURGE")
            time.sleep(3)
            after = rss_bytes(s.pid)
            print("| %s | %d | %d | %.1f MB | %.1f MB | %.1f |" % (
                s.label, dbsize, len(value), before / 1e6, after / 1e6, (after - before) / max(1, dbsize)))
        finally:
            s.stop()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", default=",".join(DEFAULT_ROWS), help="comma-separated: " + ",".join(ROWS))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--requests", type=int, default=200000)
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--threads", default="", help="Larder thread counts to compare, e.g. 1,2")
    p.add_argument("--keys", type=int, default=1000000)
    p.add_argument("--value-size", type=int, default=3)
    p.add_argument("--larder-extra", default="", help="extra Larder options for the memory run")
    p.add_argument("--memory-only", action="store_true")
    p.add_argument("--no-memory", action="store_true")
    args = p.parse_args()
    subprocess.run([os.path.join(ROOT, "mvnw"), "-q", "-B", "-DskipTests", "package"], cwd=ROOT, check=True)
    print("# %s, %s, %d CPUs" % (time.strftime("%Y-%m-%d %H:%M"), os.uname().nodename, os.cpu_count()))
    print("# command: %s" % " ".join(sys.argv))
    if not args.memory_only:
        throughput(args)
    if not args.no_memory:
        memory(args)


if __name__ == "__main__":
    main()
