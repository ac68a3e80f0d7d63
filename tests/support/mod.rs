//! Shared helpers for tests that need the .NET SDK: finding `dotnet`, building the C#
//! tools under `tools/`, locating the shared framework. Without `dotnet` such tests
//! skip with a printed reason, except under `CI=true`, where that is a failure.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// `Some(path to dotnet)`, or `None` after printing why the test skips.
pub fn dotnet(test: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|p| p.join("dotnet")).find(|p| p.is_file()));
    if found.is_none() {
        assert!(!on_ci(), "{test}: `dotnet` is not on PATH, and CI=true requires it");
        eprintln!("skipping {test}: `dotnet` is not on PATH");
    }
    found
}

static BUILD_LOCK: Mutex<()> = Mutex::new(());

/// Builds `tools/<dir>` in Release and returns the path of `<assembly>.dll`.
pub fn build_tool(dotnet: &Path, dir: &str, assembly: &str) -> PathBuf {
    let _guard = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let project = repo().join("tools").join(dir);
    let status = Command::new(dotnet)
        .args(["build", "-c", "Release", "-nologo", "-v", "q", "-clp:ErrorsOnly"])
        .arg(&project)
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .env("DOTNET_NOLOGO", "1")
        .status()
        .expect("run dotnet build");
    assert!(status.success(), "dotnet build {} failed", project.display());
    let dll = project.join("bin/Release/net10.0").join(format!("{assembly}.dll"));
    assert!(dll.is_file(), "{} was not built", dll.display());
    dll
}

/// The directory of the newest installed Microsoft.NETCore.App.
pub fn shared_framework(dotnet: &Path) -> PathBuf {
    let out = Command::new(dotnet).arg("--list-runtimes").output().expect("dotnet --list-runtimes");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("Microsoft.NETCore.App ")?;
            let (version, dir) = rest.split_once(' ')?;
            Some(PathBuf::from(dir.trim_matches(['[', ']'])).join(version))
        })
        .next_back()
        .expect("a Microsoft.NETCore.App runtime")
}

/// The directory of the newest installed SDK.
pub fn sdk(dotnet: &Path) -> PathBuf {
    let out = Command::new(dotnet).arg("--list-sdks").output().expect("dotnet --list-sdks");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .filter_map(|l| {
            let (version, dir) = l.split_once(' ')?;
            Some(PathBuf::from(dir.trim_matches(['[', ']'])).join(version))
        })
        .next_back()
        .expect("an installed SDK")
}

/// Every `*.<ext>` file directly in `dir`, sorted.
pub fn files_with_extension(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == ext)).collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// The scenario folders under testdata/scenarios (those with a scenario.json), sorted,
/// with whether each is a rude-edit scenario.
pub fn scenarios() -> Vec<(String, PathBuf, bool)> {
    let root = repo().join("testdata/scenarios");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&root).expect("testdata/scenarios").flatten() {
        let dir = entry.path();
        let Ok(text) = std::fs::read_to_string(dir.join("scenario.json")) else { continue };
        let json: serde_json::Value = serde_json::from_str(&text).expect("scenario.json is JSON");
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        out.push((name, dir, json.get("rude").is_some()));
    }
    out.sort();
    out
}

pub mod delta;
pub mod random_program;

/// Builds the named scenario folders under `root` with `testdata/scenarios/build.sh`
/// (`versions`: only these, space-separated; else each scenario.json's list), split
/// over two `build.sh` processes side by side; `Err` holds what a failed build printed.
pub fn build_scenarios(root: &Path, names: &[&str], versions: Option<&str>) -> Result<(), String> {
    let workers = 2;
    let builds: Vec<_> = (0..workers)
        .map(|w| {
            let mut build = Command::new("bash");
            build
                .arg(repo().join("testdata/scenarios/build.sh"))
                .args(names.iter().skip(w).step_by(workers))
                .env("SCENARIO_ROOT", root)
                .env("SCENARIO_BUILD_DIR", root.join(format!("build-{w}/App")))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped());
            if let Some(v) = versions {
                build.env("SCENARIO_VERSIONS", v);
            }
            build.spawn().expect("run build.sh")
        })
        .collect();
    let mut errors = String::new();
    for b in builds {
        let o = b.wait_with_output().expect("wait for build.sh");
        if !o.status.success() {
            errors.push_str(&String::from_utf8_lossy(&o.stderr));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(format!("build.sh failed:\n{errors}")) }
}

/// Every file below `dir` with its contents, to prove a run changed nothing.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() { stack.push(p) } else { files.push((p.clone(), std::fs::read(&p).unwrap())) }
        }
    }
    files.sort();
    files
}
