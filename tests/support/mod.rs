pub mod fuzz;
pub mod pty;
