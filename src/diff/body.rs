//! Whether two method bodies are the same code: same header, same exception clauses,
//! same instructions, with operands that name the same things. How tokens of the two
//! builds correspond is the caller's (equal raw tokens when the builds have the same
//! rows, equal identity keys otherwise); string literals compare by content.

use crate::assembly::Assembly;
use crate::error::Result;
use crate::il::{MethodBody, Operand, TokenOperands};
use crate::metadata::heaps::UserStringHeap;
use crate::metadata::{Token, UserStringIndex};

/// Compares the bodies at `old_rva` in `old` and `new_rva` in `new` (0: no body).
pub fn bodies_equal(
    old: &Assembly<'_>,
    new: &Assembly<'_>,
    old_rva: u32,
    new_rva: u32,
    same_token: impl Fn(Token, Token) -> Result<bool>,
) -> Result<bool> {
    bodies_equal_kept(old, new, old_rva, new_rva, &Operands::new(old, new, &KeptRows::NONE, same_token))
}

/// How the operands of two bodies compare: a token by what it names (a raw value equal
/// in both bodies that `kept` covers names the same entity without asking
/// `same_token`), a string literal by its content.
pub struct Operands<'x, 'a, F> {
    old_us: &'x UserStringHeap<'a>,
    new_us: &'x UserStringHeap<'a>,
    kept: &'x KeptRows,
    same_token: F,
}

impl<'x, 'a, F: Fn(Token, Token) -> Result<bool>> Operands<'x, 'a, F> {
    pub fn new(old: &'x Assembly<'a>, new: &'x Assembly<'a>, kept: &'x KeptRows, same_token: F) -> Self {
        Operands { old_us: &old.metadata.user_strings, new_us: &new.metadata.user_strings, kept, same_token }
    }

    /// Token `p` of the old body and `q` of the new one name the same entity.
    #[inline]
    pub fn same_token(&self, p: Token, q: Token) -> Result<bool> {
        Ok((p == q && self.kept.covers(p)) || (self.same_token)(p, q)?)
    }

    /// The `ldstr` operands `p` and `q` are the same literal.
    pub fn same_literal(&self, p: Token, q: Token) -> Result<bool> {
        Ok(self.old_us.get_raw(UserStringIndex(p.rid()))? == self.new_us.get_raw(UserStringIndex(q.rid()))?)
    }
}

/// [`bodies_equal`], with operands compared as `operands` says.
///
/// One walk of the old code finds the token operands; the bytes between them must be
/// equal (opcodes and every other operand, switch counts included), so both codes
/// have the same instructions, and only the tokens are compared by what they name.
pub fn bodies_equal_kept<F: Fn(Token, Token) -> Result<bool>>(
    old: &Assembly<'_>,
    new: &Assembly<'_>,
    old_rva: u32,
    new_rva: u32,
    operands: &Operands<'_, '_, F>,
) -> Result<bool> {
    if old_rva == 0 || new_rva == 0 {
        return Ok(old_rva == new_rva);
    }
    let (a, b) = (old.method_body(old_rva)?, new.method_body(new_rva)?);
    if !same_shape(&a, &b) || !operands.same_token(a.local_signature, b.local_signature)? {
        return Ok(false);
    }
    for (x, y) in a.exception_regions.iter().zip(&b.exception_regions) {
        if !operands.same_token(x.catch_type, y.catch_type)? {
            return Ok(false);
        }
    }
    // Equal lengths (same_shape).
    let (x, y) = (a.code, b.code);
    let mut walk = TokenOperands::new(x);
    let mut from = 0;
    while let Some(operand) = walk.next() {
        let operand = match operand {
            Ok(operand) => operand,
            // Code that differs before the bad instruction is a changed body, as an
            // instruction-by-instruction comparison would find first.
            Err(_) if x.get(from..walk.position()) != y.get(from..walk.position()) => return Ok(false),
            Err(e) => return Err(e),
        };
        let at = walk.position() - 4;
        let (Some(before), Some(theirs)) = (y.get(from..at), y.get(at..at + 4)) else { return Ok(false) };
        if x[from..at] != *before {
            return Ok(false);
        }
        let q = Token(u32::from_le_bytes([theirs[0], theirs[1], theirs[2], theirs[3]]));
        let same = match operand {
            Operand::Token(p) => operands.same_token(p, q)?,
            Operand::String(p) => operands.same_literal(p, q)?,
            _ => true,
        };
        if !same {
            return Ok(false);
        }
        from = at + 4;
    }
    Ok(x[from..] == y[from..])
}

/// Per token table: the row ids below which a token names the same entity in both
/// builds (a row id at or past it may not). From [`crate::diff::pairing::Pairing::kept_rows`].
pub struct KeptRows {
    /// Indexed by the token's table byte.
    below: [u32; 256],
}

impl KeptRows {
    /// Covers no token: every one is compared.
    pub const NONE: KeptRows = KeptRows { below: [0; 256] };

    pub fn new(below: [u32; 256]) -> Self {
        KeptRows { below }
    }

    /// Whether `t` names the same entity in both builds.
    #[inline]
    pub fn covers(&self, t: Token) -> bool {
        t.rid() < self.below[(t.0 >> 24) as usize]
    }
}

/// Header and clause layout equal (everything but tokens). Equal instruction streams
/// have equal lengths, since every operand has a fixed size given its opcode.
fn same_shape(a: &MethodBody<'_>, b: &MethodBody<'_>) -> bool {
    a.max_stack == b.max_stack
        && a.init_locals == b.init_locals
        && a.code.len() == b.code.len()
        && a.exception_regions.len() == b.exception_regions.len()
        && a.exception_regions.iter().zip(&b.exception_regions).all(|(x, y)| {
            (x.kind, x.try_offset, x.try_length, x.handler_offset, x.handler_length, x.filter_offset)
                == (y.kind, y.try_offset, y.try_length, y.handler_offset, y.handler_length, y.filter_offset)
        })
}

/// The fast check for builds with the same rows: bodies with equal headers and equal
/// code bytes are equal without decoding when no literal can differ (the same `#US`,
/// or no byte that could be an `ldstr` opcode).
pub fn bytes_equal(a: &MethodBody<'_>, b: &MethodBody<'_>) -> bool {
    same_shape(a, b)
        && a.local_signature == b.local_signature
        && a.code == b.code
        && a.exception_regions.iter().zip(&b.exception_regions).all(|(x, y)| x.catch_type == y.catch_type)
}
