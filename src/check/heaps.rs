//! The delta heaps: each `#Strings`/`#US`/`#Blob` starts with its 0 byte, `#US` and
//! `#Blob` keep 4-aligned sizes (the chain grows by them), `#GUID` repeats a zero slot
//! for every GUID of the earlier generations, and every heap index in a row lands inside
//! the chain's heaps as of this generation.

use super::{Report, rule};
use crate::chain::{Chain, ChainGeneration};
use crate::metadata::schema::ColumnKind;
use crate::metadata::{BlobIndex, StringIndex};

pub(super) fn check_streams(g: &ChainGeneration<'_>, report: &mut Report<'_>) {
    let root = &g.metadata.root;
    for name in ["#Strings", "#US", "#Blob"] {
        if let Some(bytes) = root.stream(name)
            && bytes.first().is_some_and(|&b| b != 0)
        {
            report.push(name, None, rule::HEAP_LEADING_ZERO, format!("{name} starts with {:#04x}, not 0", bytes[0]));
        }
    }
    for name in ["#US", "#Blob"] {
        if let Some(h) = root.header(name)
            && !h.size.is_multiple_of(4)
        {
            report.push(
                name,
                None,
                rule::HEAP_ALIGNMENT,
                format!("{name} is {} bytes; the chain grows by its 4-aligned size, so it must be 4-aligned", h.size),
            );
        }
    }
    let guids = root.stream("#GUID").unwrap_or(&[]);
    let earlier = g.heap_bases.guids as usize;
    let padding = &guids[..guids.len().min(earlier * 16)];
    if !guids.len().is_multiple_of(16) {
        report.push("#GUID", None, rule::GUID_HEAP_PADDING, format!("#GUID is {} bytes, not whole GUIDs", guids.len()));
    }
    if padding.len() < earlier * 16 {
        report.push(
            "#GUID",
            None,
            rule::GUID_HEAP_PADDING,
            format!(
                "#GUID holds {} GUID slots; it must start with {earlier} zero slots for the earlier generations' GUIDs",
                guids.len() / 16
            ),
        );
    } else if let Some(at) = padding.iter().position(|&b| b != 0) {
        report.push(
            "#GUID",
            None,
            rule::GUID_HEAP_PADDING,
            format!("slot {} of the earlier generations' padding is not zero", at / 16 + 1),
        );
    }
}

/// Why heap column `kind` with `value` does not resolve in the chain as of `g`, if it does not.
pub(super) fn bad_index(chain: &Chain<'_>, g: &ChainGeneration<'_>, kind: ColumnKind, value: u32) -> Option<String> {
    if value == 0 {
        return None;
    }
    let md = &g.metadata;
    let (heap, end) = match kind {
        ColumnKind::String => ("#Strings", g.heap_bases.strings as u64 + md.strings.size() as u64),
        ColumnKind::Blob => ("#Blob", g.heap_bases.blobs as u64 + md.blobs.size() as u64),
        ColumnKind::Guid => {
            let count = md.guids.count();
            return (value > count)
                .then(|| format!("GUID index {value} is past the {count} GUIDs of the chain as of this generation"));
        }
        _ => return None,
    };
    if value as u64 >= end {
        return Some(format!(
            "{heap} offset {value:#x} is past the chain's {heap} ({end:#x} bytes as of this generation)"
        ));
    }
    let resolved = match kind {
        ColumnKind::String => chain.string(StringIndex(value)).err(),
        _ => chain.blob(BlobIndex(value)).err(),
    };
    resolved.map(|e| format!("{heap} offset {value:#x} does not resolve: {e}"))
}
