"""The arithmetic of the metrics summary (docs/metrics.md): exact, rounded once, null when undefined."""

from __future__ import annotations

from fractions import Fraction

import pytest

from cairn.insights.domain.metrics import (
    Session,
    by_agent_type,
    format_timestamp,
    mean,
    newest,
    parse_timestamp,
    recovery_rate,
    reduction,
    round_half_up,
    summarize,
)

NULLABLE = ("avgCompactionsWithMemory", "avgCompactionsWithoutMemory", "compactionReductionPct",
            "avgContextToolsWithMemory", "avgContextToolsWithoutMemory", "contextToolReductionPct",
            "avgDurationWithMemorySecs", "avgDurationWithoutMemorySecs", "contextRecoveryRate")


def session(recalled: int = 0, compactions: int = 0, tools: int = 0, duration: int = 0,
            agent_type: str = "claude-code") -> Session:
    return Session(agent_type=agent_type, milestones_recalled=recalled, compactions=compactions,
                   context_tools=tools, duration_secs=duration)


def test_with_memory_means_at_least_one_milestone_recalled():
    assert not session(recalled=0).with_memory
    assert session(recalled=1).with_memory


def test_from_record_sums_read_and_search_calls_only():
    record = {"agentType": "cursor", "milestonesRecalled": 3, "compactionCount": 2, "toolCallsRead": 5,
              "toolCallsSearch": 4, "toolCallsEdit": 100, "toolCallsExecute": 100, "toolCallsAgent": 100,
              "toolCallsTotal": 309, "sessionDurationSecs": 60}

    assert Session.from_record(record) == Session("cursor", 3, 2, 9, 60)


def test_empty_project_has_counts_zero_and_every_figure_null():
    body = summarize([])

    assert body["totalSessions"] == body["sessionsWithMemory"] == body["sessionsWithoutMemory"] == 0
    assert all(body[name] is None for name in NULLABLE)
    assert body["sessionsByAgentType"] == []


def test_only_sessions_with_memory_have_no_baseline():
    body = summarize([session(recalled=2, compactions=1, tools=4, duration=100),
                      session(recalled=5, compactions=2, tools=7, duration=200)])

    assert (body["totalSessions"], body["sessionsWithMemory"], body["sessionsWithoutMemory"]) == (2, 2, 0)
    assert body["avgCompactionsWithMemory"] == 1.5
    assert body["avgContextToolsWithMemory"] == 5.5
    assert body["avgDurationWithMemorySecs"] == 150.0
    for name in ("avgCompactionsWithoutMemory", "avgContextToolsWithoutMemory", "avgDurationWithoutMemorySecs",
                 "compactionReductionPct", "contextToolReductionPct", "contextRecoveryRate"):
        assert body[name] is None, name
    assert body["sessionsByAgentType"] == [{"agentType": "claude-code", "sessionCount": 2,
                                            "avgCompactionReductionPct": None, "avgContextToolReductionPct": None}]


def test_only_sessions_without_memory_have_nothing_to_compare():
    body = summarize([session(compactions=4, tools=20, duration=600)])

    assert (body["sessionsWithMemory"], body["sessionsWithoutMemory"]) == (0, 1)
    assert body["avgCompactionsWithoutMemory"] == 4.0
    assert body["avgContextToolsWithoutMemory"] == 20.0
    assert body["avgDurationWithoutMemorySecs"] == 600.0
    for name in ("avgCompactionsWithMemory", "avgContextToolsWithMemory", "avgDurationWithMemorySecs",
                 "compactionReductionPct", "contextToolReductionPct", "contextRecoveryRate"):
        assert body[name] is None, name


def test_a_zero_baseline_gives_null_reductions_and_rate_not_a_division_by_zero():
    body = summarize([session(recalled=1, compactions=2, tools=3), session(compactions=0, tools=0)])

    assert body["avgCompactionsWithoutMemory"] == 0.0
    assert body["avgContextToolsWithoutMemory"] == 0.0
    assert body["compactionReductionPct"] is None
    assert body["contextToolReductionPct"] is None
    assert body["contextRecoveryRate"] is None
    assert body["avgCompactionsWithMemory"] == 2.0


def test_the_specs_example_figures():
    # 1.2 vs 4.8 compactions is 75 % fewer; 8.5 vs 22.3 context tools is 61.9 % fewer.
    assert round_half_up(reduction(Fraction("1.2"), Fraction("4.8")), 1) == 75.0
    assert round_half_up(reduction(Fraction("8.5"), Fraction("22.3")), 1) == 61.9


def test_reductions_and_averages_over_sessions():
    with_memory = [session(recalled=3, compactions=1, tools=6, duration=1000),
                   session(recalled=1, compactions=2, tools=12, duration=1400)]
    without = [session(compactions=4, tools=20, duration=2000), session(compactions=6, tools=24, duration=2200),
               session(compactions=5, tools=22, duration=2100)]

    body = summarize(with_memory + without)

    assert body["avgCompactionsWithMemory"] == 1.5
    assert body["avgCompactionsWithoutMemory"] == 5.0
    assert body["compactionReductionPct"] == 70.0            # (5 - 1.5) / 5
    assert body["avgContextToolsWithMemory"] == 9.0
    assert body["avgContextToolsWithoutMemory"] == 22.0
    assert body["contextToolReductionPct"] == 59.1           # 13 / 22 = 59.0909...
    assert body["avgDurationWithMemorySecs"] == 1200.0
    assert body["avgDurationWithoutMemorySecs"] == 2100.0
    assert body["contextRecoveryRate"] == 1.0                # 6 and 12 are both under 22


def test_memory_sessions_that_needed_more_give_a_negative_reduction():
    body = summarize([session(recalled=1, compactions=3, tools=30), session(compactions=2, tools=20)])

    assert body["compactionReductionPct"] == -50.0
    assert body["contextToolReductionPct"] == -50.0
    assert body["contextRecoveryRate"] == 0.0


def test_recovery_rate_counts_sessions_strictly_below_the_baseline_average():
    without = [session(tools=10), session(tools=20)]               # baseline 15
    with_memory = [session(recalled=1, tools=t) for t in (14, 15, 16)]

    assert recovery_rate(with_memory, without) == Fraction(1, 3)
    assert summarize(with_memory + without)["contextRecoveryRate"] == 0.33
    assert recovery_rate([], without) is None
    assert recovery_rate(with_memory, []) is None


def test_averages_are_rounded_to_two_decimals_from_exact_values():
    assert mean([1, 1, 2]) == Fraction(4, 3)
    body = summarize([session(recalled=1, compactions=c) for c in (1, 1, 2)])
    assert body["avgCompactionsWithMemory"] == 1.33
    body = summarize([session(recalled=1, compactions=c) for c in (1, 2, 2)])
    assert body["avgCompactionsWithMemory"] == 1.67


@pytest.mark.parametrize(("value", "places", "expected"), [
    (Fraction(1225, 100), 1, 12.3),    # a true half rounds away from zero (round() would give 12.2)
    (Fraction(-1225, 100), 1, -12.3),
    (Fraction(1224, 100), 1, 12.2),
    (Fraction(125, 1000), 2, 0.13),
    (Fraction(2, 3), 2, 0.67),
    (Fraction(-1, 100), 1, 0.0),       # never -0.0
    (Fraction(0), 1, 0.0),
    (Fraction(75), 1, 75.0),
])
def test_round_half_up(value, places, expected):
    rounded = round_half_up(value, places)
    assert rounded == expected
    assert str(rounded) == str(expected)


def test_reduction_is_exact_before_rounding():
    # avg with 3.51 against 4: exactly 12.25 %, which rounds up to 12.3
    assert reduction(Fraction(351, 100), Fraction(4)) == Fraction(1225, 100)
    assert round_half_up(reduction(Fraction(351, 100), Fraction(4)), 1) == 12.3
    assert reduction(None, Fraction(4)) is None
    assert reduction(Fraction(1), None) is None
    assert reduction(Fraction(1), Fraction(0)) is None
    assert reduction(Fraction(0), Fraction(4)) == 100


def test_by_agent_type_compares_within_each_type_and_orders_by_size():
    sessions = [
        session(recalled=1, compactions=1, tools=5, agent_type="claude-code"),
        session(recalled=2, compactions=1, tools=5, agent_type="claude-code"),
        session(compactions=4, tools=10, agent_type="claude-code"),
        session(recalled=1, compactions=1, tools=1, agent_type="cursor"),
        session(compactions=2, tools=4, agent_type="cursor"),
        session(compactions=3, tools=3, agent_type=""),
    ]

    assert by_agent_type(sessions) == [
        {"agentType": "claude-code", "sessionCount": 3, "avgCompactionReductionPct": 75.0,
         "avgContextToolReductionPct": 50.0},
        {"agentType": "cursor", "sessionCount": 2, "avgCompactionReductionPct": 50.0,
         "avgContextToolReductionPct": 75.0},
        {"agentType": "", "sessionCount": 1, "avgCompactionReductionPct": None,
         "avgContextToolReductionPct": None},
    ]


def test_timestamps_are_normalized_to_utc_and_ordered_by_moment():
    assert format_timestamp(parse_timestamp("2026-02-10T16:00:00+02:00")) == "2026-02-10T14:00:00Z"
    assert format_timestamp(parse_timestamp("2026-02-10T14:00:00.250Z")) == "2026-02-10T14:00:00.25Z"
    assert format_timestamp(parse_timestamp("2026-02-10T14:00:00")) == "2026-02-10T14:00:00Z"
    for bad in ("2026-02-10", "yesterday", "2026-13-01T00:00:00Z", ""):
        with pytest.raises(ValueError, match=r"ISO 8601|isoformat|month"):
            parse_timestamp(bad)

    records = [{"sessionId": "a", "endedAt": "2026-02-10T14:00:00Z"},
               {"sessionId": "b", "endedAt": "2026-02-10T14:00:00.5Z"},
               {"sessionId": "c", "endedAt": "2026-02-10T14:00:00Z"},
               {"sessionId": "d", "endedAt": "2026-02-09T23:00:00Z"}]
    assert [r["sessionId"] for r in newest(records, 3)] == ["b", "a", "c"]
