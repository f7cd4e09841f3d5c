//! `copylab serve`: loads the default world or a scenario's world and runs the fake AWS Backup endpoint until the process is stopped.

use std::io::{self, Write};

use copylab_server::clock::{self, Clock};
use copylab_server::state::{Progression, ServerState};

use crate::cli::{ServeArgs, exit};
use crate::scenario;

/// Runs the server; returns only on a startup error.
pub(crate) fn serve(args: &ServeArgs, err: &mut dyn Write) -> io::Result<i32> {
    let progression = match Progression::parse(&args.progression) {
        Ok(p) => p,
        Err(why) => {
            writeln!(err, "error: --progression: {why}")?;
            return Ok(exit::INPUT);
        }
    };
    if !(args.clock_scale.is_finite() && args.clock_scale >= 0.0) {
        writeln!(
            err,
            "error: --clock-scale: `{}` is not a non-negative number",
            args.clock_scale
        )?;
        return Ok(exit::INPUT);
    }
    let pinned = match args.clock_start.as_deref().map(|t| (t, clock::start_seconds(t))) {
        None => None,
        Some((_, Some(seconds))) => Some(seconds),
        Some((text, None)) => {
            writeln!(
                err,
                "error: --clock-start: `{text}` is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (up to 9999-12-31)"
            )?;
            return Ok(exit::INPUT);
        }
    };
    if let Some(account) = args.accept_any_key.as_deref()
        && !copylab_policy::is_account_id(account)
    {
        writeln!(err, "error: --accept-any-key: `{account}` is not a 12-digit account id")?;
        return Ok(exit::INPUT);
    }
    // A state document (the output of `GET /_copylab/state`) is restored whole once the server's
    // options are set: world, clock, jobs and what the services keep.
    let restored = match args.scenario.as_deref().and_then(scenario::load_state_document) {
        None => None,
        Some(Ok(loaded)) if pinned.is_none() => Some(loaded),
        Some(Ok(_)) => {
            writeln!(
                err,
                "error: --clock-start: a state document starts the clock where it was taken"
            )?;
            return Ok(exit::INPUT);
        }
        Some(Err(e)) => {
            writeln!(err, "error: {e}")?;
            return Ok(exit::INPUT);
        }
    };
    let state = match &args.scenario {
        None if args.empty => ServerState::new(Default::default(), 0, None, Default::default(), progression),
        Some(_) if restored.is_some() => ServerState::new(
            Default::default(),
            restored.as_ref().map_or(0, |r| r.document.seed),
            None,
            Default::default(),
            progression,
        ),
        Some(reference) => match scenario::load(reference) {
            Ok(loaded) => {
                let s = loaded.scenario;
                ServerState::new(s.world, s.seed, s.as_of, s.wording, progression)
            }
            Err(e) => {
                writeln!(err, "error: {e}")?;
                return Ok(exit::INPUT);
            }
        },
        None => match scenario::parse_world("worlds/default.yaml", scenario::DEFAULT_WORLD, None) {
            Ok(world) => ServerState::new(world, 0, None, Default::default(), progression),
            Err(e) => {
                writeln!(err, "error: {e}")?;
                return Ok(exit::INPUT);
            }
        },
    };
    // One clock: a --clock-start or the scenario's as_of pins where it starts, else the wall
    // clock's now; it runs at --clock-scale.
    let start = pinned
        .or_else(|| state.as_of.is_some().then(|| state.clock.start()))
        .unwrap_or_else(|| Clock::wall().start());
    let mut state = state.with_clock(Clock::new(start, args.clock_scale));
    // Where a restored document's clock stands: a restart with --state-dir starts there.
    let document_now = restored.as_ref().map(|loaded| loaded.document.clock.now);
    let fingerprint = match restored {
        None => None,
        Some(loaded) => {
            if let Err(why) = copylab_server::state_document::restore(&mut state, loaded.document) {
                writeln!(err, "error: {}: {why}", args.scenario.as_deref().unwrap_or_default())?;
                return Ok(exit::INPUT);
            }
            // A reset returns to the document's world (without its jobs), as to a scenario's.
            state.initial = copylab_server::state::Initial {
                world: state.world().clone(),
                as_of: state.as_of.clone(),
                wording: state.wording,
            };
            Some(loaded.fingerprint)
        }
    };
    state.builtin_scenarios = Some(scenario::builtin);
    state.accept_any_key = args.accept_any_key.clone();
    let level = match args.verbose {
        0 => tracing_subscriber::filter::LevelFilter::WARN,
        1 => tracing_subscriber::filter::LevelFilter::INFO,
        _ => tracing_subscriber::filter::LevelFilter::DEBUG,
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
    if let Err(e) = copylab_rules::PreparedWorld::new(state.world()) {
        writeln!(err, "error: the world is invalid: {e}")?;
        return Ok(exit::INPUT);
    }
    for url in args.events_to.iter().chain(&args.notifications_to) {
        if let Err(why) = copylab_server::delivery::check_url(url) {
            writeln!(err, "error: --events-to/--notifications-to: {why}")?;
            return Ok(exit::INPUT);
        }
    }
    let pattern = match &args.event_pattern {
        None => None,
        Some(path) => {
            let text = match std::fs::read_to_string(path) {
                Ok(text) => text,
                Err(e) => {
                    writeln!(err, "error: --event-pattern: cannot read {}: {e}", path.display())?;
                    return Ok(exit::INPUT);
                }
            };
            match copylab_server::delivery::pattern::Pattern::parse(&text) {
                Ok(pattern) => Some(pattern),
                Err(why) => {
                    writeln!(err, "error: {}:{why}", path.display())?;
                    return Ok(exit::INPUT);
                }
            }
        }
    };
    let targets = copylab_server::delivery::Targets {
        events: args.events_to.clone(),
        notifications: args.notifications_to.clone(),
        pattern,
    };
    // The state directory: what it kept is replayed on this start, and every request is
    // journaled from now on.
    let mut state = state;
    if let Some(dir) = &args.state_dir {
        let start = crate::state_dir::Start {
            world: serde_json::to_value(state.world()).unwrap_or_default(),
            seed: state.seed,
            as_of: state.as_of.clone(),
            wording: state.wording,
            progression: args.progression.clone(),
            document: fingerprint,
        };
        match crate::state_dir::open(dir, start, document_now, &mut state) {
            Ok(0) => {}
            Ok(replayed) => println!(
                "copylab serve: restored {replayed} requests from {}",
                dir.join(crate::state_dir::FILE).display()
            ),
            Err(e) => {
                writeln!(err, "error: {e}")?;
                return Ok(exit::INPUT);
            }
        }
    }
    let lab = copylab_lab::web::Lab::new(scenario::builtin_catalog());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let served = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&args.bind).await?;
        let url = format!("http://{}", listener.local_addr()?);
        println!("copylab serve: AWS Backup, KMS, Organizations, IAM and STS on {url}");
        println!("{}", copylab_server::export_line(&state, &url));
        println!("copylab serve: the training lab on {url}/ (open it in a browser)");
        if let Some(account) = &args.accept_any_key {
            println!(
                "copylab serve: any access key the world does not know acts as account {account} (--accept-any-key)"
            );
        }
        let shared = std::sync::Arc::new(tokio::sync::Mutex::new(state));
        copylab_server::delivery::spawn(shared.clone(), targets);
        let router = copylab_lab::web::app(shared, lab);
        copylab_server::serve(
            listener,
            copylab_server::guard::allow_hosts(router, args.allow_hosts.clone()),
        )
        .await
    });
    match served {
        Ok(()) => Ok(exit::OK),
        Err(e) => {
            writeln!(err, "error: cannot serve on {}: {e}", args.bind)?;
            Ok(exit::INPUT)
        }
    }
}
