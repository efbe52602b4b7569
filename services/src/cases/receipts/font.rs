//! The receipt's typeface: DejaVu Sans, embedded in the binary (`services/fonts/`, with its
//! licence) and in each PDF as a subset of the glyphs used, so every name prints as typed
//! (Latin, Greek, Cyrillic, Hebrew, Arabic…) whatever fonts the reader's machine has.
//!
//! Each distinct character gets its own CID in order of first use; the PDF maps CIDs to the
//! subset's glyphs (`CIDToGIDMap`) and back to Unicode (`ToUnicode`), so text copied or
//! extracted from the receipt is the text that was written, even for a character the font
//! has no glyph for.

use std::collections::HashMap;
use std::fmt::Write as _;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, dictionary};
use ttf_parser::{Face, GlyphId};

use crate::error::{ServiceError, ServiceResult};

static REGULAR: &[u8] = include_bytes!("../../../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../../fonts/DejaVuSans-Bold.ttf");

/// One typeface of a receipt, recording the characters written with it.
pub struct Font {
    face: Face<'static>,
    data: &'static [u8],
    /// The PDF name of the subset (a six-letter tag, `+`, the font's name).
    name: &'static str,
    /// Characters in order of first use with their glyph: CID `i + 1` is `used[i]`.
    used: Vec<(char, GlyphId)>,
    cids: HashMap<char, u16>,
}

impl Font {
    pub fn regular() -> Self {
        Font::new(REGULAR, "CASIAR+DejaVuSans")
    }

    pub fn bold() -> Self {
        Font::new(BOLD, "CASIAB+DejaVuSans-Bold")
    }

    fn new(data: &'static [u8], name: &'static str) -> Self {
        Font {
            // The bytes are part of the binary; `fonts_parse_and_cover_the_names` tests them.
            face: Face::parse(data, 0).expect("the embedded font parses"),
            data,
            name,
            used: Vec::new(),
            cids: HashMap::new(),
        }
    }

    #[cfg(test)]
    /// Whether the typeface draws `c` (otherwise it shows as a box, though it is still
    /// extracted as `c`).
    pub fn covers(&self, c: char) -> bool {
        self.face.glyph_index(c).is_some()
    }

    fn advance(&self, c: char) -> f32 {
        let glyph = self.face.glyph_index(c).unwrap_or(GlyphId(0));
        let units = self.face.glyph_hor_advance(glyph).unwrap_or(0);
        f32::from(units) / f32::from(self.face.units_per_em())
    }

    /// Width of `text` at `size` points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(c)).sum::<f32>() * size
    }

    /// `text` as the two-byte codes of a `Tj` string (control characters as spaces).
    pub fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let c = if c.is_control() { ' ' } else { c };
            let cid = match self.cids.get(&c) {
                Some(cid) => *cid,
                None => {
                    let glyph = self.face.glyph_index(c).unwrap_or(GlyphId(0));
                    self.used.push((c, glyph));
                    let cid = self.used.len() as u16;
                    self.cids.insert(c, cid);
                    cid
                }
            };
            out.extend_from_slice(&cid.to_be_bytes());
        }
        out
    }

    /// Writes the font (Type0 / CIDFontType2 with the subset) into `doc`.
    pub fn embed(&self, doc: &mut Document) -> ServiceResult<ObjectId> {
        let mut remapper = subsetter::GlyphRemapper::new();
        remapper.remap(0);
        let glyphs: Vec<u16> = self.used.iter().map(|(_, g)| remapper.remap(g.0)).collect();
        let subset = subsetter::subset(self.data, 0, &remapper)
            .map_err(|e| ServiceError::Internal(format!("font subset: {e}")))?;
        let scale = |v: i16| i64::from(v) * 1000 / i64::from(self.face.units_per_em());
        let file = doc.add_object(Stream::new(
            dictionary! { "Length1" => subset.len() as i64 },
            subset,
        ));
        let b = self.face.global_bounding_box();
        let descriptor = doc.add_object(dictionary! {
            "Type" => "FontDescriptor",
            "FontName" => Object::Name(self.name.into()),
            "Flags" => 32,
            "FontBBox" => vec![scale(b.x_min).into(), scale(b.y_min).into(), scale(b.x_max).into(), scale(b.y_max).into()],
            "ItalicAngle" => 0,
            "Ascent" => scale(self.face.ascender()),
            "Descent" => scale(self.face.descender()),
            "CapHeight" => scale(self.face.capital_height().unwrap_or(self.face.ascender())),
            "StemV" => 80,
            "FontFile2" => file,
        });
        let mut map = vec![0u8, 0];
        for g in &glyphs {
            map.extend_from_slice(&g.to_be_bytes());
        }
        let cid_to_gid = doc.add_object(Stream::new(Dictionary::new(), map));
        let widths: Vec<Object> = self
            .used
            .iter()
            .map(|(c, _)| Object::Integer((self.advance(*c) * 1000.0).round() as i64))
            .collect();
        let cid_font = doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "CIDFontType2",
            "BaseFont" => Object::Name(self.name.into()),
            "CIDSystemInfo" => dictionary! {
                "Registry" => Object::string_literal("Adobe"),
                "Ordering" => Object::string_literal("Identity"),
                "Supplement" => 0,
            },
            "FontDescriptor" => descriptor,
            "W" => vec![1.into(), Object::Array(widths)],
            "CIDToGIDMap" => cid_to_gid,
        });
        let to_unicode = doc.add_object(Stream::new(Dictionary::new(), self.to_unicode()));
        Ok(doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type0",
            "BaseFont" => Object::Name(self.name.into()),
            "Encoding" => "Identity-H",
            "DescendantFonts" => vec![cid_font.into()],
            "ToUnicode" => to_unicode,
        }))
    }

    /// The CMap from each CID back to its character (UTF-16BE).
    fn to_unicode(&self) -> Vec<u8> {
        let mut s = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
             /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
             1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
        );
        for (block, chunk) in self.used.chunks(100).enumerate() {
            let _ = writeln!(s, "{} beginbfchar", chunk.len());
            for (i, (c, _)) in chunk.iter().enumerate() {
                let cid = block * 100 + i + 1;
                let mut units = [0u16; 2];
                let hex: String = c
                    .encode_utf16(&mut units)
                    .iter()
                    .map(|u| format!("{u:04X}"))
                    .collect();
                let _ = writeln!(s, "<{cid:04X}> <{hex}>");
            }
            s.push_str("endbfchar\n");
        }
        s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        s.into_bytes()
    }
}

/// Splits `text` into lines no wider than `width` points at `size`, at spaces; a word wider
/// than a line is broken between characters, so nothing is ever cut off.
pub fn wrap(font: &Font, size: f32, text: &str, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let fits = |s: &str| font.width(s, size) <= width;
    for word in text.split_whitespace() {
        let joined = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if fits(&joined) {
            line = joined;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            line.push(c);
            if !fits(&line) && line.chars().count() > 1 {
                line.pop();
                lines.push(std::mem::replace(&mut line, c.to_string()));
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}
