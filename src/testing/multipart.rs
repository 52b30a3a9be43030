//! `multipart/form-data` request bodies, built part by part (RFC 7578), for the upload tests.

/// A form under construction; [`Form::finish`] gives the content type and the body.
pub struct Form {
    boundary: &'static str,
    body: Vec<u8>,
}

impl Default for Form {
    fn default() -> Self {
        Form {
            boundary: "mita-test-boundary-7d3f",
            body: Vec::new(),
        }
    }
}

impl Form {
    pub fn new() -> Form {
        Form::default()
    }

    /// A text field.
    pub fn text(mut self, name: &str, value: &str) -> Form {
        let b = self.boundary;
        let head = format!("--{b}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n");
        self.body.extend_from_slice(head.as_bytes());
        self.body.extend_from_slice(value.as_bytes());
        self.body.extend_from_slice(b"\r\n");
        self
    }

    /// A file field.
    pub fn file(mut self, name: &str, file_name: &str, mime: &str, bytes: &[u8]) -> Form {
        let b = self.boundary;
        let head = format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {mime}\r\n\r\n"
        );
        self.body.extend_from_slice(head.as_bytes());
        self.body.extend_from_slice(bytes);
        self.body.extend_from_slice(b"\r\n");
        self
    }

    /// `(content type, body)`.
    pub fn finish(mut self) -> (String, Vec<u8>) {
        let b = self.boundary;
        self.body
            .extend_from_slice(format!("--{b}--\r\n").as_bytes());
        (format!("multipart/form-data; boundary={b}"), self.body)
    }
}

/// A form with one file field.
pub fn one_file(field: &str, file_name: &str, mime: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    Form::new().file(field, file_name, mime, bytes).finish()
}
