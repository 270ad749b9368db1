//! The rules a layer's `source` graph must pass before it is stored
//! (lizard-api.md §1.3): its shape; every uuid it names is a raster source
//! or raster layer the caller may read, owned by the layer's organisation
//! (through nested layers too); nesting at most [`graphref::MAX_NESTING`]
//! deep and never back to the layer itself; and a graph beyond a single
//! source only in an organisation with the geoblocks permission.
//!
//! Failures are one message for the client, answered as
//! `{"detail": {"source": [message]}}`. An unreadable uuid reads as one
//! that does not exist.

use crate::catalogue::{Caller, Guard, Organisation, Snapshot, graphmeta, graphref};
use crate::graph::{Graph, GraphLimits};
use serde_json::Value;
use uuid::Uuid;

/// Checks `graph` as the source of layer `layer` owned by `org`.
pub fn check(
    snap: &Snapshot,
    caller: &Caller,
    org: &Organisation,
    layer: Uuid,
    graph: &Value,
) -> Result<(), String> {
    graphref::check_shape(graph)?;
    references(snap, caller, org, layer, graph, 0)?;
    if graphref::is_geoblock(graph) && !org.geoblocks {
        return Err(format!(
            "The organisation \"{}\" has no geoblocks permission: a graph beyond a single raster source needs it.",
            org.name
        ));
    }
    if graphref::is_geoblock(graph) {
        // The engine's checks: known blocks, argument types and counts,
        // references, cycles, limits; and, once every source holds data,
        // what needs their metadata (dtypes, matching time axes).
        let limits = GraphLimits::default();
        Graph::parse(graph, &limits).map_err(|e| e.to_string())?;
        let has_data = |id: &Uuid| snap.source(*id).is_some_and(|s| s.grid.is_some());
        let all_have_data = graphref::references(graph)
            .iter()
            .all(|id| match snap.layer(*id) {
                Some(nested) => snap.layer_sources(nested).0.iter().all(has_data),
                None => has_data(id),
            });
        if all_have_data {
            graphmeta::graph_meta(snap, graph).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

fn references(
    snap: &Snapshot,
    caller: &Caller,
    org: &Organisation,
    root: Uuid,
    graph: &Value,
    depth: usize,
) -> Result<(), String> {
    for id in graphref::references(graph) {
        if id == root {
            return Err(format!(
                "The graph refers back to raster layer {root}: layers may not nest themselves."
            ));
        }
        if let Some(s) = snap.source(id) {
            let guard = Guard::source(s);
            if depth == 0 && !guard.can_read(caller) {
                return Err(missing(id));
            }
            if s.organisation != org.uuid {
                return Err(format!(
                    "Raster source {id} belongs to another organisation: a raster layer and its raster sources must belong to the same organisation."
                ));
            }
        } else if let Some(l) = snap.layer(id) {
            let guard = Guard::layer(l);
            if depth == 0 && !guard.can_read(caller) {
                return Err(missing(id));
            }
            if l.organisation != org.uuid {
                return Err(format!(
                    "Raster layer {id} belongs to another organisation: nested raster layers must belong to the layer's organisation."
                ));
            }
            if depth + 1 > graphref::MAX_NESTING {
                return Err(format!(
                    "Raster layers nest more than {} levels deep.",
                    graphref::MAX_NESTING
                ));
            }
            references(snap, caller, org, root, &l.graph, depth + 1)?;
        } else if depth == 0 {
            return Err(missing(id));
        }
    }
    Ok(())
}

fn missing(id: Uuid) -> String {
    format!("{id} is not a raster source or raster layer (or you may not read it).")
}
