//! Table-driven test over the reference implementation's own vectors (tests/data/*.tsv, copied from
//! ../shared/testdata/reference): every row must give the same result, and the same error kind.
use imaged_core::{
    AnyReference, Reference, ReferenceError, domain_matches, is_identifier, parse_name_only, parse_named_canonical,
    parse_plain,
};

struct Row<'a> {
    line: usize,
    cols: Vec<&'a str>,
}

fn rows(text: &str) -> Vec<Row<'_>> {
    text.lines()
        .enumerate()
        .skip(1)
        .filter(|(_, l)| !l.starts_with('#'))
        .map(|(i, l)| Row { line: i + 1, cols: l.split('\t').collect() })
        .collect()
}

fn kind(e: &ReferenceError) -> String {
    e.to_string()
}

#[test]
fn parse_vectors() {
    let text = include_str!("data/parse.tsv");
    let mut checked = 0;
    for row in rows(text) {
        let c = &row.cols;
        let (input, ok, domain, path, tag, digest, err_kind, func) =
            (c[0], c[1] == "true", c[2], c[3], c[4], c[5], c[6], c[8]);
        let ctx = format!("line {} {func}({input:?})", row.line);
        match func {
            "DomainRegexp" => assert_eq!(domain_matches(input), ok, "{ctx}"),
            "IdentifierRegexp" => assert_eq!(is_identifier(input), ok, "{ctx}"),
            "Parse" | "Parse[sha512-registered]" | "Parse[legacy-total-name-length]" | "WithName" | "ParseNamed" => {
                let got = match func {
                    "WithName" => parse_name_only(input),
                    "ParseNamed" => parse_named_canonical(input),
                    _ => parse_plain(input),
                };
                match got {
                    Ok(r) => {
                        assert!(ok, "{ctx}: expected error {err_kind:?}, got {r}");
                        assert_eq!(r.domain(), domain, "{ctx} domain");
                        assert_eq!(r.path(), path, "{ctx} path");
                        assert_eq!(r.tag().unwrap_or(""), tag, "{ctx} tag");
                        assert_eq!(r.digest().map(|d| d.to_string()).unwrap_or_default(), digest, "{ctx} digest");
                        if func == "Parse" {
                            assert_eq!(r.to_string(), input, "{ctx} round trip");
                        }
                    }
                    Err(e) => {
                        assert!(!ok, "{ctx}: unexpected error {e}");
                        assert_eq!(kind(&e), err_kind, "{ctx} error kind");
                    }
                }
            }
            other => panic!("{ctx}: unknown func {other}"),
        }
        checked += 1;
    }
    assert!(checked >= 85, "only {checked} rows checked");
}

#[test]
fn normalize_vectors() {
    let text = include_str!("data/normalize.tsv");
    let mut checked = 0;
    for row in rows(text) {
        let c = &row.cols;
        let (input, ok, normalized, familiar, err_kind, func, domain, path) =
            (c[0], c[1] == "true", c[2], c[3], c[4], c[6], c[7], c[8]);
        let ctx = format!("line {} {func}({input:?})", row.line);
        let got: Result<(String, String, String, String), ReferenceError> = match func {
            "ParseNormalizedNamed" | "" => Reference::parse_normalized(input)
                .map(|r| (r.to_string(), r.familiar(), r.domain().to_owned(), r.path().to_owned())),
            "ParseDockerRef" => Reference::parse_docker(input)
                .map(|r| (r.to_string(), r.familiar(), r.domain().to_owned(), r.path().to_owned())),
            "ParseAnyReference" => AnyReference::parse(input).map(|a| match a {
                AnyReference::Named(r) => (r.to_string(), r.familiar(), r.domain().to_owned(), r.path().to_owned()),
                AnyReference::Digest(d) => (d.to_string(), d.to_string(), String::new(), String::new()),
            }),
            other => panic!("{ctx}: unknown func {other}"),
        };
        match got {
            Ok((n, f, d, p)) => {
                assert!(ok, "{ctx}: expected error {err_kind:?}, got {n}");
                assert_eq!(n, normalized, "{ctx} normalized");
                assert_eq!(f, familiar, "{ctx} familiar");
                assert_eq!(d, domain, "{ctx} domain");
                assert_eq!(p, path, "{ctx} path");
            }
            Err(e) => {
                assert!(!ok, "{ctx}: unexpected error {e}");
                assert_eq!(kind(&e), err_kind, "{ctx} error kind");
            }
        }
        checked += 1;
    }
    assert!(checked >= 60, "only {checked} rows checked");
}
