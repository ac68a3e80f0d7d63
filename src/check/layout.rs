//! The shape of a delta's metadata root: an uncompressed `#-` tables stream, the `#JTD`
//! marker of a minimal delta, 4-byte heap indexes with the EnC bits, and the
//! baseline's schema version.

use super::{Report, rule};
use crate::metadata::MetadataReader;
use crate::metadata::tables::heap_sizes;

/// The heap-size byte Roslyn writes in every delta: large heaps plus the EnC bits.
const DELTA_HEAP_SIZES: u8 = heap_sizes::LARGE_STRINGS
    | heap_sizes::LARGE_GUIDS
    | heap_sizes::LARGE_BLOBS
    | heap_sizes::ENC_DELTA
    | heap_sizes::DELETED_MARKS;

/// Checks one delta root (`file` is `dmeta` or `dpdb`); false when its tables cannot be
/// trusted (not `#-`, or no `#JTD`, so the column widths are not the 4-byte ones).
pub(super) fn check(
    baseline: &MetadataReader<'_>,
    md: &MetadataReader<'_>,
    file: &str,
    report: &mut Report<'_>,
) -> bool {
    let mut trusted = true;
    let root = &md.root;
    if root.header("#~").is_some() || root.header("#-").is_none() {
        report.push(file, None, rule::TABLES_STREAM, "the tables stream must be `#-` (uncompressed), not `#~`".into());
        trusted = false;
    }
    match root.header("#JTD") {
        None => {
            report.push(
                file,
                None,
                rule::MINIMAL_DELTA_MARKER,
                "no `#JTD` stream header: the runtime reads the delta as full metadata".into(),
            );
            trusted = false;
        }
        Some(h) if h.size != 0 => {
            report.push(file, None, rule::MINIMAL_DELTA_MARKER, format!("`#JTD` has size {}, expected 0", h.size))
        }
        Some(_) => {}
    }
    let flags = md.tables.heap_sizes;
    if flags != DELTA_HEAP_SIZES {
        report.push(
            file,
            None,
            rule::HEAP_SIZE_FLAGS,
            format!("heap-size flags {flags:#04x}, expected {DELTA_HEAP_SIZES:#04x} (large heaps, EnC, deleted marks)"),
        );
        trusted &= flags & DELTA_HEAP_SIZES & 0x07 == 0x07;
    }
    let base = (baseline.tables.major_version, baseline.tables.minor_version);
    let this = (md.tables.major_version, md.tables.minor_version);
    if file == "dmeta" && this != base {
        report.push(
            file,
            None,
            rule::SCHEMA_VERSION,
            format!("tables schema {}.{}, the baseline's is {}.{}", this.0, this.1, base.0, base.1),
        );
    }
    trusted
}
