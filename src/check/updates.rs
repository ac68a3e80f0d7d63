//! Rows of a delta that change what existing definitions have: an updated CustomAttribute
//! row stays with the parent that owns it or becomes unused (Roslyn reuses a parent's
//! own rows when its attributes change), and a FieldRVA row gives data to a field the
//! same generation adds, from inside the `.dil` (the runtime cannot replace the data of
//! a loaded field).

use super::{Report, describe, rule};
use crate::chain::{Chain, ChainGeneration};
use crate::metadata::Token;
use crate::metadata::schema::{CodedIndex, TableId};

pub(super) fn check(chain: &Chain<'_>, g: &ChainGeneration<'_>, report: &mut Report<'_>) {
    for &token in &g.enc_map {
        match token.table() {
            Some(TableId::CustomAttribute) if !g.adds(token) => attribute_owner(chain, g, token, report),
            Some(TableId::FieldRVA) => field_rva(g, token, report),
            _ => {}
        }
    }
}

/// The parent and constructor of CustomAttribute `token` as row `rid` of `md` holds them.
fn attribute_row(md: &crate::metadata::MetadataReader<'_>, rid: u32) -> Option<(Token, Token)> {
    let t = md.tables.table(TableId::CustomAttribute);
    let parent = CodedIndex::HasCustomAttribute.decode(t.raw(rid, 0).ok()?)?;
    let constructor = CodedIndex::CustomAttributeType.decode(t.raw(rid, 1).ok()?)?;
    Some((parent, constructor))
}

/// The parent that owns CustomAttribute row `token` before generation `g`: the last
/// non-nil parent an earlier generation or the baseline wrote in it.
fn owner_before(chain: &Chain<'_>, g: &ChainGeneration<'_>, token: Token) -> Option<Token> {
    for earlier in chain.generations.iter().take(g.number as usize - 1).rev() {
        if let Some(rid) = earlier.physical_row(token)
            && let Some((parent, _)) = attribute_row(&earlier.metadata, rid)
            && !parent.is_nil()
        {
            return Some(parent);
        }
    }
    (token.rid() <= chain.baseline.row_count(TableId::CustomAttribute))
        .then(|| attribute_row(&chain.baseline, token.rid()))
        .flatten()
        .map(|(parent, _)| parent)
        .filter(|p| !p.is_nil())
}

fn attribute_owner(chain: &Chain<'_>, g: &ChainGeneration<'_>, token: Token, report: &mut Report<'_>) {
    let Some(rid) = g.physical_row(token) else { return };
    let Some((parent, constructor)) = attribute_row(&g.metadata, rid) else { return };
    let mut push = |message: String| {
        let what = describe(g, TableId::CustomAttribute, rid);
        report.push("CustomAttribute", Some(rid), rule::ATTRIBUTE_ROW_OWNER, format!("{what}: {message}"));
    };
    if parent.is_nil() {
        if !constructor.is_nil() {
            push(format!("an unused row (nil parent) still names constructor {constructor}"));
        }
        return;
    }
    if let Some(owner) = owner_before(chain, g, token)
        && owner != parent
    {
        push(format!("the row of {owner} is rewritten as an attribute of {parent}"));
    }
}

fn field_rva(g: &ChainGeneration<'_>, token: Token, report: &mut Report<'_>) {
    let Some(rid) = g.physical_row(token) else { return };
    let what = describe(g, TableId::FieldRVA, rid);
    let mut push = |message: String| report.push("FieldRVA", Some(rid), rule::FIELD_RVA_TARGET, message);
    if !g.adds(token) {
        push(format!("{what} is updated: the runtime cannot replace the data of an existing field"));
        return;
    }
    let t = g.metadata.tables.table(TableId::FieldRVA);
    let (Ok(rva), Ok(field)) = (t.raw(rid, 0), t.raw(rid, 1)) else { return };
    let field = Token::new(TableId::Field, field & Token::MAX_RID);
    if !g.adds(field) {
        push(format!("{what} gives data to {field}, which this generation does not add"));
    }
    let il_len = g.il.map_or(0, |il| il.len());
    if rva < 4 || rva as usize >= il_len {
        push(format!("{what}: RVA {rva:#x} is outside the .dil (after its 4 leading bytes, before {il_len:#x})"));
    }
}
