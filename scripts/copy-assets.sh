#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 procedo contributors
# SPDX-License-Identifier: EUPL-1.2
#
# copy-assets.sh copies the Bootstrap Italia files that the UI serves from
# node_modules into web/static/vendor/bootstrap-italia (gitignored), where
# web/static embeds them into the binary. `make assets` runs it after npm ci.
# It replaces the folder whole, so running it twice gives the same result.
#
# Fonts: Bootstrap Italia 2.x has no @font-face in its CSS (its JavaScript
# loadFonts() adds them); web/static/css/procedo.css declares them so text uses
# the right fonts without JavaScript. We copy only woff2 and woff, which every
# browser we support reads, plus the fonts' licences.
set -euo pipefail

cd "$(dirname "$0")/.."
src=node_modules/bootstrap-italia
dst=web/static/vendor/bootstrap-italia

if [[ ! -f $src/dist/css/bootstrap-italia.min.css ]]; then
	echo "copy-assets.sh: $src is missing; run npm ci first (make assets does)" >&2
	exit 1
fi

tmp=$(mktemp -d "web/static/vendor/.bootstrap-italia.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/css" "$tmp/js" "$tmp/svg" "$tmp/fonts"
cp "$src/LICENSE" "$tmp/LICENSE"
node -p 'require("./'"$src"'/package.json").version' >"$tmp/VERSION"
cp "$src/dist/css/bootstrap-italia.min.css" "$src/dist/css/bootstrap-italia.min.css.map" "$tmp/css/"
cp "$src/dist/js/bootstrap-italia.bundle.min.js" "$tmp/js/"
cp "$src/dist/svg/sprites.svg" "$tmp/svg/"
for dir in "$src"/dist/fonts/*/; do
	name=$(basename "$dir")
	mkdir -p "$tmp/fonts/$name"
	cp "$dir"*.woff2 "$dir"*.woff "$tmp/fonts/$name/"
	cp "$dir"*.txt "$tmp/fonts/$name/" 2>/dev/null || true # OFL.txt, LICENSE.txt
done
touch "$tmp/.stamp" # newer than node_modules/.package-lock.json: make sees it up to date

rm -rf "$dst"
mv "$tmp" "$dst"
chmod 755 "$dst"
trap - EXIT
echo "copy-assets.sh: Bootstrap Italia $(cat "$dst/VERSION") -> $dst"
