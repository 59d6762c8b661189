//! The baseline in Cedar (`cedar-policy`): `rules/baseline.cedar`.
//!
//! Per decision the applicant becomes the principal entity and the application the resource
//! entity (attributes from the Rust [`Case`]); the context carries the evaluation date and the
//! manifest's parameters (built once, cloned per request). Eligibility is the decision (every
//! gate is a `forbid`); the pattern is the highest `@days` annotation among the determining
//! `permit`s of an allowed request.

use crate::{Case, Decider, Lookups, Outcome, RuleParams, employment_code, expectation_code, penalty_code};
use crate::{potential_code, task_code};
use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid, PolicyId, PolicySet, Request,
    RestrictedExpression,
};
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

/// The policies, embedded.
pub const POLICIES: &str = include_str!("../rules/baseline.cedar");

/// Cedar has no iteration: a case's penalties fill this many fixed slots.
pub const PENALTY_SLOTS: usize = 2;

/// The Cedar decider: policies parsed once, entities built per decision.
pub struct Cedar {
    authorizer: Authorizer,
    policies: PolicySet,
    days_by_policy: HashMap<PolicyId, u8>,
    context: Context,
    employee_type: EntityTypeName,
    application_type: EntityTypeName,
    action: EntityUid,
}

impl Cedar {
    /// Parse the policies and build the context for `params`.
    pub fn new(params: &RuleParams) -> Cedar {
        let policies = PolicySet::from_str(POLICIES).expect("the Cedar policies parse");
        let days_by_policy = policies
            .policies()
            .filter_map(|p| {
                let days = p.annotation("days")?.parse().expect("@days is a number");
                Some((p.id().clone(), days))
            })
            .collect();
        let long = RestrictedExpression::new_long;
        let context = Context::from_pairs([
            ("today".to_owned(), long(params.today)),
            ("window_start".to_owned(), long(params.window_start)),
            ("light_window_start".to_owned(), long(params.light_window_start)),
            ("max_remote_days".to_owned(), long(params.max_remote_days)),
            ("min_service_months".to_owned(), long(params.min_service_months)),
            ("min_rating_rank".to_owned(), long(params.min_rating_rank)),
            (
                "max_unexcused_absence_days".to_owned(),
                long(params.max_unexcused_absence_days),
            ),
            (
                "kpi_miss_reduction_days".to_owned(),
                long(params.kpi_miss_reduction_days),
            ),
        ])
        .expect("a valid context");
        Cedar {
            authorizer: Authorizer::new(),
            policies,
            days_by_policy,
            context,
            employee_type: EntityTypeName::from_str("Employee").expect("type name"),
            application_type: EntityTypeName::from_str("Application").expect("type name"),
            action: EntityUid::from_str(r#"Action::"evaluate""#).expect("action uid"),
        }
    }

    /// The request and entities for one case.
    fn input(&self, case: &Case) -> (Request, Entities) {
        let (e, a) = (&case.employee, &case.application);
        let look = Lookups::of(case);
        let string = |s: &str| RestrictedExpression::new_string(s.to_owned());
        let long = RestrictedExpression::new_long;
        let record = |fields: Vec<(String, RestrictedExpression)>| {
            RestrictedExpression::new_record(fields).expect("distinct record fields")
        };

        let mut attrs: HashMap<String, RestrictedExpression> = HashMap::with_capacity(12);
        attrs.insert(
            "public_service".into(),
            RestrictedExpression::new_bool(e.public_service),
        );
        attrs.insert("task_category".into(), string(task_code(e.task_category)));
        attrs.insert("employment_type".into(), string(employment_code(e.employment_type)));
        attrs.insert("potential".into(), string(potential_code(e.potential)));
        attrs.insert("service_months".into(), long(i64::from(e.service_months)));
        attrs.insert(
            "unexcused_absence_days".into(),
            long(i64::from(e.unexcused_absence_days)),
        );
        if let Some((result, behaviour)) = look.rating {
            attrs.insert(
                "rating".into(),
                record(vec![
                    ("work_result".into(), string(expectation_code(result))),
                    ("work_behaviour".into(), string(expectation_code(behaviour))),
                ]),
            );
        }
        assert!(
            e.penalties.len() <= PENALTY_SLOTS,
            "Cedar model has {PENALTY_SLOTS} penalty slots"
        );
        for (slot, p) in e.penalties.iter().enumerate() {
            let mut fields = vec![
                ("level".to_owned(), string(penalty_code(p.level))),
                ("start".to_owned(), long(p.start.days_since_epoch())),
            ];
            if let Some(end) = p.end {
                fields.push(("end".to_owned(), long(end.days_since_epoch())));
            }
            attrs.insert(format!("penalty{slot}"), record(fields));
        }
        if let Some(r) = e.previous_review {
            attrs.insert(
                "previous_review".into(),
                record(vec![
                    ("granted_remote_days".into(), long(i64::from(r.granted_remote_days))),
                    ("kpi_achieved".into(), RestrictedExpression::new_bool(r.kpi_achieved)),
                ]),
            );
        }
        let principal = EntityUid::from_type_name_and_id(self.employee_type.clone(), EntityId::new(&e.nip));
        let employee = Entity::new(principal.clone(), attrs, HashSet::new()).expect("employee entity");

        let mut attrs: HashMap<String, RestrictedExpression> = HashMap::with_capacity(3);
        attrs.insert(
            "kpi_baseline".into(),
            RestrictedExpression::new_decimal(format!("{:.4}", a.kpi_baseline)),
        );
        attrs.insert(
            "kpi_target".into(),
            RestrictedExpression::new_decimal(format!("{:.4}", a.kpi_target)),
        );
        attrs.insert("supervisor".into(), string(look.supervisor));
        let resource = EntityUid::from_type_name_and_id(self.application_type.clone(), EntityId::new(&a.id));
        let application = Entity::new(resource.clone(), attrs, HashSet::new()).expect("application entity");

        let entities = Entities::from_entities([employee, application], None).expect("entities");
        let request = Request::new(principal, self.action.clone(), resource, self.context.clone(), None)
            .expect("a valid request");
        (request, entities)
    }
}

impl Decider for Cedar {
    fn name(&self) -> String {
        "Cedar (cedar-policy, entities per decision)".into()
    }

    fn decide(&mut self, case: &Case) -> Outcome {
        let (request, entities) = self.input(case);
        let response = self.authorizer.is_authorized(&request, &self.policies, &entities);
        assert!(
            response.diagnostics().errors().next().is_none(),
            "Cedar evaluation errors: {:?}",
            response.diagnostics().errors().collect::<Vec<_>>()
        );
        if response.decision() != Decision::Allow {
            return Outcome {
                eligible: false,
                remote_days: 0,
            };
        }
        let remote_days = response
            .diagnostics()
            .reason()
            .filter_map(|id| self.days_by_policy.get(id).copied())
            .max()
            .expect("an allowed request has a determining @days permit");
        Outcome {
            eligible: true,
            remote_days,
        }
    }
}
