#!/usr/bin/env python3
"""BGSAVE under a write load: time and extra memory, Larder next to Redis.

Fills each server with N string keys ("key:%012d", values of --size bytes),
then starts BGSAVE while redis-benchmark overwrites random keys of the same
set, and reports for each server:

  bgsave_s     time from BGSAVE to rdb_bgsave_in_progress:0
  writes       SETs completed while the save ran
  cow_peak_mb  Redis: the child's copy-on-write peak (rdb_last_cow_size, from
               /proc smaps). Larder: what the snapshot held at its peak
               (references to captured small strings and serialized
               collections: rdb_last_cow_size)
  heap_mb      Larder only: the most live heap (after a full GC, sampled
               every 0.25 s while the save runs) minus the same after it:
               strings replaced during the save that the snapshot still
               referenced, plus its own data

  bench/bgsave_cow.py --keys 1000000
  bench/bgsave_cow.py --keys 10000000 --size 100 --clients 8
"""
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def send(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.s.sendall(out)

    def line(self):
        while b"\r\n" not in self.buf:
            self.buf += self.s.recv(1 << 16)
        i = self.buf.index(b"\r\n")
        l, self.buf = self.buf[:i], self.buf[i + 2:]
        return l

    def read(self):
        l = self.line()
        if l[:1] == b"$":
            n = int(l[1:])
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self.buf += self.s.recv(1 << 16)
            v, self.buf = self.buf[:n], self.buf[n + 2:]
            return v
        if l[:1] == b"*":
            return [self.read() for _ in range(int(l[1:]))]
        if l[:1] == b"-":
            raise RuntimeError(l.decode())
        return l[1:]

    def call(self, *args):
        self.send(*args)
        return self.read()


def info(c, field):
    text = c.call("INFO", "persistence").decode()
    m = re.search(r"^%s:(.*)\r$" % field, text, re.M)
    return m.group(1) if m else None


def fill(port, keys, size):
    c = Conn(port)
    value = b"v" * size
    batch = 1000
    for start in range(0, keys, batch):
        for i in range(start, min(keys, start + batch)):
            c.send("SET", b"key:%012d" % i, value)
        for i in range(start, min(keys, start + batch)):
            c.read()


JCMD = os.path.join(subprocess.run([os.path.join(ROOT, "scripts", "java-home")], capture_output=True,
                                    text=True).stdout.strip(), "bin", "jcmd")


def heap_used_mb(pid):
    subprocess.run([JCMD, str(pid), "GC.run"], capture_output=True)
    out = subprocess.run([JCMD, str(pid), "GC.heap_info"], capture_output=True, text=True).stdout
    m = re.search(r"used (\d+)K", out)
    return int(m.group(1)) / 1024 if m else float("nan")


def measure(name, port, pid, keys, size, clients, java):
    c = Conn(port)
    fill(port, keys, size)
    c.call("CONFIG", "SET", "save", "")
    load = subprocess.Popen(["redis-benchmark", "-p", str(port), "-t", "set", "-r", str(keys), "-d", str(size),
                             "-n", "100000000", "-c", str(clients), "-P", "16", "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    before = int(c.call("INFO", "stats").decode().split("total_commands_processed:")[1].split("\r")[0])
    t0 = time.time()
    c.call("BGSAVE")
    mid_heap = None
    last_sample = t0
    while info(c, "rdb_bgsave_in_progress") == "1":
        if java and time.time() - last_sample > 0.25:
            h = heap_used_mb(pid)
            mid_heap = h if mid_heap is None else max(mid_heap, h)
            last_sample = time.time()
        time.sleep(0.01)
    took = time.time() - t0
    after = int(c.call("INFO", "stats").decode().split("total_commands_processed:")[1].split("\r")[0])
    load.terminate()
    load.wait()
    cow = int(info(c, "rdb_last_cow_size")) / (1 << 20)
    row = {"server": name, "bgsave_s": round(took, 2), "writes": after - before, "cow_peak_mb": round(cow, 1)}
    if java:
        end_heap = heap_used_mb(pid)
        row["heap_mb"] = round((mid_heap or end_heap) - end_heap, 1)
    used = int(c.call("INFO", "memory").decode().split("used_memory:")[1].split("\r")[0]) / (1 << 20)
    row["used_memory_mb"] = round(used, 1)
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keys", type=int, default=1000000)
    ap.add_argument("--size", type=int, default=100)
    ap.add_argument("--clients", type=int, default=4)
    args = ap.parse_args()
    rows = []
    d = tempfile.mkdtemp(prefix="bgsave-cow-")
    try:
        port = free_port()
        redis = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--dir", d,
                                  "--dbfilename", "redis.rdb"], stdout=subprocess.DEVNULL)
        time.sleep(0.5)
        try:
            rows.append(measure("redis", port, redis.pid, args.keys, args.size, args.clients, False))
        finally:
            redis.terminate()
            redis.wait()
        port = free_port()
        larder = subprocess.Popen([os.path.join(ROOT, "larder"), "--port", str(port), "--save", "", "--dir", d,
                                   "--dbfilename", "larder.rdb"], stdout=subprocess.DEVNULL)
        for _ in range(600):
            try:
                Conn(port).call("PING")
                break
            except OSError:
                time.sleep(0.1)
        try:
            java_pid = larder.pid
            rows.append(measure("larder", port, java_pid, args.keys, args.size, args.clients, True))
        finally:
            larder.terminate()
            larder.wait()
    finally:
        shutil.rmtree(d, ignore_errors=True)
    for r in rows:
        print(r)


if __name__ == "__main__":
    sys.exit(main())
