//! Python code fences in Markdown (```` ```python ````, ```` ```py ````), analysed like Python files.
//!
//! Protocol-free: fences are found with pulldown-cmark (byte offsets), each fence is analysed as a
//! one-file project through the usual pipeline, and the findings' spans are mapped back to the
//! Markdown document. A fence is its own small module: it takes part in no cross-file facts, and
//! no refactor edits it. A fence that does not parse yields nothing.

use crate::catalog::Pattern;
use crate::compiled::CompiledCatalog;
use crate::config::Config;
use crate::detect::Finding;
use crate::python::facts;
use crate::python::project::SourceFile;
use crate::python::queries::TeamQuery;
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

/// One Python fence: its code and where each piece of it sits in the Markdown text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fence {
    /// The code as Python sees it (list or quote prefixes removed).
    pub code: String,
    /// (offset in `code`, offset in the Markdown text) at the start of each contiguous piece.
    pieces: Vec<(usize, usize)>,
    /// The fence's whole block in the Markdown text, markers included.
    pub block: Range<usize>,
}

impl Fence {
    /// The Markdown offset of `code` offset `at`.
    pub fn to_markdown(&self, at: usize) -> usize {
        let i = self.pieces.partition_point(|(c, _)| *c <= at);
        match i.checked_sub(1).and_then(|i| self.pieces.get(i)) {
            Some((c, m)) => m + (at - c),
            None => self.block.start,
        }
    }

    /// The Markdown span of a `code` span.
    pub fn map_span(&self, span: &Range<usize>) -> Range<usize> {
        let start = self.to_markdown(span.start);
        let end = if span.end > span.start {
            // The end is exclusive: map the last byte, so a span never runs into a prefix.
            self.to_markdown(span.end - 1) + 1
        } else {
            start
        };
        start..end.max(start)
    }

    /// The `code` offset of a Markdown offset inside the fence, if it is in the code.
    pub fn to_code(&self, md: usize) -> Option<usize> {
        self.pieces.iter().enumerate().find_map(|(i, (c, m))| {
            let len = self
                .pieces
                .get(i + 1)
                .map_or(self.code.len() - c, |(next, _)| next - c);
            (md >= *m && md <= m + len).then(|| c + (md - m))
        })
    }
}

/// Is this info string a Python fence? (`python`, `py`, `python3`, also with attributes after it.)
pub fn is_python(info: &str) -> bool {
    let lang = info
        .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
        .next()
        .unwrap_or("")
        .trim_start_matches('.')
        .to_ascii_lowercase();
    matches!(lang.as_str(), "python" | "py" | "python3" | "py3")
}

/// The Python fences of a Markdown text, in order.
pub fn python_fences(text: &str) -> Vec<Fence> {
    let mut out = Vec::new();
    let mut current: Option<Fence> = None;
    for (event, range) in Parser::new_ext(text, Options::empty()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if is_python(&info) => {
                current = Some(Fence {
                    code: String::new(),
                    pieces: Vec::new(),
                    block: range,
                });
            }
            Event::Text(t) => {
                if let Some(f) = current.as_mut() {
                    // The text of a piece is the source text, unless pulldown-cmark rewrote it
                    // (tabs in a list item): then offsets inside it are approximate.
                    f.pieces.push((f.code.len(), range.start));
                    f.code.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(f) = current.take() {
                    out.push(f);
                }
            }
            _ => {}
        }
    }
    out
}

/// The module a fence is named as: a first-line comment naming a file (`# orders/domain.py`)
/// gives it, else `fence`. Module names matter to detectors (domain modules, services).
pub fn module_of(code: &str) -> String {
    let first = code.lines().next().unwrap_or("").trim();
    let named = first
        .strip_prefix('#')
        .map(str::trim)
        .and_then(|c| c.split_whitespace().next())
        .filter(|w| w.ends_with(".py") && !w.starts_with('/') && !w.contains(".."));
    match named {
        Some(file) => {
            let (module, _) = facts::module_name(file);
            if module.is_empty() {
                "fence".to_string()
            } else {
                module
            }
        }
        None => "fence".to_string(),
    }
}

/// A fence analysed: its findings with spans in the Markdown text.
#[derive(Clone, Debug)]
pub struct FenceFindings {
    pub fence: Fence,
    /// Suppressions applied; spans in the Markdown text.
    pub findings: Vec<Finding>,
}

/// Analyses one fence as a one-file project. `None` when it does not parse.
pub fn analyse_fence(
    md_path: &Path,
    fence: &Fence,
    config: &Config,
    queries: &[Arc<TeamQuery>],
) -> Option<Vec<Finding>> {
    let module = module_of(&fence.code);
    let file_facts = facts::collect(&fence.code, &module, false);
    if file_facts.has_errors {
        return None;
    }
    let hits = crate::python::queries::run_on_text(queries, &fence.code);
    let text: Arc<str> = Arc::from(fence.code.as_str());
    let mut source = SourceFile::new(md_path.to_path_buf(), text, file_facts);
    source.team_hits = hits;
    // Named by its own comment, never by where the Markdown file lives.
    source.is_test = false;
    source.is_migration = false;
    let analysis =
        crate::analysis::Analysis::from_sources(vec![Arc::new(source)], Vec::new(), config.clone());
    let findings = analysis.findings(0);
    Some(
        findings
            .into_iter()
            .map(|mut f| {
                f.span = fence.map_span(&f.span);
                // Related places are in the same fence.
                for r in &mut f.related {
                    r.span = fence.map_span(&r.span);
                }
                f
            })
            .collect(),
    )
}

/// The classes of a fence that parses, for an outline: (name, whole span, name span), in the
/// Markdown text.
pub fn classes(fence: &Fence) -> Vec<(String, Range<usize>, Range<usize>)> {
    let module = module_of(&fence.code);
    let file_facts = facts::collect(&fence.code, &module, false);
    if file_facts.has_errors {
        return Vec::new();
    }
    file_facts
        .classes
        .iter()
        .map(|c| {
            (
                c.name.to_string(),
                fence.map_span(&c.span),
                fence.map_span(&c.name_span),
            )
        })
        .collect()
}

/// Every Python fence of a Markdown text, analysed; fences that do not parse are left out.
pub fn analyse(
    md_path: &Path,
    text: &str,
    config: &Config,
    queries: &[Arc<TeamQuery>],
) -> Vec<FenceFindings> {
    python_fences(text)
        .into_iter()
        .filter_map(|fence| {
            let findings = analyse_fence(md_path, &fence, config, queries)?;
            Some(FenceFindings { fence, findings })
        })
        .collect()
}

/// All fence findings of a Markdown text, flattened, in document order.
pub fn findings(
    md_path: &Path,
    text: &str,
    config: &Config,
    queries: &[Arc<TeamQuery>],
) -> Vec<Finding> {
    let mut out: Vec<Finding> = analyse(md_path, text, config, queries)
        .into_iter()
        .flat_map(|f| f.findings)
        .collect();
    out.sort_by_key(|f| (f.span.start, f.span.end));
    out
}

/// The Python fences of a page's `## Example` section.
pub fn example_fences(page_text: &str) -> Vec<Fence> {
    let Some(start) = page_text
        .match_indices("## Example")
        .map(|(i, _)| i)
        .find(|i| *i == 0 || page_text[..*i].ends_with('\n'))
    else {
        return Vec::new();
    };
    let body = start + "## Example".len();
    let end = page_text[body..]
        .find("\n## ")
        .map_or(page_text.len(), |i| body + i + 1);
    python_fences(&page_text[..end])
        .into_iter()
        .filter(|f| f.block.start >= start)
        .collect()
}

/// Analyses an example fence as the small project it sketches: a line `# orders/models.py`
/// starts a file of that name, so an example may show several modules (a domain module, its
/// repository, another context importing it). Only for proving catalog examples: in a document
/// a fence stays one module. `None` when it does not parse. Spans are left in the fence's code.
pub fn analyse_example(
    fence: &Fence,
    config: &Config,
    queries: &[Arc<TeamQuery>],
) -> Option<Vec<Finding>> {
    if facts::collect(&fence.code, "fence", false).has_errors {
        return None;
    }
    // Split at file-naming comments.
    let mut parts: Vec<(String, String)> = Vec::new();
    for line in fence.code.split_inclusive('\n') {
        let starts_file = line.starts_with('#') && module_of(line) != "fence";
        if starts_file || parts.is_empty() {
            parts.push((module_of(line), String::new()));
        }
        if let Some((_, text)) = parts.last_mut() {
            text.push_str(line);
        }
    }
    let mut sources = Vec::new();
    for (i, (module, text)) in parts.into_iter().enumerate() {
        let file_facts = facts::collect(&text, &module, false);
        let hits = crate::python::queries::run_on_text(queries, &text);
        // Named as the comment names it; a second part of the same name gets its own folder.
        let file = format!("{}.py", module.replace('.', "/"));
        let path = if sources
            .iter()
            .any(|s: &Arc<SourceFile>| s.path == Path::new(&file))
        {
            Path::new(&format!("part{i}")).join(&file)
        } else {
            Path::new(&file).to_path_buf()
        };
        let mut source = SourceFile::new(path, Arc::from(text.as_str()), file_facts);
        source.team_hits = hits;
        source.is_test = false;
        source.is_migration = false;
        sources.push(Arc::new(source));
    }
    let analysis = crate::analysis::Analysis::from_sources(sources, Vec::new(), config.clone());
    Some(
        analysis
            .all_findings()
            .into_iter()
            .flat_map(|(_, f)| f)
            .collect(),
    )
}

/// Is this fence a "before" example (its first line a comment with the word `before`)? It
/// must then show a smell the page fixes, not the pattern.
pub fn is_before(fence: &Fence) -> bool {
    fence
        .code
        .lines()
        .next()
        .and_then(|l| l.trim().strip_prefix('#'))
        .is_some_and(|c| {
            c.to_ascii_lowercase()
                .split(|ch: char| !ch.is_alphanumeric())
                .any(|w| w == "before")
        })
}

/// Does a page's `## Example` show its pattern? `Err` says why not. A detectable page needs a
/// Python fence its own detector recognises as the page's pattern; a "before" fence
/// ([`is_before`]) must show one of the smells the page fixes. Pages with `detectable = false`
/// and pages without Python examples pass.
pub fn check_example(pattern: &Pattern, catalog: &CompiledCatalog) -> Result<(), String> {
    if !pattern.is_detectable() {
        return Ok(());
    }
    let fences = example_fences(&pattern.text);
    if fences.is_empty() {
        return Ok(());
    }
    let config = Config::default();
    let mut recognised = false;
    let mut after = false;
    for fence in &fences {
        let Some(found) = analyse_example(fence, &config, catalog.team_queries()) else {
            if is_before(fence) {
                return Err("the \"before\" example does not parse as Python".into());
            }
            continue;
        };
        if is_before(fence) {
            let smells: Vec<&str> = crate::detect::registry::smells()
                .filter(|s| s.fixed_by.contains(&pattern.id.as_str()))
                .map(|s| s.id)
                .collect();
            if !found.iter().any(|f| smells.contains(&f.rule.as_str())) {
                return Err(format!(
                    "the \"before\" example does not show the smell it fixes ({})",
                    if smells.is_empty() {
                        "none fixed by this page".to_string()
                    } else {
                        smells.join(", ")
                    }
                ));
            }
        } else {
            after = true;
            recognised |= found
                .iter()
                .any(|f| f.kind == crate::detect::Kind::Pattern && f.rule == pattern.id);
        }
    }
    if after && !recognised {
        return Err(format!(
            "the Example is not recognised as `{}` by its detector: show the evidence the Detection section names, or say `detectable = false` in the front matter",
            pattern.id
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Kind;

    const DOC: &str = "# Design\n\nSome prose.\n\n```python\n# orders/repository.py\nclass X:\n    pass\n```\n\n```js\nlet a = 1;\n```\n\n~~~py\nx = 1\n~~~\n";

    #[test]
    fn finds_python_fences_only() {
        let fences = python_fences(DOC);
        assert_eq!(fences.len(), 2);
        assert_eq!(
            fences[0].code,
            "# orders/repository.py\nclass X:\n    pass\n"
        );
        assert_eq!(fences[1].code, "x = 1\n");
        assert!(is_python("python"));
        assert!(is_python("Py {.numberLines}"));
        assert!(!is_python("pycon"));
        assert!(!is_python("text"));
    }

    #[test]
    fn maps_code_offsets_to_markdown() {
        let fences = python_fences(DOC);
        let f = &fences[0];
        let at = f.code.find("class X").unwrap_or_default();
        let md = f.to_markdown(at);
        assert_eq!(&DOC[md..md + 7], "class X");
        assert_eq!(f.to_code(md), Some(at));
        let span = f.map_span(&(at..at + 7));
        assert_eq!(&DOC[span], "class X");
    }

    #[test]
    fn maps_fences_inside_list_items() {
        let doc = "- item\n\n  ```python\n  class A:\n      pass\n  ```\n";
        let fences = python_fences(doc);
        assert_eq!(fences.len(), 1);
        assert_eq!(fences[0].code, "class A:\n    pass\n");
        let at = fences[0].code.find("pass").unwrap_or_default();
        let md = fences[0].to_markdown(at);
        assert_eq!(&doc[md..md + 4], "pass");
    }

    #[test]
    fn module_from_first_line_comment() {
        assert_eq!(
            module_of("# orders/domain.py -- no Django\nx = 1"),
            "orders.domain"
        );
        assert_eq!(module_of("x = 1"), "fence");
        assert_eq!(module_of("# just a comment\n"), "fence");
    }

    #[test]
    fn findings_point_into_the_markdown() {
        let doc = "Intro\n\n```python\nimport uuid\nfrom django.db import models\n\n\nclass Order(models.Model):\n    id = models.UUIDField(primary_key=True, default=uuid.uuid4)\n```\n";
        let found = findings(Path::new("doc.md"), doc, &Config::default(), &[]);
        let smell = found
            .iter()
            .find(|f| f.rule == "uuid4-primary-key")
            .expect("uuid4 smell in the fence");
        assert_eq!(smell.kind, Kind::Smell);
        assert!(
            doc[smell.span.clone()].contains("uuid4") || doc[smell.span.clone()].contains("id")
        );
        let line = doc[..smell.span.start].matches('\n').count() + 1;
        assert_eq!(line, 9);
    }

    #[test]
    fn broken_fences_yield_nothing() {
        let doc = "```python\nclass (:\n  def\n```\n";
        assert!(analyse(Path::new("doc.md"), doc, &Config::default(), &[]).is_empty());
        assert!(findings(Path::new("doc.md"), "no fences", &Config::default(), &[]).is_empty());
    }
}
