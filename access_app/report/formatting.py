"""Small HTML pieces of the board report: escaping, numbers, tables, figures, group labels."""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Sequence

from ..core.tables import IMD_QUINTILE

IMD_LABELS = {1: "1 (most deprived)", 2: "2", 3: "3", 4: "4", 5: "5 (least deprived)"}


def esc(text: object) -> str:
    """Return ``text`` HTML-escaped (quotes included)."""
    return html.escape(str(text), quote=True)


def fmt_num(v: object, digits: int = 1, *, signed: bool = False, pct: bool = False,
            money: bool = False) -> str:
    """Return a number as report text (thousands separators, sign, % points or £); ``unknown`` for none."""
    try:
        x = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return esc(v) if v is not None else "unknown"
    if math.isnan(x):
        return "unknown"
    if math.isinf(x):
        return "no linac" if x > 0 else "-"
    if pct:
        return f"{x * 100:+.{digits}f} pts" if signed else f"{x * 100:.{digits}f}%"
    if money:
        return f"{'+' if signed and x > 0 else ('-' if x < 0 else '')}£{abs(x):,.{digits}f}"
    return f"{x:+,.{digits}f}" if signed else f"{x:,.{digits}f}"


def num_class(v: float) -> str:
    """Return the CSS class of a change: ``num up`` (longer), ``num down`` or plain ``num``."""
    if not isinstance(v, float | int) or not math.isfinite(v) or abs(v) < 1e-9:
        return "num"
    return "num up" if v > 0 else "num down"


def table_html(
    header: Sequence[str],
    rows: Sequence[Sequence[tuple[str, str]]],
    *,
    numeric_from: int = 1,
    wide: Sequence[int] = (),
) -> str:
    """Return an HTML table; each cell is ``(text, css class)`` and already escaped.

    The first column is a label column (34 mm); columns in ``wide`` get 88 mm; the rest
    share what is left, so no table is wider than the page.
    """
    cols = "".join(
        '<col class="label">' if i == 0 else ('<col class="wide">' if i in wide else "<col>")
        for i in range(len(header))
    )
    th = "".join(
        f'<th class="{"num" if i >= numeric_from else ""}">{esc(h)}</th>' for i, h in enumerate(header)
    )
    body = "".join("<tr>" + "".join(f'<td class="{c}">{t}</td>' for t, c in r) + "</tr>" for r in rows)
    return f"<table><colgroup>{cols}</colgroup><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def figure_html(png: bytes, alt: str, caption: str) -> str:
    """Return a figure with the PNG inlined as a data URI and its caption."""
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure><img alt="{esc(alt)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def fmt_people(v: float) -> str:
    """Return a count of people with thousands separators (``unknown`` if not finite)."""
    return "unknown" if not math.isfinite(v) else f"{v:,.0f}"


def group_label(group_by: str, g: object) -> str:
    """Return the label of a group (IMD quintiles say which end is most deprived)."""
    if group_by == IMD_QUINTILE:
        try:
            return IMD_LABELS.get(int(g), str(g))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return str(g)
    return str(g)
