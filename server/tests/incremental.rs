//! The incremental analysis (`Analysis::update`, as the server runs it after an edit) equals a
//! fresh `Analysis::from_sources` after every edit of a sequence over the shop fixture: edits in
//! a method body, imports added and removed, models added and removed, INSTALLED_APPS changed,
//! an AppConfig added, a file created. Project facts, roles and every file's findings are
//! compared.

use pattern_language::analysis::{self, Analysis};
use pattern_language::config::Config;
use pattern_language::python::project::{Project, SourceFile};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/shop")
}

/// An edit: the file (relative to the fixture) and its new text from the old one.
type Edit = (&'static str, fn(&str) -> String);

fn edits() -> Vec<Edit> {
    vec![
        // A keystroke in a method body, then its undo.
        ("shipping/acl.py", |t| {
            t.replacen("str(invoice.customer_ref)", "str(invoice.customer_refx)", 1)
        }),
        ("shipping/acl.py", |t| {
            t.replacen("str(invoice.customer_refx)", "str(invoice.customer_ref)", 1)
        }),
        // Method bodies that change roles, shapes kept: a repository stops (then starts again)
        // reaching its model's manager, a translator stops reading its foreign parameter.
        ("catalog/repositories.py", |t| {
            t.replace("BookModel.objects", "BookModel.objectz")
        }),
        ("catalog/repositories.py", |t| {
            t.replace("BookModel.objectz", "BookModel.objects")
        }),
        ("shipping/acl.py", |t| {
            t.replacen(
                "customer_ref=str(invoice.customer_ref), currency=invoice.currency",
                "customer_ref=\"x\", currency=\"y\"",
                1,
            )
        }),
        // A model field's value.
        ("catalog/models.py", |t| {
            t.replacen("max_length=300", "max_length=301", 1)
        }),
        // A model field called `name` renamed (an AppConfig's `name` would name its app).
        ("catalog/models.py", |t| {
            t.replacen(
                "    name = models.CharField(max_length=200)",
                "    namex = models.CharField(max_length=200)",
                1,
            )
        }),
        // An AppConfig's app name changed, then back.
        ("shipping/apps.py", |t| {
            t.replacen("name = \"shipping\"", "name = \"shipping.x\"", 1)
        }),
        ("shipping/apps.py", |t| {
            t.replacen("name = \"shipping.x\"", "name = \"shipping\"", 1)
        }),
        // A new model, then a repository reaching it through its manager.
        ("catalog/models.py", |t| {
            format!(
                "{t}\n\nclass Shelf(models.Model):\n    label = models.CharField(max_length=20)\n"
            )
        }),
        ("catalog/repositories.py", |t| {
            format!(
                "{t}\n\nfrom catalog.models import Shelf\n\n\nclass ShelfRepository:\n    def get(self, pk):\n        return Shelf.objects.get(pk=pk)\n\n    def add(self, shelf):\n        shelf.save()\n"
            )
        }),
        // The model removed again: the repository's role goes.
        ("catalog/models.py", |t| {
            t.replacen(
                "\n\nclass Shelf(models.Model):\n    label = models.CharField(max_length=20)\n",
                "",
                1,
            )
        }),
        // An import removed (the translator loses its foreign type), then restored.
        ("shipping/acl.py", |t| {
            t.replacen(
                "from billing.invoicing.models import Invoice as InvoiceRow\n",
                "",
                1,
            )
        }),
        ("shipping/acl.py", |t| {
            format!("from billing.invoicing.models import Invoice as InvoiceRow\n{t}")
        }),
        // A cross-context import added to a body-only file.
        ("shipping/rates.py", |t| {
            format!(
                "from catalog.models import Book\n{t}\n\ndef price(book: Book):\n    return Book.objects.filter(pk=book.pk).count()\n"
            )
        }),
        // INSTALLED_APPS loses an app, then gets it back.
        ("shop/settings/base.py", |t| {
            t.replacen("    \"accounts.apps.AccountsConfig\",\n", "", 1)
        }),
        ("shop/settings/base.py", |t| {
            t.replacen(
                "INSTALLED_APPS = [\n",
                "INSTALLED_APPS = [\n    \"accounts.apps.AccountsConfig\",\n",
                1,
            )
        }),
        // An AppConfig gets another label, then an app name of its own.
        ("shipping/apps.py", |t| {
            t.replacen(
                "    verbose_name",
                "    label = \"delivery\"\n    verbose_name",
                1,
            )
        }),
        ("shipping/apps.py", |t| {
            format!("{t}\n\nclass TrackingConfig(AppConfig):\n    name = \"shipping.tracking\"\n")
        }),
        // A name re-exported through two modules (a package's `__init__`, then another module)
        // and used by a repository-like class; the first re-export removed: the class no longer
        // reaches the model, though its own file did not change (its roles depend on imports of
        // imports), then restored.
        ("catalog/__init__.py", |t| {
            format!("{t}\nfrom catalog.models import Book as ShelvedBook\n")
        }),
        ("catalog/metrics.py", |t| {
            format!("from catalog import ShelvedBook\n{t}")
        }),
        ("catalog/stats.py", |t| {
            format!(
                "{t}\n\nfrom catalog.metrics import ShelvedBook\n\n\nclass ShelfCounter:\n    def count(self):\n        return ShelvedBook.objects.count()\n"
            )
        }),
        // A model by a base that resolves through the same chain: it stops being one when the
        // re-export goes (a file the edit did not touch, its base resolved again).
        ("catalog/analytics.py", |t| {
            format!(
                "{t}\n\nfrom catalog.metrics import ShelvedBook as Shelved\n\n\nclass SpecialBook(Shelved):\n    pass\n"
            )
        }),
        ("catalog/__init__.py", |t| {
            t.replacen("\nfrom catalog.models import Book as ShelvedBook\n", "", 1)
        }),
        ("catalog/__init__.py", |t| {
            format!("{t}\nfrom catalog.models import Book as ShelvedBook\n")
        }),
        // A module bound as a module (`from catalog import metrics as m`, and `import
        // catalog.metrics`), its name read as an attribute (`m.MeteredBook.objects`): the
        // binding removed in the module, the readers lose the model, then get it back.
        ("catalog/metrics.py", |t| {
            format!("from catalog.models import Book as MeteredBook\n{t}")
        }),
        ("catalog/stats.py", |t| {
            format!(
                "{t}\n\nfrom catalog import metrics as catalog_metrics\nimport catalog.metrics\n\n\nclass MeterReader:\n    def count(self):\n        return catalog_metrics.MeteredBook.objects.count()\n\n\nclass MeterReaderToo:\n    def count(self):\n        return catalog.metrics.MeteredBook.objects.count()\n"
            )
        }),
        ("catalog/metrics.py", |t| {
            t.replacen("from catalog.models import Book as MeteredBook\n", "", 1)
        }),
        ("catalog/metrics.py", |t| {
            format!("from catalog.models import Book as MeteredBook\n{t}")
        }),
        // An imported name no other file imports, renamed in a module many import (as one does
        // typing an import line), then back: only the module and its binders read it.
        ("catalog/models.py", |t| {
            format!("from decimal import Decimal as Money\n{t}")
        }),
        ("catalog/models.py", |t| {
            t.replacen("import Decimal as Money\n", "import Decimal as Moneyx\n", 1)
        }),
        ("catalog/models.py", |t| {
            t.replacen("import Decimal as Moneyx\n", "import Decimal as Money\n", 1)
        }),
        // A star import of a module whose binding moved.
        ("catalog/analytics.py", |t| {
            format!(
                "from catalog.metrics import *\n{t}\n\nclass StarReader:\n    def count(self):\n        return MeteredBook.objects.count()\n"
            )
        }),
        ("catalog/metrics.py", |t| {
            t.replacen("from catalog.models import Book as MeteredBook\n", "", 1)
        }),
        ("catalog/metrics.py", |t| {
            format!("from catalog.models import Book as MeteredBook\n{t}")
        }),
        // A syntax error, then fixed.
        ("billing/invoicing/services.py", |t| {
            format!("{t}\ndef broken(:\n")
        }),
        ("billing/invoicing/services.py", |t| {
            t.replacen("\ndef broken(:\n", "", 1)
        }),
        // A file that was not there: an AppConfig in a new package's apps module.
        ("gitforge/extra/apps.py", |_| {
            "from django.apps import AppConfig\n\n\nclass ExtraConfig(AppConfig):\n    name = \"gitforge.extra\"\n".to_string()
        }),
        ("gitforge/models.py", |t| {
            t.replacen("models.Model", "models.Model ", 1)
        }),
    ]
}

fn source(root: &Path, path: &Path, text: &str) -> Arc<SourceFile> {
    Arc::new(analysis::from_text(path, root, Arc::from(text), &[]))
}

/// Everything an analysis decides, as comparable text (maps sorted).
fn summary(a: &Analysis) -> String {
    let p = &a.project;
    let mut models: Vec<_> = p.models.iter().collect();
    models.sort();
    let mut importers: Vec<_> = p.importers.iter().collect();
    importers.sort();
    let mut packages: Vec<_> = p.project_packages.iter().collect();
    packages.sort();
    let mut contexts = Vec::new();
    for f in &p.files {
        contexts.push(p.context_of(&f.facts.module).map(|c| c.name.clone()));
    }
    format!(
        "apps {:?}\ncontexts {:?}\nmodels {models:?}\nimporters {importers:?}\npackages {packages:?}\nper module {contexts:?}\nfindings {:?}",
        p.apps,
        p.contexts,
        a.all_findings()
    )
}

#[test]
fn incremental_equals_from_scratch_over_an_edit_sequence() {
    let root = fixture();
    let (config, _) = pattern_language::config::load_for(&root, Some(&root));
    let mut paths = analysis::python_files(std::slice::from_ref(&root), &config, &root);
    paths.sort();
    let mut texts: Vec<String> = paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .collect();
    let mut sources: Vec<Arc<SourceFile>> = paths
        .iter()
        .zip(&texts)
        .map(|(p, t)| source(&root, p, t))
        .collect();
    let mut prev = Analysis::from_sources(sources.clone(), Vec::new(), config.clone());
    let mut fast = 0;
    // Edits whose shape moved, answered from the files a changed binding reaches, fewer than all.
    let mut narrowed = 0;
    for (step, (rel, edit)) in edits().into_iter().enumerate() {
        let path = root.join(rel);
        let i = match paths.binary_search(&path) {
            Ok(i) => i,
            Err(i) => {
                paths.insert(i, path.clone());
                texts.insert(i, String::new());
                sources.insert(i, source(&root, &path, ""));
                i
            }
        };
        texts[i] = edit(&texts[i]);
        sources[i] = source(&root, &path, &texts[i]);
        if let Ok(r) = Project::rebuild(&prev.project, sources.clone()) {
            fast += usize::from(r.same_shape);
            if !r.same_shape && r.same_models_and_apps {
                narrowed += usize::from(r.dependents.len() < r.project.files.len() / 2);
            }
        }
        let incremental = Analysis::update(&prev, sources.clone(), Vec::new());
        let fresh = Analysis::from_sources(sources.clone(), Vec::new(), config.clone());
        assert!(
            incremental.roles == fresh.roles,
            "step {step} ({rel}): roles differ\nincremental {:#?}\nfresh {:#?}",
            incremental.roles,
            fresh.roles
        );
        let (a, b) = (summary(&incremental), summary(&fresh));
        if a != b {
            let diff = similar::TextDiff::from_lines(&b, &a);
            panic!(
                "step {step} ({rel}): incremental differs from scratch (- fresh, + incremental)\n{}",
                diff.unified_diff()
            );
        }
        prev = incremental;
    }
    // The fast path (only the edited file's roles again) was taken, and not only it.
    assert!(fast >= 3, "only {fast} edits kept the shape");
    assert!(
        narrowed >= 5,
        "only {narrowed} edits narrowed to the files they reach"
    );
}

#[test]
fn an_unchanged_project_is_rebuilt_whole_from_the_previous_one() {
    let root = fixture();
    let config = Config::default();
    let paths = analysis::python_files(std::slice::from_ref(&root), &config, &root);
    let sources: Vec<Arc<SourceFile>> = paths
        .iter()
        .map(|p| source(&root, p, &std::fs::read_to_string(p).unwrap_or_default()))
        .collect();
    let prev = Analysis::from_sources(sources.clone(), Vec::new(), config);
    let r = Project::rebuild(&prev.project, sources).unwrap_or_else(|_| panic!("same files"));
    assert!(r.changed.is_empty() && r.same_shape);
    assert!(Arc::ptr_eq(&r.project.models, &prev.project.models));
    assert!(Arc::ptr_eq(&r.project.importers, &prev.project.importers));
}
