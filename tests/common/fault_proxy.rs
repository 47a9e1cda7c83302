//! A fault-injecting HTTP/1.1 proxy for the publish tests: between budkavle and a local
//! platform server it answers some requests itself with 503 or 429 (with `Retry-After`), stalls
//! some past the client's timeout, resets some connections before forwarding, and — the case
//! exactly-once is about — forwards some and then drops the answer, so the server acted but the
//! client never heard. One request per connection keeps the bookkeeping simple.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often each fault happens, in percent of requests.
#[derive(Debug, Clone, Copy)]
pub struct Faults {
    pub unavailable: u32,
    pub too_many: u32,
    pub stall: u32,
    pub reset: u32,
    pub lost_answer: u32,
    /// How long a stall lasts (make it longer than the client's timeout).
    pub stall_for: Duration,
}

#[derive(Debug, Default)]
pub struct Counts {
    /// Requests that arrived (whatever then happened to them).
    pub seen: AtomicU64,
    pub forwarded: AtomicU64,
    pub unavailable: AtomicU64,
    pub too_many: AtomicU64,
    pub stalled: AtomicU64,
    pub reset: AtomicU64,
    pub lost_answer: AtomicU64,
}

impl Counts {
    pub fn summary(&self) -> String {
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        format!(
            "forwarded {}, 503 {}, 429 {}, stalled {}, reset {}, answer lost {}",
            g(&self.forwarded),
            g(&self.unavailable),
            g(&self.too_many),
            g(&self.stalled),
            g(&self.reset),
            g(&self.lost_answer)
        )
    }

    pub fn faults(&self) -> u64 {
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        g(&self.unavailable) + g(&self.too_many) + g(&self.stalled) + g(&self.reset) + g(&self.lost_answer)
    }
}

pub struct FaultProxy {
    pub url: String,
    pub counts: Arc<Counts>,
    enabled: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
}

impl FaultProxy {
    /// Listens on a free port of 127.0.0.1 and forwards to `upstream` (`http://127.0.0.1:PORT`).
    pub fn start(upstream: &str, faults: Faults, seed: u64) -> FaultProxy {
        let target = upstream.trim_start_matches("http://").trim_end_matches('/').to_string();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let counts = Arc::new(Counts::default());
        let enabled = Arc::new(AtomicBool::new(true));
        let stop = Arc::new(AtomicBool::new(false));
        let rng = Arc::new(Mutex::new(seed));
        let (c, e, s) = (counts.clone(), enabled.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (target, counts, enabled, rng) = (target.clone(), c.clone(), e.clone(), rng.clone());
                std::thread::spawn(move || {
                    let roll = if enabled.load(Ordering::Relaxed) { next(&rng) % 100 } else { 100 };
                    let _ = handle(conn, &target, faults, roll as u32, &counts);
                });
            }
        });
        FaultProxy { url, counts, enabled, stop }
    }

    /// Lets every request through from now on (for the final, clean runs).
    pub fn heal(&self) {
        self.enabled.store(false, Ordering::Relaxed);
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
    }
}

/// splitmix64: repeatable from the seed, well mixed even for small seeds, no dependency.
pub fn next(rng: &Mutex<u64>) -> u64 {
    let mut x = rng.lock().unwrap();
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn handle(client: TcpStream, target: &str, f: Faults, roll: u32, counts: &Counts) -> std::io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(30)))?;
    // Every answer leaves in one piece; Nagle would only hold the injected ones back.
    client.set_nodelay(true)?;
    let mut reader = BufReader::new(client.try_clone()?);
    let request = read_request(&mut reader)?;
    counts.seen.fetch_add(1, Ordering::Relaxed);
    let mut client = client;
    let mut band = roll;
    let mut pick = |p: u32| {
        let hit = band < p;
        band = band.saturating_sub(p);
        hit
    };
    if pick(f.unavailable) {
        counts.unavailable.fetch_add(1, Ordering::Relaxed);
        let body = "upstream unavailable (injected)";
        write!(
            client,
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )?;
        return Ok(());
    }
    if pick(f.too_many) {
        counts.too_many.fetch_add(1, Ordering::Relaxed);
        let body = r#"{"error":"Too many requests (injected)"}"#;
        write!(
            client,
            "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )?;
        return Ok(());
    }
    if pick(f.stall) {
        counts.stalled.fetch_add(1, Ordering::Relaxed);
        std::thread::sleep(f.stall_for);
        return client.shutdown(Shutdown::Both);
    }
    if pick(f.reset) {
        counts.reset.fetch_add(1, Ordering::Relaxed);
        return reset(client);
    }
    let lose = pick(f.lost_answer);
    let mut upstream = TcpStream::connect(target)?;
    upstream.set_nodelay(true)?;
    upstream.write_all(&request)?;
    let mut answer = Vec::new();
    upstream.read_to_end(&mut answer)?;
    if lose {
        counts.lost_answer.fetch_add(1, Ordering::Relaxed);
        return reset(client);
    }
    counts.forwarded.fetch_add(1, Ordering::Relaxed);
    client.write_all(&answer)?;
    client.flush()
}

/// Closes with a TCP reset (SO_LINGER 0), which is what a crashed middlebox looks like.
fn reset(stream: TcpStream) -> std::io::Result<()> {
    let socket = socket2::SockRef::from(&stream);
    socket.set_linger(Some(Duration::ZERO))?;
    drop(stream);
    Ok(())
}

/// One whole request, with `Connection: close` so the upstream ends its answer by closing.
fn read_request(reader: &mut BufReader<TcpStream>) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    let mut length = 0usize;
    let mut chunked = false;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "closed before a request"));
        }
        if line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("connection:") || lower.starts_with("keep-alive:") {
            continue;
        }
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
        head.extend_from_slice(line.as_bytes());
    }
    head.extend_from_slice(b"Connection: close\r\n\r\n");
    if chunked {
        loop {
            let mut size_line = String::new();
            reader.read_line(&mut size_line)?;
            head.extend_from_slice(size_line.as_bytes());
            let size = usize::from_str_radix(size_line.trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk)?;
            head.extend_from_slice(&chunk);
            if size == 0 {
                break;
            }
        }
    } else {
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        head.extend_from_slice(&body);
    }
    Ok(head)
}
