// Keyboard navigation of the review queue (j / k / Enter, "/" to search), the photo zoom, and
// showing refusals (409, 400) that HTMX would otherwise drop, for elements marked data-swap-errors.
const ROW = "tr.queue-row";

function rows() {
  return Array.from(document.querySelectorAll(ROW));
}

// The selected row is read from the page each time, so that new results (filters, next page,
// a boosted navigation) start from the top without any state to reset.
function currentIndex() {
  return rows().findIndex((row) => row.classList.contains("selected"));
}

function select(index) {
  const all = rows();
  if (!all.length) return;
  const current = Math.max(0, Math.min(all.length - 1, index));
  all.forEach((row, i) => {
    row.classList.toggle("selected", i === current);
    row.setAttribute("aria-selected", i === current ? "true" : "false");
  });
  all[current].scrollIntoView({ block: "nearest" });
}

function typing(target) {
  return target.closest?.("input, textarea, select, [contenteditable]");
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
  const current = currentIndex();
  if (event.key === "j") select(current + 1);
  else if (event.key === "k") select(current - 1);
  else if (event.key === "Enter" && current >= 0) {
    rows()[current].querySelector("a").click();
  } else if (event.key === "/") {
    const search = document.getElementById("q");
    if (search) { event.preventDefault(); search.focus(); }
  }
});

document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if ((status === 409 || status === 400 || status === 403) && event.detail.target.closest("[data-swap-errors]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-zoom]");
  const dialog = document.getElementById("zoom-dialog");
  if (!link || !dialog) return;
  event.preventDefault();
  dialog.querySelector("img").src = link.href;
  dialog.showModal();
});
