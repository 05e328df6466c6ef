package io.larder.util;

/**
 * Glob-style matching with Redis's exact semantics (KEYS, SCAN MATCH,
 * PSUBSCRIBE, CONFIG GET): {@code *}, {@code ?}, {@code [abc]},
 * {@code [^a-z]}, backslash escapes. Bytes compare as C's signed char, as in
 * Redis. Patterns nested deeper than Redis allows simply fail to match, and a
 * failed {@code *} expansion stops longer attempts, which keeps adversarial
 * patterns such as {@code a*a*a*a*b} linear-ish instead of exponential.
 */
public final class Glob {
    private Glob() {}

    public static boolean match(byte[] pattern, byte[] string, boolean nocase) {
        return match(pattern, 0, pattern.length, string, 0, string.length, nocase);
    }

    public static boolean match(byte[] p, int poff, int plen, byte[] s, int soff, int slen, boolean nocase) {
        boolean[] skipLonger = new boolean[1];
        return matchImpl(p, poff, plen, s, soff, slen, nocase, skipLonger, 0);
    }

    /** True when the pattern has no glob special characters (exact match suffices). */
    public static boolean isLiteral(byte[] p) {
        for (byte c : p) {
            if (c == '*' || c == '?' || c == '[' || c == '\\') return false;
        }
        return true;
    }

    private static int lower(int c) {
        return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    }

    private static boolean matchImpl(byte[] pat, int pi, int plen, byte[] str, int si, int slen,
                                     boolean nocase, boolean[] skipLonger, int nesting) {
        if (nesting > 1000) return false;
        while (plen > 0 && slen > 0) {
            switch (pat[pi]) {
                case '*' -> {
                    while (plen > 1 && pat[pi + 1] == '*') {
                        pi++;
                        plen--;
                    }
                    if (plen == 1) return true;
                    while (slen > 0) {
                        if (matchImpl(pat, pi + 1, plen - 1, str, si, slen, nocase, skipLonger, nesting + 1)) {
                            return true;
                        }
                        if (skipLonger[0]) return false;
                        si++;
                        slen--;
                    }
                    skipLonger[0] = true;
                    return false;
                }
                case '?' -> {
                    si++;
                    slen--;
                }
                case '[' -> {
                    pi++;
                    plen--;
                    boolean not = plen > 0 && pat[pi] == '^';
                    if (not) {
                        pi++;
                        plen--;
                    }
                    boolean match = false;
                    while (true) {
                        if (plen >= 2 && pat[pi] == '\\') {
                            pi++;
                            plen--;
                            if (pat[pi] == str[si]) match = true;
                        } else if (plen > 0 && pat[pi] == ']') {
                            break;
                        } else if (plen <= 0) {
                            pi--;
                            plen++;
                            break;
                        } else if (plen >= 3 && pat[pi + 1] == '-') {
                            int start = pat[pi];
                            int end = pat[pi + 2];
                            int c = str[si];
                            if (start > end) {
                                int t = start;
                                start = end;
                                end = t;
                            }
                            if (nocase) {
                                start = lower(start);
                                end = lower(end);
                                c = lower(c);
                            }
                            pi += 2;
                            plen -= 2;
                            if (c >= start && c <= end) match = true;
                        } else {
                            if (!nocase) {
                                if (pat[pi] == str[si]) match = true;
                            } else if (lower(pat[pi]) == lower(str[si])) {
                                match = true;
                            }
                        }
                        pi++;
                        plen--;
                    }
                    if (not) match = !match;
                    if (!match) return false;
                    si++;
                    slen--;
                }
                default -> {
                    if (pat[pi] == '\\' && plen >= 2) {
                        pi++;
                        plen--;
                    }
                    if (!nocase) {
                        if (pat[pi] != str[si]) return false;
                    } else if (lower(pat[pi]) != lower(str[si])) {
                        return false;
                    }
                    si++;
                    slen--;
                }
            }
            pi++;
            plen--;
            if (slen == 0) {
                while (plen > 0 && pat[pi] == '*') {
                    pi++;
                    plen--;
                }
                break;
            }
        }
        return plen == 0 && slen == 0;
    }
}
