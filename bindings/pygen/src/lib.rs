//! The Python message classes of the bindings, generated from the API's descriptor set: one class per
//! proto message (fields in proto order, proto names, full type hints, the proto comments as docstrings)
//! and one `IntEnum` per proto enum, as `imaged/_messages.py` and its stub `imaged/_messages.pyi`.
//!
//! The native module builds instances of these classes straight from the decoded messages (by full
//! name, fields positionally in proto order), so the Python side keeps no hand-written copy of the schema.
//! `google.protobuf.Timestamp` fields are RFC 3339 strings, as `imagectl` and Docker print them.

use std::{collections::HashMap, fmt::Write};

use prost_reflect::{DescriptorPool, EnumDescriptor, FieldDescriptor, Kind, MessageDescriptor};

/// The two generated files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// `_messages.py`: the runtime classes.
    pub py: String,
    /// `_messages.pyi`: their stub.
    pub pyi: String,
}

/// Where the generated files live in the repository, relative to its root.
pub const PY_PATH: &str = "bindings/python/python/imaged/_messages.py";
/// The stub beside it.
pub const PYI_PATH: &str = "bindings/python/python/imaged/_messages.pyi";

const HEADER: &str = "# Generated from the imaged.v1 descriptor set by `cargo run -p imaged-pygen`: do not edit.\n\
# `cargo test -p imaged-pygen` fails when this file no longer matches proto/imaged/v1.\n";

const TIMESTAMP: &str = "google.protobuf.Timestamp";

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
    "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
    "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
];

/// Comments of the descriptor set's files, by file name and source path.
struct Comments(HashMap<(String, Vec<i32>), String>);

impl Comments {
    fn of(pool: &DescriptorPool) -> Self {
        let mut map = HashMap::new();
        for file in pool.files() {
            let Some(info) = &file.file_descriptor_proto().source_code_info else { continue };
            for loc in &info.location {
                if let Some(text) = loc.leading_comments.as_deref().or(loc.trailing_comments.as_deref()) {
                    let text = text.lines().map(str::trim).collect::<Vec<_>>().join("\n").trim().to_owned();
                    if !text.is_empty() {
                        map.insert((file.name().to_owned(), loc.path.clone()), text);
                    }
                }
            }
        }
        Self(map)
    }

    fn get(&self, file: &str, path: &[i32]) -> Option<&str> {
        self.0.get(&(file.to_owned(), path.to_vec())).map(String::as_str)
    }
}

/// The Python name of a message or enum: its name inside the package, nesting joined.
fn class_name(full_name: &str, package: &str) -> String {
    full_name.strip_prefix(package).unwrap_or(full_name).trim_start_matches('.').replace('.', "")
}

/// Names the base class `Message` (`_message.py`) defines.
const BASE_NAMES: &[&str] = &["to_dict", "get"];

/// A field's attribute name: the proto name, with `_` after a Python keyword or a name of `Message`.
pub fn attr_name(field: &FieldDescriptor) -> String {
    let name = field.name();
    if KEYWORDS.contains(&name) || BASE_NAMES.contains(&name) { format!("{name}_") } else { name.to_owned() }
}

fn scalar_type(kind: &Kind, package: &str) -> String {
    match kind {
        Kind::Double | Kind::Float => "float".into(),
        Kind::Bool => "bool".into(),
        Kind::String => "str".into(),
        Kind::Bytes => "bytes".into(),
        Kind::Message(m) if m.full_name() == TIMESTAMP => "str".into(),
        Kind::Message(m) => class_name(m.full_name(), package),
        Kind::Enum(e) => class_name(e.full_name(), package),
        _ => "int".into(),
    }
}

/// A field that is `None` when the message does not carry it: a message field, or a member of a oneof.
/// The native module builds objects by the same rule.
pub fn nullable(field: &FieldDescriptor) -> bool {
    !field.is_list()
        && !field.is_map()
        && (matches!(field.kind(), Kind::Message(_)) || field.containing_oneof().is_some())
}

fn field_type(field: &FieldDescriptor, package: &str) -> String {
    if field.is_map() {
        let Kind::Message(entry) = field.kind() else { unreachable!("a map field's kind is its entry message") };
        let key = scalar_type(&entry.map_entry_key_field().kind(), package);
        let value = scalar_type(&entry.map_entry_value_field().kind(), package);
        return format!("Dict[{key}, {value}]");
    }
    let t = scalar_type(&field.kind(), package);
    if field.is_list() {
        format!("List[{t}]")
    } else if nullable(field) {
        format!("Optional[{t}]")
    } else {
        t
    }
}

/// The parameter's annotation and default in `__init__`.
fn parameter(field: &FieldDescriptor, package: &str) -> (String, String) {
    let t = field_type(field, package);
    if field.is_list() || field.is_map() {
        return (format!("Optional[{t}]"), "None".into());
    }
    if nullable(field) {
        return (t, "None".into());
    }
    let default = match field.kind() {
        Kind::Double | Kind::Float => "0.0".into(),
        Kind::Bool => "False".into(),
        Kind::String => "\"\"".into(),
        Kind::Bytes => "b\"\"".into(),
        Kind::Enum(e) => format!("{}.{}", class_name(e.full_name(), package), e.default_value().name()),
        _ => "0".into(),
    };
    (t, default)
}

fn docstring(out: &mut String, indent: &str, text: &str) {
    let text = text.replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\"");
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    let rest: Vec<&str> = lines.collect();
    if rest.is_empty() {
        let _ = writeln!(out, "{indent}\"\"\"{first}\"\"\"");
    } else {
        let _ = writeln!(out, "{indent}\"\"\"{first}");
        for l in rest {
            if l.is_empty() {
                out.push('\n');
            } else {
                let _ = writeln!(out, "{indent}{l}");
            }
        }
        let _ = writeln!(out, "{indent}\"\"\"");
    }
}

/// A message's docstring: its comment, then each field's.
fn message_doc(m: &MessageDescriptor, comments: &Comments) -> String {
    let file = m.parent_file();
    let mut doc =
        comments.get(file.name(), m.path()).map(str::to_owned).unwrap_or_else(|| format!("``{}``.", m.full_name()));
    let fields: Vec<String> = m
        .fields()
        .filter_map(|f| {
            comments.get(file.name(), f.path()).map(|c| format!("- ``{}``: {}", attr_name(&f), c.replace('\n', "\n  ")))
        })
        .collect();
    if !fields.is_empty() {
        doc.push_str("\n\n");
        doc.push_str(&fields.join("\n"));
    }
    doc
}

fn messages(pool: &DescriptorPool, package: &str) -> Vec<MessageDescriptor> {
    let mut v: Vec<_> = pool.all_messages().filter(|m| m.package_name() == package && !m.is_map_entry()).collect();
    v.sort_by(|a, b| a.full_name().cmp(b.full_name()));
    v
}

fn enums(pool: &DescriptorPool, package: &str) -> Vec<EnumDescriptor> {
    let mut v: Vec<_> = pool.all_enums().filter(|e| e.package_name() == package).collect();
    v.sort_by(|a, b| a.full_name().cmp(b.full_name()));
    v
}

fn write_enum(out: &mut String, e: &EnumDescriptor, package: &str, comments: &Comments) {
    let _ = writeln!(out, "\n\nclass {}(enum.IntEnum):", class_name(e.full_name(), package));
    let doc = comments
        .get(e.parent_file().name(), e.path())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("``{}``.", e.full_name()));
    docstring(out, "    ", &doc);
    out.push('\n');
    for v in e.values() {
        let _ = writeln!(out, "    {} = {}", v.name(), v.number());
    }
}

fn write_init_signature(out: &mut String, m: &MessageDescriptor, package: &str, stub: bool) {
    let fields: Vec<FieldDescriptor> = m.fields().collect();
    if fields.is_empty() {
        let _ = writeln!(out, "    def __init__(self) -> None:{}", if stub { " ..." } else { "" });
        return;
    }
    out.push_str("    def __init__(\n        self,\n");
    for f in &fields {
        let (t, default) = parameter(f, package);
        let default = if stub { "..." } else { &default };
        let _ = writeln!(out, "        {}: {t} = {default},", attr_name(f));
    }
    let _ = writeln!(out, "    ) -> None:{}", if stub { " ..." } else { "" });
}

fn write_message(out: &mut String, m: &MessageDescriptor, package: &str, comments: &Comments, stub: bool) {
    let _ = writeln!(out, "\n\nclass {}(Message):", class_name(m.full_name(), package));
    docstring(out, "    ", &message_doc(m, comments));
    out.push('\n');
    let names: Vec<String> = m.fields().map(|f| attr_name(&f)).collect();
    if !stub {
        let slots = names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ");
        let comma = if names.len() == 1 { "," } else { "" };
        let _ = writeln!(out, "    __slots__ = ({slots}{comma})");
        let _ = writeln!(out, "    _proto = \"{}\"", m.full_name());
    }
    for f in m.fields() {
        let _ = writeln!(out, "    {}: {}", attr_name(&f), field_type(&f, package));
    }
    if !names.is_empty() {
        out.push('\n');
    }
    write_init_signature(out, m, package, stub);
    if stub {
        return;
    }
    let fields: Vec<FieldDescriptor> = m.fields().collect();
    if fields.is_empty() {
        out.push_str("        pass\n");
    }
    for f in fields {
        let n = attr_name(&f);
        if f.is_list() {
            let _ = writeln!(out, "        self.{n} = [] if {n} is None else {n}");
        } else if f.is_map() {
            let _ = writeln!(out, "        self.{n} = {{}} if {n} is None else {n}");
        } else {
            let _ = writeln!(out, "        self.{n} = {n}");
        }
    }
}

fn write_module(pool: &DescriptorPool, package: &str, comments: &Comments, stub: bool) -> String {
    let mut out = String::from(HEADER);
    out.push_str(&format!(
        "\"\"\"The ``{package}`` messages as Python classes (one per proto message, fields in proto order with \
         their proto\nnames) and enums. ``google.protobuf.Timestamp`` fields are RFC 3339 strings.\"\"\"\n\n"
    ));
    out.push_str(
        "from __future__ import annotations\n\nimport enum\nfrom typing import Dict, List, Optional, Type\n\n",
    );
    out.push_str("from ._message import Message\n");
    let enums = enums(pool, package);
    let messages = messages(pool, package);
    let mut all: Vec<String> = enums.iter().map(|e| class_name(e.full_name(), package)).collect();
    all.extend(messages.iter().map(|m| class_name(m.full_name(), package)));
    all.extend(["ENUMS".to_owned(), "MESSAGES".to_owned()]);
    all.sort();
    out.push_str("\n__all__ = [\n");
    for n in &all {
        let _ = writeln!(out, "    \"{n}\",");
    }
    out.push_str("]\n");
    for e in &enums {
        write_enum(&mut out, e, package, comments);
    }
    for m in &messages {
        write_message(&mut out, m, package, comments, stub);
    }
    out.push_str("\n\n#: Every message class by its full proto name: the native module builds results from it.\n");
    if stub {
        out.push_str("MESSAGES: Dict[str, Type[Message]]\n");
        out.push_str("#: Every enum by its full proto name.\nENUMS: Dict[str, Type[enum.IntEnum]]\n");
    } else {
        out.push_str("MESSAGES: Dict[str, Type[Message]] = {\n");
        for m in &messages {
            let _ = writeln!(out, "    \"{}\": {},", m.full_name(), class_name(m.full_name(), package));
        }
        out.push_str("}\n#: Every enum by its full proto name.\nENUMS: Dict[str, Type[enum.IntEnum]] = {\n");
        for e in &enums {
            let _ = writeln!(out, "    \"{}\": {},", e.full_name(), class_name(e.full_name(), package));
        }
        out.push_str("}\n");
    }
    out
}

/// Generates the module and its stub for every message and enum of `package` in `pool`.
pub fn generate(pool: &DescriptorPool, package: &str) -> Generated {
    let comments = Comments::of(pool);
    Generated { py: write_module(pool, package, &comments, false), pyi: write_module(pool, package, &comments, true) }
}

/// The files for the API as this build of `imaged-proto` describes it.
pub fn generate_api() -> Generated {
    let pool = DescriptorPool::decode(imaged_proto::FILE_DESCRIPTOR_SET).expect("the API's descriptor set decodes");
    generate(&pool, "imaged.v1")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use prost::Message as _;
    use prost_types::{
        FieldDescriptorProto, FileDescriptorSet,
        field_descriptor_proto::{Label, Type},
    };

    use super::*;

    fn repo() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR")).parent().and_then(Path::parent).expect("repository root")
    }

    #[test]
    fn committed_files_match_the_protos() {
        let g = generate_api();
        for (path, text) in [(PY_PATH, &g.py), (PYI_PATH, &g.pyi)] {
            let committed = std::fs::read_to_string(repo().join(path)).unwrap_or_default();
            assert!(
                committed == *text,
                "{path} is stale (proto/imaged/v1 changed): run `cargo run -p imaged-pygen` and commit the result"
            );
        }
    }

    /// The API's descriptor set with one more field in `message`.
    fn with_extra_field(message: &str, field: FieldDescriptorProto) -> DescriptorPool {
        let mut set = FileDescriptorSet::decode(imaged_proto::FILE_DESCRIPTOR_SET).expect("decodes");
        let m = set
            .file
            .iter_mut()
            .flat_map(|f| f.message_type.iter_mut())
            .find(|m| m.name() == message)
            .expect("message in the set");
        m.field.push(field);
        DescriptorPool::from_file_descriptor_set(set).expect("still a valid set")
    }

    #[test]
    fn a_new_proto_field_shows_up_in_the_class_and_the_stub() {
        let pool = with_extra_field(
            "ImageSummary",
            FieldDescriptorProto {
                name: Some("favourite_colours".into()),
                number: Some(99),
                label: Some(Label::Repeated as i32),
                r#type: Some(Type::String as i32),
                json_name: Some("favouriteColours".into()),
                ..Default::default()
            },
        );
        let g = generate(&pool, "imaged.v1");
        let before = generate_api();
        assert!(!before.py.contains("favourite_colours"));
        let class =
            g.py.split("\nclass ImageSummary(Message):").nth(1).expect("class").split("\nclass ").next().unwrap();
        assert!(class.contains("    favourite_colours: List[str]\n"), "{class}");
        assert!(class.contains("        favourite_colours: Optional[List[str]] = None,\n"), "{class}");
        assert!(
            class.contains("        self.favourite_colours = [] if favourite_colours is None else favourite_colours\n")
        );
        assert!(class.contains("\"favourite_colours\")"), "the new field is the last slot: {class}");
        let stub =
            g.pyi.split("\nclass ImageSummary(Message):").nth(1).expect("stub class").split("\nclass ").next().unwrap();
        assert!(stub.contains("    favourite_colours: List[str]\n"), "{stub}");
        assert!(stub.contains("        favourite_colours: Optional[List[str]] = ...,\n"), "{stub}");
    }

    #[test]
    fn types_follow_the_proto() {
        let g = generate_api();
        // Scalars, repeated, map, timestamp, nested message, enum with its default, oneof member.
        for want in [
            "    size: int\n",
            "    repo_tags: List[str]\n",
            "    labels: Dict[str, str]\n",
            "    created: Optional[str]\n",
            "    config: Optional[ContainerConfig]\n",
            "        format: ArchiveFormat = ArchiveFormat.ARCHIVE_FORMAT_DOCKER,\n",
            "    ARCHIVE_FORMAT_OCI = 1\n",
            "    progress: Optional[Progress]\n",
            "    \"imaged.v1.ImageSummary\": ImageSummary,\n",
        ] {
            assert!(g.py.contains(want), "missing {want:?}");
        }
        // The proto comments are the docstrings.
        assert!(g.py.contains("Shaped like Docker's JSON progress messages"));
        assert!(g.pyi.contains("    def __init__(\n        self,\n"));
        assert!(!g.pyi.contains("__slots__"));
    }

    #[test]
    fn keywords_get_an_underscore() {
        let pool = with_extra_field(
            "Progress",
            FieldDescriptorProto {
                name: Some("from".into()),
                number: Some(98),
                label: Some(Label::Optional as i32),
                r#type: Some(Type::Bool as i32),
                json_name: Some("from".into()),
                ..Default::default()
            },
        );
        let g = generate(&pool, "imaged.v1");
        assert!(g.py.contains("        from_: bool = False,\n"));
    }
}
