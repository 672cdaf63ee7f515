//! Dockerfile text → instructions, following BuildKit's grammar: parser directives at the top
//! (`# syntax=…`, `# escape=…`), comments, line continuations with the escape character, heredocs
//! (`<<EOF`, `<<-EOF`, quoted delimiters), flags (`--from=…`), and the JSON (exec) form.

use crate::BuildError;

/// A heredoc attached to an instruction (`RUN <<EOF … EOF`, `COPY <<a.txt /dst`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    pub name: String,
    pub content: String,
    /// Unquoted delimiters allow variable expansion in the content.
    pub expand: bool,
    /// `<<-`: leading tabs were stripped.
    pub chomp: bool,
}

/// One instruction as written: keyword, flags and the rest of the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// 1-based line of the keyword.
    pub line: usize,
    /// Upper-case keyword (`RUN`, `COPY`, …).
    pub keyword: String,
    /// `--name=value` flags before the arguments (value `None` for a bare `--name`).
    pub flags: Vec<(String, Option<String>)>,
    /// The arguments after the flags, continuations joined, heredoc bodies removed.
    pub args: String,
    /// The arguments as a JSON string array, when written in exec form.
    pub json: Option<Vec<String>>,
    pub heredocs: Vec<Heredoc>,
    /// The whole logical line as written (continuations joined), for logs and history.
    pub original: String,
}

impl Instruction {
    pub fn flag(&self, name: &str) -> Option<&str> {
        self.flags.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.as_deref().unwrap_or("true"))
    }
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    pub escape: char,
    pub syntax: Option<String>,
    pub instructions: Vec<Instruction>,
}

const KEYWORDS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

const HEREDOC_KEYWORDS: &[&str] = &["RUN", "COPY", "ADD"];

fn syntax(line: usize, message: impl Into<String>) -> BuildError {
    BuildError::Syntax { line, message: message.into() }
}

/// Reads the parser directives; returns (escape, syntax, number of lines they used).
fn directives(lines: &[&str]) -> Result<(char, Option<String>, usize), BuildError> {
    let mut escape = '\\';
    let mut syntax_dir = None;
    let mut seen = Vec::new();
    for (i, raw) in lines.iter().enumerate() {
        let Some(body) = raw.trim().strip_prefix('#') else { return Ok((escape, syntax_dir, i)) };
        let Some((key, value)) = body.split_once('=') else { return Ok((escape, syntax_dir, i)) };
        let key = key.trim().to_ascii_lowercase();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Ok((escape, syntax_dir, i));
        }
        if seen.contains(&key) {
            return Err(syntax(i + 1, format!("only one {key} parser directive can be used")));
        }
        seen.push(key.clone());
        let value = value.trim();
        match key.as_str() {
            "escape" => {
                escape = match value {
                    "\\" => '\\',
                    "`" => '`',
                    other => return Err(syntax(i + 1, format!("invalid escape token {other:?}: use \\ or `"))),
                }
            }
            "syntax" => syntax_dir = Some(value.to_owned()),
            _ => {}
        }
    }
    Ok((escape, syntax_dir, lines.len()))
}

/// Strips a trailing escape character (after trailing whitespace); true when the line continues.
fn continues(line: &str, escape: char) -> (String, bool) {
    let trimmed = line.trim_end();
    if let Some(stripped) = trimmed.strip_suffix(escape) {
        (stripped.to_owned(), true)
    } else {
        (line.to_owned(), false)
    }
}

/// Heredoc markers (`<<EOF`, `<<-"EOF"`) in a logical line, outside quotes.
fn heredoc_markers(line: &str) -> Vec<(String, bool, bool)> {
    let mut out = Vec::new();
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '<' && chars.get(i + 1) == Some(&'<') && chars.get(i + 2) != Some(&'<') => {
                let mut j = i + 2;
                let chomp = chars.get(j) == Some(&'-');
                if chomp {
                    j += 1;
                }
                let q = chars.get(j).copied().filter(|c| *c == '"' || *c == '\'');
                if q.is_some() {
                    j += 1;
                }
                let start = j;
                while j < chars.len()
                    && (chars[j].is_alphanumeric() || chars[j] == '_' || chars[j] == '.' || chars[j] == '-')
                {
                    j += 1;
                }
                let name: String = chars[start..j].iter().collect();
                if let Some(q) = q {
                    if chars.get(j) != Some(&q) {
                        i += 1;
                        continue;
                    }
                    j += 1;
                }
                if !name.is_empty() {
                    out.push((name, q.is_none(), chomp));
                }
                i = j;
                continue;
            }
            None => {}
        }
        i += 1;
    }
    out
}

/// Splits leading `--flag[=value]` words off the arguments.
fn split_flags(args: &str) -> (Vec<(String, Option<String>)>, String) {
    let mut flags = Vec::new();
    let mut rest = args.trim_start();
    while let Some(after) = rest.strip_prefix("--") {
        let end = after.find(char::is_whitespace).unwrap_or(after.len());
        let word = &after[..end];
        if word.is_empty() {
            break;
        }
        match word.split_once('=') {
            Some((n, v)) => flags.push((n.to_ascii_lowercase(), Some(v.to_owned()))),
            None => flags.push((word.to_ascii_lowercase(), None)),
        }
        rest = after[end..].trim_start();
    }
    (flags, rest.to_owned())
}

/// Parses a Dockerfile.
pub fn parse(text: &str) -> Result<Dockerfile, BuildError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().collect();
    let (escape, syntax_dir, first) = directives(&lines)?;
    let mut instructions = Vec::new();
    let mut i = first;
    while i < lines.len() {
        let raw = lines[i];
        let trimmed = raw.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            i += 1;
            continue;
        }
        let start = i;
        let (mut logical, mut more) = continues(trimmed, escape);
        i += 1;
        while more && i < lines.len() {
            let next = lines[i].trim_start();
            i += 1;
            if next.starts_with('#') {
                continue;
            }
            if next.is_empty() {
                continue;
            }
            let (part, m) = continues(lines[i - 1], escape);
            logical.push_str(&part);
            more = m;
        }
        let logical = logical.trim().to_owned();
        let (word, rest) = match logical.find(char::is_whitespace) {
            Some(p) => (&logical[..p], logical[p..].trim_start()),
            None => (logical.as_str(), ""),
        };
        let keyword = word.to_ascii_uppercase();
        if !KEYWORDS.contains(&keyword.as_str()) {
            return Err(syntax(start + 1, format!("unknown instruction: {word}")));
        }
        let mut heredocs = Vec::new();
        let effective = if keyword == "ONBUILD" { rest.split_whitespace().next().unwrap_or("") } else { &keyword };
        if HEREDOC_KEYWORDS.contains(&effective.to_ascii_uppercase().as_str()) {
            for (name, expand, chomp) in heredoc_markers(rest) {
                let mut content = String::new();
                let mut closed = false;
                while i < lines.len() {
                    let l = lines[i];
                    i += 1;
                    let l = if chomp { l.trim_start_matches('\t') } else { l };
                    if l == name {
                        closed = true;
                        break;
                    }
                    content.push_str(l);
                    content.push('\n');
                }
                if !closed {
                    return Err(syntax(start + 1, format!("unterminated heredoc <<{name}")));
                }
                heredocs.push(Heredoc { name, content, expand, chomp });
            }
        }
        let (flags, args) = if keyword == "ONBUILD" { (Vec::new(), rest.to_owned()) } else { split_flags(rest) };
        let json = if args.trim_start().starts_with('[') {
            serde_json::from_str::<Vec<String>>(args.trim()).ok()
        } else {
            None
        };
        instructions.push(Instruction {
            line: start + 1,
            keyword,
            flags,
            args,
            json,
            heredocs,
            original: logical.clone(),
        });
    }
    validate(&instructions)?;
    Ok(Dockerfile { escape, syntax: syntax_dir, instructions })
}

fn validate(instructions: &[Instruction]) -> Result<(), BuildError> {
    let mut seen_from = false;
    for ins in instructions {
        match ins.keyword.as_str() {
            "FROM" => seen_from = true,
            "ARG" => {}
            k if !seen_from => {
                return Err(syntax(ins.line, format!("{k} before the first FROM: a Dockerfile starts with FROM")));
            }
            _ => {}
        }
        let needs_args = !matches!(ins.keyword.as_str(), "HEALTHCHECK");
        if needs_args && ins.args.trim().is_empty() && ins.heredocs.is_empty() {
            return Err(syntax(ins.line, format!("{} requires at least one argument", ins.keyword)));
        }
        if ins.keyword == "ONBUILD" {
            let inner = ins.args.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
            if matches!(inner.as_str(), "ONBUILD" | "FROM" | "MAINTAINER") {
                return Err(syntax(ins.line, format!("{inner} isn't allowed as an ONBUILD trigger")));
            }
            if !KEYWORDS.contains(&inner.as_str()) {
                return Err(syntax(ins.line, format!("unknown instruction in ONBUILD: {inner}")));
            }
        }
        if matches!(ins.keyword.as_str(), "COPY" | "ADD") {
            let words = ins.json.as_ref().map(Vec::len).unwrap_or_else(|| ins.args.split_whitespace().count());
            if words < 2 && ins.heredocs.is_empty() {
                return Err(syntax(ins.line, format!("{} requires at least two arguments: SOURCE… DEST", ins.keyword)));
            }
        }
    }
    if !seen_from {
        return Err(syntax(instructions.last().map(|i| i.line).unwrap_or(1), "no FROM instruction: nothing to build"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_comments_and_flags() {
        let df = parse(
            "# syntax=docker/dockerfile:1\n# escape=\\\nFROM busybox AS base\n# a comment\nRUN echo a \\\n  # inside\n\n  && echo b\nCOPY --from=base --chown=1:2 /a /b\nCMD [\"sh\", \"-c\", \"x\"]\n",
        )
        .unwrap();
        assert_eq!(df.syntax.as_deref(), Some("docker/dockerfile:1"));
        assert_eq!(df.instructions.len(), 4);
        assert_eq!(df.instructions[1].args, "echo a   && echo b");
        assert_eq!(df.instructions[1].line, 5);
        assert_eq!(df.instructions[2].flag("from"), Some("base"));
        assert_eq!(df.instructions[2].flag("chown"), Some("1:2"));
        assert_eq!(df.instructions[2].args, "/a /b");
        assert_eq!(df.instructions[3].json, Some(vec!["sh".into(), "-c".into(), "x".into()]));
    }

    #[test]
    fn escape_directive_backtick() {
        let df = parse("# escape=`\nFROM scratch\nLABEL a=b `\n  c=d\n").unwrap();
        assert_eq!(df.escape, '`');
        assert_eq!(df.instructions[1].args, "a=b   c=d");
    }

    #[test]
    fn heredocs() {
        let df = parse("FROM busybox\nRUN <<EOF\necho hi\necho there\nEOF\nCOPY <<-\"x.txt\" /x\n\tliteral $HOME\nx.txt\nRUN true\n")
            .unwrap();
        assert_eq!(df.instructions[1].heredocs[0].content, "echo hi\necho there\n");
        assert!(df.instructions[1].heredocs[0].expand);
        let h = &df.instructions[2].heredocs[0];
        assert_eq!((h.name.as_str(), h.content.as_str(), h.expand), ("x.txt", "literal $HOME\n", false));
        assert_eq!(df.instructions[3].keyword, "RUN");
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("FROM busybox\n\nFOO bar\n").unwrap_err().to_string();
        assert_eq!(e, "Dockerfile:3: unknown instruction: FOO");
        assert!(parse("RUN x\n").unwrap_err().to_string().starts_with("Dockerfile:1:"));
        assert!(parse("FROM a\nCOPY onlyone\n").unwrap_err().to_string().starts_with("Dockerfile:2:"));
        assert!(parse("FROM a\nRUN <<EOF\nno end\n").unwrap_err().to_string().contains("unterminated"));
        assert!(parse("FROM a\nONBUILD FROM b\n").is_err());
        assert!(parse("").is_err());
    }

    #[test]
    fn arg_before_from_is_allowed() {
        let df = parse("ARG V=1\nFROM busybox:${V}\n").unwrap();
        assert_eq!(df.instructions[0].keyword, "ARG");
    }
}
