//! Benchmarks `simulate` plus diagnosis (no rendering) over generated worlds that fail at every check in turn and that succeed; worlds are prepared once (policies parsed, every policy answer precomputed: `PreparedWorld::precomputed`), as a tool asking many questions of one world would.
//!
//! Run with `cargo bench -p copylab-rules`; divan reports time per verdict and verdicts per second.

use copylab_rules::engine::Options;
use copylab_rules::generate::{self, Generated};
use copylab_rules::{PreparedWorld, World};

fn main() {
    divan::main();
}

/// Up to 4 generated worlds per outcome (each failed check, and COMPLETED).
fn worlds() -> Vec<Generated> {
    let mut per_outcome: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    let mut chosen = Vec::new();
    for seed in 0..20_000u64 {
        let g = generate::world(seed);
        let options = Options {
            as_of: Some(g.as_of.clone()),
            seed,
            wording: Default::default(),
        };
        let Ok(verdict) = copylab_rules::simulate(&g.world, &g.request, &options) else {
            continue;
        };
        let key = verdict.failed_check.unwrap_or("COMPLETED").to_owned();
        let count = per_outcome.entry(key).or_default();
        if *count < 4 {
            *count += 1;
            chosen.push(g);
        }
    }
    chosen
}

#[divan::bench]
fn simulate_and_diagnose_prepared_worlds(bencher: divan::Bencher) {
    let generated = worlds();
    let worlds: Vec<&World> = generated.iter().map(|g| &g.world).collect();
    let prepared: Vec<PreparedWorld<'_>> = worlds
        .iter()
        .filter_map(|w| PreparedWorld::precomputed(w).ok())
        .collect();
    assert_eq!(prepared.len(), generated.len(), "generated worlds are valid");
    let options: Vec<Options> = generated
        .iter()
        .map(|g| Options {
            as_of: Some(g.as_of.clone()),
            seed: 1,
            wording: Default::default(),
        })
        .collect();
    // One iteration simulates every chosen world once: items per second are verdicts per second.
    bencher
        .counter(divan::counter::ItemsCount::new(generated.len()))
        .bench_local(|| {
            for ((world, g), options) in prepared.iter().zip(&generated).zip(&options) {
                divan::black_box(world.simulate(&g.request, options));
            }
        });
}

#[divan::bench]
fn prepare_world_parses_every_policy(bencher: divan::Bencher) {
    let generated = worlds();
    bencher
        .counter(divan::counter::ItemsCount::new(generated.len()))
        .bench_local(|| {
            for g in &generated {
                divan::black_box(PreparedWorld::new(&g.world).is_ok());
            }
        });
}
