//! The context map as a Mermaid flowchart, as GitHub renders it in a ```mermaid block.

use super::svg::{arrows, colour};
use super::{ContextMap, RelationKind};
use std::fmt::Write;

/// Text safe inside a quoted Mermaid label.
fn label(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
        .replace(['\n', '\r'], " ")
}

pub fn render(map: &ContextMap) -> String {
    let mut s = String::from("flowchart BT\n");
    for (i, c) in map.contexts.iter().enumerate() {
        let apps = if c.apps.is_empty() {
            "no apps found".to_string()
        } else {
            format!("apps: {}", c.apps.join(", "))
        };
        let db = format!("database: {}", c.database.as_deref().unwrap_or("?"));
        let _ = writeln!(
            s,
            "  c{i}[\"{}<br/>{}<br/>{}\"]",
            label(&c.id),
            label(&apps),
            label(&db)
        );
    }
    let mut styles = Vec::new();
    let mut link = 0usize;
    for a in arrows(map) {
        let symmetric = !a.directed;
        let op = match (a.kind, symmetric) {
            (RelationKind::Leak, _) => "==>",
            (_, true) => "---",
            (RelationKind::Conformist, _) => "-.->",
            _ => "-->",
        };
        let text: Vec<String> = a.lines.iter().map(|(_, t)| label(t)).collect();
        let _ = writeln!(
            s,
            "  c{} {op}|\"{}\"| c{}",
            a.from,
            text.join("<br/>"),
            a.to
        );
        styles.push(format!(
            "  linkStyle {link} stroke:{},stroke-width:{}px",
            colour(a.kind),
            if a.kind == RelationKind::Leak { 3 } else { 2 }
        ));
        link += 1;
    }
    let index = |id: &str| map.contexts.iter().position(|c| c.id == id);
    for r in map
        .relations
        .iter()
        .filter(|r| r.kind == RelationKind::SeparateWays)
    {
        if let (Some(a), Some(b)) = (index(&r.from), index(&r.to)) {
            let _ = writeln!(s, "  c{a} -.-|\"separate ways\"| c{b}");
            styles.push(format!(
                "  linkStyle {link} stroke:{}",
                colour(RelationKind::SeparateWays)
            ));
            link += 1;
        }
    }
    for st in styles {
        s.push_str(&st);
        s.push('\n');
    }
    s
}
