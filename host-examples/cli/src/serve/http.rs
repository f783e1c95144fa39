//! A minimal HTTP/1.1 client for one thing: POSTing NDJSON bodies to Vector's
//! `http_server` source and learning whether they were accepted (any 2xx status).
//!
//! The connection is kept alive between requests and opened again after any error.
//! A response body (Vector sends none, or a short one) is read and discarded in a small
//! fixed buffer, whether framed by `Content-Length` or chunked.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::time::Duration;

use super::endpoint::{Endpoint, Stream};

/// Longest status or header line accepted.
const MAX_HEADER_LINE: usize = 8 << 10;
/// Most header lines accepted.
const MAX_HEADERS: usize = 100;

/// Why a POST did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The connection failed or broke.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The server answered with a status other than 2xx.
    #[error("HTTP status {0}")]
    Status(u16),
    /// The answer is not HTTP/1.x as understood here.
    #[error("malformed HTTP response: {0}")]
    Malformed(&'static str),
}

/// A keep-alive connection to one `http://HOST:PORT/PATH`.
pub struct HttpClient {
    endpoint: Endpoint,
    authority: String,
    path: String,
    timeout: Duration,
    conn: Option<BufReader<Stream>>,
}

impl HttpClient {
    /// A client for `http://{authority}{path}` (nothing is connected yet).
    pub fn new(authority: &str, path: &str, timeout: Duration) -> HttpClient {
        let endpoint = Endpoint::Http { authority: authority.to_string(), path: path.to_string() };
        HttpClient { endpoint, authority: authority.to_string(), path: path.to_string(), timeout, conn: None }
    }

    /// POSTs `body` as `application/x-ndjson`; Ok only for a 2xx answer.
    pub fn post(&mut self, body: &[u8]) -> Result<(), HttpError> {
        let r = self.try_post(body);
        if !matches!(r, Ok(true)) {
            self.conn = None;
        }
        r.map(|_| ())
    }

    /// Ok(keep the connection).
    fn try_post(&mut self, body: &[u8]) -> Result<bool, HttpError> {
        if self.conn.is_none() {
            self.conn = Some(BufReader::new(self.endpoint.connect(self.timeout)?));
        }
        let Some(conn) = self.conn.as_mut() else { return Err(HttpError::Malformed("no connection")) };
        let head = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\nUser-Agent: dnschild/{}\r\n\r\n",
            self.path,
            self.authority,
            body.len(),
            env!("CARGO_PKG_VERSION")
        );
        let s = conn.get_mut();
        s.write_all(head.as_bytes())?;
        s.write_all(body)?;
        s.flush()?;
        read_response(conn)
    }
}

/// Reads one response; Ok(whether the connection may be reused) for a 2xx status.
fn read_response(r: &mut impl BufRead) -> Result<bool, HttpError> {
    read_response_after(r, 0)
}

/// Reads one response that follows `interim` 1xx answers.
fn read_response_after(r: &mut impl BufRead, interim: u32) -> Result<bool, HttpError> {
    if interim > 8 {
        return Err(HttpError::Malformed("too many interim responses"));
    }
    let mut line = String::new();
    let status_line = read_line(r, &mut line)?;
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    if !version.starts_with("HTTP/1.") {
        return Err(HttpError::Malformed("no HTTP/1.x status line"));
    }
    let status: u16 = parts.next().and_then(|c| c.parse().ok()).ok_or(HttpError::Malformed("no status code"))?;
    let mut keep = version != "HTTP/1.0";
    let (mut length, mut chunked) = (None::<u64>, false);
    for _ in 0..MAX_HEADERS {
        let h = read_line(r, &mut line)?;
        if h.is_empty() {
            if (100..200).contains(&status) {
                // An interim answer (100 Continue): the real one follows.
                return read_response_after(r, interim + 1);
            }
            if chunked {
                discard_chunked(r)?;
            } else if let Some(n) = length {
                discard(r, n)?;
            } else if status != 204 && status != 304 {
                keep = false; // body runs to the end of the connection: do not reuse it
            }
            return if (200..300).contains(&status) { Ok(keep) } else { Err(HttpError::Status(status)) };
        }
        let Some((name, value)) = h.split_once(':') else { return Err(HttpError::Malformed("header without colon")) };
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim().to_ascii_lowercase());
        match name.as_str() {
            "content-length" => length = Some(value.parse().map_err(|_| HttpError::Malformed("bad Content-Length"))?),
            "transfer-encoding" => chunked = value.split(',').any(|v| v.trim() == "chunked"),
            "connection" if value.contains("close") => keep = false,
            _ => {}
        }
    }
    Err(HttpError::Malformed("too many headers"))
}

/// One CRLF-terminated line, without its line break, bounded in length.
fn read_line<'a>(r: &mut impl BufRead, line: &'a mut String) -> Result<&'a str, HttpError> {
    line.clear();
    let n = r.take(MAX_HEADER_LINE as u64).read_line(line)?;
    if n == 0 {
        return Err(HttpError::Malformed("connection closed before the response"));
    }
    if !line.ends_with('\n') {
        return Err(HttpError::Malformed("header line too long"));
    }
    Ok(line.trim_end_matches(['\r', '\n']))
}

fn discard(r: &mut impl Read, n: u64) -> Result<(), HttpError> {
    let copied = io::copy(&mut r.take(n), &mut io::sink())?;
    if copied < n {
        return Err(HttpError::Malformed("body shorter than its Content-Length"));
    }
    Ok(())
}

fn discard_chunked(r: &mut impl BufRead) -> Result<(), HttpError> {
    let mut line = String::new();
    loop {
        let size_text = read_line(r, &mut line)?;
        let hex = size_text.split(';').next().unwrap_or_default().trim();
        let size = u64::from_str_radix(hex, 16).map_err(|_| HttpError::Malformed("bad chunk size"))?;
        if size == 0 {
            // Trailers, up to the empty line.
            for _ in 0..MAX_HEADERS {
                if read_line(r, &mut line)?.is_empty() {
                    return Ok(());
                }
            }
            return Err(HttpError::Malformed("too many trailers"));
        }
        discard(r, size)?;
        if !read_line(r, &mut line)?.is_empty() {
            return Err(HttpError::Malformed("chunk not followed by CRLF"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(text: &str) -> Result<bool, HttpError> {
        read_response(&mut text.as_bytes())
    }

    #[test]
    fn responses() {
        assert!(matches!(answer("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"), Ok(true)));
        assert!(matches!(answer("HTTP/1.1 204 No Content\r\n\r\n"), Ok(true)));
        assert!(matches!(answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"), Ok(false)));
        assert!(matches!(answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"), Ok(true)));
        assert!(matches!(answer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n"), Ok(true)));
        assert!(matches!(answer("HTTP/1.1 200 OK\r\n\r\nbody to the end"), Ok(false)));
        assert!(matches!(answer("HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n"), Err(HttpError::Status(503))));
        assert!(matches!(answer("HTTP/1.1 400 Bad Request\r\ncontent-length: 5\r\n\r\nerror"), Err(HttpError::Status(400))));
        assert!(matches!(answer("HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nshort"), Err(HttpError::Malformed(_))));
        assert!(matches!(answer("SSH-2.0-OpenSSH\r\n"), Err(HttpError::Malformed(_))));
        assert!(matches!(answer(""), Err(HttpError::Malformed(_))));
        let long = format!("HTTP/1.1 200 OK\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEADER_LINE));
        assert!(matches!(answer(&long), Err(HttpError::Malformed("header line too long"))));
    }
}
