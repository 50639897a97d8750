// Loaded into the console page by console-surfaces.test.ts: reads a rendered card's layout from
// the DOM. A token (a run of non-space characters) of a value that must stay whole (a size, an
// amount, a date, a name: `whole`) is broken when its glyphs lie on more than one line; prose may
// wrap at its hyphens as prose does. A button is clipped when its label overflows it (cut with
// "…") or the button pokes outside the card.
globalThis.gpuopsLayout = (card, whole) => {
  const mustStayWhole = new Set(whole);
  const broken = [];
  const scopes = [...card.querySelectorAll('[role="cell"], [role="columnheader"], [id^="rows-"]')];
  for (const scope of scopes) {
    const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const text = node.textContent ?? "";
      for (const m of text.matchAll(/\S+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
        if (rects.length < 2) continue;
        const tops = rects.map((r) => r.top);
        const height = Math.min(...rects.map((r) => r.height));
        if (Math.max(...tops) - Math.min(...tops) > height / 2 && mustStayWhole.has(m[0])) broken.push(m[0]);
      }
    }
  }
  const clipped = [];
  const cardBox = card.getBoundingClientRect();
  for (const b of card.querySelectorAll("button")) {
    const r = b.getBoundingClientRect();
    const inner = [b, ...b.querySelectorAll("*")];
    const cut = inner.some((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== "visible");
    const ellipsis = inner.some((e) => getComputedStyle(e).textOverflow === "ellipsis" && e.scrollWidth > e.clientWidth + 1);
    if (cut || ellipsis || r.right > cardBox.right + 1 || r.left < cardBox.left - 1) clipped.push(b.textContent.trim());
  }
  return {
    broken,
    clipped,
    cells: card.querySelectorAll('[role="cell"]').length,
    listRows: card.querySelectorAll('[id^="rows-"] .ac-richTextBlock').length,
  };
};
