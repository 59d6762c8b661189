# Province baseline (Pergub Jabar MKD) in Rego, evaluated by regorus.
#
# input: {"today", "employee": {public_service, task_category, employment_type, potential,
#          service_months, unexcused_absence_days, rating?: {work_result, work_behaviour}
#          (the latest assessment), penalties: [{level, start, end?}] (dates as days since
#          1970-01-01), previous_review?: {granted_remote_days, kpi_achieved}},
#         "application": {kpi_baseline, kpi_target, supervisor: "approved"|"pending"|"rejected"}}
# data.params: the manifest's parameters, plus window_start (today less the penalty look-back)
# and light_window_start (today less the light-penalty look-back).
# Result: data.dwa.baseline.decision = {"eligible": bool, "days": number}.
package dwa.baseline

import rego.v1

employee := input.employee

application := input.application

params := data.params

# PermenPANRB 6/2022: work result × work behaviour → rank (0 Sangat Baik … 4 Sangat Kurang).
rank_matrix := {
	"above": {"above": 0, "meets": 1, "below": 2},
	"meets": {"above": 1, "meets": 1, "below": 3},
	"below": {"above": 2, "meets": 2, "below": 4},
}

rating_rank := rank_matrix[employee.rating.work_result][employee.rating.work_behaviour]

# Performance axis of the talent box: Sangat Baik above, Baik meets, anything else (or no
# rating) below.
default performance := "below"

performance := "above" if rating_rank == 0

performance := "meets" if rating_rank == 1

# 9-box numbering: 9 above+high … 1 below+low.
box_matrix := {
	"above": {"high": 9, "medium": 7, "low": 4},
	"meets": {"high": 8, "medium": 5, "low": 2},
	"below": {"high": 6, "medium": 3, "low": 1},
}

talent_box := box_matrix[performance][employee.potential]

# Days anywhere by box: 9 → 4, 7–8 → 3, 4–6 → 1, otherwise 0.
days_by_box := [0, 0, 0, 0, 1, 1, 1, 3, 3, 4]

box_days := days_by_box[talent_box]

# A missed KPI lowers the ceiling to the previous grant less the reduction.
default ceiling := 5

ceiling := max([employee.previous_review.granted_remote_days - params.kpi_miss_reduction_days, 0]) if {
	employee.previous_review.kpi_achieved == false
}

# Gates: each rule is true when the gate fails.
failed contains "PUBLIC_SERVICE" if employee.public_service

failed contains "PUBLIC_SERVICE" if employee.task_category == "public_service"

failed contains "EMPLOYMENT_TYPE" if employee.employment_type == "cpns"

failed contains "SERVICE_LENGTH" if employee.service_months < params.min_service_months

failed contains "DISCIPLINE" if {
	some p in employee.penalties
	p.start <= input.today
	blocking(p)
}

failed contains "RATING" if not rating_ok

failed contains "ABSENCE" if employee.unexcused_absence_days > params.max_unexcused_absence_days

failed contains "KPI_TARGET" if application.kpi_target <= application.kpi_baseline

failed contains "SUPERVISOR_APPROVAL" if application.supervisor == "rejected"

failed contains "TALENT_BOX" if box_days == 0

failed contains "PREVIOUS_REVIEW" if ceiling == 0

rating_ok if rating_rank <= params.min_rating_rank

# In force today.
blocking(p) if p.end >= input.today

# Moderate or severe without an end date.
blocking(p) if {
	p.level != "light"
	not p.end
}

# Moderate or severe that ended within the look-back window.
blocking(p) if {
	p.level != "light"
	p.end >= params.window_start
}

# Light, its last day (its end, or its start without one) within the light look-back window.
blocking(p) if {
	p.level == "light"
	p.end >= params.light_window_start
}

blocking(p) if {
	p.level == "light"
	not p.end
	p.start >= params.light_window_start
}

eligible := count(failed) == 0

decision := {"eligible": true, "days": min([box_days, params.max_remote_days, ceiling])} if eligible

decision := {"eligible": false, "days": 0} if not eligible
