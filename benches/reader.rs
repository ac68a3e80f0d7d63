//! Reader benchmark: walk every row of every metadata table of System.Private.CoreLib,
//! decoding every column, with emit-delta and with dotscope. See BENCHMARKS.md.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use emit_delta::Assembly;
use emit_delta::metadata::{BlobIndex, ColumnKind, GuidIndex, MetadataReader, StringIndex, TableId};

/// System.Private.CoreLib.dll of the newest installed shared framework, if any.
fn find_corelib() -> Option<PathBuf> {
    let mut roots = vec![PathBuf::from("/usr/share/dotnet"), PathBuf::from("/usr/lib/dotnet")];
    if let Some(root) = std::env::var_os("DOTNET_ROOT") {
        roots.insert(0, PathBuf::from(root));
    }
    for root in roots {
        let Ok(entries) = std::fs::read_dir(root.join("shared/Microsoft.NETCore.App")) else { continue };
        let mut versions: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        versions.sort_by_key(|p| version_key(p));
        if let Some(path) = versions.iter().rev().map(|v| v.join("System.Private.CoreLib.dll")).find(|p| p.is_file()) {
            return Some(path);
        }
    }
    None
}

fn version_key(path: &Path) -> Vec<u64> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.split(['.', '-']).map(|part| part.parse().unwrap_or(0)).collect()
}

fn input() -> (String, Vec<u8>) {
    let path = find_corelib().unwrap_or_else(|| {
        eprintln!(
            "System.Private.CoreLib.dll not found in a shared framework; benchmarking the CsFeatures.dll fixture"
        );
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/fixtures/bin/CsFeatures.dll"))
    });
    let data = std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    eprintln!("reader benchmark input: {} ({} bytes)", path.display(), data.len());
    (path.display().to_string(), data)
}

// ---------------------------------------------------------------------------------
// emit-delta
// ---------------------------------------------------------------------------------

/// Every column of every row, resolved by kind: heap values are looked up (strings
/// UTF-8 checked, blobs length-prefix decoded, GUIDs copied), coded indexes decoded
/// into tokens. Table and list references are row ids and are summed as they are, as
/// dotscope's raw rows give them, so both walks compute the same checksum.
fn walk_ours(md: &MetadataReader<'_>) -> u64 {
    let mut sum = 0u64;
    for &id in TableId::ALL {
        let table = md.tables.table(id);
        let columns = id.columns();
        for rid in 1..=table.row_count() {
            let raw = table.raw_row(rid).expect("row in range");
            for (column, &value) in columns.iter().zip(raw.iter()) {
                sum = sum.wrapping_add(match column.kind {
                    ColumnKind::U16 | ColumnKind::U32 | ColumnKind::U8Padded => value as u64,
                    ColumnKind::String => md.string(StringIndex(value)).map_or(1, |s| s.len() as u64),
                    ColumnKind::Blob => md.blob(BlobIndex(value)).map_or(1, |b| b.len() as u64),
                    ColumnKind::Guid => md.guid(GuidIndex(value)).map_or(1, |g| g.map_or(0, |g| g.0[0] as u64)),
                    ColumnKind::Table(_) | ColumnKind::List(_) => value as u64,
                    ColumnKind::Coded(c) => c.decode(value).map_or(1, |t| t.0 as u64),
                });
            }
        }
    }
    sum
}

fn open_and_walk_ours(data: &[u8]) -> u64 {
    let assembly = Assembly::parse(data).expect("emit-delta opens the input");
    walk_ours(&assembly.metadata)
}

// ---------------------------------------------------------------------------------
// dotscope
// ---------------------------------------------------------------------------------

mod theirs {
    use dotscope::metadata::streams::{Blob, Guid, Strings, TablesHeader};
    use dotscope::metadata::tables::*;
    use dotscope::{CilAssemblyView, ValidationConfig};

    struct Heaps<'h, 'a> {
        strings: Option<&'h Strings<'a>>,
        blobs: Option<&'h Blob<'a>>,
        guids: Option<&'h Guid<'a>>,
    }

    impl Heaps<'_, '_> {
        fn s(&self, index: u32) -> u64 {
            self.strings.and_then(|h| h.get(index as usize).ok()).map_or(1, |s| s.len() as u64)
        }
        fn b(&self, index: u32) -> u64 {
            self.blobs.and_then(|h| h.get(index as usize).ok()).map_or(1, |b| b.len() as u64)
        }
        fn g(&self, index: u32) -> u64 {
            if index == 0 {
                return 0;
            }
            self.guids.and_then(|h| h.get(index as usize).ok()).map_or(1, |g| g.to_bytes()[0] as u64)
        }
    }

    fn c(index: &CodedIndex) -> u64 {
        index.token.value() as u64
    }

    /// Iterates one table's rows (each parsed by dotscope's `RowReadable`, which reads
    /// every column and decodes coded indexes) and resolves the heap columns.
    macro_rules! walk {
        ($tables:expr, $sum:ident, $raw:ty, |$r:ident| [$($v:expr),* $(,)?]) => {
            if let Some(table) = $tables.table::<$raw>() {
                for row in table.iter() {
                    let $r = row.expect("dotscope reads the row");
                    $( $sum = $sum.wrapping_add($v); )*
                }
            }
        };
    }

    pub fn walk(view: &CilAssemblyView) -> u64 {
        let h = Heaps { strings: view.strings(), blobs: view.blobs(), guids: view.guids() };
        let t: &TablesHeader<'_> = view.tables().expect("a tables stream");
        let mut sum = 0u64;
        let u = |v: u32| v as u64;
        walk!(t, sum, ModuleRaw, |r| [u(r.generation), h.s(r.name), h.g(r.mvid), h.g(r.encid), h.g(r.encbaseid)]);
        walk!(t, sum, TypeRefRaw, |r| [c(&r.resolution_scope), h.s(r.type_name), h.s(r.type_namespace)]);
        walk!(t, sum, TypeDefRaw, |r| [
            u(r.flags),
            h.s(r.type_name),
            h.s(r.type_namespace),
            c(&r.extends),
            u(r.field_list),
            u(r.method_list)
        ]);
        walk!(t, sum, FieldPtrRaw, |r| [u(r.field)]);
        walk!(t, sum, FieldRaw, |r| [u(r.flags), h.s(r.name), h.b(r.signature)]);
        walk!(t, sum, MethodPtrRaw, |r| [u(r.method)]);
        walk!(t, sum, MethodDefRaw, |r| [
            u(r.rva),
            u(r.impl_flags),
            u(r.flags),
            h.s(r.name),
            h.b(r.signature),
            u(r.param_list)
        ]);
        walk!(t, sum, ParamPtrRaw, |r| [u(r.param)]);
        walk!(t, sum, ParamRaw, |r| [u(r.flags), u(r.sequence), h.s(r.name)]);
        walk!(t, sum, InterfaceImplRaw, |r| [u(r.class), c(&r.interface)]);
        walk!(t, sum, MemberRefRaw, |r| [c(&r.class), h.s(r.name), h.b(r.signature)]);
        walk!(t, sum, ConstantRaw, |r| [r.base as u64, c(&r.parent), h.b(r.value)]);
        walk!(t, sum, CustomAttributeRaw, |r| [c(&r.parent), c(&r.constructor), h.b(r.value)]);
        walk!(t, sum, FieldMarshalRaw, |r| [c(&r.parent), h.b(r.native_type)]);
        walk!(t, sum, DeclSecurityRaw, |r| [r.action as u64, c(&r.parent), h.b(r.permission_set)]);
        walk!(t, sum, ClassLayoutRaw, |r| [r.packing_size as u64, u(r.class_size), u(r.parent)]);
        walk!(t, sum, FieldLayoutRaw, |r| [u(r.field_offset), u(r.field)]);
        walk!(t, sum, StandAloneSigRaw, |r| [h.b(r.signature)]);
        walk!(t, sum, EventMapRaw, |r| [u(r.parent), u(r.event_list)]);
        walk!(t, sum, EventPtrRaw, |r| [u(r.event)]);
        walk!(t, sum, EventRaw, |r| [u(r.flags), h.s(r.name), c(&r.event_type)]);
        walk!(t, sum, PropertyMapRaw, |r| [u(r.parent), u(r.property_list)]);
        walk!(t, sum, PropertyPtrRaw, |r| [u(r.property)]);
        walk!(t, sum, PropertyRaw, |r| [u(r.flags), h.s(r.name), h.b(r.signature)]);
        walk!(t, sum, MethodSemanticsRaw, |r| [u(r.semantics), u(r.method), c(&r.association)]);
        walk!(t, sum, MethodImplRaw, |r| [u(r.class), c(&r.method_body), c(&r.method_declaration)]);
        walk!(t, sum, ModuleRefRaw, |r| [h.s(r.name)]);
        walk!(t, sum, TypeSpecRaw, |r| [h.b(r.signature)]);
        walk!(t, sum, ImplMapRaw, |r| [
            u(r.mapping_flags),
            c(&r.member_forwarded),
            h.s(r.import_name),
            u(r.import_scope)
        ]);
        walk!(t, sum, FieldRvaRaw, |r| [u(r.rva), u(r.field)]);
        walk!(t, sum, EncLogRaw, |r| [u(r.token_value), u(r.func_code)]);
        walk!(t, sum, EncMapRaw, |r| [r.original_token.value() as u64]);
        walk!(t, sum, AssemblyRaw, |r| [
            u(r.hash_alg_id),
            u(r.major_version),
            u(r.minor_version),
            u(r.build_number),
            u(r.revision_number),
            u(r.flags),
            h.b(r.public_key),
            h.s(r.name),
            h.s(r.culture)
        ]);
        walk!(t, sum, AssemblyProcessorRaw, |r| [u(r.processor)]);
        walk!(t, sum, AssemblyOsRaw, |r| [u(r.os_platform_id), u(r.os_major_version), u(r.os_minor_version)]);
        walk!(t, sum, AssemblyRefRaw, |r| [
            u(r.major_version),
            u(r.minor_version),
            u(r.build_number),
            u(r.revision_number),
            u(r.flags),
            h.b(r.public_key_or_token),
            h.s(r.name),
            h.s(r.culture),
            h.b(r.hash_value)
        ]);
        walk!(t, sum, AssemblyRefProcessorRaw, |r| [u(r.processor), u(r.assembly_ref)]);
        walk!(t, sum, AssemblyRefOsRaw, |r| [
            u(r.os_platform_id),
            u(r.os_major_version),
            u(r.os_minor_version),
            u(r.assembly_ref)
        ]);
        walk!(t, sum, FileRaw, |r| [u(r.flags), h.s(r.name), h.b(r.hash_value)]);
        walk!(t, sum, ExportedTypeRaw, |r| [
            u(r.flags),
            u(r.type_def_id),
            h.s(r.name),
            h.s(r.namespace),
            c(&r.implementation)
        ]);
        walk!(t, sum, ManifestResourceRaw, |r| [u(r.offset_field), u(r.flags), h.s(r.name), c(&r.implementation)]);
        walk!(t, sum, NestedClassRaw, |r| [u(r.nested_class), u(r.enclosing_class)]);
        walk!(t, sum, GenericParamRaw, |r| [u(r.number), u(r.flags), c(&r.owner), h.s(r.name)]);
        walk!(t, sum, MethodSpecRaw, |r| [c(&r.method), h.b(r.instantiation)]);
        walk!(t, sum, GenericParamConstraintRaw, |r| [u(r.owner), c(&r.constraint)]);
        walk!(t, sum, DocumentRaw, |r| [h.b(r.name), h.g(r.hash_algorithm), h.b(r.hash), h.g(r.language)]);
        walk!(t, sum, MethodDebugInformationRaw, |r| [u(r.document), h.b(r.sequence_points)]);
        walk!(t, sum, LocalScopeRaw, |r| [
            u(r.method),
            u(r.import_scope),
            u(r.variable_list),
            u(r.constant_list),
            u(r.start_offset),
            u(r.length)
        ]);
        walk!(t, sum, LocalVariableRaw, |r| [r.attributes as u64, r.index as u64, h.s(r.name)]);
        walk!(t, sum, LocalConstantRaw, |r| [h.s(r.name), h.b(r.signature)]);
        walk!(t, sum, ImportScopeRaw, |r| [u(r.parent), h.b(r.imports)]);
        walk!(t, sum, StateMachineMethodRaw, |r| [u(r.move_next_method), u(r.kickoff_method)]);
        walk!(t, sum, CustomDebugInformationRaw, |r| [c(&r.parent), h.g(r.kind), h.b(r.value)]);
        sum
    }

    pub fn open(data: Vec<u8>) -> CilAssemblyView {
        CilAssemblyView::from_mem_with_validation(data, ValidationConfig::disabled()).expect("dotscope opens the input")
    }

    pub fn open_and_walk(data: Vec<u8>) -> u64 {
        walk(&open(data))
    }
}

// ---------------------------------------------------------------------------------

fn bench_reader(c: &mut Criterion) {
    let (path, data) = input();
    let ours_parsed = Assembly::parse(&data).expect("emit-delta opens the input");
    let view = theirs::open(data.clone());

    // Both walks read the same values: their checksums must agree.
    let rows: u64 = TableId::ALL.iter().map(|&t| ours_parsed.metadata.row_count(t) as u64).sum();
    let tables = TableId::ALL.iter().filter(|&&t| ours_parsed.metadata.row_count(t) > 0).count();
    let (ours_sum, theirs_sum) = (walk_ours(&ours_parsed.metadata), theirs::walk(&view));
    eprintln!(
        "{path}: {rows} rows in {tables} tables; checksums {ours_sum:#x} (emit-delta) {theirs_sum:#x} (dotscope)"
    );
    assert_eq!(ours_sum, theirs_sum, "the two walks must read the same values");

    let mut group = c.benchmark_group("full table walk");
    group.sample_size(30);
    group.bench_function("emit-delta open+walk", |b| b.iter(|| black_box(open_and_walk_ours(black_box(&data)))));
    group.bench_function("dotscope open+walk", |b| {
        b.iter_batched(|| data.clone(), |d| black_box(theirs::open_and_walk(d)), BatchSize::LargeInput)
    });
    group.bench_function("emit-delta walk", |b| b.iter(|| black_box(walk_ours(black_box(&ours_parsed.metadata)))));
    group.bench_function("dotscope walk", |b| b.iter(|| black_box(theirs::walk(black_box(&view)))));
    group.finish();
}

criterion_group!(benches, bench_reader);
criterion_main!(benches);
