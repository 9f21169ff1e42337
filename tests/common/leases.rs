//! The locks of a store's locations on every backend: a computation of any length keeps its
//! lock, a holder that lost its lease writes nothing, one waiter wins a stale lock, an
//! abandoned computation frees its location at once, and readers racing a first write see the
//! value or nothing. Shared by `tests/store.rs`'s backends.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use object_store::{ObjectStoreExt, PutPayload};
use result_serializers::store::{ResultStore, StoreError};

use super::{is_local, Summary};

fn summary(rows: u64) -> Summary {
    Summary {
        rows,
        failed: vec![],
    }
}

/// The lock object of `location`, where the module docs say it is.
fn lock_of(location: &str) -> object_store::path::Path {
    object_store::path::Path::from(format!(".records/{location}.lock"))
}

/// Every lease test on `store`, with short leases.
pub(crate) async fn leases(store: &ResultStore) {
    long_computations_are_computed_once(store).await;
    a_holder_whose_lease_lapsed_writes_nothing(store).await;
    racing_waiters_take_a_stale_lock_once(store).await;
    abandoned_computations_free_their_location(store).await;
    readers_racing_a_first_write_see_the_value_or_nothing(store).await;
}

/// A computation lasting three leases, with four waiters: computed once, every waiter gets
/// its value. The holder's heartbeat keeps the lease.
async fn long_computations_are_computed_once(store: &ResultStore) {
    let lease = Duration::from_millis(300);
    let store = store
        .clone()
        .with_lock_timeouts(Duration::from_secs(60), lease);
    let calls = Arc::new(AtomicUsize::new(0));
    let (started, mut started_rx) = tokio::sync::mpsc::channel::<()>(1);
    let holder = {
        let (store, calls) = (store.clone(), calls.clone());
        tokio::spawn(async move {
            store
                .get_or_compute("leases/long.json", async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    started.send(()).await.unwrap();
                    // The computation itself: three leases long.
                    tokio::time::sleep(lease * 3).await;
                    Ok::<_, std::convert::Infallible>(summary(1))
                })
                .await
        })
    };
    started_rx.recv().await.unwrap();
    let mut waiters = Vec::new();
    for rows in 2..=5 {
        let (store, calls) = (store.clone(), calls.clone());
        waiters.push(tokio::spawn(async move {
            store
                .get_or_compute("leases/long.json", async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, std::convert::Infallible>(summary(rows))
                })
                .await
        }));
    }
    assert_eq!(holder.await.unwrap().unwrap(), summary(1));
    for waiter in waiters {
        assert_eq!(waiter.await.unwrap().unwrap(), summary(1));
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1, "computed more than once");
}

/// A holder paused past its lease (its thread blocked, so its heartbeat stops) loses the lock
/// to a waiter, which computes and stores its value; the paused holder, resumed, gets
/// `LeaseLost` and writes nothing. On the local file system the kernel's lock cannot lapse
/// while its process lives: the waiter waits out the pause instead.
async fn a_holder_whose_lease_lapsed_writes_nothing(store: &ResultStore) {
    let lease = Duration::from_millis(200);
    let store = store
        .clone()
        .with_lock_timeouts(Duration::from_secs(60), lease);
    let location = "leases/paused.json";
    let (started, started_rx) = std::sync::mpsc::channel::<()>();
    let (resume, resume_rx) = std::sync::mpsc::channel::<()>();
    let paused = {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .get_or_compute(location, async move {
                    started.send(()).unwrap();
                    // Blocks the thread: the heartbeat beside the computation cannot run.
                    resume_rx.recv().unwrap();
                    Ok::<_, std::convert::Infallible>(summary(1))
                })
                .await
        })
    };
    tokio::task::spawn_blocking(move || started_rx.recv().unwrap())
        .await
        .unwrap();
    let successor = {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .get_or_compute(location, async {
                    Ok::<_, std::convert::Infallible>(summary(2))
                })
                .await
        })
    };
    if is_local(&store) {
        resume.send(()).unwrap();
        assert_eq!(paused.await.unwrap().unwrap(), summary(1));
        assert_eq!(successor.await.unwrap().unwrap(), summary(1));
        return;
    }
    assert_eq!(successor.await.unwrap().unwrap(), summary(2));
    resume.send(()).unwrap();
    let err = paused.await.unwrap().unwrap_err();
    assert!(matches!(err, StoreError::LeaseLost { .. }), "{err}");
    assert_eq!(store.read::<Summary>(location).await.unwrap(), summary(2));
}

/// A lock left by a holder that died (on an object store: a lease object no one renews; on
/// the local file system: a lock file no process holds), raced by two waiters, 200 times: one
/// of them computes each time, and both return its value.
async fn racing_waiters_take_a_stale_lock_once(store: &ResultStore) {
    let lease = Duration::from_millis(50);
    let store = store
        .clone()
        .with_lock_timeouts(Duration::from_secs(60), lease);
    for round in 0..200u64 {
        let location = format!("leases/stale/{round}.json");
        store
            .object_store()
            .put(
                &lock_of(&location),
                PutPayload::from(r#"{"owner":"dead","pid":0}"#),
            )
            .await
            .unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let racers: Vec<_> = (0..2u64)
            .map(|racer| {
                let (store, calls, location) = (store.clone(), calls.clone(), location.clone());
                tokio::spawn(async move {
                    store
                        .get_or_compute(&location, async move {
                            calls.fetch_add(1, Ordering::SeqCst);
                            Ok::<_, std::convert::Infallible>(summary(round * 2 + racer))
                        })
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut values = Vec::new();
        for racer in racers {
            values.push(racer.await.unwrap());
        }
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "round {round}: two winners"
        );
        assert_eq!(values[0], values[1], "round {round}");
    }
}

/// A `get_or_compute` whose future is dropped (a timeout) and one whose computation panics
/// leave the location free at once: the next call computes without waiting for a lease (the
/// lease here is far longer than the whole test).
async fn abandoned_computations_free_their_location(store: &ResultStore) {
    let store = store
        .clone()
        .with_lock_timeouts(Duration::from_secs(120), Duration::from_secs(3600));
    let location = "leases/abandoned.json";
    let (started, started_rx) = tokio::sync::oneshot::channel::<()>();
    let abandoned = store.get_or_compute(location, async move {
        started.send(()).unwrap();
        std::future::pending::<Result<Summary, std::convert::Infallible>>().await
    });
    tokio::select! {
        _ = abandoned => unreachable!("the computation never ends"),
        _ = started_rx => {}
    }
    let next = store
        .get_or_compute(location, async {
            Ok::<_, std::convert::Infallible>(summary(1))
        })
        .await
        .unwrap();
    assert_eq!(next, summary(1));

    let panicking = {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .get_or_compute::<Summary, std::convert::Infallible, _>(
                    "leases/panicked.json",
                    async { panic!("the computation failed") },
                )
                .await
        })
    };
    assert!(panicking.await.unwrap_err().is_panic());
    let next = store
        .get_or_compute("leases/panicked.json", async {
            Ok::<_, std::convert::Infallible>(summary(2))
        })
        .await
        .unwrap();
    assert_eq!(next, summary(2));
}

/// Readers racing the first writes of locations see the value or `NotFound`, never bytes
/// "without a record": while a writer holds the lock, bytes without one are a write under way.
async fn readers_racing_a_first_write_see_the_value_or_nothing(store: &ResultStore) {
    for round in 0..12u64 {
        let location = format!("leases/first/{round}.json");
        let writers: Vec<_> = (0..4u64)
            .map(|writer| {
                let (store, location) = (store.clone(), location.clone());
                tokio::spawn(async move {
                    store.write(&summary(writer), &location).await.unwrap();
                })
            })
            .collect();
        let reader = {
            let (store, location) = (store.clone(), location.clone());
            tokio::spawn(async move {
                loop {
                    match store.read::<Summary>(&location).await {
                        Ok(value) => return value,
                        Err(StoreError::NotFound { .. } | StoreError::Corrupt { .. }) => {
                            tokio::task::yield_now().await;
                        }
                        Err(err) => panic!("round {round}: {err}"),
                    }
                }
            })
        };
        for writer in writers {
            writer.await.unwrap();
        }
        assert!(reader.await.unwrap().rows < 4);
    }
}
