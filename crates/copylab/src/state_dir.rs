//! `copylab serve --state-dir DIR`: the server's state survives a restart. `DIR/journal.jsonl` is a write-ahead journal: a header (format, version, and what the server started from) and one line per accepted request, appended and fsynced before the request is applied; on start the server replays it on the same start state (the server is deterministic in its inputs). A reset rewrites the journal atomically (temporary file, fsync, rename, fsync of the folder). A torn last line (a crash while it was written: that request was never applied or answered) is dropped; any other bad line, a newer format or a different start is an error naming the file.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use copylab_server::journal::{Entry, Journal};
use copylab_server::state::ServerState;
use serde::{Deserialize, Serialize};

/// The journal's name in the state directory.
pub const FILE: &str = "journal.jsonl";
/// The format this copylab writes and reads.
pub const VERSION: u64 = 2;
const FORMAT: &str = "copylab-state";

/// What a server started from: a restored server must start from the same.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Start {
    /// The world it served at start.
    pub world: serde_json::Value,
    /// The id seed.
    pub seed: u64,
    /// The pinned behaviour date.
    pub as_of: Option<String>,
    /// The wording.
    pub wording: copylab_rules::world::Wording,
    /// `--progression`.
    pub progression: String,
    /// The state document it was restored from (`--scenario` with the output of `GET
    /// /_copylab/state`), by the hash of its text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    version: u64,
    /// Where the clock started (epoch seconds).
    clock_start: f64,
    /// Where the clock stood when the server started, when not at `clock_start` (a server
    /// restored from a state document starts where the document was taken).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    clock_now: Option<f64>,
    start: Start,
}

/// The journal file a serving copylab appends to.
struct FileJournal {
    path: PathBuf,
    file: File,
    header: String,
}

impl Journal for FileJournal {
    fn record(&mut self, entry: &Entry) -> std::io::Result<()> {
        let mut line = serde_json::to_string(entry).map_err(std::io::Error::other)?;
        line.push('\n');
        self.file.write_all(line.as_bytes())?;
        self.file.sync_data()
    }

    fn reset(&mut self, entry: &Entry) -> std::io::Result<()> {
        let line = serde_json::to_string(entry).map_err(std::io::Error::other)?;
        write_atomically(&self.path, &format!("{}\n{line}\n", self.header))?;
        self.file = OpenOptions::new().append(true).open(&self.path)?;
        Ok(())
    }
}

/// Writes `text` to `path` so that a crash leaves either the old file or the new one.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let temporary = path.with_extension("jsonl.tmp");
    let mut file = File::create(&temporary)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temporary, path)?;
    if let Some(dir) = path.parent() {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Opens `dir` for `state` (just built from `start`, its clock set): replays the journal when
/// there is one (the state then is what it was when the last acknowledged request was
/// answered, its clock going on from there), else starts one; then journals every request.
/// Returns how many requests were replayed.
pub fn open(dir: &Path, start: Start, clock_now: Option<f64>, state: &mut ServerState) -> Result<usize, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("--state-dir {}: {e}", dir.display()))?;
    let path = dir.join(FILE);
    let shown = path.display().to_string();
    let scale = state.clock.scale();
    let mut replayed = 0;
    let header = if path.exists() {
        let file = File::open(&path).map_err(|e| format!("{shown}: {e}"))?;
        let mut lines = std::io::BufReader::new(file).lines();
        let first = match lines.next() {
            Some(Ok(line)) => line,
            _ => return Err(format!("{shown}:1: empty: not a copylab state journal")),
        };
        let header: Header = serde_json::from_str(&first)
            .map_err(|e| format!("{shown}:1:{}: not a copylab state journal header: {e}", e.column()))?;
        if header.format != FORMAT {
            return Err(format!(
                "{shown}:1: not a copylab state journal (format `{}`)",
                header.format
            ));
        }
        if header.version < VERSION {
            return Err(format!(
                "{shown}: written by an older copylab (state format version {}; this copylab reads version {VERSION}): its requests would replay into other ids than they were answered with, so start with another --state-dir",
                header.version
            ));
        }
        if header.version > VERSION {
            return Err(format!(
                "{shown}: written by a newer copylab (state format version {}; this copylab reads version {VERSION})",
                header.version
            ));
        }
        if header.start != start {
            return Err(format!(
                "{shown}: the state was made from another start (world, seed, as_of, wording or progression): start copylab serve with the options it was made with, or use another --state-dir"
            ));
        }
        // The same start, the clock where it stood then.
        let started_at = header.clock_now.unwrap_or(header.clock_start);
        state.clock = copylab_server::clock::Clock::resumed(header.clock_start, started_at, 0.0);
        state.plans_ran_until = started_at.floor() as i64;
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{shown}: {e}"))?;
        let ends_clean = text.ends_with('\n');
        let lines: Vec<&str> = text.lines().collect();
        let mut good_bytes = first.len() + 1;
        for (i, line) in lines.iter().enumerate().skip(1) {
            let last = i + 1 == lines.len();
            let parsed: Result<Entry, _> = serde_json::from_str(line);
            // A torn last line (no newline, or cut short): the crash came while it was
            // written, before it was applied or answered.
            if last && (!ends_clean || parsed.is_err()) {
                break;
            }
            let entry = parsed.map_err(|e| format!("{shown}:{}:{}: not a journal entry: {e}", i + 1, e.column()))?;
            copylab_server::journal::replay(state, &entry).map_err(|e| format!("{shown}:{}: {e}", i + 1))?;
            good_bytes += line.len() + 1;
            replayed += 1;
        }
        if good_bytes < text.len() {
            // Drop the torn line so that the next entry starts on a line of its own.
            let file = OpenOptions::new()
                .write(true)
                .open(&path)
                .map_err(|e| format!("{shown}: {e}"))?;
            file.set_len(good_bytes as u64).map_err(|e| format!("{shown}: {e}"))?;
            file.sync_all().map_err(|e| format!("{shown}: {e}"))?;
        }
        // The clock where the replay left it: each entry's time, moved as the entries moved it
        // (a restored state document may have moved it back).
        state.clock = copylab_server::clock::Clock::resumed(state.clock.start(), state.clock.now(), scale);
        serde_json::to_string(&header).map_err(|e| e.to_string())?
    } else {
        let header = Header {
            format: FORMAT.to_owned(),
            version: VERSION,
            clock_start: state.clock.start(),
            clock_now,
            start,
        };
        let line = serde_json::to_string(&header).map_err(|e| e.to_string())?;
        write_atomically(&path, &format!("{line}\n")).map_err(|e| format!("{shown}: {e}"))?;
        line
    };
    let file = OpenOptions::new()
        .append(true)
        .open(&path)
        .map_err(|e| format!("{shown}: {e}"))?;
    state.journal.0 = Some(Box::new(FileJournal { path, file, header }));
    Ok(replayed)
}
