//! Decoding an IL byte stream into instructions and encoding them back.

use super::opcode::{OpCode, OperandKind};
use crate::bytes::Cursor;
use crate::error::{Error, Result};
use crate::metadata::Token;

/// An instruction operand, kept in its encoded form so encoding reproduces the bytes.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    None,
    Int8(i8),
    UInt8(u8),
    UInt16(u16),
    Int32(i32),
    Int64(i64),
    /// The raw IEEE bits, so NaN payloads survive a round trip.
    Float32(u32),
    Float64(u64),
    /// Relative to the next instruction.
    BranchShort(i8),
    Branch(i32),
    Token(Token),
    /// A user-string token (`0x70` + `#US` offset).
    String(Token),
    /// Targets relative to the next instruction.
    Switch(Vec<i32>),
}

/// One instruction at a byte offset of the body.
#[derive(Clone, Debug, PartialEq)]
pub struct Instruction {
    pub offset: u32,
    pub opcode: OpCode,
    pub operand: Operand,
}

impl Instruction {
    /// Encoded size in bytes.
    pub fn len(&self) -> usize {
        self.opcode.len()
            + match &self.operand {
                Operand::None => 0,
                Operand::Int8(_) | Operand::UInt8(_) | Operand::BranchShort(_) => 1,
                Operand::UInt16(_) => 2,
                Operand::Int32(_)
                | Operand::Float32(_)
                | Operand::Branch(_)
                | Operand::Token(_)
                | Operand::String(_) => 4,
                Operand::Int64(_) | Operand::Float64(_) => 8,
                Operand::Switch(targets) => 4 + 4 * targets.len(),
            }
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// Absolute branch targets (one for branches, several for switch).
    pub fn branch_targets(&self) -> Vec<i64> {
        let next = self.offset as i64 + self.len() as i64;
        match &self.operand {
            Operand::BranchShort(d) => vec![next + *d as i64],
            Operand::Branch(d) => vec![next + *d as i64],
            Operand::Switch(ds) => ds.iter().map(|d| next + *d as i64).collect(),
            _ => Vec::new(),
        }
    }
}

/// Decodes every instruction of `code`.
pub fn decode_instructions(code: &[u8]) -> Result<Vec<Instruction>> {
    let mut out = Vec::with_capacity(code.len() / 2);
    for i in Instructions::new(code) {
        out.push(i?);
    }
    Ok(out)
}

/// The instructions of a body's code, decoded one at a time (no allocation except
/// for `switch` tables). Stops after the first error.
pub struct Instructions<'a> {
    cur: Cursor<'a>,
    failed: bool,
}

impl<'a> Instructions<'a> {
    pub fn new(code: &'a [u8]) -> Self {
        Instructions { cur: Cursor::new(code, "IL"), failed: false }
    }

    fn decode(&mut self) -> Result<Instruction> {
        let cur = &mut self.cur;
        let offset = cur.position() as u32;
        let first = cur.u8()?;
        let opcode = if first == 0xFE { OpCode(0xFE00 | cur.u8()? as u16) } else { OpCode(first as u16) };
        let kind = opcode
            .operand_kind()
            .ok_or_else(|| Error::malformed("IL", offset as u64, "an opcode", format_args!("{:#x}", opcode.0)))?;
        let operand = match kind {
            OperandKind::None => Operand::None,
            OperandKind::Int8 => Operand::Int8(cur.u8()? as i8),
            OperandKind::UInt8 => Operand::UInt8(cur.u8()?),
            OperandKind::UInt16 => Operand::UInt16(cur.u16()?),
            OperandKind::Int32 => Operand::Int32(cur.u32()? as i32),
            OperandKind::Int64 => Operand::Int64(cur.u64()? as i64),
            OperandKind::Float32 => Operand::Float32(cur.u32()?),
            OperandKind::Float64 => Operand::Float64(cur.u64()?),
            OperandKind::BranchShort => Operand::BranchShort(cur.u8()? as i8),
            OperandKind::Branch => Operand::Branch(cur.u32()? as i32),
            OperandKind::Token => Operand::Token(Token(cur.u32()?)),
            OperandKind::String => Operand::String(Token(cur.u32()?)),
            OperandKind::Switch => {
                let count = cur.u32()? as usize;
                if count > cur.remaining() / 4 {
                    return Err(Error::malformed(
                        "IL",
                        offset as u64,
                        format!("a switch with at most {} targets", cur.remaining() / 4),
                        count,
                    ));
                }
                Operand::Switch((0..count).map(|_| cur.u32().map(|v| v as i32)).collect::<Result<_>>()?)
            }
        };
        Ok(Instruction { offset, opcode, operand })
    }
}

impl Iterator for Instructions<'_> {
    type Item = Result<Instruction>;

    fn next(&mut self) -> Option<Result<Instruction>> {
        if self.failed || self.cur.is_empty() {
            return None;
        }
        let item = self.decode();
        self.failed = item.is_err();
        Some(item)
    }
}

/// Encodes instructions back into an IL byte stream.
/// The token operands of an instruction stream (metadata tokens, and string literals
/// as [`Operand::String`]), skipping the other operands without decoding them: what a
/// comparison of two equal streams needs to look at.
pub struct TokenOperands<'a> {
    code: &'a [u8],
    position: usize,
    failed: bool,
}

impl<'a> TokenOperands<'a> {
    pub fn new(code: &'a [u8]) -> Self {
        TokenOperands { code, position: 0, failed: false }
    }

    /// Where the walk is: just past the operand returned last (a token operand starts 4
    /// bytes before), or, after an error, the start of the instruction that failed.
    pub fn position(&self) -> usize {
        self.position
    }

    fn read_u32(&self, at: usize) -> Result<u32> {
        match self.code.get(at..at + 4) {
            Some(b) => Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            None => Err(Error::malformed("IL", at as u64, "a 4-byte operand", "the end of the code")),
        }
    }

    fn advance(&mut self) -> Result<Option<Operand>> {
        while let Some(&first) = self.code.get(self.position) {
            let at = self.position;
            let opcode = if first == 0xFE {
                let second = *self
                    .code
                    .get(at + 1)
                    .ok_or_else(|| Error::malformed("IL", at as u64, "a two-byte opcode", "the end of the code"))?;
                OpCode(0xFE00 | second as u16)
            } else {
                OpCode(first as u16)
            };
            let kind = opcode
                .operand_kind()
                .ok_or_else(|| Error::malformed("IL", at as u64, "an opcode", format_args!("{:#x}", opcode.0)))?;
            let operand_at = at + opcode.len();
            let size = match kind.fixed_size() {
                Some(size) => size,
                None => {
                    let count = self.read_u32(operand_at)? as usize;
                    let room = self.code.len().saturating_sub(operand_at + 4) / 4;
                    if count > room {
                        return Err(Error::malformed(
                            "IL",
                            at as u64,
                            format!("a switch with at most {room} targets"),
                            count,
                        ));
                    }
                    4 + 4 * count
                }
            };
            if operand_at + size > self.code.len() {
                return Err(Error::malformed("IL", at as u64, "an operand inside the code", "the end of the code"));
            }
            self.position = operand_at + size;
            match kind {
                OperandKind::Token => return Ok(Some(Operand::Token(Token(self.read_u32(operand_at)?)))),
                OperandKind::String => return Ok(Some(Operand::String(Token(self.read_u32(operand_at)?)))),
                _ => {}
            }
        }
        Ok(None)
    }
}

impl Iterator for TokenOperands<'_> {
    type Item = Result<Operand>;

    fn next(&mut self) -> Option<Result<Operand>> {
        if self.failed {
            return None;
        }
        let item = self.advance();
        self.failed = item.is_err();
        item.transpose()
    }
}

pub fn encode_instructions(instructions: &[Instruction]) -> Vec<u8> {
    let mut out = Vec::with_capacity(instructions.iter().map(Instruction::len).sum());
    for ins in instructions {
        if ins.opcode.0 >> 8 == 0xFE {
            out.push(0xFE);
        }
        out.push(ins.opcode.0 as u8);
        match &ins.operand {
            Operand::None => {}
            Operand::Int8(v) => out.push(*v as u8),
            Operand::UInt8(v) => out.push(*v),
            Operand::BranchShort(v) => out.push(*v as u8),
            Operand::UInt16(v) => out.extend_from_slice(&v.to_le_bytes()),
            Operand::Int32(v) | Operand::Branch(v) => out.extend_from_slice(&v.to_le_bytes()),
            Operand::Float32(v) => out.extend_from_slice(&v.to_le_bytes()),
            Operand::Token(t) | Operand::String(t) => out.extend_from_slice(&t.0.to_le_bytes()),
            Operand::Int64(v) => out.extend_from_slice(&v.to_le_bytes()),
            Operand::Float64(v) => out.extend_from_slice(&v.to_le_bytes()),
            Operand::Switch(targets) => {
                out.extend_from_slice(&(targets.len() as u32).to_le_bytes());
                for t in targets {
                    out.extend_from_slice(&t.to_le_bytes());
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_reencodes_a_mixed_stream() {
        // ldstr 0x70000001; ldc.i4.s -3; switch(2) [+1, -4]; br.s +0; ldarg 0x102; call 0x0A000005; ret
        let code = [
            0x72, 1, 0, 0, 0x70, 0x1F, 0xFD, 0x45, 2, 0, 0, 0, 1, 0, 0, 0, 0xFC, 0xFF, 0xFF, 0xFF, 0x2B, 0x00, 0xFE,
            0x09, 0x02, 0x01, 0x28, 5, 0, 0, 0x0A, 0x2A,
        ];
        let ins = decode_instructions(&code).unwrap();
        assert_eq!(ins.len(), 7);
        assert_eq!(ins[0].operand, Operand::String(Token(0x7000_0001)));
        assert_eq!(ins[2].branch_targets(), vec![21, 16]);
        assert_eq!(ins[4].opcode, OpCode(0xFE09));
        assert_eq!(ins[4].operand, Operand::UInt16(0x102));
        assert_eq!(encode_instructions(&ins), code);
    }

    #[test]
    fn rejects_unknown_opcodes_and_lying_switch_counts() {
        assert!(decode_instructions(&[0x24]).is_err());
        assert!(decode_instructions(&[0xFE, 0x08]).is_err());
        assert!(decode_instructions(&[0x45, 0xFF, 0xFF, 0xFF, 0x7F]).is_err());
        assert!(decode_instructions(&[0x20, 1, 2]).is_err());
    }

    #[test]
    fn the_token_walk_reports_malformed_streams_with_their_offset() {
        let walk = |code: &[u8]| TokenOperands::new(code).collect::<Result<Vec<_>>>();
        // A token cut short, an unknown opcode, a switch claiming more targets than
        // bytes, a two-byte opcode without its second byte: errors, never a panic.
        for (code, at) in [
            (&[0x00, 0x28, 1, 0][..], "offset 0x1"),
            (&[0x00, 0x00, 0x24][..], "offset 0x2"),
            (&[0x45, 0xFF, 0xFF, 0xFF, 0x7F][..], "offset 0x0"),
            (&[0x2A, 0xFE][..], "offset 0x1"),
        ] {
            let e = walk(code).unwrap_err().to_string();
            assert!(e.contains("IL") && e.contains(at), "{code:02x?}: {e}");
        }
        // After an error the walk stops.
        let mut it = TokenOperands::new(&[0x24, 0x28, 1, 0, 0, 0x0A]);
        assert!(it.next().unwrap().is_err());
        assert!(it.next().is_none());
    }
}
