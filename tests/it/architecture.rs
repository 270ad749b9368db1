//! The module dependency table (ARCHITECTURE.md): lower modules never import
//! higher ones, external crates with a lane stay in it (HTTP crates in
//! `http`, the async runtime at the edges), and `unsafe` lives only in the
//! mmap file.
//!
//! Reads the files under `src/` as text (comments and literals stripped) and
//! follows every `crate::…` and `super::…` path that leaves its own module.
//! Starts no server and touches nothing outside `src/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Which top-level modules each module may import from the crate.
const ALLOWED: &[(&str, &[&str])] = &[
    ("model", &[]),
    ("config", &["model"]),
    ("geo", &["model"]),
    ("kernels", &["model"]),
    ("graph", &["model", "geo", "kernels"]),
    ("style", &["model"]),
    ("encode", &["model"]),
    ("storage", &["model", "geo", "encode"]),
    ("cache", &["model"]),
    ("catalogue", &["model", "geo", "graph", "storage"]),
    ("api", &["model", "catalogue", "graph", "style"]),
    (
        "render",
        &[
            "model",
            "cache",
            "catalogue",
            "geo",
            "graph",
            "kernels",
            "storage",
            "style",
            "encode",
        ],
    ),
    ("protocol", &["model", "geo", "style"]),
    (
        "serve",
        &[
            "model",
            "config",
            "geo",
            "cache",
            "catalogue",
            "render",
            "protocol",
            "style",
        ],
    ),
    (
        "http",
        &[
            "model",
            "config",
            "catalogue",
            "api",
            "protocol",
            "render",
            "serve",
        ],
    ),
    (
        "app",
        &[
            "model",
            "config",
            "geo",
            "graph",
            "storage",
            "cache",
            "catalogue",
            "render",
            "serve",
            "http",
        ],
    ),
];

/// The only files that may hold `unsafe` (and must say `#[allow(unsafe_code)]`).
const UNSAFE_FILES: &[&str] = &["storage/mmap.rs"];

fn src_dir() -> PathBuf {
    super::support::repo().join("src")
}

/// Every `.rs` file under `dir`, as paths relative to `src/` with `/` separators.
fn rust_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(root, &path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            let rel = path.strip_prefix(root).expect("under src");
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push(parts.join("/"));
        }
    }
}

/// Rust source with comments, string literals and char literals blanked out
/// (lifetimes are kept), so that only code remains to be searched.
fn code_only(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < c.len() {
        let next = c.get(i + 1).copied();
        if c[i] == '/' && next == Some('/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if c[i] == '/' && next == Some('*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c[i] == 'r'
            && (next == Some('"') || next == Some('#'))
            && !c
                .get(i.wrapping_sub(1))
                .is_some_and(|p| p.is_alphanumeric() || *p == '_')
        {
            // A raw string r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while c.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if c.get(j) != Some(&'"') {
                out.push(c[i]);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= c.len() {
                    break;
                }
                if c[j] == '"' && (0..hashes).all(|k| c.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c[i] == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c[i] == '\'' {
            if next == Some('\\') {
                // '\n', '\u{…}': skip to the closing quote.
                i += 2;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
                out.push_str("' '");
            } else if c.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push_str("' '");
            } else {
                // A lifetime or label.
                out.push(c[i]);
                i += 1;
            }
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

fn is_ident_char(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

/// The identifiers a path continues with after position `at`: one for
/// `a::…`, several for a group `{a::…, b, c::{…}}` (its top-level names).
fn heads_after(code: &[char], mut at: usize) -> Vec<String> {
    while code.get(at).is_some_and(|c| c.is_whitespace()) {
        at += 1;
    }
    if code.get(at) == Some(&'{') {
        let mut names = Vec::new();
        let mut depth = 0;
        let mut expect_name = true;
        let mut i = at;
        while i < code.len() {
            let ch = code[i];
            match ch {
                '{' => {
                    depth += 1;
                    expect_name = depth == 1;
                    i += 1;
                }
                '}' => {
                    depth -= 1;
                    i += 1;
                    if depth == 0 {
                        break;
                    }
                }
                ',' if depth == 1 => {
                    expect_name = true;
                    i += 1;
                }
                c if is_ident_char(c) && depth == 1 && expect_name => {
                    let start = i;
                    while i < code.len() && is_ident_char(code[i]) {
                        i += 1;
                    }
                    names.push(code[start..i].iter().collect());
                    expect_name = false;
                }
                _ => i += 1,
            }
        }
        names
    } else {
        let start = at;
        while at < code.len() && is_ident_char(code[at]) {
            at += 1;
        }
        if at > start {
            vec![code[start..at].iter().collect()]
        } else {
            Vec::new()
        }
    }
}

/// The module path of a file: `geo/tests/golden.rs` → [geo, tests, golden],
/// `geo/tests/mod.rs` → [geo, tests], `app.rs` → [app].
fn module_path(rel: &str) -> Vec<String> {
    let mut parts: Vec<String> = rel.split('/').map(str::to_string).collect();
    let last = parts.pop().unwrap_or_default();
    if last != "mod.rs" {
        parts.push(last.trim_end_matches(".rs").to_string());
    }
    parts
}

/// The top-level crate modules a file's code refers to through `crate::` or
/// through enough `super::` to reach the crate root.
fn crate_refs(rel: &str, code: &str) -> BTreeSet<String> {
    let chars: Vec<char> = code.chars().collect();
    let module = module_path(rel);
    let mut refs = BTreeSet::new();
    let word_at = |i: usize, w: &str| -> bool {
        let wc: Vec<char> = w.chars().collect();
        chars.get(i..i + wc.len()) == Some(&wc[..])
            && !i
                .checked_sub(1)
                .and_then(|p| chars.get(p))
                .is_some_and(|&p| is_ident_char(p) || p == '$')
    };
    let mut i = 0;
    while i < chars.len() {
        if word_at(i, "crate::") {
            refs.extend(heads_after(&chars, i + "crate::".len()));
            i += "crate::".len();
        } else if word_at(i, "super::") {
            let mut depth = 0;
            let mut j = i;
            while word_at(j, "super::") {
                depth += 1;
                j += "super::".len();
            }
            if depth >= module.len() {
                refs.extend(heads_after(&chars, j));
            }
            i = j;
        } else {
            i += 1;
        }
    }
    refs
}

fn contains_word(code: &str, word: &str) -> bool {
    code.match_indices(word).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + word.len()..].chars().next();
        !before.is_some_and(is_ident_char) && !after.is_some_and(is_ident_char)
    })
}

struct Scan {
    /// file (relative to src/) → its code with comments and literals removed.
    files: BTreeMap<String, String>,
}

fn scan() -> Scan {
    let root = src_dir();
    let mut names = Vec::new();
    rust_files(&root, &root, &mut names);
    let files = names
        .into_iter()
        .map(|rel| {
            let text = std::fs::read_to_string(root.join(&rel)).expect("read source");
            let code = code_only(&text);
            (rel, code)
        })
        .collect();
    Scan { files }
}

#[test]
fn the_scanner_sees_through_comments_strings_groups_and_super() {
    let code = code_only(
        "// use crate::http;\n/* crate::app */ let s = \"crate::render\"; let r = r#\"crate::cache\"#;\n\
         let c = '\"'; fn f<'a>(x: &'a str) {}\n use crate::{model::Crs, geo::{self, Transformer}, style};\n\
         let y = super::super::storage::Store::open; let z = super::sibling::f;",
    );
    assert!(!code.contains("http") && !code.contains("app") && !code.contains("render"));
    assert!(!code.contains("cache"), "raw string kept: {code}");
    assert!(code.contains("<'a>"), "lifetime lost: {code}");
    let refs = crate_refs("geo/tests/mod.rs", &code);
    let want: BTreeSet<String> = ["model", "geo", "style", "storage"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(refs, want);
    // From a deeper file, two `super::` stay inside `geo`.
    let refs = crate_refs("geo/tests/golden.rs", &code);
    assert!(!refs.contains("storage"), "{refs:?}");
    assert!(contains_word("let x = unsafe { 1 };", "unsafe"));
    assert!(!contains_word("fn not_unsafe_here() {}", "unsafe"));
}

#[test]
fn lower_modules_never_import_higher_ones() {
    let scan = scan();
    let table: BTreeMap<&str, BTreeSet<&str>> = ALLOWED
        .iter()
        .map(|(m, deps)| (*m, deps.iter().copied().collect()))
        .collect();
    let mut violations = Vec::new();
    let mut edges = 0;
    let mut seen_modules = BTreeSet::new();
    for (rel, code) in &scan.files {
        let module = module_path(rel)[0].clone();
        if module == "lib" || module == "main" {
            // lib.rs declares the modules; main.rs is the command (may use everything).
            continue;
        }
        seen_modules.insert(module.clone());
        let Some(allowed) = table.get(module.as_str()) else {
            violations.push(format!(
                "src/{rel}: module `{module}` is not in the dependency table"
            ));
            continue;
        };
        for target in crate_refs(rel, code) {
            if target == module || target == "self" {
                continue;
            }
            if !table.contains_key(target.as_str()) {
                // `crate::SomeReexport` or a macro path: not a module edge.
                continue;
            }
            edges += 1;
            if !allowed.contains(target.as_str()) {
                violations.push(format!("src/{rel}: `{module}` imports `{target}`"));
            }
        }
    }
    // The scan really saw the crate: every module in the table has files, and
    // the known lower-to-lower edges were found.
    for (m, _) in ALLOWED {
        assert!(seen_modules.contains(*m), "no files found for module {m}");
    }
    assert!(edges > 30, "only {edges} cross-module references found");
    assert!(
        violations.is_empty(),
        "module dependency rule broken:\n{}",
        violations.join("\n")
    );
}

/// External crates that belong to one band of the crate: the modules
/// (besides `main.rs`) that may name them.
const LANES: &[(&str, &[&str])] = &[
    ("hyper", &["http"]),
    // `config` validates header values and URLs while loading.
    ("http", &["http", "config"]),
    ("http_body_util", &["http"]),
    ("hyper_util", &["http"]),
    ("tokio", &["http", "render", "app"]),
    ("rusqlite", &["catalogue"]),
    // The size-bounded regex lookups of the API's filters.
    ("regex", &["api"]),
    // Raising the open-files limit is the command's (`main.rs`) alone.
    ("rlimit", &[]),
];

/// True when `code` names the external crate `name` as a path head
/// (`name::…`, not `crate::name::…` or `other_name::…`).
fn names_crate(code: &str, name: &str) -> bool {
    let pattern = format!("{name}::");
    code.match_indices(&pattern).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        !before.is_some_and(|c| is_ident_char(c) || c == ':')
    })
}

#[test]
fn external_crates_stay_in_their_lanes() {
    assert!(names_crate("use http::HeaderMap;", "http"));
    assert!(!names_crate("use crate::http::Server;", "http"));
    assert!(!names_crate("let x = my_http::f();", "http"));
    let scan = scan();
    let mut violations = Vec::new();
    for (rel, code) in &scan.files {
        let module = module_path(rel)[0].clone();
        // The command may use everything; unit tests drive what they test.
        let test_file = rel.ends_with("tests.rs") || rel.contains("/tests/");
        if module == "main" || test_file {
            continue;
        }
        for (name, lanes) in LANES {
            if names_crate(code, name) && !lanes.contains(&module.as_str()) {
                violations.push(format!("src/{rel}: `{module}` uses `{name}`"));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "external crates outside their lanes:\n{}",
        violations.join("\n")
    );
}

#[test]
fn storage_really_depends_on_what_the_table_allows() {
    // Guards against a scanner that finds nothing: storage uses model and geo.
    let scan = scan();
    let mut used = BTreeSet::new();
    for (rel, code) in scan.files.iter().filter(|(r, _)| r.starts_with("storage/")) {
        used.extend(crate_refs(rel, code));
    }
    assert!(used.contains("model"), "{used:?}");
    assert!(used.contains("geo"), "{used:?}");
}

#[test]
fn unsafe_code_lives_only_in_the_mmap_file() {
    let scan = scan();
    let mut with_unsafe = Vec::new();
    let mut allowing = Vec::new();
    for (rel, code) in &scan.files {
        if contains_word(code, "unsafe") {
            with_unsafe.push(rel.clone());
        }
        let squeezed: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if squeezed.contains("allow(unsafe_code)") || squeezed.contains("expect(unsafe_code)") {
            allowing.push(rel.clone());
        }
    }
    for rel in &with_unsafe {
        assert!(
            UNSAFE_FILES.contains(&rel.as_str()),
            "src/{rel} uses `unsafe`; only {UNSAFE_FILES:?} may"
        );
    }
    assert_eq!(
        allowing, UNSAFE_FILES,
        "the files that #[allow(unsafe_code)] must be exactly the mmap file"
    );
    // Every unsafe block of the allowed file carries a SAFETY comment.
    let text = std::fs::read_to_string(src_dir().join("storage/mmap.rs")).expect("mmap.rs");
    let code = code_only(&text);
    let blocks = code.matches("unsafe {").count() + code.matches("unsafe impl").count();
    let safety = text.matches("SAFETY:").count();
    assert!(
        safety >= blocks,
        "storage/mmap.rs: {blocks} unsafe blocks but {safety} SAFETY comments"
    );
}

#[test]
fn unsafe_code_is_denied_crate_wide() {
    // The per-file allowance above only means something while the crate denies
    // unsafe code everywhere else.
    let text =
        std::fs::read_to_string(super::support::repo().join("Cargo.toml")).expect("Cargo.toml");
    let manifest: toml::Table = text.parse().expect("Cargo.toml is TOML");
    let level = manifest
        .get("lints")
        .and_then(|l| l.get("rust"))
        .and_then(|r| r.get("unsafe_code"))
        .and_then(|v| {
            v.as_str()
                .or_else(|| v.get("level").and_then(|l| l.as_str()))
        });
    assert!(
        matches!(level, Some("deny" | "forbid")),
        "[lints.rust] unsafe_code is {level:?}, not deny"
    );
}
