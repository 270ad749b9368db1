//! Test helpers for protocol documents: schema/DTD validation with `xmllint`
//! against the offline OGC schemas, and blessable golden files.
//!
//! Test-only. A missing `xmllint` or schema folder fails loudly, never skips.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The offline OGC schemas kept with the tests (`tests/ogc-schemas/`, an
/// unmodified copy of the official files with an XML catalog).
pub fn schemas_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ogc-schemas");
    assert!(
        dir.join("catalog.xml").is_file(),
        "OGC schemas missing: {} has no catalog.xml",
        dir.display()
    );
    dir
}

/// How to validate a document.
pub enum Check<'a> {
    /// `--schema <schemas>/<path>`.
    Schema(&'a str),
    /// `--valid` against the document's own DOCTYPE.
    Dtd,
}

/// Validates `doc` with xmllint (`--nonet`, the schema catalog); panics with
/// xmllint's output when invalid or when xmllint is not installed.
pub fn xmllint(doc: &[u8], check: Check<'_>, name: &str) {
    let dir = schemas_dir();
    let file =
        std::env::temp_dir().join(format!("tegel-protocol-{}-{name}.xml", std::process::id()));
    std::fs::write(&file, doc).unwrap();
    let mut cmd = Command::new("xmllint");
    cmd.env("XML_CATALOG_FILES", dir.join("catalog.xml"))
        .args(["--nonet", "--noout"]);
    match check {
        Check::Schema(path) => {
            cmd.arg("--schema").arg(dir.join(path));
        }
        Check::Dtd => {
            cmd.arg("--valid");
        }
    }
    let out = cmd.arg(&file).output().unwrap_or_else(|e| {
        panic!(
            "xmllint is required for this test and could not be run ({e}); install it: apt-get install -y libxml2-utils"
        )
    });
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "{name} is not valid ({:?}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(doc)
    );
}

/// Compares `actual` with `tests/golden/protocol/<name>`; with `TEGEL_BLESS=1`
/// writes it instead. A missing golden fails.
pub fn golden(name: &str, actual: &[u8]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/protocol")
        .join(name);
    if std::env::var("TEGEL_BLESS").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let want = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "golden {} is missing ({e}); run with TEGEL_BLESS=1 to create it, then review it",
            path.display()
        )
    });
    assert!(
        want == actual,
        "{name} differs from its golden {}; rerun with TEGEL_BLESS=1 if the change is intended.\n--- actual ---\n{}",
        path.display(),
        String::from_utf8_lossy(actual)
    );
}
