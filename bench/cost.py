"""The monthly AWS cost of 1,000 active couples, from what the benchmark measured.

Inputs, all measured in the same `make bench` run:
- DynamoDB request units per conversation (bench/capacity.py, the year-old couple);
- turns per conversation, and the skill's mean warm turn: its CPU time and its wall time
  (bench/warm.py);
- the skill's cold start (bench/cold.py), billed as INIT, which Lambda bills for
  functions on managed runtimes since 1 August 2025.

Lambda gives a function CPU in proportion to its memory (one vCPU at 1,769 MB), so the CPU
part of a turn measured here on one full core is scaled by 1,769 / memory; waiting on
DynamoDB is not. That is an upper bound: small functions often run faster than their share
in short bursts. Prices: us-east-1, on-demand, without the free tier.
"""

from __future__ import annotations

from typing import Any

# us-east-1 list prices (checked 2026-12): Lambda arm64, DynamoDB on-demand standard class.
LAMBDA_REQUEST_USD = 0.20 / 1_000_000
LAMBDA_ARM_GB_SECOND_USD = 0.0000133334
DYNAMODB_WRITE_UNIT_USD = 0.625 / 1_000_000
DYNAMODB_READ_UNIT_USD = 0.125 / 1_000_000
DYNAMODB_GB_MONTH_USD = 0.25
FULL_CPU_MB = 1769

COUPLES = 1_000
# An active couple's month: which conversations, how often (a monthly check-in is counted
# as a daily one: the same shape of questions and writes).
MONTH = {"daily check-in": 31, "weekly review": 4, "reminders": 1}
# Share of sessions that start a new Lambda container. Couples talk in the evening, minutes
# apart; an idle container lives for minutes, so most sessions find one warm. Pessimistic.
COLD_SHARE = 0.5
# Kept per couple: the household item and 35 days of day items (the rest expire by TTL).
STORED_KB_PER_COUPLE = 1 + 35 * 0.7


def lambda_ms(cpu_ms: float, wall_ms: float, memory_mb: int) -> float:
    wait_ms = max(0.0, wall_ms - cpu_ms)
    return cpu_ms * max(1.0, FULL_CPU_MB / memory_mb) + wait_ms


def cost_table(details: dict[str, Any], capacity: dict[str, Any]) -> dict[str, Any]:
    """Dollars a month for 1,000 active couples, at 128 and 256 MB."""
    rows = capacity["conversations"]
    turns = sessions = rru = wru = 0.0
    for conversation, times in MONTH.items():
        year = rows[conversation]["year"]
        turns += times * year["turns"]
        sessions += times * year["sessions"]
        rru += times * year["rcu"]
        wru += times * year["wcu"]
    turns, sessions, rru, wru = (x * COUPLES for x in (turns, sessions, rru, wru))
    cold_ms = details["cold_skill_ms_median"]
    cpu_ms, wall_ms = details["warm_skill_cpu_ms_mean"], details["warm_skill_ms_mean"]
    dynamodb = (
        rru * DYNAMODB_READ_UNIT_USD
        + wru * DYNAMODB_WRITE_UNIT_USD
        + COUPLES * STORED_KB_PER_COUPLE / 1024 / 1024 * DYNAMODB_GB_MONTH_USD
    )
    table: dict[str, Any] = {
        "couples": COUPLES,
        "month": MONTH,
        "turns": int(turns),
        "sessions": int(sessions),
        "cold_share": COLD_SHARE,
        "read_units": round(rru),
        "write_units": round(wru),
        "dynamodb_usd": round(dynamodb, 3),
    }
    for memory in (128, 256):
        turn_ms = lambda_ms(cpu_ms, wall_ms, memory)
        # A cold start's time is nearly all CPU (imports): scaled as such.
        init_ms = lambda_ms(cold_ms, cold_ms, memory)
        seconds = (turns * turn_ms + sessions * COLD_SHARE * init_ms) / 1000
        compute = seconds * memory / 1024 * LAMBDA_ARM_GB_SECOND_USD
        requests = turns * LAMBDA_REQUEST_USD
        table[f"{memory}mb"] = {
            "turn_ms_estimated": round(turn_ms, 1),
            "cold_start_ms_estimated": round(init_ms),
            "lambda_usd": round(compute + requests, 3),
            "total_usd": round(compute + requests + dynamodb, 3),
        }
    return table


def printed(table: dict[str, Any]) -> str:
    lines = [
        f"monthly cost, {table['couples']} active couples "
        f"({table['turns']} turns, {table['sessions']} sessions, "
        f"{table['read_units']} read units, {table['write_units']} write units):",
        f"  {'memory':8} {'turn':>9} {'cold start':>11} {'Lambda':>9} {'DynamoDB':>9} {'total':>9}",
    ]
    for memory in (128, 256):
        row = table[f"{memory}mb"]
        turn, cold = row["turn_ms_estimated"], row["cold_start_ms_estimated"]
        lam, dyn, total = row["lambda_usd"], table["dynamodb_usd"], row["total_usd"]
        lines.append(
            f"  {memory:>4} MB  {turn:>6} ms {cold:>8} ms"
            f"  ${lam:>7.2f}  ${dyn:>7.2f}  ${total:>7.2f}"
        )
    return "\n".join(lines)
