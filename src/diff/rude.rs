//! Rude edits: differences the runtime cannot apply, or could apply only with a result
//! that differs from a restart. Each names the member, what changed and why, and has a
//! stable [`RudeKind`] code for tools.

use std::collections::HashMap;
use std::fmt;

use crate::capability::Capability;
use crate::metadata::Token;
use crate::pdb::location::SourceLocation;

/// What kind of rude edit this is; `code()` is stable across releases (the `--json`
/// output carries it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RudeKind {
    /// A change outside what this tool or the runtime can update (added, removed or
    /// re-typed members, attributes, layout, missing capabilities).
    Unsupported,
    /// A type initializer (`.cctor`, F# startup code) whose body changed, or one added
    /// to an existing type: the runtime never runs an initializer a second time, so
    /// the new values would never appear.
    TypeInitializerChanged,
    /// A method whose body changed and which a type initializer calls (directly or
    /// through other methods): the values the initializer computed with it stay old.
    InitializerDependencyChanged,
    /// Several F# generated members of one owner and stem (closures matched by their
    /// order in the source) changed at once: an edit of each cannot be told from
    /// members that moved past each other.
    AmbiguousGeneratedMatch,
    /// An edit the runtime could apply, but whose capability the target runtime lacks
    /// ([`RudeEdit::needs`] names it).
    MissingCapability,
}

impl RudeKind {
    pub fn code(self) -> &'static str {
        match self {
            RudeKind::Unsupported => "unsupported-edit",
            RudeKind::TypeInitializerChanged => "type-initializer-changed",
            RudeKind::InitializerDependencyChanged => "initializer-dependency-changed",
            RudeKind::AmbiguousGeneratedMatch => "ambiguous-generated-match",
            RudeKind::MissingCapability => "missing-capability",
        }
    }
}

impl serde::Serialize for RudeKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RudeEdit {
    #[serde(rename = "code")]
    pub kind: RudeKind,
    /// The member or type, e.g. `App.Greeter::Message`.
    pub member: String,
    /// What changed, e.g. `method added`.
    pub change: String,
    /// Why it cannot be applied.
    pub reason: String,
    /// The capability that would let the runtime apply it, when one would.
    pub needs: Option<Capability>,
    /// Where the member is in the updated build's source, when its PDB says
    /// (`--json`: `document`, `file`, `line`, `column`).
    #[serde(flatten)]
    pub location: Option<SourceLocation>,
    /// The definition of the updated build whose source place shows the edit best (a
    /// changed method, the field an initializer stores), when the diff knows it;
    /// otherwise the location is looked up by `member`.
    #[serde(skip)]
    pub subject: Option<Token>,
    /// The compiler-generated definitions behind an edit reported under the member the
    /// user wrote (their metadata names, e.g. `App.Program+<>c::<Run>b__0_1`): see
    /// [`by_user_member`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub generated: Vec<String>,
}

impl RudeEdit {
    /// An edit of kind [`RudeKind::Unsupported`].
    pub fn new(member: impl Into<String>, change: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::of(RudeKind::Unsupported, member, change, reason)
    }

    pub fn of(kind: RudeKind, member: impl Into<String>, change: impl Into<String>, reason: impl Into<String>) -> Self {
        RudeEdit {
            kind,
            member: member.into(),
            change: change.into(),
            reason: reason.into(),
            needs: None,
            location: None,
            subject: None,
            generated: Vec::new(),
        }
    }

    /// An edit the runtime applies only with `capability`, which it lacks.
    pub fn needs(member: impl Into<String>, change: impl Into<String>, capability: Capability) -> Self {
        RudeEdit {
            kind: RudeKind::MissingCapability,
            member: member.into(),
            change: change.into(),
            reason: format!("the runtime lacks the {capability} capability"),
            needs: Some(capability),
            location: None,
            subject: None,
            generated: Vec::new(),
        }
    }

    /// The same edit, located at `subject` (a definition of the updated build).
    pub fn at(mut self, subject: Token) -> Self {
        self.subject = Some(subject);
        self
    }
}

/// One rude edit per user-level cause: an edit of compiler-generated code (a closure's
/// method, a lambda's cache field, a pipeline stage) is named after the member the user
/// wrote (`a lambda in App.Program::Run`), the generated definitions behind it kept in
/// [`RudeEdit::generated`]; edits that then say the same thing become one, in the order
/// of their first.
pub fn by_user_member(edits: Vec<RudeEdit>) -> Vec<RudeEdit> {
    // A lambda's cache field (`<>c::<>9__0_1`) names no method; its lambda
    // (`<>c::<Run>b__0_1`), when refused beside it, does.
    let lambdas: HashMap<(String, String), String> = edits
        .iter()
        .filter_map(|e| {
            let (cache, method) = e.member.split_once("::")?;
            let ordinals = method.split_once(">b__")?.1;
            Some(((cache.to_string(), ordinals.to_string()), super::generated::user_facing(&e.member)))
        })
        .collect();
    let user_facing = |member: &str| {
        let cache_field = member
            .split_once("::")
            .and_then(|(cache, field)| Some((cache.to_string(), field.strip_prefix("<>9__")?.to_string())));
        match cache_field.and_then(|key| lambdas.get(&key)) {
            Some(lambda) => lambda.clone(),
            None => super::generated::user_facing(member),
        }
    };
    let mut out: Vec<RudeEdit> = Vec::with_capacity(edits.len());
    let mut index: HashMap<(RudeKind, String, String, String), usize> = HashMap::new();
    for mut edit in edits {
        let user = user_facing(&edit.member);
        if user != edit.member {
            let raw = std::mem::replace(&mut edit.member, user);
            edit.generated.push(raw);
        }
        let key = (edit.kind, edit.member.clone(), edit.change.clone(), edit.reason.clone());
        match index.get(&key) {
            Some(&i) => {
                let first = &mut out[i];
                for g in edit.generated {
                    if !first.generated.contains(&g) {
                        first.generated.push(g);
                    }
                }
                if first.location.is_none() {
                    first.location = edit.location;
                }
            }
            None => {
                index.insert(key, out.len());
                out.push(edit);
            }
        }
    }
    out
}

impl fmt::Display for RudeEdit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.member, self.change, self.reason)
    }
}
