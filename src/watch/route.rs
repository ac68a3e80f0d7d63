//! Which way a save is built: straight through the captured compiler invocations (the
//! fast path) when it only changed the contents of files those invocations compile, or a
//! full `dotnet build` (and a new capture) otherwise, with the reason.

use std::path::{Path, PathBuf};

use super::invocation::Invocation;

/// The build a change takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// Compile these projects (indexes into the invocations, dependencies first).
    Fast(Vec<usize>),
    /// `dotnet build`, for this reason.
    Full(String),
}

const PROJECT_EXTS: [&str; 5] = ["csproj", "fsproj", "vbproj", "props", "targets"];

fn name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| p.display().to_string())
}

/// Decides the route for the `changed` paths. `invocations` are the captured ones (the
/// watched project first, then the projects it references), `None` when there are none.
pub fn route(changed: &[PathBuf], invocations: Option<&[Invocation]>) -> Route {
    let Some(invocations) = invocations else {
        return Route::Full("no captured compiler invocation".into());
    };
    let mut projects: Vec<usize> = Vec::new();
    for path in changed {
        if path.extension().is_some_and(|e| PROJECT_EXTS.iter().any(|x| e == *x)) {
            return Route::Full(format!("project file changed: {}", name(path)));
        }
        match invocations.iter().position(|inv| inv.sources.iter().any(|s| s == path)) {
            Some(_) if !path.is_file() => {
                return Route::Full(format!("source file removed or renamed: {}", name(path)));
            }
            Some(i) if !projects.contains(&i) => projects.push(i),
            Some(_) => {}
            // A file no project compiles yet: globbed in by the next build (C#, VB), or
            // a file to list in a project (F#); either way MSBuild decides.
            None if path.is_file() => return Route::Full(format!("new source file: {}", name(path))),
            // Gone and never compiled (an editor's temporary file): nothing to build.
            None => {}
        }
    }
    if projects.is_empty() {
        return Route::Full("no compiled source changed".into());
    }
    for &i in &projects {
        let inv = &invocations[i];
        if let Some(reason) = inv.stale() {
            return Route::Full(format!("the captured invocation of {} is stale: {reason}", name(&inv.project)));
        }
        // Other projects compile against this one: only a reference assembly tells
        // whether they must be compiled again (checked after the compile).
        if i > 0 && inv.refout.is_none() {
            return Route::Full(format!(
                "{} is referenced by other projects and has no reference assembly",
                name(&inv.project)
            ));
        }
    }
    // Referenced projects (later in the list) before the projects that reference them.
    projects.sort_unstable_by(|a, b| b.cmp(a));
    Route::Fast(projects)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::watch::invocation::Language;

    fn invocation(dir: &Path, project: &str, sources: &[&str], refout: bool) -> Invocation {
        Invocation {
            project: dir.join(project),
            dir: dir.to_path_buf(),
            language: Language::CSharp,
            compiler: dir.join("csc.dll"),
            args: Vec::new(),
            sources: sources.iter().map(|s| dir.join(s)).collect(),
            output: dir.join("obj/out.dll"),
            pdb: None,
            refout: refout.then(|| dir.join("obj/ref.dll")),
        }
    }

    #[test]
    fn content_edits_are_fast_everything_else_is_full() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        for f in ["A.cs", "B.cs", "L.cs", "New.cs", "App.csproj"] {
            std::fs::write(d.join(f), "").unwrap();
        }
        let invs =
            vec![invocation(d, "App.csproj", &["A.cs", "B.cs"], true), invocation(d, "Lib.csproj", &["L.cs"], true)];
        assert_eq!(route(&[d.join("A.cs"), d.join("B.cs")], Some(&invs)), Route::Fast(vec![0]));
        assert_eq!(route(&[d.join("A.cs"), d.join("L.cs")], Some(&invs)), Route::Fast(vec![1, 0]));
        let full = |r: Route| match r {
            Route::Full(reason) => reason,
            Route::Fast(p) => panic!("expected the full build, got fast {p:?}"),
        };
        assert!(full(route(&[d.join("A.cs")], None)).contains("no captured"));
        assert!(full(route(&[d.join("App.csproj")], Some(&invs))).contains("project file changed: App.csproj"));
        assert!(full(route(&[d.join("Directory.Build.props")], Some(&invs))).contains("project file changed"));
        assert!(full(route(&[d.join("New.cs")], Some(&invs))).contains("new source file: New.cs"));
        std::fs::remove_file(d.join("B.cs")).unwrap();
        assert!(full(route(&[d.join("B.cs")], Some(&invs))).contains("removed or renamed: B.cs"));
        assert!(full(route(&[d.join("Gone.cs")], Some(&invs))).contains("no compiled source"));
        let no_ref = vec![invocation(d, "App.csproj", &["A.cs"], true), invocation(d, "Lib.csproj", &["L.cs"], false)];
        assert!(full(route(&[d.join("L.cs")], Some(&no_ref))).contains("no reference assembly"));
    }
}
