//! The context map: bounded contexts and the context-mapping relations between them, built from
//! an [`Analysis`] (project facts, roles and findings), with no protocol or terminal in sight.
//!
//! A relation is read off what the detectors already decided, per import of one context's module
//! by another context's module (tests and migrations never count):
//!
//! - the imported names are what a translator of the file translates (`Roles::translated`):
//!   `anticorruption-layer`;
//! - the import is a `cross-context-import` finding: `leak`; the same finding silenced with
//!   `# pattern-language: ignore[cross-context-import]` (the catalog's way to mark a deliberate
//!   import) is `conformist`;
//! - the imported names are the other context's `open-host-service`: `open-host-service`;
//! - any other import of the other context's code (no published interface, no translation):
//!   `conformist`, the downstream taking the upstream's code as it is;
//! - two contexts that depend on each other with no leak either way: one `partnership`;
//! - a `shared-kernel` package used by both: `shared-kernel`;
//! - two contexts declared in the config with none of the above: `separate-ways`.
//!
//! `from` is the context that depends (the importer), `to` the one it depends on; for the
//! symmetric kinds (partnership, shared kernel, separate ways) `from` sorts before `to`.

pub mod dot;
pub mod layout;
pub mod markdown;
pub mod mermaid;
pub mod svg;

use crate::analysis::Analysis;
use crate::detect::{Finding, Kind};
use crate::line_index::LineIndex;
use crate::python::project::Project;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ContextMap {
    pub contexts: Vec<MapContext>,
    pub relations: Vec<Relation>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct MapContext {
    pub id: String,
    /// App labels.
    pub apps: Vec<String>,
    /// The database alias its apps are routed to (`default` when no router routes them and
    /// the project configures `DATABASES`), `null` when unknown.
    pub database: Option<String>,
    /// Ids of the patterns recognised in its modules.
    pub patterns: Vec<String>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    pub from: String,
    pub to: String,
    pub kind: RelationKind,
    pub evidence: Vec<Evidence>,
}

#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum RelationKind {
    Leak,
    Conformist,
    AnticorruptionLayer,
    OpenHostService,
    Partnership,
    SharedKernel,
    SeparateWays,
}

impl RelationKind {
    pub const ALL: [RelationKind; 7] = [
        RelationKind::Leak,
        RelationKind::Conformist,
        RelationKind::AnticorruptionLayer,
        RelationKind::OpenHostService,
        RelationKind::Partnership,
        RelationKind::SharedKernel,
        RelationKind::SeparateWays,
    ];

    /// The id as in JSON (a pattern id, or `leak`).
    pub fn id(self) -> &'static str {
        match self {
            RelationKind::Leak => "leak",
            RelationKind::Conformist => "conformist",
            RelationKind::AnticorruptionLayer => "anticorruption-layer",
            RelationKind::OpenHostService => "open-host-service",
            RelationKind::Partnership => "partnership",
            RelationKind::SharedKernel => "shared-kernel",
            RelationKind::SeparateWays => "separate-ways",
        }
    }

    /// A short label for drawings.
    pub fn label(self) -> &'static str {
        match self {
            RelationKind::Leak => "leak (imports models)",
            RelationKind::Conformist => "conformist",
            RelationKind::AnticorruptionLayer => "anticorruption layer",
            RelationKind::OpenHostService => "open host service",
            RelationKind::Partnership => "partnership",
            RelationKind::SharedKernel => "shared kernel",
            RelationKind::SeparateWays => "separate ways",
        }
    }

    /// Drawn without a direction.
    pub fn symmetric(self) -> bool {
        matches!(
            self,
            RelationKind::Partnership | RelationKind::SharedKernel | RelationKind::SeparateWays
        )
    }
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Evidence {
    pub path: String,
    /// 1-based.
    pub line: u32,
    pub message: String,
}

impl ContextMap {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into())
    }
}

/// Which context a module belongs to: the project's answer, else the package that holds the
/// apps of one context only (a context root such as `core/cart_management/`, whose app is
/// `core/cart_management/presentation/cart_management`), so that the domain and application
/// layers beside an app count for its context.
struct Contexts {
    roots: Vec<(String, String)>,
}

impl Contexts {
    fn new(project: &Project) -> Contexts {
        let mut roots = Vec::new();
        if project.contexts.len() >= 2 {
            let settings: Vec<&str> = (0..project.files.len())
                .filter(|&i| project.is_settings_module(i))
                .map(|i| project.files[i].facts.module.as_str())
                .collect();
            let under = |m: &str, root: &str| m == root || m.starts_with(&format!("{root}."));
            let packages = |c: &crate::python::project::Context| -> Vec<String> {
                project
                    .apps
                    .iter()
                    .filter(|a| c.apps.contains(&a.label))
                    .map(|a| a.package.clone())
                    .collect()
            };
            for c in &project.contexts {
                let others: Vec<String> = project
                    .contexts
                    .iter()
                    .filter(|o| o.name != c.name)
                    .flat_map(packages)
                    .collect();
                for package in packages(c) {
                    let mut best = None;
                    let mut at = package.as_str();
                    while let Some((parent, _)) = at.rsplit_once('.') {
                        if others.iter().any(|o| under(o, parent))
                            || settings.iter().any(|s| under(s, parent))
                        {
                            break;
                        }
                        best = Some(parent);
                        at = parent;
                    }
                    if let Some(root) = best {
                        roots.push((root.to_string(), c.name.clone()));
                    }
                }
            }
        }
        roots.sort_by_key(|(r, _)| std::cmp::Reverse(r.len()));
        Contexts { roots }
    }

    fn of(&self, project: &Project, module: &str) -> Option<String> {
        if let Some(c) = project.context_of(module) {
            return Some(c.name.clone());
        }
        self.roots
            .iter()
            .find(|(r, _)| module == r || module.starts_with(&format!("{r}.")))
            .map(|(_, c)| c.clone())
    }
}

/// Per-file data the builder reads more than once.
struct Files<'a> {
    analysis: &'a Analysis,
    contexts: Contexts,
    display: &'a dyn Fn(&Path) -> String,
    lines: HashMap<usize, LineIndex>,
    findings: HashMap<usize, Vec<Finding>>,
}

impl Files<'_> {
    fn line(&mut self, fi: usize, offset: usize) -> u32 {
        let text = &self.analysis.project.files[fi].text;
        self.lines
            .entry(fi)
            .or_insert_with(|| LineIndex::new(text))
            .line_of(offset) as u32
            + 1
    }

    fn findings(&mut self, fi: usize) -> &[Finding] {
        let analysis = self.analysis;
        self.findings
            .entry(fi)
            .or_insert_with(|| analysis.findings(fi))
    }

    fn evidence(&mut self, fi: usize, offset: usize, message: String) -> Evidence {
        let line = self.line(fi, offset);
        Evidence {
            path: (self.display)(&self.analysis.project.files[fi].path),
            line,
            message,
        }
    }
}

/// Builds the map. `display` turns a file's path into the string the evidence carries (relative
/// to the current folder for the CLI, absolute for editors).
pub fn build(analysis: &Analysis, display: &dyn Fn(&Path) -> String) -> ContextMap {
    let project = &analysis.project;
    let mut files = Files {
        analysis,
        display,
        contexts: Contexts::new(project),
        lines: HashMap::new(),
        findings: HashMap::new(),
    };
    let databases = crate::python::routers::app_databases(project);
    let has_databases = project.files.iter().any(|f| {
        !f.is_test && !f.is_migration && f.facts.assigns.iter().any(|a| a.name == "DATABASES")
    });

    // Patterns recognised in each context's modules.
    let mut patterns: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for fi in 0..project.files.len() {
        let file = &project.files[fi];
        if file.is_test || file.is_migration {
            continue;
        }
        let Some(name) = files.contexts.of(project, &file.facts.module) else {
            continue;
        };
        for f in files.findings(fi) {
            if f.kind == Kind::Pattern {
                patterns
                    .entry(name.clone())
                    .or_default()
                    .insert(f.pattern.clone());
            }
        }
    }

    let mut contexts: Vec<MapContext> = project
        .contexts
        .iter()
        .map(|c| {
            let mut aliases: Vec<&str> = c
                .apps
                .iter()
                .filter_map(|a| databases.get(a).map(String::as_str))
                .collect();
            aliases.sort_unstable();
            aliases.dedup();
            let mut pats = patterns.remove(&c.name).unwrap_or_default();
            let database = if aliases.is_empty() {
                has_databases.then(|| "default".to_string())
            } else {
                pats.insert("context-database".into());
                Some(aliases.join(", "))
            };
            MapContext {
                id: c.name.clone(),
                apps: c.apps.clone(),
                database,
                patterns: pats.into_iter().collect(),
            }
        })
        .collect();
    contexts.sort_by(|a, b| a.id.cmp(&b.id));
    contexts.dedup_by(|a, b| a.id == b.id);

    // Directed dependencies: (from, to) -> kind -> evidence.
    type Deps = BTreeMap<(String, String), BTreeMap<RelationKind, BTreeSet<Evidence>>>;
    let mut deps: Deps = BTreeMap::new();
    for fi in 0..project.files.len() {
        let file = &project.files[fi];
        if file.is_test || file.is_migration {
            continue;
        }
        let Some(mine) = files.contexts.of(project, &file.facts.module) else {
            continue;
        };
        let detected: Vec<Finding> = analysis
            .detected(fi)
            .iter()
            .filter(|f| f.rule == "cross-context-import" || f.rule == "anticorruption-layer")
            .cloned()
            .collect();
        let kept: Vec<Finding> = files
            .findings(fi)
            .iter()
            .filter(|f| f.rule == "cross-context-import" || f.rule == "anticorruption-layer")
            .cloned()
            .collect();
        for imp in project.runtime_imports(fi) {
            if imp.module.starts_with("django.") || imp.module == "django" {
                continue;
            }
            let Some(theirs) = files.contexts.of(project, &imp.module) else {
                continue;
            };
            if theirs == mine {
                continue;
            }
            let key = (mine.clone(), theirs.clone());
            let import_line = files.line(fi, imp.span.start);
            let mut add = |kind: RelationKind, e: Evidence| {
                deps.entry(key.clone())
                    .or_default()
                    .entry(kind)
                    .or_default()
                    .insert(e);
            };
            // An import whose types a translator of this file translates.
            let acl = imp
                .names
                .iter()
                .any(|(n, _)| analysis.roles.translated.contains(&(fi, n.to_string())));
            if acl {
                for f in detected.iter().filter(|f| f.rule == "anticorruption-layer") {
                    let e = files.evidence(fi, f.span.start, f.message.clone());
                    add(RelationKind::AnticorruptionLayer, e);
                }
                continue;
            }
            let smell = detected.iter().find(|f| {
                f.rule == "cross-context-import" && files.line(fi, f.span.start) == import_line
            });
            if let Some(f) = smell {
                let suppressed = !kept.iter().any(|k| k.span == f.span && k.rule == f.rule);
                let (kind, message) = if suppressed {
                    (
                        RelationKind::Conformist,
                        format!(
                            "{} (marked deliberate with `ignore[cross-context-import]`: conformist)",
                            f.message
                        ),
                    )
                } else {
                    (RelationKind::Leak, f.message.clone())
                };
                let e = files.evidence(fi, f.span.start, message);
                add(kind, e);
                continue;
            }
            let names: Vec<&str> = imp
                .names
                .iter()
                .map(|(n, _)| n.as_str())
                .filter(|n| !n.is_empty() && *n != "*")
                .collect();
            let published = published_names(&mut files, &imp.module, &names);
            let what = if names.is_empty() {
                format!("`{}`", imp.module)
            } else {
                format!(
                    "{} from `{}`",
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    imp.module
                )
            };
            let e = if !published.is_empty() {
                let message = format!(
                    "`{}` (context `{mine}`) uses {what}, the open host service of context `{}`",
                    file.facts.module, theirs
                );
                (RelationKind::OpenHostService, message)
            } else {
                let message = format!(
                    "`{}` (context `{mine}`) uses {what} of context `{}` as it is: no published interface, no translation",
                    file.facts.module, theirs
                );
                (RelationKind::Conformist, message)
            };
            let ev = files.evidence(fi, imp.span.start, e.1);
            add(e.0, ev);
        }
    }

    let mut relations: Vec<Relation> = Vec::new();
    let mut related: BTreeSet<(String, String)> = BTreeSet::new();
    let pairs: BTreeSet<(String, String)> = deps
        .keys()
        .map(|(a, b)| {
            if a < b {
                (a.clone(), b.clone())
            } else {
                (b.clone(), a.clone())
            }
        })
        .collect();
    for (a, b) in pairs {
        let ab = deps.get(&(a.clone(), b.clone()));
        let ba = deps.get(&(b.clone(), a.clone()));
        related.insert((a.clone(), b.clone()));
        let leaks = |d: Option<&BTreeMap<RelationKind, BTreeSet<Evidence>>>| {
            d.is_some_and(|d| d.contains_key(&RelationKind::Leak))
        };
        if let (Some(ab), Some(ba)) = (ab, ba)
            && !leaks(Some(ab))
            && !leaks(Some(ba))
        {
            let evidence: BTreeSet<Evidence> = ab
                .values()
                .chain(ba.values())
                .flat_map(|s| s.iter().cloned())
                .collect();
            relations.push(Relation {
                from: a.clone(),
                to: b.clone(),
                kind: RelationKind::Partnership,
                evidence: evidence.into_iter().collect(),
            });
            continue;
        }
        for (from, to, d) in [(&a, &b, ab), (&b, &a, ba)] {
            for (kind, evidence) in d.into_iter().flatten() {
                relations.push(Relation {
                    from: from.clone(),
                    to: to.clone(),
                    kind: *kind,
                    evidence: evidence.iter().cloned().collect(),
                });
            }
        }
    }

    for ((a, b), evidence) in shared_kernels(&mut files) {
        related.insert((a.clone(), b.clone()));
        relations.push(Relation {
            from: a,
            to: b,
            kind: RelationKind::SharedKernel,
            evidence: evidence.into_iter().collect(),
        });
    }

    // Separate ways: contexts the team declared, with nothing between them.
    let declared: Vec<&str> = project
        .contexts
        .iter()
        .filter(|c| c.declared)
        .map(|c| c.name.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for (i, a) in declared.iter().enumerate() {
        for b in &declared[i + 1..] {
            if related.contains(&(a.to_string(), b.to_string())) {
                continue;
            }
            let evidence = [a, b]
                .iter()
                .map(|c| declaration(project, c, display))
                .map(|(path, line)| Evidence {
                    path,
                    line,
                    message: format!(
                        "no module of context `{a}` imports context `{b}`, and none of `{b}` imports `{a}`"
                    ),
                })
                .collect::<BTreeSet<_>>();
            relations.push(Relation {
                from: a.to_string(),
                to: b.to_string(),
                kind: RelationKind::SeparateWays,
                evidence: evidence.into_iter().collect(),
            });
        }
    }
    relations.sort_by(|x, y| (&x.from, &x.to, x.kind).cmp(&(&y.from, &y.to, y.kind)));
    ContextMap {
        contexts,
        relations,
    }
}

/// The names of `module` (among `names`, or any when `names` is empty) that carry an
/// open-host-service finding.
fn published_names(files: &mut Files, module: &str, names: &[&str]) -> Vec<String> {
    let project = &files.analysis.project;
    let Some(&ti) = project.by_module.get(module) else {
        return Vec::new();
    };
    let target = &project.files[ti];
    let mut starts: Vec<(usize, String)> = target
        .facts
        .functions
        .iter()
        .map(|f| (f.span.start, f.name.to_string()))
        .chain(
            target
                .facts
                .classes
                .iter()
                .map(|c| (c.span.start, c.name.to_string())),
        )
        .filter(|(_, n)| names.is_empty() || names.contains(&n.as_str()))
        .collect();
    let ohs: Vec<usize> = files
        .findings(ti)
        .iter()
        .filter(|f| f.rule == "open-host-service")
        .map(|f| f.span.start)
        .collect();
    starts.retain(|(s, _)| ohs.contains(s));
    starts.into_iter().map(|(_, n)| n).collect()
}

/// Pairs of contexts sharing a kernel class: (a, b) with a < b -> evidence.
fn shared_kernels(files: &mut Files) -> BTreeMap<(String, String), BTreeSet<Evidence>> {
    let project = &files.analysis.project;
    let mut out: BTreeMap<(String, String), BTreeSet<Evidence>> = BTreeMap::new();
    for ki in 0..project.files.len() {
        let kernel = &project.files[ki];
        let found: Vec<Finding> = files
            .findings(ki)
            .iter()
            .filter(|f| f.rule == "shared-kernel")
            .cloned()
            .collect();
        for f in found {
            let Some(class) = kernel
                .facts
                .classes
                .iter()
                .find(|c| c.span.start == f.span.start)
            else {
                continue;
            };
            let key = format!("{}.{}", kernel.facts.module, class.name);
            let mut users: BTreeMap<String, Vec<Evidence>> = BTreeMap::new();
            for &i in project.importers.get(&key).into_iter().flatten() {
                let importer = &project.files[i];
                if importer.is_test || importer.is_migration {
                    continue;
                }
                let Some(ctx) = files.contexts.of(project, &importer.facts.module) else {
                    continue;
                };
                let imports: Vec<usize> = importer
                    .facts
                    .imports
                    .iter()
                    .filter(|imp| {
                        imp.module == kernel.facts.module
                            && imp.names.iter().any(|(n, _)| *n == class.name)
                    })
                    .map(|imp| imp.span.start)
                    .collect();
                for start in imports {
                    let e = files.evidence(
                        i,
                        start,
                        format!(
                            "`{}` (context `{ctx}`) uses `{}` of the shared kernel `{}`",
                            importer.facts.module, class.name, kernel.facts.module
                        ),
                    );
                    users.entry(ctx.clone()).or_default().push(e);
                }
            }
            let kernel_evidence = files.evidence(ki, f.span.start, f.message.clone());
            let names: Vec<&String> = users.keys().collect();
            for (i, a) in names.iter().enumerate() {
                for b in &names[i + 1..] {
                    let set = out.entry(((*a).clone(), (*b).clone())).or_default();
                    set.insert(kernel_evidence.clone());
                    for c in [a, b] {
                        set.extend(users[c.as_str()].iter().cloned());
                    }
                }
            }
        }
    }
    out
}

/// Where a context is declared: its line in the config file, else the first app's `AppConfig`.
fn declaration(
    project: &Project,
    context: &str,
    display: &dyn Fn(&Path) -> String,
) -> (String, u32) {
    if let Some(file) = &project.config.file
        && let Ok(text) = std::fs::read_to_string(file)
    {
        for (i, line) in text.lines().enumerate() {
            let t = line.trim_start().trim_start_matches('"');
            if let Some(rest) = t.strip_prefix(context)
                && rest
                    .trim_start()
                    .trim_start_matches('"')
                    .trim_start()
                    .starts_with('=')
            {
                return (display(file), i as u32 + 1);
            }
        }
        return (display(file), 1);
    }
    let app = project
        .contexts
        .iter()
        .find(|c| c.name == context)
        .and_then(|c| c.apps.first())
        .and_then(|label| project.apps.iter().find(|a| &a.label == label));
    match app.and_then(|a| a.config_class) {
        Some((fi, ci)) => {
            let file = &project.files[fi];
            let start = file.facts.classes[ci].span.start;
            let line = LineIndex::new(&file.text).line_of(start) as u32 + 1;
            (display(&file.path), line)
        }
        None => (String::new(), 1),
    }
}
