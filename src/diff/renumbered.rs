//! Roslyn numbers much of the code it generates by position: a state machine is
//! `<M>d__N` with N the ordinal of M among its type's members, an anonymous type is
//! `<>f__AnonymousTypeN` in order of first use in the file, a local function is
//! `<M>g__Name|m_l` and a lambda `<M>b__m_l` with m the method's ordinal and l the
//! lambda's among M's lambdas and local functions, a lambda's delegate cache field is
//! `<>9__m_l`. Adding a member, an anonymous type or a lambda above renames the ones
//! below it. Roslyn's own hot reload keeps names through the EnC maps of its PDB; a
//! fresh build numbers from scratch.
//!
//! This module gives such definitions names that do not move, where the build itself
//! proves what the definition is ([`stable_names`], one build at a time):
//!
//! - a state machine: the kickoff method whose `AsyncStateMachineAttribute` /
//!   `IteratorStateMachineAttribute` / `AsyncIteratorStateMachineAttribute` names it (a
//!   `typeof` in the attribute's value: the compiler's own record, not a guess);
//! - an anonymous type: its property names in order (`<>f__AnonymousType0<<Name>j__TPar,
//!   <Count>j__TPar>`: the type parameters are named after the properties, and C# makes
//!   one type per ordered list of names), when no other type of the build has them;
//! - a local function: its owner and its own name, when no other local function of the
//!   type has both;
//! - a lambda of a `<>c` cache class and its cache field: the owner method's name and the
//!   lambda ordinal, when that name identifies one method (the method ordinal is dropped,
//!   so a member added above changes nothing).
//!
//! - a display class: the method that creates it and its closure ordinal
//!   ([`super::display_class`]).
//!
//! Lambdas inserted before others of the same method shift the lambda ordinal itself;
//! [`pair_inserted_lambdas`] pairs those across two builds when the pairing is proven.

use std::collections::{HashMap, HashSet};

use super::body::bodies_equal;
use super::display_class::{DISPLAY_CLASS, Owners, display_classes};
use super::identity::Identities;
use crate::assembly::Assembly;
use crate::error::Result;
use crate::metadata::flags::field_attr;
use crate::metadata::schema::*;
use crate::metadata::{MetadataReader, Token};

/// How a definition is named in identity keys instead of its metadata name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StableName {
    /// This name.
    Fixed(String),
    /// The state machine of this kickoff method: named after the method's key.
    StateMachineOf(Token),
    /// A display class: the closure scope `scope` of the method `creator` that creates
    /// it (named after the method's key, [`super::display_class`]).
    ClosureOf { creator: Token, scope: u32 },
}

/// The stable names of one build's Roslyn-generated definitions.
#[derive(Clone, Debug, Default)]
pub struct StableNames {
    pub names: HashMap<Token, StableName>,
    /// CustomAttribute rid → the state machine its `typeof` value names: the value is
    /// compared by what it names, since the type's name moves.
    pub state_machine_attributes: HashMap<u32, Token>,
}

/// The attribute types whose one `Type` argument names a method's state machine.
const STATE_MACHINE_ATTRIBUTES: [&str; 3] =
    ["AsyncStateMachineAttribute", "IteratorStateMachineAttribute", "AsyncIteratorStateMachineAttribute"];

/// How the key name of an anonymous type starts: `<>f__AnonymousType(Name,Count)`.
pub const ANONYMOUS_TYPE: &str = "<>f__AnonymousType(";

/// Suffix of the key name of a generated member that a pairing found new ([`pair_inserted_lambdas`]):
/// its own name may be the name an old member had.
pub const ADDED_MARK: &str = "#added";

/// Computes the stable names of `md` (see the module documentation). `enclosing`,
/// `method_owner`, `field_owner`: the type of each TypeDef, MethodDef and Field rid.
pub fn stable_names(
    asm: &Assembly<'_>,
    enclosing: &[u32],
    method_owner: &[u32],
    field_owner: &[u32],
) -> Result<StableNames> {
    let md = &asm.metadata;
    let mut out = StableNames::default();
    let heap = md.strings.bytes();
    // Every name handled here contains one of these; most builds lack some.
    if contains(heap, b"StateMachineAttribute") {
        state_machines(md, enclosing, method_owner, &mut out)?;
    }
    if contains(heap, b"<>f__AnonymousType") {
        anonymous_types(md, enclosing, &mut out)?;
    }
    if contains(heap, b">g__") || contains(heap, b">b__") {
        positional_members(md, method_owner, field_owner, &mut out)?;
    }
    if contains(heap, DISPLAY_CLASS.as_bytes()) {
        display_classes(asm, &Owners { enclosing, method_owner }, &mut out)?;
    }
    Ok(out)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Full name of a TypeDef as a `typeof` in an attribute value spells it: `Ns.Outer+Inner`.
fn reflection_name(md: &MetadataReader<'_>, enclosing: &[u32], t: u32) -> Result<String> {
    let mut parts = Vec::new();
    let mut current = t;
    while current != 0 && parts.len() <= enclosing.len() {
        let r: TypeDefRow = md.row(current)?;
        let (ns, name) = (md.string(r.namespace)?, md.string(r.name)?);
        parts.push(if ns.is_empty() { name.into_owned() } else { format!("{ns}.{name}") });
        current = enclosing.get(current as usize).copied().filter(|&o| o != current).unwrap_or(0);
    }
    parts.reverse();
    Ok(parts.join("+"))
}

/// The string a custom attribute value holds as its only fixed argument (prolog 0x0001,
/// a SerString), if it holds exactly that.
fn single_string_argument(value: &[u8]) -> Option<&str> {
    let rest = value.strip_prefix(&[1, 0])?;
    let (len, used) = crate::metadata::compressed::read_unsigned(rest)?;
    let text = rest.get(used..used + len as usize)?;
    // No named arguments follow.
    (rest.get(used + len as usize..)? == [0, 0]).then_some(())?;
    std::str::from_utf8(text).ok()
}

/// The name of the type whose constructor `ctor` is, if it is a TypeRef or TypeDef in
/// `System.Runtime.CompilerServices`.
fn attribute_type_name(md: &MetadataReader<'_>, ctor: Token) -> Result<Option<String>> {
    let parent = match ctor.table() {
        Some(TableId::MemberRef) => md.row::<MemberRefRow>(ctor.rid())?.class,
        _ => return Ok(None),
    };
    let (ns, name) = match parent.table() {
        Some(TableId::TypeRef) => {
            let r: TypeRefRow = md.row(parent.rid())?;
            (md.string(r.namespace)?, md.string(r.name)?)
        }
        Some(TableId::TypeDef) => {
            let r: TypeDefRow = md.row(parent.rid())?;
            (md.string(r.namespace)?, md.string(r.name)?)
        }
        _ => return Ok(None),
    };
    Ok((ns == "System.Runtime.CompilerServices").then(|| name.into_owned()))
}

/// State machines, named by their kickoff method's attribute. A type must be nested in
/// its kickoff method's type and named by one attribute only.
fn state_machines(
    md: &MetadataReader<'_>,
    enclosing: &[u32],
    method_owner: &[u32],
    out: &mut StableNames,
) -> Result<()> {
    // Candidate state machine types by reflection name, per enclosing type.
    let mut by_name: HashMap<String, u32> = HashMap::new();
    for rid in 1..=md.row_count(TableId::TypeDef) {
        if enclosing.get(rid as usize).copied().unwrap_or(0) != 0 {
            by_name.insert(reflection_name(md, enclosing, rid)?, rid);
        }
    }
    let mut found: Vec<(u32, u32, u32)> = Vec::new(); // (attribute rid, kickoff rid, type rid)
    for (rid, row) in md.tables.rows::<CustomAttributeRow>() {
        let row = row?;
        if row.parent.table() != Some(TableId::MethodDef) {
            continue;
        }
        let Some(type_name) = attribute_type_name(md, row.constructor)? else { continue };
        if !STATE_MACHINE_ATTRIBUTES.contains(&type_name.as_str()) {
            continue;
        }
        let Some(named) = single_string_argument(md.blob(row.value)?) else { continue };
        let Some(&machine) = by_name.get(named) else { continue };
        let kickoff = row.parent.rid();
        let kickoff_type = method_owner.get(kickoff as usize).copied().unwrap_or(0);
        if enclosing.get(machine as usize).copied() == Some(kickoff_type) {
            found.push((rid, kickoff, machine));
        }
    }
    let mut named_times: HashMap<u32, usize> = HashMap::new();
    for &(_, _, machine) in &found {
        *named_times.entry(machine).or_default() += 1;
    }
    for (attribute, kickoff, machine) in found {
        if named_times[&machine] == 1 {
            let machine = Token::new(TableId::TypeDef, machine);
            out.names.insert(machine, StableName::StateMachineOf(Token::new(TableId::MethodDef, kickoff)));
            out.state_machine_attributes.insert(attribute, machine);
        }
    }
    Ok(())
}

/// `<>f__AnonymousTypeN` or `` <>f__AnonymousTypeN`K ``: a C# anonymous type's name.
fn is_anonymous_type_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("<>f__AnonymousType") else { return false };
    let (index, arity) = rest.split_once('`').unwrap_or((rest, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(index) && digits(arity)
}

/// Anonymous types, named by their property names (the names of their type
/// parameters, `<Name>j__TPar`), when unique in the build.
fn anonymous_types(md: &MetadataReader<'_>, enclosing: &[u32], out: &mut StableNames) -> Result<()> {
    let mut shapes: HashMap<String, Vec<Token>> = HashMap::new();
    for rid in 1..=md.row_count(TableId::TypeDef) {
        let r: TypeDefRow = md.row(rid)?;
        if enclosing.get(rid as usize).copied().unwrap_or(0) != 0
            || !md.string(r.namespace)?.is_empty()
            || !is_anonymous_type_name(&md.string(r.name)?)
        {
            continue;
        }
        let t = Token::new(TableId::TypeDef, rid);
        let owner = CodedIndex::TypeOrMethodDef.encode(t).unwrap_or(u32::MAX);
        let mut properties = Vec::new();
        for g in md.equal_range(TableId::GenericParam, 2, owner)? {
            let g: GenericParamRow = md.row(g)?;
            let name = md.string(g.name)?;
            let Some(property) = name.strip_prefix('<').and_then(|n| n.strip_suffix(">j__TPar")) else {
                properties.clear();
                break;
            };
            properties.push((g.number, property.to_string()));
        }
        properties.sort();
        let names: Vec<String> = properties.into_iter().map(|(_, n)| n).collect();
        shapes.entry(format!("{ANONYMOUS_TYPE}{})", names.join(","))).or_default().push(t);
    }
    for (name, types) in shapes {
        if let [t] = types[..] {
            out.names.insert(t, StableName::Fixed(name));
        }
    }
    Ok(())
}

/// `<M>g__Name|m_l` → (`M`, `Name`, `m`, `l`).
pub fn local_function_parts(name: &str) -> Option<(&str, &str, &str, &str)> {
    let (member, rest) = name.strip_prefix('<')?.split_once(">g__")?;
    let (local, ordinals) = rest.rsplit_once('|')?;
    let (m, l) = ordinals.split_once('_')?;
    Some((member, local, m, l))
}

/// `<M>b__m_l` (a lambda of a `<>c` cache class) → (`M`, `m`, `l`).
pub fn cached_lambda_parts(name: &str) -> Option<(&str, &str, &str)> {
    let (member, rest) = name.strip_prefix('<')?.split_once(">b__")?;
    let (m, l) = rest.split_once('_')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(m) && digits(l)).then_some((member, m, l))
}

/// Local functions (by owner and name) and `<>c` lambdas with their cache fields (by
/// owner and lambda ordinal), each only where the name identifies one definition.
fn positional_members(
    md: &MetadataReader<'_>,
    method_owner: &[u32],
    field_owner: &[u32],
    out: &mut StableNames,
) -> Result<()> {
    // (type rid, stable name) → the methods that would get it.
    let mut locals: HashMap<(u32, String), Vec<u32>> = HashMap::new();
    // (type rid, owner method name) → (method ordinal, lambda ordinal, rid) of its lambdas.
    type Ordinals = Vec<(String, String, u32)>;
    let mut lambdas: HashMap<(u32, String), Ordinals> = HashMap::new();
    for rid in 1..=md.row_count(TableId::MethodDef) {
        let name = md.string(md.row::<MethodDefRow>(rid)?.name)?;
        let owner = method_owner.get(rid as usize).copied().unwrap_or(0);
        if let Some((member, local, _, _)) = local_function_parts(&name) {
            locals.entry((owner, format!("<{member}>g__{local}|"))).or_default().push(rid);
        } else if let Some((member, m, l)) = cached_lambda_parts(&name) {
            lambdas.entry((owner, member.to_string())).or_default().push((m.to_string(), l.to_string(), rid));
        }
    }
    for ((_, stable), rids) in locals {
        if let [rid] = rids[..] {
            out.names.insert(Token::new(TableId::MethodDef, rid), StableName::Fixed(stable));
        }
    }
    // Cache fields `<>9__m_l` of each type, by `m_l`.
    let mut caches: HashMap<(u32, String), u32> = HashMap::new();
    for rid in 1..=md.row_count(TableId::Field) {
        let name = md.string(md.row::<FieldRow>(rid)?.name)?;
        if let Some(suffix) = name.strip_prefix("<>9__") {
            caches.insert((field_owner.get(rid as usize).copied().unwrap_or(0), suffix.to_string()), rid);
        }
    }
    for ((owner, member), members) in lambdas {
        // The method ordinal can go only when every lambda of the name has the same one:
        // the name then stands for one method.
        if members.iter().any(|(m, _, _)| *m != members[0].0) {
            continue;
        }
        for (m, l, rid) in members {
            out.names.insert(Token::new(TableId::MethodDef, rid), StableName::Fixed(format!("<{member}>b__*_{l}")));
            if let Some(&field) = caches.get(&(owner, format!("{m}_{l}"))) {
                out.names.insert(Token::new(TableId::Field, field), StableName::Fixed(format!("<>9__<{member}>*_{l}")));
            }
        }
    }
    Ok(())
}

/// The updated build's names for lambdas that were renumbered because lambdas were
/// inserted before them in the same method: each gets the key name of the old lambda it
/// is proven to be, and each inserted one (with its cache field) a name no old one has
/// (ending in [`ADDED_MARK`]). Empty when nothing was renumbered or nothing is proven.
///
/// Within one group (a `<>c` class or a proven display class of both builds, one owner method) the pairing must
/// be one to one: every old lambda has exactly one new lambda with the same signature,
/// flags and body (tokens compared by what they name) and no other old lambda has that
/// one, and the old lambda's cache field has a counterpart exactly when the new one's
/// has. Otherwise the group keeps its positional names, and the diff sees what it saw
/// before (an edited lambda beside an added one is then refused as ambiguous).
pub fn pair_inserted_lambdas(
    old: &Assembly<'_>,
    new: &Assembly<'_>,
    old_ids: &Identities<'_, '_>,
    new_ids: &Identities<'_, '_>,
    old_has_key: &dyn Fn(Token, &std::rc::Rc<str>) -> Result<bool>,
) -> Result<HashMap<Token, String>> {
    let old_groups = lambda_groups(old_ids)?;
    let new_groups = lambda_groups(new_ids)?;
    let mut names = HashMap::new();
    for (group, new_members) in &new_groups {
        let Some(old_members) = old_groups.get(group) else { continue };
        // Renumbered: a new lambda's key names no old definition.
        let mut renumbered = false;
        for l in new_members {
            renumbered |= !old_has_key(l.method, &new_ids.key(l.method)?)?;
        }
        if !renumbered {
            continue;
        }
        let mut pairs: Vec<(&Lambda, &Lambda)> = Vec::new();
        let mut proven = true;
        for o in old_members {
            let mut candidates = Vec::new();
            for n in new_members {
                if same_lambda(old, new, old_ids, new_ids, o, n)? {
                    candidates.push(n);
                }
            }
            match candidates[..] {
                [n] if !pairs.iter().any(|(_, p)| p.method == n.method) => pairs.push((o, n)),
                _ => {
                    proven = false;
                    break;
                }
            }
        }
        if !proven || pairs.iter().all(|(o, n)| o.name == n.name) {
            continue;
        }
        let paired: HashSet<Token> = pairs.iter().map(|(_, n)| n.method).collect();
        for (o, n) in &pairs {
            names.insert(n.method, o.name.clone());
            if let (Some((_, of)), Some((nf, _))) = (&o.cache, &n.cache) {
                names.insert(*nf, of.clone());
            }
        }
        for n in new_members.iter().filter(|n| !paired.contains(&n.method)) {
            names.insert(n.method, format!("{}{ADDED_MARK}", n.name));
            if let Some((field, name)) = &n.cache {
                names.insert(*field, format!("{name}{ADDED_MARK}"));
            }
        }
    }
    Ok(names)
}

/// A lambda of a `<>c` class or of a display class: its method, key name, and its cache
/// field with that field's key name.
struct Lambda {
    method: Token,
    name: String,
    cache: Option<(Token, String)>,
}

/// (cache class key, owner method name): the lambdas that may have been renumbered
/// among each other.
type LambdaGroup = (std::rc::Rc<str>, String);

/// The `<>c` lambdas and those of proven display classes of a build, by group.
fn lambda_groups(ids: &Identities<'_, '_>) -> Result<HashMap<LambdaGroup, Vec<Lambda>>> {
    let md = ids.metadata();
    let mut out: HashMap<LambdaGroup, Vec<Lambda>> = HashMap::new();
    if !contains(md.strings.bytes(), b">b__") {
        return Ok(out);
    }
    let mut caches: HashMap<(Token, String), Token> = HashMap::new();
    for rid in 1..=md.row_count(TableId::Field) {
        let f = Token::new(TableId::Field, rid);
        let name = md.string(md.row::<FieldRow>(rid)?.name)?;
        if let Some(suffix) = name.strip_prefix("<>9__") {
            caches.insert((ids.owner_of(f), suffix.to_string()), f);
        }
    }
    for rid in 1..=md.row_count(TableId::MethodDef) {
        let t = Token::new(TableId::MethodDef, rid);
        let name = md.string(md.row::<MethodDefRow>(rid)?.name)?;
        let owner = ids.owner_of(t);
        let Some((member, cache_suffix)) = grouped_lambda(ids, owner, &name)? else { continue };
        let cache = match caches.get(&(owner, cache_suffix)) {
            Some(&f) => Some((f, ids.key_name(f)?)),
            None => None,
        };
        out.entry((ids.key(owner)?, member.to_string())).or_default().push(Lambda {
            method: t,
            name: ids.key_name(t)?,
            cache,
        });
    }
    Ok(out)
}

/// The owner method name and the cache field suffix of a lambda that
/// [`pair_inserted_lambdas`] may pair: a `<>c` class's (`<Run>b__0_1`, cached in
/// `<>9__0_1`), or a display class's that the build proves the method of (`<Run>b__1`,
/// the lambda ordinal only; `<>9__1`).
fn grouped_lambda<'n>(ids: &Identities<'_, '_>, owner: Token, name: &'n str) -> Result<Option<(&'n str, String)>> {
    let md = ids.metadata();
    // A method without a type has no group.
    let Ok(owner_row) = md.row::<TypeDefRow>(owner.rid()) else { return Ok(None) };
    if let Some((member, m, l)) = cached_lambda_parts(name) {
        return Ok((md.string(owner_row.name)? == "<>c").then(|| (member, format!("{m}_{l}"))));
    }
    let proven = matches!(ids.stable_name(owner), Some(StableName::ClosureOf { .. }));
    Ok(display_class_lambda_parts(name).filter(|_| proven).map(|(member, l)| (member, l.to_string())))
}

/// `<M>b__l` (a lambda of a display class) → (`M`, `l`).
pub fn display_class_lambda_parts(name: &str) -> Option<(&str, &str)> {
    let (member, l) = name.strip_prefix('<')?.split_once(">b__")?;
    (!l.is_empty() && l.bytes().all(|b| b.is_ascii_digit())).then_some((member, l))
}

/// Whether two lambdas are the same code: signature, flags, body (tokens by what they
/// name), and a cache field on both or neither.
fn same_lambda(
    old: &Assembly<'_>,
    new: &Assembly<'_>,
    old_ids: &Identities<'_, '_>,
    new_ids: &Identities<'_, '_>,
    o: &Lambda,
    n: &Lambda,
) -> Result<bool> {
    let (a, b): (MethodDefRow, MethodDefRow) =
        (old_ids.metadata().row(o.method.rid())?, new_ids.metadata().row(n.method.rid())?);
    if a.flags != b.flags || a.impl_flags != b.impl_flags || o.cache.is_some() != n.cache.is_some() {
        return Ok(false);
    }
    if old_ids.signature_of(o.method)? != new_ids.signature_of(n.method)? {
        return Ok(false);
    }
    if a.rva == 0 || b.rva == 0 {
        return Ok(false);
    }
    bodies_equal(old, new, a.rva, b.rva, |p, q| Ok(old_ids.key(p)? == new_ids.key(q)?))
}

/// Whether generated method `method` is identified by what the user wrote rather than
/// by its position: a local function keyed by its name, or a method of a state machine
/// keyed by its kickoff method. An edit of it beside other generated code added or
/// removed in the same member is then no ambiguity.
pub fn identified_by_name(ids: &Identities<'_, '_>, method: Token) -> bool {
    // A local function's stable name is `<M>g__Name|` (its ordinals dropped).
    let local_function =
        matches!(ids.stable_name(method), Some(StableName::Fixed(n)) if n.contains(">g__") && n.ends_with('|'));
    local_function || matches!(ids.stable_name(ids.owner_of(method)), Some(StableName::StateMachineOf(_)))
}

/// Whether `field` is a variable captured by a closure: an instance field of a Roslyn
/// display class (`<>c__DisplayClass0_0`: the captured locals, parameters, `this` and
/// outer closures of a scope) or of an F# closure class (`scale@3`).
pub fn is_captured_variable(ids: &Identities<'_, '_>, field: Token) -> bool {
    let md = ids.metadata();
    field.table() == Some(TableId::Field)
        && md.row::<FieldRow>(field.rid()).is_ok_and(|r| r.flags & field_attr::STATIC == 0)
        && md
            .row::<TypeDefRow>(ids.owner_of(field).rid())
            .and_then(|r| md.string(r.name))
            .is_ok_and(|n| super::generated::is_closure_class(&n))
}

/// What renumbered generated code of the updated build cannot be applied: variables
/// newly captured by an existing closure ([`captured_variables_added`]) and state
/// machines added under a name the build applied last gives another one
/// ([`state_machine_names_taken`]).
pub fn rude_edits(old: &Identities<'_, '_>, new: &Identities<'_, '_>, added: &[Token]) -> Result<Vec<super::RudeEdit>> {
    let mut out = captured_variables_added(new, added)?;
    out.extend(state_machine_names_taken(old, new, added)?);
    Ok(out)
}

/// An added state machine whose name a state machine of the build applied last has (an
/// overload added above an async method takes its number: `<Load>d__1`). The type would
/// share its name with a type of the chain, and its kickoff method's attribute names it
/// by that name, which reflection and debuggers would resolve to either; refused.
fn state_machine_names_taken(
    old: &Identities<'_, '_>,
    new: &Identities<'_, '_>,
    added: &[Token],
) -> Result<Vec<super::RudeEdit>> {
    let mut out = Vec::new();
    let machines: Vec<Token> =
        added.iter().copied().filter(|t| matches!(new.stable_name(*t), Some(StableName::StateMachineOf(_)))).collect();
    if machines.is_empty() {
        return Ok(out);
    }
    let old_names: HashSet<String> = (1..=old.metadata().row_count(TableId::TypeDef))
        .map(|rid| super::compare::display_name(old, Token::new(TableId::TypeDef, rid)))
        .collect();
    for t in machines {
        let name = super::compare::display_name(new, t);
        if old_names.contains(&name) {
            out.push(super::RudeEdit::new(
                super::generated::user_facing(&name),
                format!("added under the name another state machine had ({name})"),
                "the compiler numbers state machines by the position of their method, and the chain cannot hold two types of one name; restart to apply",
            ));
        }
    }
    Ok(out)
}

/// Variables newly captured by an existing closure: a display class or F# closure class
/// of both builds that gains instance fields. Closures made before the update have no
/// value for the new variable, so their lambdas would read its default. Roslyn's hot reload gives the lambdas a new
/// closure class instead and makes the old closures' lambdas throw when called
/// (`HotReloadException`, "unsupported change to captured variables"); emit-delta
/// writes no such class, so the edit is refused, naming the member and the variables.
fn captured_variables_added(ids: &Identities<'_, '_>, added: &[Token]) -> Result<Vec<super::RudeEdit>> {
    let md = ids.metadata();
    let mut by_closure: std::collections::BTreeMap<Token, Vec<String>> = Default::default();
    for &t in added {
        let closure = ids.owner_of(t);
        if is_captured_variable(ids, t) && !added.contains(&closure) {
            by_closure.entry(closure).or_default().push(md.string(md.row::<FieldRow>(t.rid())?.name)?.into_owned());
        }
    }
    let mut out = Vec::new();
    for (closure, variables) in by_closure {
        // The closure is reported under the member its lambdas belong to.
        let display = super::compare::display_name(ids, closure);
        let owner = md.list(TableId::TypeDef, closure.rid(), 5)?.into_iter().find_map(|m| {
            let name = md.string(md.row::<MethodDefRow>(m.rid()).ok()?.name).ok()?;
            let generated = super::generated::parse(&name)?;
            Some(format!("a closure in {}::{}", display.rsplit_once('+').map_or("", |(t, _)| t), generated.member?))
        });
        let member = owner.unwrap_or_else(|| super::generated::user_facing(&display));
        out.push(super::RudeEdit::new(
            member,
            format!("captures a variable it did not capture before ({})", variables.join(", ")),
            "closures made before the update have no value for it, so their lambdas would read its default; Roslyn applies this only with a new closure class whose old lambdas throw, which emit-delta does not write; restart to apply",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positional_names_are_taken_apart() {
        assert_eq!(local_function_parts("<Run>g__Square|0_1"), Some(("Run", "Square", "0", "1")));
        assert_eq!(local_function_parts("<Run>b__0_1"), None);
        assert_eq!(cached_lambda_parts("<Run>b__3_1"), Some(("Run", "3", "1")));
        // A display class's lambda has the lambda ordinal only.
        assert_eq!(cached_lambda_parts("<Run>b__0"), None);
        assert_eq!(display_class_lambda_parts("<Run>b__12"), Some(("Run", "12")));
        assert_eq!(display_class_lambda_parts("<Run>b__0_1"), None);
        assert_eq!(display_class_lambda_parts("<Run>b__"), None);
        assert!(is_anonymous_type_name("<>f__AnonymousType0`2"));
        assert!(is_anonymous_type_name("<>f__AnonymousType12"));
        assert!(!is_anonymous_type_name("<>f__AnonymousDelegate0"));
        assert!(!is_anonymous_type_name("<>f__AnonymousType`2"));
    }

    #[test]
    fn a_state_machine_attribute_value_names_one_type() {
        let name = b"App.Program+<Load>d__3";
        let mut value = vec![1, 0, name.len() as u8];
        value.extend_from_slice(name);
        value.extend_from_slice(&[0, 0]);
        assert_eq!(single_string_argument(&value), Some("App.Program+<Load>d__3"));
        // Short, or with named arguments after it.
        value.insert(value.len() - 2, 1);
        assert_eq!(single_string_argument(&value), None);
        assert_eq!(single_string_argument(&[1, 0, 3, b'a']), None);
        assert_eq!(single_string_argument(&[0, 0]), None);
    }
}
