//! Which of a diff's changes the target runtime can apply: each added, deleted or
//! updated definition either needs a [`Capability`] (a rude edit naming it when the
//! runtime lacks it) or cannot be applied at all (a rude edit saying why). What passes
//! is the plan the delta writer carries out.

use std::collections::HashSet;

use super::compare::{BuildDiff, UpdatedMethod, display_name, kind_name};
use super::identity::Identities;
use super::initializer::{CCTOR_FLAGS, field_name, initializer_owner};
use super::rude::{RudeEdit, RudeKind};
use crate::assembly::Assembly;
use crate::capability::{Capabilities, Capability};
use crate::error::Result;
use crate::il::{Instructions, OpCode, Operand};
use crate::metadata::flags::{field_attr, method_attr, type_attr};
use crate::metadata::schema::*;
use crate::metadata::{MetadataReader, Token};

/// The rude edits of `diff` (from `old` to `new`) for a runtime with `capabilities`,
/// besides the diff's own: `methods` are the body updates that will be written.
pub fn classify(
    diff: &BuildDiff,
    new_build: &Assembly<'_>,
    old: &Identities<'_, '_>,
    new: &Identities<'_, '_>,
    methods: &[UpdatedMethod],
    capabilities: Capabilities,
) -> Result<Vec<RudeEdit>> {
    let mut out = Vec::new();
    let mut require = |member: &dyn Fn() -> String, change: &str, capability: Capability| {
        if !capabilities.has(capability) {
            out.push(RudeEdit::needs(member(), change, capability));
        }
    };
    let (om, nm) = (old.metadata(), new.metadata());
    if !capabilities.has(Capability::Baseline) && (!methods.is_empty() || !diff.deleted_methods.is_empty()) {
        require(&|| "<runtime>".into(), "method bodies updated", Capability::Baseline);
    }
    for m in methods {
        if is_generic(nm, m.new, new.owner_of(m.new)) {
            require(&|| m.display.clone(), "generic method body updated", Capability::GenericUpdateMethod);
        }
    }
    for e in &diff.attribute_edits {
        require(&|| e.display.clone(), "custom attributes changed", Capability::ChangeCustomAttributes);
    }
    for e in &diff.parameter_edits {
        require(&|| e.display.clone(), "parameter renamed", Capability::UpdateParameters);
    }
    let added: HashSet<Token> = diff.added.iter().copied().collect();
    let mut rude = Vec::new();
    for &t in &diff.added {
        let member = || display_name(new, t);
        let owner = match t.table() {
            Some(TableId::TypeDef) => {
                // A nested type inside an added type comes with it.
                if new.enclosing_type(t).is_none_or(|outer| !added.contains(&outer)) {
                    require(&member, "type added", Capability::NewTypeDefinition);
                }
                continue;
            }
            Some(TableId::MethodDef) => new.owner_of(t),
            Some(TableId::Field) => {
                // Static data (FieldRVA) needs its capability wherever the field goes.
                if nm.row::<FieldRow>(t.rid())?.flags & field_attr::HAS_FIELD_RVA != 0 {
                    require(&member, "static data field added (FieldRVA)", Capability::AddFieldRva);
                }
                new.owner_of(t)
            }
            // Properties and events need what their accessors need.
            _ => continue,
        };
        if added.contains(&owner) {
            continue;
        }
        let owner_row: TypeDefRow = nm.row(owner.rid())?;
        let generic_owner = has_generic_parameters(nm, owner)?;
        if owner_row.flags & type_attr::INTERFACE != 0 {
            rude.push(cannot(member(), kind_added(t), "types that implement the interface would lack it"));
            continue;
        }
        if t.table() == Some(TableId::MethodDef) {
            let row: MethodDefRow = nm.row(t.rid())?;
            if row.flags & CCTOR_FLAGS == CCTOR_FLAGS && nm.string(row.name)? == ".cctor" {
                let fields = fields_set_by(new_build, row.rva)?;
                let names: Vec<&str> = fields.iter().map(|(name, _)| field_name(name)).collect();
                let change = match fields.is_empty() {
                    true => "static constructor added".to_string(),
                    false => format!("static initializer added (field {})", names.join(", ")),
                };
                let edit = RudeEdit::of(
                    RudeKind::TypeInitializerChanged,
                    initializer_owner(new, owner),
                    change,
                    "a running program has initialized the type already and never runs an initializer again, so the fields would keep their default values until a restart",
                );
                // Located at the first initializer, where the user wrote it.
                rude.push(match fields.first() {
                    Some(&(_, field)) => edit.at(field),
                    None => edit.at(t),
                });
            } else if row.flags & (method_attr::VIRTUAL | method_attr::ABSTRACT) != 0 {
                rude.push(cannot(
                    member(),
                    "virtual, abstract or override method added to an existing type",
                    "the runtime cannot grow the virtual method table of a loaded type",
                ));
            } else if row.flags & method_attr::PINVOKE_IMPL != 0 {
                rude.push(cannot(member(), "P/Invoke method added", "emit-delta cannot add P/Invoke imports yet"));
            } else {
                require(&member, "method added", Capability::AddMethodToExistingType);
                if generic_owner || has_generic_parameters(nm, t)? {
                    require(&member, "method added to a generic type", Capability::GenericAddMethodToExistingType);
                }
            }
        } else {
            let row: FieldRow = nm.row(t.rid())?;
            if row.flags & field_attr::STATIC != 0 {
                require(&member, "static field added", Capability::AddStaticFieldToExistingType);
            } else {
                if is_value_type(nm, owner_row.extends)? {
                    rude.push(cannot(
                        member(),
                        "instance field added to a struct",
                        "the runtime cannot change the size of a value type",
                    ));
                    continue;
                }
                if owner_row.flags & type_attr::LAYOUT_MASK != 0 {
                    rude.push(cannot(
                        member(),
                        "instance field added to a type with sequential or explicit layout",
                        "the runtime cannot change a fixed layout",
                    ));
                    continue;
                }
                require(&member, "instance field added", Capability::AddInstanceFieldToExistingType);
            }
            if generic_owner {
                require(&member, "field added to a generic type", Capability::GenericAddFieldToExistingType);
            }
        }
    }
    for m in &diff.deleted_methods {
        let row: MethodDefRow = om.row(m.old.rid())?;
        let owner = old.owner_of(m.old);
        if is_generic(om, m.old, owner) {
            require(&|| m.display.clone(), "generic method removed", Capability::GenericUpdateMethod);
        }
        // A method whose generated type went with it is reached only through an
        // instance made before the update; its body throws, as a deleted lambda's does
        // in Roslyn's hot reload.
        if m.with_type {
            continue;
        }
        if row.flags & (method_attr::VIRTUAL | method_attr::ABSTRACT) != 0 {
            rude.push(cannot(
                m.display.clone(),
                "virtual, abstract or override method removed, renamed or its signature changed",
                "calls through the base type or an interface would still reach it",
            ));
        } else if row.flags & CCTOR_FLAGS == CCTOR_FLAGS && om.string(row.name)? == ".cctor" {
            rude.push(cannot(
                m.display.clone(),
                "static constructor removed",
                "the values it already set stay, unlike after a restart",
            ));
        }
    }
    out.extend(rude);
    Ok(out)
}

/// Names of the static fields an initializer's body stores to.
/// The static fields a body stores, by name, first store first.
fn fields_set_by(asm: &Assembly<'_>, rva: u32) -> Result<Vec<(String, Token)>> {
    let md = &asm.metadata;
    let mut names = Vec::new();
    if rva == 0 {
        return Ok(names);
    }
    for ins in Instructions::new(asm.method_body(rva)?.code) {
        let ins = ins?;
        if let (OpCode::STSFLD, Operand::Token(t)) = (ins.opcode, ins.operand)
            && t.table() == Some(TableId::Field)
        {
            let name = md.string(md.row::<FieldRow>(t.rid())?.name)?.into_owned();
            if !names.iter().any(|(n, _)| *n == name) {
                names.push((name, t));
            }
        }
    }
    Ok(names)
}

fn cannot(member: String, change: impl Into<String>, why: &str) -> RudeEdit {
    RudeEdit::new(member, change, why)
}

fn kind_added(t: Token) -> String {
    format!("{} added to an interface", kind_name(t))
}

/// Generic methods and methods of generic types (their own or their owner's generic
/// parameters).
fn is_generic(md: &MetadataReader<'_>, method: Token, owner: Token) -> bool {
    has_generic_parameters(md, method).unwrap_or(false) || has_generic_parameters(md, owner).unwrap_or(false)
}

fn has_generic_parameters(md: &MetadataReader<'_>, owner: Token) -> Result<bool> {
    let Some(key) = CodedIndex::TypeOrMethodDef.encode(owner) else { return Ok(false) };
    Ok(!md.equal_range(TableId::GenericParam, 2, key)?.is_empty())
}

/// Whether a type whose base is `extends` is a value type (`System.ValueType` or
/// `System.Enum`).
fn is_value_type(md: &MetadataReader<'_>, extends: Token) -> Result<bool> {
    let (namespace, name) = match extends.table() {
        Some(TableId::TypeRef) => {
            let r: TypeRefRow = md.row(extends.rid())?;
            (r.namespace, r.name)
        }
        Some(TableId::TypeDef) if !extends.is_nil() => {
            let r: TypeDefRow = md.row(extends.rid())?;
            (r.namespace, r.name)
        }
        _ => return Ok(false),
    };
    Ok(md.string(namespace)? == "System" && matches!(&*md.string(name)?, "ValueType" | "Enum"))
}
