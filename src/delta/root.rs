//! Serializing a metadata root (`BSJB`) around a set of streams.

/// Builds a metadata root with `version` and the given (name, bytes) streams, in order.
pub fn metadata_root(version: &str, streams: &[(&str, &[u8])]) -> Vec<u8> {
    let mut version_bytes = version.as_bytes().to_vec();
    version_bytes.push(0);
    version_bytes.resize((version_bytes.len() + 3) & !3, 0);
    let header_len = |name: &str| 8 + ((name.len() + 1 + 3) & !3);
    let mut offset = 16 + version_bytes.len() + 4 + streams.iter().map(|(n, _)| header_len(n)).sum::<usize>();
    let mut out = Vec::new();
    out.extend_from_slice(&crate::metadata::root::SIGNATURE.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&(version_bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(&version_bytes);
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(streams.len() as u16).to_le_bytes());
    for (name, bytes) in streams {
        out.extend_from_slice(&(offset as u32).to_le_bytes());
        out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        let mut n = name.as_bytes().to_vec();
        n.push(0);
        n.resize((n.len() + 3) & !3, 0);
        out.extend_from_slice(&n);
        offset += bytes.len();
    }
    for (_, bytes) in streams {
        out.extend_from_slice(bytes);
    }
    out
}

/// The root of a minimal EnC delta: an optional `#Pdb` stream (PDB deltas), the `#-`
/// tables, the four heaps and the empty `#JTD` marker, in the order Roslyn writes them.
pub fn minimal_delta_root(
    version: &str,
    pdb_stream: Option<&[u8]>,
    tables: &[u8],
    heaps: &super::heaps::DeltaHeaps,
) -> Vec<u8> {
    let [strings, user_strings, guids, blobs] = heaps.streams();
    let mut streams: Vec<(&str, &[u8])> = Vec::with_capacity(7);
    if let Some(pdb) = pdb_stream {
        streams.push(("#Pdb", pdb));
    }
    streams.extend([
        ("#-", tables),
        ("#Strings", &strings[..]),
        ("#US", &user_strings[..]),
        ("#GUID", &guids[..]),
        ("#Blob", &blobs[..]),
        ("#JTD", &[][..]),
    ]);
    metadata_root(version, &streams)
}
