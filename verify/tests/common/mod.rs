pub mod chain;
pub mod election_chain;
