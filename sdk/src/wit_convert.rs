//! One conversion between the SDK's plain types and the types a WIT bindings generator makes
//! from `sdk/wit/v0.*`, shared by the guest side (wit-bindgen) and the host (wasmtime's
//! `bindgen!`): both generators name fields and variants alike, so one macro serves both.
//!
//! `wit_conversions!(path::to::types)`, invoked inside a module of the crate that owns the
//! generated types, expands to `From<&sdk::T> for wit::T` and `From<wit::T> for sdk::T` for every
//! type of the contract, plus `params_to_wit` / `params_from_wit` for the parameter list. Contract
//! 0.3.0 changed some types: `wit_v0_3_conversions!` (in `wit_convert_v0_3.rs`) reuses the
//! `@common` part and adds its own.

/// Expands the conversions for a generated `types` module (see the module docs).
#[doc(hidden)]
#[macro_export]
macro_rules! wit_conversions {
    ($($w:ident)::+) => {
            $crate::wit_conversions!(@common $($w)::+);
            $crate::wit_conversions!(@legacy);
    };
    (@common $($w:ident)::+) => {
            use $($w)::+ as w;
            use $crate::types as sdk;

            fn list<'a, A: 'a, B: From<&'a A>>(xs: &'a [A]) -> Vec<B> {
                xs.iter().map(B::from).collect()
            }
            fn unlist<A, B: From<A>>(xs: Vec<A>) -> Vec<B> {
                xs.into_iter().map(B::from).collect()
            }

            $crate::wit_conversions!(@enum EmploymentType [Pns, Cpns, Pppk, PppkParuhWaktu]);
            $crate::wit_conversions!(@enum PositionKind [JptUtama, JptMadya, JptPratama, Administrator, Pengawas, Fungsional, Pelaksana]);
            $crate::wit_conversions!(@enum TaskCategory [Planning, Finance, Drafting, SpeechWriting, OnlineApproval, DataEntry, DataAnalysis, PublicService, Other]);
            $crate::wit_conversions!(@enum Expectation [Above, Meets, Below]);
            $crate::wit_conversions!(@enum Potential [High, Medium, Low]);
            $crate::wit_conversions!(@enum PenaltyLevel [Light, Moderate, Severe]);
            $crate::wit_conversions!(@enum LocationKind [OtherOffice, RegisteredHome, OtherPlaceInProvince]);
            $crate::wit_conversions!(@enum Weekday [Monday, Tuesday, Wednesday, Thursday, Friday]);

            impl From<&$crate::date::Date> for w::Date {
                fn from(d: &$crate::date::Date) -> Self { w::Date { year: d.year, month: d.month, day: d.day } }
            }
            impl From<w::Date> for $crate::date::Date {
                fn from(d: w::Date) -> Self { $crate::date::Date { year: d.year, month: d.month, day: d.day } }
            }
            impl From<&$crate::date::Quarter> for w::Quarter {
                fn from(q: &$crate::date::Quarter) -> Self { w::Quarter { year: q.year, number: q.number } }
            }
            impl From<w::Quarter> for $crate::date::Quarter {
                fn from(q: w::Quarter) -> Self { $crate::date::Quarter { year: q.year, number: q.number } }
            }
            impl From<&sdk::SkpAssessment> for w::SkpAssessment {
                fn from(a: &sdk::SkpAssessment) -> Self {
                    w::SkpAssessment { year: a.year, work_result: (&a.work_result).into(), work_behaviour: (&a.work_behaviour).into() }
                }
            }
            impl From<w::SkpAssessment> for sdk::SkpAssessment {
                fn from(a: w::SkpAssessment) -> Self {
                    sdk::SkpAssessment { year: a.year, work_result: a.work_result.into(), work_behaviour: a.work_behaviour.into() }
                }
            }
            impl From<&sdk::Penalty> for w::Penalty {
                fn from(p: &sdk::Penalty) -> Self {
                    w::Penalty { level: (&p.level).into(), start: (&p.start).into(), end: p.end.as_ref().map(Into::into) }
                }
            }
            impl From<w::Penalty> for sdk::Penalty {
                fn from(p: w::Penalty) -> Self {
                    sdk::Penalty { level: p.level.into(), start: p.start.into(), end: p.end.map(Into::into) }
                }
            }
            impl From<&sdk::QuarterReview> for w::QuarterReview {
                fn from(r: &sdk::QuarterReview) -> Self {
                    w::QuarterReview { quarter: (&r.quarter).into(), granted_remote_days: r.granted_remote_days, kpi_achieved: r.kpi_achieved }
                }
            }
            impl From<w::QuarterReview> for sdk::QuarterReview {
                fn from(r: w::QuarterReview) -> Self {
                    sdk::QuarterReview { quarter: r.quarter.into(), granted_remote_days: r.granted_remote_days, kpi_achieved: r.kpi_achieved }
                }
            }
            impl From<&sdk::Text> for w::Text {
                fn from(t: &sdk::Text) -> Self { w::Text { id: t.id.clone(), en: t.en.clone() } }
            }
            impl From<w::Text> for sdk::Text {
                fn from(t: w::Text) -> Self { sdk::Text { id: t.id, en: t.en } }
            }
            impl From<&sdk::Reason> for w::Reason {
                fn from(r: &sdk::Reason) -> Self {
                    w::Reason { code: r.code.clone(), passed: r.passed, message: (&r.message).into(), remedy: r.remedy.as_ref().map(Into::into) }
                }
            }
            impl From<w::Reason> for sdk::Reason {
                fn from(r: w::Reason) -> Self {
                    sdk::Reason { code: r.code, passed: r.passed, message: r.message.into(), remedy: r.remedy.map(Into::into) }
                }
            }
            impl From<&sdk::PluginInfo> for w::PluginInfo {
                fn from(i: &sdk::PluginInfo) -> Self {
                    w::PluginInfo { region: i.region.clone(), name: i.name.clone(), version: i.version.clone(), contract: i.contract.clone() }
                }
            }
            impl From<w::PluginInfo> for sdk::PluginInfo {
                fn from(i: w::PluginInfo) -> Self {
                    sdk::PluginInfo { region: i.region, name: i.name, version: i.version, contract: i.contract }
                }
            }
            impl From<&sdk::PolicyError> for w::PluginError {
                fn from(e: &sdk::PolicyError) -> Self { w::PluginError { code: e.code.clone(), message: e.message.clone() } }
            }
            impl From<w::PluginError> for sdk::PolicyError {
                fn from(e: w::PluginError) -> Self { sdk::PolicyError { code: e.code, message: e.message } }
            }
            /// The region's parameters as the contract passes them.
            pub fn params_to_wit(p: &$crate::params::Params) -> Vec<w::Param> {
                    use $crate::params::ParamValue as P;
                    p.0.iter().map(|(name, value)| w::Param {
                        name: name.clone(),
                        value: match value {
                            P::Flag(v) => w::ParamValue::Flag(*v),
                            P::Integer(v) => w::ParamValue::Integer(*v),
                            P::Number(v) => w::ParamValue::Number(*v),
                            P::Text(v) => w::ParamValue::Text(v.clone()),
                            P::TextList(v) => w::ParamValue::TextList(v.clone()),
                        },
                    }).collect()
            }
            /// The parameters back from the contract's list.
            pub fn params_from_wit(p: Vec<w::Param>) -> $crate::params::Params {
                    use $crate::params::ParamValue as P;
                    $crate::params::Params(p.into_iter().map(|param| (param.name, match param.value {
                        w::ParamValue::Flag(v) => P::Flag(v),
                        w::ParamValue::Integer(v) => P::Integer(v),
                        w::ParamValue::Number(v) => P::Number(v),
                        w::ParamValue::Text(v) => P::Text(v),
                        w::ParamValue::TextList(v) => P::TextList(v),
                    })).collect())
            }
    };
    // The types contracts 0.1.0 and 0.2.0 share and 0.3.0 changed (inside the `@common` scope).
    (@legacy) => {
            $crate::wit_conversions!(@enum Approver [Supervisor, HeadOfAgency]);
            impl From<&sdk::Employee> for w::Employee {
                fn from(e: &sdk::Employee) -> Self {
                    w::Employee {
                        nip: e.nip.clone(),
                        name: e.name.clone(),
                        employment_type: (&e.employment_type).into(),
                        region: e.region.clone(),
                        agency: e.agency.clone(),
                        unit: e.unit.clone(),
                        position_kind: (&e.position_kind).into(),
                        echelon: e.echelon,
                        public_service: e.public_service,
                        task_category: (&e.task_category).into(),
                        service_months: e.service_months,
                        ratings: list(&e.ratings),
                        potential: (&e.potential).into(),
                        penalties: list(&e.penalties),
                        unexcused_absence_days: e.unexcused_absence_days,
                        previous_review: e.previous_review.as_ref().map(Into::into),
                    }
                }
            }
            impl From<w::Employee> for sdk::Employee {
                fn from(e: w::Employee) -> Self {
                    sdk::Employee {
                        nip: e.nip,
                        name: e.name,
                        employment_type: e.employment_type.into(),
                        region: e.region,
                        agency: e.agency,
                        unit: e.unit,
                        position_kind: e.position_kind.into(),
                        echelon: e.echelon,
                        public_service: e.public_service,
                        task_category: e.task_category.into(),
                        service_months: e.service_months,
                        ratings: unlist(e.ratings),
                        potential: e.potential.into(),
                        penalties: unlist(e.penalties),
                        unexcused_absence_days: e.unexcused_absence_days,
                        previous_review: e.previous_review.map(Into::into),
                        position_code: String::new(),
                        position_status: sdk::PositionStatus::Unlisted,
                    }
                }
            }
            impl From<&sdk::Approval> for w::Approval {
                fn from(a: &sdk::Approval) -> Self {
                    w::Approval { approver: (&a.approver).into(), by_nip: a.by_nip.clone(), approved: a.approved }
                }
            }
            impl From<w::Approval> for sdk::Approval {
                fn from(a: w::Approval) -> Self {
                    sdk::Approval { approver: a.approver.into(), by_nip: a.by_nip, approved: a.approved }
                }
            }
            impl From<&sdk::Application> for w::Application {
                fn from(a: &sdk::Application) -> Self {
                    w::Application {
                        id: a.id.clone(),
                        quarter: (&a.quarter).into(),
                        requested_remote_days: a.requested_remote_days,
                        location_kind: (&a.location_kind).into(),
                        work_plan: a.work_plan.clone(),
                        kpi_baseline: a.kpi_baseline,
                        kpi_target: a.kpi_target,
                        approvals: list(&a.approvals),
                    }
                }
            }
            impl From<w::Application> for sdk::Application {
                fn from(a: w::Application) -> Self {
                    sdk::Application {
                        id: a.id,
                        quarter: a.quarter.into(),
                        requested_remote_days: a.requested_remote_days,
                        location_kind: a.location_kind.into(),
                        work_plan: a.work_plan,
                        kpi_baseline: a.kpi_baseline,
                        kpi_target: a.kpi_target,
                        approvals: unlist(a.approvals),
                    }
                }
            }
            impl From<&sdk::Eligibility> for w::Eligibility {
                fn from(e: &sdk::Eligibility) -> Self {
                    w::Eligibility {
                        eligible: e.eligible,
                        max_remote_days: e.max_remote_days,
                        approvals_required: list(&e.approvals_required),
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
                        approvals_required: unlist(e.approvals_required),
                        priority: e.priority,
                        reasons: unlist(e.reasons),
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
                        service_months: 0,
                        previous_quarter: sdk::PreviousOutcome::None,
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
                    w::Grant { application_id: g.application_id.clone(), nip: g.nip.clone(), remote_days: g.remote_days, weekdays: list(&g.weekdays) }
                }
            }
            impl From<w::Grant> for sdk::Grant {
                fn from(g: w::Grant) -> Self {
                    sdk::Grant { application_id: g.application_id, nip: g.nip, remote_days: g.remote_days, weekdays: unlist(g.weekdays), reasons: Vec::new() }
                }
            }
    };
    (@enum $name:ident [$($variant:ident),+]) => {
        impl From<&sdk::$name> for w::$name {
            fn from(v: &sdk::$name) -> Self { match v { $(sdk::$name::$variant => w::$name::$variant),+ } }
        }
        impl From<w::$name> for sdk::$name {
            fn from(v: w::$name) -> Self { match v { $(w::$name::$variant => sdk::$name::$variant),+ } }
        }
    };
}

/// Expands the conversions of the `verdict` record (contract 0.2.0 and later) for a generated
/// `types` module; invoked beside [`wit_conversions!`] in the same module.
#[doc(hidden)]
#[macro_export]
macro_rules! wit_verdict_conversions {
    ($($w:ident)::+) => {
        impl From<$crate::types::Verdict> for $($w)::+::Verdict {
            fn from(v: $crate::types::Verdict) -> Self {
                $($w)::+::Verdict {
                    eligible: v.eligible,
                    max_remote_days: v.max_remote_days,
                    approvals_required: v.approvals_required.iter().map(Into::into).collect(),
                    priority: v.priority,
                    failed: v.failed,
                }
            }
        }
        impl From<$($w)::+::Verdict> for $crate::types::Verdict {
            fn from(v: $($w)::+::Verdict) -> Self {
                $crate::types::Verdict {
                    eligible: v.eligible,
                    max_remote_days: v.max_remote_days,
                    approvals_required: v.approvals_required.into_iter().map(Into::into).collect(),
                    priority: v.priority,
                    failed: v.failed,
                }
            }
        }
    };
}
