//! The fast paths of `diff_builds` (rows equal, equal but for the names of F#
//! line-named definitions that moved, or definitions paired by position) must find
//! exactly what the general key-matching comparison finds, on every pair of consecutive builds we have: the
//! scenarios (C#, F#, rude edits), the 20,000-method benchmark fixture and the F#
//! 2,000-closure fixture with a line inserted at the top.

use std::path::{Path, PathBuf};

use emit_delta::Assembly;
use emit_delta::diff::compare::{BuildDiff, diff_builds, diff_builds_with, diff_by_key};
use emit_delta::diff::pairing::DEFINITION_TABLES;
use emit_delta::diff::{DefinitionMatch, OldBodies};
use emit_delta::metadata::Token;

fn pairs() -> Vec<(PathBuf, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root.join("scenarios")).unwrap() {
        let bin = entry.unwrap().path().join("bin");
        let versions: Vec<PathBuf> =
            (1..).map(|n| bin.join(format!("v{n}")).join("App.dll")).take_while(|p| p.is_file()).collect();
        out.extend(versions.windows(2).map(|w| (w[0].clone(), w[1].clone())));
        // Against the baseline too: later builds differ from v1 in more ways (and
        // each version of a rude-edit scenario is refused against v1).
        out.extend(versions.iter().skip(2).map(|v| (versions[0].clone(), v.clone())));
    }
    out.push((root.join("bench/bin/v1/App.dll"), root.join("bench/bin/v2/App.dll")));
    out.push((root.join("bench/bin/v1/App.dll"), root.join("bench/bin/v3/App.dll")));
    out.push((root.join("bench-fs/bin/v1/App.dll"), root.join("bench-fs/bin/v2/App.dll")));
    out.sort();
    out
}

/// Everything a diff found, in comparable form.
type Summary = (
    Vec<(String, u32, u32)>,
    Vec<String>,
    Vec<u32>,
    Vec<(String, bool)>,
    Vec<u32>,
    Vec<(String, u32)>,
    Vec<(String, u32)>,
);

fn summary(d: &BuildDiff) -> Summary {
    (
        d.updated_methods.iter().map(|m| (m.display.clone(), m.old.0, m.new.0)).collect(),
        d.rude_edits.iter().map(|e| e.to_string()).collect(),
        d.added.iter().map(|t| t.0).collect(),
        d.deleted_methods.iter().map(|m| (m.display.clone(), m.with_type)).collect(),
        d.deleted_types.iter().map(|t| t.0).collect(),
        d.attribute_edits.iter().map(|e| (e.display.clone(), e.new.0)).collect(),
        d.parameter_edits.iter().map(|e| (e.display.clone(), e.new.0)).collect(),
    )
}

/// The old build's token of every definition of the new build, per definition table.
fn partners(d: &BuildDiff, new: &Assembly<'_>) -> Vec<Option<Token>> {
    DEFINITION_TABLES
        .iter()
        .flat_map(|&table| (1..=new.metadata.row_count(table)).map(move |rid| Token::new(table, rid)))
        .map(|t| match &d.definitions {
            DefinitionMatch::SameRows => Some(t),
            DefinitionMatch::Paired(p) => p.old_of(t),
        })
        .collect()
}

#[test]
fn the_fast_paths_agree_with_key_matching() {
    let (mut fast, mut positional, mut renamed, mut with_additions, mut member_edits) = (0, 0, 0, 0, 0);
    for (old_path, new_path) in pairs() {
        let (old_bytes, new_bytes) = (std::fs::read(&old_path).unwrap(), std::fs::read(&new_path).unwrap());
        let (old, new) = (Assembly::parse(&old_bytes).unwrap(), Assembly::parse(&new_bytes).unwrap());
        let chosen = diff_builds(&old, &new).unwrap();
        let by_key = diff_by_key(&old, &new).unwrap();
        let name = format!("{} -> {}", old_path.display(), new_path.display());
        assert_eq!(summary(&chosen), summary(&by_key), "{name}");
        // A kept summary of the old bodies gives the same diff; one made for the other
        // build is recognised as such and not used.
        let kept = OldBodies::new(&old);
        assert!(kept.is_for(&old), "{name}");
        assert_eq!(summary(&diff_builds_with(&old, &new, &kept).unwrap()), summary(&by_key), "{name}");
        let stale = OldBodies::new(&new);
        assert_eq!(stale.is_for(&old), old_bytes == new_bytes, "{name}");
        assert_eq!(summary(&diff_builds_with(&old, &new, &stale).unwrap()), summary(&by_key), "{name}");
        // Every definition has the same partner (or none) both ways.
        assert_eq!(partners(&chosen, &new), partners(&by_key, &new), "{name}");
        match chosen.definitions {
            DefinitionMatch::SameRows => {
                fast += 1;
                if old.metadata.strings.bytes() != new.metadata.strings.bytes() {
                    renamed += 1;
                }
            }
            DefinitionMatch::Paired(_) => {
                positional += 1;
                if !chosen.added.is_empty() || !chosen.deleted_methods.is_empty() {
                    with_additions += 1;
                }
                if !chosen.attribute_edits.is_empty() || !chosen.parameter_edits.is_empty() {
                    member_edits += 1;
                }
            }
        }
    }
    eprintln!(
        "{fast} pairs took the same-rows path ({renamed} with renamed F# line names), {positional} the positional \
         pairing ({with_additions} adding or deleting members, {member_edits} \
         with attribute or parameter edits)"
    );
    // Every path must have been exercised: literal edits keep the rows, new calls
    // and locals add references and signatures, lines inserted above F# closures
    // rename them, additions shift rows.
    assert!(fast >= 5 && positional >= 5, "same-rows pairs {fast}, positionally paired {positional}");
    assert!(renamed >= 3, "pairs with renamed F# line names on the same-rows path: {renamed}");
    assert!(with_additions >= 20, "positionally paired builds that add or delete members: {with_additions}");
    assert!(member_edits >= 4, "positionally paired builds with attribute or parameter edits: {member_edits}");
}

/// Hostile metadata: two types nested in each other. Identity keys (and display
/// names) must end in an error, not recurse until the stack overflows.
#[test]
fn cyclic_type_nesting_is_an_error_not_a_stack_overflow() {
    use emit_delta::metadata::schema::{NestedClassRow, TableId};
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fixtures/bin/CsFeatures.dll");
    let mut bytes = std::fs::read(&path).unwrap();
    let (at, width, row_size, nested) = {
        let asm = Assembly::parse(&bytes).unwrap();
        let table = asm.metadata.tables.table(TableId::NestedClass);
        assert!(table.row_count() >= 2);
        let at = table.bytes().as_ptr() as usize - bytes.as_ptr() as usize;
        let rows: Vec<NestedClassRow> = (1..=2).map(|rid| asm.metadata.row(rid).unwrap()).collect();
        (at, table.column_layouts()[1].width as usize, table.row_size(), [rows[0].nested.rid(), rows[1].nested.rid()])
    };
    // Row 1's type is enclosed by row 2's, and row 2's by row 1's.
    for (row, enclosing) in [(0, nested[1]), (1, nested[0])] {
        let column = at + row * row_size + width;
        bytes[column..column + width].copy_from_slice(&enclosing.to_le_bytes()[..width]);
    }
    let asm = Assembly::parse(&bytes).unwrap();
    let ids = emit_delta::diff::Identities::new(&asm).unwrap();
    let err = ids.key(emit_delta::metadata::Token::new(TableId::TypeDef, nested[0])).unwrap_err();
    assert!(err.to_string().contains("nested at most"), "{err}");
    // Display names stop walking at the type count.
    let name =
        emit_delta::diff::compare::display_name(&ids, emit_delta::metadata::Token::new(TableId::TypeDef, nested[0]));
    assert!(!name.is_empty());
    // Diffing the build against itself reports the error instead of crashing.
    assert!(diff_by_key(&asm, &asm).is_err());
}

/// The pairing skips the lookup of a token whose raw value is equal in both bodies when
/// its row is before the first row an insertion shifted ([`Pairing::kept_rows`]). A body
/// whose bytes are equal but whose call now names another method (the row after the
/// insertion point shifted under it) must still be an update. Made from the fixture
/// that adds `App.C42::Added` (v1 → v3): a v3 body that differs from its v1 partner
/// only in one MethodDef token (shifted by the insertion) gets v1's token back, so its
/// bytes equal v1's while the token names the method before in v3.
#[test]
fn equal_code_whose_token_names_a_shifted_row_is_an_update() {
    use emit_delta::il::{MethodBody, Operand, TokenOperands};
    use emit_delta::metadata::schema::TableId;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/bench/bin");
    let old_bytes = std::fs::read(root.join("v1/App.dll")).unwrap();
    let mut new_bytes = std::fs::read(root.join("v3/App.dll")).unwrap();
    let (patch_at, old_token) = {
        let (old, new) = (Assembly::parse(&old_bytes).unwrap(), Assembly::parse(&new_bytes).unwrap());
        let diff = diff_builds(&old, &new).unwrap();
        let DefinitionMatch::Paired(pairing) = &diff.definitions else { panic!("v1 -> v3 pairs by position") };
        let code_of = |asm: &Assembly<'_>, t: Token| -> Option<(usize, Vec<u8>)> {
            let rva = asm.metadata.tables.table(TableId::MethodDef).raw(t.rid(), 0).unwrap();
            let data = asm.pe.as_ref()?.rest_at_rva(rva, "body").ok()?;
            let body = MethodBody::parse(data).ok()?;
            Some((body.code.as_ptr() as usize, body.code.to_vec()))
        };
        let mut found = None;
        for rid in 1..=new.metadata.row_count(TableId::MethodDef) {
            let n = Token::new(TableId::MethodDef, rid);
            let Some(o) = pairing.old_of(n) else { continue };
            let (Some((at, b)), Some((_, a))) = (code_of(&new, n), code_of(&old, o)) else { continue };
            if a.len() != b.len() || a == b {
                continue;
            }
            let differing: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
            let mut walk = TokenOperands::new(&b);
            while let Some(Ok(operand)) = walk.next() {
                let start = walk.position() - 4;
                let Operand::Token(q) = operand else { continue };
                let p = Token(u32::from_le_bytes(a[start..start + 4].try_into().unwrap()));
                // The only difference: one MethodDef token that names, in v3, another
                // method than the same raw token does in v1.
                if q.table() == Some(TableId::MethodDef)
                    && differing.iter().all(|&i| (start..start + 4).contains(&i))
                    && pairing.old_of(p) != Some(p)
                {
                    found = Some((at - new_bytes.as_ptr() as usize + start, p, diff.updated_methods.len()));
                    break;
                }
            }
            if found.is_some() {
                break;
            }
        }
        let (at, p, updated_before) = found.expect("a body calling a method past the insertion point");
        assert_eq!(updated_before, 1, "v1 -> v3 updates M17 only");
        (at, p)
    };
    new_bytes[patch_at..patch_at + 4].copy_from_slice(&old_token.0.to_le_bytes());
    let (old, new) = (Assembly::parse(&old_bytes).unwrap(), Assembly::parse(&new_bytes).unwrap());
    let (chosen, by_key) = (diff_builds(&old, &new).unwrap(), diff_by_key(&old, &new).unwrap());
    assert_eq!(summary(&chosen), summary(&by_key));
    assert_eq!(chosen.updated_methods.len(), 2, "M17 and the method whose call now names another method");
}

/// A summary of the old bodies belongs to the bytes it was made from, wherever they lie:
/// a copy of them is the same build, a build that differs in one body byte is not (its
/// method table may be byte-identical, as here, where the edit keeps the body's size).
#[test]
fn a_summary_belongs_to_its_bytes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/bench/bin");
    let bytes = std::fs::read(root.join("v1/App.dll")).unwrap();
    let old = Assembly::parse(&bytes).unwrap();
    let kept = OldBodies::new(&old);
    let copy = bytes.clone();
    assert!(kept.is_for(&Assembly::parse(&copy).unwrap()), "a copy of the bytes is the same build");
    // The last byte of the last method's code (its `ret`) becomes a `nop`.
    let mut edited = bytes.clone();
    let at = {
        use emit_delta::il::MethodBody;
        use emit_delta::metadata::schema::TableId;
        let rid = old.metadata.row_count(TableId::MethodDef);
        let rva = old.metadata.tables.table(TableId::MethodDef).raw(rid, 0).unwrap();
        let data = old.pe.as_ref().unwrap().rest_at_rva(rva, "body").unwrap();
        let body = MethodBody::parse(data).unwrap();
        body.code.as_ptr() as usize - bytes.as_ptr() as usize + body.code.len() - 1
    };
    assert_eq!(edited[at], 0x2a, "the code ends with ret");
    edited[at] = 0x00;
    let edited_asm = Assembly::parse(&edited).unwrap();
    assert!(!kept.is_for(&edited_asm), "one body byte differs");
    // Used with the edited build as the old one, the summary is not trusted: the diff
    // against the original finds the edit.
    let diff = diff_builds_with(&edited_asm, &old, &kept).unwrap();
    assert_eq!(diff.updated_methods.len(), 1, "{:?}", diff.updated_methods);
}
