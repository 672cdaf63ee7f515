//! Docker's image filters: `dangling`, `label`, `before`, `since`, `reference`, `until`.
use crate::{EngineError, now_nanos};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LabelFilter {
    Has(String),
    Is(String, String),
    IsNot(String, String),
    HasNot(String),
}

impl LabelFilter {
    pub(crate) fn matches(&self, labels: &std::collections::BTreeMap<String, String>) -> bool {
        match self {
            Self::Has(k) => labels.contains_key(k),
            Self::Is(k, v) => labels.get(k) == Some(v),
            Self::IsNot(k, v) => labels.get(k) != Some(v),
            Self::HasNot(k) => !labels.contains_key(k),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Filters {
    pub dangling: Option<bool>,
    pub labels: Vec<LabelFilter>,
    pub before: Vec<String>,
    pub since: Vec<String>,
    pub references: Vec<String>,
    /// Unix nanos: only images created before this.
    pub until: Option<i64>,
}

fn bad(key: &str, value: &str, why: &str) -> EngineError {
    EngineError::InvalidFilter(format!("{key}={value}"), why.to_owned())
}

impl Filters {
    /// Parses `key=value` pairs; `allowed` names the keys this operation accepts.
    pub(crate) fn parse(pairs: &[(String, String)], allowed: &[&str]) -> Result<Self, EngineError> {
        let mut f = Self::default();
        for (key, value) in pairs {
            let key_base = key.trim_end_matches('!');
            if !allowed.contains(&key_base) {
                return Err(bad(key, value, &format!("unknown filter, use one of: {}", allowed.join(", "))));
            }
            match (key.as_str(), value.as_str()) {
                ("dangling", v) => {
                    f.dangling = Some(match v.to_lowercase().as_str() {
                        "true" | "1" => true,
                        "false" | "0" => false,
                        _ => return Err(bad(key, value, "expected true or false")),
                    })
                }
                ("label", v) => f.labels.push(match v.split_once('=') {
                    Some((k, val)) => LabelFilter::Is(k.to_owned(), val.to_owned()),
                    None => LabelFilter::Has(v.to_owned()),
                }),
                ("label!", v) => f.labels.push(match v.split_once('=') {
                    Some((k, val)) => LabelFilter::IsNot(k.to_owned(), val.to_owned()),
                    None => LabelFilter::HasNot(v.to_owned()),
                }),
                ("before", v) => f.before.push(v.to_owned()),
                ("since", v) => f.since.push(v.to_owned()),
                ("reference", v) => f.references.push(v.to_owned()),
                ("until", v) => {
                    f.until = Some(
                        parse_until(v).ok_or_else(|| bad(key, value, "expected a duration like 24h or a timestamp"))?,
                    )
                }
                _ => return Err(bad(key, value, "unknown filter")),
            }
        }
        Ok(f)
    }
}

/// `10m`, `1h30m`, `90s` (before now), a unix timestamp, or an RFC 3339 / `YYYY-MM-DD[THH:MM:SS]` time.
pub(crate) fn parse_until(v: &str) -> Option<i64> {
    if let Some(d) = parse_duration(v) {
        return Some(now_nanos() - d);
    }
    if let Ok(secs) = v.parse::<f64>() {
        return Some((secs * 1e9) as i64);
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(v) {
        return t.timestamp_nanos_opt();
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(v, fmt) {
            return t.and_utc().timestamp_nanos_opt();
        }
    }
    chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()?.and_hms_opt(0, 0, 0)?.and_utc().timestamp_nanos_opt()
}

/// Go's `time.ParseDuration` subset: `h`, `m`, `s`, `ms` units, concatenated. Nanos.
fn parse_duration(v: &str) -> Option<i64> {
    let mut total = 0f64;
    let mut num = String::new();
    let mut chars = v.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let n: f64 = num.parse().ok()?;
        num.clear();
        let unit = match c {
            'h' => 3600e9,
            's' => 1e9,
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                1e6
            }
            'm' => 60e9,
            _ => return None,
        };
        total += n * unit;
        any = true;
    }
    (any && num.is_empty()).then_some(total as i64)
}

/// Go's `path.Match` for the reference filter: `*` and `?` do not cross `/`; `[…]` classes.
pub(crate) fn glob(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match p.first() {
            None => n.is_empty(),
            Some('*') => (0..=n.len()).take_while(|&i| i == 0 || n[i - 1] != '/').any(|i| go(&p[1..], &n[i..])),
            Some('?') => !n.is_empty() && n[0] != '/' && go(&p[1..], &n[1..]),
            Some('[') => {
                let Some(end) = p.iter().position(|&c| c == ']') else {
                    return false;
                };
                let Some(&c) = n.first() else { return false };
                let class = &p[1..end];
                let (negate, class) = match class.first() {
                    Some('^' | '!') => (true, &class[1..]),
                    _ => (false, class),
                };
                let mut hit = false;
                let mut i = 0;
                while i < class.len() {
                    if i + 2 < class.len() && class[i + 1] == '-' {
                        hit |= class[i] <= c && c <= class[i + 2];
                        i += 3;
                    } else {
                        hit |= class[i] == c;
                        i += 1;
                    }
                }
                hit != negate && go(&p[end + 1..], &n[1..])
            }
            Some('\\') if p.len() > 1 => !n.is_empty() && n[0] == p[1] && go(&p[2..], &n[1..]),
            Some(&c) => !n.is_empty() && n[0] == c && go(&p[1..], &n[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_like_go_path_match() {
        assert!(glob("busy*", "busybox"));
        assert!(!glob("*", "a/b"));
        assert!(glob("*/*", "a/b"));
        assert!(glob("busybox:*", "busybox:latest"));
        assert!(glob("b?sybox", "busybox"));
        assert!(glob("[a-c]usybox", "busybox"));
        assert!(!glob("[^b]usybox", "busybox"));
    }

    #[test]
    fn until_and_filters() {
        let now = now_nanos();
        let t = parse_until("1h30m").unwrap();
        assert!((now - t - 5_400_000_000_000).abs() < 5_000_000_000);
        assert_eq!(parse_until("2024-01-02T00:00:00Z"), Some(1_704_153_600_000_000_000));
        assert_eq!(parse_until("2024-01-02"), Some(1_704_153_600_000_000_000));
        assert_eq!(parse_until("1704153600"), Some(1_704_153_600_000_000_000));
        assert!(parse_until("yesterday").is_none());
        let pairs = vec![("label".to_string(), "a=b".to_string()), ("dangling".into(), "true".into())];
        let f = Filters::parse(&pairs, &["label", "dangling"]).unwrap();
        assert_eq!(f.dangling, Some(true));
        assert_eq!(f.labels, vec![LabelFilter::Is("a".into(), "b".into())]);
        assert!(Filters::parse(&[("colour".into(), "red".into())], &["label"]).is_err());
        assert!(Filters::parse(&[("dangling".into(), "maybe".into())], &["dangling"]).is_err());
    }
}
