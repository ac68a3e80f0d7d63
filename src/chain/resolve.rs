//! What a token, heap index or signature of a chain names, as text that two chains for
//! the same baseline agree on whenever they mean the same thing: reference rows
//! (TypeRef, MemberRef, AssemblyRef, ...) become their structural identity, heap
//! indexes their values, so different but equivalent row choices and heap offsets
//! compare equal. Definition rows keep their tokens: both chains extend one baseline.

use std::fmt::Write;

use super::Chain;
use crate::dump::format::{guid, hex, quoted, signature_with};
use crate::metadata::schema::{ColumnKind, TableId};
use crate::metadata::signature::{self, Signature};
use crate::metadata::{BlobIndex, GuidIndex, StringIndex, Token, UserStringIndex};

/// Reference rows deeper than this are malformed (a TypeRef scope cycle).
const MAX_DEPTH: u32 = 16;

/// Tables whose rows stand for something outside the module (or a signature) and may be
/// appended again by a compiler instead of reused: compared by what they name.
pub fn is_reference_table(table: TableId) -> bool {
    matches!(
        table,
        TableId::TypeRef
            | TableId::MemberRef
            | TableId::AssemblyRef
            | TableId::ModuleRef
            | TableId::TypeSpec
            | TableId::MethodSpec
            | TableId::StandAloneSig
    )
}

/// Tables whose rows are definitions with a stable token (compared row by token).
pub fn is_definition_table(table: TableId) -> bool {
    matches!(
        table,
        TableId::Module
            | TableId::TypeDef
            | TableId::Field
            | TableId::MethodDef
            | TableId::Param
            | TableId::Event
            | TableId::Property
            | TableId::GenericParam
            | TableId::Assembly
    )
}

/// Resolves values of a chain as seen after generation `as_of`.
pub struct Resolver<'c, 'a> {
    pub chain: &'c Chain<'a>,
    pub as_of: u32,
}

impl<'c, 'a> Resolver<'c, 'a> {
    pub fn new(chain: &'c Chain<'a>, as_of: u32) -> Self {
        Resolver { chain, as_of }
    }

    /// What `token` names: a reference row's identity, a user string's value, or the
    /// token itself for definitions.
    pub fn token(&self, t: Token) -> String {
        let mut out = String::new();
        self.write_token(&mut out, t, 0);
        out
    }

    fn write_token(&self, out: &mut String, t: Token, depth: u32) {
        if t.is_nil() {
            out.push_str("nil");
            return;
        }
        if t.kind() == Token::USER_STRING {
            match self.chain.user_string(UserStringIndex(t.rid())) {
                Ok((s, true)) => quoted(out, &s),
                _ => {
                    let _ = write!(out, "<bad #US {:#x}>", t.rid());
                }
            }
            return;
        }
        match t.table() {
            Some(table) if is_reference_table(table) && depth < MAX_DEPTH => match self.chain.raw_row(t, self.as_of) {
                Ok(raw) => self.write_row(out, table, &raw, depth + 1),
                Err(_) => {
                    let _ = write!(out, "<missing {t}>");
                }
            },
            _ => {
                let _ = write!(out, "{t}");
            }
        }
    }

    /// A whole row as `Table(column, ...)` with every column resolved: a reference
    /// row's identity.
    pub fn row(&self, table: TableId, raw: &[u32]) -> String {
        let mut out = String::new();
        self.write_row(&mut out, table, raw, 0);
        out
    }

    fn write_row(&self, out: &mut String, table: TableId, raw: &[u32], depth: u32) {
        out.push_str(table.name());
        out.push('(');
        for (i, &value) in raw.iter().take(table.columns().len()).enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.write_column(out, table, i, value, depth);
        }
        out.push(')');
    }

    /// One column value of a row of `table`, resolved.
    pub fn column(&self, table: TableId, column: usize, raw: u32) -> String {
        let mut out = String::new();
        self.write_column(&mut out, table, column, raw, 0);
        out
    }

    fn write_column(&self, out: &mut String, table: TableId, column: usize, raw: u32, depth: u32) {
        let Some(col) = table.columns().get(column) else { return };
        match col.kind {
            ColumnKind::U16 | ColumnKind::U32 | ColumnKind::U8Padded => {
                let _ = write!(out, "{raw:#x}");
            }
            ColumnKind::String => match self.chain.string(StringIndex(raw)) {
                Ok(s) => quoted(out, &s),
                Err(_) => {
                    let _ = write!(out, "<bad #Strings {raw:#x}>");
                }
            },
            ColumnKind::Guid => match self.chain.guid(GuidIndex(raw), self.as_of) {
                Ok(g) => guid(out, g),
                Err(_) => {
                    let _ = write!(out, "<bad #GUID {raw}>");
                }
            },
            ColumnKind::Blob => match self.chain.blob(BlobIndex(raw)) {
                Ok(bytes) => self.write_blob(out, table, col.name, bytes, depth),
                Err(_) => {
                    let _ = write!(out, "<bad #Blob {raw:#x}>");
                }
            },
            ColumnKind::Table(t) => match Token::try_new(t, raw) {
                Ok(token) => self.write_token(out, token, depth),
                Err(_) => {
                    let _ = write!(out, "<bad {} row {raw:#x}>", t.name());
                }
            },
            // List columns are row numbers of this module's definitions.
            ColumnKind::List(_) => {
                let _ = write!(out, "{raw:#x}");
            }
            ColumnKind::Coded(c) => match c.decode(raw) {
                Some(t) => self.write_token(out, t, depth),
                None => {
                    let _ = write!(out, "<bad {c:?} {raw:#x}>");
                }
            },
        }
    }

    /// A blob: signatures decoded with their tokens resolved, other blobs as hex.
    fn write_blob(&self, out: &mut String, table: TableId, column: &str, bytes: &[u8], depth: u32) {
        let decoded = match (table, column) {
            (TableId::TypeSpec, _) => signature::decode_type(bytes).ok().map(Signature::Type),
            (TableId::LocalConstant, _) => None,
            (_, "Signature" | "Type" | "Instantiation") => Signature::decode_any(bytes).ok(),
            _ => None,
        };
        match decoded {
            Some(sig) => self.write_signature(out, &sig, depth),
            None => {
                out.push_str("0x");
                hex(out, bytes);
            }
        }
    }

    fn write_signature(&self, out: &mut String, sig: &Signature, depth: u32) {
        let tok = |o: &mut String, t: Token| self.write_token(o, t, depth + 1);
        signature_with(out, sig, &tok);
    }

    /// A signature blob (by chain-wide index) decoded and resolved.
    pub fn signature_blob(&self, index: BlobIndex) -> String {
        let mut out = String::new();
        match self.chain.blob(index) {
            Ok(bytes) => match Signature::decode_any(bytes) {
                Ok(sig) => self.write_signature(&mut out, &sig, 0),
                Err(_) => {
                    out.push_str("0x");
                    hex(&mut out, bytes);
                }
            },
            Err(_) => {
                let _ = write!(out, "<bad #Blob {:#x}>", index.0);
            }
        }
        out
    }
}
