//! The lab's sessions: each exercise in progress is a world of its own, served by the server's AWS Backup handlers through the one call pipeline (the lab draws nothing from the AWS endpoint's ids).

use copylab_rules::world::StartCopyJob;
use copylab_server::call::{self, Output};
use copylab_server::services::backup::{Progression, SERVICE};
use copylab_server::state::ServerState;
use copylab_server::wire::{ApiError, Caller};
use serde_json::{Map, Value};

use crate::exercises::{Change, ChangeError, Exercise, apply, invalid};

/// An exercise in progress: its own world, served by the AWS Backup handlers.
#[derive(Debug)]
pub struct Session {
    /// `s-...`.
    pub id: String,
    /// The exercise's public id (never its scenario's name: the live jobs page shows it).
    pub exercise_id: String,
    /// Its state: the scenario's world, progressing by `polls:2`.
    pub state: ServerState,
    /// The copy request, as the trainee's changes leave it.
    pub request: StartCopyJob,
    /// Whether a retried copy completed.
    pub solved: bool,
    /// Its world's size, serialized (kept current by [`Session::change`]).
    pub world_bytes: usize,
}

impl Session {
    /// A session of `exercise`.
    pub fn new(id: String, exercise: &Exercise) -> Session {
        let s = &exercise.scenario;
        Session {
            id,
            exercise_id: exercise.id.clone(),
            state: ServerState::new(
                s.world.clone(),
                s.seed,
                s.as_of.clone(),
                s.wording,
                Progression::Polls(2),
            ),
            request: s.copy_job.clone(),
            solved: false,
            world_bytes: serde_json::to_vec(&s.world).map_or(MAX_WORLD_BYTES, |v| v.len()),
        }
    }

    fn caller(&self) -> Caller {
        Caller::account(&self.request.account, &self.request.region)
    }

    /// Runs an AWS Backup operation on the session's world through the call pipeline, as the
    /// server would.
    pub fn call(&mut self, operation: &str, input: Map<String, Value>) -> Result<Value, ApiError> {
        let caller = self.caller();
        let answer = call::call(&mut self.state, &caller, &SERVICE, operation, input);
        answer.result.map(Output::into_json)
    }

    /// Starts the exercise's copy job (with the trainee's changes). A session keeps its last
    /// [`MAX_JOBS`] jobs.
    pub fn start(&mut self) -> Result<Value, ApiError> {
        if self.state.services.backup.jobs.len() >= MAX_JOBS {
            self.state.services.backup.jobs.remove_oldest();
        }
        let input = self.request.input();
        self.call("StartCopyJob", input)
    }

    /// Applies a change to the session's world, which stays under [`MAX_WORLD_BYTES`].
    pub fn change(&mut self, change: &Change) -> Result<(), ChangeError> {
        let (world, request) = (self.state.world().clone(), self.request.clone());
        apply(self.state.world_mut(), &mut self.request, change)?;
        let size = serde_json::to_vec(&self.state.world()).map_or(usize::MAX, |v| v.len());
        if size > MAX_WORLD_BYTES {
            self.state.set_world(world);
            self.request = request;
            return Err(invalid(format!(
                "the exercise's world would be {size} bytes, more than {MAX_WORLD_BYTES}"
            )));
        }
        self.world_bytes = size;
        Ok(())
    }
}

/// Sessions kept; beyond, the oldest is dropped.
pub const MAX_SESSIONS: usize = 256;

/// The most the sessions' worlds may take together (serialized); beyond, the oldest sessions
/// are dropped. With [`MAX_JOBS`] jobs each, this bounds the lab's memory to some tens of MB.
pub const MAX_TOTAL_WORLD_BYTES: usize = 16 * 1024 * 1024;

/// Copy jobs a session keeps; beyond, the oldest is dropped.
pub const MAX_JOBS: usize = 20;

/// The largest world a session's changes may build (serialized).
pub const MAX_WORLD_BYTES: usize = 256 * 1024;

/// The lab's sessions, oldest first, at most [`MAX_SESSIONS`] and [`MAX_TOTAL_WORLD_BYTES`].
#[derive(Debug, Default)]
pub struct Sessions {
    /// The sessions.
    pub sessions: Vec<Session>,
    /// How many sessions were ever opened.
    pub opened: u64,
    /// The key session ids are drawn with (random per process), so that no client can guess
    /// another trainee's session.
    keys: std::collections::hash_map::RandomState,
}

impl Sessions {
    /// Opens a session of `exercise`; returns its id: 128 bits no client can guess (keyed
    /// SipHash of a counter, the key random per process).
    pub fn open(&mut self, exercise: &Exercise) -> String {
        use std::hash::{BuildHasher as _, Hasher as _};
        self.opened += 1;
        let draw = |salt: u64| {
            let mut hasher = self.keys.build_hasher();
            hasher.write_u64(self.opened);
            hasher.write_u64(salt);
            hasher.finish()
        };
        let id = format!("s-{:016x}{:016x}", draw(1), draw(2));
        if self.sessions.len() >= MAX_SESSIONS {
            self.sessions.remove(0);
        }
        self.sessions.push(Session::new(id.clone(), exercise));
        self.bound();
        id
    }

    /// Drops the oldest sessions (never the newest) while their worlds take more than
    /// [`MAX_TOTAL_WORLD_BYTES`].
    pub fn bound(&mut self) {
        let mut total: usize = self.sessions.iter().map(|s| s.world_bytes).sum();
        while total > MAX_TOTAL_WORLD_BYTES && self.sessions.len() > 1 {
            total -= self.sessions[0].world_bytes;
            self.sessions.remove(0);
        }
    }

    /// A session by id.
    pub fn get(&mut self, id: &str) -> Option<&mut Session> {
        self.sessions.iter_mut().find(|s| s.id == id)
    }
}
