package io.larder.family;

import io.larder.testing.DifferentialTestBase;
import org.junit.jupiter.api.Test;

/**
 * Every geo command, option and error against Redis 7.0, byte for byte, in
 * RESP2 and RESP3: positions (cell centres), geohash strings, distances to 4
 * decimals, full-precision distances through STOREDIST, error texts and
 * their precedence, and the sorted sets the STORE forms build.
 */
class GeoCommandsTest extends DifferentialTestBase {
    private static final String SICILY = """
            GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
            GEOADD Sicily 12.758489 38.788135 edge1 17.241510 38.788135 edge2
            GEOADD Sicily 14.2681 40.8518 Napoli 12.4964 41.9028 Roma 15.5540 38.1938 Messina
            """;

    @Test
    void geoadd() {
        d.script("""
                GEOADD k 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
                ZRANGE k 0 -1 WITHSCORES
                GEOADD k 13.361389 38.115556 Palermo
                GEOADD k CH 13.361389 38.2 Palermo 1 1 new
                GEOADD k NX 1 2 Palermo 3 4 other
                GEOADD k XX 1 2 Palermo 3 4 nosuch
                GEOADD k XX CH 5 6 Palermo
                GEOADD k ch xx nx 1 2 a
                GEOADD k nx ch 7 8 x
                GEOADD k CH CH 7 8 x
                ZRANGE k 0 -1 WITHSCORES
                GEOADD missing XX 1 2 a
                EXISTS missing
                GEOADD missing XX CH 1 2 a
                GEOADD k 1 2
                GEOADD k 1 2 a 3
                GEOADD k ch 1 2
                GEOADD k nx xx ch
                GEOADD k ch ch ch
                GEOADD k
                GEOADD k abc 2 a
                GEOADD k 1 abc a
                GEOADD k 1 2 a abc 3 b
                GEOADD k 1e400 2 a
                GEOADD k 1 nan a
                GEOADD k 200 100 a
                GEOADD k 180.0000001 0 a
                GEOADD k -180.0000001 0 a
                GEOADD k 0 85.05112879 a
                GEOADD k 0 -85.05112879 a
                GEOADD k inf 0 a
                GEOADD k 0 -inf a
                GEOADD k 1 2 ok 200 0 bad
                ZSCORE k ok
                GEOADD k -0 -0 negzero
                GEOADD k 0.0000001 -0.0000001 tiny
                GEOADD k " 1" 2 space
                GEOADD k 180 85.05112878 ne -180 -85.05112878 sw 180 -85.05112878 se -180 85.05112878 nw 0 0 origin
                ZRANGE k 0 -1 WITHSCORES
                GEOADD k 1 2 ""
                SET str v
                GEOADD str 1 2 a
                GEOADD str 200 2 a
                GEOADD str nx xx 1 2 a
                """);
    }

    @Test
    void geoaddEncodings() {
        d.script("""
                CONFIG SET zset-max-listpack-entries 4
                CONFIG SET zset-max-listpack-value 8
                GEOADD k 1 1 a 2 2 b 3 3 c
                OBJECT ENCODING k
                GEOADD k 4 4 d
                OBJECT ENCODING k
                GEOADD k 5 5 e
                OBJECT ENCODING k
                GEOADD long 1 1 a-very-long-member-name
                OBJECT ENCODING long
                GEOADD short 1 1 a 2 2 a-very-long-member-name
                OBJECT ENCODING short
                CONFIG SET zset-max-listpack-entries 0
                GEOADD zero 1 1 a
                OBJECT ENCODING zero
                CONFIG SET zset-max-listpack-entries 128
                CONFIG SET zset-max-listpack-value 64
                """);
    }

    @Test
    void geoposAndGeohash() {
        d.script(SICILY);
        d.script("""
                GEOPOS Sicily Palermo Catania nosuch Napoli
                GEOPOS Sicily
                GEOPOS nokey a b
                GEOHASH Sicily Palermo Catania nosuch Roma Messina edge1 edge2
                GEOHASH Sicily
                GEOHASH nokey a b
                GEOADD k 180 85.05112878 ne -180 -85.05112878 sw 180 -85.05112878 se -180 85.05112878 nw 0 0 o
                GEOADD k -0.0000001 0.0000001 neg 0.0000001 0 pos
                GEOPOS k ne sw se nw o neg pos
                GEOHASH k ne sw se nw o neg pos
                SET str v
                GEOPOS str a
                GEOHASH str a
                """);
        d.resp3();
        d.script("""
                GEOPOS Sicily Palermo nosuch Roma
                GEOPOS nokey a
                GEOHASH Sicily Palermo nosuch
                GEOHASH nokey a
                GEOPOS k ne sw neg
                """);
    }

    @Test
    void geodist() {
        d.script(SICILY);
        d.script("""
                GEODIST Sicily Palermo Catania
                GEODIST Sicily Palermo Catania m
                GEODIST Sicily Palermo Catania km
                GEODIST Sicily Palermo Catania mi
                GEODIST Sicily Palermo Catania ft
                GEODIST Sicily Palermo Catania KM
                GEODIST Sicily Palermo Catania Mi
                GEODIST Sicily Palermo Catania yd
                GEODIST Sicily Palermo Catania km extra
                GEODIST Sicily Palermo Palermo
                GEODIST Sicily Palermo nosuch
                GEODIST Sicily nosuch Palermo
                GEODIST Sicily nosuch nosuch2 km
                GEODIST nokey a b
                GEODIST nokey a b yd
                GEODIST nokey a b km extra
                GEODIST Sicily edge1 edge2
                GEODIST Sicily Roma Messina km
                GEOADD w 180 0 e -180 0 w 0 85.05112878 n 0 -85.05112878 s 0 0 o 179.9999 0 e2
                GEODIST w e w
                GEODIST w n s
                GEODIST w o e
                GEODIST w e e2
                GEOADD same 10 10 a 10 20 b 10 -80 c
                GEODIST same a b
                GEODIST same b c km
                SET str v
                GEODIST str a b
                GEODIST str a b yd
                """);
        d.resp3();
        d.script("""
                GEODIST Sicily Palermo Catania
                GEODIST Sicily Palermo nosuch
                GEODIST nokey a b
                """);
    }

    /** Sorted set members whose scores are not geohashes still decode, through C's (uint64_t) cast. */
    @Test
    void arbitraryScores() {
        d.script("""
                ZADD w -1 neg 1e19 big 2e19 huge inf pinf -inf ninf 0.5 half 1e-300 tiny 4503599627370496 two52
                ZADD w 18014398509481984 two54 -1e300 vneg 9223372036854775808 two63 -9223372036854775808 mtwo63
                ZADD w 3.5e15 frac 1234567.891 small
                GEOPOS w neg big huge pinf ninf half tiny two52 two54 vneg two63 mtwo63 frac small
                GEOHASH w neg big huge pinf ninf half tiny two52 two54 vneg two63 mtwo63 frac small
                GEODIST w neg big
                GEODIST w pinf ninf km
                GEODIST w frac small
                GEOSEARCH w FROMMEMBER pinf BYRADIUS 1 m WITHHASH WITHCOORD WITHDIST
                GEOSEARCH w FROMMEMBER ninf BYRADIUS 1 m WITHHASH WITHCOORD
                GEOSEARCH w FROMMEMBER neg BYRADIUS 1 m WITHHASH WITHCOORD
                GEOSEARCH w FROMMEMBER small BYRADIUS 40000 km WITHHASH WITHCOORD WITHDIST
                GEOSEARCH w FROMLONLAT -180 -85.05112878 BYBOX 100 100 km WITHHASH WITHDIST ASC
                GEORADIUSBYMEMBER w frac 20000 km WITHHASH WITHDIST ASC
                """);
    }

    @Test
    void geosearch() {
        d.script(SICILY);
        d.script("""
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km DESC
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC WITHCOORD WITHDIST WITHHASH
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km withhash withdist
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km WITHCOORD
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km WITHDIST WITHDIST
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 500 km COUNT 2
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 500 km COUNT 2 DESC
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 500 km COUNT 2 ANY
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 500 km COUNT 2 ANY ASC
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 500 km COUNT 100 ANY
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 500 km COUNT 100
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 500 km COUNT 3 COUNT 1
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 500 km ASC DESC
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 500 km DESC ASC WITHDIST
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200000 m WITHDIST
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 mi WITHDIST
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200000 ft WITHDIST
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 KM WITHDIST
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 0 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 1 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 40000 km WITHDIST
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 1e300 km WITHDIST
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS inf km WITHDIST
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 100 km BYRADIUS 300 km
                GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 300 km WITHDIST ASC
                GEOSEARCH Sicily FROMMEMBER Palermo FROMMEMBER Roma BYRADIUS 300 km WITHDIST
                GEOSEARCH Sicily FROMLONLAT 1 1 FROMLONLAT 15 37 BYRADIUS 300 km
                GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 400 400 km WITHDIST ASC
                GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 400 100 km WITHDIST ASC
                GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 100 400 km WITHDIST ASC
                GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km WITHDIST WITHCOORD ASC
                GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 0 0 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1e5 1e5 km WITHDIST
                GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km BYBOX 800 800 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400000 400000 m COUNT 1
                GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 250 250 mi COUNT 2 ANY WITHDIST
                GEOSEARCH nokey FROMLONLAT 15 37 BYRADIUS 200 km
                GEOSEARCH nokey FROMMEMBER x BYRADIUS 200 km
                GEOSEARCH nokey FROMMEMBER x BYBOX 1 1 km WITHDIST
                geosearch Sicily fromlonlat 15 37 byradius 200 km withdist asc count 1
                """);
        d.resp3();
        d.script("""
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC WITHCOORD WITHDIST WITHHASH
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km WITHCOORD
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km
                GEOSEARCH Sicily FROMLONLAT 0 0 BYRADIUS 1 km
                GEOSEARCH nokey FROMLONLAT 15 37 BYRADIUS 200 km
                """);
    }

    @Test
    void geosearchErrors() {
        d.script(SICILY);
        d.script("""
                GEOSEARCH Sicily FROMLONLAT 15 37
                GEOSEARCH Sicily BYRADIUS 10 km
                GEOSEARCH Sicily FROMLONLAT 15 37 WITHDIST
                GeoSearch Sicily FROMLONLAT 15 37 WITHDIST
                GeoSearch Sicily BYRADIUS 10 km WITHDIST
                GEOSEARCH Sicily FROMMEMBER Palermo FROMLONLAT 15 37 BYRADIUS 10 km
                GEOSEARCH Sicily FROMLONLAT 15 37 FROMMEMBER Palermo BYRADIUS 10 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 km BYBOX 1 1 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 1 km BYRADIUS 10 km
                GEOSEARCH Sicily FROMMEMBER nosuch BYRADIUS 10 km
                GEOSEARCH Sicily FROMMEMBER nosuch BYRADIUS 10 yd
                GEOSEARCH Sicily FROMLONLAT 200 37 BYRADIUS 10 km
                GEOSEARCH Sicily FROMLONLAT abc 37 BYRADIUS 10 km
                GEOSEARCH Sicily FROMLONLAT 15 abc BYRADIUS 10 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS abc km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS -1 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS -0 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 1e400 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 yd
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10
                GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX abc 1 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 abc km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX abc abc km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX -1 1 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 -1 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 1 yd
                GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 1
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 km COUNT
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 km COUNT 0
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 km COUNT -1
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 km COUNT abc
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 km COUNT 1.5
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 km ANY
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 km ANY COUNT 1
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 km STORE x
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 km STOREDIST
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 km STOREDIST x
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 km junk
                GEOSEARCH Sicily junk FROMLONLAT 15 37 BYRADIUS 10 km
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 km FROMMEMBER
                GEOSEARCH nokey FROMLONLAT 15 37 BYRADIUS -1 km
                GEOSEARCH nokey FROMLONLAT 15 37
                GEOSEARCH nokey FROMMEMBER x FROMLONLAT 15 37 BYRADIUS 1 km
                GEOSEARCH nokey FROMMEMBER x BYRADIUS 1 km ANY
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 km WITHDIST COUNT 0 ANY
                GEOSEARCH Sicily FROMMEMBER nosuch BYRADIUS -1 km
                GEOSEARCH Sicily BYRADIUS -1 km FROMMEMBER nosuch
                GEOSEARCH Sicily
                GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS
                SET str v
                GEOSEARCH str FROMLONLAT 15 37 BYRADIUS 10 km
                GEOSEARCH str FROMLONLAT 200 37 BYRADIUS 10 km
                GEOSEARCH str junk
                """);
    }

    @Test
    void geosearchstore() {
        d.script(SICILY);
        d.script("""
                GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km
                ZRANGE dst 0 -1 WITHSCORES
                OBJECT ENCODING dst
                GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST
                ZRANGE dst 0 -1 WITHSCORES
                GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST STOREDIST
                GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 500 km COUNT 2 STOREDIST
                ZRANGE dst 0 -1 WITHSCORES
                GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 500 km COUNT 2 DESC
                ZRANGE dst 0 -1 WITHSCORES
                GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 500 km COUNT 2 ANY
                ZRANGE dst 0 -1 WITHSCORES
                GEOSEARCHSTORE dst Sicily FROMMEMBER Palermo BYBOX 400 400 km STOREDIST
                ZRANGE dst 0 -1 WITHSCORES
                GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 mi STOREDIST
                ZRANGE dst 0 -1 WITHSCORES
                GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 ft STOREDIST
                EXISTS dst
                GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 ft STOREDIST
                GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km
                GEOSEARCHSTORE dst nokey FROMLONLAT 15 37 BYRADIUS 200 km
                EXISTS dst
                GEOSEARCHSTORE dst nokey FROMLONLAT 15 37 BYRADIUS 200 km
                GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km WITHDIST
                GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km WITHHASH
                GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km WITHCOORD STOREDIST
                GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km STORE x
                GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37
                geosearchstore dst Sicily BYRADIUS 1 km
                GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km ANY
                SET str v
                GEOSEARCHSTORE str Sicily FROMLONLAT 15 37 BYRADIUS 200 km
                TYPE str
                GEOSEARCHSTORE dst str FROMLONLAT 15 37 BYRADIUS 200 km
                SET ttl v EX 1000
                GEOSEARCHSTORE ttl Sicily FROMLONLAT 15 37 BYRADIUS 200 km
                TTL ttl
                GEOSEARCHSTORE Sicily Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST
                ZRANGE Sicily 0 -1 WITHSCORES
                """);
    }

    @Test
    void storeEncodings() {
        d.script("""
                CONFIG SET zset-max-listpack-entries 3
                CONFIG SET zset-max-listpack-value 6
                GEOADD big 1 1 a 1.1 1.1 b 1.2 1.2 c 1.3 1.3 d 1.4 1.4 e
                OBJECT ENCODING big
                GEOSEARCHSTORE small big FROMLONLAT 1 1 BYRADIUS 20 km
                ZRANGE small 0 -1 WITHSCORES
                OBJECT ENCODING small
                GEOSEARCHSTORE large big FROMLONLAT 1 1 BYRADIUS 100 km
                OBJECT ENCODING large
                GEOSEARCHSTORE count3 big FROMLONLAT 1 1 BYRADIUS 100 km COUNT 3
                OBJECT ENCODING count3
                GEOADD names 1 1 longname1 1.1 1.1 b
                GEOSEARCHSTORE n names FROMLONLAT 1 1 BYRADIUS 100 km
                OBJECT ENCODING n
                GEOSEARCH big FROMLONLAT 1 1 BYRADIUS 100 km WITHDIST
                GEOSEARCH big FROMLONLAT 1 1 BYRADIUS 100 km WITHDIST COUNT 2
                CONFIG SET zset-max-listpack-entries 128
                CONFIG SET zset-max-listpack-value 64
                """);
    }

    @Test
    void georadius() {
        d.script(SICILY);
        d.script("""
                GEORADIUS Sicily 15 37 200 km
                GEORADIUS Sicily 15 37 200 km WITHDIST WITHCOORD WITHHASH ASC
                GEORADIUS Sicily 15 37 200 km WITHDIST DESC
                GEORADIUS Sicily 15 37 500 km COUNT 2
                GEORADIUS Sicily 15 37 500 km COUNT 2 ANY
                GEORADIUS Sicily 15 37 500 km COUNT 2 ANY DESC WITHDIST
                GEORADIUS Sicily 15 37 200 mi WITHDIST
                GEORADIUS Sicily 15 37 0 km
                GEORADIUS Sicily 15 37 200 km STORE dst
                ZRANGE dst 0 -1 WITHSCORES
                GEORADIUS Sicily 15 37 200 km STOREDIST dst
                ZRANGE dst 0 -1 WITHSCORES
                GEORADIUS Sicily 15 37 200 km STORE a STOREDIST b
                ZRANGE b 0 -1 WITHSCORES
                EXISTS a
                GEORADIUS Sicily 15 37 200 km STOREDIST a STORE b COUNT 1
                ZRANGE b 0 -1 WITHSCORES
                EXISTS a
                GEORADIUS Sicily 15 37 200 km STORE store
                ZRANGE store 0 -1
                GEORADIUS Sicily 15 37 1 km STORE dst
                EXISTS dst
                GEORADIUS Sicily 15 37 200 km STORE dst WITHDIST
                GEORADIUS Sicily 15 37 200 km WITHCOORD STOREDIST dst
                GEORADIUS Sicily 15 37 200 km STORE
                GEORADIUS Sicily 15 37 200 km STOREDIST
                GEORADIUS Sicily 15 37 200 km BYRADIUS 1 km
                GEORADIUS Sicily 15 37 200 km FROMLONLAT 1 1
                GEORADIUS Sicily 15 37 200 km FROMMEMBER Palermo
                GEORADIUS Sicily 15 37 200 km ANY
                GEORADIUS Sicily 15 37 200 km COUNT 0
                GEORADIUS Sicily 200 37 200 km
                GEORADIUS Sicily 15 37 abc km
                GEORADIUS Sicily 15 37 -5 km
                GEORADIUS Sicily 15 37 200 yd
                GEORADIUS Sicily 15 37 200 km junk
                GEORADIUS nokey 15 37 200 km
                GEORADIUS nokey 15 37 200 km STORE dst
                GEORADIUS nokey 200 37 200 km
                GEORADIUS nokey 15 37 -1 km
                SET str v
                GEORADIUS str 15 37 200 km
                GEORADIUS_RO Sicily 15 37 200 km WITHDIST ASC
                GEORADIUS_RO Sicily 15 37 500 km COUNT 1 WITHHASH
                GEORADIUS_RO Sicily 15 37 200 km STORE dst
                GEORADIUS_RO Sicily 15 37 200 km STOREDIST dst
                GEORADIUS_RO nokey 15 37 200 km
                """);
        d.resp3();
        d.script("""
                GEORADIUS Sicily 15 37 200 km WITHDIST WITHCOORD WITHHASH ASC
                GEORADIUS Sicily 15 37 200 km STORE dst
                GEORADIUS_RO Sicily 15 37 1 km
                """);
    }

    @Test
    void georadiusbymember() {
        d.script(SICILY);
        d.script("""
                GEORADIUSBYMEMBER Sicily Palermo 300 km
                GEORADIUSBYMEMBER Sicily Palermo 300 km WITHDIST WITHCOORD WITHHASH ASC
                GEORADIUSBYMEMBER Sicily Palermo 300 km COUNT 2 DESC
                GEORADIUSBYMEMBER Sicily Palermo 300 km COUNT 2 ANY
                GEORADIUSBYMEMBER Sicily Palermo 300 km STORE dst
                ZRANGE dst 0 -1 WITHSCORES
                GEORADIUSBYMEMBER Sicily Palermo 300 km STOREDIST dst
                ZRANGE dst 0 -1 WITHSCORES
                GEORADIUSBYMEMBER Sicily Palermo 0 km STOREDIST dst
                ZRANGE dst 0 -1 WITHSCORES
                GEORADIUSBYMEMBER Sicily nosuch 300 km
                GEORADIUSBYMEMBER Sicily nosuch abc km
                GEORADIUSBYMEMBER Sicily Palermo abc km
                GEORADIUSBYMEMBER Sicily Palermo -1 km
                GEORADIUSBYMEMBER Sicily Palermo 1 yd
                GEORADIUSBYMEMBER Sicily Palermo 300 km STORE dst WITHHASH
                GEORADIUSBYMEMBER Sicily Palermo 300 km junk
                GEORADIUSBYMEMBER nokey x 300 km
                GEORADIUSBYMEMBER nokey x abc yd
                GEORADIUSBYMEMBER nokey x abc yd STORE dst
                EXISTS dst
                GEORADIUSBYMEMBER nokey x abc yd junk
                GEORADIUSBYMEMBER nokey x abc yd ANY
                GEORADIUSBYMEMBER nokey x abc yd STORE dst WITHDIST
                SET str v
                GEORADIUSBYMEMBER str x 300 km
                GEORADIUSBYMEMBER_RO Sicily Palermo 300 km WITHDIST ASC
                GEORADIUSBYMEMBER_RO Sicily Palermo 300 km STORE dst
                GEORADIUSBYMEMBER_RO Sicily nosuch 300 km
                GEORADIUSBYMEMBER_RO nokey nosuch 300 km
                """);
    }

    /** Members at the same place tie on distance: their order is the sort algorithm's. */
    @Test
    void tiesFollowRedisSorts() {
        StringBuilder add = new StringBuilder("GEOADD t");
        for (int i = 0; i < 60; i++) {
            int spot = i % 7;
            add.append(' ').append(1 + spot * 0.01).append(' ').append(1 + spot * 0.01).append(" m").append(i);
        }
        d.exec(io.larder.protocol.RequestParser.splitLine(add.toString()).toArray(new String[0]));
        for (String opts : new String[] {"", "ASC", "DESC", "COUNT 1", "COUNT 5", "COUNT 9", "COUNT 30", "COUNT 59",
            "COUNT 60", "COUNT 61", "COUNT 8 DESC", "COUNT 41 DESC", "COUNT 10 ANY", "COUNT 10 ANY DESC"}) {
            d.script("GEOSEARCH t FROMLONLAT 1 1 BYRADIUS 100 km WITHDIST " + opts);
            d.script("GEORADIUS t 1.03 1.03 100 km " + opts);
        }
    }

    @Test
    void commandKeys() {
        d.script("""
                COMMAND GETKEYS GEORADIUS k 1 2 3 km
                COMMAND GETKEYS GEORADIUS k 1 2 3 km STORE a
                COMMAND GETKEYS GEORADIUS k 1 2 3 km STORE a STOREDIST b
                COMMAND GETKEYS GEORADIUSBYMEMBER k m 3 km STOREDIST a COUNT 2
                COMMAND GETKEYS GEOSEARCHSTORE dst src FROMLONLAT 1 2 BYRADIUS 3 km
                COMMAND GETKEYS GEORADIUS_RO k 1 2 3 km
                """);
        // The last STORE names the key written: it must be the one locked.
        d.script(SICILY);
        d.script("""
                GEORADIUS Sicily 15 37 200 km STORE a STORE b
                EXISTS a
                ZRANGE b 0 -1 WITHSCORES
                """);
    }

    @Test
    void arity() {
        d.script("""
                GEOADD k 1 2
                GEODIST k a
                GEOHASH
                GEOPOS
                GEORADIUS k 1 2 3
                GEORADIUS_RO k 1 2 3
                GEORADIUSBYMEMBER k m 3
                GEORADIUSBYMEMBER_RO k m 3
                GEOSEARCH k FROMLONLAT 1 2 BYRADIUS 3
                GEOSEARCHSTORE d k FROMLONLAT 1 2 BYRADIUS 3
                """);
    }
}
