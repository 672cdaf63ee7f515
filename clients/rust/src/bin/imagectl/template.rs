//! A subset of Go's text/template, enough for Docker's `--format` and `-f`: text, `{{.Field.Sub}}`, `{{.}}`,
//! `{{json .X}}`, `{{index .X 0}}` / `{{index .X "key"}}`, `{{join .X ", "}}`, `{{upper .X}}`, `{{lower .X}}`,
//! `{{len .X}}`, and `{{range .X}}…{{end}}`. Values print as Go prints them (`[a b]`, `map[k:v]`, `<nil>`).
use serde_json::Value;

#[derive(Debug)]
enum Node {
    Text(String),
    Action(Vec<String>),
    Range(Vec<String>, Vec<Node>),
}

fn tokenize(action: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = action.trim().chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut s = String::from("\"");
            loop {
                match chars.next() {
                    Some('\\') => s.push(chars.next().ok_or("unterminated string")?),
                    Some('"') => break,
                    Some(c) => s.push(c),
                    None => return Err("unterminated string".into()),
                }
            }
            out.push(s);
        } else if c == '|' {
            chars.next();
            out.push("|".into());
        } else {
            let mut s = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '|' {
                    break;
                }
                s.push(c);
                chars.next();
            }
            out.push(s);
        }
    }
    Ok(out)
}

fn parse(src: &str) -> Result<Vec<Node>, String> {
    let mut stack: Vec<(Vec<String>, Vec<Node>)> = vec![(vec![], vec![])];
    let mut rest = src;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            stack.last_mut().expect("stack").1.push(Node::Text(rest[..start].to_owned()));
        }
        let end = rest[start..].find("}}").ok_or("unclosed action: missing }}")? + start;
        let action = rest[start + 2..end].trim_matches('-').trim();
        let tokens = tokenize(action)?;
        match tokens.first().map(String::as_str) {
            Some("range") => stack.push((tokens[1..].to_vec(), vec![])),
            Some("end") => {
                let (args, body) = stack.pop().ok_or("unexpected {{end}}")?;
                stack.last_mut().ok_or("unexpected {{end}}")?.1.push(Node::Range(args, body));
            }
            Some(_) => stack.last_mut().expect("stack").1.push(Node::Action(tokens)),
            None => return Err("empty action {{}}".into()),
        }
        rest = &rest[end + 2..];
    }
    if !rest.is_empty() {
        stack.last_mut().expect("stack").1.push(Node::Text(rest.to_owned()));
    }
    if stack.len() != 1 {
        return Err("missing {{end}}".into());
    }
    Ok(stack.pop().expect("stack").1)
}

fn lookup(dot: &Value, path: &str) -> Result<Value, String> {
    if path == "." {
        return Ok(dot.clone());
    }
    if let Some(s) = path.strip_prefix('"') {
        return Ok(Value::String(s.to_owned()));
    }
    if let Ok(n) = path.parse::<i64>() {
        return Ok(Value::from(n));
    }
    let Some(fields) = path.strip_prefix('.') else {
        return Err(format!("function {path:?} not defined"));
    };
    let mut cur = dot.clone();
    for f in fields.split('.') {
        cur = match &cur {
            Value::Object(m) => m.get(f).cloned().ok_or_else(|| format!("can't evaluate field {f}"))?,
            Value::Null => Value::Null,
            _ => {
                return Err(format!("can't evaluate field {f} in type {}", type_name(&cur)));
            }
        };
    }
    Ok(cur)
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "nil",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "slice",
        Value::Object(_) => "map",
    }
}

/// Go's `fmt.Print` of a value.
pub fn go_print(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) => format!("[{}]", a.iter().map(go_print).collect::<Vec<_>>().join(" ")),
        Value::Object(m) => {
            format!("map[{}]", m.iter().map(|(k, v)| format!("{k}:{}", go_print(v))).collect::<Vec<_>>().join(" "))
        }
    }
}

/// A pipeline `cmd | cmd …`: each command after the first gets the previous value as its last argument.
fn eval(tokens: &[String], dot: &Value) -> Result<Value, String> {
    let mut value: Option<Value> = None;
    for cmd in tokens.split(|t| t == "|") {
        if cmd.is_empty() {
            return Err("missing command in pipeline".into());
        }
        value = Some(eval_cmd(cmd, dot, value)?);
    }
    value.ok_or_else(|| "empty action".into())
}

fn eval_cmd(tokens: &[String], dot: &Value, piped: Option<Value>) -> Result<Value, String> {
    let arg = |i: usize| -> Result<Value, String> {
        match tokens.get(i) {
            Some(t) => lookup(dot, t),
            None if i == tokens.len() => piped.clone().ok_or_else(|| "missing argument".to_owned()),
            None => Err("missing argument".into()),
        }
    };
    if tokens.len() == 1 && piped.is_none() && !matches!(tokens[0].as_str(), "json" | "upper" | "lower" | "title") {
        return lookup(dot, &tokens[0]);
    }
    Ok(match tokens[0].as_str() {
        "title" => Value::String({
            let s = go_print(&arg(1)?);
            let mut out = String::new();
            let mut start = true;
            for c in s.chars() {
                out.extend(if start { c.to_uppercase().collect::<Vec<_>>() } else { vec![c] });
                start = !c.is_alphanumeric();
            }
            out
        }),
        "split" => {
            let sep = go_print(&arg(2)?);
            Value::Array(go_print(&arg(1)?).split(sep.as_str()).map(|p| Value::String(p.to_owned())).collect())
        }
        "json" => Value::String(serde_json::to_string(&arg(1)?).map_err(|e| e.to_string())?),
        "upper" => Value::String(go_print(&arg(1)?).to_uppercase()),
        "lower" => Value::String(go_print(&arg(1)?).to_lowercase()),
        "len" => Value::from(match arg(1)? {
            Value::Array(a) => a.len(),
            Value::Object(m) => m.len(),
            Value::String(s) => s.len(),
            _ => 0,
        }),
        "join" => {
            let sep = go_print(&arg(2)?);
            match arg(1)? {
                Value::Array(a) => Value::String(a.iter().map(go_print).collect::<Vec<_>>().join(&sep)),
                v => Value::String(go_print(&v)),
            }
        }
        "index" => match (arg(1)?, arg(2)?) {
            (Value::Array(a), Value::Number(n)) => {
                a.get(n.as_u64().unwrap_or(u64::MAX) as usize).cloned().ok_or("index out of range")?
            }
            (Value::Object(m), Value::String(k)) => m.get(&k).cloned().unwrap_or(Value::Null),
            _ => return Err("index of a value that is not a slice or map".into()),
        },
        _ if tokens.len() == 1 && piped.is_none() => lookup(dot, &tokens[0])?,
        other => return Err(format!("function {other:?} not defined")),
    })
}

fn render_nodes(nodes: &[Node], dot: &Value, out: &mut String) -> Result<(), String> {
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Action(tokens) => out.push_str(&go_print(&eval(tokens, dot)?)),
            Node::Range(args, body) => {
                if args.is_empty() {
                    return Err("range needs a value".into());
                }
                match eval(args, dot)? {
                    Value::Array(items) => {
                        for item in &items {
                            render_nodes(body, item, out)?;
                        }
                    }
                    Value::Object(m) => {
                        for v in m.values() {
                            render_nodes(body, v, out)?;
                        }
                    }
                    Value::Null => {}
                    v => return Err(format!("range can't iterate over {}", go_print(&v))),
                }
            }
        }
    }
    Ok(())
}

/// Renders `template` with `dot` as `.`.
pub fn render(template: &str, dot: &Value) -> Result<String, String> {
    let nodes = parse(template).map_err(|e| format!("template parsing error: {e}"))?;
    let mut out = String::new();
    render_nodes(&nodes, dot, &mut out).map_err(|e| format!("template: executing: {e}"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn go_like_output() {
        let v = json!({"Size": 1234, "RepoTags": ["a:1", "b:2"], "Config": {"Env": ["A=b"], "Labels": {"k": "v"}, "Cmd": null}});
        assert_eq!(render("{{.Size}}", &v).unwrap(), "1234");
        assert_eq!(render("tags={{.RepoTags}}", &v).unwrap(), "tags=[a:1 b:2]");
        assert_eq!(render("{{json .Config.Env}}", &v).unwrap(), r#"["A=b"]"#);
        assert_eq!(render("{{.Config.Labels}}", &v).unwrap(), "map[k:v]");
        assert_eq!(render("{{.Config.Cmd}}", &v).unwrap(), "<nil>");
        assert_eq!(render("{{index .RepoTags 1}}", &v).unwrap(), "b:2");
        assert_eq!(render(r#"{{index .Config.Labels "k"}}"#, &v).unwrap(), "v");
        assert_eq!(render(r#"{{join .RepoTags ","}}"#, &v).unwrap(), "a:1,b:2");
        assert_eq!(render("{{range .RepoTags}}<{{.}}>{{end}}", &v).unwrap(), "<a:1><b:2>");
        assert!(render("{{.Nope}}", &v).is_err());
        assert!(render("{{.Size", &v).is_err());
    }
}
