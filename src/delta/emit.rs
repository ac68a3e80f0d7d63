//! One generation: the updated methods' bodies and rows, the Module row, and the
//! serialized `.dmeta`, `.dil` and `.dpdb`, plus the chain state that follows.

use std::collections::BTreeSet;

use super::heaps::DeltaHeaps;
use super::il::IlStream;
use super::importer::Importer;
use super::root::minimal_delta_root;
use super::tables::row;
use crate::assembly::Assembly;
use crate::baseline::{ChainState, hex};
use crate::diff::Identities;
use crate::diff::compare::{BuildDiff, UpdatedMethod};
use crate::error::{Error, Result};
use crate::metadata::schema::{MethodDefRow, TableId};
use crate::metadata::{Guid, MetadataReader, Token};

/// A written generation.
#[derive(Debug)]
pub struct Generation {
    pub number: u32,
    pub dmeta: Vec<u8>,
    pub dil: Vec<u8>,
    /// The portable-PDB delta; empty MethodDebugInformation rows when the updated
    /// build came without a portable PDB.
    pub dpdb: Vec<u8>,
    /// (display name, chain token) of each updated method.
    pub updated_methods: Vec<(String, Token)>,
    /// Chain tokens of the types whose members changed.
    pub updated_types: Vec<Token>,
    /// The chain after this generation.
    pub next: ChainState,
}

/// Writes the generation after `state` that updates `methods` (of `new`, compared
/// with `old`, the build applied last) in the chain that starts at `baseline`. The
/// `.dpdb` copies the methods' debug information from `new_pdb`, the portable PDB of
/// `new` (without one, its MethodDebugInformation rows are empty).
pub fn emit_generation(
    state: &ChainState,
    baseline: &Assembly<'_>,
    new: &Assembly<'_>,
    new_pdb: Option<&MetadataReader<'_>>,
    diff: &BuildDiff,
    methods: &[UpdatedMethod],
    enc_id: Guid,
) -> Result<Generation> {
    let baseline_ids = Identities::new(&baseline.metadata)?;
    let new_ids = Identities::new(&new.metadata)?;
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
    let mut il = IlStream::default();
    let mut updated_methods = Vec::new();
    let mut updated_types = BTreeSet::new();
    let mut ordered: Vec<(Token, &UpdatedMethod)> =
        methods.iter().map(|m| Ok((importer.definition(m.new)?, m))).collect::<Result<_>>()?;
    ordered.sort_by_key(|(t, _)| *t);
    for (chain, m) in ordered {
        let row: MethodDefRow = new.metadata.row(m.new.rid())?;
        let body = new.method_body(row.rva)?;
        let rva = il.add_body(&body, &mut importer)?;
        // The chain's row for this method is the baseline's (definitions are never
        // changed by a body update), written whole with the new RVA and a 0 list.
        let mut raw = baseline.metadata.tables.table(TableId::MethodDef).raw_row(chain.rid())?;
        raw[0] = rva;
        raw[5] = 0;
        importer.tables.set(TableId::MethodDef, chain.rid(), raw)?;
        updated_methods.push((m.display.clone(), chain));
        updated_types.insert(importer.definition(new_ids.owner_of(m.new))?);
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
    let dpdb = super::pdb::write_pdb_delta(&mut importer, new_pdb, methods, enc_id)?;

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
    // `new` becomes the build applied last: its definitions go where the old ones were.
    next.definitions = diff.definitions.next_definition_map(&state.definitions, |t| new.metadata.row_count(t))?;
    Ok(Generation {
        number,
        dmeta,
        dil: il.bytes,
        dpdb,
        updated_methods,
        updated_types: updated_types.into_iter().collect(),
        next,
    })
}
