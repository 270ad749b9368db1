//! TIFF tag values, directory entries and image file directories (IFDs).
//!
//! An `Ifd` is serialised at a file offset chosen by the caller: the directory
//! (entries sorted by tag) comes first, then every value too large to sit inline,
//! each starting on an even offset as TIFF requires. `Ifd::encoded_len` gives the
//! exact size beforehand, so files can be laid out before anything is written.
//! Only little-endian output; no I/O here.

/// The on-disk flavour: classic TIFF (32-bit offsets) or BigTIFF (64-bit offsets).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Classic,
    Big,
}

impl Format {
    /// Length of the file header.
    pub fn header_len(self) -> u64 {
        match self {
            Format::Classic => 8,
            Format::Big => 16,
        }
    }

    fn entry_len(self) -> u64 {
        match self {
            Format::Classic => 12,
            Format::Big => 20,
        }
    }

    /// Bytes of the entry count before and next-IFD pointer after the entries.
    fn frame_len(self) -> u64 {
        match self {
            Format::Classic => 2 + 4,
            Format::Big => 8 + 8,
        }
    }

    fn inline_len(self) -> u64 {
        match self {
            Format::Classic => 4,
            Format::Big => 8,
        }
    }

    /// Offsets or byte counts as `Long` (classic) or `Long8` (BigTIFF);
    /// errors when a classic value does not fit 32 bits.
    pub fn offsets(self, values: Vec<u64>) -> Result<Value, TiffWriteError> {
        match self {
            Format::Classic => values
                .into_iter()
                .map(|v| u32::try_from(v).map_err(|_| TiffWriteError::OffsetOverflow(v)))
                .collect::<Result<Vec<u32>, _>>()
                .map(Value::Long),
            Format::Big => Ok(Value::Long8(values)),
        }
    }
}

/// Why a directory could not be serialised.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TiffWriteError {
    #[error("offset {0} does not fit a classic TIFF; BigTIFF is needed")]
    OffsetOverflow(u64),
    #[error("tag {0} has {1} values, more than a classic TIFF can count")]
    CountOverflow(u16, u64),
}

impl TiffWriteError {
    /// Always a bug of the caller's layout, never the client's fault.
    pub fn class(&self) -> crate::model::ErrorClass {
        crate::model::ErrorClass::Internal
    }
}

/// A tag value: a typed array (ASCII holds the text without its terminating NUL).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Byte(Vec<u8>),
    Ascii(String),
    Short(Vec<u16>),
    Long(Vec<u32>),
    Long8(Vec<u64>),
    Double(Vec<f64>),
}

impl Value {
    /// The TIFF field type code.
    pub fn type_code(&self) -> u16 {
        match self {
            Value::Byte(_) => 1,
            Value::Ascii(_) => 2,
            Value::Short(_) => 3,
            Value::Long(_) => 4,
            Value::Double(_) => 12,
            Value::Long8(_) => 16,
        }
    }

    /// Number of values (ASCII counts its NUL).
    pub fn count(&self) -> u64 {
        let n = match self {
            Value::Byte(v) => v.len(),
            Value::Ascii(s) => s.len() + 1,
            Value::Short(v) => v.len(),
            Value::Long(v) => v.len(),
            Value::Long8(v) => v.len(),
            Value::Double(v) => v.len(),
        };
        n as u64
    }

    /// Length of the value's bytes.
    pub fn byte_len(&self) -> u64 {
        let unit = match self {
            Value::Byte(_) | Value::Ascii(_) => 1,
            Value::Short(_) => 2,
            Value::Long(_) => 4,
            Value::Long8(_) | Value::Double(_) => 8,
        };
        self.count() * unit
    }

    /// The value as little-endian bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(usize::try_from(self.byte_len()).unwrap_or(0));
        match self {
            Value::Byte(v) => out.extend_from_slice(v),
            Value::Ascii(s) => {
                out.extend_from_slice(s.as_bytes());
                out.push(0);
            }
            Value::Short(v) => v
                .iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
            Value::Long(v) => v
                .iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
            Value::Long8(v) => v
                .iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
            Value::Double(v) => v
                .iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
        }
        out
    }
}

/// One directory entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub tag: u16,
    pub value: Value,
}

impl Entry {
    pub fn new(tag: u16, value: Value) -> Entry {
        Entry { tag, value }
    }
}

/// An image file directory under construction.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ifd {
    entries: Vec<Entry>,
}

impl Ifd {
    pub fn new() -> Ifd {
        Ifd::default()
    }

    /// Adds (or replaces) the entry for `tag`.
    pub fn set(&mut self, tag: u16, value: Value) {
        self.entries.retain(|e| e.tag != tag);
        self.entries.push(Entry::new(tag, value));
    }

    /// Adds every entry of `entries` (replacing same tags).
    pub fn extend(&mut self, entries: impl IntoIterator<Item = Entry>) {
        for e in entries {
            self.set(e.tag, e.value);
        }
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Exact bytes `encode` will produce: directory plus out-of-line values.
    /// Depends only on the tags, types and counts, not on the values.
    pub fn encoded_len(&self, format: Format) -> u64 {
        let dir = format.frame_len() + format.entry_len() * self.entries.len() as u64;
        let external: u64 = self
            .entries
            .iter()
            .map(|e| e.value.byte_len())
            .filter(|&len| len > format.inline_len())
            .map(|len| len + (len & 1))
            .sum();
        dir + (dir & 1) + external
    }

    /// Serialises the directory to sit at file offset `at` (must be even), pointing to
    /// the next directory at `next` (0 for the last one).
    ///
    /// Errors when an offset or count does not fit a classic TIFF. Cost: one pass
    /// over the values.
    pub fn encode(&self, format: Format, at: u64, next: u64) -> Result<Vec<u8>, TiffWriteError> {
        let mut entries: Vec<&Entry> = self.entries.iter().collect();
        entries.sort_by_key(|e| e.tag);
        let dir_len = format.frame_len() + format.entry_len() * entries.len() as u64;
        let mut ext_at = at + dir_len + (dir_len & 1);
        let mut dir = Vec::with_capacity(usize::try_from(dir_len).unwrap_or(0));
        let mut external = Vec::new();
        put_uint(&mut dir, format, entries.len() as u64, true)?;
        for e in entries {
            dir.extend_from_slice(&e.tag.to_le_bytes());
            dir.extend_from_slice(&e.value.type_code().to_le_bytes());
            let count = e.value.count();
            if format == Format::Classic && u32::try_from(count).is_err() {
                return Err(TiffWriteError::CountOverflow(e.tag, count));
            }
            put_uint(&mut dir, format, count, false)?;
            let mut bytes = e.value.to_bytes();
            if bytes.len() as u64 <= format.inline_len() {
                bytes.resize(usize::try_from(format.inline_len()).unwrap_or(8), 0);
                dir.extend_from_slice(&bytes);
            } else {
                put_uint(&mut dir, format, ext_at, false)?;
                if bytes.len() % 2 == 1 {
                    bytes.push(0);
                }
                ext_at += bytes.len() as u64;
                external.extend_from_slice(&bytes);
            }
        }
        put_uint(&mut dir, format, next, false)?;
        if dir.len() % 2 == 1 {
            dir.push(0);
        }
        dir.extend_from_slice(&external);
        Ok(dir)
    }
}

/// Writes a count/offset field: 2 (entry count) or 4 bytes classic, 8 bytes BigTIFF.
fn put_uint(
    out: &mut Vec<u8>,
    format: Format,
    v: u64,
    entry_count: bool,
) -> Result<(), TiffWriteError> {
    match (format, entry_count) {
        (Format::Classic, true) => {
            let v = u16::try_from(v).map_err(|_| TiffWriteError::CountOverflow(0, v))?;
            out.extend_from_slice(&v.to_le_bytes());
        }
        (Format::Classic, false) => {
            let v = u32::try_from(v).map_err(|_| TiffWriteError::OffsetOverflow(v))?;
            out.extend_from_slice(&v.to_le_bytes());
        }
        (Format::Big, _) => out.extend_from_slice(&v.to_le_bytes()),
    }
    Ok(())
}

/// The file header pointing to the first IFD at `first_ifd`.
pub fn header(format: Format, first_ifd: u64) -> Result<Vec<u8>, TiffWriteError> {
    let mut out = b"II".to_vec();
    match format {
        Format::Classic => {
            out.extend_from_slice(&42u16.to_le_bytes());
            put_uint(&mut out, format, first_ifd, false)?;
        }
        Format::Big => {
            out.extend_from_slice(&43u16.to_le_bytes());
            out.extend_from_slice(&8u16.to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(&first_ifd.to_le_bytes());
        }
    }
    Ok(out)
}
