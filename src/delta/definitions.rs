//! The rows of the definitions a generation adds: types, fields, methods (with their
//! parameters and bodies), properties and events (with their maps and accessors), and
//! what hangs off them (nested-class links, layouts, interface and method
//! implementations, generic parameters and constraints, constants, custom attributes).
//! Each added member is announced on its parent in the EncLog (AddMethod, AddField,
//! AddParameter, AddProperty, AddEvent); list columns stay 0.
//!
//! Row ids are taken first for every added definition ([`DefinitionWriter::allocate`]),
//! so a body or signature may name any of them, then the rows are written.

use std::collections::HashMap;

use super::il::IlStream;
use super::importer::Importer;
use super::member_updates::member_key;
use super::tables::{RawRow, row};
use crate::assembly::Assembly;
use crate::baseline::ChainState;
use crate::error::{Error, Result};
use crate::metadata::schema::*;
use crate::metadata::{MetadataReader, Token, enc_op};

/// What the chain must remember of the rows this generation added.
#[derive(Debug, Default)]
pub struct AddedRows {
    /// (MethodDef chain rid, [ImplFlags, Flags, Name, Signature]) of each added method:
    /// an update or deletion in a later generation rewrites the row whole.
    pub methods: Vec<(u32, [u32; 4])>,
    /// (TypeDef chain rid, PropertyMap rid) of each PropertyMap row added.
    pub property_maps: Vec<(u32, u32)>,
    /// (TypeDef chain rid, EventMap rid) of each EventMap row added.
    pub event_maps: Vec<(u32, u32)>,
    /// Identity keys of members deleted earlier that this generation adds back (their
    /// rows are updated, not added).
    pub revived: Vec<String>,
    /// (chain parent token, CustomAttribute rids) of the attribute rows added for a
    /// type, method, field, property, event or parameter.
    pub custom_attributes: Vec<(u32, Vec<u32>)>,
    /// (key, chain token) of each Property, Event and Param row added
    /// ([`super::member_updates::member_key`]).
    pub added_members: Vec<(String, u32)>,
}

/// Writes the added definitions of one generation.
pub struct DefinitionWriter<'s> {
    state: &'s ChainState,
    baseline: &'s MetadataReader<'s>,
    /// Added definitions of the updated build, sorted by token.
    added: Vec<Token>,
    /// Added methods whose chain row was a method deleted earlier: written as updates.
    revived: HashMap<Token, String>,
    /// PropertyMap / EventMap rows this generation adds, by TypeDef chain rid.
    new_maps: HashMap<(TableId, u32), u32>,
    pub rows: AddedRows,
}

impl<'s> DefinitionWriter<'s> {
    /// Takes the chain rows of every definition in `added` (updated-build tokens).
    pub fn allocate(
        importer: &mut Importer<'_, '_>,
        state: &'s ChainState,
        baseline: &'s MetadataReader<'s>,
        added: &[Token],
    ) -> Result<Self> {
        let mut added = added.to_vec();
        added.sort();
        let mut revived = HashMap::new();
        for &t in &added {
            let table = t.table().ok_or_else(|| Error::Invalid(format!("{t} is not a definition")))?;
            if table == TableId::MethodDef {
                let key = importer.new_ids.key(t)?;
                if let Some(&(_, chain)) = state.deleted_methods.iter().find(|(k, _)| **k == *key) {
                    importer.added.insert(t, Token::try_new(table, chain)?);
                    revived.insert(t, key.to_string());
                    continue;
                }
            }
            let chain = importer.next_row(table)?;
            importer.added.insert(t, chain);
        }
        Ok(DefinitionWriter { state, baseline, added, revived, new_maps: HashMap::new(), rows: AddedRows::default() })
    }

    /// Writes every added definition's rows; bodies go to `il`.
    pub fn write(&mut self, importer: &mut Importer<'_, '_>, new: &Assembly<'_>, il: &mut IlStream) -> Result<()> {
        for t in self.added.clone() {
            match t.table() {
                Some(TableId::TypeDef) => self.add_type(importer, t)?,
                Some(TableId::Field) => self.add_field(importer, new, il, t)?,
                Some(TableId::MethodDef) => self.add_method(importer, new, il, t)?,
                Some(TableId::Property) => self.add_property_or_event(importer, t, TableId::PropertyMap)?,
                Some(TableId::Event) => self.add_property_or_event(importer, t, TableId::EventMap)?,
                _ => return Err(Error::Invalid(format!("{t}: only types and members can be added"))),
            }
        }
        self.rows.revived = self.revived.values().cloned().collect();
        self.rows.revived.sort();
        Ok(())
    }

    fn add_type(&mut self, imp: &mut Importer<'_, '_>, t: Token) -> Result<()> {
        let md = imp.new_ids.metadata();
        let chain = imp.definition(t)?;
        let r: TypeDefRow = md.row(t.rid())?;
        let values = row(&[
            r.flags,
            imp.added_name(t, r.name)?,
            imp.string(r.namespace)?,
            if r.extends.is_nil() { 0 } else { imp.coded(CodedIndex::TypeDefOrRef, r.extends)? },
            0,
            0,
        ]);
        imp.tables.set(TableId::TypeDef, chain.rid(), values)?;
        if let Some(outer) = imp.new_ids.enclosing_type(t) {
            let outer = imp.definition(outer)?;
            add_row(imp, TableId::NestedClass, row(&[chain.rid(), outer.rid()]))?;
        }
        if let Some(rid) = md.find_row(TableId::ClassLayout, 2, t.rid())? {
            let l: ClassLayoutRow = md.row(rid)?;
            add_row(imp, TableId::ClassLayout, row(&[l.packing_size as u32, l.class_size, chain.rid()]))?;
        }
        for rid in md.equal_range(TableId::InterfaceImpl, 0, t.rid())? {
            let i: InterfaceImplRow = md.row(rid)?;
            let values = row(&[chain.rid(), imp.coded(CodedIndex::TypeDefOrRef, i.interface)?]);
            let at = add_row(imp, TableId::InterfaceImpl, values)?;
            custom_attributes(imp, Token::new(TableId::InterfaceImpl, rid), at)?;
        }
        for rid in md.equal_range(TableId::MethodImpl, 0, t.rid())? {
            let m: MethodImplRow = md.row(rid)?;
            let values = row(&[
                chain.rid(),
                imp.coded(CodedIndex::MethodDefOrRef, m.body)?,
                imp.coded(CodedIndex::MethodDefOrRef, m.declaration)?,
            ]);
            add_row(imp, TableId::MethodImpl, values)?;
        }
        generic_parameters(imp, t, chain)?;
        self.attributes_of(imp, t, chain)
    }

    /// The custom attributes of updated-build `parent`, remembered as `chain`'s rows.
    fn attributes_of(&mut self, imp: &mut Importer<'_, '_>, parent: Token, chain: Token) -> Result<()> {
        let rows = custom_attributes(imp, parent, chain)?;
        if !rows.is_empty() {
            self.rows.custom_attributes.push((chain.0, rows));
        }
        Ok(())
    }

    fn add_field(&mut self, imp: &mut Importer<'_, '_>, new: &Assembly<'_>, il: &mut IlStream, t: Token) -> Result<()> {
        let md = imp.new_ids.metadata();
        let chain = imp.definition(t)?;
        let owner = imp.definition(imp.new_ids.owner_of(t))?;
        let r: FieldRow = md.row(t.rid())?;
        let values = row(&[r.flags as u32, imp.added_name(t, r.name)?, imp.signature(r.signature, false)?]);
        imp.tables.set(TableId::Field, chain.rid(), values)?;
        imp.tables.announce(chain, owner, enc_op::FIELD_CREATE);
        constant(imp, t, chain)?;
        if let Some(rid) = md.find_row(TableId::FieldLayout, 1, t.rid())? {
            let offset = md.row::<FieldLayoutRow>(rid)?.offset;
            add_row(imp, TableId::FieldLayout, row(&[offset, chain.rid()]))?;
        }
        if let Some(rid) = md.find_row(TableId::FieldRVA, 1, t.rid())? {
            // The data goes in the IL delta; the RVA is its offset there, as a body's is.
            let data = new.field_data(md.row::<FieldRvaRow>(rid)?.rva, r.signature)?;
            let rva = il.add_data(data);
            add_row(imp, TableId::FieldRVA, row(&[rva, chain.rid()]))?;
        }
        self.attributes_of(imp, t, chain)
    }

    fn add_method(
        &mut self,
        imp: &mut Importer<'_, '_>,
        new: &Assembly<'_>,
        il: &mut IlStream,
        t: Token,
    ) -> Result<()> {
        let md = imp.new_ids.metadata();
        let chain = imp.definition(t)?;
        let r: MethodDefRow = md.row(t.rid())?;
        let rva = if r.rva == 0 { 0 } else { il.add_body(&new.method_body(r.rva)?, imp)? };
        let (name, signature) = (imp.added_name(t, r.name)?, imp.signature(r.signature, false)?);
        imp.tables.set(
            TableId::MethodDef,
            chain.rid(),
            row(&[rva, r.impl_flags as u32, r.flags as u32, name, signature, 0]),
        )?;
        if self.revived.contains_key(&t) {
            // The row, its parameters and attributes are in the chain already.
            return Ok(());
        }
        let owner = imp.definition(imp.new_ids.owner_of(t))?;
        imp.tables.announce(chain, owner, enc_op::METHOD_CREATE);
        self.rows.methods.push((chain.rid(), [r.impl_flags as u32, r.flags as u32, name, signature]));
        for p in md.list(TableId::MethodDef, t.rid(), 5)? {
            let param: ParamRow = md.row(p.rid())?;
            let at = imp.next_row(TableId::Param)?;
            let values = row(&[param.flags as u32, param.sequence as u32, imp.string(param.name)?]);
            imp.tables.set(TableId::Param, at.rid(), values)?;
            imp.tables.announce(at, chain, enc_op::PARAM_CREATE);
            constant(imp, p, at)?;
            self.attributes_of(imp, p, at)?;
            self.rows.added_members.push((member_key(imp.new_ids, p, t)?, at.0));
        }
        generic_parameters(imp, t, chain)?;
        self.attributes_of(imp, t, chain)
    }

    /// A property (`map` PropertyMap) or an event (`map` EventMap), its map row when
    /// its type has none yet, and the MethodSemantics rows of its accessors.
    fn add_property_or_event(&mut self, imp: &mut Importer<'_, '_>, t: Token, map: TableId) -> Result<()> {
        let md = imp.new_ids.metadata();
        let chain = imp.definition(t)?;
        let (map_in_new, member_table, operation) = match map {
            TableId::PropertyMap => (TableId::PropertyMap, TableId::Property, enc_op::PROPERTY_CREATE),
            _ => (TableId::EventMap, TableId::Event, enc_op::EVENT_CREATE),
        };
        // The owner: the map row of the updated build whose list holds `t`.
        let owner = (1..=md.row_count(map_in_new))
            .find_map(|rid| {
                let range = md.list_range(map_in_new, rid, 1).ok()?;
                range.contains(&t.rid()).then(|| md.tables.table(map_in_new).raw(rid, 0).ok()).flatten()
            })
            .ok_or_else(|| Error::Invalid(format!("{t} belongs to no type")))?;
        let owner_in_new = Token::new(TableId::TypeDef, owner);
        let owner = imp.definition(owner_in_new)?;
        let map_row = self.map_row(imp, map, owner)?;
        let values = if member_table == TableId::Property {
            let r: PropertyRow = md.row(t.rid())?;
            row(&[r.flags as u32, imp.string(r.name)?, imp.signature(r.signature, false)?])
        } else {
            let r: EventRow = md.row(t.rid())?;
            row(&[r.flags as u32, imp.string(r.name)?, imp.coded(CodedIndex::TypeDefOrRef, r.event_type)?])
        };
        imp.tables.set(member_table, chain.rid(), values)?;
        imp.tables.announce(chain, Token::new(map, map_row), operation);
        let key = CodedIndex::HasSemantics.encode(t).unwrap_or(u32::MAX);
        for rid in md.equal_range(TableId::MethodSemantics, 2, key)? {
            let s: MethodSemanticsRow = md.row(rid)?;
            let method = imp.definition(s.method)?;
            let association = encode(CodedIndex::HasSemantics, chain)?;
            add_row(imp, TableId::MethodSemantics, row(&[s.semantics as u32, method.rid(), association]))?;
        }
        constant(imp, t, chain)?;
        self.rows.added_members.push((member_key(imp.new_ids, t, owner_in_new)?, chain.0));
        self.attributes_of(imp, t, chain)
    }

    /// The PropertyMap or EventMap row of chain type `owner`: the baseline's, one an
    /// earlier generation or this one added, or a new one.
    fn map_row(&mut self, imp: &mut Importer<'_, '_>, map: TableId, owner: Token) -> Result<u32> {
        if let Some(&rid) = self.new_maps.get(&(map, owner.rid())) {
            return Ok(rid);
        }
        let earlier = if map == TableId::PropertyMap { &self.state.property_maps } else { &self.state.event_maps };
        if let Some(&(_, rid)) = earlier.iter().find(|(t, _)| *t == owner.rid()) {
            return Ok(rid);
        }
        let base = self.baseline;
        if owner.rid() <= base.row_count(TableId::TypeDef)
            && let Some(rid) =
                (1..=base.row_count(map)).find(|&rid| base.tables.table(map).raw(rid, 0).ok() == Some(owner.rid()))
        {
            return Ok(rid);
        }
        let rid = add_row(imp, map, row(&[owner.rid(), 0]))?.rid();
        self.new_maps.insert((map, owner.rid()), rid);
        let list = if map == TableId::PropertyMap { &mut self.rows.property_maps } else { &mut self.rows.event_maps };
        list.push((owner.rid(), rid));
        Ok(rid)
    }
}

/// A chain token as a coded index.
fn encode(coded: CodedIndex, chain: Token) -> Result<u32> {
    coded.encode(chain).ok_or_else(|| Error::Invalid(format!("{chain} cannot be encoded as {coded:?}")))
}

/// Appends a row to `table`; returns its chain token.
fn add_row(imp: &mut Importer<'_, '_>, table: TableId, values: RawRow) -> Result<Token> {
    let at = imp.next_row(table)?;
    imp.tables.set(table, at.rid(), values)?;
    Ok(at)
}

/// The custom attributes of updated-build `parent`, as attributes of chain `chain`;
/// returns the rows added.
fn custom_attributes(imp: &mut Importer<'_, '_>, parent: Token, chain: Token) -> Result<Vec<u32>> {
    let md = imp.new_ids.metadata();
    let Some(key) = CodedIndex::HasCustomAttribute.encode(parent) else { return Ok(Vec::new()) };
    let mut added = Vec::new();
    for rid in md.equal_range(TableId::CustomAttribute, 0, key)? {
        let a: CustomAttributeRow = md.row(rid)?;
        let values = row(&[
            encode(CodedIndex::HasCustomAttribute, chain)?,
            imp.coded(CodedIndex::CustomAttributeType, a.constructor)?,
            imp.blob(a.value)?,
        ]);
        added.push(add_row(imp, TableId::CustomAttribute, values)?.rid());
    }
    Ok(added)
}

/// The default value of updated-build `parent` (a field, parameter or property).
fn constant(imp: &mut Importer<'_, '_>, parent: Token, chain: Token) -> Result<()> {
    let md = imp.new_ids.metadata();
    let Some(key) = CodedIndex::HasConstant.encode(parent) else { return Ok(()) };
    if let Some(rid) = md.find_row(TableId::Constant, 1, key)? {
        let c: ConstantRow = md.row(rid)?;
        let values = row(&[c.type_code as u32, encode(CodedIndex::HasConstant, chain)?, imp.blob(c.value)?]);
        add_row(imp, TableId::Constant, values)?;
    }
    Ok(())
}

/// The generic parameters (with constraints and attributes) of updated-build `owner`.
fn generic_parameters(imp: &mut Importer<'_, '_>, owner: Token, chain: Token) -> Result<()> {
    let md = imp.new_ids.metadata();
    let Some(key) = CodedIndex::TypeOrMethodDef.encode(owner) else { return Ok(()) };
    for rid in md.equal_range(TableId::GenericParam, 2, key)? {
        let g: GenericParamRow = md.row(rid)?;
        let values =
            row(&[g.number as u32, g.flags as u32, encode(CodedIndex::TypeOrMethodDef, chain)?, imp.string(g.name)?]);
        let at = add_row(imp, TableId::GenericParam, values)?;
        for c in md.equal_range(TableId::GenericParamConstraint, 0, rid)? {
            let constraint: GenericParamConstraintRow = md.row(c)?;
            let values = row(&[at.rid(), imp.coded(CodedIndex::TypeDefOrRef, constraint.constraint)?]);
            let c_at = add_row(imp, TableId::GenericParamConstraint, values)?;
            custom_attributes(imp, Token::new(TableId::GenericParamConstraint, c), c_at)?;
        }
        custom_attributes(imp, Token::new(TableId::GenericParam, rid), at)?;
    }
    Ok(())
}
