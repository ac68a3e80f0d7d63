//! Roslyn display classes keyed by the method that creates them
//! (`src/diff/display_class.rs`), on the builds of `cs-display-class-renumbered`: every
//! kind of closure it has is proven, and a build where the proof fails (two methods
//! create one class) keeps the metadata names instead of pairing by position.

use std::collections::BTreeMap;
use std::path::PathBuf;

use emit_delta::Assembly;
use emit_delta::diff::compare::{diff_builds, display_name};
use emit_delta::diff::renumbered::StableName;
use emit_delta::diff::{DefinitionMatch, Identities};
use emit_delta::metadata::Token;
use emit_delta::metadata::schema::TableId;

fn build(version: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/scenarios/cs-display-class-renumbered/bin")
        .join(version)
        .join("App.dll");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Display class → (its creator, closure ordinal), or `None` when not proven, by
/// display name.
fn closures(asm: &Assembly<'_>) -> BTreeMap<String, Option<(String, u32)>> {
    let ids = Identities::new(asm).unwrap();
    (1..=asm.metadata.row_count(TableId::TypeDef))
        .map(|rid| Token::new(TableId::TypeDef, rid))
        .filter(|&t| display_name(&ids, t).contains("<>c__DisplayClass"))
        .map(|t| {
            let proven = match ids.stable_name(t) {
                Some(StableName::ClosureOf { creator, scope }) => Some((display_name(&ids, *creator), *scope)),
                _ => None,
            };
            (display_name(&ids, t), proven)
        })
        .collect()
}

fn closure(creator: &str, scope: u32) -> Option<(String, u32)> {
    Some((creator.to_string(), scope))
}

#[test]
fn every_closure_of_the_scenario_is_keyed_by_its_creator() {
    let bytes = build("v1");
    let asm = Assembly::parse(&bytes).unwrap();
    let expected: BTreeMap<String, Option<(String, u32)>> = [
        ("App.Program+<>c__DisplayClass4_0", closure("App.Program::Scale", 0)),
        ("App.Program+<>c__DisplayClass5_0", closure("App.Program::Shift", 0)),
        ("App.Program+<>c__DisplayClass6_0", closure("App.Program::Greet", 0)),
        // The method's scope and the loop's, which points to it.
        ("App.Program+<>c__DisplayClass7_0", closure("App.Program::Steps", 0)),
        ("App.Program+<>c__DisplayClass7_1", closure("App.Program::Steps", 1)),
        // A struct: Sum has a local of its type.
        ("App.Program+<>c__DisplayClass8_0", closure("App.Program::Sum", 0)),
        ("App.Program+<>c__DisplayClass9_0", closure("App.Program+<LoadAsync>d__9::MoveNext", 0)),
        // Generic: created through a MemberRef on its instantiation.
        ("App.Program+<>c__DisplayClass10_0`1", closure("App.Program::Show", 0)),
        ("App.Tally+<>c__DisplayClass2_0", closure("App.Tally::Report", 0)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(closures(&asm), expected);
}

#[test]
fn a_method_added_above_keeps_every_display_class_paired_with_its_own() {
    let (old_bytes, new_bytes) = (build("v1"), build("v2"));
    let (old, new) = (Assembly::parse(&old_bytes).unwrap(), Assembly::parse(&new_bytes).unwrap());
    let diff = diff_builds(&old, &new).unwrap();
    assert!(diff.rude_edits.is_empty(), "{:?}", diff.rude_edits);
    let DefinitionMatch::Paired(pairing) = &diff.definitions else { panic!("the rows differ") };
    let (old_ids, new_ids) = (Identities::new(&old).unwrap(), Identities::new(&new).unwrap());
    let mut checked = 0;
    for rid in 1..=old.metadata.row_count(TableId::TypeDef) {
        let t = Token::new(TableId::TypeDef, rid);
        let Some(StableName::ClosureOf { creator, scope }) = old_ids.stable_name(t) else { continue };
        let name = display_name(&old_ids, *creator);
        let partner = pairing.new_of(t).unwrap_or_else(|| panic!("{name}'s closure {scope} lost"));
        let Some(StableName::ClosureOf { creator: c, scope: s }) = new_ids.stable_name(partner) else {
            panic!("{name}'s closure paired with an unproven class")
        };
        // Created by the same method (a state machine's MoveNext is renamed with it).
        assert_eq!((pairing.new_of(*creator), s), (Some(*c), scope), "{name}");
        checked += 1;
    }
    assert_eq!(checked, 9);
    // Twice's closure is the one added, under the number Scale's had.
    let added: Vec<String> =
        diff.added.iter().filter(|t| t.table() == Some(TableId::TypeDef)).map(|&t| display_name(&new_ids, t)).collect();
    assert_eq!(added, ["App.Program+<>c__DisplayClass4_0"]);
}

/// Shift's body patched to create Scale's display class: Scale's class has two
/// creators and Shift's none, so neither is proven, and neither pairs with a class of
/// the updated build by its number (v2's `<>c__DisplayClass4_0` is the added Twice's).
#[test]
fn a_display_class_two_methods_create_keeps_its_metadata_name() {
    let mut bytes = build("v1");
    // `newobj` of Shift's display class constructor (MethodDef 0x13), then Scale's (0x11).
    let (shift_ctor, scale_ctor) = ([0x73, 0x13, 0, 0, 0x06], [0x73, 0x11, 0, 0, 0x06]);
    let at: Vec<usize> = bytes.windows(5).enumerate().filter(|(_, w)| *w == shift_ctor).map(|(i, _)| i).collect();
    assert_eq!(at.len(), 1, "one newobj of Shift's closure");
    bytes[at[0]..at[0] + 5].copy_from_slice(&scale_ctor);
    let old = Assembly::parse(&bytes).unwrap();
    let proven = closures(&old);
    assert_eq!(proven["App.Program+<>c__DisplayClass4_0"], None);
    assert_eq!(proven["App.Program+<>c__DisplayClass5_0"], None);
    assert_eq!(proven["App.Program+<>c__DisplayClass6_0"], closure("App.Program::Greet", 0));

    let new_bytes = build("v2");
    let new = Assembly::parse(&new_bytes).unwrap();
    let diff = diff_builds(&old, &new).unwrap();
    let DefinitionMatch::Paired(pairing) = &diff.definitions else { panic!("the rows differ") };
    let old_ids = Identities::new(&old).unwrap();
    for rid in 1..=old.metadata.row_count(TableId::TypeDef) {
        let t = Token::new(TableId::TypeDef, rid);
        let name = display_name(&old_ids, t);
        if name.ends_with("DisplayClass4_0") || name.ends_with("DisplayClass5_0") {
            assert_eq!(pairing.new_of(t), None, "{name} paired by its number");
        }
    }
}
