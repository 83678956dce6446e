//! Name resolution: what a name written in a file refers to, across the project.
//!
//! A name is followed through the file's own classes and functions, its imports (aliases
//! included: `from x import Cart as CartEntity`), relative imports (already absolute in the
//! facts), re-exports of packages (`from .repositories import *`, `from .x import Y` in an
//! `__init__.py`), and attribute access through imported modules (`import pkg.mod as m; m.Foo`,
//! `from pkg import models; models.Foo`). Names defined outside the project resolve to nothing.
//! Never by bare name: two classes called `Order` in two apps are two classes.

use super::facts::Import;
use super::project::{ClassRef, Project};

/// What a name denotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Def {
    Class(ClassRef),
    /// A module-level function: (file index, function index).
    Function(usize, usize),
    /// A module of the project: its file index.
    Module(usize),
}

/// How many (module, name) steps one lookup may take: re-export chains are short in practice,
/// and every step is visited once, so import cycles end.
const MAX_DEPTH: usize = 12;

impl Project {
    /// What `name` (bare or dotted, as written in `file`) refers to.
    pub fn resolve(&self, file: usize, name: &str) -> Option<Def> {
        let name = name.trim_start_matches("self.").trim();
        let mut parts = name.split('.');
        let first = parts.next().filter(|s| !s.is_empty())?;
        let mut def = self.resolve_local(file, first, &mut Vec::new())?;
        for part in parts {
            def = match def {
                Def::Module(m) => self.export(m, part, &mut Vec::new())?,
                // A nested class (`Outer.Inner`) is not tracked; an attribute of a class or
                // function is not a definition.
                _ => return None,
            };
        }
        Some(def)
    }

    /// The class `name` denotes in `file`, if any.
    pub fn resolve_class(&self, file: usize, name: &str) -> Option<ClassRef> {
        match self.resolve(file, name)? {
            Def::Class(r) => Some(r),
            _ => None,
        }
    }

    /// What module file `m` exports as `name` (its own definition, a re-export, a submodule).
    pub fn resolve_export(&self, m: usize, name: &str) -> Option<Def> {
        self.export(m, name, &mut Vec::new())
    }

    /// The module a bare name of `file` is imported from (`from a.b import C` -> `a.b` for `C`,
    /// aliases followed), whether or not that module is in the project.
    pub fn import_source(&self, file: usize, name: &str) -> Option<&str> {
        let first = name.split('.').next()?;
        self.files[file].facts.imports.iter().find_map(|imp| {
            if imp.is_from {
                imp.names
                    .iter()
                    .any(|(n, alias)| alias.as_deref().unwrap_or(n) == first)
                    .then_some(imp.module.as_str())
            } else {
                let bound = match imp.names.first() {
                    Some((_, Some(alias))) => alias.as_str(),
                    _ => imp.module.split('.').next().unwrap_or(""),
                };
                (bound == first).then_some(imp.module.as_str())
            }
        })
    }

    /// A module by dotted name (a package is its `__init__.py`).
    pub fn module_index(&self, module: &str) -> Option<usize> {
        self.by_module.get(module).copied()
    }

    /// A name bound at the top of `file`: its own class or function, or an import.
    fn resolve_local<'n>(
        &'n self,
        file: usize,
        name: &'n str,
        seen: &mut Vec<(usize, &'n str)>,
    ) -> Option<Def> {
        if seen.len() > MAX_DEPTH * 8 || seen.contains(&(file, name)) {
            return None;
        }
        seen.push((file, name));
        let f = &self.files[file];
        if let Some(d) = self.defs.get(file).and_then(|d| d.get(name)) {
            return Some(*d);
        }
        // Module-level imports first, then lazy ones inside functions.
        let imports = f.facts.imports.iter();
        let ordered = imports
            .clone()
            .filter(|i| !i.nested)
            .chain(imports.filter(|i| i.nested));
        let mut star: Vec<&Import> = Vec::new();
        for imp in ordered {
            if let Some(d) = self.binding(imp, name, seen) {
                return Some(d);
            }
            if imp.names.iter().any(|(n, _)| n == "*") {
                star.push(imp);
            }
        }
        for imp in star {
            // A star import takes what `__all__` lists, when the module lists it.
            if let Some(m) = self.module_index(&imp.module)
                && self.files[m]
                    .facts
                    .all
                    .as_ref()
                    .is_none_or(|all| all.iter().any(|n| n == name))
                && let Some(d) = self.export(m, name, seen)
            {
                return Some(d);
            }
        }
        None
    }

    /// What one import statement binds `name` to, if it binds it.
    fn binding<'n>(
        &'n self,
        imp: &'n Import,
        name: &str,
        seen: &mut Vec<(usize, &'n str)>,
    ) -> Option<Def> {
        if !imp.is_from {
            // `import a.b as m` binds `m` to `a.b`; `import a.b` binds `a`.
            return match imp.names.first() {
                Some((_, Some(alias))) if alias == name => {
                    self.module_index(&imp.module).map(Def::Module)
                }
                Some((_, Some(_))) => None,
                _ => {
                    let top = imp.module.split('.').next().unwrap_or("");
                    (top == name)
                        .then(|| self.module_index(top).map(Def::Module))
                        .flatten()
                }
            };
        }
        let (original, _) = imp
            .names
            .iter()
            .find(|(n, alias)| n != "*" && alias.as_deref().unwrap_or(n) == name)?;
        let submodule = format!("{}.{original}", imp.module);
        if let Some(m) = self.module_index(&submodule) {
            return Some(Def::Module(m));
        }
        let m = self.module_index(&imp.module)?;
        self.export(m, original, seen)
    }

    /// What module `m` exports as `name`: a definition of its own, a re-export, or a submodule.
    fn export<'n>(
        &'n self,
        m: usize,
        name: &'n str,
        seen: &mut Vec<(usize, &'n str)>,
    ) -> Option<Def> {
        if let Some(d) = self.resolve_local(m, name, seen) {
            return Some(d);
        }
        let module = &self.files[m].facts.module;
        self.module_index(&format!("{module}.{name}"))
            .map(Def::Module)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::python::project::SourceFile;
    use std::path::PathBuf;
    use std::sync::Arc;

    fn project(files: &[(&str, &str)]) -> Project {
        let sources = files
            .iter()
            .map(|(path, text)| {
                let (module, is_package) = crate::python::facts::module_name(path);
                let facts = crate::python::facts::collect(text, &module, is_package);
                Arc::new(SourceFile::new(
                    PathBuf::from(path),
                    Arc::from(*text),
                    facts,
                ))
            })
            .collect();
        Project::build(sources, Config::default())
    }

    fn class_name(p: &Project, d: Option<Def>) -> Option<String> {
        match d? {
            Def::Class(r) => Some(format!("{}.{}", p.files[r.0].facts.module, p.class(r).name)),
            _ => None,
        }
    }

    #[test]
    fn aliases_reexports_and_module_attributes() {
        let p = project(&[
            ("shop/__init__.py", ""),
            (
                "shop/domain/__init__.py",
                "from .cart import *\nfrom .ports import Port as P\n",
            ),
            ("shop/domain/cart.py", "class Cart:\n    pass\n"),
            ("shop/domain/ports.py", "class Port:\n    pass\n"),
            (
                "shop/services.py",
                "from shop.domain import Cart as CartEntity, P\nimport shop.domain.cart as c\nfrom shop import domain\n",
            ),
        ]);
        let s = p.module_index("shop.services").expect("module");
        assert_eq!(
            class_name(&p, p.resolve(s, "CartEntity")).as_deref(),
            Some("shop.domain.cart.Cart")
        );
        assert_eq!(
            class_name(&p, p.resolve(s, "P")).as_deref(),
            Some("shop.domain.ports.Port")
        );
        assert_eq!(
            class_name(&p, p.resolve(s, "c.Cart")).as_deref(),
            Some("shop.domain.cart.Cart")
        );
        assert_eq!(
            class_name(&p, p.resolve(s, "domain.Cart")).as_deref(),
            Some("shop.domain.cart.Cart")
        );
        // A bare name that is not bound here is not found elsewhere by name.
        assert_eq!(p.resolve(s, "Cart"), None);
    }

    #[test]
    fn import_cycles_end() {
        let p = project(&[("a.py", "from b import *\n"), ("b.py", "from a import *\n")]);
        let a = p.module_index("a").expect("module");
        assert_eq!(p.resolve(a, "Missing"), None);
    }
}
