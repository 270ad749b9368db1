//! A connection's socket as hyper reads and writes it, telling the
//! connection table (`conns.rs`) when bytes arrive and when writes wait for
//! the peer. The socket is shared, so the connection's own task can still
//! write a last `408` onto it when a request head never completes.

use super::conns::{Conn, Table};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

pub struct WatchedIo {
    stream: Arc<TcpStream>,
    conn: Arc<Conn>,
    table: Arc<Table>,
}

impl WatchedIo {
    pub fn new(stream: Arc<TcpStream>, conn: Arc<Conn>, table: Arc<Table>) -> WatchedIo {
        WatchedIo {
            stream,
            conn,
            table,
        }
    }

    /// Writes with `write` once the socket is ready, telling the table
    /// whether the write has to wait for the peer.
    fn write_with(
        &self,
        cx: &mut Context<'_>,
        mut write: impl FnMut(&TcpStream) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        let result = loop {
            match self.stream.poll_write_ready(cx) {
                Poll::Pending => break Poll::Pending,
                Poll::Ready(Err(e)) => break Poll::Ready(Err(e)),
                Poll::Ready(Ok(())) => match write(&self.stream) {
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                    other => break Poll::Ready(other),
                },
            }
        };
        self.table
            .write_stalled(&self.conn, matches!(result, Poll::Pending));
        result
    }
}

impl AsyncRead for WatchedIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            ready!(this.stream.poll_read_ready(cx))?;
            let into = buf.initialize_unfilled();
            match this.stream.try_read(into) {
                Ok(n) => {
                    if n > 0 {
                        this.table.on_read(&this.conn, &into[..n.min(4)]);
                    }
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl AsyncWrite for WatchedIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().write_with(cx, |s| s.try_write(buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .write_with(cx, |s| s.try_write_vectored(bufs))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// The socket closes when the connection's task drops it.
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
