//! The tables of one generation, in mdv's order with its titles and columns.

use std::fmt::Write;

use super::names::*;
use super::table::Table;
use super::{SigKind, View};
use crate::metadata::Token;
use crate::metadata::schema::{CodedIndex, TableId};

/// The tables [`View::tables`] renders (the rest are listed by name and row count).
const RENDERED: &[TableId] = &[
    TableId::Module,
    TableId::TypeRef,
    TableId::TypeDef,
    TableId::Field,
    TableId::MethodDef,
    TableId::Param,
    TableId::MemberRef,
    TableId::Constant,
    TableId::CustomAttribute,
    TableId::StandAloneSig,
    TableId::ModuleRef,
    TableId::TypeSpec,
    TableId::EncLog,
    TableId::EncMap,
    TableId::Assembly,
    TableId::AssemblyRef,
    TableId::MethodSpec,
    // Shown inside other tables' columns, as mdv does.
    TableId::InterfaceImpl,
    TableId::NestedClass,
    TableId::ClassLayout,
];

impl View<'_, '_> {
    pub(super) fn tables(&self, out: &mut String) {
        let tables = [
            self.module(),
            self.type_refs(),
            self.type_defs(),
            self.fields(),
            self.methods(),
            self.params(),
            self.member_refs(),
            self.constants(),
            self.custom_attributes(),
            self.stand_alone_sigs(),
            self.module_refs(),
            self.type_specs(),
            self.enc_log(),
            self.enc_map(),
            self.assembly(),
            self.assembly_refs(),
            self.method_specs(),
        ];
        for t in &tables {
            t.write(out);
        }
        // Tables mdv prints that this renderer does not yet: say so rather than drop them.
        for &table in TableId::ALL.iter().filter(|t| !t.is_debug() && !RENDERED.contains(t)) {
            let rows = self.md.row_count(table);
            if rows > 0 {
                let _ = writeln!(
                    out,
                    "{} (0x{:02x}): {rows} rows, not rendered by mdv-compare\n",
                    table.name(),
                    table as u8
                );
            }
        }
    }

    fn module(&self) -> Table {
        let mut t = Table::new("Module (0x00):", &["Gen", "Name", "Mvid", "EncId", "EncBaseId"]);
        if let Some(r) = self.raw(TableId::Module, 1) {
            t.row(vec![r[0].to_string(), self.string(r[1]), self.guid(r[2]), self.guid(r[3]), self.guid(r[4])]);
        }
        t
    }

    fn type_refs(&self) -> Table {
        let mut t = Table::new("TypeRef (0x01):", &["Scope", "Name", "Namespace"]);
        for (_, r) in self.rows(TableId::TypeRef) {
            t.row(vec![self.coded(CodedIndex::ResolutionScope, r[0]), self.string(r[1]), self.string(r[2])]);
        }
        t
    }

    fn type_defs(&self) -> Table {
        let header = [
            "Name",
            "Namespace",
            "EnclosingType",
            "BaseType",
            "Interfaces",
            "Fields",
            "Methods",
            "Attributes",
            "ClassSize",
            "PackingSize",
        ];
        let mut t = Table::new("TypeDef (0x02):", &header);
        for (rid, r) in self.rows(TableId::TypeDef) {
            let token = self.chain_token(TableId::TypeDef, rid);
            let enclosing = self.enclosing_type(token).unwrap_or(Token::new(TableId::TypeDef, 0));
            let layout = self.md.find_row(TableId::ClassLayout, 2, rid).ok().flatten().and_then(|l| {
                let row = self.raw(TableId::ClassLayout, l)?;
                Some((row[1].to_string(), row[0].to_string()))
            });
            let (size, packing) = layout.unwrap_or(("n/a".into(), "n/a".into()));
            t.row(vec![
                self.string(r[1]),
                self.string(r[2]),
                self.token(enclosing),
                self.coded(CodedIndex::TypeDefOrRef, r[3]),
                self.interfaces(token),
                self.member_range(TableId::TypeDef, rid, 4),
                self.member_range(TableId::TypeDef, rid, 5),
                enum_value(r[0], TYPE_ATTRIBUTES, true),
                size,
                packing,
            ]);
        }
        t
    }

    fn interfaces(&self, token: Token) -> String {
        let base = &self.chain.baseline;
        let list: Vec<String> = (1..=base.row_count(TableId::InterfaceImpl))
            .filter_map(|rid| base.tables.table(TableId::InterfaceImpl).raw_row(rid).ok())
            .filter(|r| r[0] == token.rid())
            .filter_map(|r| CodedIndex::TypeDefOrRef.decode(r[1]))
            .map(|i| self.token_text(i, false))
            .collect();
        if list.is_empty() { "nil".into() } else { list.join(", ") }
    }

    fn fields(&self) -> Table {
        let header = ["Name", "Signature", "Attributes", "Marshalling", "Offset", "RVA"];
        let mut t = Table::new("Field (0x04):", &header);
        for (_, r) in self.rows(TableId::Field) {
            t.row(vec![
                self.string(r[1]),
                self.signature(r[2], SigKind::Any),
                enum_value(r[0], FIELD_ATTRIBUTES, true),
                "nil".into(),
                "n/a".into(),
                "0".into(),
            ]);
        }
        t
    }

    fn methods(&self) -> Table {
        let header = [
            "Name",
            "Signature",
            "RVA",
            "Parameters",
            "GenericParameters",
            "Attributes",
            "ImplAttributes",
            "ImportAttributes",
            "ImportName",
            "ImportModule",
        ];
        let mut t = Table::new("Method (0x06, 0x1C):", &header);
        for (rid, r) in self.rows(TableId::MethodDef) {
            t.row(vec![
                self.string(r[3]),
                self.signature(r[4], SigKind::Any),
                format!("0x{:08X}", r[0]),
                self.member_range(TableId::MethodDef, rid, 5),
                "nil".into(),
                enum_value(r[2], METHOD_ATTRIBUTES, true),
                enum_value(r[1], METHOD_IMPL_ATTRIBUTES, true),
                "0".into(),
                "nil".into(),
                "nil (ModuleRef)".into(),
            ]);
        }
        t
    }

    fn params(&self) -> Table {
        let mut t = Table::new("Param (0x08):", &["Name", "Seq#", "Attributes", "Marshalling"]);
        for (_, r) in self.rows(TableId::Param) {
            t.row(vec![
                self.string(r[2]),
                r[1].to_string(),
                enum_value(r[0], PARAMETER_ATTRIBUTES, true),
                "nil".into(),
            ]);
        }
        t
    }

    fn member_refs(&self) -> Table {
        let mut t = Table::new("MemberRef (0x0a):", &["Parent", "Name", "Signature"]);
        for (_, r) in self.rows(TableId::MemberRef) {
            t.row(vec![
                self.coded(CodedIndex::MemberRefParent, r[0]),
                self.string(r[1]),
                self.signature(r[2], SigKind::Any),
            ]);
        }
        t
    }

    fn constants(&self) -> Table {
        let mut t = Table::new("Constant (0x0b):", &["Parent", "Type", "Value"]);
        for (_, r) in self.rows(TableId::Constant) {
            t.row(vec![
                self.coded(CodedIndex::HasConstant, r[1]),
                enum_value(r[0], CONSTANT_TYPES, false),
                self.blob_bytes(r[2]),
            ]);
        }
        t
    }

    fn custom_attributes(&self) -> Table {
        let mut t = Table::new("CustomAttribute (0x0c):", &["Parent", "Constructor", "Value"]);
        for (_, r) in self.rows(TableId::CustomAttribute) {
            t.row(vec![
                self.coded(CodedIndex::HasCustomAttribute, r[0]),
                self.coded(CodedIndex::CustomAttributeType, r[1]),
                self.blob_bytes(r[2]),
            ]);
        }
        t
    }

    fn stand_alone_sigs(&self) -> Table {
        let mut t = Table::new("StandAloneSig (0x11):", &["Signature"]);
        for (_, r) in self.rows(TableId::StandAloneSig) {
            t.row(vec![self.signature(r[0], SigKind::Any)]);
        }
        t
    }

    fn module_refs(&self) -> Table {
        let mut t = Table::new("ModuleRef (0x1a):", &["Name"]);
        for (_, r) in self.rows(TableId::ModuleRef) {
            t.row(vec![self.string(r[0])]);
        }
        t
    }

    fn type_specs(&self) -> Table {
        let mut t = Table::new("TypeSpec (0x1b):", &["Name"]);
        for (_, r) in self.rows(TableId::TypeSpec) {
            t.row(vec![self.signature(r[0], SigKind::TypeSpec)]);
        }
        t
    }

    fn enc_log(&self) -> Table {
        let mut t = Table::new("EnC Log (0x1e):", &["Entity", "Operation"]);
        for (_, r) in self.rows(TableId::EncLog) {
            t.row(vec![self.token(Token(r[0])), enum_value(r[1], ENC_OPERATIONS, false)]);
        }
        t
    }

    fn enc_map(&self) -> Table {
        let mut t = Table::new("EnC Map (0x1f):", &["Entity", "Gen", "Row", "Edit"]);
        for (_, r) in self.rows(TableId::EncMap) {
            let token = Token(r[0]);
            let (generation, row) = self.origin(token).unwrap_or((0, token.rid()));
            let module_generation = match self.chain.generation(generation) {
                Some(g) => g.metadata.tables.table(TableId::Module).raw(1, 0).unwrap_or(generation),
                None => self.chain.baseline.tables.table(TableId::Module).raw(1, 0).unwrap_or(0),
            };
            let edit = if generation == self.number { "add" } else { "update" };
            t.row(vec![self.token(token), module_generation.to_string(), format!("0x{row:06x}"), edit.into()]);
        }
        t
    }

    fn assembly(&self) -> Table {
        let header = ["Name", "Version", "Culture", "PublicKey", "Flags", "HashAlgorithm"];
        let mut t = Table::new("Assembly (0x20):", &header);
        for (_, r) in self.rows(TableId::Assembly) {
            t.row(vec![
                self.string(r[7]),
                format!("{}.{}.{}.{}", r[1], r[2], r[3], r[4]),
                self.string(r[8]),
                self.blob_bytes(r[6]),
                enum_value(r[5], ASSEMBLY_FLAGS, true),
                enum_value(r[0], HASH_ALGORITHMS, false),
            ]);
        }
        t
    }

    fn assembly_refs(&self) -> Table {
        let header = ["Name", "Version", "Culture", "PublicKeyOrToken", "Flags"];
        let mut t = Table::new("AssemblyRef (0x23):", &header);
        for (_, r) in self.rows(TableId::AssemblyRef) {
            t.row(vec![
                self.string(r[6]),
                format!("{}.{}.{}.{}", r[0], r[1], r[2], r[3]),
                self.string(r[7]),
                self.blob_bytes(r[5]),
                enum_value(r[4], ASSEMBLY_FLAGS, true),
            ]);
        }
        t
    }

    fn method_specs(&self) -> Table {
        let mut t = Table::new("MethodSpec (0x2b):", &["Method", "Signature"]);
        for (_, r) in self.rows(TableId::MethodSpec) {
            t.row(vec![self.coded(CodedIndex::MethodDefOrRef, r[0]), self.signature(r[1], SigKind::Any)]);
        }
        t
    }
}
