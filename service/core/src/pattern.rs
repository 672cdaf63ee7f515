//! Path patterns as Docker uses them: `filepath.Match` per path segment (`*`, `?`, `[a-z]`, `[^x]`, `\`
//! escapes) plus `**` for any number of segments, and `.dockerignore` files built on them (`!` exceptions,
//! the last matching line wins, a pattern matching a directory excludes everything below it).
//!
//! Written here rather than taken from `glob`/`globset` because `.dockerignore` semantics (parent-directory
//! matches, `!` re-inclusion, Go's `filepath.Clean` of each line) are Docker's own.

/// Matches one path segment against one pattern segment.
fn segment_match(p: &[char], s: &[char]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some('*') => (0..=s.len()).any(|i| segment_match(&p[1..], &s[i..])),
        Some('?') => !s.is_empty() && segment_match(&p[1..], &s[1..]),
        Some('[') => {
            let Some(c) = s.first() else { return false };
            let Some(end) = p.iter().skip(1).position(|&x| x == ']').map(|e| e + 1) else {
                return c == &'[' && segment_match(&p[1..], &s[1..]);
            };
            let class = &p[1..end];
            let (negate, class) = match class.first() {
                Some('^') | Some('!') => (true, &class[1..]),
                _ => (false, class),
            };
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == '-' {
                    hit |= class[i] <= *c && *c <= class[i + 2];
                    i += 3;
                } else {
                    hit |= class[i] == *c;
                    i += 1;
                }
            }
            hit != negate && segment_match(&p[end + 1..], &s[1..])
        }
        Some('\\') if p.len() > 1 => s.first() == Some(&p[1]) && segment_match(&p[2..], &s[1..]),
        Some(x) => s.first() == Some(x) && segment_match(&p[1..], &s[1..]),
    }
}

fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty() && *s != ".").collect()
}

fn match_segments(p: &[&str], s: &[&str]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some(&"**") => (0..=s.len()).any(|i| match_segments(&p[1..], &s[i..])),
        Some(seg) => {
            !s.is_empty()
                && segment_match(&seg.chars().collect::<Vec<_>>(), &s[0].chars().collect::<Vec<_>>())
                && match_segments(&p[1..], &s[1..])
        }
    }
}

/// True when `path` (relative, `/`-separated) matches `pattern` exactly.
pub fn path_match(pattern: &str, path: &str) -> bool {
    match_segments(&segments(pattern), &segments(path))
}

/// True when `pattern` contains a wildcard.
pub fn has_wildcard(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

/// A parsed `.dockerignore`.
#[derive(Debug, Clone, Default)]
pub struct IgnoreRules {
    /// (pattern, exception) in file order.
    rules: Vec<(String, bool)>,
}

/// Lexically cleans a `/`-separated path like Go's `filepath.Clean`, relative to a root it never climbs
/// above (`a/../../b` is `b`); the result has no leading or trailing `/`.
pub fn clean_path(p: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for s in p.split('/') {
        match s {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    out.join("/")
}

impl IgnoreRules {
    /// Parses `.dockerignore` text: one pattern per line, `#` comments, `!` exceptions.
    pub fn parse(text: &str) -> Self {
        let mut rules = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (exception, pat) = match line.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, line),
            };
            let pat = clean_path(pat);
            if !pat.is_empty() {
                rules.push((pat, exception));
            }
        }
        Self { rules }
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// True when `path` is excluded from the context. A pattern matching a parent directory excludes the
    /// path too; the last matching pattern decides.
    pub fn excludes(&self, path: &str) -> bool {
        let segs = segments(path);
        let mut excluded = false;
        for (pat, exception) in &self.rules {
            let psegs = segments(pat);
            let hit = (1..=segs.len()).any(|n| match_segments(&psegs, &segs[..n]));
            if hit {
                excluded = !exception;
            }
        }
        excluded
    }

    /// True when some exception could re-include something below the excluded directory `dir`, so the
    /// directory must still be walked.
    pub fn may_reinclude_below(&self, dir: &str) -> bool {
        let dir = clean_path(dir);
        self.rules.iter().any(|(p, exception)| *exception && (p.starts_with(&format!("{dir}/")) || p.contains("**")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching() {
        assert!(path_match("*.txt", "a.txt"));
        assert!(!path_match("*.txt", "d/a.txt"));
        assert!(path_match("d/*.txt", "d/a.txt"));
        assert!(path_match("**/*.txt", "a/b/c.txt"));
        assert!(path_match("**/*.txt", "c.txt"));
        assert!(path_match("file?.[a-c]", "file1.b"));
        assert!(!path_match("file?.[^a-c]", "file1.b"));
        assert!(path_match("a\\*b", "a*b"));
    }

    #[test]
    fn dockerignore_rules() {
        let r = IgnoreRules::parse("# comment\n*.md\n!README.md\nbuild/\n/secret\n**/*.tmp\n");
        assert!(r.excludes("notes.md"));
        assert!(!r.excludes("README.md"));
        assert!(r.excludes("build/out/x.o"));
        assert!(r.excludes("secret"));
        assert!(r.excludes("a/b/c.tmp"));
        assert!(!r.excludes("src/main.rs"));
        assert!(!r.excludes("docs/notes.md"));
    }
}
