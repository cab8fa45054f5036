"""Small charts of documents: SVG for HTML and PDF, PNG for Word (matplotlib, Agg backend)."""

import base64
import io
from dataclasses import dataclass
from functools import cache

BLUE, GREY = "#2b5d8a", "#b8c4cf"


@cache
def _pyplot():
    # Imported on first chart only: matplotlib is slow to import and most callers draw nothing.
    import matplotlib

    matplotlib.use("Agg")  # no display: rendering happens in workers and tests
    from matplotlib import pyplot

    pyplot.rcParams.update({"svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 9})
    return pyplot


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    svg: str
    png: bytes

    @property
    def svg_data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def _finish(name: str, title: str, fig) -> Chart:
    fig.tight_layout()
    svg, png = io.StringIO(), io.BytesIO()
    # No date in the metadata: the same data gives the same bytes.
    fig.savefig(svg, format="svg", metadata={"Date": None})
    fig.savefig(png, format="png", dpi=150, metadata={"Software": None})
    _pyplot().close(fig)
    return Chart(name, title, svg.getvalue(), png.getvalue())


def _number(value: float) -> str:
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return text.replace(",", "\u00a0").replace(".", ",")


def indicators_chart(indicators: list[dict]) -> Chart | None:
    """Plot each quantitative indicator's target against its measure (one small panel each)."""
    rows = [i for i in indicators if i["mesure"] is not None or i["cible"] is not None][:12]
    if not rows:
        return None
    cols = min(3, len(rows))
    lines = (len(rows) + cols - 1) // cols
    fig, axes = _pyplot().subplots(lines, cols, figsize=(2.4 * cols, 1.9 * lines), squeeze=False)
    for ax in axes.flat[len(rows) :]:
        ax.set_visible(False)
    for ax, row in zip(axes.flat, rows, strict=False):
        values = [row["cible"] or 0, row["mesure"] or 0]
        bars = ax.bar(["cible", "mesure"], values, color=[GREY, BLUE])
        for bar, value, known in zip(bars, values, (row["cible"], row["mesure"]), strict=True):
            text = _number(value) if known is not None else "à compléter"
            ax.annotate(
                text,
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7 if known is None else 8,
            )
        ax.set_title(_wrap(row["libelle"]), fontsize=8)
        ax.set_yticks([])
        ax.spines[["top", "right", "left"]].set_visible(False)
        ax.margins(y=0.25)
    return _finish("indicateurs", "Indicateurs : cible et mesure", fig)


def bar_chart(name: str, title: str, counts: dict[str, float], unit: str = "") -> Chart | None:
    """Draw a horizontal bar chart of labelled values (largest first)."""
    if not counts:
        return None
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
    fig, ax = _pyplot().subplots(figsize=(6.2, 0.45 * len(items) + 0.9))
    labels = [_wrap(k, 40) for k, _ in items][::-1]
    values = [v for _, v in items][::-1]
    ax.barh(labels, values, color=BLUE)
    for y, v in enumerate(values):
        ax.annotate(f" {_number(v)}{unit}", (v, y), va="center")
    ax.set_xticks([])
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    ax.margins(x=0.2)  # the caption under the figure carries the title
    return _finish(name, title, fig)


def _wrap(text: str, width: int = 28) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line][:3])
