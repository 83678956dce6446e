//! Engine internals with criterion: parsing and fact collection of a 5,000-line file, Markdown
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
    c.bench_function("parse only, 5,000-line models.py", |b| {
        b.iter(|| black_box(parse(black_box(&text), None)))
    });
    let tree = parse(&text, None).unwrap();
    c.bench_function("facts only, 5,000-line models.py", |b| {
        b.iter(|| black_box(facts::collect(&tree, &text, "app.models", false)))
    });
    c.bench_function("parse + facts, 5,000-line models.py", |b| {
        b.iter(|| {
            let tree = parse(black_box(&text), None).unwrap();
            black_box(facts::collect(&tree, &text, "app.models", false))
        })
    });
    // The editor's path after a one-character edit, piece by piece.
    let mut edited = text.clone();
    edited.insert(text.find("name =").unwrap() + 1, 'x');
    let mut cache = facts::FactsCache::default();
    let _ = facts::collect_cached(&tree, &text, "app.models", false, &mut cache);
    let tree2 = parse(&edited, None).unwrap();
    c.bench_function("facts after a 1-char edit (cached), 5,000 lines", |b| {
        b.iter_batched(
            || cache.clone(),
            |mut warm| {
                black_box(facts::collect_cached(
                    &tree2,
                    &edited,
                    "app.models",
                    false,
                    &mut warm,
                ))
            },
            criterion::BatchSize::LargeInput,
        )
    });
    let source = std::sync::Arc::new(pattern_language::python::project::SourceFile::new(
        "app/models.py".into(),
        std::sync::Arc::from(text.as_str()),
        facts::collect(&tree, &text, "app.models", false),
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
