use std::fmt;

/// A namespace name, as containerd's: `^[A-Za-z0-9]+([._-][A-Za-z0-9]+)*$`, at most 76 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Namespace(String);

#[derive(Debug, thiserror::Error)]
#[error("invalid namespace {0:?}: use letters, digits and single '.', '_' or '-' between them, at most 76 characters")]
pub struct NamespaceError(pub String);

impl Namespace {
    pub const DEFAULT: &'static str = "default";

    pub fn parse(s: &str) -> Result<Self, NamespaceError> {
        let valid = !s.is_empty()
            && s.len() <= 76
            && s.split(['.', '_', '-']).all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric()));
        if valid { Ok(Self(s.to_owned())) } else { Err(NamespaceError(s.to_owned())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Namespace {
    fn default() -> Self {
        Self(Self::DEFAULT.to_owned())
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces() {
        for ok in ["default", "a", "team-a", "x.y_z", "A1"] {
            assert!(Namespace::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-a", "a-", "a..b", "a/b", "ns with space", &"a".repeat(77)] {
            assert!(Namespace::parse(bad).is_err(), "{bad}");
        }
    }
}
