//! The catalog proves its examples: every embedded page's `## Example` fences are analysed, and a
//! detectable page's example must be recognised as its own pattern (a "before" fence must show the
//! smell the page fixes). The same check runs in `catalog check` for a project's own pages.

use pattern_language::compiled::CompiledCatalog;
use pattern_language::markdown::fences;

/// Pages whose pattern cannot be seen in code: `detectable = false` in their front matter.
const NOT_DETECTABLE: &[&str] = &[
    "conformist",
    "core-subdomain",
    "multi-user-groups",
    "partnership",
    "separate-ways",
    "single-tenancy",
    "single-user-group",
    "supporting-subdomain",
];

/// Detectable pages whose example the current detectors do not recognise yet: each needs its
/// example rewritten to show the evidence its Detection section names. The list may only shrink.
const EXAMPLE_NOT_YET_RECOGNISED: &[&str] = &[];

#[test]
fn every_detectable_embedded_example_is_recognised() {
    let catalog = CompiledCatalog::embedded();
    let mut not_detectable: Vec<&str> = catalog
        .patterns()
        .iter()
        .filter(|p| !p.is_detectable())
        .map(|p| p.id.as_str())
        .collect();
    not_detectable.sort();
    assert_eq!(not_detectable, NOT_DETECTABLE);

    let mut failing = Vec::new();
    for p in catalog.patterns().iter().filter(|p| p.is_detectable()) {
        assert!(
            !fences::example_fences(&p.text).is_empty(),
            "{}: a detectable page needs a Python Example",
            p.id
        );
        match fences::check_example(p, &catalog) {
            Ok(()) => assert!(
                !EXAMPLE_NOT_YET_RECOGNISED.contains(&p.id.as_str()),
                "{} is recognised now: take it off EXAMPLE_NOT_YET_RECOGNISED",
                p.id
            ),
            Err(why) => failing.push((p.id.clone(), why)),
        }
    }
    let mut ids: Vec<&str> = failing.iter().map(|(id, _)| id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, EXAMPLE_NOT_YET_RECOGNISED, "{failing:#?}");
}

#[test]
fn a_before_example_must_show_the_smell() {
    let page = "+++\nid = \"repository-specification\"\ntitle = \"Repository specification\"\n\
                category = \"repository\"\naliases = []\nrelated = []\ntags = []\n+++\n\
                # Repository specification\n\n## Example\n\n```python\n# before: nothing wrong here\nx = 1\n```\n\n## Detection\n";
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("repository-specification.md");
    std::fs::write(&file, page).unwrap();
    let catalog = CompiledCatalog::load(&[file]);
    let p = catalog.get("repository-specification").unwrap();
    let err = fences::check_example(p, &catalog).unwrap_err();
    assert!(err.contains("query-method-sprawl"), "{err}");
}

#[test]
fn team_queries_run_on_fences_and_team_pages_are_held_to_their_example() {
    let page = "+++\nid = \"payment-gateway\"\ntitle = \"Payment gateway\"\ncategory = \"integration\"\n\
                aliases = []\nrelated = []\ntags = []\n+++\n# Payment gateway\n\nA port to the payment provider.\n\n\
                ## Example\n\n```python\nclass StripeGateway:\n    pass\n```\n\n## Detection\n\n\
                ```query\n(class_definition name: (identifier) @name (#match? @name \"Gateway$\")) @pattern\n```\n";
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("payment-gateway.md");
    std::fs::write(&file, page).unwrap();
    let catalog = CompiledCatalog::load(std::slice::from_ref(&file));
    let p = catalog.get("payment-gateway").unwrap();
    assert_eq!(fences::check_example(p, &catalog), Ok(()));

    // The same query finds the class in a design doc's fence, at the document's line.
    let doc = "# Payments\n\n```python\nclass AdyenGateway:\n    pass\n```\n";
    let found = fences::findings(
        std::path::Path::new("design.md"),
        doc,
        &Default::default(),
        catalog.team_queries(),
    );
    let hit = found
        .iter()
        .find(|f| f.rule == "payment-gateway")
        .expect("the team query matched in the fence");
    assert_eq!(doc[..hit.span.start].matches('\n').count(), 3);

    // A team page whose example does not show its pattern is reported by `catalog check`.
    let bad = page.replace("class StripeGateway", "class Stripe");
    std::fs::write(&file, bad).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pattern-language"))
        .args(["catalog", "check", "--catalog"])
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert!(
        stdout.contains("payment-gateway.md")
            && stdout.contains("not recognised as `payment-gateway`"),
        "{stdout}"
    );
}
