//! A collected folder as `copylab import` reads it: the manifest's calls, each with its parsed JSON output; bad input (no manifest, a truncated file, a file of the wrong command, a name outside the folder) is an error naming the file, line and column.

use serde_json::Value;

/// Which account's profile ran a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The source account (the recovery point, its vault and key, the copy role).
    Source,
    /// The destination account (its vault, access policy and key, its tag policy).
    Destination,
    /// The organization's management account.
    Management,
}

/// One call of the manifest.
#[derive(Debug, Clone)]
pub struct Call {
    /// The manifest's line number.
    pub line: usize,
    /// The file its output is in (none when it failed).
    pub file: Option<String>,
    /// Which profile ran it.
    pub side: Side,
    /// The profile's name.
    pub profile: String,
    /// The profile's account, when `sts get-caller-identity` told it.
    pub account: Option<String>,
    /// The command's words after `aws`.
    pub words: Vec<String>,
    /// Its exit status.
    pub status: i64,
    /// The AWS error code when it failed.
    pub error_code: Option<String>,
    /// The AWS error message when it failed.
    pub error_message: Option<String>,
    /// Its output.
    pub output: Option<Value>,
}

impl Call {
    /// `service operation`, as `kms get-key-policy`.
    pub fn is(&self, service: &str, operation: &str) -> bool {
        self.words.first().map(String::as_str) == Some(service)
            && self.words.get(1).map(String::as_str) == Some(operation)
    }

    /// The value of `--flag`.
    pub fn arg(&self, flag: &str) -> Option<&str> {
        let at = self.words.iter().position(|w| w == flag)?;
        self.words.get(at + 1).map(String::as_str)
    }

    /// The command as the script ran it, with its profile.
    pub fn command(&self) -> String {
        format!("aws {} --profile {}", self.words.join(" "), self.profile)
    }

    /// Why it has no output: the AWS error, or the exit status.
    pub fn failure(&self) -> String {
        match (&self.error_code, &self.error_message) {
            (Some(code), Some(message)) => format!("{code}: {message}"),
            (Some(code), None) => code.clone(),
            (None, Some(message)) => message.clone(),
            (None, None) => format!("exit status {}", self.status),
        }
    }

    /// Where a value in its output came from: `FILE $.PATH`.
    pub fn source(&self, path: &str) -> String {
        format!("{} {path}", self.file.as_deref().unwrap_or("(none)"))
    }
}

/// A collected folder.
#[derive(Debug, Clone)]
pub struct Collected {
    /// The calls, in the manifest's order.
    pub calls: Vec<Call>,
}

/// The most calls a manifest may list, and the largest file read (bounds against a hostile
/// folder).
const MAX_CALLS: usize = 10_000;
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

impl Collected {
    /// Reads `dir`'s `manifest.jsonl` and the files it names.
    pub fn read(dir: &std::path::Path) -> Result<Collected, String> {
        let manifest_path = dir.join("manifest.jsonl");
        let manifest = read_text(&manifest_path).map_err(|e| {
            format!(
                "{e}: not a folder `copylab collect`'s script wrote (run the script with this folder as its argument)"
            )
        })?;
        let mut calls = Vec::new();
        for (i, line) in manifest.lines().enumerate() {
            let number = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            if calls.len() >= MAX_CALLS {
                return Err(format!("{}: more than {MAX_CALLS} calls", manifest_path.display()));
            }
            let entry: Value = serde_json::from_str(line).map_err(|e| {
                format!(
                    "{}:{number}:{}: not a JSON line: {e}",
                    manifest_path.display(),
                    e.column()
                )
            })?;
            calls.push(call(dir, &manifest_path, number, &entry)?);
        }
        if calls.is_empty() {
            return Err(format!("{}: no calls: the script did not run", manifest_path.display()));
        }
        Ok(Collected { calls })
    }

    /// The calls of `service operation` run by `side`.
    pub fn all(&self, side: Side, service: &str, operation: &str) -> Vec<&Call> {
        self.calls
            .iter()
            .filter(|c| c.side == side && c.is(service, operation))
            .collect()
    }

    /// The first call of `service operation` run by `side`.
    pub fn first(&self, side: Side, service: &str, operation: &str) -> Option<&Call> {
        self.all(side, service, operation).into_iter().next()
    }

    /// Whether any call was run by `side`.
    pub fn ran(&self, side: Side) -> bool {
        self.calls.iter().any(|c| c.side == side)
    }
}

fn read_text(path: &std::path::Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!("{}: larger than {MAX_FILE_BYTES} bytes", path.display()));
    }
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// One manifest line, its file read and parsed.
fn call(dir: &std::path::Path, manifest: &std::path::Path, number: usize, entry: &Value) -> Result<Call, String> {
    let at = |what: &str| format!("{}:{number}: {what}", manifest.display());
    let text = |member: &str| entry[member].as_str().filter(|s| !s.is_empty()).map(str::to_owned);
    let side = match entry["side"].as_str() {
        Some("source") => Side::Source,
        Some("destination") => Side::Destination,
        Some("management") => Side::Management,
        other => return Err(at(&format!("side {other:?} is not source, destination or management"))),
    };
    let command = text("command").ok_or_else(|| at("no command"))?;
    let mut words: Vec<String> = command.split_whitespace().map(str::to_owned).collect();
    if words.first().map(String::as_str) == Some("aws") {
        words.remove(0);
    }
    let status = entry["exit"].as_i64().ok_or_else(|| at("no exit status"))?;
    let file = text("file");
    let output = match &file {
        Some(name) if status == 0 => {
            // The folder's own files only.
            if name.contains('/') || name.contains('\\') || name.starts_with('.') {
                return Err(at(&format!("file {name:?} is not a name in the folder")));
            }
            let path = dir.join(name);
            let body = read_text(&path)?;
            let value: Value = serde_json::from_str(&body).map_err(|e| {
                format!(
                    "{}:{}:{}: not JSON ({e}): was the script interrupted?",
                    path.display(),
                    e.line(),
                    e.column()
                )
            })?;
            Some(value)
        }
        _ => None,
    };
    Ok(Call {
        line: number,
        file: if output.is_some() { file } else { None },
        side,
        profile: text("profile").unwrap_or_default(),
        account: text("account"),
        words,
        status,
        error_code: text("error_code"),
        error_message: text("error_message"),
        output,
    })
}
