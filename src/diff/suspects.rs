//! Which paired definitions might differ outside their bodies ([`Suspects`]): a quick
//! look at their rows and, table by table, at the rows that belong to them (custom
//! attributes, accessors, constants, layouts, generic parameters, ...). It may name a
//! definition that turns out the same (the full comparison then says so); it never
//! misses one that differs in anything the full comparison looks at. It keeps the
//! comparison of two large builds proportional to the edit.

use super::identity::Identities;
use super::pairing::{DEFINITION_TABLES, Pairing};
use crate::error::Result;
use crate::metadata::schema::*;
use crate::metadata::{MetadataReader, StringIndex, Token};

/// Definitions of the build applied last, per definition table, that need the full
/// comparison.
pub struct Suspects {
    marked: [Vec<bool>; 5],
}

impl Suspects {
    pub fn contains(&self, old: Token) -> bool {
        let Some(table) = old.table() else { return true };
        match DEFINITION_TABLES.iter().position(|&t| t == table) {
            Some(s) => self.marked[s].get(old.rid() as usize).copied().unwrap_or(true),
            None => true,
        }
    }

    fn mark(&mut self, old: Token) {
        let Some(s) = old.table().and_then(|t| DEFINITION_TABLES.iter().position(|&d| d == t)) else { return };
        if let Some(slot) = self.marked[s].get_mut(old.rid() as usize) {
            *slot = true;
        }
    }

    /// Marks `parent` of the build applied last (`new_build`: a definition of the
    /// updated build, marked through its partner).
    fn mark_either(&mut self, pairing: &Pairing, parent: Token, new_build: bool) {
        if new_build {
            if let Some(old) = pairing.old_of(parent) {
                self.mark(old);
            }
        } else {
            self.mark(parent);
        }
    }

    pub fn find(old: &Identities<'_, '_>, new: &Identities<'_, '_>, pairing: &Pairing) -> Result<Suspects> {
        let (om, nm) = (old.metadata(), new.metadata());
        let mut s = Suspects { marked: DEFINITION_TABLES.map(|t| vec![false; om.row_count(t) as usize + 1]) };
        let same = |p: Token, q: Token| pairing.same_token(old, new, p, q);

        // The definitions' own rows.
        for (o, n) in pairing.pairs(TableId::TypeDef) {
            let (a, b): (TypeDefRow, TypeDefRow) = (om.row(o.rid())?, nm.row(n.rid())?);
            if a.flags != b.flags || !same(a.extends, b.extends)? {
                s.mark(o);
            }
        }
        // Raw columns, not typed rows: this runs for every paired method and parameter.
        let (old_methods, new_methods) = (om.tables.table(TableId::MethodDef), nm.tables.table(TableId::MethodDef));
        let (old_params, new_params) = (om.tables.table(TableId::Param), nm.tables.table(TableId::Param));
        let heaps = pairing.heaps();
        for (o, n) in pairing.pairs(TableId::MethodDef) {
            // RVA, ImplFlags, Flags: only the columns compared.
            let (a, b) = (old_methods.row_bytes(o.rid())?, new_methods.row_bytes(n.rid())?);
            let (x, y) = (|c| old_methods.column(a, c), |c| new_methods.column(b, c));
            if x(2) != y(2) || x(1) != y(1) || (x(0) == 0) != (y(0) == 0) {
                s.mark(o);
                continue;
            }
            let (p, q) =
                (om.list_range(TableId::MethodDef, o.rid(), 5)?, nm.list_range(TableId::MethodDef, n.rid(), 5)?);
            if p.len() != q.len() {
                s.mark(o);
                continue;
            }
            for (x, y) in p.zip(q) {
                // Flags, Sequence, Name.
                let (c, d) = (old_params.row_bytes(x)?, new_params.row_bytes(y)?);
                let (c, d) = (|i| old_params.column(c, i), |i| new_params.column(d, i));
                if c(0) != d(0) || c(1) != d(1) || !heaps.same_string(om, nm, StringIndex(c(2)), StringIndex(d(2)))? {
                    s.mark(o);
                    break;
                }
            }
        }
        for (o, n) in pairing.pairs(TableId::Field) {
            if om.tables.table(TableId::Field).raw(o.rid(), 0)? != nm.tables.table(TableId::Field).raw(n.rid(), 0)? {
                s.mark(o);
            }
        }
        for (o, n) in pairing.pairs(TableId::Property) {
            let (a, b): (PropertyRow, PropertyRow) = (om.row(o.rid())?, nm.row(n.rid())?);
            if a.flags != b.flags || !pairing.same_signature(old, new, a.signature, b.signature)? {
                s.mark(o);
            }
        }
        for (o, n) in pairing.pairs(TableId::Event) {
            let (a, b): (EventRow, EventRow) = (om.row(o.rid())?, nm.row(n.rid())?);
            if a.flags != b.flags || !same(a.event_type, b.event_type)? {
                s.mark(o);
            }
        }

        // Custom attributes and accessors, compared group by group.
        // A parameter's attributes are grouped under its method: the same parameter
        // (by sequence) must carry the same attribute.
        let parameter = |md: &MetadataReader<'_>, t: Token| -> Result<Option<u16>> {
            Ok(match t.table() {
                Some(TableId::Param) => Some(md.row::<ParamRow>(t.rid())?.sequence),
                _ => None,
            })
        };
        s.compare_groups(old, new, pairing, TableId::CustomAttribute, |x, y| {
            let (a, b): (CustomAttributeRow, CustomAttributeRow) = (om.row(x)?, nm.row(y)?);
            Ok(a.parent.kind() == b.parent.kind()
                && parameter(om, a.parent)? == parameter(nm, b.parent)?
                && same(a.constructor, b.constructor)?
                && om.blob(a.value)? == nm.blob(b.value)?)
        })?;
        s.compare_groups(old, new, pairing, TableId::MethodSemantics, |x, y| {
            let (a, b): (MethodSemanticsRow, MethodSemanticsRow) = (om.row(x)?, nm.row(y)?);
            Ok(a.semantics == b.semantics && same(a.method, b.method)?)
        })?;

        // Rarer rows: whoever has one gets the full comparison.
        for (md, new_build) in [(om, false), (nm, true)] {
            for table in [
                TableId::InterfaceImpl,
                TableId::ClassLayout,
                TableId::FieldLayout,
                TableId::FieldRVA,
                TableId::ImplMap,
                TableId::GenericParam,
                TableId::Constant,
            ] {
                for rid in 1..=md.row_count(table) {
                    if let Some(owner) = owner_of_row(md, table, rid)? {
                        s.mark_either(pairing, owner, new_build);
                    }
                }
            }
            for rid in 1..=md.row_count(TableId::GenericParamConstraint) {
                let param = md.row::<GenericParamConstraintRow>(rid)?.owner;
                if param.rid() != 0 && param.rid() <= md.row_count(TableId::GenericParam) {
                    let owner = md.row::<GenericParamRow>(param.rid())?.owner;
                    s.mark_either(pairing, owner, new_build);
                }
            }
        }
        Ok(s)
    }

    /// Compares the rows of `table` (sorted by a parent column) parent by parent:
    /// a paired definition whose rows differ in number or in any row (`same_row`:
    /// old rid, new rid) is marked. Rows of unpaired definitions (added or deleted)
    /// and of other parents (parameters, the assembly) are not this filter's concern.
    fn compare_groups(
        &mut self,
        old: &Identities<'_, '_>,
        new: &Identities<'_, '_>,
        pairing: &Pairing,
        table: TableId,
        same_row: impl Fn(u32, u32) -> Result<bool>,
    ) -> Result<()> {
        let (om, nm) = (old.metadata(), new.metadata());
        let mut a: Vec<(Token, u32)> = Vec::new();
        for rid in 1..=om.row_count(table) {
            if let Some(parent) = owner_of_row(om, table, rid)?.filter(|&p| pairing.new_of(p).is_some()) {
                a.push((parent, rid));
            }
        }
        let mut b: Vec<(Token, u32)> = Vec::new();
        for rid in 1..=nm.row_count(table) {
            if let Some(parent) = owner_of_row(nm, table, rid)?.and_then(|p| pairing.old_of(p)) {
                b.push((parent, rid));
            }
        }
        // Stable: the order within a parent's group stays the table's order.
        a.sort_by_key(|&(p, _)| p);
        b.sort_by_key(|&(p, _)| p);
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            let parent = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) => x.0.min(y.0),
                (Some(x), None) => x.0,
                (None, Some(y)) => y.0,
                (None, None) => break,
            };
            let (start_a, start_b) = (i, j);
            while a.get(i).is_some_and(|x| x.0 == parent) {
                i += 1;
            }
            while b.get(j).is_some_and(|y| y.0 == parent) {
                j += 1;
            }
            let (ga, gb) = (&a[start_a..i], &b[start_b..j]);
            let mut differs = ga.len() != gb.len();
            for (x, y) in ga.iter().zip(gb) {
                if differs {
                    break;
                }
                differs = !same_row(x.1, y.1)?;
            }
            if differs {
                self.mark(parent);
            }
        }
        Ok(())
    }
}

/// The definition a row of `table` belongs to: its parent column, decoded (for a
/// constant or an attribute of a parameter, the parameter's method). `None` for other
/// parents.
fn owner_of_row(md: &MetadataReader<'_>, table: TableId, rid: u32) -> Result<Option<Token>> {
    let raw = |column| md.tables.table(table).raw(rid, column);
    let owner = match table {
        TableId::CustomAttribute => match CodedIndex::HasCustomAttribute.decode(raw(0)?) {
            Some(p) if p.table() == Some(TableId::Param) => method_of_param(md, p.rid())?,
            other => other,
        },
        TableId::MethodSemantics => CodedIndex::HasSemantics.decode(raw(2)?),
        TableId::InterfaceImpl => Some(Token::new(TableId::TypeDef, raw(0)? & Token::MAX_RID)),
        TableId::ClassLayout => Some(Token::new(TableId::TypeDef, raw(2)? & Token::MAX_RID)),
        TableId::FieldLayout | TableId::FieldRVA => Some(Token::new(TableId::Field, raw(1)? & Token::MAX_RID)),
        TableId::ImplMap => CodedIndex::MemberForwarded.decode(raw(1)?),
        TableId::GenericParam => CodedIndex::TypeOrMethodDef.decode(raw(2)?),
        TableId::Constant => match CodedIndex::HasConstant.decode(raw(1)?) {
            Some(p) if p.table() == Some(TableId::Param) => method_of_param(md, p.rid())?,
            other => other,
        },
        _ => None,
    };
    Ok(owner.filter(|t| !t.is_nil() && t.table().is_some_and(|t| DEFINITION_TABLES.contains(&t))))
}

/// The method whose parameter list holds parameter `param` (the lists are ascending).
fn method_of_param(md: &MetadataReader<'_>, param: u32) -> Result<Option<Token>> {
    let methods = md.tables.table(TableId::MethodDef);
    let (mut lo, mut hi) = (1u32, methods.row_count() + 1);
    // The last method whose list starts at or before `param`.
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if methods.raw(mid, 5)? <= param { lo = mid + 1 } else { hi = mid }
    }
    Ok((lo > 1).then(|| Token::new(TableId::MethodDef, lo - 1)))
}
