//! Receipt images: the type is told by the bytes (never by the file name or the declared
//! content type), and files are written atomically under the image directory with `tokio::fs`.

use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};
use crate::id::Id;

/// An accepted image type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageType {
    Jpeg,
    Png,
    Webp,
    Heic,
}

impl ImageType {
    /// The MIME type stored with the job and sent back when the image is fetched.
    pub fn mime(self) -> &'static str {
        match self {
            ImageType::Jpeg => "image/jpeg",
            ImageType::Png => "image/png",
            ImageType::Webp => "image/webp",
            ImageType::Heic => "image/heic",
        }
    }

    /// The file extension used on disk.
    pub fn extension(self) -> &'static str {
        match self {
            ImageType::Jpeg => "jpg",
            ImageType::Png => "png",
            ImageType::Webp => "webp",
            ImageType::Heic => "heic",
        }
    }
}

/// Tells the image type from the first bytes (magic numbers); `None` for anything else.
pub fn sniff(bytes: &[u8]) -> Option<ImageType> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(ImageType::Jpeg);
    }
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Some(ImageType::Png);
    }
    if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some(ImageType::Webp);
    }
    // ISO base media: a box of type `ftyp` whose major brand names a HEIF image.
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        const BRANDS: [&[u8; 4]; 7] = [
            b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1",
        ];
        let brand = &bytes[8..12];
        if BRANDS.iter().any(|b| brand == *b) || brand == b"msf1" {
            return Some(ImageType::Heic);
        }
    }
    None
}

/// Width and height from the image's header (JPEG, PNG, WebP, HEIC), without decoding it;
/// `None` when the header does not hold together.
pub fn dimensions(bytes: &[u8]) -> Option<(u64, u64)> {
    let size = imagesize::blob_size(bytes).ok()?;
    let (w, h) = (
        u64::try_from(size.width).ok()?,
        u64::try_from(size.height).ok()?,
    );
    (w > 0 && h > 0).then_some((w, h))
}

/// Where the images live. Paths stored in the database are relative to this directory, so it
/// can move (and be shared by every instance, e.g. a network volume).
#[derive(Clone, Debug)]
pub struct ImageStore {
    dir: PathBuf,
}

impl ImageStore {
    pub fn new(dir: PathBuf) -> Self {
        ImageStore { dir }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The stored (relative) name of a job's image.
    pub fn relative_name(job: Id, kind: ImageType) -> String {
        format!("{job}.{}", kind.extension())
    }

    /// The absolute path of a stored name; refuses names that would leave the directory.
    pub fn path_of(&self, relative: &str) -> Result<PathBuf> {
        let rel = Path::new(relative);
        let plain = rel.components().all(|c| matches!(c, Component::Normal(_)));
        if !plain || relative.is_empty() {
            return Err(Error::Internal(
                "an OCR job's image path is not a plain relative name".into(),
            ));
        }
        Ok(self.dir.join(rel))
    }

    /// Writes the image (to a temporary name, then renamed, so a reader never sees half a file).
    pub async fn save(&self, relative: &str, bytes: &[u8]) -> Result<()> {
        let path = self.path_of(relative)?;
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(|e| io_error("create the image directory", &e))?;
        let tmp = path.with_extension("part");
        tokio::fs::write(&tmp, bytes)
            .await
            .map_err(|e| io_error("write a receipt image", &e))?;
        let file = tokio::fs::File::open(&tmp)
            .await
            .map_err(|e| io_error("reopen a receipt image", &e))?;
        // The job row is committed after this returns: the image must be on disk first.
        file.sync_all()
            .await
            .map_err(|e| io_error("sync a receipt image", &e))?;
        tokio::fs::rename(&tmp, &path)
            .await
            .map_err(|e| io_error("rename a receipt image", &e))
    }

    /// Reads an image; `Ok(None)` when the file does not exist.
    pub async fn read(&self, relative: &str) -> Result<Option<Vec<u8>>> {
        match tokio::fs::read(self.path_of(relative)?).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error("read a receipt image", &e)),
        }
    }

    /// Removes an image (a file already gone is fine).
    pub async fn remove(&self, relative: &str) -> Result<()> {
        match tokio::fs::remove_file(self.path_of(relative)?).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_error("remove a receipt image", &e)),
        }
    }
}

fn io_error(what: &str, e: &std::io::Error) -> Error {
    Error::Internal(format!("cannot {what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_types_are_told_by_their_bytes() {
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]),
            Some(ImageType::Jpeg)
        );
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some(ImageType::Png)
        );
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some(ImageType::Webp));
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Some(ImageType::Heic));
        assert_eq!(sniff(b"\0\0\0\x18ftypmif1\0\0\0\0"), Some(ImageType::Heic));
        assert_eq!(sniff(b"\0\0\0\x18ftypisom\0\0\0\0"), None, "an MP4 video");
        assert_eq!(sniff(b"%PDF-1.7"), None);
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVE"), None);
    }

    #[test]
    fn stored_names_cannot_escape_the_directory() {
        let store = ImageStore::new(PathBuf::from("/data/receipts"));
        assert!(store.path_of("../etc/passwd").is_err());
        assert!(store.path_of("/etc/passwd").is_err());
        assert!(store.path_of("").is_err());
        assert_eq!(
            store.path_of("x.png").unwrap(),
            PathBuf::from("/data/receipts/x.png")
        );
    }
}
