package io.larder.pubsub;

import java.util.Arrays;

/**
 * A channel, pattern, key or prefix as a map key: its bytes, compared and
 * hashed by content, ordered as unsigned bytes (Redis's radix trees iterate
 * prefixes and keys in that order).
 */
final class Name implements Comparable<Name> {
    final byte[] bytes;
    private final int hash;

    Name(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Name n && n.hash == hash && Arrays.equals(n.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(Name o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    /** Whether one of the two is a prefix of the other (Redis's stringCheckPrefix). */
    boolean overlaps(Name o) {
        int n = Math.min(bytes.length, o.bytes.length);
        return Arrays.equals(bytes, 0, n, o.bytes, 0, n);
    }

    boolean isPrefixOf(byte[] key) {
        return bytes.length <= key.length && Arrays.equals(bytes, 0, bytes.length, key, 0, bytes.length);
    }
}
