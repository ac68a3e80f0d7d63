//! Readers for the four metadata heaps. Each is a view over its stream's bytes; a bad
//! index is an error, never a panic.

use std::borrow::Cow;

use super::compressed;
use super::token::{BlobIndex, GuidIndex, StringIndex, UserStringIndex};
use crate::error::{Error, Result};

/// `#Strings`: NUL-terminated UTF-8 names.
#[derive(Clone, Copy, Debug, Default)]
pub struct StringHeap<'a> {
    data: &'a [u8],
}

impl<'a> StringHeap<'a> {
    /// Wraps a `#Strings` stream, trimming the alignment padding at its end down to
    /// the one terminating zero, as System.Reflection.Metadata and CoreCLR do (the
    /// trimmed size is what EnC heap offsets continue from).
    pub fn new(stream: &'a [u8]) -> Self {
        let mut len = stream.len();
        while len >= 2 && stream[len - 1] == 0 && stream[len - 2] == 0 {
            len -= 1;
        }
        StringHeap { data: &stream[..len] }
    }

    /// Size after trimming.
    pub fn size(&self) -> usize {
        self.data.len()
    }

    pub fn bytes(&self) -> &'a [u8] {
        self.data
    }

    /// The raw bytes of the string at `index` (up to its NUL, or the heap end).
    pub fn get_bytes(&self, index: StringIndex) -> Result<&'a [u8]> {
        let start = index.0 as usize;
        if index.0 == 0 {
            return Ok(&[]);
        }
        let rest = self.data.get(start..).filter(|r| !r.is_empty()).ok_or_else(|| {
            Error::malformed(
                "#Strings",
                index.0 as u64,
                format!("an offset below the heap size {}", self.size()),
                index.0,
            )
        })?;
        // `CStr` finds the NUL with the word-at-a-time `memchr` of core.
        Ok(std::ffi::CStr::from_bytes_until_nul(rest).map_or(rest, |s| s.to_bytes()))
    }

    /// The string at `index`; invalid UTF-8 is replaced with U+FFFD.
    #[inline]
    pub fn get(&self, index: StringIndex) -> Result<Cow<'a, str>> {
        let bytes = self.get_bytes(index)?;
        // `from_utf8` has an ASCII fast path that `from_utf8_lossy`'s chunking lacks.
        Ok(match std::str::from_utf8(bytes) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => String::from_utf8_lossy(bytes),
        })
    }
}

/// `#Blob`: length-prefixed byte strings.
#[derive(Clone, Copy, Debug, Default)]
pub struct BlobHeap<'a> {
    data: &'a [u8],
}

impl<'a> BlobHeap<'a> {
    pub fn new(stream: &'a [u8]) -> Self {
        BlobHeap { data: stream }
    }

    pub fn size(&self) -> usize {
        self.data.len()
    }

    pub fn bytes(&self) -> &'a [u8] {
        self.data
    }

    /// The blob at `index` (without its length prefix).
    pub fn get(&self, index: BlobIndex) -> Result<&'a [u8]> {
        if index.0 == 0 {
            // The nil blob is empty whatever byte 0 of the heap holds.
            return Ok(&[]);
        }
        let (start, len) = self.entry(index.0).ok_or_else(|| {
            Error::malformed(
                "#Blob",
                index.0 as u64,
                format!("a blob with a valid length inside the heap of {} bytes", self.size()),
                format_args!("offset {}", index.0),
            )
        })?;
        Ok(&self.data[start..start + len])
    }

    /// `(content start, length)` of the entry at `offset`, if it is well formed.
    fn entry(&self, offset: u32) -> Option<(usize, usize)> {
        let at = offset as usize;
        let (len, prefix) = compressed::read_unsigned(self.data.get(at..)?)?;
        let start = at + prefix;
        (start + len as usize <= self.data.len()).then_some((start, len as usize))
    }

    /// The offset of the entry after the one at `offset` (the heap walk SRM's
    /// `GetNextHandle` does), or `None` at the end.
    pub fn next_offset(&self, offset: u32) -> Option<u32> {
        next_entry(self.data, offset)
    }
}

fn next_entry(data: &[u8], offset: u32) -> Option<u32> {
    let at = offset as usize;
    let (len, prefix) = compressed::read_unsigned(data.get(at..)?)?;
    let next = at + prefix + len as usize;
    (next < data.len()).then_some(next as u32)
}

/// `#GUID`: 16-byte entries addressed by a 1-based index.
#[derive(Clone, Copy, Debug, Default)]
pub struct GuidHeap<'a> {
    data: &'a [u8],
}

impl<'a> GuidHeap<'a> {
    pub fn new(stream: &'a [u8]) -> Self {
        GuidHeap { data: stream }
    }

    pub fn size(&self) -> usize {
        self.data.len()
    }

    pub fn count(&self) -> u32 {
        (self.data.len() / 16) as u32
    }

    /// The GUID at `index`; `None` for the nil index 0.
    pub fn get(&self, index: GuidIndex) -> Result<Option<Guid>> {
        if index.0 == 0 {
            return Ok(None);
        }
        let start = (index.0 as usize - 1) * 16;
        let bytes = self
            .data
            .get(start..start + 16)
            .ok_or_else(|| Error::malformed("#GUID", None, format!("an index in 1..={}", self.count()), index.0))?;
        Ok(Some(Guid(bytes.try_into().unwrap())))
    }
}

/// A GUID in its on-disk (mixed-endian) byte order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Guid(pub [u8; 16]);

impl std::fmt::Display for Guid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let b = &self.0;
        write!(
            f,
            "{:08x}-{:04x}-{:04x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
            u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            u16::from_le_bytes([b[4], b[5]]),
            u16::from_le_bytes([b[6], b[7]]),
            b[8],
            b[9],
            b[10],
            b[11],
            b[12],
            b[13],
            b[14],
            b[15]
        )
    }
}

impl std::fmt::Debug for Guid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// `#US`: length-prefixed UTF-16 string literals with a trailing flag byte.
#[derive(Clone, Copy, Debug, Default)]
pub struct UserStringHeap<'a> {
    data: &'a [u8],
}

impl<'a> UserStringHeap<'a> {
    pub fn new(stream: &'a [u8]) -> Self {
        UserStringHeap { data: stream }
    }

    pub fn size(&self) -> usize {
        self.data.len()
    }

    pub fn bytes(&self) -> &'a [u8] {
        self.data
    }

    /// The entry's bytes: UTF-16LE code units followed by the flag byte.
    pub fn get_raw(&self, index: UserStringIndex) -> Result<&'a [u8]> {
        let at = index.0 as usize;
        let bad = || {
            Error::malformed(
                "#US",
                index.0 as u64,
                format!("a user string entry inside the heap of {} bytes", self.size()),
                format_args!("offset {}", index.0),
            )
        };
        let (len, prefix) = compressed::read_unsigned(self.data.get(at..).ok_or_else(bad)?).ok_or_else(bad)?;
        self.data.get(at + prefix..at + prefix + len as usize).ok_or_else(bad)
    }

    /// The string at `index` (lone surrogates become U+FFFD).
    pub fn get(&self, index: UserStringIndex) -> Result<String> {
        let raw = self.get_raw(index)?;
        let units = raw[..raw.len() & !1].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]));
        Ok(char::decode_utf16(units).map(|c| c.unwrap_or('\u{FFFD}')).collect())
    }

    /// Whether `offset` is the start of an entry, found by walking from the heap start.
    pub fn is_entry_start(&self, offset: u32) -> bool {
        let mut at = 0u32;
        while at < offset {
            match next_entry(self.data, at) {
                Some(next) => at = next,
                None => return false,
            }
        }
        at == offset && (offset as usize) < self.data.len()
    }

    /// The offset of every entry, ascending (one walk of the heap; [`Self::is_entry_start`]
    /// walks from the start on each call).
    pub fn entry_starts(&self) -> Vec<u32> {
        let mut out = Vec::new();
        if self.data.is_empty() {
            return out;
        }
        let mut at = Some(0u32);
        while let Some(offset) = at {
            out.push(offset);
            at = next_entry(self.data, offset);
        }
        out
    }

    /// The offset of the entry after the one at `offset`, or `None` at the end.
    pub fn next_offset(&self, offset: u32) -> Option<u32> {
        next_entry(self.data, offset)
    }
}

/// Encodes a string as a `#US` entry body: UTF-16LE plus the ECMA-335 II.24.2.4 flag
/// byte (1 when any character needs more than 8-bit handling).
pub fn encode_user_string(value: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() * 2 + 1);
    let mut special = false;
    for unit in value.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
        if unit >= 0x7F || matches!(unit, 0x01..=0x08 | 0x0E..=0x1F | 0x27 | 0x2D) {
            special = true;
        }
    }
    out.push(special as u8);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_starts_are_the_offsets_is_entry_start_accepts() {
        let mut stream = vec![0u8];
        for text in ["a", "hello", "", "\u{e9}t\u{e9}"] {
            let body = encode_user_string(text);
            compressed::write_unsigned(&mut stream, body.len() as u32).unwrap();
            stream.extend_from_slice(&body);
        }
        stream.extend_from_slice(&[0, 0]);
        let heap = UserStringHeap::new(&stream);
        let starts = heap.entry_starts();
        let walked: Vec<u32> = (0..stream.len() as u32 + 2).filter(|&o| heap.is_entry_start(o)).collect();
        assert_eq!(starts, walked);
        assert_eq!(&starts[..4], &[0, 1, 5, 17]);
        assert!(UserStringHeap::new(&[]).entry_starts().is_empty());
    }

    #[test]
    fn string_heap_trims_padding_to_one_zero() {
        let heap = StringHeap::new(b"\0abc\0\0\0\0");
        assert_eq!(heap.size(), 5);
        assert_eq!(heap.get(StringIndex(1)).unwrap(), "abc");
        assert_eq!(heap.get(StringIndex(2)).unwrap(), "bc");
        assert!(heap.get(StringIndex(5)).is_err());
    }

    #[test]
    fn blob_heap_rejects_lengths_past_the_end() {
        let heap = BlobHeap::new(&[0, 2, 0xAA, 0xBB, 5, 1]);
        assert_eq!(heap.get(BlobIndex(1)).unwrap(), &[0xAA, 0xBB]);
        assert!(heap.get(BlobIndex(4)).is_err());
        assert!(heap.get(BlobIndex(40)).is_err());
        assert_eq!(heap.next_offset(0), Some(1));
        assert_eq!(heap.next_offset(1), Some(4));
    }

    #[test]
    fn user_strings_decode_utf16_and_flag() {
        let mut stream = vec![0u8];
        let body = encode_user_string("hé");
        stream.push(body.len() as u8);
        stream.extend_from_slice(&body);
        let heap = UserStringHeap::new(&stream);
        assert_eq!(heap.get(UserStringIndex(1)).unwrap(), "hé");
        assert_eq!(*heap.get_raw(UserStringIndex(1)).unwrap().last().unwrap(), 1);
        assert!(heap.is_entry_start(1));
        assert!(!heap.is_entry_start(2));
    }

    #[test]
    fn guid_display_is_mixed_endian() {
        let g = Guid([0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
        assert_eq!(g.to_string(), "00112233-4455-6677-8899-aabbccddeeff");
    }
}
