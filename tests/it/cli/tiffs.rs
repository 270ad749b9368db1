//! Generated input files for the refusal tests: small GeoTIFFs written with the
//! `tiff` encoder, and hand-made ones whose header claims more than they hold.
//! Writes only the path it is given.

use std::path::Path;

/// Writes a north-up GeoTIFF of `bands` u8 bands (1 or 3), 16×12, 100 m pixels,
/// with the GeoKeys of `epsg` when given.
pub(super) fn write_geotiff(path: &Path, bands: u16, epsg: Option<u16>) {
    use tiff::encoder::{TiffEncoder, colortype};
    use tiff::tags::Tag;
    let (w, h) = (16u32, 12u32);
    let file = std::fs::File::create(path).expect("create tif");
    let mut enc = TiffEncoder::new(std::io::BufWriter::new(file)).expect("encoder");
    let scale = [100.0f64, 100.0, 0.0];
    let tiepoint = [0.0f64, 0.0, 0.0, 200_000.0, 450_000.0, 0.0];
    let keys: Option<Vec<u16>> = epsg.map(|code| {
        vec![
            1, 1, 0, 3, // version, revision, minor, key count
            1024, 0, 1, 1, // GTModelType = projected
            1025, 0, 1, 1, // GTRasterType = PixelIsArea
            3072, 0, 1, code, // ProjectedCSType
        ]
    });
    macro_rules! write {
        ($ct:ty, $data:expr) => {{
            let mut image = enc.new_image::<$ct>(w, h).expect("image");
            image
                .encoder()
                .write_tag(Tag::ModelPixelScaleTag, &scale[..])
                .expect("scale");
            image
                .encoder()
                .write_tag(Tag::ModelTiepointTag, &tiepoint[..])
                .expect("tiepoint");
            if let Some(keys) = &keys {
                image
                    .encoder()
                    .write_tag(Tag::GeoKeyDirectoryTag, &keys[..])
                    .expect("geokeys");
            }
            image.write_data($data).expect("data");
        }};
    }
    let n = (w * h) as usize;
    match bands {
        1 => write!(
            colortype::Gray8,
            &(0..n).map(|i| (i % 200) as u8).collect::<Vec<_>>()[..]
        ),
        3 => write!(
            colortype::RGB8,
            &(0..3 * n).map(|i| (i % 200) as u8).collect::<Vec<_>>()[..]
        ),
        _ => panic!("1 or 3 bands"),
    }
}

/// A hand-made little-endian GeoTIFF (EPSG:28992, one u8 strip) whose header
/// claims `width`×`height` pixels while the file holds only `data_len` bytes
/// of pixel data.
pub(super) fn write_claiming_tiff(path: &Path, width: u32, height: u32, data_len: usize) {
    let entries: u16 = 12;
    let extra = 8 + 2 + 12 * usize::from(entries) + 4;
    let scale: Vec<u8> = [1.0f64, 1.0, 0.0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let tie: Vec<u8> = [0.0f64, 0.0, 0.0, 200_000.0, 450_000.0, 0.0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let keys: Vec<u8> = [
        1u16, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 28992,
    ]
    .iter()
    .flat_map(|v| v.to_le_bytes())
    .collect();
    let scale_at = extra as u32;
    let tie_at = scale_at + scale.len() as u32;
    let keys_at = tie_at + tie.len() as u32;
    let data_at = keys_at + keys.len() as u32;
    // (tag, type, count, value or offset); type 3 = SHORT, 4 = LONG, 12 = DOUBLE.
    let ifd: [(u16, u16, u32, u32); 12] = [
        (256, 4, 1, width),
        (257, 4, 1, height),
        (258, 3, 1, 8),
        (259, 3, 1, 1),
        (262, 3, 1, 1),
        (273, 4, 1, data_at),
        (277, 3, 1, 1),
        (278, 4, 1, height),
        (279, 4, 1, width.wrapping_mul(height)),
        (33550, 12, 3, scale_at),
        (33922, 12, 6, tie_at),
        (34735, 3, 16, keys_at),
    ];
    let mut b = b"II*\0".to_vec();
    b.extend_from_slice(&8u32.to_le_bytes());
    b.extend_from_slice(&entries.to_le_bytes());
    for (tag, typ, count, value) in ifd {
        b.extend_from_slice(&tag.to_le_bytes());
        b.extend_from_slice(&typ.to_le_bytes());
        b.extend_from_slice(&count.to_le_bytes());
        b.extend_from_slice(&value.to_le_bytes());
    }
    b.extend_from_slice(&0u32.to_le_bytes());
    b.extend_from_slice(&scale);
    b.extend_from_slice(&tie);
    b.extend_from_slice(&keys);
    b.extend(std::iter::repeat_n(7u8, data_len));
    std::fs::write(path, b).expect("write tif");
}
