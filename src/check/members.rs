//! Added members and their owners: the members a generation announces on one parent form
//! one run of row ids per member table; a type has at most one PropertyMap and one
//! EventMap over the chain; MethodSemantics rows name a method and a property or event of
//! the chain, and an accessor added with its property or event belongs to the type whose
//! map announced it.

use std::collections::{BTreeMap, HashMap};

use super::{Report, in_chain, rule};
use crate::chain::{Chain, ChainGeneration, enc_op};
use crate::metadata::Token;
use crate::metadata::schema::{CodedIndex, TableId};

/// The member table an announcement operation adds to.
fn member_table(op: u32) -> Option<TableId> {
    match op {
        enc_op::METHOD_CREATE => Some(TableId::MethodDef),
        enc_op::FIELD_CREATE => Some(TableId::Field),
        enc_op::PARAM_CREATE => Some(TableId::Param),
        enc_op::PROPERTY_CREATE => Some(TableId::Property),
        enc_op::EVENT_CREATE => Some(TableId::Event),
        _ => None,
    }
}

/// (parent, added member) of every announcement of `g` that is followed by the added
/// member's Default entry (a malformed announcement is `enc-log-announcement`'s).
fn announcements(g: &ChainGeneration<'_>) -> Vec<(Token, Token)> {
    g.enc_log
        .windows(2)
        .filter_map(|w| {
            let table = member_table(w[0].operation)?;
            let member = w[1].token;
            (w[1].operation == enc_op::DEFAULT && member.table() == Some(table) && g.adds(member))
                .then_some((w[0].token, member))
        })
        .collect()
}

pub(super) fn check(chain: &Chain<'_>, g: &ChainGeneration<'_>, report: &mut Report<'_>) {
    let announced = announcements(g);
    check_contiguous(&announced, report);
    check_maps(chain, g, report);
    check_semantics(chain, g, &announced, report);
}

/// The members announced on one parent in one generation are consecutive row ids of the
/// member table, with no other parent's added member between them.
fn check_contiguous(announced: &[(Token, Token)], report: &mut Report<'_>) {
    // Per member table, the added rows in row order with their parents.
    let mut by_table: BTreeMap<u8, Vec<(Token, Token)>> = BTreeMap::new();
    for &(parent, member) in announced {
        by_table.entry(member.table().map_or(0, |t| t as u8)).or_default().push((member, parent));
    }
    for rows in by_table.values_mut() {
        rows.sort();
        // Parents whose run has ended; seeing one again splits its members.
        let mut closed: Vec<Token> = Vec::new();
        for (i, &(member, parent)) in rows.iter().enumerate() {
            let previous = i.checked_sub(1).map(|p| rows[p]);
            let continues = previous.is_some_and(|(m, p)| p == parent && m.rid() + 1 == member.rid());
            if continues {
                continue;
            }
            if let Some((_, p)) = previous
                && p != parent
            {
                closed.push(p);
            }
            let split = closed.contains(&parent) || previous.is_some_and(|(_, p)| p == parent);
            if split {
                let table = member.table().map_or("?", |t| t.name());
                report.push(
                    table,
                    None,
                    rule::ADDED_MEMBERS_CONTIGUOUS,
                    format!(
                        "added {table} {member} on {parent} does not continue the run of {parent}'s other added members"
                    ),
                );
            }
        }
    }
}

/// Each TypeDef has at most one PropertyMap and one EventMap row over the chain.
fn check_maps(chain: &Chain<'_>, g: &ChainGeneration<'_>, report: &mut Report<'_>) {
    for map in [TableId::PropertyMap, TableId::EventMap] {
        // The parent of every map row as of this generation.
        let mut parent_of: HashMap<u32, u32> = HashMap::new();
        for rid in 1..=g.rows_after[map as usize] {
            if let Ok(row) = chain.raw_row(Token::new(map, rid), g.number) {
                parent_of.insert(rid, row[0]);
            }
        }
        let mut first: HashMap<u32, u32> = HashMap::new();
        let mut rids: Vec<u32> = parent_of.keys().copied().collect();
        rids.sort_unstable();
        for rid in rids {
            let parent = parent_of[&rid];
            if parent == 0 {
                continue;
            }
            match first.get(&parent) {
                // Reported in the generation that wrote the later row.
                Some(&earlier) if g.physical_row(Token::new(map, rid)).is_some() => report.push(
                    map.name(),
                    g.physical_row(Token::new(map, rid)),
                    rule::MAP_ROW_UNIQUE,
                    format!(
                        "{} {} names {} whose {} is already {}",
                        map.name(),
                        Token::new(map, rid),
                        Token::new(TableId::TypeDef, parent),
                        map.name(),
                        Token::new(map, earlier)
                    ),
                ),
                Some(_) => {}
                None => {
                    first.insert(parent, rid);
                }
            }
        }
    }
}

/// MethodSemantics rows name a MethodDef and a Property/Event of the chain; an accessor
/// added in this generation for a property or event added in it belongs to the type whose
/// PropertyMap/EventMap announced the property or event.
fn check_semantics(chain: &Chain<'_>, g: &ChainGeneration<'_>, announced: &[(Token, Token)], report: &mut Report<'_>) {
    let owner: HashMap<Token, Token> = announced.iter().map(|&(parent, member)| (member, parent)).collect();
    let t = g.metadata.tables.table(TableId::MethodSemantics);
    for rid in 1..=t.row_count() {
        let Ok(row) = t.raw_row(rid) else { continue };
        let method = Token::try_new(TableId::MethodDef, row[1]).ok();
        let association = CodedIndex::HasSemantics.decode(row[2]);
        let row_token = g.chain_token(TableId::MethodSemantics, rid);
        let what =
            row_token.map_or(format!("MethodSemantics (physical row {rid})"), |t| format!("MethodSemantics {t}"));
        let (Some(method), Some(association)) = (method, association) else {
            report.push(
                "MethodSemantics",
                Some(rid),
                rule::SEMANTICS_TARGET,
                format!("{what}: Method {:#x} / Association {:#x} do not decode", row[1], row[2]),
            );
            continue;
        };
        if method.is_nil() || !in_chain(g, method) || association.is_nil() || !in_chain(g, association) {
            report.push(
                "MethodSemantics",
                Some(rid),
                rule::SEMANTICS_TARGET,
                format!("{what}: {method} / {association} must both be rows of the chain (non-nil)"),
            );
            continue;
        }
        // Both added now: the map that announced the property/event belongs to the type
        // that announced the accessor.
        let (Some(&map), Some(&accessor_type)) = (owner.get(&association), owner.get(&method)) else { continue };
        let Ok(map_row) = chain.raw_row(map, g.number) else { continue };
        let map_type = Token::new(TableId::TypeDef, map_row[0]);
        if map_type != accessor_type {
            report.push(
                "MethodSemantics",
                Some(rid),
                rule::SEMANTICS_OWNER,
                format!(
                    "{what}: {association} is announced on {map} of {map_type}, but its accessor {method} is added to {accessor_type}"
                ),
            );
        }
    }
}
