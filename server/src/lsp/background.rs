//! Background work (diagnostics, indexing) on threads that yield the CPU to requests.
//!
//! On a machine with few cores an analysis of a big file takes every core for milliseconds,
//! and a hover that arrives meanwhile waited behind it (0.6 ms alone, 3.6 ms with diagnostics
//! in flight, on two cores). Background jobs therefore run on a few threads of their own at a
//! lower scheduling priority (nice 5 on Linux), and so do the workers of the global rayon pool
//! that their parallel parts use. The request handlers' own blocking threads keep the normal
//! priority: when both want a core, the request gets it; when the machine is idle, background
//! work runs at full speed. rust-analyzer does the same with its thread intents.
//!
//! Jobs are plain threads fed by one queue, not rayon jobs: a rayon worker waiting inside a
//! parallel loop may run another queued rayon job on its own stack, and an analysis taking the
//! workspace's lock inside another that holds it would deadlock.

use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex, OnceLock};

type Job = Box<dyn FnOnce() + Send>;

/// The queue of background jobs (threads are started with it).
fn queue() -> &'static Mutex<Sender<Job>> {
    static QUEUE: OnceLock<Mutex<Sender<Job>>> = OnceLock::new();
    QUEUE.get_or_init(|| {
        let (tx, rx) = channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        // One core fewer than the machine has (at least one): a request arriving while
        // analyses run finds a core of its own, instead of waiting for the scheduler to take
        // one back from a background thread (on two cores a Markdown hover took 3.5 ms during
        // a change's analysis of a 5,000-line file with two background threads).
        let n = std::thread::available_parallelism()
            .map_or(1, |n| n.get().saturating_sub(1))
            .max(1);
        for i in 0..n {
            let rx = rx.clone();
            // A thread that cannot start is left out; with none, `run` falls back below.
            let _ = std::thread::Builder::new()
                .name(format!("pl-background-{i}"))
                .spawn(move || {
                    lower_priority();
                    loop {
                        // The lock is held only to take one job, never while it runs.
                        let job = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
        }
        Mutex::new(tx)
    })
}

/// Runs `f` on a background thread; `None` when it panicked (the panic stays on that thread).
pub(super) async fn run<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok();
        let _ = tx.send(out);
    });
    let sent = match queue().lock() {
        Ok(q) => q.send(job).map_err(|e| e.0),
        Err(_) => Err(job),
    };
    if let Err(job) = sent {
        // No background thread could be started: run it where blocking work may run.
        tokio::task::spawn_blocking(job).await.ok()?;
    }
    rx.await.ok().flatten()
}

/// Gives the server's global rayon pool (the parallel parts of analyses) background priority.
/// Called once, before anything uses the pool; a pool already built is left as it is.
pub(super) fn init_parallel_pool() {
    let _ = rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("pl-parallel-{i}"))
        .start_handler(|_| lower_priority())
        .build_global();
}

/// The background threads' nice value. At 5 a request's thread outweighs one of them about
/// three to one when both want a core (at 10 it is ten to one, and a busy machine's other
/// work, a compiler say, would slow diagnostics as much).
#[cfg(target_os = "linux")]
const NICE: libc::c_int = 5;

/// Lowers the calling thread's priority (Linux: its nice value is its own, not the process's).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: `setpriority` takes plain integers and touches no memory of ours; `gettid`
    // cannot fail. A failure (a sandbox forbidding it) leaves the thread as it was.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, NICE);
    }
}

/// glibc gives each thread that allocates a heap (an "arena") of its own, and keeps what is
/// freed there for reuse: a server whose analyses run on several threads in turn holds each
/// one's high-water mark. Two arenas keep the server's resident memory near one analysis's
/// (saleor: about 75 MB with the default, a thread's arena each, against about 55 with one);
/// called once, before any thread starts.
pub fn limit_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` takes plain integers; called before any other thread exists. A
    // refusal leaves glibc's default.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Returns the memory freed after a big job (indexing a workspace) to the system (glibc keeps
/// it in its arenas otherwise).
pub fn give_back_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only releases free memory of glibc's own heaps.
    unsafe {
        libc::malloc_trim(0);
    }
}
