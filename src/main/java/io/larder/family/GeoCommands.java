package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandTable;
import io.larder.command.Errors;
import io.larder.config.Config;
import io.larder.config.KeyspaceEvents;
import io.larder.geo.GeoFormat;
import io.larder.geo.GeoHash;
import io.larder.geo.GeoDistance;
import io.larder.geo.GeoResults;
import io.larder.geo.GeoShape;
import io.larder.protocol.Args;
import io.larder.protocol.Reply;
import io.larder.server.LarderServer;
import io.larder.store.Database;
import io.larder.store.Lookup;
import io.larder.store.StoredValue;
import io.larder.store.zset.SortedSet;
import java.util.Arrays;

/**
 * The geo family (Redis's geo.c): positions stored as sorted set members
 * whose score is a 52-bit geohash ({@link GeoHash}), searched by scanning the
 * score ranges of nine grid cells around a centre and testing each member
 * against a circle or a box ({@link GeoShape}, {@link GeoResults}). Like
 * Redis, the family is a layer over the sorted set: GEOADD adds to the set
 * under ZADD's rules (and emits "zadd"), the STORE forms write a sorted set
 * through the sorted set family's {@code setKey}/{@code deleteKey}, and any
 * sorted set can be read as a geo set (scores that are not geohashes decode
 * to some position, as in Redis).
 *
 * <p>Option names and units are compared as Redis's strcasecmp does (up to a
 * NUL byte, {@link StreamCommands#is}). Checks run in Redis's order: the
 * source key's type first, then the arguments left to right.
 */
public final class GeoCommands {
    private static final CommandError CANNOT_DECODE_MEMBER = Errors.err("could not decode requested zset member");
    private static final CommandError BAD_UNIT = Errors.err("unsupported unit provided. please use M, KM, FT, MI");
    private static final CommandError NEED_RADIUS = Errors.err("need numeric radius");
    private static final CommandError NEGATIVE_RADIUS = Errors.err("radius cannot be negative");
    private static final CommandError NEED_WIDTH = Errors.err("need numeric width");
    private static final CommandError NEED_HEIGHT = Errors.err("need numeric height");
    private static final CommandError NEGATIVE_BOX = Errors.err("height or width cannot be negative");
    private static final CommandError COUNT_NOT_POSITIVE = Errors.err("COUNT must be > 0");
    private static final CommandError ANY_WITHOUT_COUNT = Errors.err("the ANY argument requires COUNT argument");

    /** georadiusGeneric's flags. */
    private static final int RADIUS_COORDS = 1, RADIUS_MEMBER = 2, RADIUS_NOSTORE = 4, GEOSEARCH = 8,
            GEOSEARCHSTORE = 16;
    private static final int SORT_NONE = 0, SORT_ASC = 1, SORT_DESC = 2;

    /** zset-max-listpack-entries / -value: GEOADD and the STORE forms build sorted sets. */
    private volatile long maxEntries;
    private volatile long maxValue;

    public GeoCommands(LarderServer server) {
        server.config().watch("zset-max-listpack-entries", p -> maxEntries = ((Config.NumParam) p).value());
        server.config().watch("zset-max-listpack-value", p -> maxValue = ((Config.NumParam) p).value());
    }

    public void register(CommandTable t) {
        t.add("geoadd", this::geoadd);
        t.add("geodist", this::geodist);
        t.add("geohash", this::geohash);
        t.add("geopos", this::geopos);
        // Redis stores into the last STORE/STOREDIST key; the key specs (which the dispatcher locks,
        // and COMMAND GETKEYS lists, as in Redis) name the first of each. With several, the key
        // written may be one nobody locked: such a call runs with the keyspace to itself.
        t.add("georadius", c -> search(c, 1, RADIUS_COORDS)).exclusiveWhen(GeoCommands::severalStoreKeys);
        t.add("georadiusbymember", c -> search(c, 1, RADIUS_MEMBER)).exclusiveWhen(GeoCommands::severalStoreKeys);
        t.add("georadius_ro", c -> search(c, 1, RADIUS_COORDS | RADIUS_NOSTORE));
        t.add("georadiusbymember_ro", c -> search(c, 1, RADIUS_MEMBER | RADIUS_NOSTORE));
        t.add("geosearch", c -> search(c, 1, GEOSEARCH));
        t.add("geosearchstore", c -> search(c, 2, GEOSEARCH | GEOSEARCHSTORE));
    }

    /** Whether a GEORADIUS call has more than one STORE/STOREDIST option (scanned as georadiusGetKeys does). */
    static boolean severalStoreKeys(Args a) {
        int n = 0;
        for (int i = 5; i + 1 < a.count(); i++) {
            if (StreamCommands.is(a, i, "store") || StreamCommands.is(a, i, "storedist")) {
                n++;
                i++;
            }
        }
        return n > 1;
    }

    // ------------------------------------------------------------ argument helpers

    /** extractLongLatOrReply: arguments i and i+1 as a valid position. */
    private static void lonLat(CommandContext c, int i, double[] xy) {
        double x = c.doubleArg(i);
        double y = c.doubleArg(i + 1);
        if (GeoHash.invalid(x, y)) {
            throw Errors.err("invalid longitude,latitude pair " + GeoFormat.fixed(x, 6) + "," + GeoFormat.fixed(y, 6));
        }
        xy[0] = x;
        xy[1] = y;
    }

    /** extractUnitOrReply: meters per unit. */
    private static double unit(CommandContext c, int i) {
        Args a = c.args();
        if (StreamCommands.is(a, i, "m")) return 1;
        if (StreamCommands.is(a, i, "km")) return 1000;
        if (StreamCommands.is(a, i, "ft")) return 0.3048;
        if (StreamCommands.is(a, i, "mi")) return 1609.34;
        throw BAD_UNIT;
    }

    private static double doubleArg(CommandContext c, int i, CommandError err) {
        try {
            return c.args().doubleAt(i);
        } catch (RuntimeException e) {
            throw err;
        }
    }

    /** extractDistanceOrReply: "radius unit" at i into a circle. */
    private static void radius(CommandContext c, int i, GeoShape shape) {
        double r = doubleArg(c, i, NEED_RADIUS);
        if (r < 0) throw NEGATIVE_RADIUS;
        shape.radius = r;
        shape.conversion = unit(c, i + 1);
    }

    /** extractBoxOrReply: "width height unit" at i into a box. */
    private static void box(CommandContext c, int i, GeoShape shape) {
        double w = doubleArg(c, i, NEED_WIDTH);
        double h = doubleArg(c, i + 1, NEED_HEIGHT);
        if (h < 0 || w < 0) throw NEGATIVE_BOX;
        shape.height = h;
        shape.width = w;
        shape.conversion = unit(c, i + 2);
    }

    /** longLatFromMember: a member's position, false when it is not in the set. */
    private static boolean memberPosition(SortedSet z, Args a, int i, double[] xy) {
        double score = z.score(a.buf(), a.off(i), a.len(i));
        if (Double.isNaN(score)) return false;
        GeoHash.decodeScore(score, xy);
        return true;
    }

    // ------------------------------------------------------------ GEOADD

    /**
     * GEOADD key [NX|XX] [CH] longitude latitude member ...: Redis rewrites
     * it into ZADD with the positions' scores, so from there on it is ZADD
     * (its checks, its "zadd" event, its encoding rules).
     */
    private static final byte[] ZADD = Propagated.ascii("zadd");

    void geoadd(CommandContext c) {
        Args a = c.args();
        int argc = a.count();
        boolean nx = false, xx = false, ch = false;
        int longIdx = 2;
        while (longIdx < argc) {
            if (StreamCommands.is(a, longIdx, "nx")) nx = true;
            else if (StreamCommands.is(a, longIdx, "xx")) xx = true;
            else if (StreamCommands.is(a, longIdx, "ch")) ch = true;
            else break;
            longIdx++;
        }
        if ((argc - longIdx) % 3 != 0 || (xx && nx)) throw Errors.SYNTAX;
        int elements = (argc - longIdx) / 3;
        // ZADD's own check, on the rewritten arguments.
        if (elements == 0) throw Errors.SYNTAX;
        double[] scores = new double[elements];
        double[] xy = new double[2];
        for (int j = 0; j < elements; j++) {
            lonLat(c, longIdx + 3 * j, xy);
            scores[j] = GeoHash.score(xy[0], xy[1]);
        }

        Database db = c.db();
        Lookup l = c.lookup();
        SortedSet z = SortedSetCommands.zset(c.write(1));
        Reply r = c.reply();
        if (z == null) {
            if (xx) {
                r.integer(0);
                return;
            }
            z = SortedSet.forAdd(maxEntries, maxValue, a.len(longIdx + 2));
            z.init(a.bytes(1), StoredValue.NO_EXPIRE, c.keyspace().newEntryClock(c.now()));
            c.insert(db, l, z);
        }
        int flags = (nx ? SortedSet.IN_NX : 0) | (xx ? SortedSet.IN_XX : 0);
        long added = 0, updated = 0;
        for (int j = 0; j < elements; j++) {
            int m = longIdx + 3 * j + 2;
            int out = z.add(scores[j], a.buf(), a.off(m), a.len(m), flags, maxEntries, maxValue);
            if ((out & SortedSet.OUT_ADDED) != 0) added++;
            if ((out & SortedSet.OUT_UPDATED) != 0) updated++;
        }
        if (added + updated > 0) db.updated(l);
        c.dirty(added + updated);
        if (c.propagating() && added + updated > 0) {
            // GEOADD runs as the ZADD it builds (lower-case "zadd", the options, score member pairs), and
            // that is what is propagated.
            byte[][] v = new byte[longIdx + 2 * elements][];
            v[0] = ZADD;
            for (int i = 1; i < longIdx; i++) v[i] = a.bytes(i);
            for (int j = 0; j < elements; j++) {
                v[longIdx + 2 * j] = io.larder.journal.Resp.number((long) scores[j]);
                v[longIdx + 2 * j + 1] = a.bytes(longIdx + 3 * j + 2);
            }
            c.propagateAs(v);
        }
        r.integer(ch ? added + updated : added);
        if (added + updated > 0) {
            c.keyModified(db, 1);
            c.notify(KeyspaceEvents.ZSET, "zadd", db, 1);
        }
    }

    // ------------------------------------------------------------ GEODIST, GEOHASH, GEOPOS

    /** GEODIST key member1 member2 [unit]: null when the key or a member is missing. */
    void geodist(CommandContext c) {
        Args a = c.args();
        double toMeter = 1;
        if (a.count() == 5) toMeter = unit(c, 4);
        else if (a.count() > 5) throw Errors.SYNTAX;
        SortedSet z = SortedSetCommands.zset(c.read(1));
        Reply r = c.reply();
        if (z == null) {
            r.nullBulk();
            return;
        }
        double s1 = z.score(a.buf(), a.off(2), a.len(2));
        double s2 = Double.isNaN(s1) ? Double.NaN : z.score(a.buf(), a.off(3), a.len(3));
        if (Double.isNaN(s2)) {
            r.nullBulk();
            return;
        }
        double[] p1 = new double[2], p2 = new double[2];
        GeoHash.decodeScore(s1, p1);
        GeoHash.decodeScore(s2, p2);
        r.bulk(GeoFormat.distance(GeoDistance.distance(p1[0], p1[1], p2[0], p2[1]) / toMeter));
    }

    /** GEOHASH key member ...: the standard 11-character geohash of each position. */
    void geohash(CommandContext c) {
        Args a = c.args();
        SortedSet z = SortedSetCommands.zset(c.read(1));
        Reply r = c.reply();
        r.array(a.count() - 2);
        for (int j = 2; j < a.count(); j++) {
            double s = z == null ? Double.NaN : z.score(a.buf(), a.off(j), a.len(j));
            if (Double.isNaN(s)) r.nullBulk();
            else r.bulk(GeoHash.text(s));
        }
    }

    /** GEOPOS key member ...: each position as [longitude, latitude], the centre of its cell. */
    void geopos(CommandContext c) {
        Args a = c.args();
        SortedSet z = SortedSetCommands.zset(c.read(1));
        Reply r = c.reply();
        r.array(a.count() - 2);
        double[] xy = new double[2];
        for (int j = 2; j < a.count(); j++) {
            double s = z == null ? Double.NaN : z.score(a.buf(), a.off(j), a.len(j));
            if (Double.isNaN(s)) {
                r.nullArray();
                continue;
            }
            GeoHash.decodeScore(s, xy);
            r.array(2);
            r.doubleText(GeoFormat.human(xy[0]));
            r.doubleText(GeoFormat.human(xy[1]));
        }
    }

    // ------------------------------------------------------------ searches

    /**
     * georadiusGeneric, behind GEORADIUS, GEORADIUSBYMEMBER, their _RO forms,
     * GEOSEARCH and GEOSEARCHSTORE.
     */
    void search(CommandContext c, int srcKeyIndex, int flags) {
        Args a = c.args();
        int argc = a.count();
        Database db = c.db();
        int storeKey = -1;
        boolean storeDist = false;
        SortedSet z = SortedSetCommands.zset(c.read(db, srcKeyIndex));

        GeoShape shape = new GeoShape();
        double[] xy = new double[2];
        int baseArgs;
        if ((flags & RADIUS_COORDS) != 0) {
            baseArgs = 6;
            lonLat(c, 2, xy);
            shape.x = xy[0];
            shape.y = xy[1];
            radius(c, 4, shape);
        } else if ((flags & RADIUS_MEMBER) != 0 && z == null) {
            // No source key: parse the options anyway, the reply depends on STORE.
            baseArgs = 5;
        } else if ((flags & RADIUS_MEMBER) != 0) {
            baseArgs = 5;
            if (!memberPosition(z, a, 2, xy)) throw CANNOT_DECODE_MEMBER;
            shape.x = xy[0];
            shape.y = xy[1];
            radius(c, 3, shape);
        } else {
            baseArgs = 2;
            if ((flags & GEOSEARCHSTORE) != 0) {
                baseArgs = 3;
                storeKey = 1;
            }
        }

        boolean withDist = false, withHash = false, withCoords = false;
        boolean fromMember = false, fromLoc = false, byRadius = false, byBox = false;
        int sort = SORT_NONE;
        boolean any = false;
        long count = 0;
        boolean search = (flags & GEOSEARCH) != 0;
        boolean mayStore = (flags & RADIUS_NOSTORE) == 0 && !search;
        int remaining = argc - baseArgs;
        for (int i = 0; i < remaining; i++) {
            int j = baseArgs + i;
            if (StreamCommands.is(a, j, "withdist")) {
                withDist = true;
            } else if (StreamCommands.is(a, j, "withhash")) {
                withHash = true;
            } else if (StreamCommands.is(a, j, "withcoord")) {
                withCoords = true;
            } else if (StreamCommands.is(a, j, "any")) {
                any = true;
            } else if (StreamCommands.is(a, j, "asc")) {
                sort = SORT_ASC;
            } else if (StreamCommands.is(a, j, "desc")) {
                sort = SORT_DESC;
            } else if (StreamCommands.is(a, j, "count") && i + 1 < remaining) {
                count = c.longArg(j + 1);
                if (count <= 0) throw COUNT_NOT_POSITIVE;
                i++;
            } else if (StreamCommands.is(a, j, "store") && i + 1 < remaining && mayStore) {
                storeKey = j + 1;
                storeDist = false;
                i++;
            } else if (StreamCommands.is(a, j, "storedist") && i + 1 < remaining && mayStore) {
                storeKey = j + 1;
                storeDist = true;
                i++;
            } else if (StreamCommands.is(a, j, "storedist") && search && (flags & GEOSEARCHSTORE) != 0) {
                storeDist = true;
            } else if (StreamCommands.is(a, j, "frommember") && i + 1 < remaining && search && !fromLoc) {
                // Without a source key the member cannot be looked up; the error for that comes later.
                if (z != null) {
                    if (!memberPosition(z, a, j + 1, xy)) throw CANNOT_DECODE_MEMBER;
                    shape.x = xy[0];
                    shape.y = xy[1];
                }
                fromMember = true;
                i++;
            } else if (StreamCommands.is(a, j, "fromlonlat") && i + 2 < remaining && search && !fromMember) {
                lonLat(c, j + 1, xy);
                shape.x = xy[0];
                shape.y = xy[1];
                fromLoc = true;
                i += 2;
            } else if (StreamCommands.is(a, j, "byradius") && i + 2 < remaining && search && !byBox) {
                radius(c, j + 1, shape);
                shape.box = false;
                byRadius = true;
                i += 2;
            } else if (StreamCommands.is(a, j, "bybox") && i + 3 < remaining && search && !byRadius) {
                box(c, j + 1, shape);
                shape.box = true;
                byBox = true;
                i += 3;
            } else {
                throw Errors.SYNTAX;
            }
        }

        if (storeKey >= 0 && (withDist || withHash || withCoords)) {
            throw Errors.err(((flags & GEOSEARCHSTORE) != 0 ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS")
                    + " is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
        }
        if (search && !(fromMember || fromLoc)) {
            throw Errors.err("exactly one of FROMMEMBER or FROMLONLAT can be specified for " + a.str(0));
        }
        if (search && !(byRadius || byBox)) {
            throw Errors.err("exactly one of BYRADIUS and BYBOX can be specified for " + a.str(0));
        }
        if (any && count == 0) throw ANY_WITHOUT_COUNT;

        Reply r = c.reply();
        if (z == null) {
            if (storeKey >= 0) {
                if (SortedSetCommands.deleteKey(c, db, storeKey)) c.dirty(1);
                r.integer(0);
            } else {
                r.emptyArray();
            }
            return;
        }
        // COUNT without an order means the nearest COUNT (ANY: the first found).
        if (count != 0 && sort == SORT_NONE && !any) sort = SORT_ASC;

        shape.computeCells();
        GeoResults found = GeoResults.search(z, shape, any ? count : 0);
        if (found.size() == 0 && storeKey < 0) {
            r.emptyArray();
            return;
        }
        int returned = count == 0 || found.size() < count ? found.size() : (int) count;
        if (sort != SORT_NONE) found.sort(sort == SORT_DESC, returned);

        if (storeKey < 0) {
            int options = (withDist ? 1 : 0) + (withCoords ? 1 : 0) + (withHash ? 1 : 0);
            r.array(returned);
            for (int i = 0; i < returned; i++) {
                if (options > 0) r.array(options + 1);
                r.bulk(found.member(i));
                if (withDist) r.bulk(GeoFormat.distance(found.distance(i) / shape.conversion));
                if (withHash) r.integer(cLongLong(found.score(i)));
                if (withCoords) {
                    r.array(2);
                    r.doubleText(GeoFormat.human(found.longitude(i)));
                    r.doubleText(GeoFormat.human(found.latitude(i)));
                }
            }
            return;
        }
        if (returned > 0) {
            byte[][] entries = new byte[returned][];
            for (int i = 0; i < returned; i++) {
                double score = storeDist ? found.distance(i) / shape.conversion : found.score(i);
                byte[] m = found.member(i);
                entries[i] = SortedSet.entry(score, m, 0, m.length);
            }
            Arrays.sort(entries, SortedSet::compareEntries);
            SortedSetCommands.setKey(c, db, storeKey, SortedSet.fromSorted(entries, returned, maxEntries, maxValue));
            c.notify(KeyspaceEvents.ZSET, search ? "geosearchstore" : "georadiusstore", db, storeKey);
            c.dirty(returned);
        } else if (SortedSetCommands.deleteKey(c, db, storeKey)) {
            c.dirty(1);
        }
        r.integer(returned);
    }

    /** C's (long long) conversion of a double on x86-64: NaN and out-of-range values give LLONG_MIN. */
    private static long cLongLong(double d) {
        return d >= -0x1p63 && d < 0x1p63 ? (long) d : Long.MIN_VALUE;
    }
}
