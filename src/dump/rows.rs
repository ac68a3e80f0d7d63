//! `emit-delta dump`: every row of every table with heap values resolved. The one
//! place that renders a row for humans; other dumps (mdv format) build on it.

use std::fmt::Write;

use super::format::{blob, guid, quoted, signature, token};
use crate::assembly::Assembly;
use crate::error::Result;
use crate::metadata::schema::{ColumnKind, TableId};
use crate::metadata::signature::Signature;
use crate::metadata::{BlobIndex, GuidIndex, MetadataReader, StringIndex, Token};

/// Renders one column value.
pub fn column_value(out: &mut String, md: &MetadataReader<'_>, table: TableId, column: usize, raw: u32) {
    let col = table.columns()[column];
    match col.kind {
        ColumnKind::U16 | ColumnKind::U32 | ColumnKind::U8Padded => {
            let _ = write!(out, "{raw:#x}");
        }
        ColumnKind::String => match md.string(StringIndex(raw)) {
            Ok(s) => quoted(out, &s),
            Err(_) => {
                let _ = write!(out, "#Strings[{raw:#x}]");
            }
        },
        ColumnKind::Guid => match md.guid(GuidIndex(raw)) {
            Ok(g) => guid(out, g),
            Err(_) => {
                let _ = write!(out, "#GUID[{raw}]");
            }
        },
        ColumnKind::Blob => match md.blob(BlobIndex(raw)) {
            Ok(bytes) => {
                let decoded = match (table, col.name) {
                    (TableId::TypeSpec, _) => crate::metadata::signature::decode_type(bytes).ok().map(Signature::Type),
                    (_, "Signature" | "Type" | "Instantiation") if table != TableId::LocalConstant => {
                        Signature::decode_any(bytes).ok()
                    }
                    _ => None,
                };
                match decoded {
                    Some(s) => signature(out, &s),
                    None => blob_hex(out, bytes),
                }
            }
            Err(_) => {
                let _ = write!(out, "#Blob[{raw:#x}]");
            }
        },
        ColumnKind::Table(t) | ColumnKind::List(t) => match Token::try_new(t, raw) {
            Ok(t) => token(out, t),
            Err(_) => {
                let _ = write!(out, "<bad {} row {raw:#x}>", t.name());
            }
        },
        ColumnKind::Coded(c) => match c.decode(raw) {
            Some(t) => token(out, t),
            None => {
                let _ = write!(out, "<bad {c:?} {raw:#x}>");
            }
        },
    }
}

fn blob_hex(out: &mut String, bytes: &[u8]) {
    if bytes.len() <= 64 {
        out.push_str("0x");
        super::format::hex(out, bytes);
    } else {
        blob(out, bytes);
    }
}

/// Every row of every present table.
pub fn dump(assembly: &Assembly<'_>) -> Result<String> {
    let md = &assembly.metadata;
    let mut out = String::new();
    for &id in TableId::ALL {
        let table = md.tables.table(id);
        if table.row_count() == 0 {
            continue;
        }
        let _ = writeln!(out, "{} ({} rows)", id.name(), table.row_count());
        for rid in 1..=table.row_count() {
            let raw = table.raw_row(rid)?;
            let _ = write!(out, "  {rid}:");
            for (i, col) in id.columns().iter().enumerate() {
                let _ = write!(out, " {}=", col.name);
                column_value(&mut out, md, id, i, raw[i]);
            }
            out.push('\n');
        }
    }
    Ok(out)
}
