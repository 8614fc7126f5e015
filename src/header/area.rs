//! Which prefecture a fax number's area code belongs to, for a prefecture reading torn
//! between names (never over a confident one). Coarse by design: the leading digits of
//! the area code, taken to the prefecture most of that range serves; numbers without an
//! area (0120, 050, mobile 070/080/090) and ranges shared by several prefectures give none.

/// (leading digits after the 0, prefecture as tabulated), longest prefixes first.
const AREAS: [(&str, &str); 62] = [
    ("120", ""),
    ("50", ""),
    ("70", ""),
    ("80", ""),
    ("90", ""),
    ("17", "青森"),
    ("18", "秋田"),
    ("19", "岩手"),
    ("1", "北海道"),
    ("22", "宮城"),
    ("23", "山形"),
    ("24", "福島"),
    ("25", "新潟"),
    ("26", "長野"),
    ("27", "群馬"),
    ("28", "栃木"),
    ("29", "茨城"),
    ("3", "東京"),
    ("42", ""),
    ("43", "千葉"),
    ("44", "神奈川"),
    ("45", "神奈川"),
    ("46", "神奈川"),
    ("47", "千葉"),
    ("48", "埼玉"),
    ("49", "埼玉"),
    ("52", "愛知"),
    ("53", "静岡"),
    ("54", "静岡"),
    ("55", ""),
    ("56", "愛知"),
    ("57", "岐阜"),
    ("58", "岐阜"),
    ("59", "三重"),
    ("6", "大阪"),
    ("72", "大阪"),
    ("73", "和歌山"),
    ("74", "奈良"),
    ("75", "京都"),
    ("76", ""),
    ("77", "滋賀"),
    ("78", "兵庫"),
    ("79", "兵庫"),
    ("82", "広島"),
    ("83", "山口"),
    ("84", "広島"),
    ("85", "島根"),
    ("86", "岡山"),
    ("87", "香川"),
    ("88", ""),
    ("89", "愛媛"),
    ("92", "福岡"),
    ("93", "福岡"),
    ("94", "福岡"),
    ("95", "長崎"),
    ("96", "熊本"),
    ("97", "大分"),
    ("98", "沖縄"),
    ("99", "鹿児島"),
    ("4", ""),
    ("5", ""),
    ("8", ""),
];

/// The prefecture of a fax number (digits, starting with 0), when its area code says.
pub fn prefecture_of(number: &str) -> Option<&'static str> {
    let rest = number.strip_prefix('0')?;
    AREAS
        .iter()
        .filter(|(p, _)| rest.starts_with(p))
        .max_by_key(|(p, _)| p.len())
        .map(|(_, name)| *name)
        .filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_codes_name_their_prefecture_or_nothing() {
        assert_eq!(prefecture_of("0312345678"), Some("東京"));
        assert_eq!(prefecture_of("0434878623"), Some("千葉"));
        assert_eq!(prefecture_of("0475801215"), Some("千葉"));
        assert_eq!(prefecture_of("0112345678"), Some("北海道"));
        assert_eq!(prefecture_of("0172345678"), Some("青森"));
        assert_eq!(prefecture_of("0925591145"), Some("福岡"));
        assert_eq!(prefecture_of("0661234567"), Some("大阪"));
        // No area: free dial, IP phones, mobiles; and shared ranges.
        assert_eq!(prefecture_of("0120654560"), None);
        assert_eq!(prefecture_of("09012345678"), None);
        assert_eq!(prefecture_of("0421234567"), None);
        assert_eq!(prefecture_of("1234567890"), None);
        // Every name is one of the 47.
        for (_, n) in AREAS.iter().filter(|a| !a.1.is_empty()) {
            assert!(
                crate::ocr::prefecture::PREFECTURES
                    .iter()
                    .any(|p| p.0 == *n),
                "{n}"
            );
        }
    }
}
