package io.larder.geo;

import io.larder.store.zset.ScoreRange;
import io.larder.store.zset.SortedSet;
import io.larder.store.zset.ZCursor;
import io.larder.util.LibcSort;
import java.util.Arrays;

/**
 * The members a geo search found (Redis's geoArray): member, position,
 * distance in meters and score, in the order the cells were scanned; then
 * sorted by distance with the sorts Redis uses, so that equal distances come
 * out in Redis's order too.
 */
public final class GeoResults {
    private int size;
    private byte[][] members = new byte[8][];
    private double[] lon = new double[8];
    private double[] lat = new double[8];
    private double[] dist = new double[8];
    private double[] score = new double[8];
    /** Reply order: positions into the arrays above. */
    private int[] order;

    public int size() {
        return size;
    }

    /** The i-th result in reply order. */
    public byte[] member(int i) {
        return members[order[i]];
    }

    public double longitude(int i) {
        return lon[order[i]];
    }

    public double latitude(int i) {
        return lat[order[i]];
    }

    /** Distance from the centre in meters. */
    public double distance(int i) {
        return dist[order[i]];
    }

    public double score(int i) {
        return score[order[i]];
    }

    private void add(byte[] m, double x, double y, double d, double s) {
        if (size == members.length) {
            int n = size * 2;
            members = Arrays.copyOf(members, n);
            lon = Arrays.copyOf(lon, n);
            lat = Arrays.copyOf(lat, n);
            dist = Arrays.copyOf(dist, n);
            score = Arrays.copyOf(score, n);
        }
        members[size] = m;
        lon[size] = x;
        lat[size] = y;
        dist[size] = d;
        score[size] = s;
        size++;
    }

    /**
     * membersOfAllNeighbors: scans the shape's cells in Redis's order, skipping
     * excluded ones and a cell equal to the one scanned just before (huge
     * radii make neighbours coincide; like Redis, a repeat of the centre cell
     * right after it is not skipped). With a limit (COUNT ... ANY) the scan
     * stops as soon as that many members matched.
     */
    public static GeoResults search(SortedSet z, GeoShape shape, long limit) {
        GeoResults r = new GeoResults();
        int last = 0;
        for (int i = 0; i < 9; i++) {
            long bits = shape.cellBits[i];
            int step = shape.cellSteps[i];
            if (bits == 0 && step == 0) continue;
            if (last != 0 && bits == shape.cellBits[last] && step == shape.cellSteps[last]) continue;
            if (r.size > 0 && limit > 0 && r.size >= limit) break;
            r.scanCell(z, bits, step, shape, limit);
            last = i;
        }
        r.order = new int[r.size];
        for (int i = 0; i < r.size; i++) r.order[i] = i;
        return r;
    }

    /**
     * geoGetPointsInRange over one cell: every score in [cell start, next
     * cell's start) in set order, decoded and tested against the shape.
     */
    private void scanCell(SortedSet z, long bits, int step, GeoShape shape, long limit) {
        double min = (double) GeoHash.align52(bits, step);
        double max = (double) GeoHash.align52(bits + 1, step);
        ScoreRange range = new ScoreRange(min, false, max, true);
        int first = z.firstInRange(range);
        if (first < 0) return;
        double[] xy = new double[2];
        for (ZCursor c = z.cursor(first); c.valid(); c.next()) {
            double s = c.score();
            if (!(s < max)) break;
            GeoHash.decodeScore(s, xy);
            double d = shape.distanceIfInside(xy[0], xy[1]);
            if (!(d < 0)) add(c.member(), xy[0], xy[1], d, s);
            if (size > 0 && limit > 0 && size >= limit) break;
        }
    }

    /**
     * Sorts by distance, ascending or descending, as Redis does: glibc's qsort
     * when every result is returned, Redis's partial pqsort when only the
     * first {@code returned} are.
     */
    public void sort(boolean descending, int returned) {
        LibcSort.IndexComparator asc = (a, b) -> dist[a] > dist[b] ? 1 : dist[a] == dist[b] ? 0 : -1;
        LibcSort.IndexComparator cmp = descending ? (a, b) -> -asc.compare(a, b) : asc;
        if (returned == size) LibcSort.qsort(order, size, cmp);
        else LibcSort.pqsort(order, size, cmp, 0, returned - 1);
    }
}
