//! What the catalogue needs to know of a layer's `source` graph without
//! evaluating it: which uuids its `LizardRasterSource`/`LizardRasterGroup`
//! nodes name, whether it is the trivial single-source form, and the shape
//! checks every stored graph passes.
//!
//! The graph format is dask-geomodeling's: `{"name": key, "graph": {key:
//! ["class.path", args…]}}` (lizard-api.md §5.1).

use serde_json::{Map, Value, json};
use uuid::Uuid;

const SOURCE_BLOCK: &str = "lizard_nxt.blocks.LizardRasterSource";
const GROUP_BLOCK: &str = "lizard_nxt.blocks.LizardRasterGroup";

/// The graph of a plain layer over one source, as Lizard's clients write it.
pub fn single_source_graph(source: Uuid) -> Value {
    json!({
        "name": "rastersource",
        "graph": {"rastersource": [SOURCE_BLOCK, source.to_string()]}
    })
}

fn nodes(graph: &Value) -> Option<&Map<String, Value>> {
    graph.get("graph")?.as_object()
}

/// The block class of a node: its first element, or `None` for the short
/// form `["<uuid>"]` (a source reference without a class path).
fn class_of(node: &Value) -> Option<&str> {
    let first = node.as_array()?.first()?.as_str()?;
    Uuid::try_parse(first).is_err().then_some(first)
}

fn is_lizard_source(class: &str) -> bool {
    class == SOURCE_BLOCK
}

fn is_lizard_group(class: &str) -> bool {
    class == GROUP_BLOCK
}

/// The uuids a node names as sources or nested layers.
fn node_references(node: &Value) -> Vec<Uuid> {
    let Some(items) = node.as_array() else {
        return Vec::new();
    };
    let args = match class_of(node) {
        None => &items[..],
        Some(c) if is_lizard_source(c) || is_lizard_group(c) => &items[1..],
        Some(_) => return Vec::new(),
    };
    args.iter()
        .filter_map(Value::as_str)
        .filter_map(|s| Uuid::try_parse(s).ok())
        .collect()
}

/// Every uuid the graph's Lizard source nodes name, in node order.
pub fn references(graph: &Value) -> Vec<Uuid> {
    nodes(graph)
        .into_iter()
        .flat_map(|m| m.values())
        .flat_map(node_references)
        .collect()
}

/// The uuid of the trivial graph's only source node, when the graph is
/// exactly one `LizardRasterSource` (its endpoint).
pub fn trivial_reference(graph: &Value) -> Option<Uuid> {
    let nodes = nodes(graph)?;
    let name = graph.get("name")?.as_str()?;
    if nodes.len() != 1 {
        return None;
    }
    let node = nodes.get(name)?;
    if class_of(node).is_some_and(|c| !is_lizard_source(c)) {
        return None;
    }
    match node_references(node).as_slice() {
        [one] if node.as_array().is_some_and(|a| a.len() <= 2) => Some(*one),
        _ => None,
    }
}

/// Whether the graph is more than a plain source (Lizard's `is_geoblock`).
pub fn is_geoblock(graph: &Value) -> bool {
    trivial_reference(graph).is_none()
}

/// Checks the graph's shape: an object with a string `name` that is one of
/// the keys of an object `graph`, whose nodes are arrays starting with a class
/// path string; Lizard source nodes name canonical uuids. Returns a message
/// for the client on failure.
pub fn check_shape(graph: &Value) -> Result<(), String> {
    let obj = graph
        .as_object()
        .ok_or("the source must be an object with \"name\" and \"graph\"")?;
    if let Some(k) = obj
        .keys()
        .find(|k| !matches!(k.as_str(), "name" | "graph" | "version"))
    {
        return Err(format!("unknown key {k:?} in the source"));
    }
    let name = obj
        .get("name")
        .and_then(Value::as_str)
        .ok_or("the source needs a string \"name\" naming the graph's endpoint")?;
    let nodes = nodes(graph).ok_or("the source needs an object \"graph\" of nodes")?;
    if nodes.is_empty() {
        return Err("the graph has no nodes".into());
    }
    if !nodes.contains_key(name) {
        return Err(format!("the endpoint {name:?} is not a node of the graph"));
    }
    for (key, node) in nodes {
        let items = node
            .as_array()
            .filter(|a| !a.is_empty())
            .ok_or_else(|| format!("node {key:?} must be a list [\"class.path\", args…]"))?;
        if !items[0].is_string() {
            return Err(format!("node {key:?} must start with a class path string"));
        }
        let class = class_of(node);
        if class.is_none_or(|c| is_lizard_source(c) || is_lizard_group(c)) {
            let args = if class.is_some() { &items[1..] } else { items };
            let wanted = if class.is_some_and(is_lizard_group) {
                1..=usize::MAX
            } else {
                1..=1
            };
            if !wanted.contains(&args.len()) {
                return Err(format!(
                    "node {key:?}: {} takes {} uuid argument(s), got {}",
                    class.unwrap_or(SOURCE_BLOCK),
                    if class.is_some_and(is_lizard_group) {
                        "one or more"
                    } else {
                        "one"
                    },
                    args.len()
                ));
            }
            for a in args {
                let text = a.as_str().ok_or_else(|| {
                    format!("node {key:?}: the argument {a} is not a uuid string")
                })?;
                let id = Uuid::try_parse(text)
                    .map_err(|_| format!("node {key:?}: {text:?} is not a uuid"))?;
                if id.hyphenated().to_string() != text.to_ascii_lowercase() {
                    return Err(format!(
                        "node {key:?}: {text:?} is not a uuid in canonical 8-4-4-4-12 form"
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "3bb10d5c-4b71-4c9b-8e6c-5d5f0d8f7a01";
    const B: &str = "7d2a1f8e-1111-4c9b-8e6c-5d5f0d8f7a02";

    #[test]
    fn the_trivial_form_in_its_spellings() {
        let a = Uuid::parse_str(A).unwrap();
        assert_eq!(trivial_reference(&single_source_graph(a)), Some(a));
        let lmc = json!({"name": "raster", "graph": {"raster": [SOURCE_BLOCK, A]}});
        assert_eq!(trivial_reference(&lmc), Some(a));
        let short = json!({"name": "r", "graph": {"r": [A]}});
        assert_eq!(trivial_reference(&short), Some(a));
        assert!(!is_geoblock(&short));
    }

    #[test]
    fn computations_are_geoblocks_and_list_their_references() {
        let g = json!({"name": "d", "graph": {
            "a": [SOURCE_BLOCK, A],
            "b": [SOURCE_BLOCK, B],
            "d": ["dask_geomodeling.raster.elemwise.Subtract", "a", "b"]}});
        assert!(is_geoblock(&g));
        let refs = references(&g);
        assert_eq!(refs.len(), 2);
        assert!(check_shape(&g).is_ok());
        let group = json!({"name": "g", "graph": {"g": [GROUP_BLOCK, A, B]}});
        assert!(is_geoblock(&group));
        assert_eq!(references(&group).len(), 2);
    }

    #[test]
    fn bad_shapes_name_the_problem() {
        let cases = [
            (json!([]), "object"),
            (json!({"name": "x"}), "graph"),
            (json!({"name": "x", "graph": {}}), "no nodes"),
            (json!({"name": "x", "graph": {"y": [A]}}), "endpoint"),
            (json!({"name": "x", "graph": {"x": "nope"}}), "list"),
            (json!({"name": "x", "graph": {"x": [SOURCE_BLOCK]}}), "one"),
            (
                json!({"name": "x", "graph": {"x": [SOURCE_BLOCK, "abc"]}}),
                "not a uuid",
            ),
            (
                json!({"name": "x", "graph": {"x": [SOURCE_BLOCK, A.replace('-', "")]}}),
                "canonical",
            ),
            (
                json!({"name": "x", "graph": {"x": [SOURCE_BLOCK, 3]}}),
                "uuid string",
            ),
            (
                json!({"name": "x", "graph": {"x": [A]}, "extra": 1}),
                "unknown key",
            ),
        ];
        for (g, needle) in cases {
            let err = check_shape(&g).unwrap_err();
            assert!(err.contains(needle), "{g}: {err}");
        }
    }
}
