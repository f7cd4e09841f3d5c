//! `copylab events`: follows a running `copylab serve`'s EventBridge events (`GET /_copylab/events/stream`) in the terminal, one line per event (colour only on a terminal), or one JSON envelope per line with `--format json`.

use std::io::{self, Write};

use serde_json::Value;

use crate::cli::{EventsArgs, Format, exit};

/// One line for a person: time, account, detail-type, state, the job's id, and the status
/// message when there is one.
pub fn line(envelope: &Value, color: bool) -> String {
    let detail = &envelope["detail"];
    let state = detail["state"]
        .as_str()
        .or_else(|| detail["status"].as_str())
        .unwrap_or_default();
    let painted = match (color, state) {
        (true, "COMPLETED") => format!("\x1b[32m{state}\x1b[0m"),
        (true, "FAILED" | "EXPIRED" | "ABORTED") => format!("\x1b[31m{state}\x1b[0m"),
        _ => state.to_owned(),
    };
    let id = detail["copyJobId"]
        .as_str()
        .or_else(|| detail["backupJobId"].as_str())
        .unwrap_or("-");
    let mut text = format!(
        "{}  {}  {}  {painted}  {id}",
        envelope["time"].as_str().unwrap_or_default(),
        envelope["account"].as_str().unwrap_or_default(),
        envelope["detail-type"].as_str().unwrap_or_default(),
    );
    if let Some(message) = detail["statusMessage"].as_str().filter(|m| !m.is_empty()) {
        text.push_str("  ");
        text.push_str(message);
    }
    text
}

/// Follows the stream until the server goes away (exit 0) or cannot be reached (exit 2).
pub(crate) fn events(args: &EventsArgs, out: &mut dyn Write, err: &mut dyn Write, color: bool) -> io::Result<i32> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let mut failure = None;
    let followed = runtime.block_on(copylab_server::delivery::follow(&args.endpoint, |envelope| {
        let written = match args.format {
            Format::Json => writeln!(out, "{envelope}"),
            Format::Text => writeln!(out, "{}", line(&envelope, color)),
        };
        if let Err(e) = written.and_then(|()| out.flush()) {
            failure = Some(e);
        }
    }));
    if let Some(e) = failure {
        return Err(e);
    }
    match followed {
        Ok(()) => Ok(exit::OK),
        Err(why) => {
            writeln!(err, "error: {why}")?;
            Ok(exit::INPUT)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_failed_copy_is_one_line_with_its_message_and_red_only_on_a_terminal() {
        let envelope = json!({"time": "2026-08-08T05:01:00Z", "account": "111122223333", "detail-type": "Copy Job State Change",
            "detail": {"copyJobId": "ABC", "state": "FAILED", "statusMessage": "Access Denied trying to call AWS Backup service"}});
        assert_eq!(
            line(&envelope, false),
            "2026-08-08T05:01:00Z  111122223333  Copy Job State Change  FAILED  ABC  Access Denied trying to call AWS Backup service"
        );
        assert!(line(&envelope, true).contains("\x1b[31mFAILED\x1b[0m"));
    }
}
