//! The context map in Graphviz DOT, for those who have Graphviz (`dot -Tsvg`).

use super::svg::{arrows, colour};
use super::{ContextMap, RelationKind};
use std::fmt::Write;

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn render(map: &ContextMap) -> String {
    let mut s = String::from(
        "digraph context_map {\n  rankdir=BT;\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f8f9fa\", fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
    );
    for c in &map.contexts {
        let apps = if c.apps.is_empty() {
            "no apps found".to_string()
        } else {
            format!("apps: {}", c.apps.join(", "))
        };
        let text = format!(
            "{}\n{}\ndatabase: {}",
            c.id,
            apps,
            c.database.as_deref().unwrap_or("?")
        );
        // `\n` inside the quoted label is DOT's line break.
        let label = quote(&text.replace('\n', "\u{1}")).replace('\u{1}', "\\n");
        let _ = writeln!(s, "  {} [label={label}];", quote(&c.id));
    }
    for a in arrows(map) {
        let symmetric = !a.directed;
        let style = match a.kind {
            RelationKind::Conformist | RelationKind::SharedKernel => "dashed",
            RelationKind::Leak => "bold",
            _ => "solid",
        };
        let _ = writeln!(
            s,
            "  {} -> {} [label={}, color={}, fontcolor={}, style={style}{}];",
            quote(&map.contexts[a.from].id),
            quote(&map.contexts[a.to].id),
            quote(&a.label),
            quote(colour(a.kind)),
            quote(colour(a.kind)),
            if symmetric { ", dir=none" } else { "" }
        );
    }
    for r in map
        .relations
        .iter()
        .filter(|r| r.kind == RelationKind::SeparateWays)
    {
        let _ = writeln!(
            s,
            "  {} -> {} [label=\"separate ways\", dir=none, style=dotted, color={}, constraint=false];",
            quote(&r.from),
            quote(&r.to),
            quote(colour(RelationKind::SeparateWays))
        );
    }
    s.push_str("}\n");
    s
}
