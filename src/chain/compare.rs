//! Compares two delta chains written for the same baseline (ours and a reference such
//! as Roslyn's), table by table and row by row, by what the values name rather than
//! how they are stored: heap offsets, EncIds and reference-row choices that differ but
//! mean the same compare equal. What remains is a real difference, named by
//! generation, table, row and column.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;

use super::resolve::{Resolver, is_definition_table, is_reference_table};
use super::{Chain, ChainGeneration};
use crate::chain::il::method_il;
use crate::metadata::schema::{ModuleRow, TableId};
use crate::metadata::{GuidIndex, Token};

/// One real difference between the chains.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Difference {
    pub generation: u32,
    /// A table name, or `IL`, `EncLog`, `EncMap`, `chain`.
    pub table: String,
    /// A token, `row N`, or empty.
    pub row: String,
    /// A column name, `(row)` for a whole row, or an IL offset.
    pub column: String,
    /// `-` when the side has nothing there.
    pub ours: String,
    pub theirs: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "gen {} {}", self.generation, self.table)?;
        if !self.row.is_empty() {
            write!(f, " {}", self.row)?;
        }
        write!(f, " {}: ours {} | theirs {}", self.column, self.ours, self.theirs)
    }
}

pub(crate) struct Report {
    pub differences: Vec<Difference>,
}

impl Report {
    pub(crate) fn add(
        &mut self,
        generation: u32,
        table: &str,
        row: String,
        column: &str,
        ours: String,
        theirs: String,
    ) {
        self.differences.push(Difference {
            generation,
            table: table.to_string(),
            row,
            column: column.to_string(),
            ours,
            theirs,
        });
    }
}

/// Every difference between `ours` and `theirs` (metadata, IL and, where both chains
/// have them, the portable-PDB deltas), in generation order.
pub fn compare_chains(ours: &Chain<'_>, theirs: &Chain<'_>) -> Vec<Difference> {
    let mut report = Report { differences: Vec::new() };
    let count = ours.generations.len().max(theirs.generations.len()) as u32;
    for n in 1..=count {
        match (ours.generation(n), theirs.generation(n)) {
            (Some(o), Some(t)) => {
                let pair = Pair { ours: Side::new(ours, o), theirs: Side::new(theirs, t), generation: n };
                pair.compare(&mut report);
                if let (Some(op), Some(tp)) = (&o.pdb, &t.pdb) {
                    super::pdb_compare::compare_pdb(n, &pair.ours.resolver, op, &pair.theirs.resolver, tp, &mut report);
                }
            }
            (o, t) => {
                let has = |g: Option<&ChainGeneration<'_>>| if g.is_some() { "present" } else { "-" }.to_string();
                report.add(n, "chain", String::new(), "(generation)", has(o), has(t));
            }
        }
    }
    report.differences
}

/// One chain at one generation.
struct Side<'c, 'a> {
    chain: &'c Chain<'a>,
    delta: &'c ChainGeneration<'a>,
    resolver: Resolver<'c, 'a>,
}

impl<'c, 'a> Side<'c, 'a> {
    fn new(chain: &'c Chain<'a>, delta: &'c ChainGeneration<'a>) -> Self {
        Side { chain, delta, resolver: Resolver::new(chain, delta.number) }
    }

    /// The resolved identity of physical row `rid` of `table` in this delta.
    fn row_identity(&self, table: TableId, rid: u32) -> String {
        match self.delta.metadata.tables.table(table).raw_row(rid) {
            Ok(raw) => self.resolver.row(table, &raw),
            Err(e) => format!("<unreadable row: {e}>"),
        }
    }

    /// Definition rows of `table` in this delta by chain token.
    fn definition_rows(&self, table: TableId) -> BTreeMap<Token, u32> {
        let rows = self.delta.metadata.row_count(table);
        (1..=rows).filter_map(|rid| Some((self.delta.chain_token(table, rid)?, rid))).collect()
    }

    /// Identities of every row of a reference table the chain has after this generation.
    fn known_references(&self, table: TableId) -> HashSet<String> {
        let mut known = HashSet::new();
        let base = &self.chain.baseline;
        for rid in 1..=base.row_count(table) {
            if let Ok(raw) = base.tables.table(table).raw_row(rid) {
                known.insert(self.resolver.row(table, &raw));
            }
        }
        for g in self.chain.generations.iter().take(self.delta.number as usize) {
            for rid in 1..=g.metadata.row_count(table) {
                if let Ok(raw) = g.metadata.tables.table(table).raw_row(rid) {
                    known.insert(self.resolver.row(table, &raw));
                }
            }
        }
        known
    }
}

struct Pair<'c, 'a> {
    ours: Side<'c, 'a>,
    theirs: Side<'c, 'a>,
    generation: u32,
}

impl Pair<'_, '_> {
    fn compare(&self, report: &mut Report) {
        self.compare_module(report);
        for &table in TableId::ALL {
            if table.is_debug() || matches!(table, TableId::Module | TableId::EncLog | TableId::EncMap) {
                continue;
            }
            if is_reference_table(table) {
                self.compare_references(table, report);
            } else if is_definition_table(table) {
                self.compare_definitions(table, report);
            } else {
                self.compare_row_sets(table, report);
            }
        }
        self.compare_enc_tables(report);
    }

    /// Module: generation and name by value; Mvid, EncId and EncBaseId by their role
    /// (the baseline's Mvid, this generation's EncId, the previous generation's EncId).
    fn compare_module(&self, report: &mut Report) {
        let role = |side: &Side<'_, '_>| -> Vec<(&'static str, String)> {
            let Ok(m) = side.delta.metadata.row::<ModuleRow>(1) else {
                return vec![("(row)", "<no Module row>".into())];
            };
            let guid = |i: GuidIndex| side.chain.guid(i, side.delta.number).ok().flatten();
            let base_mvid = side
                .chain
                .baseline
                .row::<ModuleRow>(1)
                .ok()
                .and_then(|b| side.chain.baseline.guid(b.mvid).ok().flatten());
            let enc_of = |n: u32| {
                let g = side.chain.generation(n)?;
                let m = g.metadata.row::<ModuleRow>(1).ok()?;
                side.chain.guid(m.enc_id, n).ok().flatten()
            };
            let mvid = match guid(m.mvid) {
                Some(g) if Some(g) == base_mvid => "baseline Mvid".to_string(),
                other => format!("{other:?}"),
            };
            let enc_id = match guid(m.enc_id) {
                Some(_) => "a GUID".to_string(),
                None => "nil".to_string(),
            };
            let n = side.delta.number;
            let enc_base = match guid(m.enc_base_id) {
                None => "nil".to_string(),
                Some(g) if n > 1 && enc_of(n - 1) == Some(g) => format!("EncId of generation {}", n - 1),
                Some(g) => format!("{g}"),
            };
            vec![
                ("Generation", format!("{}", m.generation)),
                ("Name", side.resolver.column(TableId::Module, 1, m.name.0)),
                ("Mvid", mvid),
                ("EncId", enc_id),
                ("EncBaseId", enc_base),
            ]
        };
        for ((column, o), (_, t)) in role(&self.ours).into_iter().zip(role(&self.theirs)) {
            if o != t {
                report.add(self.generation, "Module", "row 1".into(), column, o, t);
            }
        }
    }

    /// Reference rows: a row one chain adds that the other has anywhere by then (in the
    /// baseline, an earlier delta or this one) is a reuse choice, not a difference.
    fn compare_references(&self, table: TableId, report: &mut Report) {
        let added = |side: &Side<'_, '_>| -> Vec<(u32, String)> {
            (1..=side.delta.metadata.row_count(table)).map(|rid| (rid, side.row_identity(table, rid))).collect()
        };
        let (ours, theirs) = (added(&self.ours), added(&self.theirs));
        if ours.is_empty() && theirs.is_empty() {
            return;
        }
        let (ours_known, theirs_known) = (self.ours.known_references(table), self.theirs.known_references(table));
        for (rid, identity) in &ours {
            if !theirs_known.contains(identity) {
                report.add(self.generation, table.name(), format!("row {rid}"), "(row)", identity.clone(), "-".into());
            }
        }
        for (rid, identity) in &theirs {
            if !ours_known.contains(identity) {
                report.add(self.generation, table.name(), format!("row {rid}"), "(row)", "-".into(), identity.clone());
            }
        }
    }

    /// Definition rows by chain token, column by column (a method's RVA by its IL).
    fn compare_definitions(&self, table: TableId, report: &mut Report) {
        let (ours, theirs) = (self.ours.definition_rows(table), self.theirs.definition_rows(table));
        let tokens: BTreeSet<Token> = ours.keys().chain(theirs.keys()).copied().collect();
        for token in tokens {
            let row = format!("{token}");
            let (Some(&o), Some(&t)) = (ours.get(&token), theirs.get(&token)) else {
                let present = |m: &BTreeMap<Token, u32>, s: &Side<'_, '_>| {
                    m.get(&token).map(|&rid| s.row_identity(table, rid)).unwrap_or_else(|| "-".into())
                };
                report.add(
                    self.generation,
                    table.name(),
                    row,
                    "(row)",
                    present(&ours, &self.ours),
                    present(&theirs, &self.theirs),
                );
                continue;
            };
            let raw = |s: &Side<'_, '_>, rid: u32| s.delta.metadata.tables.table(table).raw_row(rid).ok();
            let (Some(or), Some(tr)) = (raw(&self.ours, o), raw(&self.theirs, t)) else {
                report.add(self.generation, table.name(), row, "(row)", "unreadable".into(), "unreadable".into());
                continue;
            };
            for (i, col) in table.columns().iter().enumerate() {
                if table == TableId::MethodDef && col.name == "RVA" {
                    self.compare_il(token, or[i], tr[i], report);
                    continue;
                }
                let (ov, tv) =
                    (self.ours.resolver.column(table, i, or[i]), self.theirs.resolver.column(table, i, tr[i]));
                if ov != tv {
                    report.add(self.generation, table.name(), row.clone(), col.name, ov, tv);
                }
            }
        }
    }

    /// A method body in each `.dil`, instruction by instruction with operands resolved.
    fn compare_il(&self, method: Token, ours_rva: u32, theirs_rva: u32, report: &mut Report) {
        let row = format!("{method}");
        if (ours_rva == 0) != (theirs_rva == 0) {
            let has = |rva: u32| if rva == 0 { "no body" } else { "a body" }.to_string();
            report.add(self.generation, "MethodDef", row, "RVA", has(ours_rva), has(theirs_rva));
            return;
        }
        if ours_rva == 0 {
            return;
        }
        let ours = method_il(&self.ours.resolver, self.ours.delta.il, ours_rva);
        let theirs = method_il(&self.theirs.resolver, self.theirs.delta.il, theirs_rva);
        let label = |l: Option<&(String, String)>| l.map_or("-".to_string(), |(_, v)| v.clone());
        for (o, t) in align(&ours, &theirs) {
            let (o, t) = (o.map(|i| &ours[i]), t.map(|i| &theirs[i]));
            let at = match (o, t) {
                (Some((a, _)), Some((b, _))) if a != b => format!("{a}/{b}"),
                (Some((a, _)), _) | (None, Some((a, _))) => a.clone(),
                (None, None) => continue,
            };
            report.add(self.generation, "IL", row.clone(), &at, label(o), label(t));
        }
    }

    /// Tables without stable tokens (CustomAttribute, MethodSemantics, ...): the rows
    /// of each delta as multisets of resolved rows.
    fn compare_row_sets(&self, table: TableId, report: &mut Report) {
        let rows = |side: &Side<'_, '_>| -> BTreeMap<String, Vec<u32>> {
            let mut m: BTreeMap<String, Vec<u32>> = BTreeMap::new();
            for rid in 1..=side.delta.metadata.row_count(table) {
                m.entry(side.row_identity(table, rid)).or_default().push(rid);
            }
            m
        };
        let (ours, theirs) = (rows(&self.ours), rows(&self.theirs));
        for (identity, rids) in &ours {
            let other = theirs.get(identity).map_or(0, Vec::len);
            for rid in rids.iter().skip(other) {
                report.add(self.generation, table.name(), format!("row {rid}"), "(row)", identity.clone(), "-".into());
            }
        }
        for (identity, rids) in &theirs {
            let other = ours.get(identity).map_or(0, Vec::len);
            for rid in rids.iter().skip(other) {
                report.add(self.generation, table.name(), format!("row {rid}"), "(row)", "-".into(), identity.clone());
            }
        }
    }

    /// EncLog and EncMap entries of everything but reference rows (those are compared
    /// as rows above), as sets: their order carries no meaning beyond the rows'.
    fn compare_enc_tables(&self, report: &mut Report) {
        let log = |side: &Side<'_, '_>| -> BTreeSet<String> {
            side.delta
                .enc_log
                .iter()
                .filter(|e| !e.token.table().is_some_and(is_reference_table))
                .map(|e| format!("{} {}", e.token, super::enc_op::name(e.operation)))
                .collect()
        };
        let map = |side: &Side<'_, '_>| -> BTreeSet<String> {
            side.delta
                .enc_map
                .iter()
                .filter(|t| !t.table().is_some_and(is_reference_table))
                .map(|t| format!("{t}"))
                .collect()
        };
        for (name, ours, theirs) in
            [("EncLog", log(&self.ours), log(&self.theirs)), ("EncMap", map(&self.ours), map(&self.theirs))]
        {
            for entry in ours.difference(&theirs) {
                report.add(self.generation, name, String::new(), "(entry)", entry.clone(), "-".into());
            }
            for entry in theirs.difference(&ours) {
                report.add(self.generation, name, String::new(), "(entry)", "-".into(), entry.clone());
            }
        }
    }
}

/// Pairs the lines of two bodies that differ: a longest common subsequence of the line
/// texts keeps equal lines aligned, and each run of unmatched lines is paired up in
/// order (the longer side's extra lines against nothing). Very long bodies are compared
/// position by position instead, to bound the work.
fn align(ours: &[(String, String)], theirs: &[(String, String)]) -> Vec<(Option<usize>, Option<usize>)> {
    let (n, m) = (ours.len(), theirs.len());
    if n.saturating_mul(m) > 4_000_000 {
        return (0..n.max(m))
            .filter(|&i| ours.get(i).map(|l| &l.1) != theirs.get(i).map(|l| &l.1))
            .map(|i| ((i < n).then_some(i), (i < m).then_some(i)))
            .collect();
    }
    // lcs[i][j]: the common subsequence length of ours[i..] and theirs[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if ours[i].1 == theirs[j].1 { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (0, 0);
    let (mut only_ours, mut only_theirs) = (Vec::new(), Vec::new());
    let flush = |pairs: &mut Vec<_>, a: &mut Vec<usize>, b: &mut Vec<usize>| {
        for k in 0..a.len().max(b.len()) {
            pairs.push((a.get(k).copied(), b.get(k).copied()));
        }
        a.clear();
        b.clear();
    };
    while i < n || j < m {
        if i < n && j < m && ours[i].1 == theirs[j].1 {
            flush(&mut pairs, &mut only_ours, &mut only_theirs);
            i += 1;
            j += 1;
        } else if j == m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1]) {
            only_ours.push(i);
            i += 1;
        } else {
            only_theirs.push(j);
            j += 1;
        }
    }
    flush(&mut pairs, &mut only_ours, &mut only_theirs);
    pairs
}
