/* Small helpers for the mobile pages; every page works without them.
   - forms marked data-once send once: a double tap on a button does not post twice, and
     with data-confirm they ask first (下发、删除草稿);
   - the photo picker shows what was chosen and warns before an upload that is too large;
   - a tapped thumbnail opens the full-size photo over the page (without script, the link
     opens the photo itself). */
(function () {
  "use strict";

  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
        event.preventDefault(); return;
      }
      var problem = uploadProblem(form);
      if (problem) { event.preventDefault(); window.alert(problem); return; }
      form.dataset.sent = "1";
      var buttons = form.querySelectorAll("button[type=submit]");
      // Disable after the browser has collected the form (a disabled button sends no value).
      window.setTimeout(function () {
        buttons.forEach(function (button) { button.disabled = true; });
        if (event.submitter) { event.submitter.textContent = "正在提交…"; }
      }, 0);
    });
  });

  // Back from the next page (bfcache): the forms are usable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      delete form.dataset.sent;
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
    });
  });

  function uploadProblem(form) {
    var input = form.querySelector("input[type=file]");
    if (!input || !input.files) { return ""; }
    var limit = Number(form.dataset.maxUpload || 0);
    var most = Number(form.dataset.maxPhotos || 0);
    var total = 0;
    for (var i = 0; i < input.files.length; i++) { total += input.files[i].size; }
    if (most && input.files.length > most) { return "一次最多上传" + most + "张照片，请分几次上传。"; }
    if (limit && total > limit - 512 * 1024) {
      return "照片总大小超过" + Math.floor(limit / 1048576) + "MB，请分几次上传（每次一两张）。";
    }
    return "";
  }

  var picker = document.getElementById("photos");
  var chosen = document.getElementById("chosen");
  if (picker && chosen && window.URL && URL.createObjectURL) {
    var showChosen = function () {
      chosen.textContent = "";
      Array.prototype.forEach.call(picker.files, function (file) {
        var item = document.createElement("li");
        var image = document.createElement("img");
        image.alt = file.name;
        image.src = URL.createObjectURL(file);
        item.appendChild(image);
        chosen.appendChild(item);
      });
    };
    picker.addEventListener("change", showChosen);
    // Photos picked while a slow connection was still loading this script are shown too.
    if (picker.files && picker.files.length) { showChosen(); }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.thumbs__link") : null;
    if (!link) { return; }
    event.preventDefault();
    var viewer = document.createElement("div");
    viewer.className = "viewer";
    viewer.setAttribute("role", "dialog");
    viewer.setAttribute("aria-label", "查看照片");
    var image = document.createElement("img");
    image.src = link.href;
    image.alt = link.getAttribute("aria-label") || "照片";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "weui-btn weui-btn_default viewer__close";
    close.textContent = "关闭";
    viewer.appendChild(image);
    viewer.appendChild(close);
    viewer.addEventListener("click", function () { viewer.remove(); });
    document.body.appendChild(viewer);
  });
})();

/* Inside WeChat (real accounts only): choose photos with the JS-SDK and upload them to WeChat;
   the server fetches them by their serverId (media/get) like photos sent in chat. The plain
   file input stays as the fallback. */
(function () {
  "use strict";
  var button = document.getElementById("wx-choose");
  if (!button || !window.wx) { return; }
  var status = document.getElementById("wx-status");
  var config = JSON.parse(button.dataset.config);
  config.debug = false;
  config.jsApiList = ["chooseImage", "uploadImage"];
  window.wx.config(config);
  window.wx.error(function () { button.hidden = true; });
  button.addEventListener("click", function () {
    window.wx.chooseImage({
      count: Number(button.dataset.max), sizeType: ["original"], sourceType: ["album", "camera"],
      success: function (chosen) { upload(chosen.localIds, []); }
    });
  });
  function upload(localIds, serverIds) {
    if (serverIds.length === localIds.length) { return send(serverIds); }
    status.textContent = "正在上传第" + (serverIds.length + 1) + "张，共" + localIds.length + "张…";
    window.wx.uploadImage({
      localId: localIds[serverIds.length], isShowProgressTips: 0,
      success: function (result) { upload(localIds, serverIds.concat([result.serverId])); },
      fail: failed
    });
  }
  function send(serverIds) {
    var token = document.querySelector("meta[name=csrf-token]").content;
    fetch(button.dataset.url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": token},
      body: JSON.stringify({server_ids: serverIds})
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      window.location.reload();
    }).catch(failed);
  }
  function failed() { status.textContent = "照片上传失败，请重试，或改用上方的“+”选择照片。"; }
})();
