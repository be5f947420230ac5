"""Charts rendered on the server as SVG (matplotlib, Agg backend, no GUI): the same SVG shows in the page and PDF."""

import io
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

COLOURS = {
    "need": "#adb5bd",
    "disbursed": "#173f5f",
    "committed": "#3c7cb0",
    "pledged": "#9cc3e4",
}
FONT = {"family": ["DejaVu Sans"], "size": 9}


def _millions(value, _pos=None) -> str:
    return f"{value / 1_000_000:,.1f} m"


def funding_chart_svg(rows: list[tuple[str, "Money"]], *, title: str) -> str:  # noqa: F821 - Money from data.py
    """Grouped horizontal bars: for each row the need, beside the money pledged, committed and disbursed (stacked)."""
    labels = [label for label, _ in rows]
    height = max(1.6, 0.55 * len(rows) + 1.1)
    figure = Figure(figsize=(6.8, height), dpi=100)
    axes = figure.add_subplot()
    positions = list(range(len(rows)))
    bar = 0.36

    def floats(name):
        return [float(getattr(money, name)) for _, money in rows]

    axes.barh([p - bar / 2 for p in positions], floats("need"), height=bar, color=COLOURS["need"], label="Need")
    left = [0.0] * len(rows)
    for name in ("disbursed", "committed", "pledged"):
        values = floats(name)
        axes.barh(
            [p + bar / 2 for p in positions],
            values,
            height=bar,
            left=left,
            color=COLOURS[name],
            label=name.capitalize(),
        )
        left = [a + b for a, b in zip(left, values, strict=True)]
    for position, (_, money) in zip(positions, rows, strict=True):
        gap = money.gap
        if gap > Decimal(0):
            axes.annotate(
                f"gap {_millions(float(gap))}",
                xy=(float(money.need), position - bar / 2),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
                color="#842029",
            )
    axes.set_yticks(positions, labels, fontdict=FONT)
    axes.invert_yaxis()
    axes.xaxis.set_major_formatter(FuncFormatter(_millions))
    axes.tick_params(axis="x", labelsize=8)
    axes.set_xlabel("EUR", fontdict=FONT)
    axes.set_title(title, fontdict={**FONT, "size": 10, "weight": "bold"}, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    axes.margins(x=0.18)
    axes.legend(loc="lower right", fontsize=8, frameon=False, ncols=4, bbox_to_anchor=(1, 1.0))
    figure.tight_layout()
    buffer = io.StringIO()
    # Text stays text (not paths): it is searchable in the PDF and uses the document's fonts.
    with matplotlib.rc_context({"svg.fonttype": "none", "font.family": "DejaVu Sans"}):
        figure.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]
