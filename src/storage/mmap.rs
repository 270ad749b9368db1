//! Read-only file bytes: a memory map, or the file read into memory when mapping
//! fails. The only file of the crate allowed `unsafe` (for `Mmap::map`).
//!
//! Knows nothing of TIFF; `frame` interprets the bytes.

use memmap2::Mmap;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The bytes of one file, mapped (normal case) or owned (fallback).
pub(crate) enum FileBytes {
    Mapped(Mmap),
    Owned(Vec<u8>),
}

impl std::fmt::Debug for FileBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileBytes::Mapped(m) => write!(f, "Mapped({} bytes)", m.len()),
            FileBytes::Owned(v) => write!(f, "Owned({} bytes)", v.len()),
        }
    }
}

impl FileBytes {
    /// Maps `path` read-only with random-access advice; reads it into memory
    /// when the map fails (e.g. a file system without mmap, or an empty file).
    pub(crate) fn open(path: &Path) -> io::Result<FileBytes> {
        let mut file = File::open(path)?;
        if file.metadata()?.len() > 0 {
            match map(&file) {
                Ok(m) => {
                    #[cfg(unix)]
                    {
                        // Tile reads jump around: no read-ahead.
                        if let Err(e) = m.advise(memmap2::Advice::Random) {
                            tracing::debug!(path = %path.display(), error = %e, "madvise(random) failed");
                        }
                    }
                    return Ok(FileBytes::Mapped(m));
                }
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "mmap failed, reading into memory")
                }
            }
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        Ok(FileBytes::Owned(bytes))
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(m) => m,
            FileBytes::Owned(v) => v,
        }
    }
}

#[allow(unsafe_code)]
fn map(file: &File) -> io::Result<Mmap> {
    // SAFETY: the mapping is read-only and only ever seen as `&[u8]`. Store files are
    // written to a temporary name and renamed into place, never modified afterwards;
    // removal unlinks the name and leaves existing mappings valid. Truncating a
    // published store file behind tegel's back would break this (SIGBUS on access);
    // the store folder belongs to tegel alone.
    unsafe { Mmap::map(file) }
}
