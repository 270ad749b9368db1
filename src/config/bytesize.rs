//! `ByteSize`: a byte count read from TOML/env as an integer or a string with a unit.
//!
//! Only parsing and formatting live here; what the sizes limit is decided elsewhere.

use std::fmt;

/// A number of bytes. Accepts an integer (`536870912`) or a string with an optional
/// unit: `"512MiB"`, `"1GB"`, `"1.5 GiB"`, `"0"`. Units are case-insensitive;
/// `B`, `KB`/`MB`/`GB`/`TB` are powers of 1000, `KiB`/`MiB`/`GiB`/`TiB` powers of 1024.
/// Values above `i64::MAX` are refused so that every size round-trips through TOML.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ByteSize(pub u64);

impl ByteSize {
    pub const fn bytes(self) -> u64 {
        self.0
    }

    /// Parse the string form; the error says what was wrong.
    pub fn parse(text: &str) -> Result<ByteSize, String> {
        let t = text.trim();
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        let unit = unit.trim();
        if num.is_empty() {
            return Err(format!(
                "`{text}` is not a byte size (expected e.g. 536870912, \"512MiB\" or \"1GB\")"
            ));
        }
        let mult: u64 = match unit.to_ascii_lowercase().as_str() {
            "" | "b" => 1,
            "kb" => 1_000,
            "mb" => 1_000_000,
            "gb" => 1_000_000_000,
            "tb" => 1_000_000_000_000,
            "kib" => 1 << 10,
            "mib" => 1 << 20,
            "gib" => 1 << 30,
            "tib" => 1 << 40,
            _ => {
                return Err(format!(
                    "`{text}` has an unknown unit `{unit}` (use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)"
                ));
            }
        };
        let too_big = || format!("`{text}` is larger than {} bytes", i64::MAX);
        let value = if let Ok(n) = num.parse::<u64>() {
            n.checked_mul(mult).ok_or_else(too_big)?
        } else {
            let f: f64 = num
                .parse()
                .map_err(|_| format!("`{text}` is not a byte size"))?;
            let v = (f * mult as f64).round();
            if !v.is_finite() || v >= i64::MAX as f64 {
                return Err(too_big());
            }
            v as u64
        };
        if value > i64::MAX as u64 {
            return Err(too_big());
        }
        Ok(ByteSize(value))
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} bytes", self.0)
    }
}

impl serde::Serialize for ByteSize {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

impl<'de> serde::Deserialize<'de> for ByteSize {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ByteSize, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = ByteSize;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a byte size: an integer or a string such as \"512MiB\" or \"1GB\"")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<ByteSize, E> {
                u64::try_from(v)
                    .map(ByteSize)
                    .map_err(|_| E::custom(format!("byte size {v} is negative")))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ByteSize, E> {
                if v > i64::MAX as u64 {
                    return Err(E::custom(format!(
                        "byte size {v} is larger than {}",
                        i64::MAX
                    )));
                }
                Ok(ByteSize(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ByteSize, E> {
                ByteSize::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::ByteSize;

    #[test]
    fn parses_units_and_plain_numbers() {
        assert_eq!(ByteSize::parse("0"), Ok(ByteSize(0)));
        assert_eq!(ByteSize::parse("1234"), Ok(ByteSize(1234)));
        assert_eq!(ByteSize::parse("512MiB"), Ok(ByteSize(512 * 1024 * 1024)));
        assert_eq!(ByteSize::parse("1GB"), Ok(ByteSize(1_000_000_000)));
        assert_eq!(ByteSize::parse(" 1.5 gib "), Ok(ByteSize(1_610_612_736)));
        assert_eq!(ByteSize::parse("64kb"), Ok(ByteSize(64_000)));
        assert_eq!(ByteSize::parse("2TiB"), Ok(ByteSize(2 << 40)));
    }

    #[test]
    fn refuses_garbage_and_overflow() {
        for bad in [
            "",
            "MiB",
            "-1",
            "12 parsecs",
            "1e3",
            "99999999999TB",
            "1.2.3MB",
        ] {
            assert!(ByteSize::parse(bad).is_err(), "{bad} should fail");
        }
    }
}
