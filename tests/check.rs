//! `emit-delta check`: every real delta (Roslyn's own and ours) checks clean, and each
//! defect injected into a real delta is reported under the rule that names it.

mod support;

use std::path::{Path, PathBuf};

use std::process::Command;
use support::delta::{Files, enc_map, find_operand, our_chain, read_cell, rebuild, replace_rows, write_cell};

use emit_delta::Assembly;
use emit_delta::capability::Capabilities;
use emit_delta::chain::{Chain, DeltaFiles};
use emit_delta::check::{Violation, check_chain, rule};
use emit_delta::il::Operand;
use emit_delta::metadata::schema::{CodedIndex, ModuleRow, TableId};
use emit_delta::metadata::{MetadataReader, Token};

const EMIT_DELTA: &str = env!("CARGO_BIN_EXE_emit-delta");

/// The scenarios whose versions apply (rude-edit scenarios write no chain).
fn scenarios() -> Vec<PathBuf> {
    support::scenarios().into_iter().filter(|(_, _, rude)| !rude).map(|(_, dir, _)| dir).collect()
}

fn run_check(baseline: &Path, deltas: &[PathBuf], extra: &[&str]) -> (Option<i32>, String, String) {
    let o = Command::new(EMIT_DELTA).arg("check").arg(baseline).args(deltas).args(extra).output().unwrap();
    (o.status.code(), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn our_deltas_check_clean() {
    let mut checked = 0;
    for scenario in scenarios() {
        let out = tempfile::tempdir().unwrap();
        let deltas = our_chain(&scenario, out.path());
        let (code, stdout, stderr) = run_check(&scenario.join("bin/v1/App.dll"), &deltas, &[]);
        assert_eq!(code, Some(0), "{}: check reported:\n{stdout}{stderr}", scenario.display());
        checked += deltas.len();
    }
    println!("{checked} of our deltas checked clean");
    assert!(checked >= 30, "expected at least 10 scenarios x 3 generations, checked {checked}");
}

/// Roslyn's deltas of `scenario` (built by tools/roslyn-deltas): (baseline, .dmeta paths).
fn roslyn_chain(tool: &Path, dotnet: &Path, scenario: &Path, out: &Path) -> (PathBuf, Vec<PathBuf>) {
    let o = Command::new(dotnet).arg(tool).arg("--no-unsafe").arg(scenario).arg(out).output().unwrap();
    assert!(o.status.success(), "roslyn-deltas {}: {}", scenario.display(), String::from_utf8_lossy(&o.stdout));
    let deltas = support::files_with_extension(&out.join("roslyn"), "dmeta");
    assert!(!deltas.is_empty(), "{}: Roslyn wrote no delta", scenario.display());
    (out.join("v1/App.dll"), deltas)
}

/// What `check` reports on Roslyn's own chains, and why it is Roslyn's defect
/// (docs/roslyn-differences.md, "Custom attributes").
const ROSLYN_KNOWN_VIOLATIONS: &[(&str, &str)] = &[
    // v3 -> v4 rewrites attribute rows of several parents: Roslyn lists them parent by
    // parent (baseline rows, then rows added earlier), so a later parent's baseline row
    // comes after an earlier parent's added row, and its EncMap is not sorted.
    (
        "cs-change-attribute",
        "generation 3 EncMap row 18: enc-map-sorted: 0x0C00001D comes after 0x0C00001E: not sorted",
    ),
];

#[test]
fn roslyn_deltas_check_clean() {
    let Some(dotnet) = support::dotnet("roslyn_deltas_check_clean") else { return };
    let tool = support::build_tool(&dotnet, "roslyn-deltas", "RoslynDeltas");
    let mut checked = 0;
    let roslyn_can_make = |s: &PathBuf| {
        let json = std::fs::read_to_string(s.join("scenario.json")).unwrap_or_default();
        s.file_name().unwrap().to_string_lossy().starts_with("cs-") && !json.contains("\"roslyn_skip\"")
    };
    for scenario in scenarios().iter().filter(|s| roslyn_can_make(s)) {
        let out = tempfile::tempdir().unwrap();
        let (baseline, deltas) = roslyn_chain(&tool, &dotnet, scenario, out.path());
        for d in &deltas {
            assert!(d.with_extension("dpdb").is_file(), "{}: no .dpdb", d.display());
        }
        let (code, stdout, stderr) = run_check(&baseline, &deltas, &[]);
        let name = scenario.file_name().unwrap().to_string_lossy();
        let known: Vec<&str> =
            ROSLYN_KNOWN_VIOLATIONS.iter().filter(|(s, _)| *s == name).map(|(_, line)| *line).collect();
        if known.is_empty() {
            assert_eq!(code, Some(0), "{}: check reported on Roslyn's deltas:\n{stdout}{stderr}", scenario.display());
        } else {
            let found: Vec<&str> = stdout.lines().collect();
            assert_eq!(found, known, "{name}: check on Roslyn's deltas: {stderr}");
        }
        checked += deltas.len();
    }
    println!("{checked} Roslyn deltas (.dmeta + .dil + .dpdb) checked clean");
    // 12 C# scenarios (6 with additions, deletions or renames) x 3 generations.
    assert!(checked >= 36, "expected 12 C# scenarios x 3 generations, checked {checked}");
}

#[test]
fn cli_reports_usage_and_unreadable_files() {
    let scenario = support::repo().join("testdata/scenarios/cs-literal-arith");
    let baseline = scenario.join("bin/v1/App.dll");
    let (code, _, _) = run_check(&baseline, &[], &[]);
    assert_eq!(code, Some(2), "no delta is a usage error");
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.dmeta");
    std::fs::write(&junk, b"BSJB not metadata").unwrap();
    let (code, _, stderr) = run_check(&baseline, &[junk], &[]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("junk.dmeta"), "{stderr}");
}

// ---- defect injection (helpers in tests/support/delta.rs) ------------------------------

fn rules(violations: &[Violation]) -> Vec<&'static str> {
    violations.iter().map(|v| v.rule).collect()
}

/// Applies `inject` to a copy of `clean` and asserts that `expected` is reported.
fn assert_caught(clean: &Files, defect: &str, expected: &str, inject: impl FnOnce(&mut Files)) {
    let mut files = clean.clone();
    inject(&mut files);
    let found = files.check(None);
    assert!(
        found.iter().any(|v| v.rule == expected),
        "{defect}: expected rule {expected}, got {:?}\n{}",
        rules(&found),
        found.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
    );
    println!("{defect}: caught as {expected} ({} violations)", found.len());
}

#[test]
fn injected_defects_in_our_deltas_are_reported_by_rule() {
    let scenario = support::repo().join("testdata/scenarios/cs-bcl-call");
    let out = tempfile::tempdir().unwrap();
    let deltas = our_chain(&scenario, out.path());
    let clean = Files::read(&scenario.join("bin/v1/App.dll"), &deltas);
    assert_eq!(clean.check(None), Vec::new(), "the clean chain has violations");

    let module =
        |f: &Files, n: usize| -> ModuleRow { MetadataReader::parse(&f.generations[n].dmeta).unwrap().row(1).unwrap() };
    let mut caught = 0;
    let mut expect = |defect: &str, expected: &str, inject: &dyn Fn(&mut Files)| {
        assert_caught(&clean, defect, expected, inject);
        caught += 1;
    };

    expect("EncMap rows 1 and 2 swapped", rule::ENC_MAP_SORTED, &|f| {
        let md = &mut f.generations[0].dmeta;
        let (a, b) = (read_cell(md, TableId::EncMap, 1, 0), read_cell(md, TableId::EncMap, 2, 0));
        write_cell(md, TableId::EncMap, 1, 0, b);
        write_cell(md, TableId::EncMap, 2, 0, a);
    });
    expect("EncMap row 2 repeats row 1", rule::ENC_MAP_DUPLICATE, &|f| {
        let md = &mut f.generations[0].dmeta;
        let first = read_cell(md, TableId::EncMap, 1, 0);
        write_cell(md, TableId::EncMap, 2, 0, first);
    });
    expect("last row missing from the EncMap", rule::ENC_MAP_COMPLETE, &|f| {
        let md = &f.generations[0].dmeta;
        let mut map = enc_map(md);
        map.pop();
        let rows: Vec<Vec<u32>> = map.into_iter().map(|t| vec![t]).collect();
        f.generations[0].dmeta = replace_rows(md, TableId::EncMap, &rows);
    });
    expect("#JTD header renamed", rule::MINIMAL_DELTA_MARKER, &|f| {
        let md = &mut f.generations[0].dmeta;
        let at = md.windows(5).position(|w| w == b"#JTD\0").expect("#JTD header");
        md[at + 3] = b'X';
    });
    expect("heap-size flags without the EnC bits", rule::HEAP_SIZE_FLAGS, &|f| {
        let md = &mut f.generations[0].dmeta;
        let stream = MetadataReader::parse(md).unwrap().root.header("#-").unwrap().offset as usize;
        md[stream + 6] = 0x07;
    });
    expect("Module name past the chain's #Strings", rule::HEAP_INDEX_RANGE, &|f| {
        let md = &mut f.generations[0].dmeta;
        let reader = MetadataReader::parse(md).unwrap();
        let past = 0x0010_0000 + reader.strings.size() as u32;
        write_cell(md, TableId::Module, 1, 1, past);
    });
    expect("Module name below the delta's #Strings (wrong base)", rule::MODULE_NAME, &|f| {
        let md = &mut f.generations[0].dmeta;
        let name = read_cell(md, TableId::Module, 1, 1);
        write_cell(md, TableId::Module, 1, 1, name - 8);
    });
    let unpadded = |f: &mut Files| {
        let md = &f.generations[1].dmeta;
        let earlier = (module(f, 0).enc_id.0) as usize; // gen 1's GUIDs end at its EncId
        let stripped =
            rebuild(md, |name, bytes| if name == "#GUID" { bytes[earlier * 16..].to_vec() } else { bytes.to_vec() });
        let mut stripped = stripped;
        for column in 2..=4 {
            let v = read_cell(&stripped, TableId::Module, 1, column);
            write_cell(&mut stripped, TableId::Module, 1, column, v.saturating_sub(earlier as u32));
        }
        f.generations[1].dmeta = stripped;
    };
    expect("generation 2's #GUID without the earlier GUIDs' zero slots", rule::GUID_HEAP_PADDING, &unpadded);
    expect("Mvid pointing at the EncId", rule::MODULE_MVID, &|f| {
        let enc = module(f, 0).enc_id.0;
        write_cell(&mut f.generations[0].dmeta, TableId::Module, 1, 2, enc);
    });
    expect("generation 2's EncBaseId is its own EncId", rule::ENC_BASE_ID, &|f| {
        let enc = module(f, 1).enc_id.0;
        write_cell(&mut f.generations[1].dmeta, TableId::Module, 1, 4, enc);
    });
    expect("Generation column 7 in generation 1", rule::MODULE_GENERATION, &|f| {
        write_cell(&mut f.generations[0].dmeta, TableId::Module, 1, 0, 7);
    });
    expect("AddMethod on a TypeDef followed by a TypeRef entry", rule::ENC_LOG_ANNOUNCEMENT, &|f| {
        let md = &mut f.generations[0].dmeta;
        write_cell(md, TableId::EncLog, 1, 0, Token::new(TableId::TypeDef, 2).0);
        write_cell(md, TableId::EncLog, 1, 1, 1);
    });
    expect("added TypeRef row with a gap after the earlier rows", rule::ROW_IDS_CONTIGUOUS, &|f| {
        let md = &mut f.generations[0].dmeta;
        let map = enc_map(md);
        let last_typeref = map.iter().rposition(|&t| t >> 24 == TableId::TypeRef as u32).expect("an added TypeRef");
        write_cell(md, TableId::EncMap, last_typeref as u32 + 1, 0, map[last_typeref] + 5);
    });
    expect("MethodDef RVA past the end of the .dil", rule::METHOD_RVA, &|f| {
        let g = &mut f.generations[0];
        let past = g.dil.len() as u32 + 8;
        write_cell(&mut g.dmeta, TableId::MethodDef, 1, 0, past);
    });
    expect("ParamList not 0", rule::LIST_COLUMN_ZERO, &|f| {
        write_cell(&mut f.generations[0].dmeta, TableId::MethodDef, 1, 5, 1);
    });
    expect("call to a MemberRef past the chain's row count", rule::IL_TOKEN_RANGE, &|f| {
        let g = &mut f.generations[0];
        let (at, token) = find_operand(g, |o| match o {
            Operand::Token(t) if t.table() == Some(TableId::MemberRef) => Some(*t),
            _ => None,
        })
        .expect("a MemberRef operand");
        let beyond = Token::new(TableId::MemberRef, 0xFFFF);
        assert_ne!(token, beyond);
        g.dil[at..at + 4].copy_from_slice(&beyond.0.to_le_bytes());
    });
    expect("MemberRef.Class naming a TypeRef past the chain's rows", rule::ROW_TOKEN_RANGE, &|f| {
        let coded = CodedIndex::MemberRefParent.encode(Token::new(TableId::TypeRef, 0xFFFF)).unwrap();
        write_cell(&mut f.generations[0].dmeta, TableId::MemberRef, 1, 0, coded);
    });
    expect("ldstr into the middle of a #US entry", rule::LDSTR_OFFSET, &|f| {
        let g = &mut f.generations[0];
        let (at, token) = find_operand(g, |o| match o {
            Operand::String(t) => Some(*t),
            _ => None,
        })
        .expect("an ldstr");
        g.dil[at..at + 4].copy_from_slice(&(token.0 + 1).to_le_bytes());
    });
    expect("EncLog with the MethodDef entry before the references", rule::ENC_LOG_ORDER, &|f| {
        let md = &mut f.generations[0].dmeta;
        let log: Vec<Vec<u32>> = (1..=MetadataReader::parse(md).unwrap().row_count(TableId::EncLog))
            .map(|rid| vec![read_cell(md, TableId::EncLog, rid, 0), read_cell(md, TableId::EncLog, rid, 1)])
            .collect();
        let at = log.iter().position(|r| r[0] >> 24 == TableId::MethodDef as u32).expect("a MethodDef entry");
        assert!(at > 0, "the MethodDef entry is already first");
        let mut reordered = log.clone();
        let entry = reordered.remove(at);
        reordered.insert(0, entry);
        *md = replace_rows(md, TableId::EncLog, &reordered);
    });
    expect("#US entry without its terminal byte", rule::USER_STRING_FORMAT, &|f| {
        let md = &f.generations[0].dmeta;
        f.generations[0].dmeta = rebuild(md, |name, bytes| {
            let mut b = bytes.to_vec();
            if name == "#US" {
                // The first entry: a 1-byte length 2n+1 becomes 2n, its last byte goes.
                let len = b[1] as usize;
                assert!(len < 0x80 && len % 2 == 1, "a short literal first");
                b[1] = (len - 1) as u8;
                b.remove(1 + len);
                b.push(0);
            }
            b
        });
    });
    println!("{caught} injected defects caught");
    assert!(caught >= 10);
}

/// (EncLog row, parent, added member) of every announcement of `op` in a delta.
fn announced(md: &[u8], op: u32) -> Vec<(u32, u32, u32)> {
    let reader = MetadataReader::parse(md).unwrap();
    let rows = reader.row_count(TableId::EncLog);
    (1..rows)
        .filter(|&rid| read_cell(md, TableId::EncLog, rid, 1) == op)
        .map(|rid| (rid, read_cell(md, TableId::EncLog, rid, 0), read_cell(md, TableId::EncLog, rid + 1, 0)))
        .collect()
}

/// Our clean chain of `scenario` (generations 1..3) in memory.
fn our_files(scenario: &str) -> (tempfile::TempDir, Files) {
    let scenario = support::repo().join("testdata/scenarios").join(scenario);
    let out = tempfile::tempdir().unwrap();
    let deltas = our_chain(&scenario, out.path());
    let files = Files::read(&scenario.join("bin/v1/App.dll"), &deltas);
    assert_eq!(files.check(None), Vec::new(), "{}: the clean chain has violations", scenario.display());
    (out, files)
}

#[test]
fn injected_addition_defects_are_reported_by_rule() {
    let (_methods_dir, methods) = our_files("cs-add-method");
    // Generation 1 adds two methods to Counter and two to Program: hand the lowest added
    // MethodDef to the type of the highest, so that type's added methods are split.
    let adds = announced(&methods.generations[0].dmeta, 1);
    assert!(adds.len() >= 3, "cs-add-method generation 1 adds at least 3 methods: {adds:x?}");
    let first = *adds.iter().min_by_key(|a| a.2).unwrap();
    let last = *adds.iter().max_by_key(|a| a.2).unwrap();
    assert_ne!(first.1, last.1, "the lowest and highest added methods belong to different types");
    assert_caught(
        &methods,
        "AddMethod of the first added method moved to another type",
        rule::ADDED_MEMBERS_CONTIGUOUS,
        |f| {
            write_cell(&mut f.generations[0].dmeta, TableId::EncLog, first.0, 0, last.1);
        },
    );

    let (_types_dir, types) = our_files("cs-add-type");
    // Box<T> gets a PropertyMap in generation 1 (Count), IShape and Square in generation 2.
    let map_rows =
        |f: &Files, n: usize| MetadataReader::parse(&f.generations[n].dmeta).unwrap().row_count(TableId::PropertyMap);
    assert!(
        map_rows(&types, 0) >= 1 && map_rows(&types, 1) >= 1,
        "cs-add-type adds PropertyMap rows in generations 1 and 2"
    );
    assert_caught(
        &types,
        "a second PropertyMap for the type that got one in generation 1",
        rule::MAP_ROW_UNIQUE,
        |f| {
            let box_type = read_cell(&f.generations[0].dmeta, TableId::PropertyMap, 1, 0);
            write_cell(&mut f.generations[1].dmeta, TableId::PropertyMap, 1, 0, box_type);
        },
    );

    let (_properties_dir, properties) = our_files("cs-add-property");
    // Generation 1 adds Person.Age and Person.Title, their accessors and Person's PropertyMap.
    assert!(
        MetadataReader::parse(&properties.generations[0].dmeta).unwrap().row_count(TableId::MethodSemantics) >= 2,
        "cs-add-property generation 1 links accessors"
    );
    assert_caught(&properties, "MethodSemantics naming MethodDef nil", rule::SEMANTICS_TARGET, |f| {
        write_cell(&mut f.generations[0].dmeta, TableId::MethodSemantics, 1, 1, 0);
    });
    assert_caught(&properties, "MethodSemantics naming no property or event", rule::SEMANTICS_TARGET, |f| {
        write_cell(&mut f.generations[0].dmeta, TableId::MethodSemantics, 1, 2, 0);
    });
    assert_caught(
        &properties,
        "the new PropertyMap's Parent another type than the accessors'",
        rule::SEMANTICS_OWNER,
        |f| {
            let md = &mut f.generations[0].dmeta;
            let person = read_cell(md, TableId::PropertyMap, 1, 0);
            let other = if person == 2 { 3 } else { 2 };
            write_cell(md, TableId::PropertyMap, 1, 0, other);
        },
    );
}

/// cs-change-attribute generation 1 rewrites baseline CustomAttribute rows (its lowest
/// CustomAttribute token is the property's baseline row); cs-add-static-data generations
/// 1 and 2 add fields with data (FieldRVA).
#[test]
fn injected_member_update_defects_are_reported_by_rule() {
    let (_attributes_dir, attributes) = our_files("cs-change-attribute");
    let base = emit_delta::Assembly::parse(&attributes.baseline).unwrap().metadata.row_count(TableId::CustomAttribute);
    let encmap = MetadataReader::parse(&attributes.generations[0].dmeta).unwrap();
    let first_attribute = (1..=encmap.row_count(TableId::EncMap))
        .map(|rid| read_cell(&attributes.generations[0].dmeta, TableId::EncMap, rid, 0))
        .find(|&t| t >> 24 == TableId::CustomAttribute as u32)
        .unwrap();
    assert!(
        first_attribute & 0xFF_FFFF <= base,
        "generation 1 rewrites a baseline attribute row: {first_attribute:#x}"
    );
    assert_caught(&attributes, "a rewritten attribute row handed to another parent", rule::ATTRIBUTE_ROW_OWNER, |f| {
        // HasCustomAttribute of TypeDef 2 (App.NoteAttribute): (2 << 5) | 3.
        write_cell(&mut f.generations[0].dmeta, TableId::CustomAttribute, 1, 0, (2 << 5) | 3);
    });
    assert_caught(&attributes, "an unused attribute row naming a constructor", rule::ATTRIBUTE_ROW_OWNER, |f| {
        let md = &mut f.generations[2].dmeta;
        let rows = MetadataReader::parse(md).unwrap().row_count(TableId::CustomAttribute);
        let unused = (1..=rows).find(|&rid| read_cell(md, TableId::CustomAttribute, rid, 0) >> 5 == 0).unwrap();
        // CustomAttributeType of MethodDef 1 (NoteAttribute's constructor): (1 << 3) | 2.
        write_cell(md, TableId::CustomAttribute, unused, 1, (1 << 3) | 2);
    });

    let (_data_dir, data) = our_files("cs-add-static-data");
    assert!(MetadataReader::parse(&data.generations[1].dmeta).unwrap().row_count(TableId::FieldRVA) >= 1);
    assert_caught(&data, "FieldRVA data past the end of the .dil", rule::FIELD_RVA_TARGET, |f| {
        write_cell(&mut f.generations[0].dmeta, TableId::FieldRVA, 1, 0, 0x00FF_FFFF);
    });
    assert_caught(&data, "FieldRVA giving data to a field an earlier generation added", rule::FIELD_RVA_TARGET, |f| {
        write_cell(&mut f.generations[1].dmeta, TableId::FieldRVA, 1, 1, 1);
    });
}

#[test]
fn capabilities_flag_edits_outside_them() {
    let scenario = support::repo().join("testdata/scenarios/cs-bcl-call");
    let out = tempfile::tempdir().unwrap();
    let deltas = our_chain(&scenario, out.path());
    let mut files = Files::read(&scenario.join("bin/v1/App.dll"), &deltas);
    let baseline_only = Capabilities::parse("Baseline");
    assert_eq!(files.check(Some(baseline_only)), Vec::new(), "body updates need only Baseline");
    // Relabel the last added TypeRef row as a new TypeDef: a new type needs NewTypeDefinition.
    let md = &mut files.generations[0].dmeta;
    let map = enc_map(md);
    let last_typeref = map.iter().rposition(|&t| t >> 24 == TableId::TypeRef as u32).unwrap();
    let baseline_types = Assembly::parse(&files.baseline).unwrap().metadata.row_count(TableId::TypeDef);
    write_cell(md, TableId::EncMap, last_typeref as u32 + 1, 0, Token::new(TableId::TypeDef, baseline_types + 1).0);
    let found = files.check(Some(baseline_only));
    assert!(
        found.iter().any(|v| v.rule == rule::CAPABILITY_MISSING && v.message.contains("NewTypeDefinition")),
        "{found:?}"
    );
    let all = Capabilities::CORECLR_NET10;
    assert!(!files.check(Some(all)).iter().any(|v| v.rule == rule::CAPABILITY_MISSING));
    assert!(!files.check(None).iter().any(|v| v.rule == rule::CAPABILITY_MISSING));
}

/// Generation 1's `.dpdb`.
fn pdb(f: &mut Files) -> &mut Vec<u8> {
    f.generations[0].dpdb.as_mut().expect("a .dpdb")
}

#[test]
fn injected_defects_in_roslyn_pdb_deltas_are_reported_by_rule() {
    let Some(dotnet) = support::dotnet("injected_defects_in_roslyn_pdb_deltas_are_reported_by_rule") else { return };
    let tool = support::build_tool(&dotnet, "roslyn-deltas", "RoslynDeltas");
    let scenario = support::repo().join("testdata/scenarios/cs-lambda");
    let out = tempfile::tempdir().unwrap();
    let (baseline, deltas) = roslyn_chain(&tool, &dotnet, &scenario, out.path());
    let clean = Files::read(&baseline, &deltas);
    assert_eq!(clean.check(None), Vec::new(), "Roslyn's clean chain has violations");
    let mut caught = 0;
    let mut expect = |defect: &str, expected: &str, inject: &dyn Fn(&mut Files)| {
        assert_caught(&clean, defect, expected, inject);
        caught += 1;
    };
    expect("an EncLog row in the .dpdb", rule::PDB_NO_ENC_LOG, &|f| {
        let md = pdb(f);
        *md = replace_rows(md, TableId::EncLog, &[vec![Token::new(TableId::MethodDebugInformation, 1).0, 0]]);
    });
    expect(".dpdb EncMap rows 1 and 2 swapped", rule::PDB_ENC_MAP, &|f| {
        let md = pdb(f);
        let (a, b) = (read_cell(md, TableId::EncMap, 1, 0), read_cell(md, TableId::EncMap, 2, 0));
        write_cell(md, TableId::EncMap, 1, 0, b);
        write_cell(md, TableId::EncMap, 2, 0, a);
    });
    expect(".dpdb EncMap missing its last row", rule::PDB_ENC_MAP_COMPLETE, &|f| {
        let md = pdb(f);
        let mut map = enc_map(md);
        map.pop();
        let rows: Vec<Vec<u32>> = map.into_iter().map(|t| vec![t]).collect();
        *md = replace_rows(md, TableId::EncMap, &rows);
    });
    expect(".dpdb EncMap naming a method the delta does not have", rule::PDB_METHOD_MAP, &|f| {
        let md = pdb(f);
        let map = enc_map(md);
        let last = map.len() as u32;
        write_cell(md, TableId::EncMap, last, 0, map[map.len() - 1] + 1);
    });
    expect("MethodDebugInformation naming Document 99", rule::PDB_DOCUMENT, &|f| {
        write_cell(pdb(f), TableId::MethodDebugInformation, 1, 0, 99);
    });
    expect("#Pdb MethodDef row count off by one", rule::PDB_ROW_COUNTS, &|f| {
        let md = pdb(f);
        let reader = MetadataReader::parse(md).unwrap();
        let stream = reader.root.header("#Pdb").unwrap().offset as usize;
        let referenced = reader.pdb.as_ref().unwrap().referenced_tables;
        let before = (referenced & ((1u64 << TableId::MethodDef as u8) - 1)).count_ones() as usize;
        let at = stream + 32 + 4 * before;
        let count = u32::from_le_bytes(md[at..at + 4].try_into().unwrap());
        md[at..at + 4].copy_from_slice(&(count + 1).to_le_bytes());
    });
    println!("{caught} injected PDB defects caught");
}

#[test]
fn every_rule_is_documented() {
    let doc = std::fs::read_to_string(support::repo().join("docs/check-rules.md")).unwrap();
    for name in rule::ALL {
        assert!(doc.contains(&format!("`{name}`")), "docs/check-rules.md does not describe {name}");
    }
}

/// A clean chain of ours, written once for the mutation test.
fn mutation_seed() -> &'static Files {
    static SEED: std::sync::OnceLock<(tempfile::TempDir, Files)> = std::sync::OnceLock::new();
    let (_, files) = SEED.get_or_init(|| {
        let scenario = support::repo().join("testdata/scenarios/cs-bcl-call");
        let out = tempfile::tempdir().unwrap();
        let deltas = our_chain(&scenario, out.path());
        let files = Files::read(&scenario.join("bin/v1/App.dll"), &deltas);
        (out, files)
    });
    files
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

    /// Byte edits anywhere in a real .dmeta/.dil never make `check` panic: the chain
    /// either fails to open (an error) or yields violations.
    #[test]
    fn check_never_panics_on_mutated_deltas(
        edits in proptest::collection::vec((0usize..3, 0usize..2, proptest::prelude::any::<proptest::sample::Index>(), proptest::prelude::any::<u8>()), 1..12),
    ) {
        let mut files = mutation_seed().clone();
        for (generation, file, at, value) in edits {
            let g = &mut files.generations[generation];
            let bytes = if file == 0 { &mut g.dmeta } else { &mut g.dil };
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let baseline = Assembly::parse(&files.baseline).unwrap();
        let deltas: Vec<DeltaFiles<'_>> = files
            .generations
            .iter()
            .map(|g| DeltaFiles { metadata: &g.dmeta, il: Some(&g.dil), pdb: None })
            .collect();
        if let Ok(chain) = Chain::open(baseline.metadata.clone(), &deltas) {
            let _ = check_chain(&chain, Some(Capabilities::parse("Baseline")));
        }
    }
}
