//! What leaves the server's state in bulk (expired copy jobs and backup jobs, forgotten events), kept to be freed on another thread while the next batch of a plan run completes, so that the request's thread does not walk and free them.

/// The most items of one kind kept to free later; beyond, they are freed at once (so that a
/// server that runs no plan still frees them, within this bound).
pub const MAX_KEPT: usize = 8_192;

/// Items to free later ([`Later::take`] hands them over); not state: a copy of the server's
/// state starts with none.
#[derive(Debug)]
pub struct Later<T> {
    items: Vec<T>,
}

impl<T> Default for Later<T> {
    fn default() -> Self {
        Later { items: Vec::new() }
    }
}

impl<T> Clone for Later<T> {
    fn clone(&self) -> Self {
        Later::default()
    }
}

impl<T> Later<T> {
    /// Keeps `item` to free later, or frees it now beyond [`MAX_KEPT`].
    pub fn free_later(&mut self, item: T) {
        if self.items.len() < MAX_KEPT {
            self.items.push(item);
        }
    }

    /// The items kept, to free.
    pub fn take(&mut self) -> Vec<T> {
        std::mem::take(&mut self.items)
    }
}
