//! Docker's output conventions: decimal human sizes, relative times, tabwriter columns.

/// `units.HumanSizeWithPrecision(size, 3)`: decimal units, three significant digits.
pub fn human_size(size: i64) -> String {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut s = size as f64;
    let mut i = 0;
    while s >= 1000.0 && i < UNITS.len() - 1 {
        s /= 1000.0;
        i += 1;
    }
    format!("{}{}", g3(s), UNITS[i])
}

/// Go's `%.3g` for 0 <= v < 1000.
fn g3(v: f64) -> String {
    let decimals = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    let s = format!("{v:.decimals$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_owned() } else { s }
}

/// `units.HumanDuration`: "About a minute", "3 hours", "2 weeks".
pub fn human_duration(secs: i64) -> String {
    let d = secs.max(0) as f64;
    let minutes = (d / 60.0) as i64;
    let hours = (d / 3600.0 + 0.5) as i64;
    if d < 1.0 {
        "Less than a second".into()
    } else if secs == 1 {
        "1 second".into()
    } else if secs < 60 {
        format!("{secs} seconds")
    } else if minutes == 1 {
        "About a minute".into()
    } else if minutes < 60 {
        format!("{minutes} minutes")
    } else if hours == 1 {
        "About an hour".into()
    } else if hours < 48 {
        format!("{hours} hours")
    } else if hours < 24 * 7 * 2 {
        format!("{} days", hours / 24)
    } else if hours < 24 * 30 * 2 {
        format!("{} weeks", hours / 24 / 7)
    } else if hours < 24 * 365 * 2 {
        format!("{} months", hours / 24 / 30)
    } else {
        format!("{} years", hours / 24 / 365)
    }
}

pub fn since(ts: Option<&prost_types::Timestamp>) -> String {
    match ts {
        Some(t) => format!("{} ago", human_duration(chrono::Utc::now().timestamp() - t.seconds)),
        None => "N/A".into(),
    }
}

pub fn rfc3339(ts: Option<&prost_types::Timestamp>) -> String {
    ts.and_then(|t| chrono::DateTime::from_timestamp(t.seconds, t.nanos as u32))
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// Docker's `created at` column: `2006-01-02 15:04:05 -0700 MST`.
pub fn created_at(ts: Option<&prost_types::Timestamp>) -> String {
    ts.and_then(|t| chrono::DateTime::from_timestamp(t.seconds, t.nanos as u32))
        .map(|t| t.format("%Y-%m-%d %H:%M:%S +0000 UTC").to_string())
        .unwrap_or_default()
}

/// 12 hex characters of an id, without `sha256:`.
pub fn short_id(id: &str) -> String {
    let hex = id.strip_prefix("sha256:").unwrap_or(id);
    hex.chars().take(12).collect()
}

/// `text/tabwriter` with Docker's settings (minwidth 10, padding 3): every column but the last is padded
/// to its widest cell plus three spaces.
pub fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count() + 3).max(10);
        }
    }
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            if i + 1 == r.len() {
                line.push_str(c);
            } else {
                line.push_str(c);
                line.extend(std::iter::repeat_n(' ', widths[i] - c.chars().count()));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `stringutils.Ellipsis`: cut to `max` characters ending in `…`.
pub fn ellipsis(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_owned() } else { format!("{}…", s.chars().take(max - 1).collect::<String>()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_sizes_and_durations() {
        assert_eq!(human_size(0), "0B");
        assert_eq!(human_size(999), "999B");
        assert_eq!(human_size(5_389_123), "5.39MB");
        assert_eq!(human_size(120_000), "120kB");
        assert_eq!(human_size(1_000_000), "1MB");
        assert_eq!(human_size(12_345_678), "12.3MB");
        assert_eq!(human_duration(0), "Less than a second");
        assert_eq!(human_duration(45), "45 seconds");
        assert_eq!(human_duration(61), "About a minute");
        assert_eq!(human_duration(130), "2 minutes");
        assert_eq!(human_duration(3600), "About an hour");
        assert_eq!(human_duration(3 * 86400), "3 days");
        assert_eq!(human_duration(20 * 86400), "2 weeks");
        assert_eq!(ellipsis("abcdef", 4), "abc…");
    }

    #[test]
    fn tabwriter_columns() {
        let t = table(&[
            vec!["REPOSITORY".into(), "TAG".into(), "X".into()],
            vec!["a".into(), "latest".into(), "y".into()],
        ]);
        assert_eq!(t, "REPOSITORY   TAG       X\na            latest    y\n");
    }
}
