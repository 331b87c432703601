// Type-checks the designer (tsc --noEmit, strict) and bundles with esbuild into ../wwwroot: designer-canvas.js (+ .css),
// the designer page's one JS interop module; flow-viewer.js, the replay page's read-only canvas; and the test console's
// microphone recorder (an AudioWorklet module, which must be a file of its own) from src/recorder-worklet.ts into
// recorder-worklet.js. Run by the BuildDesignerAssets MSBuild target; `node build.mjs --dev` keeps the bundles unminified.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "wwwroot");
const dev = process.argv.includes("--dev");

const tsc = spawnSync(process.execPath, [join(here, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", here], {
  stdio: "inherit",
});
if (tsc.status !== 0) {
  console.error("designer: type check failed");
  process.exit(1);
}

mkdirSync(out, { recursive: true });
const result = await build({
  entryPoints: {
    "recorder-worklet": join(here, "src", "recorder-worklet.ts"),
    // Call replay's read-only canvas, imported by the Blazor replay page (its one JS interop module).
    "flow-viewer": join(here, "src", "flow-viewer.ts"),
    // The designer page's canvas, imported by the Blazor designer (its one JS interop module).
    "designer-canvas": join(here, "src", "designer-canvas.ts"),
  },
  outdir: out,
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: !dev,
  sourcemap: dev ? "linked" : false,
  legalComments: "eof",
  metafile: true,
  logLevel: "warning",
});
const sizes = Object.entries(result.metafile.outputs).map(([file, o]) => `${file.split("/").pop()} ${(o.bytes / 1024).toFixed(0)} KiB`);
console.log(`designer assets: ${sizes.join(", ")}`);
