// MathJax for the site: the pages' formulas (pymdownx.arithmatex), the
// receipts that the tutorials display (glassnet writes them in
// <div class="arithmatex">\[ … \]</div>) and the notebooks' Markdown cells,
// which write $…$ and $$…$$ as in JupyterLab (code and outputs in <pre> are
// never touched).
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    // ".+", not Material's ".*|": an element without a class inherits its
    // parent's choice, so the <p> inside a notebook's Markdown cell is typeset
    ignoreHtmlClass: ".+",
    processHtmlClass: "arithmatex|jp-RenderedMarkdown",
  },
};

document$.subscribe(() => {
  MathJax.startup.output.clearCache();
  MathJax.typesetClear();
  MathJax.texReset();
  MathJax.typesetPromise();
});
