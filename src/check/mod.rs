//! `emit-delta check`: validates a baseline and its deltas against the rules the runtime
//! relies on (docs/check-rules.md lists every rule, what it checks and where the fact
//! comes from). Each broken rule is one [`Violation`]; malformed bytes become violations
//! or errors, never panics.

mod capabilities;

use crate::capability::Capabilities;
mod enc;
mod heaps;
mod il;
mod layout;
mod members;
mod module;
mod pdb;
mod rows;
pub mod rule;
mod updates;

use std::fmt;

use crate::chain::{Chain, ChainGeneration};
use crate::metadata::schema::{Column, TableId};
use crate::metadata::{MetadataReader, Token};

/// One broken rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub generation: u32,
    /// The table, stream or file the problem is in (`MethodDef`, `#GUID`, `.dil`, `dpdb EncMap`).
    pub what: String,
    /// The physical row of that table, when the problem is in a row.
    pub row: Option<u32>,
    /// A stable kebab-case rule name (see [`rule`]).
    pub rule: &'static str,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "generation {} {}", self.generation, self.what)?;
        if let Some(row) = self.row {
            write!(f, " row {row}")?;
        }
        write!(f, ": {}: {}", self.rule, self.message)
    }
}

/// Collects the violations of one generation.
pub(crate) struct Report<'v> {
    generation: u32,
    out: &'v mut Vec<Violation>,
}

impl Report<'_> {
    pub(crate) fn push(&mut self, what: impl Into<String>, row: Option<u32>, rule: &'static str, message: String) {
        self.out.push(Violation { generation: self.generation, what: what.into(), row, rule, message });
    }
}

/// Checks every generation of `chain`. `capabilities` (runtime capability names) adds
/// the rules that flag edits outside them; `None` skips those rules.
pub fn check_chain(chain: &Chain<'_>, capabilities: Option<Capabilities>) -> Vec<Violation> {
    let mut out = Vec::new();
    for g in &chain.generations {
        let mut report = Report { generation: g.number, out: &mut out };
        heaps::check_streams(g, &mut report);
        // Rows read with the wrong column widths are noise: stop at a broken layout.
        if !layout::check(&chain.baseline, &g.metadata, "dmeta", &mut report) {
            continue;
        }
        module::check(chain, g, &mut report);
        enc::check_map(g, &mut report);
        enc::check_log(g, &mut report);
        members::check(chain, g, &mut report);
        updates::check(chain, g, &mut report);
        rows::check(chain, g, &mut report);
        il::check(chain, g, &mut report);
        if let Some(names) = capabilities {
            capabilities::check(chain, g, names, &mut report);
        }
        if let Some(pdb) = &g.pdb {
            pdb::check(g, pdb, &mut report);
        }
    }
    out
}

/// Whether `token` is a row of the chain as of generation `g` (nil is not).
pub(crate) fn in_chain(g: &ChainGeneration<'_>, token: Token) -> bool {
    token.table().is_some_and(|t| !token.is_nil() && token.rid() <= g.rows_after[t as usize])
}

/// Calls `f(table, rid, column, value)` for every cell of every row of `md`.
pub(crate) fn for_each_cell(md: &MetadataReader<'_>, mut f: impl FnMut(TableId, u32, &Column, u32)) {
    for &table in TableId::ALL {
        let t = md.tables.table(table);
        for rid in 1..=t.row_count() {
            let Ok(raw) = t.raw_row(rid) else { continue };
            for (column, value) in table.columns().iter().zip(raw) {
                f(table, rid, column, value);
            }
        }
    }
}

/// `MethodDef 0x06000003` style naming of a delta row by its chain token.
pub(crate) fn describe(g: &ChainGeneration<'_>, table: TableId, rid: u32) -> String {
    match g.chain_token(table, rid) {
        Some(token) => format!("{} {token}", table.name()),
        None => format!("{} (physical row {rid}, not in the EncMap)", table.name()),
    }
}
