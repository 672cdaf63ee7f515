use std::fmt;

/// An OCI platform, normalised as containerd's `platforms.Normalize` (`x86_64` → `amd64`, `aarch64` →
/// `arm64`, `arm64/v8` → `arm64`, `arm` → `arm/v7`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid platform {0:?}: expected os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8")]
pub struct PlatformError(pub String);

impl Platform {
    pub fn parse(s: &str) -> Result<Self, PlatformError> {
        let parts: Vec<&str> = s.split('/').collect();
        let valid_part =
            |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !(2..=3).contains(&parts.len()) || !parts.iter().all(valid_part) {
            return Err(PlatformError(s.to_owned()));
        }
        Ok(Self::normalized(parts[0], parts[1], parts.get(2).copied()))
    }

    /// Normalise raw os/arch/variant names.
    pub fn normalized(os: &str, arch: &str, variant: Option<&str>) -> Self {
        let os = os.to_lowercase();
        let (architecture, variant) = match (arch.to_lowercase().as_str(), variant.map(str::to_lowercase)) {
            ("x86_64" | "x86-64" | "amd64", v) => ("amd64".to_owned(), v.filter(|v| v != "v1")),
            ("aarch64" | "arm64", v) => ("arm64".to_owned(), v.filter(|v| v != "v8")),
            ("i386" | "386", v) => ("386".to_owned(), v),
            ("armhf" | "arm", None) => ("arm".to_owned(), Some("v7".to_owned())),
            ("armel", None) => ("arm".to_owned(), Some("v6".to_owned())),
            (a, v) => (a.to_owned(), v),
        };
        Self { os, architecture, variant }
    }

    /// The platform this daemon runs on.
    pub fn current() -> Self {
        Self::normalized(std::env::consts::OS, std::env::consts::ARCH, None)
    }

    /// False for `unknown/unknown` (attestations and other artifacts in an index): never run, never chosen.
    pub fn is_runnable(&self) -> bool {
        self.os != "unknown" && self.architecture != "unknown"
    }

    /// True when an image for `other` runs here: same os and architecture, and the variant matches when
    /// both name one.
    pub fn matches(&self, other: &Platform) -> bool {
        self.is_runnable()
            && self.os == other.os
            && self.architecture == other.architecture
            && match (&self.variant, &other.variant) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises() {
        assert_eq!(Platform::parse("linux/x86_64").unwrap().to_string(), "linux/amd64");
        assert_eq!(Platform::parse("linux/arm64/v8").unwrap().to_string(), "linux/arm64");
        assert_eq!(Platform::parse("linux/arm").unwrap().to_string(), "linux/arm/v7");
        assert!(Platform::parse("linux").is_err());
        assert!(Platform::parse("linux/amd64/v2/x").is_err());
        assert!(Platform::parse("linux//v2").is_err());
        assert_eq!(Platform::current().os, "linux");
    }
}
