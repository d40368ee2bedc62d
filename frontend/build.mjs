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
  // the inspection flow's offline queue (static/inspections-visit.js): answers and photos kept on the phone
  ["idb-keyval", "dist/umd.js", "idb-keyval.js"],
];

function packageDir(name) {
  return dirname(require.resolve(`${name}/package.json`));
}

mkdirSync(out, { recursive: true });
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
