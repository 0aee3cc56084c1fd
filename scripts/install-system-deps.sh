#!/usr/bin/env bash
# Debian packages the tests and examples need, installed only when missing (fast when all present):
#   chromium               headless browser for the integration and e2e tests (driven by playwright-core)
#   libkrb5-dev            code-server's kerberos module compiles from source and needs gssapi.h
#   ripgrep                code-server's @vscode/ripgrep would download rg from GitHub; we give it Debian's
#   build-essential python3  node-gyp builds of kerberos and node-pty
#   dataset-fashion-mnist  real data to train the example LeNet
#   parallel               GNU parallel: the tests run deploy/parallel/gallery.sh
#   python3-torch python3-torchvision python3-pil python3-numpy
#                          PyTorch (Debian's, run as /usr/bin/python3): the numeric oracle of the tests
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
{ command -v g++ && command -v make; } >/dev/null 2>&1 || missing+=(build-essential)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
dpkg -s dataset-fashion-mnist >/dev/null 2>&1 || missing+=(dataset-fashion-mnist)
command -v parallel >/dev/null 2>&1 || missing+=(parallel)
for pkg in python3-torch python3-torchvision python3-pil python3-numpy; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "system deps: all present"
  exit 0
fi

echo "system deps: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y "${missing[@]}"
