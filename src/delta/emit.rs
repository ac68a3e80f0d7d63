//! One generation: the rows of updated, added and deleted definitions, the Module row,
//! and the serialized `.dmeta`, `.dil` and `.dpdb`, plus the chain state that follows.

use std::collections::BTreeMap;

use super::definitions::DefinitionWriter;
use super::deleted::{
    HOT_RELOAD_EXCEPTION_NAME, HOT_RELOAD_EXCEPTION_NAMESPACE, deleted_body_throw, deleted_method_message,
};
use super::heaps::DeltaHeaps;
use super::il::IlStream;
use super::importer::Importer;
use super::root::minimal_delta_root;
use super::tables::{RawRow, row};
use crate::assembly::Assembly;
use crate::baseline::{ChainState, hex};
use crate::capability::Capabilities;
use crate::diff::Identities;
use crate::diff::compare::{BuildDiff, UpdatedMethod, display_name};
use crate::error::{Error, Result};
use crate::metadata::schema::{MethodDefRow, TableId};
use crate::metadata::{Guid, MetadataReader, Token};

/// A definition a generation touched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// `Namespace.Type::Member`.
    pub name: String,
    /// Its token in the chain (what the runtime and debuggers see).
    pub chain: Token,
    /// Its token in the build it comes from (the updated build; the build applied last
    /// for a deleted method).
    pub build: Token,
}

/// A written generation.
#[derive(Debug)]
pub struct Generation {
    pub number: u32,
    pub dmeta: Vec<u8>,
    pub dil: Vec<u8>,
    /// The portable-PDB delta; empty MethodDebugInformation rows when the updated
    /// build came without a portable PDB.
    pub dpdb: Vec<u8>,
    pub updated_methods: Vec<Member>,
    /// Added types and members.
    pub added: Vec<Member>,
    /// Deleted methods (their bodies now throw).
    pub deleted_methods: Vec<Member>,
    /// Chain tokens of the types whose members changed, and of added types.
    pub updated_types: Vec<Token>,
    /// Their display names, in the same order.
    pub updated_type_names: Vec<String>,
    /// Definitions whose custom attributes this generation rewrote (`Type::Member`, and
    /// `(parameter NAME)` for a parameter).
    pub attributes_changed: Vec<String>,
    /// Parameters this generation renamed (`Type::Method (parameter NAME)`).
    pub parameters_renamed: Vec<String>,
    /// The chain after this generation.
    pub next: ChainState,
}

/// The builds a generation is written from: the chain's `baseline`, `old` (the build
/// applied last) and `new` (the updated build, with its portable PDB when it has one).
pub struct Builds<'b, 'a> {
    pub baseline: &'b Assembly<'a>,
    pub old: &'b Assembly<'a>,
    pub new: &'b Assembly<'a>,
    pub new_pdb: Option<&'b MetadataReader<'a>>,
}

/// Writes the generation after `state` that carries `diff` (with `methods`, the body
/// updates to write: all of `diff.updated_methods` or the ones a caller listed), for a
/// runtime with `capabilities` (what a deleted method's body throws depends on them).
pub fn emit_generation(
    state: &ChainState,
    builds: &Builds<'_, '_>,
    diff: &BuildDiff,
    methods: &[UpdatedMethod],
    enc_id: Guid,
    capabilities: Capabilities,
) -> Result<Generation> {
    let Builds { baseline, old, new, new_pdb } = *builds;
    let baseline_ids = Identities::new(baseline)?;
    let new_ids = diff.definitions.new_identities(new)?;
    let earlier = state.added_reference_map();
    let mut importer = Importer::new(
        &new_ids,
        &baseline_ids,
        &diff.definitions,
        &state.definitions,
        &earlier,
        state.row_counts()?,
        DeltaHeaps::new(state.heaps),
    );
    importer.generation = state.generation + 1;
    let mut il = IlStream::default();
    let mut definitions = DefinitionWriter::allocate(&mut importer, state, &baseline.metadata, &diff.added)?;
    let mut updated_types: BTreeMap<Token, String> = BTreeMap::new();
    let mut debug_methods: Vec<(Token, Option<Token>)> = Vec::new();

    let mut updated_methods = Vec::new();
    let mut ordered: Vec<(Token, &UpdatedMethod)> =
        methods.iter().map(|m| Ok((importer.definition(m.new)?, m))).collect::<Result<_>>()?;
    ordered.sort_by_key(|(t, _)| *t);
    for (chain, m) in ordered {
        let row: MethodDefRow = new.metadata.row(m.new.rid())?;
        let body = new.method_body(row.rva)?;
        let rva = il.add_body(&body, &mut importer)?;
        let raw = method_row(state, baseline, chain, rva)?;
        importer.tables.set(TableId::MethodDef, chain.rid(), raw)?;
        updated_methods.push(Member { name: m.display.clone(), chain, build: m.new });
        let owner = new_ids.owner_of(m.new);
        updated_types.insert(importer.definition(owner)?, display_name(&new_ids, owner));
        debug_methods.push((chain, Some(m.new)));
    }

    definitions.write(&mut importer, new, &mut il)?;
    let mut added = Vec::new();
    for &t in &diff.added {
        let chain = importer.definition(t)?;
        added.push(Member { name: display_name(&new_ids, t), chain, build: t });
        match t.table() {
            Some(TableId::TypeDef) => {
                updated_types.insert(chain, display_name(&new_ids, t));
            }
            Some(table @ (TableId::MethodDef | TableId::Field)) => {
                if table == TableId::MethodDef {
                    debug_methods.push((chain, Some(t)));
                }
                let owner = new_ids.owner_of(t);
                updated_types.insert(importer.definition(owner)?, display_name(&new_ids, owner));
            }
            _ => {}
        }
    }

    let old_ids = Identities::new(old)?;
    let edited_types = super::member_updates::write_member_updates(
        &mut importer,
        state,
        &baseline.metadata,
        &old_ids,
        &diff.attribute_edits,
        &diff.parameter_edits,
        &mut definitions.rows,
    )?;
    for chain in edited_types {
        // Named as the baseline names it: an edited member's type is an existing one.
        let name = match chain.rid() <= baseline.metadata.row_count(TableId::TypeDef) {
            true => display_name(&baseline_ids, chain),
            false => updated_types.get(&chain).cloned().unwrap_or_else(|| chain.to_string()),
        };
        updated_types.entry(chain).or_insert(name);
    }
    let mut deleted_methods = Vec::new();
    let mut deleted_keys = Vec::new();
    let mut synthesized = None;
    let mut deleted_with_body = Vec::new();
    for m in &diff.deleted_methods {
        // An abstract method has no body to replace.
        if old.metadata.row::<MethodDefRow>(m.old.rid())?.rva != 0 {
            deleted_with_body.push(m);
        }
    }
    if !deleted_with_body.is_empty() {
        let (throw, added) = deleted_body_throw(&mut importer, state, capabilities, &mut il)?;
        if let Some(rows) = added {
            let type_def = Token::new(TableId::TypeDef, rows.type_def);
            updated_types.insert(type_def, format!("{HOT_RELOAD_EXCEPTION_NAMESPACE}.{HOT_RELOAD_EXCEPTION_NAME}"));
            // No sequence points, as Roslyn's: the constructor has no source.
            debug_methods.push((Token::new(TableId::MethodDef, rows.constructor), None));
            synthesized = Some(rows);
        }
        for m in deleted_with_body {
            let chain = state.definitions.chain_token(m.old)?;
            let message = deleted_method_message(&m.display);
            let rva = il.add_throw(&mut importer, throw.constructor, &message, throw.code)?;
            importer.tables.set(TableId::MethodDef, chain.rid(), method_row(state, baseline, chain, rva)?)?;
            deleted_methods.push(Member { name: m.display.clone(), chain, build: m.old });
            deleted_keys.push((old_ids.key(m.old)?.to_string(), chain.rid()));
            let owner = old_ids.owner_of(m.old);
            updated_types.insert(state.definitions.chain_token(owner)?, display_name(&old_ids, owner));
            debug_methods.push((chain, None));
        }
    }

    let number = state.generation + 1;
    let mvid = state.mvid_guid()?;
    let name = importer.heaps.string(&state.module_name);
    let mvid_index = importer.heaps.guid(mvid);
    let enc_index = importer.heaps.guid(enc_id);
    let base_index = match state.last_enc_id()? {
        Some(prev) => importer.heaps.guid(prev),
        None => 0,
    };
    if number > u16::MAX as u32 {
        return Err(Error::Invalid("a chain cannot exceed 65535 generations".into()));
    }
    importer.tables.set(TableId::Module, 1, row(&[number, name, mvid_index, enc_index, base_index]))?;
    // Last before serializing: debug rows may import references into the metadata delta.
    let dpdb = super::pdb::write_pdb_delta(&mut importer, new_pdb, &debug_methods, enc_id)?;

    let tables = importer.tables.serialize(true, false);
    let dmeta = minimal_delta_root(baseline.metadata.root.version, None, &tables, &importer.heaps);

    let mut next = state.clone();
    next.generation = number;
    next.enc_ids.push(hex(&enc_id.0));
    next.heaps = importer.heaps.next_bases();
    if next.heaps.user_strings > Token::MAX_RID {
        return Err(Error::Invalid(format!(
            "generation {number}: the chain's #US heap would grow to {:#x} bytes, past the 24 bits a user-string token holds",
            next.heaps.user_strings
        )));
    }
    next.rows = importer.rows.to_vec();
    next.added_references.extend(importer.added_references.iter().map(|(k, t)| (k.clone(), t.0)));
    // `new` becomes the build applied last: its definitions go where the old ones were,
    // the added ones where this generation put them.
    next.definitions = diff.definitions.next_definition_map(&state.definitions, |t| new.metadata.row_count(t))?;
    for (&new_token, &chain) in &importer.added {
        next.definitions.set(new_token, chain.rid())?;
    }
    let rows = definitions.rows;
    next.added_methods.extend(rows.methods);
    next.property_maps.extend(rows.property_maps);
    next.event_maps.extend(rows.event_maps);
    for (parent, added) in rows.custom_attributes {
        match next.custom_attributes.iter_mut().find(|(p, _)| *p == parent) {
            Some((_, list)) => list.extend(added),
            None => next.custom_attributes.push((parent, added)),
        }
    }
    next.added_members.extend(rows.added_members);
    next.deleted_methods.retain(|(key, _)| !rows.revived.contains(key));
    next.deleted_methods.extend(deleted_keys);
    if synthesized.is_some() {
        next.hot_reload_exception = synthesized;
    }
    for &t in &diff.deleted_types {
        next.deleted_types.push(old_ids.key(t)?.to_string());
    }
    Ok(Generation {
        number,
        dmeta,
        dil: il.bytes,
        dpdb,
        updated_methods,
        added,
        deleted_methods,
        updated_types: updated_types.keys().copied().collect(),
        updated_type_names: updated_types.into_values().collect(),
        attributes_changed: diff.attribute_edits.iter().map(|e| e.display.clone()).collect(),
        parameters_renamed: diff.parameter_edits.iter().map(|e| e.display.clone()).collect(),
        next,
    })
}

/// The whole MethodDef row of chain method `chain` with body `rva`: a body update never
/// changes the rest (the baseline's row, or the row the chain added it with).
fn method_row(state: &ChainState, baseline: &Assembly<'_>, chain: Token, rva: u32) -> Result<RawRow> {
    if chain.rid() <= baseline.metadata.row_count(TableId::MethodDef) {
        let mut raw = baseline.metadata.tables.table(TableId::MethodDef).raw_row(chain.rid())?;
        raw[0] = rva;
        raw[5] = 0;
        return Ok(raw);
    }
    let (_, [impl_flags, flags, name, signature]) =
        state.added_methods.iter().find(|(rid, _)| *rid == chain.rid()).ok_or_else(|| {
            Error::Invalid(format!("the session does not know the row of {chain}, which the chain added"))
        })?;
    Ok(row(&[rva, *impl_flags, *flags, *name, *signature, 0]))
}
