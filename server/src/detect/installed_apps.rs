//! ## generic-subdomain, multi-tenancy, transactional-outbox and cqrs in `INSTALLED_APPS`
//!
//! **What it recognises.** Reusable apps that solve a generic subdomain (allauth for accounts,
//! anymail for e-mail, ...), multi-tenancy packages (django-tenants, django-multitenant), outbox
//! libraries (django-outbox-pattern, jaiminho) and django-cqrs, at their `INSTALLED_APPS` entry.
//! A model subclassing `TenantMixin` is a multi-tenancy model.
//!
//! **Why it matters.** A generic subdomain bought rather than built is time kept for the core.

use super::{Cx, Finding};
use crate::python::facts::Value;

const GENERIC: &[(&str, &str)] = &[
    ("allauth", "accounts and social login"),
    ("anymail", "transactional e-mail"),
    ("django_otp", "one-time passwords"),
    ("two_factor", "two-factor authentication"),
    ("guardian", "object permissions"),
    ("rules", "permissions"),
    ("axes", "login throttling"),
    ("invitations", "invitations"),
    ("taggit", "tagging"),
    ("import_export", "data import and export"),
    ("django_celery_beat", "scheduled jobs"),
    ("wagtail", "content management"),
    ("oscar", "e-commerce"),
    ("djstripe", "payments"),
    ("notifications", "notifications"),
    ("waffle", "feature flags"),
    ("constance", "runtime settings"),
    ("auditlog", "audit logs"),
    ("simple_history", "model history"),
];
const TENANCY: &[&str] = &[
    "django_tenants",
    "tenant_schemas",
    "django_multitenant",
    "tenant_users",
];
const OUTBOX: &[&str] = &["django_outbox_pattern", "jaiminho"];
const CQRS: &[&str] = &["dj_cqrs"];

pub(super) fn run(cx: &Cx, out: &mut Vec<Finding>) {
    let mut seen: Vec<&str> = Vec::new();
    for assign in cx
        .file
        .facts
        .assigns
        .iter()
        .filter(|a| a.name == "INSTALLED_APPS" || a.name.ends_with("_APPS"))
    {
        for item in assign.value.items() {
            let Value::Str(entry, span) = item else {
                continue;
            };
            let top = entry.split('.').next().unwrap_or(entry);
            if seen.contains(&top) {
                continue;
            }
            let found = if let Some((_, what)) = GENERIC.iter().find(|(p, _)| *p == top) {
                Some((
                    "generic-subdomain",
                    format!("`{entry}` solves a generic subdomain ({what}) with a reusable app"),
                ))
            } else if TENANCY.contains(&top) {
                Some((
                    "multi-tenancy",
                    format!("`{entry}` makes the project multi-tenant"),
                ))
            } else if OUTBOX.contains(&top) {
                Some((
                    "transactional-outbox",
                    format!("`{entry}` publishes messages through a transactional outbox"),
                ))
            } else if CQRS.contains(&top) {
                Some((
                    "cqrs",
                    format!("`{entry}` synchronises read models between services (CQRS)"),
                ))
            } else {
                None
            };
            if let Some((rule, message)) = found {
                seen.push(top);
                out.push(cx.finding(
                    rule,
                    cx.line_span(span),
                    message,
                    vec![format!("INSTALLED_APPS entry `{entry}`")],
                ));
            }
        }
    }
    for (ci, c) in cx.file.facts.classes.iter().enumerate() {
        if cx.project.is_model((cx.index, ci))
            && c.bases
                .iter()
                .any(|b| b.rsplit('.').next() == Some("TenantMixin"))
        {
            out.push(cx.finding(
                "multi-tenancy",
                cx.class_span(c),
                format!("`{}` is the tenant model of a multi-tenant project", c.name),
                vec!["subclasses TenantMixin".into()],
            ));
        }
    }
}
