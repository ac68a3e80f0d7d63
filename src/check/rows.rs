//! The cells of a delta's rows: list columns are 0 (the EncLog links members to their
//! parents), every table or coded-index reference and every heap index resolves in the
//! chain as of this generation, and every signature blob decodes with its tokens in range.

use super::{Report, describe, for_each_cell, heaps, in_chain, rule};
use crate::chain::{Chain, ChainGeneration};
use crate::metadata::schema::{ColumnKind, TableId};
use crate::metadata::signature::{Signature, decode_type};
use crate::metadata::{BlobIndex, Token};

/// The list columns Roslyn writes as 0 in a delta (`DeltaMetadataWriter.GetFirst*Handle`).
/// EventMap/PropertyMap lists are not among them: Roslyn writes their map's row.
fn must_be_zero(table: TableId, column: &str) -> bool {
    matches!((table, column), (TableId::TypeDef, "FieldList" | "MethodList") | (TableId::MethodDef, "ParamList"))
}

pub(super) fn check(chain: &Chain<'_>, g: &ChainGeneration<'_>, report: &mut Report<'_>) {
    for_each_cell(&g.metadata, |table, rid, column, value| {
        if matches!(table, TableId::EncLog | TableId::EncMap) {
            return;
        }
        let problem = match column.kind {
            ColumnKind::List(_) if must_be_zero(table, column.name) && value != 0 => Some((
                rule::LIST_COLUMN_ZERO,
                format!("{} is {value}, expected 0 (members are linked through the EncLog)", column.name),
            )),
            ColumnKind::Table(target) => match Token::try_new(target, value) {
                Ok(t) => bad_reference(g, Some(t), value),
                Err(_) => Some((rule::ROW_TOKEN_RANGE, format!("{value:#x} is not a {} row id", target.name()))),
            },
            ColumnKind::Coded(coded) => bad_reference(g, coded.decode(value), value),
            ColumnKind::String | ColumnKind::Blob | ColumnKind::Guid => heaps::bad_index(chain, g, column.kind, value)
                .map(|m| (rule::HEAP_INDEX_RANGE, format!("{}: {m}", column.name))),
            _ => None,
        };
        if let Some((rule, message)) = problem {
            report.push(table.name(), Some(rid), rule, format!("{}: {message}", describe(g, table, rid)));
        } else if is_signature(table, column.name, column.kind) {
            check_signature(chain, g, table, rid, value, report);
        }
    });
}

fn bad_reference(g: &ChainGeneration<'_>, token: Option<Token>, raw: u32) -> Option<(&'static str, String)> {
    match token {
        None => Some((rule::ROW_TOKEN_RANGE, format!("{raw:#x} is not a valid coded index"))),
        Some(t) if !t.is_nil() && !in_chain(g, t) => {
            Some((rule::ROW_TOKEN_RANGE, format!("{t} is past the chain's rows as of this generation")))
        }
        Some(_) => None,
    }
}

/// Blob columns that hold a signature with tokens (LocalConstant's is a PDB constant).
pub(super) fn is_signature(table: TableId, column: &str, kind: ColumnKind) -> bool {
    kind == ColumnKind::Blob && matches!(column, "Signature" | "Type" | "Instantiation") && !table.is_debug()
}

fn check_signature(
    chain: &Chain<'_>,
    g: &ChainGeneration<'_>,
    table: TableId,
    rid: u32,
    value: u32,
    report: &mut Report<'_>,
) {
    if value == 0 {
        return;
    }
    let Ok(blob) = chain.blob(BlobIndex(value)) else { return };
    let decoded =
        if table == TableId::TypeSpec { decode_type(blob).map(Signature::Type) } else { Signature::decode_any(blob) };
    let mut signature = match decoded {
        Ok(s) => s,
        Err(e) => {
            let message = format!("{}: signature #Blob[{value:#x}] does not decode: {e}", describe(g, table, rid));
            report.push(table.name(), Some(rid), rule::SIGNATURE_DECODES, message);
            return;
        }
    };
    let mut outside = Vec::new();
    signature.map_tokens(&mut |t| {
        if !in_chain(g, t) {
            outside.push(t);
        }
        t
    });
    for t in outside {
        report.push(
            table.name(),
            Some(rid),
            rule::SIGNATURE_TOKEN_RANGE,
            format!("{}: signature #Blob[{value:#x}] names {t}, not a row of the chain", describe(g, table, rid)),
        );
    }
}
