//! Alert wire shapes: dnschild's native JSON, ECS, and OCSF Detection Finding (2004).
//! Each is pinned by golden files in `tests/golden/`.

use alloc::string::String;

use crate::alert::Alert;
use crate::config::OutputFormat;
use crate::jsonw::{object, Obj};
use crate::meta;

/// Renders `alert` in `format` as one line of JSON.
pub fn render(alert: &Alert, format: OutputFormat) -> String {
    let mut out = String::with_capacity(1024);
    match format {
        OutputFormat::Native => native(&mut out, alert),
        OutputFormat::Ecs => ecs(&mut out, alert),
        OutputFormat::Ocsf => ocsf(&mut out, alert),
    }
    out
}

fn explanation(o: &mut Obj<'_>, key: &str, a: &Alert) {
    o.arr(key, |arr| {
        for r in &a.reasons {
            arr.obj(|o| {
                o.str("condition", &r.condition).str("field", &r.field).str("value", &r.value);
            });
        }
    });
}

fn native(out: &mut String, a: &Alert) {
    object(out, |o| {
        o.obj("rule", |o| {
            o.str("id", meta::RULE_ID).str("uuid", meta::RULE_UUID).str("name", meta::RULE_NAME).str("version", meta::RULE_VERSION);
        });
        o.obj("severity", |o| {
            let s = meta::SEVERITY;
            o.str("label", s.label).num("score", s.score.into()).str("ecs", s.ecs).num("ocsf_id", s.ocsf_id.into());
        });
        o.obj("mitre", |o| {
            o.arr("tactics", |arr| {
                for t in meta::TACTICS {
                    arr.obj(|o| {
                        o.str("id", t.id).str("name", t.name);
                    });
                }
            });
            o.arr("techniques", |arr| {
                for t in meta::TECHNIQUES {
                    arr.obj(|o| {
                        o.str("id", t.id).str("name", t.name);
                    });
                }
            });
        });
        o.opt("hostname", a.hostname.as_deref())
            .opt("message", a.message.as_deref())
            .opt("command_line", a.command_line.as_deref())
            .opt("file_name", a.file_name.as_deref())
            .opt("process_name", a.process_name.as_deref())
            .opt("user_name", a.user_name.as_deref())
            .opt("parent_process_name", a.parent_process_name.as_deref())
            .opt("event_time", a.event_time.as_deref())
            .str("shape", a.shape.name())
            .str("profile", a.profile.name())
            .str("fingerprint", &a.fingerprint);
        explanation(o, "explanation", a);
        o.strs("notes", a.notes.iter().map(String::as_str));
    });
}

fn ecs(out: &mut String, a: &Alert) {
    object(out, |o| {
        // ECS wants an ISO 8601 date; the log's own spelling goes under dnschild.event_time.
        if let Some(ms) = a.event_time_ms {
            o.str("@timestamp", &crate::alert::format_time_ms(ms));
        }
        o.opt("message", a.message.as_deref());
        o.obj("event", |o| {
            o.str("kind", "alert")
                .strs("category", ["process"])
                .strs("type", ["start"])
                .num("severity", meta::SEVERITY.score.into())
                .num("risk_score", meta::SEVERITY.score.into())
                .str("module", "dnschild")
                .str("dataset", "dnschild.alert")
                .str("id", &a.fingerprint)
                .str("reason", "process started by dns.exe is not an expected child");
        });
        o.obj("rule", |o| {
            o.str("id", meta::RULE_ID)
                .str("uuid", meta::RULE_UUID)
                .str("name", meta::RULE_NAME)
                .str("version", meta::RULE_VERSION)
                .str("ruleset", a.profile.name())
                .str("category", "process_creation")
                .str("description", meta::SUMMARY)
                .str("author", meta::AUTHOR)
                .str("reference", meta::TECHNIQUES[0].reference);
        });
        o.obj("threat", |o| {
            o.str("framework", "MITRE ATT&CK");
            o.obj("tactic", |o| {
                o.strs("id", meta::TACTICS.iter().map(|t| t.id))
                    .strs("name", meta::TACTICS.iter().map(|t| t.name))
                    .strs("reference", meta::TACTICS.iter().map(|t| t.reference));
            });
            o.obj("technique", |o| {
                o.strs("id", meta::TECHNIQUES.iter().map(|t| t.id))
                    .strs("name", meta::TECHNIQUES.iter().map(|t| t.name))
                    .strs("reference", meta::TECHNIQUES.iter().map(|t| t.reference));
            });
        });
        if let Some(h) = &a.hostname {
            o.obj("host", |o| {
                o.str("name", h);
            });
        }
        o.obj("process", |o| {
            o.opt("executable", a.process_name.as_deref().filter(|p| is_path(p)))
                .opt("name", a.file_name.as_deref())
                .opt("command_line", a.command_line.as_deref());
            if let Some(p) = &a.parent_process_name {
                o.obj("parent", |o| {
                    o.opt("executable", Some(p.as_str()).filter(|p| is_path(p))).str("name", base(p));
                });
            }
        });
        if let Some(u) = &a.user_name {
            o.obj("user", |o| user(o, u));
        }
        o.obj("dnschild", |o| {
            o.opt("event_time", a.event_time.as_deref());
            o.str("shape", a.shape.name()).str("severity_label", meta::SEVERITY.label);
            explanation(o, "explanation", a);
            o.strs("notes", a.notes.iter().map(String::as_str));
        });
    });
}

fn base(p: &str) -> &str {
    p.rsplit(['\\', '/']).next().unwrap_or(p)
}

/// Whether a logged image is a path (and not only a file name, as `process.parent.name` gives it).
fn is_path(p: &str) -> bool {
    p.contains(['\\', '/'])
}

/// `user.name` and `user.domain` from `DOMAIN\name` (the name alone when there is no domain).
fn user(o: &mut Obj<'_>, u: &str) {
    match u.split_once('\\') {
        Some((domain, name)) if !domain.is_empty() && !name.is_empty() => o.str("name", name).str("domain", domain),
        _ => o.str("name", u),
    };
}

fn ocsf(out: &mut String, a: &Alert) {
    object(out, |o| {
        o.num("class_uid", 2004)
            .str("class_name", "Detection Finding")
            .num("category_uid", 2)
            .str("category_name", "Findings")
            .num("activity_id", 1)
            .str("activity_name", "Create")
            .num("type_uid", 200_401)
            .num("severity_id", meta::SEVERITY.ocsf_id.into())
            .str("severity", meta::SEVERITY.ocsf)
            .num("status_id", 1)
            .str("status", "New");
        if let Some(ms) = a.event_time_ms {
            o.num("time", ms);
        }
        o.opt("message", a.message.as_deref());
        o.obj("metadata", |o| {
            o.str("version", "1.3.0");
            o.obj("product", |o| {
                o.str("name", "dnschild").str("vendor_name", "dnschild").str("version", meta::RULE_VERSION);
            });
        });
        o.obj("finding_info", |o| {
            o.str("uid", &a.fingerprint)
                .str("title", meta::RULE_NAME)
                .str("desc", "A process started by the Windows DNS Server (dns.exe) is not an expected child.")
                .strs("types", ["Process Activity"]);
            o.obj("analytic", |o| {
                o.str("uid", meta::RULE_UUID).str("name", meta::RULE_NAME).num("type_id", 1).str("type", "Rule").str("version", meta::RULE_VERSION);
            });
            o.arr("attacks", |arr| {
                for t in meta::TACTICS {
                    arr.obj(|o| {
                        o.obj("tactic", |o| {
                            o.str("uid", t.id).str("name", t.name);
                        });
                        o.obj("technique", |o| {
                            o.str("uid", meta::TECHNIQUES[0].id).str("name", meta::TECHNIQUES[0].name);
                        });
                        o.str("version", "17");
                    });
                }
            });
        });
        if let Some(h) = &a.hostname {
            o.obj("device", |o| {
                o.str("hostname", h).num("type_id", 1).str("type", "Server");
            });
        }
        o.arr("evidences", |arr| {
            arr.obj(|o| {
                o.obj("process", |o| {
                    o.opt("cmd_line", a.command_line.as_deref());
                    if let Some(name) = a.file_name.as_deref().or(a.process_name.as_deref().map(base)) {
                        o.obj("file", |o| {
                            o.str("name", name).opt("path", a.process_name.as_deref().filter(|p| is_path(p))).num("type_id", 1);
                        });
                    }
                    if let Some(u) = &a.user_name {
                        o.obj("user", |o| user(o, u));
                    }
                    if let Some(p) = &a.parent_process_name {
                        o.obj("parent_process", |o| {
                            o.obj("file", |o| {
                                o.str("name", base(p)).opt("path", Some(p.as_str()).filter(|p| is_path(p))).num("type_id", 1);
                            });
                        });
                    }
                });
            });
        });
        o.obj("unmapped", |o| {
            o.opt("event_time", a.event_time.as_deref()).str("shape", a.shape.name()).str("profile", a.profile.name());
            explanation(o, "explanation", a);
            o.strs("notes", a.notes.iter().map(String::as_str));
        });
    });
}

/// The rule's metadata as one JSON document (what `rule-info` returns to hosts).
pub fn rule_info_json() -> String {
    let mut out = String::with_capacity(4096);
    object(&mut out, |o| {
        o.str("id", meta::RULE_ID).str("uuid", meta::RULE_UUID).str("name", meta::RULE_NAME).str("version", meta::RULE_VERSION);
        o.str("description", meta::DESCRIPTION).str("author", meta::AUTHOR);
        let s = meta::SEVERITY;
        o.obj("severity", |o| {
            o.str("label", s.label).num("score", s.score.into()).str("ecs", s.ecs).num("ocsf_id", s.ocsf_id.into()).str("ocsf", s.ocsf).num("syslog", s.syslog.into());
        });
        for (key, list) in [("tactics", &meta::TACTICS[..]), ("techniques", &meta::TECHNIQUES[..])] {
            o.arr(key, |arr| {
                for t in list {
                    arr.obj(|o| {
                        o.str("id", t.id).str("name", t.name).str("reference", t.reference);
                    });
                }
            });
        }
        o.strs("false_positives", meta::FALSE_POSITIVES);
        o.strs("next_steps", meta::NEXT_STEPS);
        o.arr("mitigations", |arr| {
            for m in meta::MITIGATIONS {
                arr.obj(|o| {
                    o.str("id", m.id).str("name", m.name).str("description", m.description);
                });
            }
        });
        o.arr("standards", |arr| {
            for s in meta::STANDARDS {
                arr.obj(|o| {
                    o.str("framework", s.framework).str("id", s.id).str("description", s.description);
                });
            }
        });
        o.strs("references", meta::REFERENCES);
        o.strs("profiles", crate::config::Profile::ALL.iter().map(|p| p.name()));
    });
    out
}
