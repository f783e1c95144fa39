//! Where `serve` listens and writes: `tcp://HOST:PORT`, `unix:PATH`, `http://HOST:PORT/PATH`.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream, ToSocketAddrs};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::time::Duration;

use super::ServeError;

/// A socket address as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// `tcp://HOST:PORT`.
    Tcp(String),
    /// `unix:PATH` (or `unix://PATH`): a Unix stream socket.
    Unix(PathBuf),
    /// `http://HOST:PORT/PATH`: POST requests (output only).
    Http {
        /// `HOST:PORT`.
        authority: String,
        /// The request path, starting with `/`.
        path: String,
    },
}

impl Endpoint {
    /// Parses `text`.
    pub fn parse(text: &str) -> Result<Endpoint, ServeError> {
        let bad = |why: &'static str| ServeError::BadEndpoint { text: text.to_string(), why };
        if let Some(rest) = text.strip_prefix("tcp://") {
            let ok = rest.rsplit_once(':').is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok());
            return if ok { Ok(Endpoint::Tcp(rest.to_string())) } else { Err(bad("expected tcp://HOST:PORT")) };
        }
        if let Some(rest) = text.strip_prefix("unix://").or_else(|| text.strip_prefix("unix:")) {
            return if rest.is_empty() { Err(bad("expected unix:PATH")) } else { Ok(Endpoint::Unix(PathBuf::from(rest))) };
        }
        if let Some(rest) = text.strip_prefix("http://") {
            let (authority, path) = match rest.find('/') {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, "/"),
            };
            let ok = authority.rsplit_once(':').is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok());
            if !ok || path.bytes().any(|b| b <= b' ' || b == 0x7f) {
                return Err(bad("expected http://HOST:PORT/PATH"));
            }
            return Ok(Endpoint::Http { authority: authority.to_string(), path: path.to_string() });
        }
        if text.starts_with("https://") {
            return Err(bad("https is not supported: put Vector's http_server on 127.0.0.1 and use http://"));
        }
        Err(bad("expected tcp://HOST:PORT, unix:PATH or http://HOST:PORT/PATH"))
    }

    /// Opens a listening socket. A Unix socket file left behind by a dead process is
    /// replaced; one that still answers is refused.
    pub fn bind(&self) -> Result<Listener, ServeError> {
        let err = |source: io::Error| ServeError::Bind { endpoint: self.to_string(), source };
        match self {
            Endpoint::Tcp(addr) => {
                let l = TcpListener::bind(addr).map_err(err)?;
                l.set_nonblocking(true).map_err(err)?;
                Ok(Listener::Tcp(l))
            }
            Endpoint::Unix(path) => {
                if path.exists() {
                    if UnixStream::connect(path).is_ok() {
                        return Err(ServeError::InUse(path.clone()));
                    }
                    std::fs::remove_file(path).map_err(err)?;
                }
                let l = UnixListener::bind(path).map_err(err)?;
                l.set_nonblocking(true).map_err(err)?;
                Ok(Listener::Unix(l, path.clone()))
            }
            Endpoint::Http { .. } => Err(ServeError::BadEndpoint { text: self.to_string(), why: "cannot listen on http://" }),
        }
    }

    /// Connects to a TCP or Unix endpoint (for HTTP, to its host and port).
    pub fn connect(&self, timeout: Duration) -> io::Result<Stream> {
        let tcp = |addr: &str| -> io::Result<Stream> {
            let mut last = io::Error::new(io::ErrorKind::NotFound, format!("{addr}: no address"));
            for a in addr.to_socket_addrs()? {
                match TcpStream::connect_timeout(&a, timeout) {
                    Ok(s) => {
                        s.set_nodelay(true)?;
                        return Ok(Stream::Tcp(s));
                    }
                    Err(e) => last = e,
                }
            }
            Err(last)
        };
        let s = match self {
            Endpoint::Tcp(addr) => tcp(addr)?,
            Endpoint::Http { authority, .. } => tcp(authority)?,
            Endpoint::Unix(path) => Stream::Unix(UnixStream::connect(path)?),
        };
        s.set_timeouts(Some(timeout))?;
        Ok(s)
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Tcp(a) => write!(f, "tcp://{a}"),
            Endpoint::Unix(p) => write!(f, "unix:{}", p.display()),
            Endpoint::Http { authority, path } => write!(f, "http://{authority}{path}"),
        }
    }
}

/// A listening socket (non-blocking: the accept loop polls it so it can notice a shutdown).
#[derive(Debug)]
pub enum Listener {
    /// TCP.
    Tcp(TcpListener),
    /// A Unix socket and its file (removed when the listener is dropped).
    Unix(UnixListener, PathBuf),
}

impl Listener {
    /// The address actually bound (the real port for `tcp://HOST:0`).
    pub fn local(&self) -> String {
        match self {
            Listener::Tcp(l) => l.local_addr().map(|a| format!("tcp://{a}")).unwrap_or_else(|_| "tcp://?".into()),
            Listener::Unix(_, p) => format!("unix:{}", p.display()),
        }
    }

    /// A pending connection, its peer's name; `Ok(None)` when there is none.
    pub fn accept(&self) -> io::Result<Option<(Stream, String)>> {
        let r = match self {
            Listener::Tcp(l) => l.accept().map(|(s, a)| (Stream::Tcp(s), a.to_string())),
            Listener::Unix(l, p) => l.accept().map(|(s, _)| (Stream::Unix(s), format!("unix:{}", p.display()))),
        };
        match r {
            Ok((s, peer)) => {
                s.set_nonblocking(false)?;
                Ok(Some((s, peer)))
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
            Err(e) => Err(e),
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Listener::Unix(_, path) = self {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A connected TCP or Unix stream socket.
#[derive(Debug)]
pub enum Stream {
    /// TCP.
    Tcp(TcpStream),
    /// Unix.
    Unix(UnixStream),
}

impl Stream {
    /// Sets the read and write timeouts.
    pub fn set_timeouts(&self, t: Option<Duration>) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.set_read_timeout(t).and_then(|_| s.set_write_timeout(t)),
            Stream::Unix(s) => s.set_read_timeout(t).and_then(|_| s.set_write_timeout(t)),
        }
    }

    /// Sets the read timeout only.
    pub fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.set_read_timeout(t),
            Stream::Unix(s) => s.set_read_timeout(t),
        }
    }

    fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.set_nonblocking(on),
            Stream::Unix(s) => s.set_nonblocking(on),
        }
    }

    /// Closes the writing half (the peer reads an end of stream).
    pub fn shutdown_write(&self) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.shutdown(Shutdown::Write),
            Stream::Unix(s) => s.shutdown(Shutdown::Write),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            Stream::Unix(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            Stream::Unix(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.flush(),
            Stream::Unix(s) => s.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing() {
        assert_eq!(Endpoint::parse("tcp://127.0.0.1:9000").unwrap(), Endpoint::Tcp("127.0.0.1:9000".into()));
        assert_eq!(Endpoint::parse("tcp://[::1]:9000").unwrap(), Endpoint::Tcp("[::1]:9000".into()));
        assert_eq!(Endpoint::parse("unix:/run/d.sock").unwrap(), Endpoint::Unix("/run/d.sock".into()));
        assert_eq!(Endpoint::parse("unix:///run/d.sock").unwrap(), Endpoint::Unix("/run/d.sock".into()));
        assert_eq!(
            Endpoint::parse("http://127.0.0.1:8080/events").unwrap(),
            Endpoint::Http { authority: "127.0.0.1:8080".into(), path: "/events".into() }
        );
        assert_eq!(Endpoint::parse("http://localhost:80").unwrap().to_string(), "http://localhost:80/");
        for bad in ["127.0.0.1:9000", "tcp://nohost", "tcp://:9", "tcp://h:99999", "unix:", "http://h/x", "https://h:1/", "http://h:1/a b"] {
            assert!(matches!(Endpoint::parse(bad), Err(ServeError::BadEndpoint { .. })), "{bad}");
        }
    }
}
