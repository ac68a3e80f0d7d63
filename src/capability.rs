//! Runtime capabilities: what a runtime's `MetadataUpdater.GetCapabilities()` says it can
//! apply. One list of names, shared by the writer's classification of edits and by
//! `check`.

use std::fmt;

macro_rules! capabilities {
    ($( $(#[$doc:meta])* $name:ident, )*) => {
        /// One capability, named as the runtime names it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Capability { $( $(#[$doc])* $name, )* }

        impl Capability {
            pub const ALL: &'static [Capability] = &[ $( Capability::$name, )* ];

            /// The runtime's name for it.
            pub const fn name(self) -> &'static str {
                match self { $( Capability::$name => stringify!($name), )* }
            }
        }
    };
}

capabilities! {
    /// Updates to the bodies of existing non-generic methods.
    Baseline,
    AddMethodToExistingType,
    AddStaticFieldToExistingType,
    AddInstanceFieldToExistingType,
    NewTypeDefinition,
    ChangeCustomAttributes,
    UpdateParameters,
    /// Body updates of generic methods and of methods of generic types.
    GenericUpdateMethod,
    GenericAddMethodToExistingType,
    GenericAddFieldToExistingType,
    AddFieldRva,
    AddExplicitInterfaceImplementation,
}

impl Capability {
    pub fn parse(name: &str) -> Option<Capability> {
        Capability::ALL.iter().copied().find(|c| c.name() == name)
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl serde::Serialize for Capability {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// A set of capabilities. Names this tool does not know are ignored (a newer runtime
/// may report more).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Capabilities(u32);

impl Capabilities {
    /// What CoreCLR in .NET 10 reports.
    pub const CORECLR_NET10: Capabilities = Capabilities::of(&[
        Capability::Baseline,
        Capability::AddMethodToExistingType,
        Capability::AddStaticFieldToExistingType,
        Capability::AddInstanceFieldToExistingType,
        Capability::NewTypeDefinition,
        Capability::ChangeCustomAttributes,
        Capability::UpdateParameters,
        Capability::GenericUpdateMethod,
        Capability::GenericAddMethodToExistingType,
        Capability::GenericAddFieldToExistingType,
        Capability::AddFieldRva,
    ]);

    pub const fn of(list: &[Capability]) -> Capabilities {
        let mut bits = 0;
        let mut i = 0;
        while i < list.len() {
            bits |= 1 << list[i] as u32;
            i += 1;
        }
        Capabilities(bits)
    }

    /// Parses a space-separated list as the runtime writes it.
    pub fn parse(text: &str) -> Capabilities {
        Capabilities::from_names(text.split_whitespace())
    }

    pub fn from_names<'s>(names: impl IntoIterator<Item = &'s str>) -> Capabilities {
        let mut set = Capabilities::default();
        for c in names.into_iter().filter_map(Capability::parse) {
            set.0 |= 1 << c as u32;
        }
        set
    }

    pub fn has(self, c: Capability) -> bool {
        self.0 & (1 << c as u32) != 0
    }

    pub fn iter(self) -> impl Iterator<Item = Capability> {
        Capability::ALL.iter().copied().filter(move |&c| self.has(c))
    }
}

impl fmt::Display for Capabilities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(Capability::name).collect();
        f.write_str(&names.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_names_and_ignores_others() {
        let c = Capabilities::parse("Baseline  AddFieldRva SomethingNew");
        assert!(c.has(Capability::Baseline) && c.has(Capability::AddFieldRva));
        assert!(!c.has(Capability::NewTypeDefinition));
        assert_eq!(c.to_string(), "Baseline AddFieldRva");
        for &cap in Capability::ALL {
            assert_eq!(Capability::parse(cap.name()), Some(cap));
        }
    }
}
