//! Identity keys: a string per metadata entity that names it independently of row
//! numbers and heap offsets, so the same definition or reference in two builds (or in
//! the baseline and a later build) gets the same key. Keys are memoized per token.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write;
use std::rc::Rc;

use super::display_class::display_class_parts;
use super::renumbered::{ADDED_MARK, ANONYMOUS_TYPE, StableName, StableNames, stable_names};
use crate::assembly::Assembly;
use crate::error::{Error, Result};
use crate::metadata::schema::*;
use crate::metadata::signature::{self, MethodSig, Signature, TypeSig};
use crate::metadata::{MetadataReader, Token};

/// Deepest nesting of keys inside keys (real metadata stays far below).
const MAX_KEY_DEPTH: u32 = 256;

/// Computes and caches identity keys over one metadata.
pub struct Identities<'m, 'a> {
    md: &'m MetadataReader<'a>,
    cache: RefCell<HashMap<Token, Rc<str>>>,
    /// How many keys are being computed inside each other right now.
    depth: std::cell::Cell<u32>,
    /// Signature blob offset → signature key: many members share one signature blob.
    signatures: RefCell<HashMap<u32, Rc<str>>>,
    /// TypeDef rid → enclosing TypeDef rid (0 when top level).
    enclosing: Vec<u32>,
    /// MethodDef / Field rid → declaring TypeDef rid.
    method_owner: Vec<u32>,
    field_owner: Vec<u32>,
    /// Line-free names of F# generated definitions (see [`line_free_names`]).
    line_free: HashMap<Token, LineFree>,
    /// Names of Roslyn generated definitions that do not move when the compiler
    /// renumbers ([`super::renumbered::stable_names`]).
    stable: StableNames,
    /// Names a pairing with another build gave ([`super::renumbered::pair_inserted_lambdas`]);
    /// they win over every other name.
    paired: HashMap<Token, String>,
}

/// The name an F# generated definition is keyed by: its stem and its rank among the
/// definitions of the same owner and stem, ordered by source line, instead of the
/// line itself. `scale@3` and, after a line is inserted above it, `scale@4` are the
/// same closure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineFree {
    pub name: String,
    /// How many definitions share the owner and stem (1: the stem alone identifies it).
    pub group_size: usize,
    /// Identifies the group: (table, owner rid, stem).
    pub group: (TableId, u32, String),
}

impl<'m, 'a> Identities<'m, 'a> {
    /// The identities of `asm`'s definitions. Its method bodies are read too: they
    /// prove which method a Roslyn display class belongs to.
    pub fn new(asm: &'m Assembly<'a>) -> Result<Self> {
        Self::with_pairing(asm, HashMap::new())
    }

    /// Identities whose definitions in `paired` are keyed by the name given there.
    pub fn with_pairing(asm: &'m Assembly<'a>, paired: HashMap<Token, String>) -> Result<Self> {
        let md = &asm.metadata;
        let types = md.row_count(TableId::TypeDef);
        let mut enclosing = vec![0u32; types as usize + 1];
        for (_, row) in md.tables.rows::<NestedClassRow>() {
            let row = row?;
            if let Some(slot) = enclosing.get_mut(row.nested.rid() as usize) {
                *slot = row.enclosing.rid();
            }
        }
        let mut method_owner = vec![0u32; md.row_count(TableId::MethodDef) as usize + 1];
        let mut field_owner = vec![0u32; md.row_count(TableId::Field) as usize + 1];
        for rid in 1..=types {
            for (owner, column) in [(&mut field_owner, 4), (&mut method_owner, 5)] {
                for t in md.list(TableId::TypeDef, rid, column)? {
                    if let Some(slot) = owner.get_mut(t.rid() as usize) {
                        *slot = rid;
                    }
                }
            }
        }
        let line_free = line_free_names(md, &enclosing, &field_owner, &method_owner)?;
        let stable = stable_names(asm, &enclosing, &method_owner, &field_owner)?;
        Ok(Identities {
            md,
            cache: RefCell::new(HashMap::new()),
            depth: std::cell::Cell::new(0),
            signatures: RefCell::new(HashMap::new()),
            enclosing,
            method_owner,
            field_owner,
            line_free,
            stable,
            paired,
        })
    }

    /// Whether an added `token` may carry a name that a definition of the chain has
    /// already: generated code that a pairing with the build applied last found new
    /// while its name is an old lambda's, an anonymous type (the chain keeps the names
    /// types had when added, and anonymous types are numbered by order of use), or a
    /// display class (numbered by its method's position: a method added above takes
    /// the number of the one below). The chain must hold it under another name.
    pub fn name_may_be_taken(&self, token: Token) -> bool {
        self.paired.get(&token).is_some_and(|n| n.ends_with(ADDED_MARK))
            || matches!(self.stable.names.get(&token), Some(StableName::Fixed(n)) if n.starts_with(ANONYMOUS_TYPE))
            || self.is_display_class(token)
    }

    /// Whether `token` is a TypeDef named like a Roslyn display class.
    fn is_display_class(&self, token: Token) -> bool {
        token.table() == Some(TableId::TypeDef)
            && self
                .md
                .row::<TypeDefRow>(token.rid())
                .and_then(|r| self.md.string(r.name))
                .is_ok_and(|n| display_class_parts(&n).is_some())
    }

    /// Whether a definition is keyed by another name than its metadata name (a pairing's,
    /// a line-free or a stable one).
    pub fn renamed(&self, token: Token) -> bool {
        self.paired.contains_key(&token)
            || self.line_free.contains_key(&token)
            || self.stable.names.contains_key(&token)
    }

    /// The stable name of a Roslyn generated definition, if it has one.
    pub fn stable_name(&self, token: Token) -> Option<&StableName> {
        self.stable.names.get(&token)
    }

    /// The names a pairing gave (see [`Identities::with_pairing`]).
    pub fn pairing(&self) -> &HashMap<Token, String> {
        &self.paired
    }

    /// The name a TypeDef, MethodDef or Field is keyed by.
    pub fn key_name(&self, token: Token) -> Result<String> {
        let md = self.md;
        let name = match token.table() {
            Some(TableId::TypeDef) => md.row::<TypeDefRow>(token.rid())?.name,
            Some(TableId::MethodDef) => md.row::<MethodDefRow>(token.rid())?.name,
            Some(TableId::Field) => md.row::<FieldRow>(token.rid())?.name,
            _ => return Err(Error::Invalid(format!("{token} is not a named definition"))),
        };
        Ok(self.def_name(token, name)?.into_owned())
    }

    /// The signature key of a MethodDef or Field.
    pub fn signature_of(&self, token: Token) -> Result<Rc<str>> {
        let blob = match token.table() {
            Some(TableId::MethodDef) => self.md.row::<MethodDefRow>(token.rid())?.signature,
            Some(TableId::Field) => self.md.row::<FieldRow>(token.rid())?.signature,
            _ => return Err(Error::Invalid(format!("{token} has no signature"))),
        };
        self.blob_signature_key(blob)
    }

    /// The value of custom attribute `rid` as compared between builds: its bytes, or
    /// for a state machine attribute, the key of the type it names (the name in the
    /// bytes moves when the compiler renumbers state machines).
    pub fn attribute_value(&self, rid: u32, value: &[u8]) -> Result<Vec<u8>> {
        match self.stable.state_machine_attributes.get(&rid) {
            Some(&machine) => Ok(format!("state machine {}", self.key(machine)?).into_bytes()),
            None => Ok(value.to_vec()),
        }
    }

    /// The line-free name of an F# generated definition, if `token` is one.
    pub fn line_free(&self, token: Token) -> Option<&LineFree> {
        self.line_free.get(&token)
    }

    /// The name a definition is keyed by: its own, or its line-free one.
    fn def_name(&self, token: Token, name: crate::metadata::StringIndex) -> Result<std::borrow::Cow<'a, str>> {
        use std::borrow::Cow::Owned;
        if let Some(n) = self.paired.get(&token) {
            return Ok(Owned(n.clone()));
        }
        if let Some(lf) = self.line_free.get(&token) {
            return Ok(Owned(lf.name.clone()));
        }
        match self.stable.names.get(&token) {
            Some(StableName::Fixed(n)) => Ok(Owned(n.clone())),
            Some(StableName::StateMachineOf(kickoff)) => {
                Ok(Owned(format!("<state machine of {}>", self.key(*kickoff)?)))
            }
            Some(StableName::ClosureOf { creator, scope }) => {
                Ok(Owned(format!("<closure {scope} of {}>", self.key(*creator)?)))
            }
            None => self.string(name),
        }
    }

    pub fn metadata(&self) -> &'m MetadataReader<'a> {
        self.md
    }

    /// The type a nested TypeDef is declared in (`None` at top level, or for a type
    /// that names itself as its enclosing type).
    pub fn enclosing_type(&self, nested: Token) -> Option<Token> {
        let outer = self.enclosing.get(nested.rid() as usize).copied().unwrap_or(0);
        (outer != 0 && outer != nested.rid()).then(|| Token::new(TableId::TypeDef, outer))
    }

    /// The declaring type of a MethodDef or Field.
    pub fn owner_of(&self, member: Token) -> Token {
        let rid = match member.table() {
            Some(TableId::MethodDef) => self.method_owner.get(member.rid() as usize).copied().unwrap_or(0),
            Some(TableId::Field) => self.field_owner.get(member.rid() as usize).copied().unwrap_or(0),
            _ => 0,
        };
        Token::new(TableId::TypeDef, rid)
    }

    /// The identity key of `token`.
    pub fn key(&self, token: Token) -> Result<Rc<str>> {
        if let Some(k) = self.cache.borrow().get(&token) {
            return Ok(k.clone());
        }
        // Keys nest (enclosing types, resolution scopes, signatures); hostile metadata
        // can make them cycle, which must end in an error, not a stack overflow.
        let depth = self.depth.get();
        if depth >= MAX_KEY_DEPTH {
            return Err(Error::malformed(
                "metadata",
                None,
                format!("entities nested at most {MAX_KEY_DEPTH} deep"),
                format_args!("a deeper (or cyclic) nesting at {token}"),
            ));
        }
        self.depth.set(depth + 1);
        let computed = self.compute(token);
        self.depth.set(depth);
        let key: Rc<str> = computed?.into();
        self.cache.borrow_mut().insert(token, key.clone());
        Ok(key)
    }

    fn string(&self, index: crate::metadata::StringIndex) -> Result<std::borrow::Cow<'a, str>> {
        self.md.string(index)
    }

    fn compute(&self, token: Token) -> Result<String> {
        let md = self.md;
        let rid = token.rid();
        if token.is_nil() {
            return Ok("nil".into());
        }
        let table = token.table().ok_or_else(|| Error::malformed("token", None, "a metadata table token", token))?;
        Ok(match table {
            TableId::Module => "module".into(),
            TableId::TypeDef => {
                let r: TypeDefRow = md.row(rid)?;
                if let Some(outer) = self.enclosing_type(token) {
                    format!("{}/{}", self.key(outer)?, self.def_name(token, r.name)?)
                } else {
                    format!("T:{}.{}", self.string(r.namespace)?, self.def_name(token, r.name)?)
                }
            }
            TableId::TypeRef => {
                let r: TypeRefRow = md.row(rid)?;
                let scope = r.resolution_scope;
                match scope.table() {
                    Some(TableId::TypeRef) => format!("{}/{}", self.key(scope)?, self.string(r.name)?),
                    // A TypeRef scoped to this module names one of its TypeDefs.
                    Some(TableId::Module) => format!("T:{}.{}", self.string(r.namespace)?, self.string(r.name)?),
                    _ => format!("{}T:{}.{}", self.key(scope)?, self.string(r.namespace)?, self.string(r.name)?),
                }
            }
            TableId::AssemblyRef => {
                let r: AssemblyRefRow = md.row(rid)?;
                let mut k = format!("[{}", self.string(r.name)?);
                let _ = write!(k, ",{}.{}.{}.{},{},", r.major, r.minor, r.build, r.revision, self.string(r.culture)?);
                crate::dump::format::hex(&mut k, md.blob(r.public_key_or_token)?);
                let _ = write!(k, ",{}]", r.flags & 1);
                k
            }
            TableId::ModuleRef => format!("[module {}]", self.string(md.row::<ModuleRefRow>(rid)?.name)?),
            TableId::TypeSpec => {
                let r: TypeSpecRow = md.row(rid)?;
                format!("S:{}", self.signature_key(&Signature::Type(signature::decode_type(md.blob(r.signature)?)?))?)
            }
            TableId::MethodDef => {
                let r: MethodDefRow = md.row(rid)?;
                format!(
                    "M:{}::{}:{}",
                    self.key(self.owner_of(token))?,
                    self.def_name(token, r.name)?,
                    self.blob_signature_key(r.signature)?
                )
            }
            TableId::Field => {
                let r: FieldRow = md.row(rid)?;
                format!(
                    "F:{}::{}:{}",
                    self.key(self.owner_of(token))?,
                    self.def_name(token, r.name)?,
                    self.blob_signature_key(r.signature)?
                )
            }
            TableId::MemberRef => {
                let r: MemberRefRow = md.row(rid)?;
                format!("R:{}::{}:{}", self.key(r.class)?, self.string(r.name)?, self.blob_signature_key(r.signature)?)
            }
            TableId::MethodSpec => {
                let r: MethodSpecRow = md.row(rid)?;
                let inst = Signature::MethodSpec(signature::decode_method_spec(md.blob(r.instantiation)?)?);
                format!("I:{}<{}>", self.key(r.method)?, self.signature_key(&inst)?)
            }
            TableId::StandAloneSig => {
                let r: StandAloneSigRow = md.row(rid)?;
                format!("L:{}", self.blob_signature_key(r.signature)?)
            }
            TableId::Param => {
                // Params are identified through their method: found by scanning lists.
                format!("P#{rid}")
            }
            other => format!("{}#{rid}", other.name()),
        })
    }

    /// The key of the signature stored at `index`, memoized: the key depends only on
    /// the blob's bytes and the keys of the tokens in it.
    pub(crate) fn blob_signature_key(&self, index: crate::metadata::BlobIndex) -> Result<Rc<str>> {
        if let Some(k) = self.signatures.borrow().get(&index.0) {
            return Ok(k.clone());
        }
        let key: Rc<str> = self.signature_key(&Signature::decode_any(self.md.blob(index)?)?)?.into();
        self.signatures.borrow_mut().insert(index.0, key.clone());
        Ok(key)
    }

    /// The signature with every token replaced by its key.
    pub fn signature_key(&self, sig: &Signature) -> Result<String> {
        let mut out = String::new();
        match sig {
            Signature::Field(t) => {
                out.push_str("field ");
                self.type_key(&mut out, t)?;
            }
            Signature::Method(m) | Signature::Property(m) => self.method_key(&mut out, m)?,
            Signature::Locals(ts) | Signature::MethodSpec(ts) => {
                out.push_str(if matches!(sig, Signature::Locals(_)) { "locals(" } else { "(" });
                for t in ts {
                    self.type_key(&mut out, t)?;
                    out.push(',');
                }
                out.push(')');
            }
            Signature::Type(t) => self.type_key(&mut out, t)?,
        }
        Ok(out)
    }

    fn method_key(&self, out: &mut String, m: &MethodSig) -> Result<()> {
        let _ = write!(out, "{:#x}`{}(", m.header, m.generic_count);
        for (i, p) in m.params.iter().enumerate() {
            if m.sentinel == Some(i as u32) {
                out.push_str("...,");
            }
            self.type_key(out, p)?;
            out.push(',');
        }
        out.push_str(")->");
        self.type_key(out, &m.ret)
    }

    fn type_key(&self, out: &mut String, t: &TypeSig) -> Result<()> {
        match t {
            TypeSig::Primitive(c) => {
                let _ = write!(out, "{c:#x}");
            }
            TypeSig::Class(tok) | TypeSig::ValueType(tok) => {
                out.push_str(if matches!(t, TypeSig::Class(_)) { "class " } else { "vt " });
                out.push_str(&self.key(*tok)?);
            }
            TypeSig::Ptr(i) | TypeSig::ByRef(i) | TypeSig::SzArray(i) | TypeSig::Pinned(i) => {
                out.push_str(match t {
                    TypeSig::Ptr(_) => "ptr ",
                    TypeSig::ByRef(_) => "ref ",
                    TypeSig::SzArray(_) => "[] ",
                    _ => "pinned ",
                });
                self.type_key(out, i)?;
            }
            TypeSig::Array(a) => {
                let _ = write!(out, "array{}{:?}{:?} ", a.rank, a.sizes, a.lower_bounds);
                self.type_key(out, &a.element)?;
            }
            TypeSig::GenericInst { value_type, generic, args } => {
                let _ = write!(out, "inst{} {}<", *value_type as u8, self.key(*generic)?);
                for a in args {
                    self.type_key(out, a)?;
                    out.push(',');
                }
                out.push('>');
            }
            TypeSig::Var(n) => {
                let _ = write!(out, "!{n}");
            }
            TypeSig::MVar(n) => {
                let _ = write!(out, "!!{n}");
            }
            TypeSig::FnPtr(m) => {
                out.push_str("fnptr ");
                self.method_key(out, m)?;
            }
            TypeSig::Modified { required, modifier, inner } => {
                let _ = write!(out, "mod{} {} ", *required as u8, self.key(*modifier)?);
                self.type_key(out, inner)?;
            }
        }
        Ok(())
    }
}

/// Line-free names for the definitions whose names the F# compiler derives from
/// source lines (closure classes `f@12`, `f@12-1`, pipeline stages, debug helper
/// methods `<f>__debug@12`, module value fields `x@12`): within each owner and stem,
/// ranked by (line, index). Inserting lines above renumbers them all, and their keys
/// stay the same; adding or removing one shifts the ranks after it, which the diff
/// then sees as changed definitions.
fn line_free_names(
    md: &MetadataReader<'_>,
    enclosing: &[u32],
    field_owner: &[u32],
    method_owner: &[u32],
) -> Result<HashMap<Token, LineFree>> {
    type Group = (TableId, u32, String);
    type Ranked = Vec<((u32, u32), Token)>;
    let mut groups: HashMap<Group, Ranked> = HashMap::new();
    // Every such name has an `@`: most assemblies (C#, VB) have none in their heap.
    if !md.strings.bytes().contains(&b'@') {
        return Ok(HashMap::new());
    }
    let tables: [(TableId, &[u32]); 3] =
        [(TableId::TypeDef, enclosing), (TableId::MethodDef, method_owner), (TableId::Field, field_owner)];
    for (table, owners) in tables {
        let column = match table {
            TableId::TypeDef => 1,
            TableId::MethodDef => 3,
            _ => 1,
        };
        let names = md.tables.table(table);
        for rid in 1..=names.row_count() {
            let index = crate::metadata::StringIndex(names.raw(rid, column)?);
            if !md.strings.get_bytes(index)?.contains(&b'@') {
                continue;
            }
            let name = md.string(index)?;
            let Some((stem, line, index)) = fsharp_line_name(&name) else { continue };
            let owner = owners.get(rid as usize).copied().unwrap_or(0);
            groups.entry((table, owner, stem)).or_default().push(((line, index), Token::new(table, rid)));
        }
    }
    let mut out = HashMap::new();
    for (group, mut members) in groups {
        members.sort();
        let group_size = members.len();
        for (rank, (_, token)) in members.into_iter().enumerate() {
            let name = format!("{}@#{rank}", group.2);
            out.insert(token, LineFree { name, group_size, group: group.clone() });
        }
    }
    Ok(out)
}

/// `stem@LINE` or `stem@LINE-INDEX` (and `Pipe #N stage #M at line L@L`, whose stem
/// drops the line too): (stem, line, index).
fn fsharp_line_name(name: &str) -> Option<(String, u32, u32)> {
    let (stem, at) = name.rsplit_once('@')?;
    let (line, index) = match at.split_once('-') {
        Some((l, i)) => (l.parse().ok()?, i.parse().ok()?),
        None => (at.parse().ok()?, 0),
    };
    if stem.is_empty() || !at.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let stem = match stem.rsplit_once(" at line ") {
        Some((pipe, _)) if pipe.starts_with("Pipe #") => format!("{pipe} at line"),
        _ => stem.to_string(),
    };
    Some((stem, line, index))
}
