//! The IL delta: a 4-byte lead (so no body has RVA 0), then each updated body with its
//! tokens rewritten into the chain.

use super::importer::Importer;
use crate::error::{Error, Result};
use crate::il::body::flags;
use crate::il::{ExceptionKind, MethodBody, OpCode, Operand, decode_instructions};
use crate::metadata::{Token, UserStringIndex};

const LDC_I4_S: u8 = 0x1F;
const LDC_I4: u8 = 0x20;

/// The `.dil` stream under construction.
pub struct IlStream {
    pub bytes: Vec<u8>,
}

impl Default for IlStream {
    fn default() -> Self {
        IlStream { bytes: vec![0; 4] }
    }
}

impl IlStream {
    /// Appends a tiny body that throws `new E(message)`, or `new E(message, code)` with a
    /// code, `constructor` being E's constructor in the chain; returns its RVA in the delta.
    pub fn add_throw(
        &mut self,
        importer: &mut Importer<'_, '_>,
        constructor: Token,
        message: &str,
        code: Option<i32>,
    ) -> Result<u32> {
        let literal = importer.heaps.user_string(message);
        if literal > Token::MAX_RID {
            return Err(Error::Invalid(format!(
                "the chain's #US heap would reach offset {literal:#x}, past the 24 bits a user-string token holds"
            )));
        }
        let mut il = vec![OpCode::LDSTR.0 as u8];
        il.extend_from_slice(&((Token::USER_STRING as u32) << 24 | literal).to_le_bytes());
        match code.map(|c| (c, i8::try_from(c))) {
            None => {}
            Some((_, Ok(short))) => il.extend_from_slice(&[LDC_I4_S, short as u8]),
            Some((c, Err(_))) => {
                il.push(LDC_I4);
                il.extend_from_slice(&c.to_le_bytes());
            }
        }
        il.push(OpCode::NEWOBJ.0 as u8);
        il.extend_from_slice(&constructor.0.to_le_bytes());
        il.push(OpCode::THROW.0 as u8);
        let rva = self.bytes.len() as u32;
        self.bytes.push(((il.len() as u8) << 2) | flags::TINY_FORMAT);
        self.bytes.extend_from_slice(&il);
        Ok(rva)
    }

    /// Appends a fat body this tool wrote itself (`code` with chain tokens, no exception
    /// regions, locals zeroed as a Debug build's are); returns its RVA in the delta.
    pub fn add_synthesized_body(&mut self, code: &[u8], max_stack: u16, locals: Token) -> Result<u32> {
        let size = u32::try_from(code.len()).map_err(|_| Error::Invalid("a synthesized body past 4 GiB".into()))?;
        self.bytes.resize((self.bytes.len() + 3) & !3, 0);
        let rva = self.bytes.len() as u32;
        let header = flags::FAT_FORMAT | flags::INIT_LOCALS | (3 << 12);
        self.bytes.extend_from_slice(&header.to_le_bytes());
        self.bytes.extend_from_slice(&max_stack.to_le_bytes());
        self.bytes.extend_from_slice(&size.to_le_bytes());
        self.bytes.extend_from_slice(&locals.0.to_le_bytes());
        self.bytes.extend_from_slice(code);
        Ok(rva)
    }

    /// Appends the initial data of an added field (FieldRVA), 8-aligned as a PE image
    /// aligns field data (the largest alignment such data asks for); returns its RVA in
    /// the delta.
    pub fn add_data(&mut self, data: &[u8]) -> u32 {
        self.bytes.resize(self.bytes.len().next_multiple_of(8), 0);
        let rva = self.bytes.len() as u32;
        self.bytes.extend_from_slice(data);
        rva
    }

    /// Appends `body` (from the updated build) with its tokens imported; returns its RVA
    /// in the delta (its offset in the stream).
    pub fn add_body(&mut self, body: &MethodBody<'_>, importer: &mut Importer<'_, '_>) -> Result<u32> {
        let new_md = importer.new_ids.metadata();
        let mut code = body.code.to_vec();
        for ins in decode_instructions(body.code)? {
            let at = ins.offset as usize + ins.opcode.len();
            let replacement = match ins.operand {
                Operand::Token(t) => importer.import(t)?,
                Operand::String(t) => {
                    let value = new_md.user_strings.get(UserStringIndex(t.rid()))?;
                    let offset = importer.heaps.user_string(&value);
                    // An ldstr token carries 24 bits of #US offset: past that the chain
                    // cannot address the literal (masking would name another token type).
                    if offset > Token::MAX_RID {
                        return Err(Error::Invalid(format!(
                            "IL_{:04x} ldstr: the chain's #US heap would reach offset {offset:#x}, past the 24 bits a user-string token holds",
                            ins.offset
                        )));
                    }
                    Token((Token::USER_STRING as u32) << 24 | offset)
                }
                _ => continue,
            };
            code[at..at + 4].copy_from_slice(&replacement.0.to_le_bytes());
        }
        let locals = importer.import(body.local_signature)?;
        let mut regions = Vec::with_capacity(body.exception_regions.len());
        for r in &body.exception_regions {
            let mut r = *r;
            if r.kind == ExceptionKind::Catch {
                r.catch_type = importer.import(r.catch_type)?;
            }
            regions.push(r);
        }

        let tiny = body.is_tiny && locals.is_nil() && regions.is_empty() && code.len() < 64 && body.max_stack <= 8;
        if !tiny {
            self.bytes.resize((self.bytes.len() + 3) & !3, 0);
        }
        let rva = self.bytes.len() as u32;
        let out = &mut self.bytes;
        if tiny {
            out.push(((code.len() as u8) << 2) | flags::TINY_FORMAT);
        } else {
            let mut header = flags::FAT_FORMAT | (3 << 12);
            if !regions.is_empty() {
                header |= flags::MORE_SECTS;
            }
            if body.init_locals {
                header |= flags::INIT_LOCALS;
            }
            out.extend_from_slice(&header.to_le_bytes());
            out.extend_from_slice(&body.max_stack.to_le_bytes());
            out.extend_from_slice(&(code.len() as u32).to_le_bytes());
            out.extend_from_slice(&locals.0.to_le_bytes());
        }
        out.extend_from_slice(&code);
        if !regions.is_empty() {
            out.resize((out.len() + 3) & !3, 0);
            let fits_small = regions.len() * 12 + 4 <= 255
                && regions.iter().all(|r| {
                    r.try_offset <= 0xFFFF
                        && r.try_length <= 0xFF
                        && r.handler_offset <= 0xFFFF
                        && r.handler_length <= 0xFF
                });
            if fits_small {
                out.extend_from_slice(&[flags::SECTION_EH_TABLE, (regions.len() * 12 + 4) as u8, 0, 0]);
            } else {
                let size = (regions.len() * 24 + 4) as u32;
                out.push(flags::SECTION_EH_TABLE | flags::SECTION_FAT_FORMAT);
                out.extend_from_slice(&size.to_le_bytes()[..3]);
            }
            for r in &regions {
                let extra = match r.kind {
                    ExceptionKind::Catch => r.catch_type.0,
                    ExceptionKind::Filter => r.filter_offset,
                    _ => 0,
                };
                if fits_small {
                    out.extend_from_slice(&(r.kind.flags() as u16).to_le_bytes());
                    out.extend_from_slice(&(r.try_offset as u16).to_le_bytes());
                    out.push(r.try_length as u8);
                    out.extend_from_slice(&(r.handler_offset as u16).to_le_bytes());
                    out.push(r.handler_length as u8);
                } else {
                    for v in [r.kind.flags(), r.try_offset, r.try_length, r.handler_offset, r.handler_length] {
                        out.extend_from_slice(&v.to_le_bytes());
                    }
                }
                out.extend_from_slice(&extra.to_le_bytes());
            }
        }
        Ok(rva)
    }
}
