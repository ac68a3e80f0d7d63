//! Changes to existing definitions, outside their bodies, that an update can carry
//! when the runtime has the capability: the custom attributes of a type, method,
//! field, property, event or parameter (`ChangeCustomAttributes`, the parent's
//! CustomAttribute rows rewritten) and the name of a parameter (`UpdateParameters`,
//! its Param row rewritten). What else differs in a parameter (flags, default value)
//! stays a rude edit of [`super::compare`].

use std::rc::Rc;

use super::compare::display_name;
use super::identity::Identities;
use crate::error::Result;
use crate::metadata::schema::*;
use crate::metadata::{MetadataReader, Token};

/// A definition whose custom attributes differ between the builds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeEdit {
    /// The parent in the build applied last (a TypeDef, MethodDef, Field, Property,
    /// Event or Param token).
    pub old: Token,
    /// The parent in the updated build.
    pub new: Token,
    /// For a parameter, its method in the build applied last.
    pub old_method: Option<Token>,
    /// `Namespace.Type::Member`, and `(parameter NAME)` for a parameter.
    pub display: String,
}

/// A parameter whose name differs between the builds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParameterEdit {
    /// The Param row in the build applied last.
    pub old: Token,
    /// The Param row in the updated build.
    pub new: Token,
    /// Its method in the build applied last.
    pub old_method: Token,
    pub display: String,
}

/// Custom attributes of `parent` as sorted (constructor key, value bytes): what a
/// reader of the attributes can tell apart.
pub fn attribute_set(ids: &Identities<'_, '_>, parent: Token) -> Result<Vec<(Rc<str>, Vec<u8>)>> {
    let md = ids.metadata();
    let Some(key) = CodedIndex::HasCustomAttribute.encode(parent) else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for rid in md.equal_range(TableId::CustomAttribute, 0, key)? {
        let r: CustomAttributeRow = md.row(rid)?;
        out.push((ids.key(r.constructor)?, ids.attribute_value(rid, md.blob(r.value)?)?));
    }
    out.sort();
    Ok(out)
}

/// The parameters of a method: (sequence, Param token).
fn parameters(ids: &Identities<'_, '_>, method: Token) -> Result<Vec<(u16, Token)>> {
    let md = ids.metadata();
    let mut out = Vec::new();
    for p in md.list(TableId::MethodDef, method.rid(), 5)? {
        out.push((md.row::<ParamRow>(p.rid())?.sequence, p));
    }
    Ok(out)
}

/// The attribute and parameter-name edits of definition `o` (build applied last) that
/// became `n` (updated build); the caller has found no rude difference between them,
/// so a method's parameters pair up by sequence.
pub fn collect(
    old: &Identities<'_, '_>,
    new: &Identities<'_, '_>,
    o: Token,
    n: Token,
    attributes: &mut Vec<AttributeEdit>,
    names: &mut Vec<ParameterEdit>,
) -> Result<()> {
    if attribute_set(old, o)? != attribute_set(new, n)? {
        attributes.push(AttributeEdit { old: o, new: n, old_method: None, display: member_display(new, n)? });
    }
    if n.table() != Some(TableId::MethodDef) {
        return Ok(());
    }
    let (om, nm) = (old.metadata(), new.metadata());
    for ((_, p), (sequence, q)) in parameters(old, o)?.into_iter().zip(parameters(new, n)?) {
        let display = || -> Result<String> {
            let name = nm.string(nm.row::<ParamRow>(q.rid())?.name)?;
            Ok(match sequence {
                0 => format!("{} (return value)", display_name(new, n)),
                _ => format!("{} (parameter {name})", display_name(new, n)),
            })
        };
        if om.string(om.row::<ParamRow>(p.rid())?.name)? != nm.string(nm.row::<ParamRow>(q.rid())?.name)? {
            names.push(ParameterEdit { old: p, new: q, old_method: o, display: display()? });
        }
        if attribute_set(old, p)? != attribute_set(new, q)? {
            attributes.push(AttributeEdit { old: p, new: q, old_method: Some(o), display: display()? });
        }
    }
    Ok(())
}

/// The type whose PropertyMap (`member` a Property) or EventMap (an Event) row lists
/// `member`, if one does.
pub fn property_or_event_owner(md: &MetadataReader<'_>, member: Token) -> Result<Option<Token>> {
    let map = match member.table() {
        Some(TableId::Property) => TableId::PropertyMap,
        Some(TableId::Event) => TableId::EventMap,
        _ => return Ok(None),
    };
    for rid in 1..=md.row_count(map) {
        if md.list_range(map, rid, 1)?.contains(&member.rid()) {
            return Ok(Some(Token::new(TableId::TypeDef, md.tables.table(map).raw(rid, 0)?)));
        }
    }
    Ok(None)
}

/// `Namespace.Type::Member` for any definition, properties and events included.
fn member_display(ids: &Identities<'_, '_>, t: Token) -> Result<String> {
    let md = ids.metadata();
    let name = match t.table() {
        Some(TableId::Property) => md.string(md.row::<PropertyRow>(t.rid())?.name)?,
        Some(TableId::Event) => md.string(md.row::<EventRow>(t.rid())?.name)?,
        _ => return Ok(display_name(ids, t)),
    };
    Ok(match property_or_event_owner(md, t)? {
        Some(owner) => format!("{}::{name}", display_name(ids, owner)),
        None => name.into_owned(),
    })
}
