//! copylab's integration tests, in one binary (each test binary relinks every dependency).

// The policy test corpus (tests/corpus/*.json): E01–E60 and the seed article's policies.
mod corpus;
