"""The pack as a PDF to read: WeasyPrint from a Django template, charts as SVG, nothing fetched."""

import base64
import logging

from django.template.loader import render_to_string
from weasyprint import HTML, URLFetcher

from board.packs.charts import funding_chart_svg
from board.packs.data import PackData

# WeasyPrint reports every layout step at INFO; a worker's log needs only its warnings.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def charts(data: PackData) -> dict[str, str]:
    result = {
        "pillars": funding_chart_svg(
            [(section.pillar.code, section.money) for section in data.pillars], title="Funding by pillar (EUR)"
        )
    }
    for section in data.pillars:
        rows = [
            (row.objective.code, row.money)
            for row in section.objectives
            if row.money.need or row.money.pledged or row.money.committed or row.money.disbursed
        ]
        if rows:
            result[section.pillar.code] = funding_chart_svg(rows, title=f"{section.pillar.code}: funding by objective")
    return result


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def render_html(data: PackData) -> str:
    # Charts go in as SVG images (WeasyPrint draws an SVG image with its SVG renderer, keeping text as text).
    images = {key: _data_uri(svg) for key, svg in charts(data).items()}
    return render_to_string("board/pack/pack.html", {"data": data, "charts": images})


def render_pdf(data: PackData) -> bytes:
    # Only data: URLs may be fetched, so text typed into the portal can never make the builder reach out.
    fetcher = URLFetcher(allowed_protocols=["data"])
    return HTML(string=render_html(data), base_url="data:,", url_fetcher=fetcher).write_pdf()
