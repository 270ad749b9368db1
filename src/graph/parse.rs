//! `Graph::parse`: a dask-geomodeling JSON document to a validated, acyclic
//! graph of `Block`s reachable from the endpoint, within `GraphLimits`.
//!
//! References follow dask semantics: any string argument (also inside nested
//! lists) equal to a key of `graph` is that node. Only nodes reachable from
//! the endpoint are built, as dask builds only what the endpoint needs; the
//! node count limit applies to the whole document.

use super::blocks::{self, Arg, Block};
use super::build;
use super::error::GraphError;
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

/// The default `max_cost`: 2^32 kernel steps, a few seconds of one core.
pub const DEFAULT_MAX_COST: u64 = 1 << 32;

/// Size limits, checked before any pixel is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GraphLimits {
    /// Nodes in the document.
    pub max_nodes: usize,
    /// Longest reference chain from the endpoint (a single source is depth 1).
    pub max_depth: usize,
    /// Nested layer graphs (a `LizardRasterSource` naming a layer) within one
    /// another.
    pub max_nesting: usize,
    /// Cells times frames one block may hold for a request (frames read,
    /// bins or labels answered); more is refused before it is allocated.
    pub max_values: usize,
    /// Instants one block may answer (labels of a frequency over a period).
    pub max_steps: usize,
    /// Estimated work of one evaluation, in kernel steps over cells (see
    /// `cost`); more is refused before anything is read.
    pub max_cost: u64,
}

impl Default for GraphLimits {
    fn default() -> Self {
        GraphLimits {
            max_nodes: 256,
            max_depth: 64,
            max_nesting: 8,
            // 512 MiB of f64; a 256² tile over 1024 frames.
            max_values: 1 << 26,
            max_steps: 1 << 20,
            max_cost: DEFAULT_MAX_COST,
        }
    }
}

/// One node: its key in the document and its block.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub key: String,
    pub block: Block,
}

/// A parsed graph. `nodes` are in dependency order: inputs before users; the
/// endpoint is the last node.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub limits: GraphLimits,
}

impl Graph {
    pub fn parse(doc: &Value, limits: &GraphLimits) -> Result<Graph, GraphError> {
        let obj = doc
            .as_object()
            .ok_or_else(|| GraphError::Format("expected a JSON object".into()))?;
        let name = obj
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| GraphError::Format("'name' must name the endpoint node".into()))?;
        let graph = obj
            .get("graph")
            .and_then(Value::as_object)
            .ok_or_else(|| GraphError::Format("'graph' must be an object of nodes".into()))?;
        if graph.len() > limits.max_nodes {
            return Err(GraphError::Limit(format!(
                "{} nodes, at most {} allowed",
                graph.len(),
                limits.max_nodes
            )));
        }
        if !graph.contains_key(name) {
            return Err(GraphError::Format(format!(
                "the endpoint '{name}' is not a node of the graph"
            )));
        }
        let mut b = Builder {
            doc: graph,
            index: HashMap::new(),
            nodes: Vec::new(),
            visiting: Vec::new(),
            limits,
        };
        b.visit(name, 1)?;
        Ok(Graph {
            nodes: b.nodes,
            limits: *limits,
        })
    }

    pub fn endpoint(&self) -> usize {
        self.nodes.len() - 1
    }

    /// The uuids named by `LizardRasterSource` and `LizardRasterGroup` nodes
    /// (raster sources or raster layers: the caller resolves), deduplicated in
    /// order of appearance.
    pub fn source_refs(&self) -> Vec<Uuid> {
        let mut out: Vec<Uuid> = Vec::new();
        for n in &self.nodes {
            let ids: &[Uuid] = match &n.block {
                Block::Source(id) => std::slice::from_ref(id),
                Block::LizardGroup(ids) => ids,
                _ => &[],
            };
            for id in ids {
                if !out.contains(id) {
                    out.push(*id);
                }
            }
        }
        out
    }
}

struct Builder<'a> {
    doc: &'a serde_json::Map<String, Value>,
    index: HashMap<String, usize>,
    nodes: Vec<Node>,
    visiting: Vec<String>,
    limits: &'a GraphLimits,
}

impl Builder<'_> {
    fn visit(&mut self, key: &str, depth: usize) -> Result<usize, GraphError> {
        if let Some(&i) = self.index.get(key) {
            return Ok(i);
        }
        if self.visiting.iter().any(|k| k == key) {
            return Err(GraphError::Cycle(key.to_string()));
        }
        if depth > self.limits.max_depth {
            return Err(GraphError::Limit(format!(
                "references nested deeper than {} at node '{key}'",
                self.limits.max_depth
            )));
        }
        let value = &self.doc[key];
        let items = value
            .as_array()
            .ok_or_else(|| GraphError::node(key, "a node must be a list [class, args…]"))?;
        let path = items
            .first()
            .and_then(Value::as_str)
            .ok_or_else(|| GraphError::node(key, "a node starts with its class path"))?;
        let class = blocks::class_of(path)
            .ok_or_else(|| GraphError::node(key, format!("unknown block '{path}'")))?;
        self.visiting.push(key.to_string());
        let args = items[1..]
            .iter()
            .map(|v| self.arg(v, depth))
            .collect::<Result<Vec<Arg>, _>>()?;
        self.visiting.pop();
        let block = build::build(key, class, &args)?;
        super::cost::bounds(key, &block)?;
        self.nodes.push(Node {
            key: key.to_string(),
            block,
        });
        let i = self.nodes.len() - 1;
        self.index.insert(key.to_string(), i);
        Ok(i)
    }

    fn arg(&mut self, v: &Value, depth: usize) -> Result<Arg, GraphError> {
        Ok(match v {
            Value::String(s) if self.doc.contains_key(s) => Arg::Ref(self.visit(s, depth + 1)?),
            Value::String(s) => Arg::Str(s.clone()),
            Value::Null => Arg::Null,
            Value::Bool(b) => Arg::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Arg::Int(i),
                None => Arg::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::Array(items) => Arg::List(
                items
                    .iter()
                    .map(|x| self.arg(x, depth))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(_) => Arg::Other,
        })
    }
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
