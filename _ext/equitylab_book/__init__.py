"""Sphinx extension for the Health Equity Leadership Lab book.

It does five things (the README's contributor section says how to use them):

1. **Offline assets.** Copies require.js, the Jupyter widget manager and MathJax
   from ``node_modules/`` (installed by ``npm ci``) into ``_static/offline/`` of
   the built site, so no page loads anything from a CDN. ``_config.yml`` points
   myst-nb (``nb_ipywidgets_js``) and Sphinx (``mathjax_path``) at the copies.
2. **Editions.** In the learner edition (``equitylab_edition = "learner"``, the
   default) cells tagged ``solution``/``facilitator`` and ``{facilitator}`` blocks
   are left out of the pages, the search index and the downloadable sources.
3. **Static-preview notes and accessibility fixes.** Adds ``equitylab.js`` and
   ``equitylab.css`` to every page (see ``static/``); overrides two theme templates
   (``templates/``) and two HTML visitors so that axe-core finds no serious or
   critical violation; drops sphinx-thebe's scripts, which the book does not use
   (they declare a CDN URL and raise a console error).
4. **Build hygiene.** Warns (so ``-W`` fails the build) on markup that would
   otherwise leak instructor-only material, and empties the notebook execution
   cache when the library or the data change (the cache only watches each page's
   own code, so it would otherwise show outputs computed by an older library).
5. **Encrypted kernels.** The kernels that execute the pages talk to the build over
   CurveZMQ, so ipykernel has no reason to warn about plain-text TCP (``kernels.py``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.application import Sphinx
from sphinx.errors import ConfigError, ExtensionError
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

from .editions import (
    HIDDEN_TAGS,
    hidden_tagged_markdown_cells,
    mark_hidden_cells_removed,
    strip_myst_text,
    strip_notebook,
)
from .kernels import encrypt_kernels_by_default

__version__ = "0.1.0"
logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
EDITIONS = ("learner", "instructor")
OFFLINE_DIR = "offline"  # inside _static/ of the built site; not the book's own _static/

#: (source glob relative to node_modules, destination folder relative to _static/offline)
OFFLINE_ASSETS: tuple[tuple[str, str], ...] = (
    ("requirejs/require.js", "."),
    # The widget manager's bundles find their font files next to their own AMD module
    # ids: "@jupyter-widgets/base", ".../controls", ... (folder jupyter-widgets/) and
    # "@jupyter-widgets/html-manager/dist/libembed-amd" (folder
    # jupyter-widgets/html-manager/dist/). require-config.js maps "@jupyter-widgets" to
    # offline/jupyter-widgets, so the fonts are served from both folders; which bundle's
    # stylesheet wins varies from page load to page load.
    ("@jupyter-widgets/html-manager/dist/embed-amd.js", "jupyter-widgets/html-manager/dist"),
    ("@jupyter-widgets/html-manager/dist/*.woff2", "jupyter-widgets/html-manager/dist"),
    ("@jupyter-widgets/html-manager/dist/*.woff", "jupyter-widgets/html-manager/dist"),
    ("@jupyter-widgets/html-manager/dist/*.ttf", "jupyter-widgets/html-manager/dist"),
    ("@jupyter-widgets/html-manager/dist/*.woff2", "jupyter-widgets"),
    ("@jupyter-widgets/html-manager/dist/*.woff", "jupyter-widgets"),
    ("@jupyter-widgets/html-manager/dist/*.ttf", "jupyter-widgets"),
    ("@jupyter-widgets/html-manager/dist/embed.js.LICENSE.txt", "licenses/html-manager"),
    ("mathjax/es5/tex-mml-chtml.js", "mathjax"),
    ("mathjax/es5/output/chtml/fonts/woff-v2/*.woff", "mathjax/output/chtml/fonts/woff-v2"),
    ("mathjax/es5/input/tex/extensions/*.js", "mathjax/input/tex/extensions"),
    ("mathjax/LICENSE", "licenses/mathjax"),
)


def _is_learner(app: Sphinx) -> bool:
    return app.config.equitylab_edition == "learner"


def _check_config(app: Sphinx, config) -> None:
    if config.equitylab_edition not in EDITIONS:
        raise ConfigError(
            f"equitylab_edition must be one of {', '.join(EDITIONS)}; "
            f"got {config.equitylab_edition!r}"
        )
    static = str(HERE / "static")
    if static not in config.html_static_path:
        config.html_static_path.append(static)
    templates = str(HERE / "templates")
    if templates not in config.templates_path:
        config.templates_path.insert(0, templates)


def _inputs_digest(root: Path, folders: list[str]) -> str:
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(Path(root, folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _mark_static_site(app: Sphinx, config) -> None:
    """Tell equitylab (in the kernels that execute the pages) that it draws a static site:
    knowledge checks then output their HTML form only, without widget state."""
    os.environ["EQUITYLAB_STATIC_SITE"] = "1"


def _invalidate_stale_execution_cache(app: Sphinx, config) -> None:
    """Empty the execution cache when the library or data the pages import change."""
    if config.nb_execution_mode != "cache":
        return
    cache = Path(app.confdir, config.nb_execution_cache_path)
    stamp = cache / "equitylab-inputs.sha256"
    digest = _inputs_digest(Path(app.confdir), list(config.equitylab_execution_inputs))
    if cache.exists() and (not stamp.exists() or stamp.read_text().strip() != digest):
        logger.info("equitylab or its data changed: re-executing every notebook")
        shutil.rmtree(cache)
        app.equitylab_inputs_changed = True
    cache.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest + "\n")


def _reread_all_when_inputs_changed(app: Sphinx, env, added, changed, removed) -> list[str]:
    """After the library or data changed, every page must be re-read (and re-executed):
    Sphinx would otherwise keep the outputs it stored for pages whose text is unchanged."""
    if getattr(app, "equitylab_inputs_changed", False):
        return sorted(env.found_docs - set(added) - set(changed))
    return []


def _copy_offline_assets(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    node_modules = Path(app.confdir, app.config.equitylab_node_modules)
    target = Path(app.outdir, "_static", OFFLINE_DIR)
    if not node_modules.is_dir():
        raise ExtensionError(
            f"JavaScript assets not found: {node_modules} does not exist. "
            "Run `npm ci` in the book's folder (`make book` does it for you)."
        )
    for pattern, dest in OFFLINE_ASSETS:
        matches = sorted(node_modules.glob(pattern))
        if not matches:
            raise ExtensionError(
                f"{pattern} is missing from {node_modules}; run `npm ci` to reinstall the "
                "versions pinned in package-lock.json."
            )
        for source in matches:
            destination = target / dest / source.name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    shutil.copy2(HERE / "offline" / "require-config.js", target / "require-config.js")


def _on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    path = str(app.env.doc2path(docname))
    if path.endswith(".ipynb"):
        if _is_learner(app):
            notebook = json.loads(source[0])
            source[0] = json.dumps(mark_hidden_cells_removed(notebook))
        return
    for line in hidden_tagged_markdown_cells(source[0]):
        logger.warning(
            "a markdown cell tagged %s cannot be hidden in a MyST text notebook; "
            "use the {facilitator} directive instead",
            "/".join(sorted(HIDDEN_TAGS)),
            location=(docname, line),
        )


class RemoveHiddenCells(SphinxTransform):
    """Drop code cells tagged solution/facilitator from learner-edition pages.

    myst-nb gives each code cell container a ``tag_<tag>`` class; the cell has
    already executed, so later cells that depend on it still work.
    """

    default_priority = 200

    def apply(self, **kwargs) -> None:
        if not _is_learner(self.app):
            return
        hidden = {f"tag_{tag}" for tag in HIDDEN_TAGS}
        for node in list(self.document.findall(nodes.container)):
            if hidden & set(node.get("classes", [])):
                node.parent.remove(node)


class FacilitatorDirective(Directive):
    """``{facilitator}``: an instructor-only note (absent from the learner edition)."""

    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True

    def run(self) -> list[nodes.Node]:
        env = self.state.document.settings.env
        if env.config.equitylab_edition == "learner":
            return []
        title = self.arguments[0] if self.arguments else "Facilitator note"
        note = nodes.admonition(classes=["facilitator", "admonition"])
        note += nodes.title(text=title)
        self.state.nested_parse(self.content, self.content_offset, note)
        return [note]


def _strip_sources(app: Sphinx, exception: Exception | None) -> None:
    """Keep instructor-only material out of the downloadable sources (learner edition)."""
    if exception is not None or app.builder.format != "html" or not _is_learner(app):
        return
    sources = Path(app.outdir, "_sources")
    if not sources.is_dir():
        return
    for path in sources.rglob("*"):
        if path.suffix == ".ipynb":
            notebook = json.loads(path.read_text(encoding="utf-8"))
            path.write_text(
                json.dumps(strip_notebook(notebook), indent=1, ensure_ascii=False) + "\n",
                encoding="utf-8",
            )
        elif path.suffix in {".md", ".txt"}:
            text = path.read_text(encoding="utf-8")
            path.write_text(strip_myst_text(text), encoding="utf-8")


def _page_settings(app: Sphinx) -> None:
    """Give the page script its settings (URLs relative to the site root) inline."""
    if app.builder.format != "html":
        return
    page, _, anchor = app.config.equitylab_run_notebooks_page.partition("#")
    url = (app.builder.get_target_uri(page) + (f"#{anchor}" if anchor else "")) if page else ""
    settings = json.dumps({"runNotebooksPage": url})
    app.add_js_file(None, body=f"window.EQUITYLAB_BOOK = {settings};", priority=400)


def _is_thebe_asset(asset) -> bool:
    filename = str(getattr(asset, "filename", "") or "")
    body = str(getattr(asset, "attributes", {}).get("body", "") or "")
    return "thebe" in filename or "THEBE_JS_URL" in body


def _drop_thebe(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Remove sphinx-thebe's assets: the book does not use thebe (launch_buttons.thebe
    is false), and its inline config declares a CDN URL twice, a console error."""
    if app.config.html_theme_options.get("launch_buttons", {}).get("thebe"):
        return
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if not _is_thebe_asset(asset)]


def _visit_hide_cell(self, node) -> None:
    """myst-nb's "show/hide code" toggle, without its aria-label ("Toggle hidden
    content"), which did not contain the visible text (axe: label-content-name-mismatch).
    The summary's accessible name is now its visible text."""
    from html import escape

    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n<summary>\n')
    self.body.append(f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def _visit_citation(self, node) -> None:
    """Citations as list items. docutils gives each entry role="doc-biblioentry",
    deprecated in DPUB-ARIA 1.1 and not a valid child of role="list" (axe:
    aria-required-children, critical)."""
    if not isinstance(node.previous_sibling(), type(node)):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def _depart_citation(self, node) -> None:
    self.body.append("</div>\n")
    if not isinstance(node.next_node(descend=False, siblings=True), type(node)):
        self.body.append("</div>\n")


def setup(app: Sphinx) -> dict:
    encrypt_kernels_by_default()  # before myst-nb starts any kernel
    app.setup_extension("myst_nb")  # so that the visitor override below wins
    from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput

    app.add_node(HideCodeCellNode, override=True, html=(_visit_hide_cell, depart_HideCellInput))
    app.add_node(nodes.citation, override=True, html=(_visit_citation, _depart_citation))
    app.connect("html-page-context", _drop_thebe)
    app.add_config_value("equitylab_edition", "learner", "env", [str])
    app.add_config_value("equitylab_node_modules", "node_modules", "env", [str])
    app.add_config_value("equitylab_run_notebooks_page", "", "html", [str])
    # Folders (relative to the book) whose contents change what the pages compute.
    app.add_config_value("equitylab_execution_inputs", ["equitylab", "datasets"], "env", [list])
    app.connect("config-inited", _check_config)
    app.connect("config-inited", _mark_static_site)
    app.connect("config-inited", _invalidate_stale_execution_cache)
    app.connect("env-get-outdated", _reread_all_when_inputs_changed)
    app.connect("builder-inited", _copy_offline_assets)
    app.connect("builder-inited", _page_settings)
    app.connect("source-read", _on_source_read)
    app.connect("build-finished", _strip_sources)
    app.add_transform(RemoveHiddenCells)
    app.add_directive("facilitator", FacilitatorDirective)
    app.add_js_file("equitylab.js", defer="defer")
    app.add_css_file("equitylab.css")
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
