// Copies the minified front-end packages into the Python package's static folder.
// Run by the set-up command (`npm ci && npm run build`); the output folder is git-ignored.
import { copyFileSync, mkdirSync, existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const out = join(here, "..", "src", "boh", "http", "static", "vendor");

// [package, file inside the package, name in static/vendor]
const FILES = [
  ["htmx.org", "dist/htmx.min.js", "htmx.min.js"],
  ["@picocss/pico", "css/pico.min.css", "pico.min.css"],
  // charts (boh.http templates/_charts.html + static/charts.js): line, bar, pie and the common components
  ["echarts", "dist/echarts.common.min.js", "echarts.min.js"],
  // the trace explorer's genealogy graph (static/trace-graph.js): the full build, which has the graph chart
  ["echarts", "dist/echarts.min.js", "echarts-full.min.js"],
  // camera barcode scanning (static/scan.js): ZXing's browser layer, which bundles @zxing/library
  ["@zxing/browser", "umd/zxing-browser.min.js", "zxing-browser.min.js"],
  // CJK font embedded in PDF documents (boh.http.pdf), never sent to browsers by a page
  ["@expo-google-fonts/noto-sans-sc", "400Regular/NotoSansSC_400Regular.ttf", "fonts/NotoSansSC-Regular.ttf"],
  ["@expo-google-fonts/noto-sans-sc", "700Bold/NotoSansSC_700Bold.ttf", "fonts/NotoSansSC-Bold.ttf"],
  ["@expo-google-fonts/noto-sans-sc", "LICENSE_FONT", "fonts/NotoSansSC-OFL.txt"],
  // the inspection flow's offline queue (static/inspections-visit.js): answers and photos kept on the phone
  ["idb-keyval", "dist/umd.js", "idb-keyval.js"],
];

function packageDir(name) {
  return dirname(require.resolve(`${name}/package.json`));
}

mkdirSync(join(out, "fonts"), { recursive: true });
const manifest = {};
for (const [pkg, file, target] of FILES) {
  const dir = packageDir(pkg);
  const src = join(dir, file);
  if (!existsSync(src)) {
    console.error(`missing ${src}: is ${pkg} installed (npm ci)?`);
    process.exit(1);
  }
  copyFileSync(src, join(out, target));
  const version = require(`${pkg}/package.json`).version;
  manifest[target] = `${pkg}@${version}`;
  console.log(`vendor/${target} <- ${pkg}@${version}/${file}`);
}
writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
