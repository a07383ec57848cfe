#!/usr/bin/env bash
# One-time set-up on Debian (Node 20, npm 11): system packages, then npm ci (which
# builds the app through the `prepare` script). Safe to run again: it skips what is
# already done.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
/usr/bin/python3 -c 'import torch, numpy' >/dev/null 2>&1 || need_apt+=(python3-torch python3-numpy)
# The Python checks run pyflakes on the shipped trainer files and the rendered reward plug-ins.
/usr/bin/python3 -c 'import pyflakes' >/dev/null 2>&1 || need_apt+=(python3-pyflakes)
# The external trainers' SSH tests run an sshd on loopback and copy with rsync/scp.
[ -x /usr/sbin/sshd ] && command -v rsync >/dev/null 2>&1 && command -v ssh >/dev/null 2>&1 || need_apt+=(openssh-server openssh-client rsync)
# The geo tests check region codes against Debian's ISO 3166-2 list.
[ -f /usr/share/iso-codes/json/iso_3166-2.json ] || need_apt+=(iso-codes)
# The Slurm tests start a one-node cluster (their own config, ports and munge socket).
[ -x /usr/sbin/slurmctld ] && [ -x /usr/sbin/slurmd ] && [ -x /usr/sbin/munged ] && command -v sbatch >/dev/null 2>&1 || need_apt+=(slurmctld slurmd slurm-client munge)
if [ ${#need_apt[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo_cmd=""
    [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
    echo "setup: installing ${need_apt[*]} from Debian"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
  else
    echo "setup: please install ${need_apt[*]} (Chromium runs the browser tests, PyTorch the trainer)" >&2
  fi
fi

# Electron's and onnxruntime-node's install scripts download binaries; they are off
# in package.json (allowScripts) so installs work offline. `npm start` fetches
# Electron on first desktop start.
stamp=node_modules/.georeason-setup
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  echo "setup: npm ci (builds the app)"
  npm ci --no-audit --no-fund
  touch "$stamp"
elif [ ! -f dist/electron/server.js ] || [ ! -f dist/renderer/index.html ]; then
  npm run build
fi
echo "setup: done"
