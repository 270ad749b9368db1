//! The OWS 1.1 `ExceptionReport` document WMTS answers errors with
//! (valid against `ows/1.1.0/owsExceptionReport.xsd`).
//!
//! Serialises a `WmtsError`; does not decide HTTP status or caching headers.

use super::WmtsError;
use crate::protocol::xml::XmlWriter;

/// MIME type of an exception report.
pub const MIME: &str = "application/xml";

/// The report for `err`: (MIME type, UTF-8 bytes). `locator` is written only
/// when the error has one; the message is escaped.
pub fn exception_report(err: &WmtsError) -> (&'static str, Vec<u8>) {
    let mut w = XmlWriter::new(false, "");
    w.open(
        "ows:ExceptionReport",
        &[
            ("xmlns:ows", "http://www.opengis.net/ows/1.1"),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            (
                "xsi:schemaLocation",
                "http://www.opengis.net/ows/1.1 http://schemas.opengis.net/ows/1.1.0/owsExceptionReport.xsd",
            ),
            ("version", "1.0.0"),
            ("xml:lang", "en"),
        ],
    );
    let mut attrs = vec![("exceptionCode", err.code.as_str())];
    if let Some(l) = &err.locator {
        attrs.push(("locator", l));
    }
    w.open("ows:Exception", &attrs);
    w.leaf("ows:ExceptionText", &[], &err.message);
    w.close("ows:Exception");
    w.close("ows:ExceptionReport");
    (MIME, w.finish())
}
