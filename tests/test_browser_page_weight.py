"""BRC staff open the portal on Android phones over 2G/3G: each portal page's first load
(an empty browser cache) stays under 30 KB on the wire, and static files come back with
long cache lifetimes so the next load fetches only the page.

The bytes are Chromium's own count (CDP ``Network.loadingFinished`` encodedDataLength:
headers and compressed bodies as received). Figures are printed (``pytest -s``)."""

import re

from tests.conftest import sign_in

BUDGET = 30 * 1024


def _first_load_bytes(page, url: str) -> tuple[int, dict[str, int]]:
    """Bytes received for ``url`` and everything it loads, with the browser cache emptied."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.clearBrowserCache")
    urls: dict[str, str] = {}
    sizes: dict[str, int] = {}
    cdp.on(
        "Network.responseReceived", lambda e: urls.__setitem__(e["requestId"], e["response"]["url"])
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(
            urls.get(e["requestId"], e["requestId"]), int(e["encodedDataLength"])
        ),
    )
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(300)
    cdp.detach()
    return sum(sizes.values()), sizes


def test_brc_portal_pages_weigh_under_30_kb_on_a_phone(
    live_server, browser, make_user, make_block, make_ticket
):
    block = make_block(code="KL-VADAVUCODE", name="Vadavucode", district="Ernakulam", state="IN-KL")
    brc = make_user("brc", block=block, name="Rekha Nair")
    tickets = [
        make_ticket(block=block.code, subject=f"Café Kudumbashree menu costing {n}")
        for n in range(12)
    ]
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    sign_in(page, live_server, brc.email)

    report = {}
    for name, path in (
        ("portal home", "/brc"),
        ("raise a ticket", "/brc/new"),
        ("a ticket", f"/tickets/{tickets[0].id}"),
        ("knowledge base", "/kb"),
    ):
        total, sizes = _first_load_bytes(page, live_server + path)
        report[name] = total
        print(f"\n{name} ({path}): {total} bytes on the wire")
        for url, size in sorted(sizes.items(), key=lambda kv: -kv[1]):
            print(f"  {size:>7}  {url.replace(live_server, '')}")
        assert total <= BUDGET, (name, total, sizes)

    # Static files are versioned by their content and kept a year; pages and JSON travel
    # compressed, brotli for browsers that take it (over HTTPS), gzip for the others.
    css = page.evaluate("document.querySelector('link[rel=stylesheet]').href")
    assert re.search(r"\?v=[0-9a-f]{8,}", css), css
    for encoding in ("br", "gzip"):
        for url in (css, f"{live_server}/brc", f"{live_server}/api/v1/tickets?per_page=50"):
            response = page.request.get(url, headers={"Accept-Encoding": encoding})
            assert response.ok and response.headers.get("content-encoding") == encoding, url
        cached = page.request.get(css, headers={"Accept-Encoding": encoding}).headers
        assert (
            "max-age=31536000" in cached["cache-control"] and "immutable" in cached["cache-control"]
        )
    context.close()
