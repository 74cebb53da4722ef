//! The threads behind a [`super::TableReader`]: decoding threads that take turns to read the
//! input, hash it and cut it into blocks of whole records (in stream order, under a lock), and
//! decode the block each cut, independently. Results come back keyed by stream position; the
//! reader puts them in order.

use std::collections::BTreeMap;
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};

use super::decode::{decode_block, BlockOut, Plan};
use super::source::Blocks;
use super::split::{Block, Pool};
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
        splitter: Blocks,
        first: Option<Block>,
        ended: bool,
    },
    /// Decoding threads; results are put back in order here.
    Threaded {
        rx: Receiver<(u64, Done)>,
        pending: BTreeMap<u64, Done>,
        next: u64,
        ended: bool,
    },
}

/// The input shared by the decoding threads: the splitter, a block read ahead, the next
/// block's position, and whether the end (or a failure) has been handed out.
struct Input {
    splitter: Blocks,
    first: Option<Block>,
    seq: u64,
    ended: bool,
}

impl Input {
    /// The next piece of work in stream order; `None` once the end has been handed out.
    fn next(&mut self, rows: usize) -> Option<Work> {
        if self.ended {
            return None;
        }
        let next = match self.first.take() {
            Some(b) => Ok(Some(b)),
            None => self.splitter.next_block(rows),
        };
        Some(match next {
            Ok(Some(b)) => {
                self.seq = b.seq + 1;
                Work::Block(b)
            }
            Ok(None) => {
                self.ended = true;
                Work::End(self.seq)
            }
            Err(e) => {
                self.ended = true;
                Work::Fail(self.seq, e)
            }
        })
    }
}

/// Starts the decoding threads. They stop on their own when the input ends, or when this
/// reader is dropped (their sends then fail).
pub(crate) fn spawn(
    mut splitter: Blocks,
    first: Option<Block>,
    plan: &Arc<Plan>,
    rows: usize,
) -> Feed {
    let workers = std::thread::available_parallelism()
        .map_or(2, std::num::NonZeroUsize::get)
        .clamp(2, 8);
    let pool: Pool = Arc::new(Mutex::new(Vec::new()));
    splitter.set_pool(Arc::clone(&pool));
    let (done_tx, done_rx) = mpsc::sync_channel::<(u64, Done)>(2 * workers);
    let origin = plan.origin.clone();
    // No splitter thread: a decoding thread that needs work cuts the next block itself, under
    // the lock (reading and hashing stay in stream order). So there are as many busy threads
    // as cores, and a block is decoded by the thread that just read it.
    let input = Arc::new(Mutex::new(Input {
        splitter,
        first,
        seq: 0,
        ended: false,
    }));
    for _ in 0..workers {
        let input = Arc::clone(&input);
        let done_tx = done_tx.clone();
        let plan = Arc::clone(plan);
        let origin = origin.clone();
        let pool = Arc::clone(&pool);
        std::thread::spawn(move || loop {
            let work = match input.lock() {
                Ok(mut input) => input.next(rows),
                Err(_) => return,
            };
            let Some(work) = work else {
                return;
            };
            let msg = match work {
                Work::Block(b) => {
                    let out = decode_block(&plan, &b);
                    // The buffer goes back to the splitter (a few are enough to cycle).
                    if let Ok(mut p) = pool.lock() {
                        if p.len() < 4 * workers {
                            p.push(b.bytes);
                        }
                    }
                    (b.seq, Done::Block(out))
                }
                Work::Fail(seq, source) => (
                    seq,
                    Done::Fail(DataError::from(crate::file_error::FileError::read(
                        origin.clone(),
                        source,
                    ))),
                ),
                Work::End(seq) => (seq, Done::End),
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
