//! What the public summary needs about crawled sources that the figures do not carry.

use crate::{Error, Result};
use std::path::Path;

/// The first and last `date` (WARC-Date, ISO 8601, so text order is time order) of the kept
/// documents of the `crawled` sources; `None` when there are none or none has a date.
pub fn period(dir: &Path, crawled: &[&str]) -> Result<Option<(String, String)>> {
    if crawled.is_empty() {
        return Ok(None);
    }
    let out = dir.join("output");
    let paths = zeef_core::list_shards(&out).map_err(|e| Error::Format {
        path: out.clone(),
        message: e.to_string(),
    })?;
    let mut span: Option<(String, String)> = None;
    crate::figures::for_each_document(&paths, |d| {
        let Some(date) = d.date.as_deref() else {
            return Ok(());
        };
        if !crawled.contains(&d.source.as_str()) {
            return Ok(());
        }
        match &mut span {
            None => span = Some((date.to_string(), date.to_string())),
            Some((first, last)) => {
                if date < first.as_str() {
                    *first = date.to_string();
                }
                if date > last.as_str() {
                    *last = date.to_string();
                }
            }
        }
        Ok(())
    })?;
    Ok(span)
}
