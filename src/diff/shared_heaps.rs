//! Comparing strings and blobs of two builds by heap offset ([`SharedHeaps`]): a
//! recompile that adds a member usually lays the `#Strings` and `#Blob` heaps out
//! again only from some point on, and an entry that starts and ends before that point
//! is the same in both builds when it is at the same offset, without reading it twice.

use crate::error::Result;
use crate::metadata::heaps::{BlobHeap, StringHeap};
use crate::metadata::{BlobIndex, MetadataReader, StringIndex};

/// How long a prefix the heaps of two builds share.
#[derive(Clone, Copy, Debug, Default)]
pub struct SharedHeaps {
    /// `#Strings` bytes equal in both up to here, ending just past a NUL (so a string
    /// that starts before it also ends before it).
    strings: usize,
    /// `#Blob` bytes equal in both up to here.
    blobs: usize,
}

/// The length of the common prefix of `a` and `b` (compared a block at a time).
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 64;
    let len = a.len().min(b.len());
    let mut at = 0;
    while at + BLOCK <= len && a[at..at + BLOCK] == b[at..at + BLOCK] {
        at += BLOCK;
    }
    at + a[at..len].iter().zip(&b[at..len]).take_while(|(x, y)| x == y).count()
}

impl SharedHeaps {
    pub fn new(old: &MetadataReader<'_>, new: &MetadataReader<'_>) -> SharedHeaps {
        Self::of(&old.strings, &new.strings, &old.blobs, &new.blobs)
    }

    fn of(old: &StringHeap<'_>, new: &StringHeap<'_>, old_blobs: &BlobHeap<'_>, new_blobs: &BlobHeap<'_>) -> Self {
        let (a, b) = (old.bytes(), new.bytes());
        let common = common_prefix(a, b);
        let strings = a[..common].iter().rposition(|&c| c == 0).map_or(0, |nul| nul + 1);
        SharedHeaps { strings, blobs: common_prefix(old_blobs.bytes(), new_blobs.bytes()) }
    }

    /// Whether string `p` of `old` and `q` of `new` are equal.
    #[inline]
    pub fn same_string(
        &self,
        old: &MetadataReader<'_>,
        new: &MetadataReader<'_>,
        p: StringIndex,
        q: StringIndex,
    ) -> Result<bool> {
        self.strings_equal(&old.strings, &new.strings, p, q)
    }

    /// Whether blob `p` of `old` and `q` of `new` are equal.
    #[inline]
    pub fn same_blob(
        &self,
        old: &MetadataReader<'_>,
        new: &MetadataReader<'_>,
        p: BlobIndex,
        q: BlobIndex,
    ) -> Result<bool> {
        self.blobs_equal(&old.blobs, &new.blobs, p, q)
    }

    #[inline]
    fn strings_equal(
        &self,
        old: &StringHeap<'_>,
        new: &StringHeap<'_>,
        p: StringIndex,
        q: StringIndex,
    ) -> Result<bool> {
        if p == q && (p.0 as usize) < self.strings {
            return Ok(true);
        }
        Ok(old.get_bytes(p)? == new.get_bytes(q)?)
    }

    #[inline]
    fn blobs_equal(&self, old: &BlobHeap<'_>, new: &BlobHeap<'_>, p: BlobIndex, q: BlobIndex) -> Result<bool> {
        let a = old.get(p)?;
        if p == q {
            // Where the blob ends in the heap (a slice of it, but for the nil blob).
            let start = (a.as_ptr() as usize).checked_sub(old.bytes().as_ptr() as usize);
            if p.0 == 0 || start.is_some_and(|start| start + a.len() <= self.blobs) {
                return Ok(true);
            }
        }
        Ok(a == new.get(q)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader is only a frame around the heaps here: built from the heaps alone.
    fn shared(a: (&[u8], &[u8]), b: (&[u8], &[u8])) -> (SharedHeaps, [StringHeap<'static>; 2], [BlobHeap<'static>; 2]) {
        let leak = |x: &[u8]| -> &'static [u8] { Box::leak(x.to_vec().into_boxed_slice()) };
        let strings = [StringHeap::new(leak(a.0)), StringHeap::new(leak(b.0))];
        let blobs = [BlobHeap::new(leak(a.1)), BlobHeap::new(leak(b.1))];
        (SharedHeaps::of(&strings[0], &strings[1], &blobs[0], &blobs[1]), strings, blobs)
    }

    #[test]
    fn offsets_are_trusted_only_inside_the_shared_prefix() {
        // "Run" is at offset 5 in both, but the heaps differ before it ("Add" / "Adx"):
        // offset 1 names different strings, and so does 5.
        let (h, s, b) = shared((b"\0Add\0Run\0", b"\0\x02ab\x01c"), (b"\0Adx\0Run\0", b"\0\x02ab\x01d"));
        let string = |p: u32| h.strings_equal(&s[0], &s[1], StringIndex(p), StringIndex(p)).unwrap();
        assert!(!string(1), "Add vs Adx: the same offset, another string");
        assert!(string(5), "Run in both, compared by content past the shared prefix");
        assert_eq!(h.strings, 1, "only the empty string is shared by offset");
        assert!(string(0));
        let blob = |p: u32| h.blobs_equal(&b[0], &b[1], BlobIndex(p), BlobIndex(p)).unwrap();
        assert!(blob(1), "ab in both, before the difference");
        assert!(!blob(4), "c vs d");
        // A heap that differs only in its last string's last byte: the strings before it
        // are shared by offset, that one is not.
        let (h, s, _) = shared((b"\0Add\0Run\0", b"\0"), (b"\0Add\0Rum\0", b"\0"));
        assert_eq!(h.strings, 5);
        assert!(h.strings_equal(&s[0], &s[1], StringIndex(1), StringIndex(1)).unwrap());
        assert!(!h.strings_equal(&s[0], &s[1], StringIndex(5), StringIndex(5)).unwrap(), "Run vs Rum");
        // A string that is a prefix of the other one's: the NUL differs.
        let (h, s, _) = shared((b"\0Add\0Run\0", b"\0"), (b"\0Add\0Runs\0", b"\0"));
        assert!(!h.strings_equal(&s[0], &s[1], StringIndex(5), StringIndex(5)).unwrap(), "Run vs Runs");
    }
}
