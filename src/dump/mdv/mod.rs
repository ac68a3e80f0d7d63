//! A baseline and its deltas printed the way mdv (dotnet/metadata-tools) prints
//! `mdv BASELINE /g:1.dmeta;1.dil ...`: per generation, the tables with mdv's titles,
//! columns and row numbering, tokens qualified by the generation that added their row
//! (`0x0a000007/1:1`), heap values with their chain-wide offset and, for deltas, the
//! generation and offset inside it (`'Run' (#135/1:2e)`), then the heaps and the IL of
//! each method body the generation carries. tools/mdv-compare/README.md says which
//! sections match the real mdv byte for byte.

mod il;
mod names;
mod table;

use std::fmt::Write;

use self::names::*;
use crate::assembly::Assembly;
use crate::chain::Chain;
use crate::dump::format::hex;
use crate::metadata::schema::{CodedIndex, TableId};
use crate::metadata::signature::{self, MethodSig, Signature, TypeSig};
use crate::metadata::{BlobIndex, GuidIndex, MetadataReader, StringIndex, Token};

/// mdv's text for a value it cannot read.
const BAD: &str = "<bad metadata>";

/// The whole chain in mdv's format.
pub fn render(assembly: &Assembly<'_>, chain: &Chain<'_>) -> String {
    let mut out = String::new();
    for number in 0..=chain.generations.len() as u32 {
        let view = View::new(assembly, chain, number);
        let _ = write!(out, "MetadataVersion: {}\n\n", view.md.root.version);
        let _ = write!(out, ">>>\n>>> Generation {number}:\n>>>\n\n");
        view.tables(&mut out);
        view.heaps(&mut out);
        view.method_bodies(&mut out);
    }
    out
}

/// One generation of the chain as mdv shows it.
struct View<'v, 'a> {
    assembly: &'v Assembly<'a>,
    chain: &'v Chain<'a>,
    number: u32,
    md: &'v MetadataReader<'a>,
}

impl<'v, 'a> View<'v, 'a> {
    fn new(assembly: &'v Assembly<'a>, chain: &'v Chain<'a>, number: u32) -> Self {
        let md = match chain.generation(number) {
            Some(g) => &g.metadata,
            None => &chain.baseline,
        };
        View { assembly, chain, number, md }
    }

    fn raw(&self, table: TableId, rid: u32) -> Option<[u32; crate::metadata::schema::MAX_COLUMNS]> {
        self.md.tables.table(table).raw_row(rid).ok()
    }

    /// The generation that added row `token`, and the row's number inside it.
    fn origin(&self, token: Token) -> Option<(u32, u32)> {
        let table = token.table()?;
        let g = self
            .chain
            .generations
            .iter()
            .find(|g| token.rid() > g.rows_before[table as usize] && token.rid() <= g.rows_after[table as usize])?;
        Some((g.number, g.physical_row(token)?))
    }

    /// mdv's `Token`: `0x%08x`, `/gen:row` when a delta added the row, ` (Table)`.
    fn token_text(&self, token: Token, display_table: bool) -> String {
        let mut text = if token.is_nil() { "nil".to_string() } else { format!("0x{:08x}", token.0) };
        if !token.is_nil()
            && let Some((g, row)) = self.origin(token)
        {
            let _ = write!(text, "/{g}:{row:x}");
        }
        if display_table && let Some(t) = token.table() {
            let _ = write!(text, " ({})", table_name(t));
        }
        text
    }

    fn token(&self, token: Token) -> String {
        self.token_text(token, true)
    }

    /// A raw coded index as mdv shows it (nil takes the index's first table).
    fn coded(&self, coded: CodedIndex, raw: u32) -> String {
        match coded.decode(raw) {
            Some(t) if !t.is_nil() => self.token(t),
            _ => {
                let first = coded.tables().iter().flatten().next().copied();
                first.map_or("nil".into(), |t| format!("nil ({})", table_name(t)))
            }
        }
    }

    /// ` (#off)` or ` (#off/gen:genoff)` for a `#Strings`/`#Blob` index.
    fn heap_suffix(&self, index: u32, base: impl Fn(&crate::chain::ChainGeneration<'_>) -> (u32, usize)) -> String {
        let owner = self.chain.generations.iter().rev().find(|g| {
            let (start, size) = base(g);
            index >= start && ((index - start) as usize) < size
        });
        match owner {
            Some(g) if index >= base(g).0 && !self.chain.generations.is_empty() => {
                format!(" (#{index:x}/{}:{:x})", g.number, index - base(g).0)
            }
            _ => format!(" (#{index:x})"),
        }
    }

    fn string_suffix(&self, index: u32) -> String {
        if (index as usize) < self.chain.baseline.strings.size() {
            return format!(" (#{index:x})");
        }
        self.heap_suffix(index, |g| (g.heap_bases.strings, g.metadata.strings.size()))
    }

    fn blob_suffix(&self, index: u32) -> String {
        if (index as usize) < self.chain.baseline.blobs.size() {
            return format!(" (#{index:x})");
        }
        self.heap_suffix(index, |g| (g.heap_bases.blobs, g.metadata.blobs.size()))
    }

    /// A `#Strings` value: `'text' (#offset)`, or `nil`.
    fn string(&self, index: u32) -> String {
        if index == 0 {
            return "nil".into();
        }
        match self.chain.string(StringIndex(index)) {
            Ok(s) => format!("'{s}'{}", self.string_suffix(index)),
            Err(_) => BAD.into(),
        }
    }

    fn plain_string(&self, index: u32) -> String {
        if index == 0 {
            return "nil".into();
        }
        self.chain.string(StringIndex(index)).map_or(BAD.into(), |s| s.into_owned())
    }

    fn guid(&self, index: u32) -> String {
        if index == 0 {
            return "nil".into();
        }
        match self.chain.guid(GuidIndex(index), self.number) {
            Ok(Some(g)) => format!("{{{}}} (#{index:x})", format!("{g}").to_lowercase()),
            Ok(None) => "nil".into(),
            Err(_) => BAD.into(),
        }
    }

    /// A blob as bytes (`01-00-08`), `nil` for no blob.
    fn blob_bytes(&self, index: u32) -> String {
        if index == 0 {
            return "nil".into();
        }
        match self.chain.blob(BlobIndex(index)) {
            Ok(bytes) => format!("{}{}", dashed(bytes), self.blob_suffix(index)),
            Err(_) => BAD.into(),
        }
    }

    /// A signature blob in mdv's C#-like syntax with its heap reference.
    fn signature(&self, index: u32, kind: SigKind) -> String {
        if index == 0 {
            return "nil".into();
        }
        let Ok(bytes) = self.chain.blob(BlobIndex(index)) else { return BAD.into() };
        let text = match kind {
            SigKind::TypeSpec => signature::decode_type(bytes).map(|t| self.type_sig(&t)),
            _ => Signature::decode_any(bytes).map(|s| self.signature_text(&s)),
        };
        match text {
            Ok(t) => format!("{t}{}", self.blob_suffix(index)),
            Err(_) => format!("<bad signature: {}>", dashed(bytes)),
        }
    }

    fn signature_text(&self, sig: &Signature) -> String {
        match sig {
            Signature::Field(t) | Signature::Type(t) => self.type_sig(t),
            Signature::Method(m) | Signature::Property(m) => self.method_sig(m),
            Signature::Locals(types) | Signature::MethodSpec(types) => {
                types.iter().map(|t| self.type_sig(t)).collect::<Vec<_>>().join(", ")
            }
        }
    }

    fn method_sig(&self, m: &MethodSig) -> String {
        let mut out = format!("{} (", self.type_sig(&m.ret));
        for (i, p) in m.params.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
                if Some(i as u32) == m.sentinel {
                    out.push_str("... ");
                }
            }
            out.push_str(&self.type_sig(p));
        }
        out.push(')');
        out
    }

    fn type_sig(&self, t: &TypeSig) -> String {
        match t {
            TypeSig::Primitive(code) => primitive(*code).into(),
            TypeSig::Class(tok) | TypeSig::ValueType(tok) => self.type_name(*tok),
            TypeSig::Ptr(inner) => format!("{}*", self.type_sig(inner)),
            TypeSig::ByRef(inner) => format!("{}&", self.type_sig(inner)),
            TypeSig::SzArray(inner) => format!("{}[]", self.type_sig(inner)),
            TypeSig::Pinned(inner) => format!("{} pinned", self.type_sig(inner)),
            TypeSig::Var(n) => format!("!{n}"),
            TypeSig::MVar(n) => format!("!!{n}"),
            TypeSig::GenericInst { generic, args, .. } => {
                let args: Vec<String> = args.iter().map(|a| self.type_sig(a)).collect();
                format!("{}<{}>", self.type_name(*generic), args.join(","))
            }
            TypeSig::Modified { required, modifier, inner } => {
                let kind = if *required { "modreq" } else { "modopt" };
                format!("{} {kind}({})", self.type_sig(inner), self.type_name(*modifier))
            }
            TypeSig::FnPtr(m) => format!("methodptr({})", self.method_sig(m)),
            TypeSig::Array(a) => {
                let mut out = format!("{}[", self.type_sig(&a.element));
                for i in 0..a.rank as usize {
                    let lower = a.lower_bounds.get(i).copied().unwrap_or(0);
                    if i < a.lower_bounds.len() {
                        let _ = write!(out, "{lower}");
                    }
                    out.push_str("...");
                    if let Some(size) = a.sizes.get(i) {
                        let _ = write!(out, "{}", lower as i64 + *size as i64 - 1);
                    }
                    if i + 1 < a.rank as usize {
                        out.push(',');
                    }
                }
                out.push(']');
                out
            }
        }
    }

    /// mdv's qualified name of a type or member token.
    fn type_name(&self, token: Token) -> String {
        let row = |t: Token| self.chain.raw_row(t, self.number).ok();
        match token.table() {
            Some(TableId::TypeRef) => match row(token) {
                Some(r) => format!("{}.{}", self.plain_string(r[2]), self.plain_string(r[1])),
                None => BAD.into(),
            },
            Some(TableId::TypeDef) => match row(token) {
                Some(r) => {
                    let enclosing = self.enclosing_type(token);
                    let prefix = match enclosing {
                        Some(e) => format!("{}.", self.type_name(e)),
                        None if r[2] != 0 => format!("{}.", self.plain_string(r[2])),
                        None => String::new(),
                    };
                    format!("{prefix}{}", self.plain_string(r[1]))
                }
                None => BAD.into(),
            },
            Some(TableId::TypeSpec) => match row(token) {
                Some(r) => self
                    .chain
                    .blob(BlobIndex(r[0]))
                    .ok()
                    .and_then(|b| signature::decode_type(b).ok())
                    .map_or(BAD.into(), |t| self.type_sig(&t)),
                None => BAD.into(),
            },
            Some(TableId::MethodDef) | Some(TableId::Field) => {
                let Some(r) = row(token) else { return BAD.into() };
                let name = self.plain_string(if token.table() == Some(TableId::MethodDef) { r[3] } else { r[1] });
                match self.declaring_type(token) {
                    Some(t) => format!("{}.{name}", self.type_name(t)),
                    None => name,
                }
            }
            Some(TableId::MemberRef) => match row(token) {
                Some(r) => {
                    let parent = CodedIndex::MemberRefParent.decode(r[0]).map_or(BAD.into(), |p| self.type_name(p));
                    format!("{parent}.{}", self.plain_string(r[1]))
                }
                None => BAD.into(),
            },
            Some(TableId::MethodSpec) => match row(token) {
                Some(r) => {
                    let method = CodedIndex::MethodDefOrRef.decode(r[0]).map_or(BAD.into(), |m| self.type_name(m));
                    let args = self
                        .chain
                        .blob(BlobIndex(r[1]))
                        .ok()
                        .and_then(|b| signature::decode_method_spec(b).ok())
                        .map(|a| a.iter().map(|t| self.type_sig(t)).collect::<Vec<_>>().join(", "))
                        .unwrap_or_else(|| BAD.into());
                    format!("{method}<{args}>")
                }
                None => BAD.into(),
            },
            _ => self.token(token),
        }
    }

    /// The baseline's NestedClass entry of a type (types are not added by deltas here).
    fn enclosing_type(&self, token: Token) -> Option<Token> {
        let base = &self.chain.baseline;
        let rid = base.find_row(TableId::NestedClass, 0, token.rid()).ok().flatten()?;
        let raw = base.tables.table(TableId::NestedClass).raw_row(rid).ok()?;
        Token::try_new(TableId::TypeDef, raw[1]).ok()
    }

    /// The baseline type whose method or field list holds `member`.
    fn declaring_type(&self, member: Token) -> Option<Token> {
        let base = &self.chain.baseline;
        let column = if member.table() == Some(TableId::MethodDef) { 5 } else { 4 };
        (1..=base.row_count(TableId::TypeDef)).find_map(|rid| {
            let members = base.list(TableId::TypeDef, rid, column).ok()?;
            members.contains(&member).then_some(Token::new(TableId::TypeDef, rid))
        })
    }

    /// `first-last` of a list column of the baseline, `nil` when empty; deltas list
    /// no members (`n/a (EnC)`).
    fn member_range(&self, owner: TableId, rid: u32, column: usize) -> String {
        if self.number > 0 {
            return "n/a (EnC)".into();
        }
        match self.md.list(owner, rid, column) {
            Ok(members) if members.is_empty() => "nil".into(),
            Ok(members) => format!(
                "{}-{}",
                self.token_text(members[0], false),
                self.token_text(*members.last().unwrap_or(&members[0]), false)
            ),
            Err(_) => "<bad token range>".into(),
        }
    }

    /// The rows of `table` in this generation, with their chain tokens.
    fn rows(&self, table: TableId) -> impl Iterator<Item = (u32, [u32; crate::metadata::schema::MAX_COLUMNS])> + '_ {
        (1..=self.md.row_count(table)).filter_map(move |rid| Some((rid, self.raw(table, rid)?)))
    }

    /// The chain token of physical row `rid` (the same token in the baseline).
    fn chain_token(&self, table: TableId, rid: u32) -> Token {
        match self.chain.generation(self.number) {
            Some(g) => g.chain_token(table, rid).unwrap_or(Token::new(table, rid)),
            None => Token::new(table, rid),
        }
    }
}

#[derive(Clone, Copy)]
enum SigKind {
    Any,
    TypeSpec,
}

/// .NET's `BitConverter.ToString`: uppercase hex bytes joined by `-`.
fn dashed(bytes: &[u8]) -> String {
    let mut s = String::new();
    hex(&mut s, bytes);
    s.to_uppercase().as_bytes().chunks(2).map(|c| std::str::from_utf8(c).unwrap_or("??")).collect::<Vec<_>>().join("-")
}

mod tables;

impl View<'_, '_> {
    fn heaps(&self, out: &mut String) {
        let md = self.md;
        let _ = writeln!(out, "#US (size = {}):", md.user_strings.size());
        let mut at = Some(0u32);
        while let Some(offset) = at {
            if offset as usize >= md.user_strings.size() {
                break;
            }
            let value = md.user_strings.get(crate::metadata::UserStringIndex(offset)).unwrap_or_default();
            let _ = writeln!(out, "  {offset:x}: '{value}'");
            at = md.user_strings.next_offset(offset);
        }
        out.push('\n');
        let _ = writeln!(out, "#String (size = {}):", md.strings.size());
        let bytes = md.strings.bytes();
        let mut start = 0usize;
        while start < bytes.len() {
            let end = bytes[start..].iter().position(|&b| b == 0).map_or(bytes.len(), |p| start + p);
            let _ = writeln!(out, "  {start:x}: '{}'", String::from_utf8_lossy(&bytes[start..end]));
            start = end + 1;
        }
        out.push('\n');
        let _ = writeln!(out, "#Blob (size = {}):", md.blobs.size());
        let mut at = Some(0u32);
        while let Some(offset) = at {
            if offset as usize >= md.blobs.size() {
                break;
            }
            let value = md
                .blobs
                .get(BlobIndex(offset))
                .map_or(BAD.into(), |b| if b.is_empty() { "<empty>".to_string() } else { dashed(b) });
            let _ = writeln!(out, "  {offset:x}: {value}");
            at = md.blobs.next_offset(offset);
        }
        let _ = writeln!(out, "#Guid (size = {}):", md.guids.size());
        for i in 1..=md.guids.count() {
            if let Ok(Some(g)) = md.guids.get(GuidIndex(i)) {
                let _ = writeln!(out, "  {i:x}: {{{}}}", format!("{g}").to_lowercase());
            }
        }
        out.push('\n');
    }
}
