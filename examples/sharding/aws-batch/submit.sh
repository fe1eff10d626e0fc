#!/usr/bin/env bash
# Submits one sharded audit to AWS Batch: the scan array job, then the merge job that waits for
# every child of it. Usage: submit.sh [RUN] (default: the current UTC time), SHARDS=4 by default.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
run="${1:-$(date -u +%Y%m%dT%H%M%SZ)}"
shards="${SHARDS:-4}"
# Arguments given on the command line override the same fields of --cli-input-json.
scan_id="$(aws batch submit-job --cli-input-json "file://$here/submit-scan.json" \
  --array-properties "size=$shards" --parameters "run=$run" --query jobId --output text)"
merge_id="$(aws batch submit-job --cli-input-json "file://$here/submit-merge.json" \
  --depends-on "jobId=$scan_id" --parameters "run=$run" --query jobId --output text)"
echo "run $run: scan array job $scan_id ($shards shards), merge job $merge_id"
