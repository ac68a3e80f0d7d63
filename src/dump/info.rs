//! `emit-delta info`: one `name value` line per fact.

use std::fmt::Write;

use crate::assembly::Assembly;
use crate::error::Result;
use crate::metadata::TableId;
use crate::metadata::schema::{AssemblyRow, ModuleRow};

/// A heap string, or its offset when it lies outside this metadata's own heap (a
/// minimal delta refers to strings of earlier generations by absolute offset).
fn name(md: &crate::metadata::MetadataReader<'_>, index: crate::metadata::StringIndex) -> String {
    md.string(index).map(|s| s.into_owned()).unwrap_or_else(|_| format!("#Strings[{:#x}]", index.0))
}

pub fn info(assembly: &Assembly<'_>) -> Result<String> {
    let md = &assembly.metadata;
    let mut out = String::new();
    let _ = writeln!(out, "kind {}", if assembly.pe.is_some() { "pe" } else { "metadata" });
    let _ = writeln!(out, "metadata-version {}", md.root.version);
    if md.row_count(TableId::Assembly) > 0 {
        let a: AssemblyRow = md.row(1)?;
        let _ = writeln!(out, "assembly {}", name(md, a.name));
        let _ = writeln!(out, "version {}.{}.{}.{}", a.major, a.minor, a.build, a.revision);
    }
    if md.row_count(TableId::Module) > 0 {
        let m: ModuleRow = md.row(1)?;
        let _ = writeln!(out, "module {}", name(md, m.name));
        if let Ok(Some(mvid)) = md.guid(m.mvid) {
            let _ = writeln!(out, "mvid {mvid}");
        }
        if m.generation > 0 {
            let _ = writeln!(out, "generation {}", m.generation);
        }
    }
    if let Some(pdb) = &md.pdb {
        let id: String = pdb.id.iter().map(|b| format!("{b:02x}")).collect();
        let _ = writeln!(out, "pdb-id {id}");
    }
    let _ = writeln!(out, "tables-stream {}", if md.tables.uncompressed { "#-" } else { "#~" });
    if md.is_minimal_delta() {
        let _ = writeln!(out, "minimal-delta true");
    }
    let _ = writeln!(out, "heap-sizes {:#04x}", md.tables.heap_sizes);
    for (name, size) in [
        ("#Strings", md.strings.size()),
        ("#US", md.user_strings.size()),
        ("#Blob", md.blobs.size()),
        ("#GUID", md.guids.size()),
    ] {
        let _ = writeln!(out, "{name} {size}");
    }
    for &id in TableId::ALL {
        let rows = md.row_count(id);
        if rows > 0 {
            let _ = writeln!(out, "{} {rows}", id.name());
        }
    }
    Ok(out)
}
