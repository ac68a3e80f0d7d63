//! A project's exact compiler invocation, as MSBuild's Fsc/Csc/Vbc task would run it:
//! captured once after a full build (`ProvideCommandLineArgs` with the compiler's
//! execution skipped and the up-to-date check defeated, read back through `-getItem`),
//! then replayed by the warm compiler on saves that only change source contents.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// The language of a project, from MSBuild's `Language` property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    FSharp,
    CSharp,
    VisualBasic,
}

impl Language {
    /// The name the compiler host takes (`fsharp`, `csharp`, `vb`).
    pub fn host_name(self) -> &'static str {
        match self {
            Language::FSharp => "fsharp",
            Language::CSharp => "csharp",
            Language::VisualBasic => "vb",
        }
    }

    fn items(self) -> &'static str {
        match self {
            Language::FSharp => "FscCommandLineArgs",
            Language::CSharp => "CscCommandLineArgs",
            Language::VisualBasic => "VbcCommandLineArgs",
        }
    }
}

/// One project's compiler invocation.
#[derive(Clone, Debug)]
pub struct Invocation {
    pub project: PathBuf,
    /// The folder the compiler runs in (relative paths in `args` are relative to it).
    pub dir: PathBuf,
    pub language: Language,
    /// The SDK's own compiler: `fsc.dll`, `csc.dll` or `vbc.dll`.
    pub compiler: PathBuf,
    /// The arguments as the task passes them (one per response-file line).
    pub args: Vec<String>,
    /// The compiled source files (MSBuild's `Compile` items), absolute.
    pub sources: Vec<PathBuf>,
    /// What the compiler writes (absolute): the assembly, its PDB, its reference assembly.
    pub output: PathBuf,
    pub pdb: Option<PathBuf>,
    pub refout: Option<PathBuf>,
}

/// The option that names the reference assembly, as fsc, csc and vbc spell it.
const REFOUT_OPTIONS: [&str; 3] = ["--refout:", "/refout:", "-refout:"];

/// The global properties of the capture: Debug like watch's build, the compiler itself not
/// run, its up-to-date check defeated (an output that never exists), referenced projects
/// not built again (their outputs exist after the full build).
const CAPTURE_PROPERTIES: [&str; 5] = [
    "-p:Configuration=Debug",
    "-p:ProvideCommandLineArgs=true",
    "-p:SkipCompilerExecution=true",
    "-p:NonExistentFile=__emit_delta_never__/never",
    "-p:BuildProjectReferences=false",
];

/// Runs MSBuild on `project` (after a full build) and reads its compiler invocation.
pub fn capture(dotnet: &Path, project: &Path) -> Result<Invocation, String> {
    let output = Command::new(dotnet)
        .arg("msbuild")
        .arg(project)
        .args(["-t:Compile", "-nologo", "-v:q"])
        .args(CAPTURE_PROPERTIES)
        .args(["-getItem:FscCommandLineArgs", "-getItem:CscCommandLineArgs", "-getItem:VbcCommandLineArgs"])
        .args(["-getItem:Compile", "-getProperty:Language", "-getProperty:MSBuildProjectDirectory"])
        .args(["-getProperty:DotnetFscCompilerPath", "-getProperty:RoslynTargetsPath"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run dotnet msbuild: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        let mut message = format!("{}{}", text.trim(), String::from_utf8_lossy(&output.stderr).trim());
        message.truncate(2000);
        return Err(format!("capturing the compiler invocation of {} failed: {message}", project.display()));
    }
    parse(project, &text)
}

/// Reads MSBuild's `-getItem`/`-getProperty` JSON into an invocation.
pub fn parse(project: &Path, json: &str) -> Result<Invocation, String> {
    let what = || format!("the compiler invocation of {}", project.display());
    // MSBuild may print lines (warnings) before the JSON object.
    let start = json.find('{').ok_or_else(|| format!("{}: MSBuild printed no JSON", what()))?;
    let value: Value = serde_json::from_str(&json[start..]).map_err(|e| format!("{}: MSBuild's JSON: {e}", what()))?;
    let property = |name: &str| value["Properties"][name].as_str().unwrap_or_default().trim().trim_matches('"');
    let language = match property("Language") {
        "F#" => Language::FSharp,
        "C#" => Language::CSharp,
        "VB" => Language::VisualBasic,
        other => return Err(format!("{}: unsupported language `{other}`", what())),
    };
    let dir = PathBuf::from(property("MSBuildProjectDirectory"));
    if !dir.is_absolute() {
        return Err(format!("{}: no project directory", what()));
    }
    let items = |name: &str| -> Vec<String> {
        value["Items"][name]
            .as_array()
            .map(|a| a.iter().filter_map(|i| i["Identity"].as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    let args = items(language.items());
    if args.is_empty() {
        return Err(format!("{}: MSBuild reported no {} (did the Compile target run?)", what(), language.items()));
    }
    let sources = value["Items"]["Compile"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["FullPath"].as_str().map(PathBuf::from)).collect())
        .unwrap_or_default();
    let compiler = match language {
        Language::FSharp => PathBuf::from(property("DotnetFscCompilerPath")),
        Language::CSharp => Path::new(property("RoslynTargetsPath")).join("bincore/csc.dll"),
        Language::VisualBasic => Path::new(property("RoslynTargetsPath")).join("bincore/vbc.dll"),
    };
    if !compiler.is_absolute() {
        return Err(format!("{}: the compiler's path is not known", what()));
    }
    let resolve = |p: &str| dir.join(unquote(p));
    let output = option_value(&args, &["-o:", "--out:", "/out:", "-out:"])
        .map(resolve)
        .ok_or_else(|| format!("{}: no output option", what()))?;
    let pdb = option_value(&args, &["--pdb:", "/pdb:", "-pdb:"]).map(resolve).or_else(|| {
        let debug = args.iter().any(|a| a == "-g" || a.starts_with("--debug") || a.starts_with("/debug"));
        debug.then(|| output.with_extension("pdb"))
    });
    let refout = option_value(&args, &REFOUT_OPTIONS).map(resolve);
    Ok(Invocation { project: project.to_path_buf(), dir, language, compiler, args, sources, output, pdb, refout })
}

/// MSBuild turns backslashes into slashes in item specs on Unix, which breaks the
/// escaped quotes in a quoted value (VB's `/define:"CONFIG=\"Debug\",..."` comes back
/// as `/define:"CONFIG=/"Debug/",..."`); a slash right before a quote is put back as
/// a backslash (the option's own leading slash is left alone).
fn unflip_escaped_quotes(arg: &str) -> String {
    let mut out = String::with_capacity(arg.len());
    let mut chars = arg.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '/' && i > 0 && chars.peek().is_some_and(|(_, n)| *n == '"') {
            out.push('\\');
        } else {
            out.push(c);
        }
    }
    out
}

fn unquote(s: &str) -> &str {
    s.trim().trim_matches('"')
}

/// The value of the last of `prefixes` in `args` (compilers take the last one).
fn option_value<'a>(args: &'a [String], prefixes: &[&str]) -> Option<&'a str> {
    args.iter().rev().find_map(|a| prefixes.iter().find_map(|p| a.strip_prefix(p)))
}

impl Invocation {
    /// The arguments for the compiler host. C# and VB: `/noconfig` on the command line and
    /// the rest in a response file (as the Csc/Vbc task passes them, quotes included);
    /// F#: the arguments themselves (what the Fsc task writes one per line).
    pub fn host_args(&self, response_file: &Path) -> Result<Vec<String>, String> {
        match self.language {
            Language::FSharp => Ok(self.args.clone()),
            Language::CSharp | Language::VisualBasic => {
                let mut head = Vec::new();
                let mut body = String::new();
                for a in &self.args {
                    if a.eq_ignore_ascii_case("/noconfig") || a.eq_ignore_ascii_case("-noconfig") {
                        head.push(a.clone());
                    } else {
                        body.push_str(&unflip_escaped_quotes(a));
                        body.push('\n');
                    }
                }
                std::fs::write(response_file, body).map_err(|e| format!("{}: {e}", response_file.display()))?;
                head.push(format!("@{}", response_file.display()));
                Ok(head)
            }
        }
    }

    /// Why this invocation can no longer be right, if a file it names is gone: a source or
    /// a referenced assembly (a package or SDK change, a project moved).
    pub fn stale(&self) -> Option<String> {
        if let Some(missing) = self.sources.iter().find(|s| !s.is_file()) {
            return Some(format!("source file {} is gone", missing.display()));
        }
        for a in &self.args {
            let Some(value) =
                ["-r:", "--reference:", "/reference:", "-reference:", "/r:"].iter().find_map(|p| a.strip_prefix(p))
            else {
                continue;
            };
            // `/reference:alias=path`, and several paths separated by `;` or `,` (VB).
            for part in value.split([';', ',']) {
                let path = unquote(part.rsplit_once('=').map_or(part, |(_, p)| p));
                if !path.is_empty() && !self.dir.join(path).is_file() {
                    return Some(format!("referenced assembly {path} is gone"));
                }
            }
        }
        None
    }

    /// The same invocation writing its outputs into `dir` instead (a warm-up compile that
    /// must leave the project's own outputs alone).
    pub fn redirected(&self, dir: &Path) -> Invocation {
        let file = |p: &Path| dir.join(p.file_name().unwrap_or_default());
        let output = file(&self.output);
        let pdb = self.pdb.as_deref().map(file);
        let refout = self.refout.as_deref().map(|r| dir.join("ref").join(r.file_name().unwrap_or_default()));
        let quote = |p: &Path| match self.language {
            Language::FSharp => p.display().to_string(),
            Language::CSharp | Language::VisualBasic => format!("\"{}\"", p.display()),
        };
        let replace = |a: &String| -> String {
            let targets: [(&[&str], Option<&PathBuf>); 3] = [
                (&["-o:", "--out:", "/out:", "-out:"], Some(&output)),
                (&["--pdb:", "/pdb:", "-pdb:"], pdb.as_ref()),
                (&REFOUT_OPTIONS, refout.as_ref()),
            ];
            for (prefixes, target) in targets {
                if let (Some(p), Some(t)) = (prefixes.iter().find(|p| a.starts_with(**p)), target) {
                    return format!("{p}{}", quote(t));
                }
            }
            a.clone()
        };
        if let Some(r) = &refout
            && let Some(parent) = r.parent()
        {
            let _ = std::fs::create_dir_all(parent);
        }
        Invocation { args: self.args.iter().map(replace).collect(), output, pdb, refout, ..self.clone() }
    }

    /// The same invocation without its reference assembly (for a project no other
    /// project compiles against).
    pub fn without_refout(&self) -> Invocation {
        let args = self.args.iter().filter(|a| !REFOUT_OPTIONS.iter().any(|o| a.starts_with(o))).cloned().collect();
        Invocation { args, refout: None, ..self.clone() }
    }

    /// The files the compiler writes, with the name each has in a build's output folder.
    pub fn outputs(&self) -> Vec<PathBuf> {
        let mut out = vec![self.output.clone()];
        out.extend(self.pdb.clone());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(language: &str, items: &str, args: &[&str]) -> String {
        let args: Vec<Value> = args.iter().map(|a| serde_json::json!({ "Identity": a })).collect();
        serde_json::json!({
            "Properties": { "Language": language, "MSBuildProjectDirectory": "/p",
                            "DotnetFscCompilerPath": "\"/sdk/FSharp/fsc.dll\"", "RoslynTargetsPath": "/sdk/Roslyn" },
            "Items": { items: args, "Compile": [ { "Identity": "A.fs", "FullPath": "/p/A.fs" } ] }
        })
        .to_string()
    }

    #[test]
    fn fsharp_invocation_outputs_and_compiler() {
        let text = format!(
            "some warning line\n{}",
            json("F#", "FscCommandLineArgs", &["-o:obj/Debug/A.dll", "-g", "--debug:portable", "A.fs"])
        );
        let inv = parse(Path::new("/p/A.fsproj"), &text).unwrap();
        assert_eq!(inv.language, Language::FSharp);
        assert_eq!(inv.compiler, PathBuf::from("/sdk/FSharp/fsc.dll"));
        assert_eq!(inv.output, PathBuf::from("/p/obj/Debug/A.dll"));
        assert_eq!(inv.pdb, Some(PathBuf::from("/p/obj/Debug/A.pdb")));
        assert_eq!(inv.refout, None);
        assert_eq!(inv.sources, vec![PathBuf::from("/p/A.fs")]);
    }

    #[test]
    fn csharp_invocation_goes_through_a_response_file() {
        let text = json(
            "C#",
            "CscCommandLineArgs",
            &["/noconfig", "/features:\"A=;B\"", "/out:obj/A.dll", "/refout:obj/refint/A.dll", "A.cs"],
        );
        let inv = parse(Path::new("/p/A.csproj"), &text).unwrap();
        assert_eq!(inv.compiler, PathBuf::from("/sdk/Roslyn/bincore/csc.dll"));
        assert_eq!(inv.refout, Some(PathBuf::from("/p/obj/refint/A.dll")));
        assert_eq!(inv.pdb, None);
        let dir = tempfile::tempdir().unwrap();
        let rsp = dir.path().join("a.rsp");
        let args = inv.host_args(&rsp).unwrap();
        assert_eq!(args, vec!["/noconfig".to_string(), format!("@{}", rsp.display())]);
        let body = std::fs::read_to_string(&rsp).unwrap();
        assert_eq!(
            body.lines().collect::<Vec<_>>(),
            ["/features:\"A=;B\"", "/out:obj/A.dll", "/refout:obj/refint/A.dll", "A.cs"]
        );
        let warm = inv.redirected(dir.path());
        assert_eq!(warm.output, dir.path().join("A.dll"));
        assert_eq!(warm.refout, Some(dir.path().join("ref/A.dll")));
        assert!(warm.args.contains(&format!("/out:\"{}\"", dir.path().join("A.dll").display())));
        assert!(warm.args.contains(&format!("/refout:\"{}\"", dir.path().join("ref/A.dll").display())));
        let lean = inv.without_refout();
        assert_eq!(lean.refout, None);
        assert_eq!(lean.args.len() + 1, inv.args.len());
        assert!(lean.args.iter().all(|a| !a.starts_with("/refout:")), "{:?}", lean.args);
        assert!(warm.args.contains(&"A.cs".to_string()) && !warm.args.iter().any(|a| a.contains("obj/")));
    }

    #[test]
    fn escaped_quotes_come_back_from_msbuilds_slashes() {
        assert_eq!(
            unflip_escaped_quotes(r#"/define:"CONFIG=/"Debug/",DEBUG=-1""#),
            r#"/define:"CONFIG=\"Debug\",DEBUG=-1""#
        );
        assert_eq!(unflip_escaped_quotes("/out:obj/A.dll"), "/out:obj/A.dll");
        assert_eq!(unflip_escaped_quotes("/\"x"), "/\"x");
    }

    #[test]
    fn bad_capture_output_is_an_error_not_a_panic() {
        let p = Path::new("/p/A.csproj");
        assert!(parse(p, "").unwrap_err().contains("no JSON"));
        assert!(parse(p, "{ not json").unwrap_err().contains("JSON"));
        assert!(parse(p, &json("Q#", "X", &["a"])).unwrap_err().contains("unsupported language"));
        assert!(parse(p, &json("C#", "CscCommandLineArgs", &[])).unwrap_err().contains("no CscCommandLineArgs"));
        assert!(parse(p, &json("C#", "CscCommandLineArgs", &["A.cs"])).unwrap_err().contains("no output"));
    }

    #[test]
    fn a_missing_source_or_reference_makes_it_stale() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("A.cs"), "").unwrap();
        std::fs::write(d.join("R.dll"), "").unwrap();
        let mut inv = Invocation {
            project: d.join("A.csproj"),
            dir: d.to_path_buf(),
            language: Language::CSharp,
            compiler: d.join("csc.dll"),
            args: vec!["/reference:R.dll".into(), "/reference:alias=R.dll".into(), "/reference:R.dll,R.dll".into()],
            sources: vec![d.join("A.cs")],
            output: d.join("A.dll"),
            pdb: None,
            refout: None,
        };
        assert_eq!(inv.stale(), None);
        inv.args.push("/reference:\"Gone.dll\"".into());
        assert!(inv.stale().unwrap().contains("Gone.dll"));
        inv.args.pop();
        inv.sources.push(d.join("B.cs"));
        assert!(inv.stale().unwrap().contains("B.cs"));
    }
}
