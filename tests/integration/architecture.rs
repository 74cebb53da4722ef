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
    ("output", 1),
    ("doc", 1),
    ("data", 2),
    ("train", 3),
    ("audit", 3),
    ("explain", 4),
    ("policy", 5),
    ("compare", 6),
    ("report", 7),
    ("pipeline", 8),
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

/// The code of a file without its test module and without comments.
fn code_of(text: &str) -> String {
    let text = text
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or_default();
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident_at(s: &str) -> (&str, &str) {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    (&s[..end], &s[end..])
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
                    let group = &t[..t.find('}').unwrap_or(t.len())];
                    for item in group.split(',') {
                        let mut p = base.clone();
                        p.extend(
                            item.trim()
                                .split("::")
                                .map(|seg| ident_at(seg).0)
                                .take_while(|id| !id.is_empty() && *id != "self")
                                .map(String::from),
                        );
                        out.push(p);
                    }
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
            }
        }
    }
    Ok(g)
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
fn the_path_reader_resolves_groups_super_and_root_aliases() {
    let me = vec!["audit".to_string(), "metrics".to_string()];
    let code = "use super::calibration::{self, Binning};\nuse crate::{data::Table, Error};\nx: super::value::MetricValue, supercrate::no";
    let paths = named_paths(code, &me);
    let has = |p: &[&str]| {
        paths
            .iter()
            .any(|q| q.iter().map(String::as_str).eq(p.iter().copied()))
    };
    assert!(has(&["audit", "calibration", "Binning"]), "{paths:?}");
    assert!(has(&["data", "Table"]), "{paths:?}");
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
