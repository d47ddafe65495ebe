//! What the public summary needs about crawled sources that the figures do not carry.

use crate::{Error, Result};
use polars::prelude::*;
use std::path::Path;

fn pe(e: PolarsError) -> Error {
    Error::Polars(e.to_string())
}

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
    let frames = paths
        .iter()
        .map(|p| {
            LazyFrame::scan_parquet(
                PlRefPath::new(p.to_string_lossy().as_ref()),
                ScanArgsParquet::default(),
            )
        })
        .collect::<PolarsResult<Vec<_>>>()
        .map_err(pe)?;
    if frames.is_empty() {
        return Ok(None);
    }
    let is_crawled = crawled
        .iter()
        .map(|n| col("source").eq(lit(*n)))
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(false));
    let df = concat(frames, UnionArgs::default())
        .and_then(|lf| {
            lf.filter(is_crawled.and(col("date").is_not_null()))
                .select([
                    col("date").min().alias("first"),
                    col("date").max().alias("last"),
                ])
                .collect()
        })
        .map_err(pe)?;
    let get = |name: &str| -> Result<Option<String>> {
        let c = df.column(name).and_then(|c| c.str()).map_err(pe)?;
        Ok(c.get(0).map(str::to_string))
    };
    Ok(match (get("first")?, get("last")?) {
        (Some(a), Some(b)) => Some((a, b)),
        _ => None,
    })
}
