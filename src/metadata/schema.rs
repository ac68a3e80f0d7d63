//! The one description of every metadata table (ECMA-335 II.22 and the Portable PDB
//! tables). Column widths, coded-index decoding, the typed row structs and the dumps
//! are all driven from [`define_tables!`] below: no table has hand-written offset code.

use super::token::{BlobIndex, GuidIndex, StringIndex, Token};
use crate::error::{Error, Result};

/// The most columns any table has (Assembly and AssemblyRef).
pub const MAX_COLUMNS: usize = 9;

/// How a column's value is stored and what it refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    U16,
    U32,
    /// One byte followed by a padding byte (Constant.Type).
    U8Padded,
    String,
    Guid,
    Blob,
    /// A row of one table.
    Table(TableId),
    /// The first row of a run in a table (or its pointer table, when present).
    List(TableId),
    Coded(CodedIndex),
}

/// A column of a table: its ECMA name and kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub kind: ColumnKind,
}

/// A row type generated from the schema.
pub trait Row: Sized {
    const TABLE: TableId;
    /// Builds the row from its raw column values (in schema order).
    fn from_raw(raw: &[u32]) -> Result<Self>;
}

macro_rules! column_kind {
    (U16) => {
        ColumnKind::U16
    };
    (U32) => {
        ColumnKind::U32
    };
    (U8Padded) => {
        ColumnKind::U8Padded
    };
    (String) => {
        ColumnKind::String
    };
    (Guid) => {
        ColumnKind::Guid
    };
    (Blob) => {
        ColumnKind::Blob
    };
    (Table($t:ident)) => {
        ColumnKind::Table(TableId::$t)
    };
    (List($t:ident)) => {
        ColumnKind::List(TableId::$t)
    };
    (Coded($c:ident)) => {
        ColumnKind::Coded(CodedIndex::$c)
    };
}

macro_rules! column_type {
    (U16) => {
        u16
    };
    (U32) => {
        u32
    };
    (U8Padded) => {
        u8
    };
    (String) => {
        StringIndex
    };
    (Guid) => {
        GuidIndex
    };
    (Blob) => {
        BlobIndex
    };
    (Table($t:ident)) => {
        Token
    };
    (List($t:ident)) => {
        u32
    };
    (Coded($c:ident)) => {
        Token
    };
}

macro_rules! column_value {
    ($table:ident, $col:literal, $raw:expr, U16) => {
        $raw as u16
    };
    ($table:ident, $col:literal, $raw:expr, U32) => {
        $raw
    };
    ($table:ident, $col:literal, $raw:expr, U8Padded) => {
        $raw as u8
    };
    ($table:ident, $col:literal, $raw:expr, String) => {
        StringIndex($raw)
    };
    ($table:ident, $col:literal, $raw:expr, Guid) => {
        GuidIndex($raw)
    };
    ($table:ident, $col:literal, $raw:expr, Blob) => {
        BlobIndex($raw)
    };
    ($table:ident, $col:literal, $raw:expr, Table($t:ident)) => {
        Token::try_new(TableId::$t, $raw).map_err(|_| {
            Error::malformed(
                concat!("table ", stringify!($table), " column ", $col),
                None,
                concat!("a ", stringify!($t), " row id below 2^24"),
                format_args!("{:#x}", $raw),
            )
        })?
    };
    ($table:ident, $col:literal, $raw:expr, List($t:ident)) => {
        $raw
    };
    ($table:ident, $col:literal, $raw:expr, Coded($c:ident)) => {
        CodedIndex::$c.decode($raw).ok_or_else(|| {
            Error::malformed(
                concat!("table ", stringify!($table), " column ", $col),
                None,
                concat!("a valid ", stringify!($c), " coded index"),
                format_args!("{:#x}", $raw),
            )
        })?
    };
}

macro_rules! define_tables {
    ($(
        $num:literal $name:ident $row:ident {
            $( $field:ident $col:literal : $kind:ident $(($arg:ident))? ),* $(,)?
        }
    )*) => {
        /// A metadata table number (the high byte of its tokens).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum TableId { $( $name = $num, )* }

        impl TableId {
            /// Every table, in table-number order.
            pub const ALL: &'static [TableId] = &[ $( TableId::$name, )* ];

            pub const fn name(self) -> &'static str {
                match self { $( TableId::$name => stringify!($name), )* }
            }

            pub const fn from_index(index: u8) -> Option<TableId> {
                match index { $( $num => Some(TableId::$name), )* _ => None }
            }

            pub fn from_name(name: &str) -> Option<TableId> {
                match name { $( stringify!($name) => Some(TableId::$name), )* _ => None }
            }

            /// The table's columns in storage order.
            pub const fn columns(self) -> &'static [Column] {
                match self {
                    $( TableId::$name => &[ $( Column { name: $col, kind: column_kind!($kind $(($arg))?) }, )* ], )*
                }
            }
        }

        $(
            #[doc = concat!("A row of the ", stringify!($name), " table.")]
            #[derive(Clone, Copy, Debug, PartialEq, Eq)]
            pub struct $row { $( pub $field: column_type!($kind $(($arg))?), )* }

            impl Row for $row {
                const TABLE: TableId = TableId::$name;
                #[allow(unused_variables, unused_mut, unused_assignments)]
                fn from_raw(raw: &[u32]) -> Result<Self> {
                    let mut i = 0usize;
                    Ok($row { $( $field: { let v = column_value!($name, $col, raw[i], $kind $(($arg))?); i += 1; v }, )* })
                }
            }
        )*
    };
}

define_tables! {
    0x00 Module ModuleRow { generation "Generation": U16, name "Name": String, mvid "Mvid": Guid, enc_id "EncId": Guid, enc_base_id "EncBaseId": Guid }
    0x01 TypeRef TypeRefRow { resolution_scope "ResolutionScope": Coded(ResolutionScope), name "TypeName": String, namespace "TypeNamespace": String }
    0x02 TypeDef TypeDefRow { flags "Flags": U32, name "TypeName": String, namespace "TypeNamespace": String, extends "Extends": Coded(TypeDefOrRef), field_list "FieldList": List(Field), method_list "MethodList": List(MethodDef) }
    0x03 FieldPtr FieldPtrRow { field "Field": Table(Field) }
    0x04 Field FieldRow { flags "Flags": U16, name "Name": String, signature "Signature": Blob }
    0x05 MethodPtr MethodPtrRow { method "Method": Table(MethodDef) }
    0x06 MethodDef MethodDefRow { rva "RVA": U32, impl_flags "ImplFlags": U16, flags "Flags": U16, name "Name": String, signature "Signature": Blob, param_list "ParamList": List(Param) }
    0x07 ParamPtr ParamPtrRow { param "Param": Table(Param) }
    0x08 Param ParamRow { flags "Flags": U16, sequence "Sequence": U16, name "Name": String }
    0x09 InterfaceImpl InterfaceImplRow { class "Class": Table(TypeDef), interface "Interface": Coded(TypeDefOrRef) }
    0x0A MemberRef MemberRefRow { class "Class": Coded(MemberRefParent), name "Name": String, signature "Signature": Blob }
    0x0B Constant ConstantRow { type_code "Type": U8Padded, parent "Parent": Coded(HasConstant), value "Value": Blob }
    0x0C CustomAttribute CustomAttributeRow { parent "Parent": Coded(HasCustomAttribute), constructor "Type": Coded(CustomAttributeType), value "Value": Blob }
    0x0D FieldMarshal FieldMarshalRow { parent "Parent": Coded(HasFieldMarshal), native_type "NativeType": Blob }
    0x0E DeclSecurity DeclSecurityRow { action "Action": U16, parent "Parent": Coded(HasDeclSecurity), permission_set "PermissionSet": Blob }
    0x0F ClassLayout ClassLayoutRow { packing_size "PackingSize": U16, class_size "ClassSize": U32, parent "Parent": Table(TypeDef) }
    0x10 FieldLayout FieldLayoutRow { offset "Offset": U32, field "Field": Table(Field) }
    0x11 StandAloneSig StandAloneSigRow { signature "Signature": Blob }
    0x12 EventMap EventMapRow { parent "Parent": Table(TypeDef), event_list "EventList": List(Event) }
    0x13 EventPtr EventPtrRow { event "Event": Table(Event) }
    0x14 Event EventRow { flags "EventFlags": U16, name "Name": String, event_type "EventType": Coded(TypeDefOrRef) }
    0x15 PropertyMap PropertyMapRow { parent "Parent": Table(TypeDef), property_list "PropertyList": List(Property) }
    0x16 PropertyPtr PropertyPtrRow { property "Property": Table(Property) }
    0x17 Property PropertyRow { flags "Flags": U16, name "Name": String, signature "Type": Blob }
    0x18 MethodSemantics MethodSemanticsRow { semantics "Semantics": U16, method "Method": Table(MethodDef), association "Association": Coded(HasSemantics) }
    0x19 MethodImpl MethodImplRow { class "Class": Table(TypeDef), body "MethodBody": Coded(MethodDefOrRef), declaration "MethodDeclaration": Coded(MethodDefOrRef) }
    0x1A ModuleRef ModuleRefRow { name "Name": String }
    0x1B TypeSpec TypeSpecRow { signature "Signature": Blob }
    0x1C ImplMap ImplMapRow { flags "MappingFlags": U16, member "MemberForwarded": Coded(MemberForwarded), import_name "ImportName": String, import_scope "ImportScope": Table(ModuleRef) }
    0x1D FieldRVA FieldRvaRow { rva "RVA": U32, field "Field": Table(Field) }
    0x1E EncLog EncLogRow { token "Token": U32, operation "FuncCode": U32 }
    0x1F EncMap EncMapRow { token "Token": U32 }
    0x20 Assembly AssemblyRow { hash_algorithm "HashAlgId": U32, major "MajorVersion": U16, minor "MinorVersion": U16, build "BuildNumber": U16, revision "RevisionNumber": U16, flags "Flags": U32, public_key "PublicKey": Blob, name "Name": String, culture "Culture": String }
    0x21 AssemblyProcessor AssemblyProcessorRow { processor "Processor": U32 }
    0x22 AssemblyOS AssemblyOsRow { platform "OSPlatformID": U32, major "OSMajorVersion": U32, minor "OSMinorVersion": U32 }
    0x23 AssemblyRef AssemblyRefRow { major "MajorVersion": U16, minor "MinorVersion": U16, build "BuildNumber": U16, revision "RevisionNumber": U16, flags "Flags": U32, public_key_or_token "PublicKeyOrToken": Blob, name "Name": String, culture "Culture": String, hash_value "HashValue": Blob }
    0x24 AssemblyRefProcessor AssemblyRefProcessorRow { processor "Processor": U32, assembly_ref "AssemblyRef": Table(AssemblyRef) }
    0x25 AssemblyRefOS AssemblyRefOsRow { platform "OSPlatformId": U32, major "OSMajorVersion": U32, minor "OSMinorVersion": U32, assembly_ref "AssemblyRef": Table(AssemblyRef) }
    0x26 File FileRow { flags "Flags": U32, name "Name": String, hash_value "HashValue": Blob }
    0x27 ExportedType ExportedTypeRow { flags "Flags": U32, type_def_id "TypeDefId": U32, name "TypeName": String, namespace "TypeNamespace": String, implementation "Implementation": Coded(Implementation) }
    0x28 ManifestResource ManifestResourceRow { offset "Offset": U32, flags "Flags": U32, name "Name": String, implementation "Implementation": Coded(Implementation) }
    0x29 NestedClass NestedClassRow { nested "NestedClass": Table(TypeDef), enclosing "EnclosingClass": Table(TypeDef) }
    0x2A GenericParam GenericParamRow { number "Number": U16, flags "Flags": U16, owner "Owner": Coded(TypeOrMethodDef), name "Name": String }
    0x2B MethodSpec MethodSpecRow { method "Method": Coded(MethodDefOrRef), instantiation "Instantiation": Blob }
    0x2C GenericParamConstraint GenericParamConstraintRow { owner "Owner": Table(GenericParam), constraint "Constraint": Coded(TypeDefOrRef) }
    0x30 Document DocumentRow { name "Name": Blob, hash_algorithm "HashAlgorithm": Guid, hash "Hash": Blob, language "Language": Guid }
    0x31 MethodDebugInformation MethodDebugInformationRow { document "Document": Table(Document), sequence_points "SequencePoints": Blob }
    0x32 LocalScope LocalScopeRow { method "Method": Table(MethodDef), import_scope "ImportScope": Table(ImportScope), variable_list "VariableList": List(LocalVariable), constant_list "ConstantList": List(LocalConstant), start_offset "StartOffset": U32, length "Length": U32 }
    0x33 LocalVariable LocalVariableRow { attributes "Attributes": U16, index "Index": U16, name "Name": String }
    0x34 LocalConstant LocalConstantRow { name "Name": String, signature "Signature": Blob }
    0x35 ImportScope ImportScopeRow { parent "Parent": Table(ImportScope), imports "Imports": Blob }
    0x36 StateMachineMethod StateMachineMethodRow { move_next "MoveNextMethod": Table(MethodDef), kickoff "KickoffMethod": Table(MethodDef) }
    0x37 CustomDebugInformation CustomDebugInformationRow { parent "Parent": Coded(HasCustomDebugInformation), kind "Kind": Guid, value "Value": Blob }
}

impl TableId {
    /// Portable-PDB tables (0x30 and up) live in the PDB, the rest in the type system.
    pub const fn is_debug(self) -> bool {
        self as u8 >= 0x30
    }

    /// The pointer table that may stand between a list column and this table.
    pub const fn pointer_table(self) -> Option<TableId> {
        match self {
            TableId::Field => Some(TableId::FieldPtr),
            TableId::MethodDef => Some(TableId::MethodPtr),
            TableId::Param => Some(TableId::ParamPtr),
            TableId::Event => Some(TableId::EventPtr),
            TableId::Property => Some(TableId::PropertyPtr),
            _ => None,
        }
    }
}

macro_rules! define_coded_indexes {
    ($( $name:ident : $bits:literal [ $( $t:tt ),* ] )*) => {
        /// The coded indexes of ECMA-335 II.24.2.6 and the Portable PDB specification.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum CodedIndex { $( $name, )* }

        impl CodedIndex {
            /// Number of low bits that hold the tag.
            pub const fn tag_bits(self) -> u32 {
                match self { $( CodedIndex::$name => $bits, )* }
            }

            /// The table each tag value selects; `None` for tags the format leaves unused.
            pub const fn tables(self) -> &'static [Option<TableId>] {
                match self { $( CodedIndex::$name => &[ $( coded_target!($t), )* ], )* }
            }
        }
    };
}

macro_rules! coded_target {
    (_) => {
        None
    };
    ($t:ident) => {
        Some(TableId::$t)
    };
}

define_coded_indexes! {
    TypeDefOrRef: 2 [TypeDef, TypeRef, TypeSpec]
    HasConstant: 2 [Field, Param, Property]
    HasCustomAttribute: 5 [MethodDef, Field, TypeRef, TypeDef, Param, InterfaceImpl, MemberRef, Module,
        DeclSecurity, Property, Event, StandAloneSig, ModuleRef, TypeSpec, Assembly, AssemblyRef, File,
        ExportedType, ManifestResource, GenericParam, GenericParamConstraint, MethodSpec]
    HasFieldMarshal: 1 [Field, Param]
    HasDeclSecurity: 2 [TypeDef, MethodDef, Assembly]
    MemberRefParent: 3 [TypeDef, TypeRef, ModuleRef, MethodDef, TypeSpec]
    HasSemantics: 1 [Event, Property]
    MethodDefOrRef: 1 [MethodDef, MemberRef]
    MemberForwarded: 1 [Field, MethodDef]
    Implementation: 2 [File, AssemblyRef, ExportedType]
    CustomAttributeType: 3 [_, _, MethodDef, MemberRef, _]
    ResolutionScope: 2 [Module, ModuleRef, AssemblyRef, TypeRef]
    TypeOrMethodDef: 1 [TypeDef, MethodDef]
    HasCustomDebugInformation: 5 [MethodDef, Field, TypeRef, TypeDef, Param, InterfaceImpl, MemberRef, Module,
        DeclSecurity, Property, Event, StandAloneSig, ModuleRef, TypeSpec, Assembly, AssemblyRef, File,
        ExportedType, ManifestResource, GenericParam, GenericParamConstraint, MethodSpec, Document,
        LocalScope, LocalVariable, LocalConstant, ImportScope]
}

impl CodedIndex {
    /// Decodes a raw column value into a token (row 0 gives the nil token of the tagged table).
    pub fn decode(self, raw: u32) -> Option<Token> {
        let bits = self.tag_bits();
        let tag = (raw & ((1 << bits) - 1)) as usize;
        let table = (*self.tables().get(tag)?)?;
        let rid = raw >> bits;
        (rid <= Token::MAX_RID).then(|| Token::new(table, rid))
    }

    /// Encodes a token; `None` when its table is not one this index can refer to.
    pub fn encode(self, token: Token) -> Option<u32> {
        let table = token.table()?;
        let tag = self.tables().iter().position(|t| *t == Some(table))? as u32;
        Some((token.rid() << self.tag_bits()) | tag)
    }

    /// Rows a table may have for this index to stay 2 bytes wide (in a compressed stream).
    pub const fn small_row_limit(self) -> u32 {
        1 << (16 - self.tag_bits())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_fits_the_column_limit_and_numbers_round_trip() {
        for &table in TableId::ALL {
            assert!(table.columns().len() <= MAX_COLUMNS, "{table:?}");
            assert_eq!(TableId::from_index(table as u8), Some(table));
            assert_eq!(TableId::from_name(table.name()), Some(table));
        }
        assert_eq!(TableId::ALL.len(), 45 + 8);
    }

    #[test]
    fn coded_index_tags_fit_their_bits() {
        use CodedIndex::*;
        for c in [
            TypeDefOrRef,
            HasConstant,
            HasCustomAttribute,
            HasFieldMarshal,
            HasDeclSecurity,
            MemberRefParent,
            HasSemantics,
            MethodDefOrRef,
            MemberForwarded,
            Implementation,
            CustomAttributeType,
            ResolutionScope,
            TypeOrMethodDef,
            HasCustomDebugInformation,
        ] {
            assert!(c.tables().len() <= 1 << c.tag_bits(), "{c:?}");
        }
        // ECMA-335 II.24.2.6: TypeRef row 0x12 as TypeDefOrRef is (0x12 << 2) | 1.
        assert_eq!(TypeDefOrRef.encode(Token::new(TableId::TypeRef, 0x12)), Some(0x49));
        assert_eq!(TypeDefOrRef.decode(0x49), Some(Token::new(TableId::TypeRef, 0x12)));
        assert_eq!(CustomAttributeType.decode(0x1), None);
        assert_eq!(HasCustomAttribute.decode((7 << 5) | 21), Some(Token::new(TableId::MethodSpec, 7)));
    }
}
