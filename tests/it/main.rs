//! The integration tests: real tegel servers on `127.0.0.1:0`, the `tegel`
//! binary, and checks over the source tree.

// Shared by every test module; not each module uses every helper.
#[allow(dead_code)]
mod support;

mod architecture;
mod cli;
mod config;
mod hostile;
