//! Rows of existing definitions that a generation rewrites: the CustomAttribute rows of
//! a parent whose attributes changed (`ChangeCustomAttributes`) and the Param row of a
//! renamed parameter (`UpdateParameters`).
//!
//! Attributes are rewritten as Roslyn's DeltaMetadataWriter does: every attribute the
//! parent has in the updated build is written, first over the rows the parent has in
//! the chain (its baseline rows, then the rows earlier generations added for it), then
//! as new rows; a row left over is written with a nil parent (the parent's table, row
//! 0), a nil constructor and an empty value, which no parent's attribute lookup finds.
//! The parent's rows only ever grow, so a rid once used for a parent stays its own.

use super::definitions::AddedRows;
use super::importer::Importer;
use super::tables::row;
use crate::baseline::ChainState;
use crate::diff::Identities;
use crate::diff::member_edits::{AttributeEdit, ParameterEdit, property_or_event_owner};
use crate::error::{Error, Result};
use crate::metadata::schema::*;
use crate::metadata::{MetadataReader, Token};

/// The key under which the chain remembers an added Property, Event or Param row
/// (`owner` its type, or its method for a Param), the same in every build.
pub fn member_key(ids: &Identities<'_, '_>, member: Token, owner: Token) -> Result<String> {
    let md = ids.metadata();
    Ok(match member.table() {
        Some(TableId::Param) => format!("Param:{}#{}", ids.key(owner)?, md.row::<ParamRow>(member.rid())?.sequence),
        Some(TableId::Property | TableId::Event) => crate::diff::pairing::property_or_event_key(ids, member, owner)?,
        _ => return Err(Error::Invalid(format!("{member}: only properties, events and parameters have member keys"))),
    })
}

/// Writes the rows of `attributes` and `parameters` (edits from `old`, the build applied
/// last, to the updated build `imp` imports from); records the attribute rows it adds
/// in `rows`. Returns the chain tokens of the types whose members it changed.
pub fn write_member_updates(
    imp: &mut Importer<'_, '_>,
    state: &ChainState,
    baseline: &MetadataReader<'_>,
    old: &Identities<'_, '_>,
    attributes: &[AttributeEdit],
    parameters: &[ParameterEdit],
    rows: &mut AddedRows,
) -> Result<Vec<Token>> {
    let locate = ChainLocator { state, baseline, old };
    let mut types = Vec::new();
    for e in parameters {
        let chain = locate.param(e.new, e.old, e.old_method)?;
        let md = imp.new_ids.metadata();
        let p: ParamRow = md.row(e.new.rid())?;
        let values = row(&[p.flags as u32, p.sequence as u32, imp.string(p.name)?]);
        imp.tables.set(TableId::Param, chain.rid(), values)?;
        types.push(locate.owning_type(e.old_method)?);
    }
    for e in attributes {
        let chain = match e.old_method {
            Some(method) => {
                types.push(locate.owning_type(method)?);
                locate.param(e.new, e.old, method)?
            }
            None => {
                types.push(locate.owning_type(e.old)?);
                locate.definition(e.old)?
            }
        };
        rewrite_attributes(imp, &locate, e.new, chain, rows)?;
    }
    let table = TableId::CustomAttribute as usize;
    if !attributes.is_empty() && imp.rows[table] == state.rows[table] {
        // CoreCLR looks attributes up through a sorted view of the table that it
        // rebuilds only when rows are added, not when a row's parent changes: a
        // generation that only rewrites rows would leave lookups on the old view
        // (attributes of the rewritten parents not found). One unused row makes it
        // rebuild the view.
        let at = imp.next_row(TableId::CustomAttribute)?;
        imp.tables.set(TableId::CustomAttribute, at.rid(), unused_attribute_row(TableId::TypeDef)?)?;
    }
    types.sort();
    types.dedup();
    Ok(types)
}

/// Writes the attributes of updated-build `parent` as the attributes of chain `chain`.
fn rewrite_attributes(
    imp: &mut Importer<'_, '_>,
    locate: &ChainLocator<'_, '_, '_>,
    parent: Token,
    chain: Token,
    rows: &mut AddedRows,
) -> Result<()> {
    let parent_code = encode(CodedIndex::HasCustomAttribute, chain)?;
    let mut existing: Vec<u32> = Vec::new();
    if chain.rid() <= locate.baseline.row_count(chain.table().unwrap_or(TableId::Module)) {
        existing.extend(locate.baseline.equal_range(TableId::CustomAttribute, 0, parent_code)?);
    }
    if let Some((_, added)) = locate.state.custom_attributes.iter().find(|(p, _)| *p == chain.0) {
        existing.extend(added);
    }
    let md = imp.new_ids.metadata();
    let Some(new_code) = CodedIndex::HasCustomAttribute.encode(parent) else {
        return Err(Error::Invalid(format!("{parent} cannot have custom attributes")));
    };
    let wanted: Vec<u32> = md.equal_range(TableId::CustomAttribute, 0, new_code)?.collect();
    let mut added = Vec::new();
    for (i, &rid) in wanted.iter().enumerate() {
        let a: CustomAttributeRow = md.row(rid)?;
        let values =
            row(&[parent_code, imp.coded(CodedIndex::CustomAttributeType, a.constructor)?, imp.blob(a.value)?]);
        let at = match existing.get(i) {
            Some(&reused) => reused,
            None => {
                let at = imp.next_row(TableId::CustomAttribute)?.rid();
                added.push(at);
                at
            }
        };
        imp.tables.set(TableId::CustomAttribute, at, values)?;
    }
    for &rid in existing.iter().skip(wanted.len()) {
        imp.tables.set(
            TableId::CustomAttribute,
            rid,
            unused_attribute_row(chain.table().unwrap_or(TableId::Module))?,
        )?;
    }
    if !added.is_empty() {
        rows.custom_attributes.push((chain.0, added));
    }
    Ok(())
}

/// A CustomAttribute row no parent has: a nil parent of table `parent_table` and a nil
/// MemberRef constructor, as Roslyn writes a row a parent no longer needs.
fn unused_attribute_row(parent_table: TableId) -> Result<super::tables::RawRow> {
    let nil_parent = encode(CodedIndex::HasCustomAttribute, Token::new(parent_table, 0))?;
    let nil_constructor = encode(CodedIndex::CustomAttributeType, Token::new(TableId::MemberRef, 0))?;
    Ok(row(&[nil_parent, nil_constructor, 0]))
}

/// A chain token as a coded index.
fn encode(coded: CodedIndex, chain: Token) -> Result<u32> {
    coded.encode(chain).ok_or_else(|| Error::Invalid(format!("{chain} cannot be encoded as {coded:?}")))
}

/// Finds where definitions of the build applied last live in the chain.
struct ChainLocator<'s, 'm, 'a> {
    state: &'s ChainState,
    baseline: &'s MetadataReader<'a>,
    old: &'s Identities<'m, 'a>,
}

impl ChainLocator<'_, '_, '_> {
    /// A TypeDef, MethodDef, Field, Property or Event of the build applied last.
    fn definition(&self, old: Token) -> Result<Token> {
        match old.table() {
            Some(TableId::Property | TableId::Event) => {
                let owner = property_or_event_owner(self.old.metadata(), old)?
                    .ok_or_else(|| Error::Invalid(format!("{old} belongs to no type")))?;
                let chain_owner = self.state.definitions.chain_token(owner)?;
                if let Some(t) = self.baseline_member(old, chain_owner)? {
                    return Ok(t);
                }
                self.added(&member_key(self.old, old, owner)?, old)
            }
            _ => self.state.definitions.chain_token(old),
        }
    }

    /// Param `old` of method `old_method` of the build applied last (`new`: the same
    /// parameter in the updated build, for messages).
    fn param(&self, new: Token, old: Token, old_method: Token) -> Result<Token> {
        let chain_method = self.state.definitions.chain_token(old_method)?;
        let sequence = self.old.metadata().row::<ParamRow>(old.rid())?.sequence;
        if chain_method.rid() <= self.baseline.row_count(TableId::MethodDef) {
            for p in self.baseline.list(TableId::MethodDef, chain_method.rid(), 5)? {
                if self.baseline.row::<ParamRow>(p.rid())?.sequence == sequence {
                    return Ok(p);
                }
            }
        }
        self.added(&member_key(self.old, old, old_method)?, new)
    }

    /// The chain type whose member `old` (a definition of the build applied last) is.
    fn owning_type(&self, old: Token) -> Result<Token> {
        let owner = match old.table() {
            Some(TableId::TypeDef) => old,
            Some(TableId::Property | TableId::Event) => property_or_event_owner(self.old.metadata(), old)?
                .ok_or_else(|| Error::Invalid(format!("{old} belongs to no type")))?,
            _ => self.old.owner_of(old),
        };
        self.state.definitions.chain_token(owner)
    }

    /// The baseline's property or event of chain type `owner` with the name of `old`.
    fn baseline_member(&self, old: Token, owner: Token) -> Result<Option<Token>> {
        let base = self.baseline;
        if owner.rid() > base.row_count(TableId::TypeDef) {
            return Ok(None);
        }
        let (map, table) = match old.table() {
            Some(TableId::Property) => (TableId::PropertyMap, TableId::Property),
            _ => (TableId::EventMap, TableId::Event),
        };
        let md = self.old.metadata();
        let name_of = |md: &MetadataReader<'_>, t: Token| -> Result<String> {
            Ok(match table {
                TableId::Property => md.string(md.row::<PropertyRow>(t.rid())?.name)?.into_owned(),
                _ => md.string(md.row::<EventRow>(t.rid())?.name)?.into_owned(),
            })
        };
        let name = name_of(md, old)?;
        for rid in 1..=base.row_count(map) {
            if base.tables.table(map).raw(rid, 0)? != owner.rid() {
                continue;
            }
            for member in base.list(map, rid, 1)? {
                if name_of(base, member)? == name {
                    return Ok(Some(member));
                }
            }
        }
        Ok(None)
    }

    /// A member an earlier generation added, by key.
    fn added(&self, key: &str, what: Token) -> Result<Token> {
        self.state.added_members.iter().find(|(k, _)| k == key).map(|&(_, raw)| Token(raw)).ok_or_else(|| {
            Error::Invalid(format!("{what}: the session does not know the chain row of `{key}`, which the chain added"))
        })
    }
}
