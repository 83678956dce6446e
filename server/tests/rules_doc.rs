//! The rule registry (`detect::RULES`) against what is written about it: the generated rule list
//! of `docs/detection-rules.md` (rewritten with `UPDATE_DOCS=1`), the contract table's rows and
//! the catalog pages of patterns and fixing patterns.

use pattern_language::detect::{Kind, RULES};
use std::path::Path;

const START: &str = "<!-- rules:start (generated from server/src/detect/registry.rs; UPDATE_DOCS=1 cargo test --test rules_doc) -->";
const END: &str = "<!-- rules:end -->";

fn doc_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/detection-rules.md")
}

fn generated() -> String {
    let mut s = String::from(
        "| rule | kind | default severity | fixed by | detector | what it reports |\n|---|---|---|---|---|---|\n",
    );
    for r in RULES {
        let kind = match r.kind {
            Kind::Smell => "smell",
            _ => "pattern",
        };
        let fixed: Vec<String> = r.fixed_by.iter().map(|p| format!("`{p}`")).collect();
        let detectors: Vec<String> = r
            .detectors
            .iter()
            .map(|d| format!("`{}.rs`", d.name))
            .collect();
        s.push_str(&format!(
            "| `{}` | {kind} | {} | {} | {} | {} |\n",
            r.id,
            format!("{:?}", r.severity).to_lowercase(),
            if fixed.is_empty() {
                "".to_string()
            } else {
                fixed.join(", ")
            },
            detectors.join(", "),
            r.summary.replace('|', "\\|"),
        ));
    }
    s
}

#[test]
fn the_rule_list_of_the_doc_is_generated_from_the_registry() {
    let path = doc_path();
    let doc = std::fs::read_to_string(&path).unwrap();
    let (Some(a), Some(b)) = (doc.find(START), doc.find(END)) else {
        panic!("docs/detection-rules.md lacks the markers {START} ... {END}");
    };
    let current = &doc[a + START.len()..b];
    let want = format!("\n{}", generated());
    if current != want {
        if std::env::var_os("UPDATE_DOCS").is_some() {
            let new = format!("{}{START}{want}{}", &doc[..a], &doc[b..]);
            std::fs::write(&path, new).unwrap();
        } else {
            panic!(
                "the rule list of docs/detection-rules.md is not the registry's; run `UPDATE_DOCS=1 cargo test --test rules_doc`"
            );
        }
    }
}

#[test]
fn the_contract_table_has_one_row_per_rule() {
    let doc = std::fs::read_to_string(doc_path()).unwrap();
    let table = &doc[doc
        .find("| rule | kind | sits at |")
        .expect("contract table")..];
    let rows: Vec<&str> = table
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.trim_start_matches('|').split('|').next().unwrap().trim())
        .collect();
    let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    assert_eq!(rows, ids, "the contract table's rows, in registry order");
}

#[test]
fn rules_are_unique_and_name_catalog_pages() {
    let catalog = pattern_language::catalog::Catalog::embedded();
    for (i, r) in RULES.iter().enumerate() {
        assert!(
            RULES[..i].iter().all(|o| o.id != r.id),
            "{} is defined twice",
            r.id
        );
        assert!(!r.detectors.is_empty(), "{} has no detector", r.id);
        assert!(!r.summary.is_empty(), "{} has no summary", r.id);
        match r.kind {
            Kind::Smell => {
                assert!(!r.fixed_by.is_empty(), "smell {} fixed by nothing", r.id);
                for p in r.fixed_by {
                    assert!(catalog.get(p).is_some(), "{} fixed by unknown {p}", r.id);
                }
            }
            _ => {
                assert!(r.fixed_by.is_empty(), "pattern {} has fixed_by", r.id);
                assert!(catalog.get(r.id).is_some(), "pattern {} has no page", r.id);
            }
        }
    }
}
