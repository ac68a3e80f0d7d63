//! The canonical dump of docs/canonical-dump.md: decoded values only, in the order and
//! syntax that `tools/srm-dump` prints with System.Reflection.Metadata, so the two
//! outputs can be diffed line by line.

use std::fmt::Write;

use super::format::{blob, fnv1a32, guid, hex, quoted, signature, token, token_list};
use crate::assembly::Assembly;
use crate::error::Result;
use crate::metadata::schema::*;
use crate::metadata::signature::{self as sig, Signature};
use crate::metadata::{BlobIndex, MetadataReader, StringIndex, Token};
use crate::pdb::{decode_document_name, decode_imports, decode_sequence_points};
use crate::pe::PeImage;
use crate::pe::debug::kind;

/// The canonical dump of a file. A problem stops the dump with an `error <message>` line.
pub fn canonical_dump(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len() * 4);
    if let Err(e) = write_file(&mut out, data) {
        // An error can stop a line half-written: the error line starts a line of its own.
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        let _ = writeln!(out, "error {e}");
    }
    out
}

fn write_file(out: &mut String, data: &[u8]) -> Result<()> {
    if data.starts_with(b"MZ") {
        out.push_str("file kind=pe\n");
        let pe = PeImage::parse(data)?;
        let Some(cli) = pe.cli else {
            out.push_str("not-managed\n");
            return Ok(());
        };
        let _ = writeln!(
            out,
            "cor flags={} entrypoint={} metadata={}:{} resources={}:{} strongname={}:{}",
            cli.flags,
            cli.entry_point,
            cli.metadata.rva,
            cli.metadata.size,
            cli.resources.rva,
            cli.resources.size,
            cli.strong_name_signature.rva,
            cli.strong_name_signature.size
        );
        for s in &pe.sections {
            out.push_str("section name=");
            quoted(out, &s.name);
            let _ = writeln!(
                out,
                " va={} vsize={} raw={} rawsize={}",
                s.virtual_address, s.virtual_size, s.raw_pointer, s.raw_size
            );
        }
        let entries = pe.debug_entries()?;
        for e in &entries {
            let _ = writeln!(
                out,
                "debug type={} stamp={} major={} minor={} size={} rva={} pointer={}",
                e.kind, e.stamp, e.major_version, e.minor_version, e.size, e.rva, e.pointer
            );
            match e.kind {
                kind::CODEVIEW => {
                    let cv = e.codeview(&pe)?;
                    let _ = write!(out, "codeview guid={} age={} path=", cv.guid, cv.age);
                    quoted(out, &cv.path);
                    out.push('\n');
                }
                kind::PDB_CHECKSUM => {
                    let c = e.pdb_checksum(&pe)?;
                    out.push_str("pdbchecksum algorithm=");
                    quoted(out, &c.algorithm);
                    out.push_str(" checksum=");
                    hex(out, &c.checksum);
                    out.push('\n');
                }
                _ => {}
            }
        }
        let assembly = Assembly { metadata: MetadataReader::parse(pe.metadata()?)?, pe: Some(pe) };
        write_metadata(out, &assembly.metadata)?;
        write_bodies(out, &assembly)?;
        if let Some(pdb) = assembly.embedded_pdb()? {
            out.push_str("embedded-pdb begin\n");
            write_metadata(out, &MetadataReader::parse(&pdb)?)?;
            out.push_str("embedded-pdb end\n");
        }
        Ok(())
    } else if data.starts_with(b"BSJB") {
        out.push_str("file kind=metadata\n");
        write_metadata(out, &MetadataReader::parse(data)?)
    } else {
        out.push_str("error unrecognized\n");
        Ok(())
    }
}

fn write_metadata(out: &mut String, md: &MetadataReader<'_>) -> Result<()> {
    out.push_str("metadata version=");
    quoted(out, md.root.version);
    out.push('\n');
    for (name, size) in [
        ("#Strings", md.strings.size()),
        ("#US", md.user_strings.size()),
        ("#Blob", md.blobs.size()),
        ("#GUID", md.guids.size()),
    ] {
        let offset = if size > 0 { md.root.header(name).map_or(0, |h| h.offset) } else { 0 };
        let _ = writeln!(out, "heap name={name} size={size} offset={offset}");
    }
    if let Some(pdb) = &md.pdb {
        out.push_str("pdb id=");
        hex(out, &pdb.id);
        out.push_str(" entrypoint=");
        token(out, pdb.entry_point);
        out.push('\n');
    }
    let tables_offset = md.root.header("#-").or_else(|| md.root.header("#~")).map_or(0, |h| h.offset as usize);
    for &id in TableId::ALL {
        let t = md.tables.table(id);
        if t.row_count() > 0 {
            let _ = writeln!(
                out,
                "table name={} rows={} rowsize={} offset={}",
                id.name(),
                t.row_count(),
                t.row_size(),
                tables_offset + t.offset()
            );
        }
    }
    Rows::new(md).write_all(out)?;
    let mut at = 0;
    while let Some(next) = md.user_strings.next_offset(at) {
        let _ = write!(out, "us offset={next} value=");
        quoted(out, &md.user_strings.get(crate::metadata::UserStringIndex(next))?);
        out.push('\n');
        at = next;
    }
    let mut at = 0;
    while let Some(next) = md.blobs.next_offset(at) {
        let _ = write!(out, "blob offset={next} value=");
        blob(out, md.blob(BlobIndex(next))?);
        out.push('\n');
        at = next;
    }
    Ok(())
}

fn write_bodies(out: &mut String, assembly: &Assembly<'_>) -> Result<()> {
    let md = &assembly.metadata;
    for (rid, row) in md.tables.rows::<MethodDefRow>() {
        let row = row?;
        if row.rva == 0 || row.impl_flags & 3 != 0 {
            continue;
        }
        let body = match assembly.method_body(row.rva) {
            Ok(b) => b,
            Err(_) => {
                let _ = writeln!(out, "body {rid} error");
                continue;
            }
        };
        let _ = write!(out, "body {rid} size={} maxstack={} locals=", body.size, body.max_stack);
        token(out, body.local_signature);
        let _ =
            writeln!(out, " init={} code={} il={:08x}", body.init_locals as u8, body.code.len(), fnv1a32(body.code));
        for r in &body.exception_regions {
            let _ = write!(
                out,
                "eh {rid} kind={} try={}+{} handler={}+{} catch=",
                r.kind.name(),
                r.try_offset,
                r.try_length,
                r.handler_offset,
                r.handler_length
            );
            token(out, r.catch_type);
            let _ = writeln!(out, " filter={}", r.filter_offset);
        }
    }
    Ok(())
}

/// Row printing with the cross-table lookups the derived keys need.
struct Rows<'m, 'a> {
    md: &'m MetadataReader<'a>,
    /// TypeDef rid → first EventMap / PropertyMap row naming it (SRM scans linearly).
    event_map: Vec<u32>,
    property_map: Vec<u32>,
}

impl<'m, 'a> Rows<'m, 'a> {
    fn new(md: &'m MetadataReader<'a>) -> Self {
        let map = |table: TableId| {
            let mut v = vec![0u32; md.row_count(TableId::TypeDef) as usize + 1];
            let t = md.tables.table(table);
            for rid in (1..=t.row_count()).rev() {
                if let Ok(parent) = t.raw(rid, 0)
                    && let Some(slot) = v.get_mut(parent as usize)
                {
                    *slot = rid;
                }
            }
            v
        };
        Rows { md, event_map: map(TableId::EventMap), property_map: map(TableId::PropertyMap) }
    }

    fn s(&self, out: &mut String, key: &str, index: StringIndex) -> Result<()> {
        let _ = write!(out, " {key}=");
        quoted(out, &self.md.string(index)?);
        Ok(())
    }

    fn b(&self, out: &mut String, key: &str, index: BlobIndex) -> Result<()> {
        let _ = write!(out, " {key}=");
        blob(out, self.md.blob(index)?);
        Ok(())
    }

    fn t(&self, out: &mut String, key: &str, t: Token) {
        let _ = write!(out, " {key}=");
        token(out, t);
    }

    fn g(&self, out: &mut String, key: &str, index: crate::metadata::GuidIndex) -> Result<()> {
        let _ = write!(out, " {key}=");
        guid(out, self.md.guid(index)?);
        Ok(())
    }

    fn sig(&self, out: &mut String, index: BlobIndex, decode: fn(&[u8]) -> Result<Signature>) -> Result<()> {
        out.push_str(" sig=");
        match decode(self.md.blob(index)?) {
            Ok(s) => signature(out, &s),
            Err(_) => out.push_str("error"),
        }
        Ok(())
    }

    fn list(&self, out: &mut String, key: &str, owner: TableId, rid: u32, column: usize) -> Result<()> {
        let items = if rid == 0 { Vec::new() } else { self.md.list(owner, rid, column)? };
        let _ = write!(out, " {key}={}@", items.len());
        token(out, items.first().copied().unwrap_or_default());
        Ok(())
    }

    /// Rows of `table` whose sorted `column` holds `owner` (encoded with `coded`, if any).
    fn children(&self, table: TableId, column: usize, owner: Token, coded: Option<CodedIndex>) -> Result<Vec<Token>> {
        let key = match coded {
            Some(c) => c.encode(owner).unwrap_or(u32::MAX),
            None => owner.rid(),
        };
        Ok(self.md.equal_range(table, column, key)?.map(|rid| Token::new(table, rid)).collect())
    }

    fn first_child(
        &self,
        table: TableId,
        column: usize,
        owner: Token,
        coded: Option<CodedIndex>,
    ) -> Result<Option<u32>> {
        Ok(self.children(table, column, owner, coded)?.first().map(|t| t.rid()))
    }

    fn constant(&self, out: &mut String, owner: Token) -> Result<()> {
        let c = self.first_child(TableId::Constant, 1, owner, Some(CodedIndex::HasConstant))?;
        self.t(out, "constant", Token::new(TableId::Constant, c.unwrap_or(0)));
        Ok(())
    }

    fn marshal(&self, out: &mut String, owner: Token) -> Result<()> {
        let index = match self.first_child(TableId::FieldMarshal, 0, owner, Some(CodedIndex::HasFieldMarshal))? {
            Some(rid) => self.md.row::<FieldMarshalRow>(rid)?.native_type,
            None => BlobIndex(0),
        };
        self.b(out, "marshal", index)
    }

    fn accessors(&self, out: &mut String, owner: Token, roles: &[(&str, u16)]) -> Result<()> {
        let mut found = vec![Token::new(TableId::MethodDef, 0); roles.len()];
        let mut others = Vec::new();
        for t in self.children(TableId::MethodSemantics, 2, owner, Some(CodedIndex::HasSemantics))? {
            let row = self.md.row::<MethodSemanticsRow>(t.rid())?;
            match roles.iter().position(|(_, flag)| *flag == row.semantics) {
                Some(i) => found[i] = row.method,
                None if row.semantics == 0x4 => others.push(row.method),
                None => {}
            }
        }
        for ((name, _), t) in roles.iter().zip(found) {
            self.t(out, name, t);
        }
        out.push_str(" others=");
        token_list(out, &others);
        Ok(())
    }

    fn write_all(&self, out: &mut String) -> Result<()> {
        for &id in TableId::ALL {
            for rid in 1..=self.md.row_count(id) {
                self.write_row(out, id, rid)?;
            }
        }
        Ok(())
    }

    fn write_row(&self, out: &mut String, id: TableId, rid: u32) -> Result<()> {
        let md = self.md;
        let this = Token::new(id, rid);
        let start = out.len();
        let _ = write!(out, "{} {rid}", id.name());
        match id {
            TableId::Module => {
                let r: ModuleRow = md.row(rid)?;
                let _ = write!(out, " generation={}", r.generation);
                self.s(out, "name", r.name)?;
                self.g(out, "mvid", r.mvid)?;
                self.g(out, "encid", r.enc_id)?;
                self.g(out, "encbaseid", r.enc_base_id)?;
            }
            TableId::TypeRef => {
                let r: TypeRefRow = md.row(rid)?;
                self.t(out, "scope", r.resolution_scope);
                self.s(out, "name", r.name)?;
                self.s(out, "namespace", r.namespace)?;
            }
            TableId::TypeDef => {
                let r: TypeDefRow = md.row(rid)?;
                let _ = write!(out, " flags={}", r.flags);
                self.s(out, "name", r.name)?;
                self.s(out, "namespace", r.namespace)?;
                self.t(out, "extends", r.extends);
                self.list(out, "fields", TableId::TypeDef, rid, 4)?;
                self.list(out, "methods", TableId::TypeDef, rid, 5)?;
                self.list(out, "events", TableId::EventMap, self.event_map[rid as usize], 1)?;
                self.list(out, "properties", TableId::PropertyMap, self.property_map[rid as usize], 1)?;
                match self.first_child(TableId::ClassLayout, 2, this, None)? {
                    Some(l) => {
                        let l: ClassLayoutRow = md.row(l)?;
                        let _ = write!(out, " layout={}:{}", l.packing_size, l.class_size);
                    }
                    None => out.push_str(" layout=0:0"),
                }
                let enclosing = match self.first_child(TableId::NestedClass, 0, this, None)? {
                    Some(n) => md.row::<NestedClassRow>(n)?.enclosing,
                    None => Token::new(TableId::TypeDef, 0),
                };
                self.t(out, "enclosing", enclosing);
                out.push_str(" interfaces=");
                token_list(out, &self.children(TableId::InterfaceImpl, 0, this, None)?);
                out.push_str(" generics=");
                token_list(out, &self.children(TableId::GenericParam, 2, this, Some(CodedIndex::TypeOrMethodDef))?);
            }
            TableId::Field => {
                let r: FieldRow = md.row(rid)?;
                let _ = write!(out, " flags={}", r.flags);
                self.s(out, "name", r.name)?;
                self.sig(out, r.signature, |b| sig::decode_field(b).map(Signature::Field))?;
                let offset = match self.first_child(TableId::FieldLayout, 1, this, None)? {
                    Some(l) => md.row::<FieldLayoutRow>(l)?.offset as i32,
                    None => -1,
                };
                let rva = match self.first_child(TableId::FieldRVA, 1, this, None)? {
                    Some(l) => md.row::<FieldRvaRow>(l)?.rva,
                    None => 0,
                };
                let _ = write!(out, " offset={offset} rva={rva}");
                self.marshal(out, this)?;
                self.constant(out, this)?;
            }
            TableId::MethodDef => {
                let r: MethodDefRow = md.row(rid)?;
                let _ = write!(out, " rva={} implflags={} flags={}", r.rva, r.impl_flags, r.flags);
                self.s(out, "name", r.name)?;
                self.sig(out, r.signature, |b| sig::decode_method(b).map(Signature::Method))?;
                self.list(out, "params", TableId::MethodDef, rid, 5)?;
                match self.first_child(TableId::ImplMap, 1, this, Some(CodedIndex::MemberForwarded))? {
                    Some(m) => {
                        let m: ImplMapRow = md.row(m)?;
                        let _ = write!(out, " import={}:", m.flags);
                        quoted(out, &md.string(m.import_name)?);
                        out.push(':');
                        token(out, m.import_scope);
                    }
                    None => out.push_str(" import=nil"),
                }
                out.push_str(" generics=");
                token_list(out, &self.children(TableId::GenericParam, 2, this, Some(CodedIndex::TypeOrMethodDef))?);
            }
            TableId::Param => {
                let r: ParamRow = md.row(rid)?;
                let _ = write!(out, " flags={} sequence={}", r.flags, r.sequence);
                self.s(out, "name", r.name)?;
                self.constant(out, this)?;
                self.marshal(out, this)?;
            }
            TableId::InterfaceImpl => {
                let r: InterfaceImplRow = md.row(rid)?;
                self.t(out, "interface", r.interface);
            }
            TableId::MemberRef => {
                let r: MemberRefRow = md.row(rid)?;
                self.t(out, "parent", r.class);
                self.s(out, "name", r.name)?;
                self.sig(out, r.signature, |b| {
                    if b.first() == Some(&sig::header::FIELD) {
                        sig::decode_field(b).map(Signature::Field)
                    } else {
                        sig::decode_method(b).map(Signature::Method)
                    }
                })?;
            }
            TableId::Constant => {
                let r: ConstantRow = md.row(rid)?;
                let _ = write!(out, " type={}", r.type_code);
                self.t(out, "parent", r.parent);
                self.b(out, "value", r.value)?;
            }
            TableId::CustomAttribute => {
                let r: CustomAttributeRow = md.row(rid)?;
                self.t(out, "parent", r.parent);
                self.t(out, "constructor", r.constructor);
                self.b(out, "value", r.value)?;
            }
            TableId::DeclSecurity => {
                let r: DeclSecurityRow = md.row(rid)?;
                let _ = write!(out, " action={}", r.action);
                self.t(out, "parent", r.parent);
                self.b(out, "permissions", r.permission_set)?;
            }
            TableId::StandAloneSig => {
                let r: StandAloneSigRow = md.row(rid)?;
                self.sig(out, r.signature, |b| {
                    if b.first() == Some(&sig::header::LOCAL_SIG) {
                        sig::decode_locals(b).map(Signature::Locals)
                    } else if b.first() == Some(&sig::header::FIELD) {
                        // F# writes field signatures into StandAloneSig rows.
                        sig::decode_field(b).map(Signature::Field)
                    } else {
                        sig::decode_method(b).map(Signature::Method)
                    }
                })?;
            }
            TableId::Event => {
                let r: EventRow = md.row(rid)?;
                let _ = write!(out, " flags={}", r.flags);
                self.s(out, "name", r.name)?;
                self.t(out, "type", r.event_type);
                self.accessors(out, this, &[("add", 0x8), ("remove", 0x10), ("raise", 0x20)])?;
            }
            TableId::Property => {
                let r: PropertyRow = md.row(rid)?;
                let _ = write!(out, " flags={}", r.flags);
                self.s(out, "name", r.name)?;
                self.sig(out, r.signature, |b| sig::decode_method(b).map(Signature::Property))?;
                self.accessors(out, this, &[("get", 0x2), ("set", 0x1)])?;
                self.constant(out, this)?;
            }
            TableId::MethodImpl => {
                let r: MethodImplRow = md.row(rid)?;
                self.t(out, "class", r.class);
                self.t(out, "body", r.body);
                self.t(out, "declaration", r.declaration);
            }
            TableId::ModuleRef => {
                let r: ModuleRefRow = md.row(rid)?;
                self.s(out, "name", r.name)?;
            }
            TableId::TypeSpec => {
                let r: TypeSpecRow = md.row(rid)?;
                self.sig(out, r.signature, |b| sig::decode_type(b).map(Signature::Type))?;
            }
            TableId::EncLog => {
                let r: EncLogRow = md.row(rid)?;
                let _ = write!(out, " token=0x{:08X} op={}", r.token, r.operation);
            }
            TableId::EncMap => {
                let r: EncMapRow = md.row(rid)?;
                let _ = write!(out, " token=0x{:08X}", r.token);
            }
            TableId::Assembly => {
                let r: AssemblyRow = md.row(rid)?;
                let _ = write!(
                    out,
                    " hashalg={} version={}.{}.{}.{} flags={}",
                    r.hash_algorithm, r.major, r.minor, r.build, r.revision, r.flags
                );
                self.b(out, "publickey", r.public_key)?;
                self.s(out, "name", r.name)?;
                self.s(out, "culture", r.culture)?;
            }
            TableId::AssemblyRef => {
                let r: AssemblyRefRow = md.row(rid)?;
                let _ = write!(out, " version={}.{}.{}.{} flags={}", r.major, r.minor, r.build, r.revision, r.flags);
                self.b(out, "publickey", r.public_key_or_token)?;
                self.s(out, "name", r.name)?;
                self.s(out, "culture", r.culture)?;
                self.b(out, "hash", r.hash_value)?;
            }
            TableId::File => {
                let r: FileRow = md.row(rid)?;
                let _ = write!(out, " metadata={}", (r.flags & 1 == 0) as u8);
                self.s(out, "name", r.name)?;
                self.b(out, "hash", r.hash_value)?;
            }
            TableId::ExportedType => {
                let r: ExportedTypeRow = md.row(rid)?;
                let _ = write!(out, " flags={}", r.flags);
                self.s(out, "name", r.name)?;
                self.s(out, "namespace", r.namespace)?;
                self.t(out, "implementation", r.implementation);
            }
            TableId::ManifestResource => {
                let r: ManifestResourceRow = md.row(rid)?;
                let _ = write!(out, " offset={} flags={}", r.offset, r.flags);
                self.s(out, "name", r.name)?;
                self.t(out, "implementation", r.implementation);
            }
            TableId::GenericParam => {
                let r: GenericParamRow = md.row(rid)?;
                let _ = write!(out, " index={} flags={}", r.number, r.flags);
                self.t(out, "owner", r.owner);
                self.s(out, "name", r.name)?;
                out.push_str(" constraints=");
                token_list(out, &self.children(TableId::GenericParamConstraint, 0, this, None)?);
            }
            TableId::MethodSpec => {
                let r: MethodSpecRow = md.row(rid)?;
                self.t(out, "method", r.method);
                self.sig(out, r.instantiation, |b| sig::decode_method_spec(b).map(Signature::MethodSpec))?;
            }
            TableId::GenericParamConstraint => {
                let r: GenericParamConstraintRow = md.row(rid)?;
                self.t(out, "owner", r.owner);
                self.t(out, "constraint", r.constraint);
            }
            TableId::Document => {
                let r: DocumentRow = md.row(rid)?;
                out.push_str(" name=");
                quoted(out, &decode_document_name(&md.blobs, md.blob(r.name)?)?);
                self.g(out, "hashalg", r.hash_algorithm)?;
                self.b(out, "hash", r.hash)?;
                self.g(out, "language", r.language)?;
            }
            TableId::MethodDebugInformation => {
                let r: MethodDebugInformationRow = md.row(rid)?;
                self.t(out, "document", r.document);
                let blob = md.blob(r.sequence_points)?;
                let points =
                    if blob.is_empty() { Default::default() } else { decode_sequence_points(blob, r.document)? };
                self.t(out, "localsig", points.local_signature);
                out.push_str(" points=[");
                for (i, p) in points.points.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    if p.is_hidden() {
                        let _ = write!(out, "{}:hidden@", p.il_offset);
                    } else {
                        let _ = write!(
                            out,
                            "{}:{}.{}-{}.{}@",
                            p.il_offset, p.start_line, p.start_column, p.end_line, p.end_column
                        );
                    }
                    token(out, p.document);
                }
                out.push(']');
                let kickoff = match self.first_child(
                    TableId::StateMachineMethod,
                    0,
                    Token::new(TableId::MethodDef, rid),
                    None,
                )? {
                    Some(s) => md.row::<StateMachineMethodRow>(s)?.kickoff,
                    None => Token::new(TableId::MethodDef, 0),
                };
                self.t(out, "kickoff", kickoff);
            }
            TableId::LocalScope => {
                let r: LocalScopeRow = md.row(rid)?;
                self.t(out, "method", r.method);
                self.t(out, "importscope", r.import_scope);
                self.list(out, "variables", TableId::LocalScope, rid, 2)?;
                self.list(out, "constants", TableId::LocalScope, rid, 3)?;
                let _ = write!(out, " start={} length={}", r.start_offset, r.length);
            }
            TableId::LocalVariable => {
                let r: LocalVariableRow = md.row(rid)?;
                let _ = write!(out, " flags={} index={}", r.attributes, r.index);
                self.s(out, "name", r.name)?;
            }
            TableId::LocalConstant => {
                let r: LocalConstantRow = md.row(rid)?;
                self.s(out, "name", r.name)?;
                self.b(out, "sig", r.signature)?;
            }
            TableId::ImportScope => {
                let r: ImportScopeRow = md.row(rid)?;
                self.t(out, "parent", r.parent);
                out.push_str(" imports=[");
                for (i, imp) in decode_imports(md.blob(r.imports)?)?.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    let _ = write!(out, "{}:", imp.kind);
                    blob(out, md.blob(imp.alias)?);
                    out.push(':');
                    token(out, imp.assembly);
                    out.push(':');
                    blob(out, md.blob(imp.namespace)?);
                    out.push(':');
                    token(out, imp.target_type);
                }
                out.push(']');
            }
            TableId::CustomDebugInformation => {
                let r: CustomDebugInformationRow = md.row(rid)?;
                self.t(out, "parent", r.parent);
                self.g(out, "kind", r.kind)?;
                self.b(out, "value", r.value)?;
            }
            // Tables SRM gives no row access to: checked through derived keys above.
            _ => {
                out.truncate(start);
                return Ok(());
            }
        }
        out.push('\n');
        Ok(())
    }
}
