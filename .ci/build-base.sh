#!/usr/bin/env bash
# Build the local base image for the Dockerfile's BASE argument, with no
# container registry: a Debian bookworm minbase made by debootstrap from the
# mirror apt already uses here, imported into Docker.
#
# Usage: bash .ci/build-base.sh [IMAGE]    (default: descentlab-base:bookworm)
# Needs root, debootstrap and a running Docker engine. Does nothing if IMAGE
# already exists with every package below; otherwise (re)builds it.
set -euo pipefail

image=${1:-descentlab-base:bookworm}
packages=python3,python3-venv,python3-pip,ca-certificates,libgomp1

if docker image inspect "$image" >/dev/null 2>&1; then
  if docker run --rm "$image" dpkg-query -W ${packages//,/ } >/dev/null 2>&1; then
    echo "Base image $image already exists with $packages: not rebuilding it."
    exit 0
  fi
  echo "Base image $image lacks some of $packages: rebuilding it."
  docker rmi -f "$image" >/dev/null
fi

# The Debian mirror that serves bookworm to apt on this machine
# ('$(REPO_URI)' is apt's own placeholder, not a shell expansion).
# shellcheck disable=SC2016
mirror=$(apt-get indextargets --format '$(REPO_URI)' \
  'Release: bookworm' 'Origin: Debian' 'Identifier: Packages' | head -n 1)
if [[ -z $mirror ]]; then
  echo "No Debian bookworm mirror in apt's sources (has 'apt-get update' run?)." >&2
  exit 1
fi

rootfs=$(mktemp -d /var/tmp/descentlab-base.XXXXXX)
cleanup() {
  # debootstrap mounts /proc and /sys inside the tree; a failed run can
  # leave them mounted, so unmount before deleting and never cross into them.
  { grep -o " $rootfs/[^ ]*" /proc/mounts || true; } | sort -r | xargs -r umount -l
  rm -rf --one-file-system "$rootfs"
}
trap cleanup EXIT

echo "debootstrap bookworm from $mirror into $rootfs"
start=$SECONDS
debootstrap --variant=minbase \
  --include="$packages" \
  bookworm "$rootfs" "$mirror"
echo "debootstrap took $((SECONDS - start)) s"

# Trust what the host trusts (its network may re-sign TLS with a local CA):
# the host's bundle, plus its local certificates so that a later
# update-ca-certificates in an image keeps them.
cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
if [[ -d /usr/local/share/ca-certificates ]]; then
  cp -r /usr/local/share/ca-certificates/. "$rootfs/usr/local/share/ca-certificates/"
fi

# Drop apt's downloaded packages and lists, as published base images do.
chroot "$rootfs" apt-get clean
rm -rf "$rootfs"/var/lib/apt/lists/*

tar -C "$rootfs" --numeric-owner -c . |
  docker import --change 'ENV LANG=C.UTF-8' --change 'CMD ["bash"]' - "$image"
echo "Imported $image."
