//! # dwa-host — the DWA host
//!
//! Runs West Java's Dynamic Working Arrangement: each region's eligibility and quota rules are
//! a sandboxed WebAssembly plugin ([`engine`]), chosen per region from its manifest in `rules/`
//! ([`policy`]); applications, decisions and rosters live in the database ([`store`]); the
//! quarterly workflow ties them together ([`workflow`]). Data flows one way:
//! request → workflow → policy/engine → store.

pub mod api;
pub mod cli;
pub mod engine;
pub mod import;
pub mod policy;
pub mod report;
pub mod seed;
pub mod store;
pub mod watch;
pub mod workflow;
