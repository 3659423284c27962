//! Cleaning while decoding: a serde `Deserializer` wrapper that passes every string (map keys
//! included) through [`super::clean`] on its way into the target type.
//!
//! Why not parse into a `serde_json::Value`, clean it and convert? That was the first design,
//! and it held every response twice: a page of 500 case summaries became a ~5 MB tree for a
//! ~0.5 MB body, and with 10,000 cases the trees alone pushed the client past its memory
//! budget (docs/benchmarks.md). This wrapper decodes straight into the typed value, so the
//! only transient is the body itself. The structure follows `serde_path_to_error`: wrap the
//! deserializer, wrap each visitor it is handed, and wrap whatever the visitor is given to
//! walk into (sequences, maps, enums, options), so no nested string escapes.

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Visitor};
use std::fmt;

use super::{clean, needs_cleaning};

/// A deserializer whose strings come out clean.
pub struct Cleaning<D>(pub D);

/// Forward `deserialize_*` methods that take only a visitor.
macro_rules! forward {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            self.0.$method(CleanVisitor(visitor))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Cleaning<D> {
    type Error = D::Error;

    forward! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
        deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
        deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf
        deserialize_option deserialize_unit deserialize_seq deserialize_map
        deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, CleanVisitor(visitor))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0
            .deserialize_newtype_struct(name, CleanVisitor(visitor))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, CleanVisitor(visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0
            .deserialize_tuple_struct(name, len, CleanVisitor(visitor))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0
            .deserialize_struct(name, fields, CleanVisitor(visitor))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0
            .deserialize_enum(name, variants, CleanVisitor(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// Hands the inner visitor clean strings, and wrapped access to anything nested.
struct CleanVisitor<V>(V);

/// Forward `visit_*` methods for values that hold no text.
macro_rules! forward_plain {
    ($($method:ident: $ty:ty)*) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
            self.0.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for CleanVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    forward_plain! {
        visit_bool: bool visit_i8: i8 visit_i16: i16 visit_i32: i32 visit_i64: i64
        visit_i128: i128 visit_u8: u8 visit_u16: u16 visit_u32: u32 visit_u64: u64
        visit_u128: u128 visit_f32: f32 visit_f64: f64
    }

    fn visit_char<E: de::Error>(self, c: char) -> Result<Self::Value, E> {
        let mut buf = [0; 4];
        self.visit_str(c.encode_utf8(&mut buf))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        if needs_cleaning(s) {
            self.0.visit_string(clean(s))
        } else {
            self.0.visit_str(s)
        }
    }

    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
        if needs_cleaning(s) {
            self.0.visit_string(clean(s))
        } else {
            self.0.visit_borrowed_str(s)
        }
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
        if needs_cleaning(&s) {
            self.0.visit_string(clean(&s))
        } else {
            self.0.visit_string(s)
        }
    }

    // Bytes that are text are cleaned as text: a visitor may well turn them into a String.
    fn visit_bytes<E: de::Error>(self, b: &[u8]) -> Result<Self::Value, E> {
        match std::str::from_utf8(b) {
            Ok(s) if needs_cleaning(s) => self.0.visit_byte_buf(clean(s).into_bytes()),
            _ => self.0.visit_bytes(b),
        }
    }

    fn visit_borrowed_bytes<E: de::Error>(self, b: &'de [u8]) -> Result<Self::Value, E> {
        match std::str::from_utf8(b) {
            Ok(s) if needs_cleaning(s) => self.0.visit_byte_buf(clean(s).into_bytes()),
            _ => self.0.visit_borrowed_bytes(b),
        }
    }

    fn visit_byte_buf<E: de::Error>(self, b: Vec<u8>) -> Result<Self::Value, E> {
        match std::str::from_utf8(&b) {
            Ok(s) if needs_cleaning(s) => self.0.visit_byte_buf(clean(s).into_bytes()),
            _ => self.0.visit_byte_buf(b),
        }
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.visit_some(Cleaning(d))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_unit()
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.visit_newtype_struct(Cleaning(d))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.0.visit_seq(Cleaning(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.visit_map(Cleaning(map))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        self.0.visit_enum(Cleaning(data))
    }
}

/// Wraps the deserializer a seed is given, so elements, keys and values are cleaned too.
struct CleanSeed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for CleanSeed<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(Cleaning(d))
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Cleaning<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(CleanSeed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Cleaning<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(CleanSeed(seed))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.0.next_value_seed(CleanSeed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Cleaning<A> {
    type Error = A::Error;
    type Variant = Cleaning<A::Variant>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), A::Error> {
        let (value, variant) = self.0.variant_seed(CleanSeed(seed))?;
        Ok((value, Cleaning(variant)))
    }
}

impl<'de, A: de::VariantAccess<'de>> de::VariantAccess<'de> for Cleaning<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(CleanSeed(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, CleanVisitor(visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.struct_variant(fields, CleanVisitor(visitor))
    }
}

#[cfg(test)]
mod tests {
    use crate::sanitize::{clean_json, decode};
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum Shape {
        Plain,
        Named(String),
        Pair(String, u8),
        Block { text: String },
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Nested {
        title: String,
        maybe: Option<String>,
        list: Vec<String>,
        map: BTreeMap<String, String>,
        shapes: Vec<Shape>,
        wrapped: Wrapped,
        #[serde(flatten)]
        rest: BTreeMap<String, serde_json::Value>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Wrapped(String);

    #[test]
    fn every_string_in_a_typed_value_is_cleaned_wherever_it_sits() {
        let e = "\\u001b[2J";
        let body = format!(
            r#"{{"title":"a{e}b","maybe":"c{e}","list":["\u202ed"],
                "map":{{"k{e}":"v\u0007"}},
                "shapes":["plain",{{"named":"n{e}"}},{{"pair":["p{e}",3]}},{{"block":{{"text":"t\u009b1m"}}}}],
                "wrapped":"w{e}","extra":{{"deep":["x{e}"]}}}}"#
        );
        let got: Nested = decode(body.as_bytes()).expect("decodes");
        assert_eq!(got.title, "ab");
        assert_eq!(got.maybe.as_deref(), Some("c"));
        assert_eq!(got.list, ["d"]);
        assert_eq!(got.map.get("k").map(String::as_str), Some("v"));
        assert_eq!(
            got.shapes,
            [
                Shape::Plain,
                Shape::Named("n".into()),
                Shape::Pair("p".into(), 3),
                Shape::Block { text: "t".into() }
            ]
        );
        assert_eq!(got.wrapped, Wrapped("w".into()));
        assert_eq!(got.rest["extra"]["deep"][0], "x");
    }

    #[test]
    fn decoding_agrees_with_cleaning_a_parsed_tree() {
        let body = br#"{"a":"x\u001b[31my","b":["\u202eq",{"c":"\tz\r\n"}],"n":1.5,"t":true}"#;
        let mut tree: serde_json::Value = serde_json::from_slice(body).expect("json");
        clean_json(&mut tree);
        let streamed: serde_json::Value = decode(body).expect("decodes");
        assert_eq!(streamed, tree);
    }

    #[test]
    fn trailing_garbage_is_still_an_error() {
        assert!(decode::<serde_json::Value>(br#"{"a":1} x"#).is_err());
        assert!(decode::<Vec<String>>(br#"["a", 1]"#).is_err());
    }
}
