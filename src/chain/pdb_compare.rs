//! Compares the portable-PDB deltas (`.dpdb`) of one generation of two chains. A PDB
//! delta is standalone (its own heaps, rows numbered from 1), except that
//! MethodDebugInformation rows stand for the methods their EncMap names. Rows are
//! compared by what they hold: documents by name and hash, sequence points decoded
//! with documents resolved, scopes with their variables, constants and imports.
//!
//! What describes a method body is read against that chain's own body of the method
//! in the same generation (its `.dil`), as the IL comparison reads it: IL offsets of
//! sequence points and scope bounds become instruction numbers, local slots the
//! first-use names of [`BodyIndex`], and methods named by their position in the delta
//! (LocalScope, StateMachineMethod, custom debug information) their tokens. Two
//! encodings of one body then describe it with equal rows.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

use super::compare::Report;
use super::il::BodyIndex;
use super::resolve::Resolver;
use crate::dump::format::{guid, hex, quoted};
use crate::metadata::schema::{CodedIndex, ColumnKind, EncMapRow, MethodDefRow, TableId};
use crate::metadata::{BlobIndex, GuidIndex, MetadataReader, StringIndex, Token};
use crate::pdb::{decode_document_name, decode_imports, decode_sequence_points};

const MAX_DEPTH: u32 = 16;

/// Resolves the rows of one PDB delta; type-system tokens go to the metadata chain.
struct PdbResolver<'r, 'c, 'a> {
    pdb: &'r MetadataReader<'a>,
    metadata: &'r Resolver<'c, 'a>,
    /// The method each MethodDebugInformation row stands for, by position.
    methods: Vec<Token>,
    /// This generation's body of each of those methods, where it can be read.
    bodies: HashMap<Token, BodyIndex>,
    /// The LocalScope row that lists each LocalVariable / LocalConstant row.
    owners: HashMap<Token, u32>,
}

impl<'r, 'c, 'a> PdbResolver<'r, 'c, 'a> {
    fn new(pdb: &'r MetadataReader<'a>, metadata: &'r Resolver<'c, 'a>) -> Self {
        let mut side =
            PdbResolver { pdb, metadata, methods: Vec::new(), bodies: HashMap::new(), owners: HashMap::new() };
        side.methods = side.method_tokens();
        side.bodies = side.method_bodies();
        side.owners = side.scope_members();
        side
    }

    /// The method token of each MethodDebugInformation row: its EncMap entry (the
    /// physical row number when the EncMap has none).
    fn method_tokens(&self) -> Vec<Token> {
        let mapped: Vec<Token> =
            self.enc_map().into_iter().filter(|t| t.table() == Some(TableId::MethodDebugInformation)).collect();
        (1..=self.pdb.row_count(TableId::MethodDebugInformation))
            .map(|rid| Token::new(TableId::MethodDef, mapped.get(rid as usize - 1).map_or(rid, |t| t.rid())))
            .collect()
    }

    /// The bodies this generation's `.dmeta` and `.dil` give the methods.
    fn method_bodies(&self) -> HashMap<Token, BodyIndex> {
        let Some(delta) = self.metadata.chain.generation(self.metadata.as_of) else { return HashMap::new() };
        let body = |method: Token| {
            let row: MethodDefRow = delta.metadata.row(delta.physical_row(method)?).ok()?;
            BodyIndex::at_rva(self.metadata, delta.il, row.rva)
        };
        self.methods.iter().filter_map(|&m| Some((m, body(m)?))).collect()
    }

    /// The scope of each variable and constant row (the scope's method names the body).
    fn scope_members(&self) -> HashMap<Token, u32> {
        let mut owners = HashMap::new();
        for scope in 1..=self.pdb.row_count(TableId::LocalScope) {
            for column in [2, 3] {
                for member in self.pdb.list(TableId::LocalScope, scope, column).unwrap_or_default() {
                    owners.insert(member, scope);
                }
            }
        }
        owners
    }

    /// The method a delta-local method reference (a MethodDebugInformation position) names.
    fn method_at(&self, position: u32) -> String {
        match position.checked_sub(1).and_then(|i| self.methods.get(i as usize)) {
            Some(t) => format!("{t}"),
            None => format!("<method position {position:#x}>"),
        }
    }

    /// The body of the method at a MethodDebugInformation position.
    fn body_at(&self, position: u32) -> Option<&BodyIndex> {
        self.bodies.get(self.methods.get(position.checked_sub(1)? as usize)?)
    }

    /// The body of the method of LocalScope row `scope`.
    fn scope_body(&self, scope: u32) -> Option<&BodyIndex> {
        self.body_at(self.pdb.tables.table(TableId::LocalScope).raw_row(scope).ok()?[0])
    }

    /// Columns read against a method body or naming a method by position; `None`
    /// for the columns rendered as stored.
    fn normalized(&self, table: TableId, rid: u32, raw: &[u32], column: usize) -> Option<String> {
        match (table, column) {
            (TableId::LocalScope | TableId::StateMachineMethod, 0) => Some(self.method_at(raw[0])),
            (TableId::CustomDebugInformation, 0) => CodedIndex::HasCustomDebugInformation
                .decode(raw[0])
                .filter(|t| t.table() == Some(TableId::MethodDef))
                .map(|t| self.method_at(t.rid())),
            (TableId::LocalScope, 4) => Some(self.scope_body(rid)?.bound(raw[4])),
            (TableId::LocalScope, 5) => {
                Some(format!("..{}", self.scope_body(rid)?.bound(raw[4].saturating_add(raw[5]))))
            }
            (TableId::LocalVariable, 1) => {
                let scope = *self.owners.get(&Token::new(TableId::LocalVariable, rid))?;
                Some(self.scope_body(scope)?.slot(raw[1]))
            }
            _ => None,
        }
    }

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
            if let Some(text) = self.normalized(table, rid, &raw, i) {
                out.push_str(&text);
                continue;
            }
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
                ColumnKind::Blob => self.blob(out, table, rid, &raw, value),
                ColumnKind::Table(t) => match Token::try_new(t, value) {
                    Ok(token) => self.token(out, token, depth),
                    Err(_) => {
                        let _ = write!(out, "<bad {} row {value:#x}>", t.name());
                    }
                },
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

    fn blob(&self, out: &mut String, table: TableId, rid: u32, raw: &[u32], index: u32) {
        let Ok(bytes) = self.pdb.blob(BlobIndex(index)) else {
            let _ = write!(out, "<bad #Blob {index:#x}>");
            return;
        };
        match table {
            TableId::Document if index == raw[0] => match decode_document_name(&self.pdb.blobs, bytes) {
                Ok(name) => quoted(out, &name),
                Err(_) => out.push_str("<bad document name>"),
            },
            TableId::MethodDebugInformation => {
                self.sequence_points(out, rid, Token::try_new(TableId::Document, raw[0]).unwrap_or_default(), bytes)
            }
            TableId::ImportScope => self.imports(out, bytes),
            _ => {
                out.push_str("0x");
                hex(out, bytes);
            }
        }
    }

    /// Sequence points with documents resolved and offsets read against the method's
    /// body; the locals signature of the blob is [`Self::locals`].
    fn sequence_points(&self, out: &mut String, rid: u32, document: Token, bytes: &[u8]) {
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
        let body = self.body_at(rid);
        let offset = |o: u32| body.map_or(format!("IL_{o:04x}"), |b| b.bound(o));
        out.push('[');
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
            out.push_str(&offset(p.il_offset));
            if p.is_hidden() {
                out.push_str(" hidden");
            } else {
                let _ = write!(out, " ({},{})-({},{})", p.start_line, p.start_column, p.end_line, p.end_column);
            }
        }
        out.push(']');
    }

    /// The locals signature MethodDebugInformation row `rid` records (`-` without
    /// sequence points), resolved like the IL `locals` line.
    fn locals(&self, rid: u32) -> String {
        let Ok(raw) = self.pdb.tables.table(TableId::MethodDebugInformation).raw_row(rid) else {
            return "<unreadable>".into();
        };
        match self.pdb.blob(BlobIndex(raw[1])) {
            Ok([]) => "-".into(),
            Ok(bytes) => {
                match decode_sequence_points(bytes, Token::try_new(TableId::Document, raw[0]).unwrap_or_default()) {
                    Ok(points) => self.metadata.token(points.local_signature),
                    Err(e) => format!("<bad sequence points: {e}>"),
                }
            }
            Err(_) => format!("<bad #Blob {:#x}>", raw[1]),
        }
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

    /// MethodDebugInformation rows by the method they stand for.
    fn method_rows(&self) -> BTreeMap<Token, u32> {
        self.methods.iter().zip(1..).map(|(&m, rid)| (m, rid)).collect()
    }

    /// Whether a row is compared as part of the LocalScope that lists it.
    fn in_scope(&self, table: TableId, rid: u32) -> bool {
        matches!(table, TableId::LocalVariable | TableId::LocalConstant)
            && self.owners.contains_key(&Token::new(table, rid))
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
    let ours = PdbResolver::new(ours, ours_md);
    let theirs = PdbResolver::new(theirs, theirs_md);
    for &table in TableId::ALL.iter().filter(|t| t.is_debug()) {
        if table == TableId::MethodDebugInformation {
            compare_methods(generation, &ours, &theirs, report);
        } else {
            compare_rows(generation, table, &ours, &theirs, report);
        }
    }
    compare_enc_map(generation, &ours, &theirs, report);
}

fn table_name(table: TableId) -> String {
    format!("pdb {}", table.name())
}

/// MethodDebugInformation rows by method: the row (document and sequence points), and
/// the locals signature on a line of its own, like the IL `locals` line.
fn compare_methods(
    generation: u32,
    ours: &PdbResolver<'_, '_, '_>,
    theirs: &PdbResolver<'_, '_, '_>,
    report: &mut Report,
) {
    let table = TableId::MethodDebugInformation;
    let (o, t) = (ours.method_rows(), theirs.method_rows());
    for method in o.keys().chain(t.keys()).copied().collect::<BTreeSet<Token>>() {
        let row = format!("{method}");
        let (Some(&orid), Some(&trid)) = (o.get(&method), t.get(&method)) else {
            let value = |side: &PdbResolver<'_, '_, '_>, rows: &BTreeMap<Token, u32>| {
                rows.get(&method).map_or_else(|| "-".into(), |&rid| side.identity(table, rid))
            };
            report.add(generation, &table_name(table), row, "(row)", value(ours, &o), value(theirs, &t));
            continue;
        };
        let (ov, tv) = (ours.identity(table, orid), theirs.identity(table, trid));
        if ov != tv {
            report.add(generation, &table_name(table), row.clone(), "(row)", ov, tv);
        }
        let (ol, tl) = (ours.locals(orid), theirs.locals(trid));
        if ol != tl {
            report.add(generation, &table_name(table), row, "locals", ol, tl);
        }
    }
}

/// Rows of the other debug tables as multisets of resolved rows (variables and
/// constants as part of the scope that lists them).
fn compare_rows(
    generation: u32,
    table: TableId,
    ours: &PdbResolver<'_, '_, '_>,
    theirs: &PdbResolver<'_, '_, '_>,
    report: &mut Report,
) {
    let rows = |side: &PdbResolver<'_, '_, '_>| -> BTreeMap<String, Vec<u32>> {
        let mut m: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for rid in (1..=side.pdb.row_count(table)).filter(|&rid| !side.in_scope(table, rid)) {
            m.entry(side.identity(table, rid)).or_default().push(rid);
        }
        m
    };
    let (o, t) = (rows(ours), rows(theirs));
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

/// The EncMap by how many rows it maps per table; its MethodDebugInformation tokens
/// are the methods [`compare_methods`] compares one by one.
fn compare_enc_map(
    generation: u32,
    ours: &PdbResolver<'_, '_, '_>,
    theirs: &PdbResolver<'_, '_, '_>,
    report: &mut Report,
) {
    let counts = |side: &PdbResolver<'_, '_, '_>| -> BTreeMap<&'static str, usize> {
        let mut m = BTreeMap::new();
        for t in side.enc_map().into_iter().filter(|t| t.table() != Some(TableId::MethodDebugInformation)) {
            *m.entry(t.table().map_or("?", |t| t.name())).or_insert(0) += 1;
        }
        m
    };
    let (o, t) = (counts(ours), counts(theirs));
    for name in o.keys().chain(t.keys()).collect::<BTreeSet<_>>() {
        let (a, b) = (o.get(name).copied().unwrap_or(0), t.get(name).copied().unwrap_or(0));
        if a != b {
            report.add(generation, "pdb EncMap", String::new(), name, format!("{a} entries"), format!("{b} entries"));
        }
    }
}
