//! The threads behind a [`super::TableReader`]: a splitter thread that hashes the input and
//! cuts it into blocks of whole records, and decoding threads that decode blocks
//! independently. Results come back keyed by stream position; the reader puts them in order.

use std::collections::BTreeMap;
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};

use super::decode::{decode_block, BlockOut, Plan};
use super::split::{Block, Pool, Splitter};
use super::DataError;

/// Work for the decoding threads, in stream order.
pub(crate) enum Work {
    Block(Block),
    Fail(u64, std::io::Error),
    End(u64),
}

/// What a decoding thread hands back, keyed by stream position.
pub(crate) enum Done {
    Block(BlockOut),
    Fail(DataError),
    End,
}

/// Where decoded blocks come from.
pub(crate) enum Feed {
    /// Everything on this thread.
    Inline {
        splitter: Splitter,
        first: Option<Block>,
        ended: bool,
    },
    /// A splitter thread and decoding threads; results are put back in order here.
    Threaded {
        rx: Receiver<(u64, Done)>,
        pending: BTreeMap<u64, Done>,
        next: u64,
        ended: bool,
    },
}

/// Starts the splitter thread and the decoding threads. Threads stop on their own when the
/// input ends, or when this reader is dropped (their sends then fail).
pub(crate) fn spawn(
    mut splitter: Splitter,
    first: Option<Block>,
    plan: &Arc<Plan>,
    rows: usize,
) -> Feed {
    let workers = std::thread::available_parallelism()
        .map_or(2, std::num::NonZeroUsize::get)
        .clamp(2, 8);
    let pool: Pool = Arc::new(Mutex::new(Vec::new()));
    splitter.set_pool(Arc::clone(&pool));
    let (work_tx, work_rx) = mpsc::sync_channel::<Work>(2 * workers);
    let (done_tx, done_rx) = mpsc::sync_channel::<(u64, Done)>(2 * workers);
    let origin = plan.origin.clone();
    std::thread::spawn(move || {
        let mut seq = 0;
        if let Some(b) = first {
            seq = b.seq + 1;
            if work_tx.send(Work::Block(b)).is_err() {
                return;
            }
        }
        loop {
            let work = match splitter.next_block(rows) {
                Ok(Some(b)) => {
                    seq = b.seq + 1;
                    Work::Block(b)
                }
                Ok(None) => Work::End(seq),
                Err(e) => Work::Fail(seq, e),
            };
            let last = !matches!(work, Work::Block(_));
            if work_tx.send(work).is_err() || last {
                return;
            }
        }
    });
    let work_rx = Arc::new(Mutex::new(work_rx));
    for _ in 0..workers {
        let work_rx = Arc::clone(&work_rx);
        let done_tx = done_tx.clone();
        let plan = Arc::clone(plan);
        let origin = origin.clone();
        let pool = Arc::clone(&pool);
        std::thread::spawn(move || loop {
            let work = match work_rx.lock() {
                Ok(rx) => rx.recv(),
                Err(_) => return,
            };
            let msg = match work {
                Ok(Work::Block(b)) => {
                    let out = decode_block(&plan, &b);
                    // The buffer goes back to the splitter (a few are enough to cycle).
                    if let Ok(mut p) = pool.lock() {
                        if p.len() < 4 * workers {
                            p.push(b.bytes);
                        }
                    }
                    (b.seq, Done::Block(out))
                }
                Ok(Work::Fail(seq, source)) => (
                    seq,
                    Done::Fail(DataError::Io {
                        origin: origin.clone(),
                        source,
                    }),
                ),
                Ok(Work::End(seq)) => (seq, Done::End),
                Err(_) => return,
            };
            if done_tx.send(msg).is_err() {
                return;
            }
        });
    }
    Feed::Threaded {
        rx: done_rx,
        pending: BTreeMap::new(),
        next: 0,
        ended: false,
    }
}
