//! Conversions for contract 0.3.0 (`sdk/wit/v0.3.0`), shared by the guest (wit-bindgen) and the
//! host (wasmtime's `bindgen!`) like [`wit_conversions!`](crate::wit_conversions): the types
//! 0.3.0 kept come from its `@common` part; the ones it changed are here.
//!
//! A decision crosses the boundary as a `case`: the host builds it from the SDK's
//! [`Employee`](crate::types::Employee) and [`Application`](crate::types::Application)
//! (`case_to_wit`), dropping the texts no rule reads; the guest rebuilds the pair with those
//! texts empty (`case_from_wit`). Approvals travel as the latest decision of each approver (two
//! flag sets), which is all [`Application::approval_by`](crate::types::Application::approval_by)
//! reads.

/// Expands the 0.3.0 conversions for a generated `types` module (see the module docs).
#[doc(hidden)]
#[macro_export]
macro_rules! wit_v0_3_conversions {
    ($($w:ident)::+) => {
            $crate::wit_conversions!(@common $($w)::+);
            $crate::wit_conversions!(@enum Approver [Supervisor, HeadOfAgency]);
            $crate::wit_conversions!(@enum PositionStatus [Eligible, Excluded, UnderReview, Unlisted]);

            // Only `empty`, `|`, `&` and `==`: all that both generators' flag types have.
            fn has(set: w::Approvers, flag: w::Approvers) -> bool {
                (set & flag) == flag
            }
            /// The approvers in `set`, in contract order.
            pub fn approvers_from_wit(set: w::Approvers) -> Vec<sdk::Approver> {
                let mut out = Vec::new();
                if has(set, w::Approvers::SUPERVISOR) {
                    out.push(sdk::Approver::Supervisor);
                }
                if has(set, w::Approvers::HEAD_OF_AGENCY) {
                    out.push(sdk::Approver::HeadOfAgency);
                }
                out
            }
            /// The set of `approvers`.
            pub fn approvers_to_wit(approvers: &[sdk::Approver]) -> w::Approvers {
                let mut set = w::Approvers::empty();
                for a in approvers {
                    set = set | match a {
                        sdk::Approver::Supervisor => w::Approvers::SUPERVISOR,
                        sdk::Approver::HeadOfAgency => w::Approvers::HEAD_OF_AGENCY,
                    };
                }
                set
            }
            /// What the rules read of one application of one employee.
            pub fn case_to_wit(e: &sdk::Employee, a: &sdk::Application) -> w::Case {
                let (mut approved, mut rejected) = (w::Approvers::empty(), w::Approvers::empty());
                for (approver, flag) in [
                    (sdk::Approver::Supervisor, w::Approvers::SUPERVISOR),
                    (sdk::Approver::HeadOfAgency, w::Approvers::HEAD_OF_AGENCY),
                ] {
                    match a.approval_by(approver) {
                        Some(true) => approved = approved | flag,
                        Some(false) => rejected = rejected | flag,
                        None => {}
                    }
                }
                w::Case {
                    employment_type: (&e.employment_type).into(),
                    position_kind: (&e.position_kind).into(),
                    echelon: e.echelon,
                    public_service: e.public_service,
                    task_category: (&e.task_category).into(),
                    service_months: e.service_months,
                    potential: (&e.potential).into(),
                    unexcused_absence_days: e.unexcused_absence_days,
                    previous_review: e.previous_review.as_ref().map(Into::into),
                    position_code: e.position_code.clone(),
                    position_status: (&e.position_status).into(),
                    agency: e.agency.clone(),
                    ratings: list(&e.ratings),
                    penalties: list(&e.penalties),
                    quarter: (&a.quarter).into(),
                    requested_remote_days: a.requested_remote_days,
                    location_kind: (&a.location_kind).into(),
                    kpi_baseline: a.kpi_baseline,
                    kpi_target: a.kpi_target,
                    approved,
                    rejected,
                }
            }
            /// The employee and application a case describes; texts no rule reads are empty.
            pub fn case_from_wit(c: w::Case) -> (sdk::Employee, sdk::Application) {
                let mut approvals = Vec::new();
                for (approver, flag) in [
                    (sdk::Approver::Supervisor, w::Approvers::SUPERVISOR),
                    (sdk::Approver::HeadOfAgency, w::Approvers::HEAD_OF_AGENCY),
                ] {
                    let decided = if has(c.approved, flag) {
                        Some(true)
                    } else if has(c.rejected, flag) {
                        Some(false)
                    } else {
                        None
                    };
                    if let Some(approved) = decided {
                        approvals.push(sdk::Approval { approver, by_nip: String::new(), approved });
                    }
                }
                let employee = sdk::Employee {
                    nip: String::new(),
                    name: String::new(),
                    employment_type: c.employment_type.into(),
                    region: String::new(),
                    agency: c.agency,
                    unit: String::new(),
                    position_kind: c.position_kind.into(),
                    echelon: c.echelon,
                    public_service: c.public_service,
                    task_category: c.task_category.into(),
                    service_months: c.service_months,
                    ratings: unlist(c.ratings),
                    potential: c.potential.into(),
                    penalties: unlist(c.penalties),
                    unexcused_absence_days: c.unexcused_absence_days,
                    previous_review: c.previous_review.map(Into::into),
                    position_code: c.position_code,
                    position_status: c.position_status.into(),
                };
                let application = sdk::Application {
                    id: String::new(),
                    quarter: c.quarter.into(),
                    requested_remote_days: c.requested_remote_days,
                    location_kind: c.location_kind.into(),
                    work_plan: String::new(),
                    kpi_baseline: c.kpi_baseline,
                    kpi_target: c.kpi_target,
                    approvals,
                };
                (employee, application)
            }
            impl From<&sdk::Eligibility> for w::Eligibility {
                fn from(e: &sdk::Eligibility) -> Self {
                    w::Eligibility {
                        eligible: e.eligible,
                        max_remote_days: e.max_remote_days,
                        approvals_required: approvers_to_wit(&e.approvals_required),
                        priority: e.priority,
                        reasons: list(&e.reasons),
                    }
                }
            }
            impl From<w::Eligibility> for sdk::Eligibility {
                fn from(e: w::Eligibility) -> Self {
                    sdk::Eligibility {
                        eligible: e.eligible,
                        max_remote_days: e.max_remote_days,
                        approvals_required: approvers_from_wit(e.approvals_required),
                        priority: e.priority,
                        reasons: unlist(e.reasons),
                    }
                }
            }
            impl From<sdk::Verdict> for w::Verdict {
                fn from(v: sdk::Verdict) -> Self {
                    w::Verdict {
                        eligible: v.eligible,
                        max_remote_days: v.max_remote_days,
                        approvals_required: approvers_to_wit(&v.approvals_required),
                        priority: v.priority,
                        failed: v.failed,
                    }
                }
            }
            impl From<w::Verdict> for sdk::Verdict {
                fn from(v: w::Verdict) -> Self {
                    sdk::Verdict {
                        eligible: v.eligible,
                        max_remote_days: v.max_remote_days,
                        approvals_required: approvers_from_wit(v.approvals_required),
                        priority: v.priority,
                        failed: v.failed,
                    }
                }
            }
            impl From<&sdk::PreviousOutcome> for w::PreviousOutcome {
                fn from(p: &sdk::PreviousOutcome) -> Self {
                    match *p {
                        sdk::PreviousOutcome::None => w::PreviousOutcome::None,
                        sdk::PreviousOutcome::Granted(days) => w::PreviousOutcome::Granted(days),
                        sdk::PreviousOutcome::UnitFull => w::PreviousOutcome::UnitFull,
                    }
                }
            }
            impl From<w::PreviousOutcome> for sdk::PreviousOutcome {
                fn from(p: w::PreviousOutcome) -> Self {
                    match p {
                        w::PreviousOutcome::None => sdk::PreviousOutcome::None,
                        w::PreviousOutcome::Granted(days) => sdk::PreviousOutcome::Granted(days),
                        w::PreviousOutcome::UnitFull => sdk::PreviousOutcome::UnitFull,
                    }
                }
            }
            impl From<&sdk::Candidate> for w::Candidate {
                fn from(c: &sdk::Candidate) -> Self {
                    w::Candidate {
                        application_id: c.application_id.clone(),
                        nip: c.nip.clone(),
                        requested_remote_days: c.requested_remote_days,
                        max_remote_days: c.max_remote_days,
                        priority: c.priority,
                        service_months: c.service_months,
                        previous_quarter: (&c.previous_quarter).into(),
                    }
                }
            }
            impl From<w::Candidate> for sdk::Candidate {
                fn from(c: w::Candidate) -> Self {
                    sdk::Candidate {
                        application_id: c.application_id,
                        nip: c.nip,
                        requested_remote_days: c.requested_remote_days,
                        max_remote_days: c.max_remote_days,
                        priority: c.priority,
                        service_months: c.service_months,
                        previous_quarter: c.previous_quarter.into(),
                    }
                }
            }
            impl From<&sdk::AllocationRequest> for w::AllocationRequest {
                fn from(r: &sdk::AllocationRequest) -> Self {
                    w::AllocationRequest { unit: r.unit.clone(), quarter: (&r.quarter).into(), headcount: r.headcount, candidates: list(&r.candidates) }
                }
            }
            impl From<w::AllocationRequest> for sdk::AllocationRequest {
                fn from(r: w::AllocationRequest) -> Self {
                    sdk::AllocationRequest { unit: r.unit, quarter: r.quarter.into(), headcount: r.headcount, candidates: unlist(r.candidates) }
                }
            }
            impl From<&sdk::Grant> for w::Grant {
                fn from(g: &sdk::Grant) -> Self {
                    w::Grant {
                        application_id: g.application_id.clone(),
                        nip: g.nip.clone(),
                        remote_days: g.remote_days,
                        weekdays: list(&g.weekdays),
                        reasons: list(&g.reasons),
                    }
                }
            }
            impl From<w::Grant> for sdk::Grant {
                fn from(g: w::Grant) -> Self {
                    sdk::Grant {
                        application_id: g.application_id,
                        nip: g.nip,
                        remote_days: g.remote_days,
                        weekdays: unlist(g.weekdays),
                        reasons: unlist(g.reasons),
                    }
                }
            }
    };
}
