/** `GET /charts/<id>.png`: serves a kept chart; unknown, malformed and expired ids are 404. */
import type { Request, Response } from "express";
import { IMAGE_ID, type ImageStore } from "./image-store.ts";

export function chartRoute(images: ImageStore) {
  return async (req: Request, res: Response): Promise<void> => {
    const file = String(req.params.file ?? "");
    const id = file.endsWith(".png") ? file.slice(0, -4) : "";
    const png = IMAGE_ID.test(id) ? await images.get(id) : undefined;
    if (!png) {
      res.status(404).type("text/plain").send("This chart has expired or never existed. Ask gpuops again for a fresh one.");
      return;
    }
    res.set({ "content-type": "image/png", "cache-control": `private, max-age=${Math.min(3600, images.ttlSeconds)}`, "x-content-type-options": "nosniff" }).send(png);
  };
}
