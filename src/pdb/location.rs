//! Where a definition is in the source, read from a build's portable PDB: for a method
//! its first sequence point; for a field the statement that first stores it (its
//! initializer, in a constructor), else its type's; for a property or event its
//! first accessor that has one; for a type its first method that has one, else the
//! document the PDB names for it (`TypeDefinitionDocuments`, which compilers write for
//! types without method bodies), with no line.

use std::collections::HashMap;

use crate::assembly::Assembly;
use crate::diff::Identities;
use crate::diff::compare::display_name;
use crate::error::Result;
use crate::il::{Operand, decode_instructions};
use crate::metadata::compressed::read_unsigned;
use crate::metadata::schema::{
    CodedIndex, CustomDebugInformationRow, DocumentRow, EventRow, MethodDebugInformationRow, MethodDefRow,
    MethodSemanticsRow, PropertyRow, TableId,
};
use crate::metadata::{MetadataReader, Token};
use crate::pdb::{cdi_kind, decode_document_name, decode_sequence_points};

/// A place in a source file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SourceLocation {
    /// The document name as the PDB stores it.
    pub document: String,
    /// The document relative to the folder all of the PDB's documents are in (the
    /// project's, for a build of one project), or the document name when there is no
    /// such folder.
    pub file: String,
    /// 1-based line and column; `None` when the PDB names only the document.
    pub line: Option<u32>,
    pub column: Option<u32>,
}

/// Finds source locations of the definitions of one build.
pub struct SourceLocator<'b, 'a> {
    build: &'b Assembly<'a>,
    pdb: &'b MetadataReader<'a>,
    ids: Identities<'b, 'a>,
    /// The folder every document is in (with its trailing separator), if they share one.
    root: Option<String>,
    /// Display names (`Ns.Type::Member`, as rude edits name members) → definitions.
    by_name: HashMap<String, Vec<Token>>,
}

impl<'b, 'a> SourceLocator<'b, 'a> {
    pub fn new(build: &'b Assembly<'a>, pdb: &'b MetadataReader<'a>) -> Result<Self> {
        let ids = Identities::new(build)?;
        let mut names = Vec::new();
        for rid in 1..=pdb.row_count(TableId::Document) {
            names.push(document_name(pdb, rid)?);
        }
        let root = common_folder(&names);
        let mut locator = SourceLocator { build, pdb, ids, root, by_name: HashMap::new() };
        locator.index_names()?;
        Ok(locator)
    }

    fn index_names(&mut self) -> Result<()> {
        let md = &self.build.metadata;
        let mut by_name: HashMap<String, Vec<Token>> = HashMap::new();
        for table in [TableId::TypeDef, TableId::MethodDef, TableId::Field] {
            for rid in 1..=md.row_count(table) {
                let t = Token::new(table, rid);
                by_name.entry(display_name(&self.ids, t)).or_default().push(t);
            }
        }
        for (map, member_table) in [(TableId::PropertyMap, TableId::Property), (TableId::EventMap, TableId::Event)] {
            for rid in 1..=md.row_count(map) {
                let owner = Token::new(TableId::TypeDef, md.tables.table(map).raw(rid, 0)?);
                let owner_name = display_name(&self.ids, owner);
                for member in md.list(map, rid, 1)? {
                    let name = if member_table == TableId::Property {
                        md.row::<PropertyRow>(member.rid())?.name
                    } else {
                        md.row::<EventRow>(member.rid())?.name
                    };
                    let name = format!("{owner_name}::{}", md.string(name)?);
                    by_name.entry(name).or_default().push(member);
                }
            }
        }
        self.by_name = by_name;
        Ok(())
    }

    /// The location of the member a rude edit names (`Ns.Type::Member`, or a sentence
    /// naming one, as `a lambda in Ns.Type::Method`): the first definition of that name
    /// that has one (overloads share a name); for a member this build no longer has,
    /// its type's, or the enclosing type's.
    pub fn of_member(&self, member: &str) -> Result<Option<SourceLocation>> {
        let mut candidates = vec![member];
        candidates.extend(member.split_whitespace().rev().filter(|w| w.contains('.')));
        for name in candidates {
            let mut name = name.trim_end_matches(['.', ',', ':', ')']).trim_start_matches('(');
            loop {
                for &t in self.by_name.get(name).into_iter().flatten() {
                    if let Some(location) = self.of_definition(t)? {
                        return Ok(Some(location));
                    }
                }
                match name.rsplit_once("::").or_else(|| name.rsplit_once('+')) {
                    Some((outer, _)) => name = outer,
                    None => break,
                }
            }
        }
        Ok(None)
    }

    /// The location of a definition of the build (type, method, field, property, event).
    pub fn of_definition(&self, t: Token) -> Result<Option<SourceLocation>> {
        match t.table() {
            Some(TableId::MethodDef) => self.of_method(t),
            Some(TableId::TypeDef) => self.of_type(t),
            Some(TableId::Field) => {
                let owner = self.ids.owner_of(t);
                if let Some(location) = self.of_field_store(owner, t)? {
                    return Ok(Some(location));
                }
                self.of_type(owner)
            }
            Some(TableId::Property | TableId::Event) => {
                let md = &self.build.metadata;
                let Some(key) = CodedIndex::HasSemantics.encode(t) else { return Ok(None) };
                for rid in md.equal_range(TableId::MethodSemantics, 2, key)? {
                    let s: MethodSemanticsRow = md.row(rid)?;
                    if let Some(location) = self.of_method(s.method)? {
                        return Ok(Some(location));
                    }
                }
                Ok(None)
            }
            _ => Ok(None),
        }
    }

    /// The first visible sequence point of `method`.
    fn of_method(&self, method: Token) -> Result<Option<SourceLocation>> {
        self.at_offset(method, 0)
    }

    /// The statement of `method` whose code covers IL offset `offset`: the last visible
    /// sequence point at or before it, or the first one when none is before it.
    fn at_offset(&self, method: Token, offset: u32) -> Result<Option<SourceLocation>> {
        if method.rid() > self.pdb.row_count(TableId::MethodDebugInformation) {
            return Ok(None);
        }
        let info: MethodDebugInformationRow = self.pdb.row(method.rid())?;
        let blob = self.pdb.blob(info.sequence_points)?;
        if blob.is_empty() {
            return Ok(None);
        }
        let decoded = decode_sequence_points(blob, info.document)?;
        let mut visible = decoded.points.iter().filter(|p| !p.is_hidden());
        let Some(first) = visible.next() else { return Ok(None) };
        let point = std::iter::once(first).chain(visible).take_while(|p| p.il_offset <= offset).last().unwrap_or(first);
        let document = document_name(self.pdb, point.document.rid())?;
        Ok(Some(self.location(document, Some((point.start_line, point.start_column)))))
    }

    /// Where a method of `owner` stores `field` first (constructors first: a field
    /// initializer is compiled into them).
    fn of_field_store(&self, owner: Token, field: Token) -> Result<Option<SourceLocation>> {
        let md = &self.build.metadata;
        let mut methods = Vec::new();
        for m in md.list(TableId::TypeDef, owner.rid(), 5)? {
            let r: MethodDefRow = md.row(m.rid())?;
            let constructor = matches!(&*md.string(r.name)?, ".ctor" | ".cctor");
            methods.push((!constructor, m));
        }
        // Stable: constructors first, each group in declaration order.
        methods.sort_by_key(|&(later, _)| later);
        const STFLD: u16 = 0x7D;
        const STSFLD: u16 = 0x80;
        for (_, method) in methods {
            let rva = md.row::<MethodDefRow>(method.rid())?.rva;
            if rva == 0 {
                continue;
            }
            let body = self.build.method_body(rva)?;
            let store = decode_instructions(body.code)?
                .into_iter()
                .find(|i| matches!(i.opcode.0, STFLD | STSFLD) && matches!(i.operand, Operand::Token(t) if t == field));
            if let Some(store) = store
                && let Some(location) = self.at_offset(method, store.offset)?
            {
                return Ok(Some(location));
            }
        }
        Ok(None)
    }

    /// A type's first method with a sequence point, else the document the PDB names for it.
    fn of_type(&self, t: Token) -> Result<Option<SourceLocation>> {
        let md = &self.build.metadata;
        for method in md.list(TableId::TypeDef, t.rid(), 5)? {
            if let Some(location) = self.of_method(method)? {
                return Ok(Some(location));
            }
        }
        let Some(key) = CodedIndex::HasCustomDebugInformation.encode(t) else { return Ok(None) };
        for rid in self.pdb.equal_range(TableId::CustomDebugInformation, 0, key)? {
            let r: CustomDebugInformationRow = self.pdb.row(rid)?;
            if self.pdb.guid(r.kind)? != Some(cdi_kind::TYPE_DEFINITION_DOCUMENTS) {
                continue;
            }
            let value = self.pdb.blob(r.value)?;
            if let Some((document, _)) = read_unsigned(value).filter(|&(d, _)| d != 0) {
                return Ok(Some(self.location(document_name(self.pdb, document)?, None)));
            }
        }
        Ok(None)
    }

    fn location(&self, document: String, at: Option<(u32, u32)>) -> SourceLocation {
        let file = match &self.root {
            Some(root) => document.strip_prefix(root.as_str()).unwrap_or(&document).to_string(),
            None => document.clone(),
        };
        SourceLocation { document, file, line: at.map(|(l, _)| l), column: at.map(|(_, c)| c) }
    }
}

fn document_name(pdb: &MetadataReader<'_>, rid: u32) -> Result<String> {
    let d: DocumentRow = pdb.row(rid)?;
    decode_document_name(&pdb.blobs, pdb.blob(d.name)?)
}

/// The deepest folder (with its trailing `/` or `\`) that every name is in; `None`
/// when they share none but the file system's root.
fn common_folder(names: &[String]) -> Option<String> {
    let first = names.first()?;
    let mut end = first.rfind(['/', '\\'])? + 1;
    for name in &names[1..] {
        let shared = first.bytes().zip(name.bytes()).take(end).take_while(|(a, b)| a == b).count();
        end = first[..shared].rfind(['/', '\\']).map_or(0, |i| i + 1);
    }
    let folder = &first[..end];
    let meaningful = folder.trim_matches(['/', '\\']);
    // `/` or `C:\` alone says nothing about the project.
    let file_system_root = meaningful.is_empty() || meaningful.len() == 2 && meaningful.ends_with(':');
    (!file_system_root).then(|| folder.to_string())
}

#[cfg(test)]
mod tests {
    use super::common_folder;

    fn folder(names: &[&str]) -> Option<String> {
        common_folder(&names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn the_common_folder_of_documents() {
        assert_eq!(folder(&["/src/App/Program.cs", "/src/App/obj/Debug/A.cs"]).as_deref(), Some("/src/App/"));
        assert_eq!(folder(&["/_/Program.cs"]).as_deref(), Some("/_/"));
        // A shared name prefix that is not a folder does not count.
        assert_eq!(folder(&["/src/App1/a.cs", "/src/App2/b.cs"]).as_deref(), Some("/src/"));
        assert_eq!(folder(&[r"C:\p\App\a.cs", r"C:\p\App\b.cs"]).as_deref(), Some(r"C:\p\App\"));
        assert_eq!(folder(&["/a.cs", "/b/c.cs"]), None);
        assert_eq!(folder(&[r"C:\a.cs"]), None);
        assert_eq!(folder(&["Program.cs"]), None);
        assert_eq!(folder(&[]), None);
    }
}
