package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandTable;
import io.larder.command.Errors;
import io.larder.config.KeyspaceEvents;
import io.larder.protocol.Args;
import io.larder.server.LarderServer;
import io.larder.store.Database;
import io.larder.store.Keyspace;
import io.larder.store.Lookup;
import io.larder.store.StoredValue;
import io.larder.store.StringValue;
import io.larder.util.Numbers;

/**
 * Bitmaps and bitfields (Redis's bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS,
 * BITOP, BITFIELD, BITFIELD_RO. A bitmap is an ordinary string; bit 0 is the
 * most significant bit of the first byte. Commands that write turn the value
 * into a raw {@link StringValue} grown with zeros like an sds string
 * ({@link Strings#mutable}), so GET, SETRANGE, APPEND and STRLEN see the same
 * bytes Redis would hold.
 */
public final class BitmapCommands {
    /**
     * The largest string a bit command may create. Redis's own limit is
     * proto-max-bulk-len (512MB, so offsets up to 2^32-1); that setting may be
     * raised past what a Java array holds, and then offsets beyond this answer
     * the same "out of range" error instead of failing the allocation.
     */
    static final long MAX_STRING = Integer.MAX_VALUE - 16;

    /** proto-max-bulk-len, kept current by a config watch (no lookup per command). */
    private volatile long protoMaxBulkLen;

    public BitmapCommands(LarderServer server) {
        server.config().watch("proto-max-bulk-len", p -> protoMaxBulkLen = server.config().getLong(p.name));
    }

    public void register(CommandTable t) {
        t.add("setbit", this::setbit);
        t.add("getbit", this::getbit);
        t.add("bitcount", this::bitcount);
        t.add("bitpos", this::bitpos);
        t.add("bitop", this::bitop);
        t.add("bitfield", c -> bitfield(c, false));
        t.add("bitfield_ro", c -> bitfield(c, true));
    }

    // ------------------------------------------------------------ arguments

    /**
     * Redis's getBitOffsetFromArgument: a non-negative bit offset whose byte
     * lies below proto-max-bulk-len. With {@code bits > 0} (BITFIELD) an
     * offset written "#n" means n * bits; the product wraps like Redis's.
     */
    private long bitOffset(CommandContext c, int i, int bits) {
        Args a = c.args();
        byte[] buf = a.buf();
        int off = a.off(i), len = a.len(i);
        boolean hash = bits > 0 && len > 0 && buf[off] == '#';
        long v;
        try {
            v = hash ? Numbers.parseLong(buf, off + 1, len - 1) : Numbers.parseLong(buf, off, len);
        } catch (Numbers.Invalid e) {
            throw Errors.BIT_OFFSET;
        }
        if (hash) v *= bits;
        if (v < 0 || (v >> 3) >= protoMaxBulkLen) throw Errors.BIT_OFFSET;
        return v;
    }

    /**
     * Redis's lookupStringForBitCommand: the key's string made writable and
     * long enough to address bit {@code maxbit}, created (exactly that long,
     * zeroed) when missing. Sets {@code grown[0]} when the key was created
     * or its length changed, which counts as a change even if no bit flips.
     */
    private StringValue writableString(CommandContext c, long maxbit, boolean[] grown) {
        long bytes = (maxbit >>> 3) + 1;
        Database db = c.db();
        Lookup l = c.lookup();
        Object e = c.write(1);
        if (e != null) Strings.check(e);
        if (bytes > MAX_STRING) throw Errors.BIT_OFFSET;
        int need = (int) bytes;
        if (e == null) {
            StringValue s = new StringValue(new byte[need], need, true);
            s.init(c.args().bytes(1), StoredValue.NO_EXPIRE, Keyspace.lruClock(c.now()));
            c.insert(db, l, s);
            grown[0] = true;
            return s;
        }
        int before = Strings.length(e);
        StringValue s = Strings.mutable(db, l, e, need);
        grown[0] = s.length() != before;
        return s;
    }

    // ------------------------------------------------------------ SETBIT / GETBIT

    void setbit(CommandContext c) {
        long offset = bitOffset(c, 2, 0);
        long on;
        try {
            on = c.args().longAt(3);
        } catch (Numbers.Invalid e) {
            throw Errors.BIT_VALUE;
        }
        if ((on & ~1L) != 0) throw Errors.BIT_VALUE;
        boolean[] grown = new boolean[1];
        StringValue s = writableString(c, offset, grown);
        byte[] data = s.data();
        int byteIndex = (int) (offset >>> 3);
        int bit = 7 - (int) (offset & 7);
        int old = (data[byteIndex] >> bit) & 1;
        // Like Redis 7.0: a write that neither creates, grows nor flips is not a change.
        if (grown[0] || old != on) {
            data[byteIndex] = (byte) ((data[byteIndex] & ~(1 << bit)) | ((int) on << bit));
            Database db = c.db();
            c.dirty(1);
            c.keyModified(db, 1);
            c.notify(KeyspaceEvents.STRING, "setbit", db, 1);
        }
        c.reply().integer(old);
    }

    void getbit(CommandContext c) {
        long offset = bitOffset(c, 2, 0);
        Object e = c.read(1);
        if (!Strings.check(e)) {
            c.reply().integer(0);
            return;
        }
        c.reply().integer(BitOps.getBit(Strings.array(e), Strings.offset(e), Strings.length(e), offset));
    }

    // ------------------------------------------------------------ BITCOUNT / BITPOS

    /**
     * BITCOUNT key [start end [BYTE|BIT]]. As in Redis 7.0 the key is looked
     * up before the range is parsed: a missing key answers 0 whatever follows.
     */
    void bitcount(CommandContext c) {
        Object e = c.read(1);
        if (!Strings.check(e)) {
            c.reply().integer(0);
            return;
        }
        Args a = c.args();
        byte[] p = Strings.array(e);
        int base = Strings.offset(e);
        long strlen = Strings.length(e);
        long start, end;
        int firstMask = 0, lastMask = 0;
        if (a.count() == 4 || a.count() == 5) {
            start = c.longArg(2);
            end = c.longArg(3);
            if (start < 0 && end < 0 && start > end) {
                c.reply().integer(0);
                return;
            }
            boolean isbit = a.count() == 5 && unit(a, 4);
            long totlen = isbit ? strlen << 3 : strlen;
            if (start < 0) start = totlen + start;
            if (end < 0) end = totlen + end;
            if (start < 0) start = 0;
            if (end < 0) end = 0;
            if (end >= totlen) end = totlen - 1;
            if (isbit && start <= end) {
                // Masks of the out-of-range bits of the edge bytes, subtracted at the end.
                firstMask = ~((1 << (8 - (int) (start & 7))) - 1) & 0xFF;
                lastMask = (1 << (7 - (int) (end & 7))) - 1;
                start >>= 3;
                end >>= 3;
            }
        } else if (a.count() == 2) {
            start = 0;
            end = strlen - 1;
        } else {
            throw Errors.SYNTAX;
        }
        if (start > end) {
            c.reply().integer(0);
            return;
        }
        long count = BitOps.popcount(p, base + (int) start, (int) (end - start + 1));
        if (firstMask != 0) count -= Integer.bitCount(p[base + (int) start] & firstMask);
        if (lastMask != 0) count -= Integer.bitCount(p[base + (int) end] & lastMask);
        c.reply().integer(count);
    }

    /** The BIT|BYTE argument: true for BIT. */
    private static boolean unit(Args a, int i) {
        if (a.is(i, "BIT")) return true;
        if (a.is(i, "BYTE")) return false;
        throw Errors.SYNTAX;
    }

    /**
     * BITPOS key bit [start [end [BYTE|BIT]]]. A missing key is an infinite
     * run of zeros. Looking for 0 without an explicit end treats the string
     * as zero-padded on the right (so all-ones answers the first bit past
     * it); with an explicit end the range is exact and the answer is -1.
     */
    void bitpos(CommandContext c) {
        Args a = c.args();
        long bit = c.longArg(2);
        if (bit != 0 && bit != 1) throw Errors.BITPOS_BIT;
        Object e = c.read(1);
        if (!Strings.check(e)) {
            c.reply().integer(bit == 1 ? -1 : 0);
            return;
        }
        byte[] p = Strings.array(e);
        int base = Strings.offset(e);
        long strlen = Strings.length(e);
        long start, end;
        boolean endGiven = false;
        int firstMask = 0, lastMask = 0;
        int argc = a.count();
        if (argc == 4 || argc == 5 || argc == 6) {
            start = c.longArg(3);
            boolean isbit = argc == 6 && unit(a, 5);
            long totlen = strlen;
            if (argc >= 5) {
                end = c.longArg(4);
                endGiven = true;
            } else {
                end = totlen - 1;
            }
            if (isbit) totlen <<= 3;
            if (start < 0) start = totlen + start;
            if (end < 0) end = totlen + end;
            if (start < 0) start = 0;
            if (end < 0) end = 0;
            if (end >= totlen) end = totlen - 1;
            if (isbit && start <= end) {
                firstMask = ~((1 << (8 - (int) (start & 7))) - 1) & 0xFF;
                lastMask = (1 << (7 - (int) (end & 7))) - 1;
                start >>= 3;
                end >>= 3;
            }
        } else if (argc == 3) {
            start = 0;
            end = strlen - 1;
        } else {
            throw Errors.SYNTAX;
        }
        if (start > end) {
            c.reply().integer(-1);
            return;
        }
        int b = (int) bit;
        long bytes = end - start + 1;
        long pos;
        search:
        {
            if (firstMask != 0) {
                // The first byte alone, its out-of-range bits forced to the value not sought.
                int first = p[base + (int) start] & 0xFF;
                first = b == 1 ? first & ~firstMask : first | firstMask;
                if (lastMask != 0 && bytes == 1) first = b == 1 ? first & ~lastMask : first | lastMask;
                pos = BitOps.bitposByte(first, b);
                if (bytes == 1 || (pos != -1 && pos != 8)) break search;
                start++;
                bytes--;
            }
            long whole = bytes - (lastMask != 0 ? 1 : 0);
            if (whole > 0) {
                pos = BitOps.bitpos(p, base + (int) start, (int) whole, b);
                if (bytes == whole || (pos != -1 && pos != whole << 3)) break search;
                start += whole;
                bytes -= whole;
            }
            int last = p[base + (int) end] & 0xFF;
            last = b == 1 ? last & ~lastMask : last | lastMask;
            pos = BitOps.bitposByte(last, b);
        }
        if (endGiven && b == 0 && pos == bytes << 3) {
            c.reply().integer(-1);
            return;
        }
        if (pos != -1) pos += start << 3;
        c.reply().integer(pos);
    }

    // ------------------------------------------------------------ BITOP

    private static final int AND = BitOps.AND, OR = BitOps.OR, XOR = BitOps.XOR, NOT = 3;

    /**
     * BITOP op dest key [key ...]. Missing sources are empty strings, shorter
     * ones are zero-padded; the result is as long as the longest source. An
     * empty result deletes the destination, as Redis does.
     */
    void bitop(CommandContext c) {
        Args a = c.args();
        int op;
        if (a.is(1, "AND")) op = AND;
        else if (a.is(1, "OR")) op = OR;
        else if (a.is(1, "XOR")) op = XOR;
        else if (a.is(1, "NOT")) op = NOT;
        else throw Errors.SYNTAX;
        if (op == NOT && a.count() != 4) throw Errors.BITOP_NOT_ONE_KEY;

        Database db = c.db();
        int n = a.count() - 3;
        byte[][] src = new byte[n][];
        int[] off = new int[n];
        int[] len = new int[n];
        int maxlen = 0;
        for (int j = 0; j < n; j++) {
            Object e = c.read(db, j + 3);
            if (!Strings.check(e)) continue;
            src[j] = Strings.array(e);
            off[j] = Strings.offset(e);
            len[j] = Strings.length(e);
            maxlen = Math.max(maxlen, len[j]);
        }

        Lookup l = c.lookup();
        if (maxlen == 0) {
            if (c.write(db, 2) != null) {
                db.remove(l);
                c.dirty(1);
                c.keyModified(db, 2);
                c.notify(KeyspaceEvents.GENERIC, "del", db, 2);
            }
            c.reply().integer(0);
            return;
        }
        byte[] res = new byte[maxlen];
        if (src[0] != null) System.arraycopy(src[0], off[0], res, 0, len[0]);
        if (op == NOT) {
            BitOps.not(res);
        } else {
            for (int i = 1; i < n; i++) {
                // A shorter (or missing) source is zero-padded: AND clears the rest, OR and XOR keep it.
                BitOps.combine(op, res, src[i], off[i], len[i]);
                if (op == AND) java.util.Arrays.fill(res, len[i], maxlen, (byte) 0);
            }
        }
        c.write(db, 2);
        // Like Redis's setKey: a new value (raw, exact length) without the old TTL.
        StringValue s = new StringValue(res, maxlen, true);
        s.init(a.bytes(2), StoredValue.NO_EXPIRE, Keyspace.lruClock(c.now()));
        c.put(db, l, s);
        c.dirty(1);
        c.keyModified(db, 2);
        c.notify(KeyspaceEvents.STRING, "set", db, 2);
        c.reply().integer(maxlen);
    }

    // ------------------------------------------------------------ BITFIELD

    private static final int GET = 0, SET = 1, INCRBY = 2;

    /**
     * BITFIELD key [GET type offset] [SET type offset value]
     * [INCRBY type offset increment] [OVERFLOW WRAP|SAT|FAIL] ..., and
     * BITFIELD_RO (GET only). Every operation is parsed and checked before
     * any runs; the string is then grown once to cover the furthest write.
     */
    void bitfield(CommandContext c, boolean readOnlyCommand) {
        Args a = c.args();
        int argc = a.count();
        // Per operation: opcode, type and overflow packed in one int; offset; value.
        int maxOps = (argc - 2) / 2 + 1;
        int[] kind = new int[maxOps];
        long[] offsets = new long[maxOps];
        long[] values = new long[maxOps];
        int numops = 0;
        int owtype = BitOps.OVERFLOW_WRAP;
        boolean readonly = true;
        long highestWrite = 0;
        for (int j = 2; j < argc; j++) {
            int remargs = argc - j - 1;
            int opcode;
            if (a.is(j, "GET") && remargs >= 2) {
                opcode = GET;
            } else if (a.is(j, "SET") && remargs >= 3) {
                opcode = SET;
            } else if (a.is(j, "INCRBY") && remargs >= 3) {
                opcode = INCRBY;
            } else if (a.is(j, "OVERFLOW") && remargs >= 1) {
                j++;
                if (a.is(j, "WRAP")) owtype = BitOps.OVERFLOW_WRAP;
                else if (a.is(j, "SAT")) owtype = BitOps.OVERFLOW_SAT;
                else if (a.is(j, "FAIL")) owtype = BitOps.OVERFLOW_FAIL;
                else throw Errors.BITFIELD_OVERFLOW;
                continue;
            } else {
                throw Errors.SYNTAX;
            }
            int type = bitfieldType(a, j + 1);
            int bits = type & 0x7F;
            long offset = bitOffset(c, j + 2, bits);
            long value = 0;
            if (opcode != GET) {
                readonly = false;
                highestWrite = Math.max(highestWrite, offset + bits - 1);
                value = c.longArg(j + 3);
            }
            kind[numops] = opcode << 16 | owtype << 8 | type;
            offsets[numops] = offset;
            values[numops] = value;
            numops++;
            j += opcode == GET ? 2 : 3;
        }

        StringValue target = null;
        Object read = null;
        boolean[] grown = new boolean[1];
        if (readonly) {
            read = c.read(1);
            Strings.check(read);
        } else {
            if (readOnlyCommand) throw Errors.BITFIELD_RO_GET_ONLY;
            target = writableString(c, highestWrite, grown);
        }

        c.reply().array(numops);
        long changes = 0;
        long[] limit = new long[1];
        for (int i = 0; i < numops; i++) {
            int opcode = kind[i] >>> 16, ow = (kind[i] >>> 8) & 0xFF;
            int bits = kind[i] & 0x7F;
            boolean signed = (kind[i] & 0x80) != 0;
            long offset = offsets[i];
            if (opcode == GET) {
                Object src = target != null ? target : read;
                byte[] p = src == null ? null : Strings.array(src);
                int base = src == null ? 0 : Strings.offset(src), len = src == null ? 0 : Strings.length(src);
                c.reply().integer(signed ? BitOps.getSigned(p, base, len, offset, bits)
                        : BitOps.getUnsigned(p, base, len, offset, bits));
                continue;
            }
            byte[] p = target.data();
            int len = target.length();
            long oldval = signed ? BitOps.getSigned(p, 0, len, offset, bits) : BitOps.getUnsigned(p, 0, len, offset, bits);
            long newval, retval;
            int overflow;
            if (opcode == INCRBY) {
                overflow = signed ? BitOps.checkSignedOverflow(oldval, values[i], bits, ow, limit)
                        : BitOps.checkUnsignedOverflow(oldval, values[i], bits, ow, limit);
                newval = overflow != 0 ? limit[0] : oldval + values[i];
                retval = newval;
            } else {
                newval = values[i];
                overflow = signed ? BitOps.checkSignedOverflow(newval, 0, bits, ow, limit)
                        : BitOps.checkUnsignedOverflow(newval, 0, bits, ow, limit);
                if (overflow != 0) newval = limit[0];
                retval = oldval;
            }
            if (overflow != 0 && ow == BitOps.OVERFLOW_FAIL) {
                c.reply().nullBulk();
                continue;
            }
            c.reply().integer(retval);
            BitOps.set(p, offset, bits, newval);
            if (grown[0] || oldval != newval) changes++;
        }
        if (changes > 0) {
            Database db = c.db();
            c.dirty(changes);
            c.keyModified(db, 1);
            c.notify(KeyspaceEvents.STRING, "setbit", db, 1);
        }
    }

    /**
     * Redis's getBitfieldTypeFromArgument: "i1".."i64" or "u1".."u63",
     * returned as the width with 0x80 set for signed. The digits are read
     * as a C string, so they end at the first NUL byte like in Redis.
     */
    private static int bitfieldType(Args a, int i) {
        byte[] buf = a.buf();
        int off = a.off(i), len = a.len(i);
        if (len == 0) throw Errors.BITFIELD_TYPE;
        boolean signed;
        if (buf[off] == 'i') signed = true;
        else if (buf[off] == 'u') signed = false;
        else throw Errors.BITFIELD_TYPE;
        int digits = 0;
        while (digits < len - 1 && buf[off + 1 + digits] != 0) digits++;
        long bits;
        try {
            bits = Numbers.parseLong(buf, off + 1, digits);
        } catch (Numbers.Invalid e) {
            throw Errors.BITFIELD_TYPE;
        }
        if (bits < 1 || (signed && bits > 64) || (!signed && bits > 63)) throw Errors.BITFIELD_TYPE;
        return (int) bits | (signed ? 0x80 : 0);
    }
}
