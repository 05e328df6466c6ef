package io.larder.geo;

/**
 * Redis's distances on a sphere (geohash_helper.c): the haversine formula
 * with Redis's earth radius, degrees converted with M_PI / 180, and the
 * C library's sin, cos and asin ({@link LibM}), evaluated in Redis's order so
 * the results are the same doubles. Redis 7.0.15 takes a shortcut when the
 * longitudes are the same (the sine of half their difference is 0): the
 * distance is then the latitude difference times the radius, which is not
 * always the haversine's last bit; that too is reproduced (checked against
 * the oracle on points sharing a longitude).
 */
public final class GeoDistance {
    private GeoDistance() {}

    /** Redis's EARTH_RADIUS_IN_METERS. */
    static final double EARTH_RADIUS = 6372797.560856;
    /** Half the Mercator projection's width in meters (MERCATOR_MAX). */
    static final double MERCATOR_MAX = 20037726.37;
    /** D_R: M_PI / 180.0, rounded once as the C compiler does. */
    private static final double D_R = Math.PI / 180.0;

    static double degRad(double ang) {
        return ang * D_R;
    }

    static double radDeg(double ang) {
        return ang / D_R;
    }

    /** geohashGetLatDistance: along a meridian. */
    static double latDistance(double lat1d, double lat2d) {
        return EARTH_RADIUS * Math.abs(degRad(lat2d) - degRad(lat1d));
    }

    /** geohashGetDistance: meters between two positions (longitude first). */
    public static double distance(double lon1d, double lat1d, double lon2d, double lat2d) {
        double lon1r = degRad(lon1d);
        double lon2r = degRad(lon2d);
        double v = LibM.sin((lon2r - lon1r) / 2);
        if (v == 0.0) return latDistance(lat1d, lat2d);
        double lat1r = degRad(lat1d);
        double lat2r = degRad(lat2d);
        double u = LibM.sin((lat2r - lat1r) / 2);
        double a = u * u + LibM.cos(lat1r) * LibM.cos(lat2r) * v * v;
        return 2.0 * EARTH_RADIUS * LibM.asin(Math.sqrt(a));
    }

    /**
     * geohashEstimateStepsByRadius: the coarsest step whose cells are still
     * about as large as the radius, one or two steps coarser towards the
     * poles, within [1, 26].
     */
    static int estimateSteps(double rangeMeters, double lat) {
        if (rangeMeters == 0) return 26;
        int step = 1;
        while (rangeMeters < MERCATOR_MAX) {
            rangeMeters *= 2;
            step++;
        }
        step -= 2;
        if (lat > 66 || lat < -66) {
            step--;
            if (lat > 80 || lat < -80) step--;
        }
        if (step < 1) step = 1;
        if (step > 26) step = 26;
        return step;
    }
}
