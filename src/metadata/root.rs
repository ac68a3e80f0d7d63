//! The metadata root (ECMA-335 II.24.2.1): the `BSJB` header and its stream headers.

use crate::bytes::Cursor;
use crate::error::{Error, Result};

/// `BSJB`, little-endian.
pub const SIGNATURE: u32 = 0x424A_5342;

/// One stream header: name and where its bytes are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamHeader<'a> {
    pub name: &'a str,
    pub offset: u32,
    pub size: u32,
}

/// A parsed metadata root.
#[derive(Clone, Debug)]
pub struct MetadataRoot<'a> {
    /// The whole metadata block (offsets of streams are relative to it).
    pub data: &'a [u8],
    pub major_version: u16,
    pub minor_version: u16,
    /// The version string, e.g. `v4.0.30319` or `PDB v1.0`.
    pub version: &'a str,
    pub flags: u16,
    pub streams: Vec<StreamHeader<'a>>,
}

impl<'a> MetadataRoot<'a> {
    pub fn parse(data: &'a [u8]) -> Result<Self> {
        let mut cur = Cursor::new(data, "metadata root");
        let signature = cur.u32()?;
        if signature != SIGNATURE {
            return Err(Error::malformed("metadata root", 0, "the signature BSJB", format_args!("{signature:#010x}")));
        }
        let major_version = cur.u16()?;
        let minor_version = cur.u16()?;
        let _reserved = cur.u32()?;
        let length_at = cur.position();
        let length = cur.u32()? as usize;
        if length > cur.remaining() {
            return Err(Error::malformed(
                "metadata root",
                length_at as u64,
                format!("a version string length of at most {}", cur.remaining()),
                length,
            ));
        }
        let version_bytes = cur.bytes(length)?;
        let end = version_bytes.iter().position(|&b| b == 0).unwrap_or(version_bytes.len());
        let version = std::str::from_utf8(&version_bytes[..end])
            .map_err(|_| Error::malformed("metadata root", 16, "a UTF-8 version string", "invalid UTF-8"))?;
        let flags = cur.u16()?;
        let count = cur.u16()? as usize;
        // Each stream header takes at least 12 bytes: a count beyond that is a lie.
        if count * 12 > cur.remaining() {
            return Err(Error::malformed(
                "metadata root",
                cur.position() as u64 - 2,
                format!("a stream count whose headers fit in {} bytes", cur.remaining()),
                count,
            ));
        }
        let mut streams = Vec::with_capacity(count);
        for _ in 0..count {
            let header_at = cur.position() as u64;
            let offset = cur.u32()?;
            let size = cur.u32()?;
            let name_bytes = cur.c_string()?;
            cur.align(4)?;
            let name = std::str::from_utf8(name_bytes)
                .map_err(|_| Error::malformed("metadata root", header_at, "an ASCII stream name", "invalid UTF-8"))?;
            if offset as u64 + size as u64 > data.len() as u64 {
                return Err(Error::malformed(
                    format!("stream {name}"),
                    header_at,
                    format!("a stream inside the {} bytes of metadata", data.len()),
                    format_args!("offset {offset} size {size}"),
                ));
            }
            streams.push(StreamHeader { name, offset, size });
        }
        Ok(MetadataRoot { data, major_version, minor_version, version, flags, streams })
    }

    /// The bytes of the stream named `name` (the last header of that name wins, as in SRM).
    pub fn stream(&self, name: &str) -> Option<&'a [u8]> {
        self.header(name).map(|h| &self.data[h.offset as usize..(h.offset + h.size) as usize])
    }

    pub fn header(&self, name: &str) -> Option<&StreamHeader<'a>> {
        self.streams.iter().rev().find(|s| s.name == name)
    }
}
