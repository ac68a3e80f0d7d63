//! A delta method body as comparable lines: the header facts, each instruction with
//! its operand resolved (tokens to what they name, branch targets to instruction
//! numbers, so an inserted instruction does not shift every later line), and the
//! exception regions (offsets as instruction numbers too).
//!
//! Local slots are named by first use (`V0`, `V1`, ... with their type), so two bodies
//! that differ only in slot numbering compare equal instruction by instruction; the
//! slot layout itself is the `locals` line. [`BodyIndex`] holds both namings, for the
//! `.dpdb` comparison too (sequence points, scopes and local variables of a body).

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

fn type_text(resolver: &Resolver<'_, '_>, t: &TypeSig) -> String {
    let mut out = String::new();
    let tok = |o: &mut String, token| o.push_str(&resolver.token(token));
    type_sig_with(&mut out, t, &tok);
    out
}

/// Where a body's instructions start and how its local slots are named: what turns the
/// raw IL offsets and slot numbers of the body (or of debug rows describing it) into
/// instruction numbers and first-use slot names, so two encodings of one body agree.
pub(crate) struct BodyIndex {
    /// Instruction start offset → instruction number.
    starts: HashMap<u32, usize>,
    /// The code size (an offset there is the end of the body).
    end: u32,
    /// Slot → its number in order of first use.
    first_use: HashMap<u32, usize>,
    /// Each slot's type, from the local signature.
    types: Vec<String>,
}

impl BodyIndex {
    fn new(resolver: &Resolver<'_, '_>, body: &MethodBody<'_>, instructions: &[Instruction]) -> Self {
        let mut first_use = HashMap::new();
        for (_, slot) in instructions.iter().filter_map(local_access) {
            let next = first_use.len();
            first_use.entry(slot).or_insert(next);
        }
        let types = local_types(resolver, body.local_signature).iter().map(|t| type_text(resolver, t)).collect();
        BodyIndex {
            starts: instructions.iter().enumerate().map(|(i, ins)| (ins.offset, i)).collect(),
            end: body.code.len() as u32,
            first_use,
            types,
        }
    }

    /// The body at `rva` of a `.dil`, when it can be read and decoded.
    pub(crate) fn at_rva(resolver: &Resolver<'_, '_>, il: Option<&[u8]>, rva: u32) -> Option<Self> {
        let body = MethodBody::parse(il?.get(rva as usize..)?).ok()?;
        let instructions = decode_instructions(body.code).ok()?;
        Some(Self::new(resolver, &body, &instructions))
    }

    /// `#N` for the start of instruction N; other offsets stay raw (`IL_xxxx`).
    pub(crate) fn start(&self, offset: u32) -> String {
        self.starts.get(&offset).map_or(format!("IL_{offset:04x}"), |i| format!("#{i}"))
    }

    /// Like [`Self::start`], and `end` for the end of the body (a range's bound).
    pub(crate) fn bound(&self, offset: u32) -> String {
        if offset == self.end { "end".to_string() } else { self.start(offset) }
    }

    /// A branch target (`IL_xxxx?` when no instruction starts there).
    fn target(&self, offset: i64) -> String {
        let at = u32::try_from(offset).ok().and_then(|o| self.starts.get(&o));
        at.map_or(format!("IL_{offset:04x}?"), |i| format!("#{i}"))
    }

    /// A slot by first use with its type (`V0 (i4)`); a slot the code never touches
    /// keeps its number (`unused slot 3 (i4)`).
    pub(crate) fn slot(&self, slot: u32) -> String {
        let ty = self.types.get(slot as usize).map_or("?", String::as_str);
        match self.first_use.get(&slot) {
            Some(n) => format!("V{n} ({ty})"),
            None => format!("unused slot {slot} ({ty})"),
        }
    }
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
    let decoded = decode_instructions(body.code);
    let index = BodyIndex::new(resolver, &body, decoded.as_deref().unwrap_or_default());
    match &decoded {
        Ok(instructions) => lines.extend(
            instructions.iter().map(|ins| (format!("IL_{:04x}", ins.offset), instruction(resolver, &index, ins))),
        ),
        Err(e) => lines.push(("code".into(), format!("error {e}"))),
    }
    for (i, r) in body.exception_regions.iter().enumerate() {
        let text = format!(
            "{} try {}..{} handler {}..{} catch {} filter {}",
            r.kind.name(),
            index.start(r.try_offset),
            index.bound(r.try_offset.saturating_add(r.try_length)),
            index.start(r.handler_offset),
            index.bound(r.handler_offset.saturating_add(r.handler_length)),
            resolver.token(r.catch_type),
            if r.filter_offset == 0 { "-".to_string() } else { index.start(r.filter_offset) }
        );
        lines.push((format!("EH {}", i + 1), text));
    }
    lines
}

/// One instruction with its operand resolved.
fn instruction(resolver: &Resolver<'_, '_>, index: &BodyIndex, ins: &Instruction) -> String {
    if let Some((op, slot)) = local_access(ins) {
        return format!("{op} {}", index.slot(slot));
    }
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
            ins.branch_targets().iter().map(|&t| index.target(t)).collect::<Vec<_>>().join(", ")
        }
        Operand::Token(t) | Operand::String(t) => resolver.token(*t),
    };
    if operand.is_empty() { ins.opcode.name().to_string() } else { format!("{} {operand}", ins.opcode.name()) }
}
