//! A catalog as analysis uses it: the catalog (which keeps its detection queries as text) with
//! those queries compiled. It sits above both `catalog` and `python`, so neither imports the
//! other. Build one per catalog version: `check`, `map`, `catalog check` once per run, the editor
//! once per set of open catalog page contents.

use crate::catalog::Catalog;
use crate::python::queries::{TeamQueries, TeamQuery};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct CompiledCatalog {
    catalog: Catalog,
    queries: TeamQueries,
    /// A hash of the query texts: what a file's cached facts depend on in the catalog.
    facts_key: u64,
}

impl CompiledCatalog {
    /// Compiles the catalog's queries; an invalid one becomes a problem of the catalog at its line
    /// (so `catalog check`, `check` and the editor report it as before).
    pub fn new(mut catalog: Catalog) -> CompiledCatalog {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for (id, _, q) in catalog.query_texts() {
            (id, q.text.as_str()).hash(&mut h);
        }
        let facts_key = h.finish();
        let (queries, problems) = TeamQueries::compile(
            catalog
                .query_texts()
                .map(|(id, source, q)| (id, source, q.text.as_str(), q.line)),
        );
        catalog.add_problems(problems);
        CompiledCatalog {
            catalog,
            queries,
            facts_key,
        }
    }

    /// [`Catalog::embedded`], compiled.
    pub fn embedded() -> CompiledCatalog {
        CompiledCatalog::new(Catalog::embedded())
    }

    /// [`Catalog::load`], compiled.
    pub fn load(extra: &[PathBuf]) -> CompiledCatalog {
        CompiledCatalog::new(Catalog::load(extra))
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The compiled `query` blocks of the pages.
    pub fn team_queries(&self) -> &[Arc<TeamQuery>] {
        self.queries.as_slice()
    }

    /// The catalog's part of the facts cache's key: a hash of its `query` blocks, the one thing
    /// in a catalog that a file's facts (its team hits) depend on.
    pub fn facts_key(&self) -> u64 {
        self.facts_key
    }
}

impl std::ops::Deref for CompiledCatalog {
    type Target = Catalog;

    fn deref(&self) -> &Catalog {
        &self.catalog
    }
}
