//! zeef's pretraining stage: a byte-level BPE tokenizer trained on a run's output, token
//! shards in llm.c's `.bin` layout with a document index and a manifest that ties every token
//! range to its document, source, rights holder and agreement, and a small GPT trained on
//! them with candle, on CPU or (with the `cuda` feature) an NVIDIA GPU.
#![warn(missing_docs)]

pub mod format;
pub mod kernels;
pub mod megatron;
pub mod model;
pub mod tokenize;
pub mod train;

pub use tokenize::{HeldOut, TokenizeOptions, TokensSummary};
pub use train::{train, Metrics, TrainConfig, TrainOptions};
