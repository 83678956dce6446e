//! The refactor driver: which refactors of the registry are on offer at a place, with their edits
//! checked (every touched file still parses as the file view has it; every path inside the
//! workspace folders), and the one a client resolves, found again by id and target.

use crate::line_index::LineIndex;
use crate::refactor::registry::{self, ActionKind, NotOffered, Outcome, RefactorKind, Scope};
use crate::refactor::registry::{Target, Trigger};
use std::path::PathBuf;

/// A refactor on offer.
#[derive(Clone, Debug)]
pub struct Offer {
    /// The registry id: `codeAction/resolve` finds the refactor again by it and `at`.
    pub id: &'static str,
    /// The byte where its target starts (the class, or the import).
    pub at: usize,
    pub title: String,
    pub kind: ActionKind,
    /// The edit, or the reason it is offered disabled.
    pub outcome: Result<Outcome, String>,
}

fn offer(r: &dyn RefactorKind, scope: &Scope, target: Target, roots: &[PathBuf]) -> Option<Offer> {
    offer_with(r, scope, target, roots, true)
}

/// An offer; `checked`: the edit must parse and stay inside the workspace (a code action), or
/// it is only described (a hover names it, and the code action request checks it).
fn offer_with(
    r: &dyn RefactorKind,
    scope: &Scope,
    target: Target,
    roots: &[PathBuf],
    checked: bool,
) -> Option<Offer> {
    if !r.target(scope, target) {
        return None;
    }
    let at = match target {
        Target::Class(ci) => scope.source().facts.classes[ci].span.start,
        Target::Import(start) => start,
    };
    let (title, outcome) = match r.edit(scope, target) {
        Ok(Outcome::Files(refactor)) => {
            let inside = crate::refactor::inside_roots(
                refactor.changes.iter().map(|(p, _)| p.as_path()),
                roots,
            );
            if checked && (!inside || !refactor.parses(scope.files)) {
                return None;
            }
            (refactor.title.clone(), Ok(Outcome::Files(refactor)))
        }
        Ok(Outcome::Fix(fix)) => {
            let text = &scope.source().text;
            if checked
                && !crate::refactor::parses_cleanly(&crate::refactor::apply(text, &fix.edits))
            {
                return None;
            }
            (fix.title.clone(), Ok(Outcome::Fix(fix)))
        }
        Err(NotOffered::Disabled { title, reason }) => (title, Err(reason)),
        Err(NotOffered::Silent) => return None,
    };
    Some(Offer {
        id: r.id(),
        at,
        title,
        kind: r.kind(),
        outcome,
    })
}

/// The classes whose header line lies in `lines` (inclusive).
fn classes_in(scope: &Scope, index: &LineIndex, lines: (usize, usize)) -> Vec<usize> {
    let file = scope.source();
    (0..file.facts.classes.len())
        .filter(|&ci| {
            let line = index.line_of(file.facts.classes[ci].header.start);
            lines.0 <= line && line <= lines.1
        })
        .collect()
}

/// The refactors offered on the classes whose header is on one of `lines`, class by class in the
/// registry's order.
pub fn at_cursor(
    scope: &Scope,
    index: &LineIndex,
    lines: (usize, usize),
    roots: &[PathBuf],
) -> Vec<Offer> {
    on_classes(scope, index, lines, roots, true)
}

/// The refactors offered from a finding of `rule` starting at byte `start`.
pub fn for_finding(scope: &Scope, rule: &str, start: usize, roots: &[PathBuf]) -> Vec<Offer> {
    from_finding(scope, rule, start, roots, true)
}

/// What [`at_cursor`] and [`for_finding`] offer on `lines` and from `findings` (rule, start),
/// described for a hover: edits are computed for their titles and reasons, not checked.
pub fn described(
    scope: &Scope,
    index: &LineIndex,
    lines: (usize, usize),
    findings: &[(&str, usize)],
    roots: &[PathBuf],
) -> Vec<Offer> {
    let mut out = on_classes(scope, index, lines, roots, false);
    for &(rule, start) in findings {
        out.extend(from_finding(scope, rule, start, roots, false));
    }
    out
}

fn on_classes(
    scope: &Scope,
    index: &LineIndex,
    lines: (usize, usize),
    roots: &[PathBuf],
    checked: bool,
) -> Vec<Offer> {
    let mut out = Vec::new();
    for ci in classes_in(scope, index, lines) {
        for r in registry::REFACTORS {
            if r.trigger() == Trigger::Cursor
                && let Some(o) = offer_with(*r, scope, Target::Class(ci), roots, checked)
            {
                out.push(o);
            }
        }
    }
    out
}

fn from_finding(
    scope: &Scope,
    rule: &str,
    start: usize,
    roots: &[PathBuf],
    checked: bool,
) -> Vec<Offer> {
    registry::REFACTORS
        .iter()
        .filter(|r| matches!(r.trigger(), Trigger::Finding(served) if served.contains(&rule)))
        .filter_map(|r| offer_with(*r, scope, Target::Import(start), roots, checked))
        .collect()
}

/// The refactor `id` at target `at` (as offered by [`at_cursor`] on `lines`), with its edit.
pub fn resolve(
    scope: &Scope,
    index: &LineIndex,
    lines: (usize, usize),
    roots: &[PathBuf],
    id: &str,
    at: usize,
) -> Option<Offer> {
    let r = registry::by_id(id)?;
    if r.trigger() != Trigger::Cursor {
        return offer(r, scope, Target::Import(at), roots);
    }
    classes_in(scope, index, lines)
        .into_iter()
        .filter(|&ci| scope.source().facts.classes[ci].span.start == at)
        .find_map(|ci| offer(r, scope, Target::Class(ci), roots))
}
