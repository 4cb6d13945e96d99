// wasm-opt -Oz for many modules in one process. binaryen from npm is compiled to WebAssembly, so each
// `wasm-opt` process spent ~2 s of CPU compiling binaryen itself before a chunk of a few KiB: with the ~500
// modules of the split bundle that was most of the build. Here binaryen is compiled once per worker.
// Usage: node wasm-opt.mjs FILE.wasm… (each optimized in place).
import binaryen from "binaryen";
import { readFileSync, renameSync, writeFileSync } from "node:fs";

// What rustc's wasm32 output uses; bulk memory and reference types bring their "-opt"/"overlong" parts, as
// wasm-opt's --enable-bulk-memory and --enable-reference-types do.
const f = binaryen.Features;
const features =
  f.MutableGlobals | f.NontrappingFPToInt | f.BulkMemory | f.BulkMemoryOpt | f.SignExt | f.ReferenceTypes |
  f.CallIndirectOverlong | f.Multivalue;
binaryen.setOptimizeLevel(2); // -Oz
binaryen.setShrinkLevel(2);
binaryen.setDebugInfo(false);

for (const path of process.argv.slice(2)) {
  const mod = binaryen.readBinary(readFileSync(path), features);
  mod.optimize();
  // The browser reads neither section; across a page's ~200 chunks they cost ~25 KiB brotli.
  mod.runPasses(["strip-producers", "strip-target-features"]);
  if (!mod.validate()) {
    console.error(`wasm-opt: ${path} does not validate after optimizing`);
    process.exit(1);
  }
  writeFileSync(`${path}.opt`, mod.emitBinary());
  mod.dispose();
  renameSync(`${path}.opt`, path);
}
