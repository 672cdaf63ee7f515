//! The Dockerfile: parsing ([`parse`]) and the shell-like word lexer ([`Lexer`]).

mod parse;
mod words;

pub use parse::{Dockerfile, Heredoc, Instruction, parse};
pub use words::Lexer;
