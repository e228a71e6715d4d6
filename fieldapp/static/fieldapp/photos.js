// Photos are made smaller on the phone before they are queued: at most 1600 px on the long
// side, JPEG 0.8 (a 12 MP camera photo of a paper goes from ~4 MB to ~300 KB). A file the
// browser cannot draw (e.g. HEIC on some phones) is queued as it is: the server accepts HEIC.
const LONG_SIDE = 1600;

export async function shrink(file) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return { blob: file, name: file.name || "photo" };
  }
  const scale = Math.min(1, LONG_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close?.();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.8));
  return { blob: blob || file, name: "photo.jpg" };
}
