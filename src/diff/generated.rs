//! Names the compilers generate for code the user wrote inside a member: Roslyn's
//! lambdas, local functions, closures and state machines (`<Run>b__0_1`,
//! `<>c__DisplayClass0_0`, `<Run>d__3`), F#'s closures and pipeline stages, named after
//! the line they start on (`scale@3`, `Run@9-1`, `Pipe #1 stage #1 at line 6@6`). A
//! rude edit in one of them is reported under the member the user wrote, which is
//! what they can find in their source.

/// What a generated name stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GeneratedKind {
    Lambda,
    LocalFunction,
    /// An async method's or iterator's state machine.
    StateMachine,
    /// A closure class (Roslyn display class, F# closure).
    Closure,
    /// Roslyn's `<>c`, the cache of a type's non-capturing lambdas.
    LambdaCache,
    /// An F# debug-build pipeline stage (`Pipe #N stage #M at line L@L`).
    PipelineStage,
    /// An F# debug helper method (`<sum>__debug@7`).
    Helper,
}

impl GeneratedKind {
    /// How a message names it: "a lambda in ...".
    pub fn noun(self) -> &'static str {
        match self {
            GeneratedKind::Lambda => "a lambda",
            GeneratedKind::LocalFunction => "a local function",
            GeneratedKind::StateMachine => "the state machine",
            GeneratedKind::Closure => "a closure",
            GeneratedKind::LambdaCache => "a lambda",
            GeneratedKind::PipelineStage => "a pipeline stage",
            GeneratedKind::Helper => "a helper",
        }
    }
}

/// A generated name taken apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GeneratedName<'a> {
    pub kind: GeneratedKind,
    /// The user's member it belongs to, when the name says (`Run` in `<Run>b__0_1`).
    pub member: Option<&'a str>,
    /// The source line, for F# names.
    pub line: Option<u32>,
}

/// Takes apart a type or method name that Roslyn or the F# compiler generated;
/// `None` for a name a user could have written.
pub fn parse(name: &str) -> Option<GeneratedName<'_>> {
    roslyn(name).or_else(|| fsharp(name))
}

/// Roslyn: `<NAME>K__SUFFIX`, K a one-letter kind; `<>c`, `<>c__DisplayClassN_M`.
fn roslyn(name: &str) -> Option<GeneratedName<'_>> {
    let rest = name.strip_prefix('<')?;
    let (member, after) = rest.split_once('>')?;
    let mut chars = after.chars();
    let kind = match chars.next()? {
        'b' => GeneratedKind::Lambda,
        'g' => GeneratedKind::LocalFunction,
        'd' => GeneratedKind::StateMachine,
        'c' if member.is_empty() && chars.as_str().is_empty() => GeneratedKind::LambdaCache,
        'c' => GeneratedKind::Closure,
        _ => return None,
    };
    if kind != GeneratedKind::LambdaCache && !chars.as_str().starts_with("__") {
        return None;
    }
    Some(GeneratedName { kind, member: (!member.is_empty()).then_some(member), line: None })
}

/// F#: `STEM@LINE` or `STEM@LINE-N` (closures), `<STEM>__debug@LINE` (debug helper
/// methods), `Pipe #N stage #M at line L@L`.
fn fsharp(name: &str) -> Option<GeneratedName<'_>> {
    let (stem, at) = name.rsplit_once('@')?;
    let line_text = at.split_once('-').map_or(at, |(l, n)| if n.bytes().all(|b| b.is_ascii_digit()) { l } else { "" });
    let line: u32 = line_text.parse().ok()?;
    if stem.starts_with("Pipe #") && stem.contains(" stage #") {
        return Some(GeneratedName { kind: GeneratedKind::PipelineStage, member: None, line: Some(line) });
    }
    let (kind, stem) = match stem.strip_prefix('<').and_then(|s| s.split_once(">__")) {
        Some((inner, _)) => (GeneratedKind::Helper, inner),
        None => (GeneratedKind::Closure, stem),
    };
    (!stem.is_empty()).then_some(GeneratedName { kind, member: Some(stem), line: Some(line) })
}

/// Whether a type name is a closure class: a Roslyn display class, an F# closure or
/// pipeline stage. Its instance fields are the variables it captured.
pub fn is_closure_class(name: &str) -> bool {
    parse(name).is_some_and(|g| matches!(g.kind, GeneratedKind::Closure | GeneratedKind::PipelineStage))
}

/// A member's display name (`Ns.Type+Nested::Method`) as the user knows it: the first
/// generated type or method in it is replaced by what it stands for and the member
/// the user wrote, e.g. `Scn.Geometry+<>c::<.cctor>b__7_0` becomes
/// `a lambda in Scn.Geometry::.cctor`. Names with nothing generated come back as
/// they are.
pub fn user_facing(display: &str) -> String {
    let (type_path, method) = match display.split_once("::") {
        Some((t, m)) => (t, Some(m)),
        None => (display, None),
    };
    let parts: Vec<&str> = type_path.split('+').collect();
    for (i, part) in parts.iter().enumerate() {
        let Some(g) = parse(part) else { continue };
        let outer = parts[..i].join("+");
        // A lambda cache or closure class names no member: the method inside it does.
        let (kind, member) = match (g.kind, g.member, method.and_then(parse)) {
            (GeneratedKind::LambdaCache | GeneratedKind::Closure, None, Some(inner)) => (inner.kind, inner.member),
            (kind, member, _) => (kind, member),
        };
        return describe(kind, &outer, member, g.line);
    }
    if let Some(g) = method.and_then(parse) {
        return describe(g.kind, type_path, g.member, g.line);
    }
    display.to_string()
}

/// The user's member whose compiler-generated code a definition is (`Type::Member`), or
/// its type's (`Type::*`) when the name does not say which member; `None` for a
/// definition the user wrote. Lines are left out: they move when code is inserted.
pub fn owning_member(display: &str) -> Option<String> {
    let (type_path, member_name) = match display.split_once("::") {
        Some((t, m)) => (t, Some(m)),
        None => (display, None),
    };
    let parts: Vec<&str> = type_path.split('+').collect();
    for (i, part) in parts.iter().enumerate() {
        let Some(g) = parse(part) else { continue };
        let member = g.member.or_else(|| member_name.and_then(parse).and_then(|inner| inner.member));
        return Some(format!("{}::{}", parts[..i].join("+"), member.unwrap_or("*")));
    }
    let g = member_name.and_then(parse)?;
    Some(format!("{type_path}::{}", g.member.unwrap_or("*")))
}

/// Whether two [`owning_member`] groups may hold the same generated code (`*` stands
/// for any member of its type).
pub fn same_owner(a: &str, b: &str) -> bool {
    let split =
        |g: &str| g.rsplit_once("::").map_or((g.to_string(), String::new()), |(t, m)| (t.to_string(), m.to_string()));
    let ((ta, ma), (tb, mb)) = (split(a), split(b));
    ta == tb && (ma == mb || ma == "*" || mb == "*")
}

fn describe(kind: GeneratedKind, owner: &str, member: Option<&str>, line: Option<u32>) -> String {
    let place = match member {
        Some(m) => format!("{owner}::{m}"),
        None => owner.to_string(),
    };
    match line {
        Some(l) => format!("{} in {place} (line {l})", kind.noun()),
        None => format!("{} in {place}", kind.noun()),
    }
}

/// Roslyn's holder of static data (array initializers, `ReadOnlySpan<byte>` literals,
/// string-switch hashes) and the fixed-size value types its data fields have. Each data
/// field is named by the hash of its data, so editing an array literal adds a field and
/// leaves the old one unused: the old one can stay in the chain, as a deleted generated
/// type's members do.
pub fn is_static_data_type(name: &str) -> bool {
    name == PRIVATE_IMPLEMENTATION_DETAILS || name.starts_with("__StaticArrayInitTypeSize=")
}

pub const PRIVATE_IMPLEMENTATION_DETAILS: &str = "<PrivateImplementationDetails>";

/// Whether `field` is a data field of `<PrivateImplementationDetails>` (see
/// [`is_static_data_type`]): nothing but compiler-generated code names it.
pub fn is_static_data_field(ids: &super::Identities<'_, '_>, field: crate::metadata::Token) -> crate::Result<bool> {
    use crate::metadata::schema::{TableId, TypeDefRow};
    if field.table() != Some(TableId::Field) {
        return Ok(false);
    }
    let md = ids.metadata();
    // A field outside every type (malformed metadata) is no data field.
    let Ok(owner) = md.row::<TypeDefRow>(ids.owner_of(field).rid()) else { return Ok(false) };
    Ok(md.string(owner.name)? == PRIVATE_IMPLEMENTATION_DETAILS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roslyn_names_are_taken_apart() {
        let lambda = parse("<Run>b__0_1").unwrap();
        assert_eq!((lambda.kind, lambda.member), (GeneratedKind::Lambda, Some("Run")));
        assert_eq!(parse("<Run>g__Local|0_0").unwrap().kind, GeneratedKind::LocalFunction);
        assert_eq!(parse("<Load>d__3").unwrap().kind, GeneratedKind::StateMachine);
        assert_eq!(parse("<>c").unwrap().kind, GeneratedKind::LambdaCache);
        let closure = parse("<>c__DisplayClass1_0").unwrap();
        assert_eq!((closure.kind, closure.member), (GeneratedKind::Closure, None));
        assert_eq!(parse("<Run>x__1"), None);
        assert_eq!(parse("<Module>"), None);
        assert_eq!(parse("Program"), None);
    }

    #[test]
    fn fsharp_names_are_taken_apart() {
        let closure = parse("scale@3").unwrap();
        assert_eq!((closure.kind, closure.member, closure.line), (GeneratedKind::Closure, Some("scale"), Some(3)));
        assert_eq!(parse("Run@9-1").unwrap().line, Some(9));
        let stage = parse("Pipe #1 stage #2 at line 6@6").unwrap();
        assert_eq!((stage.kind, stage.line), (GeneratedKind::PipelineStage, Some(6)));
        let helper = parse("<sum>__debug@7").unwrap();
        assert_eq!((helper.kind, helper.member), (GeneratedKind::Helper, Some("sum")));
        // Not closures: F#'s own fields and user names with an `@`.
        assert_eq!(parse("init@"), None);
        assert_eq!(parse("@_instance"), None);
        assert_eq!(parse("user@example"), None);
    }

    #[test]
    fn generated_code_is_grouped_by_the_member_that_owns_it() {
        assert_eq!(owning_member("App.Program+<>c::<Run>b__0_1").as_deref(), Some("App.Program::Run"));
        assert_eq!(owning_member("App.Program+<>c::<>9__0_1").as_deref(), Some("App.Program::*"));
        assert_eq!(owning_member("App.Program::<Run>g__Local|0_0").as_deref(), Some("App.Program::Run"));
        assert_eq!(owning_member("Scn.Program+scale@3::Invoke").as_deref(), Some("Scn.Program::scale"));
        assert_eq!(owning_member("Scn.Program+scale@4").as_deref(), Some("Scn.Program::scale"));
        assert_eq!(owning_member("App.Program::Run"), None);
        assert!(same_owner("App.Program::Run", "App.Program::*"));
        assert!(!same_owner("App.Program::Run", "App.Program::Other"));
        assert!(!same_owner("App.Program::Run", "App.Other::Run"));
    }

    #[test]
    fn members_are_reported_under_what_the_user_wrote() {
        for (display, user) in [
            ("Scn.Geometry+<>c::<.cctor>b__7_0", "a lambda in Scn.Geometry::.cctor"),
            ("App.Program+<>c__DisplayClass1_0::<Closure>b__0", "a lambda in App.Program::Closure"),
            ("App.Program+<Load>d__3::MoveNext", "the state machine in App.Program::Load"),
            ("App.Program::<Run>g__Local|0_0", "a local function in App.Program::Run"),
            ("Scn.Program+shipping@6::Invoke", "a closure in Scn.Program::shipping (line 6)"),
            ("Scn.Program+Pipe #1 stage #1 at line 6@6::Invoke", "a pipeline stage in Scn.Program (line 6)"),
            ("Scn.Program::<sum>__debug@4", "a helper in Scn.Program::sum (line 4)"),
            ("App.Program::Run", "App.Program::Run"),
            ("Scn.Tax", "Scn.Tax"),
        ] {
            assert_eq!(user_facing(display), user, "{display}");
        }
    }
}
