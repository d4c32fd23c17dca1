"""The console's own files: the page, its script, style and Chart.js, and nothing else of
the disk; no token asked of the page in the browser (the session holds it)."""

import pytest


async def test_the_console_page_and_its_assets_are_served(api):
    assert (await api.get("/")).headers["location"] == "/console"
    page = await api.get("/console")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script src="/console/assets/vendor/chart.umd.min.js">' in page.text
    chart = await api.get("/console/assets/vendor/chart.umd.min.js")
    assert chart.status_code == 200 and "Chart.js v4" in chart.text[:200]
    script = await api.get("/console/assets/console.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "<script>" not in page.text and " style=" not in page.text  # nothing inline
    assert 'name="token"' not in page.text and 'href="/console/sign-in"' in page.text
    assert "Authorization" not in script.text and "X-Requested-With" in script.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert script.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path", ["index.html", "../tables.py", "..%2F..%2Fapp.py", "vendor/chart.js-LICENSE.md"]
)
async def test_nothing_but_the_assets_is_served(api, path):
    assert (await api.get(f"/console/assets/{path}")).status_code == 404
