package io.larder.geo;

/**
 * What GEOSEARCH and GEORADIUS look for (Redis's GeoShape): a circle or an
 * axis-aligned box around a centre, in some unit, plus the cells to scan
 * for it (geohashCalculateAreasByShapeWGS84) and the test a point must pass
 * (geohashGetDistanceIfInRadiusWGS84, geohashGetDistanceIfInRectangle).
 */
public final class GeoShape {
    /** Centre: longitude, latitude. */
    public double x, y;
    public boolean box;
    /** Circle radius, or box width and height, in the unit. */
    public double radius, width, height;
    /** Meters per unit. */
    public double conversion;

    /**
     * The cells to scan, Redis's order: the centre's cell, then north,
     * south, east, west, north-east, north-west, south-east, south-west.
     * A step of 0 marks a neighbour excluded as useless (GZERO).
     */
    public final long[] cellBits = new long[9];
    public final int[] cellSteps = new int[9];

    private static final int N = 1, S = 2, E = 3, W = 4, NE = 5, NW = 6, SE = 7, SW = 8;

    /**
     * geohashBoundingBox: {min longitude, min latitude, max longitude, max
     * latitude}, widened towards the pole (the box's far edge is longer in
     * longitude). Values may be NaN or infinite for huge radii, as in Redis.
     */
    private void boundingBox(double[] b) {
        double h = conversion * (box ? height / 2 : radius);
        double w = conversion * (box ? width / 2 : radius);
        double latDelta = GeoDistance.radDeg(h / GeoDistance.EARTH_RADIUS);
        double longDeltaTop = GeoDistance.radDeg(
                w / GeoDistance.EARTH_RADIUS / LibM.cos(GeoDistance.degRad(y + latDelta)));
        double longDeltaBottom = GeoDistance.radDeg(
                w / GeoDistance.EARTH_RADIUS / LibM.cos(GeoDistance.degRad(y - latDelta)));
        boolean southern = y < 0;
        b[0] = southern ? x - longDeltaBottom : x - longDeltaTop;
        b[2] = southern ? x + longDeltaBottom : x + longDeltaTop;
        b[1] = y - latDelta;
        b[3] = y + latDelta;
    }

    /**
     * geohashCalculateAreasByShapeWGS84: picks the step from the radius (a
     * box's half diagonal), one step coarser if a side neighbour does not
     * reach the bounding box's edge, and drops the neighbours the bounding
     * box does not reach. Fills {@link #cellBits} and {@link #cellSteps}.
     */
    public void computeCells() {
        double[] bounds = new double[4];
        boundingBox(bounds);
        double minLon = bounds[0], minLat = bounds[1], maxLon = bounds[2], maxLat = bounds[3];
        double radiusMeters = box ? Math.sqrt((width / 2) * (width / 2) + (height / 2) * (height / 2)) : radius;
        radiusMeters *= conversion;
        int steps = GeoDistance.estimateSteps(radiusMeters, y);
        long hash = GeoHash.encodeWGS84(x, y, steps);
        double[] a = new double[4];
        boolean decrease = false;
        GeoHash.decode(GeoHash.moveY(hash, steps, 1), steps, a);
        if (a[3] < maxLat) decrease = true;
        GeoHash.decode(GeoHash.moveY(hash, steps, -1), steps, a);
        if (a[2] > minLat) decrease = true;
        GeoHash.decode(GeoHash.moveX(hash, steps, 1), steps, a);
        if (a[1] < maxLon) decrease = true;
        GeoHash.decode(GeoHash.moveX(hash, steps, -1), steps, a);
        if (a[0] > minLon) decrease = true;
        if (steps > 1 && decrease) {
            steps--;
            hash = GeoHash.encodeWGS84(x, y, steps);
        }
        cellBits[0] = hash;
        cellBits[N] = GeoHash.moveY(hash, steps, 1);
        cellBits[S] = GeoHash.moveY(hash, steps, -1);
        cellBits[E] = GeoHash.moveX(hash, steps, 1);
        cellBits[W] = GeoHash.moveX(hash, steps, -1);
        cellBits[NE] = GeoHash.moveY(GeoHash.moveX(hash, steps, 1), steps, 1);
        cellBits[NW] = GeoHash.moveY(GeoHash.moveX(hash, steps, -1), steps, 1);
        cellBits[SE] = GeoHash.moveY(GeoHash.moveX(hash, steps, 1), steps, -1);
        cellBits[SW] = GeoHash.moveY(GeoHash.moveX(hash, steps, -1), steps, -1);
        java.util.Arrays.fill(cellSteps, steps);
        if (steps >= 2) {
            GeoHash.decode(hash, steps, a);
            if (a[2] < minLat) exclude(S, SW, SE);
            if (a[3] > maxLat) exclude(N, NE, NW);
            if (a[0] < minLon) exclude(W, SW, NW);
            if (a[1] > maxLon) exclude(E, SE, NE);
        }
    }

    private void exclude(int... cells) {
        for (int n : cells) {
            cellBits[n] = 0;
            cellSteps[n] = 0;
        }
    }

    /**
     * The distance in meters from the centre to a point if the point is in
     * the shape, else -1. A NaN distance (nearly antipodal points, where
     * rounding takes asin's argument past 1) counts as inside, as in Redis,
     * whose test is "distance > radius".
     */
    public double distanceIfInside(double px, double py) {
        if (!box) {
            double d = GeoDistance.distance(x, y, px, py);
            return d > radius * conversion ? -1 : d;
        }
        double widthM = width * conversion, heightM = height * conversion;
        if (GeoDistance.latDistance(py, y) > heightM / 2) return -1;
        if (GeoDistance.distance(px, py, x, py) > widthM / 2) return -1;
        return GeoDistance.distance(x, y, px, py);
    }
}
