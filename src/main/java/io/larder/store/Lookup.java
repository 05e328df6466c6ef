package io.larder.store;

/**
 * Where a key was found (or would be inserted): the segment and slot of the
 * last {@link Database#find}. Lets a command read, then replace, update or
 * remove the same entry with one hash probe (read-modify-write). Valid until
 * the segment is modified by anything else.
 */
public final class Lookup {
    Segment segment;
    int segmentIndex;
    int slot = -1;
    int h24;
    Object entry;

    public boolean found() {
        return slot >= 0;
    }

    public Object entry() {
        return entry;
    }

    public int type() {
        return Entries.type(entry);
    }

    public long expireAt() {
        return Entries.expireAt(entry);
    }
}
