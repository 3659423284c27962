//! Caps on what a server may make the client hold (issue G, hostile server). A server that
//! answers with a 50 MB body, an endless line or an event that never ends gets an error and a
//! closed connection, not the client's memory. Documented in docs/security.md.

use futures::{Stream, StreamExt};
use reqwest::Response;

use super::ApiError;

/// The largest response body the client reads (a page of 500 cases is well under 1 MiB).
pub const MAX_BODY: usize = 8 * 1024 * 1024;
/// The longest line of the event stream.
pub const MAX_SSE_LINE: usize = 256 * 1024;
/// The largest event of the event stream (all its lines; a change event is a few hundred bytes).
pub const MAX_SSE_EVENT: usize = 1024 * 1024;

fn too_large() -> ApiError {
    ApiError::Decode(format!(
        "the answer is larger than {} MiB, so it was not read",
        MAX_BODY / (1024 * 1024)
    ))
}

/// Read a body, refusing it (and dropping the connection) once it passes [`MAX_BODY`].
pub async fn read_body(mut resp: Response) -> Result<Vec<u8>, ApiError> {
    if resp.content_length().is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_large());
    }
    let mut buf: Vec<u8> = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(super::client::network)? {
        if buf.len() + chunk.len() > MAX_BODY {
            return Err(too_large());
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

/// Counts bytes since the last line end and the last blank line of an SSE stream.
#[derive(Debug, Default)]
pub struct SseScan {
    line: usize,
    event: usize,
    after_cr: bool,
}

impl SseScan {
    /// Feed the next chunk; an error once a line or an event is over its cap.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), std::io::Error> {
        for &b in chunk {
            match b {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\r' | b'\n' => {
                    if self.line == 0 {
                        self.event = 0;
                    }
                    self.line = 0;
                    self.after_cr = b == b'\r';
                }
                _ => {
                    self.line += 1;
                    self.event += 1;
                    self.after_cr = false;
                }
            }
            if self.line > MAX_SSE_LINE || self.event > MAX_SSE_EVENT {
                return Err(std::io::Error::other(
                    "the event stream sent a line or an event over its cap",
                ));
            }
        }
        Ok(())
    }
}

/// The event stream's bytes, ending with an error at the first line or event over its cap.
pub fn capped_sse<S, B>(stream: S) -> impl Stream<Item = Result<B, std::io::Error>>
where
    S: Stream<Item = reqwest::Result<B>>,
    B: AsRef<[u8]>,
{
    let mut scan = SseScan::default();
    stream.map(move |chunk| {
        let chunk = chunk.map_err(std::io::Error::other)?;
        scan.feed(chunk.as_ref())?;
        Ok(chunk)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_scan_allows_many_small_events_and_refuses_a_long_line_or_event() {
        let mut s = SseScan::default();
        for _ in 0..10_000 {
            s.feed(b"event: change\r\ndata: {}\r\n\r\n")
                .expect("small events");
        }
        let mut s = SseScan::default();
        assert!(s.feed(&vec![b'a'; MAX_SSE_LINE + 1]).is_err());
        let mut s = SseScan::default();
        let line = format!("data: {}\n", "x".repeat(1000));
        let mut failed = false;
        for _ in 0..(MAX_SSE_EVENT / 1000 + 2) {
            failed |= s.feed(line.as_bytes()).is_err();
        }
        assert!(failed, "an event of many lines is capped too");
    }
}
