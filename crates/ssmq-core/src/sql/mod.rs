//! SQL over the lake: the session that plans statements and reports, the table providers it
//! registers, and what makes Athena's queries run unchanged.
//!
//! `session` is where ad-hoc SQL and reports end in one function; `register` builds the
//! DataFusion providers; `scope` narrows listing to what a statement's WHERE allows;
//! `dialect` and `functions` are Athena's (Trino's) syntax and functions; `reports` reads the
//! built-in reports under `queries/`.

pub mod dialect;
pub mod functions;
pub mod register;
pub mod reports;
pub mod scope;
pub mod session;
