//! The portable-PDB delta (`.dpdb`): one MethodDebugInformation row per MethodDef row
//! of the generation's metadata delta, listed (and only they) in its EncMap, no EncLog,
//! Document references to the `.dpdb`'s own Document rows (Roslyn writes each delta's
//! documents afresh: `MetadataWriter._documentIndex` belongs to one delta's writer), and
//! `#Pdb` row counts that are the metadata delta's own row counts (what Roslyn writes:
//! the row counts of the delta's `MetadataBuilder`, not the chain's cumulative ones).
//! Each row's sequence points name the local signature its method's body uses.

use std::collections::BTreeSet;

use super::{Report, for_each_cell, in_chain, rule};
use crate::chain::ChainGeneration;
use crate::il::MethodBody;
use crate::metadata::schema::{ColumnKind, EncMapRow, MethodDebugInformationRow, MethodDefRow, TableId};
use crate::metadata::{MetadataReader, Token};
use crate::pdb::decode_sequence_points;

const FILE: &str = "dpdb";

pub(super) fn check(g: &ChainGeneration<'_>, pdb: &MetadataReader<'_>, report: &mut Report<'_>) {
    if !super::layout::check(pdb, pdb, FILE, report) {
        return;
    }
    let log_rows = pdb.row_count(TableId::EncLog);
    if log_rows != 0 {
        report.push("dpdb EncLog", None, rule::PDB_NO_ENC_LOG, format!("{log_rows} EncLog rows; a PDB delta has none"));
    }
    check_enc_map(g, pdb, report);
    check_documents(g, pdb, report);
    check_row_counts(g, pdb, report);
    check_references(g, pdb, report);
}

fn check_enc_map(g: &ChainGeneration<'_>, pdb: &MetadataReader<'_>, report: &mut Report<'_>) {
    let mut previous: Option<Token> = None;
    let mut listed = BTreeSet::new();
    for (rid, row) in pdb.tables.rows::<EncMapRow>() {
        let Ok(row) = row else { continue };
        let token = Token(row.token);
        if token.table() != Some(TableId::MethodDebugInformation) || token.is_nil() {
            let message = format!("{token} is not a MethodDebugInformation token");
            report.push("dpdb EncMap", Some(rid), rule::PDB_ENC_MAP, message);
            continue;
        }
        if previous.is_some_and(|p| token <= p) {
            let message = format!("{token} comes after {}: not sorted and unique", previous.unwrap_or_default());
            report.push("dpdb EncMap", Some(rid), rule::PDB_ENC_MAP, message);
        }
        previous = Some(token);
        listed.insert(token.rid());
    }
    let rows = pdb.row_count(TableId::MethodDebugInformation);
    if listed.len() as u32 != rows {
        report.push(
            "dpdb EncMap",
            None,
            rule::PDB_ENC_MAP_COMPLETE,
            format!("{rows} MethodDebugInformation rows but the EncMap lists {} distinct tokens", listed.len()),
        );
    }
    let methods: BTreeSet<u32> =
        g.enc_map.iter().filter(|t| t.table() == Some(TableId::MethodDef)).map(|t| t.rid()).collect();
    for rid in methods.difference(&listed) {
        let message = format!("MethodDef 0x06{rid:06X} is in the metadata delta but has no MethodDebugInformation row");
        report.push("dpdb EncMap", None, rule::PDB_METHOD_MAP, message);
    }
    for rid in listed.difference(&methods) {
        let message = format!("MethodDebugInformation 0x31{rid:06X} has no MethodDef row in the metadata delta");
        report.push("dpdb EncMap", None, rule::PDB_METHOD_MAP, message);
    }
}

fn check_documents(g: &ChainGeneration<'_>, pdb: &MetadataReader<'_>, report: &mut Report<'_>) {
    let documents = pdb.row_count(TableId::Document);
    let exists = |t: Token| !t.is_nil() && t.rid() <= documents;
    for (rid, row) in pdb.tables.rows::<MethodDebugInformationRow>() {
        let Ok(row) = row else { continue };
        let mut push = |rule: &'static str, message: String| {
            report.push("dpdb MethodDebugInformation", Some(rid), rule, message);
        };
        if !row.document.is_nil() && !exists(row.document) {
            push(
                rule::PDB_DOCUMENT,
                format!("Document {} is not one of the .dpdb's {documents} Document rows", row.document),
            );
        }
        if row.sequence_points.0 == 0 {
            continue;
        }
        let points = pdb.blob(row.sequence_points).and_then(|b| decode_sequence_points(b, row.document));
        let points = match points {
            Ok(p) => p,
            Err(e) => {
                push(rule::PDB_SEQUENCE_POINTS, format!("sequence points do not decode: {e}"));
                continue;
            }
        };
        if !points.local_signature.is_nil() && !in_chain(g, points.local_signature) {
            push(
                rule::PDB_SEQUENCE_POINTS,
                format!("local signature {} is not a row of the chain", points.local_signature),
            );
        }
        if let Some((method, body)) = body_local_signature(g, pdb, rid)
            && body.rid() != points.local_signature.rid()
        {
            push(
                rule::PDB_LOCAL_SIGNATURE,
                format!(
                    "sequence points of {method} name local signature {}, its body in the .dil uses {body}",
                    points.local_signature
                ),
            );
        }
        let missing: BTreeSet<Token> = points.points.iter().map(|p| p.document).filter(|&d| !exists(d)).collect();
        for d in missing {
            push(rule::PDB_DOCUMENT, format!("sequence points name Document {d}, not one of the .dpdb's {documents}"));
        }
    }
}

/// (MethodDef token, local signature of its body in the `.dil`) for the method of
/// physical MethodDebugInformation row `rid`; `None` when any link is missing (other
/// rules report those).
fn body_local_signature(g: &ChainGeneration<'_>, pdb: &MetadataReader<'_>, rid: u32) -> Option<(Token, Token)> {
    let debug = pdb.tables.rows::<EncMapRow>().filter_map(|(_, r)| r.ok()).map(|r| Token(r.token));
    let debug = debug.filter(|t| t.table() == Some(TableId::MethodDebugInformation)).nth(rid as usize - 1)?;
    let method = Token::try_new(TableId::MethodDef, debug.rid()).ok()?;
    let row: MethodDefRow = g.metadata.row(g.physical_row(method)?).ok()?;
    let body = MethodBody::parse(g.il?.get(row.rva as usize..)?).ok()?;
    Some((method, body.local_signature))
}

fn check_row_counts(g: &ChainGeneration<'_>, pdb: &MetadataReader<'_>, report: &mut Report<'_>) {
    let Some(stream) = &pdb.pdb else {
        report.push("dpdb #Pdb", None, rule::PDB_ROW_COUNTS, "no #Pdb stream".into());
        return;
    };
    // Roslyn writes 0 for EncLog and EncMap: the debugger has no use for them.
    let counted = |t: &&TableId| !t.is_debug() && !matches!(t, TableId::EncLog | TableId::EncMap);
    for &table in TableId::ALL.iter().filter(counted) {
        let (found, expected) = (stream.type_system_rows[table as usize], g.metadata.row_count(table));
        if found != expected {
            report.push(
                "dpdb #Pdb",
                None,
                rule::PDB_ROW_COUNTS,
                format!("{} row count {found}, the metadata delta has {expected} rows", table.name()),
            );
        }
    }
}

/// Debug-table references resolve in the `.dpdb`, type-system ones in the chain.
fn check_references(g: &ChainGeneration<'_>, pdb: &MetadataReader<'_>, report: &mut Report<'_>) {
    for_each_cell(pdb, |table, rid, column, value| {
        let token = match column.kind {
            ColumnKind::Table(target) => Token::try_new(target, value).ok(),
            ColumnKind::Coded(coded) => coded.decode(value),
            _ => return,
        };
        let ok = token.is_some_and(|t| match t.table() {
            _ if t.is_nil() => true,
            Some(target) if target.is_debug() => t.rid() <= pdb.row_count(target),
            _ => in_chain(g, t),
        });
        if !ok {
            report.push(
                format!("dpdb {}", table.name()),
                Some(rid),
                rule::PDB_ROW_TOKEN_RANGE,
                format!("{} {value:#x} does not name a row of the .dpdb or the chain", column.name),
            );
        }
    });
}
