//! The `#Pdb` stream: PDB id, entry point and the row counts of the type-system tables
//! the debug tables refer to.

use crate::bytes::Cursor;
use crate::error::{Error, Result};
use crate::metadata::Token;
use crate::metadata::schema::TableId;
use crate::metadata::tables::{RowCounts, TABLE_SLOTS};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PdbStream {
    /// 20 bytes: the GUID and stamp that match the CodeView entry of the PE.
    pub id: [u8; 20],
    pub entry_point: Token,
    /// Bit vector of the type-system tables whose counts follow.
    pub referenced_tables: u64,
    pub type_system_rows: RowCounts,
}

impl PdbStream {
    pub fn parse(data: &[u8]) -> Result<Self> {
        let mut cur = Cursor::new(data, "stream #Pdb");
        let id: [u8; 20] = cur.bytes(20)?.try_into().unwrap();
        let entry_point = Token(cur.u32()?);
        if entry_point.0 != 0 && (entry_point.table() != Some(TableId::MethodDef) || entry_point.is_nil()) {
            return Err(Error::malformed("stream #Pdb", 20, "a MethodDef entry point token", entry_point));
        }
        let referenced_tables = cur.u64()?;
        let mut type_system_rows = [0u32; TABLE_SLOTS];
        for (slot, count) in type_system_rows.iter_mut().enumerate() {
            if referenced_tables & (1 << slot) == 0 {
                continue;
            }
            let valid = TableId::from_index(slot as u8).is_some_and(|t| !t.is_debug());
            if !valid {
                return Err(Error::malformed(
                    "stream #Pdb",
                    24,
                    "only type-system tables referenced",
                    format_args!("table {slot:#04x}"),
                ));
            }
            *count = cur.u32()?;
            if *count > Token::MAX_RID {
                return Err(Error::malformed(
                    "stream #Pdb",
                    cur.position() as u64 - 4,
                    "a row count below 2^24",
                    *count,
                ));
            }
        }
        Ok(PdbStream { id, entry_point, referenced_tables, type_system_rows })
    }
}
