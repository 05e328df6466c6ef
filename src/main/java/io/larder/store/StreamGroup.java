package io.larder.store;

import java.util.Arrays;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A consumer group of a stream (Redis's streamCG): the last ID delivered to
 * it, its logical read counter, the pending entries list (PEL: entries
 * delivered and not yet acknowledged) and its consumers, each with its own
 * PEL. Every pending entry ({@link Nack}) is in the group's PEL and in the
 * PEL of exactly one consumer; both are ordered by entry ID as Redis's
 * radix trees are, consumers by name in byte order.
 */
public final class StreamGroup {
    /** Redis's SCG_INVALID_ENTRIES_READ: the read counter is unknown. */
    public static final long UNKNOWN_READS = -1;

    /** Heap estimates (compressed oops): a Nack and its two tree entries; a consumer with its map entry. */
    static final int NACK_BYTES = 48 + 2 * 40;
    static final int CONSUMER_BYTES = 32 + 40 + 48 + 16;
    static final int GROUP_BYTES = 48 + 40 + 2 * 48 + 16;

    public final byte[] name;
    public long lastMs, lastSeq;
    /** Entries read by the group (the counter of its last delivered ID), or {@link #UNKNOWN_READS}. */
    public long entriesRead;
    public final TreeSet<Nack> pel = new TreeSet<>();
    public final TreeMap<byte[], Consumer> consumers = new TreeMap<>(Arrays::compareUnsigned);
    /** Sum of consumer name lengths, for memory estimates. */
    long consumerNameBytes;

    public StreamGroup(byte[] name, long lastMs, long lastSeq, long entriesRead) {
        this.name = name;
        this.lastMs = lastMs;
        this.lastSeq = lastSeq;
        this.entriesRead = entriesRead;
    }

    /** A consumer of the group. */
    public static final class Consumer {
        public final byte[] name;
        /** Last time the consumer was seen (read, claimed): XINFO CONSUMERS "idle" counts from it. */
        public long seenTime;
        public final TreeSet<Nack> pel = new TreeSet<>();

        Consumer(byte[] name, long seenTime) {
            this.name = name;
            this.seenTime = seenTime;
        }
    }

    /** A pending entry (Redis's streamNACK) and its ID. */
    public static final class Nack implements Comparable<Nack> {
        public final long ms, seq;
        public long deliveryTime;
        public long deliveryCount;
        /** Owner; null only for an entry XCLAIM FORCE is creating. */
        public Consumer consumer;

        public Nack(long ms, long seq) {
            this.ms = ms;
            this.seq = seq;
        }

        @Override
        public int compareTo(Nack o) {
            return StreamId.compare(ms, seq, o.ms, o.seq);
        }
    }

    public Consumer consumer(byte[] name) {
        return consumers.get(name);
    }

    /** Adds a consumer; null if one with that name exists (streamCreateConsumer). */
    public Consumer createConsumer(byte[] name, long now) {
        if (consumers.containsKey(name)) return null;
        Consumer c = new Consumer(name, now);
        consumers.put(name, c);
        consumerNameBytes += name.length;
        return c;
    }

    /** Removes a consumer and its pending entries from the group (streamDelConsumer). */
    public void deleteConsumer(Consumer c) {
        for (Nack n : c.pel) pel.remove(n);
        consumers.remove(c.name);
        consumerNameBytes -= c.name.length;
    }

    /** The pending entry with this ID, or null. */
    public Nack pending(long ms, long seq) {
        Nack probe = new Nack(ms, seq);
        Nack n = pel.ceiling(probe);
        return n != null && n.ms == ms && n.seq == seq ? n : null;
    }

    /** Removes a pending entry from the group's and its consumer's PEL (XACK, deleted entries). */
    public void removePending(Nack n) {
        pel.remove(n);
        if (n.consumer != null) n.consumer.pel.remove(n);
    }

    /** Moves a pending entry to another consumer's PEL. */
    public void assign(Nack n, Consumer to) {
        if (n.consumer == to) return;
        if (n.consumer != null) n.consumer.pel.remove(n);
        n.consumer = to;
        to.pel.add(n);
    }

    long memoryUsage() {
        return GROUP_BYTES + StoredValue.arrayBytes(name.length) + (long) pel.size() * NACK_BYTES
                + (long) consumers.size() * CONSUMER_BYTES + consumerNameBytes;
    }

    /** A deep copy whose pending entries are shared by the copied consumers as in the original. */
    StreamGroup copy() {
        StreamGroup g = new StreamGroup(name, lastMs, lastSeq, entriesRead);
        for (Consumer c : consumers.values()) {
            Consumer d = g.createConsumer(c.name, c.seenTime);
            for (Nack n : c.pel) {
                Nack m = new Nack(n.ms, n.seq);
                m.deliveryTime = n.deliveryTime;
                m.deliveryCount = n.deliveryCount;
                m.consumer = d;
                d.pel.add(m);
                g.pel.add(m);
            }
        }
        return g;
    }
}
