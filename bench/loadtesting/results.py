"""The load test's results: wrk's output read, the target judged, overload runs summed up, Markdown tables."""

import json
from collections import Counter
from dataclasses import dataclass, field

from loadtesting import (
    RESULT_MARK,
)


@dataclass
class Scenario:
    """A named load: lines of (cookie, path) that wrk picks from at random, and the status class expected."""

    name: str
    description: str
    lines: list = field(default_factory=list)
    expect: str = "2xx"  # "2xx" or "3xx": the status every request of the scenario must get
    connections: int | None = None
    duration: int | None = None
    timeout: int = 10


# --- Parsing wrk's output --------------------------------------------------------------------------------------


def parse_wrk_output(text):
    """The result line of bench/loadtest.lua as a dict, with requests/s, milliseconds and an error count.

    ``errors`` counts responses outside 2xx/3xx (wrk's own status errors), socket errors (connect, read,
    write) and timeouts. Raises ValueError when the output has no result line (wrk failed to start).
    """
    for line in text.splitlines():
        if line.startswith(RESULT_MARK):
            raw = json.loads(line[len(RESULT_MARK) :])
            break
    else:
        raise ValueError("no LOADTEST_RESULT line in wrk's output:\n" + text[-2000:])
    seconds = raw["duration_us"] / 1e6
    socket_errors = raw["connect_errors"] + raw["read_errors"] + raw["write_errors"]
    bad_status = raw["status_4xx"] + raw["status_5xx"] + raw["status_other"]
    return {
        **raw,
        "seconds": seconds,
        "rps": raw["requests"] / seconds if seconds else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "mean_ms": raw["mean_us"] / 1000,
        "socket_errors": socket_errors,
        "errors": max(raw["status_errors"], bad_status) + socket_errors + raw["timeouts"],
    }


def meets_target(result, *, min_rps=150, max_p99_ms=150):
    """The issue's target for the filtered list: at least 150 requests/s, p99 at most 150 ms, no error."""
    return result["rps"] >= min_rps and result["p99_ms"] <= max_p99_ms and result["errors"] == 0


def summarise_overload(records, *, limit_ms=5000, **extra):
    """Counts by status and the latency of every request in an overload run, in all and per path.

    ``records``: (status, seconds to the last byte, path, seconds to the first byte); a request with no
    answer counts its whole time as both. A request over the limit to its first byte waited; one over it
    only to its last byte was answered in time and spent the rest downloading.
    """
    latencies = sorted(seconds * 1000 for _, seconds, _, _ in records)

    def pick(fraction):
        return latencies[min(len(latencies) - 1, int(fraction * len(latencies)))] if latencies else 0.0

    statuses = Counter(str(status) for status, _, _, _ in records)
    by_path = {}
    for status, seconds, path, first_byte in records:
        entry = by_path.setdefault(
            path,
            {"requests": 0, "statuses": Counter(), "max_ms": 0.0, "over_limit": 0, "first_byte_over_limit": 0},
        )
        entry["requests"] += 1
        entry["statuses"][str(status)] += 1
        entry["max_ms"] = max(entry["max_ms"], seconds * 1000)
        entry["over_limit"] += seconds * 1000 > limit_ms
        entry["first_byte_over_limit"] += first_byte * 1000 > limit_ms
    for entry in by_path.values():
        entry["statuses"] = dict(sorted(entry["statuses"].items()))
    return {
        **extra,
        "requests": len(records),
        "statuses": dict(sorted(statuses.items())),
        "p50_ms": pick(0.50),
        "p99_ms": pick(0.99),
        "max_ms": latencies[-1] if latencies else 0.0,
        "over_limit": sum(1 for value in latencies if value > limit_ms),
        "first_byte_max_ms": max((first_byte * 1000 for *_, first_byte in records), default=0.0),
        "first_byte_over_limit": sum(1 for *_, first_byte in records if first_byte * 1000 > limit_ms),
        "limit_ms": limit_ms,
        "fast_refusals": sum(
            1 for status, seconds, _, _ in records if str(status) in ("502", "503") and seconds * 1000 <= limit_ms
        ),
        "by_path": dict(sorted(by_path.items())),
    }


def overload_table(results):
    lines = [
        "| Overload | concurrent | requests | answers | p50 ms | p99 ms | max ms | over 5 s | first byte max ms "
        "| first byte over 5 s | CPU busy |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        answers = ", ".join(f"{count} x {status}" for status, count in result["statuses"].items())
        lines.append(
            f"| {result['name']} | {result['concurrency']} | {result['requests']} | {answers} | "
            f"{result['p50_ms']:.0f} | {result['p99_ms']:.0f} | {result['max_ms']:.0f} | {result['over_limit']} | "
            f"{result['first_byte_max_ms']:.0f} | {result['first_byte_over_limit']} | {result['cpu_busy_pct']:.0f}% |"
        )
        if len(result.get("by_path", {})) > 1:
            for path, entry in result["by_path"].items():
                answers = ", ".join(f"{count} x {status}" for status, count in entry["statuses"].items())
                lines.append(
                    f"| &nbsp;&nbsp;of which {path} | | {entry['requests']} | {answers} | | | "
                    f"{entry['max_ms']:.0f} | {entry['over_limit']} | | {entry['first_byte_over_limit']} | |"
                )
    return "\n".join(lines)


# --- Report -----------------------------------------------------------------------------------------------------


def cpu_ms_text(value):
    """CPU milliseconds per request as a table shows them (blank when not measured)."""
    return "" if value is None else f"{value:.1f}"


def markdown_table(results, floor_rps=None):
    lines = [
        "| Scenario | req/s | x floor | p50 ms | p99 ms | max ms | errors | redirects/other | CPU busy "
        "| app CPU ms/req | db CPU ms/req |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        ratio = f"{result['rps'] / floor_rps:.2f}" if floor_rps else ""
        statuses = []
        if result["status_5xx"]:
            statuses.append(f"{result['status_5xx']} 5xx")
        if result["status_4xx"]:
            statuses.append(f"{result['status_4xx']} 4xx")
        if result["socket_errors"]:
            statuses.append(f"{result['socket_errors']} socket")
        if result["timeouts"]:
            statuses.append(f"{result['timeouts']} timeouts")
        errors = str(result["errors"]) + (f" ({', '.join(statuses)})" if statuses else "")
        lines.append(
            f"| {result['name']} | {result['rps']:.1f} | {ratio} | {result['p50_ms']:.1f} | {result['p99_ms']:.1f} "
            f"| {result['max_ms']:.0f} | {errors} | {result['unexpected']} | {result['cpu_busy_pct']:.0f}% "
            f"| {cpu_ms_text(result.get('app_cpu_ms'))} | {cpu_ms_text(result.get('db_cpu_ms'))} |"
        )
    return "\n".join(lines)
