//! Refactors as one registry. Each refactor is one file of this folder with one [`RefactorKind`]
//! implementation and one line in [`REFACTORS`]: a cheap `target` check, an `edit` computed
//! through the file view, and "not offered" as silent or disabled with a reason. The driver in
//! `ide::actions` does the rest (which classes are under the cursor, the parse check, the
//! workspace guard, resolving by id), so adding a refactor touches no other file.

use super::{Fix, Refactor};
use crate::detect::Roles;
use crate::ide::files::FileView;
use crate::python::project::{Project, SourceFile};

/// What a refactor applies to in the file at hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A class (index into the file's classes), offered when its header is under the cursor.
    Class(usize),
    /// The first byte of the finding a refactor is offered from (an import statement, a field).
    Import(usize),
}

/// How a client files the action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionKind {
    QuickFix,
    Rewrite,
    Extract,
    FixAll,
}

/// Where a refactor is offered: on the structure under the cursor, or from a finding of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    Cursor,
    /// Offered from a finding of one of these rules, at the finding's first byte.
    Finding(&'static [&'static str]),
}

/// Everything a refactor may read: the analysis of the workspace as the editor has it, and the
/// file view for files it appends to.
pub struct Scope<'a> {
    pub project: &'a Project,
    pub roles: &'a Roles,
    pub files: &'a dyn FileView,
    /// The file the request is about (index into `project.files`).
    pub file: usize,
    /// The client can create files (resource operations).
    pub can_create: bool,
}

impl Scope<'_> {
    pub fn source(&self) -> &SourceFile {
        &self.project.files[self.file]
    }
}

/// The edit of a refactor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Several files, created or edited.
    Files(Refactor),
    /// Edits of the request's own file.
    Fix(Fix),
}

/// Why a refactor is not on offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotOffered {
    /// Not shown at all.
    Silent,
    /// Shown, disabled, with the reason (about the code, so the user can act on it).
    Disabled { title: String, reason: String },
}

impl From<String> for NotOffered {
    fn from(_: String) -> NotOffered {
        NotOffered::Silent
    }
}

impl From<&str> for NotOffered {
    fn from(_: &str) -> NotOffered {
        NotOffered::Silent
    }
}

pub trait RefactorKind: Sync {
    /// Stable id: code actions are resolved by it (titles may change between two requests).
    fn id(&self) -> &'static str;
    /// What the refactor does, for the hovers of the patterns it serves.
    fn summary(&self) -> &'static str;
    /// Pattern ids this refactor moves code toward (their hovers list it).
    fn serves(&self) -> &'static [&'static str] {
        &[]
    }
    fn kind(&self) -> ActionKind;
    fn trigger(&self) -> Trigger {
        Trigger::Cursor
    }
    /// A cheap check: is it worth computing the edit for this target?
    fn target(&self, scope: &Scope, target: Target) -> bool;
    /// The edit, or why it is not offered. The driver checks that the result parses.
    fn edit(&self, scope: &Scope, target: Target) -> Result<Outcome, NotOffered>;
}

/// Every refactor, in the order a client lists them for one class.
pub static REFACTORS: &[&dyn RefactorKind] = &[
    &super::json_repository::JsonRepository,
    &super::specification::Specification,
    &super::cache_repository::CacheRepository,
    &super::namespace_tables::NamespaceTables,
    &super::context_database::ContextDatabase,
    &super::orm_repository::OrmRepository,
    &super::anticorruption::AnticorruptionLayer,
    &super::reference_by_identity::ReferenceByIdentity,
];

/// A refactor by id.
pub fn by_id(id: &str) -> Option<&'static dyn RefactorKind> {
    REFACTORS.iter().copied().find(|r| r.id() == id)
}

/// What the refactors serving pattern `id` do (for its hover).
pub fn summaries_for(id: &str) -> Vec<&'static str> {
    REFACTORS
        .iter()
        .filter(|r| r.serves().contains(&id))
        .map(|r| r.summary())
        .chain(
            super::FIX_SUMMARIES
                .iter()
                .filter(|(p, _)| *p == id)
                .map(|(_, s)| *s),
        )
        .collect()
}

/// The class of a class target.
pub(crate) fn class_of(target: Target) -> Option<usize> {
    match target {
        Target::Class(ci) => Some(ci),
        Target::Import(_) => None,
    }
}
