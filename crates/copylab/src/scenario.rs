//! Loading scenarios: YAML files (strict, with `file:line:column` errors), policies kept in JSON files next to them, and the built-in catalog embedded in the binary.

use std::path::{Path, PathBuf};

use copylab_rules::world::PolicyDocument;
use copylab_rules::{Scenario, World};

include!(concat!(env!("OUT_DIR"), "/builtin_scenarios.rs"));

/// Scenario files larger than this are refused.
const MAX_SCENARIO_BYTES: u64 = 4 * 1024 * 1024;

/// A scenario and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    /// The file stem (the scenario's name everywhere).
    pub name: String,
    /// The file, or `None` for a built-in.
    pub path: Option<PathBuf>,
    /// The scenario.
    pub scenario: Scenario,
}

/// Why a scenario could not be loaded; `Display` starts with `file:line:column` where known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file or built-in name.
    pub origin: String,
    /// Line and column, 1-based.
    pub position: Option<(usize, usize)>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.position {
            Some((line, column)) => write!(f, "{}:{line}:{column}: {}", self.origin, self.message),
            None => write!(f, "{}: {}", self.origin, self.message),
        }
    }
}

impl std::error::Error for ScenarioError {}

/// Every built-in scenario, parsed, by name (the lab's catalog).
pub fn builtin_catalog() -> Vec<(String, Scenario)> {
    builtin_names()
        .filter_map(|name| load(name).ok().map(|loaded| (name.to_owned(), loaded.scenario)))
        .collect()
}

/// The built-in scenario names, sorted.
pub fn builtin_names() -> impl Iterator<Item = &'static str> {
    BUILTIN.iter().map(|(name, _)| *name)
}

/// Loads a scenario by path (anything with a `/` or ending in `.yaml`/`.yml`) or built-in name.
/// A built-in scenario by name, never a file: what a client of `copylab serve` may name
/// (`POST /_copylab/scenario {"name": ...}`), so no request opens a path it chose.
pub fn builtin(name: &str) -> Option<copylab_rules::Scenario> {
    let (name, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
    parse(name, text, None).ok()
}

/// The most bytes a state document file may have (`copylab serve --scenario FILE` with the output
/// of `GET /_copylab/state`): an operator's file, larger than a scenario since it carries jobs.
const MAX_STATE_DOCUMENT_BYTES: u64 = 512 * 1024 * 1024;

/// A state document file (the output of `GET /_copylab/state`), with the FNV-1a hash of its
/// text (`--state-dir` keeps it, to know a restart starts from the same document).
#[derive(Debug)]
pub struct LoadedStateDocument {
    /// The document.
    pub document: copylab_server::state_document::StateDocument,
    /// `fnv1a64:` and the hash of its bytes, in hex.
    pub fingerprint: String,
}

/// Reads `reference` as a state document when it is a file whose `format` says it is one;
/// `None` for anything else (a built-in name, a scenario file), which [`load`] reads.
pub fn load_state_document(reference: &str) -> Option<Result<LoadedStateDocument, ScenarioError>> {
    let path = Path::new(reference);
    let size = std::fs::metadata(path).ok().filter(|m| m.is_file())?.len();
    let fail = |position: Option<(usize, usize)>, message: String| ScenarioError {
        origin: path.display().to_string(),
        position,
        message,
    };
    // Only a JSON object can be one: anything else is left to the scenario reader.
    let mut head = [0u8; 64];
    let read = std::io::Read::read(&mut std::fs::File::open(path).ok()?, &mut head).ok()?;
    if !String::from_utf8_lossy(&head[..read]).trim_start().starts_with('{') {
        return None;
    }
    if size > MAX_STATE_DOCUMENT_BYTES {
        return Some(Err(fail(
            None,
            format!("the file is {size} bytes; a state document is at most {MAX_STATE_DOCUMENT_BYTES}"),
        )));
    }
    let text = match std::fs::read(path).map(String::from_utf8) {
        Ok(Ok(text)) => text,
        Ok(Err(_)) => return Some(Err(fail(None, "the file is not UTF-8 text".to_owned()))),
        Err(e) => return Some(Err(fail(None, format!("cannot read the file: {e}")))),
    };
    // Its `format` says so, wherever it is among the members; a JSON scenario has none.
    #[derive(serde::Deserialize)]
    struct Head {
        format: Option<String>,
    }
    let named = match serde_json::from_str::<Head>(&text) {
        Ok(head) => head.format.as_deref() == Some(copylab_server::state_document::FORMAT),
        // Not JSON, but saying it is a state document: its reader says where it breaks.
        Err(_) => text.contains(copylab_server::state_document::FORMAT),
    };
    if !named {
        return None;
    }
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    Some(
        copylab_server::state_document::parse(&text)
            .map(|document| LoadedStateDocument {
                document,
                fingerprint: format!("fnv1a64:{hash:016x}"),
            })
            .map_err(|e| fail(e.position, e.message)),
    )
}

/// Loads a built-in scenario by name, or a scenario file.
pub fn load(reference: &str) -> Result<LoadedScenario, ScenarioError> {
    let looks_like_path = reference.contains('/') || reference.ends_with(".yaml") || reference.ends_with(".yml");
    if !looks_like_path {
        if let Some((name, text)) = BUILTIN.iter().find(|(name, _)| *name == reference) {
            return parse(name, text, None).map(|scenario| LoadedScenario {
                name: (*name).to_owned(),
                path: None,
                scenario,
            });
        }
        if !Path::new(reference).exists() {
            return Err(ScenarioError {
                origin: reference.to_owned(),
                position: None,
                message: format!("no built-in scenario `{reference}` and no such file (see `copylab scenarios`)"),
            });
        }
    }
    load_file(Path::new(reference))
}

/// Loads a scenario file.
pub fn load_file(path: &Path) -> Result<LoadedScenario, ScenarioError> {
    let origin = path.display().to_string();
    let fail = |message: String| ScenarioError {
        origin: origin.clone(),
        position: None,
        message,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| fail(format!("cannot read the file: {e}")))?
        .len();
    if size > MAX_SCENARIO_BYTES {
        return Err(fail(format!(
            "the file is {size} bytes; a scenario is at most {MAX_SCENARIO_BYTES}"
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot read the file: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|_| fail("the file is not UTF-8 text".to_owned()))?;
    let scenario = parse(&origin, &text, path.parent())?;
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("scenario")
        .to_owned();
    Ok(LoadedScenario {
        name,
        path: Some(path.to_owned()),
        scenario,
    })
}

/// The default world `copylab serve` serves (`worlds/default.yaml`, embedded).
pub const DEFAULT_WORLD: &str = include_str!("../../../worlds/default.yaml");

/// Parses a world file (the `world` part of a scenario on its own).
pub fn parse_world(origin: &str, text: &str, base: Option<&Path>) -> Result<World, ScenarioError> {
    let mut world: World = serde_norway::from_str(text).map_err(|e| {
        let position = e.location().map(|l| (l.line(), l.column()));
        ScenarioError {
            origin: origin.to_owned(),
            position,
            message: e.to_string(),
        }
    })?;
    resolve_policies(&mut world, origin, base)?;
    Ok(world)
}

/// Parses scenario text; `base` is the directory policy files are read from.
pub fn parse(origin: &str, text: &str, base: Option<&Path>) -> Result<Scenario, ScenarioError> {
    let mut scenario: Scenario = serde_norway::from_str(text).map_err(|e| {
        let position = e.location().map(|l| (l.line(), l.column()));
        let message = e.to_string();
        // serde_norway appends " at line L column C"; the position is shown in front instead.
        let message = match message.rfind(" at line ") {
            Some(i) if position.is_some() => message[..i].to_owned(),
            _ => message,
        };
        ScenarioError {
            origin: origin.to_owned(),
            position,
            message,
        }
    })?;
    resolve_policies(&mut scenario.world, origin, base)?;
    if let Some(as_of) = &scenario.as_of {
        let valid = as_of.len() == 10
            && as_of.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        if !valid {
            return Err(ScenarioError {
                origin: origin.to_owned(),
                position: None,
                message: format!("as_of `{as_of}` is not a date of the form YYYY-MM-DD"),
            });
        }
    }
    Ok(scenario)
}

/// Replaces `{"file": "x.json"}` with the file's policy, and unwraps `aws kms get-key-policy`
/// output (`{"Policy": "...", "PolicyName": "default"}`).
fn resolve_policies(world: &mut World, origin: &str, base: Option<&Path>) -> Result<(), ScenarioError> {
    let mut documents: Vec<(String, &mut PolicyDocument)> = Vec::new();
    for (i, key) in world.keys.iter_mut().enumerate() {
        if let Some(policy) = key.policy.as_mut() {
            documents.push((format!("world.keys[{i}].policy"), policy));
        }
    }
    for (i, vault) in world.vaults.iter_mut().enumerate() {
        if let Some(policy) = vault.access_policy.as_mut() {
            documents.push((format!("world.vaults[{i}].access_policy"), policy));
        }
    }
    for (i, role) in world.roles.iter_mut().enumerate() {
        if let Some(policy) = role.trust_policy.as_mut() {
            documents.push((format!("world.roles[{i}].trust_policy"), policy));
        }
        for (j, policy) in role.policies.iter_mut().enumerate() {
            documents.push((format!("world.roles[{i}].policies[{j}].document"), &mut policy.document));
        }
    }
    for (path, document) in documents {
        let fail = |message: String| ScenarioError {
            origin: origin.to_owned(),
            position: None,
            message: format!("{path}: {message}"),
        };
        if let Some(file) = document
            .0
            .as_object()
            .filter(|o| o.len() == 1)
            .and_then(|o| o.get("file"))
            .and_then(|f| f.as_str())
        {
            let Some(base) = base else {
                return Err(fail(format!(
                    "policy file `{file}` cannot be read for a built-in scenario"
                )));
            };
            let full = base.join(file);
            let text = std::fs::read_to_string(&full)
                .map_err(|e| fail(format!("cannot read policy file `{}`: {e}", full.display())))?;
            document.0 = serde_json::from_str(&text).map_err(|e| {
                fail(format!(
                    "{}:{}:{}: invalid JSON: {e}",
                    full.display(),
                    e.line(),
                    e.column()
                ))
            })?;
        }
        let wrapped = document
            .0
            .as_object()
            .and_then(|o| o.get("Policy"))
            .and_then(|p| p.as_str())
            .map(str::to_owned);
        if let Some(inner) = wrapped {
            document.0 =
                serde_json::from_str(&inner).map_err(|e| fail(format!("the `Policy` string is not JSON: {e}")))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_field_error_has_line_and_column() {
        let err = parse(
            "s.yaml",
            "description: x\nworld: {}\ncopy_job:\n  account: '111122223333'\n  region: us-east-1\n  colour: red\n",
            None,
        )
        .unwrap_err();
        assert_eq!(err.position.map(|p| p.0), Some(6), "{err}");
        assert!(err.to_string().starts_with("s.yaml:6:"), "{err}");
        assert!(err.message.contains("colour"), "{err}");
    }

    #[test]
    fn get_key_policy_output_is_unwrapped() {
        let text = r#"
description: x
world:
  keys:
    - arn: arn:aws:kms:us-east-1:111122223333:key/k
      policy: {"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[]}", "PolicyName": "default"}
copy_job: {account: '111122223333', region: us-east-1}
"#;
        let scenario = parse("s.yaml", text, None).unwrap();
        let policy = scenario.world.keys[0].policy.as_ref().unwrap();
        assert_eq!(policy.0["Version"], "2012-10-17");
    }
}
