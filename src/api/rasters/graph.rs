//! The rules a layer's `source` graph must pass before it is stored
//! (lizard-api.md §1.3): its shape; every uuid it names is a raster source
//! or raster layer the caller may read, owned by the layer's organisation
//! (through nested layers too); nesting at most the snapshot's graph limits'
//! `max_nesting` deep and never back to the layer itself; and a graph beyond
//! a single source only in an organisation with the geoblocks permission.
//! The engine's checks run under the same limits (`Snapshot::graph_limits`).
//!
//! Failures are one message for the client, answered as
//! `{"detail": {"source": [message]}}`. An unreadable uuid reads as one
//! that does not exist.

use crate::catalogue::{Caller, Guard, Organisation, Snapshot, graphmeta, graphref};
use crate::graph::Graph;
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
        Graph::parse(graph, &snap.graph_limits()).map_err(|e| e.to_string())?;
        let has_data = |id: &Uuid| snap.source(*id).is_some_and(|s| s.grid.is_some());
        let all_have_data = graphref::references(graph)
            .iter()
            .all(|id| match snap.layer(*id) {
                Some(nested) => snap.layer_sources(nested).0.iter().all(has_data),
                None => has_data(id),
            });
        if all_have_data {
            graphmeta::graph_meta(snap, graph).map_err(|e| e.to_string())?;
            // Parameters no single tile could afford.
            graphmeta::check_reference(snap, graph).map_err(|e| e.to_string())?;
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
            let max_nesting = snap.graph_limits().max_nesting;
            if depth + 1 > max_nesting {
                return Err(format!(
                    "Raster layers nest more than {max_nesting} levels deep."
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

#[cfg(test)]
mod tests {
    use super::check;
    use crate::catalogue::{
        AccessModifier, Caller, CatalogueData, Organisation, RasterLayer, RasterSource, Snapshot,
        epoch, graphref,
    };
    use crate::graph::GraphLimits;
    use serde_json::{Value, json};
    use uuid::Uuid;

    const SOURCE: &str = "lizard_nxt.blocks.LizardRasterSource";

    fn org() -> Organisation {
        Organisation {
            uuid: Uuid::new_v4(),
            name: "Org".into(),
            slug: "org".into(),
            geoblocks: true,
            created: epoch(),
            last_modified: epoch(),
        }
    }

    /// A source without data: only the engine's parse runs, not metadata.
    fn source(org: Uuid) -> RasterSource {
        RasterSource {
            uuid: Uuid::new_v4(),
            name: "s".into(),
            description: String::new(),
            organisation: org,
            access_modifier: AccessModifier::Public,
            supplier: None,
            supplier_code: None,
            temporal: false,
            interval_ms: None,
            grid: None,
            frames: Vec::new(),
            created: epoch(),
            last_modified: epoch(),
            revision: 1,
        }
    }

    fn layer(org: Uuid, graph: Value) -> RasterLayer {
        RasterLayer {
            uuid: Uuid::new_v4(),
            name: "l".into(),
            slug: format!("l-{}", Uuid::new_v4().simple()),
            description: String::new(),
            organisation: org,
            access_modifier: AccessModifier::Public,
            supplier: None,
            shared_with: vec![],
            weight: 0,
            graph,
            observation_type: None,
            layer_collections: vec![],
            options: Default::default(),
            colormap: None,
            rescalable: true,
            aggregation_type: "none".into(),
            created: epoch(),
            last_modified: epoch(),
            revision: 1,
        }
    }

    fn root() -> Caller {
        Caller::User {
            id: 1,
            username: "root".into(),
            superuser: true,
            roles: Vec::new(),
        }
    }

    #[test]
    fn stored_graphs_are_checked_against_the_snapshots_limits() {
        let o = org();
        let s = source(o.uuid);
        let a = layer(o.uuid, graphref::single_source_graph(s.uuid));
        let b = layer(o.uuid, graphref::single_source_graph(a.uuid));
        let data = CatalogueData {
            organisations: vec![o.clone()],
            sources: vec![s.clone()],
            layers: vec![a, b.clone()],
            ..Default::default()
        };
        // Three nodes, three deep.
        let chain = json!({"name": "c", "graph": {
            "a": [SOURCE, s.uuid.to_string()],
            "b": ["dask_geomodeling.raster.elemwise.Multiply", "a", 2],
            "c": ["dask_geomodeling.raster.elemwise.Add", "b", 1]}});
        // Names b, which nests a: two levels of layers.
        let nesting = json!({"name": "x", "graph": {
            "b": [SOURCE, b.uuid.to_string()],
            "x": ["dask_geomodeling.raster.elemwise.Multiply", "b", 2]}});
        let default = Snapshot::new(data.clone());
        let new = Uuid::new_v4();
        for (limits, graph, needle) in [
            (
                GraphLimits {
                    max_nodes: 2,
                    ..GraphLimits::default()
                },
                &chain,
                "3 nodes, at most 2 allowed",
            ),
            (
                GraphLimits {
                    max_depth: 2,
                    ..GraphLimits::default()
                },
                &chain,
                "deeper than 2",
            ),
            (
                GraphLimits {
                    max_nesting: 1,
                    ..GraphLimits::default()
                },
                &nesting,
                "nest more than 1 levels",
            ),
        ] {
            assert_eq!(check(&default, &root(), &o, new, graph), Ok(()));
            let small = Snapshot::with_graph_limits(data.clone(), limits);
            let err = check(&small, &root(), &o, new, graph).unwrap_err();
            assert!(err.contains(needle), "{limits:?}: {err}");
        }
    }
}
