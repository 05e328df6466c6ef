#!/usr/bin/env python3
"""Regenerates src/main/resources/io/larder/command/commands.json from a running
redis-server 7.0 (the semantic reference). The file is the single source of
command metadata: arity, flags, ACL categories, key specs, tips and the
COMMAND DOCS tree. Larder joins it with the handlers families register; a
command without a handler is not in Larder's table.

usage: tools/gen_commands.py PORT > src/main/resources/io/larder/command/commands.json
"""
import json, socket, sys

class Resp3:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.f = self.s.makefile("rb")

    def call(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.s.sendall(out)
        return self.read()

    def read(self):
        line = self.f.readline()[:-2]
        t, rest = chr(line[0]), line[1:]
        if t in "+":
            return rest.decode()
        if t == "-":
            raise RuntimeError(rest.decode())
        if t == ":":
            return int(rest)
        if t == "$":
            n = int(rest)
            if n < 0:
                return None
            d = self.f.read(n + 2)[:-2]
            return d.decode()
        if t == "_":
            return None
        if t == "#":
            return rest == b"t"
        if t == ",":
            return float(rest)
        if t in "*~>":
            n = int(rest)
            return [self.read() for _ in range(n)]
        if t == "%":
            n = int(rest)
            m = {}
            for _ in range(n):
                k = self.read()
                m[k] = self.read()
            return m
        if t == "=":
            n = int(rest)
            return self.f.read(n + 2)[:-2].decode()[4:]
        raise RuntimeError("unexpected " + t)


def info_to_dict(e):
    name, arity, flags, first, last, step, acl, tips, keyspecs, subs = e
    d = {"arity": arity, "flags": flags, "first_key": first, "last_key": last,
         "step": step, "acl_categories": acl, "tips": tips, "key_specs": keyspecs}
    if subs:
        d["subcommands"] = {s[0]: info_to_dict(s) for s in subs}
    return d


def main():
    r = Resp3(int(sys.argv[1]))
    r.call("HELLO", "3")
    infos = {e[0]: info_to_dict(e) for e in r.call("COMMAND")}
    docs = r.call("COMMAND", "DOCS")
    for name, d in infos.items():
        d["docs"] = docs.get(name, {})
        for sub, sd in d.get("subcommands", {}).items():
            sd["docs"] = d["docs"].get("subcommands", {}).get(sub, {})
        d["docs"].pop("subcommands", None)
    json.dump(dict(sorted(infos.items())), sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")

main()
