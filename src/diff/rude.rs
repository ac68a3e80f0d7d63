//! Rude edits: differences the runtime cannot apply. Each names the member, what
//! changed and why it cannot be applied.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RudeEdit {
    /// The member or type, e.g. `App.Greeter::Message`.
    pub member: String,
    /// What changed, e.g. `method added`.
    pub change: String,
    /// Why it cannot be applied.
    pub reason: String,
}

impl RudeEdit {
    pub fn new(member: impl Into<String>, change: impl Into<String>, reason: impl Into<String>) -> Self {
        RudeEdit { member: member.into(), change: change.into(), reason: reason.into() }
    }
}

impl fmt::Display for RudeEdit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.member, self.change, self.reason)
    }
}
