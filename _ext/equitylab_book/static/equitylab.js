/* Health Equity Leadership Lab — page script (added to every page by the book's
   Sphinx extension).

   1. Static-preview notes. A widget whose behaviour needs Python carries the CSS
      class "equitylab-needs-kernel" in its saved state (equitylab.widgets.needs_kernel).
      On this static site there is no kernel, so we put a visible note above each
      such widget, with the page's launch links. Widgets that work in the browser
      alone (jslink) are not marked and get no note.
   2. Accessibility. ipywidgets sliders render a handle with role="slider" but no
      accessible name; we give each handle the name of its widget's description.
   3. MathJax. The widget manager typesets widget labels with the MathJax 2 API
      (MathJax.Hub.Queue); this site loads MathJax 3, so we provide that one call.
   4. Knowledge checks. equitylab.quiz() writes each quiz as a form of native radio
      buttons / checkboxes with a "Check answer" button per question, and the
      feedback for every option in a hidden block. On click we show the verdict and
      the feedback for the chosen option(s) in the question's live region. */
(function () {
  "use strict";

  var NEEDS_KERNEL = "equitylab-needs-kernel";
  var STATE_TYPE = "application/vnd.jupyter.widget-state+json";
  var VIEW_TYPE = "application/vnd.jupyter.widget-view+json";

  function parseJSON(text) {
    try {
      return JSON.parse(text);
    } catch (error) {
      return null;
    }
  }

  /* Model ids whose widget, or any widget inside it, needs a kernel. */
  function modelsNeedingKernel() {
    var models = {};
    document.querySelectorAll('script[type="' + STATE_TYPE + '"]').forEach(function (tag) {
      var saved = parseJSON(tag.textContent);
      var state = (saved && saved.state) || {};
      Object.keys(state).forEach(function (id) {
        models[id] = state[id].state || {};
      });
    });
    var memo = {};
    function needs(id, depth) {
      if (id in memo) return memo[id];
      var model = models[id];
      if (!model || depth > 50) return false;
      var result = (model._dom_classes || []).indexOf(NEEDS_KERNEL) !== -1;
      (model.children || []).forEach(function (child) {
        var childId = String(child).replace(/^IPY_MODEL_/, "");
        if (needs(childId, depth + 1)) result = true;
      });
      memo[id] = result;
      return result;
    }
    return Object.keys(models).filter(function (id) {
      return needs(id, 0);
    });
  }

  function launchLinks() {
    var links = [];
    document.querySelectorAll(".dropdown-launch-buttons a[href]").forEach(function (a) {
      var label = (a.textContent || "").trim();
      if (label) links.push({ href: a.href, text: label });
    });
    return links;
  }

  /* The "how to run the notebooks" page, set by the Sphinx extension from
     equitylab_run_notebooks_page in _config.yml (relative to the site root). */
  function howToRunUrl() {
    var root = document.documentElement.getAttribute("data-content_root") || "";
    var settings = window.EQUITYLAB_BOOK || {};
    return root + (settings.runNotebooksPage || "");
  }

  function makeNote() {
    var note = document.createElement("div");
    note.className = "equitylab-static-note";
    note.setAttribute("role", "note");
    var strong = document.createElement("strong");
    strong.textContent = "Static preview";
    note.appendChild(strong);
    note.appendChild(
      document.createTextNode(
        " — this widget needs Python to respond. Open this page in Jupyter to interact: "
      )
    );
    var links = launchLinks();
    links.forEach(function (link, index) {
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = "launch on " + link.text;
      note.appendChild(a);
      note.appendChild(document.createTextNode(index < links.length - 1 ? ", " : ", or "));
    });
    var local = document.createElement("a");
    local.href = howToRunUrl();
    local.textContent = links.length ? "run it on your own computer" : "see how to run the notebooks";
    note.appendChild(local);
    note.appendChild(document.createTextNode("."));
    return note;
  }

  function addStaticNotes() {
    var marked = modelsNeedingKernel();
    if (!marked.length) return;
    document.querySelectorAll('script[type="' + VIEW_TYPE + '"]').forEach(function (tag) {
      var view = parseJSON(tag.textContent);
      if (!view || marked.indexOf(view.model_id) === -1) return;
      var output = tag.closest(".output, .cell_output") || tag.parentElement;
      if (output.previousElementSibling && output.previousElementSibling.classList.contains(
        "equitylab-static-note")) return;
      output.parentElement.insertBefore(makeNote(), output);
    });
  }

  function nameSliderHandles(root) {
    root.querySelectorAll('[role="slider"]:not([aria-label]):not([aria-labelledby])')
      .forEach(function (handle) {
        var widget = handle.closest(".widget-slider, .jupyter-widgets");
        var label = widget && widget.querySelector(".widget-label");
        var text = label && label.textContent.trim();
        if (text) handle.setAttribute("aria-label", text);
      });
  }

  function watchWidgets() {
    nameSliderHandles(document);
    var observer = new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) {
        mutation.addedNodes.forEach(function (node) {
          if (node.nodeType === 1) nameSliderHandles(node);
        });
      });
    });
    observer.observe(document.body, { childList: true, subtree: true });
  }

  function addMathJaxHub() {
    var mj = window.MathJax;
    if (!mj || mj.Hub) return;
    mj.Hub = {
      Queue: function (job) {
        var element = job && job[2];
        if (typeof mj.typesetPromise === "function") {
          mj.typesetPromise(element ? [element] : undefined).catch(function () {});
        }
      }
    };
  }

  /* Runs before MathJax (both scripts are deferred; this one comes first). */
  document.querySelectorAll('script[src*="mathjax"]').forEach(function (tag) {
    tag.addEventListener("load", addMathJaxHub);
  });
  addMathJaxHub();

  /* --- 4. knowledge checks ------------------------------------------------------ */
  function checkQuestion(fieldset) {
    var inputs = Array.prototype.slice.call(fieldset.querySelectorAll("input"));
    var chosen = inputs.filter(function (input) { return input.checked; });
    var region = fieldset.querySelector(".equitylab-quiz-feedback");
    var explanations = fieldset.querySelector(".equitylab-quiz-explanations");
    inputs.forEach(function (input) {
      input.parentNode.classList.remove("equitylab-quiz-chosen-correct", "equitylab-quiz-chosen-incorrect");
    });
    region.textContent = "";
    region.className = "equitylab-quiz-feedback";
    if (!chosen.length) {
      region.textContent = "Choose an answer first.";
      return;
    }
    var right = chosen.length === inputs.filter(function (input) {
      return input.getAttribute("data-correct") === "true";
    }).length && chosen.every(function (input) {
      return input.getAttribute("data-correct") === "true";
    });
    region.classList.add(right ? "equitylab-quiz-right" : "equitylab-quiz-wrong");
    var verdict = document.createElement("strong");
    verdict.textContent = right ? "Correct." : "Not yet.";
    region.appendChild(verdict);
    var list = document.createElement("ul");
    chosen.forEach(function (input) {
      var ok = input.getAttribute("data-correct") === "true";
      input.parentNode.classList.add(ok ? "equitylab-quiz-chosen-correct" : "equitylab-quiz-chosen-incorrect");
      var source = explanations.querySelector('[data-option="' + input.value + '"]');
      var item = document.createElement("li");
      var label = fieldset.querySelector('label[for="' + input.id + '"]');
      var lead = document.createElement("span");
      lead.className = "equitylab-quiz-option-name";
      lead.textContent = (label ? label.textContent : "") + " — ";
      item.appendChild(lead);
      if (source) {
        Array.prototype.forEach.call(source.childNodes, function (node) {
          item.appendChild(node.cloneNode(true));
        });
      }
      list.appendChild(item);
    });
    region.appendChild(list);
  }

  function setUpQuizzes() {
    document.querySelectorAll("form.equitylab-quiz").forEach(function (form) {
      form.addEventListener("submit", function (event) { event.preventDefault(); });
      form.querySelectorAll(".equitylab-quiz-check").forEach(function (button) {
        button.addEventListener("click", function () {
          checkQuestion(button.closest(".equitylab-quiz-question"));
        });
      });
    });
  }

  function start() {
    addStaticNotes();
    watchWidgets();
    setUpQuizzes();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
