package io.larder.family;

import org.junit.jupiter.api.Test;

/**
 * Keyspace events and dirty counts of the geo commands against Redis:
 * GEOADD is ZADD ("zadd", one change per member added or moved), the STORE
 * forms emit "new" and "geosearchstore"/"georadiusstore" and count one change
 * per stored member, an empty result deletes the destination ("del", one
 * change), reads emit "keymiss" for a missing key.
 */
class GeoEffectsTest extends SideEffectsTestBase {
    @Test
    void geoadd() {
        s.script("""
                GEOADD g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
                GEOADD g 13.361389 38.115556 Palermo
                GEOADD g CH 13.361389 38.2 Palermo 1 1 new
                GEOADD g XX CH 1 2 Palermo 3 4 nosuch
                GEOADD g NX 5 6 Palermo 7 8 other
                GEOADD missing XX 1 2 a
                GEOADD g 200 100 bad
                SET str v
                GEOADD str 1 2 a
                """);
    }

    @Test
    void reads() {
        s.script("""
                GEOADD g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
                GEOPOS g Palermo nosuch
                GEOPOS nokey a
                GEOHASH nokey a
                GEODIST nokey a b
                GEODIST g Palermo Catania km
                GEOSEARCH nokey FROMLONLAT 15 37 BYRADIUS 200 km
                GEOSEARCH g FROMLONLAT 15 37 BYRADIUS 200 km
                GEORADIUS_RO nokey 15 37 200 km
                GEORADIUSBYMEMBER_RO g Palermo 200 km
                """);
    }

    @Test
    void stores() {
        s.script("""
                GEOADD g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania 12.4964 41.9028 Roma
                GEOSEARCHSTORE d g FROMLONLAT 15 37 BYRADIUS 200 km
                GEOSEARCHSTORE d g FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST
                GEOSEARCHSTORE d g FROMLONLAT 15 37 BYRADIUS 2000 km COUNT 2
                GEOSEARCHSTORE d g FROMLONLAT 100 2 BYRADIUS 1 km
                GEOSEARCHSTORE d g FROMLONLAT 100 2 BYRADIUS 1 km
                GEORADIUS g 15 37 200 km STORE d2
                GEORADIUS g 15 37 200 km STOREDIST d2
                GEORADIUS g 15 37 200 km STORE a STOREDIST d3
                GEORADIUSBYMEMBER g Palermo 1000 km STOREDIST d4
                GEORADIUSBYMEMBER g Palermo 1 m STORE d4
                GEOSEARCHSTORE d2 nokey FROMLONLAT 100 2 BYRADIUS 1 km
                GEORADIUS nokey 15 37 200 km STORE d4
                GEORADIUSBYMEMBER nokey x 1 km STORE d4
                GEORADIUSBYMEMBER nokey x 1 km STORE g
                GEOSEARCHSTORE d g FROMLONLAT 15 37 BYRADIUS 200 km WITHDIST
                SET str v
                GEOSEARCHSTORE str g FROMLONLAT 15 37 BYRADIUS 200 km
                GEOSEARCHSTORE d str FROMLONLAT 15 37 BYRADIUS 200 km
                """);
    }
}
