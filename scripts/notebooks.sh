#!/usr/bin/env bash
# Runs the TypeScript notebooks in notebooks/ headless with the tslab Jupyter kernel.
#
# Usage:
#   scripts/notebooks.sh [run] [--output-dir DIR] [--no-setup] [NOTEBOOK.ipynb ...]
#       Sets the kernel up (unless --no-setup), then executes each notebook (all of notebooks/*.ipynb
#       when none is named) with `jupyter nbconvert --to notebook --execute`. The executed copies go
#       to DIR (a new temporary folder by default). A notebook fails when any of its cells fails;
#       the script runs every notebook, prints the failing cells' errors, and exits non-zero if
#       any failed.
#   scripts/notebooks.sh setup
#       Installs the kernel's package folder (npm ci in notebooks/kernel), writes the tslab
#       kernelspec into notebooks/kernel/share/jupyter/kernels/tslab, and builds the project when
#       dist/ is missing or older than src/.
#   scripts/notebooks.sh register
#       Also registers the kernel for your user, so that Jupyter Lab or VS Code lists "TypeScript
#       (langgraph-drr)" without JUPYTER_PATH.
#   scripts/notebooks.sh install-jupyter
#       Installs Jupyter from Debian (nbconvert, nbclient, jupyter-client) unless it is already
#       there; needs root or sudo. CI calls this once before the tests.
#   scripts/notebooks.sh check
#       Exits 0 when Jupyter's nbconvert and kernelspec commands are installed, 1 otherwise.
#
# The notebooks read the recorded LLM outputs from DRR_DATA_MIRROR when it is set (CI sets it),
# else from ../shared/data/mirror beside the checkout when that exists, else from the download
# cache. They replay those outputs offline: the script unsets OPENAI_API_KEY and OPENAI_BASE_URL
# unless NOTEBOOKS_LIVE=1. NOTEBOOK_CELL_TIMEOUT (seconds, default 300) limits each cell.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KERNEL_DIR="$ROOT/notebooks/kernel"
KERNEL_PREFIX="$KERNEL_DIR/share/jupyter"
APT_PACKAGES=(jupyter-nbconvert python3-nbclient jupyter-client)
# Each cell may run this long, in seconds, before nbconvert gives up on it.
CELL_TIMEOUT="${NOTEBOOK_CELL_TIMEOUT:-300}"

log() { printf 'notebooks: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# True when the Jupyter commands that the runs need are installed.
have_jupyter() {
  command -v jupyter >/dev/null 2>&1 &&
    jupyter nbconvert --version >/dev/null 2>&1 &&
    jupyter kernelspec --version >/dev/null 2>&1
}

install_jupyter() {
  if have_jupyter; then
    log "Jupyter is already installed ($(jupyter nbconvert --version 2>/dev/null | tail -n 1) nbconvert)."
    return 0
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "Installing Jupyter needs root; run: sudo apt-get install -y ${APT_PACKAGES[*]}"
    sudo=(sudo)
  fi
  log "Installing ${APT_PACKAGES[*]} from Debian."
  # A fresh machine may have no package lists yet; an update is only needed then or when the
  # install cannot find the packages.
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}" >/dev/null; then
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}" >/dev/null
  fi
  have_jupyter || die "Jupyter is still missing after the install."
}

# Writes the kernelspec (kernel.json) for this checkout into a folder and prints the folder.
write_kernelspec() {
  local dir="$1"
  local node
  node="$(command -v node)" || die "node is not on PATH."
  mkdir -p "$dir"
  # The kernel runs tslab from the kernel's own package folder with this Node, so it does not
  # depend on PATH when Jupyter starts it from elsewhere.
  node -e '
    const [dir, node, tslab] = process.argv.slice(1);
    const spec = {
      argv: [node, tslab, "kernel", "--config-path", "{connection_file}"],
      display_name: "TypeScript (langgraph-drr)",
      language: "typescript",
    };
    require("fs").writeFileSync(require("path").join(dir, "kernel.json"), JSON.stringify(spec, null, 2) + "\n");
  ' "$dir" "$node" "$KERNEL_DIR/node_modules/tslab/bin/tslab"
}

setup() {
  have_jupyter || die "Jupyter is not installed; run: scripts/notebooks.sh install-jupyter"

  # The kernel's package folder: npm ci only when its node_modules is missing or older than the lockfile.
  if [ ! -x "$KERNEL_DIR/node_modules/tslab/bin/tslab" ] || [ "$KERNEL_DIR/package-lock.json" -nt "$KERNEL_DIR/node_modules/.package-lock.json" ]; then
    log "Installing the tslab kernel in notebooks/kernel (npm ci)."
    (cd "$KERNEL_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi

  # The kernelspec lives in the kernel folder, found through JUPYTER_PATH, so that runs from
  # several checkouts (a developer's and CI's) never overwrite each other's registration.
  local spec
  spec="$(mktemp -d)"
  write_kernelspec "$spec/tslab"
  jupyter kernelspec install "$spec/tslab" --name tslab --prefix "$KERNEL_DIR" --replace >/dev/null 2>&1 ||
    die "jupyter kernelspec install failed."
  rm -rf "$spec"
  JUPYTER_PATH="$KERNEL_PREFIX" jupyter kernelspec list 2>/dev/null | grep -q '^ *tslab ' ||
    die "The tslab kernelspec is not listed by jupyter kernelspec list."

  # The notebooks import the built library (dist/src/index.js): build it when it is missing or
  # older than any source file.
  if [ ! -f "$ROOT/dist/src/index.js" ] || [ -n "$(find "$ROOT/src" -name '*.ts' -newer "$ROOT/dist/src/index.js" -print -quit)" ]; then
    log "Building the project (npm run build)."
    (cd "$ROOT" && npm run build --silent) || die "npm run build failed."
  fi
}

register_user() {
  setup
  local spec
  spec="$(mktemp -d)"
  write_kernelspec "$spec/tslab"
  jupyter kernelspec install "$spec/tslab" --name tslab --user --replace
  rm -rf "$spec"
}

# nbconvert does not show what a tslab cell printed before failing (its type errors go to the
# cell's stderr), so a failed notebook is run once more with errors allowed, and the error and
# stderr outputs of its cells are printed.
show_cell_errors() {
  local nb="$1" out="$2" diag
  diag="$(mktemp -d)"
  jupyter nbconvert --to notebook --execute --allow-errors \
    --ExecutePreprocessor.kernel_name=tslab \
    --ExecutePreprocessor.timeout="$CELL_TIMEOUT" \
    --output-dir "$diag" "$nb" >/dev/null 2>&1 || true
  node -e '
    const fs = require("fs");
    const file = process.argv[1];
    if (!fs.existsSync(file)) process.exit(0);
    const nb = JSON.parse(fs.readFileSync(file, "utf8"));
    nb.cells.forEach((cell, i) => {
      for (const o of cell.outputs ?? []) {
        const text = o.output_type === "error" ? `${o.ename}: ${o.evalue}\n${(o.traceback ?? []).join("\n")}`
          : o.output_type === "stream" && o.name === "stderr" ? [].concat(o.text).join("") : null;
        if (text) console.error(`cell ${i} (${cell.id ?? "no id"}):\n${text.trimEnd()}`);
      }
    });
  ' "$diag/$(basename "$nb")" >&2 || true
  rm -rf "$diag"
}

run() {
  local out="" do_setup=1 notebooks=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --output-dir) [ $# -ge 2 ] || die "--output-dir needs a folder."; out="$2"; shift 2 ;;
      --no-setup) do_setup=0; shift ;;
      -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; exit 0 ;;
      -*) die "Unknown option $1." ;;
      *) notebooks+=("$1"); shift ;;
    esac
  done
  if [ "$do_setup" -eq 1 ]; then setup; fi
  if [ ${#notebooks[@]} -eq 0 ]; then
    notebooks=("$ROOT"/notebooks/*.ipynb)
  fi
  if [ -z "$out" ]; then out="$(mktemp -d)"; fi
  mkdir -p "$out"

  if [ -z "${DRR_DATA_MIRROR:-}" ] && [ -d "$ROOT/../shared/data/mirror" ]; then
    DRR_DATA_MIRROR="$(cd "$ROOT/../shared/data/mirror" && pwd)"
    export DRR_DATA_MIRROR
  fi
  export JUPYTER_PATH="$KERNEL_PREFIX${JUPYTER_PATH:+:$JUPYTER_PATH}"
  # The notebooks make a few thousand model calls: they replay recorded outputs offline unless
  # NOTEBOOKS_LIVE=1 lets them use a live model configured by OPENAI_API_KEY or OPENAI_BASE_URL.
  if [ "${NOTEBOOKS_LIVE:-0}" != "1" ]; then
    unset OPENAI_API_KEY OPENAI_BASE_URL
  fi

  local nb start seconds failed=0
  for nb in "${notebooks[@]}"; do
    [ -f "$nb" ] || die "No notebook at $nb."
    start=$(date +%s.%N)
    # nbconvert runs the kernel in the notebook's own folder, so its imports of ../dist resolve.
    if jupyter nbconvert --to notebook --execute \
      --ExecutePreprocessor.kernel_name=tslab \
      --ExecutePreprocessor.timeout="$CELL_TIMEOUT" \
      --output-dir "$out" "$nb" 2>"$out/$(basename "$nb" .ipynb).log"; then
      seconds=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
      log "ok   $(basename "$nb") (${seconds} s) -> $out/$(basename "$nb")"
    else
      seconds=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
      log "FAIL $(basename "$nb") (${seconds} s); nbconvert said:"
      # The Python traceback above nbclient's own message says nothing about the notebook.
      local logfile="$out/$(basename "$nb" .ipynb).log"
      if grep -q 'CellExecutionError:' "$logfile"; then
        awk '/CellExecutionError:/ { p = 1 } p' "$logfile" | head -n 60 >&2
      else
        tail -n 30 "$logfile" >&2
      fi
      show_cell_errors "$nb" "$out"
      failed=$((failed + 1))
    fi
  done
  [ "$failed" -eq 0 ] || die "$failed notebook(s) failed."
}

case "${1:-run}" in
  install-jupyter) install_jupyter ;;
  check) have_jupyter ;;
  setup) setup ;;
  register) register_user ;;
  run) shift $(( $# > 0 ? 1 : 0 )); run "$@" ;;
  *) run "$@" ;;
esac
