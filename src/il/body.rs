//! Method body headers (tiny and fat) and exception-handling sections.

use crate::bytes::Cursor;
use crate::error::{Error, Result};
use crate::metadata::Token;

/// Flags of a fat header and of method data sections (ECMA-335 II.25.4.3-5).
pub mod flags {
    pub const TINY_FORMAT: u8 = 0x2;
    pub const FAT_FORMAT: u16 = 0x3;
    pub const MORE_SECTS: u16 = 0x8;
    pub const INIT_LOCALS: u16 = 0x10;
    pub const SECTION_EH_TABLE: u8 = 0x1;
    pub const SECTION_FAT_FORMAT: u8 = 0x40;
    pub const SECTION_MORE_SECTS: u8 = 0x80;
}

/// What kind of handler an exception region has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExceptionKind {
    Catch,
    Filter,
    Finally,
    Fault,
}

impl ExceptionKind {
    pub fn from_flags(flags: u32) -> Option<Self> {
        match flags {
            0 => Some(ExceptionKind::Catch),
            1 => Some(ExceptionKind::Filter),
            2 => Some(ExceptionKind::Finally),
            4 => Some(ExceptionKind::Fault),
            _ => None,
        }
    }

    pub fn flags(self) -> u32 {
        match self {
            ExceptionKind::Catch => 0,
            ExceptionKind::Filter => 1,
            ExceptionKind::Finally => 2,
            ExceptionKind::Fault => 4,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ExceptionKind::Catch => "catch",
            ExceptionKind::Filter => "filter",
            ExceptionKind::Finally => "finally",
            ExceptionKind::Fault => "fault",
        }
    }
}

/// One exception-handling clause.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExceptionRegion {
    pub kind: ExceptionKind,
    pub try_offset: u32,
    pub try_length: u32,
    pub handler_offset: u32,
    pub handler_length: u32,
    /// The caught type for `Catch` (nil otherwise).
    pub catch_type: Token,
    /// The filter's start for `Filter` (0 otherwise).
    pub filter_offset: u32,
}

/// A method body as stored at its RVA.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodBody<'a> {
    pub is_tiny: bool,
    /// Header size in bytes (1 for tiny, 12 for standard fat headers).
    pub header_size: usize,
    pub max_stack: u16,
    pub local_signature: Token,
    pub init_locals: bool,
    pub code: &'a [u8],
    pub exception_regions: Vec<ExceptionRegion>,
    /// Bytes from the header to the end of the last data section.
    pub size: usize,
    /// Whether the exception section used the small format (kept for byte-exact copies).
    pub small_sections: bool,
}

impl<'a> MethodBody<'a> {
    /// Parses a body at the start of `data` (which may extend past the body).
    pub fn parse(data: &'a [u8]) -> Result<Self> {
        let what = "method body";
        let mut cur = Cursor::new(data, what);
        let first = cur.u8()?;
        if first & 0x3 == flags::TINY_FORMAT {
            let code = cur.bytes((first >> 2) as usize)?;
            return Ok(MethodBody {
                is_tiny: true,
                header_size: 1,
                max_stack: 8,
                local_signature: Token(0),
                init_locals: false,
                code,
                exception_regions: Vec::new(),
                size: 1 + code.len(),
                small_sections: true,
            });
        }
        cur.seek(0)?;
        let header = cur.u16()?;
        if header & 0x3 != flags::FAT_FORMAT {
            return Err(Error::malformed(what, 0, "a tiny (0x2) or fat (0x3) header", format_args!("{first:#04x}")));
        }
        let header_size = ((header >> 12) as usize) * 4;
        if header_size < 12 {
            return Err(Error::malformed(what, 1, "a fat header of at least 3 dwords", header_size / 4));
        }
        let max_stack = cur.u16()?;
        let code_size = cur.u32()? as usize;
        let local_signature = Token(cur.u32()?);
        if local_signature.0 != 0 && local_signature.kind() != 0x11 {
            return Err(Error::malformed(what, 8, "a StandAloneSig token or 0", local_signature));
        }
        cur.seek(header_size)?;
        let code = cur.bytes(code_size)?;
        let mut body = MethodBody {
            is_tiny: false,
            header_size,
            max_stack,
            local_signature,
            init_locals: header & flags::INIT_LOCALS != 0,
            code,
            exception_regions: Vec::new(),
            size: cur.position(),
            small_sections: true,
        };
        let mut more = header & flags::MORE_SECTS != 0;
        while more {
            cur.align(4)?;
            let section_at = cur.position() as u64;
            let kind = cur.u8()?;
            more = kind & flags::SECTION_MORE_SECTS != 0;
            let fat = kind & flags::SECTION_FAT_FORMAT != 0;
            let data_size = if fat {
                let b = cur.bytes(3)?;
                u32::from_le_bytes([b[0], b[1], b[2], 0]) as usize
            } else {
                let size = cur.u8()? as usize;
                cur.u16()?;
                size
            };
            if data_size < 4 {
                return Err(Error::malformed(what, section_at, "a data section of at least 4 bytes", data_size));
            }
            let clause_size = if fat { 24 } else { 12 };
            let count = (data_size - 4) / clause_size;
            if kind & flags::SECTION_EH_TABLE == 0 {
                cur.skip(data_size - 4)?;
                body.size = cur.position();
                continue;
            }
            body.small_sections = !fat;
            for _ in 0..count {
                let at = cur.position() as u64;
                let (flags, try_offset, try_length, handler_offset, handler_length) = if fat {
                    (cur.u32()?, cur.u32()?, cur.u32()?, cur.u32()?, cur.u32()?)
                } else {
                    (cur.u16()? as u32, cur.u16()? as u32, cur.u8()? as u32, cur.u16()? as u32, cur.u8()? as u32)
                };
                let extra = cur.u32()?;
                let kind = ExceptionKind::from_flags(flags)
                    .ok_or_else(|| Error::malformed(what, at, "clause flags 0, 1, 2 or 4", flags))?;
                body.exception_regions.push(ExceptionRegion {
                    kind,
                    try_offset,
                    try_length,
                    handler_offset,
                    handler_length,
                    catch_type: if kind == ExceptionKind::Catch { Token(extra) } else { Token(0) },
                    filter_offset: if kind == ExceptionKind::Filter { extra } else { 0 },
                });
            }
            // Skip any bytes the declared size has beyond whole clauses.
            cur.skip(data_size - 4 - count * clause_size)?;
            body.size = cur.position();
        }
        Ok(body)
    }
}
