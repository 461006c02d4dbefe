#!/usr/bin/env bash
# The quickstart (broker + Connect worker + S3Proxy as local processes, driven through the REST API) arrives with
# the packaging issue. Until then this script says so instead of pretending.
echo "examples/quickstart.sh is not written yet: it arrives with the plugin-package issue." >&2
echo "Today, 'mvn -B verify' builds everything and runs the end-to-end tests." >&2
exit 1
