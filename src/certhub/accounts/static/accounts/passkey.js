/* CertHub: once the browser has registered a passkey (django-otp-webauthn's script signals it), go on to
   the recovery codes. */
(function () {
  "use strict";
  document.addEventListener("otp_webauthn.register_complete", function () {
    var form = document.getElementById("passkey-enrolled-form");
    if (form) form.submit();
  });
})();
