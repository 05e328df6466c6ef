package io.larder.geo;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * sin, cos and asin from the platform's C math library, called through the
 * foreign function interface.
 *
 * <p>Why not {@link Math} or {@link StrictMath}: Redis computes distances with
 * the C library's functions, and their last bit is not Java's. Against
 * glibc 2.36 (Debian 12, the oracle), on two million arguments from the
 * ranges geo uses, Math.sin differs in 0.2% of cases, StrictMath.sin in
 * 3.3%, and both asin in 5%; glibc itself is not correctly rounded (errors
 * up to about 0.507 ulp), so no correctly rounded Java implementation would
 * match either. The difference shows wherever Redis prints a distance in
 * full (GEOSEARCHSTORE ... STOREDIST, then ZSCORE), and rarely in the
 * 4-decimal distances and at a radius's edge. Calling the same libm the
 * Redis binary on this platform uses gives the same bits by construction
 * (verified on those two million arguments), and a downcall costs about
 * as much as Math.sin.
 *
 * <p>When the C library cannot be called (native access denied with
 * --illegal-native-access=deny, or no libm symbols), StrictMath is used:
 * results then differ from Redis in the last bit now and then.
 */
final class LibM {
    private LibM() {}

    private static final MethodHandle SIN;
    private static final MethodHandle COS;
    private static final MethodHandle ASIN;

    static {
        MethodHandle s = null, c = null, a = null;
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            FunctionDescriptor dd = FunctionDescriptor.of(JAVA_DOUBLE, JAVA_DOUBLE);
            // critical: these functions neither block nor call back into Java.
            Linker.Option critical = Linker.Option.critical(false);
            var sin = libc.find("sin");
            var cos = libc.find("cos");
            var asin = libc.find("asin");
            if (sin.isPresent() && cos.isPresent() && asin.isPresent()) {
                s = linker.downcallHandle(sin.get(), dd, critical);
                c = linker.downcallHandle(cos.get(), dd, critical);
                a = linker.downcallHandle(asin.get(), dd, critical);
            }
        } catch (Throwable e) {
            s = c = a = null;
        }
        SIN = s;
        COS = c;
        ASIN = a;
    }

    /** Whether the C library's functions are in use (else StrictMath's). */
    static boolean isNative() {
        return SIN != null;
    }

    static double sin(double x) {
        if (SIN == null) return StrictMath.sin(x);
        try {
            return (double) SIN.invokeExact(x);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static double cos(double x) {
        if (COS == null) return StrictMath.cos(x);
        try {
            return (double) COS.invokeExact(x);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static double asin(double x) {
        if (ASIN == null) return StrictMath.asin(x);
        try {
            return (double) ASIN.invokeExact(x);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
