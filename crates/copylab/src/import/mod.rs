//! `copylab import`: reads the folder `copylab collect`'s script filled (its `manifest.jsonl` and one JSON file per call) and writes a scenario: the world, the copy request and the observed job, each fact with the file and JSON path it came from, and every fact that was refused or not collected marked unknown (never guessed).

mod collected;
mod redact;
mod world;

use std::io::Write;

use crate::cli::{ImportArgs, exit};

pub use collected::{Call, Collected, Side};

/// Reads `dir` and turns it into a scenario (a JSON value in the scenario format), redacted
/// when asked.
pub fn scenario_of(dir: &std::path::Path, redacted: bool) -> Result<serde_json::Value, String> {
    let collected = Collected::read(dir)?;
    let mut scenario = world::scenario(&collected)?;
    if redacted {
        redact::redact(&mut scenario);
    }
    // The scenario format's own reading (the JSON Schema is generated from the same types).
    serde_json::from_value::<copylab_rules::Scenario>(scenario.clone()).map_err(|e| {
        format!(
            "the scenario made from {} is not valid: {e} (a copylab bug: please report it)",
            dir.display()
        )
    })?;
    Ok(scenario)
}

/// `copylab import DIR [-o FILE] [--redact]`.
pub(crate) fn import(args: &ImportArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let scenario = match scenario_of(&args.dir, args.redact) {
        Ok(scenario) => scenario,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return exit::INPUT;
        }
    };
    let text = match serde_json::to_string_pretty(&scenario) {
        Ok(text) => text + "\n",
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return exit::INPUT;
        }
    };
    match &args.output {
        Some(path) => match std::fs::write(path, text) {
            Ok(()) => {
                let unknown = scenario["world"]["unknown"].as_array().map_or(0, Vec::len);
                let _ = writeln!(
                    err,
                    "wrote {} ({unknown} unknown facts); next: copylab explain {}",
                    path.display(),
                    path.display()
                );
                exit::OK
            }
            Err(e) => {
                let _ = writeln!(err, "error: {}: {e}", path.display());
                exit::INPUT
            }
        },
        None => match out.write_all(text.as_bytes()) {
            Ok(()) => exit::OK,
            Err(_) => exit::INPUT,
        },
    }
}
