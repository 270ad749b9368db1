//! `[demo]`: ingest_on_empty, fixtures_dir.

use super::*;

/// The WMS names of the layers a server offers (from its capabilities).
fn layer_names(server: &TestServer) -> Vec<String> {
    let caps = server.get(WMS_CAPS).expect_status(200).text();
    let mut names: Vec<String> = support::xml_texts(&caps, "Name")
        .into_iter()
        .filter(|n| n.starts_with("nelen-schuurmans:"))
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn demo_ingest_on_empty_ingests_the_demo_into_an_empty_data_dir_only() {
    let mut config = config_with("keys-ingest-off", &[LOCHEM_FILE]);
    config.demo.ingest_on_empty = false;
    let off = TestServer::start(config);
    assert!(layer_names(&off).is_empty(), "{:?}", layer_names(&off));
    let stored = std::fs::read_dir(off.data_dir.join("sources")).map_or(0, |d| d.count());
    assert_eq!(stored, 0);

    // True (the default): the demo layers are there.
    let on = TestServer::start(config_with("keys-ingest-on", &[LOCHEM_FILE]));
    assert_eq!(layer_names(&on), [LOCHEM]);

    // A data dir that is not empty gets nothing more, even from other fixtures.
    let mut again = config_with("keys-ingest-again", &[RAIN_FILE]);
    let _ = std::fs::remove_dir_all(&again.server.data_dir);
    again.server.data_dir = on.data_dir.clone();
    let again = TestServer::start(again);
    assert_eq!(layer_names(&again), [LOCHEM]);
    drop((again, on));
}

#[test]
fn demo_fixtures_dir_is_where_the_demo_comes_from() {
    let rain = TestServer::start(config_with("keys-fixtures-rain", &[RAIN_FILE]));
    assert_eq!(layer_names(&rain), [RAIN]);
    let both = TestServer::start(config_with("keys-fixtures-both", &[LOCHEM_FILE, RAIN_FILE]));
    assert_eq!(layer_names(&both), [LOCHEM, RAIN]);

    // Relative to the working directory (tests run in the repository root):
    // the shipped demo, the default.
    let mut config = test_config("keys-fixtures-default");
    config.demo.fixtures_dir = PathBuf::from("fixtures/demo");
    assert_eq!(
        config.demo.fixtures_dir,
        Config::default().demo.fixtures_dir
    );
    assert_eq!(
        std::env::current_dir().expect("cwd").canonicalize().ok(),
        repo().canonicalize().ok()
    );
    let shipped = TestServer::start(config);
    assert_eq!(
        layer_names(&shipped),
        ["nelen-schuurmans:dem", LOCHEM, RAIN]
    );

    // A folder without demo.json: nothing to ingest.
    let mut config = test_config("keys-fixtures-none");
    config.demo.fixtures_dir = temp_dir("keys-fixtures-empty");
    let none = TestServer::start(config);
    assert!(layer_names(&none).is_empty());
}
