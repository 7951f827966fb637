// Keyboard navigation of the review queue (j / k / Enter, "/" to search), the photo zoom, and
// showing refusals (409, 400) that HTMX would otherwise drop, for elements marked data-swap-errors.
const ROW = "tr.queue-row";
let current = -1;

function rows() {
  return Array.from(document.querySelectorAll(ROW));
}

function select(index) {
  const all = rows();
  if (!all.length) return;
  current = Math.max(0, Math.min(all.length - 1, index));
  all.forEach((row, i) => {
    row.classList.toggle("selected", i === current);
    row.setAttribute("aria-selected", i === current ? "true" : "false");
  });
  all[current].scrollIntoView({ block: "nearest" });
}

function typing(target) {
  return target.closest("input, textarea, select, [contenteditable]");
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
  if (event.key === "j") select(current + 1);
  else if (event.key === "k") select(current - 1);
  else if (event.key === "Enter" && current >= 0 && rows()[current]) {
    rows()[current].querySelector("a").click();
  } else if (event.key === "/") {
    const search = document.getElementById("q");
    if (search) { event.preventDefault(); search.focus(); }
  } else return;
});

// The results were replaced (filters, next page): start again from the top.
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.target.id === "queue-results" || event.target.closest?.("#queue-results")) current = -1;
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
