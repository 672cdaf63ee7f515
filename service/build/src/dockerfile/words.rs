//! Variable substitution and word splitting as Docker's shell lexer does for ENV, LABEL, COPY, FROM, …:
//! `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`, `${VAR+word}`, `${VAR:?msg}`; single quotes
//! keep text literal, double quotes group words and still expand, the escape character escapes one char.

use crate::BuildError;

/// Expands and splits one argument string.
pub struct Lexer<'a> {
    pub escape: char,
    pub lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl Lexer<'_> {
    /// Expands `text` into one word (quotes removed, whitespace kept).
    pub fn word(&self, text: &str) -> Result<String, BuildError> {
        Ok(self.run(text, false)?.join(""))
    }

    /// Expands `text` and splits it into words at unquoted whitespace.
    pub fn words(&self, text: &str) -> Result<Vec<String>, BuildError> {
        self.run(text, true)
    }

    /// Expands variables only, keeping quotes and escapes (heredoc bodies, ONBUILD).
    pub fn expand_only(&self, text: &str) -> Result<String, BuildError> {
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::new();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == self.escape && chars.get(i + 1) == Some(&'$') {
                out.push('$');
                i += 2;
            } else if chars[i] == '$' {
                let (v, n) = self.variable(&chars[i..])?;
                out.push_str(&v);
                i += n;
            } else {
                out.push(chars[i]);
                i += 1;
            }
        }
        Ok(out)
    }

    fn run(&self, text: &str, split: bool) -> Result<Vec<String>, BuildError> {
        let chars: Vec<char> = text.chars().collect();
        let mut words = Vec::new();
        let mut cur = String::new();
        let mut has_word = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if split && c.is_whitespace() {
                if has_word {
                    words.push(std::mem::take(&mut cur));
                    has_word = false;
                }
                i += 1;
                continue;
            }
            has_word = true;
            if c == self.escape {
                if let Some(&n) = chars.get(i + 1) {
                    cur.push(n);
                    i += 2;
                } else {
                    cur.push(c);
                    i += 1;
                }
            } else if c == '\'' {
                let end = chars[i + 1..].iter().position(|&x| x == '\'').ok_or_else(|| {
                    BuildError::Invalid(format!(
                        "unexpected end of statement while looking for matching single-quote: {text}"
                    ))
                })?;
                cur.extend(&chars[i + 1..i + 1 + end]);
                i += end + 2;
            } else if c == '"' {
                i += 1;
                loop {
                    let Some(&d) = chars.get(i) else {
                        return Err(BuildError::Invalid(format!(
                            "unexpected end of statement while looking for matching double-quote: {text}"
                        )));
                    };
                    if d == '"' {
                        i += 1;
                        break;
                    }
                    if d == self.escape && matches!(chars.get(i + 1), Some('"' | '$') | Some(&'\\') | Some(&'`')) {
                        cur.push(chars[i + 1]);
                        i += 2;
                    } else if d == '$' {
                        let (v, n) = self.variable(&chars[i..])?;
                        cur.push_str(&v);
                        i += n;
                    } else {
                        cur.push(d);
                        i += 1;
                    }
                }
            } else if c == '$' {
                let (v, n) = self.variable(&chars[i..])?;
                i += n;
                if !split {
                    cur.push_str(&v);
                    continue;
                }
                // Unquoted values split into words, as the shell would.
                for ch in v.chars() {
                    if ch.is_whitespace() {
                        if !cur.is_empty() {
                            words.push(std::mem::take(&mut cur));
                        }
                    } else {
                        cur.push(ch);
                    }
                }
                has_word = !cur.is_empty() || v.chars().all(|ch| !ch.is_whitespace());
            } else {
                cur.push(c);
                i += 1;
            }
        }
        if has_word || !split {
            words.push(cur);
        }
        Ok(words)
    }

    /// Expands the variable starting at `chars[0] == '$'`; returns the value and the chars used.
    fn variable(&self, chars: &[char]) -> Result<(String, usize), BuildError> {
        let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
        if chars.get(1) == Some(&'{') {
            let close = chars
                .iter()
                .position(|&c| c == '}')
                .ok_or_else(|| BuildError::Invalid("missing '}' in variable substitution".into()))?;
            let inner: String = chars[2..close].iter().collect();
            let name_len = inner.chars().take_while(|c| is_name(*c)).count();
            let (name, op) = inner.split_at(name_len);
            if name.is_empty() {
                return Err(BuildError::Invalid(format!("bad substitution: ${{{inner}}}")));
            }
            let value = (self.lookup)(name);
            let out = match op {
                "" => value.unwrap_or_default(),
                _ => {
                    let (colon, rest) = match op.strip_prefix(':') {
                        Some(r) => (true, r),
                        None => (false, op),
                    };
                    let set = match &value {
                        Some(v) => !colon || !v.is_empty(),
                        None => false,
                    };
                    let (kind, word) = rest.split_at(rest.chars().next().map(char::len_utf8).unwrap_or(0));
                    let word = self.word(word)?;
                    match kind {
                        "-" => {
                            if set {
                                value.unwrap_or_default()
                            } else {
                                word
                            }
                        }
                        "+" => {
                            if set {
                                word
                            } else {
                                String::new()
                            }
                        }
                        "?" => {
                            if set {
                                value.unwrap_or_default()
                            } else {
                                let msg = if word.is_empty() { "is not allowed to be unset".into() } else { word };
                                return Err(BuildError::Invalid(format!("{name}: {msg}")));
                            }
                        }
                        _ => return Err(BuildError::Invalid(format!("unsupported modifier in ${{{inner}}}"))),
                    }
                }
            };
            Ok((out, close + 1))
        } else {
            let n = chars[1..].iter().take_while(|c| is_name(**c)).count();
            if n == 0 {
                return Ok(("$".into(), 1));
            }
            let name: String = chars[1..1 + n].iter().collect();
            Ok(((self.lookup)(&name).unwrap_or_default(), n + 1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(text: &str) -> Vec<String> {
        let lookup = |n: &str| match n {
            "A" => Some("apple".to_owned()),
            "E" => Some(String::new()),
            "SP" => Some("a b".to_owned()),
            _ => None,
        };
        Lexer { escape: '\\', lookup: &lookup }.words(text).unwrap()
    }

    #[test]
    fn substitution_forms() {
        assert_eq!(lex("$A ${A} x${A}y"), ["apple", "apple", "xappley"]);
        assert_eq!(lex("${B:-def} ${E:-def} ${E-def} ${A:+yes} ${B:+yes}z"), ["def", "def", "", "yes", "z"]);
        assert_eq!(lex("'$A' \"$A b\" \\$A"), ["$A", "apple b", "$A"]);
        assert_eq!(lex("\"${SP}\" $SP"), ["a b", "a", "b"]);
        assert_eq!(lex("a=\"x y\" c=d"), ["a=x y", "c=d"]);
    }

    #[test]
    fn errors() {
        let lookup = |_: &str| None;
        let l = Lexer { escape: '\\', lookup: &lookup };
        assert!(l.words("${B:?must be set}").unwrap_err().to_string().contains("must be set"));
        assert!(l.words("\"open").is_err());
        assert!(l.words("${unclosed").is_err());
    }
}
