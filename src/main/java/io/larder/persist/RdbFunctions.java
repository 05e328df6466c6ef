package io.larder.persist;

import java.util.List;

/**
 * What persistence needs from the function engine (FUNCTION LOAD ...):
 * Redis 7 saves every library's source in the RDB file (FUNCTION2 opcodes)
 * and loads them back. Scripting registers an implementation with
 * {@code Persistence.setFunctions}; until then no function exists,
 * and a file that holds functions cannot be loaded.
 */
public interface RdbFunctions {
    /** The source code of every library, as saved (called with the keyspace held exclusively). */
    List<byte[]> codes();

    /**
     * Creates a library from its source (functionsCreateWithLibraryCtx);
     * {@code replace} is DEBUG RELOAD MERGE's "allow duplicates". Throws
     * with Redis's message (e.g. "Library 'x' already exists") on failure.
     */
    void load(byte[] code, boolean replace) throws Exception;

    /** Removes every library (loading a file replaces the functions with the file's). */
    void clear();

    RdbFunctions NONE = new RdbFunctions() {
        @Override
        public List<byte[]> codes() {
            return List.of();
        }

        @Override
        public void load(byte[] code, boolean replace) throws Exception {
            throw new Exception("the RDB file contains functions, and this server has no function engine");
        }

        @Override
        public void clear() {}
    };
}
