//! The JSON Schema of `promises.toml`, for editors: Taplo / Even Better TOML validate and
//! complete the registry with it (`#:schema ./promises.schema.json` at the top of the file).
//!
//! Built from the same declarations the code uses (rule codes from [`crate::rules::RULES`], the
//! statuses, priorities and defaults), so it cannot drift from what `plan-lint check` accepts;
//! `schema/promises.schema.json` is a committed copy, kept identical by a test.

use crate::registry::{DEFAULT_IN_PLAY_LIMIT, DEFAULT_PLAN_GLOBS};
use crate::rules::RULES;
use serde_json::{json, Map, Value};

/// Promise and customer ids: lowercase kebab-case slugs.
const SLUG: &str = "^[a-z0-9]+(-[a-z0-9]+)*$";

pub fn schema() -> Value {
    let mut rules = Map::new();
    for r in RULES {
        rules.insert(
            r.code.name().to_string(),
            json!({ "$ref": "#/definitions/level", "description": format!("{} (default: {})", r.summary, r.default.as_str()) }),
        );
    }
    for (alias, codes) in crate::code::Code::aliases() {
        let codes: Vec<&str> = codes.iter().map(|c| c.name()).collect();
        rules.insert(
            alias.to_string(),
            json!({ "$ref": "#/definitions/level", "description": format!("Sets {} (the name before they were split).", codes.join(" and ")) }),
        );
    }
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "plan-lint promise registry (promises.toml)",
        "description": "The team's customer promises: which are in play, their priority, the customer each serves and the outcomes that show it is kept.",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "name": { "type": "string", "description": "The team or product the promises are for, shown on the board." },
            "vision": { "type": "string", "description": "The direction the promises serve." },
            "limits": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "in-play": {
                        "type": "integer", "minimum": 1, "default": DEFAULT_IN_PLAY_LIMIT,
                        "description": "WIP limit: at most this many promises in play at once."
                    },
                    "idle-days": {
                        "type": "integer", "minimum": 1, "default": crate::registry::DEFAULT_IDLE_DAYS,
                        "description": "A promise in play with no commit and no plan activity for this many days is idle (rule idle-promise)."
                    },
                    "exception-budget": {
                        "type": ["string", "number"], "pattern": "^\\s*[0-9]+(\\.[0-9]+)?\\s*%\\s*$", "minimum": 0,
                        "description": "The largest share of the work in a window that may be declared exceptions (`Untraced: <reason>`), e.g. \"10%\" (rule over-budget). Unset: no budget."
                    },
                    "measure-days": {
                        "type": "integer", "minimum": 1, "default": crate::registry::DEFAULT_MEASURE_DAYS,
                        "description": "An outcome of a promise in play with no reading in this many days is unmeasured (rule unmeasured-outcome)."
                    }
                }
            },
            "outcomes": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "file": {
                        "type": "string", "default": crate::registry::DEFAULT_OUTCOMES_FILE,
                        "description": "The readings of outcomes (`plan-lint measure` writes it): CSV with the columns date,promise,metric,value,source, relative to the repository root."
                    }
                }
            },
            "customers": {
                "type": "object",
                "description": "Customer groups; once any is declared, every promise names one.",
                "propertyNames": { "pattern": SLUG },
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": { "description": { "type": "string" } }
                }
            },
            "promises": {
                "type": "object",
                "description": "Customer promises by id (a lowercase kebab-case slug, as commits and plans name it).",
                "propertyNames": { "pattern": SLUG },
                "additionalProperties": { "$ref": "#/definitions/promise" }
            },
            "commits": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "since": { "type": "string", "description": "Adoption point: this commit (or tag, branch) and everything before it are never checked." },
                    "exempt-subjects": {
                        "type": "array", "items": { "type": "string", "format": "regex" },
                        "description": "Regexes on the subject line of commits that need no trailer, added to the release tools' (see exempt-releases). Merges and fixup!/squash!/amend! never need one."
                    },
                    "exempt-releases": {
                        "type": "boolean", "default": true,
                        "description": "The commits release tools make with their default messages need no trailer: a version alone (npm version), semantic-release's `chore(release): …`, changesets' `Version Packages`, release-please's `chore(main): release …`, cargo release's `chore: Release …`. false: only exempt-subjects."
                    }
                }
            },
            "plans": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "include": {
                        "type": "array", "items": { "type": "string" }, "default": DEFAULT_PLAN_GLOBS,
                        "description": "Plan documents: patterns relative to the root (`*` in a directory, `**` across). Files git ignores are never read."
                    }
                }
            },
            "issues": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "include": {
                        "type": "array", "items": { "type": "string" }, "default": [],
                        "description": "Issue, RFC or ADR files kept in the repository: each is one work item that must name its promise (front matter `promise: id` or a `Promise:` trailer at its end). Front matter `status: closed` (or done) marks it finished."
                    }
                }
            },
            "pull-requests": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "body-traces-commits": {
                        "type": "boolean", "default": false,
                        "description": "`plan-lint ci`: a pull request whose body names a promise in play (a `Promise:` trailer at its end) traces its untraced commits, for teams that squash-merge with the body as the message."
                    }
                }
            },
            "scopes": {
                "type": "object",
                "additionalProperties": false,
                "description": "Scoped registries (the root registry only): each member folder holds a promises.toml of its own that governs the folder and everything below it, up to a deeper member. A member inherits the vision, the customers and each `[limits]` key it does not set from its nearest ancestor scope.",
                "properties": {
                    "members": {
                        "type": "array", "items": { "type": "string", "minLength": 1 }, "uniqueItems": true, "default": [],
                        "description": "Folders relative to the repository root (`teams/search`), each with a promises.toml. A promises.toml below the root that is neither listed nor ignored is an `unlisted-scope` finding, with or without a `[scopes]` table."
                    },
                    "ignore": {
                        "type": "array", "items": { "type": "string", "minLength": 1 }, "default": [],
                        "description": "Glob patterns (`fixtures/**`) of folders whose promises.toml is no team's registry (a test fixture, an example): matched against the folder and its promises.toml, relative to the repository root; not an `unlisted-scope` finding."
                    }
                }
            },
            "rules": {
                "type": "object",
                "description": "Level per rule code: allow, warn or deny.",
                "additionalProperties": false,
                "properties": rules
            },
            "hooks": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "branch-trailer": {
                        "type": "boolean", "default": true,
                        "description": "prepare-commit-msg adds `Promise: <id>` when the branch name names exactly one promise in play."
                    }
                }
            }
        },
        "definitions": {
            "level": { "type": "string", "enum": ["allow", "warn", "deny"] },
            "scalar": { "type": ["string", "number"] },
            "promise": {
                "type": "object",
                "additionalProperties": false,
                "required": ["statement", "status"],
                "properties": {
                    "title": { "type": "string", "description": "A short name." },
                    "statement": { "type": "string", "minLength": 1, "description": "The end-user outcome, from the customer's side." },
                    "customer": { "type": "string", "pattern": SLUG, "description": "The customer group it serves." },
                    "owner": { "type": "string", "minLength": 1, "pattern": "\\S", "description": "Who answers for it: a person (\"Ana Ruiz\") or a team handle (\"@search-team\"). Shown on the board." },
                    "status": {
                        "type": "string", "enum": ["proposed", "in-play", "done", "dropped"],
                        "description": "proposed (a plan, not work), in-play (takes work), done, dropped."
                    },
                    "priority": {
                        "type": "string", "enum": ["must", "should", "could"],
                        "description": "must (knock it out of the park), should (get it done), could (nice to have)."
                    },
                    "outcomes": {
                        "type": "array",
                        "description": "Measurable changes in customer behaviour.",
                        "items": {
                            "type": "object",
                            "additionalProperties": false,
                            "properties": {
                                "metric": { "type": "string" },
                                "baseline": { "$ref": "#/definitions/scalar" },
                                "target": { "$ref": "#/definitions/scalar" }
                            }
                        }
                    },
                    "hypotheses": {
                        "type": "array",
                        "description": "What the work is expected to change: one of the promise's outcome metrics, the value expected and the date by which. Judged from the readings once the date has passed (rules hypothesis-unjudged, hypothesis-refuted, hypothesis-invalid).",
                        "items": {
                            "type": "object",
                            "additionalProperties": false,
                            "required": ["metric", "expect", "by"],
                            "properties": {
                                "metric": { "type": "string", "description": "One of the promise's outcome metrics, as written there." },
                                "expect": { "$ref": "#/definitions/scalar", "description": "The value expected, in the outcome's unit (\"70%\"); reached at or past it, the way the outcome improves from baseline to target." },
                                "by": { "$ref": "#/definitions/date", "description": "The day by which it is expected; readings on or after it judge it." },
                                "belief": { "type": "string", "description": "The belief in the team's words: we believe <this change> will move <this behaviour>." }
                            }
                        }
                    },
                    "reviewed": {
                        "type": "string", "pattern": "^[0-9a-f]{8}$",
                        "description": "The fingerprint of the promise's contract (statement, customer, outcome targets) its open work was last reviewed against, as `plan-lint explain suspect-link` says to write it. When the contract changed in the registry's history since, its open plan items are suspect until reviewed (rule suspect-link)."
                    },
                    "verdict": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["kept", "reason", "date"],
                        "description": "The team's judgement: whether the promise was kept (customers' behaviour changed), why, and when. A done promise without one must be shown kept by its readings (rule done-unverified).",
                        "properties": {
                            "kept": { "type": "boolean" },
                            "reason": { "type": "string", "minLength": 1 },
                            "date": { "$ref": "#/definitions/date" }
                        }
                    }
                }
            },
            "date": {
                "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                "description": "A day, YYYY-MM-DD (text or a TOML date)."
            }
        }
    })
}

/// The schema as printed by `plan-lint schema` and committed in `schema/`.
pub fn text() -> String {
    let mut s = serde_json::to_string_pretty(&schema()).expect("schema serializes");
    s.push('\n');
    s
}

/// The README's table of rules (section "Rules"), from the declarations: code, default level,
/// category, what each is judged on, and what it finds. A test keeps the README's copy equal.
pub fn readme_rules_table() -> String {
    use crate::rules::Check;
    let mut s = String::from("| code | default | category | judged on | finds |\n| --- | --- | --- | --- | --- |\n");
    for r in RULES {
        let mut on: Vec<&str> = Vec::new();
        for check in r.checks {
            let word = match check {
                Check::Registry(_) => "the registry",
                Check::Listing(_) => "the plan files found",
                Check::Plan(_) | Check::PlanHistory(_) => "plans",
                Check::Issue(_) => "issues",
                Check::PullRequest(_) => "pull requests",
                Check::Commit(_) => "commits",
                Check::Window(_) => "a window",
                Check::Readings(_) | Check::Hypothesis(_) => "readings",
                Check::History(_) => "history before adoption",
            };
            if !on.contains(&word) {
                on.push(word);
            }
        }
        let mut on = on.join(", ");
        if crate::rules::needs_window(r.code) && !on.contains("a window") {
            on.push_str(", over a window");
        }
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            r.code.name(),
            r.default.as_str(),
            r.category.name(),
            on,
            r.summary
        ));
    }
    s
}

/// `docs/rules.md`: every rule's documentation, from the same declarations as `explain`.
pub fn rules_markdown() -> String {
    let mut s = String::from(
        "# Rules\n\nGenerated from the rule declarations in `src/rules/` (`plan-lint explain CODE` prints the same text); a test keeps this file in sync.\n\n\
         | code | default | category | finds |\n|---|---|---|---|\n",
    );
    for r in RULES {
        s.push_str(&format!(
            "| [`{0}`](#{0}) | {1} | {2} | {3} |\n",
            r.code.name(),
            r.default.as_str(),
            r.category.name(),
            r.summary
        ));
    }
    s.push_str("\nEach rule declares a category, what its findings are about; the board (`plan-lint report`) lists the mistraced and the drift findings under those names:\n\n");
    for c in crate::rules::Category::ALL {
        let codes: Vec<String> =
            RULES.iter().filter(|r| r.category == *c).map(|r| format!("`{}`", r.code.name())).collect();
        s.push_str(&format!("- **{}**: {} ({}).\n", c.name(), c.about(), codes.join(", ")));
    }
    for (alias, codes) in crate::code::Code::aliases() {
        let codes: Vec<String> = codes.iter().map(|c| format!("`{c}`")).collect();
        s.push_str(&format!(
            "\n`{alias}` is accepted in `[rules]` and by `--allow`/`--warn`/`--deny` as an alias: it sets {}.\n",
            codes.join(" and ")
        ));
    }
    for r in RULES {
        s.push_str(&format!(
            "\n## {}\n\nDefault level: **{}**. Category: **{}**. {}.\n\n```text\n{}\n```\n",
            r.code.name(),
            r.default.as_str(),
            r.category.name(),
            r.summary,
            r.doc
        ));
    }
    s
}
