// The PDF block's viewer (home/templates/blocks/document_block.html): pdf.js, from our own
// static files, loaded only when a reader presses "View", never before. It reads the PDF from
// the document's own URL, so the document's access check applies to it as to a download.
// A module script: it runs once however many blocks include it, after the page is parsed.

let viewers = 0;

function setUp(block) {
  const button = block.querySelector(".document-block__view");
  const viewer = block.querySelector(".document-block__viewer");
  if (!button || !viewer) return;
  const canvas = viewer.querySelector("canvas");
  const status = viewer.querySelector(".document-block__status");
  const pageLabel = viewer.querySelector("[data-page-number]");
  const previous = viewer.querySelector('[data-action="previous"]');
  const next = viewer.querySelector('[data-action="next"]');
  // The words come from the template, in the page's language (README "Languages").
  const words = viewer.dataset;
  let pdf = null;
  let loading = null;
  let pageNumber = 1;
  let renderTask = null;

  viewer.id ||= `document-viewer-${++viewers}`;
  button.setAttribute("aria-controls", viewer.id);
  button.hidden = false;

  async function load() {
    status.textContent = words.loading;
    const pdfjs = await import(viewer.dataset.pdfjs);
    pdfjs.GlobalWorkerOptions.workerSrc = viewer.dataset.pdfjsWorker;
    const data = viewer.dataset.pdfjsData;
    pdf = await pdfjs.getDocument({
      url: viewer.dataset.src,
      standardFontDataUrl: `${data}standard_fonts/`,
      cMapUrl: `${data}cmaps/`,
      cMapPacked: true,
      wasmUrl: `${data}wasm/`,
    }).promise;
    await show(1);
    status.textContent = "";
  }

  async function show(number) {
    pageNumber = number;
    const page = await pdf.getPage(number);
    // As wide as the viewer, sharp on high-density screens; CSS scales the canvas back down.
    const ratio = window.devicePixelRatio || 1;
    const fit = viewer.clientWidth / page.getViewport({ scale: 1 }).width;
    const viewport = page.getViewport({ scale: fit * ratio });
    renderTask?.cancel();
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    renderTask = page.render({ canvas, viewport });
    try {
      await renderTask.promise;
    } catch (error) {
      if (error?.name === "RenderingCancelledException") return;
      throw error;
    }
    pageLabel.textContent = String(number);
    canvas.setAttribute("aria-label", words.pageLabel.replace("{page}", number).replace("{pages}", pdf.numPages));
    const focused = document.activeElement;
    previous.disabled = number <= 1;
    next.disabled = number >= pdf.numPages;
    // A button that just became disabled drops the keyboard focus: hand it to the other one.
    if (focused?.disabled) (focused === next ? previous : next).focus();
  }

  async function open() {
    viewer.hidden = false;
    button.setAttribute("aria-expanded", "true");
    viewer.focus();
    loading ||= load();
    try {
      await loading;
    } catch (error) {
      loading = null; // pressing "View" again tries again
      status.textContent = words.unavailable;
      console.warn("pdf.js could not show the document", error);
    }
  }

  function close() {
    viewer.hidden = true;
    button.setAttribute("aria-expanded", "false");
    button.focus();
  }

  button.addEventListener("click", () => (viewer.hidden ? open() : close()));
  viewer.querySelector('[data-action="close"]').addEventListener("click", close);
  viewer.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  previous.addEventListener("click", () => pdf && pageNumber > 1 && show(pageNumber - 1));
  next.addEventListener("click", () => pdf && pageNumber < pdf.numPages && show(pageNumber + 1));
}

document.querySelectorAll(".document-block").forEach(setUp);
