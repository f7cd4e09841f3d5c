//! The exam: N questions drawn from a seed (failing built-in exercises, and worlds from the world generator), each asking which check failed; the answers travel in the URL, so the same seed gives the same exam and a page can be shared or reloaded.

use copylab_rules::Scenario;
use copylab_rules::ids::IdGenerator;

use crate::exercises::Exercise;

/// The most questions an exam has.
pub const MAX_COUNT: usize = 20;

/// The exam's questions for `seed`: every third one from the world generator, the others
/// failing built-in exercises, none twice.
pub fn questions(exercises: &[Exercise], seed: u64, count: usize) -> Vec<Exercise> {
    let failing: Vec<&Exercise> = exercises.iter().filter(|e| e.failed_check().is_some()).collect();
    let mut rng = IdGenerator::new(seed);
    let mut chosen: Vec<Exercise> = Vec::new();
    let mut attempts = 0;
    while chosen.len() < count && attempts < count * 50 {
        attempts += 1;
        let candidate = if chosen.len() % 3 == 2 {
            let generated_seed = rng.next_u64();
            let generated = copylab_rules::generate::world(generated_seed);
            let scenario = Scenario {
                description: String::new(),
                as_of: Some(generated.as_of.clone()),
                seed: generated_seed,
                wording: Default::default(),
                world: generated.world,
                copy_job: generated.request,
                plan_run: None,
                expect: None,
                observed: None,
                sources: Default::default(),
            };
            Exercise::new(&format!("generated-{generated_seed}"), &scenario)
        } else if failing.is_empty() {
            None
        } else {
            let index = (rng.next_u64() % failing.len() as u64) as usize;
            Some(failing[index].clone())
        };
        if let Some(exercise) = candidate
            && exercise.failed_check().is_some()
            && !chosen.iter().any(|c| c.name == exercise.name)
        {
            chosen.push(exercise);
        }
    }
    chosen
}
