//! `ErrorClass`: the cause of a failure, independent of any protocol.
//!
//! Every module's error enum maps itself onto one of these with `class()`;
//! `http` alone turns a class into a status code, an OGC exception or a JSON body.

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
    /// The request or upload is beyond a configured limit.
    TooLarge,
    /// Understood, but a feature tegel does not offer (e.g. a multi-band GeoTIFF).
    Unsupported,
    /// Temporarily unable to serve (render queue full, shutting down).
    Unavailable,
    /// A bug or an I/O failure on our side; details are logged, never sent.
    Internal,
}
