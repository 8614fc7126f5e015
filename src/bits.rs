//! `#[serde(with = "crate::bits")]` for a `Vec<bool>` pixel mask: stored eight pixels to
//! a byte as one byte string, so that a page-sized mask (millions of pixels) is written
//! and read as a block, not pixel by pixel (the template model cache, `run::kit`).

use serde::{Deserializer, Serializer, de};

pub fn serialize<S: Serializer>(v: &[bool], s: S) -> Result<S::Ok, S::Error> {
    // Length first (8 bytes, little-endian), then the bits, lowest bit first.
    let mut out = Vec::with_capacity(8 + v.len().div_ceil(8));
    out.extend_from_slice(&(v.len() as u64).to_le_bytes());
    for chunk in v.chunks(8) {
        out.push(
            chunk
                .iter()
                .enumerate()
                .fold(0u8, |b, (i, &on)| b | ((on as u8) << i)),
        );
    }
    s.serialize_bytes(&out)
}

/// Each byte's bits, lowest first.
const UNPACKED: [[bool; 8]; 256] = {
    let mut t = [[false; 8]; 256];
    let mut b = 0;
    while b < 256 {
        let mut i = 0;
        while i < 8 {
            t[b][i] = (b >> i) & 1 == 1;
            i += 1;
        }
        b += 1;
    }
    t
};

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<bool>, D::Error> {
    from_bytes(d, "a packed bit mask", |b| {
        let (len, bits) = b
            .split_first_chunk::<8>()
            .ok_or("bit mask without its length")?;
        let len = u64::from_le_bytes(*len) as usize;
        if bits.len() != len.div_ceil(8) {
            return Err("bit mask of the wrong length");
        }
        // A byte's eight pixels at once, from a table: masks are read at every start.
        let mut v = Vec::with_capacity(bits.len() * 8);
        for &byte in bits {
            v.extend_from_slice(&UNPACKED[byte as usize]);
        }
        v.truncate(len);
        Ok(v)
    })
}

/// A value made by `make` from one byte string (`what` names it in errors; `make` says
/// why the bytes are not one).
fn from_bytes<'de, D: Deserializer<'de>, T>(
    d: D,
    what: &'static str,
    make: fn(&[u8]) -> Result<T, &'static str>,
) -> Result<T, D::Error> {
    struct Maker<T> {
        what: &'static str,
        make: fn(&[u8]) -> Result<T, &'static str>,
    }
    impl<'de, T> de::Visitor<'de> for Maker<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str(self.what)
        }
        fn visit_bytes<E: de::Error>(self, b: &[u8]) -> Result<T, E> {
            (self.make)(b).map_err(E::custom)
        }
        fn visit_byte_buf<E: de::Error>(self, b: Vec<u8>) -> Result<T, E> {
            self.visit_bytes(&b)
        }
    }
    d.deserialize_bytes(Maker { what, make })
}

/// `#[serde(with = "crate::bits::bytes")]` for a `Vec<u8>` map (a value per pixel):
/// written and read as one byte string, not element by element.
pub mod bytes {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        super::from_bytes(d, "a byte map", |b| Ok(b.to_vec()))
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Mask(#[serde(with = "super")] Vec<bool>);

    #[test]
    fn masks_round_trip_whatever_their_length() {
        let cfg = bincode::config::standard();
        for n in [0usize, 1, 7, 8, 9, 1000, 4093] {
            let m = Mask((0..n).map(|i| (i * 7919) % 3 == 0).collect());
            let bytes = bincode::serde::encode_to_vec(&m, cfg).unwrap();
            assert!(
                bytes.len() <= 8 + n.div_ceil(8) + 10,
                "{n}: {}",
                bytes.len()
            );
            let (back, _): (Mask, usize) = bincode::serde::decode_from_slice(&bytes, cfg).unwrap();
            assert_eq!(back, m);
        }
        // A damaged length is refused, not read as another mask.
        let mut bytes = bincode::serde::encode_to_vec(Mask(vec![true; 20]), cfg).unwrap();
        bytes[1] = 30;
        assert!(bincode::serde::decode_from_slice::<Mask, _>(&bytes, cfg).is_err());
    }
}
