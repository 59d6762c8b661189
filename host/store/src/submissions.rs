//! Submissions (an application with its first decision) through one writer task with group
//! commit. A submitter queues its submission and waits; the writer stores everything queued at
//! that moment in one transaction — one commit for many submissions instead of one each, and on
//! SQLite no queue of transactions taking turns for its single writer — and answers each
//! submitter only after that transaction has committed.
//!
//! A batch is first written with multi-row statements (three for the whole batch). If any row
//! is refused (a second application for the quarter, an unknown NIP), that transaction is
//! rolled back and the batch written again row by row, each row under a savepoint of its own:
//! the refused row is answered with its own error and leaves nothing behind, the others commit.

use super::applications::{insert_application_in, record_approval_in};
use super::bulk::insert_rows;
use super::decisions::{RunKind, approver_codes, decision_id, new_run_id};
use super::single::{SingleDecision, insert_decision_in};
use super::{Store, StoreError, code, now_rfc3339};
use dwa_sdk::Application;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

/// Submissions in one transaction at most: enough to absorb a burst, few enough that one
/// commit stays short.
const MAX_BATCH: usize = 128;
/// Submissions queued before a submitter waits for room.
const QUEUE: usize = 4096;

/// An application submitted with its first decision, as stored.
#[derive(Clone, Debug)]
pub struct NewSubmission {
    /// The applicant's NIP.
    pub nip: String,
    /// The applicant's unit (stored with the application: a page of staff reads applications
    /// by unit).
    pub unit: String,
    /// The application (with any approvals it carries).
    pub application: Application,
    /// Its first decision.
    pub decision: SingleDecision,
}

impl NewSubmission {
    /// What storing `application` by `nip` with its first `decision` writes.
    pub fn new(nip: &str, application: &Application, decision: &dwa_domain::Decision) -> NewSubmission {
        NewSubmission {
            nip: nip.to_owned(),
            unit: decision.input.employee.unit.clone(),
            application: application.clone(),
            decision: SingleDecision::new(decision),
        }
    }
}

/// A queued submission and where its answer goes.
struct Job {
    submission: NewSubmission,
    reply: oneshot::Sender<Result<String, StoreError>>,
}

/// How many transactions the writer committed for how many submissions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GroupCommitStats {
    /// Transactions (batches) written.
    pub batches: u64,
    /// Submissions answered.
    pub submissions: u64,
}

/// The queue to the writer task, which starts on first use (on that use's runtime) and again
/// if its runtime has gone.
#[derive(Default)]
pub(crate) struct SubmissionQueue {
    sender: Mutex<Option<mpsc::Sender<Job>>>,
    batches: Arc<AtomicU64>,
    submissions: Arc<AtomicU64>,
}

impl SubmissionQueue {
    /// The writer's queue, starting the writer if there is none.
    fn sender(&self, store: &Store) -> mpsc::Sender<Job> {
        let mut slot = self.sender.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(sender) = slot.as_ref().filter(|s| !s.is_closed()) {
            return sender.clone();
        }
        let (sender, receiver) = mpsc::channel(QUEUE);
        // The writer's own handle has a queue of its own, unused: it must not keep this queue's
        // sender alive, or the writer would never see the last submitter go.
        let writer = Store {
            pool: store.pool.clone(),
            backend: store.backend,
            write_turn: store.write_turn.clone(),
            submissions: Arc::default(),
        };
        let stats = (self.batches.clone(), self.submissions.clone());
        tokio::spawn(write_batches(writer, receiver, stats));
        *slot = Some(sender.clone());
        sender
    }
}

/// The writer task: takes whatever is queued (up to [`MAX_BATCH`]), stores it, answers.
async fn write_batches(store: Store, mut receiver: mpsc::Receiver<Job>, stats: (Arc<AtomicU64>, Arc<AtomicU64>)) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let (submissions, replies): (Vec<_>, Vec<_>) = jobs.drain(..).map(|j| (j.submission, j.reply)).unzip();
        let results = store.store_submissions(&submissions).await;
        stats.0.fetch_add(1, Ordering::Relaxed);
        stats.1.fetch_add(submissions.len() as u64, Ordering::Relaxed);
        for (reply, result) in replies.into_iter().zip(results) {
            // A submitter that went away (its request cancelled) still has its row stored.
            let _ = reply.send(result);
        }
    }
}

impl Store {
    /// Store a new application with its first decision through the submission writer; answered
    /// once the transaction holding it has committed. Returns the decision's id.
    pub async fn submit_application(
        &self,
        nip: &str,
        application: &Application,
        decision: &dwa_domain::Decision,
    ) -> Result<String, StoreError> {
        self.submit(NewSubmission::new(nip, application, decision)).await
    }

    /// Queue one submission to the writer and wait for its answer.
    pub async fn submit(&self, submission: NewSubmission) -> Result<String, StoreError> {
        let (reply, answer) = oneshot::channel();
        let mut job = Job { submission, reply };
        // A second try only when the writer's runtime has gone (a store used on another runtime).
        for _ in 0..2 {
            match self.submissions.sender(self).send(job).await {
                Ok(()) => {
                    return answer
                        .await
                        .unwrap_or_else(|_| Err(StoreError::Batch("the submission writer stopped".into())));
                }
                Err(mpsc::error::SendError(back)) => job = back,
            }
        }
        Err(StoreError::Batch("the submission writer cannot be started".into()))
    }

    /// Transactions and submissions the submission writer has written so far.
    pub fn group_commit_stats(&self) -> GroupCommitStats {
        GroupCommitStats {
            batches: self.submissions.batches.load(Ordering::Relaxed),
            submissions: self.submissions.submissions.load(Ordering::Relaxed),
        }
    }

    /// Store submissions in one transaction (the writer's step); one answer each, in order. A
    /// refused row is answered with its own error and changes nothing; the others commit. When
    /// the transaction itself fails, every row is answered with that failure and nothing is
    /// stored.
    pub async fn store_submissions(&self, batch: &[NewSubmission]) -> Vec<Result<String, StoreError>> {
        if batch.len() == 1 {
            // Alone in its transaction: its failure is the transaction's.
            return vec![self.store_each(batch, false).await.and_then(|mut r| r.remove(0))];
        }
        match self.store_all(batch).await {
            Ok(ids) => ids.into_iter().map(Ok).collect(),
            // Some row was refused, or the database failed: row by row says which.
            Err(_) => self.store_each(batch, true).await.unwrap_or_else(|e| {
                let message = e.to_string();
                batch.iter().map(|_| Err(StoreError::Batch(message.clone()))).collect()
            }),
        }
    }

    /// The whole batch with multi-row statements, all or nothing.
    async fn store_all(&self, batch: &[NewSubmission]) -> Result<Vec<String>, StoreError> {
        let mut tx = self.begin_write().await?;
        let now = now_rfc3339();
        let texts: Vec<RowTexts> = batch.iter().map(RowTexts::new).collect();
        let rows: Vec<(&NewSubmission, &RowTexts, i64)> =
            batch.iter().zip(&texts).map(|(s, t)| (s, t, new_run_id())).collect();
        insert_rows(
            &mut tx,
            "applications (id, nip, quarter, requested_remote_days, location_kind, work_plan, kpi_baseline, kpi_target, \
             status, submitted_at, unit)",
            11,
            &rows,
            |q, (s, t, _)| {
                let a = &s.application;
                q.bind(&a.id)
                    .bind(&s.nip)
                    .bind(&t.quarter)
                    .bind(a.requested_remote_days as i64)
                    .bind(&t.location_kind)
                    .bind(&a.work_plan)
                    .bind(a.kpi_baseline)
                    .bind(a.kpi_target)
                    .bind("submitted")
                    .bind(&now)
                    .bind(&s.unit);
            },
        )
        .await?;
        for s in batch {
            for approval in &s.application.approvals {
                record_approval_in(&mut tx, &s.application.id, approval).await?;
            }
        }
        insert_rows(
            &mut tx,
            "decision_runs (id, region, quarter, evaluated_on, plugin_name, plugin_version, plugin_sha256, \
             manifest_sha256, started_at, finished_at, units, decisions, eligible, granted, fuel_used, kind, \
             reason_codes, guest_output)",
            18,
            &rows,
            |q, (s, t, run_id)| {
                let d = &s.decision;
                q.bind(*run_id)
                    .bind(&d.plugin.region)
                    .bind(&t.decision_quarter)
                    .bind(&t.evaluated_on)
                    .bind(&d.plugin.name)
                    .bind(&d.plugin.version)
                    .bind(&d.plugin.sha256)
                    .bind(&d.plugin.manifest_sha256)
                    .bind(&now)
                    .bind(&now)
                    .bind(0i64)
                    .bind(1i64)
                    .bind(d.row.verdict.eligible as i64)
                    .bind(0i64)
                    .bind(d.fuel_used as i64)
                    .bind(RunKind::Submission.code())
                    .bind(&d.reason_codes)
                    .bind(&d.guest_output);
            },
        )
        .await?;
        insert_rows(
            &mut tx,
            "decisions (run_id, application_id, nip, eligible, max_remote_days, priority, approvals_required, failed)",
            8,
            &rows,
            |q, (s, t, run_id)| {
                let v = &s.decision.row.verdict;
                q.bind(*run_id)
                    .bind(&s.decision.row.application_id)
                    .bind(&s.decision.row.nip)
                    .bind(v.eligible as i64)
                    .bind(v.max_remote_days as i64)
                    .bind(v.priority as i64)
                    .bind(&t.approvals)
                    .bind(&t.failed);
            },
        )
        .await?;
        for s in batch.iter().filter(|s| !s.decision.violations.is_empty()) {
            super::decisions::insert_violations(&mut tx, &s.decision.violations, &now).await?;
        }
        tx.commit().await?;
        Ok(rows
            .iter()
            .map(|(s, _, run_id)| decision_id(*run_id, &s.decision.row.application_id))
            .collect())
    }

    /// The batch row by row in one transaction; with `savepoints`, a refused row is rolled back
    /// alone and answered with its error. `Err` when the transaction itself failed (nothing
    /// stored).
    async fn store_each(
        &self,
        batch: &[NewSubmission],
        savepoints: bool,
    ) -> Result<Vec<Result<String, StoreError>>, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut results = Vec::with_capacity(batch.len());
        for s in batch {
            if !savepoints {
                results.push(Ok(store_one(&mut tx, s).await?));
                continue;
            }
            let mut savepoint = sqlx::Connection::begin(&mut **tx).await?;
            match store_one(&mut savepoint, s).await {
                Ok(id) => {
                    savepoint.commit().await?;
                    results.push(Ok(id));
                }
                Err(e) => {
                    savepoint.rollback().await?;
                    results.push(Err(e));
                }
            }
        }
        tx.commit().await?;
        Ok(results)
    }
}

/// One submission inside an open transaction: the application, its approvals, its decision.
async fn store_one(tx: &mut sqlx::Transaction<'_, sqlx::Any>, s: &NewSubmission) -> Result<String, StoreError> {
    insert_application_in(tx, &s.nip, &s.application).await?;
    insert_decision_in(tx, RunKind::Submission, &s.decision).await
}

/// A row's values stored as text, made before binding (bound values are borrowed).
struct RowTexts {
    quarter: String,
    location_kind: String,
    decision_quarter: String,
    evaluated_on: String,
    approvals: String,
    failed: String,
}

impl RowTexts {
    fn new(s: &NewSubmission) -> RowTexts {
        RowTexts {
            quarter: s.application.quarter.to_string(),
            location_kind: code(&s.application.location_kind),
            decision_quarter: s.decision.quarter.to_string(),
            evaluated_on: s.decision.evaluated_on.to_string(),
            approvals: approver_codes(&s.decision.row.verdict.approvals_required),
            failed: s.decision.row.verdict.failed.join(","),
        }
    }
}
