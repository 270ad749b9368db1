//! (module being built)
