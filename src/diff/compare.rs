//! The semantic difference between two builds of the same assembly: which method
//! bodies changed, and which other differences are rude edits. Definitions are matched
//! by identity key, never by row number, and bodies are compared with tokens resolved
//! to what they name, so a recompile that renumbers rows and heaps is not an edit.
//! When the builds have the same rows (the usual body edit), the match is the identity
//! and only bodies are compared ([`DefinitionMatch::SameRows`]).

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::body::{KeptRows, Operands, bodies_equal_kept, bytes_equal};
use super::identity::Identities;
use super::initializer::initializer_rude_edits;
use super::matching::{DefinitionMatch, same_rows, same_rows_but_line_names};
use super::member_edits::{AttributeEdit, ParameterEdit, attribute_set, property_or_event_owner};
use super::old_bodies::OldBodies;
use super::pairing::{DEFINITION_TABLES, Pairing, definition_key, property_or_event_key};
use super::rude::{RudeEdit, RudeKind};
use super::suspects::Suspects;
use crate::assembly::Assembly;
use crate::error::Result;
use crate::il::OpCode;
use crate::metadata::schema::*;
use crate::metadata::{MetadataReader, Token};

/// A method whose body differs between the builds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdatedMethod {
    /// Its token in the older build.
    pub old: Token,
    /// Its token in the newer build.
    pub new: Token,
    /// `Namespace.Type::Method`, for messages.
    pub display: String,
}

/// A method of the build applied last that the updated build no longer has (deleted,
/// renamed, or its signature changed: the new one is an addition).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeletedMethod {
    /// Its token in the older build.
    pub old: Token,
    pub display: String,
    /// Whether its type went too (a compiler-generated closure or state machine class
    /// whose code the user deleted): no call reaches it but through an old instance.
    pub with_type: bool,
}

/// What changed between two builds.
#[derive(Debug, Default)]
pub struct BuildDiff {
    pub updated_methods: Vec<UpdatedMethod>,
    /// Definitions only the updated build has (TypeDef, Field, MethodDef, Property and
    /// Event tokens of the updated build), sorted by token. Their parameters, generic
    /// parameters, attributes and other rows come with them.
    pub added: Vec<Token>,
    pub deleted_methods: Vec<DeletedMethod>,
    /// Compiler-generated types of the build applied last that the updated build lacks
    /// (their rows stay; their methods are in `deleted_methods`).
    pub deleted_types: Vec<Token>,
    /// Existing definitions whose custom attributes changed (`ChangeCustomAttributes`).
    pub attribute_edits: Vec<AttributeEdit>,
    /// Existing parameters that were renamed (`UpdateParameters`).
    pub parameter_edits: Vec<ParameterEdit>,
    /// Differences that cannot be applied whatever the runtime's capabilities.
    pub rude_edits: Vec<RudeEdit>,
    /// How the definitions of the two builds correspond.
    pub definitions: DefinitionMatch,
}

/// Human-readable name of a definition: `Namespace.Type::Member`.
pub fn display_name(ids: &Identities<'_, '_>, token: Token) -> String {
    let md = ids.metadata();
    let type_name = |t: Token| -> String {
        let mut parts = Vec::new();
        let mut current = Some(t);
        // Bounded by the type count, in case of an enclosing-type cycle.
        while let Some(c) = current.filter(|_| parts.len() <= md.row_count(TableId::TypeDef) as usize) {
            let Ok(r) = md.row::<TypeDefRow>(c.rid()) else { break };
            let name = md.string(r.name).unwrap_or_default().into_owned();
            let ns = md.string(r.namespace).unwrap_or_default().into_owned();
            parts.push(if ns.is_empty() { name } else { format!("{ns}.{name}") });
            current = ids.enclosing_type(c);
        }
        parts.reverse();
        parts.join("+")
    };
    match token.table() {
        Some(TableId::TypeDef) => type_name(token),
        Some(TableId::MethodDef) => {
            let name = md.row::<MethodDefRow>(token.rid()).and_then(|r| md.string(r.name).map(|s| s.into_owned()));
            format!("{}::{}", type_name(ids.owner_of(token)), name.unwrap_or_default())
        }
        Some(TableId::Field) => {
            let name = md.row::<FieldRow>(token.rid()).and_then(|r| md.string(r.name).map(|s| s.into_owned()));
            format!("{}::{}", type_name(ids.owner_of(token)), name.unwrap_or_default())
        }
        _ => format!("{token}"),
    }
}

/// Definition keys of one build: TypeDef, MethodDef and Field, plus properties and
/// events keyed by their owner and name.
fn definitions(ids: &Identities<'_, '_>) -> Result<HashMap<Rc<str>, Token>> {
    let md = ids.metadata();
    let tables = [TableId::TypeDef, TableId::MethodDef, TableId::Field];
    let mut out = HashMap::with_capacity(tables.iter().map(|&t| md.row_count(t) as usize).sum());
    for table in tables {
        for rid in 1..=md.row_count(table) {
            let t = Token::new(table, rid);
            out.insert(ids.key(t)?, t);
        }
    }
    for map in [TableId::PropertyMap, TableId::EventMap] {
        for rid in 1..=md.row_count(map) {
            let owner = Token::new(TableId::TypeDef, md.tables.table(map).raw(rid, 0)?);
            for member in md.list(map, rid, 1)? {
                out.insert(property_or_event_key(ids, member, owner)?.into(), member);
            }
        }
    }
    Ok(out)
}

/// Compares `old` (the build applied last) with `new`.
/// On both paths, besides the definitions' own differences, a changed body that would
/// leave a type initializer's results stale is a rude edit ([`initializer_rude_edits`]).
pub fn diff_builds(old: &Assembly<'_>, new: &Assembly<'_>) -> Result<BuildDiff> {
    diff_summarised(old, new, &OldBodies::new(old))
}

/// [`diff_builds`] with the summary of `old`'s bodies made earlier (a session keeps
/// the one of the build applied last). A summary made for other bytes than `old`'s is
/// not used: the comparison then summarises `old` itself.
pub fn diff_builds_with(old: &Assembly<'_>, new: &Assembly<'_>, old_bodies: &OldBodies) -> Result<BuildDiff> {
    match old_bodies.is_for(old) {
        true => diff_summarised(old, new, old_bodies),
        false => diff_builds(old, new),
    }
}

/// [`diff_builds`], `old_bodies` being the summary of `old`'s bodies.
fn diff_summarised(old: &Assembly<'_>, new: &Assembly<'_>, old_bodies: &OldBodies) -> Result<BuildDiff> {
    if same_rows(&old.metadata, &new.metadata) {
        return diff_same_rows(old, new, None, old_bodies);
    }
    // F# builds where lines moved above line-named definitions (cheap tests first).
    if old.metadata.tables.row_counts() == new.metadata.tables.row_counts()
        && old.metadata.blobs.bytes() == new.metadata.blobs.bytes()
    {
        let (old_ids, new_ids) = (Identities::new(old)?, Identities::new(new)?);
        if same_rows_but_line_names(&old_ids, &new_ids)? {
            return diff_same_rows(old, new, Some((&old_ids, &new_ids)), old_bodies);
        }
    }
    let (old_ids, new_ids) = (Identities::new(old)?, Identities::new(new)?);
    // Lambdas renumbered by lambdas inserted before them keep their old keys.
    let old_types = std::cell::OnceCell::new();
    let names = super::renumbered::pair_inserted_lambdas(old, new, &old_ids, &new_ids, &|method, key| {
        old_method_has_key(&old_ids, &new_ids, &old_types, method, key)
    })?;
    let new_ids = match names.is_empty() {
        true => new_ids,
        false => Identities::with_pairing(new, names)?,
    };
    match Pairing::by_position(&old_ids, &new_ids)? {
        Some(mut pairing) => {
            pairing.new_names = new_ids.pairing().clone();
            diff_paired(old, new, &old_ids, &new_ids, pairing, CheckPairs::Suspects(old_bodies))
        }
        None => diff_by_key(old, new),
    }
}

/// Whether the build applied last has a method with identity key `key`, the key of
/// `method` of the updated build: only the type with its type's key can have it, so
/// only that type's methods get keys (`old_types`: the old build's type keys, made once).
fn old_method_has_key(
    old: &Identities<'_, '_>,
    new: &Identities<'_, '_>,
    old_types: &std::cell::OnceCell<HashMap<Rc<str>, Token>>,
    method: Token,
    key: &Rc<str>,
) -> Result<bool> {
    let types = match old_types.get() {
        Some(types) => types,
        None => {
            let md = old.metadata();
            let mut types = HashMap::with_capacity(md.row_count(TableId::TypeDef) as usize);
            for rid in 1..=md.row_count(TableId::TypeDef) {
                let t = Token::new(TableId::TypeDef, rid);
                types.insert(old.key(t)?, t);
            }
            old_types.get_or_init(|| types)
        }
    };
    let Some(&owner) = types.get(&new.key(new.owner_of(method))?) else { return Ok(false) };
    for m in old.metadata().list(TableId::TypeDef, owner.rid(), 5)? {
        if old.key(m)? == *key {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A rude edit for a definition that changed outside its body.
fn changed_definition(member: String, what: impl Into<String>) -> RudeEdit {
    let what = what.into();
    let why = match what.as_str() {
        "custom attributes changed" | "constant value changed" => {
            "emit-delta cannot update this on an existing member yet (added members carry theirs)"
        }
        "parameter rows added or removed (a return-value attribute?)" => {
            "emit-delta cannot add or remove Param rows of an existing method"
        }
        "parameter flags or default value changed" => {
            "emit-delta does not update parameter flags or default values (calls compiled against the old default keep it)"
        }
        "field initial data (RVA) changed" => "the runtime cannot replace the data of an existing field",
        _ => "the runtime cannot change this on a type or member that is already loaded",
    };
    RudeEdit::new(member, what, why)
}

/// Builds with the same rows: only bodies and field data can differ, and a token
/// names the same definition in both. `renamed`: the identities of both builds when
/// line-named F# definitions were renamed ([`same_rows_but_line_names`]); changed
/// members of such groups are then checked for ambiguity as in [`diff_by_key`].
fn diff_same_rows(
    old: &Assembly<'_>,
    new: &Assembly<'_>,
    renamed: Option<(&Identities<'_, '_>, &Identities<'_, '_>)>,
    old_bodies: &OldBodies,
) -> Result<BuildDiff> {
    let own_ids;
    let new_ids = match renamed {
        Some((_, ids)) => ids,
        None => {
            own_ids = Identities::new(new)?;
            &own_ids
        }
    };
    let mut diff = BuildDiff { definitions: DefinitionMatch::SameRows, ..BuildDiff::default() };
    let literals_equal = old.metadata.user_strings.bytes() == new.metadata.user_strings.bytes();
    let (old_methods, new_methods) =
        (old.metadata.tables.table(TableId::MethodDef), new.metadata.tables.table(TableId::MethodDef));
    // Same rows: equal raw tokens name the same entity.
    let operands = Operands::new(old, new, &KeptRows::NONE, |p, q| Ok(p == q));
    for rid in 1..=new_methods.row_count() {
        let new_rva = new_methods.raw(rid, 0)?;
        if old_bodies.same_body(old, new, rid, new_rva, &operands) {
            continue;
        }
        let old_rva = old_methods.raw(rid, 0)?;
        let t = Token::new(TableId::MethodDef, rid);
        if (old_rva == 0) != (new_rva == 0) {
            diff.rude_edits.push(changed_definition(display_name(new_ids, t), "method body added or removed"));
            continue;
        }
        if old_rva == 0 {
            continue;
        }
        let (a, b) = (old.method_body(old_rva)?, new.method_body(new_rva)?);
        if bytes_equal(&a, &b) && (literals_equal || !a.code.contains(&(OpCode::LDSTR.0 as u8))) {
            continue;
        }
        if !bodies_equal_kept(old, new, old_rva, new_rva, &operands)? {
            diff.updated_methods.push(UpdatedMethod { old: t, new: t, display: display_name(new_ids, t) });
        }
    }
    for rid in 1..=new.metadata.row_count(TableId::FieldRVA) {
        let field = new.metadata.row::<FieldRvaRow>(rid)?.field;
        if field_data(old, field)? != field_data(new, field)? {
            diff.rude_edits.push(changed_definition(display_name(new_ids, field), "field initial data (RVA) changed"));
        }
    }
    if let Some((old_ids, new_ids)) = renamed {
        diff.rude_edits.extend(ambiguous_line_free_matches(old_ids, new_ids, &diff.updated_methods));
    }
    diff.rude_edits.extend(initializer_rude_edits(old, new, new_ids, &diff.updated_methods)?);
    Ok(diff)
}

/// Builds whose rows differ: definitions are matched by identity key. This is the
/// general comparison, the reference the faster pairing of [`diff_builds`] must agree
/// with (tests/diff_paths.rs).
pub fn diff_by_key(old: &Assembly<'_>, new: &Assembly<'_>) -> Result<BuildDiff> {
    let old_ids = Identities::new(old)?;
    let new_ids = Identities::new(new)?;
    let old_defs = definitions(&old_ids)?;
    // Lambdas renumbered by lambdas inserted before them keep their old keys.
    let names = super::renumbered::pair_inserted_lambdas(old, new, &old_ids, &new_ids, &|_, key| {
        Ok(old_defs.contains_key(key))
    })?;
    let new_ids = match names.is_empty() {
        true => new_ids,
        false => Identities::with_pairing(new, names)?,
    };
    let mut pairing = Pairing::from_keys(&old.metadata, &new.metadata, &old_defs, &definitions(&new_ids)?);
    pairing.new_names = new_ids.pairing().clone();
    diff_paired(old, new, &old_ids, &new_ids, pairing, CheckPairs::All)
}

/// Which paired definitions get the full comparison outside their bodies.
#[derive(Clone, Copy)]
enum CheckPairs<'s> {
    /// All of them; every body is compared in full.
    All,
    /// Only those a quick conservative look finds might differ ([`Suspects`]); bodies
    /// first by the summary of the old build's.
    Suspects(&'s OldBodies),
}

/// The diff of two builds whose definitions are paired by `pairing`.
fn diff_paired(
    old: &Assembly<'_>,
    new: &Assembly<'_>,
    old_ids: &Identities<'_, '_>,
    new_ids: &Identities<'_, '_>,
    pairing: Pairing,
    check: CheckPairs<'_>,
) -> Result<BuildDiff> {
    let mut diff = BuildDiff::default();
    for table in DEFINITION_TABLES {
        diff.added.extend(pairing.unpaired(table, true));
    }
    diff.added.sort();
    // Compiler-generated types whose code the user deleted (F# closures, Roslyn display
    // classes and state machines) go with their members; user-declared types stay.
    let deleted_types: HashSet<Token> = pairing
        .unpaired(TableId::TypeDef, false)
        .filter(|t| {
            let name = old.metadata.row::<TypeDefRow>(t.rid()).and_then(|r| old.metadata.string(r.name));
            name.is_ok_and(|n| super::generated::parse(&n).is_some() || super::generated::is_static_data_type(&n))
        })
        .collect();
    let mut removed = Vec::new();
    for table in DEFINITION_TABLES {
        for t in pairing.unpaired(table, false) {
            if deleted_types.contains(&t) {
                continue;
            }
            let owner = match table {
                TableId::MethodDef | TableId::Field => Some(old_ids.owner_of(t)),
                TableId::Property | TableId::Event => property_or_event_owner(&old.metadata, t)?,
                _ => None,
            };
            let with_type = owner.is_some_and(|o| deleted_types.contains(&o));
            if table == TableId::MethodDef {
                diff.deleted_methods.push(DeletedMethod { old: t, display: display_name(old_ids, t), with_type });
                continue;
            }
            if with_type || super::generated::is_static_data_field(old_ids, t)? {
                continue;
            }
            // A variable a closure of both builds stopped capturing: its field stays,
            // holding in closures made before the update a value no code reads any more
            // (capturing it again later is refused as a newly captured variable).
            if super::renumbered::is_captured_variable(old_ids, t) {
                continue;
            }
            let (what, why) = match table {
                TableId::TypeDef => ("type removed or renamed", "emit-delta cannot delete types yet"),
                TableId::Field => ("field removed, renamed or its type changed", "the runtime cannot delete fields"),
                TableId::Property => ("property removed or renamed", "emit-delta cannot delete properties yet"),
                _ => ("event removed or renamed", "emit-delta cannot delete events yet"),
            };
            removed.push((definition_key(old_ids, t)?, RudeEdit::new(display_name(old_ids, t), what, why)));
        }
    }
    diff.deleted_methods.sort_by_key(|m| m.old);
    diff.deleted_types = deleted_types.into_iter().collect();
    diff.deleted_types.sort();
    diff.rude_edits.extend(in_key_order(removed));

    let kept = pairing.kept_rows();
    let checker = Checker {
        old: old_ids,
        new: new_ids,
        old_asm: old,
        new_asm: new,
        operands: Operands::new(old, new, &kept, |p, q| pairing.same_token(old_ids, new_ids, p, q)),
        old_bodies: match check {
            CheckPairs::All => None,
            CheckPairs::Suspects(bodies) => Some(bodies),
        },
    };
    let suspects = match check {
        CheckPairs::All => None,
        CheckPairs::Suspects(_) => Some(Suspects::find(old_ids, new_ids, &pairing)?),
    };
    let mut changed = Vec::new();
    for table in DEFINITION_TABLES {
        for (o, n) in pairing.pairs(table) {
            if suspects.as_ref().is_none_or(|s| s.contains(o)) {
                if let Some(what) = checker.definition_difference(o, n)? {
                    changed.push((definition_key(new_ids, n)?, changed_definition(display_name(new_ids, n), what)));
                    continue;
                }
                super::member_edits::collect(
                    old_ids,
                    new_ids,
                    o,
                    n,
                    &mut diff.attribute_edits,
                    &mut diff.parameter_edits,
                )?;
            }
            if table == TableId::MethodDef && !checker.bodies_equal(o, n)? {
                diff.updated_methods.push(UpdatedMethod { old: o, new: n, display: display_name(new_ids, n) });
            }
        }
    }
    diff.rude_edits.extend(in_key_order(changed));
    // Assembly- and module-level attributes.
    for (parent, label) in [(Token::new(TableId::Assembly, 1), "assembly"), (Token::new(TableId::Module, 1), "module")]
    {
        if attribute_set(old_ids, parent)? != attribute_set(new_ids, parent)? {
            diff.rude_edits.push(changed_definition(label.to_string(), "custom attributes changed"));
        }
    }
    diff.updated_methods.sort_by_key(|m| m.new);
    diff.attribute_edits.sort_by_key(|e| e.new);
    diff.parameter_edits.sort_by_key(|e| e.new);
    diff.rude_edits.extend(ambiguous_line_free_matches(old_ids, new_ids, &diff.updated_methods));
    diff.rude_edits.extend(super::renumbered::rude_edits(old_ids, new_ids, &diff.added)?);
    diff.rude_edits.extend(generated_code_added_beside_changed(new_ids, &diff));
    diff.rude_edits.extend(initializer_rude_edits(old, new, new_ids, &diff.updated_methods)?);
    diff.definitions = DefinitionMatch::Paired(Box::new(pairing));
    Ok(diff)
}

/// F# generated members are matched by their rank among same-named siblings
/// ([`Identities::line_free`]). When more than one renamed member of such a group changed,
/// the pairing cannot be told apart from members that moved past each other (two
/// closures swapped), so the edit is refused rather than risk running one closure's
/// code in place of another's.
fn ambiguous_line_free_matches(
    old_ids: &Identities<'_, '_>,
    ids: &Identities<'_, '_>,
    updated: &[UpdatedMethod],
) -> Vec<RudeEdit> {
    let mut groups: std::collections::BTreeMap<(u8, u32, String), Vec<Token>> = Default::default();
    for m in updated {
        // Only pairs the line-free names made: the same name in both builds is the
        // compiler's own identity.
        let generated =
            [(old_ids.owner_of(m.old), ids.owner_of(m.new)), (m.old, m.new)].into_iter().find_map(|(o, t)| {
                let lf = ids.line_free(t).filter(|lf| lf.group_size > 1)?;
                (display_name(old_ids, o) != display_name(ids, t)).then_some((t, lf))
            });
        if let Some((t, lf)) = generated {
            let members = groups.entry((lf.group.0 as u8, lf.group.1, lf.group.2.clone())).or_default();
            if !members.contains(&t) {
                members.push(t);
            }
        }
    }
    groups
        .into_values()
        .filter(|members| members.len() > 1)
        .map(|members| {
            let names: Vec<String> = members.iter().map(|&t| display_name(ids, t)).collect();
            RudeEdit::of(
                RudeKind::AmbiguousGeneratedMatch,
                super::generated::user_facing(&names[0]),
                format!("{} generated members of the same name changed together ({})", names.len(), names.join(", ")),
                "they are matched by their order in the source, which cannot tell edits of each from members that moved past each other; restart to apply",
            )
        })
        .collect()
}

/// Compilers name generated code by its position: Roslyn numbers a method's lambdas
/// and closures (`<Run>b__0_1`), F# ranks same-named closures by line. When generated
/// code of one member is added or removed while other generated code of that member
/// changed, the pairing by name cannot tell an edited lambda from one that moved to
/// another ordinal, and a delegate made before the update could run another lambda's
/// code. Without the compilers' EnC maps that would prove which is which, this is
/// refused. Added or removed generated code alone (nothing else of the member's
/// changed) applies.
fn generated_code_added_beside_changed(ids: &Identities<'_, '_>, diff: &BuildDiff) -> Vec<RudeEdit> {
    use super::generated::{owning_member, same_owner};
    let moved: Vec<(String, String)> = diff
        .added
        .iter()
        .filter(|t| matches!(t.table(), Some(TableId::TypeDef | TableId::MethodDef | TableId::Field)))
        // Captured variables added to a closure have their own rule.
        .filter(|&&t| !super::renumbered::is_captured_variable(ids, t))
        .filter(|&&t| !closure_constructor_of_existing_type(ids, &diff.added, t))
        .filter_map(|&t| added_generated_code(ids, t))
        .chain(
            diff.deleted_methods
                .iter()
                // The old constructor of a closure class that stays: what it captures changed.
                .filter(|m| {
                    m.with_type
                        || !m.display.strip_suffix("::.ctor").is_some_and(|ty| {
                            super::generated::is_closure_class(ty.rsplit(['+', '.']).next().unwrap_or(ty))
                        })
                })
                .filter_map(|m| owning_member(&m.display).map(|g| (g, m.display.clone()))),
        )
        .collect();
    if moved.is_empty() {
        return Vec::new();
    }
    let mut reported: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for m in &diff.updated_methods {
        let Some(group) = owning_member(&m.display) else { continue };
        if super::renumbered::identified_by_name(ids, m.new) {
            continue;
        }
        let Some((_, other)) = moved.iter().find(|(g, _)| same_owner(g, &group)) else { continue };
        if reported.contains(&group) {
            continue;
        }
        reported.push(group.clone());
        out.push(RudeEdit::of(
            RudeKind::AmbiguousGeneratedMatch,
            super::generated::user_facing(&m.display),
            format!("changed while generated code beside it was added or removed ({other})"),
            "compilers name lambdas and closures by their position, so an edited one cannot be told from one that moved; a delegate made before the update could run another's code; restart to apply",
        ));
    }
    out
}

/// Whether added definition `t` is the constructor of a closure class both builds have:
/// what the closure captures changed (an F# closure's constructor takes its captured
/// variables), not code that moved (a moved closure is a type added or deleted, a moved
/// lambda a method).
fn closure_constructor_of_existing_type(ids: &Identities<'_, '_>, added: &[Token], t: Token) -> bool {
    let md = ids.metadata();
    let owner = ids.owner_of(t);
    t.table() == Some(TableId::MethodDef)
        && !added.contains(&owner)
        && md.row::<MethodDefRow>(t.rid()).and_then(|r| md.string(r.name)).is_ok_and(|n| n == ".ctor")
        && md
            .row::<TypeDefRow>(owner.rid())
            .and_then(|r| md.string(r.name))
            .is_ok_and(|n| super::generated::is_closure_class(&n))
}

/// The member whose generated code added definition `t` is, with `t`'s display name. A
/// display class the build proves the method of ([`super::display_class`]), and its
/// constructor and fields, belong to that method (their names name none).
fn added_generated_code(ids: &Identities<'_, '_>, t: Token) -> Option<(String, String)> {
    use super::generated::owning_member;
    let name = display_name(ids, t);
    let group = match super::display_class::creator_of(ids, t) {
        Some(creator) => {
            let creator = display_name(ids, creator);
            owning_member(&creator).unwrap_or(creator)
        }
        None => owning_member(&name)?,
    };
    Some((group, name))
}

/// Rude edits paired with their definition's key, in key order.
fn in_key_order(mut edits: Vec<(Rc<str>, RudeEdit)>) -> impl Iterator<Item = RudeEdit> {
    edits.sort_by(|a, b| a.0.cmp(&b.0));
    edits.into_iter().map(|(_, e)| e)
}

pub(crate) fn kind_name(t: Token) -> &'static str {
    match t.table() {
        Some(TableId::TypeDef) => "type",
        Some(TableId::MethodDef) => "method",
        Some(TableId::Field) => "field",
        Some(TableId::Property) => "property",
        Some(TableId::Event) => "event",
        _ => "member",
    }
}

/// A parameter as compared: flags, sequence, default value (its name and attributes
/// are [`super::member_edits`]).
type ParamShape = (u16, u16, Option<(u8, Vec<u8>)>);
/// A generic parameter as compared: number, flags, name, constraint keys.
type GenericShape = (u16, u16, String, Vec<Rc<str>>);

struct Checker<'x, 'm, 'a, F> {
    old: &'x Identities<'m, 'a>,
    new: &'x Identities<'m, 'a>,
    old_asm: &'x Assembly<'a>,
    new_asm: &'x Assembly<'a>,
    /// Tokens compared under the pairing; [`Pairing::kept_rows`]: most tokens of equal
    /// code need no lookup.
    operands: Operands<'x, 'a, F>,
    /// The summary of the old build's bodies, when bodies may be proven equal by it.
    old_bodies: Option<&'x OldBodies>,
}

impl<F: Fn(Token, Token) -> Result<bool>> Checker<'_, '_, '_, F> {
    fn children(md: &MetadataReader<'_>, table: TableId, column: usize, key: u32) -> Result<Vec<u32>> {
        Ok(md.equal_range(table, column, key)?.collect())
    }

    /// A description of how the definitions differ outside method bodies and outside
    /// what [`super::member_edits`] can update, if they do.
    fn definition_difference(&self, o: Token, n: Token) -> Result<Option<String>> {
        let (om, nm) = (self.old.metadata(), self.new.metadata());
        match n.table() {
            Some(TableId::TypeDef) => {
                let (a, b): (TypeDefRow, TypeDefRow) = (om.row(o.rid())?, nm.row(n.rid())?);
                if a.flags != b.flags {
                    return Ok(Some("type attributes changed".into()));
                }
                if self.old.key(a.extends)? != self.new.key(b.extends)? {
                    return Ok(Some("base type changed".into()));
                }
                let layout = |md: &MetadataReader<'_>, t: Token| -> Result<Option<(u16, u32)>> {
                    Ok(match Self::children(md, TableId::ClassLayout, 2, t.rid())?.first() {
                        Some(&rid) => {
                            let l: ClassLayoutRow = md.row(rid)?;
                            Some((l.packing_size, l.class_size))
                        }
                        None => None,
                    })
                };
                if layout(om, o)? != layout(nm, n)? {
                    return Ok(Some("layout changed".into()));
                }
                let interfaces = |ids: &Identities<'_, '_>, t: Token| -> Result<Vec<Rc<str>>> {
                    let md = ids.metadata();
                    let mut v = Vec::new();
                    for rid in Self::children(md, TableId::InterfaceImpl, 0, t.rid())? {
                        v.push(ids.key(md.row::<InterfaceImplRow>(rid)?.interface)?);
                    }
                    v.sort();
                    Ok(v)
                };
                if interfaces(self.old, o)? != interfaces(self.new, n)? {
                    return Ok(Some("implemented interfaces changed".into()));
                }
                if self.generics(self.old, o)? != self.generics(self.new, n)? {
                    return Ok(Some("generic parameters changed".into()));
                }
            }
            Some(TableId::MethodDef) => {
                let (a, b): (MethodDefRow, MethodDefRow) = (om.row(o.rid())?, nm.row(n.rid())?);
                if a.flags != b.flags || a.impl_flags != b.impl_flags {
                    return Ok(Some("method attributes changed".into()));
                }
                if (a.rva == 0) != (b.rva == 0) {
                    return Ok(Some("method body added or removed".into()));
                }
                let (p, q) = (self.params(self.old, o)?, self.params(self.new, n)?);
                if p.len() != q.len() {
                    return Ok(Some("parameter rows added or removed (a return-value attribute?)".into()));
                }
                if p != q {
                    return Ok(Some("parameter flags or default value changed".into()));
                }
                if self.generics(self.old, o)? != self.generics(self.new, n)? {
                    return Ok(Some("generic parameters changed".into()));
                }
                let import = |md: &MetadataReader<'_>, t: Token| -> Result<Option<(u16, String)>> {
                    let key = CodedIndex::MemberForwarded.encode(t).unwrap_or(u32::MAX);
                    Ok(match Self::children(md, TableId::ImplMap, 1, key)?.first() {
                        Some(&rid) => {
                            let m: ImplMapRow = md.row(rid)?;
                            let module = md.string(md.row::<ModuleRefRow>(m.import_scope.rid())?.name)?;
                            Some((m.flags, format!("{}!{}", module, md.string(m.import_name)?)))
                        }
                        None => None,
                    })
                };
                if import(om, o)? != import(nm, n)? {
                    return Ok(Some("P/Invoke import changed".into()));
                }
            }
            Some(TableId::Field) => {
                let (a, b): (FieldRow, FieldRow) = (om.row(o.rid())?, nm.row(n.rid())?);
                if a.flags != b.flags {
                    return Ok(Some("field attributes changed".into()));
                }
                if self.constant(om, o)? != self.constant(nm, n)? {
                    return Ok(Some("constant value changed".into()));
                }
                let offset = |md: &MetadataReader<'_>, t: Token| -> Result<Option<u32>> {
                    Ok(match Self::children(md, TableId::FieldLayout, 1, t.rid())?.first() {
                        Some(&rid) => Some(md.row::<FieldLayoutRow>(rid)?.offset),
                        None => None,
                    })
                };
                if offset(om, o)? != offset(nm, n)? {
                    return Ok(Some("field offset changed".into()));
                }
                if field_data(self.old_asm, o)? != field_data(self.new_asm, n)? {
                    return Ok(Some("field initial data (RVA) changed".into()));
                }
            }
            Some(TableId::Property) => {
                let (a, b): (PropertyRow, PropertyRow) = (om.row(o.rid())?, nm.row(n.rid())?);
                if a.flags != b.flags
                    || self.blob_key(self.old, a.signature)? != self.blob_key(self.new, b.signature)?
                {
                    return Ok(Some("property attributes or type changed".into()));
                }
                if self.semantics(self.old, o)? != self.semantics(self.new, n)? {
                    return Ok(Some("property accessors changed".into()));
                }
            }
            Some(TableId::Event) => {
                let (a, b): (EventRow, EventRow) = (om.row(o.rid())?, nm.row(n.rid())?);
                if a.flags != b.flags || self.old.key(a.event_type)? != self.new.key(b.event_type)? {
                    return Ok(Some("event attributes or type changed".into()));
                }
                if self.semantics(self.old, o)? != self.semantics(self.new, n)? {
                    return Ok(Some("event accessors changed".into()));
                }
            }
            _ => {}
        }
        Ok(None)
    }

    fn blob_key(&self, ids: &Identities<'_, '_>, index: crate::metadata::BlobIndex) -> Result<String> {
        ids.signature_key(&crate::metadata::signature::Signature::decode_any(ids.metadata().blob(index)?)?)
    }

    fn constant(&self, md: &MetadataReader<'_>, t: Token) -> Result<Option<(u8, Vec<u8>)>> {
        let key = CodedIndex::HasConstant.encode(t).unwrap_or(u32::MAX);
        Ok(match Self::children(md, TableId::Constant, 1, key)?.first() {
            Some(&rid) => {
                let c: ConstantRow = md.row(rid)?;
                Some((c.type_code, md.blob(c.value)?.to_vec()))
            }
            None => None,
        })
    }

    fn params(&self, ids: &Identities<'_, '_>, method: Token) -> Result<Vec<ParamShape>> {
        let md = ids.metadata();
        let mut out = Vec::new();
        for p in md.list(TableId::MethodDef, method.rid(), 5)? {
            let r: ParamRow = md.row(p.rid())?;
            out.push((r.flags, r.sequence, self.constant(md, p)?));
        }
        Ok(out)
    }

    fn generics(&self, ids: &Identities<'_, '_>, owner: Token) -> Result<Vec<GenericShape>> {
        let md = ids.metadata();
        let key = CodedIndex::TypeOrMethodDef.encode(owner).unwrap_or(u32::MAX);
        let mut out = Vec::new();
        for rid in Self::children(md, TableId::GenericParam, 2, key)? {
            let g: GenericParamRow = md.row(rid)?;
            let mut constraints = Vec::new();
            for c in Self::children(md, TableId::GenericParamConstraint, 0, rid)? {
                constraints.push(ids.key(md.row::<GenericParamConstraintRow>(c)?.constraint)?);
            }
            constraints.sort();
            out.push((g.number, g.flags, md.string(g.name)?.into_owned(), constraints));
        }
        Ok(out)
    }

    fn semantics(&self, ids: &Identities<'_, '_>, owner: Token) -> Result<Vec<(u16, Rc<str>)>> {
        let md = ids.metadata();
        let key = CodedIndex::HasSemantics.encode(owner).unwrap_or(u32::MAX);
        let mut out = Vec::new();
        for rid in Self::children(md, TableId::MethodSemantics, 2, key)? {
            let s: MethodSemanticsRow = md.row(rid)?;
            out.push((s.semantics, ids.key(s.method)?));
        }
        out.sort();
        Ok(out)
    }

    /// Whether two method bodies are the same code once tokens are resolved.
    fn bodies_equal(&self, o: Token, n: Token) -> Result<bool> {
        // The RVA column only: this runs for every paired method.
        let rva = |md: &MetadataReader<'_>, t: Token| md.tables.table(TableId::MethodDef).raw(t.rid(), 0);
        let b = rva(self.new.metadata(), n)?;
        if self.old_bodies.is_some_and(|s| s.same_body(self.old_asm, self.new_asm, o.rid(), b, &self.operands)) {
            return Ok(true);
        }
        bodies_equal_kept(self.old_asm, self.new_asm, rva(self.old.metadata(), o)?, b, &self.operands)
    }
}

/// The initial data of a field with an RVA, if it has one.
fn field_data(asm: &Assembly<'_>, field: Token) -> Result<Option<Vec<u8>>> {
    let md = &asm.metadata;
    let Some(rid) = md.find_row(TableId::FieldRVA, 1, field.rid())? else { return Ok(None) };
    let rva = md.row::<FieldRvaRow>(rid)?.rva;
    if let Ok(data) = asm.field_data(rva, md.row::<FieldRow>(field.rid())?.signature) {
        return Ok(Some(data.to_vec()));
    }
    // A type whose size is not known here: 64 bytes from the RVA catch a changed
    // initializer.
    Ok(asm.pe.as_ref().and_then(|pe| pe.rest_at_rva(rva, "field data").ok()).map(|d| d[..d.len().min(64)].to_vec()))
}
