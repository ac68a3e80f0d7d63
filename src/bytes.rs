//! A bounds-checked little-endian cursor over a byte slice: the one place where raw
//! reads happen, so that every out-of-range read becomes an [`Error::Truncated`].

use crate::error::{Error, Result};

/// Reads little-endian values and ECMA-335 compressed integers from a slice.
#[derive(Clone, Copy, Debug)]
pub struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
    what: &'a str,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `data`; `what` names the area in errors.
    pub fn new(data: &'a [u8], what: &'a str) -> Self {
        Cursor { data, pos: 0, what }
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// The bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        &self.data[self.pos..]
    }

    pub fn seek(&mut self, pos: usize) -> Result<()> {
        if pos > self.data.len() {
            return Err(self.truncated(pos - self.pos.min(pos), 0));
        }
        self.pos = pos;
        Ok(())
    }

    fn truncated(&self, needed: usize, available: usize) -> Error {
        Error::Truncated {
            what: self.what.to_string(),
            offset: self.pos as u64,
            needed: needed as u64,
            available: available as u64,
        }
    }

    /// The next `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(self.truncated(n, self.remaining()));
        }
        let out = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    pub fn skip(&mut self, n: usize) -> Result<()> {
        self.bytes(n).map(|_| ())
    }

    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.bytes(1)?[0])
    }

    pub fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(self.bytes(2)?.try_into().unwrap()))
    }

    pub fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.bytes(4)?.try_into().unwrap()))
    }

    pub fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.bytes(8)?.try_into().unwrap()))
    }

    /// A field of `width` bytes (1, 2 or 4), zero-extended.
    pub fn uint(&mut self, width: u8) -> Result<u32> {
        match width {
            1 => self.u8().map(u32::from),
            2 => self.u16().map(u32::from),
            _ => self.u32(),
        }
    }

    /// Advances to the next multiple of `align` (relative to the slice start).
    pub fn align(&mut self, align: usize) -> Result<()> {
        let pad = (align - self.pos % align) % align;
        self.skip(pad)
    }

    /// An ECMA-335 II.23.2 compressed unsigned integer (1, 2 or 4 bytes).
    pub fn compressed_u32(&mut self) -> Result<u32> {
        self.compressed(crate::metadata::compressed::read_unsigned, "a compressed unsigned integer")
    }

    /// An ECMA-335 II.23.2 compressed signed integer.
    pub fn compressed_i32(&mut self) -> Result<i32> {
        self.compressed(crate::metadata::compressed::read_signed, "a compressed signed integer")
    }

    fn compressed<T>(&mut self, read: fn(&[u8]) -> Option<(T, usize)>, expected: &str) -> Result<T> {
        let start = self.pos;
        match read(self.rest()) {
            Some((value, len)) => {
                self.pos += len;
                Ok(value)
            }
            None => Err(Error::malformed(
                self.what,
                start as u64,
                expected,
                format_args!("lead byte {:#04x}", self.data.get(start).copied().unwrap_or(0)),
            )),
        }
    }

    /// Bytes up to (not including) a NUL, consuming the NUL.
    pub fn c_string(&mut self) -> Result<&'a [u8]> {
        let rest = self.rest();
        match rest.iter().position(|&b| b == 0) {
            Some(n) => {
                self.pos += n + 1;
                Ok(&rest[..n])
            }
            None => Err(self.truncated(rest.len() + 1, rest.len())),
        }
    }
}

/// Reads a little-endian value of `width` bytes at `offset` of `data`, unchecked by
/// design: callers have validated that the whole table fits in `data` once, up front.
#[inline]
pub(crate) fn read_uint_at(data: &[u8], offset: usize, width: u8) -> u32 {
    match width {
        2 => u16::from_le_bytes([data[offset], data[offset + 1]]) as u32,
        4 => u32::from_le_bytes([data[offset], data[offset + 1], data[offset + 2], data[offset + 3]]),
        _ => data[offset] as u32,
    }
}
