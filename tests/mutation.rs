//! Mutation testing of the delta writer (issue 14, item 6). A real generation 1 written
//! by emit-delta for a bundled scenario (`cs-generic-inst`: one updated method and new
//! TypeRef, MemberRef, StandAloneSig, TypeSpec, MethodSpec, AssemblyRef rows and `#US`
//! literals; `cs-lambda`: three updated methods; `cs-add-property`: added methods, a
//! field, a parameter, a PropertyMap, properties and semantics) is mutated one defect at a time: a row
//! or entry of each kind the writer emits is flipped (a column pointed elsewhere),
//! dropped (with its EncMap/EncLog entries, so only the loss remains) or reordered. Each
//! mutant goes to three independent judges:
//!
//! - `check`: `emit_delta::check::check_chain` (what `emit-delta check` prints; an
//!   unreadable chain, exit 1, counts as caught);
//! - SRM: `tools/delta-verify` (System.Reflection.Metadata's MetadataReader and
//!   MetadataAggregator over the chain, plus its IL and PDB checks), caught when it exits
//!   non-zero;
//! - CoreCLR: `tools/hotreload-host` in a child process with
//!   `DOTNET_MODIFIABLE_ASSEMBLIES=debug` applies the generation and calls the entry
//!   method; caught when ApplyUpdate or the call throws, the process dies or hangs, or the
//!   result differs from a fresh run of the scenario's v2 build.
//!
//! The unmutated generation must pass all three (so a catch is the mutation's doing), and
//! every mutant must be caught by at least one judge. The table of who catches what, as
//! measured, is in `docs/mutation-testing.md`; this test prints it (`--nocapture`).
//! Without `dotnet` only `check` judges (the SRM and CoreCLR judges skip, as every
//! dotnet test does; under `CI=true` that is a failure), and only the rules that this
//! test's findings became are asserted.

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use emit_delta::Assembly;
use emit_delta::chain::{Chain, DeltaFiles};
use emit_delta::check::check_chain;
use emit_delta::il::{MethodBody, Operand, decode_instructions};
use emit_delta::metadata::schema::{CodedIndex, TableId};
use emit_delta::metadata::{MetadataReader, Token};
use support::delta::{
    Files, Generation, enc_map, find_operand, raw_rows, read_cell, rebuild, replace_raw_rows, replace_rows, write_cell,
};

const EMIT_DELTA: &str = env!("CARGO_BIN_EXE_emit-delta");

/// A scenario's clean generation 1 and what a fresh run of its v2 build returns.
struct Scenario {
    name: &'static str,
    dir: PathBuf,
    entry: String,
    clean: Files,
    _out: tempfile::TempDir,
}

impl Scenario {
    fn new(name: &'static str) -> Scenario {
        let dir = support::repo().join("testdata/scenarios").join(name);
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("scenario.json")).unwrap()).unwrap();
        let out = tempfile::tempdir().unwrap();
        let v1 = dir.join("bin/v1/App.dll");
        let o = Command::new(EMIT_DELTA).arg(&v1).arg(dir.join("bin/v2/App.dll")).arg("--out").arg(out.path()).output();
        let o = o.unwrap();
        assert!(o.status.success(), "{name}: emit-delta: {}", String::from_utf8_lossy(&o.stderr));
        let clean = Files::read(&v1, &[out.path().join("App.dll.1.dmeta")]);
        Scenario { name, entry: json["entry"].as_str().unwrap().to_string(), dir, clean, _out: out }
    }

    fn baseline(&self) -> PathBuf {
        self.dir.join("bin/v1/App.dll")
    }
}

/// The .NET side: the two tools and the expected result of each scenario.
struct Runtime {
    dotnet: PathBuf,
    host: PathBuf,
    verify: PathBuf,
}

/// Some(reason) when the judge caught the mutant.
type Verdict = Option<String>;

fn judge_check(files: &Files) -> Verdict {
    let baseline = Assembly::parse(&files.baseline).unwrap();
    let deltas: Vec<DeltaFiles<'_>> = files
        .generations
        .iter()
        .map(|g| DeltaFiles { metadata: &g.dmeta, il: Some(&g.dil), pdb: g.dpdb.as_deref() })
        .collect();
    match Chain::open(baseline.metadata.clone(), &deltas) {
        Err(e) => Some(format!("unreadable: {e}")),
        Ok(chain) => {
            let mut rules: Vec<&str> = check_chain(&chain, None).iter().map(|v| v.rule).collect();
            rules.dedup();
            (!rules.is_empty()).then(|| rules.join(", "))
        }
    }
}

/// Writes generation 1 of `files` as `dir/App.dll.1.*`; the prefix.
fn write_generation(files: &Files, dir: &Path) -> PathBuf {
    let g = &files.generations[0];
    std::fs::write(dir.join("App.dll.1.dmeta"), &g.dmeta).unwrap();
    std::fs::write(dir.join("App.dll.1.dil"), &g.dil).unwrap();
    if let Some(pdb) = &g.dpdb {
        std::fs::write(dir.join("App.dll.1.dpdb"), pdb).unwrap();
    }
    dir.join("App.dll.1")
}

/// Runs `command` with a time limit: (exit code, stdout, stderr); code None when it was
/// killed by a signal or by the limit.
fn run_limited(mut command: Command, limit: Duration) -> (Option<i32>, String, String, bool) {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + limit;
    let (status, hung) = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break (status, false);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            break (child.wait().unwrap(), true);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (status.code(), reader.join().unwrap(), err_reader.join().unwrap(), hung)
}

impl Runtime {
    fn new() -> Option<Runtime> {
        let dotnet = support::dotnet("mutants_of_every_row_kind_are_caught")?;
        let host = support::build_tool(&dotnet, "hotreload-host", "HotReloadHost");
        let verify = support::build_tool(&dotnet, "delta-verify", "DeltaVerify");
        Some(Runtime { dotnet, host, verify })
    }

    /// The host's `gen N: ...` lines, exit code, stderr, and whether it hung.
    fn host(&self, s: &Scenario, prefix: Option<&Path>, dll: &Path) -> (Vec<String>, Option<i32>, String, bool) {
        let mut c = Command::new(&self.dotnet);
        c.arg(&self.host)
            .arg(dll)
            .arg(&s.entry)
            .arg("--probe")
            .arg(support::repo().join("testdata/scenarios/_shared"))
            .args(prefix)
            .env("DOTNET_MODIFIABLE_ASSEMBLIES", "debug");
        let (code, stdout, stderr, hung) = run_limited(c, Duration::from_secs(60));
        (stdout.lines().filter(|l| l.starts_with("gen ")).map(str::to_string).collect(), code, stderr, hung)
    }

    /// What a fresh start of the scenario's v2 build returns.
    fn fresh_v2(&self, s: &Scenario) -> String {
        let (lines, code, stderr, _) = self.host(s, None, &s.dir.join("bin/v2/App.dll"));
        assert_eq!(code, Some(0), "{}: fresh run of v2 failed: {stderr}", s.name);
        lines[0].strip_prefix("gen 0: ").unwrap().to_string()
    }

    fn judge_coreclr(&self, s: &Scenario, expected: &str, files: &Files) -> Verdict {
        let dir = tempfile::tempdir().unwrap();
        let prefix = write_generation(files, dir.path());
        let (lines, code, stderr, hung) = self.host(s, Some(&prefix), &s.baseline());
        let gen1 = lines.iter().find_map(|l| l.strip_prefix("gen 1: "));
        let last = |text: &str| text.lines().rfind(|l| !l.trim().is_empty()).unwrap_or_default().trim().to_string();
        if hung {
            Some("hung (killed after 60 s)".into())
        } else if code != Some(0) {
            let why = if stderr.trim().is_empty() { lines.last().cloned().unwrap_or_default() } else { last(&stderr) };
            Some(format!("exit {code:?}: {}", truncate(&why)))
        } else {
            match gen1 {
                Some(got) if got == expected => None,
                Some(got) => Some(format!("returned {:?}, fresh v2 {:?}", truncate(got), truncate(expected))),
                None => Some("printed no generation 1 result".into()),
            }
        }
    }

    fn judge_srm(&self, s: &Scenario, files: &Files) -> Verdict {
        let dir = tempfile::tempdir().unwrap();
        let prefix = write_generation(files, dir.path());
        let mut c = Command::new(&self.dotnet);
        c.arg(&self.verify).arg("-q").arg(s.baseline()).arg(prefix.parent().unwrap().join("App.dll.1.dmeta"));
        let (code, stdout, stderr, hung) = run_limited(c, Duration::from_secs(60));
        if hung {
            return Some("hung".into());
        }
        (code != Some(0)).then(|| {
            let first = stdout.lines().chain(stderr.lines()).find(|l| l.contains("error")).unwrap_or("failed");
            truncate(first)
        })
    }
}

fn truncate(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 110 { format!("{}…", s.chars().take(110).collect::<String>()) } else { s.to_string() }
}

// ---- mutation helpers ------------------------------------------------------------------

fn reader(md: &[u8]) -> MetadataReader<'_> {
    MetadataReader::parse(md).unwrap()
}

fn rows(md: &[u8], table: TableId) -> Vec<Vec<u32>> {
    let columns = table.columns().len();
    (1..=reader(md).row_count(table)).map(|rid| (0..columns).map(|c| read_cell(md, table, rid, c)).collect()).collect()
}

fn count(md: &[u8], table: TableId) -> u32 {
    reader(md).row_count(table)
}

/// The chain token of physical row `rid` of `table` (its EncMap entry).
fn token_of(md: &[u8], table: TableId, rid: u32) -> u32 {
    enc_map(md).into_iter().filter(|t| t >> 24 == table as u32).nth(rid as usize - 1).unwrap()
}

/// Removes physical row `rid` of `table` and its EncMap and EncLog entries.
fn drop_row(md: &mut Vec<u8>, table: TableId, rid: u32) {
    let token = token_of(md, table, rid);
    let mut kept = raw_rows(md, table);
    kept.remove(rid as usize - 1);
    *md = replace_raw_rows(md, table, &kept);
    let map: Vec<Vec<u32>> = enc_map(md).into_iter().filter(|&t| t != token).map(|t| vec![t]).collect();
    *md = replace_rows(md, TableId::EncMap, &map);
    let log: Vec<Vec<u32>> = rows(md, TableId::EncLog).into_iter().filter(|r| r[0] != token).collect();
    *md = replace_rows(md, TableId::EncLog, &log);
}

/// Swaps two rows of `table` in place (their tokens stay where the EncMap puts them).
fn swap_rows(md: &mut Vec<u8>, table: TableId, a: u32, b: u32) {
    let mut all = raw_rows(md, table);
    all.swap(a as usize - 1, b as usize - 1);
    *md = replace_raw_rows(md, table, &all);
}

fn dmeta(f: &mut Files) -> &mut Vec<u8> {
    &mut f.generations[0].dmeta
}

fn dpdb(f: &mut Files) -> &mut Vec<u8> {
    f.generations[0].dpdb.as_mut().expect("a .dpdb")
}

/// The .dil offset of the first instruction of the first body whose opcode is `opcode`.
fn find_opcode(g: &Generation, opcode: u16) -> usize {
    let md = reader(&g.dmeta);
    (1..=md.row_count(TableId::MethodDef))
        .find_map(|rid| {
            let rva = read_cell(&g.dmeta, TableId::MethodDef, rid, 0) as usize;
            let body = MethodBody::parse(&g.dil[rva..]).ok()?;
            let code = decode_instructions(body.code).ok()?;
            code.iter().find(|i| i.opcode.0 == opcode).map(|i| rva + body.header_size + i.offset as usize)
        })
        .unwrap_or_else(|| panic!("no opcode {opcode:#x} in the delta's bodies"))
}

/// (.dil offset of the header, header) of the body of physical MethodDef row `rid`.
fn body_at(g: &Generation, rid: u32) -> (usize, usize, bool) {
    let rva = read_cell(&g.dmeta, TableId::MethodDef, rid, 0) as usize;
    let body = MethodBody::parse(&g.dil[rva..]).unwrap();
    (rva, body.code.len(), body.is_tiny)
}

/// Sets the code size of the body at `rva` (tiny or fat header).
fn set_code_size(dil: &mut [u8], rva: usize, tiny: bool, size: usize) {
    if tiny {
        assert!(size < 64);
        dil[rva] = ((size as u8) << 2) | 2;
    } else {
        dil[rva + 4..rva + 8].copy_from_slice(&(size as u32).to_le_bytes());
    }
}

fn us_heap(md: &[u8]) -> Vec<u8> {
    let r = reader(md);
    let h = r.root.header("#US").unwrap();
    md[h.offset as usize..(h.offset + h.size) as usize].to_vec()
}

/// The `#US` entries of a delta heap: (offset, length prefix size, length).
fn user_strings(heap: &[u8]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut at = 1;
    while at < heap.len() && heap[at] != 0 {
        let (len, prefix) = match heap[at] {
            b if b & 0x80 == 0 => (b as usize, 1),
            b if b & 0xC0 == 0x80 => ((((b & 0x3F) as usize) << 8) | heap[at + 1] as usize, 2),
            _ => panic!("a 4-byte #US length in a test delta"),
        };
        out.push((at, prefix, len));
        at += prefix + len;
    }
    out
}

type Mutate = Box<dyn Fn(&mut Files) + Send + Sync>;

struct Mutant {
    scenario: usize,
    kind: &'static str,
    what: &'static str,
    mutate: Mutate,
}

/// The physical EncLog row (1-based) of the first entry with `operation`.
fn enc_log_row(md: &[u8], operation: u32) -> u32 {
    rows(md, TableId::EncLog).iter().position(|r| r[1] == operation).expect("such an EncLog entry") as u32 + 1
}

/// Every mutant: scenario 0 is cs-generic-inst, 1 is cs-lambda, 2 is cs-add-property
/// (added methods, a field, a parameter, a PropertyMap, properties, semantics).
fn mutants() -> Vec<Mutant> {
    let mut m: Vec<Mutant> = Vec::new();
    let mut add = |scenario: usize, kind: &'static str, what: &'static str, f: Mutate| {
        m.push(Mutant { scenario, kind, what, mutate: f })
    };
    use TableId as T;

    // MethodDef (body update rows).
    add(
        0,
        "MethodDef",
        "flip: RVA one byte into its body",
        Box::new(|f| {
            let rva = read_cell(dmeta(f), T::MethodDef, 1, 0);
            write_cell(dmeta(f), T::MethodDef, 1, 0, rva + 1);
        }),
    );
    add(
        0,
        "MethodDef",
        "flip: Signature column pointing at the MethodSpec's blob",
        Box::new(|f| {
            let blob = read_cell(dmeta(f), T::MethodSpec, 1, 1);
            write_cell(dmeta(f), T::MethodDef, 1, 4, blob);
        }),
    );
    add(
        0,
        "MethodDef",
        "flip: Flags column made abstract",
        Box::new(|f| {
            let flags = read_cell(dmeta(f), T::MethodDef, 1, 2);
            write_cell(dmeta(f), T::MethodDef, 1, 2, flags | 0x0400);
        }),
    );
    add(
        0,
        "MethodDef",
        "drop: the update row (and its EncMap/EncLog entries)",
        Box::new(|f| drop_row(dmeta(f), T::MethodDef, 1)),
    );
    add(1, "MethodDef", "reorder: rows 1 and 2 swapped", Box::new(|f| swap_rows(dmeta(f), T::MethodDef, 1, 2)));

    // Module row.
    add(0, "Module", "flip: Generation 2", Box::new(|f| write_cell(dmeta(f), T::Module, 1, 0, 2)));
    add(
        0,
        "Module",
        "flip: Mvid pointing at the EncId",
        Box::new(|f| {
            let enc = read_cell(dmeta(f), T::Module, 1, 3);
            write_cell(dmeta(f), T::Module, 1, 2, enc);
        }),
    );
    add(0, "Module", "flip: EncId nil", Box::new(|f| write_cell(dmeta(f), T::Module, 1, 3, 0)));
    add(
        0,
        "Module",
        "flip: EncBaseId = its own EncId",
        Box::new(|f| {
            let enc = read_cell(dmeta(f), T::Module, 1, 3);
            write_cell(dmeta(f), T::Module, 1, 4, enc);
        }),
    );
    add(
        0,
        "Module",
        "drop: no Module row",
        Box::new(|f| {
            let md = dmeta(f);
            *md = replace_rows(md, T::Module, &[]);
        }),
    );

    // EncLog.
    add(
        0,
        "EncLog",
        "drop: the MethodDef entry",
        Box::new(|f| {
            let md = dmeta(f);
            let log: Vec<Vec<u32>> =
                rows(md, T::EncLog).into_iter().filter(|r| r[0] >> 24 != T::MethodDef as u32).collect();
            *md = replace_rows(md, T::EncLog, &log);
        }),
    );
    add(
        0,
        "EncLog",
        "flip: MethodDef entry's operation AddMethod",
        Box::new(|f| {
            let md = dmeta(f);
            let at = rows(md, T::EncLog).iter().position(|r| r[0] >> 24 == T::MethodDef as u32).unwrap();
            write_cell(md, T::EncLog, at as u32 + 1, 1, 1);
        }),
    );
    add(
        0,
        "EncLog",
        "reorder: MethodDef entry first (before the references it uses)",
        Box::new(|f| {
            let md = dmeta(f);
            let mut log = rows(md, T::EncLog);
            let at = log.iter().position(|r| r[0] >> 24 == T::MethodDef as u32).unwrap();
            let entry = log.remove(at);
            log.insert(0, entry);
            *md = replace_rows(md, T::EncLog, &log);
        }),
    );

    // EncMap.
    add(
        0,
        "EncMap",
        "reorder: entries 1 and 2 swapped",
        Box::new(|f| {
            let md = dmeta(f);
            let (a, b) = (read_cell(md, T::EncMap, 1, 0), read_cell(md, T::EncMap, 2, 0));
            write_cell(md, T::EncMap, 1, 0, b);
            write_cell(md, T::EncMap, 2, 0, a);
        }),
    );
    add(
        0,
        "EncMap",
        "drop: the MethodDef entry",
        Box::new(|f| {
            let md = dmeta(f);
            let map: Vec<Vec<u32>> =
                enc_map(md).into_iter().filter(|t| t >> 24 != T::MethodDef as u32).map(|t| vec![t]).collect();
            *md = replace_rows(md, T::EncMap, &map);
        }),
    );
    add(
        0,
        "EncMap",
        "flip: an entry naming the next row of its table",
        Box::new(|f| {
            let md = dmeta(f);
            let last = count(md, T::EncMap);
            let t = read_cell(md, T::EncMap, last, 0);
            write_cell(md, T::EncMap, last, 0, t + 1);
        }),
    );

    // References the new code uses.
    add(
        0,
        "StandAloneSig",
        "flip: Signature pointing at the TypeSpec's blob",
        Box::new(|f| {
            let blob = read_cell(dmeta(f), T::TypeSpec, 1, 0);
            write_cell(dmeta(f), T::StandAloneSig, 1, 0, blob);
        }),
    );
    add(0, "StandAloneSig", "drop", Box::new(|f| drop_row(dmeta(f), T::StandAloneSig, 1)));
    add(
        0,
        "TypeRef",
        "flip: Name = its Namespace",
        Box::new(|f| {
            let ns = read_cell(dmeta(f), T::TypeRef, 1, 2);
            write_cell(dmeta(f), T::TypeRef, 1, 1, ns);
        }),
    );
    add(
        0,
        "TypeRef",
        "flip: ResolutionScope = the module",
        Box::new(|f| {
            let module = CodedIndex::ResolutionScope.encode(Token::new(T::Module, 1)).unwrap();
            write_cell(dmeta(f), T::TypeRef, 1, 0, module);
        }),
    );
    add(0, "TypeRef", "drop", Box::new(|f| drop_row(dmeta(f), T::TypeRef, 1)));
    add(
        0,
        "MemberRef",
        "flip: Name of the last = the first's",
        Box::new(|f| {
            let md = dmeta(f);
            let (first, last) = (read_cell(md, T::MemberRef, 1, 1), count(md, T::MemberRef));
            let last_name = read_cell(md, T::MemberRef, last, 1);
            assert_ne!(first, last_name);
            write_cell(md, T::MemberRef, last, 1, first);
        }),
    );
    add(
        0,
        "MemberRef",
        "flip: Signature of the first = the last's",
        Box::new(|f| {
            let md = dmeta(f);
            let last = count(md, T::MemberRef);
            let sig = read_cell(md, T::MemberRef, last, 2);
            write_cell(md, T::MemberRef, 1, 2, sig);
        }),
    );
    add(
        0,
        "MemberRef",
        "drop: the last",
        Box::new(|f| {
            let last = count(dmeta(f), T::MemberRef);
            drop_row(dmeta(f), T::MemberRef, last)
        }),
    );
    add(
        0,
        "TypeSpec",
        "flip: Signature pointing at the MethodSpec's blob",
        Box::new(|f| {
            let blob = read_cell(dmeta(f), T::MethodSpec, 1, 1);
            write_cell(dmeta(f), T::TypeSpec, 1, 0, blob);
        }),
    );
    add(0, "TypeSpec", "drop", Box::new(|f| drop_row(dmeta(f), T::TypeSpec, 1)));
    add(
        0,
        "MethodSpec",
        "flip: Instantiation pointing at the TypeSpec's blob",
        Box::new(|f| {
            let blob = read_cell(dmeta(f), T::TypeSpec, 1, 0);
            write_cell(dmeta(f), T::MethodSpec, 1, 1, blob);
        }),
    );
    add(0, "MethodSpec", "drop", Box::new(|f| drop_row(dmeta(f), T::MethodSpec, 1)));
    add(
        0,
        "AssemblyRef",
        "flip: Name = the TypeRef's name",
        Box::new(|f| {
            let name = read_cell(dmeta(f), T::TypeRef, 1, 1);
            write_cell(dmeta(f), T::AssemblyRef, 1, 6, name);
        }),
    );
    add(0, "AssemblyRef", "flip: MajorVersion 99", Box::new(|f| write_cell(dmeta(f), T::AssemblyRef, 1, 0, 99)));
    add(0, "AssemblyRef", "drop", Box::new(|f| drop_row(dmeta(f), T::AssemblyRef, 1)));

    // Heaps and literals.
    add(
        0,
        "#Strings",
        "flip: heap base off by one (the delta heap lost its leading 0)",
        Box::new(|f| {
            let md = dmeta(f);
            *md = rebuild(md, |name, bytes| {
                let mut b = bytes.to_vec();
                if name == "#Strings" {
                    b.remove(0);
                    b.push(0);
                }
                b
            });
        }),
    );
    add(
        0,
        "#Blob",
        "flip: heap base off by 4 (4 zero bytes in front)",
        Box::new(|f| {
            let md = dmeta(f);
            *md = rebuild(md, |name, bytes| {
                let mut b = bytes.to_vec();
                if name == "#Blob" {
                    b.splice(0..0, [0u8; 4]);
                }
                b
            });
        }),
    );
    add(
        0,
        "#US",
        "flip: a literal's text (one UTF-16 unit of \"hi\")",
        Box::new(|f| {
            let md = dmeta(f);
            *md = rebuild(md, |name, bytes| {
                let mut b = bytes.to_vec();
                if name == "#US" {
                    let (at, prefix, len) = user_strings(&b)[1];
                    assert_eq!(&b[at + prefix..at + prefix + len], b"h\0i\0\0", "the second literal is \"hi\"");
                    b[at + prefix] ^= 0x01;
                }
                b
            });
        }),
    );
    add(
        0,
        "#US",
        "drop: the last literal's final flag byte (length 2n, not 2n+1)",
        Box::new(|f| {
            let md = dmeta(f);
            *md = rebuild(md, |name, bytes| {
                let mut b = bytes.to_vec();
                if name == "#US" {
                    let &(at, prefix, len) = user_strings(&b).last().unwrap();
                    assert_eq!((prefix, len % 2), (1, 1));
                    b[at] = (len - 1) as u8;
                    b.remove(at + prefix + len - 1);
                    b.push(0);
                }
                b
            });
        }),
    );
    add(
        0,
        "#US",
        "flip: ldstr naming another literal",
        Box::new(|f| {
            let (at, token) =
                find_operand(&f.generations[0], |o| if let Operand::String(t) = o { Some(*t) } else { None }).unwrap();
            let heap = us_heap(&f.generations[0].dmeta);
            // #US offsets are absolute: the baseline's #US size, then this delta heap's.
            let base = Assembly::parse(&f.baseline).unwrap().metadata.root.header("#US").unwrap().size;
            let own: Vec<u32> = user_strings(&heap).iter().map(|e| base + e.0 as u32).collect();
            assert!(own.contains(&token.rid()), "the ldstr names a literal of this delta");
            let other = own.iter().copied().find(|&o| o != token.rid()).unwrap();
            let g = &mut f.generations[0];
            g.dil[at..at + 4].copy_from_slice(&(0x7000_0000 | other).to_le_bytes());
        }),
    );

    // The .dil bodies.
    add(
        0,
        ".dil",
        "flip: ldc.i4.1 made ldc.i4.2",
        Box::new(|f| {
            let g = &mut f.generations[0];
            let at = find_opcode(g, 0x17);
            g.dil[at] = 0x18;
        }),
    );
    add(
        0,
        ".dil",
        "flip: a call naming another MemberRef",
        Box::new(|f| {
            let g = &mut f.generations[0];
            let (at, token) = find_operand(g, |o| match o {
                Operand::Token(t) if t.table() == Some(TableId::MemberRef) => Some(*t),
                _ => None,
            })
            .unwrap();
            let other =
                enc_map(&g.dmeta).into_iter().find(|&t| t >> 24 == T::MemberRef as u32 && t != token.0).unwrap();
            g.dil[at..at + 4].copy_from_slice(&other.to_le_bytes());
        }),
    );
    add(
        0,
        ".dil",
        "drop: the body's last byte (its ret)",
        Box::new(|f| {
            let g = &mut f.generations[0];
            let (rva, size, tiny) = body_at(g, 1);
            set_code_size(&mut g.dil, rva, tiny, size - 1);
        }),
    );
    add(
        1,
        ".dil",
        "reorder: two bodies' RVAs swapped",
        Box::new(|f| {
            let md = dmeta(f);
            let (a, b) = (read_cell(md, T::MethodDef, 1, 0), read_cell(md, T::MethodDef, 3, 0));
            write_cell(md, T::MethodDef, 1, 0, b);
            write_cell(md, T::MethodDef, 3, 0, a);
        }),
    );

    // The .dpdb MethodDebugInformation rows.
    add(
        0,
        ".dpdb",
        "drop: the MethodDebugInformation row (and its EncMap entry)",
        Box::new(|f| {
            let md = dpdb(f);
            *md = replace_rows(md, T::MethodDebugInformation, &[]);
            *md = replace_rows(md, T::EncMap, &[]);
        }),
    );
    add(
        0,
        ".dpdb",
        "flip: MethodDebugInformation.Document 99",
        Box::new(|f| write_cell(dpdb(f), T::MethodDebugInformation, 1, 0, 99)),
    );
    add(
        1,
        ".dpdb",
        "reorder: MethodDebugInformation rows 1 and 2 swapped",
        Box::new(|f| swap_rows(dpdb(f), T::MethodDebugInformation, 1, 2)),
    );

    // Additions (cs-add-property): announcements and the added rows.
    add(
        2,
        "EncLog",
        "drop: an AddMethod announcement",
        Box::new(|f| {
            let md = dmeta(f);
            let at = enc_log_row(md, 1) as usize;
            let mut log = rows(md, T::EncLog);
            log.remove(at - 1);
            *md = replace_rows(md, T::EncLog, &log);
        }),
    );
    add(
        2,
        "EncLog",
        "flip: AddField announced on the module type",
        Box::new(|f| {
            let md = dmeta(f);
            let at = enc_log_row(md, 2);
            write_cell(md, T::EncLog, at, 0, Token::new(T::TypeDef, 1).0);
        }),
    );
    add(2, "Field", "drop: the added backing field", Box::new(|f| drop_row(dmeta(f), T::Field, 1)));
    add(2, "Param", "drop: the added setter's parameter", Box::new(|f| drop_row(dmeta(f), T::Param, 1)));
    add(2, "PropertyMap", "drop: the added map row", Box::new(|f| drop_row(dmeta(f), T::PropertyMap, 1)));
    add(
        2,
        "MethodDef",
        "drop: the last added method",
        Box::new(|f| {
            let last = count(dmeta(f), T::MethodDef);
            drop_row(dmeta(f), T::MethodDef, last)
        }),
    );
    add(
        2,
        "MethodDef",
        "flip: an added method's RVA past the .dil",
        Box::new(|f| {
            let past = f.generations[0].dil.len() as u32 + 4;
            let last = count(dmeta(f), T::MethodDef);
            write_cell(dmeta(f), T::MethodDef, last, 0, past);
        }),
    );
    add(
        1,
        ".dpdb",
        "flip: a row's SequencePoints = another method's",
        Box::new(|f| {
            let md = dpdb(f);
            let other = read_cell(md, T::MethodDebugInformation, 2, 1);
            write_cell(md, T::MethodDebugInformation, 1, 1, other);
        }),
    );
    m
}

#[test]
fn mutants_of_every_row_kind_are_caught() {
    let scenarios = [Scenario::new("cs-generic-inst"), Scenario::new("cs-lambda"), Scenario::new("cs-add-property")];
    let runtime = Runtime::new();
    let expected: Vec<Option<String>> = scenarios.iter().map(|s| runtime.as_ref().map(|r| r.fresh_v2(s))).collect();

    // The unmutated generation passes all three, so every catch below is the mutation's.
    for (s, expected) in scenarios.iter().zip(&expected) {
        assert_eq!(judge_check(&s.clean), None, "{}: the clean generation has check violations", s.name);
        if let (Some(r), Some(e)) = (&runtime, expected) {
            assert_eq!(r.judge_srm(s, &s.clean), None, "{}: SRM rejects the clean generation", s.name);
            assert_eq!(r.judge_coreclr(s, e, &s.clean), None, "{}: CoreCLR misruns the clean generation", s.name);
        }
    }

    let mutants = mutants();
    // Judge in parallel (each dotnet run is a child process), three mutants at a time.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(vec![None; mutants.len()]);
    std::thread::scope(|scope| {
        for _ in 0..3 {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(m) = mutants.get(i) else { break };
                    let s = &scenarios[m.scenario];
                    let mut files = s.clean.clone();
                    (m.mutate)(&mut files);
                    let (g, c) = (&files.generations[0], &s.clean.generations[0]);
                    assert!(
                        g.dmeta != c.dmeta || g.dil != c.dil || g.dpdb != c.dpdb,
                        "{} {}: changed nothing",
                        m.kind,
                        m.what
                    );
                    let check = judge_check(&files);
                    let (srm, coreclr) = match (&runtime, &expected[m.scenario]) {
                        (Some(r), Some(e)) => (r.judge_srm(s, &files), r.judge_coreclr(s, e, &files)),
                        _ => (None, None),
                    };
                    results.lock().unwrap()[i] = Some((check, srm, coreclr));
                }
            });
        }
    });

    let results = results.into_inner().unwrap();
    // The findings of this test became check rules; those mutants must be reported by them.
    let findings = [
        ("EncLog", "reorder", "enc-log-order"),
        ("#US", "drop: the last literal's final flag byte", "user-string-format"),
        (".dpdb", "reorder", "pdb-local-signature"),
        ("MethodDef", "reorder", "pdb-local-signature"),
    ];
    for (kind, what, rule) in findings {
        let (m, r) = mutants.iter().zip(&results).find(|(m, _)| m.kind == kind && m.what.starts_with(what)).unwrap();
        let check = r.as_ref().unwrap().0.clone().unwrap_or_default();
        assert!(check.split(", ").any(|r| r == rule), "{} {}: check reported {check:?}, not {rule}", m.kind, m.what);
    }
    let mark = |v: &Verdict| if v.is_some() { "caught" } else { "-" };
    println!("| row kind | mutation | check | SRM (delta-verify) | CoreCLR |");
    println!("|---|---|---|---|---|");
    let mut silent = Vec::new();
    for (m, r) in mutants.iter().zip(&results) {
        let (check, srm, coreclr) = r.as_ref().unwrap();
        println!(
            "| {} | {} ({}) | {} | {} | {} |",
            m.kind,
            m.what,
            scenarios[m.scenario].name,
            check.as_deref().unwrap_or("-"),
            srm.as_deref().map_or("-".to_string(), |w| format!("{}: {w}", mark(srm))),
            coreclr.as_deref().map_or("-".to_string(), |w| format!("{}: {w}", mark(coreclr))),
        );
        if check.is_none() && srm.is_none() && coreclr.is_none() {
            silent.push(format!("{} {}", m.kind, m.what));
        }
    }
    // Without dotnet (support::dotnet printed why; CI=true fails there) only check judged.
    if runtime.is_some() {
        assert!(silent.is_empty(), "mutants no judge caught: {silent:#?}");
    }
    assert!(mutants.len() >= 40, "expected at least 40 mutants, have {}", mutants.len());
}
