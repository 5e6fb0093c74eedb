#!/usr/bin/env python3
"""Pool several `loraserve eval qa --sweep --json` reports (one per question set) threshold by
threshold: near-miss false hits counted over all sets, with a 95% Wilson interval, and each set's
tokens saved. Standard library only.

Usage: python3 Scripts/pool_qa_sweeps.py NAME=reports/qa/dev-sweep-verifier/report.json ...
Prints a Markdown table; the thresholds are those every report has.
"""
import json
import math
import sys


def wilson(k, n, z=1.959964):
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (0.0 if k == 0 else max(0.0, centre - half)), (1.0 if k == n else min(1.0, centre + half))


def main(args):
    if not args:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    sets = []
    for arg in args:
        name, _, path = arg.partition("=")
        with open(path, encoding="utf-8") as f:
            report = json.load(f)
        rows = {}
        for row in report["sweep"]:
            near = row["by_kind"]["near_miss"]["questions"]
            rows[round(row["threshold"], 4)] = (round(row["false_hit_rate"] * near), near, row["summary_tokens_saved_fraction"],
                                               row["f1_with_cache"] - row["f1_without_cache"])
        sets.append((name, rows))
    thresholds = sorted(set.intersection(*(set(rows) for _, rows in sets)))
    names = [name for name, _ in sets]
    print("| P(same) ≥ | false hits (%s) | pooled false-hit rate (95%% interval) | tokens saved (%s) | worst F1 change |" % (
        " / ".join(names), " / ".join(names)))
    print("|---|---|---|---|---|")
    for t in thresholds:
        cells = [rows[t] for _, rows in sets]
        k = sum(c[0] for c in cells)
        n = sum(c[1] for c in cells)
        lo, hi = wilson(k, n)
        print("| %.2f | %s of %s | %.1f%% (%.1f–%.1f%%) | %s | %+.1f |" % (
            t, " / ".join(str(c[0]) for c in cells), " / ".join(str(c[1]) for c in cells), 100 * k / n, 100 * lo, 100 * hi,
            " / ".join("%.1f%%" % (100 * c[2]) for c in cells), min(c[3] for c in cells)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
