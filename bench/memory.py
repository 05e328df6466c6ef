#!/usr/bin/env python3
"""Resident memory per key, hash field, set member and sorted-set member:
Larder and Redis side by side, in one run.

For each kind of data and each element count, starts a fresh server (Larder
through ./larder, then redis-server) and takes its resident set (VmRSS)
three times: empty, with the first half of the elements loaded, with all of
them. Before each reading the server is asked to give back what it does not
need (MEMORY PURGE: a collection and malloc_trim for Larder, jemalloc's
purge for Redis) and the script waits until the resident set is stable.
Elements are loaded with redis-cli --pipe. Two figures per element:

    (RSS full - RSS empty) / elements       everything the load cost, once-only
                                            costs included (Larder's JIT-compiled
                                            code, class metadata, allocator arenas)
    (RSS full - RSS half) / (elements/2)    what one more element costs

Kinds (names are 16 bytes like "key:000000000042", values 3 bytes):
  string  one SET per key
  hash    fields of hashes of 1000 fields (hashtable encoding in both)
  set     members of sets of 1000 members (hashtable)
  zset    members of sorted sets of 1000 members, score = index (skiplist)
  hash-lp, set-lp, zset-lp: the same in collections of 100 (listpack / listpack / listpack)
  stream  entries of streams of 1000 entries, one field "f" with the 3-byte value,
          explicit increasing IDs (XADD key <n>-1 f xxx)
  hll     HyperLogLog keys of 100 PFADDed elements each (sparse encoding); the
          figure is per key
  hll-dense  HyperLogLog keys of 3000 elements each (dense: 12 KB registers); per key

  bench/memory.py                                # string,hash,set,zset at 1M and 10M
  bench/memory.py --kinds string --counts 1000000
  bench/memory.py --larder-opts "-XX:+UseG1GC"   # JVM options for Larder (LARDER_JAVA_OPTS)

Run it alone on the machine (flock /tmp/larder-bench.lock bench/memory.py):
resident memory of other processes does not matter, but a slow machine
makes the "stable" wait longer.
"""
import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (Server, rss_bytes)

VALUE = b"xxx"


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def commands(kind, n, first=0):
    """Yields chunks of RESP commands that create elements first .. n-1 of the kind."""
    per = 100 if kind.endswith("-lp") else 1000
    base = kind[:-3] if kind.endswith("-lp") else kind
    batch = []
    if base == "string":
        for i in range(first, n):
            batch.append(resp(b"SET", b"key:%012d" % i, VALUE))
            if len(batch) == 10000:
                yield b"".join(batch)
                batch = []
        if batch:
            yield b"".join(batch)
        return
    if base == "stream":
        for i in range(first, n):
            batch.append(resp(b"XADD", b"stream:%09d" % (i // 1000), b"%d-1" % (i + 1), b"f", VALUE))
            if len(batch) == 10000:
                yield b"".join(batch)
                batch = []
        if batch:
            yield b"".join(batch)
        return
    if base in ("hll", "hll-dense"):
        size = 100 if base == "hll" else 3000
        for i in range(first, n):
            key = b"hll:%012d" % i
            for start in range(0, size, 100):
                batch.append(resp(b"PFADD", key, *[b"e%d" % j for j in range(start, start + 100)]))
            if len(batch) >= 10000:
                yield b"".join(batch)
                batch = []
        if batch:
            yield b"".join(batch)
        return
    # Collections: one command per 100 elements, collection c holds elements c*per .. c*per+per-1.
    step = 100
    for start in range(first, n, step):
        coll = start // per
        key = b"%s:%09d" % (base.encode(), coll)
        args = [{"hash": b"HSET", "set": b"SADD", "zset": b"ZADD"}[base], key]
        for i in range(start, min(n, start + step)):
            if base == "hash":
                args += [b"field:%010d" % i, VALUE]
            elif base == "set":
                args.append(b"member:%09d" % i)
            else:
                args += [b"%d" % i, b"member:%09d" % i]
        batch.append(resp(*args))
        if len(batch) == 1000:
            yield b"".join(batch)
            batch = []
    if batch:
        yield b"".join(batch)


def load(server, kind, n, first=0):
    p = subprocess.Popen(["redis-cli", "-p", str(server.port), "--pipe"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    for chunk in commands(kind, n, first):
        p.stdin.write(chunk)
    p.stdin.close()
    out = p.stdout.read().decode(errors="replace")
    if p.wait() != 0 or "errors: 0" not in out:
        raise RuntimeError("load failed: " + out)


def info_field(server, name):
    for line in server.cli("INFO", "memory").decode().splitlines():
        if line.startswith(name + ":"):
            return int(line.split(":", 1)[1])
    return 0


def settled_rss(server, timeout=60):
    """MEMORY PURGE, then the RSS once it has stopped moving (within 0.5% over 2 s)."""
    server.cli("MEMORY", "PURGE")
    deadline = time.time() + timeout
    last = bench.rss_bytes(server.pid)
    while time.time() < deadline:
        time.sleep(2)
        now = bench.rss_bytes(server.pid)
        if abs(now - last) <= 0.005 * max(now, 1):
            return now
        last = now
    return last


def measure(kind, n, server_kind, larder_opts):
    """RSS of the fresh server, with half the elements, with all; used_memory per element; load time."""
    if larder_opts and server_kind == "larder":
        os.environ["LARDER_JAVA_OPTS"] = larder_opts
    s = bench.Server(server_kind)
    os.environ.pop("LARDER_JAVA_OPTS", None)
    try:
        s.cli("PING")
        r0 = settled_rss(s)
        t = time.time()
        half = n // 2 // 1000 * 1000
        load(s, kind, half)
        r1 = settled_rss(s)
        load(s, kind, n, half)
        load_s = time.time() - t
        r2 = settled_rss(s)
        used = info_field(s, "used_memory") - info_field(s, "used_memory_startup")
        return r0, r1, r2, half, used, load_s
    finally:
        s.stop()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kinds", default="string,hash,set,zset")
    p.add_argument("--counts", default="1000000,10000000")
    p.add_argument("--servers", default="larder,redis")
    p.add_argument("--larder-opts", default="", help="LARDER_JAVA_OPTS for Larder (default: the launcher's)")
    p.add_argument("--no-build", action="store_true")
    args = p.parse_args()
    if not args.no_build:
        subprocess.run([os.path.join(bench.ROOT, "mvnw"), "-q", "-B", "-DskipTests", "package"], cwd=bench.ROOT,
                       check=True)
    print("# %s, %s, %d CPUs" % (time.strftime("%Y-%m-%d %H:%M"), os.uname().nodename, os.cpu_count()))
    print("# command: %s" % " ".join(sys.argv))
    print()
    print("| kind | elements | server | RSS empty | RSS half | RSS full | bytes/element (full - empty) |"
          " bytes/element (full - half) | used_memory bytes/element | load s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for kind in args.kinds.split(","):
        for n in (int(x) for x in args.counts.split(",")):
            for server_kind in args.servers.split(","):
                r0, r1, r2, half, used, load_s = measure(kind, n, server_kind, args.larder_opts)
                print("| %s | %d | %s | %.1f MB | %.1f MB | %.1f MB | %.1f | %.1f | %.1f | %.1f |" % (
                    kind, n, server_kind, r0 / 1e6, r1 / 1e6, r2 / 1e6, (r2 - r0) / n, (r2 - r1) / (n - half),
                    used / n, load_s), flush=True)


if __name__ == "__main__":
    main()
