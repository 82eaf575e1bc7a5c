#!/usr/bin/env bash
# Installs what checks deploy/k8s (tests/deploy/test_k8s.py), pinned and cached in
# $STATE/k8s-tools (the second run takes milliseconds):
#
#   kubeconform  go install github.com/yannh/kubeconform/cmd/kubeconform@v0.8.0 (Go module proxy)
#   kustomize    `kubectl kustomize` when kubectl is there; else
#                go install sigs.k8s.io/kustomize/kustomize/v5@v5.7.1
#   schemas      Kubernetes' own JSON schemas (v1.32.0, strict) from the PyPI package
#                kubernetes-validate==1.37.0, rewritten so that kubeconform resolves their
#                references from the files (no network at validation time)
#   k8s-crds     tools/k8s-crds (npm ci, pinned with integrity hashes in its package-lock.json,
#                into tools/k8s-crds/node_modules, as tools/asyncapi): validates the Strimzi
#                and CloudNativePG resources, which kubeconform skips, against models
#                generated from the operators' CRD schemas; reinstalled when the lock changes
#
#   deploy/k8s/tools.sh          install what is missing; prints nothing when all is there
#   deploy/k8s/tools.sh --print  also print the paths (KUBECONFORM=..., KUSTOMIZE=...,
#                                SCHEMAS=..., CRD_VALIDATE=...)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE=${OCOP_STATE_DIR:-$REPO/.local}
DIR="$STATE/k8s-tools"
KUBECONFORM_VERSION=v0.8.0
KUSTOMIZE_VERSION=v5.7.1
SCHEMAS_PACKAGE=kubernetes-validate==1.37.0
K8S_VERSION=1.32.0
SCHEMAS="$DIR/schemas/${SCHEMAS_PACKAGE#*==}"

say() { printf '[k8s-tools] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

go_install() {  # module@version binary
    command -v go >/dev/null 2>&1 || die "Go is required to install $2 (apt-get install golang, or Go 1.22+)"
    say "installing $1 (Go module proxy; once, cached in $DIR/bin)"
    mkdir -p "$DIR/bin"
    GOBIN="$DIR/bin" GOFLAGS=-mod=mod go install "$1" >&2 || die "go install $1 failed"
}

stamp_ok() { [ -x "$DIR/bin/$1" ] && [ "$(cat "$DIR/bin/.$1.version" 2>/dev/null)" = "$2" ]; }

if ! stamp_ok kubeconform "$KUBECONFORM_VERSION"; then
    go_install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION" kubeconform
    echo "$KUBECONFORM_VERSION" >"$DIR/bin/.kubeconform.version"
fi

if command -v kubectl >/dev/null 2>&1 && kubectl kustomize --help >/dev/null 2>&1; then
    KUSTOMIZE="kubectl kustomize"
else
    if ! stamp_ok kustomize "$KUSTOMIZE_VERSION"; then
        go_install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" kustomize
        echo "$KUSTOMIZE_VERSION" >"$DIR/bin/.kustomize.version"
    fi
    KUSTOMIZE="$DIR/bin/kustomize build"
fi

if [ ! -f "$SCHEMAS/.complete" ]; then
    command -v uv >/dev/null 2>&1 || die "uv is required (./dev installs it)"
    say "fetching Kubernetes JSON schemas: $SCHEMAS_PACKAGE (PyPI; once, cached in $SCHEMAS)"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    uv pip install --quiet --no-deps --target "$tmp/pkg" "$SCHEMAS_PACKAGE" >&2 \
        || die "could not fetch $SCHEMAS_PACKAGE"
    rm -rf "$SCHEMAS"
    python3 - "$tmp/pkg/kubernetes_validate/kubernetes-json-schema" "$SCHEMAS" "$K8S_VERSION" <<'PY'
# Each kind's schema refers to "/api/_definitions.json#/$defs/..." under an "$id" on
# kubernetes.io: resolved by kubernetes-validate's own loader, fetched from the network by
# anyone else. Without the "$id"s and with the references made relative to the file, the
# schemas resolve from the folder kubeconform reads them in.
import json, pathlib, sys
source, target, version = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
for flavour in ("local", "local-strict"):
    src = source / f"v{version}-{flavour}"
    if not src.is_dir():
        sys.exit(f"no schemas for Kubernetes {version} ({flavour}) in the package")
    dst = target / f"v{version}-{flavour}"
    dst.mkdir(parents=True)
    for path in src.glob("*.json"):
        text = path.read_text().replace('"/api/_definitions.json#', '"_definitions.json#')
        schema = json.loads(text)
        schema.pop("$id", None)
        (dst / path.name).write_text(json.dumps(schema))
PY
    touch "$SCHEMAS/.complete"
fi

# The CRD validator: npm ci from the lock (npm's cache makes the second install offline);
# the lock's checksum, kept beside node_modules, tells when it must run again.
CRDS="$REPO/tools/k8s-crds"
crds_lock=$(sha256sum "$CRDS/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$CRDS/node_modules/.ocop-lock.sha256" 2>/dev/null)" != "$crds_lock" ]; then
    command -v npm >/dev/null 2>&1 || die "Node.js 20 with npm is required (apt-get install nodejs npm)"
    say "installing tools/k8s-crds (npm ci; once, cached in tools/k8s-crds/node_modules)"
    npm ci --prefix "$CRDS" --prefer-offline --silent --no-audit --no-fund >&2 \
        || die "npm ci --prefix tools/k8s-crds failed"
    echo "$crds_lock" >"$CRDS/node_modules/.ocop-lock.sha256"
fi

if [ "${1:-}" = "--print" ]; then
    echo "KUBECONFORM=$DIR/bin/kubeconform"
    echo "KUSTOMIZE=$KUSTOMIZE"
    echo "SCHEMAS=$SCHEMAS"
    echo "K8S_VERSION=$K8S_VERSION"
    echo "CRD_VALIDATE=$CRDS/validate.mjs"
fi
