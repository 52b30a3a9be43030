//! Receipt images for tests: text drawn with a built-in 5×7 bitmap font (scaled up, black on
//! white, big enough for Tesseract to read reliably) and encoded as an uncompressed PNG. No image
//! crate, no font file: the test ships its own glyphs.

/// Glyph rows, 5 columns each (bit 4 is the left column). Unknown characters draw as blanks.
fn glyph(c: char) -> [u8; 7] {
    const fn g(rows: [u8; 7]) -> [u8; 7] {
        rows
    }
    match c.to_ascii_uppercase() {
        'A' => g([0x04, 0x0A, 0x11, 0x11, 0x1F, 0x11, 0x11]),
        'B' => g([0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E]),
        'C' => g([0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E]),
        'D' => g([0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C]),
        'E' => g([0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F]),
        'F' => g([0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10]),
        'G' => g([0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F]),
        'H' => g([0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11]),
        'I' => g([0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E]),
        'J' => g([0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C]),
        'K' => g([0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11]),
        'L' => g([0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F]),
        'M' => g([0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11]),
        'N' => g([0x11, 0x19, 0x19, 0x15, 0x13, 0x13, 0x11]),
        'O' => g([0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E]),
        'P' => g([0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10]),
        'Q' => g([0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D]),
        'R' => g([0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11]),
        'S' => g([0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E]),
        'T' => g([0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04]),
        'U' => g([0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E]),
        'V' => g([0x11, 0x11, 0x11, 0x11, 0x0A, 0x0A, 0x04]),
        'W' => g([0x11, 0x11, 0x11, 0x15, 0x15, 0x1B, 0x11]),
        'X' => g([0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11]),
        'Y' => g([0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04]),
        'Z' => g([0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F]),
        '0' => g([0x0C, 0x12, 0x12, 0x12, 0x12, 0x12, 0x0C]),
        '1' => g([0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E]),
        '2' => g([0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F]),
        '3' => g([0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E]),
        '4' => g([0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02]),
        '5' => g([0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E]),
        '6' => g([0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E]),
        '7' => g([0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08]),
        '8' => g([0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E]),
        '9' => g([0x0E, 0x11, 0x11, 0x0F, 0x01, 0x11, 0x0E]),
        '.' => g([0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C]),
        ',' => g([0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08]),
        '$' => g([0x04, 0x0F, 0x14, 0x0E, 0x05, 0x1E, 0x04]),
        ':' => g([0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00]),
        '/' => g([0x01, 0x01, 0x02, 0x04, 0x08, 0x10, 0x10]),
        '-' => g([0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00]),
        '\'' => g([0x0C, 0x04, 0x08, 0x00, 0x00, 0x00, 0x00]),
        '#' => g([0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A]),
        '&' => g([0x0C, 0x12, 0x14, 0x08, 0x15, 0x12, 0x0D]),
        '%' => g([0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03]),
        _ => [0; 7],
    }
}

/// Pixels per font dot (3, with the blur, is what Tesseract 5 reads best: larger blocky glyphs
/// read worse).
const SCALE: usize = 3;
const MARGIN: usize = 40;
/// Font dots between characters and between lines.
const CHAR_GAP: usize = 1;
const LINE_GAP: usize = 5;

/// The receipt the tests draw and the Vision fake reads (Tesseract reads it exactly).
pub const RECEIPT: &[&str] = &[
    "CORNER MARKET",
    "2026-03-14 12:31",
    "BANANAS 1.19",
    "ORGANIC MILK 4.99",
    "SOURDOUGH BREAD 3.49",
    "SUBTOTAL 9.67",
    "TAX 0.48",
    "TOTAL 10.15",
    "VISA 10.15",
];

/// A grayscale PNG of `lines` (black text on white).
pub fn receipt_png(lines: &[&str]) -> Vec<u8> {
    render(lines, SCALE)
}

fn render(lines: &[&str], scale: usize) -> Vec<u8> {
    let cols = lines
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(1)
        .max(1);
    let width = 2 * MARGIN + cols * (5 + CHAR_GAP) * scale;
    let height = 2 * MARGIN + lines.len().max(1) * (7 + LINE_GAP) * scale;
    let mut pixels = vec![255u8; width * height];
    for (row, line) in lines.iter().enumerate() {
        for (col, c) in line.chars().enumerate() {
            let x0 = MARGIN + col * (5 + CHAR_GAP) * scale;
            let y0 = MARGIN + row * (7 + LINE_GAP) * scale;
            for (gy, bits) in glyph(c).iter().enumerate() {
                for gx in 0..5 {
                    if bits & (0x10 >> gx) == 0 {
                        continue;
                    }
                    for dy in 0..scale {
                        let y = y0 + gy * scale + dy;
                        let start = y * width + x0 + gx * scale;
                        pixels[start..start + scale].fill(0);
                    }
                }
            }
        }
    }
    encode_png(width, height, &blur(&pixels, width, height))
}

/// A 3×3 box blur: soft edges, like a photographed or scanned print.
fn blur(pixels: &[u8], width: usize, height: usize) -> Vec<u8> {
    let mut out = pixels.to_vec();
    for y in 1..height.saturating_sub(1) {
        for x in 1..width.saturating_sub(1) {
            let mut sum = 0u32;
            for dy in 0..3 {
                for dx in 0..3 {
                    sum += u32::from(pixels[(y + dy - 1) * width + x + dx - 1]);
                }
            }
            out[y * width + x] = (sum / 9) as u8;
        }
    }
    out
}

/// An 8-bit grayscale PNG with zlib "stored" (uncompressed) blocks.
pub fn encode_png(width: usize, height: usize, pixels: &[u8]) -> Vec<u8> {
    let mut raw = Vec::with_capacity((width + 1) * height);
    for row in pixels.chunks(width) {
        raw.push(0); // filter: none
        raw.extend_from_slice(row);
    }
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        zlib.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        zlib.extend_from_slice(&len.to_le_bytes());
        zlib.extend_from_slice(&(!len).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    zlib.extend_from_slice(&adler32(&raw).to_be_bytes());

    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&(width as u32).to_be_bytes());
    ihdr.extend_from_slice(&(height as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit grayscale, deflate, no interlace
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &zlib);
    chunk(&mut png, b"IEND", &[]);
    png
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in bytes {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_match_known_values() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
    }

    #[test]
    fn the_image_is_a_png() {
        let png = receipt_png(&["TOTAL 5.99"]);
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert_eq!(crate::ocr::sniff(&png), Some(crate::ocr::ImageType::Png));
    }
}
