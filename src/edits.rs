//! `EDITS.json`: a list of changes, each one generation, as hotreload-utils' scripts
//! describe them. Paths are relative to the file.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::capability::Capabilities;
use crate::error::{Error, Result};

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawCapabilities {
    Text(String),
    List(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEdit {
    update: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChange {
    updated: PathBuf,
    #[serde(default)]
    edits: Option<Vec<RawEdit>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScript {
    #[serde(default)]
    capabilities: Option<RawCapabilities>,
    changes: Vec<RawChange>,
}

/// One generation to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub updated: PathBuf,
    /// Members the caller says changed (`Namespace.Type::Member`); `None`: find them.
    pub edits: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    pub capabilities: Option<Capabilities>,
    pub changes: Vec<Change>,
}

impl Script {
    pub fn load(path: &Path) -> Result<Script> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&text, path)
    }

    /// Parses the text of the edits file `path` (named in errors; `updated` paths are
    /// relative to its folder).
    pub fn parse(text: &str, path: &Path) -> Result<Script> {
        let raw: RawScript = serde_json::from_str(text)
            .map_err(|e| Error::Invalid(format!("{}: line {} column {}: {e}", path.display(), e.line(), e.column())))?;
        if raw.changes.is_empty() {
            return Err(Error::Invalid(format!("{}: `changes` is empty", path.display())));
        }
        let base = path.parent().unwrap_or(Path::new("."));
        Ok(Script {
            capabilities: raw.capabilities.map(|c| match c {
                RawCapabilities::Text(t) => Capabilities::parse(&t),
                RawCapabilities::List(l) => Capabilities::from_names(l.iter().map(String::as_str)),
            }),
            changes: raw
                .changes
                .into_iter()
                .map(|c| Change {
                    updated: base.join(c.updated),
                    edits: c.edits.map(|e| e.into_iter().map(|e| e.update).collect()),
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example_and_rejects_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("edits.json");
        std::fs::write(
            &path,
            r#"{ "capabilities": "Baseline AddMethodToExistingType",
                "changes": [ { "updated": "v1/App.dll" },
                             { "updated": "v2/App.dll", "edits": [ { "update": "App.Greeter::Message" } ] } ] }"#,
        )
        .unwrap();
        let s = Script::load(&path).unwrap();
        assert_eq!(s.capabilities.unwrap().to_string(), "Baseline AddMethodToExistingType");
        assert_eq!(s.changes[0].updated, dir.path().join("v1/App.dll"));
        assert_eq!(s.changes[1].edits.as_deref().unwrap(), ["App.Greeter::Message"]);
        std::fs::write(&path, r#"{ "changes": [ { "updated": "a.dll", "bogus": 1 } ] }"#).unwrap();
        let err = Script::load(&path).unwrap_err().to_string();
        assert!(err.contains("edits.json") && err.contains("bogus"), "{err}");
    }
}
