//! Roslyn's display classes, keyed by the method that creates them.
//!
//! A lambda that captures locals or parameters lives in a display class
//! `<>c__DisplayClassM_N` nested in the method's type: M is the method's ordinal among
//! its type's members, N the closure scope's ordinal in the method. A member added
//! above the method renumbers M, and with it every display class of the methods below;
//! the lambdas inside (`<Run>b__0`: the lambda ordinal only) keep their names. Keyed by
//! their metadata name, the display classes would pair with other methods' closures.
//!
//! What the build proves instead: the class's creator, the one method of its type (or
//! of a type Roslyn generated in it) that refers to its constructor (a `newobj`; for a struct closure of
//! local functions, the one method with a local of its type). The creator is a method
//! the user wrote, or generated code of one (a state machine's `MoveNext`, a lambda, a
//! local function) whose name carries the top-level method's name and ordinal, which
//! must be M. The class's lambdas must be that method's, and no other top-level method
//! name may carry M in a name Roslyn numbered in the type (state machines, lambdas,
//! local functions, display classes), nor another method the user wrote create display
//! classes numbered M. The class is then keyed by its creator's key (name and
//! signature, so overloads stay apart) and N ([`StableName::ClosureOf`]). Anything less
//! (two creators, none, an ordinal two names share, a lambda of another method inside)
//! leaves the metadata name, as before. N itself stays positional: a closure scope
//! inserted before another in the same method renumbers it, as it did before.

use std::collections::{HashMap, HashSet};

use super::generated::{GeneratedKind, parse};
use super::identity::Identities;
use super::renumbered::{StableName, StableNames, cached_lambda_parts, local_function_parts};
use crate::assembly::Assembly;
use crate::error::Result;
use crate::il::TokenOperands;
use crate::il::instruction::Operand;
use crate::metadata::schema::*;
use crate::metadata::signature::{Signature, TypeSig, decode_type};
use crate::metadata::{MetadataReader, Token};

/// How every display class name starts.
pub const DISPLAY_CLASS: &str = "<>c__DisplayClass";

/// `<>c__DisplayClassM_N`, with `` `K `` when it is generic → (M, N).
pub fn display_class_parts(name: &str) -> Option<(u32, u32)> {
    let rest = name.strip_prefix(DISPLAY_CLASS)?;
    let rest = rest.split_once('`').map_or(rest, |(n, _)| n);
    let (m, n) = rest.split_once('_')?;
    Some((ordinal(m)?, ordinal(n)?))
}

/// A decimal ordinal as Roslyn writes it (digits only).
fn ordinal(text: &str) -> Option<u32> {
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok()).flatten()
}

/// A display class of the build.
struct DisplayClass {
    rid: u32,
    /// M and N of its name.
    method_ordinal: u32,
    scope: u32,
    /// Its constructor (`None`: a struct closure, made as a local).
    ctor: Option<u32>,
}

/// The row numbers one build's tables give each definition's owner.
pub struct Owners<'o> {
    /// TypeDef rid → enclosing TypeDef rid (0: top level).
    pub enclosing: &'o [u32],
    /// MethodDef rid → declaring TypeDef rid.
    pub method_owner: &'o [u32],
}

impl Owners<'_> {
    fn enclosing(&self, t: u32) -> u32 {
        self.enclosing.get(t as usize).copied().filter(|&o| o != t).unwrap_or(0)
    }

    fn method_owner(&self, m: u32) -> u32 {
        self.method_owner.get(m as usize).copied().unwrap_or(0)
    }
}

/// Gives each display class that its build proves the method of a stable name (see the
/// module documentation).
pub fn display_classes(asm: &Assembly<'_>, owners: &Owners<'_>, out: &mut StableNames) -> Result<()> {
    let md = &asm.metadata;
    if asm.pe.is_none() {
        return Ok(());
    }
    let mut by_type: HashMap<u32, Vec<DisplayClass>> = HashMap::new();
    for rid in 1..=md.row_count(TableId::TypeDef) {
        let row: TypeDefRow = md.row(rid)?;
        let outer = owners.enclosing(rid);
        let Some((method_ordinal, scope)) = display_class_parts(&md.string(row.name)?) else { continue };
        // Only its enclosing type and the types in it can use a private nested type.
        if outer == 0 || row.flags & flags::VISIBILITY_MASK != flags::NESTED_PRIVATE {
            continue;
        }
        let ctor = md
            .list(TableId::TypeDef, rid, 5)?
            .into_iter()
            .map(|m| m.rid())
            .find(|&m| md.row::<MethodDefRow>(m).and_then(|r| md.string(r.name)).is_ok_and(|n| n == ".ctor"));
        by_type.entry(outer).or_default().push(DisplayClass { rid, method_ordinal, scope, ctor });
    }
    let mut nested: HashMap<u32, Vec<u32>> = HashMap::new();
    for rid in 1..=md.row_count(TableId::TypeDef) {
        nested.entry(owners.enclosing(rid)).or_default().push(rid);
    }
    for (outer, classes) in by_type {
        let types = own_types(md, &nested, outer)?;
        name_display_classes(asm, owners, outer, &types, &classes, out)?;
    }
    drop_cycles(md, owners, out);
    Ok(())
}

/// TypeDef flags this module reads.
mod flags {
    pub const VISIBILITY_MASK: u32 = 0x7;
    pub const NESTED_PRIVATE: u32 = 0x3;
}

/// The display classes nested in type `outer`.
fn name_display_classes(
    asm: &Assembly<'_>,
    owners: &Owners<'_>,
    outer: u32,
    types: &[u32],
    classes: &[DisplayClass],
    out: &mut StableNames,
) -> Result<()> {
    let md = &asm.metadata;
    let Some(creators) = creators(asm, types, classes)? else { return Ok(()) };
    // (top-level method name, ordinal) of every name Roslyn numbered in `outer`.
    let mut numbered = numbered_names(md, types)?;
    let mut proven: Vec<(&DisplayClass, u32, TopLevel)> = Vec::new();
    for class in classes {
        let Some(&[creator]) = creators.get(&class.rid).map(Vec::as_slice) else { continue };
        if owners.method_owner(creator) == class.rid {
            continue;
        }
        let Some(method) = top_level_method(md, owners, outer, creator)? else { continue };
        if method.ordinal.is_some_and(|m| m != class.method_ordinal) || !lambdas_belong_to(md, class.rid, &method.name)?
        {
            continue;
        }
        numbered.push((method.name.clone(), class.method_ordinal));
        proven.push((class, creator, method));
    }
    let ordinals = OrdinalMap::new(&numbered, &proven);
    let mut by_key: HashMap<(u32, u32), Vec<u32>> = HashMap::new();
    for (class, creator, method) in proven {
        if ordinals.stands_for(class.method_ordinal, &method.name) {
            by_key.entry((creator, class.scope)).or_default().push(class.rid);
        }
    }
    for ((creator, scope), rids) in by_key {
        if let [rid] = rids[..] {
            let creator = Token::new(TableId::MethodDef, creator);
            out.names.insert(Token::new(TableId::TypeDef, rid), StableName::ClosureOf { creator, scope });
        }
    }
    Ok(())
}

/// `outer` and the types Roslyn generated for its members (nested in it with a
/// generated name: `<>c`, display classes, state machines), in row order: where a display
/// class of `outer` can be created and where its ordinals are used. A type the user
/// nested in `outer` numbers its own members.
fn own_types(md: &MetadataReader<'_>, nested: &HashMap<u32, Vec<u32>>, outer: u32) -> Result<Vec<u32>> {
    let mut own = vec![outer];
    for &inner in nested.get(&outer).into_iter().flatten() {
        if inner != outer && parse(&md.string(md.row::<TypeDefRow>(inner)?.name)?).is_some() {
            own.push(inner);
        }
    }
    own.sort();
    Ok(own)
}

/// Display class rid → the methods of `types` that create it: refer to its constructor
/// (the `newobj`; a display class is not called otherwise) or, for a struct closure,
/// hold a local of its type. `None` when a body cannot be read: nothing is proven.
fn creators(asm: &Assembly<'_>, types: &[u32], classes: &[DisplayClass]) -> Result<Option<HashMap<u32, Vec<u32>>>> {
    let md = &asm.metadata;
    let by_ctor: HashMap<u32, u32> = classes.iter().filter_map(|c| Some((c.ctor?, c.rid))).collect();
    let with_ctor: HashSet<u32> = by_ctor.values().copied().collect();
    let structs: HashSet<u32> = classes.iter().filter(|c| c.ctor.is_none()).map(|c| c.rid).collect();
    let mut out: HashMap<u32, Vec<u32>> = HashMap::new();
    for &t in types {
        for method in md.list(TableId::TypeDef, t, 5)? {
            let rva = md.row::<MethodDefRow>(method.rid())?.rva;
            if rva == 0 {
                continue;
            }
            let Ok(body) = asm.method_body(rva) else { return Ok(None) };
            let mut created = HashSet::new();
            for operand in TokenOperands::new(body.code) {
                let Ok(operand) = operand else { return Ok(None) };
                if let Operand::Token(token) = operand
                    && let Some(class) = constructed_class(md, token, &by_ctor, &with_ctor)?
                {
                    created.insert(class);
                }
            }
            if !structs.is_empty() {
                created.extend(local_structs(md, body.local_signature, &structs));
            }
            for class in created {
                out.entry(class).or_default().push(method.rid());
            }
        }
    }
    Ok(Some(out))
}

/// The display class whose constructor `token` names (a MethodDef, or a MemberRef on an
/// instantiation of a generic display class).
fn constructed_class(
    md: &MetadataReader<'_>,
    token: Token,
    by_ctor: &HashMap<u32, u32>,
    with_ctor: &HashSet<u32>,
) -> Result<Option<u32>> {
    match token.table() {
        Some(TableId::MethodDef) => Ok(by_ctor.get(&token.rid()).copied()),
        Some(TableId::MemberRef) => {
            let Ok(r) = md.row::<MemberRefRow>(token.rid()) else { return Ok(None) };
            if r.class.table() != Some(TableId::TypeSpec) || md.string(r.name)? != ".ctor" {
                return Ok(None);
            }
            let Ok(spec) = md.row::<TypeSpecRow>(r.class.rid()) else { return Ok(None) };
            let Ok(TypeSig::GenericInst { generic, .. }) = md.blob(spec.signature).and_then(decode_type) else {
                return Ok(None);
            };
            Ok((generic.table() == Some(TableId::TypeDef) && with_ctor.contains(&generic.rid()))
                .then_some(generic.rid()))
        }
        _ => Ok(None),
    }
}

/// The struct display classes among the locals of signature `locals`.
fn local_structs(md: &MetadataReader<'_>, locals: Token, structs: &HashSet<u32>) -> Vec<u32> {
    if locals.table() != Some(TableId::StandAloneSig) {
        return Vec::new();
    }
    let decoded =
        md.row::<StandAloneSigRow>(locals.rid()).and_then(|r| md.blob(r.signature)).and_then(Signature::decode_any);
    let Ok(Signature::Locals(types)) = decoded else { return Vec::new() };
    types
        .iter()
        .filter_map(|t| match t {
            TypeSig::ValueType(d) | TypeSig::GenericInst { value_type: true, generic: d, .. } => Some(*d),
            _ => None,
        })
        .filter(|d| d.table() == Some(TableId::TypeDef) && structs.contains(&d.rid()))
        .map(|d| d.rid())
        .collect()
}

/// The top-level method a generated method's code comes from: its name, and the
/// ordinal Roslyn gave it when a name says.
struct TopLevel {
    name: String,
    ordinal: Option<u32>,
}

/// The top-level method `method` (a creator of a display class of `outer`) is or is
/// part of: a method of `outer` the user wrote; a lambda or local function of `outer`
/// or its `<>c` named after it with its ordinal (`<Run>b__2_0`, `<Run>g__Add|2_0`); a
/// method of its state machine (`<Run>d__2`); a lambda or local function of one of its
/// display classes (`<Run>b__1`). `None` otherwise.
fn top_level_method(md: &MetadataReader<'_>, owners: &Owners<'_>, outer: u32, method: u32) -> Result<Option<TopLevel>> {
    let name = md.string(md.row::<MethodDefRow>(method)?.name)?;
    let owner = owners.method_owner(method);
    let numbered = || {
        let (member, m) = cached_lambda_parts(&name)
            .map(|(member, m, _)| (member, m))
            .or_else(|| local_function_parts(&name).map(|(member, _, m, _)| (member, m)))?;
        Some(TopLevel { name: member.to_string(), ordinal: Some(ordinal(m)?) })
    };
    if owner == outer {
        return Ok(match parse(&name) {
            None => Some(TopLevel { name: name.to_string(), ordinal: None }),
            Some(_) => numbered(),
        });
    }
    if owners.enclosing(owner) != outer {
        return Ok(None);
    }
    let owner_name = md.string(md.row::<TypeDefRow>(owner)?.name)?;
    if let Some((member, m)) = state_machine_parts(&owner_name) {
        return Ok(Some(TopLevel { name: member, ordinal: Some(m) }));
    }
    if owner_name == "<>c" {
        return Ok(numbered());
    }
    let Some((m, _)) = display_class_parts(&owner_name) else { return Ok(None) };
    Ok(parse(&name)
        .filter(|g| matches!(g.kind, GeneratedKind::Lambda | GeneratedKind::LocalFunction))
        .and_then(|g| g.member)
        .map(|member| TopLevel { name: member.to_string(), ordinal: Some(m) }))
}

/// Whether every method of display class `class` but its constructor is a lambda or
/// local function of `member`.
fn lambdas_belong_to(md: &MetadataReader<'_>, class: u32, member: &str) -> Result<bool> {
    for m in md.list(TableId::TypeDef, class, 5)? {
        let name = md.string(md.row::<MethodDefRow>(m.rid())?.name)?;
        if name == ".ctor" {
            continue;
        }
        let Some(g) = parse(&name) else { return Ok(false) };
        if !matches!(g.kind, GeneratedKind::Lambda | GeneratedKind::LocalFunction) || g.member != Some(member) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// (top-level method name, ordinal) of every generated name in `types` that carries
/// both: state machines `<Run>d__2`, lambdas `<Run>b__2_0`, local functions
/// `<Run>g__Add|2_0`.
fn numbered_names(md: &MetadataReader<'_>, types: &[u32]) -> Result<Vec<(String, u32)>> {
    let mut out = Vec::new();
    for &t in types {
        if let Some(pair) = state_machine_parts(&md.string(md.row::<TypeDefRow>(t)?.name)?) {
            out.push(pair);
        }
        for m in md.list(TableId::TypeDef, t, 5)? {
            let name = md.string(md.row::<MethodDefRow>(m.rid())?.name)?;
            let numbered = cached_lambda_parts(&name)
                .map(|(member, m, _)| (member, m))
                .or_else(|| local_function_parts(&name).map(|(member, _, m, _)| (member, m)));
            if let Some((member, m)) = numbered.and_then(|(member, m)| Some((member.to_string(), ordinal(m)?))) {
                out.push((member, m));
            }
        }
    }
    Ok(out)
}

/// `<Run>d__2` → (`Run`, 2).
fn state_machine_parts(name: &str) -> Option<(String, u32)> {
    let (member, m) = name.strip_prefix('<')?.split_once(">d__")?;
    let m = m.split_once('`').map_or(m, |(n, _)| n);
    Some((member.to_string(), ordinal(m)?))
}

/// Which top-level method names have each ordinal, and which methods the user wrote
/// create display classes of each ordinal.
struct OrdinalMap {
    names: HashMap<u32, HashSet<String>>,
    creators: HashMap<u32, HashSet<u32>>,
}

impl OrdinalMap {
    fn new(numbered: &[(String, u32)], proven: &[(&DisplayClass, u32, TopLevel)]) -> Self {
        let mut map = OrdinalMap { names: HashMap::new(), creators: HashMap::new() };
        for (name, m) in numbered {
            map.names.entry(*m).or_default().insert(name.clone());
        }
        for (class, creator, method) in proven {
            // A generated creator's name carries the ordinal itself.
            if method.ordinal.is_none() {
                map.creators.entry(class.method_ordinal).or_default().insert(*creator);
            }
        }
        map
    }

    /// Whether ordinal `m` stands for the method named `name` alone: no other name has
    /// it, and at most one method the user wrote creates display classes numbered with
    /// it. (Overloads may share a name; each has its own ordinal and creates its own
    /// display classes, which the key tells apart by the creator's signature.)
    fn stands_for(&self, m: u32, name: &str) -> bool {
        let names = self.names.get(&m);
        names.is_some_and(|n| n.len() == 1 && n.contains(name)) && self.creators.get(&m).is_none_or(|c| c.len() <= 1)
    }
}

/// The method that creates the display class `t` is, or `t` is a member of, when the
/// build proves it.
pub fn creator_of(ids: &Identities<'_, '_>, t: Token) -> Option<Token> {
    let class = if t.table() == Some(TableId::TypeDef) { t } else { ids.owner_of(t) };
    match ids.stable_name(class) {
        Some(StableName::ClosureOf { creator, .. }) => Some(*creator),
        _ => None,
    }
}

/// Removes the stable names of display classes whose creators lead back to them (a
/// creator in a display class created in turn by a method of the first): only hostile
/// metadata has them, and their keys would never end.
fn drop_cycles(md: &MetadataReader<'_>, owners: &Owners<'_>, out: &mut StableNames) {
    let limit = md.row_count(TableId::TypeDef) as usize + 1;
    let creator_type = |names: &StableNames, t: Token| match names.names.get(&t) {
        Some(StableName::ClosureOf { creator, .. }) => {
            Some(Token::new(TableId::TypeDef, owners.method_owner(creator.rid())))
        }
        _ => None,
    };
    let cyclic: Vec<Token> = out
        .names
        .keys()
        .copied()
        .filter(|&start| {
            let mut current = creator_type(out, start);
            for _ in 0..limit {
                match current {
                    Some(t) if t == start => return true,
                    Some(t) => current = creator_type(out, t),
                    None => return false,
                }
            }
            true
        })
        .collect();
    for t in cyclic {
        out.names.remove(&t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_class_names_are_taken_apart() {
        assert_eq!(display_class_parts("<>c__DisplayClass3_0"), Some((3, 0)));
        assert_eq!(display_class_parts("<>c__DisplayClass12_1`1"), Some((12, 1)));
        assert_eq!(display_class_parts("<>c__DisplayClass3"), None);
        assert_eq!(display_class_parts("<>c__DisplayClass3_"), None);
        assert_eq!(display_class_parts("<>c__DisplayClass_0"), None);
        assert_eq!(display_class_parts("<>c"), None);
        assert_eq!(state_machine_parts("<Load>d__3"), Some(("Load".to_string(), 3)));
        assert_eq!(state_machine_parts("<Load>d__"), None);
    }

    #[test]
    fn an_ordinal_two_names_share_proves_nothing() {
        let class = |m| DisplayClass { rid: 0, method_ordinal: m, scope: 0, ctor: None };
        let (three, four) = (class(3), class(4));
        let user = |name: &str| TopLevel { name: name.to_string(), ordinal: None };
        let numbered = [("Run".to_string(), 2), ("Scale".to_string(), 3), ("Scale".to_string(), 4)];
        // Overloads of Scale, each with its ordinal and its display class.
        let map = OrdinalMap::new(&numbered, &[(&three, 10, user("Scale")), (&four, 11, user("Scale"))]);
        assert!(map.stands_for(2, "Run") && map.stands_for(3, "Scale") && map.stands_for(4, "Scale"));
        assert!(!map.stands_for(3, "Run") && !map.stands_for(5, "Scale"));
        // Two names with one ordinal, or two methods creating display classes of one.
        let shared = OrdinalMap::new(&[("Run".to_string(), 2), ("Load".to_string(), 2)], &[]);
        assert!(!shared.stands_for(2, "Run"));
        let other = class(3);
        let two = OrdinalMap::new(&numbered, &[(&three, 10, user("Scale")), (&other, 11, user("Scale"))]);
        assert!(!two.stands_for(3, "Scale"));
    }
}
