//! Deterministic ids from a seed: copy job ids, recovery point ids and snapshot ids come from a small counter-based generator (SplitMix64), so a run is reproducible byte for byte.

/// A generator of ids from a seed.
#[derive(Debug, Clone)]
pub struct IdGenerator {
    /// The seed it started from.
    seed: u64,
    state: u64,
}

/// SplitMix64's increment: the state after `n` draws is the seed plus `n` times it.
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// [`GAMMA`]'s inverse modulo 2^64 (it is odd), by Newton's iteration: each step doubles the
/// bits that are right, from the 3 that `GAMMA` itself gets right.
const GAMMA_INVERSE: u64 = {
    let mut inverse = GAMMA;
    let mut step = 0;
    while step < 5 {
        inverse = inverse.wrapping_mul(2u64.wrapping_sub(GAMMA.wrapping_mul(inverse)));
        step += 1;
    }
    inverse
};

impl IdGenerator {
    /// Starts from `seed`.
    pub fn new(seed: u64) -> Self {
        IdGenerator { seed, state: seed }
    }

    /// The generator from `seed` after `drawn` draws: it goes on with the ids a generator from
    /// `seed` would give after them.
    pub fn resume(seed: u64, drawn: u64) -> Self {
        IdGenerator {
            seed,
            state: seed.wrapping_add(drawn.wrapping_mul(GAMMA)),
        }
    }

    /// The seed it started from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// How many 64-bit draws it has made ([`IdGenerator::resume`] goes on from there).
    pub fn drawn(&self) -> u64 {
        self.state.wrapping_sub(self.seed).wrapping_mul(GAMMA_INVERSE)
    }

    /// A generator seeded from names (FNV-1a of their bytes, each followed by a separator), for
    /// ids that must be the same in every run and for every caller: an AWS managed key's id in
    /// an account and Region, a principal's unique id, an Organizations policy id.
    pub fn for_names(names: &[&str]) -> Self {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for name in names {
            for byte in name.bytes().chain(std::iter::once(0)) {
                hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        IdGenerator::new(hash)
    }

    /// The next 64 random bits (SplitMix64).
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A version-4-shaped UUID in upper case, as AWS Backup shows recovery point ids
    /// (`1EB3B5E7-9EB0-435A-A80B-108B488B0D45`).
    pub fn uuid_upper(&mut self) -> String {
        self.uuid_in(b"0123456789ABCDEF")
    }

    /// A version-4-shaped UUID in lower case.
    pub fn uuid(&mut self) -> String {
        self.uuid_in(b"0123456789abcdef")
    }

    /// `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx` in `digits` (every request draws one: written into
    /// a buffer a byte's two digits at a time, then copied once).
    fn uuid_in(&mut self, digits: &[u8; 16]) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        let b = (b & 0x0FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
        let a = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000;
        let bytes = ((u128::from(a) << 64) | u128::from(b)).to_be_bytes();
        let mut out = [b'-'; 36];
        // Where each byte's two digits go, around the hyphens at 8, 13, 18 and 23.
        const AT: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
        for (byte, at) in bytes.iter().zip(AT) {
            if let Some(pair) = out.get_mut(at..at + 2) {
                pair[0] = digits[usize::from(byte >> 4)];
                pair[1] = digits[usize::from(byte & 0xF)];
            }
        }
        // Hex digits and hyphens: ASCII.
        String::from_utf8(out.to_vec()).unwrap_or_default()
    }

    /// `n` lower-case hex digits (EC2 ids use 17).
    pub fn hex(&mut self, n: usize) -> String {
        use std::fmt::Write;
        let mut out = String::with_capacity(n + 16);
        while out.len() < n {
            let _ = write!(out, "{:016x}", self.next_u64());
        }
        out.truncate(n);
        out
    }
}

/// A stable unique id for a principal (`AIDA...` for users, `AROA...` for roles), as IAM and
/// STS show them: 21 characters (modeled values; the prefixes are IAM's).
pub fn unique_id(prefix: &str, arn: &str) -> String {
    let hex = IdGenerator::for_names(&[arn]).hex(17);
    format!("{prefix}{}", hex.to_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_gives_same_ids() {
        let (mut a, mut b) = (IdGenerator::new(7), IdGenerator::new(7));
        assert_eq!(a.uuid_upper(), b.uuid_upper());
        assert_eq!(a.hex(17), b.hex(17));
        assert_ne!(IdGenerator::new(8).uuid(), IdGenerator::new(7).uuid());
    }

    #[test]
    fn a_resumed_generator_goes_on_where_the_first_stopped() {
        let mut first = IdGenerator::new(42);
        for _ in 0..5 {
            first.uuid();
        }
        first.hex(17);
        assert_eq!(first.drawn(), 12);
        let mut resumed = IdGenerator::resume(42, first.drawn());
        assert_eq!(resumed.uuid(), first.uuid());
        assert_eq!(IdGenerator::new(u64::MAX).drawn(), 0);
        assert_eq!(IdGenerator::resume(u64::MAX, u64::MAX).drawn(), u64::MAX);
    }

    #[test]
    fn uuid_is_the_two_draws_in_hex() {
        let mut draws = IdGenerator::new(7);
        let (a, b) = (draws.next_u64(), draws.next_u64());
        let b = (b & 0x0FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
        let a = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000;
        let expected = format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xFFFF,
            a & 0xFFFF,
            b >> 48,
            b & 0xFFFF_FFFF_FFFF
        );
        assert_eq!(IdGenerator::new(7).uuid(), expected);
        assert_eq!(IdGenerator::new(7).uuid_upper(), expected.to_uppercase());
    }

    #[test]
    fn uuid_has_version_and_variant() {
        let id = IdGenerator::new(1).uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
    }
}
