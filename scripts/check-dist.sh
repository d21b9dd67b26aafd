#!/usr/bin/env bash
# Rebuilds every action's dist/ and fails if it differs from what is committed (the runner executes
# the committed bundle, so a stale one would ship code nobody tested).
set -euo pipefail
cd "$(dirname "$0")/.."
TURBO_TELEMETRY_DISABLED=1 npx turbo run package --force --output-logs=errors-only
changes=$(git status --porcelain --untracked-files=all -- ':(glob)actions/*/dist/**')
if [ -n "$changes" ]; then
  echo "::error::dist/ is stale: run 'npm run package' and commit the result. Changed files:"
  echo "$changes"
  git diff --stat -- ':(glob)actions/*/dist/**' | tail -5
  exit 1
fi
echo "dist/ is up to date for every action"
