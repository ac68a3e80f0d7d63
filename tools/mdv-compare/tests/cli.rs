//! `mdv-compare` on the committed chain testdata/chains/cs-literal-arith-roslyn
//! (Roslyn's deltas for cs-literal-arith with their baseline): the dump against its
//! reviewed snapshot, and the diff on equal chains and on chains with one planted
//! difference. These need no .NET SDK.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use emit_delta::metadata::MetadataReader;
use emit_delta::metadata::schema::TableId;

const MDV_COMPARE: &str = env!("CARGO_BIN_EXE_mdv-compare");

fn chain_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/chains/cs-literal-arith-roslyn")
}

fn run(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(MDV_COMPARE).args(args).output().unwrap()
}

fn diff(ours: &Path, theirs: &Path) -> Output {
    let baseline = chain_dir().join("App.dll");
    run(&[
        "diff".as_ref(),
        baseline.as_os_str(),
        "--ours".as_ref(),
        ours.as_os_str(),
        "--theirs".as_ref(),
        theirs.as_os_str(),
    ])
}

/// A copy of the committed chain, to plant a difference in.
fn copy_chain() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(chain_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().contains(".dll.") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

#[test]
fn dump_matches_the_reviewed_snapshot() {
    let dir = chain_dir();
    let gen_arg = |g: u32| format!("{0}/App.dll.{g}.dmeta;{0}/App.dll.{g}.dil", dir.display());
    let out = Command::new(MDV_COMPARE)
        .arg("dump")
        .arg(dir.join("App.dll"))
        .args(["--gen", &gen_arg(1), "--gen", &gen_arg(2), "--gen", &gen_arg(3)])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let actual = String::from_utf8(out.stdout).unwrap();
    let snapshot = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/cs-literal-arith-roslyn.mdv.txt");
    if std::env::var_os("MDV_COMPARE_BLESS").is_some() {
        std::fs::write(&snapshot, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(&snapshot).unwrap();
    assert!(actual == expected, "the dump changed (MDV_COMPARE_BLESS=1 rewrites {}):\n{actual}", snapshot.display());
    // The conventions mdv uses for a chain, spot-checked.
    assert!(actual.contains("1: 0x23000002/1:1 (AssemblyRef)    0          \n"));
    assert!(actual.contains("'Run' (#135/1:2e)"));
    assert!(actual.contains("  IL_0014:  call       'System.Int32.ToString' (0x0a000007/1:1)\n"));
}

#[test]
fn equal_chains_are_equivalent() {
    let out = diff(&chain_dir(), &chain_dir());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("equivalent: 3 generation(s)"));
}

#[test]
fn a_changed_ldstr_literal_is_named_by_generation_method_and_offset() {
    let planted = copy_chain();
    let path = planted.path().join("App.dll.1.dmeta");
    let mut bytes = std::fs::read(&path).unwrap();
    // "result = " as UTF-16 in generation 1's #US: change its first letter.
    let needle: Vec<u8> = "result".encode_utf16().flat_map(|c| c.to_le_bytes()).collect();
    let at = bytes.windows(needle.len()).position(|w| w == needle.as_slice()).expect("the literal in #US");
    bytes[at] = b'R';
    std::fs::write(&path, bytes).unwrap();
    let out = diff(planted.path(), &chain_dir());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        ["gen 1 IL 0x06000001 IL_0005: ours ldstr \"Result = \" | theirs ldstr \"result = \""]
    );
}

#[test]
fn a_changed_row_column_is_named_by_generation_table_row_and_column() {
    let planted = copy_chain();
    let path = planted.path().join("App.dll.2.dmeta");
    let mut bytes = std::fs::read(&path).unwrap();
    // MethodDef row 1's Flags column (u16): Public|Static|HideBySig -> add SpecialName.
    let offset = {
        let md = MetadataReader::parse(&bytes).unwrap();
        let table = md.tables.table(TableId::MethodDef);
        let flags = table.column_layouts()[2];
        // The table's bytes borrow the file's: their distance is the table's offset.
        table.bytes().as_ptr() as usize - bytes.as_ptr() as usize + flags.offset as usize
    };
    assert_eq!(u16::from_le_bytes([bytes[offset], bytes[offset + 1]]), 0x96);
    bytes[offset + 1] |= 0x08;
    std::fs::write(&path, bytes).unwrap();
    let out = diff(planted.path(), &chain_dir());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert_eq!(stdout.lines().collect::<Vec<_>>(), ["gen 2 MethodDef 0x06000001 Flags: ours 0x896 | theirs 0x96"]);
}

#[test]
fn unreadable_input_and_bad_usage_exit_2() {
    let empty = tempfile::tempdir().unwrap();
    let out = diff(empty.path(), &chain_dir());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no *.1.dmeta"));
    assert_eq!(run(&["diff".as_ref()]).status.code(), Some(2));
    let bad = empty.path().join("bad.dll");
    std::fs::write(&bad, b"not an assembly").unwrap();
    assert_eq!(run(&["dump".as_ref(), bad.as_os_str()]).status.code(), Some(2));
}
