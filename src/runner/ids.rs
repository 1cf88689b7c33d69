//! Duplicate customer ids: each chunk's id hashes sorted, then merged and counted.

/// A 64-bit FNV-1a hash of a customer id, for spotting duplicate ids in little memory.
pub(super) fn hash_id(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A chunk's id hashes, sorted and at their exact size. Hashes are spread evenly, so one
/// counting pass on their top bits puts each in a bucket of about four, and only the buckets
/// are sorted (a comparison sort of the whole took 120 instructions a hash). Ids that are not
/// spread (all alike) only make a bucket large: still sorted, as fast as before.
pub(super) fn sorted(mut hashes: Vec<u64>) -> Vec<u64> {
    let n = hashes.len();
    if n < 64 {
        hashes.sort_unstable();
        hashes.shrink_to_fit();
        return hashes;
    }
    let bits = (usize::BITS - (n / 4).leading_zeros()).min(16);
    let shift = 64 - bits;
    let mut starts = vec![0usize; (1 << bits) + 1];
    for &h in &hashes {
        starts[(h >> shift) as usize + 1] += 1;
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    let mut out = vec![0u64; n];
    let mut fill = starts.clone();
    for &h in &hashes {
        let b = (h >> shift) as usize;
        out[fill[b]] = h;
        fill[b] += 1;
    }
    for bucket in starts.windows(2) {
        out[bucket[0]..bucket[1]].sort_unstable();
    }
    out
}

/// How many ids occur again after their first occurrence: a k-way merge of the sorted runs,
/// so memory stays at 8 bytes per customer.
pub(super) fn count_duplicates(runs: Vec<Vec<u64>>) -> u64 {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut heap: BinaryHeap<Reverse<(u64, usize, usize)>> = runs
        .iter()
        .enumerate()
        .filter_map(|(r, run)| run.first().map(|&h| Reverse((h, r, 0))))
        .collect();
    let mut last = None;
    let mut duplicates = 0;
    // The smallest entry is replaced in place by its run's next hash (one sift, not a pop and
    // a push); it is removed only when its run is used up.
    while let Some(mut top) = heap.peek_mut() {
        let Reverse((h, r, i)) = *top;
        if last == Some(h) {
            duplicates += 1;
        }
        last = Some(h);
        match runs[r].get(i + 1) {
            Some(&next) => *top = Reverse((next, r, i + 1)),
            None => {
                std::collections::binary_heap::PeekMut::pop(top);
            }
        }
    }
    duplicates
}

#[cfg(test)]
mod tests {
    use super::count_duplicates;

    #[test]
    fn duplicates_are_counted_across_and_within_runs() {
        assert_eq!(count_duplicates(vec![]), 0);
        assert_eq!(count_duplicates(vec![vec![], vec![7]]), 0);
        // 1 2 3 | 2 3 4 | 3 5: eight ids, five different.
        assert_eq!(
            count_duplicates(vec![vec![1, 2, 3], vec![2, 3, 4], vec![3, 5], vec![]]),
            3
        );
        // Twice in one chunk, and the largest hash.
        assert_eq!(
            count_duplicates(vec![vec![1, 1, 2, u64::MAX], vec![u64::MAX]]),
            2
        );
    }

    #[test]
    fn chunk_hashes_are_sorted() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for n in [0, 1, 63, 64, 65, 1000, 8500, 40_000] {
            // Spread hashes, then hashes alike in their top bits, then all alike.
            for spread in [64, 20, 0] {
                let hashes: Vec<u64> = (0..n)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        seed.checked_shr(64 - spread).unwrap_or(0)
                    })
                    .collect();
                let mut want = hashes.clone();
                want.sort_unstable();
                assert_eq!(super::sorted(hashes), want, "{n} hashes of {spread} bits");
            }
        }
    }

    #[test]
    fn the_merge_counts_as_sorting_everything_does() {
        let mut seed = 88_172_645_463_325_252u64;
        for runs in 1..40 {
            let mut all: Vec<u64> = Vec::new();
            let sorted_runs: Vec<Vec<u64>> = (0..runs)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let len = (seed % 50) as usize;
                    let mut run: Vec<u64> = (0..len)
                        .map(|i| (seed >> (i % 40)) % 97 + u64::from(i % 7 == 0) * (u64::MAX - 97))
                        .collect();
                    run.sort_unstable();
                    all.extend(&run);
                    run
                })
                .collect();
            all.sort_unstable();
            let want = all.windows(2).filter(|w| w[0] == w[1]).count() as u64;
            assert_eq!(count_duplicates(sorted_runs), want, "{runs} runs");
        }
    }
}
