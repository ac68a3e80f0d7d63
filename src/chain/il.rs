//! A delta method body as comparable lines: the header facts, each instruction with
//! its operand resolved (tokens to what they name, branch targets to instruction
//! numbers, so an inserted instruction does not shift every later line), and the
//! exception regions (offsets as instruction numbers too).
//!
//! Local slots are named by first use (`V0`, `V1`, ... with their type), so two bodies
//! that differ only in slot numbering compare equal instruction by instruction; the
//! slot layout itself is the `locals` line.

use std::collections::HashMap;

use super::resolve::Resolver;
use crate::dump::format::type_sig_with;
use crate::il::MethodBody;
use crate::il::instruction::{Instruction, Operand, decode_instructions};
use crate::metadata::signature::{TypeSig, decode_locals};

/// The local slot an instruction reads or writes, and its operation.
fn local_access(ins: &Instruction) -> Option<(&'static str, u32)> {
    let slot = |op: &Operand| match op {
        Operand::UInt8(v) => Some(*v as u32),
        Operand::UInt16(v) => Some(*v as u32),
        _ => None,
    };
    match ins.opcode.0 {
        0x06..=0x09 => Some(("ldloc", (ins.opcode.0 - 0x06) as u32)),
        0x0A..=0x0D => Some(("stloc", (ins.opcode.0 - 0x0A) as u32)),
        0x11 | 0xFE0C => Some(("ldloc", slot(&ins.operand)?)),
        0x12 | 0xFE0D => Some(("ldloca", slot(&ins.operand)?)),
        0x13 | 0xFE0E => Some(("stloc", slot(&ins.operand)?)),
        _ => None,
    }
}

/// The types of the local slots a body's StandAloneSig declares.
fn local_types(resolver: &Resolver<'_, '_>, signature: crate::metadata::Token) -> Vec<TypeSig> {
    if signature.is_nil() {
        return Vec::new();
    }
    resolver
        .chain
        .raw_row(signature, resolver.as_of)
        .ok()
        .and_then(|raw| resolver.chain.blob(crate::metadata::BlobIndex(raw[0])).ok())
        .and_then(|blob| decode_locals(blob).ok())
        .unwrap_or_default()
}

fn type_text(resolver: &Resolver<'_, '_>, t: Option<&TypeSig>) -> String {
    let Some(t) = t else { return "?".into() };
    let mut out = String::new();
    let tok = |o: &mut String, token| o.push_str(&resolver.token(token));
    type_sig_with(&mut out, t, &tok);
    out
}

/// `(label, text)` lines of the body at `rva` of a `.dil` (labels are `IL_xxxx`
/// offsets for instructions); a body that cannot be read yields one `error` line, so
/// two unreadable bodies still compare.
pub fn method_il(resolver: &Resolver<'_, '_>, il: Option<&[u8]>, rva: u32) -> Vec<(String, String)> {
    let Some(il) = il else { return vec![("body".into(), "no .dil".into())] };
    let Some(data) = il.get(rva as usize..) else {
        return vec![("body".into(), format!("RVA {rva:#x} is past the .dil"))];
    };
    let body = match MethodBody::parse(data) {
        Ok(b) => b,
        Err(e) => return vec![("body".into(), format!("error {e}"))],
    };
    let mut lines = vec![
        ("maxstack".to_string(), body.max_stack.to_string()),
        ("initlocals".to_string(), body.init_locals.to_string()),
        ("locals".to_string(), resolver.token(body.local_signature)),
    ];
    match decode_instructions(body.code) {
        Ok(instructions) => {
            let index: HashMap<i64, usize> =
                instructions.iter().enumerate().map(|(i, ins)| (ins.offset as i64, i)).collect();
            let at = |offset: i64| index.get(&offset).map_or(format!("IL_{offset:04x}?"), |i| format!("#{i}"));
            let types = local_types(resolver, body.local_signature);
            let mut first_use: HashMap<u32, usize> = HashMap::new();
            for ins in &instructions {
                if let Some((op, slot)) = local_access(ins) {
                    let next = first_use.len();
                    let name = *first_use.entry(slot).or_insert(next);
                    let text = format!("{op} V{name} ({})", type_text(resolver, types.get(slot as usize)));
                    lines.push((format!("IL_{:04x}", ins.offset), text));
                    continue;
                }
                let targets = ins.branch_targets();
                let operand = match &ins.operand {
                    Operand::None => String::new(),
                    Operand::Int8(v) => v.to_string(),
                    Operand::UInt8(v) => v.to_string(),
                    Operand::UInt16(v) => v.to_string(),
                    Operand::Int32(v) => v.to_string(),
                    Operand::Int64(v) => v.to_string(),
                    Operand::Float32(bits) => format!("{} (0x{bits:08x})", f32::from_bits(*bits)),
                    Operand::Float64(bits) => format!("{} (0x{bits:016x})", f64::from_bits(*bits)),
                    Operand::BranchShort(_) | Operand::Branch(_) | Operand::Switch(_) => {
                        targets.iter().map(|&t| at(t)).collect::<Vec<_>>().join(", ")
                    }
                    Operand::Token(t) | Operand::String(t) => resolver.token(*t),
                };
                let text = if operand.is_empty() {
                    ins.opcode.name().to_string()
                } else {
                    format!("{} {operand}", ins.opcode.name())
                };
                lines.push((format!("IL_{:04x}", ins.offset), text));
            }
        }
        Err(e) => lines.push(("code".into(), format!("error {e}"))),
    }
    let offsets: HashMap<u32, usize> = decode_instructions(body.code)
        .map(|all| all.iter().enumerate().map(|(i, ins)| (ins.offset, i)).collect())
        .unwrap_or_default();
    let at = |offset: u32| offsets.get(&offset).map_or(format!("IL_{offset:04x}"), |i| format!("#{i}"));
    let end = body.code.len() as u32;
    let at_end = |offset: u32| if offset == end { "end".to_string() } else { at(offset) };
    for (i, r) in body.exception_regions.iter().enumerate() {
        let text = format!(
            "{} try {}..{} handler {}..{} catch {} filter {}",
            r.kind.name(),
            at(r.try_offset),
            at_end(r.try_offset + r.try_length),
            at(r.handler_offset),
            at_end(r.handler_offset + r.handler_length),
            resolver.token(r.catch_type),
            if r.filter_offset == 0 { "-".to_string() } else { at(r.filter_offset) }
        );
        lines.push((format!("EH {}", i + 1), text));
    }
    lines
}
