//! Shared helpers for the integration tests in `tests/it` (the root package exists to host them).
