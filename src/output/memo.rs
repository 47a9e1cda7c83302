//! What a build remembers of each unit of its output (a post's renderings, a page, a piece of
//! the search index), so the next build can tell, without rendering it, that a unit would come
//! out as the output folder already holds it.
//!
//! A unit is named by a [`Key`]: a hash of exactly what its output is made of (a post's file,
//! its publications and versions, the settings and templates every page shares, …). The memo
//! maps that key to what the unit produced: file paths and the content hashes the output
//! folder's manifest records for them. A later build that computes the same key and finds the
//! folder holding those hashes keeps the files and skips the work; any other key renders. So the
//! memo can only ever save work, never decide what the output is: a missing, corrupt or foreign
//! memo (a checksum guards the file) is an empty one, and an entry that does not match the
//! folder is simply not used.
//!
//! The format is a few length-prefixed fields, read back in milliseconds for tens of thousands
//! of units; [`Encoder`] and [`Decoder`] are shared with the other caches (git's version
//! history).

use std::path::Path;

/// Keys are already uniform hashes: a fast hasher is plenty.
type HashMap<K, V> = foldhash::HashMap<K, V>;

use sha2::{Digest, Sha256};

use crate::error::Result;

/// A unit's name: the first 128 bits of a SHA-256 over its inputs.
pub type Key = [u8; 16];

/// Bumped when a payload's meaning changes, so an older memo is an empty one.
const FORMAT: u32 = 1;
const MAGIC: &[u8] = b"budkavle-memo\n";

/// Builds a [`Key`] from fields, each length-prefixed so no two different sequences of fields
/// hash alike.
pub struct KeyHasher(Sha256);

impl KeyHasher {
    /// Starts a key of one kind of unit (`post`, `tag`, …): keys of different kinds never meet.
    pub fn new(kind: &str) -> KeyHasher {
        let mut h = KeyHasher(Sha256::new());
        h.bytes(kind.as_bytes());
        h
    }

    pub fn bytes(&mut self, bytes: &[u8]) -> &mut Self {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    pub fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.0.update(v.to_le_bytes());
        self
    }

    pub fn key(&mut self, k: &Key) -> &mut Self {
        self.0.update(k);
        self
    }

    pub fn opt_key(&mut self, k: Option<&Key>) -> &mut Self {
        match k {
            Some(k) => self.u64(1).key(k),
            None => self.u64(0),
        }
    }

    /// A value as JSON: self-delimiting, and what templates see of it.
    pub fn json(&mut self, value: &impl serde::Serialize) -> &mut Self {
        self.0.update(b"{json}");
        // Serialising cannot fail for the plain data budkavle keys on; if a value ever did,
        // the marker keeps the key distinct from the value's absence.
        match crate::json::to_vec(value) {
            Ok(json) => self.0.update(&json),
            Err(_) => self.0.update(b"{unserialisable}"),
        }
        self
    }

    pub fn finish(&self) -> Key {
        let digest = self.0.clone().finalize();
        let mut key = [0u8; 16];
        key.copy_from_slice(&digest[..16]);
        key
    }
}

/// A key from one kind and one field, for short keys.
pub fn key_of(kind: &str, bytes: &[u8]) -> Key {
    KeyHasher::new(kind).bytes(bytes).finish()
}

/// The memo of one output folder: unit key → payload.
#[derive(Debug, Default, Clone)]
pub struct Memo {
    entries: HashMap<Key, Vec<u8>>,
}

/// A unit's output files: path in the output folder and content hash.
pub type FileList = Vec<(String, u64)>;

impl Memo {
    /// The memo at `path`; empty when there is none or it cannot be trusted (another format,
    /// truncated, a checksum that does not match).
    pub fn load(path: &Path) -> Memo {
        std::fs::read(path).ok().and_then(|bytes| Memo::decode(&bytes)).unwrap_or_default()
    }

    /// Writes the memo atomically. A memo that cannot be written only makes the next build
    /// slower, so callers may ignore the error.
    pub fn save(&self, path: &Path) -> Result<()> {
        // Written as it is encoded: a memo of ten thousand pages is a megabyte or two, which at
        // the end of a build was memory the kernel had to zero first, on one core.
        crate::fsutil::write_atomic_with(path, |file| {
            let mut out = super::HashingWriter::new(&mut *file);
            self.encode_into(|bytes| out.write(bytes))?;
            let (file, sum) = out.finish()?;
            std::io::Write::write_all(file, &sum.to_le_bytes())
        })
    }

    pub fn get(&self, key: &Key) -> Option<&[u8]> {
        self.entries.get(key).map(Vec::as_slice)
    }

    pub fn insert(&mut self, key: Key, payload: Vec<u8>) {
        self.entries.insert(key, payload);
    }

    /// The files a unit produced, when the memo has the unit as a file list.
    pub fn files(&self, key: &Key) -> Option<FileList> {
        decode_files(&mut Decoder::new(self.get(key)?))
    }

    pub fn insert_files(&mut self, key: Key, files: &[(String, u64)]) {
        let mut e = Encoder::default();
        encode_files(&mut e, files);
        self.insert(key, e.finish());
    }

    /// The memo as its file holds it, less the checksum at the end (the [`super::content_hash`]
    /// of these bytes), handed to `put` piece by piece.
    fn encode_into(&self, mut put: impl FnMut(&[u8]) -> std::io::Result<()>) -> std::io::Result<()> {
        let mut e = Encoder::default();
        e.raw(MAGIC);
        e.u32(FORMAT);
        // In key order, so the same memo is the same file.
        let mut keys: Vec<&Key> = self.entries.keys().collect();
        keys.sort_unstable();
        e.u64(keys.len() as u64);
        for k in keys {
            e.raw(k);
            e.bytes(&self.entries[k]);
            if e.buf.len() >= 16 * 1024 {
                put(&e.buf)?;
                e.buf.clear();
            }
        }
        put(&e.buf)
    }

    #[cfg(test)]
    fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        self.encode_into(|b| {
            bytes.extend_from_slice(b);
            Ok(())
        })
        .expect("writing to memory");
        let sum = super::content_hash(&bytes);
        bytes.extend_from_slice(&sum.to_le_bytes());
        bytes
    }

    fn decode(bytes: &[u8]) -> Option<Memo> {
        let (body, sum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
        if super::content_hash(body).to_le_bytes() != sum {
            return None;
        }
        let mut d = Decoder::new(body);
        if d.raw(MAGIC.len())? != MAGIC || d.u32()? != FORMAT {
            return None;
        }
        let n = d.u64()?;
        let mut entries = HashMap::with_capacity_and_hasher(usize::try_from(n).ok()?.min(1 << 20), Default::default());
        for _ in 0..n {
            let key: Key = d.raw(16)?.try_into().ok()?;
            entries.insert(key, d.bytes()?.to_vec());
        }
        d.is_empty().then_some(Memo { entries })
    }
}

pub fn encode_files(e: &mut Encoder, files: &[(String, u64)]) {
    e.u64(files.len() as u64);
    for (path, hash) in files {
        e.str(path);
        e.u64(*hash);
    }
}

pub fn decode_files(d: &mut Decoder<'_>) -> Option<FileList> {
    let n = d.u64()?;
    let mut files = Vec::with_capacity(usize::try_from(n).ok()?.min(1024));
    for _ in 0..n {
        let path = d.str()?.to_string();
        files.push((path, d.u64()?));
    }
    Some(files)
}

/// Length-prefixed little-endian fields.
#[derive(Debug, Default)]
pub struct Encoder {
    buf: Vec<u8>,
}

impl Encoder {
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub fn i64(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub fn bool(&mut self, v: bool) {
        self.buf.push(u8::from(v));
    }

    pub fn bytes(&mut self, bytes: &[u8]) {
        self.u64(bytes.len() as u64);
        self.raw(bytes);
    }

    pub fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    pub fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.bool(true);
                self.str(s);
            }
            None => self.bool(false),
        }
    }

    pub fn finish(self) -> Vec<u8> {
        self.buf
    }
}

/// Reads what an [`Encoder`] wrote; `None` at the first field that is not there.
#[derive(Debug)]
pub struct Decoder<'a> {
    rest: &'a [u8],
}

impl<'a> Decoder<'a> {
    pub fn new(bytes: &'a [u8]) -> Decoder<'a> {
        Decoder { rest: bytes }
    }

    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    pub fn raw(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.rest.split_at_checked(n)?;
        self.rest = rest;
        Some(head)
    }

    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.raw(4)?.try_into().ok()?))
    }

    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.raw(8)?.try_into().ok()?))
    }

    pub fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.raw(8)?.try_into().ok()?))
    }

    pub fn bool(&mut self) -> Option<bool> {
        match self.raw(1)? {
            [0] => Some(false),
            [1] => Some(true),
            _ => None,
        }
    }

    pub fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = usize::try_from(self.u64()?).ok()?;
        self.raw(n)
    }

    pub fn str(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }

    pub fn opt_str(&mut self) -> Option<Option<&'a str>> {
        if self.bool()? { self.str().map(Some) } else { Some(None) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memo_reads_back_and_damage_empties_it() {
        let mut memo = Memo::default();
        let a = key_of("a", b"1");
        memo.insert_files(a, &[("p/x/index.html".into(), 7), ("p/x/v/1/index.html".into(), 9)]);
        memo.insert(key_of("b", b"2"), b"payload".to_vec());
        let bytes = memo.encode();
        let back = Memo::decode(&bytes).expect("reads back");
        assert_eq!(back.files(&a).unwrap(), vec![("p/x/index.html".to_string(), 7), ("p/x/v/1/index.html".into(), 9)]);
        assert_eq!(back.get(&key_of("b", b"2")), Some(&b"payload"[..]));
        assert_eq!(back.get(&key_of("b", b"3")), None);
        assert_eq!(memo.encode(), back.encode(), "the same memo is the same file");

        for n in [0, 1, bytes.len() / 2, bytes.len() - 1] {
            assert!(Memo::decode(&bytes[..n]).is_none(), "truncated at {n}");
        }
        let mut flipped = bytes.clone();
        flipped[bytes.len() / 2] ^= 1;
        assert!(Memo::decode(&flipped).is_none(), "a flipped bit");
    }

    /// Saved as it is encoded, in pieces across the content hash's 64 KiB pieces: the file is
    /// the one encoded whole, and loads back.
    #[test]
    fn a_memo_saved_piece_by_piece_is_the_memo_encoded_whole() {
        let mut memo = Memo::default();
        for n in 0..3000u32 {
            let payload: Vec<u8> = (0..(n % 97) * 3).map(|i| (i as u8).wrapping_mul(31) ^ n as u8).collect();
            memo.insert(key_of("k", &n.to_le_bytes()), payload);
        }
        let whole = memo.encode();
        assert!(whole.len() > 3 * 64 * 1024, "{} bytes", whole.len());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("memo/site.bin");
        memo.save(&path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), whole);
        let back = Memo::load(&path);
        assert_eq!(back.encode(), whole);
        assert_eq!(back.get(&key_of("k", &5u32.to_le_bytes())), memo.get(&key_of("k", &5u32.to_le_bytes())));

        Memo::default().save(&path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), Memo::default().encode(), "the empty memo");
    }

    #[test]
    fn keys_tell_fields_apart() {
        let k = |parts: &[&str]| {
            let mut h = KeyHasher::new("t");
            for p in parts {
                h.str(p);
            }
            h.finish()
        };
        assert_ne!(k(&["ab", "c"]), k(&["a", "bc"]));
        assert_ne!(k(&["a"]), k(&["a", ""]));
        assert_eq!(k(&["a", "b"]), k(&["a", "b"]));
        assert_ne!(KeyHasher::new("t").finish(), KeyHasher::new("u").finish());
    }
}
