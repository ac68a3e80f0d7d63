//! Type initializers run once per type: the runtime never runs a `.cctor` a second
//! time, so after an update the static fields it set keep the values the old code
//! computed. An edit that changes what an initializer computes would therefore apply
//! without error and leave the running program different from a restart of the
//! updated build. This module finds such edits and turns them into rude edits:
//!
//! - a `.cctor` whose body changed ([`RudeKind::TypeInitializerChanged`]), naming the
//!   static fields whose initialization changed;
//! - a changed method that a type initializer can reach through calls and object
//!   creation, or, when it calls code that may call back (a virtual call, a call into
//!   another assembly), through the delegates and the virtual methods of the objects
//!   it created ([`RudeKind::InitializerDependencyChanged`]). A delegate that is only
//!   stored runs the updated body when it is invoked later, as after a restart.
//!
//! One case stays an update, because its result provably cannot differ from a
//! restart: the initializer calls the method directly and discards the result, and
//! the method's old and new bodies are *effect-free* (they only compute a value from
//! constants: no stores outside their locals, no calls but `System.Decimal`'s
//! constructor, nothing that can throw). F# compiles a constant `let rate = 3.5m` to
//! such a getter and evaluates it once, for nothing, in the startup code.
//!
//! The roots are every `.cctor` and F#'s `main@` startup methods (they run once, at
//! start). Reaching is computed over the updated build, in one walk bounded by the
//! build's code size.
//!
//! A type whose initializer only caches its own instance (F#'s `@_instance` of a
//! closure that captures nothing, C#'s `<>c.<>9`) counts as made by initializer code
//! only when initializer code loads one of its static fields: nothing else can reach
//! that instance. Without this, any F# module value computed with a library call (one
//! that may call back) would make every non-capturing closure's body an initializer
//! dependency.

use std::collections::{HashMap, HashSet, VecDeque};

use super::compare::{UpdatedMethod, display_name};
use super::generated::user_facing;
use super::identity::Identities;
use super::rude::{RudeEdit, RudeKind};
use crate::assembly::Assembly;
use crate::error::Result;
use crate::il::{Instructions, OpCode, Operand};
use crate::metadata::flags::method_attr;
use crate::metadata::schema::*;
use crate::metadata::signature::{MethodSig, TypeSig, decode_method, decode_type, element, header};
use crate::metadata::{MetadataReader, Token};

/// Why a changed initializer is refused, in the words the user reads.
const WHY: &str = "a running program never runs it again, so the change would only show after a restart";

/// The rude edits that updating `updated` (methods changed from `old` to `new`) would
/// cause through type initializers. `new_ids` are the identities of `new`.
pub fn initializer_rude_edits(
    old: &Assembly<'_>,
    new: &Assembly<'_>,
    new_ids: &Identities<'_, '_>,
    updated: &[UpdatedMethod],
) -> Result<Vec<RudeEdit>> {
    if updated.is_empty() {
        return Ok(Vec::new());
    }
    let graph = CallGraph { asm: new, ids: new_ids };
    let roots = graph.initializer_roots()?;
    let mut edits = Vec::new();

    // Changed initializers themselves (rare: only then the old build's identities).
    let changed_roots: Vec<&UpdatedMethod> = updated.iter().filter(|m| roots.contains(&m.new)).collect();
    if !changed_roots.is_empty() {
        let old_ids = Identities::new(old)?;
        for m in changed_roots {
            let fields = changed_fields(old, &old_ids, m.old, new, new_ids, m.new)?;
            let change = match fields.is_empty() {
                true => "the static initializer changed".to_string(),
                false => format!("the static initializer changed ({})", field_list(&fields)),
            };
            let owner = initializer_owner(new_ids, new_ids.owner_of(m.new));
            let edit = RudeEdit::of(RudeKind::TypeInitializerChanged, owner, change, WHY);
            // Located at the first changed field's initializer, else at the initializer.
            let field = fields.first().map(|f| stored_field(new, m.new, f)).transpose()?.flatten();
            edits.push(edit.at(field.unwrap_or(m.new)));
        }
    }

    // Changed methods an initializer reaches.
    let reach = graph.reach(&roots)?;
    for m in updated.iter().filter(|m| !roots.contains(&m.new)) {
        let via = match (reach.strong.get(&m.new), reach.discarded.get(&m.new)) {
            (Some(via), _) => via,
            (None, Some(via)) if !(effect_free_body(new, m.new)? && effect_free_body(old, m.old)?) => via,
            _ => continue,
        };
        let owner = initializer_owner(new_ids, new_ids.owner_of(via.root));
        let change = match &via.field {
            Some(field) => format!("the static initializer of {owner} uses this method (field {})", field_name(field)),
            None => format!("the static initializer of {owner} uses this method"),
        };
        edits.push(
            RudeEdit::of(
                RudeKind::InitializerDependencyChanged,
                user_facing(&display_name(new_ids, m.new)),
                change,
                "the values it computed when the type was initialized stay as the old code made them; the change would only show after a restart",
            )
            .at(m.new),
        );
    }
    Ok(edits)
}

/// The name users know a type by: F# startup classes (`<StartupCode$App>.$Scn.Program`)
/// initialize the module they are named after (`Scn.Program`).
pub(super) fn initializer_owner(ids: &Identities<'_, '_>, owner: Token) -> String {
    let name = display_name(ids, owner);
    match name.strip_prefix("<StartupCode$").and_then(|rest| rest.split_once(">.")) {
        Some((_, module)) => module.trim_start_matches('$').to_string(),
        None => name,
    }
}

/// A field's source name: F# suffixes module value fields with `@LINE`.
pub(super) fn field_name(name: &str) -> &str {
    match name.rsplit_once('@') {
        Some((stem, line)) if !stem.is_empty() && !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()) => stem,
        _ => name,
    }
}

/// The field named `name` (as [`segments`] names it) that initializer `method` of `asm`
/// stores, when it is a definition of `asm`.
fn stored_field(asm: &Assembly<'_>, method: Token, name: &str) -> Result<Option<Token>> {
    let md = &asm.metadata;
    let row: MethodDefRow = md.row(method.rid())?;
    if row.rva == 0 {
        return Ok(None);
    }
    for x in Instructions::new(asm.method_body(row.rva)?.code) {
        let x = x?;
        if x.opcode == OpCode::STSFLD
            && let Operand::Token(f) = x.operand
            && f.table() == Some(TableId::Field)
            && member_name(md, f)? == name
        {
            return Ok(Some(f));
        }
    }
    Ok(None)
}

fn field_list(fields: &[String]) -> String {
    let names: Vec<&str> = fields.iter().map(|f| field_name(f)).collect();
    let label = if names.len() == 1 { "field" } else { "fields" };
    format!("{label} {}", names.join(", "))
}

/// How an initializer reaches a method: which initializer, and the static field its
/// code was computing at the time (the next `stsfld` of the initializer).
#[derive(Clone, Debug)]
struct Via {
    root: Token,
    field: Option<String>,
}

#[derive(Default)]
struct Reach {
    /// Methods whose effects can flow into what an initializer stores.
    strong: HashMap<Token, Via>,
    /// Effect-free methods an initializer calls directly and whose result it drops.
    discarded: HashMap<Token, Via>,
}

/// What a call instruction's token names, as far as this assembly is concerned.
struct Target {
    local: Vec<Token>,
    /// A method of another assembly (it may call back into ours through virtuals),
    /// unless it is a parameterless constructor (a base-class constructor call).
    may_call_back: bool,
}

struct CallGraph<'x, 'm, 'a> {
    asm: &'x Assembly<'a>,
    ids: &'x Identities<'m, 'a>,
}

impl CallGraph<'_, '_, '_> {
    fn md(&self) -> &MetadataReader<'_> {
        &self.asm.metadata
    }

    /// Every `.cctor`, and F# `main@` methods of `<StartupCode$…>` classes. Names are
    /// read only for methods whose flags could be a type initializer's, and for the
    /// methods of startup classes.
    fn initializer_roots(&self) -> Result<HashSet<Token>> {
        let md = self.md();
        let mut roots = HashSet::new();
        let methods = md.tables.table(TableId::MethodDef);
        for rid in 1..=methods.row_count() {
            // Column 2 is Flags: the whole row is decoded only for candidates.
            if methods.raw(rid, 2)? as u16 & CCTOR_FLAGS != CCTOR_FLAGS {
                continue;
            }
            let row: MethodDefRow = md.row(rid)?;
            if row.rva != 0 && md.string(row.name)? == ".cctor" {
                roots.insert(Token::new(TableId::MethodDef, rid));
            }
        }
        for rid in 1..=md.row_count(TableId::TypeDef) {
            if !md.string(md.row::<TypeDefRow>(rid)?.namespace)?.starts_with("<StartupCode$") {
                continue;
            }
            for m in md.list(TableId::TypeDef, rid, 5)? {
                let row: MethodDefRow = md.row(m.rid())?;
                if row.rva != 0 && md.string(row.name)? == "main@" {
                    roots.insert(m);
                }
            }
        }
        Ok(roots)
    }

    fn body_code(&self, method: Token) -> Result<Option<&[u8]>> {
        let row: MethodDefRow = self.md().row(method.rid())?;
        if row.rva == 0 {
            return Ok(None);
        }
        Ok(Some(self.asm.method_body(row.rva)?.code))
    }

    /// Every method reachable from `roots`, each with the first initializer and field
    /// that reached it. One walk: each method body is decoded at most once.
    fn reach(&self, roots: &HashSet<Token>) -> Result<Reach> {
        let mut walk = Walk::default();
        let mut ordered: Vec<Token> = roots.iter().copied().collect();
        ordered.sort();
        let mut caches = HashMap::new();
        for &root in &ordered {
            if let Some((owner, ctor)) = self.instance_cache(root)? {
                caches.insert(root, ctor);
                walk.cached_instances.insert(owner);
            }
        }
        for &root in &ordered {
            match caches.get(&root) {
                // Its constructor runs; the instance counts once something loads it.
                Some(&ctor) => walk.reached(ctor, &Via { root, field: None }),
                None => self.walk_root(root, &mut walk)?,
            }
        }
        let mut virtuals_added: HashSet<Token> = HashSet::new();
        loop {
            while let Some((method, via)) = walk.queue.pop_front() {
                let Some(code) = self.body_code(method)? else { continue };
                for x in Instructions::new(code) {
                    let x = x?;
                    let Operand::Token(t) = x.operand else { continue };
                    if is_reaching(x.opcode) {
                        walk.edge(x.opcode, self.resolve(t)?, &via, self.ids);
                    } else if is_static_load(x.opcode) {
                        walk.loaded_static(self.field_owner(t)?, &via);
                    }
                }
            }
            // Code that may call back reaches the virtual methods of the objects it made
            // and the methods of the delegates it made.
            if !walk.calls_back {
                break;
            }
            let delegates = std::mem::take(&mut walk.delegates);
            let mut pending: Vec<Token> =
                walk.instantiated.iter().filter(|t| !virtuals_added.contains(t)).copied().collect();
            if pending.is_empty() && delegates.is_empty() {
                break;
            }
            for (m, via) in delegates {
                walk.reached(m, &via);
            }
            pending.sort();
            for ty in pending {
                virtuals_added.insert(ty);
                let via = walk.via_of_type(ty);
                for m in self.md().list(TableId::TypeDef, ty.rid(), 5)? {
                    if self.md().row::<MethodDefRow>(m.rid())?.flags & method_attr::VIRTUAL != 0 {
                        walk.reached(m, &via);
                    }
                }
            }
        }
        Ok(walk.reach)
    }

    /// The direct edges of one initializer, each labelled with the field that part of
    /// its code stores next; a call whose result is dropped is kept apart when the
    /// callee is effect-free.
    fn walk_root(&self, root: Token, walk: &mut Walk) -> Result<()> {
        let Some(code) = self.body_code(root)? else { return Ok(()) };
        let instructions: Vec<_> = Instructions::new(code).collect::<Result<_>>()?;
        let read_locals = read_locals(&instructions);
        let mut field_at = vec![None; instructions.len()];
        let mut next_field: Option<String> = None;
        for (i, x) in instructions.iter().enumerate().rev() {
            if x.opcode == OpCode::STSFLD
                && let Operand::Token(f) = x.operand
            {
                next_field = Some(member_name(self.md(), f)?);
            }
            field_at[i] = next_field.clone();
        }
        for (i, x) in instructions.iter().enumerate() {
            let Operand::Token(t) = x.operand else { continue };
            let via = Via { root, field: field_at[i].clone() };
            if is_static_load(x.opcode) {
                walk.loaded_static(self.field_owner(t)?, &via);
            }
            if !is_reaching(x.opcode) {
                continue;
            }
            let target = self.resolve(t)?;
            let dropped = x.opcode == OpCode::CALL && result_dropped(instructions.get(i + 1), &read_locals);
            if let [m] = target.local[..]
                && dropped
                && effect_free_body(self.asm, m)?
            {
                walk.reach.discarded.entry(m).or_insert(via);
                continue;
            }
            walk.edge(x.opcode, target, &via, self.ids);
        }
        Ok(())
    }

    /// `(its type, the constructor)` when initializer `cctor` only stores a new instance
    /// of its own type in a static field of its own: `newobj`, `stsfld`, `ret`.
    fn instance_cache(&self, cctor: Token) -> Result<Option<(Token, Token)>> {
        let Some(code) = self.body_code(cctor)? else { return Ok(None) };
        let owner = self.ids.owner_of(cctor);
        let mut steps = Vec::with_capacity(3);
        for x in Instructions::new(code) {
            let x = x?;
            if x.opcode != OpCode::NOP {
                if steps.len() == 3 {
                    return Ok(None);
                }
                steps.push(x);
            }
        }
        let [make, store, ret] = &steps[..] else { return Ok(None) };
        let (Operand::Token(made), Operand::Token(field)) = (&make.operand, &store.operand) else { return Ok(None) };
        if make.opcode != OpCode::NEWOBJ || store.opcode != OpCode::STSFLD || ret.opcode != OpCode::RET {
            return Ok(None);
        }
        let ctor = match self.resolve(*made)?.local[..] {
            [ctor] if self.ids.owner_of(ctor) == owner => ctor,
            _ => return Ok(None),
        };
        Ok((self.field_owner(*field)? == Some(owner)).then_some((owner, ctor)))
    }

    /// The TypeDef declaring the field a `ldsfld`/`stsfld` token names, when it is ours.
    fn field_owner(&self, t: Token) -> Result<Option<Token>> {
        let md = self.md();
        Ok(match t.table() {
            Some(TableId::Field) => Some(self.ids.owner_of(t)),
            Some(TableId::MemberRef) => self.local_type(md.row::<MemberRefRow>(t.rid())?.class)?,
            _ => None,
        })
    }

    /// The TypeDef a MemberRef's parent names: itself, or the generic type of an
    /// instantiation of one of ours.
    fn local_type(&self, class: Token) -> Result<Option<Token>> {
        let md = self.md();
        Ok(match class.table() {
            Some(TableId::TypeDef) => Some(class),
            Some(TableId::TypeSpec) => match decode_type(md.blob(md.row::<TypeSpecRow>(class.rid())?.signature)?)? {
                TypeSig::GenericInst { generic, .. } if generic.table() == Some(TableId::TypeDef) => Some(generic),
                _ => None,
            },
            _ => None,
        })
    }

    /// The methods of this assembly a call, `newobj`, `ldftn` or `jmp` token can run.
    fn resolve(&self, t: Token) -> Result<Target> {
        let md = self.md();
        match t.table() {
            Some(TableId::MethodDef) => Ok(Target { local: vec![t], may_call_back: false }),
            Some(TableId::MethodSpec) => self.resolve(md.row::<MethodSpecRow>(t.rid())?.method),
            Some(TableId::MemberRef) => {
                let r: MemberRefRow = md.row(t.rid())?;
                if r.class.table() == Some(TableId::MethodDef) {
                    return Ok(Target { local: vec![r.class], may_call_back: false });
                }
                let local_type = self.local_type(r.class)?;
                let name = md.string(r.name)?;
                match local_type {
                    Some(ty) => {
                        let mut local = Vec::new();
                        for m in md.list(TableId::TypeDef, ty.rid(), 5)? {
                            if md.string(md.row::<MethodDefRow>(m.rid())?.name)? == name {
                                local.push(m);
                            }
                        }
                        Ok(Target { local, may_call_back: false })
                    }
                    None => {
                        let quiet = decode_method(md.blob(r.signature)?).is_ok_and(|s| cannot_call_back(&name, &s));
                        Ok(Target { local: Vec::new(), may_call_back: !quiet })
                    }
                }
            }
            _ => Ok(Target { local: Vec::new(), may_call_back: false }),
        }
    }
}

/// `Static | SpecialName | RTSpecialName`: every type initializer has them.
pub const CCTOR_FLAGS: u16 = method_attr::STATIC | method_attr::SPECIAL_NAME | method_attr::RT_SPECIAL_NAME;

/// Whether a method of another assembly with this name and signature cannot run our
/// code: it receives nothing that could hold one of our objects or delegates (only
/// primitives, strings and non-generic structs), and it is static or a constructor.
/// A delegate constructor `(object, native int)` only stores its target. Assumed: a
/// base-class constructor (`this` is ours) does not call virtual methods on `this`.
fn cannot_call_back(name: &str, sig: &MethodSig) -> bool {
    let ctor = name == ".ctor";
    if ctor && sig.params == [TypeSig::Primitive(element::OBJECT), TypeSig::Primitive(element::I)] {
        return true;
    }
    (ctor || sig.header & header::HAS_THIS == 0) && !sig.params.iter().any(can_hold_reference)
}

/// Whether a value of this type can hold a reference to an object of ours.
fn can_hold_reference(t: &TypeSig) -> bool {
    match t {
        TypeSig::Primitive(p) => *p == element::OBJECT || *p == element::TYPEDBYREF,
        TypeSig::ValueType(_) => false,
        TypeSig::ByRef(inner) | TypeSig::Pinned(inner) => can_hold_reference(inner),
        TypeSig::Modified { inner, .. } => can_hold_reference(inner),
        _ => true,
    }
}

/// `ldsfld`, `ldsflda`: the instructions that can read a cached instance.
fn is_static_load(op: OpCode) -> bool {
    op == OpCode::LDSFLD || op == OpCode::LDSFLDA
}

/// Instructions whose token operand names code that runs (now or through a delegate).
fn is_reaching(op: OpCode) -> bool {
    [OpCode::CALL, OpCode::CALLVIRT, OpCode::NEWOBJ, OpCode::LDFTN, OpCode::LDVIRTFTN, OpCode::JMP].contains(&op)
}

/// The state of one reachability walk.
#[derive(Default)]
struct Walk {
    reach: Reach,
    queue: VecDeque<(Token, Via)>,
    /// Types of this assembly whose constructor reachable code calls with `newobj`.
    instantiated: HashSet<Token>,
    /// How the first constructor of each instantiated type was reached.
    type_via: HashMap<Token, Via>,
    /// Methods reachable code made delegates of (`ldftn`), not yet counted as run.
    delegates: Vec<(Token, Via)>,
    /// Whether reachable code makes a virtual call or calls into another assembly.
    calls_back: bool,
    /// Types whose initializer made their cached instance, not yet loaded by reachable
    /// code (`instance_cache`).
    cached_instances: HashSet<Token>,
}

impl Walk {
    fn edge(&mut self, op: OpCode, target: Target, via: &Via, ids: &Identities<'_, '_>) {
        self.calls_back |= target.may_call_back || op == OpCode::CALLVIRT;
        for m in target.local {
            match op {
                // A delegate's method runs only when something invokes the delegate.
                OpCode::LDFTN | OpCode::LDVIRTFTN => self.delegates.push((m, via.clone())),
                OpCode::NEWOBJ => {
                    let ty = ids.owner_of(m);
                    self.instantiated.insert(ty);
                    self.type_via.entry(ty).or_insert_with(|| via.clone());
                    self.reached(m, via);
                }
                _ => self.reached(m, via),
            }
        }
    }

    /// Reachable code (reached `via`) loads a static field of `owner`: a cached
    /// instance it holds is now in initializer code's hands.
    fn loaded_static(&mut self, owner: Option<Token>, via: &Via) {
        if let Some(ty) = owner.filter(|o| self.cached_instances.remove(o)) {
            self.instantiated.insert(ty);
            self.type_via.entry(ty).or_insert_with(|| via.clone());
        }
    }

    fn reached(&mut self, m: Token, via: &Via) {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.reach.strong.entry(m) {
            slot.insert(via.clone());
            self.queue.push_back((m, via.clone()));
        }
    }

    fn via_of_type(&self, ty: Token) -> Via {
        self.type_via.get(&ty).cloned().unwrap_or(Via { root: ty, field: None })
    }
}

fn member_name(md: &MetadataReader<'_>, t: Token) -> Result<String> {
    Ok(match t.table() {
        Some(TableId::Field) => md.string(md.row::<FieldRow>(t.rid())?.name)?.into_owned(),
        Some(TableId::MemberRef) => md.string(md.row::<MemberRefRow>(t.rid())?.name)?.into_owned(),
        _ => t.to_string(),
    })
}

/// Local slots some instruction reads (`ldloc*`, `ldloca*`).
fn read_locals(instructions: &[crate::il::Instruction]) -> HashSet<u16> {
    let mut read = HashSet::new();
    for x in instructions {
        let slot = match (x.opcode.0, &x.operand) {
            (0x06..=0x09, _) => Some(x.opcode.0 - 0x06),
            (0x11 | 0x12, Operand::UInt8(n)) => Some(u16::from(*n)),
            (0xFE0C | 0xFE0D, Operand::UInt16(n)) => Some(*n),
            _ => None,
        };
        read.extend(slot);
    }
    read
}

/// Whether the instruction after a call throws its result away: `pop`, or a store to
/// a local nothing reads.
fn result_dropped(next: Option<&crate::il::Instruction>, read_locals: &HashSet<u16>) -> bool {
    let Some(x) = next else { return false };
    let slot = match (x.opcode.0, &x.operand) {
        (0x26, _) => return true,
        (0x0A..=0x0D, _) => x.opcode.0 - 0x0A,
        (0x13, Operand::UInt8(n)) => u16::from(*n),
        (0xFE0E, Operand::UInt16(n)) => *n,
        _ => return false,
    };
    !read_locals.contains(&slot)
}

/// Whether a body only computes a value: constants, arguments, locals, arithmetic
/// that cannot throw, branches, and `System.Decimal`'s constructor. No stores outside
/// its locals, no other calls, no allocation of our types.
fn effect_free_body(asm: &Assembly<'_>, method: Token) -> Result<bool> {
    let md = &asm.metadata;
    let row: MethodDefRow = md.row(method.rid())?;
    if row.rva == 0 {
        return Ok(false);
    }
    let body = asm.method_body(row.rva)?;
    if !body.exception_regions.is_empty() {
        return Ok(false);
    }
    for x in Instructions::new(body.code) {
        let x = x?;
        let ok = match x.opcode.0 {
            // nop, ldarg.0-3, ldloc.0-3, stloc.0-3, ldarg.s, ldloc.s, stloc.s, ldnull, ldc.*, dup, pop
            0x00 | 0x02..=0x0E | 0x11 | 0x13..=0x23 | 0x25 | 0x26 => true,
            // ret, branches (not switch)
            0x2A..=0x44 => true,
            // add sub mul, and or xor shl shr shr.un neg not, conv.* (not .ovf)
            0x58..=0x5A | 0x5F..=0x6E | 0xD1..=0xD3 | 0xE0 => true,
            // ldstr
            0x72 => true,
            // ceq cgt cgt.un clt clt.un, ldarg, ldloc, stloc
            0xFE01..=0xFE05 | 0xFE09 | 0xFE0C | 0xFE0E => true,
            // newobj System.Decimal::.ctor
            0x73 => match x.operand {
                Operand::Token(t) => is_decimal_ctor(md, t)?,
                _ => false,
            },
            _ => false,
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

fn is_decimal_ctor(md: &MetadataReader<'_>, t: Token) -> Result<bool> {
    if t.table() != Some(TableId::MemberRef) {
        return Ok(false);
    }
    let r: MemberRefRow = md.row(t.rid())?;
    if md.string(r.name)? != ".ctor" || r.class.table() != Some(TableId::TypeRef) {
        return Ok(false);
    }
    let ty: TypeRefRow = md.row(r.class.rid())?;
    Ok(md.string(ty.namespace)? == "System" && md.string(ty.name)? == "Decimal")
}

/// The static fields whose initialization differs between the old and new bodies of
/// an initializer: its code is cut after each `stsfld`, and each piece is compared
/// with tokens resolved to what they name. In the order the new body stores them.
fn changed_fields(
    old: &Assembly<'_>,
    old_ids: &Identities<'_, '_>,
    old_method: Token,
    new: &Assembly<'_>,
    new_ids: &Identities<'_, '_>,
    new_method: Token,
) -> Result<Vec<String>> {
    let before = segments(old, old_ids, old_method)?;
    let after = segments(new, new_ids, new_method)?;
    let mut changed = Vec::new();
    for (field, code) in &after {
        let same = before.iter().find(|(f, _)| f == field).is_some_and(|(_, c)| c == code);
        if !same && !changed.contains(field) {
            changed.push(field.clone());
        }
    }
    Ok(changed)
}

/// An initializer's code as (stored field name, the code computing it), operands with
/// tokens replaced by identity keys and literals by their text.
fn segments(asm: &Assembly<'_>, ids: &Identities<'_, '_>, method: Token) -> Result<Vec<(String, Vec<String>)>> {
    let md = &asm.metadata;
    let row: MethodDefRow = md.row(method.rid())?;
    if row.rva == 0 {
        return Ok(Vec::new());
    }
    let body = asm.method_body(row.rva)?;
    let mut out = Vec::new();
    let mut current = Vec::new();
    for x in Instructions::new(body.code) {
        let x = x?;
        let operand = match &x.operand {
            Operand::Token(t) => ids.key(*t)?.to_string(),
            Operand::String(t) => {
                String::from_utf8_lossy(md.user_strings.get_raw(crate::metadata::UserStringIndex(t.rid()))?)
                    .into_owned()
            }
            other => format!("{other:?}"),
        };
        current.push(format!("{:04x} {operand}", x.opcode.0));
        if x.opcode == OpCode::STSFLD
            && let Operand::Token(f) = x.operand
        {
            out.push((member_name(md, f)?, std::mem::take(&mut current)));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::il::Instruction;

    fn at(opcode: u16, operand: Operand) -> Instruction {
        Instruction { offset: 0, opcode: OpCode(opcode), operand }
    }

    #[test]
    fn fsharp_value_fields_are_named_without_their_line() {
        assert_eq!(field_name("shippingBands@3"), "shippingBands");
        assert_eq!(field_name("init@"), "init@");
        assert_eq!(field_name("@_instance"), "@_instance");
        assert_eq!(field_name("Rates"), "Rates");
        assert_eq!(field_list(&["a@1".into(), "b".into()]), "fields a, b");
    }

    #[test]
    fn a_result_is_dropped_only_by_pop_or_a_store_to_a_local_nothing_reads() {
        let read: HashSet<u16> = read_locals(&[at(0x06, Operand::None), at(0x11, Operand::UInt8(5))]);
        assert_eq!(read, HashSet::from([0, 5]));
        assert!(result_dropped(Some(&at(0x26, Operand::None)), &read)); // pop
        assert!(result_dropped(Some(&at(0x0B, Operand::None)), &read)); // stloc.1, never read
        assert!(!result_dropped(Some(&at(0x0A, Operand::None)), &read)); // stloc.0, read
        assert!(!result_dropped(Some(&at(0x13, Operand::UInt8(5))), &read)); // stloc.s 5, read
        assert!(!result_dropped(Some(&at(0x80, Operand::None)), &read)); // stsfld
        assert!(!result_dropped(None, &read));
    }
}
