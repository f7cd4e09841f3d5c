//! Repository rules checked as tests: every Rust file starts with a `//!` line, the policy engine stays pure, the quiz links no HTTP server, every dependency is justified in ARCHITECTURE.md, no skipped tests, and CI runs the README's test command.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "target" && n != "snapshots") {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn all_rust_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    rust_files(&root().join("crates"), &mut files);
    rust_files(&root().join("tests"), &mut files);
    files.sort();
    files
}

/// The dependency names declared in a manifest's `[dependencies]`-like sections.
fn dependencies(manifest: &str, sections: &[&str]) -> Vec<String> {
    let mut names = Vec::new();
    let mut inside = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = sections.contains(&line);
            continue;
        }
        if inside
            && !line.is_empty()
            && !line.starts_with('#')
            && let Some(name) = line.split(['=', '.']).next()
        {
            names.push(name.trim().to_owned());
        }
    }
    names
}

fn manifests() -> Vec<(PathBuf, String)> {
    let mut paths = vec![root().join("Cargo.toml")];
    for entry in std::fs::read_dir(root().join("crates")).unwrap() {
        let path = entry.unwrap().path().join("Cargo.toml");
        if path.exists() {
            paths.push(path);
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|p| (p.clone(), std::fs::read_to_string(p).unwrap()))
        .collect()
}

#[test]
fn every_rust_file_starts_with_a_module_doc_line() {
    let missing: Vec<String> = all_rust_files()
        .into_iter()
        .filter(|path| !std::fs::read_to_string(path).unwrap().starts_with("//! "))
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "files without a leading `//!` line saying what they are for: {missing:#?}"
    );
}

#[test]
fn policy_engine_depends_on_no_runtime_network_or_sdk_crate() {
    let manifest = std::fs::read_to_string(root().join("crates/policy/Cargo.toml")).unwrap();
    let banned = [
        "tokio", "axum", "hyper", "http", "reqwest", "tower", "rand", "chrono", "time", "miette", "clap",
    ];
    for name in dependencies(&manifest, &["[dependencies]"]) {
        assert!(
            !banned.contains(&name.as_str()) && !name.starts_with("aws-"),
            "crates/policy must stay pure (no I/O, clock, randomness, HTTP or SDK), but depends on `{name}`"
        );
    }
}

#[test]
fn the_lab_without_web_and_the_terminal_quiz_link_no_http_server() {
    let manifest = std::fs::read_to_string(root().join("crates/lab/Cargo.toml")).unwrap();
    let web_only = ["copylab-server", "axum", "tokio", "minijinja"];
    for line in manifest.lines() {
        let name = line.split(['=', '.']).next().unwrap_or_default().trim();
        if web_only.contains(&name) {
            assert!(
                line.contains("optional = true"),
                "crates/lab: `{name}` must be optional (the `web` feature), or the quiz links it: {line}"
            );
        }
    }
    let quiz = std::fs::read_to_string(root().join("crates/copylab/src/quiz_cmd.rs")).unwrap();
    for used in ["copylab_server", "copylab_lab::web", "axum", "tokio"] {
        assert!(
            !quiz.contains(used),
            "copylab quiz uses `{used}`: it must use the pure lab only"
        );
    }
    let server = std::fs::read_to_string(root().join("crates/server/Cargo.toml")).unwrap();
    assert!(
        !server.contains("copylab-lab"),
        "the server holds no lab: it must not depend on copylab-lab"
    );
}

#[test]
fn docs_checks_md_lists_the_checks_in_the_order_of_the_engines_table() {
    let docs = std::fs::read_to_string(root().join("docs/checks.md")).unwrap();
    // The first table: one row per check, its id in backticks in the first column.
    let table: Vec<&str> = docs
        .lines()
        .skip_while(|l| !l.starts_with("| check |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| l.split('`').nth(1))
        .collect();
    let engine: Vec<&str> = copylab_rules::checks::CHECKS.iter().map(|c| c.id).collect();
    assert_eq!(table, engine, "docs/checks.md's table is not the engine's check order");
}

#[test]
fn every_dependency_is_justified_in_architecture_md() {
    let architecture = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let sections = ["[dependencies]", "[dev-dependencies]", "[workspace.dependencies]"];
    for (path, manifest) in manifests() {
        for name in dependencies(&manifest, &sections) {
            if name.starts_with("copylab") {
                continue;
            }
            assert!(
                architecture.contains(&format!("`{name}`")),
                "{}: dependency `{name}` has no line in ARCHITECTURE.md saying why",
                path.display()
            );
        }
    }
}

#[test]
fn no_test_is_skipped_or_expects_a_panic() {
    // The markers are assembled so that this file does not contain them either.
    let markers = [concat!("#[", "ignore"), concat!("#[", "should_panic")];
    for path in all_rust_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        for marker in markers {
            assert!(
                !text.contains(marker),
                "{}: uses {marker}]; assert on today's behaviour instead",
                path.display()
            );
        }
    }
}

#[test]
fn ci_runs_the_test_command_the_readme_gives() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    let command = "cargo test --workspace --locked";
    assert!(
        readme.contains(command),
        "README.md must give `{command}` as its test command"
    );
    assert!(
        ci.lines().any(|l| l.trim().starts_with(command)),
        ".ci/run must run `{command}`"
    );
}
