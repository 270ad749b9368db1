//! `ErrorClass`: the cause of a failure, independent of any protocol.
//!
//! Every module's error enum maps itself onto one of these with `class()`;
//! `status_code` is the one class→status table; `http` alone turns a class into
//! a response (status line, OGC exception or JSON body).

/// Why something failed, from the client's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// The request is malformed or asks for something impossible.
    BadRequest,
    /// The named object does not exist (or may not be seen by the caller).
    NotFound,
    /// The caller is known but may not do this.
    Forbidden,
    /// Credentials are missing or wrong.
    Unauthorized,
    /// The request conflicts with the current state (e.g. deleting a source in use).
    Conflict,
    /// A precondition of the request does not hold (e.g. deleting a source
    /// that layers still use without `force`).
    PreconditionFailed,
    /// The endpoint exists but does not accept this HTTP method.
    MethodNotAllowed,
    /// The request body's media type is not one the endpoint reads.
    UnsupportedMediaType,
    /// The resource exists, but not in a media type the client accepts.
    NotAcceptable,
    /// The request or upload is beyond a configured limit.
    TooLarge,
    /// Understood, but a feature tegel does not offer (e.g. a multi-band GeoTIFF).
    Unsupported,
    /// Temporarily unable to serve (render queue full, shutting down).
    Unavailable,
    /// A bug or an I/O failure on our side; details are logged, never sent.
    Internal,
}

impl ErrorClass {
    /// The HTTP status number of this class: the one table, used by `http`
    /// for responses and by `api` for the `status` field of its error bodies.
    pub fn status_code(self) -> u16 {
        match self {
            ErrorClass::BadRequest => 400,
            ErrorClass::NotFound => 404,
            ErrorClass::Forbidden => 403,
            ErrorClass::Unauthorized => 401,
            ErrorClass::Conflict => 409,
            ErrorClass::PreconditionFailed => 412,
            ErrorClass::MethodNotAllowed => 405,
            ErrorClass::UnsupportedMediaType => 415,
            ErrorClass::NotAcceptable => 406,
            ErrorClass::TooLarge => 413,
            ErrorClass::Unsupported => 400,
            ErrorClass::Unavailable => 503,
            ErrorClass::Internal => 500,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorClass;

    #[test]
    fn every_class_is_an_error_status() {
        use ErrorClass::*;
        let all = [
            BadRequest,
            NotFound,
            Forbidden,
            Unauthorized,
            Conflict,
            PreconditionFailed,
            MethodNotAllowed,
            UnsupportedMediaType,
            NotAcceptable,
            TooLarge,
            Unsupported,
            Unavailable,
            Internal,
        ];
        let codes: Vec<u16> = all.iter().map(|c| c.status_code()).collect();
        assert_eq!(
            codes,
            [
                400, 404, 403, 401, 409, 412, 405, 415, 406, 413, 400, 503, 500
            ]
        );
    }
}
