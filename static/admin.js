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
