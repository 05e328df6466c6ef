#!/usr/bin/env python3
"""GET latency and GC pauses while a large data set is overwritten.

For each server (Larder with each collector asked for, and Redis), loads
keys until the data set is about --dataset bytes, then overwrites random keys
(redis-benchmark SET, 16 connections, pipelined 16 deep) while a separate
redis-benchmark (4 connections, no pipelining) measures GET latency for
about --seconds (percentiles from its HDR histogram). For Larder the JVM
logs every safepoint and collection, so the report also has the longest
stop-the-world pause, how many there were, the collections during the
measurement and any that degenerated to a stop-the-world one. The resident
set is sampled every 200 ms (RSS peak).

  bench/gc_latency.py --dataset 2gb --seconds 60
  bench/gc_latency.py --dataset 1gb --gcs shenandoah,shenandoah-gen,g1,zgc --no-redis

The launcher chooses the JVM options; --gcs overrides only the collector
(LARDER_JAVA_OPTS), so heap sizing stays the launcher's.
"""
import argparse
import os
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (Server, helpers)

GCS = {
    "default": "",
    "shenandoah": "-XX:+UseShenandoahGC",
    "shenandoah-gen": "-XX:+UseShenandoahGC -XX:ShenandoahGCMode=generational",
    "g1": "-XX:+UseG1GC -XX:MaxGCPauseMillis=20",
    "zgc": "-XX:+UseZGC",
}


def parse_size(s):
    s = s.lower()
    for unit, mult in (("gb", 1 << 30), ("mb", 1 << 20), ("kb", 1 << 10), ("g", 10 ** 9), ("m", 10 ** 6)):
        if s.endswith(unit):
            return int(float(s[: -len(unit)]) * mult)
    return int(s)


def load(server, keys, value_size):
    """key:000000000000 .. as redis-benchmark -r names them, so its SETs overwrite exactly these."""
    value = b"x" * value_size
    batch = 200_000
    for start in range(0, keys, batch):
        out = []
        for i in range(start, min(keys, start + batch)):
            k = b"key:%012d" % i
            out.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(value), value))
        subprocess.run(["redis-cli", "-p", str(server.port), "--pipe"], input=b"".join(out),
                       capture_output=True, check=True)


def percentiles(text):
    """{percent: ms} from redis-benchmark's 'Latency by percentile distribution' section."""
    out = {}
    for m in re.finditer(r"^\s*([0-9.]+)% <= ([0-9.]+) milliseconds", text, re.M):
        out[float(m.group(1))] = float(m.group(2))
    return out


def at(pcts, p):
    """Latency at percentile p: the first listed percentile >= p."""
    for q in sorted(pcts):
        if q >= p:
            return pcts[q]
    return max(pcts.values()) if pcts else float("nan")


def safepoints(path, offset=0):
    """Total stop-the-world times in ms from -Xlog:safepoint lines written after byte offset."""
    out = []
    if not path or not os.path.exists(path):
        return out
    with open(path) as f:
        f.seek(offset)
        for line in f:
            m = re.search(r"Total: (\d+) ns", line)
            if m:
                out.append(int(m.group(1)) / 1e6)
    return out


def gc_events(path, offset):
    """(collections, degenerated or full collections) logged after byte offset (-Xlog:gc)."""
    cycles, bad = set(), 0
    if not path or not os.path.exists(path):
        return 0, 0
    with open(path) as f:
        f.seek(offset)
        for line in f:
            m = re.search(r"GC\((\d+)\)", line)
            # Shenandoah and G1 log pauses and concurrent phases, ZGC "Minor/Major Collection" lines.
            if m and re.search(r"Pause|Concurrent|Collection", line):
                cycles.add(m.group(1))
            if re.search(r"Degenerated GC|Pause Full|Allocation Stall", line):
                bad += 1
    return len(cycles), bad


def run(server, keys, args, log):
    load(server, keys, args.value_size)
    used = int(re.search(rb"used_memory:(\d+)", server.cli("INFO", "memory")).group(1))
    rss_loaded = bench.rss_bytes(server.pid)
    # One writer per value size, 16 connections between them: with several sizes most overwrites change a
    # key's size, so its entry is replaced (garbage for the collector) rather than written over in place.
    sizes = [int(x) for x in args.write_sizes.split(",")] if args.write_sizes else [args.value_size]
    writers = [subprocess.Popen(
        ["redis-benchmark", "-p", str(server.port), "-t", "set", "-r", str(keys), "-d", str(size),
         "-n", str(10 ** 9), "-c", str(max(1, 16 // len(sizes))), "-P", "16", "-q"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for size in sizes]
    peak = [rss_loaded]
    done = threading.Event()

    def sample():
        while not done.wait(0.2):
            peak[0] = max(peak[0], bench.rss_bytes(server.pid))

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        time.sleep(2)  # let the overwrite rate build up
        # How many GETs fill --seconds at the rate the server answers them under this write load.
        t = time.time()
        subprocess.run(["redis-benchmark", "-p", str(server.port), "-t", "get", "-r", str(keys), "-c", "4",
                        "-n", "20000", "-q"], capture_output=True, check=True)
        reads = max(20000, int(20000 / (time.time() - t) * args.seconds))
        # Pauses and collections are counted from here on: loading is not what is measured.
        offset = os.path.getsize(log) if log and os.path.exists(log) else 0
        cmds0 = int(re.search(rb"total_commands_processed:(\d+)", server.cli("INFO", "stats")).group(1))
        t = time.time()
        out = subprocess.run(
            ["redis-benchmark", "-p", str(server.port), "-t", "get", "-r", str(keys), "-c", "4",
             "-n", str(reads), "--precision", "3"],
            capture_output=True, text=True, timeout=max(120, args.seconds * 6))
        elapsed = time.time() - t
        cmds1 = int(re.search(rb"total_commands_processed:(\d+)", server.cli("INFO", "stats")).group(1))
        pcts = percentiles(out.stdout)
    finally:
        for writer in writers:
            writer.terminate()
            writer.wait()
        done.set()
        sampler.join()
    pauses = safepoints(log, offset)
    cycles, bad = gc_events(log, offset)
    return {"pauses": pauses, "cycles": cycles, "bad": bad, "used": used, "rss_loaded": rss_loaded,
            "rss_peak": peak[0], "p50": at(pcts, 50), "p99": at(pcts, 99), "p999": at(pcts, 99.9),
            "max": at(pcts, 100), "reads": reads, "seconds": elapsed,
            "writes_per_s": (cmds1 - cmds0 - reads) / elapsed}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", default="1gb", help="approximate data set size (keys are value-size + ~60 B)")
    p.add_argument("--value-size", type=int, default=100)
    p.add_argument("--seconds", type=int, default=60,
                   help="measured phase: GETs at the rate the server answers them, for about this long")
    p.add_argument("--write-sizes", default="",
                   help="comma-separated value sizes of the overwrites (default: --value-size only, so every "
                        "overwrite keeps the size)")
    p.add_argument("--gcs", default="default", help="comma-separated: " + ",".join(GCS))
    p.add_argument("--larder-opts", default="", help="JVM options added for every Larder run (e.g. -Xmx, GC tuning)")
    p.add_argument("--no-redis", action="store_true")
    p.add_argument("--keep-logs", action="store_true", help="keep the JVM's gc/safepoint logs")
    args = p.parse_args()
    subprocess.run([os.path.join(bench.ROOT, "mvnw"), "-q", "-B", "-DskipTests", "package"], cwd=bench.ROOT,
                   check=True)
    size = parse_size(args.dataset)
    keys = size // (args.value_size + 60)
    # Larder's maxmemory (from which the launcher sizes the heap) leaves the data set 10% of room: overwrites
    # keep its size, so nothing is evicted. Redis, whose keys take more, runs without a limit.
    maxmemory = int(size * 1.1)
    print("# %s, %s, %d CPUs, load %s" % (time.strftime("%Y-%m-%d %H:%M"), os.uname().nodename, os.cpu_count(),
                                          open("/proc/loadavg").read().split()[0]))
    print("# command: %s" % " ".join(sys.argv))
    print("# %d keys of %d-byte values, overwritten with %s-byte values; Larder maxmemory %d (not reached), "
          "Redis none; Larder JVM options added: %s" % (keys, args.value_size, args.write_sizes or args.value_size,
                                                        maxmemory, args.larder_opts or "none"))
    print()
    print("| server | used_memory | RSS loaded | RSS peak | SET/s | GETs | GET p50 ms | p99 | p99.9 | max | "
          "worst STW pause ms | pauses | GC cycles | degenerated/full |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    runs = [("larder", g) for g in args.gcs.split(",")] + ([] if args.no_redis else [("redis", None)])
    for kind, gc in runs:
        extra = ["--maxmemory", str(maxmemory), "--maxmemory-policy", "allkeys-lru"] if kind == "larder" else []
        env_opts = None
        log = None
        if kind == "larder":
            log = "/tmp/larder-gc-%d-%s.log" % (os.getpid(), gc)
            env_opts = (GCS[gc] + " " + args.larder_opts + " -Xlog:safepoint,gc:file=%s" % log).strip()
        old = os.environ.get("LARDER_JAVA_OPTS")
        if env_opts is not None:
            os.environ["LARDER_JAVA_OPTS"] = env_opts
        try:
            s = bench.Server(kind, None, extra)
        finally:
            if old is None:
                os.environ.pop("LARDER_JAVA_OPTS", None)
            else:
                os.environ["LARDER_JAVA_OPTS"] = old
        try:
            r = run(s, keys, args, log)
        finally:
            s.stop()
        pauses = r["pauses"]
        if log and os.path.exists(log):
            if args.keep_logs:
                print("# %s: %s" % (gc, log))
            else:
                os.remove(log)
        label = kind if gc is None else "larder (%s)" % gc
        print("| %s | %.0f MB | %.0f MB | %.0f MB | %.0f | %d in %.0f s | %.3f | %.3f | %.3f | %.3f | %s | %s | %s | %s |"
              % (label, r["used"] / 2 ** 20, r["rss_loaded"] / 2 ** 20, r["rss_peak"] / 2 ** 20, r["writes_per_s"],
                 r["reads"], r["seconds"], r["p50"], r["p99"], r["p999"], r["max"],
                 "%.2f" % max(pauses) if pauses else "-", len(pauses) if pauses else "-",
                 r["cycles"] if log else "-", r["bad"] if log else "-"))
        sys.stdout.flush()

if __name__ == "__main__":
    main()
