//! The evaluation worker: one component instance, batches in, output lines out.
//!
//! Each worker owns one instance for its whole life (instantiated once, never per event).
//! A trap re-instantiates it (see [`crate::plugin`]) and the event that trapped passes
//! through with a `plugin_trap` error, like any other event that could not be evaluated.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::{Arc, Mutex};

use super::listen::{Budget, InBatch, Item};
use super::{Counters, Log};
use crate::annotate;
use crate::plugin::{EventFailure, Plugin};
use crate::scan::Mode;

/// The error kind of a line cut short at the end of its connection.
pub const TRUNCATED: &str = "truncated";

/// Output lines of one batch, each ending in `\n`, and the budget they hold.
#[derive(Debug)]
pub struct OutBatch {
    /// The lines, concatenated.
    pub text: String,
    /// How many lines `text` holds.
    pub lines: u64,
    /// Budget bytes to give back once written.
    pub bytes: usize,
}

/// What a worker needs besides its plugin.
pub struct Worker {
    /// Annotate (every event) or alerts only.
    pub mode: Mode,
    /// The shared queue of input batches.
    pub rx: Arc<Mutex<Receiver<InBatch>>>,
    /// Where output batches go.
    pub tx: SyncSender<OutBatch>,
    /// The counters.
    pub counters: Arc<Counters>,
    /// The in-flight byte budget (given back here only when the output is gone).
    pub budget: Arc<Budget>,
    /// The error log on stderr.
    pub log: Arc<Log>,
}

impl Worker {
    /// Evaluates batches until every reader is gone.
    pub fn run(self, mut plugin: Plugin) {
        loop {
            let next = self.rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
            let Ok(batch) = next else { return };
            let before = plugin.reinstantiations;
            let out = self.evaluate(&mut plugin, batch);
            self.counters.reinstantiations.fetch_add(plugin.reinstantiations - before, Relaxed);
            if let Err(e) = self.tx.send(out) {
                self.counters.undeliverable.fetch_add(e.0.lines, Relaxed);
                self.budget.give(e.0.bytes);
            }
        }
    }

    fn evaluate(&self, plugin: &mut Plugin, batch: InBatch) -> OutBatch {
        let texts: Vec<String> = batch
            .items
            .iter()
            .filter_map(|(_, item)| match item {
                Item::Event(t) => Some(t.clone()),
                _ => None,
            })
            .collect();
        let mut verdicts = plugin.evaluate_batch(&texts).into_iter();
        self.counters.batches.fetch_add(1, Relaxed);
        let annotate = self.mode == Mode::Annotate;
        let mut text = String::with_capacity(if annotate { batch.bytes } else { 0 });
        let (mut lines, mut alerts) = (0u64, 0u64);
        let mut errors: BTreeMap<&'static str, u64> = BTreeMap::new();
        let mut push = |text: &mut String, line: &str| {
            text.push_str(line);
            text.push('\n');
            lines += 1;
        };
        for (number, item) in &batch.items {
            match item {
                Item::Event(event) => {
                    let verdict = verdicts.next().unwrap_or_else(|| Err(EventFailure::Trap("no verdict returned".into())));
                    match verdict {
                        Ok(Some(alert)) => {
                            alerts += 1;
                            if annotate {
                                push(&mut text, &annotate::with_alert(event, &alert.rendered));
                            } else {
                                push(&mut text, &alert.rendered);
                            }
                        }
                        Ok(None) => match annotate::unchanged_checked(event) {
                            Ok(line) if annotate => push(&mut text, &line),
                            Ok(_) => {}
                            Err((kind, message)) => {
                                *errors.entry(kind).or_default() += 1;
                                self.log.record(batch.conn, *number, kind, &message);
                                if annotate {
                                    push(&mut text, &annotate::with_error(event, kind, &message));
                                }
                            }
                        },
                        Err(f) => {
                            *errors.entry(f.kind()).or_default() += 1;
                            self.log.record(batch.conn, *number, f.kind(), &f.message());
                            if annotate {
                                push(&mut text, &annotate::with_error(event, f.kind(), &f.message()));
                            }
                        }
                    }
                }
                Item::Truncated(fragment) => {
                    *errors.entry(TRUNCATED).or_default() += 1;
                    let message = "the connection ended in the middle of this line";
                    self.log.record(batch.conn, *number, TRUNCATED, message);
                    if annotate {
                        push(&mut text, &annotate::with_error(fragment, TRUNCATED, message));
                    }
                }
                Item::Unreadable(rec) => {
                    if let Err(e) = &rec.text {
                        *errors.entry(e.kind()).or_default() += 1;
                        self.log.record(batch.conn, *number, e.kind(), &e.to_string());
                        if annotate {
                            push(&mut text, &annotate::input_error(rec, e));
                        }
                    }
                }
            }
        }
        self.counters.alerts.fetch_add(alerts, Relaxed);
        self.counters.add_errors(&errors);
        OutBatch { text, lines, bytes: batch.bytes }
    }
}
