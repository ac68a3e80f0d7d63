//! The Module row of a delta: generation number, the baseline's name and MVID, a fresh
//! EncId and the previous generation's EncId as EncBaseId.

use super::{Report, rule};
use crate::chain::{Chain, ChainGeneration};
use crate::metadata::Guid;
use crate::metadata::schema::{ColumnKind, ModuleRow, TableId};

pub(super) fn check(chain: &Chain<'_>, g: &ChainGeneration<'_>, report: &mut Report<'_>) {
    let count = g.metadata.row_count(TableId::Module);
    if count != 1 {
        report.push("Module", None, rule::MODULE_ROW, format!("{count} Module rows, expected exactly 1"));
    }
    let Ok(row) = g.metadata.row::<ModuleRow>(1) else { return };
    let at = Some(1);
    if row.generation as u32 != g.number {
        report.push(
            "Module",
            at,
            rule::MODULE_GENERATION,
            format!("Generation is {}, expected {}", row.generation, g.number),
        );
    }
    if let Ok(base) = chain.baseline.row::<ModuleRow>(1) {
        let expected = chain.baseline.string(base.name).ok();
        let resolves = super::heaps::bad_index(chain, g, ColumnKind::String, row.name.0).is_none();
        let found = if resolves { chain.string(row.name).ok() } else { None };
        if found != expected {
            report.push(
                "Module",
                at,
                rule::MODULE_NAME,
                format!(
                    "Name #Strings[{:#x}] reads {:?}, the baseline's module name is {:?} (wrong #Strings base?)",
                    row.name.0,
                    found.as_deref().unwrap_or("<unresolved>"),
                    expected.as_deref().unwrap_or("<unresolved>")
                ),
            );
        }
        let mvid = chain.guid(row.mvid, g.number).ok().flatten();
        let base_mvid = chain.baseline.guid(base.mvid).ok().flatten();
        if mvid != base_mvid {
            report.push(
                "Module",
                at,
                rule::MODULE_MVID,
                format!("Mvid {} differs from the baseline's {}", show(mvid), show(base_mvid)),
            );
        }
    }
    let enc_id = chain.guid(row.enc_id, g.number).ok().flatten();
    match enc_id {
        None => report.push("Module", at, rule::ENC_ID_FRESH, "EncId is nil or does not resolve".into()),
        Some(id) => {
            if let Some(n) = (1..g.number).find(|&n| enc_id_of(chain, n) == Some(id)) {
                report.push("Module", at, rule::ENC_ID_FRESH, format!("EncId {id} was already generation {n}'s"));
            }
        }
    }
    let base_id = chain.guid(row.enc_base_id, g.number).ok().flatten();
    let expected = enc_id_of(chain, g.number - 1);
    if base_id != expected {
        report.push(
            "Module",
            at,
            rule::ENC_BASE_ID,
            format!("EncBaseId is {}, expected the previous generation's EncId {}", show(base_id), show(expected)),
        );
    }
}

/// The EncId of generation `number` (0, the baseline: none).
fn enc_id_of(chain: &Chain<'_>, number: u32) -> Option<Guid> {
    let g = chain.generation(number)?;
    let row = g.metadata.row::<ModuleRow>(1).ok()?;
    chain.guid(row.enc_id, number).ok().flatten()
}

fn show(guid: Option<Guid>) -> String {
    guid.map_or_else(|| "nil".to_string(), |g| g.to_string())
}
