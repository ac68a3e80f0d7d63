//! EncMap and EncLog: the map lists every physical row once, sorted, with added rows
//! continuing each table's row count; the log has one Default entry per mapped row and
//! announces every added member on its parent right before the member's own entry, and
//! logs tables in Roslyn's order.

use std::collections::BTreeSet;

use super::{Report, rule};
use crate::chain::{ChainGeneration, enc_op};
use crate::delta::tables::ENC_LOG_ORDER;
use crate::metadata::Token;
use crate::metadata::schema::TableId;
use crate::metadata::tables::TABLE_SLOTS;

pub(super) fn check_map(g: &ChainGeneration<'_>, report: &mut Report<'_>) {
    let mut previous: Option<Token> = None;
    let mut mapped = [0u32; TABLE_SLOTS];
    for (i, &token) in g.enc_map.iter().enumerate() {
        let row = Some(i as u32 + 1);
        let table = match token.table() {
            Some(t) if !t.is_debug() && !matches!(t, TableId::EncLog | TableId::EncMap) && !token.is_nil() => t,
            _ => {
                report.push("EncMap", row, rule::ENC_MAP_TOKEN, format!("{token} is not a row of a type-system table"));
                continue;
            }
        };
        match previous {
            Some(p) if token == p => {
                report.push("EncMap", row, rule::ENC_MAP_DUPLICATE, format!("{token} is listed twice"))
            }
            Some(p) if token < p => {
                report.push("EncMap", row, rule::ENC_MAP_SORTED, format!("{token} comes after {p}: not sorted"))
            }
            _ => {}
        }
        previous = Some(token);
        mapped[table as usize] += 1;
    }
    for &table in TableId::ALL.iter().filter(|t| !t.is_debug() && !matches!(t, TableId::EncLog | TableId::EncMap)) {
        let physical = g.metadata.row_count(table);
        let listed = mapped[table as usize];
        // Roslyn leaves the Module row out of the EncMap; listing it is fine too.
        let module_ok = table == TableId::Module && listed == 0;
        if listed != physical && !module_ok {
            report.push(
                table.name(),
                None,
                rule::ENC_MAP_COMPLETE,
                format!("{} has {physical} rows but the EncMap lists {listed} of its tokens", table.name()),
            );
        }
    }
    check_added_rows(g, report);
}

/// Added rows are exactly the earlier row count + 1, + 2, ... of their table.
fn check_added_rows(g: &ChainGeneration<'_>, report: &mut Report<'_>) {
    let mut added: BTreeSet<Token> = BTreeSet::new();
    for &token in &g.enc_map {
        if token.table().is_some() && g.adds(token) {
            added.insert(token);
        }
    }
    let mut next = [0u32; TABLE_SLOTS];
    let mut reported = [false; TABLE_SLOTS];
    for token in added {
        let Some(table) = token.table() else { continue };
        let slot = table as usize;
        let expected = next[slot].max(g.rows_before[slot] + 1);
        if token.rid() != expected && !reported[slot] {
            report.push(
                table.name(),
                None,
                rule::ROW_IDS_CONTIGUOUS,
                format!("added row {token} is not the next row id of {} ({expected})", table.name()),
            );
            reported[slot] = true;
        }
        next[slot] = token.rid() + 1;
    }
}

/// The parent table and member table of an announcement operation.
fn announcement(op: u32) -> Option<(TableId, TableId, &'static str)> {
    match op {
        enc_op::METHOD_CREATE => Some((TableId::TypeDef, TableId::MethodDef, "AddMethod")),
        enc_op::FIELD_CREATE => Some((TableId::TypeDef, TableId::Field, "AddField")),
        enc_op::PARAM_CREATE => Some((TableId::MethodDef, TableId::Param, "AddParameter")),
        enc_op::PROPERTY_CREATE => Some((TableId::PropertyMap, TableId::Property, "AddProperty")),
        enc_op::EVENT_CREATE => Some((TableId::EventMap, TableId::Event, "AddEvent")),
        _ => None,
    }
}

pub(super) fn check_log(g: &ChainGeneration<'_>, report: &mut Report<'_>) {
    let log = &g.enc_log;
    let mut logged = BTreeSet::new();
    // (rank in Roslyn's table order, token) of the last Default entry seen.
    let mut last: Option<(usize, Token)> = None;
    for (i, entry) in log.iter().enumerate() {
        let row = Some(i as u32 + 1);
        let valid_token = entry.token.table().is_some_and(|t| !t.is_debug()) && !entry.token.is_nil();
        if !valid_token || entry.operation > enc_op::EVENT_CREATE {
            report.push(
                "EncLog",
                row,
                rule::ENC_LOG_ENTRY,
                format!("({}, operation {}) is not a valid entry", entry.token, entry.operation),
            );
            continue;
        }
        if entry.operation == enc_op::DEFAULT {
            let rank = entry.token.table().and_then(|t| ENC_LOG_ORDER.iter().position(|&o| o == t));
            if let Some(rank) = rank {
                match last {
                    Some((before, token)) if rank < before => report.push(
                        "EncLog",
                        row,
                        rule::ENC_LOG_ORDER,
                        format!(
                            "{} comes after {token}: tables are logged in the order {} (then the rest)",
                            entry.token,
                            ENC_LOG_ORDER[..8].iter().map(|t| t.name()).collect::<Vec<_>>().join(", ")
                        ),
                    ),
                    _ => last = Some((rank, entry.token)),
                }
            }
            logged.insert(entry.token);
            check_announced(g, i, report);
            continue;
        }
        let Some((parent, member, name)) = announcement(entry.operation) else { continue };
        if entry.token.table() != Some(parent) || !super::in_chain(g, entry.token) {
            report.push(
                "EncLog",
                row,
                rule::ENC_LOG_ANNOUNCEMENT,
                format!("{name} on {}: the parent must be a {} row of the chain", entry.token, parent.name()),
            );
        }
        let next = log.get(i + 1);
        let follows =
            next.is_some_and(|n| n.operation == enc_op::DEFAULT && n.token.table() == Some(member) && g.adds(n.token));
        if !follows {
            report.push(
                "EncLog",
                row,
                rule::ENC_LOG_ANNOUNCEMENT,
                format!(
                    "{name} on {} is not followed by the added {} row's own entry (next: {})",
                    entry.token,
                    member.name(),
                    next.map_or("nothing".to_string(), |n| format!("{} {}", n.token, enc_op::name(n.operation)))
                ),
            );
        }
    }
    let module = Token::new(TableId::Module, 1);
    let mapped: BTreeSet<Token> = g.enc_map.iter().copied().collect();
    for token in mapped.difference(&logged) {
        report.push(
            "EncLog",
            None,
            rule::ENC_LOG_COMPLETE,
            format!("{token} is in the EncMap but has no Default EncLog entry"),
        );
    }
    for token in logged.difference(&mapped).filter(|&&t| t != module) {
        report.push("EncLog", None, rule::ENC_LOG_COMPLETE, format!("{token} has an EncLog entry but no EncMap entry"));
    }
}

/// An added member's Default entry (at `i`) must follow its parent's announcement.
fn check_announced(g: &ChainGeneration<'_>, i: usize, report: &mut Report<'_>) {
    let entry = g.enc_log[i];
    let Some(table) = entry.token.table() else { return };
    let Some(op) = (1..=enc_op::EVENT_CREATE).find(|&op| announcement(op).is_some_and(|(_, m, _)| m == table)) else {
        return;
    };
    if !g.adds(entry.token) {
        return;
    }
    let announced = i.checked_sub(1).and_then(|p| g.enc_log.get(p)).is_some_and(|p| p.operation == op);
    if !announced {
        report.push(
            "EncLog",
            Some(i as u32 + 1),
            rule::ENC_LOG_ANNOUNCEMENT,
            format!(
                "added {} {} is not announced ({}) right before its entry",
                table.name(),
                entry.token,
                enc_op::name(op)
            ),
        );
    }
}
