//! The `dwa` commands, one module each; `crate::run` dispatches to them.

pub(crate) mod allocate;
pub(crate) mod backup;
pub(crate) mod check;
pub(crate) mod check_signature;
pub(crate) mod dry_run;
pub(crate) mod eval;
pub(crate) mod import;
pub(crate) mod init;
pub(crate) mod key;
pub(crate) mod migrate;
pub(crate) mod plugin;
pub(crate) mod policy;
pub(crate) mod region;
pub(crate) mod seed_data;
pub(crate) mod serve;
pub(crate) mod token;
