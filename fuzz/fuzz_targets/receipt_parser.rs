//! The receipt parser on arbitrary OCR output: it must never panic, and what it returns must be
//! well-formed (a confidence in 0..=1, positive item amounts, a positive total).
#![no_main]

use libfuzzer_sys::fuzz_target;
fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let receipt = mita::ocr::parser::parse(&text);
    assert!((0.0..=1.0).contains(&receipt.confidence));
    assert!(receipt.items.iter().all(|i| i.amount.cents() > 0));
    if let Some(total) = receipt.amount {
        assert!(total.cents() > 0);
    }
});
