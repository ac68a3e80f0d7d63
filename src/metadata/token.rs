//! Metadata tokens: a table number in the high byte, a 1-based row id below it.

use std::fmt;

use super::schema::TableId;

/// A metadata token (`0x06000001` is MethodDef row 1). Row 0 is the nil token of a table.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Token(pub u32);

impl Token {
    /// Largest row id a token can carry.
    pub const MAX_RID: u32 = 0x00FF_FFFF;
    /// Token type of user strings (`ldstr` operands): the low 24 bits are a `#US` offset.
    pub const USER_STRING: u8 = 0x70;

    /// The token of row `rid` of `table`, only for row ids that provably fit: a row of a
    /// parsed table (the tables reader refuses row counts past 2^24), a row the delta
    /// writer stored (`DeltaTables::set` refuses ids past 2^24), a token's own `rid()`, a
    /// constant. A value read from a cell, a blob or a session, or a counter, goes through
    /// [`Token::try_new`], which refuses an id past [`Token::MAX_RID`].
    ///
    /// An id past 2^24 is a bug in the caller: debug builds (tests, fuzzing) panic on it;
    /// release builds keep the low 24 bits.
    pub const fn new(table: TableId, rid: u32) -> Token {
        debug_assert!(rid <= Self::MAX_RID, "Token::new: row id past 2^24 (use Token::try_new for input)");
        Token(((table as u32) << 24) | (rid & Self::MAX_RID))
    }

    /// The token of row `rid` of `table`, or an error naming the table when `rid` does not
    /// fit in a token's 24 bits.
    pub fn try_new(table: TableId, rid: u32) -> crate::error::Result<Token> {
        if rid > Self::MAX_RID {
            return Err(crate::error::Error::Invalid(format!(
                "{} row id {rid} does not fit in a metadata token (at most {})",
                table.name(),
                Self::MAX_RID
            )));
        }
        Ok(Token(((table as u32) << 24) | rid))
    }

    /// The raw token type byte (a table number, or 0x70 for user strings).
    pub const fn kind(self) -> u8 {
        (self.0 >> 24) as u8
    }

    pub fn table(self) -> Option<TableId> {
        TableId::from_index(self.kind())
    }

    pub const fn rid(self) -> u32 {
        self.0 & Self::MAX_RID
    }

    pub const fn is_nil(self) -> bool {
        self.rid() == 0
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:08X}", self.0)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.table() {
            Some(table) => write!(f, "{}#{}", table.name(), self.rid()),
            None => write!(f, "Token(0x{:08X})", self.0),
        }
    }
}

/// An offset into the `#Strings` heap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct StringIndex(pub u32);
/// An offset into the `#Blob` heap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct BlobIndex(pub u32);
/// A 1-based index into the `#GUID` heap (0 is nil).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct GuidIndex(pub u32);
/// An offset into the `#US` heap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct UserStringIndex(pub u32);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn try_new_refuses_row_ids_past_24_bits() {
        assert_eq!(Token::try_new(TableId::MethodDef, 1).unwrap(), Token(0x0600_0001));
        assert_eq!(Token::try_new(TableId::MethodDef, Token::MAX_RID).unwrap(), Token(0x06FF_FFFF));
        let err = Token::try_new(TableId::MethodDef, Token::MAX_RID + 1).unwrap_err().to_string();
        assert!(err.contains("MethodDef row id 16777216"), "{err}");
        assert!(Token::try_new(TableId::TypeRef, u32::MAX).is_err());
    }

    #[test]
    fn new_keeps_ids_that_fit() {
        assert_eq!(Token::new(TableId::TypeRef, Token::MAX_RID), Token(0x01FF_FFFF));
        assert_eq!(Token::new(TableId::MethodDef, 0).rid(), 0);
    }

    /// Debug builds (the fuzz targets, `cargo test` without `--release`) stop at a caller
    /// that passes an id past 2^24 instead of masking it to another row.
    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "row id past 2^24")]
    fn new_panics_past_24_bits_in_debug_builds() {
        let _ = Token::new(TableId::TypeRef, Token::MAX_RID + 2);
    }
}
