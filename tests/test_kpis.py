"""Governance KPIs on a known data set: every measure's value and the counts behind it, the
filters by board, org unit (with the units below it) and period, the period presets, the
monthly series, permissions and a fixed number of statements whatever the data size."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from conftest import count_statements
from sqlmodel import Session

from eagov.errors import Forbidden, Invalid
from eagov.models import (
    Action,
    Board,
    Contract,
    ContractVersion,
    Decision,
    Deliverable,
    Dispensation,
    GovernanceRequest,
    MaturityAssessment,
    MaturityModel,
    OrgUnit,
    Person,
    PersonRole,
    Review,
    RoleRequirement,
    Signature,
    Skill,
    SkillAssessment,
    SkillCategory,
    SkillFramework,
    SkillRole,
    SurveyInvitation,
)
from eagov.permissions import SYSTEM, Actor
from eagov.schemas.kpis import KpiQuery, Preset
from eagov.services import kpis

START, END = date(2026, 1, 1), date(2026, 3, 31)
TODAY = END


def at(day: str, hour: float = 0) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC) + timedelta(hours=hour)


@dataclass
class Data:
    board_a: int
    board_b: int
    unit_1: int  # parent of unit_1a
    unit_1a: int
    unit_2: int


_numbers = itertools.count(1)


def _ref(prefix: str) -> dict[str, Any]:
    n = next(_numbers)
    return {"reference": f"{prefix}-{n:05d}", "year": 2026, "number": n}


def build(session: Session, copies: int = 1, tag: str = "") -> Data:
    """The known data set (see the module's tests for the expected figures). ``copies``
    repeats every record, so shares, medians and averages stay the same while the row count
    grows."""
    a = Board(name=f"Board A{tag}", level="global")
    b = Board(name=f"Board B{tag}", level="segment")
    u1 = OrgUnit(name=f"Unit 1{tag}", kind="division")
    u2 = OrgUnit(name=f"Unit 2{tag}", kind="division")
    session.add_all([a, b, u1, u2])
    session.flush()
    u1a = OrgUnit(name=f"Unit 1a{tag}", kind="department", parent_id=u1.id)
    sponsor = Person(name=f"Sponsor{tag}", email=f"sponsor{tag}@example.com")
    session.add_all([u1a, sponsor])
    session.flush()
    data = Data(a.id, b.id, u1.id, u1a.id, u2.id)  # type: ignore[arg-type]
    for _ in range(copies):
        _one_copy(session, data, sponsor.id)  # type: ignore[arg-type]
    session.commit()
    return data


def _review(d: Data, board: int, unit: int | None, asked: str, signed: str | None, **kw: Any):
    values = {
        "title": "Review",
        "project": "Project",
        "board_id": board,
        "org_unit_id": unit,
        "checkpoint": "initial_design",
        "requested_at": at(asked),
        "signed_off_at": at(signed) if signed else None,
        "state": "signed_off" if signed else "interviewing",
    }
    return Review(**(_ref("CR") | values | kw))


def _one_copy(s: Session, d: Data, sponsor: int) -> None:
    a, b = d.board_a, d.board_b
    # Reviews: 4 signed off in the period (10, 30, 20 and 54 days), 3 compliant or better.
    r1 = _review(d, a, d.unit_1, "2026-01-01", "2026-01-11", computed_level="compliant")
    r2 = _review(
        d,
        a,
        d.unit_1a,
        "2026-01-05",
        "2026-02-04",
        computed_level="non_conformant",
        level_override="fully_conformant",
        state="closed",
    )
    r3 = _review(d, b, d.unit_2, "2026-02-01", "2026-02-21", computed_level="conformant")
    r4 = _review(d, a, d.unit_2, "2026-01-27", "2026-03-22", computed_level="consistent")
    before = _review(d, a, d.unit_1, "2025-11-01", "2025-12-20", computed_level="compliant")
    open_ = _review(d, a, d.unit_1, "2026-02-01", None, computed_level="compliant")
    s.add_all([r1, r2, r3, r4, before, open_])
    s.flush()

    def dsp(review: Review, state: str, **kw: Any) -> Dispensation:
        values = {
            "review_id": review.id,
            "justification": "Needed for the migration.",
            "requested_expiry": date(2026, 9, 30),
            "state": state,
            "requested_at": at("2025-10-01"),
        }
        return Dispensation(**(_ref("DSP") | values | kw))

    s.add_all(
        [
            dsp(
                r1,
                "granted",
                decided_at=at("2026-01-15"),
                expires_on=date(2026, 4, 15),
                item_references=["A-1"],
                standards=["TLS"],
            ),
            dsp(
                r2,
                "granted",
                decided_at=at("2026-02-10"),
                expires_on=date(2026, 9, 30),
                item_references=["A-1"],
            ),
            dsp(
                r4,
                "expired",
                decided_at=at("2025-11-01"),
                expires_on=date(2026, 2, 1),
                standards=["TLS"],
            ),
            dsp(r3, "refused", decided_at=at("2026-02-01"), item_references=["A-1"]),
            dsp(r3, "requested", standards=["Cloud"]),
        ]
    )

    # Contracts: C1 (board A, unit 1) amended; the acceptances carried into version 2 count
    # once. C2 (board B, unit 2).
    def contract(board: int, effective: int) -> Contract:
        return Contract(
            **_ref("AC"),
            type="soaw",
            status="active",
            board_id=board,
            effective_version=effective,
            latest_version=effective,
        )

    c1, c2 = contract(a, 2), contract(b, 1)
    s.add_all([c1, c2])
    s.flush()

    def version(c: Contract, number: int, unit: int, approved: str, signed: str) -> Any:
        return ContractVersion(
            contract_id=c.id,
            number=number,
            state="signed",
            title="Contract",
            architecture_unit_id=unit,
            sponsor_id=sponsor,
            window_start=date(2025, 1, 1),
            window_end=date(2027, 1, 1),
            approved_at=at(approved),
            signed_at=at(signed),
        )

    v11 = version(c1, 1, d.unit_1, "2025-10-01", "2025-10-05")
    v12 = version(c1, 2, d.unit_1, "2026-02-01", "2026-02-06T12:00")
    v21 = version(c2, 1, d.unit_2, "2026-03-01", "2026-03-04T12:00")
    s.add_all([v11, v12, v21])
    s.flush()
    for v, moments in (
        (v11, ["2025-10-02", "2025-10-05"]),
        (v12, ["2026-02-03", "2026-02-06T12:00"]),  # 5.5 days after approval
        (v21, ["2026-03-02", "2026-03-04T12:00"]),  # 3.5 days
    ):
        for capacity, moment in zip(("sponsor", "board_chair"), moments, strict=True):
            s.add(
                Signature(
                    version_id=v.id,
                    capacity=capacity,
                    signer_name="Signer",
                    signed_at=at(moment),
                    version_hash="0" * 64,
                )
            )
    deliverables = [
        # (due, accepted, status): 3 accepted in the period, 2 of them on time.
        (date(2026, 1, 31), "2026-01-31T15:00", "accepted"),
        (date(2026, 2, 15), "2026-02-20", "accepted"),
        (date(2026, 3, 30), "2026-03-01", "accepted"),
        (date(2025, 12, 1), "2025-12-01", "accepted"),
        (date(2026, 3, 1), None, "submitted"),
    ]
    for v in (v11, v12):
        for i, (due, accepted, status) in enumerate(deliverables):
            s.add(
                Deliverable(
                    version_id=v.id,
                    lineage=f"{c1.reference}-{i}",
                    title="Deliverable",
                    phase="a_vision",
                    kind="Vision",
                    due_date=due,
                    status=status,
                    accepted_at=at(accepted) if accepted else None,
                )
            )

    # Requests (default targets: normal 24 h / 120 h, high 8 h / 72 h, low 48 h / 240 h).
    def req(board: int | None, unit: int | None, priority: str, submitted: str, **kw: Any):
        values = {
            "type": "architecture_question",
            "title": "Question",
            "description": "Text",
            "priority": priority,
            "board_id": board,
            "org_unit_id": unit,
            "submitted_at": at(submitted),
            "state": "resolved" if kw.get("resolved_at") else "in_progress",
        }
        return GovernanceRequest(**(_ref("GR") | values | kw))

    q1 = req(
        a,
        d.unit_1,
        "normal",
        "2026-01-10",
        first_response_at=at("2026-01-10T10:00"),
        resolved_at=at("2026-01-12"),
    )
    q2 = req(
        a,
        d.unit_2,
        "high",
        "2026-02-01",
        first_response_at=at("2026-02-01T12:00"),  # 12 h: the 8 h target missed
        resolved_at=at("2026-02-02"),
    )
    q3 = req(b, d.unit_2, "normal", "2026-03-01", resolved_at=at("2026-03-01T20:00"))
    q4 = req(a, d.unit_1, "normal", "2026-03-20")  # open, no response: breached
    q5 = req(a, d.unit_1, "low", "2026-03-30T12:00")  # open, still within its targets
    s.add_all([q1, q2, q3, q4, q5])
    s.flush()
    for q, rating, answered in (
        (q1, 5, "2026-01-13"),
        (q2, 2, "2026-02-03"),
        (q3, 5, "2026-03-02"),
    ):
        s.add(
            SurveyInvitation(
                request_id=q.id,
                token_hash=f"{q.reference}-token",
                expires_at=at("2026-06-01"),
                answered_at=at(answered),
                rating=rating,
            )
        )

    for board, day in ((a, "2026-02-01"), (a, "2026-03-15"), (b, "2026-01-20"), (a, "2025-12-01")):
        s.add(
            Decision(
                **_ref("DEC"),
                board_id=board,
                kind="other",
                title="Decision",
                rationale="Because.",
                decided_on=date.fromisoformat(day),
            )
        )
    for board, due, status, resolved in (
        (a, "2026-03-01", "open", None),  # overdue
        (a, "2026-03-10", "done", "2026-03-05"),
        (b, "2026-02-01", "in_progress", None),  # overdue
        (a, "2026-04-10", "open", None),
        (a, "2026-01-01", "cancelled", None),
        (a, "2026-02-01", "done", "2026-03-15"),  # late, but done by the end of the period
    ):
        s.add(
            Action(
                **_ref("ACT"),
                board_id=board,
                description="Do it",
                raised_on=date(2025, 12, 1),
                due_on=date.fromisoformat(due),
                status=status,
                resolved_on=date.fromisoformat(resolved) if resolved else None,
            )
        )
    s.flush()


@pytest.fixture
def data(session: Session) -> Data:
    return build(session)


def report(session: Session, **kw: Any) -> kpis.KpiReport:
    args = {"period_start": START, "period_end": END, "today": TODAY} | kw
    return kpis.compute(session, SYSTEM, **args)


def values(r: kpis.KpiReport) -> dict[str, Any]:
    return {m.key: m.value for m in r.measures}


def test_measures_on_the_known_data_set(session, data):
    r = report(session)
    v = values(r)
    share = r.measure("reviews_compliant_share")
    assert (share.value, share.numerator, share.denominator) == (75.0, 3, 4)
    assert v["review_cycle_median_days"] == 25.0  # 10, 20, 30, 54
    assert v["review_cycle_mean_days"] == 28.5
    assert r.measure("review_cycle_median_days").sample == 4
    assert v["dispensations_active"] == 2
    assert v["dispensations_expiring"] == 1
    assert v["dispensations_recurring"] == 2  # A-1 and TLS, not the refused or single ones
    assert v["dispensations_granted"] == 2
    on_time = r.measure("deliverables_on_time_share")
    assert (on_time.value, on_time.numerator, on_time.denominator) == (66.7, 2, 3)
    lead = r.measure("signature_lead_median_days")
    assert (lead.value, lead.sample) == (4.5, 2)  # 5.5 and 3.5 days
    met = r.measure("requests_targets_met_share")
    assert (met.value, met.numerator, met.denominator) == (66.7, 2, 3)
    assert v["requests_breached"] == 1
    rating = r.measure("satisfaction_average")
    assert (rating.value, rating.sample) == (4.0, 3)
    assert v["decisions_taken"] == 3
    assert v["actions_overdue"] == 2
    assert all(str(m.definition) for m in r.measures)
    assert r.pending == []  # maturity and skills are measured now (see below)


def test_monthly_series(session, data):
    r = report(session)
    assert [m.start for m in r.months] == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert [(m.reviews_signed_off, m.reviews_compliant) for m in r.months] == [
        (1, 1),
        (2, 2),
        (1, 0),
    ]
    assert [m.share_compliant for m in r.months] == [100.0, 100.0, 0.0]
    assert [m.requests_received for m in r.months] == [1, 1, 3]
    assert [m.requests_resolved for m in r.months] == [1, 1, 1]
    assert [m.dispensations_granted for m in r.months] == [1, 1, 0]


def test_board_filter(session, data):
    r = report(session, board_id=data.board_a)
    v = values(r)
    assert r.board_name == "Board A"
    share = r.measure("reviews_compliant_share")
    assert (share.value, share.numerator, share.denominator) == (66.7, 2, 3)
    assert v["review_cycle_median_days"] == 30.0  # 10, 30, 54
    assert v["dispensations_active"] == 2 and v["dispensations_recurring"] == 2
    assert v["signature_lead_median_days"] == 5.5
    assert v["deliverables_on_time_share"] == 66.7
    assert r.measure("requests_targets_met_share").denominator == 2
    assert v["requests_targets_met_share"] == 50.0
    assert v["satisfaction_average"] == 3.5
    assert v["decisions_taken"] == 2 and v["actions_overdue"] == 1

    b = values(report(session, board_id=data.board_b))
    assert b["reviews_compliant_share"] == 100.0
    assert b["dispensations_active"] == 0 and b["dispensations_recurring"] == 0
    assert b["deliverables_on_time_share"] is None
    assert b["signature_lead_median_days"] == 3.5
    assert b["decisions_taken"] == 1 and b["actions_overdue"] == 1


def test_unit_filter_covers_the_units_below(session, data):
    r = report(session, org_unit_id=data.unit_1)
    v = values(r)
    assert r.org_unit_name == "Unit 1"
    # Unit 1a's review counts towards unit 1.
    assert r.measure("reviews_compliant_share").denominator == 2
    assert v["reviews_compliant_share"] == 100.0
    assert v["dispensations_active"] == 2
    assert v["deliverables_on_time_share"] == 66.7  # C1's architecture unit
    assert v["signature_lead_median_days"] == 5.5
    assert r.measure("requests_targets_met_share").denominator == 1
    assert v["requests_breached"] == 1
    assert v["satisfaction_average"] == 5.0
    # Board activity is not narrowed by unit, and says so.
    assert v["decisions_taken"] == 3
    assert not r.measure("decisions_taken").by_unit

    child = values(report(session, org_unit_id=data.unit_1a))
    assert child["reviews_compliant_share"] == 100.0
    assert child["deliverables_on_time_share"] is None

    two = report(session, org_unit_id=data.unit_2)
    assert two.measure("reviews_compliant_share").numerator == 1
    assert values(two)["reviews_compliant_share"] == 50.0
    assert values(two)["requests_breached"] == 0


def test_period_changes_the_numbers(session, data):
    january = report(session, period_end=date(2026, 1, 31))
    v = values(january)
    assert january.as_of == date(2026, 1, 31)
    assert v["reviews_compliant_share"] == 100.0
    assert january.measure("reviews_compliant_share").denominator == 1
    assert v["dispensations_active"] == 2  # D3 still ran until 1 February
    assert v["dispensations_expiring"] == 1  # D3 expires on 1 February
    assert v["dispensations_granted"] == 1
    assert v["decisions_taken"] == 1
    assert v["actions_overdue"] == 0
    assert len(january.months) == 1

    nothing = values(report(session, period_start=date(2024, 1, 1), period_end=date(2024, 6, 30)))
    assert nothing["reviews_compliant_share"] is None
    assert nothing["review_cycle_median_days"] is None
    assert nothing["satisfaction_average"] is None


def test_presets_and_period_checks():
    today = date(2026, 5, 17)
    assert kpis.preset_period(Preset.LAST_30_DAYS, today) == (date(2026, 4, 18), today)
    assert kpis.preset_period(Preset.QUARTER_TO_DATE, today) == (date(2026, 4, 1), today)
    assert kpis.preset_period(Preset.YEAR_TO_DATE, today) == (date(2026, 1, 1), today)
    assert kpis.preset_period(Preset.LAST_12_MONTHS, today) == (date(2025, 6, 1), today)
    q = KpiQuery.model_validate
    assert kpis.resolve_period(q({}), today) == (date(2025, 6, 1), today)
    assert kpis.resolve_period(q({"preset": "year_to_date"}), today)[0] == date(2026, 1, 1)
    assert kpis.resolve_period(q({"from": "2026-02-01", "preset": "last_30_days"}), today) == (
        date(2026, 2, 1),
        today,
    )
    with pytest.raises(Invalid) as exc:
        kpis.resolve_period(q({"from": "2026-03-01", "to": "2026-02-01"}), today)
    assert "to" in exc.value.errors
    with pytest.raises(Invalid) as exc:
        kpis.resolve_period(q({"from": "2000-01-01", "to": "2026-02-01"}), today)
    assert "from" in exc.value.errors


def test_unknown_filters_are_invalid(session, data):
    with pytest.raises(Invalid) as exc:
        report(session, board_id=99999)
    assert "board_id" in exc.value.errors
    with pytest.raises(Invalid) as exc:
        report(session, org_unit_id=99999)
    assert "org_unit_id" in exc.value.errors


def test_contributors_may_not_read_kpis(session, make_user):
    user = make_user("contributor")
    with pytest.raises(Forbidden):
        kpis.compute(session, Actor.of(user), START, END)
    viewer = make_user("viewer")
    assert kpis.compute(session, Actor.of(viewer), START, END, today=TODAY).measures


def test_statements_do_not_grow_with_the_data(app, session):
    small = build(session, copies=1, tag=" s")
    with count_statements(app) as seen:
        first = report(session, board_id=small.board_a)
    large = build(session, copies=10, tag=" l")
    with count_statements(app) as more:
        second = report(session, board_id=large.board_a, org_unit_id=large.unit_1)
        report(session, board_id=large.board_a)
    assert len(more) == len(seen) * 2 + 2  # the unit filter: its name and its subtree
    assert len(seen) <= 22
    same = values(report(session, board_id=large.board_a))
    assert same["reviews_compliant_share"] == values(first)["reviews_compliant_share"]
    assert same["review_cycle_median_days"] == values(first)["review_cycle_median_days"]
    assert second.measure("reviews_compliant_share").denominator == 20


# --- maturity trend per unit and skills coverage per role -----------------------------------------


def _assessment(s: Session, model: MaturityModel, unit: int, on: str, score: float, **kw: Any):
    values = {
        "model_id": model.id,
        "org_unit_id": unit,
        "assessed_on": date.fromisoformat(on),
        "state": "published",
        "overall_score": score,
        "overall_level": int(score),
        "published_at": at(on, 12),
    }
    s.add(MaturityAssessment(**(_ref("MA") | values | kw)))


def build_maturity(session: Session, d: Data) -> None:
    acmm = MaturityModel(key="acmm", version="1.0", method="weighted_mean")
    cmmi = MaturityModel(key="cmmi", version="1.0", method="lowest")
    session.add_all([acmm, cmmi])
    session.flush()
    # Unit 1: 2.0 -> 2.6 (improving); a later one published after the period is left out.
    _assessment(session, acmm, d.unit_1, "2025-01-20", 2.0)
    _assessment(session, acmm, d.unit_1, "2026-02-10", 2.6)
    _assessment(session, acmm, d.unit_1, "2026-04-10", 4.0)
    # Unit 1a: 1.5 -> 1.3 (declining); a draft with a higher score does not count.
    _assessment(session, acmm, d.unit_1a, "2025-06-01", 1.5)
    _assessment(session, acmm, d.unit_1a, "2026-01-15", 1.3)
    _assessment(session, acmm, d.unit_1a, "2026-03-01", 3.0, state="scoring", published_at=None)
    # Unit 2: its latest is of another model: nothing to compare with.
    _assessment(session, acmm, d.unit_2, "2025-03-01", 2.0)
    _assessment(session, cmmi, d.unit_2, "2026-03-15", 3.0)
    session.commit()


def build_skills(session: Session, d: Data) -> None:
    fw = SkillFramework(key="togaf", version="1")
    session.add(fw)
    session.flush()
    cat = SkillCategory(framework_id=fw.id, key="ea", position=1, name={"en": "EA"})
    session.add(cat)
    session.flush()
    s1, s2 = (
        Skill(framework_id=fw.id, category_id=cat.id, key=k, position=i, name={"en": k})
        for i, k in enumerate(("data_design", "modelling"))
    )
    data_role = SkillRole(
        framework_id=fw.id, key="ea_data", position=1, name={"en": "Data", "zh_Hans": "数据架构师"}
    )
    manager = SkillRole(framework_id=fw.id, key="ea_manager", position=2, name={"en": "Manager"})
    free = SkillRole(framework_id=fw.id, key="free", position=3, name={"en": "No profile"})
    session.add_all([s1, s2, data_role, manager, free])
    session.flush()
    session.add_all(
        [
            RoleRequirement(role_id=data_role.id, skill_id=s1.id, level=3),
            RoleRequirement(role_id=data_role.id, skill_id=s2.id, level=2),
            RoleRequirement(role_id=manager.id, skill_id=s1.id, level=2),
        ]
    )
    people = {}
    for name, unit in (
        ("p1", d.unit_1),
        ("p2", d.unit_1a),
        ("p3", d.unit_2),
        ("p4", d.unit_2),
        ("p5", d.unit_2),
        ("p6", d.unit_2),
    ):
        people[name] = Person(name=name, email=f"{name}@skills.example.com", org_unit_id=unit)
    session.add_all(people.values())
    session.flush()

    def held(person: str, role: SkillRole, relation: str = "held", since: str | None = None):
        return PersonRole(
            person_id=people[person].id,
            role_id=role.id,
            relation=relation,
            since=date.fromisoformat(since) if since else None,
        )

    def skill(person: str, sk: Skill, level: int, on: str, agreed: bool = True):
        return SkillAssessment(
            person_id=people[person].id,
            skill_id=sk.id,
            level=level,
            source="manager" if agreed else "self",
            assessed_on=date.fromisoformat(on),
            agreed=agreed,
        )

    session.add_all(
        [
            # p1 meets the data profile with its latest levels (an older 2 is superseded).
            held("p1", data_role, since="2025-01-01"),
            skill("p1", s1, 2, "2025-01-05"),
            skill("p1", s1, 3, "2026-01-10"),
            skill("p1", s2, 2, "2026-01-10"),
            # p2 is short in s2 at the end of the period (the 3 comes later).
            held("p2", data_role),
            skill("p2", s1, 4, "2025-05-01"),
            skill("p2", s2, 1, "2025-05-01"),
            skill("p2", s2, 3, "2026-04-05"),
            # p3's s2 is only self-assessed (not agreed).
            held("p3", data_role),
            skill("p3", s1, 3, "2026-01-01"),
            skill("p3", s2, 2, "2026-01-01", agreed=False),
            # p4 meets the manager profile; a target role does not count.
            held("p4", manager),
            held("p4", data_role, relation="target"),
            skill("p4", s1, 2, "2025-12-01"),
            # p5 holds the role only after the period; p6's role has no profile.
            held("p5", manager, since="2026-05-01"),
            held("p6", free),
        ]
    )
    session.commit()


def test_maturity_trend_per_unit(session, data):
    build_maturity(session, data)
    r = report(session)
    up, down = r.measure("maturity_units_improving"), r.measure("maturity_units_declining")
    assert (up.value, up.numerator, up.denominator) == (1, 1, 2)
    assert (down.value, down.numerator, down.denominator) == (1, 1, 2)
    mean = r.measure("maturity_mean_change")
    assert (mean.value, mean.sample) == (0.2, 2)  # +0.6 and -0.2
    assert dict(r.groups())["maturity"] == [up, down, mean]
    only_1a = report(session, org_unit_id=data.unit_1a)
    assert values(only_1a)["maturity_mean_change"] == -0.2
    assert values(report(session, org_unit_id=data.unit_2))["maturity_mean_change"] is None
    # With the period ending later, unit 1's 4.0 (published 2026-04-10) is its latest.
    later = report(session, period_end=date(2026, 4, 30), today=date(2026, 4, 30))
    assert values(later)["maturity_mean_change"] == pytest.approx(0.6)  # +1.4 and -0.2


def test_skills_coverage_per_role(session, data, app):
    build_skills(session, data)
    r = report(session)
    overall = r.measure("skills_coverage_share")
    assert (overall.value, overall.numerator, overall.denominator) == (50.0, 2, 4)
    per_role = r.measure("skills_coverage_ea_data")
    assert (per_role.value, per_role.numerator, per_role.denominator) == (33.3, 1, 3)
    manager = r.measure("skills_coverage_ea_manager")
    assert (manager.value, manager.numerator, manager.denominator) == (100.0, 1, 1)
    assert "skills_coverage_free" not in values(r)
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        from flask_babel import force_locale

        with force_locale("zh_Hans"):
            assert str(per_role.title) == "数据架构师"
        with force_locale("en"):
            assert str(per_role.title) == "Data"
    unit_1 = report(session, org_unit_id=data.unit_1)
    assert values(unit_1)["skills_coverage_share"] == 50.0  # p1 meets, p2 does not
    later = report(session, period_end=date(2026, 4, 30), today=date(2026, 4, 30))
    assert values(later)["skills_coverage_ea_data"] == 66.7  # p2's s2 is now 3


def test_no_maturity_or_skills_data(session, data):
    r = report(session)
    assert values(r)["maturity_mean_change"] is None
    assert r.measure("maturity_units_improving").denominator == 0
    assert values(r)["skills_coverage_share"] is None
