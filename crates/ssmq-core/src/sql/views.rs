//! Built-in views: SQL files under `queries/views/`, compiled into the binary, answered
//! beside the tables (`SELECT … FROM managed_nodes`).
//!
//! In: a view's name as a statement names it. Out: its definition, and when a statement
//! uses it, a DataFusion view planned over the session's own tables. A view is planned only
//! when a statement names it, so its tables are listed only then.
//!
//! Statement scoping sees the view's name, not the tables under it: a `WHERE accountid = '…'`
//! on a view does not narrow listing (the scan's filters still prune what is read).

use std::sync::LazyLock;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/views.rs"));
}

/// A built-in view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// Its name, the file stem: `managed_nodes`.
    pub name: String,
    /// What its rows are.
    pub description: String,
    /// The whole file: the header comment and one query.
    pub sql: String,
}

static BUILTIN: LazyLock<Vec<View>> = LazyLock::new(|| {
    embedded::VIEW_FILES
        .iter()
        .map(|(name, text)| View::parse(name, text))
        .collect()
});

/// The views compiled into the binary, sorted by name.
pub fn builtin_views() -> &'static [View] {
    &BUILTIN
}

/// The built-in view a statement names, whatever its case.
pub fn find_view(name: &str) -> Option<&'static View> {
    builtin_views()
        .iter()
        .find(|v| v.name.eq_ignore_ascii_case(name))
}

impl View {
    /// Reads a view file: `-- description:` (indented lines continue it), then the query.
    fn parse(name: &str, text: &str) -> View {
        let mut description: Option<String> = None;
        for line in text.lines() {
            let Some(comment) = line.strip_prefix("--") else {
                break;
            };
            match (
                comment.trim_start().strip_prefix("description:"),
                &mut description,
            ) {
                (Some(first), _) => description = Some(first.trim().to_owned()),
                (None, Some(description)) if comment.starts_with("   ") => {
                    description.push(' ');
                    description.push_str(comment.trim());
                }
                _ => {}
            }
        }
        View {
            name: name.to_owned(),
            description: description
                .unwrap_or_else(|| panic!("built-in view `{name}` has no `description:`")),
            sql: text.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_nodes_is_built_in_and_found_in_any_case() {
        let view = find_view("Managed_Nodes").expect("managed_nodes is built in");
        assert_eq!(view.name, "managed_nodes");
        assert!(view.description.starts_with("One row per managed node"));
        assert!(
            view.description.contains("older agents do)."),
            "{}",
            view.description
        );
        assert!(view.sql.contains("AS terminated"));
        assert!(find_view("aws_tag").is_none());
    }
}
