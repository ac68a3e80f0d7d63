//! The PE debug directory: CodeView (PDB id and path), embedded portable PDB
//! (deflate-compressed) and PDB checksum entries.

use std::io::Read;

use super::PeImage;
use crate::bytes::Cursor;
use crate::error::{Error, Result};

/// Debug directory entry types this crate reads.
pub mod kind {
    pub const CODEVIEW: u32 = 2;
    pub const REPRODUCIBLE: u32 = 16;
    pub const EMBEDDED_PORTABLE_PDB: u32 = 17;
    pub const PDB_CHECKSUM: u32 = 19;
}

/// One IMAGE_DEBUG_DIRECTORY entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DebugEntry {
    pub characteristics: u32,
    pub stamp: u32,
    pub major_version: u16,
    pub minor_version: u16,
    pub kind: u32,
    pub size: u32,
    pub rva: u32,
    pub pointer: u32,
}

/// The CodeView (RSDS) record: which PDB matches this image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeView {
    pub guid: crate::metadata::Guid,
    pub age: u32,
    pub path: String,
}

/// A PDB checksum record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PdbChecksum {
    pub algorithm: String,
    pub checksum: Vec<u8>,
}

const ENTRY_SIZE: usize = 28;

pub(super) fn read_entries(image: &PeImage<'_>) -> Result<Vec<DebugEntry>> {
    let dir = image.debug_directory;
    if dir.rva == 0 || dir.size == 0 {
        return Ok(Vec::new());
    }
    if !(dir.size as usize).is_multiple_of(ENTRY_SIZE) {
        return Err(Error::malformed("debug directory", None, "a size that is a multiple of 28", dir.size));
    }
    let bytes = image.slice_at_rva(dir.rva, dir.size as usize, "debug directory")?;
    let mut cur = Cursor::new(bytes, "debug directory");
    let mut entries = Vec::with_capacity(bytes.len() / ENTRY_SIZE);
    while !cur.is_empty() {
        entries.push(DebugEntry {
            characteristics: cur.u32()?,
            stamp: cur.u32()?,
            major_version: cur.u16()?,
            minor_version: cur.u16()?,
            kind: cur.u32()?,
            size: cur.u32()?,
            rva: cur.u32()?,
            pointer: cur.u32()?,
        });
    }
    Ok(entries)
}

impl DebugEntry {
    /// The entry's data, read at its file pointer.
    pub fn data<'a>(&self, image: &PeImage<'a>) -> Result<&'a [u8]> {
        let start = self.pointer as usize;
        image.data.get(start..start + self.size as usize).ok_or_else(|| Error::Truncated {
            what: format!("debug directory entry type {}", self.kind),
            offset: start as u64,
            needed: self.size as u64,
            available: image.data.len().saturating_sub(start) as u64,
        })
    }

    pub fn codeview(&self, image: &PeImage<'_>) -> Result<CodeView> {
        let data = self.data(image)?;
        let mut cur = Cursor::new(data, "CodeView debug entry");
        let signature = cur.u32()?;
        if signature != 0x5344_5352 {
            return Err(Error::malformed(
                "CodeView debug entry",
                0,
                "the signature RSDS",
                format_args!("{signature:#010x}"),
            ));
        }
        let guid = crate::metadata::Guid(cur.bytes(16)?.try_into().unwrap());
        let age = cur.u32()?;
        let path = String::from_utf8_lossy(cur.c_string()?).into_owned();
        Ok(CodeView { guid, age, path })
    }

    pub fn pdb_checksum(&self, image: &PeImage<'_>) -> Result<PdbChecksum> {
        let data = self.data(image)?;
        let mut cur = Cursor::new(data, "PDB checksum debug entry");
        let algorithm = String::from_utf8_lossy(cur.c_string()?).into_owned();
        Ok(PdbChecksum { algorithm, checksum: cur.rest().to_vec() })
    }

    /// Decompresses an embedded portable PDB (`MPDB`, size, deflate stream).
    pub fn embedded_pdb(&self, image: &PeImage<'_>) -> Result<Vec<u8>> {
        let data = self.data(image)?;
        let mut cur = Cursor::new(data, "embedded PDB debug entry");
        let signature = cur.u32()?;
        if signature != 0x4244_504D {
            return Err(Error::malformed(
                "embedded PDB debug entry",
                0,
                "the signature MPDB",
                format_args!("{signature:#010x}"),
            ));
        }
        let size = cur.u32()? as u64;
        // Deflate expands at most ~1032:1; a claimed size beyond that is a lie, and the
        // output is capped at the claim so allocation stays bounded by the input.
        if size > cur.remaining() as u64 * 1032 + 64 {
            return Err(Error::malformed(
                "embedded PDB debug entry",
                4,
                "an uncompressed size deflate can produce from the entry",
                size,
            ));
        }
        let mut out = Vec::with_capacity(size as usize);
        flate2::read::DeflateDecoder::new(cur.rest())
            .take(size + 1)
            .read_to_end(&mut out)
            .map_err(|e| Error::malformed("embedded PDB debug entry", 8, "a valid deflate stream", e))?;
        if out.len() as u64 != size {
            return Err(Error::malformed(
                "embedded PDB debug entry",
                4,
                format!("{size} bytes after decompression"),
                out.len(),
            ));
        }
        Ok(out)
    }
}
