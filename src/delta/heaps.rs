//! Minimal delta heaps. Each holds only what this generation adds; offsets handed out
//! are absolute over the chain (the heap's base plus the offset inside the delta heap).

use std::collections::HashMap;

use crate::metadata::Guid;
use crate::metadata::compressed;
use crate::metadata::heaps::encode_user_string;

/// Where each heap of the next delta starts, as cumulative sizes over the chain.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HeapBases {
    /// #Strings grows by each delta's unaligned size.
    pub strings: u32,
    /// #Blob and #US grow by each delta's 4-aligned size.
    pub blobs: u32,
    pub user_strings: u32,
    /// Number of GUIDs in the chain.
    pub guids: u32,
}

fn align4(n: usize) -> usize {
    (n + 3) & !3
}

/// The heaps of one delta under construction.
pub struct DeltaHeaps {
    bases: HeapBases,
    strings: Vec<u8>,
    string_index: HashMap<String, u32>,
    blobs: Vec<u8>,
    blob_index: HashMap<Vec<u8>, u32>,
    user_strings: Vec<u8>,
    user_string_index: HashMap<String, u32>,
    guids: Vec<Guid>,
}

impl DeltaHeaps {
    pub fn new(bases: HeapBases) -> Self {
        DeltaHeaps {
            bases,
            strings: vec![0],
            string_index: HashMap::new(),
            blobs: vec![0],
            blob_index: HashMap::new(),
            user_strings: vec![0],
            user_string_index: HashMap::new(),
            guids: Vec::new(),
        }
    }

    /// Adds a string to #Strings; the empty string is the nil index 0.
    pub fn string(&mut self, value: &str) -> u32 {
        if value.is_empty() {
            return 0;
        }
        if let Some(&at) = self.string_index.get(value) {
            return at;
        }
        let at = self.bases.strings + self.strings.len() as u32;
        self.strings.extend_from_slice(value.as_bytes());
        self.strings.push(0);
        self.string_index.insert(value.to_string(), at);
        at
    }

    /// Adds a blob; the empty blob is the nil index 0.
    pub fn blob(&mut self, value: &[u8]) -> u32 {
        if value.is_empty() {
            return 0;
        }
        if let Some(&at) = self.blob_index.get(value) {
            return at;
        }
        let at = self.bases.blobs + self.blobs.len() as u32;
        compressed::write_unsigned(&mut self.blobs, value.len() as u32).expect("blob below 512 MiB");
        self.blobs.extend_from_slice(value);
        self.blob_index.insert(value.to_vec(), at);
        at
    }

    /// Adds a string literal to #US (with its trailing flag byte); returns its offset.
    pub fn user_string(&mut self, value: &str) -> u32 {
        if let Some(&at) = self.user_string_index.get(value) {
            return at;
        }
        let at = self.bases.user_strings + self.user_strings.len() as u32;
        let body = encode_user_string(value);
        compressed::write_unsigned(&mut self.user_strings, body.len() as u32).expect("string below 512 MiB");
        self.user_strings.extend_from_slice(&body);
        self.user_string_index.insert(value.to_string(), at);
        at
    }

    /// Adds a GUID; returns its 1-based index over the chain.
    pub fn guid(&mut self, value: Guid) -> u32 {
        self.guids.push(value);
        self.bases.guids + self.guids.len() as u32
    }

    /// The bases of the generation after this one.
    pub fn next_bases(&self) -> HeapBases {
        HeapBases {
            strings: self.bases.strings + self.strings.len() as u32,
            blobs: self.bases.blobs + align4(self.blobs.len()) as u32,
            user_strings: self.bases.user_strings + align4(self.user_strings.len()) as u32,
            guids: self.bases.guids + self.guids.len() as u32,
        }
    }

    /// The serialized streams: (#Strings, #US, #GUID, #Blob), each 4-aligned. The
    /// #GUID stream starts with 16 zero bytes for every GUID of earlier generations.
    pub fn streams(&self) -> [Vec<u8>; 4] {
        let pad = |mut v: Vec<u8>| {
            v.resize(align4(v.len()), 0);
            v
        };
        let mut guid = vec![0u8; 16 * self.bases.guids as usize];
        for g in &self.guids {
            guid.extend_from_slice(&g.0);
        }
        [pad(self.strings.clone()), pad(self.user_strings.clone()), guid, pad(self.blobs.clone())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_continue_from_the_bases() {
        let mut h = DeltaHeaps::new(HeapBases { strings: 263, blobs: 104, user_strings: 20, guids: 1 });
        assert_eq!(h.string("Run"), 264);
        assert_eq!(h.string("Run"), 264);
        assert_eq!(h.string("ab"), 268);
        assert_eq!(h.blob(&[1, 2]), 105);
        assert_eq!(h.user_string("hi"), 21);
        assert_eq!(h.guid(Guid([7; 16])), 2);
        let next = h.next_bases();
        assert_eq!(next.strings, 263 + 8);
        assert_eq!(next.blobs, 104 + 4);
        assert_eq!(next.user_strings, 20 + 8);
        assert_eq!(next.guids, 2);
        let [strings, us, guid, blob] = h.streams();
        assert_eq!(strings, b"\0Run\0ab\0");
        assert_eq!(us, [0, 5, b'h', 0, b'i', 0, 0, 0]);
        assert_eq!(guid.len(), 32);
        assert_eq!(&guid[..16], &[0; 16]);
        assert_eq!(blob, [0, 2, 1, 2]);
    }
}
