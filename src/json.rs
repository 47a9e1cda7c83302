//! JSON as budkavle writes it: byte for byte what `serde_json` writes, with strings escaped
//! eight bytes at a time.
//!
//! serde_json looks at a string's bytes one at a time, to find those that need escaping. The
//! archive's export and search index are tens of megabytes of posts' text, and that loop was a
//! twentieth of the archive's build. [`to_vec`] is serde_json's compact form (`to_vec`) and
//! [`string`] its string escaping; the tests hold both to serde_json's bytes.

use serde::ser::{self, Serialize};

/// `value` as compact JSON, exactly as `serde_json::to_vec` writes it.
pub(crate) fn to_vec<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(128);
    value.serialize(&mut Writer { out: &mut out })?;
    Ok(out)
}

/// `s` as a JSON string, escaped as serde_json escapes: `"` and `\` and the control characters
/// below U+0020 (the usual short forms, else `\u00xx` in lower-case hex); everything else,
/// U+007F and all non-ASCII included, as it is.
pub(crate) fn string(s: &str, out: &mut Vec<u8>) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // `bytes[run..i]` needs no escaping and is not yet copied.
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(word) = bytes[i..].first_chunk::<8>() {
            let flags = escape_flags(u64::from_le_bytes(*word));
            if flags == 0 {
                i += 8;
                continue;
            }
            i += (flags.trailing_zeros() / 8) as usize;
        } else if !matches!(bytes[i], 0x00..=0x1f | b'"' | b'\\') {
            i += 1;
            continue;
        }
        let b = bytes[i];
        let short = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            b'\n' => b'n',
            b'\t' => b't',
            b'\r' => b'r',
            0x08 => b'b',
            0x0c => b'f',
            _ => b'u',
        };
        out.extend_from_slice(&bytes[run..i]);
        out.extend_from_slice(&[b'\\', short]);
        if short == b'u' {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(&[b'0', b'0', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]]);
        }
        i += 1;
        run = i;
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}

/// Flags (the high bit of a byte) the bytes of `w`, read little-endian, that are below 0x20,
/// `"` or `\`: the classic "has a zero byte" and "has a byte less than n" tests (n ≤ 128). A
/// flagged byte may wrongly flag the bytes above it, but never one below, so the lowest flag is
/// exactly the first byte that needs escaping, and no flag at all means none does.
fn escape_flags(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGH;
    below(w, 0x20) | below(w ^ (ONES * u64::from(b'"')), 1) | below(w ^ (ONES * u64::from(b'\\')), 1)
}

/// The serializer: serde_json's compact form, written into a `Vec`.
struct Writer<'a> {
    out: &'a mut Vec<u8>,
}

impl Writer<'_> {
    fn raw(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    fn integer(&mut self, n: impl itoa::Integer) {
        self.out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }

    /// A float as serde_json writes it (its own formatting, `null` when not finite): floats are
    /// rare in budkavle's files, so they go through serde_json itself.
    fn float<F: Serialize>(&mut self, f: F) -> serde_json::Result<()> {
        serde_json::to_writer(&mut *self.out, &f)
    }

    /// `{"variant":` — a variant with data is an object of one field.
    fn open_variant(&mut self, variant: &str) {
        self.out.push(b'{');
        string(variant, self.out);
        self.out.push(b':');
    }
}

/// A sequence, map or struct under way: whether an element was written yet (a comma goes before
/// every one but the first), and whether a variant's object must be closed after it.
struct Compound<'w, 'a> {
    w: &'w mut Writer<'a>,
    first: bool,
    variant: bool,
}

impl<'w, 'a> Compound<'w, 'a> {
    fn open(w: &'w mut Writer<'a>, bracket: u8, variant: bool) -> Self {
        w.out.push(bracket);
        Compound { w, first: true, variant }
    }

    /// A variant's data, in its object of one field.
    fn variant(w: &'w mut Writer<'a>, variant: &str, bracket: u8) -> Self {
        w.open_variant(variant);
        Compound::open(w, bracket, true)
    }

    fn comma(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.w.out.push(b',');
        }
    }

    fn close(self, bracket: u8) {
        self.w.out.push(bracket);
        if self.variant {
            self.w.out.push(b'}');
        }
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        self.comma();
        value.serialize(&mut *self.w)
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> serde_json::Result<()> {
        self.comma();
        string(key, self.w.out);
        self.w.out.push(b':');
        value.serialize(&mut *self.w)
    }
}

impl<'w, 'a> ser::Serializer for &'w mut Writer<'a> {
    type Ok = ();
    type Error = serde_json::Error;
    type SerializeSeq = Compound<'w, 'a>;
    type SerializeTuple = Compound<'w, 'a>;
    type SerializeTupleStruct = Compound<'w, 'a>;
    type SerializeTupleVariant = Compound<'w, 'a>;
    type SerializeMap = Compound<'w, 'a>;
    type SerializeStruct = Compound<'w, 'a>;
    type SerializeStructVariant = Compound<'w, 'a>;

    fn serialize_bool(self, v: bool) -> serde_json::Result<()> {
        self.raw(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> serde_json::Result<()> {
        self.integer(v);
        Ok(())
    }
    fn serialize_i16(self, v: i16) -> serde_json::Result<()> {
        self.integer(v);
        Ok(())
    }
    fn serialize_i32(self, v: i32) -> serde_json::Result<()> {
        self.integer(v);
        Ok(())
    }
    fn serialize_i64(self, v: i64) -> serde_json::Result<()> {
        self.integer(v);
        Ok(())
    }
    fn serialize_i128(self, v: i128) -> serde_json::Result<()> {
        self.integer(v);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> serde_json::Result<()> {
        self.integer(v);
        Ok(())
    }
    fn serialize_u16(self, v: u16) -> serde_json::Result<()> {
        self.integer(v);
        Ok(())
    }
    fn serialize_u32(self, v: u32) -> serde_json::Result<()> {
        self.integer(v);
        Ok(())
    }
    fn serialize_u64(self, v: u64) -> serde_json::Result<()> {
        self.integer(v);
        Ok(())
    }
    fn serialize_u128(self, v: u128) -> serde_json::Result<()> {
        self.integer(v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> serde_json::Result<()> {
        self.float(v)
    }
    fn serialize_f64(self, v: f64) -> serde_json::Result<()> {
        self.float(v)
    }
    fn serialize_char(self, v: char) -> serde_json::Result<()> {
        string(v.encode_utf8(&mut [0; 4]), self.out);
        Ok(())
    }
    fn serialize_str(self, v: &str) -> serde_json::Result<()> {
        string(v, self.out);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> serde_json::Result<()> {
        let mut seq = Compound::open(self, b'[', false);
        for b in v {
            seq.element(b)?;
        }
        seq.close(b']');
        Ok(())
    }
    fn serialize_none(self) -> serde_json::Result<()> {
        self.raw(b"null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> serde_json::Result<()> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> serde_json::Result<()> {
        self.raw(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> serde_json::Result<()> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> serde_json::Result<()> {
        string(variant, self.out);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> serde_json::Result<()> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> serde_json::Result<()> {
        self.open_variant(variant);
        value.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> serde_json::Result<Compound<'w, 'a>> {
        Ok(Compound::open(self, b'[', false))
    }
    fn serialize_tuple(self, _: usize) -> serde_json::Result<Compound<'w, 'a>> {
        Ok(Compound::open(self, b'[', false))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> serde_json::Result<Compound<'w, 'a>> {
        Ok(Compound::open(self, b'[', false))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> serde_json::Result<Compound<'w, 'a>> {
        Ok(Compound::variant(self, variant, b'['))
    }
    fn serialize_map(self, _: Option<usize>) -> serde_json::Result<Compound<'w, 'a>> {
        Ok(Compound::open(self, b'{', false))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> serde_json::Result<Compound<'w, 'a>> {
        Ok(Compound::open(self, b'{', false))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> serde_json::Result<Compound<'w, 'a>> {
        Ok(Compound::variant(self, variant, b'{'))
    }
    fn collect_str<T: std::fmt::Display + ?Sized>(self, value: &T) -> serde_json::Result<()> {
        string(&value.to_string(), self.out);
        Ok(())
    }
}

/// The four kinds of sequence serde tells apart are one to JSON: an array.
macro_rules! array {
    ($($kind:ident::$element:ident),*) => {$(
        impl ser::$kind for Compound<'_, '_> {
            type Ok = ();
            type Error = serde_json::Error;
            fn $element<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
                self.element(value)
            }
            fn end(self) -> serde_json::Result<()> {
                self.close(b']');
                Ok(())
            }
        }
    )*};
}
array!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = serde_json::Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> serde_json::Result<()> {
        self.comma();
        // A key is a string, or written as one (a number, a `bool`, a `char`, a unit
        // variant), as serde_json's keys are; anything else is serde_json's error.
        let text = key.serialize(serde_json::value::Serializer)?;
        match text {
            serde_json::Value::String(s) => string(&s, self.w.out),
            serde_json::Value::Number(n) => string(&n.to_string(), self.w.out),
            serde_json::Value::Bool(b) => string(if b { "true" } else { "false" }, self.w.out),
            _ => return Err(ser::Error::custom("key must be a string")),
        }
        self.w.out.push(b':');
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        value.serialize(&mut *self.w)
    }
    fn end(self) -> serde_json::Result<()> {
        self.close(b'}');
        Ok(())
    }
}

/// A struct and a struct variant's fields are one to JSON: an object's.
macro_rules! object {
    ($($kind:ident),*) => {$(
        impl ser::$kind for Compound<'_, '_> {
            type Ok = ();
            type Error = serde_json::Error;
            fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> serde_json::Result<()> {
                self.field(key, value)
            }
            fn end(self) -> serde_json::Result<()> {
                self.close(b'}');
                Ok(())
            }
        }
    )*};
}
object!(SerializeStruct, SerializeStructVariant);

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;

    use super::*;

    #[test]
    fn strings_escape_as_serde_escapes() {
        let mut pieces: Vec<String> = (0u8..0x80).map(|b| char::from(b).to_string()).collect();
        pieces.extend(["å", "”", "👨\u{200D}👩", "\u{2028}", "\u{E000}", "abcdefgh", "        "].map(String::from));
        let mut next = crate::testing::seeded(15);
        for _ in 0..3000 {
            let text: String = (0..next(40)).map(|_| pieces[next(pieces.len())].as_str()).collect();
            let mut out = Vec::new();
            string(&text, &mut out);
            assert_eq!(out, serde_json::to_vec(&text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn the_word_test_finds_the_first_byte_that_needs_escaping() {
        for b in 0u8..=255 {
            for at in 0..8 {
                let mut word = *b"abcdefgh";
                word[at] = b;
                let expected = b < 0x20 || b == b'"' || b == b'\\';
                let flags = escape_flags(u64::from_le_bytes(word));
                assert_eq!(flags != 0, expected, "{b:#x} at {at}");
                if expected {
                    assert_eq!(flags.trailing_zeros() / 8, at as u32, "{b:#x} at {at}");
                }
            }
        }
        // Neighbours must not borrow into or out of a byte: mixes of the bytes around the
        // thresholds.
        const BYTES: [u8; 14] = [0x00, 0x01, 0x1f, 0x20, 0x21, b'"', b'#', b'\\', b']', 0x7f, 0x80, 0x9f, 0xa0, 0xff];
        let mut seed: u64 = 20;
        for _ in 0..200_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let word: [u8; 8] = std::array::from_fn(|k| BYTES[usize::try_from((seed >> (k * 8)) % 14).unwrap_or(0)]);
            let first = word.iter().position(|&b| b < 0x20 || b == b'"' || b == b'\\');
            let flags = escape_flags(u64::from_le_bytes(word));
            assert_eq!((flags != 0).then(|| (flags.trailing_zeros() / 8) as usize), first, "{word:?}");
        }
    }

    #[derive(Serialize)]
    struct Unit;

    #[derive(Serialize)]
    struct Newtype(String);

    #[derive(Serialize)]
    struct Pair(u8, &'static str);

    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Plain,
        Wrapped(Vec<i64>),
        Two(bool, Option<char>),
        Named { at: &'static str, n: u128 },
    }

    #[derive(Serialize)]
    struct Inner {
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        text: String,
    }

    #[derive(Serialize)]
    struct Everything {
        t: bool,
        f: bool,
        small: i8,
        big: i128,
        unsigned: u64,
        float: f64,
        tiny: f32,
        nan: f64,
        c: char,
        none: Option<&'static str>,
        some: Option<&'static str>,
        unit: (),
        unit_struct: Unit,
        newtype: Newtype,
        pair: Pair,
        tuple: (u8, String),
        kinds: Vec<Kind>,
        empty: Vec<u8>,
        #[serde(with = "serde_bytes_as_seq")]
        bytes: Vec<u8>,
        by_name: BTreeMap<String, Inner>,
        by_number: BTreeMap<u32, bool>,
        by_bool: BTreeMap<bool, u8>,
        by_kind: BTreeMap<&'static str, Kind>,
        #[serde(flatten)]
        flat: BTreeMap<String, i32>,
        display: Shown,
        value: serde_json::Value,
    }

    /// Bytes through `serialize_bytes`, which serde_json writes as an array of numbers.
    mod serde_bytes_as_seq {
        pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(v)
        }
    }

    /// A value written with `collect_str`.
    struct Shown;
    impl Serialize for Shown {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_str(&format_args!("a \"shown\"\n{}", 42))
        }
    }

    fn everything() -> Everything {
        Everything {
            t: true,
            f: false,
            small: -128,
            big: -170_141_183_460_469_231_731_687_303_715_884_105_728,
            unsigned: u64::MAX,
            float: 0.1 + 0.2,
            tiny: 1e-7,
            nan: f64::NAN,
            c: '"',
            none: None,
            some: Some("snö\tväder"),
            unit: (),
            unit_struct: Unit,
            newtype: Newtype("ny\u{0}typ".into()),
            pair: Pair(7, "\\"),
            tuple: (0, String::new()),
            kinds: vec![
                Kind::Plain,
                Kind::Wrapped(vec![-1, 0, 1]),
                Kind::Wrapped(Vec::new()),
                Kind::Two(true, Some('å')),
                Kind::Named { at: "\u{1f}", n: u128::MAX },
            ],
            empty: Vec::new(),
            bytes: vec![0, 34, 255],
            by_name: [
                ("b\"".to_string(), Inner { skipped: None, text: "x".into() }),
                ("a".to_string(), Inner { skipped: Some(3), text: "\u{7f}".into() }),
            ]
            .into(),
            by_number: [(10, true), (2, false)].into(),
            by_bool: [(true, 1), (false, 0)].into(),
            by_kind: [("k", Kind::Plain)].into(),
            flat: [("flat\n".to_string(), -5)].into(),
            display: Shown,
            value: serde_json::json!({"z": [1, 2.5, null, "\u{8}"], "a": {"b": {}}}),
        }
    }

    #[test]
    fn every_kind_of_value_is_written_as_serde_json_writes_it() {
        let ours = to_vec(&everything()).unwrap();
        let theirs = serde_json::to_vec(&everything()).unwrap();
        assert_eq!(String::from_utf8(ours).unwrap(), String::from_utf8(theirs).unwrap());
        for value in [serde_json::json!(null), serde_json::json!([]), serde_json::json!({}), serde_json::json!("")] {
            assert_eq!(to_vec(&value).unwrap(), serde_json::to_vec(&value).unwrap());
        }
    }

    #[test]
    fn a_key_that_cannot_be_a_string_is_an_error_as_in_serde_json() {
        let by_list: BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into();
        assert!(serde_json::to_vec(&by_list).is_err());
        assert!(to_vec(&by_list).is_err());
    }
}
