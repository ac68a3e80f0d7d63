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
    if let Some(heap) = root.stream("#US") {
        check_user_strings(g, heap, report);
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

/// Every `#US` entry of the delta heap is UTF-16 plus one terminal byte (odd length), and
/// that byte is 0 or 1, and 1 when a character needs it (ECMA-335 II.24.2.4: a high byte
/// not 0, or a low byte 0x01-0x08, 0x0E-0x1F, 0x27, 0x2D or 0x7F). Zero bytes between
/// entries (the 4-byte alignment) are empty entries.
fn check_user_strings(g: &ChainGeneration<'_>, heap: &[u8], report: &mut Report<'_>) {
    let base = g.heap_bases.user_strings as usize;
    let mut at = 1;
    while at < heap.len() {
        let Some((len, prefix)) = crate::metadata::compressed::read_unsigned(&heap[at..]) else {
            let what = format!("the entry at {:#x} (delta offset {at:#x}) has a malformed length", base + at);
            report.push("#US", None, rule::USER_STRING_FORMAT, what);
            return;
        };
        let (len, start) = (len as usize, at + prefix);
        let Some(entry) = heap.get(start..start + len) else {
            let what = format!("the entry at {:#x} ({len} bytes) runs past the end of #US", base + at);
            report.push("#US", None, rule::USER_STRING_FORMAT, what);
            return;
        };
        let problem = match entry.split_last() {
            None => None,
            Some(_) if len % 2 == 0 => Some(format!("{len} bytes: UTF-16 without its terminal byte")),
            Some((&flag, _)) if flag > 1 => Some(format!("terminal byte {flag:#04x}, not 0 or 1")),
            Some((&flag, chars)) => {
                let special = chars
                    .chunks_exact(2)
                    .any(|c| c[1] != 0 || matches!(c[0], 0x01..=0x08 | 0x0E..=0x1F | 0x27 | 0x2D | 0x7F));
                (special && flag == 0).then(|| "terminal byte 0, but a character needs 1".to_string())
            }
        };
        if let Some(problem) = problem {
            report.push("#US", None, rule::USER_STRING_FORMAT, format!("the entry at {:#x}: {problem}", base + at));
        }
        at = start + len;
    }
}
