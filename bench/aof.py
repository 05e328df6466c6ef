#!/usr/bin/env python3
"""AOF write throughput, Larder next to Redis, in one run.

For each appendfsync policy (always, everysec; and appendonly no as the
baseline) starts Larder and redis-server with the same settings (each in a
directory of its own on the same file system), then alternates the two for
several rounds of

    redis-benchmark -t set -n 200000 -c 50

and prints ops/s, p50 and p99 latency, and the median of the per-round
Larder/Redis ratios. Each server is warmed up first (the JIT compiles the
hot paths; Redis gets the same treatment). With appendfsync always every
acknowledged SET has been fsynced, so the figures depend on how fast the disk
syncs and how many clients' writes one fsync covers.

  bench/aof.py                         # always, everysec, none; 3 rounds
  bench/aof.py --policies always --rounds 5
  flock /tmp/larder-bench.lock bench/aof.py   # as docs/performance.md ran it
"""
import argparse
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import Server  # noqa: E402


def run(server, requests, clients):
    cmd = ["redis-benchmark", "-p", str(server.port), "-t", "set", "-n", str(requests), "-c", str(clients), "--csv"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    lines = [l for l in out.stdout.splitlines() if l.startswith('"') and not l.startswith('"test"')]
    if not lines:
        raise RuntimeError("redis-benchmark failed: %s %s" % (out.stdout, out.stderr))
    f = [x.strip('"') for x in lines[-1].split(",")]
    return float(f[1]), float(f[4]), float(f[6])  # rps, p50 ms, p99 ms


def options(policy):
    if policy == "none":
        return ["--appendonly", "no"]
    return ["--appendonly", "yes", "--appendfsync", policy]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--policies", default="always,everysec,none")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=200000)
    ap.add_argument("--clients", type=int, default=50)
    args = ap.parse_args()
    table = []
    for policy in args.policies.split(","):
        larder = Server("larder", extra=options(policy))
        redis = Server("redis", extra=options(policy))
        try:
            for s in (larder, redis):
                run(s, max(20000, args.requests // 4), args.clients)
            res = {"larder": [], "redis": []}
            for rnd in range(args.rounds):
                order = [larder, redis] if rnd % 2 == 0 else [redis, larder]
                for s in order:
                    res["larder" if s is larder else "redis"].append(run(s, args.requests, args.clients))
                print("%s: round %d done" % (policy, rnd + 1), file=sys.stderr)
            ratios = [l[0] / r[0] for l, r in zip(res["larder"], res["redis"])]
            for name in ("larder", "redis"):
                rows = res[name]
                table.append((policy, name, statistics.median(x[0] for x in rows),
                              statistics.median(x[1] for x in rows), statistics.median(x[2] for x in rows),
                              ratios if name == "larder" else None))
        finally:
            larder.stop()
            redis.stop()
    print()
    print("| appendfsync | server | SET ops/s (median) | p50 ms | p99 ms | ratio vs Redis (median; rounds) |")
    print("|---|---|---|---|---|---|")
    for policy, name, rps, p50, p99, ratios in table:
        ratio = "" if ratios is None else "%.2f (%s)" % (statistics.median(ratios), " ".join("%.2f" % x for x in ratios))
        print("| %s | %s | %.0f | %.3f | %.3f | %s |" % (policy, name, rps, p50, p99, ratio))


if __name__ == "__main__":
    sys.exit(main())
