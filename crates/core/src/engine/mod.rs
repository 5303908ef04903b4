//! The one derivation engine: the committee's state and every case's state, from the verified
//! events of a history, in canonical order, each event judged by the committee's rules against
//! the state in its own causal past (what its author had seen).
//!
//! Each copy of a case file replays its history through this engine, and so does the command
//! that writes a change (before writing it): in a tool without a server, each copy's replay is
//! the server. A signed event the rules forbid is kept in the history (it is evidence), is not
//! applied, never authorises anything later, and is named for the committee's attention; the
//! file is never refused for it. Only a history that does not start with its founder is.
//!
//! - [`dag`]: the commits as a graph, who could sign what in their own past, the committee and
//!   its roster changes across merged copies.
//! - [`case`]: a case's events, judged and applied; where two copies changed a case at the
//!   same time, each event is judged against the case as its own past left it.
//!
//! The vault feeds this engine verified events; it never derives state itself.

pub mod case;
pub mod dag;

pub use case::{Around, CaseLine, Contexts, Replayed, Signer, Step, replay_case, step};
pub use dag::{Admission, Ancestry, Dag, Settled};
