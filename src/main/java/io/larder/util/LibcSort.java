package io.larder.util;

/**
 * The two sorts whose exact behaviour shows in Redis's replies: glibc's
 * {@code qsort} (a top-down merge sort in glibc 2.36, so stable) and Redis's
 * {@code pqsort} (Bentley and McIlroy's quicksort that only finishes the
 * partitions overlapping a range, used when a reply needs only the first
 * COUNT elements). Elements that compare equal come out in an order that
 * depends on the algorithm, so reproducing a reply byte for byte means
 * making the same comparisons and swaps. Both sort a permutation of
 * element numbers in place; the comparator gets element numbers, answers
 * like a C comparator, and need not be consistent (it is called exactly
 * where C calls it).
 */
public final class LibcSort {
    private LibcSort() {}

    /** A C comparator over element numbers: negative, zero or positive. */
    @FunctionalInterface
    public interface IndexComparator {
        int compare(int a, int b);
    }

    /**
     * glibc 2.36's qsort on elements larger than 32 bytes (Redis's geoPoint):
     * msort_with_tmp over pointers, halves of n/2 and n - n/2, merges taking
     * the left element while it compares {@code <= 0}.
     */
    public static void qsort(int[] a, int n, IndexComparator cmp) {
        if (n <= 1) return;
        mergeSort(a, 0, n, new int[n], cmp);
    }

    private static void mergeSort(int[] a, int lo, int n, int[] tmp, IndexComparator cmp) {
        if (n <= 1) return;
        int n1 = n / 2, n2 = n - n1;
        mergeSort(a, lo, n1, tmp, cmp);
        mergeSort(a, lo + n1, n2, tmp, cmp);
        int i = lo, j = lo + n1, t = 0;
        while (n1 > 0 && n2 > 0) {
            if (cmp.compare(a[i], a[j]) <= 0) {
                tmp[t++] = a[i++];
                n1--;
            } else {
                tmp[t++] = a[j++];
                n2--;
            }
        }
        // What is left of the right half is already in place.
        while (n1-- > 0) tmp[t++] = a[i++];
        System.arraycopy(tmp, 0, a, lo, t);
    }

    /**
     * Redis's pqsort(a, n, cmp, lrange, rrange): afterwards positions
     * [lrange, rrange] hold what a full sort would put there, and the rest
     * is only partitioned. Redis 7.0's copy of the NetBSD code has no
     * "switch to insertion sort when a pass swapped nothing" shortcut (some
     * other copies do); that changes where equal elements end up, and the
     * oracle's replies match this version.
     */
    public static void pqsort(int[] a, int n, IndexComparator cmp, int lrange, int rrange) {
        partial(a, 0, n, cmp, lrange, rrange);
    }

    private static void partial(int[] a, int lo, int n, IndexComparator cmp, int lrange, int rrange) {
        while (true) {
            if (n < 7) {
                insertionSort(a, lo, n, cmp);
                return;
            }
            int pm = lo + n / 2;
            if (n > 7) {
                int pl = lo;
                int pn = lo + n - 1;
                if (n > 40) {
                    int d = n / 8;
                    pl = med3(a, pl, pl + d, pl + 2 * d, cmp);
                    pm = med3(a, pm - d, pm, pm + d, cmp);
                    pn = med3(a, pn - 2 * d, pn - d, pn, cmp);
                }
                pm = med3(a, pl, pm, pn, cmp);
            }
            swap(a, lo, pm);
            int pa = lo + 1, pb = pa;
            int pc = lo + n - 1, pd = pc;
            while (true) {
                int r;
                while (pb <= pc && (r = cmp.compare(a[pb], a[lo])) <= 0) {
                    if (r == 0) {
                        swap(a, pa, pb);
                        pa++;
                    }
                    pb++;
                }
                while (pb <= pc && (r = cmp.compare(a[pc], a[lo])) >= 0) {
                    if (r == 0) {
                        swap(a, pc, pd);
                        pd--;
                    }
                    pc--;
                }
                if (pb > pc) break;
                swap(a, pb, pc);
                pb++;
                pc--;
            }
            int pn = lo + n;
            int r = Math.min(pa - lo, pb - pa);
            vecswap(a, lo, pb - r, r);
            r = Math.min(pd - pc, pn - pd - 1);
            vecswap(a, pb, pn - r, r);
            // Recurse into a partition only if it overlaps [lrange, rrange].
            if ((r = pb - pa) > 1 && overlaps(lo, r, lrange, rrange)) partial(a, lo, r, cmp, lrange, rrange);
            if ((r = pd - pc) > 1) {
                lo = pn - r;
                n = r;
                if (overlaps(lo, n, lrange, rrange)) continue;
            }
            return;
        }
    }

    private static boolean overlaps(int lo, int n, int lrange, int rrange) {
        return !(rrange < lo || lrange >= lo + n);
    }

    private static void insertionSort(int[] a, int lo, int n, IndexComparator cmp) {
        for (int pm = lo + 1; pm < lo + n; pm++) {
            for (int pl = pm; pl > lo && cmp.compare(a[pl - 1], a[pl]) > 0; pl--) swap(a, pl, pl - 1);
        }
    }

    private static int med3(int[] a, int x, int y, int z, IndexComparator cmp) {
        return cmp.compare(a[x], a[y]) < 0
                ? (cmp.compare(a[y], a[z]) < 0 ? y : (cmp.compare(a[x], a[z]) < 0 ? z : x))
                : (cmp.compare(a[y], a[z]) > 0 ? y : (cmp.compare(a[x], a[z]) < 0 ? x : z));
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    private static void vecswap(int[] a, int i, int j, int n) {
        for (int k = 0; k < n; k++) swap(a, i + k, j + k);
    }
}
