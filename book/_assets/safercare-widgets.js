// Safer Care: glue for the vendored ipywidgets embed manager (book/_static_vendor/).
// Loaded only on pages that carry widgets, after require.js and before embed-amd.js.
(function () {
  "use strict";

  // 1. Load the manager's own files (icon fonts) from our _static/html-manager/ folder.
  //    The bundles work out where their files are from their module URLs, which require.js
  //    would otherwise place next to the page (notebooks/@jupyter-widgets/...).
  var here = new URL("html-manager/", document.currentScript.src).href;
  window.__jupyter_widgets_assets_path__ = here;
  if (window.require && window.require.config) {
    var folder = here.replace(/\/$/, "");
    window.require.config({
      paths: { "@jupyter-widgets/html-manager/dist": folder, "@jupyter-widgets": folder },
    });
  }

  // 2. The widgets typeset maths with the MathJax 2 call MathJax.Hub.Queue; the book loads
  //    MathJax 3, which has no Hub. Translate the call once MathJax has loaded (it is deferred,
  //    so it has run by DOMContentLoaded).
  document.addEventListener("DOMContentLoaded", function () {
    var mj = window.MathJax;
    if (!mj || mj.Hub) return;
    mj.Hub = {
      Queue: function (job) {
        var element = Array.isArray(job) ? job[2] : undefined;
        var ready = (mj.startup && mj.startup.promise) || Promise.resolve();
        ready.then(function () {
          if (mj.typesetPromise) return mj.typesetPromise(element ? [element] : undefined);
        });
      },
    };
  });

  // 3. Give every slider handle an accessible name: the widget's visible description, so a
  //    screen reader says "Confidence, slider, 5" rather than just "slider, 5".
  function nameSliders(root) {
    root.querySelectorAll(".jupyter-widgets [role='slider']").forEach(function (handle) {
      if (handle.getAttribute("aria-label") || handle.getAttribute("aria-labelledby")) return;
      var widget = handle.closest(".widget-slider, .widget-hslider, .widget-vslider, .jupyter-widgets");
      var label = widget && widget.querySelector(".widget-label");
      var text = label && label.textContent.trim();
      var handles = widget ? widget.querySelectorAll("[role='slider']") : [handle];
      if (handles.length === 2) {
        text = (text || "Range") + (handle === handles[0] ? " (lower end)" : " (upper end)");
      }
      handle.setAttribute("aria-label", text || "Slider");
    });
  }
  // 4. Alt text for figures shown inside widget outputs. The widget manager draws them with
  //    no alt; a lesson supplies it as output metadata, which the saved widget state keeps:
  //    display(fig, metadata={"image/png": {"alt": "..."}}).
  var altByImage = null;
  function readAltTexts() {
    var found = {};
    var scripts = document.querySelectorAll("script[type='application/vnd.jupyter.widget-state+json']");
    scripts.forEach(function (script) {
      var state;
      try {
        state = JSON.parse(script.textContent).state || {};
      } catch (error) {
        return;
      }
      Object.keys(state).forEach(function (id) {
        var outputs = (state[id].state || {}).outputs || [];
        outputs.forEach(function (output) {
          var data = output.data || {};
          var meta = output.metadata || {};
          Object.keys(data).forEach(function (mime) {
            if (mime.indexOf("image/") !== 0) return;
            var alt = (meta[mime] && meta[mime].alt) || meta.alt;
            if (alt) found[String(data[mime]).replace(/\s/g, "")] = String(alt);
          });
        });
      });
    });
    return found;
  }
  function describeImages(root) {
    var images = root.querySelectorAll(".jupyter-widgets img:not([alt])");
    if (!images.length) return;
    altByImage = altByImage || readAltTexts();
    images.forEach(function (image) {
      var source = image.getAttribute("src") || "";
      var alt = altByImage[source.slice(source.indexOf(",") + 1)];
      if (alt) image.setAttribute("alt", alt);
    });
  }

  // 5. pandas tables shown inside widget outputs have an empty top-left header cell; an empty
  //    corner is not a header, so make it an ordinary cell (the book's own pages get the same
  //    fix at build time in book/_ext/safercare_book.py).
  function fixEmptyHeaders(root) {
    root.querySelectorAll(".jupyter-widgets th").forEach(function (header) {
      if (header.textContent.trim() || header.children.length) return;
      var cell = document.createElement("td");
      Array.prototype.forEach.call(header.attributes, function (attribute) {
        cell.setAttribute(attribute.name, attribute.value);
      });
      header.replaceWith(cell);
    });
  }

  // 6. An output area that scrolls (a wide table, say) must be reachable from the keyboard:
  //    make it focusable and name it, so keyboard users can scroll it too.
  function focusableScrollers(root) {
    root.querySelectorAll(".jupyter-widgets .jp-RenderedHTML, .jupyter-widgets .jp-OutputArea-output")
      .forEach(function (area) {
        if (area.hasAttribute("tabindex")) return;
        var scrolls = area.scrollWidth > area.clientWidth || area.scrollHeight > area.clientHeight;
        if (!scrolls) return;
        area.setAttribute("tabindex", "0");
        area.setAttribute("role", "region");
        area.setAttribute("aria-label", "Scrollable output");
      });
  }

  function tidy() {
    nameSliders(document);
    describeImages(document);
    fixEmptyHeaders(document);
    focusableScrollers(document);
  }
  window.addEventListener("load", tidy);
  window.addEventListener("resize", tidy);
  new MutationObserver(tidy).observe(document.documentElement, { childList: true, subtree: true });
})();
