//! Progress on a terminal: while a command lists and reads a lake, one line on stderr counts
//! entries listed, objects read and bytes (or says the cache is being queried). Nothing at all when stderr is not a terminal (pipes,
//! redirects, CI), and the line is cleared before results are written to the terminal.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};
use ssmq_core::LakeSession;

/// Quick commands finish before this and never show a line.
const SHOW_AFTER: Duration = Duration::from_millis(400);
const TICK: Duration = Duration::from_millis(120);

/// A handle on the progress line; clones share it.
#[derive(Debug, Clone)]
pub struct Progress {
    bar: Option<ProgressBar>,
    done: Arc<AtomicBool>,
    /// Held while drawing, so clearing never races a redraw.
    drawing: Arc<Mutex<()>>,
}

impl Progress {
    /// No progress line.
    pub fn none() -> Self {
        Progress {
            bar: None,
            done: Arc::new(AtomicBool::new(true)),
            drawing: Arc::default(),
        }
    }

    /// Follows `session`'s requests on stderr, if stderr is a terminal.
    pub fn follow(session: Arc<LakeSession>) -> Self {
        if !std::io::stderr().is_terminal() {
            return Self::none();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{elapsed}]").expect("a valid template"),
        );
        let progress = Progress {
            bar: Some(bar.clone()),
            done: Arc::new(AtomicBool::new(false)),
            drawing: Arc::default(),
        };
        let done = Arc::clone(&progress.done);
        let drawing = Arc::clone(&progress.drawing);
        tokio::spawn(async move {
            tokio::time::sleep(SHOW_AFTER).await;
            if done.load(Ordering::Relaxed) {
                return;
            }
            loop {
                let _drawing = drawing.lock().unwrap_or_else(|p| p.into_inner());
                if done.load(Ordering::Relaxed) {
                    return;
                }
                if bar.is_hidden() {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                }
                bar.set_message(match session.cached() {
                    // Nothing is listed or read: the counts would stay at 0.
                    Some(_) => "querying the cache".to_owned(),
                    None => {
                        let r = session.requests();
                        format!(
                            "listed {} entries · read {} objects, {}",
                            r.listed,
                            r.get,
                            HumanBytes(r.get_bytes)
                        )
                    }
                });
                bar.tick();
                drop(_drawing);
                tokio::time::sleep(TICK).await;
            }
        });
        progress
    }

    /// Removes the line for good (before results reach the terminal, or at the end).
    pub fn clear(&self) {
        let _drawing = self.drawing.lock().unwrap_or_else(|p| p.into_inner());
        if !self.done.swap(true, Ordering::Relaxed)
            && let Some(bar) = &self.bar
        {
            bar.finish_and_clear();
        }
    }
}
