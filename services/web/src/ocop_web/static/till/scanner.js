// The camera, where the browser has BarcodeDetector (Chrome on Android): reads a QR code or
// a barcode and hands its text over. Elsewhere the cashier types (or a USB/Bluetooth scanner
// types) into the field beside it.

export function cameraAvailable() {
  return "BarcodeDetector" in window && !!navigator.mediaDevices?.getUserMedia;
}

/** Opens the rear camera in video; calls onText(text) once with the first code read. Answers
 * a stop function. */
export async function scan(video, onText, formats = ["qr_code", "ean_13"]) {
  const supported = await window.BarcodeDetector.getSupportedFormats();
  const detector = new window.BarcodeDetector({ formats: formats.filter((f) => supported.includes(f)) });
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  video.srcObject = stream;
  await video.play();
  let stopped = false;
  const stop = () => {
    stopped = true;
    stream.getTracks().forEach((track) => track.stop());
    video.srcObject = null;
  };
  const tick = async () => {
    if (stopped) return;
    try {
      const codes = await detector.detect(video);
      if (codes.length) {
        stop();
        onText(codes[0].rawValue);
        return;
      }
    } catch {
      /* a frame not ready yet */
    }
    setTimeout(tick, 250);
  };
  tick();
  return stop;
}
