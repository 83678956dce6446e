//! The context map as SVG, drawn here (no Graphviz): boxes for contexts listing their apps,
//! database and patterns; one labelled arrow per (from, to) pair of contexts, in the colour of
//! its worst kind (a leak in the warning colour); a legend; separate ways listed below.
//!
//! Each relation's group carries `data-relation="<index into ContextMap::relations>"` (a
//! comma-separated list when several relations share the arrow) and a `<title>` with its
//! evidence, so a viewer can show the evidence on click.

use super::layout::{self, Layout, Rect};
use super::{ContextMap, RelationKind};
use std::fmt::Write;

const FONT: &str = "-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
const CHAR_W: f64 = 7.0;
const LINE_H: f64 = 16.0;
const PAD: f64 = 10.0;
const TITLE_GAP: f64 = 6.0;
const MAX_APPS: usize = 6;
const MAX_PATTERNS: usize = 4;

pub fn colour(kind: RelationKind) -> &'static str {
    match kind {
        RelationKind::Leak => "#d9480f",
        RelationKind::Conformist => "#6c757d",
        RelationKind::AnticorruptionLayer => "#2b8a3e",
        RelationKind::OpenHostService => "#1c7ed6",
        RelationKind::Partnership => "#7048e8",
        RelationKind::SharedKernel => "#0c8599",
        RelationKind::SeparateWays => "#adb5bd",
    }
}

/// The lines of a context's box: (text, bold).
fn box_lines(c: &super::MapContext) -> Vec<(String, bool)> {
    let mut lines = vec![(c.id.clone(), true)];
    if c.apps.is_empty() {
        lines.push(("apps: (none found)".into(), false));
    } else if c.apps.len() == 1 && c.apps[0] == c.id {
        lines.push((format!("app: {}", c.apps[0]), false));
    } else {
        lines.push((format!("apps ({}):", c.apps.len()), false));
        for chunk in c.apps.iter().take(MAX_APPS).collect::<Vec<_>>().chunks(2) {
            let names: Vec<&str> = chunk.iter().map(|s| s.as_str()).collect();
            lines.push((format!("  {}", names.join(", ")), false));
        }
        if c.apps.len() > MAX_APPS {
            lines.push((format!("  + {} more", c.apps.len() - MAX_APPS), false));
        }
    }
    lines.push((
        format!("database: {}", c.database.as_deref().unwrap_or("?")),
        false,
    ));
    let shown: Vec<&str> = c
        .patterns
        .iter()
        .filter(|p| !p.ends_with("bounded-context") && p.as_str() != "context-database")
        .map(String::as_str)
        .collect();
    if !shown.is_empty() {
        let mut t = shown
            .iter()
            .take(MAX_PATTERNS)
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        if shown.len() > MAX_PATTERNS {
            t.push_str(&format!(" +{}", shown.len() - MAX_PATTERNS));
        }
        // Long pattern lists wrap at ~48 characters.
        let mut line = String::from("patterns: ");
        for word in t.split_inclusive(", ") {
            if line.len() + word.len() > 48 && line.len() > 12 {
                lines.push((line.trim_end().to_string(), false));
                line = String::from("  ");
            }
            line.push_str(word);
        }
        lines.push((line, false));
    }
    lines
}

fn sizes(lines: &[Vec<(String, bool)>]) -> Vec<(f64, f64)> {
    lines
        .iter()
        .map(|ls| {
            let w = ls
                .iter()
                .map(|(t, b)| text_width(t, *b))
                .fold(120.0, f64::max);
            (
                w + 2.0 * PAD,
                ls.len() as f64 * LINE_H + 2.0 * PAD + TITLE_GAP,
            )
        })
        .collect()
}

fn text_width(s: &str, bold: bool) -> f64 {
    s.chars().count() as f64 * if bold { CHAR_W * 1.1 } else { CHAR_W }
}

/// One drawn arrow: the relations (indices) it stands for.
pub struct Arrow {
    pub from: usize,
    pub to: usize,
    pub relations: Vec<usize>,
    /// The colour's kind: the worst directed kind, else the first symmetric one.
    pub kind: RelationKind,
    /// Drawn with an arrowhead at `to`.
    pub directed: bool,
    /// One line per kind: (kind, "label ×n").
    pub lines: Vec<(RelationKind, String)>,
    /// The lines joined, for one-line renderers.
    pub label: String,
}

/// Arrows between contexts, separate ways left out: one per direction that has directed
/// relations, the symmetric relations of the pair riding on the first; a pair with only
/// symmetric relations gets one arrow without a head.
pub fn arrows(map: &ContextMap) -> Vec<Arrow> {
    let index = |id: &str| map.contexts.iter().position(|c| c.id == id);
    // Unordered pair -> (a->b directed, b->a directed, symmetric), a < b by index.
    type Lists = [Vec<usize>; 3];
    let mut pairs: Vec<((usize, usize), Lists)> = Vec::new();
    for (i, r) in map.relations.iter().enumerate() {
        if r.kind == RelationKind::SeparateWays {
            continue;
        }
        let (Some(a), Some(b)) = (index(&r.from), index(&r.to)) else {
            continue;
        };
        let key = (a.min(b), a.max(b));
        let slot = if r.kind.symmetric() {
            2
        } else if a == key.0 {
            0
        } else {
            1
        };
        match pairs.iter_mut().find(|(k, _)| *k == key) {
            Some((_, lists)) => lists[slot].push(i),
            None => {
                let mut lists: [Vec<usize>; 3] = Default::default();
                lists[slot].push(i);
                pairs.push((key, lists));
            }
        }
    }
    let mut out: Vec<Arrow> = Vec::new();
    for ((a, b), [ab, ba, sym]) in pairs {
        let mut sym = Some(sym);
        let mut directed: Vec<(usize, usize, Vec<usize>)> = Vec::new();
        if !ab.is_empty() {
            directed.push((a, b, ab));
        }
        if !ba.is_empty() {
            directed.push((b, a, ba));
        }
        if directed.is_empty() {
            directed.push((a, b, Vec::new()));
        }
        for (k, (from, to, mut rels)) in directed.into_iter().enumerate() {
            let is_directed = !rels.is_empty();
            if k == 0
                && let Some(s) = sym.take()
            {
                rels.extend(s);
            }
            if rels.is_empty() {
                continue;
            }
            let mut parts: Vec<(RelationKind, usize)> = rels
                .iter()
                .map(|&i| (map.relations[i].kind, map.relations[i].evidence.len()))
                .collect();
            parts.sort();
            let kind = parts
                .iter()
                .map(|p| p.0)
                .find(|k| !k.symmetric())
                .unwrap_or(parts[0].0);
            let lines: Vec<(RelationKind, String)> = parts
                .iter()
                .map(|(k, n)| (*k, format!("{} ×{n}", k.label())))
                .collect();
            let label = lines
                .iter()
                .map(|l| l.1.as_str())
                .collect::<Vec<_>>()
                .join(" · ");
            out.push(Arrow {
                from,
                to,
                relations: rels,
                kind,
                directed: is_directed,
                lines,
                label,
            });
        }
    }
    out
}

/// An arrow's weight for the layout: its evidence count (symmetric relations weigh little, so
/// the directed ones decide what is drawn above).
fn weights(map: &ContextMap, arrows: &[Arrow]) -> Vec<f64> {
    arrows
        .iter()
        .map(|a| {
            a.relations
                .iter()
                .map(|&i| {
                    let r = &map.relations[i];
                    let n = r.evidence.len() as f64;
                    if r.kind.symmetric() { n * 0.1 } else { n }
                })
                .sum()
        })
        .collect()
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Renders the map.
pub fn render(map: &ContextMap) -> String {
    let lines: Vec<Vec<(String, bool)>> = map.contexts.iter().map(box_lines).collect();
    let sizes = sizes(&lines);
    let arrows = arrows(map);
    let edges: Vec<(usize, usize)> = arrows.iter().map(|a| (a.from, a.to)).collect();
    let weights = weights(map, &arrows);
    let Layout {
        nodes,
        edges: routes,
        width,
        height,
    } = layout::layout_weighted(&sizes, &edges, &weights);

    let connected: Vec<bool> = (0..map.contexts.len())
        .map(|i| edges.iter().any(|&(a, b)| a != b && (a == i || b == i)))
        .collect();
    let separate: Vec<String> = map
        .relations
        .iter()
        .filter(|r| r.kind == RelationKind::SeparateWays)
        .map(|r| format!("{} — {}", r.from, r.to))
        .collect();

    // Legend and notes below the drawing.
    let legend_top = height + 10.0;
    let kinds: Vec<RelationKind> = RelationKind::ALL
        .iter()
        .copied()
        .filter(|k| *k != RelationKind::SeparateWays)
        .collect();
    let total_w = width.max(if map.contexts.is_empty() {
        960.0
    } else {
        760.0
    });
    let dense = arrows.len() > 2 * map.contexts.len().max(4);
    let legend_h = 30.0
        + (kinds.len() as f64 / 2.0).ceil() * 20.0
        + 44.0
        + 18.0 * separate_lines(&separate, total_w).len() as f64
        + if dense { 18.0 } else { 0.0 };
    let total_h = legend_top + legend_h + 10.0;

    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" font-family="{FONT}" font-size="12">"#,
        w = total_w,
        h = total_h
    );
    let _ = writeln!(s, "<title>Context map</title>");
    s.push_str("<defs>\n");
    for k in RelationKind::ALL {
        let _ = writeln!(
            s,
            r#"<marker id="arrow-{id}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{c}"/></marker>"#,
            id = k.id(),
            c = colour(k)
        );
    }
    s.push_str("</defs>\n");
    let _ = writeln!(
        s,
        r##"<rect x="0" y="0" width="{total_w:.0}" height="{total_h:.0}" fill="#ffffff"/>"##
    );

    if map.contexts.is_empty() {
        let _ = writeln!(
            s,
            r##"<text x="20" y="40" font-size="14" fill="#495057">No bounded contexts found: no Django apps (AppConfig, or models beside apps/admin/migrations) and no `contexts` in the config.</text>"##
        );
    }
    // Contexts.
    for (i, (c, r)) in map.contexts.iter().zip(&nodes).enumerate() {
        let dashed = if connected[i] {
            ""
        } else {
            r#" stroke-dasharray="6 4""#
        };
        let _ = writeln!(
            s,
            r##"<g class="context" data-context="{id}"><title>{id}</title><rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" rx="6" fill="#f8f9fa" stroke="#343a40" stroke-width="1.5"{dashed}/>"##,
            id = escape(&c.id),
            x = r.x,
            y = r.y,
            w = r.w,
            h = r.h
        );
        for (k, (t, bold)) in lines[i].iter().enumerate() {
            let y = r.y + PAD + LINE_H * (k as f64 + 0.75) + if k > 0 { TITLE_GAP } else { 0.0 };
            let (t, x) = match t.strip_prefix("  ") {
                Some(rest) => (rest, r.x + PAD + 12.0),
                None => (t.as_str(), r.x + PAD),
            };
            let weight = if *bold {
                r#" font-weight="bold" font-size="13""#
            } else {
                ""
            };
            let _ = writeln!(
                s,
                r##"<text x="{x:.1}" y="{y:.1}"{weight} fill="#212529">{t}</text>"##,
                t = escape(t)
            );
        }
        if *lines[i].first().map(|(_, b)| b).unwrap_or(&false) {
            let y = r.y + PAD + LINE_H + TITLE_GAP / 2.0 + 1.0;
            let _ = writeln!(
                s,
                r##"<line x1="{x1:.1}" y1="{y:.1}" x2="{x2:.1}" y2="{y:.1}" stroke="#ced4da"/>"##,
                x1 = r.x + 4.0,
                x2 = r.x + r.w - 4.0
            );
        }
        s.push_str("</g>\n");
    }

    // Relations. A dense map (more arrows than twice the contexts) leaves the labels out: the
    // colour tells the worst kind and each arrow's tooltip its relations and evidence.
    let mut placed: Vec<(f64, f64, f64, f64)> = Vec::new();
    for (arrow, route) in arrows.iter().zip(&routes) {
        if route.len() < 2 {
            continue;
        }
        let c = colour(arrow.kind);
        let ids: Vec<String> = arrow.relations.iter().map(|i| i.to_string()).collect();
        let mut title = format!(
            "{} → {}: {}",
            map.contexts[arrow.from].id, map.contexts[arrow.to].id, arrow.label
        );
        for &ri in &arrow.relations {
            for e in map.relations[ri].evidence.iter().take(20) {
                title.push_str(&format!("\n{}:{}: {}", e.path, e.line, e.message));
            }
        }
        let d: String = route
            .iter()
            .enumerate()
            .map(|(k, (x, y))| format!("{}{x:.1},{y:.1}", if k == 0 { "M" } else { " L" }))
            .collect();
        let marker = if !arrow.directed {
            String::new()
        } else {
            format!(r#" marker-end="url(#arrow-{})""#, arrow.kind.id())
        };
        let dash = match arrow.kind {
            RelationKind::SharedKernel => r#" stroke-dasharray="8 4""#,
            RelationKind::Conformist => r#" stroke-dasharray="3 3""#,
            _ => "",
        };
        let wide = if arrow.kind == RelationKind::Leak {
            2.5
        } else {
            1.8
        };
        let _ = writeln!(
            s,
            r#"<g class="relation" data-relation="{ids}" data-kind="{kind}" style="cursor:pointer"><title>{title}</title><path d="{d}" fill="none" stroke="transparent" stroke-width="12"/><path d="{d}" fill="none" stroke="{c}" stroke-width="{wide}"{dash}{marker}/>"#,
            ids = ids.join(","),
            kind = arrow.kind.id(),
            title = escape(&title),
        );
        if dense {
            s.push_str("</g>\n");
            continue;
        }
        // The label sits on a segment between layers: at the end with fewer arrows (a hub's
        // side is crowded), moved along the segment until it overlaps no label placed before.
        let lw = arrow
            .lines
            .iter()
            .map(|(_, t)| text_width(t, false) * 0.92)
            .fold(0.0, f64::max)
            + 8.0;
        let lh = 14.0 * arrow.lines.len() as f64 + 4.0;
        let crowd = |v: usize| arrows.iter().filter(|a| a.from == v || a.to == v).count();
        let (p1, p2) = if crowd(arrow.to) > crowd(arrow.from) {
            (route[0], route[1])
        } else {
            (route[route.len() - 2], route[route.len() - 1])
        };
        let at = |t: f64| (p1.0 + (p2.0 - p1.0) * t, p1.1 + (p2.1 - p1.1) * t);
        let free = |(x, y): (f64, f64), placed: &[(f64, f64, f64, f64)]| {
            placed.iter().all(|&(px, py, pw, ph)| {
                (x - px).abs() * 2.0 >= lw + pw + 2.0 || (y - py).abs() * 2.0 >= lh + ph + 2.0
            })
        };
        let (lx, ly) = [0.5, 0.35, 0.65, 0.25, 0.75, 0.15, 0.85]
            .iter()
            .map(|&t| at(t))
            .find(|&p| free(p, &placed))
            .unwrap_or_else(|| at(0.5));
        placed.push((lx, ly, lw, lh));
        let _ = write!(
            s,
            r##"<rect x="{x:.1}" y="{y:.1}" width="{lw:.1}" height="{lh:.1}" rx="3" fill="#ffffff" fill-opacity="0.92" stroke="{c}" stroke-width="0.8"/>"##,
            x = lx - lw / 2.0,
            y = ly - lh / 2.0,
        );
        for (k, (kind, t)) in arrow.lines.iter().enumerate() {
            let _ = write!(
                s,
                r#"<text x="{lx:.1}" y="{ty:.1}" font-size="11" fill="{c}" text-anchor="middle">{t}</text>"#,
                ty = ly - lh / 2.0 + 13.0 + 14.0 * k as f64,
                c = colour(*kind),
                t = escape(t)
            );
        }
        s.push_str("</g>\n");
    }

    // Legend.
    let _ = writeln!(
        s,
        r##"<g class="legend"><rect x="10" y="{y:.1}" width="{w:.1}" height="{h:.1}" rx="4" fill="#ffffff" stroke="#ced4da"/><text x="20" y="{ty:.1}" font-weight="bold">Legend</text>"##,
        y = legend_top,
        w = total_w - 20.0,
        h = legend_h,
        ty = legend_top + 20.0
    );
    for (k, kind) in kinds.iter().enumerate() {
        let col = (k % 2) as f64;
        let row = (k / 2) as f64;
        let x = 20.0 + col * 270.0;
        let y = legend_top + 38.0 + row * 20.0;
        let dash = match kind {
            RelationKind::SharedKernel => r#" stroke-dasharray="8 4""#,
            RelationKind::Conformist => r#" stroke-dasharray="3 3""#,
            _ => "",
        };
        let marker = if kind.symmetric() {
            String::new()
        } else {
            format!(r#" marker-end="url(#arrow-{})""#, kind.id())
        };
        let _ = writeln!(
            s,
            r#"<line x1="{x:.1}" y1="{y:.1}" x2="{x2:.1}" y2="{y:.1}" stroke="{c}" stroke-width="2"{dash}{marker}/><text x="{tx:.1}" y="{ty:.1}">{label}</text>"#,
            x2 = x + 40.0,
            c = colour(*kind),
            tx = x + 50.0,
            ty = y + 4.0,
            label = escape(kind.label())
        );
    }
    let notes_y = legend_top + 38.0 + (kinds.len() as f64 / 2.0).ceil() * 20.0;
    let _ = writeln!(
        s,
        r##"<text x="20" y="{y:.1}" fill="#495057">An arrow points from the context that depends to the one it depends on; ×n counts the evidence.</text><text x="20" y="{y2:.1}" fill="#495057">A dashed box has no relation to any other context.</text>"##,
        y = notes_y + 4.0,
        y2 = notes_y + 22.0
    );
    for (k, line) in separate_lines(&separate, total_w).iter().enumerate() {
        let _ = writeln!(
            s,
            r##"<text x="20" y="{y:.1}" fill="#495057">{t}</text>"##,
            y = notes_y + 40.0 + 18.0 * k as f64,
            t = escape(line)
        );
    }
    if dense {
        let _ = writeln!(
            s,
            r##"<text x="20" y="{y:.1}" fill="#495057">A dense map: arrows carry no labels; hover an arrow for its relations and evidence (or see --format json).</text>"##,
            y = notes_y + 40.0 + 18.0 * separate_lines(&separate, total_w).len() as f64,
        );
    }
    s.push_str("</g>\n</svg>\n");
    s
}

/// The separate-ways note, wrapped to the drawing's width; past 40 pairs only their count.
fn separate_lines(pairs: &[String], width: f64) -> Vec<String> {
    if pairs.is_empty() {
        return Vec::new();
    }
    let head = "Separate ways (declared contexts with nothing between them): ";
    if pairs.len() > 40 {
        return vec![format!(
            "{head}{} pairs (listed in --format json)",
            pairs.len()
        )];
    }
    let max = ((width - 40.0) / CHAR_W).max(40.0) as usize;
    let mut lines = vec![head.to_string()];
    for (i, p) in pairs.iter().enumerate() {
        let piece = if i + 1 < pairs.len() {
            format!("{p}, ")
        } else {
            p.clone()
        };
        if lines.last().is_some_and(|l| l.len() + piece.len() > max) {
            lines.push(String::from("    "));
        }
        if let Some(l) = lines.last_mut() {
            l.push_str(&piece);
        }
    }
    lines
}

/// The rectangles of the drawn contexts (for tests).
pub fn context_boxes(map: &ContextMap) -> Vec<Rect> {
    let lines: Vec<Vec<(String, bool)>> = map.contexts.iter().map(box_lines).collect();
    let sizes = sizes(&lines);
    let arrows = arrows(map);
    let edges: Vec<(usize, usize)> = arrows.iter().map(|a| (a.from, a.to)).collect();
    layout::layout_weighted(&sizes, &edges, &weights(map, &arrows)).nodes
}
