//! Writes a frame as an Arrow IPC file whose record batches are encoded and compressed on
//! every core.
//!
//! polars' writer encodes a frame as one record batch and compresses its buffers one after
//! the other. Here the frame is cut into batches of about [`BATCH_BYTES`] (as pyarrow cuts
//! its files into batches of 64K rows), threads encode them with polars' own encoder, and
//! the calling thread writes each in order as soon as it is ready, while the threads go on
//! with the next ones: the file holds the same schema, buffers and compression, in more
//! batches, and no more than [`Window`] batches are encoded ahead of the writer.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex};

use polars::prelude::{CompatLevel, DataFrame, IpcWriter, SchemaExt, SerWriter};
use polars_arrow::io::ipc::write::{
    default_ipc_fields, encode_record_batch, Compression, EncodedData, WriteOptions,
};
use polars_arrow::io::ipc::IpcField;

use crate::error::ErrorKind;

/// About how many bytes of column data go into one record batch. Batches of this size keep
/// every core busy on frames from a few MiB, and the file does not depend on the machine.
const BATCH_BYTES: usize = 4 << 20;

/// Writes `frame` with `writer`'s compression, encoding its batches in parallel, or hands it
/// to polars' own writer where that is as fast (no compression, or a frame of one batch) or
/// where batches depend on each other (dictionary-encoded columns, whose dictionaries the
/// writer tracks from batch to batch).
pub(super) fn write<W: Write>(
    mut writer: IpcWriter<W>,
    compression: Option<Compression>,
    frame: &mut DataFrame,
) -> Result<(), ErrorKind> {
    let rows = rows_per_batch(frame);
    let fields = default_ipc_fields(frame.schema().to_arrow(CompatLevel::newest()).iter_values());
    if compression.is_none() || rows >= frame.height() || fields.iter().any(has_dictionary) {
        return writer.finish(frame).map_err(ErrorKind::Polars);
    }
    frame.align_chunks_par();
    let mut file = writer
        .batched(frame.schema(), fields)
        .map_err(ErrorKind::Polars)?;
    let options = WriteOptions { compression };
    let offsets: Vec<usize> = (0..frame.height()).step_by(rows).collect();
    let threads = rayon::current_num_threads().clamp(1, offsets.len());
    let window = Window::new(threads * 2);
    let next = AtomicUsize::new(0);
    let (sender, receiver) = mpsc::channel();
    let frame = &*frame;
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let sender = sender.clone();
            let (window, next, offsets, options) = (&window, &next, &offsets, &options);
            scope.spawn(move || {
                // A panic here must not leave the other threads waiting for this batch.
                let _release = window.release_on_panic();
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&offset) = offsets.get(index) else {
                        break;
                    };
                    if !window.wait_for(index) {
                        break;
                    }
                    let encoded = encode(&frame.slice(offset as i64, rows), options);
                    if sender.send((index, encoded)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        // The batches in order, each as soon as it and those before it are encoded.
        let written = (|| {
            let mut ready = BTreeMap::new();
            let mut written = 0;
            for (index, encoded) in &receiver {
                ready.insert(index, encoded);
                while let Some(encoded) = ready.remove(&written) {
                    for message in &encoded {
                        file.write_encoded(&[], message)?;
                    }
                    written += 1;
                    window.advance(written);
                }
            }
            Ok(())
        })();
        window.close();
        written
    })
    .map_err(ErrorKind::Polars)?;
    file.finish().map_err(ErrorKind::Polars)
}

/// Rows per batch: [`BATCH_BYTES`] of the frame's estimated size, at least one row.
fn rows_per_batch(frame: &DataFrame) -> usize {
    let row_bytes = frame.estimated_size() / frame.height().max(1);
    (BATCH_BYTES / row_bytes.max(1)).max(1)
}

/// The record batches of `slice` (one per chunk it spans), encoded and compressed.
fn encode(slice: &DataFrame, options: &WriteOptions) -> Vec<EncodedData> {
    // Room for the buffers as they are: compressed, they rarely need more.
    let capacity = slice.estimated_size() + 4096;
    slice
        .iter_chunks(CompatLevel::newest(), false)
        .map(|batch| {
            let mut encoded = EncodedData {
                ipc_message: Vec::new(),
                arrow_data: Vec::with_capacity(capacity),
            };
            encode_record_batch(&batch, options, &mut encoded);
            encoded
        })
        .collect()
}

fn has_dictionary(field: &IpcField) -> bool {
    field.dictionary_id.is_some() || field.fields.iter().any(has_dictionary)
}

/// How far the encoding threads may run ahead of the writer: batch `index` is started only
/// once fewer than `size` batches before it wait to be written.
struct Window {
    size: usize,
    /// How many batches are written, and whether the write ended (so nobody waits).
    state: Mutex<(usize, bool)>,
    moved: Condvar,
}

impl Window {
    fn new(size: usize) -> Self {
        Window {
            size,
            state: Mutex::new((0, false)),
            moved: Condvar::new(),
        }
    }

    /// Waits until batch `index` may be encoded; `false` when the write has ended.
    fn wait_for(&self, index: usize) -> bool {
        let Ok(state) = self.state.lock() else {
            return false;
        };
        let state = self.moved.wait_while(state, |(written, closed)| {
            !*closed && index >= *written + self.size
        });
        state.is_ok_and(|state| !state.1)
    }

    fn advance(&self, written: usize) {
        if let Ok(mut state) = self.state.lock() {
            state.0 = written;
        }
        self.moved.notify_all();
    }

    fn close(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.1 = true;
        }
        self.moved.notify_all();
    }

    /// Closes the window when dropped during a panic.
    fn release_on_panic(&self) -> impl Drop + '_ {
        struct Release<'a>(&'a Window);
        impl Drop for Release<'_> {
            fn drop(&mut self) {
                if std::thread::panicking() {
                    self.0.close();
                }
            }
        }
        Release(self)
    }
}
