//! The access token: the page and its API answer only requests that carry it, so another
//! user of the machine (or a web page in the reviewer's browser) cannot read the answers
//! or change decisions.

use rand::RngCore;

/// 128 random bits, as hex, from rand's thread generator (a CSPRNG seeded by the OS).
pub fn new_token() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Compares in time independent of where the strings differ.
pub fn matches(given: &str, token: &str) -> bool {
    given.len() == token.len()
        && given
            .bytes()
            .zip(token.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_fresh_and_compared_exactly() {
        let a = new_token();
        assert_eq!(a.len(), 32);
        assert_ne!(a, new_token());
        assert!(matches(&a, &a.clone()));
        assert!(!matches("", &a));
        assert!(!matches(&a[..31], &a));
        let mut b = a.clone().into_bytes();
        b[31] = if b[31] == b'0' { b'1' } else { b'0' };
        assert!(!matches(std::str::from_utf8(&b).unwrap(), &a));
    }
}
