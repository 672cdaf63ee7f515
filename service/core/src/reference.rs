//! Image references with the grammar and Docker normalisation of `github.com/distribution/reference`.
//!
//! ```text
//! reference  := name [ ":" tag ] [ "@" digest ]
//! name       := [domain "/"] path-component ["/" path-component]*
//! domain     := (domain-name | "[" ipv6 "]") [":" port]
//! tag        := [\w][\w.-]{0,127}
//! ```
//! Docker normalisation: a first component without `.`/`:` that is not `localhost` (and is lowercase) is a
//! path on `docker.io`; one-component names on `docker.io` get `library/`; `index.docker.io` is `docker.io`.
use std::{fmt, sync::LazyLock};

use regex::Regex;

use crate::digest::{Digest, DigestError};

pub const DEFAULT_DOMAIN: &str = "docker.io";
pub const DEFAULT_TAG: &str = "latest";
const LEGACY_DOMAIN: &str = "index.docker.io";
const OFFICIAL_PREFIX: &str = "library/";
const NAME_MAX: usize = 255;

const DOMAIN_COMPONENT: &str = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const IPV6: &str = r"\[(?:[a-fA-F0-9:]+)\]";
const PATH_COMPONENT: &str = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
const TAG: &str = r"[\w][\w.-]{0,127}";
const DIGEST: &str = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}";

fn domain_and_port() -> String {
    format!(r"(?:{DOMAIN_COMPONENT}(?:\.{DOMAIN_COMPONENT})*|{IPV6})(?::[0-9]+)?")
}

fn name_pattern() -> String {
    format!(r"(?:({})/)?({PATH_COMPONENT}(?:/{PATH_COMPONENT})*)", domain_and_port())
}

static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^({})(?::({TAG}))?(?:@({DIGEST}))?$", name_pattern())).expect("reference regex")
});
static NAME: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!("^{}$", name_pattern())).expect("name regex"));
static DOMAIN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("^{}$", domain_and_port())).expect("domain regex"));
static IDENTIFIER: LazyLock<Regex> = LazyLock::new(|| Regex::new("^[a-f0-9]{64}$").expect("id regex"));

/// Why a reference was refused. The messages are those of the reference implementation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("invalid reference format")]
    InvalidFormat,
    #[error("repository name must be lowercase")]
    Uppercase,
    #[error("repository name must have at least one component")]
    NameEmpty,
    #[error("repository name must not be more than 255 characters")]
    NameTooLong,
    #[error("repository name must be canonical")]
    NotCanonical,
    #[error("cannot specify 64-byte hexadecimal strings")]
    HexName,
    #[error(transparent)]
    Digest(#[from] DigestError),
}

/// A named reference: `domain/path[:tag][@digest]`. Made by the `parse_*` functions; the normalised forms
/// always have a domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference {
    domain: String,
    path: String,
    tag: Option<String>,
    digest: Option<Digest>,
}

/// `reference.Parse`: the grammar alone, no normalisation (the domain is empty when the first component
/// is not one).
pub fn parse_plain(s: &str) -> Result<Reference, ReferenceError> {
    let Some(caps) = REFERENCE.captures(s) else {
        if s.is_empty() {
            return Err(ReferenceError::NameEmpty);
        }
        if REFERENCE.is_match(&s.to_lowercase()) {
            return Err(ReferenceError::Uppercase);
        }
        return Err(ReferenceError::InvalidFormat);
    };
    let domain = caps.get(2).map_or("", |m| m.as_str()).to_owned();
    let path = caps.get(3).map_or("", |m| m.as_str()).to_owned();
    if path.len() > NAME_MAX {
        return Err(ReferenceError::NameTooLong);
    }
    let tag = caps.get(4).map(|m| m.as_str().to_owned());
    let digest = caps.get(5).map(|m| Digest::parse(m.as_str())).transpose()?;
    Ok(Reference { domain, path, tag, digest })
}

/// `reference.WithName`: a repository name alone, no tag or digest.
pub fn parse_name_only(s: &str) -> Result<Reference, ReferenceError> {
    let caps = NAME.captures(s).ok_or(ReferenceError::InvalidFormat)?;
    let domain = caps.get(1).map_or("", |m| m.as_str()).to_owned();
    let path = caps.get(2).map_or("", |m| m.as_str()).to_owned();
    if path.len() > NAME_MAX {
        return Err(ReferenceError::NameTooLong);
    }
    Ok(Reference { domain, path, tag: None, digest: None })
}

/// `reference.ParseNamed`: the input must already be in normalised form.
pub fn parse_named_canonical(s: &str) -> Result<Reference, ReferenceError> {
    let r = Reference::parse_normalized(s)?;
    if r.to_string() != s {
        return Err(ReferenceError::NotCanonical);
    }
    Ok(r)
}

/// True when `s` is a bare 64-hex image identifier.
pub fn is_identifier(s: &str) -> bool {
    IDENTIFIER.is_match(s)
}

/// True when `s` is a registry host with optional port.
pub fn domain_matches(s: &str) -> bool {
    DOMAIN.is_match(s)
}

fn split_docker_domain(s: &str) -> (String, String) {
    let (mut domain, mut rest) = match s.find('/') {
        Some(i) => {
            let first = &s[..i];
            let is_domain = first.contains(['.', ':']) || first == "localhost" || first.to_lowercase() != first;
            if is_domain {
                (first.to_owned(), s[i + 1..].to_owned())
            } else {
                (DEFAULT_DOMAIN.to_owned(), s.to_owned())
            }
        }
        None => (DEFAULT_DOMAIN.to_owned(), s.to_owned()),
    };
    if domain == LEGACY_DOMAIN {
        domain = DEFAULT_DOMAIN.to_owned();
    }
    if domain == DEFAULT_DOMAIN && !rest.contains('/') {
        rest = format!("{OFFICIAL_PREFIX}{rest}");
    }
    (domain, rest)
}

impl Reference {
    /// `reference.ParseNormalizedNamed`: Docker's normalisation, no default tag.
    pub fn parse_normalized(s: &str) -> Result<Self, ReferenceError> {
        if is_identifier(s) {
            return Err(ReferenceError::HexName);
        }
        let (domain, rest) = split_docker_domain(s);
        let remote = rest.split_once(':').map_or(rest.as_str(), |(name, _)| name);
        if remote.to_lowercase() != remote {
            return Err(ReferenceError::Uppercase);
        }
        let r = parse_plain(&format!("{domain}/{rest}"))?;
        if r.domain.is_empty() {
            return Err(ReferenceError::InvalidFormat);
        }
        Ok(r)
    }

    /// `reference.ParseDockerRef`: normalised, `latest` added when there is neither tag nor digest, and a
    /// tag beside a digest dropped. This is the form names are stored under.
    pub fn parse_docker(s: &str) -> Result<Self, ReferenceError> {
        let mut r = Self::parse_normalized(s)?;
        if r.digest.is_some() {
            r.tag = None;
        } else if r.tag.is_none() {
            r.tag = Some(DEFAULT_TAG.to_owned());
        }
        Ok(r)
    }

    pub fn domain(&self) -> &str {
        &self.domain
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    pub fn digest(&self) -> Option<&Digest> {
        self.digest.as_ref()
    }

    /// `domain/path`, or `path` when there is no domain.
    pub fn name(&self) -> String {
        if self.domain.is_empty() { self.path.clone() } else { format!("{}/{}", self.domain, self.path) }
    }

    /// The same repository with another tag and no digest.
    pub fn with_tag(&self, tag: &str) -> Self {
        Self { domain: self.domain.clone(), path: self.path.clone(), tag: Some(tag.to_owned()), digest: None }
    }

    /// The same repository with a digest and no tag.
    pub fn with_digest(&self, digest: Digest) -> Self {
        Self { domain: self.domain.clone(), path: self.path.clone(), tag: None, digest: Some(digest) }
    }

    /// The repository alone.
    pub fn repository(&self) -> Self {
        Self { domain: self.domain.clone(), path: self.path.clone(), tag: None, digest: None }
    }

    /// The name as Docker prints it: `docker.io/` and a lone `library/` stripped.
    pub fn familiar_name(&self) -> String {
        if self.domain == DEFAULT_DOMAIN {
            match self.path.strip_prefix(OFFICIAL_PREFIX) {
                Some(rest) if !rest.contains('/') => rest.to_owned(),
                _ => self.path.clone(),
            }
        } else {
            self.name()
        }
    }

    /// `reference.FamiliarString`: familiar name with tag and digest.
    pub fn familiar(&self) -> String {
        let mut s = self.familiar_name();
        self.push_suffix(&mut s);
        s
    }

    fn push_suffix(&self, s: &mut String) {
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(&d.to_string());
        }
    }
}

/// The familiar form of a reference already in its stored, normalised form (`docker.io/library/busybox:1`
/// → `busybox:1`; other registries' names are their own familiar form), without parsing it again: List
/// shows every name of every image this way, and the parser's regex was a fifth of List's time.
pub fn familiar_of_stored(stored: &str) -> String {
    let Some(rest) = stored.strip_prefix(DEFAULT_DOMAIN).and_then(|r| r.strip_prefix('/')) else {
        return stored.to_owned();
    };
    // The path ends at the tag's ':' (after the last '/') or the digest's '@'.
    let name = rest.split('@').next().unwrap_or(rest);
    let last = name.rfind('/').map_or(0, |i| i + 1);
    let path = name[last..].find(':').map_or(name, |i| &name[..last + i]);
    match path.strip_prefix(OFFICIAL_PREFIX) {
        Some(p) if !p.contains('/') => rest[OFFICIAL_PREFIX.len()..].to_owned(),
        _ => rest.to_owned(),
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = self.name();
        self.push_suffix(&mut s);
        f.write_str(&s)
    }
}

/// `reference.ParseAnyReference`: a named reference, or a digest-only one for a bare id or `algo:hex`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnyReference {
    Named(Reference),
    Digest(Digest),
}

impl AnyReference {
    pub fn parse(s: &str) -> Result<Self, ReferenceError> {
        if is_identifier(s) {
            return Ok(Self::Digest(Digest::sha256_hex(s)?));
        }
        if let Ok(d) = Digest::parse(s) {
            return Ok(Self::Digest(d));
        }
        Reference::parse_normalized(s).map(Self::Named)
    }
}

/// How a user names a local image: by reference, by full id, or by a unique id prefix (`docker rmi 3f5`).
/// A string can be both a name and a prefix (`abc`); lookups try the name first, as Docker does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// The name in stored form (`parse_docker`), when the string is a valid reference.
    pub name: Option<Reference>,
    /// Lowercase hex id or id prefix (without `sha256:`), when the string can be one.
    pub id_prefix: Option<String>,
    /// The text as given, for messages that quote it as Docker does.
    pub input: String,
}

impl std::fmt::Display for ImageRef {
    /// The name in familiar form (`busybox:latest`), else the id or prefix as given.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.name, &self.id_prefix) {
            (Some(n), _) => f.write_str(&n.familiar()),
            (None, Some(p)) if p.len() == 64 => write!(f, "sha256:{p}"),
            (None, Some(p)) => f.write_str(p),
            (None, None) => Ok(()),
        }
    }
}

impl ImageRef {
    pub fn parse(s: &str) -> Result<Self, ReferenceError> {
        let hex_part = s.strip_prefix("sha256:").unwrap_or(s);
        let id_prefix = (!hex_part.is_empty()
            && hex_part.len() <= 64
            && hex_part.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .then(|| hex_part.to_owned());
        let name = if id_prefix.as_ref().is_some_and(|p| p.len() == 64) {
            None
        } else {
            match Reference::parse_docker(s) {
                Ok(r) => Some(r),
                Err(e) if id_prefix.is_none() => return Err(e),
                Err(_) => None,
            }
        };
        Ok(Self { name, id_prefix, input: s.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn familiar_of_stored_agrees_with_the_parser() {
        for input in [
            "busybox",
            "busybox:1.36",
            "library/busybox:latest",
            "team/app:1",
            "library/team/app:2",
            "docker.io/library/busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "busybox:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "127.0.0.1:5000/team/demo:1",
            "localhost:5000/app",
            "registry.local:5000/library/x:3",
            "ghcr.io/org/sub/img:tag",
        ] {
            let r = super::Reference::parse_docker(input).unwrap();
            assert_eq!(super::familiar_of_stored(&r.to_string()), r.familiar(), "{input}");
        }
    }

    use super::*;

    #[test]
    fn normalises_like_docker() {
        let r = Reference::parse_docker("mysql:5.7").unwrap();
        assert_eq!(r.to_string(), "docker.io/library/mysql:5.7");
        assert_eq!(r.familiar(), "mysql:5.7");
        let r = Reference::parse_docker("127.0.0.1:5000/a/b").unwrap();
        assert_eq!(r.to_string(), "127.0.0.1:5000/a/b:latest");
        assert_eq!(r.familiar(), "127.0.0.1:5000/a/b:latest");
    }

    #[test]
    fn image_refs() {
        let r = ImageRef::parse("abc").unwrap();
        assert_eq!(r.name.unwrap().to_string(), "docker.io/library/abc:latest");
        assert_eq!(r.id_prefix.as_deref(), Some("abc"));
        let full = "a".repeat(64);
        let r = ImageRef::parse(&format!("sha256:{full}")).unwrap();
        assert!(r.name.is_none());
        assert_eq!(r.id_prefix.unwrap(), full);
        let r = ImageRef::parse("sha256:ab").unwrap();
        assert_eq!(r.id_prefix.as_deref(), Some("ab"));
        assert!(ImageRef::parse("Not/Valid").is_err());
    }
}
