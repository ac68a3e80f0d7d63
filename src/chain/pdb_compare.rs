//! Compares the portable-PDB deltas (`.dpdb`) of one generation of two chains. A PDB
//! delta is standalone (its own heaps, rows numbered from 1), except that
//! MethodDebugInformation rows stand for the methods their EncMap names. Rows are
//! compared by what they hold: documents by name and hash, sequence points decoded
//! with documents resolved, scopes with their variables, constants and imports.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::compare::Report;
use super::resolve::Resolver;
use crate::dump::format::{guid, hex, quoted};
use crate::metadata::schema::{ColumnKind, EncMapRow, TableId};
use crate::metadata::{BlobIndex, GuidIndex, MetadataReader, StringIndex, Token};
use crate::pdb::{decode_document_name, decode_imports, decode_sequence_points};

const MAX_DEPTH: u32 = 16;

/// Resolves the rows of one PDB delta; type-system tokens go to the metadata chain.
struct PdbResolver<'r, 'c, 'a> {
    pdb: &'r MetadataReader<'a>,
    metadata: &'r Resolver<'c, 'a>,
}

impl PdbResolver<'_, '_, '_> {
    fn token(&self, out: &mut String, t: Token, depth: u32) {
        match t.table() {
            Some(table) if table.is_debug() && !t.is_nil() => {
                if depth >= MAX_DEPTH || t.rid() > self.pdb.row_count(table) {
                    let _ = write!(out, "{t}");
                } else {
                    self.row(out, table, t.rid(), depth + 1);
                }
            }
            _ => out.push_str(&self.metadata.token(t)),
        }
    }

    fn row(&self, out: &mut String, table: TableId, rid: u32, depth: u32) {
        let raw = match self.pdb.tables.table(table).raw_row(rid) {
            Ok(raw) => raw,
            Err(e) => {
                let _ = write!(out, "<unreadable {} row {rid}: {e}>", table.name());
                return;
            }
        };
        out.push_str(table.name());
        out.push('(');
        for (i, col) in table.columns().iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let value = raw[i];
            match col.kind {
                ColumnKind::U16 | ColumnKind::U32 | ColumnKind::U8Padded => {
                    let _ = write!(out, "{value:#x}");
                }
                ColumnKind::String => match self.pdb.string(StringIndex(value)) {
                    Ok(s) => quoted(out, &s),
                    Err(_) => {
                        let _ = write!(out, "<bad #Strings {value:#x}>");
                    }
                },
                ColumnKind::Guid => guid(out, self.pdb.guid(GuidIndex(value)).ok().flatten()),
                ColumnKind::Blob => self.blob(out, table, &raw, value),
                ColumnKind::Table(t) => self.token(out, Token::new(t, value), depth),
                ColumnKind::Coded(c) => match c.decode(value) {
                    Some(t) => self.token(out, t, depth),
                    None => {
                        let _ = write!(out, "<bad {c:?} {value:#x}>");
                    }
                },
                ColumnKind::List(target) => match self.pdb.list(table, rid, i) {
                    Ok(members) => {
                        out.push('[');
                        for (k, m) in members.iter().enumerate() {
                            if k > 0 {
                                out.push_str(", ");
                            }
                            self.token(out, Token::new(target, m.rid()), depth);
                        }
                        out.push(']');
                    }
                    Err(_) => {
                        let _ = write!(out, "<bad list {value:#x}>");
                    }
                },
            }
        }
        out.push(')');
    }

    fn blob(&self, out: &mut String, table: TableId, raw: &[u32], index: u32) {
        let Ok(bytes) = self.pdb.blob(BlobIndex(index)) else {
            let _ = write!(out, "<bad #Blob {index:#x}>");
            return;
        };
        match table {
            TableId::Document if index == raw[0] => match decode_document_name(&self.pdb.blobs, bytes) {
                Ok(name) => quoted(out, &name),
                Err(_) => out.push_str("<bad document name>"),
            },
            TableId::MethodDebugInformation => self.sequence_points(out, Token::new(TableId::Document, raw[0]), bytes),
            TableId::ImportScope => self.imports(out, bytes),
            _ => {
                out.push_str("0x");
                hex(out, bytes);
            }
        }
    }

    fn sequence_points(&self, out: &mut String, document: Token, bytes: &[u8]) {
        if bytes.is_empty() {
            out.push_str("[]");
            return;
        }
        let points = match decode_sequence_points(bytes, document) {
            Ok(p) => p,
            Err(e) => {
                let _ = write!(out, "<bad sequence points: {e}>");
                return;
            }
        };
        let _ = write!(out, "locals {} [", self.metadata.token(points.local_signature));
        let mut last_document = None;
        for (i, p) in points.points.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            if last_document != Some(p.document) {
                out.push_str("in ");
                self.token(out, p.document, 1);
                out.push(' ');
                last_document = Some(p.document);
            }
            if p.is_hidden() {
                let _ = write!(out, "IL_{:04x} hidden", p.il_offset);
            } else {
                let _ = write!(
                    out,
                    "IL_{:04x} ({},{})-({},{})",
                    p.il_offset, p.start_line, p.start_column, p.end_line, p.end_column
                );
            }
        }
        out.push(']');
    }

    fn imports(&self, out: &mut String, bytes: &[u8]) {
        let imports = match decode_imports(bytes) {
            Ok(i) => i,
            Err(e) => {
                let _ = write!(out, "<bad imports: {e}>");
                return;
            }
        };
        let text = |index: BlobIndex| match self.pdb.blob(index) {
            Ok(b) => String::from_utf8_lossy(b).into_owned(),
            Err(_) => format!("<bad #Blob {:#x}>", index.0),
        };
        out.push('[');
        for (i, import) in imports.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let _ = write!(
                out,
                "kind {} alias {:?} assembly {} namespace {:?} type {}",
                import.kind,
                text(import.alias),
                self.metadata.token(import.assembly),
                text(import.namespace),
                self.metadata.token(import.target_type)
            );
        }
        out.push(']');
    }

    fn identity(&self, table: TableId, rid: u32) -> String {
        let mut out = String::new();
        self.row(&mut out, table, rid, 0);
        out
    }

    /// The EncMap tokens of this PDB delta.
    fn enc_map(&self) -> Vec<Token> {
        self.pdb.tables.rows::<EncMapRow>().filter_map(|(_, r)| r.ok().map(|r| Token(r.token))).collect()
    }

    /// MethodDebugInformation rows by the method token their EncMap entry names (the
    /// physical row number when the EncMap has none).
    fn method_rows(&self) -> BTreeMap<Token, u32> {
        let mapped: Vec<Token> =
            self.enc_map().into_iter().filter(|t| t.table() == Some(TableId::MethodDebugInformation)).collect();
        (1..=self.pdb.row_count(TableId::MethodDebugInformation))
            .map(|rid| {
                let token =
                    mapped.get(rid as usize - 1).copied().unwrap_or(Token::new(TableId::MethodDebugInformation, rid));
                (Token::new(TableId::MethodDef, token.rid()), rid)
            })
            .collect()
    }
}

/// Adds every difference between the PDB deltas of generation `generation`.
pub(crate) fn compare_pdb(
    generation: u32,
    ours_md: &Resolver<'_, '_>,
    ours: &MetadataReader<'_>,
    theirs_md: &Resolver<'_, '_>,
    theirs: &MetadataReader<'_>,
    report: &mut Report,
) {
    let ours = PdbResolver { pdb: ours, metadata: ours_md };
    let theirs = PdbResolver { pdb: theirs, metadata: theirs_md };
    let table_name = |t: TableId| format!("pdb {}", t.name());
    for &table in TableId::ALL.iter().filter(|t| t.is_debug()) {
        if table == TableId::MethodDebugInformation {
            let (o, t) = (ours.method_rows(), theirs.method_rows());
            let methods: std::collections::BTreeSet<Token> = o.keys().chain(t.keys()).copied().collect();
            for method in methods {
                let value = |side: &PdbResolver<'_, '_, '_>, rows: &BTreeMap<Token, u32>| {
                    rows.get(&method).map(|&rid| side.identity(table, rid)).unwrap_or_else(|| "-".into())
                };
                let (ov, tv) = (value(&ours, &o), value(&theirs, &t));
                if ov != tv {
                    report.add(generation, &table_name(table), format!("{method}"), "(row)", ov, tv);
                }
            }
            continue;
        }
        let rows = |side: &PdbResolver<'_, '_, '_>| -> BTreeMap<String, Vec<u32>> {
            let mut m: BTreeMap<String, Vec<u32>> = BTreeMap::new();
            for rid in 1..=side.pdb.row_count(table) {
                m.entry(side.identity(table, rid)).or_default().push(rid);
            }
            m
        };
        let (o, t) = (rows(&ours), rows(&theirs));
        for (identity, rids) in &o {
            for rid in rids.iter().skip(t.get(identity).map_or(0, Vec::len)) {
                report.add(generation, &table_name(table), format!("row {rid}"), "(row)", identity.clone(), "-".into());
            }
        }
        for (identity, rids) in &t {
            for rid in rids.iter().skip(o.get(identity).map_or(0, Vec::len)) {
                report.add(generation, &table_name(table), format!("row {rid}"), "(row)", "-".into(), identity.clone());
            }
        }
    }
    // The EncMap: method rows by token (above), other tables by how many rows they map.
    let counts = |side: &PdbResolver<'_, '_, '_>| -> BTreeMap<&'static str, usize> {
        let mut m = BTreeMap::new();
        for t in side.enc_map() {
            *m.entry(t.table().map_or("?", |t| t.name())).or_insert(0) += 1;
        }
        m
    };
    let (o, t) = (counts(&ours), counts(&theirs));
    for name in o.keys().chain(t.keys()).collect::<std::collections::BTreeSet<_>>() {
        let (a, b) = (o.get(name).copied().unwrap_or(0), t.get(name).copied().unwrap_or(0));
        if a != b {
            report.add(generation, "pdb EncMap", String::new(), name, format!("{a} entries"), format!("{b} entries"));
        }
    }
}
