//! Engine internals with criterion: parsing and fact collection of a 5,000-line file (tree-sitter
//! against ruff's parser, in bytes per second), Markdown
//! reference matching on a 5,000-line document.

use criterion::{Criterion, criterion_group, criterion_main};
use pattern_language::catalog::Catalog;
use pattern_language::markdown::{Names, references};
use pattern_language::python::{facts, parse};
use std::hint::black_box;

fn models(lines: usize) -> String {
    let mut s = String::from("from django.db import models\n\n");
    let mut k = 0;
    while s.lines().count() < lines {
        s.push_str(&format!("class Thing{k}(models.Model):\n    name = models.CharField(max_length=20)\n    size = models.IntegerField()\n\n"));
        k += 1;
    }
    s
}

fn bench(c: &mut Criterion) {
    let text = models(5000);
    let mut group = c.benchmark_group("5,000-line models.py");
    group.throughput(criterion::Throughput::Bytes(text.len() as u64));
    // tree-sitter now parses only for team queries; kept here as the yardstick.
    group.bench_function("tree-sitter parse only", |b| {
        b.iter(|| black_box(parse(black_box(&text), None)))
    });
    group.bench_function("ruff parse + facts", |b| {
        b.iter(|| black_box(facts::collect(black_box(&text), "app.models", false)))
    });
    group.finish();
    let source = std::sync::Arc::new(pattern_language::python::project::SourceFile::new(
        "app/models.py".into(),
        std::sync::Arc::from(text.as_str()),
        facts::collect(&text, "app.models", false),
    ));
    c.bench_function("project + roles, one 5,000-line file", |b| {
        b.iter(|| {
            black_box(pattern_language::analysis::Analysis::from_sources(
                vec![source.clone()],
                Vec::new(),
                Default::default(),
            ))
        })
    });
    let analysis = pattern_language::analysis::Analysis::from_sources(
        vec![source.clone()],
        Vec::new(),
        Default::default(),
    );
    c.bench_function("detectors, one 5,000-line file", |b| {
        b.iter(|| {
            black_box(pattern_language::detect::check_file(
                &analysis.project,
                &analysis.roles,
                0,
                &pattern_language::python::source::FileText::new(&source),
            ))
        })
    });
    let catalog = Catalog::embedded();
    let names = Names::new(&catalog);
    let doc: String = (0..5000)
        .map(|i| format!("Line {i}: through an anticorruption layer; see [[cached-repository]].\n"))
        .collect();
    c.bench_function("markdown references, 5,000 lines", |b| {
        b.iter(|| black_box(references(black_box(&doc), &catalog, &names)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
