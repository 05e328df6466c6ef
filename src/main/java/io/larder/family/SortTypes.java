package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.store.Database;
import java.util.List;

/**
 * Where SORT meets the list, set and hash types: reading a list or set to
 * sort, a hash field for "->" patterns, and writing STORE's list. Kept apart
 * so that SortCommands depends on those types in one place.
 */
final class SortTypes {
    private SortTypes() {}

    static SortCommands.SortSource source(Object e) {
        throw new IllegalStateException("SORT over " + io.larder.store.Entries.type(e) + " is not wired yet");
    }

    static byte[] hashField(Object e, byte[] f, int off, int len) {
        return null;
    }

    static void storeList(CommandContext c, Database db, int keyIdx, List<byte[]> values) {
        throw new IllegalStateException("SORT STORE is not wired yet");
    }
}
