//! A small Sugiyama-style layered layout: cycle removal (DFS back edges reversed), layering
//! (longest path, then each node moved down next to the nodes that depend on it), dummy nodes
//! for edges that span layers, crossing reduction by barycentre sweeps (the ordering with the
//! fewest crossings is kept), and coordinates by iterated averaging with neighbours under the
//! minimum separation. Nodes without edges go into a grid below the layered part.
//!
//! An edge `a -> b` means `a` depends on `b`: `b` is drawn above `a`. Graphs here are small
//! (tens of contexts), so the simple quadratic steps are fine.
//!
//! Why not a crate: `rust-sugiyama` returns node positions only (no routes through its dummy
//! vertices, so long edges would cut across boxes) and brings petgraph; `dagre` (a port of
//! dagre.js) is one young release; `layout-rs` is a whole Graphviz-like renderer. Our drawing
//! needs node boxes of their own sizes, routed long edges and weighted cycle breaking, in a few
//! hundred lines that the tests cover.

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }
}

#[derive(Clone, Debug, Default)]
pub struct Layout {
    pub nodes: Vec<Rect>,
    /// One polyline per input edge, from its source to its target.
    pub edges: Vec<Vec<(f64, f64)>>,
    pub width: f64,
    pub height: f64,
}

pub const NODE_GAP: f64 = 48.0;
pub const LAYER_GAP: f64 = 110.0;
const DUMMY_W: f64 = 10.0;
const MARGIN: f64 = 20.0;

/// Lays out nodes of the given (width, height) with directed edges (indices into `sizes`).
pub fn layout(sizes: &[(f64, f64)], edges: &[(usize, usize)]) -> Layout {
    layout_weighted(sizes, edges, &[])
}

/// As [`layout`], with a weight per edge (missing weights count 1): when dependencies form a
/// cycle, the lighter edges are the ones drawn against the top-down direction.
pub fn layout_weighted(sizes: &[(f64, f64)], edges: &[(usize, usize)], weights: &[f64]) -> Layout {
    let n = sizes.len();
    let valid = |&(a, b): &(usize, usize)| a != b && a < n && b < n;
    let mut connected = vec![false; n];
    for &(a, b) in edges.iter().filter(|e| valid(e)) {
        connected[a] = true;
        connected[b] = true;
    }

    // 1. Cycle removal (Eades, Lin and Smyth's greedy order, weighted): nodes that depend on
    // nothing left go to the top, nodes nothing left depends on to the bottom, otherwise the node
    // most depended upon (by weight) goes to the top; an edge against that order is reversed, so
    // a dependency of many imports wins over its one-import way back.
    let mut w_out = vec![0.0f64; n];
    let mut w_in = vec![0.0f64; n];
    let mut out: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    let mut inc: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    for (k, &(a, b)) in edges.iter().enumerate() {
        if valid(&(a, b)) {
            let w = weights.get(k).copied().unwrap_or(1.0).max(0.0);
            out[a].push((b, w));
            inc[b].push((a, w));
            w_out[a] += w;
            w_in[b] += w;
        }
    }
    let mut removed = vec![false; n];
    let mut top: Vec<usize> = Vec::new();
    let mut bottom: Vec<usize> = Vec::new();
    let mut left = (0..n).filter(|&v| connected[v]).count();
    let mut outs: Vec<usize> = out.iter().map(Vec::len).collect();
    let mut ins: Vec<usize> = inc.iter().map(Vec::len).collect();
    let remove = |v: usize,
                  removed: &mut [bool],
                  outs: &mut [usize],
                  ins: &mut [usize],
                  w_out: &mut [f64],
                  w_in: &mut [f64]| {
        removed[v] = true;
        for &(b, w) in &out[v] {
            ins[b] -= 1;
            w_in[b] -= w;
        }
        for &(a, w) in &inc[v] {
            outs[a] -= 1;
            w_out[a] -= w;
        }
    };
    while left > 0 {
        let live = |v: usize| connected[v] && !removed[v];
        if let Some(v) = (0..n).find(|&v| live(v) && outs[v] == 0) {
            top.push(v);
            remove(v, &mut removed, &mut outs, &mut ins, &mut w_out, &mut w_in);
        } else if let Some(v) = (0..n).find(|&v| live(v) && ins[v] == 0) {
            bottom.push(v);
            remove(v, &mut removed, &mut outs, &mut ins, &mut w_out, &mut w_in);
        } else if let Some(v) = (0..n).filter(|&v| live(v)).max_by(|&x, &y| {
            (w_in[x] - w_out[x])
                .total_cmp(&(w_in[y] - w_out[y]))
                .then(y.cmp(&x))
        }) {
            top.push(v);
            remove(v, &mut removed, &mut outs, &mut ins, &mut w_out, &mut w_in);
        } else {
            break;
        }
        left -= 1;
    }
    let mut rank = vec![0usize; n];
    for (i, &v) in top.iter().chain(bottom.iter().rev()).enumerate() {
        rank[v] = i;
    }
    // An edge a -> b keeps its direction when b comes before a (b drawn above).
    let back: std::collections::HashSet<(usize, usize)> = edges
        .iter()
        .copied()
        .filter(|e| valid(e) && rank[e.1] > rank[e.0])
        .collect();
    // Acyclic orientation: (lower, upper) = depends-on direction.
    let acyclic: Vec<Option<(usize, usize)>> = edges
        .iter()
        .map(|&(a, b)| {
            if !valid(&(a, b)) {
                None
            } else if back.contains(&(a, b)) {
                Some((b, a))
            } else {
                Some((a, b))
            }
        })
        .collect();
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); n]; // nodes above (dependencies)
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); n]; // nodes below (dependents)
    for (a, b) in acyclic.iter().flatten().copied() {
        if !up[a].contains(&b) {
            up[a].push(b);
            down[b].push(a);
        }
    }

    // 2. Layering: longest path from the top, then pull nodes down towards their dependents.
    let mut layer = vec![usize::MAX; n];
    fn depth(v: usize, up: &[Vec<usize>], layer: &mut [usize]) -> usize {
        // Iterative to stay safe on long chains.
        let mut stack = vec![(v, false)];
        while let Some((x, expanded)) = stack.pop() {
            if layer[x] != usize::MAX {
                continue;
            }
            if expanded {
                layer[x] = up[x]
                    .iter()
                    .map(|&u| layer[u].saturating_add(1))
                    .max()
                    .unwrap_or(0);
            } else {
                stack.push((x, true));
                for &u in &up[x] {
                    if layer[u] == usize::MAX {
                        stack.push((u, false));
                    }
                }
            }
        }
        layer[v]
    }
    for (v, &c) in connected.iter().enumerate() {
        if c {
            depth(v, &up, &mut layer);
        }
    }
    let mut order_by_layer: Vec<usize> = (0..n).filter(|&v| connected[v]).collect();
    order_by_layer.sort_by_key(|&v| std::cmp::Reverse(layer[v]));
    for &v in &order_by_layer {
        if let Some(min_down) = down[v].iter().map(|&d| layer[d]).min() {
            let lower = up[v].iter().map(|&u| layer[u] + 1).max().unwrap_or(0);
            layer[v] = lower.max(min_down.saturating_sub(1)).max(layer[v]);
        }
    }
    let layers_count = (0..n)
        .filter(|&v| connected[v])
        .map(|v| layer[v] + 1)
        .max()
        .unwrap_or(0);

    // 3. Dummy nodes: every edge becomes a chain of unit-length segments.
    // Graph nodes: 0..n real, then dummies.
    let mut g_layer: Vec<usize> = layer.clone();
    let mut g_width: Vec<f64> = sizes.iter().map(|s| s.0).collect();
    // Chains in acyclic orientation, from the lower node (higher layer) up to the upper one.
    let mut chains: Vec<Vec<usize>> = Vec::new();
    for e in &acyclic {
        let Some((a, b)) = *e else {
            chains.push(Vec::new());
            continue;
        };
        let mut chain = vec![a];
        let mut l = layer[a];
        while l > layer[b] + 1 {
            l -= 1;
            g_layer.push(l);
            g_width.push(DUMMY_W);
            chain.push(g_layer.len() - 1);
        }
        chain.push(b);
        chains.push(chain);
    }
    let total = g_layer.len();
    let mut g_up: Vec<Vec<usize>> = vec![Vec::new(); total];
    let mut g_down: Vec<Vec<usize>> = vec![Vec::new(); total];
    for chain in &chains {
        for w in chain.windows(2) {
            g_up[w[0]].push(w[1]);
            g_down[w[1]].push(w[0]);
        }
    }

    // 4. Ordering: initial by a DFS from the top layer, then barycentre sweeps.
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); layers_count];
    let mut seen = vec![false; total];
    let mut roots: Vec<usize> = (0..total)
        .filter(|&v| v >= n || connected[v])
        .filter(|&v| g_layer[v] == 0)
        .collect();
    roots.sort_unstable();
    let mut stack: Vec<usize> = roots.into_iter().rev().collect();
    while let Some(v) = stack.pop() {
        if seen[v] {
            continue;
        }
        seen[v] = true;
        rows[g_layer[v]].push(v);
        for &d in g_down[v].iter().rev() {
            if !seen[d] {
                stack.push(d);
            }
        }
    }
    for v in 0..total {
        if !seen[v] && (v >= n || connected[v]) {
            seen[v] = true;
            rows[g_layer[v]].push(v);
        }
    }
    let mut best = rows.clone();
    let mut best_crossings = crossings(&rows, &g_up);
    for iter in 0..12 {
        if iter % 2 == 0 {
            for l in 1..rows.len() {
                let pos = positions(&rows, total);
                sort_by_barycentre(&mut rows[l], &g_up, &pos);
            }
        } else {
            for l in (0..rows.len().saturating_sub(1)).rev() {
                let pos = positions(&rows, total);
                sort_by_barycentre(&mut rows[l], &g_down, &pos);
            }
        }
        let c = crossings(&rows, &g_up);
        if c < best_crossings {
            best_crossings = c;
            best = rows.clone();
        }
        if best_crossings == 0 {
            break;
        }
    }
    let rows = best;

    // 5. Coordinates.
    let mut heights = vec![0.0f64; rows.len()];
    for (l, row) in rows.iter().enumerate() {
        heights[l] = row
            .iter()
            .filter(|&&v| v < n)
            .map(|&v| sizes[v].1)
            .fold(0.0, f64::max);
    }
    let mut ys = vec![MARGIN; rows.len()];
    for l in 1..rows.len() {
        ys[l] = ys[l - 1] + heights[l - 1] + LAYER_GAP;
    }
    let mut x = vec![0.0f64; total]; // centres
    for row in &rows {
        let mut cursor = 0.0;
        for &v in row {
            x[v] = cursor + g_width[v] / 2.0;
            cursor += g_width[v] + NODE_GAP;
        }
    }
    for iter in 0..16 {
        let downward = iter % 2 == 0;
        let order: Vec<usize> = if downward {
            (0..rows.len()).collect()
        } else {
            (0..rows.len()).rev().collect()
        };
        for l in order {
            let row = &rows[l];
            let desired: Vec<f64> = row
                .iter()
                .map(|&v| {
                    let ns: Vec<usize> = g_up[v].iter().chain(g_down[v].iter()).copied().collect();
                    if ns.is_empty() {
                        x[v]
                    } else {
                        ns.iter().map(|&u| x[u]).sum::<f64>() / ns.len() as f64
                    }
                })
                .collect();
            place_row(row, &desired, &g_width, &mut x);
        }
    }
    // Shift to the margin.
    let min_x = (0..total)
        .filter(|&v| v >= n || connected[v])
        .map(|v| x[v] - g_width[v] / 2.0)
        .fold(f64::INFINITY, f64::min);
    let shift = if min_x.is_finite() {
        MARGIN - min_x
    } else {
        0.0
    };
    for v in x.iter_mut() {
        *v += shift;
    }

    let mut nodes = vec![
        Rect {
            x: 0.0,
            y: 0.0,
            w: 0.0,
            h: 0.0
        };
        n
    ];
    let mut width: f64 = 0.0;
    let mut height: f64 = 0.0;
    for v in (0..n).filter(|&v| connected[v]) {
        let (w, h) = sizes[v];
        nodes[v] = Rect {
            x: x[v] - w / 2.0,
            y: ys[layer[v]],
            w,
            h,
        };
        width = width.max(x[v] + w / 2.0 + MARGIN);
        height = height.max(ys[layer[v]] + h + MARGIN);
    }

    // Edge routes: spread the ends along the box side by the other end's position.
    let mut routes: Vec<Vec<(f64, f64)>> = Vec::with_capacity(edges.len());
    let port = |v: usize, other_x: f64, side_edges: &[f64]| -> f64 {
        let r = nodes[v];
        let k = side_edges.len().max(1) as f64;
        let rank = side_edges.iter().filter(|&&o| o < other_x).count() as f64;
        let usable = r.w * 0.7;
        r.cx() - usable / 2.0 + usable * (rank + 0.5) / k
    };
    // The x of the next point along each chain end, for port ordering.
    let mut tops: Vec<Vec<f64>> = vec![Vec::new(); n];
    let mut bottoms: Vec<Vec<f64>> = vec![Vec::new(); n];
    for chain in &chains {
        if chain.len() >= 2 {
            tops[chain[0]].push(x[chain[1]]);
            bottoms[chain[chain.len() - 1]].push(x[chain[chain.len() - 2]]);
        }
    }
    for (i, chain) in chains.iter().enumerate() {
        if chain.len() < 2 {
            routes.push(Vec::new());
            continue;
        }
        let a = chain[0];
        let b = chain[chain.len() - 1];
        let mut pts = Vec::with_capacity(chain.len());
        pts.push((port(a, x[chain[1]], &tops[a]), nodes[a].y));
        for &d in &chain[1..chain.len() - 1] {
            let l = g_layer[d];
            // A dummy crosses its layer vertically, from below the layer to above it.
            pts.push((x[d], ys[l] + heights[l]));
            pts.push((x[d], ys[l]));
        }
        pts.push((
            port(b, x[chain[chain.len() - 2]], &bottoms[b]),
            nodes[b].y + nodes[b].h,
        ));
        // Back to the input direction.
        if let Some((ea, _)) = acyclic[i]
            && ea != edges[i].0
        {
            pts.reverse();
        }
        routes.push(pts);
    }

    // Isolated nodes: a grid below.
    let isolated: Vec<usize> = (0..n).filter(|&v| !connected[v]).collect();
    if !isolated.is_empty() {
        let top = if height > 0.0 {
            height + LAYER_GAP / 2.0
        } else {
            MARGIN
        };
        let max_row_width = width.max(900.0);
        let mut cx = MARGIN;
        let mut cy = top;
        let mut row_h: f64 = 0.0;
        for v in isolated {
            let (w, h) = sizes[v];
            if cx > MARGIN && cx + w > max_row_width {
                cx = MARGIN;
                cy += row_h + NODE_GAP;
                row_h = 0.0;
            }
            nodes[v] = Rect { x: cx, y: cy, w, h };
            cx += w + NODE_GAP;
            row_h = row_h.max(h);
            width = width.max(cx - NODE_GAP + MARGIN);
            height = height.max(cy + h + MARGIN);
        }
    }
    Layout {
        nodes,
        edges: routes,
        width,
        height,
    }
}

fn positions(rows: &[Vec<usize>], total: usize) -> Vec<f64> {
    let mut pos = vec![0.0; total];
    for row in rows {
        for (i, &v) in row.iter().enumerate() {
            pos[v] = i as f64;
        }
    }
    pos
}

fn sort_by_barycentre(row: &mut [usize], neighbours: &[Vec<usize>], pos: &[f64]) {
    let current: Vec<f64> = row.iter().map(|&v| pos[v]).collect();
    let mut keyed: Vec<(f64, usize)> = row
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let ns = &neighbours[v];
            let key = if ns.is_empty() {
                current[i]
            } else {
                ns.iter().map(|&u| pos[u]).sum::<f64>() / ns.len() as f64
            };
            (key, v)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (slot, (_, v)) in row.iter_mut().zip(keyed) {
        *slot = v;
    }
}

/// Edge crossings between consecutive layers (edges go from a layer to the one above).
fn crossings(rows: &[Vec<usize>], up: &[Vec<usize>]) -> usize {
    let total = up.len();
    let pos = positions(rows, total);
    let mut count = 0;
    for row in rows.iter().skip(1) {
        let segs: Vec<(f64, f64)> = row
            .iter()
            .flat_map(|&v| up[v].iter().map(move |&u| (v, u)))
            .map(|(v, u)| (pos[v], pos[u]))
            .collect();
        for i in 0..segs.len() {
            for j in i + 1..segs.len() {
                let (a1, b1) = segs[i];
                let (a2, b2) = segs[j];
                if (a1 - a2) * (b1 - b2) < 0.0 {
                    count += 1;
                }
            }
        }
    }
    count
}

/// Places a row's nodes as near their desired centres as the order and gaps allow: a forward
/// pass pushing right and a backward pass pushing left, averaged.
fn place_row(row: &[usize], desired: &[f64], width: &[f64], x: &mut [f64]) {
    if row.is_empty() {
        return;
    }
    let k = row.len();
    // Dummies (edge bends) pack tightly: bundles of long edges stay narrow.
    let sep = |i: usize| {
        let (a, b) = (row[i - 1], row[i]);
        let gap = match (width[a] <= DUMMY_W, width[b] <= DUMMY_W) {
            (true, true) => 2.0,
            (false, false) => NODE_GAP,
            _ => NODE_GAP / 2.0,
        };
        (width[a] + width[b]) / 2.0 + gap
    };
    let mut fwd = desired.to_vec();
    for i in 1..k {
        fwd[i] = fwd[i].max(fwd[i - 1] + sep(i));
    }
    let mut bwd = desired.to_vec();
    for i in (0..k - 1).rev() {
        bwd[i] = bwd[i].min(bwd[i + 1] - sep(i + 1));
    }
    let mut placed: Vec<f64> = fwd.iter().zip(&bwd).map(|(a, b)| (a + b) / 2.0).collect();
    for i in 1..k {
        placed[i] = placed[i].max(placed[i - 1] + sep(i));
    }
    for (i, &v) in row.iter().enumerate() {
        x[v] = placed[i];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlap(a: &Rect, b: &Rect) -> bool {
        a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
    }

    #[test]
    fn dependencies_sit_above_and_boxes_never_overlap() {
        let sizes = vec![(120.0, 60.0); 6];
        // 0 -> 1 -> 2, 0 -> 2 (a long edge), 3 <-> 4 (a cycle), 5 alone.
        let edges = [(0, 1), (1, 2), (0, 2), (3, 4), (4, 3)];
        let l = layout(&sizes, &edges);
        assert!(l.nodes[2].y < l.nodes[1].y && l.nodes[1].y < l.nodes[0].y);
        for i in 0..6 {
            for j in i + 1..6 {
                assert!(
                    !overlap(&l.nodes[i], &l.nodes[j]),
                    "{i} and {j} overlap: {l:?}"
                );
            }
        }
        assert_eq!(l.edges.len(), edges.len());
        // The long edge is routed through a dummy: more than two points.
        assert!(l.edges[2].len() > 2);
        // Every route starts at its source's box and ends at its target's.
        for (k, &(a, b)) in edges.iter().enumerate() {
            let first = l.edges[k][0];
            let last = *l.edges[k].last().unwrap();
            let on = |r: &Rect, p: (f64, f64)| {
                p.0 >= r.x && p.0 <= r.x + r.w && (p.1 == r.y || p.1 == r.y + r.h)
            };
            assert!(on(&l.nodes[a], first) && on(&l.nodes[b], last), "edge {k}");
        }
        // The lone node goes below the rest.
        assert!(l.nodes[5].y > l.nodes[0].y);
        assert!(l.width > 0.0 && l.height > 0.0);
    }

    #[test]
    fn empty_and_self_loops() {
        let l = layout(&[], &[]);
        assert!(l.nodes.is_empty());
        let l = layout(&[(10.0, 10.0)], &[(0, 0), (0, 5)]);
        assert_eq!(l.nodes.len(), 1);
        assert_eq!(l.edges.len(), 2);
        assert!(l.edges.iter().all(Vec::is_empty));
    }
}
