//! Rude edits carry where the member is in the updated source (from the build's PDB):
//! `--json` has `file`, `line`, `column`, and stderr prints `File(line,col): rude edit:`
//! like a compiler diagnostic. Every rude scenario's edits are checked against the
//! source text: the test finds each member's declaration by searching for it.

mod support;

use std::path::Path;
use std::process::Command;

const EMIT_DELTA: &str = env!("CARGO_BIN_EXE_emit-delta");

/// The 1-based number of the first line for which `is_declaration` holds.
fn line_where(source: &str, is_declaration: impl Fn(&str) -> bool) -> Option<u32> {
    source.lines().position(is_declaration).map(|i| i as u32 + 1)
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether `line` has `name` as a whole word followed (after spaces) by `next`.
fn word_then(line: &str, name: &str, next: char) -> bool {
    line.match_indices(name).any(|(at, _)| {
        let before_ok = !line[..at].ends_with(is_word);
        let after = line[at + name.len()..].trim_start();
        before_ok && after.starts_with(next)
    })
}

const MODIFIERS: [&str; 8] =
    ["public ", "private ", "internal ", "protected ", "static ", "let ", "member ", "override "];

/// The line declaring method `name`: a modifier (or F# `let`/`member`), then a return
/// type or keyword right before `name(` (a call, `x = name(`, has none).
fn method_declaration(source: &str, name: &str) -> Option<u32> {
    line_where(source, |l| {
        MODIFIERS.iter().any(|m| l.contains(m))
            && word_then(l, name, '(')
            && l.match_indices(name).any(|(at, _)| l[..at].trim_end().ends_with(is_word))
    })
}

/// The line where field or value `name` first gets its value: its initializer (C#
/// `static … name =`, F# `let name =`) or an assignment statement (`name = …;` in a
/// static constructor).
fn value_assignment(source: &str, name: &str) -> Option<u32> {
    line_where(source, |l| {
        let declares = l.contains("static ") || l.trim_start().starts_with("let ");
        (declares || l.trim_start().starts_with(name)) && word_then(l, name, '=')
    })
}

/// The lines of type `name`'s declaration: from its header to its closing brace (C#),
/// or to the end of the file (an F# module).
fn type_span(source: &str, name: &str) -> Option<(u32, u32)> {
    let header = line_where(source, |l| {
        ["class ", "struct ", "interface ", "record ", "module "].iter().any(|k| {
            l.split(k).nth(1).is_some_and(|rest| rest.split(|c: char| !is_word(c) && c != '.').next() == Some(name))
        })
    })?;
    let lines: Vec<&str> = source.lines().collect();
    let mut depth = 0i32;
    let mut opened = false;
    for (i, l) in lines.iter().enumerate().skip(header as usize - 1) {
        for c in l.chars() {
            match c {
                '{' => {
                    depth += 1;
                    opened = true;
                }
                '}' => depth -= 1,
                _ => {}
            }
        }
        if opened && depth == 0 {
            return Some((header, i as u32 + 1));
        }
    }
    Some((header, lines.len() as u32))
}

/// What the checks below expect of one edit's location, from the source text.
enum Expected {
    Line(u32),
    Within(u32, u32),
    /// Only that the place is real code of the file.
    Somewhere,
}

fn expected(source: &str, edit: &serde_json::Value) -> Expected {
    let member = edit["member"].as_str().unwrap();
    let change = edit["change"].as_str().unwrap();
    // An initializer that changed (or was added) is located where it sets the first
    // field it names.
    if edit["code"] == "type-initializer-changed"
        && let Some(field) = change.split("(field ").nth(1).map(|f| f.trim_end_matches(')'))
    {
        let field = field.split(", ").next().unwrap();
        return Expected::Line(value_assignment(source, field).expect("where the field gets its value"));
    }
    let simple = |s: &str| s.chars().all(|c| is_word(c) || c == '.');
    if let Some((owner, name)) = member.split_once("::")
        && simple(owner)
        && name.chars().all(is_word)
        && let Some(line) = method_declaration(source, name)
    {
        return Expected::Line(line);
    }
    if simple(member) {
        let name = member.rsplit('.').next().unwrap();
        if let Some((from, to)) = type_span(source, name).or_else(|| type_span(source, member)) {
            return Expected::Within(from, to);
        }
    }
    Expected::Somewhere
}

#[test]
fn rude_edits_are_located_where_the_member_is_declared() {
    let mut lines_checked = 0;
    let mut exact = 0;
    for (name, dir, rude) in support::scenarios() {
        if !rude {
            continue;
        }
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("scenario.json")).unwrap()).unwrap();
        let mut versions: Vec<&str> =
            json["rude"].as_array().unwrap().iter().map(|r| r["version"].as_str().unwrap()).collect();
        versions.dedup();
        for version in versions {
            let out = tempfile::tempdir().unwrap();
            let o = Command::new(EMIT_DELTA)
                .arg(dir.join("bin/v1/App.dll"))
                .arg(dir.join("bin").join(version).join("App.dll"))
                .arg("--out")
                .arg(out.path())
                .arg("--json")
                .output()
                .unwrap();
            assert_eq!(o.status.code(), Some(8), "{name} {version}: {}", String::from_utf8_lossy(&o.stderr));
            let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            let stderr = String::from_utf8_lossy(&o.stderr);
            for edit in report["rude_edits"].as_array().unwrap() {
                let what = format!("{name} {version} {edit}");
                // Every scenario is one source file, which the PDB names.
                let file = edit["file"].as_str().unwrap_or_else(|| panic!("no file: {what}"));
                let source_path = dir.join(version).join(file);
                assert!(source_path.is_file(), "{what}: {} is not the scenario's source", source_path.display());
                assert!(Path::new(edit["document"].as_str().unwrap()).ends_with(file), "{what}");
                let Some(line) = edit["line"].as_u64() else {
                    // Only the document is known (a type with no method bodies): printed so.
                    assert!(stderr.contains(&format!("{file}: rude edit: {}: ", edit["member"].as_str().unwrap())));
                    continue;
                };
                let (line, column) = (line as u32, edit["column"].as_u64().unwrap() as u32);
                let source = std::fs::read_to_string(&source_path).unwrap();
                let text = source.lines().nth(line as usize - 1).unwrap_or_else(|| panic!("{what}: no line {line}"));
                let at = text.chars().nth(column as usize - 1);
                assert!(at.is_some_and(|c| !c.is_whitespace()), "{what}: column {column} of `{text}` is no code");
                match expected(&source, edit) {
                    Expected::Line(declared) => {
                        assert_eq!(line, declared, "{what}: `{text}`");
                        exact += 1;
                    }
                    Expected::Within(from, to) => assert!((from..=to).contains(&line), "{what}: not in {from}..={to}"),
                    Expected::Somewhere => {}
                }
                let printed = format!("{file}({line},{column}): rude edit: {}: ", edit["member"].as_str().unwrap());
                assert!(stderr.lines().any(|l| l.starts_with(&printed)), "{what}: `{printed}` not in\n{stderr}");
                lines_checked += 1;
            }
        }
    }
    println!("{lines_checked} located rude edits, {exact} at their declaration line");
    assert!(lines_checked >= 15, "only {lines_checked} rude edits had a line");
    assert!(exact >= 9, "only {exact} rude edits were checked against their declaration");
}

/// Without a PDB nothing says where the member is: the edit is printed as before.
#[test]
fn without_a_pdb_a_rude_edit_has_no_location() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = support::repo().join("testdata/scenarios/cs-rude/bin");
    let (v1, v2) = (tmp.path().join("v1.dll"), tmp.path().join("v2.dll"));
    std::fs::copy(scenario.join("v1/App.dll"), &v1).unwrap();
    std::fs::copy(scenario.join("v2/App.dll"), &v2).unwrap();
    let o = Command::new(EMIT_DELTA).arg(&v1).arg(&v2).arg("--out").arg(tmp.path()).arg("--json").output().unwrap();
    assert_eq!(o.status.code(), Some(8), "{}", String::from_utf8_lossy(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let edit = &report["rude_edits"][0];
    assert_eq!(edit["member"], "App.Shape::Sides");
    assert!(edit.get("file").is_none(), "{edit}");
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("rude edit: App.Shape::Sides: "));
}
