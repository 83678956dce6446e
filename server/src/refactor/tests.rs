//! Before/after snapshots of every refactor of the registry, below the protocol: a project in a
//! temporary folder, its analysis read through a file view, the driver of `ide::actions`.

use super::registry::Outcome;
use super::{FileChange, apply};
use crate::analysis::{self, Analysis};
use crate::ide::actions::{self, Offer};
use crate::ide::files::{FileView, Overlay};
use crate::line_index::LineIndex;
use crate::refactor::registry::Scope;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn write(root: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// The project's analysis, every file read through `view`.
fn analyse(root: &Path, view: &dyn FileView) -> Analysis {
    let (config, _) = crate::config::load_for(root, Some(root));
    let files = analysis::python_files(&[root.to_path_buf()], &config, root);
    let sources = files
        .iter()
        .filter_map(|p| Some(Arc::new(analysis::from_text(p, root, view.text(p)?, &[]))))
        .collect();
    Analysis::from_sources(sources, Vec::new(), config)
}

/// Runs `f` with the scope of file `rel`.
fn with_scope<T>(
    root: &Path,
    view: &dyn FileView,
    rel: &str,
    f: impl FnOnce(&Scope, &LineIndex) -> T,
) -> T {
    let a = analyse(root, view);
    let path = root.join(rel);
    let file = a.project.file_index(&path).expect("file analysed");
    let scope = Scope {
        project: &a.project,
        roles: &a.roles,
        files: view,
        file,
        can_create: true,
    };
    let index = LineIndex::new(&a.project.files[file].text);
    f(&scope, &index)
}

/// The refactor `id` offered on the header of class `class` in `rel`.
fn on_class(root: &Path, view: &dyn FileView, rel: &str, class: &str, id: &str) -> Offer {
    offers_on_class(root, view, rel, class)
        .into_iter()
        .find(|o| o.id == id)
        .unwrap_or_else(|| panic!("`{id}` not offered on `{class}`"))
}

/// Every refactor offered (enabled or not) on the header of class `class` in `rel`.
fn offers_on_class(root: &Path, view: &dyn FileView, rel: &str, class: &str) -> Vec<Offer> {
    with_scope(root, view, rel, |scope, index| {
        let c = scope
            .source()
            .facts
            .classes
            .iter()
            .find(|c| c.name == class)
            .expect("class");
        let line = index.line_of(c.span.start);
        let roots = [root.to_path_buf()];
        actions::at_cursor(scope, index, (line, line), &roots)
    })
}

/// Every file the offer touches, before and after, as the file view has them.
fn before_after(root: &Path, view: &dyn FileView, rel: &str, offer: &Offer) -> String {
    let changes: Vec<(PathBuf, FileChange)> = match offer.outcome.as_ref().expect("enabled") {
        Outcome::Files(r) => r.changes.clone(),
        Outcome::Fix(f) => vec![(root.join(rel), FileChange::Edit(f.edits.clone()))],
    };
    let mut out = format!("# {}\n", offer.title);
    for (path, change) in changes {
        let name = path.strip_prefix(root).unwrap().display().to_string();
        let (before, after) = match change {
            FileChange::Create(text) => (None, text),
            FileChange::Edit(edits) => {
                let before = view.text(&path).expect("edited file exists");
                let after = apply(&before, &edits);
                assert!(super::parses_cleanly(&after), "{name}:\n{after}");
                (Some(before.to_string()), after)
            }
        };
        match before {
            Some(b) => out.push_str(&format!(
                "\n## {name}: before\n{b}\n## {name}: after\n{after}"
            )),
            None => out.push_str(&format!("\n## {name}: created\n{after}")),
        }
    }
    out
}

const ACL_PROJECT: &[(&str, &str)] = &[
    (
        "pattern-language.toml",
        "[contexts]\nbilling = [\"invoicing\"]\nshipping = [\"shipping\"]\n",
    ),
    ("billing/__init__.py", ""),
    ("billing/invoicing/__init__.py", ""),
    ("shipping/__init__.py", ""),
    (
        "billing/invoicing/apps.py",
        "from django.apps import AppConfig\n\n\nclass InvoicingConfig(AppConfig):\n    name = \"billing.invoicing\"\n",
    ),
    (
        "billing/invoicing/models.py",
        "from django.db import models\n\n\nclass Invoice(models.Model):\n    number = models.CharField(max_length=20)\n    total = models.DecimalField(max_digits=10, decimal_places=2)\n",
    ),
    (
        "shipping/apps.py",
        "from django.apps import AppConfig\n\n\nclass ShippingConfig(AppConfig):\n    name = \"shipping\"\n",
    ),
    (
        "shipping/views.py",
        "from billing.invoicing.models import Invoice\n\n\ndef shipping_cost(number: str) -> int:\n    invoice = Invoice.objects.get(number=number)\n    return 500 if invoice.total > 100 else 900\n",
    ),
    (
        "shipping/acl.py",
        "\"\"\"Anticorruption layer of the shipping context.\"\"\"\n\n\ndef nothing_yet():\n    return None\n",
    ),
];

fn acl_offer(root: &Path, view: &dyn FileView) -> Offer {
    with_scope(root, view, "shipping/views.py", |scope, _| {
        let start = scope.source().facts.imports[0].span.start;
        let roots = [root.to_path_buf()];
        let mut offers = actions::for_finding(scope, "cross-context-import", start, &roots);
        assert_eq!(offers.len(), 1, "{offers:?}");
        offers.remove(0)
    })
}

#[test]
fn anticorruption_layer() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ACL_PROJECT);
    let offer = acl_offer(dir.path(), &crate::ide::files::Disk);
    insta::assert_snapshot!(before_after(
        dir.path(),
        &crate::ide::files::Disk,
        "shipping/views.py",
        &offer
    ));
}

/// Issue #10: with `acl.py` open and 40 lines longer than on disk, the translator goes after the
/// buffer's last line, and its imports after the module docstring (which stays first).
#[test]
fn anticorruption_layer_into_an_unsaved_buffer() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ACL_PROJECT);
    let acl = root.join("shipping/acl.py");
    let on_disk = std::fs::read_to_string(&acl).unwrap();
    let mut buffer = on_disk.clone();
    for i in 0..40 {
        buffer.push_str(&format!("\n\ndef unsaved_{i}():\n    return {i}\n"));
    }
    let view = Overlay::new([(acl.clone(), Arc::from(buffer.as_str()))]);
    let offer = acl_offer(root, &view);
    let Ok(Outcome::Files(r)) = &offer.outcome else {
        panic!("{offer:?}")
    };
    let (_, FileChange::Edit(edits)) = r.changes.iter().find(|(p, _)| *p == acl).unwrap() else {
        panic!("acl.py is edited, not created")
    };
    let after = apply(&buffer, edits);
    assert!(
        after.starts_with("\"\"\"Anticorruption layer of the shipping context.\"\"\"\n"),
        "the docstring stays first:\n{after}"
    );
    let translator = after.find("class InvoiceView").unwrap();
    assert!(
        after.find("def unsaved_39").unwrap() < translator,
        "{after}"
    );
    assert!(
        after[..translator].contains(&buffer[on_disk.len()..]),
        "{after}"
    );
    assert!(super::parses_cleanly(&after), "{after}");
    let docstring_end = after.find("\"\"\"\n").unwrap() + 4;
    assert!(
        after[docstring_end..]
            .trim_start()
            .starts_with("from dataclasses import dataclass"),
        "{after}"
    );
}

fn shop() -> PathBuf {
    std::fs::canonicalize(Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/shop"))
        .unwrap()
}

/// A snapshot of refactor `id` on `class` of the shop fixture (read only: nothing is written).
fn shop_snapshot(rel: &str, class: &str, id: &str) -> String {
    let root = shop();
    let offer = on_class(&root, &crate::ide::files::Disk, rel, class, id);
    before_after(&root, &crate::ide::files::Disk, rel, &offer)
}

#[test]
fn json_field_repository() {
    let root = library();
    let view = &crate::ide::files::Disk;
    let offer = on_class(
        &root,
        view,
        "lending/domain.py",
        "Reservation",
        "json-field-repository",
    );
    insta::assert_snapshot!(before_after(&root, view, "lending/domain.py", &offer));
}

/// Only an aggregate root without a repository gets one: not a frozen value object, a policy,
/// or an aggregate that a repository already stores (`Member`, `Book`).
#[test]
fn json_field_repository_not_for_values_policies_or_stored_aggregates() {
    let root = library();
    for (rel, class) in [
        ("catalog/domain.py", "Isbn"),
        ("catalog/domain.py", "Book"),
        ("lending/domain.py", "LoanPolicy"),
        ("members/domain.py", "Member"),
    ] {
        let ids = offered_ids(&root, rel, class);
        assert!(
            !ids.contains(&"json-field-repository"),
            "offered on `{class}`: {ids:?}"
        );
    }
}

/// The ids of every refactor offered (enabled or not) on the header of `class`.
fn offered_ids(root: &Path, rel: &str, class: &str) -> Vec<&'static str> {
    offers_on_class(root, &crate::ide::files::Disk, rel, class)
        .into_iter()
        .map(|o| o.id)
        .collect()
}

#[test]
fn cache_repository() {
    insta::assert_snapshot!(shop_snapshot(
        "shipping/carriers.py",
        "CarrierDirectory",
        "cache-repository"
    ));
}

#[test]
fn namespace_tables() {
    insta::assert_snapshot!(shop_snapshot(
        "billing/payments/models.py",
        "Payment",
        "namespace-tables"
    ));
    // One model: a prefix groups nothing, so it is not offered.
    let ids = offered_ids(&shop(), "gitforge/models.py", "Repository");
    assert!(!ids.contains(&"namespace-tables"), "{ids:?}");
}

#[test]
fn context_database() {
    insta::assert_snapshot!(shop_snapshot(
        "catalog/models.py",
        "Publisher",
        "context-database"
    ));
    // Across foreign keys it is offered disabled, with the reason.
    let root = shop();
    let offer = on_class(
        &root,
        &crate::ide::files::Disk,
        "gitforge/models.py",
        "Repository",
        "context-database",
    );
    assert_eq!(offer.title, "Give the `gitforge` context its own database");
    assert!(
        offer
            .outcome
            .as_ref()
            .is_err_and(|r| r.starts_with("foreign keys cross the context's border")),
        "{offer:?}"
    );
}

#[test]
fn django_orm_repository() {
    insta::assert_snapshot!(shop_snapshot(
        "gitforge/models.py",
        "Repository",
        "django-orm-repository"
    ));
}

#[test]
fn specification() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        &[
            ("orders/__init__.py", ""),
            (
                "orders/apps.py",
                "from django.apps import AppConfig\n\n\nclass OrdersConfig(AppConfig):\n    name = \"orders\"\n",
            ),
            (
                "orders/models.py",
                "from django.db import models\n\n\nclass Order(models.Model):\n    number = models.CharField(max_length=20, unique=True)\n    status = models.CharField(max_length=20)\n",
            ),
            (
                "orders/repositories.py",
                "from .models import Order\n\n\nclass OrderRepository:\n    def get_by_number(self, number):\n        return Order.objects.get(number=number).to_domain()\n\n    def find_by_status(self, status):\n        return [o.to_domain() for o in Order.objects.filter(status=status)]\n\n    def add(self, order):\n        Order.from_domain(order).save()\n",
            ),
            (
                "orders/services.py",
                "from .repositories import OrderRepository\n\n\ndef open_orders(repo: OrderRepository):\n    return repo.find_by_status(\"open\")\n",
            ),
        ],
    );
    let view = crate::ide::files::Disk;
    let offer = on_class(
        root,
        &view,
        "orders/repositories.py",
        "OrderRepository",
        "specification",
    );
    insta::assert_snapshot!(before_after(root, &view, "orders/repositories.py", &offer));
}

/// Resolving finds the refactor again by id and target, whatever its title.
#[test]
fn resolve_by_id_and_target() {
    let root = shop();
    let view = crate::ide::files::Disk;
    let offered = on_class(
        &root,
        &view,
        "gitforge/models.py",
        "Repository",
        "django-orm-repository",
    );
    let resolved = with_scope(&root, &view, "gitforge/models.py", |scope, index| {
        let line = index.line_of(offered.at);
        let roots = [root.clone()];
        actions::resolve(scope, index, (line, line), &roots, offered.id, offered.at)
    })
    .expect("resolved");
    assert_eq!(resolved.title, offered.title);
    assert_eq!(resolved.outcome, offered.outcome);
    // Outside the workspace folders nothing is offered.
    let outside = with_scope(&root, &view, "gitforge/models.py", |scope, index| {
        let line = index.line_of(offered.at);
        let roots = [PathBuf::from("/nonexistent-root")];
        actions::resolve(scope, index, (line, line), &roots, offered.id, offered.at)
    });
    assert!(outside.is_none());
}

fn library() -> PathBuf {
    std::fs::canonicalize(Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/library"))
        .unwrap()
}

/// One-line comprehension finders, and a two-argument one left as it is (named in the title).
#[test]
fn specification_on_library_comprehensions() {
    let root = library();
    let offer = on_class(
        &root,
        &crate::ide::files::Disk,
        "catalog/repositories.py",
        "BookRepository",
        "specification",
    );
    insta::assert_snapshot!(before_after(
        &root,
        &crate::ide::files::Disk,
        "catalog/repositories.py",
        &offer
    ));
}

/// The example project's `BookRepository`: `.filter(...).first()` bodies and comprehensions.
#[test]
fn specification_on_shop_book_repository() {
    insta::assert_snapshot!(shop_snapshot(
        "catalog/repositories.py",
        "BookRepository",
        "specification"
    ));
}

/// The refactors offered from the finding of `rule` at byte `start` of `rel`.
fn from_finding(
    root: &Path,
    view: &dyn FileView,
    rel: &str,
    rule: &str,
    start: usize,
) -> Vec<Offer> {
    with_scope(root, view, rel, |scope, _| {
        let roots = [root.to_path_buf()];
        actions::for_finding(scope, rule, start, &roots)
    })
}

/// The library's `Loan.book`, a ForeignKey to catalog's `BookRecord` on another database: the
/// identifier takes the ISBN key, `book_id=` and `loan.book.title` (through catalog's open host
/// service `get_book`) are rewritten, and the import goes.
#[test]
fn reference_by_identity_from_cross_database_relation() {
    let root = library();
    let view = crate::ide::files::Disk;
    let text = std::fs::read_to_string(root.join("lending/models.py")).unwrap();
    let start = text.find("book = models.ForeignKey").unwrap();
    let offers = from_finding(
        &root,
        &view,
        "lending/models.py",
        "cross-database-relation",
        start,
    );
    let offer = offers
        .into_iter()
        .find(|o| o.id == "reference-by-identity")
        .expect("offered");
    insta::assert_snapshot!(before_after(&root, &view, "lending/models.py", &offer));
}

const IDENTITY_PROJECT: &[(&str, &str)] = &[
    (
        "pattern-language.toml",
        "[contexts]\nbilling = [\"billing\"]\nshipping = [\"shipping\"]\n",
    ),
    ("billing/__init__.py", ""),
    ("shipping/__init__.py", ""),
    (
        "billing/apps.py",
        "from django.apps import AppConfig\n\n\nclass BillingConfig(AppConfig):\n    name = \"billing\"\n    default_auto_field = \"django.db.models.AutoField\"\n",
    ),
    (
        "billing/models.py",
        "import uuid\n\nfrom django.db import models\n\n\nclass Invoice(models.Model):\n    id = models.UUIDField(primary_key=True, default=uuid.uuid4)\n    total = models.DecimalField(max_digits=10, decimal_places=2)\n\n\nclass Customer(models.Model):\n    name = models.CharField(max_length=100)\n",
    ),
    (
        "shipping/apps.py",
        "from django.apps import AppConfig\n\n\nclass ShippingConfig(AppConfig):\n    name = \"shipping\"\n",
    ),
    (
        "shipping/models.py",
        "from django.db import models\n\nfrom billing.models import Customer, Invoice\n\n\nclass Shipment(models.Model):\n    invoice = models.ForeignKey(Invoice, null=True, on_delete=models.SET_NULL)\n    customer = models.OneToOneField(Customer, on_delete=models.CASCADE)\n\n    def __str__(self):\n        return f\"shipment of {self.invoice.total}\"\n\n\ndef total_of(invoice: Invoice) -> int:\n    return int(invoice.total)\n",
    ),
    (
        "shipping/views.py",
        "from shipping.models import Shipment\n\n\ndef shipments_of(invoice_id, record):\n    first = Shipment.objects.select_related(\"invoice\").filter(invoice__id=invoice_id).first()\n    Shipment.objects.create(invoice=record, customer_id=1)\n    return [shipment.invoice_id for shipment in Shipment.objects.filter(invoice__total__gt=0)], first\n",
    ),
];

/// From a cross-context import feeding two relation fields: a UUID key and an implicit key of an
/// app whose `default_auto_field` is `AutoField`; the import stays (a function still annotates
/// with `Invoice`), the uses it cannot rewrite are named in the title.
#[test]
fn reference_by_identity_from_cross_context_import() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, IDENTITY_PROJECT);
    let view = crate::ide::files::Disk;
    let text = std::fs::read_to_string(root.join("shipping/models.py")).unwrap();
    let start = text.find("from billing.models").unwrap();
    let offer = from_finding(
        root,
        &view,
        "shipping/models.py",
        "cross-context-import",
        start,
    )
    .into_iter()
    .find(|o| o.id == "reference-by-identity")
    .expect("offered");
    insta::assert_snapshot!(before_after(root, &view, "shipping/models.py", &offer));
}

/// A ManyToManyField is offered disabled, with the reason; an import that feeds no relation field
/// gets no offer.
#[test]
fn reference_by_identity_many_to_many_is_disabled() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut files = IDENTITY_PROJECT.to_vec();
    files.push((
        "shipping/models.py",
        "from django.db import models\n\nfrom billing.models import Invoice\n\n\nclass Shipment(models.Model):\n    invoices = models.ManyToManyField(Invoice)\n",
    ));
    files.push((
        "shipping/services.py",
        "from billing.models import Invoice\n\n\ndef total(pk):\n    return Invoice.objects.get(pk=pk).total\n",
    ));
    write(root, &files);
    let view = crate::ide::files::Disk;
    let offers = from_finding(
        root,
        &view,
        "shipping/models.py",
        "cross-context-import",
        30,
    );
    let offer = offers
        .iter()
        .find(|o| o.id == "reference-by-identity")
        .expect("offered");
    let reason = offer.outcome.as_ref().expect_err("disabled");
    assert!(reason.contains("ManyToManyField"), "{reason}");
    let offers = from_finding(
        root,
        &view,
        "shipping/services.py",
        "cross-context-import",
        0,
    );
    assert!(
        offers.iter().all(|o| o.id != "reference-by-identity"),
        "{offers:?}"
    );
}

/// A context the installed routers already send to its own database is not offered one again;
/// the others are (disabled where a foreign key crosses into them).
#[test]
fn context_database_not_for_a_context_that_has_one() {
    let root = library();
    assert!(!offered_ids(&root, "lending/models.py", "Loan").contains(&"context-database"));
    assert!(
        offered_ids(&root, "members/models.py", "MemberDocument").contains(&"context-database")
    );
}

/// Where an installed router routes apps through a dict of labels to aliases, the context's
/// labels go into that dict (and its alias into DATABASES): no second router.
#[test]
fn context_database_through_an_existing_router() {
    let root = library();
    let view = crate::ide::files::Disk;
    let offer = on_class(
        &root,
        &view,
        "members/models.py",
        "MemberDocument",
        "context-database",
    );
    insta::assert_snapshot!(before_after(&root, &view, "members/models.py", &offer));
}

const SET_ROUTER_PROJECT: &[(&str, &str)] = &[
    ("manage.py", ""),
    ("mysite/__init__.py", ""),
    (
        "mysite/settings.py",
        "INSTALLED_APPS = [\"orders\", \"stock\"]\n\nDATABASES = {\n    \"default\": {\"NAME\": \"shop\"},\n    \"orders\": {\"NAME\": \"orders\"},\n}\n\nDATABASE_ROUTERS = [\"mysite.routers.OrdersRouter\"]\n",
    ),
    (
        "mysite/routers.py",
        "class OrdersRouter:\n    route_app_labels = {\"orders\"}\n\n    def db_for_write(self, model, **hints):\n        if model._meta.app_label in self.route_app_labels:\n            return \"orders\"\n        return None\n\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        if app_label in self.route_app_labels:\n            return db == \"orders\"\n        return None\n",
    ),
    ("orders/__init__.py", ""),
    (
        "orders/models.py",
        "from django.db import models\n\n\nclass Order(models.Model):\n    number = models.CharField(max_length=20)\n",
    ),
    ("stock/__init__.py", ""),
    (
        "stock/models.py",
        "from django.db import models\n\n\nclass Item(models.Model):\n    sku = models.CharField(max_length=20)\n",
    ),
];

/// A router that sends a set of labels to one database is not extended: that database is its
/// contexts', and the context asked for its own. A router of its own is written, as without one.
#[test]
fn context_database_beside_a_set_router() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    write(&root, SET_ROUTER_PROJECT);
    let view = crate::ide::files::Disk;
    let offer = on_class(&root, &view, "stock/models.py", "Item", "context-database");
    assert_eq!(
        offer.title,
        "Give the `stock` context its own database `stock` (router, DATABASES alias, DATABASE_ROUTERS)"
    );
    let after = before_after(&root, &view, "stock/models.py", &offer);
    assert!(after.contains("class StockRouter:"), "{after}");
    assert!(
        after.contains("route_app_labels = {\"orders\"}\n"),
        "{after}"
    );
}

/// A dict router written over several lines gets its entry on a line of its own, indented as the
/// others, and the alias it already has in DATABASES is not added twice.
#[test]
fn context_database_through_a_multiline_dict_router() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let mut files = SET_ROUTER_PROJECT.to_vec();
    files[2].1 = "INSTALLED_APPS = [\"orders\", \"stock\"]\n\nDATABASES = {\n    \"default\": {\"NAME\": \"shop\"},\n    \"orders\": {\"NAME\": \"orders\"},\n    \"stock\": {\"NAME\": \"stock\"},\n}\n\nDATABASE_ROUTERS = [\"mysite.routers.AppRouter\"]\n";
    files[3].1 = "class AppRouter:\n    routes = {\n        \"orders\": \"orders\",\n    }\n\n    def db_for_read(self, model, **hints):\n        return self.routes.get(model._meta.app_label, None)\n\n    def db_for_write(self, model, **hints):\n        return self.routes.get(model._meta.app_label)\n\n    def allow_migrate(self, db, app_label, model_name=None, **hints):\n        if app_label in self.routes:\n            return db == self.routes[app_label]\n        return None\n";
    write(&root, &files);
    let view = crate::ide::files::Disk;
    let offer = on_class(&root, &view, "stock/models.py", "Item", "context-database");
    insta::assert_snapshot!(before_after(&root, &view, "stock/models.py", &offer));
}
