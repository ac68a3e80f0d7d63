//! Roslyn's own deltas as the reference: for every C# scenario, emit-delta's chain on
//! Roslyn's full builds must compare equal to Roslyn's chain (`chain::compare`, what
//! `mdv-compare diff` prints) except for the documented design choices of
//! docs/roslyn-differences.md. The exact remaining differences of each scenario are
//! committed under testdata/roslyn-differences/ (regenerate with
//! `MDV_COMPARE_BLESS=1`; `MDV_COMPARE_ONLY=cs-a,cs-b` limits the run to those
//! scenarios), and every line must belong to a documented category.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use emit_delta::chain::compare::{Difference, compare_chains};
use emit_delta::chain::files::{OwnedDelta, read_chain_dir};
use emit_delta::chain::{Chain, DeltaFiles};
use emit_delta::metadata::MetadataReader;
use emit_delta::metadata::schema::{DocumentRow, MethodDebugInformationRow, TableId};
use emit_delta::pdb::{decode_sequence_points, encode_sequence_points};
use emit_delta::{Assembly, FileBytes};

const EMIT_DELTA: &str = env!("CARGO_BIN_EXE_emit-delta");

/// The documented categories (docs/roslyn-differences.md), as line patterns; `lines` are
/// all of the scenario's lines (a method's debug rows count as re-emitted only when
/// its MethodDef row is).
fn category(line: &str, lines: &[String]) -> Option<&'static str> {
    let (generation, rest) = line.strip_prefix("gen ")?.split_once(' ')?;
    if (rest.starts_with("IL 0x06") || rest.starts_with("pdb MethodDebugInformation 0x06"))
        && rest.contains(" locals: ours StandAloneSig(locals(")
    {
        return Some("local slot layout");
    }
    if rest.starts_with("StandAloneSig row ")
        && (rest.contains("(row): ours - | theirs StandAloneSig(locals(")
            || (rest.contains("(row): ours StandAloneSig(locals(") && rest.ends_with(" | theirs -")))
    {
        return Some("local slot layout");
    }
    let theirs_only = |prefix: &str, value: &str| {
        rest.starts_with(prefix) && rest.contains(&format!("(row): ours - | theirs {value}("))
    };
    if theirs_only("MethodDef 0x06", "MethodDef") || theirs_only("Param 0x08", "Param") {
        return Some("Roslyn re-emits every edited method");
    }
    if (rest.starts_with("EncLog (entry): ours - | theirs 0x06") && rest.ends_with(" Default"))
        || (rest.starts_with("EncLog (entry): ours - | theirs 0x08") && rest.ends_with(" Default"))
        || rest.starts_with("EncMap (entry): ours - | theirs 0x06")
        || rest.starts_with("EncMap (entry): ours - | theirs 0x08")
    {
        return Some("Roslyn re-emits every edited method");
    }
    // The debug rows of a method only Roslyn's delta updates.
    let re_emitted = |method: &str| {
        lines
            .iter()
            .any(|l| l.starts_with(&format!("gen {generation} MethodDef {method} (row): ours - | theirs MethodDef(")))
    };
    let method = if let Some(r) = rest.strip_prefix("pdb MethodDebugInformation ") {
        r.split_once(" (row): ours - | theirs MethodDebugInformation(").map(|(m, _)| m)
    } else if let Some(r) = rest.strip_prefix("pdb LocalScope row ") {
        r.split_once(" (row): ours - | theirs LocalScope(").and_then(|(_, v)| v.split_once(',')).map(|(m, _)| m)
    } else {
        None
    };
    if method.is_some_and(re_emitted) {
        return Some("Roslyn re-emits every edited method");
    }
    // ... with its custom attributes (a re-emitted local function's [CompilerGenerated]),
    // and their EncLog/EncMap entries.
    let attribute_of = |r: &str| {
        r.strip_prefix("CustomAttribute row ")
            .and_then(|r| r.split_once(" (row): ours - | theirs CustomAttribute("))
            .and_then(|(_, v)| v.split_once(','))
            .map(|(parent, _)| parent.to_string())
    };
    // Roslyn also rewrites the [CompilerGenerated] row of a local function that both
    // chains update.
    let re_emitted_row = |r: &str| {
        attribute_of(r).is_some_and(|parent| {
            re_emitted(&parent) || parent.starts_with("0x06") && r.contains("\"CompilerGeneratedAttribute\"")
        })
    };
    if re_emitted_row(rest) {
        return Some("Roslyn re-emits every edited method");
    }
    let re_emitted_attribute = lines
        .iter()
        .filter(|l| l.starts_with(&format!("gen {generation} ")))
        .any(|l| l.splitn(3, ' ').nth(2).is_some_and(re_emitted_row));
    if re_emitted_attribute
        && (rest.starts_with("EncLog (entry): ours - | theirs 0x0C") && rest.ends_with(" Default")
            || rest.starts_with("EncMap (entry): ours - | theirs 0x0C"))
    {
        return Some("Roslyn re-emits every edited method");
    }
    // A method Roslyn re-emits gets debug rows in its .dpdb; when ours updates no body in
    // that generation, ours has no Document or ImportScope rows to pair them with.
    let any_re_emitted = lines.iter().any(|l| {
        l.starts_with(&format!("gen {generation} MethodDef ")) && l.contains(" (row): ours - | theirs MethodDef(")
    });
    if any_re_emitted
        && (rest.starts_with("pdb Document row ") || rest.starts_with("pdb ImportScope row "))
        && rest.contains(" (row): ours - | theirs ")
    {
        return Some("Roslyn re-emits every edited method");
    }
    addition_category(generation, rest, lines).or_else(|| member_update_category(generation, rest, lines))
}

/// The categories of attribute and parameter edits (docs/roslyn-differences.md,
/// "Custom attributes and parameters").
fn member_update_category(generation: &str, rest: &str, lines: &[String]) -> Option<&'static str> {
    let in_generation = |l: &&String| l.starts_with(&format!("gen {generation} "));
    let (ours, theirs) = sides(rest)?;
    // Ours: one unused CustomAttribute row in a generation that otherwise only rewrites
    // rows (CoreCLR rebuilds its sorted view of the table only when rows are added).
    let unused_row = |l: &String| {
        l.contains("CustomAttribute row ") && l.contains("(row): ours CustomAttribute(nil, nil, 0x) | theirs -")
    };
    if ours == "CustomAttribute(nil, nil, 0x)" && theirs == "-" {
        return Some("unused attribute row");
    }
    if lines.iter().filter(in_generation).any(unused_row)
        && (rest.starts_with("EncLog (entry)") || rest.starts_with("EncMap (entry)"))
        && theirs == "-"
        && ours.starts_with("0x0C")
    {
        return Some("unused attribute row");
    }
    // Roslyn: an Update edit of a type, field, property or event (its attributes changed)
    // re-writes its definition row, and a property's or event's MethodSemantics rows.
    const DEFINITIONS: [(&str, &str); 4] = [
        ("TypeDef 0x02", "TypeDef("),
        ("Field 0x04", "Field("),
        ("Property 0x17", "Property("),
        ("Event 0x14", "Event("),
    ];
    if ours == "-" && DEFINITIONS.iter().any(|(row, value)| rest.starts_with(row) && theirs.starts_with(value)) {
        return Some("Roslyn re-emits a member whose attributes changed");
    }
    // A definition row only Roslyn's generation writes.
    let re_emitted = |token: &str| {
        lines.iter().filter(in_generation).any(|l| l.contains(&format!(" {token} (row): ours - | theirs ")))
    };
    if ours == "-" && rest.starts_with("MethodSemantics row ") && theirs.starts_with("MethodSemantics(") {
        let association = theirs.trim_end_matches(')').rsplit(", ").next().unwrap_or("");
        if re_emitted(association) {
            return Some("Roslyn re-emits a member whose attributes changed");
        }
    }
    if ours == "-" && (rest.starts_with("EncLog (entry)") || rest.starts_with("EncMap (entry)")) {
        let token = theirs.split(' ').next().unwrap_or("");
        let semantics = token.starts_with("0x18")
            && lines
                .iter()
                .filter(in_generation)
                .any(|l| l.contains("MethodSemantics row ") && l.contains("(row): ours - | theirs MethodSemantics("));
        if semantics || (["0x02", "0x04", "0x14", "0x17"].iter().any(|t| token.starts_with(t)) && re_emitted(token)) {
            return Some("Roslyn re-emits a member whose attributes changed");
        }
    }
    None
}

/// The two sides of a difference line's value: (ours, theirs).
fn sides(rest: &str) -> Option<(&str, &str)> {
    let (_, values) = rest.split_once(": ours ")?;
    values.split_once(" | theirs ")
}

/// `s` with every `#<digits>` generation suffix removed (`<Run>b__0_1#1` → `<Run>b__0_1`).
fn without_generation_suffixes(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '#' && chars.peek().is_some_and(char::is_ascii_digit) {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A `CustomAttribute(parent, constructor, 0xVALUE)` row whose value is one string
/// argument (a `typeof`), with the generation suffixes of that string removed and the
/// value written back as text; other rows as they are.
fn attribute_without_generation_suffix(row: &str) -> String {
    let Some((head, hex)) = row.strip_suffix(')').and_then(|r| r.rsplit_once(", 0x")) else {
        return row.to_string();
    };
    let bytes: Option<Vec<u8>> =
        (0..hex.len()).step_by(2).map(|i| hex.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect();
    // Prolog 01 00, a one-byte length (names below 128 bytes), the string, no named arguments.
    match bytes.as_deref() {
        Some([1, 0, len, rest @ ..]) if rest.len() == *len as usize + 2 && rest.ends_with(&[0, 0]) => {
            let text = String::from_utf8_lossy(&rest[..*len as usize]);
            format!("{head}, typeof {})", without_generation_suffixes(&text))
        }
        _ => row.to_string(),
    }
}

/// `s` with every token `0xTTRRRRRR` of a row table reduced to its table (`0x06……`), so
/// two values that name rows numbered differently compare equal.
fn without_row_ids(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"0x")
            && i + 10 <= bytes.len()
            && bytes[i + 2..i + 10].iter().all(u8::is_ascii_hexdigit)
        {
            out.push_str(&s[i..i + 4]);
            out.push_str("……");
            i += 10;
        } else {
            out.push(bytes[i] as char);
            i += 1;
        }
    }
    out
}

/// A MethodDef row value without its RVA (an offset into each chain's own `.dil`).
fn without_rva(value: &str) -> String {
    match value.strip_prefix("MethodDef(").and_then(|v| v.split_once(", ")) {
        Some((_, rest)) => format!("MethodDef(_, {rest}"),
        None => value.to_string(),
    }
}

/// The categories of additions and deletions (docs/roslyn-differences.md, "Additions").
fn addition_category(generation: &str, rest: &str, lines: &[String]) -> Option<&'static str> {
    let in_generation = |l: &&String| l.starts_with(&format!("gen {generation} "));
    let (ours, theirs) = sides(rest)?;

    // Names Roslyn gives synthesized members added in a later generation (`#G` suffix),
    // and those emit-delta gives added definitions a chain name may already have.
    if (rest.contains(" Name: ") || rest.contains(" TypeName: "))
        && ours != "-"
        && theirs != "-"
        && without_generation_suffixes(ours) == without_generation_suffixes(theirs)
    {
        return Some("generation suffix of synthesized names");
    }
    // ... and the state machine attribute of an added async or iterator method, whose
    // `typeof` names the state machine by that name: the row on each side, equal but
    // for the suffix.
    if rest.starts_with("CustomAttribute row ") && rest.contains("StateMachineAttribute\"") {
        let value = if ours == "-" { theirs } else { ours };
        let counterpart = lines.iter().filter(in_generation).filter_map(|l| sides(l)).any(|(o, t)| {
            let other = if ours == "-" { o } else { t };
            other != "-" && attribute_without_generation_suffix(other) == attribute_without_generation_suffix(value)
        });
        if (ours == "-" || theirs == "-") && counterpart {
            return Some("generation suffix of synthesized names");
        }
    }

    // A deleted method's message: Roslyn's text, with the member named in ours.
    let message =
        |v: &str| v.strip_prefix("ldstr \"Attempted to invoke a deleted method implementation").map(str::to_string);
    if rest.starts_with("IL ")
        && let (Some(ours), Some(theirs)) = (message(ours), message(theirs))
        && let Some((named, after)) = ours.strip_prefix(" (").and_then(|o| o.split_once(")."))
        && !named.is_empty()
        && theirs == format!(".{after}")
    {
        return Some("deleted method: the message names the member");
    }

    // Roslyn marks each deleted method [MetadataUpdateDeleted] (an attribute on an
    // existing row; a reference into System.Runtime.Loader) and deletes the attribute
    // again (Parent nil) from a method added back; with their EncLog/EncMap entries.
    let roslyn_marks_deleted = lines.iter().filter(in_generation).any(|l| l.contains("MetadataUpdateDeletedAttribute"));
    if roslyn_marks_deleted
        && ours == "-"
        && (theirs.contains("MetadataUpdateDeletedAttribute")
            || theirs.starts_with("AssemblyRef(") && theirs.contains("\"System.Runtime.Loader\"")
            || theirs == "CustomAttribute(nil, nil, 0x)"
            || (rest.starts_with("EncLog (entry)") || rest.starts_with("EncMap (entry)")) && theirs.starts_with("0x0C"))
    {
        return Some("deleted method: [MetadataUpdateDeleted] in Roslyn's");
    }

    // Roslyn deletes (Parent nil) the generation-1 [CompilerGenerated] of a record's
    // EqualityContract property in a generation that does not edit the record; with its
    // EncLog/EncMap entries. Not analysed further (docs/roslyn-differences.md).
    let nil_attribute =
        lines.iter().filter(in_generation).any(|l| l.ends_with("(row): ours - | theirs CustomAttribute(nil, nil, 0x)"));
    if nil_attribute
        && !roslyn_marks_deleted
        && (theirs == "CustomAttribute(nil, nil, 0x)"
            || (rest.starts_with("EncLog (entry)") || rest.starts_with("EncMap (entry)"))
                && ours == "-"
                && theirs.starts_with("0x0C"))
    {
        return Some("attribute deleted by Roslyn (not analysed)");
    }

    // A new PropertyMap/EventMap row: list column 0 in ours (as every list column of a
    // delta), the map row's own row id in Roslyn's; CoreCLR never reads it.
    for map in ["PropertyMap", "EventMap"] {
        if rest.starts_with(&format!("{map} row ")) {
            let parent = |v: &str| {
                v.strip_prefix(&format!("{map}(")).and_then(|v| v.split_once(',')).map(|(p, _)| p.to_string())
            };
            let value = if ours == "-" { theirs } else { ours };
            let paired = lines.iter().filter(in_generation).filter_map(|l| sides(l)).any(|(o, t)| {
                let other = if ours == "-" { o } else { t };
                other != "-" && other != value && parent(other) == parent(value)
            });
            if paired && (ours.ends_with(", 0x0)") || theirs.ends_with(", 0x0)") || ours == "-") {
                return Some("list column of an added map row");
            }
        }
    }

    // A method body taken from the updated build where it initializes an array from static
    // data the baseline already has (ldtoken of its field + InitializeArray); Roslyn
    // stores the elements one by one in a delta. Everything that follows from the other
    // instruction count (maxstack, branch targets, sequence point numbers) is this too.
    let array_init = |method: &str| {
        lines.iter().filter(in_generation).any(|l| {
            l.starts_with(&format!("gen {generation} IL {method} IL_"))
                && l.contains(": ours ldtoken 0x04")
                && l.contains(" | theirs ldc.i4")
        })
    };
    let method = rest
        .strip_prefix("IL ")
        .or_else(|| rest.strip_prefix("pdb MethodDebugInformation "))
        .and_then(|r| r.split(' ').next());
    let body_line = rest.starts_with("IL ") && !rest.contains(" locals: ")
        || rest.starts_with("pdb MethodDebugInformation ") && ours != "-" && theirs != "-";
    if body_line && method.is_some_and(array_init) {
        return Some("array initializer from existing static data");
    }

    // The same row under another row id (rows Roslyn added before it, or another order of
    // added types): one side only here, the other side only elsewhere in the generation.
    let table = rest.split(' ').next()?;
    let counterpart = |value: &str, want_ours: bool| {
        lines.iter().filter(in_generation).any(|l| {
            let Some(r) = l.split_once(' ').map(|(_, r)| r).and_then(|r| r.split_once(' ')).map(|(_, r)| r) else {
                return false;
            };
            r.starts_with(table)
                && sides(r).is_some_and(|(o, t)| {
                    let other = if want_ours { o } else { t };
                    let empty = if want_ours { t } else { o };
                    empty == "-" && without_row_ids(&without_rva(other)) == without_row_ids(&without_rva(value))
                })
        })
    };
    if (rest.contains(" (row): ") || rest.starts_with("EncLog (entry)") || rest.starts_with("EncMap (entry)"))
        && ((theirs == "-" && counterpart(ours, false)) || (ours == "-" && counterpart(theirs, true)))
    {
        return Some("same row, another row id");
    }
    // An instruction naming that row: the same instruction, another row id.
    if rest.starts_with("IL ") && ours != "-" && theirs != "-" && without_row_ids(ours) == without_row_ids(theirs) {
        return Some("same row, another row id");
    }
    None
}

fn csharp_scenarios() -> Vec<PathBuf> {
    let root = support::repo().join("testdata/scenarios");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("cs-")))
        .filter(|p| {
            let json = std::fs::read_to_string(p.join("scenario.json")).unwrap_or_default();
            // Rude-edit scenarios write no chain; `roslyn_skip` says why Roslyn's cannot be made.
            !json.contains("\"rude\"") && !json.contains("\"roslyn_skip\"")
        })
        .collect();
    dirs.sort();
    dirs
}

fn roslyn_deltas(dotnet: &Path, tool: &Path, scenario: &Path, out: &Path) {
    let o = Command::new(dotnet).arg(tool).arg("--no-unsafe").arg(scenario).arg(out).output().unwrap();
    assert!(o.status.success(), "roslyn-deltas {}: {}", scenario.display(), String::from_utf8_lossy(&o.stdout));
}

/// The versions roslyn-deltas built, in order (`v1`, `v2`, ...).
fn versions(out: &Path) -> Vec<PathBuf> {
    let mut v: Vec<(u32, PathBuf)> = std::fs::read_dir(out)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| Some((p.file_name()?.to_str()?.strip_prefix('v')?.parse().ok()?, p)))
        .collect();
    v.sort();
    v.into_iter().map(|(_, p)| p).collect()
}

/// emit-delta's chain on the versions roslyn-deltas built (v1 the baseline), in `out`.
fn our_chain(name: &str, versions: &[PathBuf], out: &Path) -> Vec<OwnedDelta> {
    for updated in &versions[1..] {
        let o = Command::new(EMIT_DELTA)
            .arg(versions[0].join("App.dll"))
            .arg(updated.join("App.dll"))
            .arg("--out")
            .arg(out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{name}: emit-delta {}: {}", updated.display(), String::from_utf8_lossy(&o.stderr));
    }
    read_chain_dir(out).unwrap()
}

fn differences(baseline: &Path, ours: &[OwnedDelta], theirs: &[OwnedDelta]) -> Vec<Difference> {
    let bytes = FileBytes::open(baseline).unwrap();
    let assembly = Assembly::parse(&bytes).unwrap();
    let ours_files: Vec<DeltaFiles<'_>> = ours.iter().map(OwnedDelta::files).collect();
    let theirs_files: Vec<DeltaFiles<'_>> = theirs.iter().map(OwnedDelta::files).collect();
    let ours = Chain::open(assembly.metadata.clone(), &ours_files).unwrap();
    let theirs = Chain::open(assembly.metadata.clone(), &theirs_files).unwrap();
    compare_chains(&ours, &theirs)
}

#[test]
fn emit_delta_matches_roslyn_except_documented_design_choices() {
    let Some(dotnet) = support::dotnet("emit_delta_matches_roslyn_except_documented_design_choices") else { return };
    let tool = support::build_tool(&dotnet, "roslyn-deltas", "RoslynDeltas");
    let expected_dir = support::repo().join("testdata/roslyn-differences");
    let bless = std::env::var_os("MDV_COMPARE_BLESS").is_some();
    // `MDV_COMPARE_ONLY=cs-a,cs-b`: those scenarios only (to look at or bless a few).
    let only = std::env::var("MDV_COMPARE_ONLY").ok();
    let wanted = |name: &str| only.as_deref().is_none_or(|o| o.split(',').any(|n| n.trim() == name));
    let mut failures = Vec::new();
    for scenario in csharp_scenarios() {
        let name = scenario.file_name().unwrap().to_string_lossy().into_owned();
        if !wanted(&name) {
            continue;
        }
        let tmp = tempfile::tempdir().unwrap();
        roslyn_deltas(&dotnet, &tool, &scenario, tmp.path());
        let versions = versions(tmp.path());
        let ours = our_chain(&name, &versions, &tmp.path().join("ours"));
        let theirs = read_chain_dir(&tmp.path().join("roslyn")).unwrap();
        let baseline = versions[0].join("App.dll");
        let lines: Vec<String> = differences(&baseline, &ours, &theirs).iter().map(|d| d.to_string()).collect();
        for line in &lines {
            if category(line, &lines).is_none() {
                failures.push(format!("{name}: undocumented difference: {line}"));
            }
        }
        // Roslyn against itself, .dpdb included: no difference at all.
        let same: Vec<String> = differences(&baseline, &theirs, &theirs).iter().map(|d| d.to_string()).collect();
        if !same.is_empty() {
            failures.push(format!("{name}: Roslyn's chain differs from itself: {same:?}"));
        }
        let text = lines.iter().map(|l| format!("{l}\n")).collect::<String>();
        let expected_path = expected_dir.join(format!("{name}.txt"));
        if bless {
            std::fs::create_dir_all(&expected_dir).unwrap();
            std::fs::write(&expected_path, &text).unwrap();
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != text {
            failures.push(format!(
                "{name}: the differences changed (MDV_COMPARE_BLESS=1 rewrites {}):\n--- expected\n{expected}--- actual\n{text}",
                expected_path.display()
            ));
        }
        eprintln!("{name}: {} documented difference(s)", lines.len());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The `.dpdb` comparison on Roslyn against Roslyn: identical chains are equivalent; a
/// changed document hash in one generation is named by generation and table.
#[test]
fn pdb_deltas_compare_equal_and_a_planted_difference_is_named() {
    let Some(dotnet) = support::dotnet("pdb_deltas_compare_equal_and_a_planted_difference_is_named") else { return };
    let tool = support::build_tool(&dotnet, "roslyn-deltas", "RoslynDeltas");
    let tmp = tempfile::tempdir().unwrap();
    roslyn_deltas(&dotnet, &tool, &support::repo().join("testdata/scenarios/cs-literal-arith"), tmp.path());
    let baseline = tmp.path().join("v1/App.dll");
    let theirs = read_chain_dir(&tmp.path().join("roslyn")).unwrap();
    assert!(theirs.iter().all(|d| d.pdb.is_some()), "roslyn-deltas writes a .dpdb per generation");
    assert_eq!(differences(&baseline, &theirs, &theirs), Vec::new());

    // Flip one byte of generation 2's Document hash.
    let mut ours = theirs.clone();
    let pdb = ours[1].pdb.as_mut().unwrap();
    let hash = {
        let reader = MetadataReader::parse(pdb).unwrap();
        assert!(reader.row_count(TableId::Document) > 0);
        let doc: DocumentRow = reader.row(1).unwrap();
        reader.blob(doc.hash).unwrap().to_vec()
    };
    let at = pdb.windows(hash.len()).position(|w| w == hash.as_slice()).expect("the hash bytes in the .dpdb");
    pdb[at] ^= 0xFF;
    let lines: Vec<String> = differences(&baseline, &ours, &theirs).iter().map(|d| d.to_string()).collect();
    // The Document row (one line per side) and the method whose sequence points name it.
    let heads: Vec<&str> = lines.iter().map(|l| l.split(": ").next().unwrap()).collect();
    assert_eq!(
        heads,
        [
            "gen 2 pdb Document row 1 (row)",
            "gen 2 pdb Document row 1 (row)",
            "gen 2 pdb MethodDebugInformation 0x06000001 (row)"
        ],
        "{lines:#?}"
    );
    assert!(lines[0].contains("0x50de00ed") && lines[1].contains("0xafde00ed"), "{lines:#?}");
}

/// The `.dpdb` comparison reads offsets and slots against each chain's own bodies, yet
/// still names a real difference: one sequence point of emit-delta's generation 1 moved
/// a line down is reported (the rest unchanged) and is in no documented category.
#[test]
fn a_planted_sequence_point_difference_survives_the_normalization() {
    let Some(dotnet) = support::dotnet("a_planted_sequence_point_difference_survives_the_normalization") else {
        return;
    };
    let tool = support::build_tool(&dotnet, "roslyn-deltas", "RoslynDeltas");
    let tmp = tempfile::tempdir().unwrap();
    roslyn_deltas(&dotnet, &tool, &support::repo().join("testdata/scenarios/cs-literal-arith"), tmp.path());
    let versions = versions(tmp.path());
    let baseline = versions[0].join("App.dll");
    let theirs = read_chain_dir(&tmp.path().join("roslyn")).unwrap();
    let mut ours = our_chain("cs-literal-arith", &versions, &tmp.path().join("ours"));
    let lines = |ours: &[OwnedDelta]| -> Vec<String> {
        differences(&baseline, ours, &theirs).iter().map(|d| d.to_string()).collect()
    };
    let before = lines(&ours);

    let pdb = ours[0].pdb.as_mut().unwrap();
    let (old, new) = {
        let reader = MetadataReader::parse(pdb).unwrap();
        let info: MethodDebugInformationRow = reader.row(1).unwrap();
        let old = reader.blob(info.sequence_points).unwrap().to_vec();
        let mut decoded = decode_sequence_points(&old, info.document).unwrap();
        let point = decoded.points.iter_mut().find(|p| !p.is_hidden()).unwrap();
        point.start_line += 1;
        point.end_line += 1;
        (old, encode_sequence_points(decoded.local_signature, &decoded.points).unwrap().1)
    };
    assert_eq!(old.len(), new.len(), "the moved line encodes in as many bytes");
    let at = pdb.windows(old.len()).position(|w| w == old.as_slice()).expect("the sequence points in the .dpdb");
    pdb[at..at + old.len()].copy_from_slice(&new);

    let after = lines(&ours);
    let added: Vec<&String> = after.iter().filter(|l| !before.contains(l)).collect();
    assert_eq!(after.len(), before.len() + 1, "{after:#?}");
    assert_eq!(added.len(), 1, "{after:#?}");
    assert!(added[0].starts_with("gen 1 pdb MethodDebugInformation 0x06000001 (row): ours "), "{added:#?}");
    assert_eq!(category(added[0], &after), None, "{added:#?}");
}
