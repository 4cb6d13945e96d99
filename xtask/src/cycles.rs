//! `cargo xtask cycles`: fails when the modules of `app/src/backend` (or of `app/src/api`) import each other in a
//! cycle. Every `.rs` file is a module; a reference is any path into the tree in a `use` (brace groups expanded)
//! or in code (`crate::backend::…`, `super::…`, and a `mod.rs` naming one of its children). A module that merely
//! declares its children (`pub mod x;`) does not depend on them. Test modules (`#[cfg(test)]`) are left out:
//! a test may look at anything. Also fails when `backend::kernel`, the ground floor, imports any other module.

use anyhow::{Result, bail};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

fn modules_under(root: &Path, base: &Path, prefix: &[&str], out: &mut BTreeMap<Module, PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(root)? {
        let p = entry?.path();
        if p.is_dir() {
            modules_under(&p, base, prefix, out)?;
        } else if p.extension().is_some_and(|e| e == "rs") {
            let rel = p.strip_prefix(base)?.with_extension("");
            let mut m: Module = prefix.iter().map(|s| s.to_string()).collect();
            m.extend(rel.iter().map(|c| c.to_string_lossy().to_string()));
            if m.last().is_some_and(|l| l == "mod") {
                m.pop();
            }
            out.insert(m, p);
        }
    }
    Ok(())
}

/// The source without comments and without `#[cfg(test)]` items (a balanced-brace block after the attribute).
fn strip(src: &str) -> String {
    let no_comments: String = src.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
    let mut out = String::new();
    let mut rest = no_comments.as_str();
    while let Some(i) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let (Some(open), semi) = (after.find('{'), after.find(';')) else { break };
        if semi.is_some_and(|s| s < open) {
            rest = &after[semi.unwrap_or(0) + 1..];
            continue;
        }
        let mut depth = 0usize;
        let mut end = after.len();
        for (j, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + j + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Expands a use tree (`super::{a, b::{c, self}}`) into its leaf paths.
fn expand(tree: &str) -> Vec<Vec<String>> {
    fn parse(tokens: &[String], i: &mut usize, prefix: &[String], out: &mut Vec<Vec<String>>) {
        let mut path = prefix.to_vec();
        while *i < tokens.len() {
            let t = tokens[*i].clone();
            match t.as_str() {
                "::" => *i += 1,
                "{" => {
                    *i += 1;
                    loop {
                        parse(tokens, i, &path, out);
                        match tokens.get(*i).map(String::as_str) {
                            Some(",") => *i += 1,
                            Some("}") => {
                                *i += 1;
                                break;
                            }
                            _ => break,
                        }
                        if tokens.get(*i).map(String::as_str) == Some("}") {
                            *i += 1;
                            break;
                        }
                    }
                    return;
                }
                "," | "}" => break,
                "as" => {
                    *i += 2;
                }
                "self" if !path.is_empty() => *i += 1,
                _ => {
                    path.push(t);
                    *i += 1;
                }
            }
        }
        out.push(path);
    }
    let tokens: Vec<String> = {
        let re = Regex::new(r"::|[{},*]|[A-Za-z_][A-Za-z0-9_]*").expect("regex");
        re.find_iter(tree).map(|m| m.as_str().to_string()).collect()
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        parse(&tokens, &mut i, &[], &mut out);
        // Past the separator (or a stray token) to the next tree.
        i += 1;
    }
    out
}

/// The absolute path a reference from module `at` means, if it points into `crate`.
fn absolute(at: &Module, is_mod_rs: bool, path: &[String]) -> Option<Vec<String>> {
    let mut segs = path.iter().peekable();
    let mut base: Vec<String> = match segs.peek().map(|s| s.as_str()) {
        Some("crate") => {
            segs.next();
            Vec::new()
        }
        Some("super") | Some("self") => at.clone(),
        _ => return None,
    };
    // In `a/b.rs` (module a::b) `super` is `a`; in `a/b/mod.rs` (also a::b) it is `a` as well.
    let _ = is_mod_rs;
    while let Some(s) = segs.peek() {
        match s.as_str() {
            "super" => {
                base.pop();
                segs.next();
            }
            "self" => {
                segs.next();
            }
            _ => break,
        }
    }
    base.extend(segs.cloned());
    Some(base)
}

/// The module an absolute path lands in: its longest prefix that is a module.
fn owner(modules: &BTreeMap<Module, PathBuf>, path: &[String]) -> Option<Module> {
    (1..=path.len()).rev().map(|n| path[..n].to_vec()).find(|p| modules.contains_key(p))
}

fn references(at: &Module, file: &Path, modules: &BTreeMap<Module, PathBuf>) -> Result<BTreeSet<Module>> {
    let src = strip(&std::fs::read_to_string(file)?);
    let is_mod_rs = file.file_name().is_some_and(|n| n == "mod.rs");
    let mut out = BTreeSet::new();
    let use_re = Regex::new(r"(?s)\buse\s+([^;]+);").expect("regex");
    for c in use_re.captures_iter(&src) {
        for leaf in expand(&c[1]) {
            if let Some(abs) = absolute(at, is_mod_rs, &leaf).and_then(|a| owner(modules, &a)) {
                out.insert(abs);
            }
        }
    }
    let path_re = Regex::new(r"\b(?:crate|super|self)(?:::[A-Za-z_][A-Za-z0-9_]*)+").expect("regex");
    for m in path_re.find_iter(&src) {
        let segs: Vec<String> = m.as_str().split("::").map(str::to_string).collect();
        if let Some(abs) = absolute(at, is_mod_rs, &segs).and_then(|a| owner(modules, &a)) {
            out.insert(abs);
        }
    }
    if is_mod_rs {
        // A parent naming a child's item (`entities::check`) depends on it.
        // A bare name only: `crate::backend::things::lists` in `api/things/mod.rs` is not the child `lists`.
        let child_re = Regex::new(r"(?:^|[^:\w])([a-z_][a-z0-9_]*)::").expect("regex");
        for c in child_re.captures_iter(&src) {
            let mut child = at.clone();
            child.push(c[1].to_string());
            if modules.contains_key(&child) {
                out.insert(child);
            }
        }
    }
    out.remove(at);
    Ok(out)
}

/// Strongly connected components of more than one module (Tarjan).
fn cycles(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    struct State<'a> {
        graph: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on: BTreeSet<&'a Module>,
        next: usize,
        out: Vec<Vec<Module>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a Module) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            let Some((w, _)) = s.graph.get_key_value(w) else { continue };
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).expect("low");
                *lv = (*lv).min(lw);
            } else if s.on.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).expect("low");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut scc = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on.remove(w);
                scc.push(w.clone());
                if w == v {
                    break;
                }
            }
            if scc.len() > 1 {
                scc.sort();
                s.out.push(scc);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out
}

/// One concrete cycle inside a component, for the message.
fn example(graph: &BTreeMap<Module, BTreeSet<Module>>, scc: &[Module]) -> Vec<Module> {
    let inside: BTreeSet<&Module> = scc.iter().collect();
    let start = &scc[0];
    // Breadth-first from start's successors back to start.
    let mut prev: BTreeMap<&Module, &Module> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::new();
    for w in graph[start].iter().filter(|w| inside.contains(w)) {
        prev.entry(w).or_insert(start);
        queue.push_back(w);
    }
    while let Some(v) = queue.pop_front() {
        if v == start {
            break;
        }
        for w in graph[v].iter().filter(|w| inside.contains(w)) {
            if !prev.contains_key(w) {
                prev.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    let mut path = vec![start.clone()];
    let mut cur = prev.get(start).copied();
    while let Some(c) = cur {
        if c == start {
            break;
        }
        path.push(c.clone());
        cur = prev.get(c).copied();
    }
    path.push(start.clone());
    path.reverse();
    path
}

/// Checks one tree; answers the number of modules looked at.
fn check_tree(dir: &Path, prefix: &[&str]) -> Result<usize> {
    let mut modules = BTreeMap::new();
    modules_under(dir, dir, prefix, &mut modules)?;
    // The tree's own root module (`backend/mod.rs` is `backend`).
    let mut graph = BTreeMap::new();
    for (m, file) in &modules {
        graph.insert(m.clone(), references(m, file, &modules)?);
    }
    let name = |m: &Module| m.join("::");
    // The ground floor (`backend::kernel`) stands on nothing but itself.
    let floor: Module = prefix.iter().map(|s| s.to_string()).chain(["kernel".to_string()]).collect();
    let mut upward = Vec::new();
    for (m, refs) in &graph {
        if m.starts_with(&floor) {
            upward.extend(refs.iter().filter(|r| !r.starts_with(&floor)).map(|r| format!("{} → {}", name(m), name(r))));
        }
    }
    if !upward.is_empty() {
        bail!("the ground floor imports a domain:\n  {}", upward.join("\n  "));
    }
    let found = cycles(&graph);
    if found.is_empty() {
        return Ok(modules.len());
    }
    let mut msg = String::new();
    for scc in &found {
        let cycle = example(&graph, scc);
        msg.push_str(&format!(
            "\n  {} modules import each other: {}\n    for example {}",
            scc.len(),
            scc.iter().map(name).collect::<Vec<_>>().join(", "),
            cycle.iter().map(name).collect::<Vec<_>>().join(" → ")
        ));
    }
    bail!("import cycles under {}:{msg}", dir.display())
}

/// The command.
pub fn check(root: &Path) -> Result<()> {
    let app = root.join("app/src");
    let backend = check_tree(&app.join("backend"), &["backend"])?;
    let api = check_tree(&app.join("api"), &["api"])?;
    println!("cycles: none among {backend} backend and {api} api modules");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn use_trees_expand_to_their_leaves() {
        let leaves = expand("super::{audit, things::{self, Kind}, authz::entities as e}");
        let names: Vec<String> = leaves.iter().map(|l| l.join("::")).collect();
        assert_eq!(names, ["super::audit", "super::things", "super::things::Kind", "super::authz::entities"]);
    }

    #[test]
    fn a_qualified_path_is_not_a_child() {
        let dir = std::env::temp_dir().join(format!("td-cycles-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("things")).unwrap();
        std::fs::write(dir.join("things/mod.rs"), "pub mod lists;\nfn f() { crate::backend::x::lists::g(); }\n")
            .unwrap();
        std::fs::write(dir.join("things/lists.rs"), "use crate::api::things::f;\n").unwrap();
        let mut modules = BTreeMap::new();
        modules_under(&dir, &dir, &["api"], &mut modules).unwrap();
        let at: Module = vec!["api".into(), "things".into()];
        assert!(references(&at, &modules[&at], &modules).unwrap().is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn relative_paths_resolve() {
        let at: Module = vec!["backend".into(), "authz".into(), "entities".into()];
        let p = |s: &str| s.split("::").map(str::to_string).collect::<Vec<_>>();
        assert_eq!(
            absolute(&at, false, &p("super::merged::Merged")).unwrap().join("::"),
            "backend::authz::merged::Merged"
        );
        assert_eq!(absolute(&at, false, &p("super::super::db")).unwrap().join("::"), "backend::db");
        assert_eq!(absolute(&at, false, &p("crate::backend::kernel::db")).unwrap().join("::"), "backend::kernel::db");
        assert!(absolute(&at, false, &p("sqlx::Row")).is_none());
    }
}
