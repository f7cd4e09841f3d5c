//! What leaves the server's state in bulk during a plan run (expired copy and backup jobs, forgotten events), kept to be freed on another thread while the run's next batch completes, so that the request's thread does not walk and free them.

/// The most items of one kind kept to free later; beyond, they are freed at once.
pub const MAX_KEPT: usize = 8_192;

/// Items to free later ([`Later::take`] hands them over), kept only while a plan run defers them
/// ([`Later::defer`]) and up to [`MAX_KEPT`]: a state holds at most what its last plan run left
/// (a lab session that trims its jobs frees them at once). Not state: a copy of the server's
/// state starts with none.
#[derive(Debug)]
pub struct Later<T> {
    items: Vec<T>,
    deferring: bool,
}

impl<T> Default for Later<T> {
    fn default() -> Self {
        Later {
            items: Vec::new(),
            deferring: false,
        }
    }
}

impl<T> Clone for Later<T> {
    fn clone(&self) -> Self {
        Later::default()
    }
}

impl<T> Later<T> {
    /// Keeps `item` to free later while deferring and below [`MAX_KEPT`], else frees it now.
    pub fn free_later(&mut self, item: T) {
        if self.deferring && self.items.len() < MAX_KEPT {
            self.items.push(item);
        }
    }

    /// Whether items are kept to free later (while a plan run runs).
    pub fn defer(&mut self, deferring: bool) {
        self.deferring = deferring;
    }

    /// The items kept, to free.
    pub fn take(&mut self) -> Vec<T> {
        std::mem::take(&mut self.items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_kept_to_free_later_only_while_deferring_and_up_to_the_bound() {
        let mut later = Later::default();
        later.free_later(0);
        assert!(later.take().is_empty(), "not deferring: freed at once");
        later.defer(true);
        for i in 0..MAX_KEPT + 10 {
            later.free_later(i);
        }
        assert_eq!(
            later.clone().take(),
            Vec::<usize>::new(),
            "a copy of the state keeps none"
        );
        let kept = later.take();
        assert_eq!(kept.len(), MAX_KEPT);
        assert_eq!(
            kept.last(),
            Some(&(MAX_KEPT - 1)),
            "the first ones, beyond the bound freed at once"
        );
        assert!(later.take().is_empty());
        later.defer(false);
        later.free_later(1);
        assert!(later.take().is_empty());
    }
}
