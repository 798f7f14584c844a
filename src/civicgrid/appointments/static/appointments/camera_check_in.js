// Check-in by the office device's camera: read the applicant's booking QR code (jsQR, served
// from node_modules) and submit it through the same form a handheld scanner types into.
// The server checks the code exactly as if it had been typed; this only saves the typing.
(function () {
  "use strict";
  var root = document.querySelector("[data-camera-check-in]");
  if (!root || typeof window.jsQR !== "function") return;
  var form = document.getElementById(root.dataset.form);
  var input = form && form.querySelector("input[name=code]");
  var start = root.querySelector("[data-camera-start]");
  var stopButton = root.querySelector("[data-camera-stop]");
  var video = root.querySelector("video");
  var status = root.querySelector("[data-camera-status]");
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null;

  if (!form || !input || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    status.textContent = root.dataset.unsupported;
    return;
  }
  start.hidden = false;

  function stop() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.hidden = true;
    stopButton.hidden = true;
    start.hidden = false;
  }

  function scan() {
    if (!stream) return;
    if (video.readyState >= video.HAVE_ENOUGH_DATA && video.videoWidth) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var frame = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(frame.data, frame.width, frame.height, { inversionAttempts: "dontInvert" });
      if (found && found.data) {
        stop();
        input.value = found.data;
        status.textContent = root.dataset.found;
        form.requestSubmit();
        return;
      }
    }
    window.requestAnimationFrame(scan);
  }

  start.addEventListener("click", function () {
    status.textContent = root.dataset.starting;
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        start.hidden = true;
        stopButton.hidden = false;
        status.textContent = root.dataset.aim;
        return video.play();
      })
      .then(function () { window.requestAnimationFrame(scan); })
      .catch(function () {
        stop();
        status.textContent = root.dataset.denied;
      });
  });
  stopButton.addEventListener("click", function () {
    stop();
    status.textContent = "";
  });
})();
