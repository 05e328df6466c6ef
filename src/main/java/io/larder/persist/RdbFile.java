package io.larder.persist;

import io.larder.server.LarderServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The frame of an RDB file: the "REDIS0010" header, the aux fields Redis
 * 7.0 writes, function libraries, database headers, the EOF opcode and the
 * checksum; and writing a file safely: into a temporary file in the same
 * directory, flushed and fsynced, then renamed over the target (and the
 * directory fsynced), so a crash at any moment leaves either the old file
 * or the complete new one.
 */
public final class RdbFile {
    private RdbFile() {}

    /** rdb-save-incremental-fsync: fsync every 4 MB written (REDIS_AUTOSYNC_BYTES). */
    static final long AUTOSYNC_BYTES = 4L * 1024 * 1024;

    /** Magic and aux fields (rdbSaveInfoAuxFields); {@code aofBase} marks an AOF base file. */
    public static void writeHeader(RdbOutput out, long ctimeSeconds, long usedMemory, boolean aofBase) {
        byte[] magic = String.format("REDIS%04d", Rdb.VERSION).getBytes(StandardCharsets.US_ASCII);
        out.writeRaw(magic, 0, magic.length);
        aux(out, "redis-ver", LarderServer.REDIS_VERSION);
        aux(out, "redis-bits", "64");
        aux(out, "ctime", Long.toString(ctimeSeconds));
        aux(out, "used-mem", Long.toString(usedMemory));
        aux(out, "aof-base", aofBase ? "1" : "0");
    }

    static void aux(RdbOutput out, String key, String value) {
        out.writeByte(Rdb.OPCODE_AUX);
        out.writeString(key.getBytes(StandardCharsets.ISO_8859_1));
        out.writeString(value.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** rdbSaveFunctions: one FUNCTION2 opcode and the library's code per library. */
    public static void writeFunctions(RdbOutput out, List<byte[]> libraries) {
        for (byte[] code : libraries) {
            out.writeByte(Rdb.OPCODE_FUNCTION2);
            out.writeString(code);
        }
    }

    /** SELECTDB and RESIZEDB before a database's keys. */
    public static void writeDbHeader(RdbOutput out, int db, long size, long expires) {
        out.writeByte(Rdb.OPCODE_SELECTDB);
        out.writeLen(db);
        out.writeByte(Rdb.OPCODE_RESIZEDB);
        out.writeLen(size);
        out.writeLen(expires);
    }

    /** EOF and the CRC-64 of everything before (0 when rdbchecksum is off). */
    public static void writeFooter(RdbOutput out) {
        out.writeByte(Rdb.OPCODE_EOF);
        out.writeLongLE(out.crc());
    }

    /** Writes the body of a file. */
    public interface Body {
        void write(RdbOutput out) throws IOException;
    }

    /** Why a save failed, as Redis logs it. */
    public static final class SaveFailed extends Exception {
        public SaveFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Writes a file atomically: body into {@code tempName} in {@code dir},
     * fsync, rename to {@code fileName}, fsync the directory. On any failure
     * the temporary file is removed and the target is untouched.
     * {@code commit}, if given, is asked just before the rename and may
     * cancel it (an aborted snapshot).
     */
    public static long writeAtomically(Path dir, String fileName, String tempName, boolean compress, boolean checksum,
            boolean incrementalFsync, Body body, java.util.function.BooleanSupplier commit) throws SaveFailed {
        Path tmp = dir.resolve(tempName);
        Path target = dir.resolve(fileName);
        FileChannel ch;
        try {
            ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new SaveFailed("Failed opening the temp RDB file " + tempName + " (in server root dir " + dir
                    + ") for saving: " + reason(e), e);
        }
        long size;
        try {
            long[] sinceSync = {0};
            RdbOutput out = new RdbOutput(RdbOutput.FLUSH_AT, (b, off, len) -> {
                ByteBuffer bb = ByteBuffer.wrap(b, off, len);
                while (bb.hasRemaining()) ch.write(bb);
                sinceSync[0] += len;
                if (incrementalFsync && sinceSync[0] >= AUTOSYNC_BYTES) {
                    ch.force(false);
                    sinceSync[0] = 0;
                }
            }, compress);
            out.setChecksum(checksum);
            body.write(out);
            out.flush();
            ch.force(true);
            size = out.written();
            ch.close();
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            deleteQuietly(tmp);
            Throwable cause = e instanceof java.io.UncheckedIOException u ? u.getCause() : e;
            throw new SaveFailed("Write error saving DB on disk: " + reason(cause), cause);
        }
        if (commit != null && !commit.getAsBoolean()) {
            deleteQuietly(tmp);
            return -1;
        }
        try {
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new SaveFailed("Error moving temp DB file " + tempName + " on the final destination " + fileName
                    + " (in server root dir " + dir + "): " + reason(e), e);
        }
        fsyncDirectory(dir);
        return size;
    }

    /** Makes a rename durable (Redis's fsyncFileDir). Best effort where directories cannot be opened. */
    static void fsyncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // Not every platform lets a directory be opened; the rename itself has happened.
        }
    }

    /** strerror-like text for an I/O failure. */
    static String reason(Throwable e) {
        if (e instanceof java.nio.file.NoSuchFileException) return "No such file or directory";
        if (e instanceof java.nio.file.AccessDeniedException) return "Permission denied";
        if (e instanceof java.nio.channels.ClosedChannelException) return "Bad file descriptor";
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) return f.getReason();
        String m = e.getMessage();
        return m == null ? e.toString() : m;
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover temp file does no harm
        }
    }
}
