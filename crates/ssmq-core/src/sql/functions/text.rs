//! Trino's text functions where DataFusion's differ or are missing: `regexp_extract`,
//! `regexp_replace` (all matches, `$1` groups, optional replacement), `split_part` (NULL past
//! the last field), `split`, `json_extract_scalar`.
//!
//! Patterns are Rust regular expressions, which agree with Java's (Trino's) for the classes,
//! groups and quantifiers saved queries use; look-around and backreferences are not supported.

use std::sync::Arc;

use arrow::array::{Array, AsArray, ListBuilder, StringArray, StringBuilder};
use arrow::datatypes::{DataType, Field};
use datafusion::common::{DataFusionError, Result, exec_err, plan_err};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl};
use regex::Regex;

use super::args::text_arg;
use super::{TrinoFunction, argument_arrays, scalar_or_array, udf};

/// The functions of this module, for registration.
pub fn functions() -> Vec<Arc<dyn ScalarUDFImpl>> {
    vec![
        udf(RegexpExtract),
        udf(RegexpReplace),
        udf(SplitPart),
        udf(Split),
        udf(JsonExtractScalar),
    ]
}

fn int_arg(t: &DataType) -> Result<DataType> {
    match t {
        t if t.is_integer() || t == &DataType::Null => Ok(DataType::Int64),
        other => plan_err!("expected an integer, got {other}"),
    }
}

/// The coercion of `(text, text[, integer])`; `usage` is the error for any other arguments.
fn two_texts_and_a_count(types: &[DataType], usage: &str) -> Result<Vec<DataType>> {
    match types {
        [a, b] => Ok(vec![text_arg(a)?, text_arg(b)?]),
        [a, b, n] => Ok(vec![text_arg(a)?, text_arg(b)?, int_arg(n)?]),
        _ => plan_err!("{usage}"),
    }
}

/// Compiles each distinct pattern once.
#[derive(Default)]
struct Patterns {
    last: Option<(String, Regex)>,
}

impl Patterns {
    fn get(&mut self, pattern: &str, function: &str) -> Result<&Regex> {
        if self.last.as_ref().is_none_or(|(p, _)| p != pattern) {
            let regex = Regex::new(pattern).map_err(|e| {
                DataFusionError::Execution(format!("{function}: invalid pattern `{pattern}`: {e}"))
            })?;
            self.last = Some((pattern.to_owned(), regex));
        }
        Ok(&self.last.as_ref().expect("just set").1)
    }
}

/// Turns a Java (Trino) replacement (`$1`, `${name}`, `\$`) into the regex crate's (`${1}`,
/// `${name}`, `$$`).
fn java_replacement(replacement: &str) -> String {
    let mut out = String::new();
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('$') => out.push_str("$$"),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            '$' => {
                if chars.peek() == Some(&'{') {
                    out.push('$');
                } else {
                    let mut digits = String::new();
                    while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                        digits.push(*d);
                        chars.next();
                    }
                    if digits.is_empty() {
                        out.push_str("$$");
                    } else {
                        out.push_str(&format!("${{{digits}}}"));
                    }
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// `regexp_extract(text, pattern[, group])`: the first match (or its group), NULL if none.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RegexpExtract;

impl TrinoFunction for RegexpExtract {
    const NAME: &str = "regexp_extract";
    fn coerce_types(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        two_texts_and_a_count(
            types,
            "regexp_extract takes (text, pattern) or (text, pattern, group)",
        )
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = argument_arrays(&args)?;
        let texts = arrays[0].as_string::<i32>();
        let patterns = arrays[1].as_string::<i32>();
        let groups = arrays
            .get(2)
            .map(|g| g.as_primitive::<arrow::datatypes::Int64Type>());
        let mut compiled = Patterns::default();
        let mut out = StringBuilder::new();
        for row in 0..args.number_rows {
            let group = match groups {
                Some(g) if g.is_null(row) => None,
                Some(g) => Some(g.value(row)),
                None => Some(0),
            };
            if texts.is_null(row) || patterns.is_null(row) || group.is_none() {
                out.append_null();
                continue;
            }
            let regex = compiled.get(patterns.value(row), "regexp_extract")?;
            let group = group.expect("checked");
            if group < 0 || group as usize >= regex.captures_len() {
                return exec_err!(
                    "regexp_extract: pattern `{}` has {} groups; group {group} does not exist",
                    patterns.value(row),
                    regex.captures_len() - 1
                );
            }
            match regex
                .captures(texts.value(row))
                .and_then(|c| c.get(group as usize))
            {
                Some(m) => out.append_value(m.as_str()),
                None => out.append_null(),
            }
        }
        scalar_or_array(Arc::new(out.finish()), &args)
    }
}

/// `regexp_replace(text, pattern[, replacement])`: every match replaced (removed without a replacement); `$1` refers to a group.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RegexpReplace;

impl TrinoFunction for RegexpReplace {
    const NAME: &str = "regexp_replace";
    fn coerce_types(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        match types {
            [_, _] | [_, _, _] => types.iter().map(text_arg).collect(),
            _ => plan_err!("regexp_replace takes (text, pattern) or (text, pattern, replacement)"),
        }
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = argument_arrays(&args)?;
        let texts = arrays[0].as_string::<i32>();
        let patterns = arrays[1].as_string::<i32>();
        let replacements = arrays.get(2).map(|r| r.as_string::<i32>());
        let mut compiled = Patterns::default();
        let mut out = StringBuilder::new();
        for row in 0..args.number_rows {
            let replacement = match replacements {
                Some(r) if r.is_null(row) => None,
                Some(r) => Some(java_replacement(r.value(row))),
                None => Some(String::new()),
            };
            if texts.is_null(row) || patterns.is_null(row) || replacement.is_none() {
                out.append_null();
                continue;
            }
            let regex = compiled.get(patterns.value(row), "regexp_replace")?;
            out.append_value(
                regex.replace_all(texts.value(row), replacement.expect("checked").as_str()),
            );
        }
        scalar_or_array(Arc::new(out.finish()), &args)
    }
}

/// `split_part(text, delimiter, index)`: the index-th field (from 1), NULL past the last one.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SplitPart;

impl TrinoFunction for SplitPart {
    const NAME: &str = "split_part";
    fn coerce_types(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        match types {
            [text, delimiter, index] => {
                Ok(vec![text_arg(text)?, text_arg(delimiter)?, int_arg(index)?])
            }
            _ => plan_err!("split_part takes (text, delimiter, index)"),
        }
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = argument_arrays(&args)?;
        let (texts, delimiters) = (arrays[0].as_string::<i32>(), arrays[1].as_string::<i32>());
        let indexes = arrays[2].as_primitive::<arrow::datatypes::Int64Type>();
        let mut out = StringBuilder::new();
        for row in 0..args.number_rows {
            if texts.is_null(row) || delimiters.is_null(row) || indexes.is_null(row) {
                out.append_null();
                continue;
            }
            let index = indexes.value(row);
            if index < 1 {
                return exec_err!("split_part: index must be greater than zero, got {index}");
            }
            let (text, delimiter) = (texts.value(row), delimiters.value(row));
            let field = if delimiter.is_empty() {
                (index == 1).then_some(text)
            } else {
                text.split(delimiter).nth(index as usize - 1)
            };
            match field {
                Some(f) => out.append_value(f),
                None => out.append_null(),
            }
        }
        scalar_or_array(Arc::new(out.finish()), &args)
    }
}

/// `split(text, delimiter[, limit])`: the fields as an array; with a limit, the last holds the rest.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Split;

impl TrinoFunction for Split {
    const NAME: &str = "split";
    fn coerce_types(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        two_texts_and_a_count(
            types,
            "split takes (text, delimiter) or (text, delimiter, limit)",
        )
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::List(Arc::new(Field::new_list_field(
            DataType::Utf8,
            true,
        ))))
    }
    fn invoke(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = argument_arrays(&args)?;
        let (texts, delimiters) = (arrays[0].as_string::<i32>(), arrays[1].as_string::<i32>());
        let limits = arrays
            .get(2)
            .map(|l| l.as_primitive::<arrow::datatypes::Int64Type>());
        let mut out = ListBuilder::new(StringBuilder::new());
        for row in 0..args.number_rows {
            if texts.is_null(row)
                || delimiters.is_null(row)
                || limits.is_some_and(|l| l.is_null(row))
            {
                out.append_null();
                continue;
            }
            let (text, delimiter) = (texts.value(row), delimiters.value(row));
            let limit = limits.map(|l| l.value(row));
            if limit.is_some_and(|l| l < 1) {
                return exec_err!("split: limit must be positive");
            }
            if delimiter.is_empty() {
                out.values().append_value(text);
            } else {
                match limit {
                    Some(l) => text
                        .splitn(l as usize, delimiter)
                        .for_each(|f| out.values().append_value(f)),
                    None => text
                        .split(delimiter)
                        .for_each(|f| out.values().append_value(f)),
                }
            }
            out.append(true);
        }
        scalar_or_array(Arc::new(out.finish()), &args)
    }
}

/// `json_extract_scalar(json, path)`: the scalar at a JSONPath (`$.a.b[0]`, `$["key"]`) as
/// text; NULL for objects, arrays, missing paths and invalid JSON.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct JsonExtractScalar;

/// One step of a JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// Reads `$.a.b[0]`, `$["a b"]`, `$.a['c']`.
fn json_path(path: &str) -> Result<Vec<Step>, String> {
    let rest = path
        .trim()
        .strip_prefix('$')
        .ok_or("a JSON path starts with `$`")?;
    let chars: Vec<char> = rest.chars().collect();
    let mut steps = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '.' => {
                let start = i + 1;
                let mut end = start;
                while end < chars.len() && chars[end] != '.' && chars[end] != '[' {
                    end += 1;
                }
                if end == start {
                    return Err("an empty key after `.`".into());
                }
                steps.push(Step::Key(chars[start..end].iter().collect()));
                i = end;
            }
            '[' => {
                let close = chars[i..]
                    .iter()
                    .position(|c| *c == ']')
                    .ok_or("an unclosed `[`")?
                    + i;
                let inside: String = chars[i + 1..close].iter().collect();
                let inside = inside.trim();
                let quoted = inside
                    .strip_prefix('"')
                    .and_then(|s| s.strip_suffix('"'))
                    .or_else(|| inside.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')));
                steps.push(match quoted {
                    Some(key) => Step::Key(key.to_owned()),
                    None => Step::Index(inside.parse().map_err(|_| {
                        format!("`[{inside}]` is neither an index nor a quoted key")
                    })?),
                });
                i = close + 1;
            }
            other => return Err(format!("unexpected `{other}`")),
        }
    }
    Ok(steps)
}

fn extract_scalar(json: &str, steps: &[Step]) -> Option<String> {
    let mut value: serde_json::Value = serde_json::from_str(json).ok()?;
    for step in steps {
        value = match (step, value) {
            (Step::Key(k), serde_json::Value::Object(mut map)) => map.remove(k)?,
            (Step::Index(i), serde_json::Value::Array(mut items)) if *i < items.len() => {
                items.swap_remove(*i)
            }
            _ => return None,
        };
    }
    match value {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl TrinoFunction for JsonExtractScalar {
    const NAME: &str = "json_extract_scalar";
    fn coerce_types(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        match types {
            [json, path] => Ok(vec![text_arg(json)?, text_arg(path)?]),
            _ => plan_err!("json_extract_scalar takes (json, path)"),
        }
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = argument_arrays(&args)?;
        let (jsons, paths) = (arrays[0].as_string::<i32>(), arrays[1].as_string::<i32>());
        let mut last: Option<(String, Vec<Step>)> = None;
        let mut values = Vec::with_capacity(args.number_rows);
        for row in 0..args.number_rows {
            if jsons.is_null(row) || paths.is_null(row) {
                values.push(None);
                continue;
            }
            let path = paths.value(row);
            if last.as_ref().is_none_or(|(p, _)| p != path) {
                let steps = json_path(path).map_err(|e| {
                    DataFusionError::Execution(format!(
                        "json_extract_scalar: invalid JSON path `{path}`: {e}"
                    ))
                })?;
                last = Some((path.to_owned(), steps));
            }
            values.push(extract_scalar(
                jsons.value(row),
                &last.as_ref().expect("just set").1,
            ));
        }
        scalar_or_array(Arc::new(StringArray::from(values)), &args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_replacements_translate() {
        assert_eq!(java_replacement("$1-$2"), "${1}-${2}");
        assert_eq!(java_replacement("${name}x"), "${name}x");
        assert_eq!(java_replacement("costs \\$5"), "costs $$5");
        assert_eq!(java_replacement("$1a"), "${1}a");
        assert_eq!(java_replacement("a\\\\b"), "a\\b");
    }

    #[test]
    fn json_paths_and_scalars() {
        let doc = r#"{"Primary":"ops@example.com","Escalation":["oncall@example.com","+1-555"],"n":4711,"ok":true,"nested":{"a b":{"c":null}}}"#;
        let get = |path: &str| extract_scalar(doc, &json_path(path).unwrap());
        assert_eq!(get("$.Primary").as_deref(), Some("ops@example.com"));
        assert_eq!(get("$.Escalation[1]").as_deref(), Some("+1-555"));
        assert_eq!(
            get("$[\"Escalation\"][0]").as_deref(),
            Some("oncall@example.com")
        );
        assert_eq!(get("$.n").as_deref(), Some("4711"));
        assert_eq!(get("$.ok").as_deref(), Some("true"));
        assert_eq!(get("$.nested['a b'].c"), None, "null is NULL");
        assert_eq!(get("$.Escalation"), None, "arrays are not scalars");
        assert_eq!(get("$.missing"), None);
        assert_eq!(get("$.Escalation[9]"), None);
        assert_eq!(extract_scalar("not json", &json_path("$.a").unwrap()), None);
        assert!(json_path("Primary").is_err());
        assert!(json_path("$.a[x]").is_err());
        assert!(json_path("$.").is_err());
    }
}
