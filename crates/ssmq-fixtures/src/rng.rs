//! A tiny deterministic PRNG (SplitMix64) and the helpers the generator draws with.
//!
//! In: a lake seed, a node index and a stream name. Out: a reproducible sequence of numbers.
//! The generator owns its randomness instead of using the `rand` crate so that the committed
//! fixtures can never change because a dependency changed its algorithm. Every node (and every
//! aspect of a node) draws from its own stream, so nodes can be generated in any order, on any
//! number of threads, and adding a field to one object type does not shift the values of others.

/// The SplitMix64 output function: a bijection on `u64` with good avalanche.
pub(crate) const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a over a stream name, so streams are named in code rather than numbered.
const fn stream_hash(name: &str) -> u64 {
    let bytes = name.as_bytes();
    let mut hash = 0xCBF2_9CE4_8422_2325_u64;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01B3);
        i += 1;
    }
    hash
}

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64 generator.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    state: u64,
}

impl Rng {
    /// The stream `name` of item `index` under `seed`.
    pub(crate) fn derive(seed: u64, index: u64, name: &str) -> Self {
        let state = mix(seed ^ stream_hash(name)) ^ mix(index.wrapping_add(GOLDEN_GAMMA));
        Rng { state }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        mix(self.state)
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; the tiny bias is irrelevant here). `n > 0`.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `low..=high`.
    pub(crate) fn range(&mut self, low: usize, high: usize) -> usize {
        debug_assert!(low <= high);
        low + self.below(high - low + 1)
    }

    /// Uniform in `low..=high` for timestamps and other signed quantities.
    pub(crate) fn range_i64(&mut self, low: i64, high: i64) -> i64 {
        debug_assert!(low <= high);
        low + self.below((high - low + 1) as usize) as i64
    }

    /// True with probability `percent` / 100.
    pub(crate) fn percent(&mut self, percent: u32) -> bool {
        self.below(100) < percent as usize
    }

    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// Picks by integer weight.
    pub(crate) fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|(_, weight)| weight).sum();
        let mut roll = self.below(total as usize) as u32;
        for &(item, weight) in items {
            if roll < weight {
                return item;
            }
            roll -= weight;
        }
        unreachable!("weights sum to the total")
    }

    /// `count` distinct indices of `0..len` in ascending order (partial Fisher-Yates).
    pub(crate) fn choose_indices(&mut self, len: usize, count: usize) -> Vec<usize> {
        let count = count.min(len);
        let mut all: Vec<usize> = (0..len).collect();
        for i in 0..count {
            let j = i + self.below(len - i);
            all.swap(i, j);
        }
        all.truncate(count);
        all.sort_unstable();
        all
    }

    /// `digits` lowercase hex digits.
    pub(crate) fn hex(&mut self, digits: usize) -> String {
        let mut out = String::with_capacity(digits);
        while out.len() < digits {
            let word = self.next_u64();
            for shift in (0..16).rev() {
                if out.len() == digits {
                    break;
                }
                let nibble = ((word >> (shift * 4)) & 0xF) as u32;
                out.push(char::from_digit(nibble, 16).expect("nibble is a hex digit"));
            }
        }
        out
    }

    /// A random (version 4 shaped) UUID, as SSM uses for execution and association ids.
    pub(crate) fn uuid(&mut self) -> String {
        let high = self.next_u64();
        let low = self.next_u64();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
            high >> 32,
            (high >> 16) & 0xFFFF,
            high & 0xFFF,
            8 + (low >> 62),
            (low >> 48) & 0xFFF,
            low & 0xFFFF_FFFF_FFFF
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let mut a = Rng::derive(7, 3, "apps");
        let mut b = Rng::derive(7, 3, "apps");
        let mut other_stream = Rng::derive(7, 3, "tags");
        let mut other_index = Rng::derive(7, 4, "apps");
        let first = a.next_u64();
        assert_eq!(first, b.next_u64());
        assert_ne!(first, other_stream.next_u64());
        assert_ne!(first, other_index.next_u64());
    }

    #[test]
    fn helpers_stay_in_bounds() {
        let mut rng = Rng::derive(1, 1, "bounds");
        for _ in 0..1000 {
            assert!(rng.below(3) < 3);
            let value = rng.range(5, 7);
            assert!((5..=7).contains(&value));
        }
        let picked = rng.choose_indices(10, 4);
        assert_eq!(picked.len(), 4);
        assert!(picked.windows(2).all(|pair| pair[0] < pair[1]));
        assert_eq!(rng.hex(17).len(), 17);
        let uuid = rng.uuid();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4");
    }

    #[test]
    fn mix_is_a_bijection_on_a_sample() {
        let outputs: std::collections::BTreeSet<u64> = (0..10_000).map(mix).collect();
        assert_eq!(outputs.len(), 10_000);
    }
}
