//! `Args`: a cursor over one node's positional arguments, read front to back
//! by the block parsers (`fuse::args`, `combine_args`, `misc_args`,
//! `temporal_args`, `spatial_args`, `place_args`). It knows the node and the
//! class, so its errors name both; `build` checks with `finish` that a parser
//! read every argument.

use super::args::describe;
use super::blocks::{Arg, Operand};
use super::dtype::Scalar;
use super::error::GraphError;

/// The positional arguments of node `key` of class `class`.
pub(crate) struct Args<'a> {
    key: &'a str,
    class: &'a str,
    args: &'a [Arg],
    /// The next argument to read.
    pos: usize,
    /// The argument count declared with `takes`.
    arity: Option<(usize, usize)>,
}

/// An argument position taken in order and typed later: most constructors
/// check their store after their other arguments, and so does tegel.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slot(usize);

impl<'a> Args<'a> {
    pub fn new(key: &'a str, class: &'a str, args: &'a [Arg]) -> Self {
        Args {
            key,
            class,
            args,
            pos: 0,
            arity: None,
        }
    }

    /// The class being built.
    pub fn class(&self) -> &'a str {
        self.class
    }

    /// An error naming the node.
    pub fn err(&self, message: impl Into<String>) -> GraphError {
        GraphError::node(self.key, message)
    }

    /// Refuses fewer than `min` or more than `max` arguments; called before
    /// any argument is read, so a wrong count is the first error reported.
    pub fn takes(&mut self, min: usize, max: usize) -> Result<(), GraphError> {
        self.arity = Some((min, max));
        let n = self.args.len();
        if n < min || n > max {
            return Err(self.arity_error(min, max));
        }
        Ok(())
    }

    /// Refuses arguments left unread, with the count error of `takes` (a
    /// class without one takes exactly the arguments read).
    pub fn finish(&self) -> Result<(), GraphError> {
        if self.pos >= self.args.len() {
            return Ok(());
        }
        let (min, max) = self.arity.unwrap_or((self.pos, self.pos));
        Err(self.arity_error(min, max))
    }

    fn arity_error(&self, min: usize, max: usize) -> GraphError {
        let takes = if min == max {
            min.to_string()
        } else {
            format!("{min} to {max}")
        };
        self.err(format!(
            "{} takes {takes} argument(s), got {}",
            self.class,
            self.args.len()
        ))
    }

    /// The next argument as it is; `None` past the end.
    pub fn next_arg(&mut self) -> Option<&'a Arg> {
        let a = self.args.get(self.pos);
        self.pos += 1;
        a
    }

    /// All arguments not read yet.
    pub fn rest(&mut self) -> &'a [Arg] {
        let rest = self.args.get(self.pos..).unwrap_or_default();
        self.pos = self.args.len();
        rest
    }

    /// Takes the next position, to be typed later with `raster`.
    pub fn slot(&mut self) -> Slot {
        self.pos += 1;
        Slot(self.pos - 1)
    }

    /// The raster block (node index) at `slot`.
    pub fn raster(&self, slot: Slot) -> Result<usize, GraphError> {
        match self.args.get(slot.0) {
            Some(Arg::Ref(n)) => Ok(*n),
            other => Err(self.err(format!(
                "argument {} of {} must be a raster block, got {}",
                slot.0 + 1,
                self.class,
                describe(other)
            ))),
        }
    }

    /// The next argument, a raster block.
    pub fn next_raster(&mut self) -> Result<usize, GraphError> {
        let slot = self.slot();
        self.raster(slot)
    }

    /// All remaining arguments, at least `min` of them, each a raster block.
    pub fn rest_rasters(&mut self, min: usize) -> Result<Vec<usize>, GraphError> {
        if self.args.len() < min {
            return Err(self.err(format!("{} needs at least {min} raster(s)", self.class)));
        }
        (self.pos..self.args.len())
            .map(|_| self.next_raster())
            .collect()
    }

    /// The next argument, a JSON number (ints and floats kept apart).
    pub fn next_number(&mut self) -> Result<Scalar, GraphError> {
        let i = self.pos;
        match self.next_arg() {
            Some(Arg::Int(v)) => Ok(Scalar::Int(*v)),
            Some(Arg::Float(v)) => Ok(Scalar::Float(*v)),
            other => Err(self.err(format!(
                "argument {} of {} must be a number, got {}",
                i + 1,
                self.class,
                describe(other)
            ))),
        }
    }

    /// The next argument, a number, or `None` past the end (`null` is not a
    /// number).
    pub fn maybe_number(&mut self) -> Result<Option<Scalar>, GraphError> {
        if self.pos >= self.args.len() {
            self.pos += 1;
            return Ok(None);
        }
        self.next_number().map(Some)
    }

    /// The next argument, a number, or `None` past the end or for `null`.
    pub fn maybe_number_or_null(&mut self) -> Result<Option<Scalar>, GraphError> {
        match self.args.get(self.pos) {
            None | Some(Arg::Null) => {
                self.pos += 1;
                Ok(None)
            }
            Some(_) => self.next_number().map(Some),
        }
    }

    /// The next argument, an operand of elementwise math: a raster block, or
    /// a boolean (`logic`) or a number (otherwise).
    pub fn next_operand(&mut self, logic: bool) -> Result<Operand, GraphError> {
        let i = self.pos;
        match self.next_arg() {
            Some(Arg::Ref(n)) => Ok(Operand::Node(*n)),
            Some(Arg::Bool(b)) if logic => Ok(Operand::Scalar(Scalar::Bool(*b))),
            Some(Arg::Int(v)) if !logic => Ok(Operand::Scalar(Scalar::Int(*v))),
            Some(Arg::Float(v)) if !logic => Ok(Operand::Scalar(Scalar::Float(*v))),
            other => Err(self.err(format!(
                "'{}' object is not allowed as argument {} of {}",
                describe(other),
                i + 1,
                self.class
            ))),
        }
    }
}
