//! The interactive shell: `ssmq shell`, or `ssmq sql` on a terminal without a query.
//!
//! Reads statements with line editing and a persistent history; a statement may span lines
//! and ends with `;`. Completes table, column, report and function names and the backslash
//! commands. Every statement runs on one session, so the lake's tables are listed and learnt
//! once; errors are reported and the shell keeps running; Ctrl-C cancels a running statement.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{CompletionType, Config, Editor, Helper};
use ssmq_core::LakeSession;
use ssmq_core::lake::catalog::{column_name, table_name};
use ssmq_core::lake::documented::{DOCUMENTED_TYPES, documented_keys};
use ssmq_core::output::format::Format;
use ssmq_core::sql::reports::{builtin_reports, find_report};
use ssmq_core::sql::session::parse_statements;
use ssmq_core::sql::views::builtin_views;
use tokio::runtime::Handle;

use crate::cli::report_params;
use crate::output::{Output, Stderr};
use crate::progress::Progress;

const PROMPT: &str = "ssmq> ";
const COMMANDS: [(&str, &str); 9] = [
    ("\\d", "list the tables; \\d TABLE shows a table's columns"),
    ("\\reports", "list the reports"),
    ("\\report", "\\report NAME [name=value ...] runs a report"),
    (
        "\\format",
        "\\format table|line|csv|json|ndjson sets the output format",
    ),
    (
        "\\x",
        "switch between table and line (one `column = value` per line)",
    ),
    ("\\timing", "show how long each statement takes (on/off)"),
    ("\\help", "this list"),
    ("\\q", "quit (also Ctrl-D)"),
    ("\\quit", "quit"),
];

/// Where the history is kept: `$SSMQ_HISTORY`, else `$XDG_STATE_HOME/ssmq/history`, else
/// `~/.local/state/ssmq/history`.
fn history_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SSMQ_HISTORY") {
        return Some(PathBuf::from(path));
    }
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(state.join("ssmq/history"))
}

/// Runs the shell until `\q` or end of input. Blocks: call it off the async runtime.
pub fn run(
    runtime: Handle,
    session: Arc<LakeSession>,
    output: Arc<Output>,
    stderr: Arc<Stderr>,
    format: Format,
    source: String,
) -> anyhow::Result<()> {
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .auto_add_history(false)
        .build();
    let stderr = stderr.for_shell();
    let mut editor: Editor<ShellHelper, DefaultHistory> = Editor::with_config(config)?;
    let functions = function_names(&session);
    editor.set_helper(Some(ShellHelper {
        session: Arc::clone(&session),
        runtime: runtime.clone(),
        functions,
    }));
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    eprintln!(
        "ssmq shell on {source}: {} tables. End statements with `;`; \\help lists commands, \\q quits.",
        session.table_names().len()
    );

    let mut state = ShellState {
        format,
        timing: false,
    };
    loop {
        let line = match editor.readline(PROMPT) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        };
        let input = line.trim();
        if input.is_empty() {
            continue;
        }
        editor.add_history_entry(input)?;
        if let Some(path) = &history {
            // Saved after every entry, so a killed shell keeps its history.
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = editor.save_history(path);
        }
        let keep_going = runtime.block_on(async {
            let started = Instant::now();
            let progress = Progress::follow(Arc::clone(&session));
            output.show_progress(progress.clone());
            let result = tokio::select! {
                result = state.run(input, &session, &output) => result,
                _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("Cancelled")),
            };
            progress.clear();
            let keep_going = match result {
                Ok(keep_going) => keep_going,
                Err(e) => {
                    stderr.error(&e);
                    true
                }
            };
            if state.timing {
                eprintln!("Time: {:.3} ms", started.elapsed().as_secs_f64() * 1e3);
            }
            keep_going
        });
        if !keep_going {
            break;
        }
    }
    Ok(())
}

/// What the shell's commands change.
struct ShellState {
    format: Format,
    timing: bool,
}

impl ShellState {
    /// Runs a backslash command or the statements of `input`; `false` to quit.
    async fn run(
        &mut self,
        input: &str,
        session: &LakeSession,
        output: &Output,
    ) -> anyhow::Result<bool> {
        let lowered = input.trim_end_matches(';').trim().to_ascii_lowercase();
        if matches!(lowered.as_str(), "exit" | "quit") {
            return Ok(false);
        }
        if let Some(command) = input.strip_prefix('\\') {
            return self.command(command.trim(), session, output).await;
        }
        for statement in parse_statements(input)? {
            let renamed = statement.renamed_columns().to_vec();
            let frame = session.statement(statement).await?;
            output.write_frame(frame, &renamed, self.format).await?;
        }
        Ok(true)
    }

    async fn command(
        &mut self,
        command: &str,
        session: &LakeSession,
        output: &Output,
    ) -> anyhow::Result<bool> {
        let mut words = command.split_whitespace();
        match words.next().unwrap_or_default() {
            "q" | "quit" => return Ok(false),
            "?" | "help" => {
                for (name, what) in COMMANDS {
                    eprintln!("  {name:<10} {what}");
                }
                eprintln!("  SQL statements end with `;` and may span lines.");
            }
            "d" => match words.next() {
                None => {
                    output
                        .write_batch(&session.tables_overview().await?, self.format)
                        .await?
                }
                Some(table) => {
                    output
                        .write_batch(&session.describe(table).await?, self.format)
                        .await?
                }
            },
            "reports" => {
                output
                    .write_report_list(builtin_reports(), self.format)
                    .await?
            }
            "report" => {
                let name = words
                    .next()
                    .context("\\report needs a report name; \\reports lists them")?;
                let params = report_params(words)?;
                let frame = session.report(find_report(name)?, &params).await?;
                output.write_frame(frame, &[], self.format).await?;
            }
            "format" => match words.next() {
                None => eprintln!("Output format: {}", self.format),
                Some(name) => {
                    let format: Format = name.parse()?;
                    if format.is_binary() {
                        anyhow::bail!(
                            "The shell writes table, line, csv, json or ndjson; {format} is binary"
                        );
                    }
                    self.format = format;
                    eprintln!("Output format is now {}", self.format);
                }
            },
            "x" => {
                self.format = if self.format == Format::Line {
                    Format::Table
                } else {
                    Format::Line
                };
                eprintln!("Output format is now {}", self.format);
            }
            "timing" => {
                self.timing = match words.next() {
                    Some("on") => true,
                    Some("off") => false,
                    _ => !self.timing,
                };
                eprintln!("Timing is {}", if self.timing { "on" } else { "off" });
            }
            other => anyhow::bail!("Unknown command `\\{other}`; \\help lists the commands"),
        }
        Ok(true)
    }
}

/// Every function name the session knows, for completion.
fn function_names(session: &LakeSession) -> BTreeSet<String> {
    let state = session.context().state();
    state
        .scalar_functions()
        .keys()
        .chain(state.aggregate_functions().keys())
        .chain(state.window_functions().keys())
        .cloned()
        .chain(["count_if", "arbitrary", "listagg", "try"].map(String::from))
        .collect()
}

/// Completion and multi-line input.
struct ShellHelper {
    session: Arc<LakeSession>,
    runtime: Handle,
    functions: BTreeSet<String>,
}

impl ShellHelper {
    /// Columns of the tables named in `line`: documented ones at once, the rest learnt from the
    /// objects (once per session). With no table named yet, the documented columns of all.
    fn columns(&self, line: &str) -> BTreeSet<String> {
        let lowered = line.to_ascii_lowercase();
        let named: Vec<String> = self
            .session
            .table_names()
            .into_iter()
            .filter(|table| lowered.contains(table.as_str()))
            .collect();
        let mut columns = BTreeSet::new();
        for (type_name, _) in DOCUMENTED_TYPES {
            if named.is_empty() || named.contains(&table_name(type_name)) {
                columns.extend(documented_keys(type_name).into_iter().map(column_name));
            }
        }
        for table in &named {
            let learnt = self.runtime.block_on(self.session.table(table));
            if let Ok(def) = learnt {
                columns.extend(def.columns.iter().map(|c| c.name.clone()));
            }
        }
        columns
    }
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        let start = before
            .rfind(|c: char| {
                !(c.is_alphanumeric() || c == '_' || c == ':' || c == '\\' || c == '-')
            })
            .map_or(0, |i| i + 1);
        let word = &before[start..];
        // After `alias.`, complete the column part only.
        let (start, word) = match word.rfind('.') {
            Some(dot) => (start + dot + 1, &word[dot + 1..]),
            None => (start, word),
        };
        let lowered = word.to_lowercase();
        let mut candidates: BTreeSet<String> = BTreeSet::new();
        let command = before.trim_start();
        if command.starts_with('\\') && !command.contains(' ') {
            candidates.extend(COMMANDS.iter().map(|(c, _)| (*c).to_owned()));
        } else if command.starts_with("\\report ") {
            candidates.extend(builtin_reports().iter().map(|r| r.name.clone()));
        } else if command.starts_with("\\d ") {
            candidates.extend(self.session.table_names());
        } else if command.starts_with("\\format ") {
            candidates.extend(["table", "line", "csv", "json", "ndjson"].map(String::from));
        } else {
            candidates.extend(self.session.table_names());
            candidates.extend(builtin_views().iter().map(|v| v.name.clone()));
            candidates.extend(self.functions.iter().cloned());
            candidates.extend(self.columns(line));
        }
        let matches = candidates
            .into_iter()
            .filter(|c| c.to_lowercase().starts_with(&lowered))
            .map(|c| Pair {
                display: c.clone(),
                replacement: c,
            })
            .collect();
        Ok((start, matches))
    }
}

impl Validator for ShellHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(if statement_complete(ctx.input()) {
            ValidationResult::Valid(None)
        } else {
            ValidationResult::Incomplete
        })
    }
}

/// Whether the input is ready to run: a backslash command, `exit`/`quit`, nothing at all, or
/// SQL whose last token (comments aside) is `;`.
fn statement_complete(input: &str) -> bool {
    use datafusion::sql::sqlparser::dialect::GenericDialect;
    use datafusion::sql::sqlparser::tokenizer::{Token, Tokenizer, Whitespace};
    let trimmed = input.trim();
    if trimmed.is_empty()
        || trimmed.starts_with('\\')
        || matches!(trimmed.to_ascii_lowercase().as_str(), "exit" | "quit")
    {
        return true;
    }
    match Tokenizer::new(&GenericDialect {}, input).tokenize() {
        Ok(tokens) => tokens
            .iter()
            .rev()
            .find(|t| {
                !matches!(
                    t,
                    Token::Whitespace(
                        Whitespace::Space
                            | Whitespace::Newline
                            | Whitespace::Tab
                            | Whitespace::SingleLineComment { .. }
                            | Whitespace::MultiLineComment(_)
                    )
                )
            })
            .is_some_and(|t| *t == Token::SemiColon),
        // An unterminated string or comment: more is coming.
        Err(_) => false,
    }
}

impl Hinter for ShellHelper {
    type Hint = String;
}

impl Highlighter for ShellHelper {}

impl Helper for ShellHelper {}

#[cfg(test)]
mod tests {
    use super::statement_complete;

    #[test]
    fn statements_end_with_a_semicolon_outside_strings_and_comments() {
        assert!(statement_complete("SELECT 1;"));
        assert!(statement_complete("SELECT 1\n  FROM t;  -- done"));
        assert!(statement_complete("\\d aws_tag"));
        assert!(statement_complete("exit"));
        assert!(statement_complete(""));
        assert!(!statement_complete("SELECT 1"));
        assert!(!statement_complete("SELECT ';'"));
        assert!(!statement_complete("SELECT 'unterminated;"));
        assert!(!statement_complete("SELECT 1 /* ; */"));
        assert!(statement_complete("SELECT 1; SELECT 2;"));
    }
}
