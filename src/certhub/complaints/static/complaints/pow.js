// The complaint form's proof of work (complaints/pow.py): find a number whose SHA-256 with the challenge's
// salt begins with the required zero bits, then let the form be sent. Runs by itself; nothing to click.
(function () {
  "use strict";
  var form = document.getElementById("complaint-form");
  if (!form || !window.crypto || !window.crypto.subtle) {
    return;
  }
  var salt = form.getAttribute("data-proof-salt");
  var bits = parseInt(form.getAttribute("data-proof-bits"), 10);
  var nonceInput = document.getElementById("proof-nonce");
  var status = document.getElementById("proof-status");
  var button = document.getElementById("complaint-submit");
  var encoder = new TextEncoder();
  button.disabled = true;

  function zeroBits(buffer) {
    var bytes = new Uint8Array(buffer);
    var count = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) {
        count += 8;
        continue;
      }
      return count + Math.clz32(bytes[i]) - 24;
    }
    return count;
  }

  async function solve() {
    for (var nonce = 0; ; nonce++) {
      var digest = await window.crypto.subtle.digest("SHA-256", encoder.encode(salt + ":" + nonce));
      if (zeroBits(digest) >= bits) {
        return String(nonce);
      }
    }
  }

  solve().then(function (nonce) {
    nonceInput.value = nonce;
    button.disabled = false;
    status.textContent = status.getAttribute("data-done");
  });
})();
