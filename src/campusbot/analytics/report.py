"""`platform analytics report`: one self-contained HTML dashboard of the named queries.

Each query's header says how it is drawn (`-- chart:`); the QuickSight analysis draws the same visuals from the
same headers (terraform/modules/quicksight). Charts are Plotly figures; plotly.js is inlined once, so the file
opens anywhere, offline, with no CDN. A few headline figures (turns, conversations, unanswered share, thumbs up,
p95 answer time) sit on top for people who run the assistant and have a minute.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from campusbot.analytics.engine import QueryResult

PALETTE = ["#2563eb", "#f97316", "#10b981", "#a855f7", "#ef4444", "#0ea5e9", "#eab308", "#64748b"]
NO_VALUE = "n/a"
SOURCE_COLORS = {"database": "#2563eb", "documents": "#10b981", "general": "#f97316", "none": "#94a3b8"}


@dataclass(frozen=True)
class Headline:
    label: str
    value: str
    hint: str


def render(
    results: Sequence[QueryResult], *, source: str, since: str | None = None, now: datetime | None = None
) -> str:
    """The dashboard as one HTML document (plotly.js included)."""
    from plotly.offline import get_plotlyjs

    moment = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    period = f"chat events from {since} on" if since else "all chat events"
    sections = "\n".join(_section(result) for result in results)
    cards = "\n".join(
        f'<div class="card headline"><div class="value">{html.escape(h.value)}</div>'
        f'<div class="label">{html.escape(h.label)}</div><div class="hint">{html.escape(h.hint)}</div></div>'
        for h in headlines(results)
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>campusbot analytics</title>
<style>{_CSS}</style>
<script>{get_plotlyjs()}</script>
</head>
<body>
<header>
  <h1>campusbot analytics</h1>
  <p class="meta">{html.escape(period)} · {html.escape(source)} · generated {html.escape(moment)}</p>
</header>
<section class="headlines">{cards}</section>
<main class="grid">
{sections}
</main>
<footer>Each chart is one named query of <code>src/campusbot/analytics/queries/</code>:
run it alone with <code>platform analytics NAME</code>, on Athena with <code>--env</code>.</footer>
</body>
</html>
"""


def headlines(results: Sequence[QueryResult]) -> list[Headline]:
    by_name = {result.query.name: result for result in results}
    cards: list[Headline] = []
    if (daily := by_name.get("daily_turns")) is not None:
        turns = sum(daily.column("turns"))
        sessions = sum(daily.column("sessions"))
        cards.append(Headline("chat turns", f"{turns:,}", f"over {len(daily.rows)} day(s)"))
        cards.append(
            Headline("conversations", f"{sessions:,}", f"{turns / sessions:.1f} turns each" if sessions else "")
        )
    if (rates := by_name.get("unanswered_rate")) is not None and rates.rows:
        turns = sum(rates.column("turns"))
        fallback = sum(rates.column("fallback_turns"))
        dont_know = sum(rates.column("dont_know_turns"))
        cards.append(Headline("fallback", _share(fallback, turns), "turns no intent matched"))
        cards.append(Headline('"I don\'t know"', _share(dont_know, turns), "turns with no answer at all"))
    if (feedback := by_name.get("feedback_by_intent")) is not None:
        ratings = sum(feedback.column("ratings"))
        up = sum(feedback.column("thumbs_up"))
        cards.append(Headline("thumbs up", _share(up, ratings) if ratings else NO_VALUE, f"of {ratings:,} rating(s)"))
    if (latency := by_name.get("latency_by_intent")) is not None and latency.rows:
        slowest = max((v for v in latency.column("p95_ms") if v is not None), default=None)
        cards.append(
            Headline("p95 answer time", f"{slowest:,.0f} ms" if slowest is not None else NO_VALUE, "slowest intent")
        )
    return cards


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.1%}" if whole else NO_VALUE


def _section(result: QueryResult) -> str:
    query = result.query
    if result.error:
        body = f'<div class="empty">Not available: {html.escape(result.error)}</div>'
    elif not result.rows:
        body = _empty()
    else:
        body = _table(result) if query.chart.kind == "table" else _figure(result)
    wide = " wide" if query.chart.kind == "table" or query.chart.kind == "stacked" else ""
    return (
        f'<section class="card chart{wide}" id="query-{query.name}" data-query="{query.name}">'
        f"<h2>{html.escape(query.title)}</h2><p class='description'>{html.escape(query.description)}</p>"
        f"{body}<p class='query'>{html.escape(query.name)} · {len(result.rows)} row(s)</p></section>"
    )


def _empty() -> str:
    return '<div class="empty">No data yet for this period.</div>'


def _table(result: QueryResult) -> str:
    head = "".join(f"<th>{html.escape(_label(c))}</th>" for c in result.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in record.values()) + "</tr>"
        for record in result.records()
    )
    return f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>'


def _figure(result: QueryResult) -> str:
    import plotly.graph_objects as go

    chart = result.query.chart
    records = result.records()
    figure = go.Figure()
    x = [str(r[chart.x]) for r in records]
    if chart.kind == "line":
        for index, column in enumerate(chart.y):
            figure.add_trace(
                go.Scatter(
                    x=x, y=[r[column] for r in records], name=_label(column), mode="lines+markers",
                    line={"color": PALETTE[index % len(PALETTE)], "width": 3},
                )
            )  # fmt: skip
    elif chart.kind == "stacked":
        groups: dict[str, dict[str, Any]] = {}
        for record in records:
            groups.setdefault(str(record[chart.color]), {})[str(record[chart.x])] = record[chart.y[0]]
        days = sorted(set(x))
        for index, (name, values) in enumerate(groups.items()):
            color = SOURCE_COLORS.get(name, PALETTE[index % len(PALETTE)])
            figure.add_trace(go.Bar(x=days, y=[values.get(d, 0) for d in days], name=name, marker_color=color))
        figure.update_layout(barmode="stack")
    elif chart.kind == "barh":
        ordered = list(reversed(records))
        figure.add_trace(
            go.Bar(
                y=[str(r[chart.x]) for r in ordered], x=[r[chart.y[0]] for r in ordered], orientation="h",
                marker_color=PALETTE[0], name=_label(chart.y[0]),
            )
        )  # fmt: skip
    else:
        for index, column in enumerate(chart.y):
            figure.add_trace(
                go.Bar(x=x, y=[r[column] for r in records], name=_label(column), marker_color=PALETTE[index])
            )
        figure.update_layout(barmode="group")
    percent = all(column.endswith("_rate") for column in chart.y)
    figure.update_layout(
        template="plotly_white",
        height=max(320, 28 * len(records) + 120) if chart.kind == "barh" else 340,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        font={"family": "Inter, Segoe UI, Helvetica, Arial, sans-serif", "size": 13, "color": "#1e293b"},
        showlegend=len(figure.data) > 1,
    )
    value_axis = figure.update_xaxes if chart.kind == "barh" else figure.update_yaxes
    types = dict(result.query.columns)
    if percent:
        value_axis(tickformat=".0%", rangemode="tozero")
    elif all(types.get(column) == "INTEGER" for column in chart.y):
        value_axis(tickformat=",d", rangemode="tozero")
    figure.update_xaxes(automargin=True, type="category" if chart.kind != "barh" else None)
    figure.update_yaxes(automargin=True)
    return str(
        figure.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=f"chart-{result.query.name}",
            default_width="100%",
            config={"displaylogo": False, "responsive": True},
        )
    )


def _label(column: str) -> str:
    return column.replace("_pct", " %").replace("_ms", " (ms)").replace("_", " ")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font-family: Inter, "Segoe UI", Helvetica, Arial, sans-serif; background: #f1f5f9; color: #0f172a; }
header { padding: 28px 32px 8px; }
h1 { margin: 0; font-size: 28px; letter-spacing: -0.02em; }
.meta { margin: 6px 0 0; color: #475569; font-size: 14px; }
.headlines { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 16px;
  padding: 16px 32px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 20px; padding: 8px 32px 24px; }
.card { min-width: 0; background: #fff; border-radius: 12px; box-shadow: 0 1px 3px rgba(15, 23, 42, 0.08);
  padding: 18px 20px; }
.card.wide { grid-column: 1 / -1; }
.headline .value { font-size: 30px; font-weight: 700; color: #1d4ed8; }
.headline .label { font-size: 14px; font-weight: 600; margin-top: 2px; }
.headline .hint { font-size: 12px; color: #64748b; margin-top: 2px; }
h2 { margin: 0 0 4px; font-size: 18px; }
.description { margin: 0 0 12px; color: #475569; font-size: 13px; line-height: 1.4; }
.query { margin: 8px 0 0; color: #94a3b8; font-size: 11px; font-family: ui-monospace, monospace; }
.empty { padding: 48px 0; text-align: center; color: #94a3b8; font-size: 15px; border: 1px dashed #cbd5e1;
  border-radius: 8px; }
.table-wrap { max-height: 420px; overflow: auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th { text-align: left; position: sticky; top: 0; background: #f8fafc; color: #334155; font-weight: 600; }
th, td { padding: 8px 10px; border-bottom: 1px solid #e2e8f0; }
td:not(:first-child), th:not(:first-child) { text-align: right; }
tbody tr:nth-child(odd) { background: #fbfdff; }
footer { padding: 0 32px 32px; color: #64748b; font-size: 13px; }
code { font-family: ui-monospace, monospace; background: #e2e8f0; padding: 1px 5px; border-radius: 4px; }
"""
