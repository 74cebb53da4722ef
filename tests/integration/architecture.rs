//! The library's layering, checked from its source: every `crate::` and `super::` path in
//! `src/` (the binary's `cli/` and `main.rs` aside, tests and comments aside) is resolved to
//! the file it names, and
//! - no file imports a module of a higher layer, or of another module on its own layer;
//! - no two files import each other, directly or round a longer cycle (a module's `mod.rs`
//!   is its facade: its children may use its items, and its own references to its children
//!   are not counted).
//!
//! The layers are those of `ARCHITECTURE.md`; a new top-level module must be given one here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module's layer: a file may import only from lower layers (or its own
/// module).
const LAYERS: &[(&str, u32)] = &[
    ("version", 0),
    ("text", 0),
    ("time", 0),
    ("decision", 0),
    ("file_error", 0),
    ("provenance", 0),
    ("params", 0),
    ("par", 0),
    ("progress", 0),
    ("output", 1),
    ("doc", 1),
    ("data", 2),
    ("train", 3),
    ("audit", 3),
    ("explain", 4),
    ("policy", 5),
    ("compare", 6),
    ("mitigate", 6),
    ("report", 7),
    ("pipeline", 8),
    ("schema", 8),
    ("error", 9),
    ("lib", 10),
];

/// Paths at the crate root that are re-exports of a module's item.
const ROOT_ALIASES: &[(&str, &str)] = &[
    ("Error", "error"),
    ("Result", "error"),
    ("VERSION", "version"),
];

type Graph = BTreeMap<String, BTreeSet<String>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// A file's module path: `audit/metrics.rs` -> [audit, metrics], `audit/mod.rs` -> [audit].
fn module_of(rel: &str) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .trim_end_matches(".rs")
        .split('/')
        .map(String::from)
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// The code of a file without its test modules, comments, string and character literals
/// (a `//` or a path inside a string is not code).
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]\nmod ").next().unwrap_or_default();
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b'r' if matches!(b.get(i + 1), Some(b'"' | b'#'))
                && !b[..i]
                    .last()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') =>
            {
                // A raw string: r"...", r#"..."#.
                let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
                let start = i + 1 + hashes;
                if b.get(start) != Some(&b'"') {
                    out.push('r');
                    i += 1;
                    continue;
                }
                let close: Vec<u8> = std::iter::once(b'"')
                    .chain(std::iter::repeat_n(b'#', hashes))
                    .collect();
                let mut j = start + 1;
                while j < b.len() && !b[j..].starts_with(&close) {
                    j += 1;
                }
                out.push_str("\"\"");
                i = j + close.len();
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                out.push_str("\"\"");
            }
            b'\'' if b.get(i + 2) == Some(&b'\'') => {
                // A character literal such as '"'.
                out.push_str("' '");
                i += 3;
            }
            b'\'' if b.get(i + 1) == Some(&b'\\') => {
                let end = b[i + 2..]
                    .iter()
                    .position(|&c| c == b'\'')
                    .map_or(b.len(), |p| i + 3 + p);
                out.push_str("' '");
                i = end;
            }
            _ => {
                let ch = text[i..].chars().next().unwrap_or(' ');
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    out
}

fn ident_at(s: &str) -> (&str, &str) {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    (&s[..end], &s[end..])
}

/// The paths of a `{a, b::c, d::{e, f}}` group after `base::` (the text after its `{`).
fn group_paths(text: &str, base: &[String], out: &mut Vec<Vec<String>>) {
    let mut depth = 0;
    let mut item_start = 0;
    let mut end = text.len();
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                end = i;
                break;
            }
            '}' => depth -= 1,
            _ => {}
        }
    }
    let inner = &text[..end];
    let mut items = Vec::new();
    depth = 0;
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&inner[item_start..i]);
                item_start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&inner[item_start..]);
    for item in items {
        let mut path = base.to_vec();
        let mut rest = item.trim();
        loop {
            if let Some(t) = rest.strip_prefix('{') {
                group_paths(t, &path, out);
                break;
            }
            let (id, after) = ident_at(rest);
            if id.is_empty() || id == "self" {
                out.push(path);
                break;
            }
            path.push(id.to_string());
            match after.strip_prefix("::") {
                Some(t) => rest = t,
                None => {
                    out.push(path);
                    break;
                }
            }
        }
    }
}

/// The module paths a file's code names with `crate::` or `super::` (a `{a, b}` group gives
/// one path per item).
fn named_paths(code: &str, me: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for start in ["crate::", "super::"] {
        let mut rest = code;
        while let Some(i) = rest.find(start) {
            let before = rest[..i].chars().next_back();
            rest = &rest[i..];
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                rest = &rest[start.len()..];
                continue;
            }
            let mut base: Vec<String> = if start == "crate::" {
                Vec::new()
            } else {
                // `super` of a file module is its parent; of a mod.rs, the parent's parent.
                let mut b = me.to_vec();
                b.pop();
                b
            };
            let mut s = &rest[start.len()..];
            while let Some(t) = s.strip_prefix("super::") {
                base.pop();
                s = t;
            }
            loop {
                if let Some(t) = s.strip_prefix('{') {
                    group_paths(t, &base, &mut out);
                    break;
                }
                let (id, after) = ident_at(s);
                if id.is_empty() {
                    break;
                }
                base.push(id.to_string());
                match after.strip_prefix("::") {
                    Some(t) => s = t,
                    None => break,
                }
            }
            out.push(base);
            rest = &rest[start.len()..];
        }
    }
    out
}

/// The import graph between the library's files (relative paths under `src/`).
fn graph() -> Result<Graph, Box<dyn std::error::Error>> {
    Ok(graph_and_unresolved()?.0)
}

/// The import graph, and the paths that name no file of the library (`file: a::b`).
fn graph_and_unresolved() -> Result<(Graph, Vec<String>), Box<dyn std::error::Error>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files)?;
    let mut modules: BTreeMap<Vec<String>, String> = BTreeMap::new();
    let mut texts = BTreeMap::new();
    for f in &files {
        let rel = f.strip_prefix(&src)?.to_string_lossy().replace('\\', "/");
        if rel == "main.rs" || rel.starts_with("cli/") {
            continue;
        }
        modules.insert(module_of(&rel), rel.clone());
        texts.insert(rel, std::fs::read_to_string(f)?);
    }
    let resolve = |path: &[String]| -> Option<String> {
        if let [one] = path {
            if let Some((_, m)) = ROOT_ALIASES.iter().find(|(a, _)| a == one) {
                return modules.get(&vec![m.to_string()]).cloned();
            }
        }
        (1..=path.len())
            .rev()
            .find_map(|i| modules.get(&path[..i]).cloned())
    };
    let mut g = Graph::new();
    let mut unresolved = Vec::new();
    for (rel, text) in &texts {
        let me = module_of(rel);
        let is_mod_rs = rel.ends_with("mod.rs") || rel == "lib.rs";
        let edges = g.entry(rel.clone()).or_default();
        for p in named_paths(&code_of(text), &me) {
            if let Some(to) = resolve(&p) {
                // A mod.rs naming its own children is the facade, not an import.
                let child_of_me = is_mod_rs && module_of(&to).starts_with(&me) && !me.is_empty();
                if to != *rel && !child_of_me && rel != "lib.rs" {
                    edges.insert(to);
                }
            } else {
                unresolved.push(format!("{rel}: {}", p.join("::")));
            }
        }
    }
    Ok((g, unresolved))
}

fn layer(rel: &str) -> Option<u32> {
    let top = rel.split('/').next()?.trim_end_matches(".rs");
    LAYERS.iter().find(|(m, _)| *m == top).map(|&(_, l)| l)
}

fn top(rel: &str) -> &str {
    rel.split('/').next().unwrap_or(rel).trim_end_matches(".rs")
}

#[test]
fn imports_run_down_the_layers() -> Result<(), Box<dyn std::error::Error>> {
    let g = graph()?;
    let mut wrong = Vec::new();
    for (from, tos) in &g {
        let Some(lf) = layer(from) else {
            wrong.push(format!("{from}: its module has no layer in LAYERS"));
            continue;
        };
        for to in tos {
            let Some(lt) = layer(to) else { continue };
            if lt > lf || (lt == lf && top(from) != top(to)) {
                wrong.push(format!("{from} (layer {lf}) imports {to} (layer {lt})"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The check sees imports at all: the audit uses the data layer.
    assert!(g["audit/mod.rs"].iter().any(|t| t.starts_with("data/")));
    Ok(())
}

#[test]
fn no_file_imports_itself_round_a_cycle() -> Result<(), Box<dyn std::error::Error>> {
    let g = graph()?;
    // Depth-first search; a back edge closes a cycle.
    fn visit(
        g: &Graph,
        v: &str,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
        cycles: &mut Vec<String>,
    ) {
        state.insert(v.to_string(), 1);
        stack.push(v.to_string());
        for w in g.get(v).into_iter().flatten() {
            match state.get(w.as_str()) {
                None => visit(g, w, state, stack, cycles),
                Some(1) => {
                    let at = stack.iter().position(|s| s == w).unwrap_or(0);
                    cycles.push(format!("{} -> {w}", stack[at..].join(" -> ")));
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(v.to_string(), 2);
    }
    let (mut state, mut stack, mut cycles) = (BTreeMap::new(), Vec::new(), Vec::new());
    for v in g.keys() {
        if !state.contains_key(v.as_str()) {
            visit(&g, v, &mut state, &mut stack, &mut cycles);
        }
    }
    assert!(cycles.is_empty(), "{}", cycles.join("\n"));
    Ok(())
}

#[test]
fn every_path_names_a_file_of_the_library() -> Result<(), Box<dyn std::error::Error>> {
    // A path the reader cannot place would be an import the layer check never sees (a new
    // root re-export, say): each must resolve, or be added to ROOT_ALIASES.
    let (_, unresolved) = graph_and_unresolved()?;
    assert!(unresolved.is_empty(), "{}", unresolved.join("\n"));
    Ok(())
}

#[test]
fn the_path_reader_resolves_groups_super_and_root_aliases() {
    let me = vec!["audit".to_string(), "metrics".to_string()];
    let code = code_of(
        "use super::calibration::{self, Binning};\nuse crate::{data::{Table, Role}, report::Report, Error};\nx: super::value::MetricValue, supercrate::no; let u = \"http://x\"; crate::pipeline::Plan; let q = '\"'; crate::policy::Policy /* crate::nope */ r#\"crate::nope\"#",
    );
    let paths = named_paths(&code, &me);
    let has = |p: &[&str]| {
        paths
            .iter()
            .any(|q| q.iter().map(String::as_str).eq(p.iter().copied()))
    };
    assert!(has(&["audit", "calibration", "Binning"]), "{paths:?}");
    assert!(has(&["data", "Table"]), "{paths:?}");
    assert!(has(&["data", "Role"]), "{paths:?}");
    assert!(has(&["report", "Report"]), "{paths:?}");
    // After a string holding "//", and after a quote character: still code.
    assert!(has(&["pipeline", "Plan"]), "{paths:?}");
    assert!(has(&["policy", "Policy"]), "{paths:?}");
    assert!(
        !paths.iter().any(|p| p.iter().any(|s| s == "nope")),
        "{paths:?}"
    );
    assert!(has(&["Error"]), "{paths:?}");
    assert!(has(&["audit", "value", "MetricValue"]), "{paths:?}");
    assert!(
        !paths.iter().any(|p| p.iter().any(|s| s == "no")),
        "{paths:?}"
    );
    // From a mod.rs, `super` is the parent of the module.
    let paths = named_paths("super::output::shown", &["report".to_string()]);
    assert!(paths.iter().any(|p| p == &["output", "shown"]), "{paths:?}");
}
