//! Rewrites tokens of the updated build into tokens of the chain. Definitions map by
//! identity to the rows they already have; references reuse an equal row of the
//! baseline or of an earlier generation, and otherwise become new rows of this delta
//! (with their own references imported recursively). This reuse is a documented
//! difference from Roslyn, which appends fresh reference rows every generation.

use std::collections::HashMap;
use std::rc::Rc;

use super::heaps::DeltaHeaps;
use super::tables::{DeltaTables, row};
use crate::baseline::DefinitionMap;
use crate::diff::{DefinitionMatch, Identities};
use crate::error::{Error, Result};
use crate::metadata::schema::*;
use crate::metadata::signature::{self, Signature};
use crate::metadata::tables::RowCounts;
use crate::metadata::{MetadataReader, Token};

/// Imports tokens of one updated build into the chain while a delta is written.
pub struct Importer<'x, 'a> {
    pub new_ids: &'x Identities<'x, 'a>,
    pub baseline_ids: &'x Identities<'x, 'a>,
    /// How the updated build's definitions correspond to the build applied last's.
    pub matching: &'x DefinitionMatch,
    /// Build-applied-last definition token → chain token.
    pub definitions: &'x DefinitionMap,
    /// Reference rows earlier generations added, by identity key.
    pub earlier_references: &'x HashMap<String, Token>,
    /// Cumulative row counts of the chain, including this delta's rows.
    pub rows: RowCounts,
    pub heaps: DeltaHeaps,
    pub tables: DeltaTables,
    /// Reference rows this delta adds, by identity key.
    pub added_references: Vec<(String, Token)>,
    /// Definitions of the updated build that the chain gets in this delta (or gets
    /// back: a member deleted earlier and added again) → their chain tokens.
    pub added: HashMap<Token, Token>,
    /// The generation being written (suffixes names of added definitions that could
    /// collide with names the chain has, see [`Importer::added_name`]).
    pub generation: u32,
    memo: HashMap<Token, Token>,
    /// Baseline rows by name (TypeRef, MemberRef, AssemblyRef, ModuleRef), built lazily.
    by_name: HashMap<TableId, HashMap<Vec<u8>, Vec<u32>>>,
    /// Baseline rows by key (TypeSpec, MethodSpec), built lazily.
    by_key: HashMap<TableId, HashMap<Rc<str>, u32>>,
}

impl<'x, 'a> Importer<'x, 'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        new_ids: &'x Identities<'x, 'a>,
        baseline_ids: &'x Identities<'x, 'a>,
        matching: &'x DefinitionMatch,
        definitions: &'x DefinitionMap,
        earlier_references: &'x HashMap<String, Token>,
        rows: RowCounts,
        heaps: DeltaHeaps,
    ) -> Self {
        Importer {
            new_ids,
            baseline_ids,
            matching,
            definitions,
            earlier_references,
            rows,
            heaps,
            tables: DeltaTables::default(),
            added_references: Vec::new(),
            added: HashMap::new(),
            generation: 0,
            memo: HashMap::new(),
            by_name: HashMap::new(),
            by_key: HashMap::new(),
        }
    }

    fn new_md(&self) -> &'x MetadataReader<'a> {
        self.new_ids.metadata()
    }

    /// The chain token for `token` of the updated build.
    pub fn import(&mut self, token: Token) -> Result<Token> {
        if token.is_nil() {
            return Ok(token);
        }
        if let Some(&t) = self.memo.get(&token) {
            return Ok(t);
        }
        let table = token.table().ok_or_else(|| Error::malformed("IL", None, "a metadata token", token))?;
        let mapped = match table {
            TableId::TypeDef | TableId::MethodDef | TableId::Field => self.definition(token)?,
            TableId::Module => Token::new(TableId::Module, 1),
            _ => self.reference(table, token)?,
        };
        self.memo.insert(token, mapped);
        Ok(mapped)
    }

    /// The chain token of a definition of the updated build.
    pub fn definition(&self, token: Token) -> Result<Token> {
        if let Some(&t) = self.added.get(&token) {
            return Ok(t);
        }
        self.definitions.chain_token(self.matching.old_token(self.new_ids, token)?)
    }

    /// The next row id of `table` in the chain, taken for a row of this delta.
    pub fn next_row(&mut self, table: TableId) -> Result<Token> {
        let rid = self.rows[table as usize].saturating_add(1);
        // A chain whose table would need a row id past 2^24 cannot be written.
        let token = Token::try_new(table, rid)?;
        self.rows[table as usize] = rid;
        Ok(token)
    }

    /// A reference row named by identity `key`: an equal row of the chain if there is
    /// one, else `columns` appended as a new row of this delta.
    pub fn reference_row(
        &mut self,
        table: TableId,
        name: &[u8],
        key: &str,
        columns: impl FnOnce(&mut Self) -> Result<super::tables::RawRow>,
    ) -> Result<Token> {
        if let Some(&t) = self.earlier_references.get(key) {
            return Ok(t);
        }
        if let Some(&(_, t)) = self.added_references.iter().find(|(k, _)| k == key) {
            return Ok(t);
        }
        if let Some(rid) = self.baseline_row(table, Some(name), key)? {
            return Ok(Token::new(table, rid));
        }
        let raw = columns(self)?;
        let chain = self.next_row(table)?;
        self.tables.set(table, chain.rid(), raw)?;
        self.added_references.push((key.to_string(), chain));
        Ok(chain)
    }

    fn reference(&mut self, table: TableId, token: Token) -> Result<Token> {
        let key = self.new_ids.key(token)?;
        if let Some(&t) = self.earlier_references.get(&*key) {
            return Ok(t);
        }
        let name = match table {
            TableId::TypeRef | TableId::MemberRef | TableId::AssemblyRef | TableId::ModuleRef => {
                let md = self.new_md();
                Some(md.strings.get_bytes(crate::metadata::StringIndex(
                    md.tables.table(table).raw(token.rid(), name_column(table))?,
                ))?)
            }
            _ => None,
        };
        if table != TableId::StandAloneSig
            && let Some(rid) = self.baseline_row(table, name, &key)?
        {
            return Ok(Token::new(table, rid));
        }
        let raw = self.import_columns(table, token)?;
        let chain = self.next_row(table)?;
        self.tables.set(table, chain.rid(), raw)?;
        self.added_references.push((key.to_string(), chain));
        Ok(chain)
    }

    /// An equal reference row of the baseline, if there is one (`name`: the row's name,
    /// for the tables indexed by name).
    fn baseline_row(&mut self, table: TableId, name: Option<&[u8]>, key: &str) -> Result<Option<u32>> {
        let base = self.baseline_ids.metadata();
        match table {
            TableId::TypeRef | TableId::MemberRef | TableId::AssemblyRef | TableId::ModuleRef => {
                let name_column = name_column(table);
                if let std::collections::hash_map::Entry::Vacant(e) = self.by_name.entry(table) {
                    let mut index: HashMap<Vec<u8>, Vec<u32>> = HashMap::new();
                    let t = base.tables.table(table);
                    for rid in 1..=t.row_count() {
                        let name = base.strings.get_bytes(crate::metadata::StringIndex(t.raw(rid, name_column)?))?;
                        index.entry(name.to_vec()).or_default().push(rid);
                    }
                    e.insert(index);
                }
                let candidates = name.and_then(|n| self.by_name[&table].get(n).cloned()).unwrap_or_default();
                for rid in candidates {
                    if &*self.baseline_ids.key(Token::new(table, rid))? == key {
                        return Ok(Some(rid));
                    }
                }
                Ok(None)
            }
            TableId::TypeSpec | TableId::MethodSpec => {
                if !self.by_key.contains_key(&table) {
                    let mut index = HashMap::new();
                    for rid in 1..=base.row_count(table) {
                        index.insert(self.baseline_ids.key(Token::new(table, rid))?, rid);
                    }
                    self.by_key.insert(table, index);
                }
                Ok(self.by_key[&table].get(key).copied())
            }
            _ => Ok(None),
        }
    }

    pub fn string(&mut self, index: crate::metadata::StringIndex) -> Result<u32> {
        let s = self.new_md().string(index)?;
        Ok(self.heaps.string(&s))
    }

    /// The name an added definition `t` is written with: its own, or, for generated code
    /// whose name a definition of the chain may have already (a lambda inserted before
    /// others takes the ordinal of the first, an anonymous type used first takes number
    /// 0: [`Identities::name_may_be_taken`]), that name with `#G`, G this generation
    /// (Roslyn's suffix for what its hot reload adds), so no two types of one name, nor
    /// two members of one type with one name and signature, are in the chain.
    pub fn added_name(&mut self, t: Token, name: crate::metadata::StringIndex) -> Result<u32> {
        let s = self.new_md().string(name)?;
        if !self.new_ids.name_may_be_taken(t) {
            return Ok(self.heaps.string(&s));
        }
        // A generic type's arity suffix stays last: `<>f__AnonymousType0#2`1`.
        let (stem, arity) = s.split_once('`').map_or((&*s, None), |(n, a)| (n, Some(a)));
        let suffixed = match arity {
            Some(a) => format!("{stem}#{}`{a}", self.generation),
            None => format!("{stem}#{}", self.generation),
        };
        Ok(self.heaps.string(&suffixed))
    }

    pub fn blob(&mut self, index: crate::metadata::BlobIndex) -> Result<u32> {
        let b = self.new_md().blob(index)?;
        Ok(self.heaps.blob(b))
    }

    /// Rewrites every token inside a signature blob; returns the new blob's index.
    pub fn signature(&mut self, index: crate::metadata::BlobIndex, type_spec: bool) -> Result<u32> {
        let bytes = self.new_md().blob(index)?;
        let mut sig =
            if type_spec { Signature::Type(signature::decode_type(bytes)?) } else { Signature::decode_any(bytes)? };
        let mut tokens = Vec::new();
        sig.map_tokens(&mut |t| {
            tokens.push(t);
            t
        });
        let mut mapped = HashMap::new();
        for t in tokens {
            let m = self.import(t)?;
            mapped.insert(t, m);
        }
        sig.map_tokens(&mut |t| mapped[&t]);
        Ok(self.heaps.blob(&signature::encode(&sig)?))
    }

    pub fn coded(&mut self, coded: CodedIndex, token: Token) -> Result<u32> {
        let t = self.import(token)?;
        coded.encode(t).ok_or_else(|| Error::Invalid(format!("{t} cannot be encoded as {coded:?}")))
    }

    fn import_columns(&mut self, table: TableId, token: Token) -> Result<super::tables::RawRow> {
        let md = self.new_md();
        let rid = token.rid();
        Ok(match table {
            TableId::AssemblyRef => {
                let r: AssemblyRefRow = md.row(rid)?;
                row(&[
                    r.major as u32,
                    r.minor as u32,
                    r.build as u32,
                    r.revision as u32,
                    r.flags,
                    self.blob(r.public_key_or_token)?,
                    self.string(r.name)?,
                    self.string(r.culture)?,
                    self.blob(r.hash_value)?,
                ])
            }
            TableId::ModuleRef => {
                let r: ModuleRefRow = md.row(rid)?;
                row(&[self.string(r.name)?])
            }
            TableId::TypeRef => {
                let r: TypeRefRow = md.row(rid)?;
                row(&[
                    self.coded(CodedIndex::ResolutionScope, r.resolution_scope)?,
                    self.string(r.name)?,
                    self.string(r.namespace)?,
                ])
            }
            TableId::TypeSpec => {
                let r: TypeSpecRow = md.row(rid)?;
                row(&[self.signature(r.signature, true)?])
            }
            TableId::MemberRef => {
                let r: MemberRefRow = md.row(rid)?;
                row(&[
                    self.coded(CodedIndex::MemberRefParent, r.class)?,
                    self.string(r.name)?,
                    self.signature(r.signature, false)?,
                ])
            }
            TableId::MethodSpec => {
                let r: MethodSpecRow = md.row(rid)?;
                row(&[self.coded(CodedIndex::MethodDefOrRef, r.method)?, self.signature(r.instantiation, false)?])
            }
            TableId::StandAloneSig => {
                let r: StandAloneSigRow = md.row(rid)?;
                row(&[self.signature(r.signature, false)?])
            }
            other => {
                return Err(Error::Invalid(format!(
                    "updated code refers to a {} row ({token}); only references and existing definitions can be imported",
                    other.name()
                )));
            }
        })
    }
}

/// The name column of the reference tables indexed by name.
fn name_column(table: TableId) -> usize {
    match table {
        TableId::AssemblyRef => 6,
        TableId::ModuleRef => 0,
        _ => 1,
    }
}
