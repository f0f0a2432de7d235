/* The desk's editor, made nicer with script; without it the form still works.
 *
 * - the slug follows the title until it is edited;
 * - a live preview, rendered by the server with the blog's own code, with the
 *   accessibility helper's notes beside it;
 * - autosave every few seconds and when the page is hidden;
 * - hashtag completion from the blog's hashtags;
 * - picture upload by picker or drag and drop, inserted at the cursor.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");
  var form = document.getElementById("editor");
  if (!form) {
    return;
  }
  var field = function (name) { return form.elements.namedItem(name); };
  var csrf = field("csrfmiddlewaretoken").value;
  var title = field("title");
  var slug = field("slug");
  var slugAuto = field("slug_auto");
  var body = field("body");
  var status = document.getElementById("autosave-status");
  var preview = document.getElementById("preview");
  var AUTOSAVE_EVERY_MS = 5000;

  function post(url, data, options) {
    var settings = { method: "POST", body: data, credentials: "same-origin" };
    settings.headers = { "Accept": "application/json", "X-CSRFToken": csrf };
    return fetch(url, Object.assign(settings, options || {}));
  }

  /* The JSON a desk endpoint answers, or an error when something else did. */
  function answer(response) {
    return response.json().catch(function () {
      return { error: "the server answered " + response.status };
    }).then(function (json) {
      return { ok: response.ok, json: json };
    });
  }

  function say(text, link) {
    status.textContent = text;
    if (link) {
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      status.append(" ", a);
    }
  }

  /* The slug, like Django's slugify with Unicode allowed. */
  function slugify(text) {
    return text.normalize("NFKC").toLowerCase()
      .replace(/[^\p{L}\p{N}_\s-]/gu, "")
      .replace(/[-\s]+/g, "-")
      .replace(/^[-_]+|[-_]+$/g, "");
  }
  if (slug && slugAuto) {
    var followsTitle = slugAuto.value === "True" && slug.value === "";
    title.addEventListener("input", function () {
      if (followsTitle) {
        slug.value = slugify(title.value).slice(0, 100);
      }
    });
    slug.addEventListener("input", function () {
      followsTitle = false;
      slugAuto.value = "False";
    });
  }

  /* Live preview, a moment after typing stops. */
  var previewTimer = null;
  function refreshPreview() {
    var data = new FormData();
    data.append("body", body.value);
    var format = field("body_format");
    if (format) data.append("body_format", format.value);
    post(form.dataset.previewUrl, data).then(answer).then(function (result) {
      if (result.ok) {
        // The server rendered and sanitised this HTML, as it does for the blog.
        preview.innerHTML = result.json.html;
        showAccessibility(result.json.warnings || []);
      }
    }).catch(function () { /* The next keystroke tries again. */ });
  }

  /* The accessibility notes, built like desk/_accessibility.html, as text only. */
  var accessibility = document.getElementById("accessibility");
  var accessibilityList = document.getElementById("accessibility-warnings");
  function showAccessibility(warnings) {
    if (!accessibility) {
      return;
    }
    accessibilityList.replaceChildren.apply(accessibilityList, warnings.map(function (warning) {
      var item = document.createElement("li");
      var what = document.createElement("strong");
      var where = document.createElement("q");
      var why = document.createElement("span");
      what.textContent = warning.what;
      where.textContent = warning.where;
      why.textContent = warning.why;
      item.append(what, " ", where, " ", why);
      return item;
    }));
    accessibility.hidden = warnings.length === 0;
  }
  if (field("body_format")) {
    field("body_format").addEventListener("change", refreshPreview);
  }
  body.addEventListener("input", function () {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refreshPreview, 400);
  });

  /* Autosave: the server keeps the draft, and a revision now and then. */
  var dirty = false;
  var saving = false;
  var submitting = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("submit", function () { submitting = true; });

  function autosave(keepalive) {
    if (!dirty || saving || submitting) {
      return;
    }
    dirty = false;
    saving = true;
    var data = new FormData(form);
    data.delete("action");
    post(form.dataset.autosaveUrl, data, { keepalive: keepalive }).then(function (response) {
      return answer(response);
    }).then(function (result) {
      var json = result.json;
      if (result.ok && json.nothing_to_save) {
        say("");
      } else if (result.ok) {
        if (json.autosave_url !== form.dataset.autosaveUrl) {
          // A new post now exists: later saves change it instead of adding more.
          form.dataset.autosaveUrl = json.autosave_url;
          form.action = json.edit_url;
          history.replaceState(null, "", json.edit_url);
        }
        say(json.is_draft ? "Draft saved at " + json.saved_at + "." :
          "Changes kept as a revision at " + json.saved_at + "; press Update to publish them.");
      } else if (json.signed_out) {
        dirty = true;
        say("You were signed out. Your text is kept: press Save, or",
          { href: json.sign_in_url, text: "sign in again" });
      } else {
        dirty = true;
        say("Not saved: " + (json.error || "the server refused it") + ".");
      }
    }).catch(function () {
      dirty = true;
      say("Not saved: the connection is lost. Trying again in a few seconds.");
    }).finally(function () {
      saving = false;
    });
  }
  setInterval(function () { autosave(false); }, AUTOSAVE_EVERY_MS);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      autosave(true);
    }
  });
  window.addEventListener("pagehide", function () { autosave(true); });

  /* Hashtag completion: offer the blog's hashtags for the word being typed. */
  var tags = field("hashtags");
  var tagList = tags && document.getElementById(tags.getAttribute("list"));
  if (tagList) {
    var names = Array.prototype.map.call(tagList.options, function (o) { return o.value; });
    tags.addEventListener("input", function () {
      var match = tags.value.match(/^(.*?)#?([^\s,#]*)$/u);
      var before = match[1];
      var start = match[2].toLowerCase();
      var options = names.filter(function (name) {
        return start && name.toLowerCase().startsWith(start) && name.toLowerCase() !== start;
      }).slice(0, 12).map(function (name) {
        var option = document.createElement("option");
        option.value = before + name;
        option.label = "#" + name;
        return option;
      });
      tagList.replaceChildren.apply(tagList, options);
    });
  }

  /* Pictures: upload, then insert their Markdown where the cursor was. */
  var imageForm = document.getElementById("image-form");
  var imageErrors = document.getElementById("image-errors");
  var cursor = null;
  body.addEventListener("blur", function () {
    cursor = [body.selectionStart, body.selectionEnd];
  });

  function insertAtCursor(text) {
    var at = cursor || [body.value.length, body.value.length];
    var before = body.value.slice(0, at[0]);
    var gap = before === "" ? "" : before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
    body.setRangeText(gap + text + "\n\n", at[0], at[1], "end");
    cursor = [body.selectionStart, body.selectionEnd];
    body.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function showImageErrors(errors) {
    imageErrors.replaceChildren();
    Object.keys(errors).forEach(function (name) {
      errors[name].forEach(function (message) {
        var item = document.createElement("li");
        item.textContent = message;
        imageErrors.append(item);
      });
    });
    imageErrors.hidden = imageErrors.children.length === 0;
  }

  if (imageForm) {
    var button = imageForm.querySelector("button[type=submit]");
    imageForm.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      post(imageForm.action, new FormData(imageForm)).then(function (response) {
        return answer(response);
      }).then(function (result) {
        if (result.ok) {
          insertAtCursor(result.json.markdown);
          imageForm.reset();
          showImageErrors({});
        } else if (result.json.signed_out) {
          showImageErrors({ file: ["You were signed out: save the post to sign in again."] });
        } else {
          showImageErrors(result.json.errors || { file: [result.json.error] });
        }
      }).catch(function () {
        showImageErrors({ file: ["The upload did not get through; try again."] });
      }).finally(function () {
        button.disabled = false;
      });
    });

    var picker = imageForm.elements.namedItem("file");
    body.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") !== -1) {
        event.preventDefault();
        body.classList.add("dropping");
      }
    });
    body.addEventListener("dragleave", function () { body.classList.remove("dropping"); });
    body.addEventListener("drop", function (event) {
      if (!event.dataTransfer || event.dataTransfer.files.length === 0) {
        return;
      }
      event.preventDefault();
      body.classList.remove("dropping");
      cursor = [body.selectionStart, body.selectionEnd];
      picker.files = event.dataTransfer.files;
      showImageErrors({});
      say("Describe the picture, then press Upload and insert.");
      imageForm.elements.namedItem("alt_text").focus();
    });
  }
}());
