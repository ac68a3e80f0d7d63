//! Edits outside the runtime's capabilities (`--capabilities`): what each kind of
//! added or updated row needs, as the runtime's `GetCapabilities()` names it.

use std::collections::HashSet;
use std::ops::Range;

use super::{Report, rule};
use crate::capability::{Capabilities, Capability};
use crate::chain::{Chain, ChainGeneration, enc_op};
use crate::metadata::flags::field_attr;
use crate::metadata::schema::{CodedIndex, TableId};
use crate::metadata::signature::header;
use crate::metadata::{BlobIndex, Token};

pub(super) fn check(chain: &Chain<'_>, g: &ChainGeneration<'_>, capabilities: Capabilities, report: &mut Report<'_>) {
    let generics = Generics::new(chain);
    let mut require = |what: &str, row: Option<u32>, capability: Capability, edit: String| {
        if !capabilities.has(capability) {
            report.push(what, row, rule::CAPABILITY_MISSING, format!("{edit} needs {capability}"));
        }
    };
    for (i, pair) in g.enc_log.windows(2).enumerate() {
        let (parent, member) = (pair[0].token, pair[1].token);
        let existing_type = parent.table() == Some(TableId::TypeDef) && !g.adds(parent) && !parent.is_nil();
        let generic = existing_type && generics.types.contains(&parent);
        let row = Some(i as u32 + 1);
        match pair[0].operation {
            enc_op::METHOD_CREATE if existing_type => {
                require(
                    "EncLog",
                    row,
                    Capability::AddMethodToExistingType,
                    format!("adding {member} to existing type {parent}"),
                );
                if generic {
                    let edit = format!("adding {member} to generic type {parent}");
                    require("EncLog", row, Capability::GenericAddMethodToExistingType, edit);
                }
            }
            enc_op::FIELD_CREATE if existing_type => {
                let capability = if field_flags(g, member) & field_attr::STATIC as u32 != 0 {
                    Capability::AddStaticFieldToExistingType
                } else {
                    Capability::AddInstanceFieldToExistingType
                };
                require("EncLog", row, capability, format!("adding field {member} to existing type {parent}"));
                if generic {
                    let edit = format!("adding field {member} to generic type {parent}");
                    require("EncLog", row, Capability::GenericAddFieldToExistingType, edit);
                }
            }
            _ => {}
        }
    }
    for &token in &g.enc_map {
        let Some(table) = token.table() else { continue };
        let added = g.adds(token);
        match table {
            TableId::TypeDef if added => {
                require("TypeDef", None, Capability::NewTypeDefinition, format!("new type {token}"))
            }
            TableId::FieldRVA if added => {
                require("FieldRVA", None, Capability::AddFieldRva, format!("field RVA row {token}"))
            }
            TableId::MethodImpl if added => require(
                "MethodImpl",
                None,
                Capability::AddExplicitInterfaceImplementation,
                format!("method impl {token}"),
            ),
            TableId::CustomAttribute if !attribute_on_added_row(g, token) => require(
                "CustomAttribute",
                None,
                Capability::ChangeCustomAttributes,
                format!("custom attribute {token}"),
            ),
            TableId::MethodDef if !added && is_generic_method(chain, &generics, g, token) => {
                require("MethodDef", None, Capability::GenericUpdateMethod, format!("updating generic method {token}"))
            }
            _ => {}
        }
    }
}

/// Whether a CustomAttribute row of this delta hangs off a row this delta adds (a new
/// member's attributes come with it; anything else changes existing attributes).
fn attribute_on_added_row(g: &ChainGeneration<'_>, token: Token) -> bool {
    if g.adds(token) {
        let parent = g
            .physical_row(token)
            .and_then(|rid| g.metadata.tables.table(TableId::CustomAttribute).raw(rid, 0).ok())
            .and_then(|raw| CodedIndex::HasCustomAttribute.decode(raw));
        return parent.is_some_and(|p| g.adds(p));
    }
    false
}

fn field_flags(g: &ChainGeneration<'_>, field: Token) -> u32 {
    g.physical_row(field).and_then(|rid| g.metadata.tables.table(TableId::Field).raw(rid, 0).ok()).unwrap_or(0)
}

/// What of the baseline is generic, read once per check so each question is a lookup
/// (scanning GenericParam or every TypeDef per row made `check` quadratic).
struct Generics {
    /// Owners (TypeDef or MethodDef) of the baseline's generic parameters.
    types: HashSet<Token>,
    /// Method list positions of generic baseline types: sorted, disjoint.
    method_ranges: Vec<Range<u32>>,
}

impl Generics {
    fn new(chain: &Chain<'_>) -> Self {
        let params = chain.baseline.tables.table(TableId::GenericParam);
        let types: HashSet<Token> = (1..=params.row_count())
            .filter_map(|rid| params.raw(rid, 2).ok().and_then(|raw| CodedIndex::TypeOrMethodDef.decode(raw)))
            .collect();
        let mut ranges: Vec<Range<u32>> = types
            .iter()
            .filter(|t| t.table() == Some(TableId::TypeDef))
            .filter_map(|t| chain.baseline.list_range(TableId::TypeDef, t.rid(), 5).ok())
            .filter(|r| !r.is_empty())
            .collect();
        ranges.sort_by_key(|r| r.start);
        let mut method_ranges: Vec<Range<u32>> = Vec::with_capacity(ranges.len());
        for r in ranges {
            match method_ranges.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => method_ranges.push(r),
            }
        }
        Generics { types, method_ranges }
    }

    /// Whether list position `rid` falls in the method list of a generic baseline type.
    fn in_generic_type(&self, rid: u32) -> bool {
        let after = self.method_ranges.partition_point(|r| r.start <= rid);
        after > 0 && self.method_ranges[after - 1].contains(&rid)
    }
}

/// A generic method (its signature says so) or a method of a generic baseline type.
fn is_generic_method(chain: &Chain<'_>, generics: &Generics, g: &ChainGeneration<'_>, method: Token) -> bool {
    let signature = g
        .physical_row(method)
        .and_then(|rid| g.metadata.tables.table(TableId::MethodDef).raw(rid, 4).ok())
        .and_then(|blob| chain.blob(BlobIndex(blob)).ok());
    if signature.and_then(|s| s.first()).is_some_and(|&h| h & header::GENERIC != 0) {
        return true;
    }
    generics.in_generic_type(method.rid())
}
