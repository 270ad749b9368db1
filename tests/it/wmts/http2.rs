//! HTTP/2 (EXT-06): the server speaks cleartext HTTP/2 with prior knowledge
//! (h2c) next to HTTP/1.1 on the same port, so a client or a TLS-terminating
//! proxy can multiplex many tile requests over one connection.

use super::*;
use crate::support::{decode_png, demo};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::{TokioExecutor, TokioIo};

#[test]
fn ext_06_tiles_and_capabilities_over_h2c_on_one_connection() {
    let addr = demo().addr;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (sender, conn) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
                .await
                .expect("h2c handshake");
        tokio::spawn(conn);
        // A DEM tile of WebMercatorQuad 15 and its parents of 12–14, four
        // times each, and the capabilities, all in flight at once.
        let mut paths: Vec<String> = (0..16)
            .map(|i| {
                let up = i % 4;
                format!(
                    "/wmts/1.0.0/{DEM}/default/WebMercatorQuad/{}/{}/{}.png",
                    15 - up,
                    10823 >> up,
                    16882 >> up
                )
            })
            .collect();
        paths.push("/wmts/1.0.0/WMTSCapabilities.xml".into());
        let requests = paths.iter().map(|p| {
            let mut sender = sender.clone();
            let req = hyper::Request::get(format!("http://{addr}{p}"))
                .body(Empty::<Bytes>::new())
                .unwrap();
            async move {
                let resp = sender.send_request(req).await.expect("response");
                let version = resp.version();
                let status = resp.status();
                let ctype = resp.headers()["content-type"].to_str().unwrap().to_string();
                let body = resp.into_body().collect().await.unwrap().to_bytes();
                (version, status, ctype, body)
            }
        });
        let answers = futures_join(requests.collect()).await;
        for (p, (version, status, ctype, body)) in paths.iter().zip(answers) {
            assert_eq!(version, hyper::Version::HTTP_2, "{p}");
            assert_eq!(status, 200, "{p}");
            if p.ends_with(".png") {
                assert_eq!(ctype, "image/png");
                let img = decode_png(&body);
                assert_eq!((img.width, img.height), (256, 256));
            } else {
                assert_eq!(ctype, "application/xml");
                assert!(body.starts_with(b"<?xml"));
            }
        }
    });
}

/// Runs every future concurrently on the current task's runtime.
async fn futures_join<F>(futures: Vec<F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}
