//! ServiceExceptionReport documents for WMS 1.3.0 (XSD, `text/xml`) and 1.1.1
//! (DTD, `application/vnd.ogc.se_xml`).
//!
//! Serialises an `OgcError`; does not decide HTTP status or caching headers.

use super::{OgcError, WmsVersion};
use crate::protocol::xml::XmlWriter;

/// MIME type of a 1.3.0 exception report.
pub const MIME_1_3_0: &str = "text/xml";
/// MIME type of a 1.1.1 exception report.
pub const MIME_1_1_1: &str = "application/vnd.ogc.se_xml";

/// The exception report for `err` in `err.version`'s format: (MIME type, UTF-8
/// bytes). `code` and (1.3.0 only) `locator` attributes are written when known; the
/// message is escaped. Cost: one small string.
pub fn exception_report(err: &OgcError) -> (&'static str, Vec<u8>) {
    exception_report_many(err.version, std::slice::from_ref(err))
}

/// One report holding several exceptions, in `version`'s format (each error's
/// own version is ignored).
pub fn exception_report_many(version: WmsVersion, errs: &[OgcError]) -> (&'static str, Vec<u8>) {
    let (mime, mut w) = match version {
        WmsVersion::V1_3_0 => {
            let mut w = XmlWriter::new(false, "");
            w.open(
                "ServiceExceptionReport",
                &[
                    ("version", "1.3.0"),
                    ("xmlns", "http://www.opengis.net/ogc"),
                    ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
                    (
                        "xsi:schemaLocation",
                        "http://www.opengis.net/ogc http://schemas.opengis.net/wms/1.3.0/exceptions_1_3_0.xsd",
                    ),
                ],
            );
            (MIME_1_3_0, w)
        }
        WmsVersion::V1_1_1 => {
            let mut w = XmlWriter::new(
                true,
                "<!DOCTYPE ServiceExceptionReport SYSTEM \"http://schemas.opengis.net/wms/1.1.1/exception_1_1_1.dtd\">\n",
            );
            w.open("ServiceExceptionReport", &[("version", "1.1.1")]);
            (MIME_1_1_1, w)
        }
    };
    for err in errs {
        let code = err.code.map(|c| c.as_str(version));
        let mut attrs: Vec<(&str, &str)> = Vec::new();
        if let Some(code) = code {
            attrs.push(("code", code));
        }
        // The 1.1.1 DTD has no `locator` attribute.
        if let (Some(locator), WmsVersion::V1_3_0) = (&err.locator, version) {
            attrs.push(("locator", locator));
        }
        w.leaf("ServiceException", &attrs, &err.message);
    }
    w.close("ServiceExceptionReport");
    (mime, w.finish())
}
