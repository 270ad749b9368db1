//! Sample layout tags per `DataType` and the GDAL_NODATA text.
//!
//! GDAL writes GDAL_NODATA (tag 42113) as ASCII: `nan`, `inf`, `-inf`, or the
//! value printed with C's `%.17g` (`-9999`, `0.10000000000000001`,
//! `-3.4028234663852886e+38`); `gdal_nodata_text` reproduces that exactly.

use super::ifd::{Entry, Value};
use super::tag;
use crate::model::DataType;

/// BitsPerSample and SampleFormat (1 = unsigned, 2 = signed, 3 = IEEE float).
pub fn sample_entries(dtype: DataType) -> [Entry; 2] {
    let bits = (dtype.size() * 8) as u16;
    let format = match dtype {
        DataType::U8 | DataType::U16 | DataType::U32 => 1,
        DataType::I8 | DataType::I16 | DataType::I32 => 2,
        DataType::F32 | DataType::F64 => 3,
    };
    [
        Entry::new(tag::BITS_PER_SAMPLE, Value::Short(vec![bits])),
        Entry::new(tag::SAMPLE_FORMAT, Value::Short(vec![format])),
    ]
}

/// The GDAL_NODATA entry for `nodata`.
pub fn nodata_entry(nodata: f64) -> Entry {
    Entry::new(tag::GDAL_NODATA, Value::Ascii(gdal_nodata_text(nodata)))
}

/// `nodata` as GDAL prints it into the GDAL_NODATA tag (`%.17g`, `nan`, `inf`).
pub fn gdal_nodata_text(v: f64) -> String {
    if v.is_nan() {
        return "nan".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    format_g17(v)
}

/// C's `printf("%.17g", v)` for a finite `v`.
fn format_g17(v: f64) -> String {
    const PRECISION: i32 = 17;
    if v == 0.0 {
        return if v.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    // Round to 17 significant digits first: the exponent after rounding decides the style.
    let sci = format!("{:.*e}", (PRECISION - 1) as usize, v);
    let (mantissa, exp) = match sci.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (sci.as_str(), 0),
    };
    if (-4..PRECISION).contains(&exp) {
        let decimals = (PRECISION - 1 - exp).max(0) as usize;
        strip_zeros(&format!("{v:.decimals$}"))
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", strip_zeros(mantissa), exp.abs())
    }
}

/// Drops trailing zeros after a decimal point, and the point itself if bare.
fn strip_zeros(s: &str) -> String {
    if !s.contains('.') {
        return s.to_string();
    }
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
