#!/usr/bin/env bash
# Vendor the compiled GOV.UK Frontend assets that Safeguard's pages use into
# src/safeguard/web/static/govuk-frontend/.
#
# The version must match the Jinja port of the component macros
# (govuk-frontend-jinja 4.1.x targets GOV.UK Frontend 6.3.0). Run it again with a new
# version when that package is upgraded:
#
#     scripts/vendor-govuk-frontend.sh [VERSION]
#
# GOV.UK Frontend is © Crown copyright, released under the MIT licence:
# https://github.com/alphagov/govuk-frontend/blob/main/LICENSE.txt
#
# Only what pages need is kept: the minified CSS and ES module, the favicons and the web
# app manifest. The precompiled CSS refers to its images at the site root (/assets/...);
# the paths are made relative to the stylesheet so they resolve under STATIC_URL. The
# sourceMappingURL comments are dropped because the source maps are not vendored.
#
# The GDS Transport typeface is GOV.UK's brand and may be used only on GOV.UK-hosted
# services; Safeguard is run by local authorities. So the CSS is made as GOV.UK Frontend's
# own Sass settings would make it for a service not on GOV.UK ($govuk-font-family: arial,
# sans-serif; $govuk-include-default-font-face: false): its @font-face rules are removed,
# "GDS Transport" is dropped from every font stack (leaving Arial), and the font files are
# not vendored.
set -euo pipefail

VERSION="${1:-6.3.0}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/src/safeguard/web/static/govuk-frontend"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

(cd "$WORK" && npm pack --silent "govuk-frontend@$VERSION" >/dev/null && tar xzf "govuk-frontend-$VERSION.tgz")
SRC="$WORK/package/dist/govuk"

rm -rf "$DEST"
mkdir -p "$DEST/assets/images"

sed -e 's#url(/assets/#url(assets/#g' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' \
    -e 's#@font-face{[^}]*}##g' -e 's#font-family:GDS Transport,#font-family:#g' \
    -e 's#/\*! Copyright (c) 2011 by Margaret Calvert[^*]*\*/##' \
    "$SRC/govuk-frontend.min.css" >"$DEST/govuk-frontend.min.css"
sed -e 's#//\# sourceMappingURL=.*$##' "$SRC/govuk-frontend.min.js" >"$DEST/govuk-frontend.min.js"

for image in favicon.ico favicon.svg govuk-crest.svg govuk-icon-180.png govuk-icon-192.png \
             govuk-icon-512.png govuk-icon-mask.svg; do
    cp "$SRC/assets/images/$image" "$DEST/assets/images/"
done
cp "$SRC/assets/manifest.json" "$DEST/assets/"
printf '%s\n' "$VERSION" >"$DEST/VERSION"
find "$DEST" -type d -exec chmod 755 {} + && find "$DEST" -type f -exec chmod 644 {} +

if grep -q 'url(/assets/' "$DEST/govuk-frontend.min.css"; then
    echo "vendor-govuk-frontend: absolute asset paths remain in the CSS" >&2
    exit 1
fi
if grep -q 'GDS Transport' "$DEST/govuk-frontend.min.css"; then
    echo "vendor-govuk-frontend: the GDS Transport typeface remains in the CSS" >&2
    exit 1
fi
echo "GOV.UK Frontend $VERSION vendored into ${DEST#"$ROOT"/}"
