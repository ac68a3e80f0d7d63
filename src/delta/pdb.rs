//! The portable-PDB delta (`.dpdb`) of one generation, copied from the updated build's
//! PDB for the methods the metadata delta updates.
//!
//! Layout (as Roslyn writes it): a `#Pdb` stream (id, no entry point, the row counts of
//! the metadata delta's own tables), a `#-` tables stream with fresh heaps, and `#JTD`.
//! Every updated MethodDef gets a MethodDebugInformation row whose EncMap token has the
//! method's chain row id (empty when the PDB has nothing for it); the EncMap lists those
//! tokens only. Document, LocalScope, LocalVariable, LocalConstant, ImportScope,
//! StateMachineMethod and CustomDebugInformation rows are local to the delta (ids from
//! 1), copied on demand.
//!
//! Where a debug row names one of the delta's own methods (LocalScope.Method,
//! StateMachineMethod.MoveNextMethod, a method's CustomDebugInformation parent), it
//! holds the method's *position* in the
//! delta (its MethodDebugInformation row number), not its token: Roslyn writes that, and
//! Mono looks a method's scopes up by the EncMap position of its MethodDebugInformation
//! token. Other type-system tokens (local signatures, kickoff methods, the MoveNext ids
//! in async stepping information, imported types and assemblies, constant types) go
//! through the generation's [`Importer`], so they
//! name the same chain rows as the `.dmeta` and `.dil`.

use std::collections::HashMap;

use super::heaps::{DeltaHeaps, HeapBases};
use super::importer::Importer;
use super::root::minimal_delta_root;
use super::tables::{DeltaTables, row};
use crate::error::{Error, Result};
use crate::metadata::schema::*;
use crate::metadata::{BlobIndex, Guid, GuidIndex, MetadataReader, Token};
use crate::pdb::encode::{map_async_stepping_methods, map_local_constant_signature};
use crate::pdb::{ImportDefinition, cdi_kind, decode_document_name, decode_imports, decode_sequence_points};
use crate::pdb::{encode_document_name, encode_imports, encode_sequence_points};

/// Custom debug information a delta carries, by parent kind. EnC maps (local slots,
/// lambdas, state machine states) stay out: Roslyn writes them only in full PDBs, and
/// the next generation is diffed from builds, not from a delta's maps.
const METHOD_CDI: &[Guid] = &[
    cdi_kind::STATE_MACHINE_HOISTED_LOCAL_SCOPES,
    cdi_kind::ASYNC_METHOD_STEPPING_INFORMATION,
    cdi_kind::PRIMARY_CONSTRUCTOR_INFORMATION,
];
const LOCAL_CDI: &[Guid] = &[cdi_kind::DYNAMIC_LOCAL_VARIABLES, cdi_kind::TUPLE_ELEMENT_NAMES];
const DOCUMENT_CDI: &[Guid] = &[cdi_kind::EMBEDDED_SOURCE];

/// The metadata version string of portable PDBs.
const PDB_VERSION: &str = "PDB v1.0";

/// Writes the `.dpdb` of a generation. `source` is the updated build's portable PDB
/// (`None`: every method gets an empty MethodDebugInformation row); the PDB id is the
/// generation's EncId followed by the stamp of `source`'s id. Call it after every
/// other row of the metadata delta is in `importer` (the `#Pdb` stream counts them),
/// before the metadata delta is serialized (debug rows may import references).
pub fn write_pdb_delta(
    importer: &mut Importer<'_, '_>,
    source: Option<&MetadataReader<'_>>,
    methods: &[(Token, Option<Token>)],
    enc_id: Guid,
) -> Result<Vec<u8>> {
    let mut ordered = methods.to_vec();
    ordered.sort();
    let mut writer = PdbDeltaWriter::new(source, importer);
    for (position, &(chain, new)) in ordered.iter().enumerate() {
        let local = Token::try_new(TableId::MethodDef, position as u32 + 1)?;
        match new {
            Some(new) => writer.method(new, chain, local)?,
            // A deleted method: no source lines.
            None => writer.tables.set(TableId::MethodDebugInformation, chain.rid(), row(&[0, 0]))?,
        }
    }
    writer.finish(enc_id)
}

struct PdbDeltaWriter<'s, 'p, 'i, 'x, 'a> {
    source: Option<&'s MetadataReader<'p>>,
    importer: &'i mut Importer<'x, 'a>,
    tables: DeltaTables,
    heaps: DeltaHeaps,
    guids: HashMap<Guid, u32>,
    /// Source row id → delta row id.
    documents: HashMap<u32, u32>,
    import_scopes: HashMap<u32, u32>,
    /// (Parent as HasCustomDebugInformation, Kind, Value), sorted when written.
    custom: Vec<(u32, u32, u32)>,
}

impl<'s, 'p, 'i, 'x, 'a> PdbDeltaWriter<'s, 'p, 'i, 'x, 'a> {
    fn new(source: Option<&'s MetadataReader<'p>>, importer: &'i mut Importer<'x, 'a>) -> Self {
        PdbDeltaWriter {
            source,
            importer,
            tables: DeltaTables::default(),
            heaps: DeltaHeaps::new(HeapBases::default()),
            guids: HashMap::new(),
            documents: HashMap::new(),
            import_scopes: HashMap::new(),
            custom: Vec::new(),
        }
    }

    fn next_row(&self, table: TableId) -> u32 {
        self.tables.row_count(table) + 1
    }

    fn guid(&mut self, value: Guid) -> u32 {
        if let Some(&at) = self.guids.get(&value) {
            return at;
        }
        let at = self.heaps.guid(value);
        self.guids.insert(value, at);
        at
    }

    fn source_guid(&mut self, source: &MetadataReader<'_>, index: GuidIndex) -> Result<u32> {
        Ok(match source.guid(index)? {
            Some(g) => self.guid(g),
            None => 0,
        })
    }

    fn source_blob(&mut self, source: &MetadataReader<'_>, index: BlobIndex) -> Result<u32> {
        Ok(self.heaps.blob(source.blob(index)?))
    }

    /// The debug rows of one updated method: `new` in the updated build, `chain` in the
    /// chain, `local` its position in the delta (see the module documentation).
    fn method(&mut self, new: Token, chain: Token, local: Token) -> Result<()> {
        let Some(source) = self.source.filter(|s| new.rid() <= s.row_count(TableId::MethodDebugInformation)) else {
            self.tables.set(TableId::MethodDebugInformation, chain.rid(), row(&[0, 0]))?;
            return Ok(());
        };
        let info: MethodDebugInformationRow = source.row(new.rid())?;
        let blob = source.blob(info.sequence_points)?;
        let (document, points) = if blob.is_empty() {
            (0, 0)
        } else {
            let mut decoded = decode_sequence_points(blob, info.document)?;
            for p in &mut decoded.points {
                p.document = Token::new(TableId::Document, self.document(source, p.document.rid())?);
            }
            let local_signature = self.importer.import(decoded.local_signature)?;
            let (document, bytes) = encode_sequence_points(local_signature, &decoded.points)?;
            (document.rid(), self.heaps.blob(&bytes))
        };
        self.tables.set(TableId::MethodDebugInformation, chain.rid(), row(&[document, points]))?;

        for scope in source.equal_range(TableId::LocalScope, 0, new.rid())? {
            self.local_scope(source, scope, local)?;
        }
        if let Some(at) = source.find_row(TableId::StateMachineMethod, 0, new.rid())? {
            let r: StateMachineMethodRow = source.row(at)?;
            let kickoff = self.importer.import(r.kickoff)?;
            self.tables.set(
                TableId::StateMachineMethod,
                self.next_row(TableId::StateMachineMethod),
                row(&[local.rid(), kickoff.rid()]),
            )?;
        }
        self.custom_debug_information(source, new, local, METHOD_CDI)
    }

    /// Copies the custom debug information of `kinds` that `parent` has in the source,
    /// as information of `copy` in the delta.
    fn custom_debug_information(
        &mut self,
        source: &MetadataReader<'_>,
        parent: Token,
        copy: Token,
        kinds: &[Guid],
    ) -> Result<()> {
        let coded = |t: Token| {
            CodedIndex::HasCustomDebugInformation
                .encode(t)
                .ok_or_else(|| Error::Invalid(format!("{t} cannot have custom debug information")))
        };
        for at in source.equal_range(TableId::CustomDebugInformation, 0, coded(parent)?)? {
            let r: CustomDebugInformationRow = source.row(at)?;
            let Some(kind) = source.guid(r.kind)?.filter(|k| kinds.contains(k)) else { continue };
            let value = source.blob(r.value)?;
            let value = if kind == cdi_kind::ASYNC_METHOD_STEPPING_INFORMATION {
                // Current Roslyn writes the MoveNext method's chain row id here (not its position).
                map_async_stepping_methods(value, |t| self.importer.import(t))?
            } else {
                value.to_vec()
            };
            let entry = (coded(copy)?, self.guid(kind), self.heaps.blob(&value));
            self.custom.push(entry);
        }
        Ok(())
    }

    fn local_scope(&mut self, source: &MetadataReader<'_>, rid: u32, method: Token) -> Result<()> {
        let r: LocalScopeRow = source.row(rid)?;
        let import_scope = if r.import_scope.is_nil() { 0 } else { self.import_scope(source, r.import_scope.rid())? };
        let first_variable = self.next_row(TableId::LocalVariable);
        let first_constant = self.next_row(TableId::LocalConstant);
        self.tables.set(
            TableId::LocalScope,
            self.next_row(TableId::LocalScope),
            row(&[method.rid(), import_scope, first_variable, first_constant, r.start_offset, r.length]),
        )?;
        for variable in source.list(TableId::LocalScope, rid, 2)? {
            let v: LocalVariableRow = source.row(variable.rid())?;
            let name = self.heaps.string(&source.string(v.name)?);
            let at = self.next_row(TableId::LocalVariable);
            self.tables.set(TableId::LocalVariable, at, row(&[v.attributes as u32, v.index as u32, name]))?;
            self.custom_debug_information(source, variable, Token::new(TableId::LocalVariable, at), LOCAL_CDI)?;
        }
        for constant in source.list(TableId::LocalScope, rid, 3)? {
            let c: LocalConstantRow = source.row(constant.rid())?;
            let name = self.heaps.string(&source.string(c.name)?);
            let signature = map_local_constant_signature(source.blob(c.signature)?, |t| self.importer.import(t))?;
            let signature = self.heaps.blob(&signature);
            let at = self.next_row(TableId::LocalConstant);
            self.tables.set(TableId::LocalConstant, at, row(&[name, signature]))?;
            self.custom_debug_information(source, constant, Token::new(TableId::LocalConstant, at), LOCAL_CDI)?;
        }
        Ok(())
    }

    /// The delta row of source Document `rid`, copied on first use.
    fn document(&mut self, source: &MetadataReader<'_>, rid: u32) -> Result<u32> {
        if let Some(&at) = self.documents.get(&rid) {
            return Ok(at);
        }
        let d: DocumentRow = source.row(rid)?;
        let name_blob = source.blob(d.name)?;
        let separator = *name_blob
            .first()
            .ok_or_else(|| Error::malformed("document name", None, "a separator byte", "an empty blob"))?;
        let name = decode_document_name(&source.blobs, name_blob)?;
        let name = encode_document_name(&name, separator, |part| self.heaps.blob(part))?;
        let columns = [
            self.heaps.blob(&name),
            self.source_guid(source, d.hash_algorithm)?,
            self.source_blob(source, d.hash)?,
            self.source_guid(source, d.language)?,
        ];
        let at = self.next_row(TableId::Document);
        self.tables.set(TableId::Document, at, row(&columns))?;
        self.documents.insert(rid, at);
        let document = Token::new(TableId::Document, rid);
        self.custom_debug_information(source, document, Token::new(TableId::Document, at), DOCUMENT_CDI)?;
        Ok(at)
    }

    /// The delta row of source ImportScope `rid`, copied with its parents on first use.
    fn import_scope(&mut self, source: &MetadataReader<'_>, rid: u32) -> Result<u32> {
        // The chain up to the first scope already copied (or the root), parents last.
        let mut pending = Vec::new();
        let mut at = rid;
        while at != 0 && !self.import_scopes.contains_key(&at) {
            if pending.contains(&at) || pending.len() > source.row_count(TableId::ImportScope) as usize {
                return Err(Error::malformed("ImportScope", None, "a parent chain without cycles", rid));
            }
            pending.push(at);
            let r: ImportScopeRow = source.row(at)?;
            at = r.parent.rid();
        }
        for &scope in pending.iter().rev() {
            let r: ImportScopeRow = source.row(scope)?;
            let parent = if r.parent.is_nil() { 0 } else { self.import_scopes[&r.parent.rid()] };
            let imports = self.imports(source, r.imports)?;
            let copied = self.next_row(TableId::ImportScope);
            self.tables.set(TableId::ImportScope, copied, row(&[parent, imports]))?;
            self.import_scopes.insert(scope, copied);
        }
        Ok(self.import_scopes[&rid])
    }

    fn imports(&mut self, source: &MetadataReader<'_>, blob: BlobIndex) -> Result<u32> {
        let mut imports: Vec<ImportDefinition> = decode_imports(source.blob(blob)?)?;
        for i in &mut imports {
            i.alias = BlobIndex(self.source_blob(source, i.alias)?);
            i.namespace = BlobIndex(self.source_blob(source, i.namespace)?);
            i.assembly = self.importer.import(i.assembly)?;
            i.target_type = self.importer.import(i.target_type)?;
        }
        let bytes = encode_imports(&imports)?;
        Ok(self.heaps.blob(&bytes))
    }

    fn finish(mut self, enc_id: Guid) -> Result<Vec<u8>> {
        self.custom.sort_by_key(|&(parent, _, _)| parent);
        for (i, &(parent, kind, value)) in self.custom.iter().enumerate() {
            self.tables.set(TableId::CustomDebugInformation, i as u32 + 1, row(&[parent, kind, value]))?;
        }
        let stamp = match self.source.and_then(|s| s.pdb.as_ref()) {
            Some(pdb) => [pdb.id[16], pdb.id[17], pdb.id[18], pdb.id[19]],
            None => [0; 4],
        };
        let mut pdb_stream = Vec::with_capacity(32 + 4 * 64);
        pdb_stream.extend_from_slice(&enc_id.0);
        pdb_stream.extend_from_slice(&stamp);
        // A delta has no entry point of its own.
        pdb_stream.extend_from_slice(&0u32.to_le_bytes());
        // The row counts of the metadata delta's tables, as Roslyn writes them.
        let counted: Vec<(TableId, u32)> = TableId::ALL
            .iter()
            .filter(|t| !t.is_debug() && !matches!(t, TableId::EncLog | TableId::EncMap))
            .map(|&t| (t, self.importer.tables.row_count(t)))
            .filter(|&(_, n)| n > 0)
            .collect();
        let referenced = counted.iter().fold(0u64, |m, (t, _)| m | 1 << (*t as u8));
        pdb_stream.extend_from_slice(&referenced.to_le_bytes());
        for (_, n) in &counted {
            pdb_stream.extend_from_slice(&n.to_le_bytes());
        }

        let tables = self.tables.serialize(false, true);
        Ok(minimal_delta_root(PDB_VERSION, Some(&pdb_stream), &tables, &self.heaps))
    }
}
