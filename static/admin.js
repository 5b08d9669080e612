// Admin pages: the chosen file's name beside its button, and due-rule examples that fill the
// field when clicked. The pages work without this; it only saves typing and guessing.
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!input.matches || !input.matches(".file__input")) return;
  const name = input.closest(".file").querySelector(".file__name");
  const files = Array.from(input.files || []).map((file) => file.name);
  name.textContent = files.length ? files.join("，") : "未选择文件";
});

document.addEventListener("click", (event) => {
  const chip = event.target.closest && event.target.closest("[data-fill]");
  if (!chip) return;
  const field = document.getElementById(chip.dataset.fill);
  field.value = chip.dataset.value;
  field.focus();
  const words = field.closest(".field").querySelector("[data-rule-words]");
  if (words) words.textContent = chip.dataset.words;
});

// 预警等级与颜色: picking a preset fills the fields with its names and colours; every change
// redraws that level's preview with the text colour models/level_scheme.py would choose
// (white or near-black, whichever contrasts more; a grey outline for a pale fill).
const levelsForm = document.querySelector("[data-levels]");
if (levelsForm) {
  const luminance = (hex) => {
    const [r, g, b] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a, b) => {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };
  const redraw = (row) => {
    const name = row.querySelector("input[name$=_name]").value;
    const colour = row.querySelector("input[type=color]").value;
    const badge = row.querySelector("[data-badge]");
    badge.textContent = name;
    badge.style.background = colour;
    badge.style.color = contrast(colour, "#ffffff") >= contrast(colour, "#1a1a1a") ? "#ffffff" : "#1a1a1a";
    badge.style.boxShadow = `inset 0 0 0 1px ${contrast(colour, "#ffffff") >= 1.5 ? colour : "#8c8c8c"}`;
    row.querySelector("[data-hex]").textContent = colour;
  };
  levelsForm.addEventListener("input", (event) => {
    const row = event.target.closest("[data-level]");
    if (row) redraw(row);
  });
  levelsForm.addEventListener("change", (event) => {
    if (!event.target.matches("input[name=preset]")) return;
    const fields = JSON.parse(event.target.dataset.fields);
    for (const [name, value] of Object.entries(fields)) levelsForm.elements[name].value = value;
    levelsForm.querySelectorAll("[data-level]").forEach(redraw);
  });
}

// Forms that must not be sent by accident or twice (生成、发布、撤销): data-confirm asks first,
// data-once ignores a second submit until the page is shown again.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  if (form.matches("[data-once]")) {
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
  }
});
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[data-sent]").forEach((form) => delete form.dataset.sent);
});

// 谁还没交 (/admin/): once a template is chosen, the period list offers only its periodicity's
// periods, the one running today chosen.
document.addEventListener("change", (event) => {
  const select = event.target;
  const form = select.closest && select.closest("[data-owed-picker]");
  if (!form || select.name !== "template") return;
  const kind = select.selectedOptions[0] && select.selectedOptions[0].dataset.period;
  const periods = form.querySelector("select[name=period]");
  let running = null;
  for (const option of periods.options) {
    if (!option.value) continue;
    option.hidden = option.disabled = Boolean(kind) && option.dataset.period !== kind;
    if (!option.hidden && option.hasAttribute("data-running")) running = option;
  }
  if (periods.selectedOptions[0] && periods.selectedOptions[0].disabled) periods.value = "";
  if (running && !periods.value) periods.value = running.value;
});
