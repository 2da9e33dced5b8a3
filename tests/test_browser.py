"""Every page of the built site in a real headless Chromium (Playwright).

For each page: no console errors; no request leaves 127.0.0.1 and none fails;
axe-core (from node_modules) finds no serious or critical violation; every image
has alt text; a full-page screenshot is saved under _build/screenshots/. Pages
with widgets must show them rendered by the offline widget manager, and widgets
that need Python must carry the static-preview note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest
import yaml
from conftest import BUILD, ROOT, BuiltBook, toc_files

pytestmark = pytest.mark.browser

PAGES = [f"{name}.html" for name in toc_files()] + ["index.html", "search.html", "genindex.html"]
SCREENSHOTS = BUILD / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
EXCLUSIONS = yaml.safe_load((ROOT / "tests" / "axe-exclusions.yml").read_text("utf-8"))
WIDGET_VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]'


@dataclass
class Visit:
    page: str
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    violations: list[dict] = field(default_factory=list)
    images_without_alt: list[str] = field(default_factory=list)
    widget_views: int = 0
    outputs_without_widget: int = 0
    screenshot: str = ""


def _excluded(rule: str, target: str) -> bool:
    return any(item["rule"] == rule and item["selector"] == target for item in EXCLUSIONS or [])


def _visit(browser, site_url: str, page_path: str) -> Visit:
    visit = Visit(page_path)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.on("request", lambda request: visit.requests.append(request.url))
    context.on("requestfailed", lambda request: visit.failures.append(f"failed {request.url}"))
    context.on(
        "response",
        lambda response: (
            response.status >= 400 and visit.failures.append(f"{response.status} {response.url}")
        ),
    )
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            message.type == "error" and visit.console_errors.append(f"console: {message.text}")
        ),
    )
    page.on("pageerror", lambda error: visit.console_errors.append(f"pageerror: {error}"))
    try:
        page.goto(f"{site_url}/{page_path}", wait_until="networkidle")
        visit.widget_views = page.locator(WIDGET_VIEW).count()
        if visit.widget_views:
            # Each output holding a widget view must get a rendered widget.
            page.wait_for_function(
                """(selector) => Array.from(document.querySelectorAll(selector)).every(
                       s => s.parentElement.querySelector('.jupyter-widgets'))""",
                arg=WIDGET_VIEW,
                timeout=20_000,
            )
        visit.outputs_without_widget = page.evaluate(
            """(selector) => Array.from(document.querySelectorAll(selector)).filter(
                   s => !s.parentElement.querySelector('.jupyter-widgets')).length""",
            WIDGET_VIEW,
        )
        page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
        page.add_script_tag(path=str(AXE))
        results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        for violation in results["violations"]:
            if violation["impact"] not in {"serious", "critical"}:
                continue
            targets = [
                " ".join(node["target"])
                for node in violation["nodes"]
                if not _excluded(violation["id"], " ".join(node["target"]))
            ]
            if targets:
                visit.violations.append(
                    {"rule": violation["id"], "impact": violation["impact"], "nodes": targets}
                )
        visit.images_without_alt = page.evaluate(
            """() => Array.from(document.images)
                   .filter(img => !(img.getAttribute('alt') || '').trim())
                   .map(img => img.getAttribute('src'))"""
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / (page_path.replace("/", "__").removesuffix(".html") + ".png")
        page.screenshot(path=str(shot), full_page=True)
        visit.screenshot = str(shot)
    finally:
        context.close()
    return visit


@pytest.fixture(scope="session")
def visits(browser, site_url):
    cache: dict[str, Visit] = {}

    def get(page_path: str) -> Visit:
        if page_path not in cache:
            cache[page_path] = _visit(browser, site_url, page_path)
        return cache[page_path]

    return get


def test_every_built_page_is_visited(built_book: BuiltBook) -> None:
    built = {
        str(p.relative_to(built_book.html))
        for p in built_book.html.rglob("*.html")
        if not {"_static", "_sources", "_images"} & set(p.relative_to(built_book.html).parts)
    }
    assert built == set(PAGES), f"pages not visited: {sorted(built - set(PAGES))}"


@pytest.mark.parametrize("page_path", PAGES)
def test_page_has_no_console_errors(visits, page_path: str) -> None:
    assert not visits(page_path).console_errors


@pytest.mark.parametrize("page_path", PAGES)
def test_page_requests_nothing_outside_the_machine(visits, page_path: str) -> None:
    visit = visits(page_path)
    assert visit.requests, "no requests were recorded at all"
    outside = [
        url
        for url in visit.requests
        if urlparse(url).scheme not in {"data", "blob"} and urlparse(url).hostname != "127.0.0.1"
    ]
    assert not outside


@pytest.mark.parametrize("page_path", PAGES)
def test_page_has_no_failed_requests(visits, page_path: str) -> None:
    assert not visits(page_path).failures


@pytest.mark.parametrize("page_path", PAGES)
def test_page_has_no_serious_accessibility_violations(visits, page_path: str) -> None:
    assert not visits(page_path).violations


@pytest.mark.parametrize("page_path", PAGES)
def test_every_image_has_alt_text(visits, page_path: str) -> None:
    assert not visits(page_path).images_without_alt


@pytest.mark.parametrize("page_path", PAGES)
def test_screenshot_saved(visits, page_path: str) -> None:
    visit = visits(page_path)
    assert visit.screenshot and (SCREENSHOTS / visit.screenshot.split("/")[-1]).stat().st_size


@pytest.mark.parametrize(
    ("page_path", "expected_views"),
    [
        ("chapters/how-to-use.html", 2),
        ("exercises/00-getting-started.html", 1),
        ("exercises/02-stratify-explorer.html", 1),
        ("exercises/03-crude-vs-adjusted.html", 1),
        ("exercises/04-spot-the-signal.html", 1),
    ],
)
def test_widgets_render_offline(visits, page_path: str, expected_views: int) -> None:
    visit = visits(page_path)
    assert visit.widget_views == expected_views
    assert visit.outputs_without_widget == 0


def _open(browser, site_url: str, page_path: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{site_url}/{page_path}", wait_until="networkidle")
    page.wait_for_selector(".jupyter-widgets .widget-slider", timeout=20_000)
    return context, page


def test_static_preview_note_marks_only_widgets_that_need_python(browser, site_url) -> None:
    context, page = _open(browser, site_url, "chapters/how-to-use.html")
    try:
        notes = page.locator(".equitylab-static-note")
        assert notes.count() == 1
        note = notes.first
        assert note.is_visible()
        assert "Static preview" in note.inner_text()
        assert "Open this page in Jupyter to interact" in note.inner_text()
        links = {a.inner_text(): a.get_attribute("href") for a in note.locator("a").all()}
        assert {"launch on Binder", "launch on Colab", "launch on JupyterHub"} <= set(links)
        assert "mybinder.org" in links["launch on Binder"]
        assert links["run it on your own computer"].endswith("how-to-use.html#run-the-notebooks")
        # The note sits right above the widget that needs Python...
        following = note.evaluate("n => n.nextElementSibling.innerText")
        assert "Number of Black adults with hypertension" in following
        # ...and the browser-only (jslink) widget has none.
        jslinked = page.get_by_text("Patients per clinic").first
        preceding = jslinked.evaluate(
            "n => { const out = n.closest('.cell_output');"
            " const prev = out && out.previousElementSibling;"
            " return prev ? prev.className : ''; }"
        )
        assert "equitylab-static-note" not in preceding
    finally:
        context.close()


@pytest.mark.parametrize(
    "page_path",
    [
        "exercises/00-getting-started.html",
        "exercises/02-stratify-explorer.html",
        "exercises/03-crude-vs-adjusted.html",
        "exercises/04-spot-the-signal.html",
    ],
)
def test_static_preview_note_on_exercise_page(browser, site_url, page_path: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{site_url}/{page_path}", wait_until="networkidle")
        page.wait_for_selector(".equitylab-static-note", timeout=20_000)
        # Each of these pages has one explorer widget, and it needs Python.
        assert page.locator(".equitylab-static-note").count() == 1
        following = page.locator(".equitylab-static-note").evaluate(
            "n => { const w = n.nextElementSibling; return !!w && (w.matches('.jupyter-widgets')"
            " || !!w.querySelector('.jupyter-widgets')); }"
        )
        assert following
    finally:
        context.close()


def test_browser_only_widget_responds_without_python(browser, site_url) -> None:
    context, page = _open(browser, site_url, "chapters/how-to-use.html")
    try:
        box = page.get_by_role("spinbutton", name="Same number")
        box.fill("42")
        box.press("Enter")
        slider = page.get_by_role("slider", name="Patients per clinic")
        page.wait_for_function(
            "(el) => el.getAttribute('aria-valuetext') === '42'", arg=slider.element_handle()
        )
        # ...and the other way: the keyboard moves the slider, the box follows.
        slider.focus()
        slider.press("ArrowRight")
        page.wait_for_function("(el) => el.value === '43'", arg=box.element_handle())
        assert box.input_value() == "43"
    finally:
        context.close()


FONT_FACE_URLS = """() => {
  const urls = [];
  for (const sheet of document.styleSheets) {
    let rules;
    try { rules = sheet.cssRules; } catch (error) { continue; }
    for (const rule of rules) {
      if (rule instanceof CSSFontFaceRule) {
        for (const m of rule.style.getPropertyValue('src').matchAll(/url\\(["']?([^"')]+)/g)) {
          urls.push(new URL(m[1], sheet.href || document.baseURI).href);
        }
      }
    }
  }
  return [...new Set(urls)];
}"""


@pytest.mark.parametrize(
    "page_path", ["chapters/how-to-use.html", "exercises/00-getting-started.html"]
)
def test_every_font_any_stylesheet_declares_is_served(browser, site_url, page_path: str) -> None:
    """Browsers fetch only the first usable font of a family, and which widget bundle's
    stylesheet comes first varies; so fetch every declared font, not just the used ones."""
    context, page = _open(browser, site_url, page_path)
    try:
        urls = page.evaluate(FONT_FACE_URLS)
        assert any("/offline/jupyter-widgets/" in url for url in urls)
        missing = [
            url
            for url in urls
            if url.startswith(site_url)
            and page.evaluate("(u) => fetch(u).then(r => r.status)", url) != 200
        ]
        assert not missing
        assert all(url.startswith((site_url, "data:")) for url in urls)
    finally:
        context.close()


def test_math_is_typeset_offline(browser, site_url) -> None:
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{site_url}/chapters/how-to-use.html", wait_until="networkidle")
        page.evaluate("() => MathJax.startup.promise")
        assert page.locator("mjx-container").count() >= 3
    finally:
        context.close()


QUIZ_PAGES = [f"{name}.html" for name in toc_files() if name.startswith("chapters/measuring/")]


@pytest.mark.parametrize("page_path", QUIZ_PAGES)
def test_knowledge_check_is_a_static_form_not_a_widget(browser, site_url, page_path: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{site_url}/{page_path}", wait_until="networkidle")
        form = page.locator("form.equitylab-quiz")
        assert form.count() == 1
        assert form.locator("fieldset").count() >= 3
        # The feedback is in the page but hidden until an answer is checked.
        assert not form.locator(".equitylab-quiz-explanations").first.is_visible()
        assert form.evaluate("f => !f.closest('.cell_output').querySelector('.jupyter-widgets')")
        # No widget state was saved for it (these chapters have no other widget), so the
        # page does not load the widget manager at all.
        assert page.locator('script[type="application/vnd.jupyter.widget-state+json"]').count() == 0
    finally:
        context.close()


def test_knowledge_check_works_with_the_keyboard(browser, site_url) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{site_url}/{QUIZ_PAGES[0]}", wait_until="networkidle")
        question = page.locator("form.equitylab-quiz fieldset[data-kind='single']").first
        region = question.locator(".equitylab-quiz-feedback")
        button = question.get_by_role("button", name=re.compile("Check answer"))
        # Checking with nothing chosen asks for an answer.
        button.focus()
        page.keyboard.press("Enter")
        assert region.inner_text().strip() == "Choose an answer first."
        wrong = question.locator("input[data-correct='false']").first
        right = question.locator("input[data-correct='true']").first
        wrong.focus()
        page.keyboard.press("Space")
        assert wrong.is_checked()
        page.keyboard.press("Tab")  # out of the radio group, onto the button
        assert button.evaluate("b => b === document.activeElement")
        page.keyboard.press("Enter")
        text = region.inner_text()
        explanation = question.locator(
            f".equitylab-quiz-explanations [data-option='{wrong.get_attribute('value')}']"
        ).inner_text()
        assert text.startswith("Not yet.") and explanation in text
        assert region.get_attribute("aria-live") == "polite"
        right.check()
        button.click()
        assert region.inner_text().startswith("Correct.")
    finally:
        context.close()
