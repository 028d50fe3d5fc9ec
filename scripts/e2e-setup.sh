#!/usr/bin/env bash
# Installs what the end-to-end test needs: VS Code's web build (code-server 4.100.3 = VS Code 1.100.3) with its
# native modules rebuilt for this Node, and Debian's Chromium. Everything lives in a cache OUTSIDE the repository
# (E2E_CACHE, default ~/.cache/x86-trampoline-e2e) so a second run only checks a stamp file and returns.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
CACHE="${E2E_CACHE:-$HOME/.cache/x86-trampoline-e2e}"
# The stamp names the version and the Node ABI: native modules built for another Node must be rebuilt.
STAMP="$CACHE/.ready-code-server-$CODE_SERVER_VERSION-node-$(node -p 'process.versions.modules')"

log() { printf '[e2e-setup] %s\n' "$*"; }

# Debian packages: Chromium (the browser), libkrb5-dev (headers for the kerberos module), ripgrep (VS Code's search).
need_apt=()
for pkg in chromium libkrb5-dev ripgrep; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need_apt+=("$pkg")
done
if ((${#need_apt[@]})); then
  log "apt-get install ${need_apt[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ -f "$STAMP" ] && [ -x /usr/bin/chromium ]; then
  log "cached: $CACHE"
  exit 0
fi

start=$(date +%s)
mkdir -p "$CACHE"
cd "$CACHE"
# A private package.json so npm does not walk up into some other project.
[ -f package.json ] || printf '{ "name": "x86-trampoline-e2e-cache", "private": true }\n' > package.json

# Install scripts are skipped (they would download prebuilt binaries we cannot fetch); the native modules that
# matter are rebuilt from source below by name, which npm's install-script approval gate permits with yes=true.
export npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
log "npm install code-server@$CODE_SERVER_VERSION"
npm install --ignore-scripts --loglevel=error "code-server@$CODE_SERVER_VERSION"
log "npm rebuild argon2"
npm rebuild argon2 --loglevel=error

VSCODE="$CACHE/node_modules/code-server/lib/vscode"
cd "$VSCODE"
log "npm install (VS Code's runtime dependencies)"
npm install --omit=dev --ignore-scripts --loglevel=error
log "npm rebuild native modules"
npm rebuild node-pty @parcel/watcher kerberos native-watchdog @vscode/spdlog @vscode/deviceid --loglevel=error

# @vscode/ripgrep's install script downloads a binary; Debian's rg does the same job.
mkdir -p node_modules/@vscode/ripgrep/bin
cp -f "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
# The server resolves modules through node_modules.asar (packed in the desktop build); here it is a plain folder.
ln -sfn node_modules node_modules.asar

cd "$CACHE"
node node_modules/code-server/out/node/entry.js --version >/dev/null
touch "$STAMP"
log "ready in $(($(date +%s) - start)) s: $CACHE"
