//! The quick fix for `cache-not-invalidated`: the write method deletes the entry the cached read
//! uses. Offered only when the key can be rebuilt in the write method: a plain string key, or an
//! f-string whose every name is a parameter of the write method.

use super::{Edit, Fix};
use crate::detect::{Finding, header_span};
use crate::python::project::SourceFile;

/// Names interpolated in an f-string literal (`f"product:{sku}"` -> `sku`); None if any part is
/// more than a plain name.
fn fstring_names(literal: &str) -> Option<Vec<String>> {
    let mut names = Vec::new();
    let mut rest = literal;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}')? + open;
        let name = rest[open + 1..close].trim();
        if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return None;
        }
        names.push(name.to_string());
        rest = &rest[close + 1..];
    }
    Some(names)
}

/// The free names of a key expression: identifiers outside strings that do not follow a `.`,
/// and the names interpolated in f-strings. None for anything too complex to judge.
fn free_names(expr: &str) -> Option<Vec<String>> {
    let mut names = Vec::new();
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' || c == '\'' {
            let fstring = i > 0 && (chars[i - 1] == 'f' || chars[i - 1] == 'F');
            let end = chars[i + 1..].iter().position(|&d| d == c)? + i + 1;
            let literal: String = chars[i..=end].iter().collect();
            if fstring {
                names.extend(fstring_names(&literal)?);
            }
            i = end + 1;
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let after_dot = start > 0 && chars[start - 1] == '.';
            let string_prefix =
                i < chars.len() && (chars[i] == '"' || chars[i] == '\'') && word.len() <= 2;
            let keyword_arg = chars[i..].iter().find(|c| !c.is_whitespace()) == Some(&'=')
                && chars.get(i + 1) != Some(&'=');
            if !after_dot && !string_prefix && !keyword_arg {
                names.push(word);
            }
            continue;
        }
        i += 1;
    }
    Some(names)
}

pub(super) fn fix(file: &SourceFile, finding: &Finding) -> Option<Fix> {
    let text = &*file.text;
    let (class, method) = file
        .facts
        .classes
        .iter()
        .flat_map(|c| c.methods.iter().map(move |m| (c, m)))
        .find(|(_, m)| header_span(text, m.span.start) == finding.span)?;
    // The read the smell reports.
    let read = crate::detect::cache_read(class)?;
    let owner = read.func.rsplit_once('.')?.0.to_string();
    let key = read.args.first()?;
    let key_text = text.get(key.span())?.trim();
    // Every name the key uses must be a parameter of the write method (or `self`).
    let names = free_names(key_text)?;
    if !names
        .iter()
        .all(|n| n == "self" || method.params.iter().any(|p| p.name == n))
    {
        return None;
    }
    // Insert before a final `return`, else after the last line of the method.
    let body = &text[method.span.clone()];
    let lines: Vec<&str> = body.lines().collect();
    let last = lines.iter().rposition(|l| !l.trim().is_empty())?;
    let indent: String = lines
        .get(1)?
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    let offset_of_line =
        |n: usize| method.span.start + lines[..n].iter().map(|l| l.len() + 1).sum::<usize>();
    let statement = format!("{indent}{owner}.delete({key_text})\n");
    let edit = if lines[last].trim_start().starts_with("return") && last > 0 {
        let at = offset_of_line(last);
        Edit {
            span: at..at,
            text: statement,
        }
    } else {
        let at = method.span.end;
        Edit {
            span: at..at,
            text: format!("\n{}", statement.trim_end_matches('\n')),
        }
    };
    Some(Fix {
        title: format!(
            "Invalidate the cached entry in `{}` (`{owner}.delete({key_text})`)",
            method.name
        ),
        rule: finding.rule.clone(),
        at: finding.span.clone(),
        edits: vec![edit],
        safe: false,
    })
}
