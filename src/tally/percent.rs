//! Percentages as reports print them: rounded once, half up, from the exact ratio.
//!
//! Integer arithmetic throughout, so that 4,117 / 5,493 = 74.9499… prints 74.9 (a float
//! rounded twice, first to 74.95, would print 75.0).

/// `count / base` as a percentage with `decimals` decimals, or `None` for an empty base.
pub fn percent(count: u64, base: u64, decimals: u32) -> Option<String> {
    if base == 0 {
        return None;
    }
    let scale = 10u128.pow(decimals);
    let num = count as u128 * 100 * scale;
    let den = base as u128;
    // Half up: floor(num / den + 1/2).
    let r = (2 * num + den) / (2 * den);
    let (whole, frac) = (r / scale, r % scale);
    Some(if decimals == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{frac:0width$}", width = decimals as usize)
    })
}

/// A mean with `decimals` decimals, rounded half up from the exact ratio.
pub fn mean(sum: u64, n: u64, decimals: u32) -> Option<String> {
    // percent() of (sum / n) / 100.
    percent(sum, n * 100, decimals)
}

/// 8330 → 「8,330」.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_once_half_up_from_the_exact_ratio() {
        assert_eq!(percent(4117, 5493, 1).as_deref(), Some("74.9"));
        assert_eq!(percent(1, 8, 1).as_deref(), Some("12.5"));
        // 1/16 = 6.25 exactly: half up.
        assert_eq!(percent(1, 16, 1).as_deref(), Some("6.3"));
        assert_eq!(percent(8330, 47387, 1).as_deref(), Some("17.6"));
        assert_eq!(percent(256, 3843, 1).as_deref(), Some("6.7"));
        assert_eq!(percent(2, 3, 0).as_deref(), Some("67"));
        assert_eq!(percent(1, 3, 2).as_deref(), Some("33.33"));
        assert_eq!(percent(0, 5, 1).as_deref(), Some("0.0"));
        assert_eq!(percent(5, 5, 1).as_deref(), Some("100.0"));
        assert_eq!(percent(1, 0, 1), None);
    }

    #[test]
    fn means_and_thousands() {
        assert_eq!(mean(7, 2, 1).as_deref(), Some("3.5"));
        assert_eq!(mean(10, 3, 1).as_deref(), Some("3.3"));
        assert_eq!(thousands(8330), "8,330");
        assert_eq!(thousands(10026), "10,026");
        assert_eq!(thousands(256), "256");
        assert_eq!(thousands(1000000), "1,000,000");
    }
}
