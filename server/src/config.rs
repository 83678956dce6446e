//! Configuration: `pattern-language.toml`, or `[tool.pattern-language]` in `pyproject.toml`, found
//! from a file upward to its workspace root; plus the editor's `initializationOptions` and
//! `workspace/didChangeConfiguration` settings, which override file keys.
//!
//! Reading never fails as a whole: an unknown key or a bad value becomes a [`ConfigProblem`] at
//! its line, and every other key still applies.

use crate::vocab::Severity;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};

pub const FILE_NAME: &str = "pattern-language.toml";

/// Keys understood in files and in editor settings.
pub const KNOWN_KEYS: &[&str] = &[
    "catalog",
    "exclude",
    "select",
    "ignore",
    "severity",
    "contexts",
    "inlay-hints",
    "code-lens",
    "fences",
];

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// The file the config came from, if any.
    pub file: Option<PathBuf>,
    /// Extra catalog folders, absolute.
    pub catalog: Vec<PathBuf>,
    pub exclude: Vec<String>,
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    pub severity: HashMap<String, Severity>,
    /// Context name -> app labels or dotted package paths.
    pub contexts: BTreeMap<String, Vec<String>>,
    pub inlay_hints: Option<bool>,
    pub code_lens: Option<bool>,
    /// Analyse the Python fences of Markdown files (`check`: on when unset).
    pub fences: Option<bool>,
    /// `requires-python` lower bound from `pyproject.toml`, as (major, minor).
    pub python_version: Option<(u32, u32)>,
    /// Where each rule id of `select`, `ignore` and `severity` was written in the file, to be
    /// checked with [`unknown_rules`] once the catalog (which knows team pattern ids) is loaded.
    pub rule_refs: Vec<RuleRef>,
}

/// A rule id as written in a config file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleRef {
    /// `select`, `ignore` or `severity`.
    pub key: &'static str,
    pub id: String,
    /// 1-based.
    pub line: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigProblem {
    pub path: Option<PathBuf>,
    /// 1-based.
    pub line: u32,
    pub message: String,
}

impl Config {
    /// Is this rule (pattern id or smell id) switched on?
    pub fn enabled(&self, rule: &str) -> bool {
        if self.ignore.iter().any(|r| r == rule) {
            return false;
        }
        match &self.select {
            Some(list) => list.iter().any(|r| r == rule || r == "ALL"),
            None => true,
        }
    }

    pub fn severity_for(&self, rule: &str, default: Severity) -> Severity {
        self.severity.get(rule).copied().unwrap_or(default)
    }

    pub fn exclude_set(&self) -> globset::GlobSet {
        let mut builder = globset::GlobSetBuilder::new();
        for pattern in &self.exclude {
            for p in [
                pattern.clone(),
                format!("**/{pattern}"),
                format!("**/{pattern}/**"),
            ] {
                if let Ok(glob) = globset::Glob::new(&p) {
                    builder.add(glob);
                }
            }
        }
        builder
            .build()
            .unwrap_or_else(|_| globset::GlobSet::empty())
    }

    /// Applies editor settings (JSON, camelCase or kebab-case keys) over this config.
    pub fn merge_json(&mut self, value: &serde_json::Value, problems: &mut Vec<ConfigProblem>) {
        let Some(map) = value.as_object() else { return };
        for (key, v) in map {
            let key = kebab(key);
            let mut bad = |what: &str| {
                problems.push(ConfigProblem {
                    path: None,
                    line: 1,
                    message: format!("setting `{key}`: {what}"),
                })
            };
            match key.as_str() {
                "catalog" => match strings(v) {
                    Some(list) => self.catalog.extend(list.into_iter().map(PathBuf::from)),
                    None => bad("expected a list of paths"),
                },
                "exclude" => match strings(v) {
                    Some(list) => self.exclude.extend(list),
                    None => bad("expected a list of globs"),
                },
                "select" => match strings(v) {
                    Some(list) => self.select = Some(list),
                    None => bad("expected a list of rule ids"),
                },
                "ignore" => match strings(v) {
                    Some(list) => self.ignore.extend(list),
                    None => bad("expected a list of rule ids"),
                },
                "severity" => match v.as_object() {
                    Some(m) => {
                        for (id, s) in m {
                            match s.as_str().and_then(parse_severity) {
                                Some(sev) => {
                                    self.severity.insert(id.clone(), sev);
                                }
                                None => bad(&format!(
                                    "`{id}`: expected one of hint, info, warning, error"
                                )),
                            }
                        }
                    }
                    None => bad("expected a table of rule id -> severity"),
                },
                "contexts" => match v.as_object() {
                    Some(m) => {
                        for (name, apps) in m {
                            match strings(apps) {
                                Some(list) => {
                                    self.contexts.insert(name.clone(), list);
                                }
                                None => bad(&format!(
                                    "`{name}`: expected a list of app labels or dotted paths"
                                )),
                            }
                        }
                    }
                    None => bad("expected a table of context -> app labels"),
                },
                "inlay-hints" => {
                    self.inlay_hints = v.as_bool().or_else(|| {
                        bad("expected true or false");
                        None
                    })
                }
                "code-lens" => {
                    self.code_lens = v.as_bool().or_else(|| {
                        bad("expected true or false");
                        None
                    })
                }
                "fences" => {
                    self.fences = v.as_bool().or_else(|| {
                        bad("expected true or false");
                        None
                    })
                }
                // Editor-side settings the server does not read.
                "server" | "trace" | "server-path" => {}
                other => bad(&format!("unknown key `{other}`{}", did_you_mean(other))),
            }
        }
    }
}

fn kebab(key: &str) -> String {
    let mut out = String::new();
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else if c == '_' {
            out.push('-');
        } else {
            out.push(c);
        }
    }
    out
}

fn strings(v: &serde_json::Value) -> Option<Vec<String>> {
    v.as_array()?
        .iter()
        .map(|x| x.as_str().map(str::to_string))
        .collect()
}

pub fn parse_severity(s: &str) -> Option<Severity> {
    match s.to_ascii_lowercase().as_str() {
        "hint" => Some(Severity::Hint),
        "info" | "information" => Some(Severity::Info),
        "warning" | "warn" => Some(Severity::Warning),
        "error" => Some(Severity::Error),
        _ => None,
    }
}

/// The rule ids of `select`, `ignore` and `severity` that `known` (pattern ids and smell ids) does
/// not hold, as problems at their line with the closest known id. `ALL` is always known.
pub fn unknown_rules(config: &Config, known: &[&str]) -> Vec<ConfigProblem> {
    config
        .rule_refs
        .iter()
        .filter(|r| r.id != "ALL" && !known.contains(&r.id.as_str()))
        .map(|r| {
            let hint = known
                .iter()
                .map(|k| (strsim::jaro_winkler(k, &r.id), k))
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, k)| format!("; did you mean `{k}`?"))
                .unwrap_or_else(|| {
                    " (rule ids are pattern ids, see `pattern-language catalog list`, and smell ids)"
                        .to_string()
                });
            ConfigProblem {
                path: config.file.clone(),
                line: r.line,
                message: format!("`{}`: unknown rule id `{}`{hint}", r.key, r.id),
            }
        })
        .collect()
}

fn did_you_mean(key: &str) -> String {
    KNOWN_KEYS
        .iter()
        .map(|k| (strsim::jaro_winkler(k, key), k))
        .filter(|(s, _)| *s > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| format!("; did you mean `{k}`?"))
        .unwrap_or_else(|| format!(" (known keys: {})", KNOWN_KEYS.join(", ")))
}

/// Finds the config file that governs `start` (a file or folder): the nearest
/// `pattern-language.toml`, or `pyproject.toml` with a `[tool.pattern-language]` table, at or
/// above it, not above `stop` when given.
pub fn find_config_file(start: &Path, stop: Option<&Path>) -> Option<PathBuf> {
    let mut dir = if start.is_dir() {
        Some(start)
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        let own = d.join(FILE_NAME);
        if own.is_file() {
            return Some(own);
        }
        let pyproject = d.join("pyproject.toml");
        if pyproject.is_file()
            && std::fs::read_to_string(&pyproject)
                .is_ok_and(|t| t.contains("[tool.pattern-language"))
        {
            return Some(pyproject);
        }
        if stop.is_some_and(|s| s == d) {
            break;
        }
        dir = d.parent();
    }
    None
}

/// Loads the config governing `start`, with its problems.
pub fn load_for(start: &Path, stop: Option<&Path>) -> (Config, Vec<ConfigProblem>) {
    let (mut config, problems) = match find_config_file(start, stop) {
        Some(file) => load_file(&file),
        None => (Config::default(), Vec::new()),
    };
    if config.python_version.is_none() {
        config.python_version = python_version_for(start, stop);
    }
    (config, problems)
}

/// `requires-python` of the nearest `pyproject.toml`, whether or not it configures us.
fn python_version_for(start: &Path, stop: Option<&Path>) -> Option<(u32, u32)> {
    let mut dir = if start.is_dir() {
        Some(start)
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        let pyproject = d.join("pyproject.toml");
        if let Ok(text) = std::fs::read_to_string(&pyproject) {
            let (root, _) = DeTable::parse_recoverable(&text);
            let root = root.into_inner();
            return root
                .get("project")
                .and_then(|p| table_of(p.get_ref()))
                .and_then(|p| p.get("requires-python"))
                .and_then(|r| str_of(r.get_ref()))
                .and_then(parse_requires_python);
        }
        if stop.is_some_and(|s| s == d) {
            break;
        }
        dir = d.parent();
    }
    None
}

pub fn load_file(file: &Path) -> (Config, Vec<ConfigProblem>) {
    match std::fs::read(file) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => parse(&text, file),
            Err(_) => (
                Config {
                    file: Some(file.to_path_buf()),
                    ..Config::default()
                },
                vec![ConfigProblem {
                    path: Some(file.to_path_buf()),
                    line: 1,
                    message: "config file is not valid UTF-8".into(),
                }],
            ),
        },
        Err(err) => (
            Config::default(),
            vec![ConfigProblem {
                path: Some(file.to_path_buf()),
                line: 1,
                message: format!("cannot read config file: {err}"),
            }],
        ),
    }
}

/// Parses a config file's text. `pyproject.toml` contributes its `[tool.pattern-language]`
/// table and its `requires-python`.
pub fn parse(text: &str, file: &Path) -> (Config, Vec<ConfigProblem>) {
    let index = crate::line_index::LineIndex::new(text);
    let line_at = |offset: usize| index.line_of(offset) as u32 + 1;
    let mut problems = Vec::new();
    let mut config = Config {
        file: Some(file.to_path_buf()),
        ..Config::default()
    };
    let base = file.parent().unwrap_or(Path::new("."));
    let (root, errors) = DeTable::parse_recoverable(text);
    for err in errors {
        problems.push(ConfigProblem {
            path: Some(file.to_path_buf()),
            line: err.span().map_or(1, |s| line_at(s.start)),
            message: format!("invalid TOML: {}", err.message().trim()),
        });
    }
    let is_pyproject = file.file_name().is_some_and(|n| n == "pyproject.toml");
    let root = root.into_inner();
    let table: Option<&DeTable> = if is_pyproject {
        if let Some(project) = root.get("project").and_then(|p| table_of(p.get_ref()))
            && let Some(req) = project
                .get("requires-python")
                .and_then(|r| str_of(r.get_ref()))
        {
            config.python_version = parse_requires_python(req);
        }
        root.get("tool")
            .and_then(|t| table_of(t.get_ref()))
            .and_then(|t| t.get("pattern-language"))
            .and_then(|t| table_of(t.get_ref()))
    } else {
        Some(&root)
    };
    let Some(table) = table else {
        return (config, problems);
    };
    for (key, value) in table.iter() {
        let line = line_at(key.span().start);
        let name: &str = key.get_ref();
        let mut bad = |message: String| {
            problems.push(ConfigProblem {
                path: Some(file.to_path_buf()),
                line,
                message,
            })
        };
        let list = |v: &DeValue| -> Option<Vec<String>> {
            match v {
                DeValue::Array(items) => items
                    .iter()
                    .map(|i| str_of(i.get_ref()).map(str::to_string))
                    .collect(),
                _ => None,
            }
        };
        match name {
            "catalog" => match list(value.get_ref()) {
                Some(paths) => config.catalog.extend(paths.into_iter().map(|p| base.join(p))),
                None => bad("`catalog` must be a list of folder paths, relative to this file".into()),
            },
            "exclude" => match list(value.get_ref()) {
                Some(globs) => {
                    for g in &globs {
                        if let Err(err) = globset::Glob::new(g) {
                            bad(format!("`exclude`: bad glob `{g}`: {err}"));
                        }
                    }
                    config.exclude.extend(globs);
                }
                None => bad("`exclude` must be a list of globs".into()),
            },
            "select" => match list(value.get_ref()) {
                Some(ids) => {
                    rule_refs(&mut config.rule_refs, "select", value.get_ref(), &line_at);
                    config.select = Some(ids)
                }
                None => bad("`select` must be a list of rule ids".into()),
            },
            "ignore" => match list(value.get_ref()) {
                Some(ids) => {
                    rule_refs(&mut config.rule_refs, "ignore", value.get_ref(), &line_at);
                    config.ignore.extend(ids)
                }
                None => bad("`ignore` must be a list of rule ids".into()),
            },
            "severity" => match table_of(value.get_ref()) {
                Some(t) => {
                    for (id, sev) in t.iter() {
                        let id_name: &str = id.get_ref();
                        match str_of(sev.get_ref()).and_then(parse_severity) {
                            Some(s) => {
                                config.rule_refs.push(RuleRef {
                                    key: "severity",
                                    id: id_name.to_string(),
                                    line: line_at(id.span().start),
                                });
                                config.severity.insert(id_name.to_string(), s);
                            }
                            None => problems.push(ConfigProblem {
                                path: Some(file.to_path_buf()),
                                line: line_at(id.span().start),
                                message: format!("`severity.{id_name}` must be one of \"hint\", \"info\", \"warning\", \"error\""),
                            }),
                        }
                    }
                }
                None => bad("`severity` must be a table of rule id = \"hint\"|\"info\"|\"warning\"|\"error\"".into()),
            },
            "contexts" => match table_of(value.get_ref()) {
                Some(t) => {
                    for (ctx, apps) in t.iter() {
                        let ctx_name: &str = ctx.get_ref();
                        match list(apps.get_ref()) {
                            Some(labels) => {
                                config.contexts.insert(ctx_name.to_string(), labels);
                            }
                            None => problems.push(ConfigProblem {
                                path: Some(file.to_path_buf()),
                                line: line_at(ctx.span().start),
                                message: format!("`contexts.{ctx_name}` must be a list of app labels or dotted package paths"),
                            }),
                        }
                    }
                }
                None => bad("`contexts` must be a table of context = [app labels]".into()),
            },
            "inlay-hints" | "code-lens" | "fences" => match value.get_ref() {
                DeValue::Boolean(b) => {
                    if name == "inlay-hints" {
                        config.inlay_hints = Some(*b);
                    } else if name == "fences" {
                        config.fences = Some(*b);
                    } else {
                        config.code_lens = Some(*b);
                    }
                }
                _ => bad(format!("`{name}` must be true or false")),
            },
            other => bad(format!("unknown key `{other}`{}", did_you_mean(other))),
        }
    }
    (config, problems)
}

/// The rule ids of a `select` / `ignore` array, each at its own line.
fn rule_refs(
    out: &mut Vec<RuleRef>,
    key: &'static str,
    value: &DeValue,
    line_at: &dyn Fn(usize) -> u32,
) {
    if let DeValue::Array(items) = value {
        for item in items.iter() {
            if let Some(id) = str_of(item.get_ref()) {
                out.push(RuleRef {
                    key,
                    id: id.to_string(),
                    line: line_at(item.span().start),
                });
            }
        }
    }
}

fn table_of<'a, 'i>(v: &'a DeValue<'i>) -> Option<&'a DeTable<'i>> {
    match v {
        DeValue::Table(t) => Some(t),
        _ => None,
    }
}

fn str_of<'a>(v: &'a DeValue<'_>) -> Option<&'a str> {
    match v {
        DeValue::String(s) => Some(s),
        _ => None,
    }
}

/// `">=3.12"` -> (3, 12).
fn parse_requires_python(req: &str) -> Option<(u32, u32)> {
    let spec = req.split(',').find(|s| {
        s.trim_start().starts_with(">=")
            || s.trim_start().starts_with("~=")
            || s.trim_start().starts_with("==")
    })?;
    let version = spec.trim().trim_start_matches(['>', '=', '~']).trim();
    let mut parts = version.split('.');
    let major = parts.next()?.trim().parse().ok()?;
    let minor = parts
        .next()
        .and_then(|m| m.trim().trim_end_matches('*').parse().ok())
        .unwrap_or(0);
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_and_bad_values_keep_the_rest() {
        let text = "catalog = [\"docs/patterns\"]\nfrobnicate = 1\nselect = \"oops\"\n[severity]\ncross-context-import = \"loud\"\norm-in-domain = \"error\"\n";
        let (config, problems) = parse(text, Path::new("/p/pattern-language.toml"));
        assert_eq!(config.catalog, vec![PathBuf::from("/p/docs/patterns")]);
        assert_eq!(config.severity.get("orm-in-domain"), Some(&Severity::Error));
        let lines: Vec<u32> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![2, 3, 5], "{problems:?}");
        assert!(problems[0].message.contains("frobnicate"));
    }

    #[test]
    fn unknown_rule_ids_are_reported_at_their_line_with_a_suggestion() {
        let text = "select = [\"ALL\"]\nignore = [\n  \"uuid4-primary-key\",\n  \"uuid4-primary-keys\",\n]\n[severity]\norm-in-domian = \"error\"\nteam-pattern = \"info\"\n";
        let (config, problems) = parse(text, Path::new("/p/pattern-language.toml"));
        assert!(problems.is_empty(), "{problems:?}");
        let known = ["uuid4-primary-key", "orm-in-domain", "team-pattern"];
        let unknown = unknown_rules(&config, &known);
        let got: Vec<(u32, &str)> = unknown
            .iter()
            .map(|p| (p.line, p.message.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    4,
                    "`ignore`: unknown rule id `uuid4-primary-keys`; did you mean `uuid4-primary-key`?"
                ),
                (
                    7,
                    "`severity`: unknown rule id `orm-in-domian`; did you mean `orm-in-domain`?"
                ),
            ]
        );
        assert_eq!(
            unknown[0].path.as_deref(),
            Some(Path::new("/p/pattern-language.toml"))
        );
    }

    #[test]
    fn pyproject_table_and_python_version() {
        let text = "[project]\nrequires-python = \">=3.12\"\n[tool.pattern-language]\nignore = [\"uuid4-primary-key\"]\ncontexts = { billing = [\"invoicing\", \"payments\"] }\n";
        let (config, problems) = parse(text, Path::new("/p/pyproject.toml"));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(config.python_version, Some((3, 12)));
        assert!(!config.enabled("uuid4-primary-key"));
        assert_eq!(config.contexts["billing"], vec!["invoicing", "payments"]);
    }
}
