package io.larder.script;

/**
 * Rewrites the tail calls of a compiled Lua 5.1 chunk into plain calls.
 *
 * <p>Why: Redis's redis.call, cjson.encode and the other library functions
 * are C functions, which a tail call ({@code return redis.call(...)}, the most
 * common line in scripts) does not replace on the stack, so their errors name
 * the script's line ("script: ..., on @user_script:1."). Larder's versions are
 * small Lua wrappers around Java (Java cannot raise a Lua error itself), and a
 * tail call into a Lua function does replace the caller's frame, losing that
 * line. Compiled as a plain call followed by the RETURN the compiler always
 * emits after a tail call ({@code RETURN A 0}), the script returns the same
 * values and keeps its frame. The only other effect: a script recursing
 * without end through tail calls stops at Lua's call depth limit instead of
 * at the time limit.
 *
 * <p>The chunk is the output of lua_dump on this platform (64-bit: int 4,
 * size_t 8, instruction 4, number 8 bytes), patched in place.
 */
final class Untail {
    private Untail() {}

    private static final int OP_CALL = 28, OP_TAILCALL = 29;
    private static final int HEADER = 12;

    private int pos;
    private byte[] b;

    /** Patches every function of the dumped chunk; returns the same array. */
    static byte[] patch(byte[] chunk) {
        if (chunk.length < HEADER || chunk[0] != 0x1b || chunk[4] != 0x51 || chunk[7] != 4 || chunk[8] != 8
                || chunk[9] != 4 || chunk[10] != 8) {
            throw new IllegalStateException("unexpected Lua chunk format");
        }
        Untail u = new Untail();
        u.b = chunk;
        u.pos = HEADER;
        u.function();
        return chunk;
    }

    private int i32() {
        int v = (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8 | (b[pos + 2] & 0xff) << 16 | (b[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    private void string() {
        long n = 0;
        for (int i = 7; i >= 0; i--) n = (n << 8) | (b[pos + i] & 0xff);
        pos += 8 + (int) n;
    }

    private void function() {
        string(); // source
        pos += 4 + 4 + 4; // linedefined, lastlinedefined, nups/numparams/is_vararg/maxstacksize
        int ncode = i32();
        for (int i = 0; i < ncode; i++) {
            int at = pos + i * 4;
            if ((b[at] & 0x3f) == OP_TAILCALL) b[at] = (byte) ((b[at] & ~0x3f) | OP_CALL);
        }
        pos += ncode * 4;
        int nk = i32();
        for (int i = 0; i < nk; i++) {
            int t = b[pos++];
            switch (t) {
                case LuaNative.TNIL -> { }
                case LuaNative.TBOOLEAN -> pos++;
                case LuaNative.TNUMBER -> pos += 8;
                case LuaNative.TSTRING -> string();
                default -> throw new IllegalStateException("unexpected constant type " + t);
            }
        }
        int np = i32();
        for (int i = 0; i < np; i++) function();
        int nline = i32();
        pos += nline * 4;
        int nloc = i32();
        for (int i = 0; i < nloc; i++) {
            string();
            pos += 8;
        }
        int nup = i32();
        for (int i = 0; i < nup; i++) string();
    }
}
