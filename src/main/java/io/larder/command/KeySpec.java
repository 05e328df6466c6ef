package io.larder.command;

import io.larder.protocol.Args;
import java.util.List;
import java.util.Map;

/**
 * One key specification (Redis 7 key specs): where the search for keys begins
 * (an index, or after a keyword) and how keys are found from there (a range,
 * or a count argument). Evaluated exactly as Redis's getKeysUsingKeySpecs.
 */
public final class KeySpec {
    final boolean beginIndex; // else keyword
    final int index;
    final String keyword;
    final int startFrom;
    final boolean unknownBegin;

    final boolean range; // else keynum
    final boolean unknownFind;
    final int lastKey, keyStep, limit;
    final int keyNumIdx, firstKey;
    final boolean notKey, incomplete, variableFlags, write;

    @SuppressWarnings("unchecked")
    KeySpec(Map<String, Object> m) {
        List<String> flags = (List<String>) m.getOrDefault("flags", List.of());
        notKey = flags.contains("not_key");
        incomplete = flags.contains("incomplete");
        variableFlags = flags.contains("variable_flags");
        write = flags.contains("RW") || flags.contains("OW") || flags.contains("RM");
        Map<String, Object> bs = (Map<String, Object>) m.get("begin_search");
        Map<String, Object> bspec = (Map<String, Object>) bs.get("spec");
        String bt = (String) bs.get("type");
        beginIndex = "index".equals(bt);
        unknownBegin = !beginIndex && !"keyword".equals(bt);
        index = beginIndex ? num(bspec, "index") : 0;
        keyword = "keyword".equals(bt) ? (String) bspec.get("keyword") : null;
        startFrom = "keyword".equals(bt) ? num(bspec, "startfrom") : 0;
        Map<String, Object> fk = (Map<String, Object>) m.get("find_keys");
        Map<String, Object> fspec = (Map<String, Object>) fk.get("spec");
        String ft = (String) fk.get("type");
        range = "range".equals(ft);
        unknownFind = !range && !"keynum".equals(ft);
        lastKey = range ? num(fspec, "lastkey") : 0;
        keyStep = num(fspec, "keystep");
        limit = range ? num(fspec, "limit") : 0;
        keyNumIdx = range ? 0 : num(fspec, "keynumidx");
        firstKey = range ? 0 : num(fspec, "firstkey");
    }

    private static int num(Map<String, Object> m, String k) {
        Object v = m == null ? null : m.get(k);
        return v == null ? 0 : ((Number) v).intValue();
    }

    /**
     * Appends this spec's key positions to out[n..]; returns the new count,
     * or -1 when the arguments do not fit the spec (Redis's invalid_spec).
     */
    int extract(Args a, int[] out, int n) {
        int argc = a.count();
        int first;
        if (unknownBegin || unknownFind) return -1;
        if (beginIndex) {
            first = index;
        } else {
            first = 0;
            int start = startFrom > 0 ? startFrom : argc + startFrom;
            int end = startFrom > 0 ? argc - 1 : 0;
            for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
                if (i >= argc || i < 1) break;
                if (a.is(i, keyword)) {
                    first = i + 1;
                    break;
                }
            }
            if (first == 0) return n; // keyword not found: no keys from this spec
        }
        int last, step;
        if (range) {
            if (lastKey >= 0) {
                last = first + lastKey;
            } else if (limit == 0) {
                last = argc + lastKey;
            } else {
                last = first + ((argc - first) / limit + lastKey);
            }
            step = keyStep;
        } else {
            if (first + keyNumIdx >= argc) return -1;
            long numkeys;
            try {
                numkeys = a.longAt(first + keyNumIdx);
            } catch (RuntimeException e) {
                return -1;
            }
            if (numkeys < 0) return -1;
            first += firstKey;
            last = first + (int) numkeys - 1;
            step = keyStep;
        }
        if (last >= argc || last < first || first >= argc) {
            // Zero keys from a keynum spec (numkeys 0) is valid but yields nothing.
            if (!range && last == first - 1) return n;
            return -1;
        }
        for (int i = first; i <= last; i += Math.max(step, 1)) {
            if (i >= argc) continue;
            out[n++] = i;
        }
        return n;
    }
}
