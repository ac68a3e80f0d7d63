//! Which definition of the updated build is which definition of the build applied
//! last ([`Pairing`]), and whether two tokens of the two builds name the same entity.
//!
//! Two definitions are the same when their identity keys are equal
//! ([`Identities::key`]). Computing a key per definition of both builds costs tens of
//! milliseconds on a large assembly, for an edit that added one method and shifted
//! every row after it. [`Pairing::by_position`] reaches the same pairing in time
//! proportional to the edit: types by key (they are few), members by their position in
//! their type's lists where names and signatures agree (keys only for the stretch of a
//! list that changed), and it recognises the reference tables whose rows correspond one
//! to one, so most token comparisons are array lookups. tests/diff_paths.rs checks that
//! both ways pair every build pair we have alike.

use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;

use super::body::KeptRows;
use super::identity::Identities;
use super::member_edits::property_or_event_owner;
use super::shared_heaps::SharedHeaps;
use crate::error::Result;
use crate::metadata::schema::*;
use crate::metadata::signature::{self, Signature};
use crate::metadata::tables::TABLE_SLOTS;
use crate::metadata::{BlobIndex, ColumnKind, MetadataReader, StringIndex, Token};

/// The definition tables a pairing covers, in slot order.
pub const DEFINITION_TABLES: [TableId; 5] =
    [TableId::TypeDef, TableId::MethodDef, TableId::Field, TableId::Property, TableId::Event];

/// Reference tables whose rows name only scopes and types (and refer to type
/// definitions and to each other), settled before members are paired.
const TYPE_REFERENCES: [TableId; 4] = [TableId::AssemblyRef, TableId::ModuleRef, TableId::TypeRef, TableId::TypeSpec];
/// Reference tables whose rows can name methods and fields, settled after them.
const MEMBER_REFERENCES: [TableId; 3] = [TableId::MemberRef, TableId::MethodSpec, TableId::StandAloneSig];

fn slot(table: TableId) -> Option<usize> {
    DEFINITION_TABLES.iter().position(|&t| t == table)
}

fn bit(table: TableId) -> u64 {
    1 << (table as u8)
}

/// Blob columns that hold signatures (whose bytes contain tokens).
fn holds_signature(table: TableId, column: usize) -> bool {
    matches!(
        (table, column),
        (TableId::TypeSpec, 0) | (TableId::MemberRef, 2) | (TableId::MethodSpec, 1) | (TableId::StandAloneSig, 0)
    )
}

/// The correspondence between the definitions of two builds.
#[derive(Debug, Default)]
pub struct Pairing {
    /// Per definition table: row of the updated build → row of the build applied last
    /// (0: only the updated build has it).
    new_to_old: [Vec<u32>; 5],
    /// Per definition table: row of the build applied last → row of the updated build.
    old_to_new: [Vec<u32>; 5],
    /// Bit per table number: reference tables whose row `i` names the same entity in
    /// both builds, for every `i`.
    same_rows: u64,
    /// Every TypeDef kept its row number.
    types_kept_rows: bool,
    /// Names and signatures compare by heap offset where the heaps are shared.
    heaps: SharedHeaps,
    /// Names the updated build's keys take from a pairing with the build applied last
    /// (lambdas renumbered by lambdas inserted before them: [`Identities::with_pairing`]).
    pub new_names: HashMap<Token, String>,
}

impl Pairing {
    fn empty(old: &MetadataReader<'_>, new: &MetadataReader<'_>) -> Pairing {
        Pairing {
            new_to_old: DEFINITION_TABLES.map(|t| vec![0; new.row_count(t) as usize + 1]),
            old_to_new: DEFINITION_TABLES.map(|t| vec![0; old.row_count(t) as usize + 1]),
            same_rows: 0,
            types_kept_rows: false,
            heaps: SharedHeaps::new(old, new),
            new_names: HashMap::new(),
        }
    }

    /// Records that definition `old_rid` and `new_rid` of `table` are the same; false
    /// when either already has a partner (two definitions with one key).
    fn link(&mut self, table: TableId, old_rid: u32, new_rid: u32) -> bool {
        let Some(s) = slot(table) else { return false };
        let (Some(&o), Some(&n)) = (self.old_to_new[s].get(old_rid as usize), self.new_to_old[s].get(new_rid as usize))
        else {
            return false;
        };
        if o != 0 || n != 0 {
            return false;
        }
        self.old_to_new[s][old_rid as usize] = new_rid;
        self.new_to_old[s][new_rid as usize] = old_rid;
        true
    }

    /// Pairs definitions with equal keys (`old` and `new`: key → token of each build).
    pub fn from_keys(
        old_md: &MetadataReader<'_>,
        new_md: &MetadataReader<'_>,
        old: &HashMap<Rc<str>, Token>,
        new: &HashMap<Rc<str>, Token>,
    ) -> Pairing {
        let mut pairing = Pairing::empty(old_md, new_md);
        for (key, &n) in new {
            if let (Some(&o), Some(table)) = (old.get(key), n.table()) {
                pairing.link(table, o.rid(), n.rid());
            }
        }
        pairing
    }

    /// The build applied last's definition that `new` (a definition of the updated
    /// build) is, if it has one.
    pub fn old_of(&self, new: Token) -> Option<Token> {
        let s = slot(new.table()?)?;
        let rid = *self.new_to_old[s].get(new.rid() as usize)?;
        (rid != 0).then(|| Token::new(DEFINITION_TABLES[s], rid))
    }

    /// The updated build's definition that `old` is, if it has one.
    pub fn new_of(&self, old: Token) -> Option<Token> {
        let s = slot(old.table()?)?;
        let rid = *self.old_to_new[s].get(old.rid() as usize)?;
        (rid != 0).then(|| Token::new(DEFINITION_TABLES[s], rid))
    }

    /// (old, new) of every paired definition of `table`, in the updated build's order.
    pub fn pairs(&self, table: TableId) -> impl Iterator<Item = (Token, Token)> + '_ {
        let s = slot(table);
        let map: &[u32] = s.map_or(&[], |s| &self.new_to_old[s]);
        map.iter()
            .enumerate()
            .skip(1)
            .filter(|&(_, &o)| o != 0)
            .map(move |(n, &o)| (Token::new(table, o), Token::new(table, n as u32)))
    }

    /// Definitions of `table` that only the updated build has (`new`) or only the build
    /// applied last has (`!new`).
    pub fn unpaired(&self, table: TableId, new: bool) -> impl Iterator<Item = Token> + '_ {
        let s = slot(table);
        let map: &[u32] = match s {
            Some(s) if new => &self.new_to_old[s],
            Some(s) => &self.old_to_new[s],
            None => &[],
        };
        map.iter().enumerate().skip(1).filter(|&(_, &o)| o == 0).map(move |(rid, _)| Token::new(table, rid as u32))
    }

    /// How the heaps of the two builds compare.
    pub fn heaps(&self) -> &SharedHeaps {
        &self.heaps
    }

    fn keeps_rows(&self, table: TableId) -> bool {
        self.same_rows & bit(table) != 0
    }

    /// Whether `p` of the build applied last and `q` of the updated build name the same
    /// entity (have the same identity key).
    pub fn same_token(&self, old: &Identities<'_, '_>, new: &Identities<'_, '_>, p: Token, q: Token) -> Result<bool> {
        if let Some(table) = q.table().filter(|_| p.kind() == q.kind()) {
            if p.is_nil() || q.is_nil() {
                return Ok(p == q);
            }
            if let Some(s) = slot(table) {
                return Ok(self.new_to_old[s].get(q.rid() as usize) == Some(&p.rid()));
            }
            if self.keeps_rows(table) {
                return Ok(p.rid() == q.rid());
            }
        }
        Ok(old.key(p)? == new.key(q)?)
    }

    /// For bodies compared under this pairing: per table, the row ids below which
    /// [`Pairing::same_token`] of a token with itself is true without a key. A
    /// definition table's rows keep their meaning up to the first row the pairing does
    /// not leave in place (an insertion shifts the rows after it), a reference table
    /// that keeps its rows keeps all of them, and of other tables only nil.
    pub fn kept_rows(&self) -> KeptRows {
        let mut below = [0u32; 256];
        for (index, slot_below) in below.iter_mut().enumerate().take(TABLE_SLOTS) {
            let Some(table) = TableId::from_index(index as u8) else { continue };
            *slot_below = match slot(table) {
                Some(s) => {
                    let map = &self.new_to_old[s];
                    (1..map.len()).find(|&rid| map[rid] as usize != rid).unwrap_or(map.len()) as u32
                }
                None if self.keeps_rows(table) => u32::MAX,
                None => 1,
            };
        }
        KeptRows::new(below)
    }

    /// Pairs the definitions of two builds as identity keys would, without a key per
    /// definition (see the module comment). `None` when the builds are outside what this
    /// handles (pointer tables, or two definitions with one key): then pair by key.
    pub fn by_position(old: &Identities<'_, '_>, new: &Identities<'_, '_>) -> Result<Option<Pairing>> {
        let (om, nm) = (old.metadata(), new.metadata());
        let pointers =
            [TableId::FieldPtr, TableId::MethodPtr, TableId::ParamPtr, TableId::PropertyPtr, TableId::EventPtr];
        if pointers.iter().any(|&t| om.row_count(t) > 0 || nm.row_count(t) > 0) {
            return Ok(None);
        }
        let mut pairing = Pairing::empty(om, nm);
        let b = Both { old, new };

        // Types by key: nested types, line-named F# closures and renamed types all
        // come out right, and there are far fewer types than members.
        let mut types = HashMap::with_capacity(om.row_count(TableId::TypeDef) as usize);
        for rid in 1..=om.row_count(TableId::TypeDef) {
            if types.insert(old.key(Token::new(TableId::TypeDef, rid))?, rid).is_some() {
                return Ok(None);
            }
        }
        for rid in 1..=nm.row_count(TableId::TypeDef) {
            if let Some(&o) = types.get(&new.key(Token::new(TableId::TypeDef, rid))?)
                && !pairing.link(TableId::TypeDef, o, rid)
            {
                return Ok(None);
            }
        }
        pairing.types_kept_rows = om.row_count(TableId::TypeDef) == nm.row_count(TableId::TypeDef)
            && pairing.new_to_old[0].iter().enumerate().skip(1).all(|(n, &o)| o as usize == n);
        pairing.settle(&b, &TYPE_REFERENCES)?;

        let type_pairs: Vec<(u32, u32)> = pairing.pairs(TableId::TypeDef).map(|(o, n)| (o.rid(), n.rid())).collect();
        let (old_props, new_props) = (map_rows(om, TableId::PropertyMap)?, map_rows(nm, TableId::PropertyMap)?);
        let (old_events, new_events) = (map_rows(om, TableId::EventMap)?, map_rows(nm, TableId::EventMap)?);
        for &(o, n) in &type_pairs {
            let lists = [
                (TableId::MethodDef, om.list_range(TableId::TypeDef, o, 5)?, nm.list_range(TableId::TypeDef, n, 5)?),
                (TableId::Field, om.list_range(TableId::TypeDef, o, 4)?, nm.list_range(TableId::TypeDef, n, 4)?),
                (
                    TableId::Property,
                    list_of(om, TableId::PropertyMap, &old_props, o)?,
                    list_of(nm, TableId::PropertyMap, &new_props, n)?,
                ),
                (
                    TableId::Event,
                    list_of(om, TableId::EventMap, &old_events, o)?,
                    list_of(nm, TableId::EventMap, &new_events, n)?,
                ),
            ];
            for (table, a, b_range) in lists {
                if !pairing.pair_list(&b, table, a, b_range)? {
                    return Ok(None);
                }
            }
        }
        pairing.settle(&b, &MEMBER_REFERENCES)?;
        Ok(Some(pairing))
    }

    /// Pairs one type's members of `table` (rows `a` of the old build, `b` of the new):
    /// the common prefix and suffix by position where keys agree, the rest by key.
    /// False when two members of one build share a key.
    fn pair_list(&mut self, both: &Both<'_, '_, '_>, table: TableId, a: Range<u32>, b: Range<u32>) -> Result<bool> {
        let (mut a, mut b) = (a, b);
        while !a.is_empty() && !b.is_empty() && self.same_member(both, table, a.start, b.start)? {
            if !self.link(table, a.start, b.start) {
                return Ok(false);
            }
            a.start += 1;
            b.start += 1;
        }
        while !a.is_empty() && !b.is_empty() && self.same_member(both, table, a.end - 1, b.end - 1)? {
            if !self.link(table, a.end - 1, b.end - 1) {
                return Ok(false);
            }
            a.end -= 1;
            b.end -= 1;
        }
        if a.is_empty() || b.is_empty() {
            return Ok(true);
        }
        // The stretch that changed: by key, as the general comparison does.
        let mut keys = HashMap::with_capacity(a.len());
        for rid in a {
            if keys.insert(key_within_type(both.old, table, rid)?, rid).is_some() {
                return Ok(false);
            }
        }
        for rid in b {
            if let Some(&o) = keys.get(&key_within_type(both.new, table, rid)?)
                && !self.link(table, o, rid)
            {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Whether member `o` of the old build and `n` of the new build (same table, owners
    /// paired) have the same key: the same name and, for methods and fields, the same
    /// signature.
    fn same_member(&self, both: &Both<'_, '_, '_>, table: TableId, o: u32, n: u32) -> Result<bool> {
        let (om, nm) = (both.old.metadata(), both.new.metadata());
        let (name_column, signature_column) = match table {
            TableId::MethodDef => (3, Some(4)),
            TableId::Field => (1, Some(2)),
            _ => (1, None),
        };
        let (x, y) = (om.tables.table(table), nm.tables.table(table));
        let (ot, nt) = (Token::new(table, o), Token::new(table, n));
        // Generated definitions are keyed by a name of their own (line-free, stable or
        // paired); the others by their metadata name.
        let same_name = match (both.old.renamed(ot), both.new.renamed(nt)) {
            (false, false) => self.heaps.same_string(
                om,
                nm,
                StringIndex(x.raw(o, name_column)?),
                StringIndex(y.raw(n, name_column)?),
            )?,
            _ if table == TableId::MethodDef || table == TableId::Field => {
                both.old.key_name(ot)? == both.new.key_name(nt)?
            }
            _ => false,
        };
        if !same_name {
            return Ok(false);
        }
        let Some(column) = signature_column else { return Ok(true) };
        self.same_signature(both.old, both.new, BlobIndex(x.raw(o, column)?), BlobIndex(y.raw(n, column)?))
    }

    /// Whether signature `p` of the old build and `q` of the new build have the same
    /// key: equal bytes while types and type references kept their rows, else by key.
    pub fn same_signature(
        &self,
        old: &Identities<'_, '_>,
        new: &Identities<'_, '_>,
        p: BlobIndex,
        q: BlobIndex,
    ) -> Result<bool> {
        if self.types_kept_rows
            && self.keeps_rows(TableId::TypeRef)
            && self.keeps_rows(TableId::TypeSpec)
            && self.heaps.same_blob(old.metadata(), new.metadata(), p, q)?
        {
            return Ok(true);
        }
        Ok(old.blob_signature_key(p)? == new.blob_signature_key(q)?)
    }

    /// Marks which of `tables` (reference tables) keep their rows: each is assumed to
    /// until one of its rows differs given the others' assumptions, which is dropped
    /// then, until nothing changes (the largest consistent set).
    fn settle(&mut self, both: &Both<'_, '_, '_>, tables: &[TableId]) -> Result<()> {
        let (om, nm) = (both.old.metadata(), both.new.metadata());
        let mut candidates: Vec<TableId> =
            tables.iter().copied().filter(|&t| om.row_count(t) == nm.row_count(t)).collect();
        for &t in &candidates {
            self.same_rows |= bit(t);
        }
        loop {
            let mut failing = None;
            for &t in &candidates {
                if !self.rows_correspond(both, t)? {
                    failing = Some(t);
                    break;
                }
            }
            let Some(t) = failing else { return Ok(()) };
            self.same_rows &= !bit(t);
            candidates.retain(|&c| c != t);
        }
    }

    /// Whether every row `i` of reference table `table` names in the new build what row
    /// `i` names in the old one, given the current assumptions.
    fn rows_correspond(&self, both: &Both<'_, '_, '_>, table: TableId) -> Result<bool> {
        let (om, nm) = (both.old.metadata(), both.new.metadata());
        let (x, y) = (om.tables.table(table), nm.tables.table(table));
        let columns = table.columns();
        for rid in 1..=x.row_count() {
            let (p, q) = (x.raw_row(rid)?, y.raw_row(rid)?);
            for (c, column) in columns.iter().enumerate() {
                let (u, v) = (p[c], q[c]);
                let same = match column.kind {
                    ColumnKind::String => self.heaps.same_string(om, nm, StringIndex(u), StringIndex(v))?,
                    ColumnKind::Blob => {
                        let (s, t) = (om.blob(BlobIndex(u))?, nm.blob(BlobIndex(v))?);
                        s == t && (!holds_signature(table, c) || self.signature_kept(table, s)?)
                    }
                    ColumnKind::Table(target) => self.same_raw_reference(Token::new(target, u), Token::new(target, v)),
                    ColumnKind::Coded(coded) => match (coded.decode(u), coded.decode(v)) {
                        (Some(s), Some(t)) => self.same_raw_reference(s, t),
                        _ => false,
                    },
                    _ => u == v,
                };
                if !same {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    /// Within [`Pairing::rows_correspond`]: tokens that name the same entity given the
    /// current assumptions (paired definitions, reference tables assumed to keep rows).
    fn same_raw_reference(&self, p: Token, q: Token) -> bool {
        let Some(table) = q.table().filter(|_| p.kind() == q.kind()) else { return false };
        if p.is_nil() || q.is_nil() {
            return p == q;
        }
        match slot(table) {
            Some(s) => self.new_to_old[s].get(q.rid() as usize) == Some(&p.rid()),
            None => (self.keeps_rows(table) || table == TableId::Module) && p.rid() == q.rid(),
        }
    }

    /// Whether the tokens inside a signature whose bytes are equal in both builds name
    /// the same entities.
    fn signature_kept(&self, table: TableId, blob: &[u8]) -> Result<bool> {
        if self.types_kept_rows && self.keeps_rows(TableId::TypeRef) && self.keeps_rows(TableId::TypeSpec) {
            return Ok(true);
        }
        // As the identity keys decode them: a TypeSpec holds a bare type, a MethodSpec
        // an instantiation; the others start with a calling convention.
        let mut sig = match table {
            TableId::TypeSpec => Signature::Type(signature::decode_type(blob)?),
            TableId::MethodSpec => Signature::MethodSpec(signature::decode_method_spec(blob)?),
            _ => Signature::decode_any(blob)?,
        };
        let mut kept = true;
        sig.map_tokens(&mut |t| {
            kept &= self.same_raw_reference(t, t);
            t
        });
        Ok(kept)
    }
}

struct Both<'x, 'm, 'a> {
    old: &'x Identities<'m, 'a>,
    new: &'x Identities<'m, 'a>,
}

/// TypeDef rid → PropertyMap (or EventMap) row of that type (0: none).
fn map_rows(md: &MetadataReader<'_>, map: TableId) -> Result<Vec<u32>> {
    let mut out = vec![0; md.row_count(TableId::TypeDef) as usize + 1];
    for rid in 1..=md.row_count(map) {
        let parent = md.tables.table(map).raw(rid, 0)?;
        if let Some(slot) = out.get_mut(parent as usize) {
            *slot = rid;
        }
    }
    Ok(out)
}

/// What tells members of one type apart: the identity key of a method or field, the
/// name of a property or event.
fn key_within_type(ids: &Identities<'_, '_>, table: TableId, rid: u32) -> Result<Rc<str>> {
    let md = ids.metadata();
    match table {
        TableId::Property | TableId::Event => Ok(md.string(StringIndex(md.tables.table(table).raw(rid, 1)?))?.into()),
        _ => ids.key(Token::new(table, rid)),
    }
}

/// The properties (or events) of type `owner`, given [`map_rows`].
fn list_of(md: &MetadataReader<'_>, map: TableId, rows: &[u32], owner: u32) -> Result<Range<u32>> {
    match rows.get(owner as usize) {
        Some(&rid) if rid != 0 => md.list_range(map, rid, 1),
        _ => Ok(1..1),
    }
}

/// The key a definition is matched by: its identity key for types, methods and fields;
/// [`property_or_event_key`] for properties and events, which have no identity key of
/// their own.
pub fn definition_key(ids: &Identities<'_, '_>, t: Token) -> Result<Rc<str>> {
    if !matches!(t.table(), Some(TableId::Property | TableId::Event)) {
        return ids.key(t);
    }
    match property_or_event_owner(ids.metadata(), t)? {
        Some(owner) => Ok(property_or_event_key(ids, t, owner)?.into()),
        None => Ok(format!("{t} (no declaring type)").into()),
    }
}

/// `Property:OWNER::NAME` (or `Event:`): a property or event is its type's by name.
pub fn property_or_event_key(ids: &Identities<'_, '_>, member: Token, owner: Token) -> Result<String> {
    let md = ids.metadata();
    let (table, name) = match member.table() {
        Some(TableId::Property) => (TableId::Property, md.row::<PropertyRow>(member.rid())?.name),
        Some(TableId::Event) => (TableId::Event, md.row::<EventRow>(member.rid())?.name),
        _ => return Err(crate::error::Error::Invalid(format!("{member} is not a property or an event"))),
    };
    Ok(format!("{}:{}::{}", table.name(), ids.key(owner)?, md.string(name)?))
}
