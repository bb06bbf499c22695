#!/usr/bin/env bash
# The GPU check: the WGSL test project and the GPU bench on whatever WebGPU adapter Dawn finds (a real GPU
# through Vulkan, or SwiftShader), with a summary in $OUT (default ./gpu-check-out).
#
#   bash scripts/gpu-check.sh            on a machine with the repository set up (npm ci): run the check here
#   bash scripts/gpu-check.sh pack       build what a bare GPU machine needs into .gpu/ (git-ignored):
#                                        Node, the node_modules the GPU tests use (Linux x64 Dawn only), the
#                                        CLI/bench bundle, and the Vulkan loader's Debian packages
#   bash scripts/gpu-check.sh run        on a bare machine (no Node, no network): unpack .gpu/ and run the check
#
# Steps, each timed and logged to $OUT/steps.txt (a timeout keeps what finished): adapter (what Dawn
# finds), tests (`vitest --project gpu`), bench (`bench.js --no-cpu`, JSON), and with STEPS=...,bench1024
# the N = 1024 row. STEPS picks and orders them (default "adapter tests bench"). With the device tool:
#   pack here, then run with carry [".gpu"] and the command `bash scripts/gpu-check.sh run`.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=${OUT:-$ROOT/gpu-check-out}
mkdir -p "$OUT"
MODE=${1:-here}

pack() {
  set -e
  rm -rf .gpu && mkdir -p .gpu/debs
  npm run -s build:cli
  cp -r dist-cli .gpu/dist-cli
  xz -T2 -6 -c "$(command -v node)" > .gpu/node.xz
  # The GPU test project needs vitest and vite (TypeScript transforms) and Dawn's Linux x64 build; not the
  # browser, lint, type-check or other platforms' Dawn.
  tar -C . -cf - \
    --exclude='node_modules/typescript' --exclude='node_modules/typescript-eslint' --exclude='node_modules/@typescript-eslint' \
    --exclude='node_modules/eslint*' --exclude='node_modules/@eslint*' --exclude='node_modules/prettier' \
    --exclude='node_modules/playwright-core' --exclude='node_modules/happy-dom' --exclude='node_modules/wabt' \
    --exclude='node_modules/webgpu/dist/darwin-*' --exclude='node_modules/webgpu/dist/win32-*' --exclude='node_modules/webgpu/dist/linux-arm64' \
    node_modules | xz -T2 -6 > .gpu/node_modules.tar.xz
  local o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64-lists'
  mkdir -p /tmp/amd64-lists/partial
  # shellcheck disable=SC2086
  apt-get $o update -qq && (cd .gpu/debs && apt-get $o download libvulkan1 >/dev/null)
  du -sh .gpu
}

unpack() {
  set -e
  [ -d .gpu ] || { echo "gpu-check: no .gpu/ here; run 'bash scripts/gpu-check.sh pack' first and carry .gpu" >&2; exit 2; }
  mkdir -p /tmp/gpu-check/bin
  xz -d -c .gpu/node.xz > /tmp/gpu-check/bin/node && chmod +x /tmp/gpu-check/bin/node
  export PATH=/tmp/gpu-check/bin:$PATH
  [ -d node_modules ] || xz -d -c .gpu/node_modules.tar.xz | tar -C . -xf -
  [ -d dist-cli ] || cp -r .gpu/dist-cli dist-cli
  # The Vulkan loader Dawn dlopens (libvulkan.so.1), unless the machine has one.
  if ! ldconfig -p | grep -q libvulkan.so.1; then
    for f in .gpu/debs/*.deb; do dpkg -x "$f" /; done
    ldconfig
  fi
  set +e
}

# Point the loader at the NVIDIA driver where the default search finds none, else at Chromium's SwiftShader
# (as vitest.config.ts and src/engine/gpu/node-gpu.ts do) on machines without a GPU.
vulkan_driver() {
  local nvidia=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json swiftshader=/usr/lib/chromium/vk_swiftshader_icd.json
  if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ]; then
    if [ -f "$nvidia" ]; then export VK_DRIVER_FILES=$nvidia; elif [ -f "$swiftshader" ]; then export VK_ICD_FILENAMES=$swiftshader; fi
  fi
  export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
}

step() {
  local name=$1
  shift
  local start=$SECONDS
  "$@" >"$OUT/$name.log" 2>&1
  local rc=$?
  echo "$name rc=$rc seconds=$((SECONDS - start))" | tee -a "$OUT/steps.txt"
  return 0
}

adapter() {
  node --input-type=module -e "
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    const gpu = create([]);
    globalThis.keep = gpu;
    const adapter = await gpu.requestAdapter();
    if (!adapter) { console.log(JSON.stringify({ adapter: null })); process.exit(3); }
    const info = adapter.info ?? {};
    const limits = {};
    for (const k of ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup']) limits[k] = adapter.limits[k];
    console.log(JSON.stringify({ vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description, fallback: info.isFallbackAdapter ?? null, features: [...adapter.features], limits }, null, 2));
  "
}

tests() { node node_modules/vitest/vitest.mjs run --project gpu --reporter=default --reporter=json --outputFile.json="$OUT/gpu-tests.json"; }
bench() { node dist-cli/bench.js --no-cpu --gpu-sizes "${GPU_SIZES:-64,128,256,512}" > "$OUT/bench.json"; }
bench1024() { node dist-cli/bench.js --no-cpu --gpu-sizes 1024 > "$OUT/bench-1024.json"; }

summary() {
  node -e '
    const fs = require("fs");
    const out = process.argv[1];
    const read = (f) => { try { return JSON.parse(fs.readFileSync(`${out}/${f}`, "utf8")); } catch { return null; } };
    const log = (f) => { try { return fs.readFileSync(`${out}/${f}`, "utf8"); } catch { return ""; } };
    const tests = read("gpu-tests.json");
    const adapterText = log("adapter.log");
    const s = {
      steps: log("steps.txt").trim().split("\n").filter(Boolean),
      adapter: (() => { try { return JSON.parse(adapterText.slice(adapterText.indexOf("{"))); } catch { return adapterText.trim().slice(0, 400); } })(),
      tests: tests && { passed: tests.numPassedTests, failed: tests.numFailedTests, skipped: tests.numPendingTests,
        failures: tests.testResults.flatMap((f) => f.assertionResults.filter((a) => a.status === "failed").map((a) => a.fullName)).slice(0, 40) },
      bench: read("bench.json")?.gpu ?? null,
      bench1024: read("bench-1024.json")?.gpu ?? null,
    };
    fs.writeFileSync(`${out}/summary.json`, JSON.stringify(s, null, 2));
    console.log(JSON.stringify({ steps: s.steps, adapter: s.adapter, tests: s.tests && { passed: s.tests.passed, failed: s.tests.failed } }, null, 2));
  ' "$OUT"
}

case "$MODE" in
  pack) pack; exit $? ;;
  run) unpack ;;
  here) command -v node >/dev/null || { echo "gpu-check: no node here; use 'pack' and 'run'" >&2; exit 2; }
        npm run -s build:cli ;;
  *) echo "usage: bash scripts/gpu-check.sh [here|pack|run]" >&2; exit 2 ;;
esac
vulkan_driver
: > "$OUT/steps.txt"
for s in ${STEPS:-adapter tests bench}; do step "$s" "$s"; done
summary
